/* The GPU SparseLoCo object: creation, device workspaces, CUDA errors as
 * cov_status, and the model-level loops over a pgrad's tensors (the same
 * checks as train/pgrad_model.c, with device pointers in the views). */
#include "kernels/sparseloco_cuda_internal.cuh"

#include <stdlib.h>
#include <string.h>

cov_status slc_reserve(void **p, size_t *cap, size_t bytes, cov_err *err)
{
    if (bytes <= *cap && *p)
        return COV_OK;
    if (*p)
        SLC_CHECK(cudaFree(*p), "cudaFree of a workspace");
    *p = NULL;
    *cap = 0;
    SLC_CHECK(cudaMalloc(p, bytes ? bytes : 1), "cudaMalloc of a workspace");
    *cap = bytes;
    return COV_OK;
}

cov_status slc_reserve_stage(cov_sparseloco_cuda *s, size_t bytes, cov_err *err)
{
    if (bytes <= s->stage_cap && s->h_stage)
        return COV_OK;
    if (s->h_stage)
        SLC_CHECK(cudaFreeHost(s->h_stage), "cudaFreeHost of the staging buffer");
    s->h_stage = NULL;
    s->stage_cap = 0;
    SLC_CHECK(cudaMallocHost((void **)&s->h_stage, bytes ? bytes : 1),
              "cudaMallocHost of the staging buffer");
    s->stage_cap = bytes;
    return COV_OK;
}

slc_geom slc_geom_of(const cov_sparseloco_geom *g)
{
    slc_geom s;
    s.x = g->x;
    s.stride = g->stride;
    s.n_chunks = g->n_chunks;
    s.h = g->h;
    s.w = g->w;
    s.chunk_len = g->chunk_len;
    s.k = g->k;
    s.n_kept = (int64_t)g->n_kept;
    return s;
}

extern "C" cov_status cov_sparseloco_cuda_new(cov_sparseloco_cuda **out,
                                              const cov_sparseloco_config *cfg,
                                              cov_cuda_ctx *ctx, cov_err *err)
{
    *out = NULL;
    cov_status st = cov_sparseloco_config_check(cfg, err);
    if (st != COV_OK)
        return st;
    if (cfg->use_dct)
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "sparseloco (CUDA): the DCT variant is not implemented on the GPU; "
                        "use the CPU compressor (train/sparseloco.h) or turn use_dct off");
    if (!ctx)
        return cov_fail(err, COV_ERR_ARG, "sparseloco (CUDA): no CUDA context given");
    cov_sparseloco_cuda *s = (cov_sparseloco_cuda *)calloc(1, sizeof *s);
    if (!s)
        return cov_fail(err, COV_ERR_NOMEM, "sparseloco (CUDA): out of memory");
    s->cfg = *cfg;
    s->stream = ctx->stream;
    cudaError_t e = cudaMalloc((void **)&s->d_abort, sizeof *s->d_abort);
    if (e != cudaSuccess) {
        free(s);
        return cov_cuda_fail(err, e, "sparseloco (CUDA): cudaMalloc of a flag");
    }
    *out = s;
    return COV_OK;
}

extern "C" void cov_sparseloco_cuda_free(cov_sparseloco_cuda *s)
{
    if (!s)
        return;
    /* cudaFree(NULL) is a no-op; errors here cannot be acted on. */
    cudaFree(s->d_abort);
    cudaFree(s->d_states);
    cudaFree(s->d_idx);
    cudaFree(s->d_vals);
    cudaFree(s->d_codes);
    cudaFree(s->d_packed);
    cudaFree(s->d_partial);
    cudaFree(s->d_bin_sum);
    cudaFree(s->d_bin_count);
    cudaFree(s->d_peer_idx);
    cudaFree(s->d_peer_codes);
    cudaFree(s->d_peer_table);
    cudaFreeHost(s->h_stage);
    free(s);
}

extern "C" cov_status cov_sparseloco_cuda_poison(cov_sparseloco_cuda *s, cov_err *err)
{
    struct {
        void *p;
        size_t bytes;
    } bufs[] = {
        {s->d_states, s->states_cap},       {s->d_idx, s->idx_cap},
        {s->d_vals, s->vals_cap},           {s->d_codes, s->codes_cap},
        {s->d_packed, s->packed_cap},       {s->d_partial, s->partial_cap},
        {s->d_bin_sum, s->bin_sum_cap},     {s->d_bin_count, s->bin_count_cap},
        {s->d_peer_idx, s->peer_idx_cap},   {s->d_peer_codes, s->peer_codes_cap},
        {s->d_peer_table, s->peer_table_cap},
    };
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        if (bufs[i].p && bufs[i].bytes)
            SLC_CHECK(cudaMemsetAsync(bufs[i].p, 0xFF, bufs[i].bytes, s->stream),
                      "poisoning a workspace");
    if (s->h_stage)
        memset(s->h_stage, 0xFF, s->stage_cap);
    SLC_CHECK(cudaStreamSynchronize(s->stream), "poisoning the workspaces");
    return COV_OK;
}

/* ------------------------------------------------------- model level */

/* A view matches a compressed tensor by name and shape (pgrad_model.c). */
static cov_status view_matches(const cov_tensor_view *v, const cov_sparseloco_tensor *t,
                               const char *what, cov_err *err)
{
    const cov_sparseloco_geom *g = &t->geom;
    int64_t c = v->ndim == 2 ? v->shape[1] : 1;
    if (strncmp(v->name, t->name, COV_TENSOR_NAME_MAX) != 0 || v->ndim != g->ndim ||
        v->shape[0] != g->shape[0] || c != g->shape[1] || !v->data)
        return cov_fail(err, COV_ERR_ARG,
                        "pgrad (CUDA): the %s view %.*s does not match tensor %s", what,
                        COV_TENSOR_NAME_MAX, v->name, t->name);
    return COV_OK;
}

extern "C" cov_status cov_pgrad_cuda_compress(cov_sparseloco_cuda *s, cov_pgrad *pg,
                                              const cov_tensor_view *d_ef,
                                              const cov_tensor_view *d_delta, cov_err *err)
{
    slc_compress_job *jobs =
        (slc_compress_job *)malloc((pg->n_tensors ? pg->n_tensors : 1) * sizeof *jobs);
    if (!jobs)
        return cov_fail(err, COV_ERR_NOMEM, "pgrad (CUDA): out of memory");
    cov_status st = COV_OK;
    for (size_t i = 0; i < pg->n_tensors && st == COV_OK; i++) {
        cov_sparseloco_tensor *t = &pg->tensors[i];
        st = view_matches(&d_ef[i], t, "error-feedback", err);
        if (st == COV_OK)
            st = view_matches(&d_delta[i], t, "pseudo-gradient", err);
        jobs[i].out = t;
        jobs[i].d_ef = d_ef[i].data;
        jobs[i].d_delta = d_delta[i].data;
    }
    if (st == COV_OK)
        st = slc_compress_jobs(s, jobs, pg->n_tensors, err);
    free(jobs);
    return st;
}

/* Counts the applied and skipped tensors of res->tensors[0..n). */
static void count_results(cov_pgrad_step_result *res, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (res->tensors[i].applied)
            res->n_applied++;
        else
            res->n_skipped++;
    }
}

/* The jobs of a model-level step, with room for n_peers peers and clip
 * factors per tensor. */
typedef struct {
    slc_step_job *jobs;
    const cov_sparseloco_tensor **peers; /* [n_params][n_peers] */
    float *clip;                         /* [n_params][n_peers] */
} step_plan;

static cov_status plan_new(step_plan *pl, size_t n_params, size_t n_peers, cov_err *err)
{
    size_t n = (n_params ? n_params : 1) * n_peers;
    /* zeroed: gcc -O3 cannot see that every job is filled before use */
    pl->jobs = (slc_step_job *)calloc(n_params ? n_params : 1, sizeof *pl->jobs);
    pl->peers = (const cov_sparseloco_tensor **)calloc(n, sizeof *pl->peers);
    pl->clip = (float *)calloc(n, sizeof *pl->clip);
    if (!pl->jobs || !pl->peers || !pl->clip)
        return cov_fail(err, COV_ERR_NOMEM, "pgrad (CUDA): out of memory");
    return COV_OK;
}

static void plan_free(step_plan *pl)
{
    free(pl->jobs);
    free(pl->peers);
    free(pl->clip);
}

extern "C" cov_status cov_pgrad_cuda_outer_step(cov_sparseloco_cuda *s,
                                                const cov_tensor_view *d_params, size_t n_params,
                                                const cov_pgrad *const *peers, size_t n_peers,
                                                float lr, cov_pgrad_step_result *res,
                                                cov_err *err)
{
    res->n_applied = res->n_skipped = 0;
    if (n_peers == 0)
        return cov_fail(err, COV_ERR_ARG,
                        "pgrad (CUDA): no peers gathered; there is no outer step to take");
    for (size_t p = 0; p < n_peers; p++)
        if (peers[p]->n_tensors != n_params)
            return cov_fail(err, COV_ERR_ARG,
                            "pgrad (CUDA): %zu parameters but peer %zu has %zu tensors",
                            n_params, p, peers[p]->n_tensors);
    step_plan pl;
    cov_status st = plan_new(&pl, n_params, n_peers, err);
    for (size_t i = 0; i < n_params && st == COV_OK; i++) {
        const cov_sparseloco_tensor **ts = pl.peers + i * n_peers;
        for (size_t p = 0; p < n_peers; p++)
            ts[p] = &peers[p]->tensors[i];
        memset(&res->tensors[i], 0, sizeof res->tensors[i]);
        st = view_matches(&d_params[i], ts[0], "parameter", err);
        if (st == COV_OK)
            st = slc_peer_clips(ts, n_peers, pl.clip + i * n_peers,
                                &res->tensors[i].median_norm, err);
        slc_step_job job = {d_params[i].data, ts, pl.clip + i * n_peers, lr, &res->tensors[i]};
        pl.jobs[i] = job;
    }
    if (st == COV_OK)
        st = slc_step_jobs(s, pl.jobs, n_params, n_peers, err);
    if (st == COV_OK)
        count_results(res, n_params);
    plan_free(&pl);
    return st;
}

extern "C" cov_status cov_pgrad_cuda_apply_one(cov_sparseloco_cuda *s,
                                               const cov_tensor_view *d_params, size_t n_params,
                                               const cov_pgrad *peer, const float *median_norms,
                                               double lr, double eval_lr_factor,
                                               cov_pgrad_step_result *res, cov_err *err)
{
    res->n_applied = res->n_skipped = 0;
    if (n_params != peer->n_tensors)
        return cov_fail(err, COV_ERR_ARG,
                        "pgrad (CUDA): %zu parameters but the peer has %zu tensors", n_params,
                        peer->n_tensors);
    step_plan pl;
    cov_status st = plan_new(&pl, n_params, 1, err);
    for (size_t i = 0; i < n_params && st == COV_OK; i++) {
        const cov_sparseloco_tensor *t = &peer->tensors[i];
        memset(&res->tensors[i], 0, sizeof res->tensors[i]);
        pl.peers[i] = t;
        st = view_matches(&d_params[i], t, "parameter", err);
        if (st == COV_OK)
            st = slc_check_peers(pl.peers + i, 1, err);
        pl.clip[i] = st == COV_OK ? slc_clip_factor(median_norms[i], cov_sparseloco_norm(t)) : 0;
        res->tensors[i].median_norm = median_norms[i];
        slc_step_job job = {d_params[i].data, pl.peers + i, pl.clip + i,
                            (float)(lr * eval_lr_factor), &res->tensors[i]};
        pl.jobs[i] = job;
    }
    if (st == COV_OK)
        st = slc_step_jobs(s, pl.jobs, n_params, 1, err);
    if (st == COV_OK)
        count_results(res, n_params);
    plan_free(&pl);
    return st;
}
