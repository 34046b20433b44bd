/* SparseLoCo: the compressor that trained Covenant-72B (templar.md §2.2), the
 * outer step that aggregates peers' compressed pseudo-gradients (§3.5) and
 * the validator's single-peer application (§4.3).
 *
 * Per parameter tensor, a sender does
 *
 *   e ← β·e + Δ                       error feedback (EF), β = ef_decay
 *   chunk e: 2-D [R,C] → [R/h, C/w, h·w], 1-D [n] → [n/w, w]
 *            h = maxdiv(R), w = maxdiv(C|n): the largest divisor ≤ chunk
 *   (optionally an orthonormal DCT-II per chunk, DeMo's §2.1)
 *   keep k per chunk by |e|: |e| descending, then chunk-local index
 *            ascending; stored with indices ascending
 *   quantize the kept values per tensor to codes 0..bins-1
 *   e ← e − decode(dequantized)       both errors are fed back
 *
 * and a receiver dequantizes each peer, clips it to the lower median of the
 * peers' norms, averages every coordinate over the peers that selected it
 * and takes θ ← θ − α·Δ̄.
 *
 * Numerics (documented because the CUDA port must match them): the per
 * tensor sums behind shift, std, the bin means and the peer norms are
 * accumulated in double, per chunk in index order and then over chunks in
 * chunk order, and rounded to float once; everything elementwise (c = v −
 * shift, c/scale + offset, rint half-even, lookup[q] + shift, the clip, the
 * scatter-mean sums in peer order, θ − α·Δ̄) is float. Templar sums in fp32
 * in an order its kernels choose, so its shift/scale/lookup differ from
 * these by a few 1e-6 on unit-scale data (templar.md §2.2, errata 5).
 *
 * Every function returns a cov_status and fills cov_err; none prints. */
#ifndef COVENANT_TRAIN_SPARSELOCO_H
#define COVENANT_TRAIN_SPARSELOCO_H

#include "common/common.h"
#include "train/tensor.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest chunk side and so the largest chunk: indices are 12-bit. */
#define COV_SPARSELOCO_MAX_CHUNK 64
#define COV_SPARSELOCO_MAX_CHUNK_LEN (COV_SPARSELOCO_MAX_CHUNK * COV_SPARSELOCO_MAX_CHUNK)
#define COV_SPARSELOCO_MAX_BINS 256

typedef struct {
    int topk;          /* values kept per chunk before clamping (64) */
    int chunk;         /* target chunk side, ≤ 64 (64) */
    float ef_decay;    /* β of the error feedback (0.95) */
    int quant_bins;    /* codes 0..bins-1, 2..256 (4) */
    float quant_range; /* the bins span range·std (6): scale = range·std/bins */
    bool use_dct;      /* orthonormal DCT-II per chunk (false, as for 72B) */
} cov_sparseloco_config;

/* Covenant-72B's values: 64, 64, 0.95, 4, 6, no DCT. */
void cov_sparseloco_config_defaults(cov_sparseloco_config *cfg);
cov_status cov_sparseloco_config_check(const cov_sparseloco_config *cfg, cov_err *err);

/* ------------------------------------------------------------- geometry */

/* How one tensor is cut into chunks. A 1-D tensor has h = 1 and x = 1. */
typedef struct {
    int ndim;
    int64_t shape[2];   /* shape[1] = 1 for a 1-D tensor */
    int h, w;           /* chunk sides */
    int64_t y, x;       /* chunk grid: y = R/h, x = C/w (1-D: y = n/w, x = 1) */
    int64_t stride;     /* elements per row of the chunked view: C (1-D: w) */
    int chunk_len;      /* h·w */
    int k;              /* values kept per chunk */
    int64_t n_chunks;   /* y·x */
    size_t n_kept;      /* n_chunks·k */
    size_t packed_len;  /* bytes of 12-bit packed indices: 3·ceil(n_kept/2) */
} cov_sparseloco_geom;

/* The largest divisor of n that is ≤ limit (n itself when n ≤ limit; 1 for a
 * prime over limit), Templar's _get_smaller_split. */
int64_t cov_sparseloco_maxdiv(int64_t n, int limit);

/* k for a chunk: min(topk, chunk_len), at least 2, rounded down to even, as
 * Templar's _clamp_topk; a chunk of one element (a prime dimension over 64)
 * keeps that element, k = 1, where Templar's sender would crash (errata 3).
 * Sender and receiver both call this, so they always agree. */
int cov_sparseloco_chunk_k(int chunk_len, int topk);

cov_status cov_sparseloco_geom_init(cov_sparseloco_geom *g, int ndim, const int64_t shape[2],
                                    const cov_sparseloco_config *cfg, cov_err *err);

/* --------------------------------------------------- a compressed tensor */

/* One tensor's compressed pseudo-gradient. Arrays are owned by the struct:
 * cov_sparseloco_tensor_alloc allocates them, cov_sparseloco_tensor_free
 * releases them (and is safe on a zeroed struct). */
typedef struct {
    char name[COV_TENSOR_NAME_MAX];
    cov_sparseloco_geom geom;
    uint16_t *idx;     /* [n_chunks][k] chunk-local (hh·w + ww), ascending per chunk */
    uint8_t *codes;    /* [n_chunks][k], same order as idx */
    uint8_t *packed;   /* [packed_len] idx in 12-bit pairs, the wire form */
    float shift, scale;
    int n_bins;
    float lookup[COV_SPARSELOCO_MAX_BINS]; /* per-bin mean of v − shift */
} cov_sparseloco_tensor;

cov_status cov_sparseloco_tensor_alloc(cov_sparseloco_tensor *t, const char *name,
                                       const cov_sparseloco_geom *g, int n_bins, cov_err *err);
void cov_sparseloco_tensor_free(cov_sparseloco_tensor *t);

/* 12-bit packing, pairs (i0, i1) → b0 = i0 & 0xFF, b1 = (i0 >> 8 & 0x0F) |
 * (i1 & 0x0F) << 4, b2 = i1 >> 4 & 0xFF. An odd count packs a last i1 = 0.
 * out holds 3·ceil(n/2) bytes; indices must be < 4096. */
void cov_sparseloco_pack12(uint8_t *out, const uint16_t *idx, size_t n);
void cov_sparseloco_unpack12(uint16_t *out, const uint8_t *in, size_t n);

/* The quantizer on its own (the compressor runs it fused): codes[i] and
 * t->shift/scale/lookup from n values. Exposed for tests and the wire. */
void cov_sparseloco_quantize(uint8_t *codes, float *shift, float *scale, float *lookup,
                             const float *vals, size_t n, int n_bins, float range);

/* vals[i] = lookup[codes[i]] + shift for the t->geom.n_kept values. */
void cov_sparseloco_dequantize(float *vals, const cov_sparseloco_tensor *t);

/* ||dequantized values||_2 (double sum, rounded to float once). */
float cov_sparseloco_norm(const cov_sparseloco_tensor *t);

/* The lower median (torch.median): the ⌊(n−1)/2⌋-th smallest. Sorts a copy
 * it makes in scratch (n floats). n ≥ 1. Any NaN gives NaN, as torch.median. */
float cov_sparseloco_lower_median(const float *vals, float *scratch, size_t n);

/* ---------------------------------------------------------- compressor */

/* The compressor: a config and workspaces sized for the largest tensor it
 * has seen (grown on first use, reused after). Not thread-safe: one per
 * thread of control; it parallelises over chunks with OpenMP itself, and
 * the result does not depend on the thread count. */
typedef struct cov_sparseloco cov_sparseloco;

cov_status cov_sparseloco_new(cov_sparseloco **out, const cov_sparseloco_config *cfg, cov_err *err);
void cov_sparseloco_free(cov_sparseloco *s);
const cov_sparseloco_config *cov_sparseloco_get_config(const cov_sparseloco *s);

/* Compresses one tensor: ef (numel floats, the tensor's EF, updated in
 * place) ← β·ef + delta, then top-k, quantize, pack and ef ← ef −
 * decode(dequantized). out must have been allocated for the tensor's
 * geometry under this config. If ef turns non-finite (a NaN/Inf in delta or
 * an overflow) nothing is produced, ef is zeroed (it holds nothing usable)
 * and the call fails with COV_ERR_ARG. */
cov_status cov_sparseloco_compress(cov_sparseloco *s, cov_sparseloco_tensor *out, float *ef,
                                   const float *delta, cov_err *err);

/* ----------------------------------------------------------- outer step */

/* Per-tensor median of the peers' norms (lower median): what the validator
 * clips one peer against (§4.3). peers[p] all share a geometry. */
cov_status cov_sparseloco_median_norm(float *out, const cov_sparseloco_tensor *const *peers,
                                      size_t n_peers, cov_err *err);

typedef struct {
    bool applied;       /* false: skipped, θ untouched */
    bool nonfinite;     /* why it was skipped */
    float median_norm;
} cov_sparseloco_tensor_result;

/* θ ← θ − lr·Δ̄ for one tensor (§3.5): dequantize each peer, clip it by
 * min(1, m/(n_p + 1e-8)) with m the lower median of the norms, scatter-mean
 * per coordinate over the peers that chose it (unchosen stay 0), un-chunk
 * (inverse DCT when the config says so). A non-finite Δ̄ leaves θ alone and
 * says so in res; that is not an error. theta has the tensor's numel. */
cov_status cov_sparseloco_outer_step_tensor(cov_sparseloco *s, float *theta,
                                            const cov_sparseloco_tensor *const *peers,
                                            size_t n_peers, float lr,
                                            cov_sparseloco_tensor_result *res, cov_err *err);

/* The validator's evaluation (§4.3): one peer's update, clipped by
 * min(1, median_norm/(n + 1e-8)), applied as θ ← θ − (float)(α·eval_lr_factor)·Δ̂.
 * Non-finite → skipped, as above. */
cov_status cov_sparseloco_apply_one_tensor(cov_sparseloco *s, float *theta,
                                           const cov_sparseloco_tensor *peer, float median_norm,
                                           double lr, double eval_lr_factor,
                                           cov_sparseloco_tensor_result *res, cov_err *err);

#endif
