#include "train/window.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct cov_trainer {
    cov_model *model; /* borrowed */
    cov_window_config cfg;
    cov_adamw *opt;
    cov_sparseloco *compressor;
    size_t numel;
    float *theta_start;
    float *delta;
    float *feedback; /* SparseLoCo's error feedback, laid out like θ */
    cov_tensor_view *feedback_views, *delta_views; /* the model's views over them */
    int32_t *tokens, *targets;
    int seq_len; /* of the buffers: the model's max_seq_len */
    int64_t inner_step;
    uint8_t model_hash[32]; /* cov_pgrad_model_hash of the model: every file's */
};

size_t cov_window_step_samples(const cov_window_config *c)
{
    return (size_t)c->micro_batch * (size_t)c->grad_accum;
}

cov_status cov_window_config_check(const cov_window_config *c, cov_err *err)
{
    if (!c)
        return cov_fail(err, COV_ERR_ARG, "window config: none given");
    if (c->inner_steps <= 0 || c->micro_batch <= 0 || c->grad_accum <= 0)
        return cov_fail(err, COV_ERR_ARG,
                        "window config: inner_steps (%d), micro_batch (%d) and grad_accum (%d) "
                        "must be positive",
                        c->inner_steps, c->micro_batch, c->grad_accum);
    if (!(c->max_grad_norm > 0.0f))
        return cov_fail(err, COV_ERR_ARG, "window config: max_grad_norm must be > 0");
    if (!(c->lr.base_lr > 0.0f) || c->lr.warmup_steps < 0 || c->lr.cosine_steps <= 0)
        return cov_fail(err, COV_ERR_ARG,
                        "window config: the LR schedule needs base_lr > 0, warmup_steps >= 0 "
                        "and cosine_steps > 0");
    return cov_sparseloco_config_check(&c->sparseloco, err);
}

void cov_trainer_free(cov_trainer *t)
{
    if (!t)
        return;
    cov_adamw_free(t->opt);
    cov_sparseloco_free(t->compressor);
    free(t->theta_start);
    free(t->delta);
    free(t->feedback);
    free(t->feedback_views);
    free(t->delta_views);
    free(t->tokens);
    free(t->targets);
    free(t);
}

cov_status cov_trainer_new(cov_trainer **out, cov_model *m, const cov_window_config *c,
                           cov_err *err)
{
    *out = NULL;
    if (!m)
        return cov_fail(err, COV_ERR_ARG, "trainer: no model given");
    cov_status st = cov_window_config_check(c, err);
    if (st != COV_OK)
        return st;
    cov_trainer *t = calloc(1, sizeof *t);
    if (!t)
        return cov_fail(err, COV_ERR_NOMEM, "trainer: out of memory");
    t->model = m;
    t->cfg = *c;
    t->numel = cov_model_numel(m);
    t->seq_len = cov_model_config_of(m)->max_seq_len;
    size_t batch = (size_t)c->micro_batch * (size_t)t->seq_len;
    t->theta_start = malloc(t->numel * sizeof(float));
    t->delta = calloc(t->numel, sizeof(float));
    t->feedback = calloc(t->numel, sizeof(float));
    t->tokens = malloc(batch * sizeof(int32_t));
    t->targets = malloc(batch * sizeof(int32_t));
    size_t n_views = cov_model_tensor_count(m);
    t->feedback_views = malloc(n_views * sizeof(cov_tensor_view));
    t->delta_views = malloc(n_views * sizeof(cov_tensor_view));
    if (!t->theta_start || !t->delta || !t->feedback || !t->tokens || !t->targets ||
        !t->feedback_views || !t->delta_views) {
        size_t numel = t->numel;
        cov_trainer_free(t);
        return cov_fail(err, COV_ERR_NOMEM, "trainer: out of memory for %zu parameters",
                        numel);
    }
    const cov_tensor_view *views = cov_model_params(m);
    const float *base = cov_model_param_data(m);
    for (size_t i = 0; i < n_views; i++) {
        size_t off = (size_t)(views[i].data - base);
        t->feedback_views[i] = views[i];
        t->feedback_views[i].data = t->feedback + off;
        t->delta_views[i] = views[i];
        t->delta_views[i].data = t->delta + off;
    }
    st = cov_pgrad_model_hash(t->model_hash, cov_model_config_of(m), views, n_views, err);
    if (st == COV_OK)
        st = cov_adamw_new(&t->opt, t->numel, &c->adamw, err);
    if (st == COV_OK)
        st = cov_sparseloco_new(&t->compressor, &c->sparseloco, err);
    if (st != COV_OK) {
        cov_trainer_free(t);
        return st;
    }
    *out = t;
    return COV_OK;
}

float *cov_trainer_delta(cov_trainer *t)
{
    return t->delta;
}

int64_t cov_trainer_inner_step(const cov_trainer *t)
{
    return t->inner_step;
}

void cov_trainer_reset_feedback(cov_trainer *t)
{
    memset(t->feedback, 0, t->numel * sizeof(float));
}

/* One inner step: grad_accum micro-batches, their mean gradient, clipping,
 * AdamW. Returns the mean of the micro-batch losses in *loss. */
static cov_status inner_step(cov_trainer *t, const cov_shard *shard, const int64_t *samples,
                             float *loss, uint64_t *tokens, cov_err *err)
{
    const cov_window_config *c = &t->cfg;
    int T = (int)shard->info.seq_len;
    float *params = cov_model_param_data(t->model), *grads = cov_model_grad_data(t->model);
    double loss_sum = 0.0;
    cov_model_zero_grad(t->model);
    for (int a = 0; a < c->grad_accum; a++) {
        cov_status st = cov_data_batch(t->tokens, t->targets, shard,
                                       samples + (size_t)a * (size_t)c->micro_batch,
                                       (size_t)c->micro_batch, err);
        float micro_loss = 0.0f;
        if (st == COV_OK)
            st = cov_model_forward(t->model, t->tokens, t->targets, c->micro_batch, T,
                                   &micro_loss, err);
        if (st == COV_OK && !isfinite(micro_loss))
            st = cov_fail(err, COV_ERR_ARG,
                          "inner step %lld: the loss is not finite; lower the learning rate",
                          (long long)t->inner_step);
        if (st == COV_OK)
            st = cov_model_backward(t->model, err);
        if (st != COV_OK)
            return st;
        loss_sum += micro_loss;
        *tokens += (uint64_t)cov_model_target_count(t->model);
    }
    /* Each backward added one micro-batch's mean-loss gradient: the step's
     * gradient is their mean, as Templar's loss / grad_accum gives. */
    if (c->grad_accum > 1) {
        float inv = 1.0f / (float)c->grad_accum;
        for (size_t i = 0; i < t->numel; i++)
            grads[i] *= inv;
    }
    float lr = cov_lr_at(&c->lr, t->inner_step);
    float norm = cov_grad_clip_norm(grads, t->numel, c->max_grad_norm);
    if (!isfinite(norm))
        return cov_fail(err, COV_ERR_ARG,
                        "inner step %lld: the gradient norm is not finite; lower the "
                        "learning rate",
                        (long long)t->inner_step);
    cov_status st = cov_adamw_step(t->opt, params, grads, t->numel, lr, err);
    if (st != COV_OK)
        return st;
    t->inner_step++;
    *loss = (float)(loss_sum / c->grad_accum);
    return COV_OK;
}

cov_status cov_trainer_window(cov_trainer *t, const cov_shard *shard, const int64_t *samples,
                              size_t n, cov_window_stats *stats, cov_err *err)
{
    cov_window_stats s;
    memset(&s, 0, sizeof s);
    if (!shard || (!samples && n))
        return cov_fail(err, COV_ERR_ARG, "window: no shard or samples given");
    if ((int)shard->info.seq_len > t->seq_len)
        return cov_fail(err, COV_ERR_ARG,
                        "window: the shard's samples are %u tokens, the model takes at most "
                        "%d; prepare data with --seq-len %d",
                        shard->info.seq_len, t->seq_len, t->seq_len);
    if (shard->info.vocab_size > (uint32_t)cov_model_config_of(t->model)->vocab_size)
        return cov_fail(err, COV_ERR_ARG,
                        "window: the shard's vocabulary (%u) is larger than the model's (%d)",
                        shard->info.vocab_size, cov_model_config_of(t->model)->vocab_size);
    size_t per_step = cov_window_step_samples(&t->cfg);
    size_t steps = n / per_step;
    if (steps > (size_t)t->cfg.inner_steps)
        steps = (size_t)t->cfg.inner_steps;
    if (steps == 0)
        return cov_fail(err, COV_ERR_ARG,
                        "window: %zu samples do not fill one inner step of %zu", n, per_step);
    float *params = cov_model_param_data(t->model);
    memcpy(t->theta_start, params, t->numel * sizeof(float));
    cov_status st = COV_OK;
    for (size_t k = 0; k < steps && st == COV_OK; k++) {
        float loss = 0.0f;
        st = inner_step(t, shard, samples + k * per_step, &loss, &s.tokens, err);
        if (st != COV_OK)
            break;
        if (k == 0)
            s.first_loss = loss;
        s.last_loss = loss;
        s.steps++;
    }
    s.last_lr = cov_lr_at(&t->cfg.lr, t->inner_step > 0 ? t->inner_step - 1 : 0);
    /* Δ = θ_start − θ_end, then θ back to θ_start (also after a failure, so
     * the shared model is never left half-trained). */
    double sq = 0.0;
    for (size_t i = 0; i < t->numel; i++) {
        float d = t->theta_start[i] - params[i];
        t->delta[i] = st == COV_OK ? d : 0.0f;
        sq += (double)d * (double)d;
    }
    memcpy(params, t->theta_start, t->numel * sizeof(float));
    s.delta_norm = st == COV_OK ? sqrt(sq) : 0.0;
    if (stats)
        *stats = s;
    return st;
}

cov_status cov_trainer_pgrad_new(cov_pgrad **out, const cov_trainer *t, uint64_t window,
                                 uint16_t uid, cov_err *err)
{
    const cov_model *m = t->model;
    return cov_pgrad_new(out, t->model_hash, window, uid, cov_model_params(m),
                         cov_model_tensor_count(m), &t->cfg.sparseloco, err);
}

cov_status cov_trainer_compress(cov_trainer *t, cov_pgrad *pg, cov_err *err)
{
    if (!pg || pg->n_tensors != cov_model_tensor_count(t->model))
        return cov_fail(err, COV_ERR_ARG,
                        "compress: the pseudo-gradient was not made for this model");
    return cov_pgrad_compress(t->compressor, pg, t->feedback_views, t->delta_views, err);
}

void cov_trainer_expect(cov_pgrad_expect *out, const cov_trainer *t, uint64_t window,
                        uint16_t uid)
{
    const cov_model *m = t->model;
    memset(out, 0, sizeof *out);
    out->model_hash = t->model_hash;
    out->window = window;
    out->uid = uid;
    out->tensors = cov_model_params(m);
    out->n_tensors = cov_model_tensor_count(m);
    out->cfg = &t->cfg.sparseloco;
}
