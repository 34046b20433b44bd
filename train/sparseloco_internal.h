/* Shared by train/sparseloco_*.c and train/dct.c only: the compressor's
 * workspaces and the DCT helpers. Nothing outside train/ includes this. */
#ifndef COVENANT_TRAIN_SPARSELOCO_INTERNAL_H
#define COVENANT_TRAIN_SPARSELOCO_INTERNAL_H

#include "train/sparseloco.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* Chunks' |e| histograms: bins of the bit pattern's top 9 bits (exponent
 * and one mantissa bit), half an octave each. */
#define COV_SPARSELOCO_HIST_SHIFT 22
#define COV_SPARSELOCO_HIST_BINS 512

/* Tensors under this many elements are handled on the calling thread: a
 * parallel region costs more than it saves there, and far more on a busy
 * machine where a team waits for a descheduled thread. The result is the
 * same either way. */
#define COV_SPARSELOCO_PARALLEL_MIN ((size_t)1 << 18)

/* One thread's scratch, sized for the largest chunk. */
typedef struct {
    uint64_t *heap;   /* top-k keys */
    uint8_t *mark;    /* chunk-local selection marks */
    float *chunk;     /* a chunk gathered (DCT input, scatter sums) */
    float *coef;      /* DCT coefficients / a decoded chunk */
    uint16_t *count;  /* scatter-mean counts */
    double *tmp;      /* DCT intermediate */
    uint64_t *band;   /* candidate keys of one band of chunks: [x][band_cap] */
    int *band_filled; /* [x] candidates held */
    uint32_t *band_need; /* [x] the |e| bits a newcomer needs */
    uint32_t *row_bits;  /* |e| bits of the row being swept */
    uint16_t *band_hist; /* [x][2][COV_SPARSELOCO_HIST_BINS] */
    size_t row_cap;
    size_t band_cap;  /* keys band holds */
    size_t band_chunks; /* chunks band_filled holds */
} cov_sparseloco_scratch;

struct cov_sparseloco {
    cov_sparseloco_config cfg;
    int n_threads;
    cov_sparseloco_scratch *scratch; /* [n_threads] */
    float *vals;        /* kept values of the tensor being compressed */
    size_t vals_cap;
    float *dense;       /* Δ̄ of the tensor being stepped */
    size_t dense_cap;
    double *basis_h, *basis_w; /* DCT-II bases, [n][n] */
    int basis_h_n, basis_w_n;
};

/* Sizes the per-thread scratch for the current OpenMP thread count (with
 * candidate lists for a band of band_chunks chunks of k keys each and a
 * row of row_len |e| bit patterns), the kept-values buffer
 * for n_kept and the dense buffer for numel (0: not needed). Allocates only
 * when a size grows. */
cov_status cov_sparseloco_reserve(cov_sparseloco *s, size_t n_kept, size_t numel,
                                  size_t band_chunks, int k, size_t row_len, cov_err *err);

/* The DCT bases for this geometry's h and w (computed when they change). */
void cov_sparseloco_bases(cov_sparseloco *s, const cov_sparseloco_geom *g);

static inline int cov_sparseloco_thread(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* Candidate keys per chunk in a band: room for k survivors and a row
 * segment after a cut, and enough slack that cuts are rare. */
static inline int cov_sparseloco_band_cap(const cov_sparseloco_geom *g)
{
    int cap = 8 * g->k;
    if (cap < g->k + g->w)
        cap = g->k + g->w;
    return cap > g->chunk_len + g->w ? g->chunk_len + g->w : cap;
}

/* The flat position of chunk c's local element l in the row-major tensor. */
static inline size_t cov_sparseloco_pos(const cov_sparseloco_geom *g, int64_t c, int l)
{
    int64_t yi = c / g->x, xi = c % g->x;
    int hh = l / g->w, ww = l % g->w;
    return (size_t)((yi * g->h + hh) * g->stride + xi * g->w + ww);
}

/* ---- DCT (dct.c): DeMo's orthonormal DCT-II per chunk, in double ---- */

/* basis[i·n + b] = s_b·cos(π·(2i+1)·b / 2n), s_0 = √(1/n), s_b = √(2/n):
 * torch-dct's dct(I_n, norm="ortho"), the matrix DeMo multiplies by. */
void cov_dct_basis(double *basis, int n);

/* X[b][d] = Σ_k Σ_l x[k][l]·Bh[k][b]·Bw[l][d] over an h×w chunk (h = 1 for
 * 1-D), accumulated in double and rounded to float once. tmp: h·w doubles. */
void cov_dct_forward(float *out, const float *in, int h, int w, const double *bh,
                     const double *bw, double *tmp);
/* The inverse (the transpose, the bases being orthonormal). */
void cov_dct_inverse(float *out, const float *in, int h, int w, const double *bh,
                     const double *bw, double *tmp);

#endif
