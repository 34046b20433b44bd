/* Shared by kernels/sparseloco_*.cu only: the GPU compressor's state, its
 * device workspaces and the CUDA error helper. */
#ifndef COVENANT_KERNELS_SPARSELOCO_CUDA_INTERNAL_CUH
#define COVENANT_KERNELS_SPARSELOCO_CUDA_INTERNAL_CUH

#include "kernels/sparseloco_cuda.h"

#include <cuda_runtime.h>
#include <stdint.h>

/* Threads per block in every SparseLoCo kernel (8 warps). The block scans
 * and reductions below are written for exactly this many. */
#define SLC_THREADS 256

/* Flags a kernel raises in slc_state::flags. */
#define SLC_FLAG_NONFINITE 1u /* the EF or Δ̄ holds a NaN or Inf */
#define SLC_FLAG_BAD_INDEX 2u /* a peer's index is ≥ the chunk length */

/* Device-side results of one compression or outer step: the grid-wide
 * statistics (written by the last block of a kernel to finish) and flags. */
typedef struct {
    unsigned int blocks_done; /* last-block counter, back to 0 after use */
    unsigned int flags;
    float shift, scale;
    float lookup[COV_SPARSELOCO_MAX_BINS];
} slc_state;

/* The chunk geometry as the kernels need it (cov_sparseloco_geom's fields). */
typedef struct {
    int64_t x, stride, n_chunks;
    int h, w, chunk_len, k;
    int64_t n_kept;
} slc_geom;

struct cov_sparseloco_cuda {
    cov_sparseloco_config cfg;
    cudaStream_t stream; /* the context's */
    slc_state *d_state;
    /* compression: kept values and their indices and codes, packed bytes,
     * per-chunk double partial sums, per-chunk per-bin sums and counts */
    uint16_t *d_idx;
    float *d_vals;
    uint8_t *d_codes;
    uint8_t *d_packed;
    double *d_partial;
    double *d_bin_sum;
    unsigned int *d_bin_count;
    size_t kept_cap, packed_cap, chunk_cap, bin_cap; /* elements */
    /* outer step: every peer's indices and codes, [peer][n_kept], and per
     * peer {shift, clip, lookup[256]} */
    uint16_t *d_peer_idx;
    uint8_t *d_peer_codes;
    float *d_peer_table;
    size_t peer_kept_cap, peer_table_cap;
};

/* Per peer in d_peer_table: shift, clip factor, then the 256-entry lookup
 * (all 256, so any code byte indexes inside it). */
#define SLC_PEER_TABLE (2 + COV_SPARSELOCO_MAX_BINS)

/* A failed CUDA call returns its cov_status (cuda_common.h's message). */
#define SLC_CHECK(call, what) COV_CUDA_TRY(call, err, "sparseloco (CUDA): " what)

/* Replaces the device buffer *p by a new one of bytes bytes (contents are
 * lost; on failure *p is NULL). */
cov_status slc_realloc(void **p, size_t bytes, cov_err *err);

slc_geom slc_geom_of(const cov_sparseloco_geom *g);

/* The flat position of chunk c's local element l (as cov_sparseloco_pos). */
__device__ __forceinline__ int64_t slc_pos(const slc_geom &g, int64_t c, int l)
{
    int64_t yi = c / g.x, xi = c % g.x;
    int hh = l / g.w, ww = l % g.w;
    return (yi * g.h + hh) * g.stride + xi * g.w + ww;
}

#endif
