/* The receiver's side of SparseLoCo on the GPU (train/sparseloco_outer.c's
 * semantics): the outer step over gathered peers and the validator's
 * single-peer application, with θ on the device.
 *
 * The peers' norms, their lower median and the clip factors are computed on
 * the host by train/'s functions (a few peers, n_kept values each), so they
 * are the CPU's exactly. The device builds Δ̄ one chunk per block in shared
 * memory: each peer's clipped values (lookup[q] + shift)·clip added in peer
 * order (a peer's indices in a chunk are distinct, so one peer's adds run
 * in parallel without conflicts), then divided by how many peers chose the
 * coordinate. That runs twice: a check pass that only flags a NaN/Inf in Δ̄
 * or an index outside the chunk, and, if nothing was flagged, an apply
 * pass that rebuilds the same Δ̄ and takes θ ← θ − lr·Δ̄. Rebuilding costs
 * shared-memory work only; a stored Δ̄ would cost a dense write and read.
 * θ is left exactly as it was when the check flags anything, as on the CPU.
 *
 * Peers must hold strictly ascending (so distinct) indices per chunk, as
 * cov_pgrad_decode checks and the compressors produce; duplicates would
 * race (the result is then unspecified, memory stays safe).
 *
 * NOT RUN ON HARDWARE: compiled only; see kernels/sparseloco_cuda.h. */
#include "kernels/sparseloco_cuda_internal.cuh"

#include <stdlib.h>
#include <string.h>

template <bool APPLY>
__global__ void __launch_bounds__(SLC_THREADS)
slc_scatter_mean_kernel(float *theta, const uint16_t *peer_idx, const uint8_t *peer_codes,
                        const float *table, int n_peers, slc_geom g, float lr, slc_state *st)
{
    __shared__ float sum[COV_SPARSELOCO_MAX_CHUNK_LEN];
    __shared__ unsigned count[COV_SPARSELOCO_MAX_CHUNK_LEN];
    if (APPLY && st->flags)
        return; /* the check pass found something: θ stays as it was */
    const int tid = threadIdx.x, L = g.chunk_len, k = g.k;
    const int64_t c = blockIdx.x;
    for (int l = tid; l < L; l += SLC_THREADS) {
        sum[l] = 0.0f;
        count[l] = 0;
    }
    __syncthreads();
    bool bad_index = false;
    for (int p = 0; p < n_peers; p++) {
        const float *t = table + (size_t)p * SLC_PEER_TABLE;
        const float shift = t[0], clip = t[1];
        const size_t first = (size_t)p * (size_t)g.n_kept + (size_t)(c * k);
        for (int j = tid; j < k; j += SLC_THREADS) {
            unsigned l = peer_idx[first + j];
            if (l >= (unsigned)L) {
                bad_index = true;
                continue;
            }
            float v = __fmul_rn(__fadd_rn(t[2 + peer_codes[first + j]], shift), clip);
            sum[l] = __fadd_rn(sum[l], v);
            count[l]++;
        }
        __syncthreads(); /* peer p's adds land before peer p + 1's */
    }
    bool nonfinite = false;
    for (int l = tid; l < L; l += SLC_THREADS) {
        float m = sum[l];
        if (count[l])
            m = __fdiv_rn(m, (float)count[l]);
        if (APPLY) {
            int64_t p = slc_pos(g, c, l);
            theta[p] = __fsub_rn(theta[p], __fmul_rn(lr, m));
        } else {
            nonfinite |= !isfinite(m);
        }
    }
    if (!APPLY && bad_index)
        atomicOr(&st->flags, SLC_FLAG_BAD_INDEX);
    if (!APPLY && nonfinite)
        atomicOr(&st->flags, SLC_FLAG_NONFINITE);
}

static cov_status same_geometry(const cov_sparseloco_tensor *const *peers, size_t n_peers,
                                cov_err *err)
{
    if (n_peers == 0 || !peers)
        return cov_fail(err, COV_ERR_ARG, "sparseloco (CUDA): no peers to aggregate");
    if (n_peers > 65535)
        return cov_fail(err, COV_ERR_ARG,
                        "sparseloco (CUDA): %zu peers; at most 65535 are aggregated", n_peers);
    const cov_sparseloco_geom *a = &peers[0]->geom;
    for (size_t p = 0; p < n_peers; p++) {
        const cov_sparseloco_geom *b = &peers[p]->geom;
        if (!peers[p]->idx || !peers[p]->codes)
            return cov_fail(err, COV_ERR_ARG, "sparseloco (CUDA): peer %zu has no data", p);
        if (b->ndim != a->ndim || b->shape[0] != a->shape[0] || b->shape[1] != a->shape[1] ||
            b->h != a->h || b->w != a->w || b->k != a->k)
            return cov_fail(err, COV_ERR_ARG,
                            "sparseloco (CUDA): peers disagree on tensor %s's geometry (peer %zu)",
                            peers[0]->name, p);
    }
    if (a->n_chunks > 0x7FFFFFFF)
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "sparseloco (CUDA): tensor %s has %lld chunks; at most 2^31 − 1 fit a grid",
                        peers[0]->name, (long long)a->n_chunks);
    return COV_OK;
}

/* min(1, m / (n + 1e-8)) in float, as the CPU's clip_factor. */
static float clip_factor(float median, float norm)
{
    float f = median / (norm + 1e-8f);
    return f > 1.0f ? 1.0f : f;
}

static cov_status reserve_peers(cov_sparseloco_cuda *s, size_t n_peers, size_t n_kept,
                                cov_err *err)
{
    cov_status st = COV_OK;
    size_t kept = n_peers * n_kept, table = n_peers * SLC_PEER_TABLE;
    if (kept > s->peer_kept_cap) {
        s->peer_kept_cap = 0;
        st = slc_realloc((void **)&s->d_peer_idx, kept * sizeof(uint16_t), err);
        if (st == COV_OK)
            st = slc_realloc((void **)&s->d_peer_codes, kept, err);
        if (st == COV_OK)
            s->peer_kept_cap = kept;
    }
    if (st == COV_OK && table > s->peer_table_cap) {
        s->peer_table_cap = 0;
        st = slc_realloc((void **)&s->d_peer_table, table * sizeof(float), err);
        if (st == COV_OK)
            s->peer_table_cap = table;
    }
    return st;
}

/* Uploads the peers and runs the check and apply passes. */
static cov_status upload_and_step(cov_sparseloco_cuda *s, float *d_theta,
                                  const cov_sparseloco_tensor *const *peers, const float *clip,
                                  float *table, size_t n_peers, float lr,
                                  cov_sparseloco_tensor_result *res, cov_err *err)
{
    const cov_sparseloco_geom *g = &peers[0]->geom;
    const size_t n_kept = g->n_kept;
    cov_status st = reserve_peers(s, n_peers, n_kept, err);
    if (st != COV_OK)
        return st;
    cudaStream_t q = s->stream;
    for (size_t p = 0; p < n_peers; p++) {
        float *t = table + p * SLC_PEER_TABLE;
        t[0] = peers[p]->shift;
        t[1] = clip[p];
        memcpy(t + 2, peers[p]->lookup, sizeof peers[p]->lookup);
        SLC_CHECK(cudaMemcpyAsync(s->d_peer_idx + p * n_kept, peers[p]->idx,
                                  n_kept * sizeof(uint16_t), cudaMemcpyHostToDevice, q),
                  "uploading a peer's indices");
        SLC_CHECK(cudaMemcpyAsync(s->d_peer_codes + p * n_kept, peers[p]->codes, n_kept,
                                  cudaMemcpyHostToDevice, q),
                  "uploading a peer's codes");
    }
    SLC_CHECK(cudaMemcpyAsync(s->d_peer_table, table, n_peers * SLC_PEER_TABLE * sizeof(float),
                              cudaMemcpyHostToDevice, q),
              "uploading the peers' lookup tables");
    SLC_CHECK(cudaMemsetAsync(s->d_state, 0, sizeof(slc_state), q), "clearing the state");
    const slc_geom kg = slc_geom_of(g);
    const unsigned blocks = (unsigned)g->n_chunks;
    slc_scatter_mean_kernel<false><<<blocks, SLC_THREADS, 0, q>>>(
        d_theta, s->d_peer_idx, s->d_peer_codes, s->d_peer_table, (int)n_peers, kg, lr,
        s->d_state);
    SLC_CHECK(cudaGetLastError(), "launching the outer step's check pass");
    slc_scatter_mean_kernel<true><<<blocks, SLC_THREADS, 0, q>>>(
        d_theta, s->d_peer_idx, s->d_peer_codes, s->d_peer_table, (int)n_peers, kg, lr,
        s->d_state);
    SLC_CHECK(cudaGetLastError(), "launching the outer step's apply pass");
    unsigned flags = 0;
    SLC_CHECK(cudaMemcpyAsync(&flags, &s->d_state->flags, sizeof flags, cudaMemcpyDeviceToHost, q),
              "copying the outer step's flags back");
    SLC_CHECK(cudaStreamSynchronize(q), "running the outer step");
    if (flags & SLC_FLAG_BAD_INDEX)
        return cov_fail(err, COV_ERR_ARG,
                        "sparseloco (CUDA): a peer of tensor %s has an index outside its chunk "
                        "(decode peers with cov_pgrad_decode, which refuses those); θ is unchanged",
                        peers[0]->name);
    res->applied = !(flags & SLC_FLAG_NONFINITE);
    res->nonfinite = !res->applied;
    return COV_OK;
}

/* The host-side tables, then the device passes. */
static cov_status step(cov_sparseloco_cuda *s, float *d_theta,
                       const cov_sparseloco_tensor *const *peers, const float *clip,
                       size_t n_peers, float lr, cov_sparseloco_tensor_result *res, cov_err *err)
{
    float *table = (float *)malloc(n_peers * SLC_PEER_TABLE * sizeof(float));
    if (!table)
        return cov_fail(err, COV_ERR_NOMEM, "sparseloco (CUDA): out of memory");
    cov_status st = upload_and_step(s, d_theta, peers, clip, table, n_peers, lr, res, err);
    free(table);
    return st;
}

extern "C" cov_status cov_sparseloco_cuda_outer_step_tensor(
    cov_sparseloco_cuda *s, float *d_theta, const cov_sparseloco_tensor *const *peers,
    size_t n_peers, float lr, cov_sparseloco_tensor_result *res, cov_err *err)
{
    memset(res, 0, sizeof *res);
    cov_status st = same_geometry(peers, n_peers, err);
    if (st != COV_OK)
        return st;
    if (!d_theta)
        return cov_fail(err, COV_ERR_ARG, "sparseloco (CUDA): no parameters to update");
    float *norms = (float *)malloc(3 * n_peers * sizeof *norms);
    if (!norms)
        return cov_fail(err, COV_ERR_NOMEM, "sparseloco (CUDA): out of memory");
    float *clip = norms + n_peers, *scratch = norms + 2 * n_peers;
    for (size_t p = 0; p < n_peers; p++)
        norms[p] = cov_sparseloco_norm(peers[p]);
    float m = cov_sparseloco_lower_median(norms, scratch, n_peers);
    for (size_t p = 0; p < n_peers; p++)
        clip[p] = clip_factor(m, norms[p]);
    res->median_norm = m;
    st = step(s, d_theta, peers, clip, n_peers, lr, res, err);
    free(norms);
    return st;
}

extern "C" cov_status cov_sparseloco_cuda_apply_one_tensor(cov_sparseloco_cuda *s, float *d_theta,
                                                           const cov_sparseloco_tensor *peer,
                                                           float median_norm, double lr,
                                                           double eval_lr_factor,
                                                           cov_sparseloco_tensor_result *res,
                                                           cov_err *err)
{
    memset(res, 0, sizeof *res);
    if (!peer || !peer->idx)
        return cov_fail(err, COV_ERR_ARG, "sparseloco (CUDA): no peer update to apply");
    const cov_sparseloco_tensor *peers[1] = {peer};
    cov_status st = same_geometry(peers, 1, err);
    if (st != COV_OK)
        return st;
    if (!d_theta)
        return cov_fail(err, COV_ERR_ARG, "sparseloco (CUDA): no parameters to update");
    float clip = clip_factor(median_norm, cov_sparseloco_norm(peer));
    res->median_norm = median_norm;
    return step(s, d_theta, peers, &clip, 1, (float)(lr * eval_lr_factor), res, err);
}
