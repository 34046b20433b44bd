/* A compressed pseudo-gradient as a whole model: the model hash that ties a
 * file to one model, construction, and the model-level compress and steps
 * that run the per-tensor functions of sparseloco.h over every tensor. */
#include "train/pgrad.h"

#include <stdlib.h>
#include <string.h>

static cov_status put(cov_buf *b, const void *p, size_t n, cov_err *err)
{
    return cov_buf_append(b, p, n, err);
}

static cov_status put_le(cov_buf *b, uint64_t v, int bytes, cov_err *err)
{
    uint8_t le[8];
    for (int i = 0; i < bytes; i++)
        le[i] = (uint8_t)(v >> (8 * i));
    return put(b, le, (size_t)bytes, err);
}

static uint32_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

cov_status cov_pgrad_model_hash(uint8_t out[32], const cov_model_config *cfg,
                                const cov_tensor_view *tensors, size_t n_tensors, cov_err *err)
{
    static const char domain[] = "covenant/model/v1";
    cov_buf b;
    cov_buf_init(&b, (size_t)64 << 20);
    cov_status st = put(&b, domain, sizeof domain - 1, err);
    const int ints[] = {cfg->vocab_size, cfg->dim, cfg->n_layers, cfg->n_heads,
                        cfg->n_kv_heads, cfg->ffn_dim, cfg->max_seq_len};
    for (size_t i = 0; st == COV_OK && i < sizeof ints / sizeof ints[0]; i++)
        st = put_le(&b, (uint32_t)ints[i], 4, err);
    if (st == COV_OK)
        st = put_le(&b, f32_bits(cfg->norm_eps), 4, err);
    if (st == COV_OK)
        st = put_le(&b, f32_bits(cfg->rope_theta), 4, err);
    if (st == COV_OK)
        st = put_le(&b, cfg->tie_embeddings ? 1 : 0, 1, err);
    if (st == COV_OK)
        st = put_le(&b, (uint32_t)n_tensors, 4, err);
    for (size_t i = 0; st == COV_OK && i < n_tensors; i++) {
        size_t len = strnlen(tensors[i].name, COV_TENSOR_NAME_MAX);
        st = put_le(&b, len, 2, err);
        if (st == COV_OK)
            st = put(&b, tensors[i].name, len, err);
        if (st == COV_OK)
            st = put_le(&b, (uint64_t)tensors[i].ndim, 1, err);
        for (int d = 0; st == COV_OK && d < tensors[i].ndim && d < 2; d++)
            st = put_le(&b, (uint64_t)tensors[i].shape[d], 8, err);
    }
    if (st == COV_OK)
        cov_blake2b_256(out, b.data, b.len);
    cov_buf_free(&b);
    return st;
}

void cov_pgrad_free(cov_pgrad *pg)
{
    if (!pg)
        return;
    for (size_t i = 0; i < pg->n_tensors; i++)
        cov_sparseloco_tensor_free(&pg->tensors[i]);
    free(pg->tensors);
    free(pg);
}

cov_status cov_pgrad_new(cov_pgrad **out, const uint8_t model_hash[32], uint64_t window,
                         uint16_t uid, const cov_tensor_view *tensors, size_t n_tensors,
                         const cov_sparseloco_config *cfg, cov_err *err)
{
    *out = NULL;
    cov_status st = cov_sparseloco_config_check(cfg, err);
    if (st != COV_OK)
        return st;
    cov_pgrad *pg = calloc(1, sizeof *pg);
    if (!pg || !(pg->tensors = calloc(n_tensors ? n_tensors : 1, sizeof *pg->tensors))) {
        free(pg);
        return cov_fail(err, COV_ERR_NOMEM, "pgrad: out of memory for %zu tensors", n_tensors);
    }
    memcpy(pg->model_hash, model_hash, 32);
    pg->window = window;
    pg->uid = uid;
    pg->use_dct = cfg->use_dct;
    pg->n_bins = cfg->quant_bins;
    for (size_t i = 0; i < n_tensors; i++) {
        cov_sparseloco_geom g;
        st = cov_sparseloco_geom_init(&g, tensors[i].ndim, tensors[i].shape, cfg, err);
        if (st == COV_OK)
            st = cov_sparseloco_tensor_alloc(&pg->tensors[i], tensors[i].name, &g,
                                             cfg->quant_bins, err);
        if (st != COV_OK) {
            cov_err_context(err, "tensor %zu (%.*s)", i, COV_TENSOR_NAME_MAX, tensors[i].name);
            cov_pgrad_free(pg);
            return st;
        }
        pg->n_tensors = i + 1;
    }
    *out = pg;
    return COV_OK;
}

/* A view matches a compressed tensor by name and shape. */
static cov_status view_matches(const cov_tensor_view *v, const cov_sparseloco_tensor *t,
                               const char *what, cov_err *err)
{
    const cov_sparseloco_geom *g = &t->geom;
    int64_t c = v->ndim == 2 ? v->shape[1] : 1;
    if (strncmp(v->name, t->name, COV_TENSOR_NAME_MAX) != 0 || v->ndim != g->ndim ||
        v->shape[0] != g->shape[0] || c != g->shape[1] || !v->data)
        return cov_fail(err, COV_ERR_ARG, "pgrad: the %s view %.*s does not match tensor %s",
                        what, COV_TENSOR_NAME_MAX, v->name, t->name);
    return COV_OK;
}

cov_status cov_pgrad_compress(cov_sparseloco *s, cov_pgrad *pg, const cov_tensor_view *ef,
                              const cov_tensor_view *delta, cov_err *err)
{
    for (size_t i = 0; i < pg->n_tensors; i++) {
        cov_sparseloco_tensor *t = &pg->tensors[i];
        cov_status st = view_matches(&ef[i], t, "error-feedback", err);
        if (st == COV_OK)
            st = view_matches(&delta[i], t, "pseudo-gradient", err);
        if (st == COV_OK)
            st = cov_sparseloco_compress(s, t, ef[i].data, delta[i].data, err);
        if (st != COV_OK)
            return st;
    }
    return COV_OK;
}

/* The i-th tensor of every peer, checked against the parameter view. */
static cov_status gather_tensor(const cov_sparseloco_tensor **out, const cov_pgrad *const *peers,
                                size_t n_peers, size_t i, cov_err *err)
{
    for (size_t p = 0; p < n_peers; p++) {
        if (i >= peers[p]->n_tensors)
            return cov_fail(err, COV_ERR_ARG, "pgrad: peer %zu has %zu tensors; tensor %zu is missing",
                            p, peers[p]->n_tensors, i);
        out[p] = &peers[p]->tensors[i];
    }
    return COV_OK;
}

cov_status cov_pgrad_outer_step(cov_sparseloco *s, const cov_tensor_view *params, size_t n_params,
                                const cov_pgrad *const *peers, size_t n_peers, float lr,
                                cov_pgrad_step_result *res, cov_err *err)
{
    res->n_applied = res->n_skipped = 0;
    if (n_peers == 0)
        return cov_fail(err, COV_ERR_ARG, "pgrad: no peers gathered; there is no outer step to take");
    const cov_sparseloco_tensor **ts = malloc(n_peers * sizeof *ts);
    if (!ts)
        return cov_fail(err, COV_ERR_NOMEM, "pgrad: out of memory");
    cov_status st = COV_OK;
    for (size_t p = 0; p < n_peers && st == COV_OK; p++)
        if (peers[p]->n_tensors != n_params)
            st = cov_fail(err, COV_ERR_ARG, "pgrad: %zu parameters but peer %zu has %zu tensors",
                          n_params, p, peers[p]->n_tensors);
    for (size_t i = 0; i < n_params && st == COV_OK; i++) {
        st = gather_tensor(ts, peers, n_peers, i, err);
        if (st == COV_OK)
            st = view_matches(&params[i], ts[0], "parameter", err);
        if (st == COV_OK)
            st = cov_sparseloco_outer_step_tensor(s, params[i].data, ts, n_peers, lr,
                                                  &res->tensors[i], err);
        if (st == COV_OK) {
            if (res->tensors[i].applied)
                res->n_applied++;
            else
                res->n_skipped++;
        }
    }
    free(ts);
    return st;
}

cov_status cov_pgrad_median_norms(float *out, const cov_pgrad *const *peers, size_t n_peers,
                                  cov_err *err)
{
    if (n_peers == 0)
        return cov_fail(err, COV_ERR_ARG, "pgrad: no peers gathered; no median norms");
    const cov_sparseloco_tensor **ts = malloc(n_peers * sizeof *ts);
    if (!ts)
        return cov_fail(err, COV_ERR_NOMEM, "pgrad: out of memory");
    cov_status st = COV_OK;
    for (size_t i = 0; i < peers[0]->n_tensors && st == COV_OK; i++) {
        st = gather_tensor(ts, peers, n_peers, i, err);
        if (st == COV_OK)
            st = cov_sparseloco_median_norm(&out[i], ts, n_peers, err);
    }
    free(ts);
    return st;
}

cov_status cov_pgrad_apply_one(cov_sparseloco *s, const cov_tensor_view *params, size_t n_params,
                               const cov_pgrad *peer, const float *median_norms, double lr,
                               double eval_lr_factor, cov_pgrad_step_result *res, cov_err *err)
{
    res->n_applied = res->n_skipped = 0;
    if (n_params != peer->n_tensors)
        return cov_fail(err, COV_ERR_ARG, "pgrad: %zu parameters but the peer has %zu tensors",
                        n_params, peer->n_tensors);
    for (size_t i = 0; i < n_params; i++) {
        cov_status st = view_matches(&params[i], &peer->tensors[i], "parameter", err);
        if (st == COV_OK)
            st = cov_sparseloco_apply_one_tensor(s, params[i].data, &peer->tensors[i],
                                                 median_norms[i], lr, eval_lr_factor,
                                                 &res->tensors[i], err);
        if (st != COV_OK)
            return st;
        if (res->tensors[i].applied)
            res->n_applied++;
        else
            res->n_skipped++;
    }
    return COV_OK;
}
