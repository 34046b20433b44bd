/* cov_model: allocation, the named tensor views, deterministic init. The
 * forward and backward are in model_step.c. */
#include "train/model_internal.h"
#include "train/ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends a view named name (a layer's when layer >= 0) at *offset floats
 * into buf and returns its data. */
static float *add_view(cov_tensor_view *views, size_t *count, size_t *offset, float *buf,
                       int64_t rows, int64_t cols, const char *name, int layer)
{
    cov_tensor_view *v = &views[(*count)++];
    memset(v, 0, sizeof *v);
    if (layer >= 0) /* name is the part after "model.layers.{layer}." */
        snprintf(v->name, sizeof v->name, "model.layers.%d.%s", layer, name);
    else
        snprintf(v->name, sizeof v->name, "%s", name);
    v->ndim = cols ? 2 : 1;
    v->shape[0] = rows;
    v->shape[1] = cols;
    v->numel = (size_t)rows * (size_t)(cols ? cols : 1);
    v->data = buf ? buf + *offset : NULL;
    *offset += v->numel;
    return v->data;
}

/* Lays out every tensor over buf (NULL: only counts) and fills the layer
 * and outer pointers when they are given. Returns the total floats. */
static size_t layout(const cov_model_config *c, float *buf, cov_tensor_view *views,
                     size_t *count, cov_layer_weights *lw, cov_outer_weights *ow)
{
    int64_t d = c->dim, kv = (int64_t)(c->dim / c->n_heads) * c->n_kv_heads, f = c->ffn_dim;
    size_t off = 0;
    *count = 0;
    float *embed = add_view(views, count, &off, buf, c->vocab_size, d,
                            "model.embed_tokens.weight", -1);
    for (int i = 0; i < c->n_layers; i++) {
        cov_layer_weights w;
        w.input_norm = add_view(views, count, &off, buf, d, 0,
                                "input_layernorm.weight", i);
        w.wq = add_view(views, count, &off, buf, d, d, "self_attn.q_proj.weight", i);
        w.wk = add_view(views, count, &off, buf, kv, d, "self_attn.k_proj.weight", i);
        w.wv = add_view(views, count, &off, buf, kv, d, "self_attn.v_proj.weight", i);
        w.wo = add_view(views, count, &off, buf, d, d, "self_attn.o_proj.weight", i);
        w.post_norm = add_view(views, count, &off, buf, d, 0,
                               "post_attention_layernorm.weight", i);
        w.wg = add_view(views, count, &off, buf, f, d, "mlp.gate_proj.weight", i);
        w.wu = add_view(views, count, &off, buf, f, d, "mlp.up_proj.weight", i);
        w.wd = add_view(views, count, &off, buf, d, f, "mlp.down_proj.weight", i);
        if (lw)
            lw[i] = w;
    }
    float *norm = add_view(views, count, &off, buf, d, 0, "model.norm.weight", -1);
    float *head = embed;
    if (!c->tie_embeddings)
        head = add_view(views, count, &off, buf, c->vocab_size, d, "lm_head.weight", -1);
    if (ow) {
        ow->embed = embed;
        ow->final_norm = norm;
        ow->lm_head = head;
    }
    return off;
}

/* Carves n floats off the activation block. */
static float *carve(float **cursor, size_t n)
{
    float *p = *cursor;
    *cursor += n;
    return p;
}

static size_t activation_floats(const cov_model_config *c, size_t N, size_t lse_n,
                                int max_seq)
{
    size_t d = (size_t)c->dim, kv = (size_t)(c->dim / c->n_heads) * c->n_kv_heads;
    size_t f = (size_t)c->ffn_dim, V = (size_t)c->vocab_size;
    size_t layer = N * (6 * d + 2 * kv + 3 * f + 2) + lse_n;
    size_t rope = (size_t)c->max_seq_len * (size_t)(c->dim / c->n_heads);
    size_t outer = N * (2 * d + 1) + 2 * N * V + N;
    size_t scratch = N * (4 * d + 2 * kv + 3 * f) +
                     cov_op_attention_scratch_floats(max_seq);
    return layer * (size_t)c->n_layers + rope + outer + scratch;
}

cov_status cov_model_new(cov_model **out, const cov_model_config *cfg, int max_batch,
                         int max_seq, cov_err *err)
{
    if (!out || !cfg)
        return cov_fail(err, COV_ERR_ARG, "model: no output or config given");
    *out = NULL;
    cov_status st = cov_model_config_check(cfg, err);
    if (st != COV_OK)
        return st;
    if (max_batch <= 0 || max_seq <= 0 || max_seq > cfg->max_seq_len)
        return cov_fail(err, COV_ERR_ARG,
                        "model: batch %d x sequence %d impossible: both must be positive and "
                        "the sequence at most the config's max_seq_len %d",
                        max_batch, max_seq, cfg->max_seq_len);
    if ((int64_t)max_batch * max_seq > INT32_MAX)
        return cov_fail(err, COV_ERR_TOO_BIG,
                        "model: batch %d x sequence %d is too many tokens for one step; "
                        "use smaller micro-batches",
                        max_batch, max_seq);
    cov_model *m = calloc(1, sizeof *m);
    if (!m)
        return cov_fail(err, COV_ERR_NOMEM, "model: out of memory");
    m->cfg = *cfg;
    m->max_batch = max_batch;
    m->max_seq = max_seq;
    m->head_dim = cfg->dim / cfg->n_heads;
    m->kv_dim = m->head_dim * cfg->n_kv_heads;

    size_t n_views = (size_t)cfg->n_layers * 9 + 3;
    m->params = calloc(n_views, sizeof *m->params);
    m->grads = calloc(n_views, sizeof *m->grads);
    m->lw = calloc((size_t)cfg->n_layers, sizeof *m->lw);
    m->lg = calloc((size_t)cfg->n_layers, sizeof *m->lg);
    m->acts = calloc((size_t)cfg->n_layers, sizeof *m->acts);
    size_t N = (size_t)max_batch * (size_t)max_seq;
    m->tokens = calloc(N, sizeof *m->tokens);
    m->targets = calloc(N, sizeof *m->targets);
    if (!m->params || !m->grads || !m->lw || !m->lg || !m->acts || !m->tokens || !m->targets)
        goto nomem;
    m->numel = layout(cfg, NULL, m->params, &m->n_tensors, NULL, NULL);
    m->param_buf = calloc(m->numel, sizeof(float));
    m->grad_buf = calloc(m->numel, sizeof(float));
    size_t lse_n = (size_t)max_batch * (size_t)cfg->n_heads * (size_t)max_seq;
    m->act_buf = calloc(activation_floats(cfg, N, lse_n, max_seq), sizeof(float));
    if (!m->param_buf || !m->grad_buf || !m->act_buf)
        goto nomem;
    layout(cfg, m->param_buf, m->params, &m->n_tensors, m->lw, &m->ow);
    layout(cfg, m->grad_buf, m->grads, &m->n_tensors, m->lg, &m->og);

    size_t d = (size_t)cfg->dim, kv = (size_t)m->kv_dim, f = (size_t)cfg->ffn_dim;
    size_t V = (size_t)cfg->vocab_size;
    float *cur = m->act_buf;
    for (int i = 0; i < cfg->n_layers; i++) {
        cov_layer_acts *a = &m->acts[i];
        a->x = carve(&cur, N * d);
        a->rstd1 = carve(&cur, N);
        a->xn1 = carve(&cur, N * d);
        a->q = carve(&cur, N * d);
        a->k = carve(&cur, N * kv);
        a->v = carve(&cur, N * kv);
        a->lse = carve(&cur, lse_n);
        a->att = carve(&cur, N * d);
        a->h = carve(&cur, N * d);
        a->rstd2 = carve(&cur, N);
        a->xn2 = carve(&cur, N * d);
        a->gate = carve(&cur, N * f);
        a->up = carve(&cur, N * f);
        a->act = carve(&cur, N * f);
    }
    size_t half = (size_t)m->head_dim / 2;
    m->rope_cos = carve(&cur, (size_t)cfg->max_seq_len * half);
    m->rope_sin = carve(&cur, (size_t)cfg->max_seq_len * half);
    m->x_final = carve(&cur, N * d);
    m->rstd_f = carve(&cur, N);
    m->xn_f = carve(&cur, N * d);
    m->logits = carve(&cur, N * V);
    m->dlogits = carve(&cur, N * V);
    m->lse_ce = carve(&cur, N);
    m->dres = carve(&cur, N * d);
    m->dxn = carve(&cur, N * d);
    m->dq = carve(&cur, N * d);
    m->datt = carve(&cur, N * d);
    m->dk = carve(&cur, N * kv);
    m->dv = carve(&cur, N * kv);
    m->dgate = carve(&cur, N * f);
    m->dup = carve(&cur, N * f);
    m->dact = carve(&cur, N * f);
    m->att_scratch = carve(&cur, cov_op_attention_scratch_floats(max_seq));
    cov_op_rope_table(m->rope_cos, m->rope_sin, cfg->max_seq_len, m->head_dim,
                      cfg->rope_theta);
    *out = m;
    return COV_OK;
nomem:
    cov_model_free(m);
    return cov_fail(err, COV_ERR_NOMEM,
                    "model '%s': out of memory for its parameters, gradients and the "
                    "activations of %d x %d tokens; use a smaller batch or sequence",
                    cfg->name, max_batch, max_seq);
}

void cov_model_free(cov_model *m)
{
    if (!m)
        return;
    free(m->params);
    free(m->grads);
    free(m->lw);
    free(m->lg);
    free(m->acts);
    free(m->tokens);
    free(m->targets);
    free(m->param_buf);
    free(m->grad_buf);
    free(m->act_buf);
    free(m);
}

/* splitmix64 (Steele, Lea, Flood 2014): a fixed, portable 64-bit stream. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Fills x with normal(0, std): Box–Muller on two 53-bit uniforms, both
 * outputs used, in order. */
static void fill_normal(float *x, size_t n, double std, uint64_t *state)
{
    const double two_pi = 6.283185307179586476925286766559;
    for (size_t i = 0; i < n; i += 2) {
        double u1 = ((double)(splitmix64(state) >> 11) + 1.0) * 0x1p-53; /* (0, 1] */
        double u2 = (double)(splitmix64(state) >> 11) * 0x1p-53;         /* [0, 1) */
        double r = sqrt(-2.0 * log(u1)) * std;
        x[i] = (float)(r * cos(two_pi * u2));
        if (i + 1 < n)
            x[i + 1] = (float)(r * sin(two_pi * u2));
    }
}

void cov_model_init_weights(cov_model *m, uint64_t seed)
{
    uint64_t state = seed;
    for (size_t i = 0; i < m->n_tensors; i++) {
        cov_tensor_view *v = &m->params[i];
        if (v->ndim == 1) /* RMSNorm weights */
            for (size_t j = 0; j < v->numel; j++)
                v->data[j] = 1.0f;
        else
            fill_normal(v->data, v->numel, 0.02, &state);
    }
}

size_t cov_model_tensor_count(const cov_model *m) { return m->n_tensors; }
const cov_tensor_view *cov_model_params(const cov_model *m) { return m->params; }
const cov_tensor_view *cov_model_grads(const cov_model *m) { return m->grads; }
float *cov_model_param_data(cov_model *m) { return m->param_buf; }
float *cov_model_grad_data(cov_model *m) { return m->grad_buf; }
size_t cov_model_numel(const cov_model *m) { return m->numel; }
const cov_model_config *cov_model_config_of(const cov_model *m) { return &m->cfg; }
const float *cov_model_logits(const cov_model *m) { return m->logits; }
int64_t cov_model_target_count(const cov_model *m) { return m->target_count; }

void cov_model_zero_grad(cov_model *m)
{
    memset(m->grad_buf, 0, m->numel * sizeof(float));
}
