/* What the yuma*.c files (and their tests) share: the sparse matrix, the
 * scratch memory reused between epochs, and the epoch's steps that have a
 * math counterpart in subtensor's epoch/math.rs. Not part of the public
 * API. */
#ifndef COVENANT_INCENTIVE_YUMA_INTERNAL_H
#define COVENANT_INCENTIVE_YUMA_INTERNAL_H

#include "incentive/fixed.h"
#include "incentive/yuma.h"

/* A sparse matrix in CSR form, rows in uid order, each row's entries in
 * the order the chain's Vec<(u16, I32F32)> would hold them. Row i is
 * col/val[rowptr[i] .. rowptr[i+1]). */
typedef struct {
    uint32_t rows;
    size_t *rowptr; /* rows + 1 */
    uint16_t *col;
    cov_fx32 *val;
    size_t cap;      /* room in col/val */
    size_t rows_cap; /* room in rowptr, minus one */
} ymat;

/* Room for `rows` rows and `nnz` entries (contents kept); false on OOM. */
bool ymat_reserve(ymat *m, uint32_t rows, size_t nnz);
void ymat_free(ymat *m);
static inline size_t ymat_nnz(const ymat *m) { return m->rows ? m->rowptr[m->rows] : 0; }

/* inplace_row_normalize_sparse: rows whose (wrapping) sum is > 0 are
 * divided by it. */
void ymat_row_normalize(ymat *m);
/* inplace_col_normalize_sparse(m, columns): saturating column sums over
 * j < columns; entries of a column with a non-zero sum are divided by it.
 * dv: scratch of `columns` dividers; sums: scratch of `columns`. */
void ymat_col_normalize(ymat *m, uint16_t columns, cov_fx32 *sums,
                        cov_fx32_divider *dv);
/* inplace_col_max_upscale_sparse(m, columns). */
void ymat_col_max_upscale(ymat *m, uint16_t columns, cov_fx32 *maxes,
                          cov_fx32_divider *dv);
/* col_clip_sparse(w, c) into out. */
bool ymat_col_clip(ymat *out, const ymat *w, const cov_fx32 *c, uint16_t columns);
/* row_sum_sparse, wrapping as iter().sum(). */
void ymat_row_sum(cov_fx32 *out, const ymat *m);
/* matmul_sparse(m, v, columns): out[j] = sat-sum_i v_i * m_ij. */
void ymat_matmul(cov_fx32 *out, const ymat *m, const cov_fx32 *v, uint16_t columns);
/* matmul_transpose_sparse(m, v): out[i] = sat-sum_j v_j * m_ij (j < vlen). */
void ymat_matmul_transpose(cov_fx32 *out, const ymat *m, const cov_fx32 *v,
                           size_t vlen);
/* row_hadamard_sparse in place: m_ij = m_ij * v_i (saturating). */
void ymat_row_hadamard(ymat *m, const cov_fx32 *v);
/* interpolate_sparse(a, b, columns, ratio) for 0 < ratio < 1 into out:
 * per row, a + ratio*(b - a) over the columns either row has, kept if
 * > 0, in column order. dense/mark: scratch of `columns`. */
bool ymat_interpolate(ymat *out, const ymat *a, const ymat *b, uint16_t columns,
                      cov_fx32 ratio, cov_fx32 *dense_a, cov_fx32 *dense_b,
                      uint32_t *mark, uint16_t *touched);
/* mat_ema_sparse(new, old, alpha) into out: per row alpha*new + (1-alpha)*old
 * accumulated (saturating) over columns < new.rows, entries > 0 in column
 * order. */
bool ymat_ema(ymat *out, const ymat *nw, const ymat *old, cov_fx32 alpha,
              cov_fx32 *dense, uint32_t *mark, uint16_t *touched);

/* weighted_median (epoch/math.rs) over partition 0..len-1, exactly. */
cov_fx32 cov_yuma_weighted_median(const cov_fx32 *stake, const cov_fx32 *score,
                                  size_t len, cov_fx32 minority, cov_fx32 lo,
                                  cov_fx32 hi);
/* One entry of a column's partition in the weighted median: validator k
 * (index among positive-stake rows), g (its rank among the column's
 * non-zero scores), its score and stake. */
typedef struct {
    uint32_t k, g;
    cov_fx32 score, stake;
} ymed_item;

/* Memory the column medians reuse; zero it before first use. */
typedef struct {
    size_t *colptr;
    size_t colptr_cap;
    uint32_t *ck;   /* column-major validator indices */
    cov_fx32 *cv;   /* and scores */
    size_t c_cap;
    cov_fx32 *use_stake;
    size_t *rowk;   /* row -> k, or SIZE_MAX */
    ymed_item *items[3];
    size_t k_cap, n_cap;
    size_t *idx[3]; /* dense fallback */
    cov_fx32 *dense;
} ymed_ws;

void ymed_ws_free(ymed_ws *ws);

/* weighted_median_col_sparse(stake, w, columns, majority) into out
 * (columns values); stake has w->rows entries. False on OOM. */
bool cov_yuma_weighted_median_col(cov_fx32 *out, const cov_fx32 *stake,
                                  const ymat *w, uint16_t columns,
                                  cov_fx32 majority, ymed_ws *ws);

/* alpha_sigmoid (run_epoch.rs), the liquid alpha of one bond. */
cov_fx32 cov_yuma_alpha_sigmoid(cov_fx32 consensus, cov_fx32 weight,
                                cov_fx32 bond, cov_fx32 alpha_low,
                                cov_fx32 alpha_high, cov_fx32 steepness);

/* mat_ema_alpha_sparse(new, old, alpha) where alpha(i, j) comes from
 * `alpha_of`: entries > 0 in new's row order, clamped to 1. */
typedef cov_fx32 (*cov_yuma_alpha_fn)(void *ctx, uint32_t i, uint16_t j);
bool ymat_ema_alpha(ymat *out, const ymat *nw, const ymat *old, uint16_t columns,
                    cov_yuma_alpha_fn alpha_of, void *ctx, cov_fx32 *decayed);

/* Bonds and dividends (steps 11-12): reads B from in->bonds, WB, A, C, I;
 * writes D (n) and, in s->ema, the bond rows to store (max-upscaled for
 * original Yuma, plain proportions for Yuma 3). WB may be overwritten. */
typedef struct {
    const cov_yuma_input *in;
    struct cov_yuma_scratch *s;
    ymat *wb;
    const cov_fx32 *A, *C, *I;
    cov_fx32 *D;
} yuma_bonds_ctx;

bool cov_yuma_bonds_dividends(yuma_bonds_ctx *c);

/* vec_max_upscale_to_u16 on I32F32 values. */
void cov_yuma_vec_max_upscale_to_u16(uint16_t *out, const cov_fx32 *in, size_t len);

/* The scratch an output keeps between epochs. */
struct cov_yuma_scratch {
    ymat w, wclip, wb, b, ema;
    ymed_ws med;
    size_t n_cap;
    cov_fx32 *vec[8];      /* n-sized I32F32 vectors */
    cov_fx32_divider *dv;  /* n dividers */
    uint32_t *mark;        /* n stamps */
    uint16_t *touched;     /* n columns */
    uint16_t *order;       /* n uids, for top-k */
    bool *flags[2];        /* n-sized */
    cov_fx64 *stake64;     /* n */
    cov_fx32 *alpha_row;   /* n: liquid alpha cache of one row */
    cov_fx32 *wvis, *bvis; /* n: what liquid alpha reads of a row */
    uint32_t stamp;
};

/* Sizes an output's per-uid arrays for n uids; false on OOM. */
bool cov_yuma_output_reserve(cov_yuma_output *out, size_t n);

/* Grows the scratch for n uids; false on OOM. */
bool cov_yuma_scratch_reserve(struct cov_yuma_scratch **s, size_t n);
void cov_yuma_scratch_free(struct cov_yuma_scratch *s);

#endif
