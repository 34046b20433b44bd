/* The GPU SparseLoCo object: creation, device workspaces, CUDA errors as
 * cov_status, and the model-level loops over a pgrad's tensors (the same
 * checks as train/pgrad_model.c, with device pointers in the views). */
#include "kernels/sparseloco_cuda_internal.cuh"

#include <stdlib.h>
#include <string.h>

cov_status slc_realloc(void **p, size_t bytes, cov_err *err)
{
    if (*p)
        SLC_CHECK(cudaFree(*p), "cudaFree of a workspace");
    *p = NULL;
    SLC_CHECK(cudaMalloc(p, bytes ? bytes : 1), "cudaMalloc of a workspace");
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
    cudaError_t e = cudaMalloc((void **)&s->d_state, sizeof(slc_state));
    if (e != cudaSuccess) {
        free(s);
        return cov_cuda_fail(err, e, "sparseloco (CUDA): cudaMalloc of the state");
    }
    *out = s;
    return COV_OK;
}

extern "C" void cov_sparseloco_cuda_free(cov_sparseloco_cuda *s)
{
    if (!s)
        return;
    /* cudaFree(NULL) is a no-op; errors here cannot be acted on. */
    cudaFree(s->d_state);
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
    free(s);
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
    for (size_t i = 0; i < pg->n_tensors; i++) {
        cov_sparseloco_tensor *t = &pg->tensors[i];
        cov_status st = view_matches(&d_ef[i], t, "error-feedback", err);
        if (st == COV_OK)
            st = view_matches(&d_delta[i], t, "pseudo-gradient", err);
        if (st == COV_OK)
            st = cov_sparseloco_cuda_compress(s, t, d_ef[i].data, d_delta[i].data, err);
        if (st != COV_OK)
            return st;
    }
    return COV_OK;
}

static void count_result(cov_pgrad_step_result *res, size_t i)
{
    if (res->tensors[i].applied)
        res->n_applied++;
    else
        res->n_skipped++;
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
    const cov_sparseloco_tensor **ts =
        (const cov_sparseloco_tensor **)malloc(n_peers * sizeof *ts);
    if (!ts)
        return cov_fail(err, COV_ERR_NOMEM, "pgrad (CUDA): out of memory");
    cov_status st = COV_OK;
    for (size_t i = 0; i < n_params && st == COV_OK; i++) {
        for (size_t p = 0; p < n_peers; p++)
            ts[p] = &peers[p]->tensors[i];
        st = view_matches(&d_params[i], ts[0], "parameter", err);
        if (st == COV_OK)
            st = cov_sparseloco_cuda_outer_step_tensor(s, d_params[i].data, ts, n_peers, lr,
                                                       &res->tensors[i], err);
        if (st == COV_OK)
            count_result(res, i);
    }
    free(ts);
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
    for (size_t i = 0; i < n_params; i++) {
        cov_status st = view_matches(&d_params[i], &peer->tensors[i], "parameter", err);
        if (st == COV_OK)
            st = cov_sparseloco_cuda_apply_one_tensor(s, d_params[i].data, &peer->tensors[i],
                                                      median_norms[i], lr, eval_lr_factor,
                                                      &res->tensors[i], err);
        if (st != COV_OK)
            return st;
        count_result(res, i);
    }
    return COV_OK;
}
