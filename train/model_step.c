/* cov_model's forward and backward: the ops of ops.h chained in Llama's
 * order. Residual adds are fused into the projections that end each block
 * (sgemm with beta = 1), and the backward walks the same steps in reverse
 * with one residual-gradient buffer (dres) that every block adds into. */
#include "train/model_internal.h"
#include "train/ops.h"

#include <string.h>

static cov_status check_ids(const cov_model *m, const int32_t *tokens, const int32_t *targets,
                            int N, cov_err *err)
{
    int V = m->cfg.vocab_size;
    for (int n = 0; n < N; n++) {
        if (tokens[n] < 0 || tokens[n] >= V)
            return cov_fail(err, COV_ERR_ARG,
                            "model forward: token %d at position %d is outside the "
                            "vocabulary [0, %d); was the data tokenized for another model?",
                            tokens[n], n, V);
        if (targets && targets[n] != COV_IGNORE_INDEX && (targets[n] < 0 || targets[n] >= V))
            return cov_fail(err, COV_ERR_ARG,
                            "model forward: target %d at position %d is neither in [0, %d) "
                            "nor -100 (ignored)",
                            targets[n], n, V);
    }
    return COV_OK;
}

cov_status cov_model_forward(cov_model *m, const int32_t *tokens, const int32_t *targets,
                             int B, int T, float *loss, cov_err *err)
{
    if (!m || !tokens || (targets && !loss))
        return cov_fail(err, COV_ERR_ARG, "model forward: no model, tokens or loss output");
    if (B <= 0 || T <= 0 || B > m->max_batch || T > m->max_seq)
        return cov_fail(err, COV_ERR_ARG,
                        "model forward: batch %d x sequence %d does not fit the %d x %d the "
                        "model was allocated for",
                        B, T, m->max_batch, m->max_seq);
    int N = B * T;
    cov_status st = check_ids(m, tokens, targets, N, err);
    if (st != COV_OK)
        return st;
    m->have_targets = false; /* until this forward completes with targets */
    const cov_model_config *c = &m->cfg;
    int D = c->dim, KV = m->kv_dim, F = c->ffn_dim, V = c->vocab_size, hd = m->head_dim;
    memcpy(m->tokens, tokens, sizeof(int32_t) * (size_t)N);

    cov_op_embedding_forward(m->acts[0].x, m->ow.embed, tokens, N, D);
    for (int l = 0; l < c->n_layers; l++) {
        cov_layer_acts *a = &m->acts[l];
        const cov_layer_weights *w = &m->lw[l];
        float *x_next = l + 1 < c->n_layers ? m->acts[l + 1].x : m->x_final;
        /* attention block: h = x + o_proj(attn(rope(q), rope(k), v)) */
        cov_op_rmsnorm_forward(a->xn1, a->rstd1, a->x, w->input_norm, N, D, c->norm_eps);
        cov_op_matmul_forward(a->q, a->xn1, w->wq, N, D, D, false);
        cov_op_matmul_forward(a->k, a->xn1, w->wk, N, D, KV, false);
        cov_op_matmul_forward(a->v, a->xn1, w->wv, N, D, KV, false);
        cov_op_rope_forward(a->q, m->rope_cos, m->rope_sin, B, T, c->n_heads, hd);
        cov_op_rope_forward(a->k, m->rope_cos, m->rope_sin, B, T, c->n_kv_heads, hd);
        cov_op_attention_forward(a->att, a->lse, m->att_scratch, a->q, a->k, a->v, B, T,
                                 c->n_heads, c->n_kv_heads, hd);
        memcpy(a->h, a->x, sizeof(float) * (size_t)N * D);
        cov_op_matmul_forward(a->h, a->att, w->wo, N, D, D, true);
        /* feed-forward block: x_next = h + down(silu(gate) ⊙ up) */
        cov_op_rmsnorm_forward(a->xn2, a->rstd2, a->h, w->post_norm, N, D, c->norm_eps);
        cov_op_matmul_forward(a->gate, a->xn2, w->wg, N, D, F, false);
        cov_op_matmul_forward(a->up, a->xn2, w->wu, N, D, F, false);
        cov_op_swiglu_forward(a->act, a->gate, a->up, (size_t)N * F);
        memcpy(x_next, a->h, sizeof(float) * (size_t)N * D);
        cov_op_matmul_forward(x_next, a->act, w->wd, N, F, D, true);
    }
    cov_op_rmsnorm_forward(m->xn_f, m->rstd_f, m->x_final, m->ow.final_norm, N, D,
                           c->norm_eps);
    cov_op_matmul_forward(m->logits, m->xn_f, m->ow.lm_head, N, D, V, false);

    m->B = B;
    m->T = T;
    m->target_count = 0;
    if (targets) {
        memcpy(m->targets, targets, sizeof(int32_t) * (size_t)N);
        *loss = cov_op_cross_entropy_forward(m->lse_ce, &m->target_count, m->logits, targets,
                                             N, V);
        m->have_targets = true;
    } else if (loss) {
        *loss = 0.0f;
    }
    return COV_OK;
}

cov_status cov_model_backward(cov_model *m, cov_err *err)
{
    if (!m || !m->have_targets)
        return cov_fail(err, COV_ERR_ARG,
                        "model backward: the last forward had no targets (or failed); run "
                        "cov_model_forward with targets first");
    const cov_model_config *c = &m->cfg;
    int B = m->B, T = m->T, N = B * T;
    int D = c->dim, KV = m->kv_dim, F = c->ffn_dim, V = c->vocab_size, hd = m->head_dim;
    /* d(mean loss)/d(logits); no counted target means no gradient at all */
    float scale = m->target_count ? 1.0f / (float)m->target_count : 0.0f;
    cov_op_cross_entropy_backward(m->dlogits, m->logits, m->lse_ce, m->targets, N, V, scale);

    cov_op_matmul_backward(m->dxn, m->og.lm_head, m->dlogits, m->xn_f, m->ow.lm_head, N, D, V,
                           false);
    memset(m->dres, 0, sizeof(float) * (size_t)N * D);
    cov_op_rmsnorm_backward_add(m->dres, m->og.final_norm, m->dxn, m->x_final,
                                m->ow.final_norm, m->rstd_f, N, D);
    for (int l = c->n_layers - 1; l >= 0; l--) {
        cov_layer_acts *a = &m->acts[l];
        const cov_layer_weights *w = &m->lw[l];
        const cov_layer_weights *g = &m->lg[l];
        /* feed-forward block; dres holds d(x_next) and becomes d(h) */
        cov_op_matmul_backward(m->dact, g->wd, m->dres, a->act, w->wd, N, F, D, false);
        cov_op_swiglu_backward(m->dgate, m->dup, m->dact, a->gate, a->up, (size_t)N * F);
        cov_op_matmul_backward(m->dxn, g->wg, m->dgate, a->xn2, w->wg, N, D, F, false);
        cov_op_matmul_backward(m->dxn, g->wu, m->dup, a->xn2, w->wu, N, D, F, true);
        cov_op_rmsnorm_backward_add(m->dres, g->post_norm, m->dxn, a->h, w->post_norm,
                                    a->rstd2, N, D);
        /* attention block; dres becomes d(x) */
        cov_op_matmul_backward(m->datt, g->wo, m->dres, a->att, w->wo, N, D, D, false);
        cov_op_attention_backward(m->dq, m->dk, m->dv, m->att_scratch, m->datt, a->att,
                                  a->lse, a->q, a->k, a->v, B, T, c->n_heads, c->n_kv_heads,
                                  hd);
        cov_op_rope_backward(m->dq, m->rope_cos, m->rope_sin, B, T, c->n_heads, hd);
        cov_op_rope_backward(m->dk, m->rope_cos, m->rope_sin, B, T, c->n_kv_heads, hd);
        cov_op_matmul_backward(m->dxn, g->wq, m->dq, a->xn1, w->wq, N, D, D, false);
        cov_op_matmul_backward(m->dxn, g->wk, m->dk, a->xn1, w->wk, N, D, KV, true);
        cov_op_matmul_backward(m->dxn, g->wv, m->dv, a->xn1, w->wv, N, D, KV, true);
        cov_op_rmsnorm_backward_add(m->dres, g->input_norm, m->dxn, a->x, w->input_norm,
                                    a->rstd1, N, D);
    }
    cov_op_embedding_backward(m->og.embed, m->dres, m->tokens, N, D);
    return COV_OK;
}
