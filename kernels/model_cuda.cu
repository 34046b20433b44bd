/* The GPU model (model_cuda.h): train/model_step.c's forward and backward,
 * op for op, on device memory, plus train/window.c's inner step. Written to
 * be checked against the CPU by reading and by tests/gpu/test_model_cuda.c
 * (not yet run: no GPU where this was written). */
#include "kernels/model_cuda.h"
#include "kernels/ops_cuda.h"

extern "C" {
#include "train/ops.h"
}

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Offsets (in floats) of one layer's tensors in the parameter buffer. */
typedef struct {
    size_t input_norm, wq, wk, wv, wo, post_norm, wg, wu, wd;
} layer_off;

/* What one layer's forward keeps for its backward (model_internal.h's
 * cov_layer_acts, on the device). */
typedef struct {
    float *x, *rstd1, *xn1, *q, *k, *v, *lse, *att, *h, *rstd2, *xn2, *gate, *up, *act;
} layer_acts;

struct cov_cuda_model {
    cov_cuda_ctx *ctx;
    cov_model_config cfg;
    int max_batch, max_seq, head_dim, kv_dim;
    cov_cuda_precision precision;
    cov_adamw_config adamw;
    int64_t step;

    size_t numel, n_views;
    size_t *view_off, *view_numel; /* model.h's tensor order */
    layer_off *lo;
    size_t embed, final_norm, lm_head; /* lm_head == embed when tied */

    float *params, *grads, *exp_avg, *exp_avg_sq;
    __nv_bfloat16 *params_bf16;       /* bf16 path only */
    __nv_bfloat16 *opnd_a, *opnd_b;   /* bf16 matmul operands (bf16 path only) */
    float *act_buf;
    layer_acts *acts;
    float *x_final, *rstd_f, *xn_f, *logits, *dlogits, *lse_ce, *rope_cos, *rope_sin;
    float *att_scratch; /* attention backward's row dots [B,H,T] */
    float *dres, *dxn, *dq, *dk, *dv, *datt, *dgate, *dup, *dact;
    int32_t *tokens, *targets; /* device copies of the last forward's ids */
    /* the embedding backward's grouping of the last forward's tokens
     * (cov_embedding_groups): host arrays and their device copy, each
     * ids[N], starts[N+1], order[N] laid end to end */
    int32_t *groups_host, *groups_dev;
    int64_t *group_keys;
    int n_groups;

    int B, T;
    bool have_targets;
    int64_t target_count;
};

/* ------------------------------------------------------------- layout */

static size_t add_view(cov_cuda_model *m, size_t *off, size_t numel)
{
    size_t at = *off;
    if (m->view_off) {
        m->view_off[m->n_views] = at;
        m->view_numel[m->n_views] = numel;
    }
    m->n_views++;
    *off += numel;
    return at;
}

/* model.c's layout(): the same tensors in the same order. */
static size_t layout(cov_cuda_model *m)
{
    const cov_model_config *c = &m->cfg;
    size_t d = (size_t)c->dim, kv = (size_t)m->kv_dim, f = (size_t)c->ffn_dim;
    size_t V = (size_t)c->vocab_size, off = 0;
    m->n_views = 0;
    m->embed = add_view(m, &off, V * d);
    for (int i = 0; i < c->n_layers; i++) {
        layer_off w;
        w.input_norm = add_view(m, &off, d);
        w.wq = add_view(m, &off, d * d);
        w.wk = add_view(m, &off, kv * d);
        w.wv = add_view(m, &off, kv * d);
        w.wo = add_view(m, &off, d * d);
        w.post_norm = add_view(m, &off, d);
        w.wg = add_view(m, &off, f * d);
        w.wu = add_view(m, &off, f * d);
        w.wd = add_view(m, &off, d * f);
        if (m->lo)
            m->lo[i] = w;
    }
    m->final_norm = add_view(m, &off, d);
    m->lm_head = c->tie_embeddings ? m->embed : add_view(m, &off, V * d);
    return off;
}

/* Sub-buffers start on 256-byte boundaries (what cuBLASLt likes best). */
static float *carve(float **cursor, size_t n)
{
    float *p = *cursor;
    *cursor += (n + 63) / 64 * 64;
    return p;
}

static size_t round64(size_t n) { return (n + 63) / 64 * 64; }

static size_t activation_floats(const cov_cuda_model *m, size_t N, size_t lse_n)
{
    const cov_model_config *c = &m->cfg;
    size_t d = (size_t)c->dim, kv = (size_t)m->kv_dim, f = (size_t)c->ffn_dim;
    size_t V = (size_t)c->vocab_size, half = (size_t)m->head_dim / 2;
    size_t layer = 7 * round64(N * d) + 2 * round64(N * kv) + 3 * round64(N * f) +
                   2 * round64(N) + round64(lse_n);
    size_t rope = 2 * round64((size_t)c->max_seq_len * half);
    size_t outer = 2 * round64(N * d) + round64(N) + 2 * round64(N * V) + round64(N);
    size_t grads = 4 * round64(N * d) + 2 * round64(N * kv) + 3 * round64(N * f) +
                   round64(lse_n);
    return layer * (size_t)c->n_layers + rope + outer + grads;
}

/* --------------------------------------------------------- life cycle */

extern "C" void cov_cuda_model_free(cov_cuda_model *m)
{
    if (!m)
        return;
    cudaFree(m->params);
    cudaFree(m->grads);
    cudaFree(m->exp_avg);
    cudaFree(m->exp_avg_sq);
    cudaFree(m->params_bf16);
    cudaFree(m->opnd_a);
    cudaFree(m->opnd_b);
    cudaFree(m->act_buf);
    cudaFree(m->tokens);
    cudaFree(m->targets);
    cudaFree(m->groups_dev);
    free(m->groups_host);
    free(m->group_keys);
    free(m->view_off);
    free(m->view_numel);
    free(m->lo);
    free(m->acts);
    free(m);
}

static cov_status dev_alloc(void **p, size_t bytes, cov_err *err)
{
    return cov_cuda_alloc(p, bytes, err);
}

extern "C" cov_status cov_cuda_model_new(cov_cuda_model **out, cov_cuda_ctx *ctx,
                                         const cov_model_config *cfg, int max_batch,
                                         int max_seq, cov_cuda_precision precision,
                                         cov_err *err)
{
    if (!out || !ctx || !cfg)
        return cov_fail(err, COV_ERR_ARG, "GPU model: no output, context or config");
    *out = NULL;
    cov_status st = cov_model_config_check(cfg, err);
    if (st != COV_OK)
        return st;
    if (max_batch <= 0 || max_seq <= 0 || max_seq > cfg->max_seq_len)
        return cov_fail(err, COV_ERR_ARG,
                        "GPU model: batch %d x sequence %d impossible: both must be positive "
                        "and the sequence at most the config's max_seq_len %d",
                        max_batch, max_seq, cfg->max_seq_len);
    if ((int64_t)max_batch * max_seq > INT32_MAX)
        return cov_fail(err, COV_ERR_TOO_BIG,
                        "GPU model: batch %d x sequence %d is too many tokens for one step",
                        max_batch, max_seq);
    if (precision != COV_CUDA_FP32 && precision != COV_CUDA_BF16)
        return cov_fail(err, COV_ERR_ARG, "GPU model: unknown precision %d", (int)precision);
    cov_cuda_model *m = (cov_cuda_model *)calloc(1, sizeof *m);
    if (!m)
        return cov_fail(err, COV_ERR_NOMEM, "GPU model: out of memory");
    m->ctx = ctx;
    m->cfg = *cfg;
    m->max_batch = max_batch;
    m->max_seq = max_seq;
    m->head_dim = cfg->dim / cfg->n_heads;
    m->kv_dim = m->head_dim * cfg->n_kv_heads;
    m->precision = precision;
    m->adamw = cov_adamw_templar_defaults();

    size_t n_views = (size_t)cfg->n_layers * 9 + 3;
    m->view_off = (size_t *)calloc(n_views, sizeof(size_t));
    m->view_numel = (size_t *)calloc(n_views, sizeof(size_t));
    m->lo = (layer_off *)calloc((size_t)cfg->n_layers, sizeof(layer_off));
    m->acts = (layer_acts *)calloc((size_t)cfg->n_layers, sizeof(layer_acts));
    if (!m->view_off || !m->view_numel || !m->lo || !m->acts) {
        cov_cuda_model_free(m);
        return cov_fail(err, COV_ERR_NOMEM, "GPU model: out of memory");
    }
    m->numel = layout(m);

    size_t N = (size_t)max_batch * (size_t)max_seq;
    size_t d = (size_t)cfg->dim, kv = (size_t)m->kv_dim, f = (size_t)cfg->ffn_dim;
    size_t V = (size_t)cfg->vocab_size;
    size_t lse_n = (size_t)max_batch * (size_t)cfg->n_heads * (size_t)max_seq;
    size_t pbytes = m->numel * sizeof(float);
    st = dev_alloc((void **)&m->params, pbytes, err);
    if (st == COV_OK)
        st = dev_alloc((void **)&m->grads, pbytes, err);
    if (st == COV_OK)
        st = dev_alloc((void **)&m->exp_avg, pbytes, err);
    if (st == COV_OK)
        st = dev_alloc((void **)&m->exp_avg_sq, pbytes, err);
    if (st == COV_OK && precision == COV_CUDA_BF16) {
        size_t a = N * (d > f ? d : f), b = a > N * V ? a : N * V;
        st = dev_alloc((void **)&m->params_bf16, m->numel * sizeof(__nv_bfloat16), err);
        if (st == COV_OK)
            st = dev_alloc((void **)&m->opnd_a, a * sizeof(__nv_bfloat16), err);
        if (st == COV_OK)
            st = dev_alloc((void **)&m->opnd_b, b * sizeof(__nv_bfloat16), err);
    }
    if (st == COV_OK)
        st = dev_alloc((void **)&m->act_buf, activation_floats(m, N, lse_n) * sizeof(float), err);
    if (st == COV_OK)
        st = dev_alloc((void **)&m->tokens, N * sizeof(int32_t), err);
    if (st == COV_OK)
        st = dev_alloc((void **)&m->targets, N * sizeof(int32_t), err);
    if (st == COV_OK)
        st = dev_alloc((void **)&m->groups_dev, (3 * N + 1) * sizeof(int32_t), err);
    if (st == COV_OK) {
        m->groups_host = (int32_t *)malloc((3 * N + 1) * sizeof(int32_t));
        m->group_keys = (int64_t *)malloc(N * sizeof(int64_t));
        if (!m->groups_host || !m->group_keys)
            st = cov_fail(err, COV_ERR_NOMEM, "out of host memory");
    }
    if (st != COV_OK) {
        cov_cuda_model_free(m);
        return cov_err_context(err, "GPU model '%s' for %d x %d tokens", cfg->name, max_batch,
                               max_seq);
    }

    float *cur = m->act_buf;
    for (int i = 0; i < cfg->n_layers; i++) {
        layer_acts *a = &m->acts[i];
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
    size_t half = (size_t)m->head_dim / 2, table = (size_t)cfg->max_seq_len * half;
    m->rope_cos = carve(&cur, table);
    m->rope_sin = carve(&cur, table);
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
    m->att_scratch = carve(&cur, lse_n);

    /* The CPU's RoPE table, computed by the CPU's function and uploaded. */
    float *host = (float *)malloc(2 * table * sizeof(float));
    if (!host) {
        cov_cuda_model_free(m);
        return cov_fail(err, COV_ERR_NOMEM, "GPU model: out of memory for the RoPE table");
    }
    cov_op_rope_table(host, host + table, cfg->max_seq_len, m->head_dim, cfg->rope_theta);
    st = cov_cuda_upload(ctx, m->rope_cos, host, table * sizeof(float), err);
    if (st == COV_OK)
        st = cov_cuda_upload(ctx, m->rope_sin, host + table, table * sizeof(float), err);
    free(host);
    cudaStream_t s = ctx->stream;
    cudaError_t e = cudaSuccess;
    if (st == COV_OK) {
        e = cudaMemsetAsync(m->params, 0, pbytes, s);
        if (e == cudaSuccess)
            e = cudaMemsetAsync(m->grads, 0, pbytes, s);
        if (e == cudaSuccess)
            e = cudaMemsetAsync(m->exp_avg, 0, pbytes, s);
        if (e == cudaSuccess)
            e = cudaMemsetAsync(m->exp_avg_sq, 0, pbytes, s);
        if (e != cudaSuccess)
            st = cov_cuda_fail(err, e, "GPU model: zeroing the parameters and state");
    }
    if (st == COV_OK)
        st = cov_cuda_model_refresh_bf16(m, err);
    if (st == COV_OK)
        st = cov_cuda_sync(ctx, err);
    if (st != COV_OK) {
        cov_cuda_model_free(m);
        return st;
    }
    *out = m;
    return COV_OK;
}

extern "C" cov_status cov_cuda_model_set_adamw(cov_cuda_model *m, const cov_adamw_config *cfg,
                                               cov_err *err)
{
    if (!m || !cfg)
        return cov_fail(err, COV_ERR_ARG, "GPU model: no model or AdamW config");
    if (!(cfg->beta1 >= 0.0f && cfg->beta1 < 1.0f && cfg->beta2 >= 0.0f && cfg->beta2 < 1.0f) ||
        !(cfg->eps >= 0.0f) || !(cfg->weight_decay >= 0.0f))
        return cov_fail(err, COV_ERR_ARG,
                        "GPU model: AdamW betas must be in [0, 1), eps and weight_decay >= 0");
    m->adamw = *cfg;
    return COV_OK;
}

/* ------------------------------------------------------ host transfers */

static cov_status check_cpu_model(const cov_cuda_model *m, const cov_model *cpu, cov_err *err)
{
    const cov_model_config *c = cov_model_config_of(cpu);
    const cov_model_config *g = &m->cfg;
    if (c->vocab_size != g->vocab_size || c->dim != g->dim || c->n_layers != g->n_layers ||
        c->n_heads != g->n_heads || c->n_kv_heads != g->n_kv_heads ||
        c->ffn_dim != g->ffn_dim || c->tie_embeddings != g->tie_embeddings ||
        cov_model_numel(cpu) != m->numel || cov_model_tensor_count(cpu) != m->n_views)
        return cov_fail(err, COV_ERR_ARG,
                        "GPU model: the CPU model '%s' has other shapes than the GPU model "
                        "'%s'; make both from one config",
                        c->name, g->name);
    /* The layouts must agree tensor by tensor, or a copy would scramble
     * them: model.c's order is mirrored in layout() above. */
    const cov_tensor_view *views = cov_model_params(cpu);
    const float *base = cov_model_param_data((cov_model *)cpu);
    for (size_t i = 0; i < m->n_views; i++)
        if ((size_t)(views[i].data - base) != m->view_off[i] ||
            views[i].numel != m->view_numel[i])
            return cov_fail(err, COV_ERR_ARG,
                            "GPU model: tensor %zu (%s) sits elsewhere on the CPU; "
                            "kernels/model_cuda.cu's layout() no longer matches train/model.c",
                            i, views[i].name);
    return COV_OK;
}

static cov_status check_n(const cov_cuda_model *m, size_t n, cov_err *err)
{
    if (n != m->numel)
        return cov_fail(err, COV_ERR_ARG,
                        "GPU model: %zu floats given, the model has %zu parameters", n,
                        m->numel);
    return COV_OK;
}

extern "C" cov_status cov_cuda_model_refresh_bf16(cov_cuda_model *m, cov_err *err)
{
    if (m->precision != COV_CUDA_BF16)
        return COV_OK;
    return cov_cuda_to_bf16(m->ctx, (cov_bf16 *)m->params_bf16, m->params, m->numel, err);
}

extern "C" cov_status cov_cuda_model_upload_params(cov_cuda_model *m, const float *host,
                                                   size_t n, cov_err *err)
{
    cov_status st = check_n(m, n, err);
    if (st == COV_OK)
        st = cov_cuda_upload(m->ctx, m->params, host, n * sizeof(float), err);
    if (st == COV_OK)
        st = cov_cuda_model_refresh_bf16(m, err);
    return st;
}

extern "C" cov_status cov_cuda_model_download_params(const cov_cuda_model *m, float *host,
                                                     size_t n, cov_err *err)
{
    cov_status st = check_n(m, n, err);
    if (st != COV_OK)
        return st;
    return cov_cuda_download(m->ctx, host, m->params, n * sizeof(float), err);
}

extern "C" cov_status cov_cuda_model_download_grads(const cov_cuda_model *m, float *host,
                                                    size_t n, cov_err *err)
{
    cov_status st = check_n(m, n, err);
    if (st != COV_OK)
        return st;
    return cov_cuda_download(m->ctx, host, m->grads, n * sizeof(float), err);
}

extern "C" cov_status cov_cuda_model_upload(cov_cuda_model *m, const cov_model *cpu,
                                            cov_err *err)
{
    if (!m || !cpu)
        return cov_fail(err, COV_ERR_ARG, "GPU model upload: no model");
    cov_status st = check_cpu_model(m, cpu, err);
    if (st != COV_OK)
        return st;
    return cov_cuda_model_upload_params(m, cov_model_param_data((cov_model *)cpu), m->numel,
                                        err);
}

extern "C" cov_status cov_cuda_model_download(const cov_cuda_model *m, cov_model *cpu,
                                              cov_err *err)
{
    if (!m || !cpu)
        return cov_fail(err, COV_ERR_ARG, "GPU model download: no model");
    cov_status st = check_cpu_model(m, cpu, err);
    if (st != COV_OK)
        return st;
    return cov_cuda_model_download_params(m, cov_model_param_data(cpu), m->numel, err);
}

extern "C" cov_status cov_cuda_model_download_adamw(const cov_cuda_model *m, float *exp_avg,
                                                    float *exp_avg_sq, size_t n, int64_t *step,
                                                    cov_err *err)
{
    cov_status st = check_n(m, n, err);
    if (st == COV_OK && exp_avg)
        st = cov_cuda_download(m->ctx, exp_avg, m->exp_avg, n * sizeof(float), err);
    if (st == COV_OK && exp_avg_sq)
        st = cov_cuda_download(m->ctx, exp_avg_sq, m->exp_avg_sq, n * sizeof(float), err);
    if (st == COV_OK && step)
        *step = m->step;
    return st;
}

extern "C" cov_status cov_cuda_model_upload_adamw(cov_cuda_model *m, const float *exp_avg,
                                                  const float *exp_avg_sq, size_t n,
                                                  int64_t step, cov_err *err)
{
    cov_status st = check_n(m, n, err);
    if (st == COV_OK && step < 0)
        st = cov_fail(err, COV_ERR_ARG, "GPU model: AdamW step %lld < 0", (long long)step);
    if (st == COV_OK && exp_avg)
        st = cov_cuda_upload(m->ctx, m->exp_avg, exp_avg, n * sizeof(float), err);
    if (st == COV_OK && exp_avg_sq)
        st = cov_cuda_upload(m->ctx, m->exp_avg_sq, exp_avg_sq, n * sizeof(float), err);
    if (st == COV_OK)
        m->step = step;
    return st;
}

/* ------------------------------------------------------------ matmuls */

/* y = x·wᵀ (+ y) with w at offset w in the parameters: fp32, or x rounded
 * to bf16 against the bf16 weights. */
static cov_status mm_forward(cov_cuda_model *m, float *y, const float *x, size_t w, int rows,
                             int K, int N, bool accumulate, cov_err *err)
{
    if (m->precision == COV_CUDA_FP32)
        return cov_cuda_matmul_forward(m->ctx, y, x, m->params + w, rows, K, N, accumulate, err);
    cov_status st = cov_cuda_to_bf16(m->ctx, (cov_bf16 *)m->opnd_a, x, (size_t)rows * K, err);
    if (st != COV_OK)
        return st;
    return cov_cuda_matmul_forward_bf16(m->ctx, y, (const cov_bf16 *)m->opnd_a,
                                        (const cov_bf16 *)(m->params_bf16 + w), rows, K, N,
                                        accumulate, err);
}

/* dx = dy·w (or += ), dw += dyᵀ·x, the gradient at offset w. */
static cov_status mm_backward(cov_cuda_model *m, float *dx, size_t w, const float *dy,
                              const float *x, int rows, int K, int N, bool accumulate_dx,
                              cov_err *err)
{
    if (m->precision == COV_CUDA_FP32)
        return cov_cuda_matmul_backward(m->ctx, dx, m->grads + w, dy, x, m->params + w, rows, K,
                                        N, accumulate_dx, err);
    cov_status st = cov_cuda_to_bf16(m->ctx, (cov_bf16 *)m->opnd_b, dy, (size_t)rows * N, err);
    if (st == COV_OK)
        st = cov_cuda_to_bf16(m->ctx, (cov_bf16 *)m->opnd_a, x, (size_t)rows * K, err);
    if (st != COV_OK)
        return st;
    return cov_cuda_matmul_backward_bf16(m->ctx, dx, m->grads + w, (const cov_bf16 *)m->opnd_b,
                                         (const cov_bf16 *)m->opnd_a,
                                         (const cov_bf16 *)(m->params_bf16 + w), rows, K, N,
                                         accumulate_dx, err);
}

static cov_status copy_dev(cov_cuda_model *m, float *dst, const float *src, size_t n,
                           cov_err *err)
{
    COV_CUDA_TRY(cudaMemcpyAsync(dst, src, n * sizeof(float), cudaMemcpyDeviceToDevice,
                                 m->ctx->stream),
                 err, "GPU model: copying the residual stream");
    return COV_OK;
}

/* Stops the function at the first failing step. */
#define TRY(call)                                                                          \
    do {                                                                                   \
        cov_status st_ = (call);                                                           \
        if (st_ != COV_OK)                                                                 \
            return st_;                                                                    \
    } while (0)

/* ------------------------------------------------------ forward, backward */

static cov_status check_ids(const cov_cuda_model *m, const int32_t *tokens,
                            const int32_t *targets, int N, cov_err *err)
{
    int V = m->cfg.vocab_size;
    for (int n = 0; n < N; n++) {
        if (tokens[n] < 0 || tokens[n] >= V)
            return cov_fail(err, COV_ERR_ARG,
                            "GPU model forward: token %d at position %d is outside the "
                            "vocabulary [0, %d); was the data tokenized for another model?",
                            tokens[n], n, V);
        if (targets && targets[n] != COV_IGNORE_INDEX && (targets[n] < 0 || targets[n] >= V))
            return cov_fail(err, COV_ERR_ARG,
                            "GPU model forward: target %d at position %d is neither in [0, %d) "
                            "nor -100 (ignored)",
                            targets[n], n, V);
    }
    return COV_OK;
}

extern "C" cov_status cov_cuda_model_forward(cov_cuda_model *m, const int32_t *tokens,
                                             const int32_t *targets, int B, int T, float *loss,
                                             cov_err *err)
{
    if (!m || !tokens || (targets && !loss))
        return cov_fail(err, COV_ERR_ARG, "GPU model forward: no model, tokens or loss output");
    if (B <= 0 || T <= 0 || B > m->max_batch || T > m->max_seq)
        return cov_fail(err, COV_ERR_ARG,
                        "GPU model forward: batch %d x sequence %d does not fit the %d x %d "
                        "the model was allocated for",
                        B, T, m->max_batch, m->max_seq);
    int N = B * T;
    TRY(check_ids(m, tokens, targets, N, err));
    m->have_targets = false; /* until this forward completes with targets */
    cov_cuda_ctx *ctx = m->ctx;
    const cov_model_config *c = &m->cfg;
    int D = c->dim, KV = m->kv_dim, F = c->ffn_dim, V = c->vocab_size, hd = m->head_dim;
    int H = c->n_heads, KVH = c->n_kv_heads;
    TRY(cov_cuda_upload(ctx, m->tokens, tokens, sizeof(int32_t) * (size_t)N, err));
    if (targets) {
        TRY(cov_cuda_upload(ctx, m->targets, targets, sizeof(int32_t) * (size_t)N, err));
        /* for the backward: the positions of each token, grouped on the host */
        int32_t *g = m->groups_host;
        cov_embedding_groups(g, g + N, g + 2 * N + 1, &m->n_groups, m->group_keys, tokens, N);
        TRY(cov_cuda_upload(ctx, m->groups_dev, g, sizeof(int32_t) * (3 * (size_t)N + 1), err));
    }

    TRY(cov_cuda_embedding_forward(ctx, m->acts[0].x, m->params + m->embed, m->tokens, N, D, err));
    for (int l = 0; l < c->n_layers; l++) {
        layer_acts *a = &m->acts[l];
        const layer_off *w = &m->lo[l];
        float *x_next = l + 1 < c->n_layers ? m->acts[l + 1].x : m->x_final;
        /* attention block: h = x + o_proj(attn(rope(q), rope(k), v)) */
        TRY(cov_cuda_rmsnorm_forward(ctx, a->xn1, a->rstd1, a->x, m->params + w->input_norm, N,
                                     D, c->norm_eps, err));
        TRY(mm_forward(m, a->q, a->xn1, w->wq, N, D, D, false, err));
        TRY(mm_forward(m, a->k, a->xn1, w->wk, N, D, KV, false, err));
        TRY(mm_forward(m, a->v, a->xn1, w->wv, N, D, KV, false, err));
        TRY(cov_cuda_rope_forward(ctx, a->q, m->rope_cos, m->rope_sin, B, T, H, hd, err));
        TRY(cov_cuda_rope_forward(ctx, a->k, m->rope_cos, m->rope_sin, B, T, KVH, hd, err));
        TRY(cov_cuda_attention_forward(ctx, a->att, a->lse, a->q, a->k, a->v, B, T, H, KVH, hd,
                                       err));
        TRY(copy_dev(m, a->h, a->x, (size_t)N * D, err));
        TRY(mm_forward(m, a->h, a->att, w->wo, N, D, D, true, err));
        /* feed-forward block: x_next = h + down(silu(gate) ⊙ up) */
        TRY(cov_cuda_rmsnorm_forward(ctx, a->xn2, a->rstd2, a->h, m->params + w->post_norm, N, D,
                                     c->norm_eps, err));
        TRY(mm_forward(m, a->gate, a->xn2, w->wg, N, D, F, false, err));
        TRY(mm_forward(m, a->up, a->xn2, w->wu, N, D, F, false, err));
        TRY(cov_cuda_swiglu_forward(ctx, a->act, a->gate, a->up, (size_t)N * F, err));
        TRY(copy_dev(m, x_next, a->h, (size_t)N * D, err));
        TRY(mm_forward(m, x_next, a->act, w->wd, N, F, D, true, err));
    }
    TRY(cov_cuda_rmsnorm_forward(ctx, m->xn_f, m->rstd_f, m->x_final, m->params + m->final_norm,
                                 N, D, c->norm_eps, err));
    TRY(mm_forward(m, m->logits, m->xn_f, m->lm_head, N, D, V, false, err));

    m->B = B;
    m->T = T;
    m->target_count = 0;
    if (targets) {
        TRY(cov_cuda_cross_entropy_forward(ctx, m->lse_ce, loss, &m->target_count, m->logits,
                                           m->targets, N, V, err));
        m->have_targets = true;
    } else {
        if (loss)
            *loss = 0.0f;
        TRY(cov_cuda_sync(ctx, err));
    }
    return COV_OK;
}

extern "C" cov_status cov_cuda_model_backward(cov_cuda_model *m, cov_err *err)
{
    if (!m || !m->have_targets)
        return cov_fail(err, COV_ERR_ARG,
                        "GPU model backward: the last forward had no targets (or failed); run "
                        "cov_cuda_model_forward with targets first");
    cov_cuda_ctx *ctx = m->ctx;
    const cov_model_config *c = &m->cfg;
    int B = m->B, T = m->T, N = B * T;
    int D = c->dim, KV = m->kv_dim, F = c->ffn_dim, V = c->vocab_size, hd = m->head_dim;
    int H = c->n_heads, KVH = c->n_kv_heads;
    float scale = m->target_count ? 1.0f / (float)m->target_count : 0.0f;
    TRY(cov_cuda_cross_entropy_backward(ctx, m->dlogits, m->logits, m->lse_ce, m->targets, N, V,
                                        scale, err));
    TRY(mm_backward(m, m->dxn, m->lm_head, m->dlogits, m->xn_f, N, D, V, false, err));
    COV_CUDA_TRY(cudaMemsetAsync(m->dres, 0, sizeof(float) * (size_t)N * D, ctx->stream), err,
                 "GPU model backward: zeroing the residual gradient");
    TRY(cov_cuda_rmsnorm_backward_add(ctx, m->dres, m->grads + m->final_norm, m->dxn,
                                      m->x_final, m->params + m->final_norm, m->rstd_f, N, D,
                                      err));
    for (int l = c->n_layers - 1; l >= 0; l--) {
        layer_acts *a = &m->acts[l];
        const layer_off *w = &m->lo[l];
        /* feed-forward block; dres holds d(x_next) and becomes d(h) */
        TRY(mm_backward(m, m->dact, w->wd, m->dres, a->act, N, F, D, false, err));
        TRY(cov_cuda_swiglu_backward(ctx, m->dgate, m->dup, m->dact, a->gate, a->up,
                                     (size_t)N * F, err));
        TRY(mm_backward(m, m->dxn, w->wg, m->dgate, a->xn2, N, D, F, false, err));
        TRY(mm_backward(m, m->dxn, w->wu, m->dup, a->xn2, N, D, F, true, err));
        TRY(cov_cuda_rmsnorm_backward_add(ctx, m->dres, m->grads + w->post_norm, m->dxn, a->h,
                                          m->params + w->post_norm, a->rstd2, N, D, err));
        /* attention block; dres becomes d(x) */
        TRY(mm_backward(m, m->datt, w->wo, m->dres, a->att, N, D, D, false, err));
        TRY(cov_cuda_attention_backward(ctx, m->dq, m->dk, m->dv, m->att_scratch, m->datt,
                                        a->att, a->lse, a->q, a->k, a->v, B, T, H, KVH, hd,
                                        err));
        TRY(cov_cuda_rope_backward(ctx, m->dq, m->rope_cos, m->rope_sin, B, T, H, hd, err));
        TRY(cov_cuda_rope_backward(ctx, m->dk, m->rope_cos, m->rope_sin, B, T, KVH, hd, err));
        TRY(mm_backward(m, m->dxn, w->wq, m->dq, a->xn1, N, D, D, false, err));
        TRY(mm_backward(m, m->dxn, w->wk, m->dk, a->xn1, N, D, KV, true, err));
        TRY(mm_backward(m, m->dxn, w->wv, m->dv, a->xn1, N, D, KV, true, err));
        TRY(cov_cuda_rmsnorm_backward_add(ctx, m->dres, m->grads + w->input_norm, m->dxn, a->x,
                                          m->params + w->input_norm, a->rstd1, N, D, err));
    }
    const int32_t *g = m->groups_dev;
    TRY(cov_cuda_embedding_backward_grouped(ctx, m->grads + m->embed, m->dres, g, g + N,
                                            g + 2 * N + 1, m->n_groups, D, err));
    return COV_OK;
}

extern "C" cov_status cov_cuda_model_zero_grad(cov_cuda_model *m, cov_err *err)
{
    COV_CUDA_TRY(cudaMemsetAsync(m->grads, 0, m->numel * sizeof(float), m->ctx->stream), err,
                 "GPU model: zeroing the gradients");
    return COV_OK;
}

extern "C" cov_status cov_cuda_model_clip_grad(cov_cuda_model *m, float max_norm, float *norm,
                                               cov_err *err)
{
    return cov_cuda_grad_clip_norm(m->ctx, m->grads, m->numel, max_norm, norm, err);
}

extern "C" cov_status cov_cuda_model_adamw_step(cov_cuda_model *m, float lr, cov_err *err)
{
    m->step++;
    cov_status st = cov_cuda_adamw_step(m->ctx, m->params, (cov_bf16 *)m->params_bf16, m->grads,
                                        m->exp_avg, m->exp_avg_sq, m->numel, &m->adamw, m->step,
                                        lr, err);
    if (st != COV_OK)
        m->step--;
    return st;
}

extern "C" cov_status cov_cuda_model_train_step(cov_cuda_model *m, const int32_t *tokens,
                                                const int32_t *targets, int B, int T,
                                                int grad_accum, float lr, float max_norm,
                                                float *loss, float *norm, cov_err *err)
{
    if (!m || !tokens || !targets || !loss || !norm || grad_accum <= 0 || !(max_norm > 0.0f))
        return cov_fail(err, COV_ERR_ARG,
                        "GPU train step: needs tokens, targets, outputs, grad_accum > 0 and "
                        "max_norm > 0");
    size_t per = (size_t)B * (size_t)T;
    double loss_sum = 0.0;
    TRY(cov_cuda_model_zero_grad(m, err));
    for (int a = 0; a < grad_accum; a++) {
        float micro = 0.0f;
        TRY(cov_cuda_model_forward(m, tokens + (size_t)a * per, targets + (size_t)a * per, B, T,
                                   &micro, err));
        if (!isfinite(micro))
            return cov_fail(err, COV_ERR_ARG,
                            "GPU inner step %lld: the loss is not finite; lower the learning "
                            "rate",
                            (long long)m->step);
        TRY(cov_cuda_model_backward(m, err));
        loss_sum += micro;
    }
    /* the step's gradient is the mean of the micro-batches' */
    if (grad_accum > 1)
        TRY(cov_cuda_scale(m->ctx, m->grads, m->numel, 1.0f / (float)grad_accum, err));
    TRY(cov_cuda_model_clip_grad(m, max_norm, norm, err));
    if (!isfinite(*norm))
        return cov_fail(err, COV_ERR_ARG,
                        "GPU inner step %lld: the gradient norm is not finite; lower the "
                        "learning rate",
                        (long long)m->step);
    TRY(cov_cuda_model_adamw_step(m, lr, err));
    TRY(cov_cuda_sync(m->ctx, err));
    *loss = (float)(loss_sum / grad_accum);
    return COV_OK;
}

/* ------------------------------------------------------------ accessors */

extern "C" size_t cov_cuda_model_numel(const cov_cuda_model *m) { return m->numel; }
extern "C" float *cov_cuda_model_params(cov_cuda_model *m) { return m->params; }
extern "C" float *cov_cuda_model_grads(cov_cuda_model *m) { return m->grads; }
extern "C" cov_bf16 *cov_cuda_model_params_bf16(cov_cuda_model *m)
{
    return (cov_bf16 *)m->params_bf16;
}
extern "C" float *cov_cuda_model_exp_avg(cov_cuda_model *m) { return m->exp_avg; }
extern "C" float *cov_cuda_model_exp_avg_sq(cov_cuda_model *m) { return m->exp_avg_sq; }
extern "C" int64_t cov_cuda_model_step_count(const cov_cuda_model *m) { return m->step; }
extern "C" void cov_cuda_model_set_step_count(cov_cuda_model *m, int64_t step) { m->step = step; }
extern "C" const cov_adamw_config *cov_cuda_model_adamw_config(const cov_cuda_model *m)
{
    return &m->adamw;
}
extern "C" cov_cuda_ctx *cov_cuda_model_ctx(cov_cuda_model *m) { return m->ctx; }
extern "C" int64_t cov_cuda_model_target_count(const cov_cuda_model *m)
{
    return m->target_count;
}
