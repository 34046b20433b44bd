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
                        const float *table, int n_peers, slc_geom g, float lr, slc_state *st,
                        unsigned *abort_flag)
{
    __shared__ float sum[COV_SPARSELOCO_MAX_CHUNK_LEN];
    __shared__ unsigned count[COV_SPARSELOCO_MAX_CHUNK_LEN];
    if (APPLY && st->flags) {
        /* the check pass found something: θ stays as it was; after a bad
         * index the batch's later tensors stay too (the CPU stops there).
         * Only later kernels read the flag, so all blocks of one agree. */
        if ((st->flags & SLC_FLAG_BAD_INDEX) && blockIdx.x == 0 && threadIdx.x == 0)
            *abort_flag = 1u;
        return;
    }
    if (APPLY && *abort_flag)
        return;
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

cov_status slc_check_peers(const cov_sparseloco_tensor *const *peers, size_t n_peers,
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
            b->h != a->h || b->w != a->w || b->k != a->k || b->n_kept != a->n_kept)
            return cov_fail(err, COV_ERR_ARG,
                            "sparseloco (CUDA): peers disagree on tensor %s's geometry (peer %zu)",
                            peers[0]->name, p);
    }
    if (a->n_chunks > 0x7FFFFFFF || a->chunk_len > COV_SPARSELOCO_MAX_CHUNK_LEN)
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "sparseloco (CUDA): tensor %s has %lld chunks of %d; at most 2^31 − 1 "
                        "chunks of at most %d fit", peers[0]->name, (long long)a->n_chunks,
                        a->chunk_len, COV_SPARSELOCO_MAX_CHUNK_LEN);
    return COV_OK;
}

float slc_clip_factor(float median, float norm)
{
    /* min(1, m / (n + 1e-8)) in float, as the CPU's clip_factor; NaN stays */
    float f = median / (norm + 1e-8f);
    return f > 1.0f ? 1.0f : f;
}

cov_status slc_peer_clips(const cov_sparseloco_tensor *const *peers, size_t n_peers, float *clip,
                          float *median, cov_err *err)
{
    cov_status st = slc_check_peers(peers, n_peers, err);
    if (st != COV_OK)
        return st;
    float *norms = (float *)malloc(2 * n_peers * sizeof *norms);
    if (!norms)
        return cov_fail(err, COV_ERR_NOMEM, "sparseloco (CUDA): out of memory");
    for (size_t p = 0; p < n_peers; p++)
        norms[p] = cov_sparseloco_norm(peers[p]);
    float m = cov_sparseloco_lower_median(norms, norms + n_peers, n_peers);
    for (size_t p = 0; p < n_peers; p++)
        clip[p] = slc_clip_factor(m, norms[p]);
    *median = m;
    free(norms);
    return COV_OK;
}

/* Workspaces and the staged upload (indices, codes, tables) of a batch;
 * *states: where in the staging buffer the batch's states come back. */
static cov_status stage_batch(cov_sparseloco_cuda *s, const slc_step_job *jobs, size_t n,
                              size_t n_peers, slc_state **states, cov_err *err)
{
    size_t values = 0, used = 0;
    for (size_t i = 0; i < n; i++)
        values += n_peers * jobs[i].peers[0]->geom.n_kept;
    const size_t tables = n * n_peers * SLC_PEER_TABLE;
    const size_t at_idx = slc_take(&used, values, sizeof(uint16_t));
    const size_t at_codes = slc_take(&used, values, 1);
    const size_t at_table = slc_take(&used, tables, sizeof(float));
    const size_t at_states = slc_take(&used, n, sizeof(slc_state));
    cov_status st = slc_reserve((void **)&s->d_peer_idx, &s->peer_idx_cap,
                                values * sizeof(uint16_t), err);
    if (st == COV_OK)
        st = slc_reserve((void **)&s->d_peer_codes, &s->peer_codes_cap, values, err);
    if (st == COV_OK)
        st = slc_reserve((void **)&s->d_peer_table, &s->peer_table_cap, tables * sizeof(float),
                         err);
    if (st == COV_OK)
        st = slc_reserve((void **)&s->d_states, &s->states_cap, n * sizeof(slc_state), err);
    if (st == COV_OK)
        st = slc_reserve_stage(s, used, err);
    if (st != COV_OK)
        return st;
    uint16_t *idx = (uint16_t *)(s->h_stage + at_idx);
    uint8_t *codes = s->h_stage + at_codes;
    float *table = (float *)(s->h_stage + at_table);
    for (size_t i = 0; i < n; i++)
        for (size_t p = 0; p < n_peers; p++) {
            const cov_sparseloco_tensor *t = jobs[i].peers[p];
            const size_t kept = t->geom.n_kept;
            memcpy(idx, t->idx, kept * sizeof *idx);
            memcpy(codes, t->codes, kept);
            idx += kept;
            codes += kept;
            table[0] = t->shift;
            table[1] = jobs[i].clip[p];
            memcpy(table + 2, t->lookup, sizeof t->lookup);
            table += SLC_PEER_TABLE;
        }
    cudaStream_t q = s->stream;
    SLC_CHECK(cudaMemcpyAsync(s->d_peer_idx, s->h_stage + at_idx, values * sizeof(uint16_t),
                              cudaMemcpyHostToDevice, q), "uploading the peers' indices");
    SLC_CHECK(cudaMemcpyAsync(s->d_peer_codes, s->h_stage + at_codes, values,
                              cudaMemcpyHostToDevice, q), "uploading the peers' codes");
    SLC_CHECK(cudaMemcpyAsync(s->d_peer_table, s->h_stage + at_table, tables * sizeof(float),
                              cudaMemcpyHostToDevice, q), "uploading the peers' lookup tables");
    *states = (slc_state *)(s->h_stage + at_states);
    return COV_OK;
}

/* Queues, runs and collects one batch. */
static cov_status step_batch(cov_sparseloco_cuda *s, const slc_step_job *jobs, size_t n,
                             size_t n_peers, cov_err *err)
{
    slc_state *states = NULL;
    cov_status st = stage_batch(s, jobs, n, n_peers, &states, err);
    if (st != COV_OK)
        return st;
    cudaStream_t q = s->stream;
    SLC_CHECK(cudaMemsetAsync(s->d_states, 0, n * sizeof(slc_state), q), "clearing the states");
    SLC_CHECK(cudaMemsetAsync(s->d_abort, 0, sizeof *s->d_abort, q), "clearing a flag");
    size_t values_at = 0;
    for (size_t i = 0; i < n; i++) {
        const cov_sparseloco_geom *g = &jobs[i].peers[0]->geom;
        const slc_geom kg = slc_geom_of(g);
        const unsigned blocks = (unsigned)g->n_chunks;
        const uint16_t *idx = s->d_peer_idx + values_at;
        const uint8_t *codes = s->d_peer_codes + values_at;
        const float *table = s->d_peer_table + i * n_peers * SLC_PEER_TABLE;
        slc_scatter_mean_kernel<false><<<blocks, SLC_THREADS, 0, q>>>(
            jobs[i].d_theta, idx, codes, table, (int)n_peers, kg, jobs[i].lr, s->d_states + i,
            s->d_abort);
        SLC_CHECK(cudaGetLastError(), "launching the outer step's check pass");
        slc_scatter_mean_kernel<true><<<blocks, SLC_THREADS, 0, q>>>(
            jobs[i].d_theta, idx, codes, table, (int)n_peers, kg, jobs[i].lr, s->d_states + i,
            s->d_abort);
        SLC_CHECK(cudaGetLastError(), "launching the outer step's apply pass");
        values_at += n_peers * g->n_kept;
    }
    SLC_CHECK(cudaMemcpyAsync(states, s->d_states, n * sizeof(slc_state), cudaMemcpyDeviceToHost,
                              q), "copying the outer step's flags back");
    SLC_CHECK(cudaStreamSynchronize(q), "running the outer step");
    for (size_t i = 0; i < n; i++) {
        const unsigned flags = states[i].flags;
        if (flags & SLC_FLAG_BAD_INDEX)
            return cov_fail(err, COV_ERR_ARG,
                            "sparseloco (CUDA): a peer of tensor %s has an index outside its "
                            "chunk (decode peers with cov_pgrad_decode, which refuses those); "
                            "this tensor and the later ones are unchanged",
                            jobs[i].peers[0]->name);
        jobs[i].res->applied = !(flags & SLC_FLAG_NONFINITE);
        jobs[i].res->nonfinite = !jobs[i].res->applied;
    }
    return COV_OK;
}

cov_status slc_step_jobs(cov_sparseloco_cuda *s, const slc_step_job *jobs, size_t n,
                         size_t n_peers, cov_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (!jobs[i].d_theta)
            return cov_fail(err, COV_ERR_ARG, "sparseloco (CUDA): no parameters to update");
    for (size_t first = 0; first < n;) {
        size_t end = first + 1, values = n_peers * jobs[first].peers[0]->geom.n_kept;
        while (end < n && values + n_peers * jobs[end].peers[0]->geom.n_kept <= SLC_BATCH_VALUES)
            values += n_peers * jobs[end++].peers[0]->geom.n_kept;
        cov_status st = step_batch(s, jobs + first, end - first, n_peers, err);
        if (st != COV_OK)
            return st;
        first = end;
    }
    return COV_OK;
}

extern "C" cov_status cov_sparseloco_cuda_outer_step_tensor(
    cov_sparseloco_cuda *s, float *d_theta, const cov_sparseloco_tensor *const *peers,
    size_t n_peers, float lr, cov_sparseloco_tensor_result *res, cov_err *err)
{
    memset(res, 0, sizeof *res);
    float *clip = (float *)malloc((n_peers ? n_peers : 1) * sizeof *clip);
    if (!clip)
        return cov_fail(err, COV_ERR_NOMEM, "sparseloco (CUDA): out of memory");
    cov_status st = slc_peer_clips(peers, n_peers, clip, &res->median_norm, err);
    if (st == COV_OK) {
        const slc_step_job job = {d_theta, peers, clip, lr, res};
        st = slc_step_jobs(s, &job, 1, n_peers, err);
    }
    free(clip);
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
    cov_status st = slc_check_peers(peers, 1, err);
    if (st != COV_OK)
        return st;
    const float clip = slc_clip_factor(median_norm, cov_sparseloco_norm(peer));
    res->median_norm = median_norm;
    const slc_step_job job = {d_theta, peers, &clip, (float)(lr * eval_lr_factor), res};
    return slc_step_jobs(s, &job, 1, 1, err);
}
