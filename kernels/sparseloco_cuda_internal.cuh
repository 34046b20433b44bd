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
    /* Device workspaces, grown on demand (caps in bytes). One batch of
     * tensors is queued at a time: per tensor its state and its results
     * (indices, codes, packed bytes) at offsets into d_states, d_idx,
     * d_codes, d_packed; d_vals, d_partial and the bin sums serve each
     * tensor in turn (the stream orders them). */
    unsigned *d_abort; /* set when a tensor of the batch failed: the rest skip */
    slc_state *d_states;
    uint16_t *d_idx;
    float *d_vals;
    uint8_t *d_codes, *d_packed;
    double *d_partial, *d_bin_sum;
    unsigned *d_bin_count;
    size_t states_cap, idx_cap, vals_cap, codes_cap, packed_cap, partial_cap, bin_sum_cap,
        bin_count_cap;
    /* outer step: every peer's indices and codes, [tensor][peer][n_kept],
     * and per tensor and peer {shift, clip, lookup[256]} */
    uint16_t *d_peer_idx;
    uint8_t *d_peer_codes;
    float *d_peer_table;
    size_t peer_idx_cap, peer_codes_cap, peer_table_cap;
    /* pinned host staging for a batch's uploads and downloads */
    uint8_t *h_stage;
    size_t stage_cap;
};

/* Per peer in d_peer_table: shift, clip factor, then the 256-entry lookup
 * (all 256, so any code byte indexes inside it). */
#define SLC_PEER_TABLE (2 + COV_SPARSELOCO_MAX_BINS)

/* Kept values (summed over peers for the outer step) per queued batch: the
 * device workspaces stay near 64 Mi values × 3.5 bytes however large the
 * model. */
#define SLC_BATCH_VALUES ((size_t)1 << 26)

/* A failed CUDA call returns its cov_status (cuda_common.h's message). */
#define SLC_CHECK(call, what) COV_CUDA_TRY(call, err, "sparseloco (CUDA): " what)

/* Makes the device buffer *p (of *cap bytes) hold at least bytes bytes: a
 * new buffer when it grows (contents lost; on failure *p is NULL, *cap 0). */
cov_status slc_reserve(void **p, size_t *cap, size_t bytes, cov_err *err);
/* The same for the pinned host staging buffer. */
cov_status slc_reserve_stage(cov_sparseloco_cuda *s, size_t bytes, cov_err *err);

/* Where n items of size bytes go in a staging buffer: 16-byte aligned,
 * after *used bytes (advanced past them). */
static inline size_t slc_take(size_t *used, size_t n, size_t size)
{
    size_t at = (*used + 15) & ~(size_t)15;
    *used = at + n * size;
    return at;
}

slc_geom slc_geom_of(const cov_sparseloco_geom *g);

/* One tensor to compress: its host output and its device EF and Δ. */
typedef struct {
    cov_sparseloco_tensor *out;
    float *d_ef;
    const float *d_delta;
} slc_compress_job;

/* Checks every job, then compresses them in order, queued in batches with
 * one synchronisation each. Like the CPU's loop it stops at the first
 * tensor whose EF turns non-finite (that EF zeroed, the later tensors not
 * touched); a job that fails the checks fails the call before any runs. */
cov_status slc_compress_jobs(cov_sparseloco_cuda *s, const slc_compress_job *jobs, size_t n,
                             cov_err *err);

/* One tensor's outer step (or the validator's step): θ on the device, its
 * n_peers peers (host, one geometry) with their clip factors, the lr and
 * where its result goes (applied/nonfinite; median_norm is the caller's). */
typedef struct {
    float *d_theta;
    const cov_sparseloco_tensor *const *peers;
    const float *clip;
    float lr;
    cov_sparseloco_tensor_result *res;
} slc_step_job;

/* The peers of one tensor checked: one geometry, data present, at most
 * 65535 of them, chunks that fit a grid and shared memory. */
cov_status slc_check_peers(const cov_sparseloco_tensor *const *peers, size_t n_peers,
                           cov_err *err);
/* slc_check_peers, then the peers' norms' lower median into *median and
 * each peer's clip factor min(1, median/(norm + 1e-8)) into clip[n_peers]. */
cov_status slc_peer_clips(const cov_sparseloco_tensor *const *peers, size_t n_peers, float *clip,
                          float *median, cov_err *err);
/* The clip factor against a given median (the validator's). */
float slc_clip_factor(float median, float norm);

/* Runs the jobs in order, queued in batches with one synchronisation each.
 * A tensor with an index outside its chunk fails the call there (earlier
 * tensors stepped, it and later ones untouched), as the CPU stops. */
cov_status slc_step_jobs(cov_sparseloco_cuda *s, const slc_step_job *jobs, size_t n,
                         size_t n_peers, cov_err *err);

/* The flat position of chunk c's local element l (as cov_sparseloco_pos). */
__device__ __forceinline__ int64_t slc_pos(const slc_geom &g, int64_t c, int l)
{
    int64_t yi = c / g.x, xi = c % g.x;
    int hh = l / g.w, ww = l % g.w;
    return (yi * g.h + hh) * g.stride + xi * g.w + ww;
}

#endif
