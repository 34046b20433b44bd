/* AdamW, gradient clipping and the LR schedule (see optim.h). */
#include "train/optim.h"
#include "train/ops_parallel.h"

#include <math.h>
#include <stdlib.h>

struct cov_adamw {
    cov_adamw_config cfg;
    size_t n;
    int64_t step;
    float *exp_avg, *exp_avg_sq;
};

cov_adamw_config cov_adamw_templar_defaults(void)
{
    cov_adamw_config c = {0.9f, 0.95f, 1e-8f, 0.1f};
    return c;
}

cov_status cov_adamw_new(cov_adamw **out, size_t n, const cov_adamw_config *cfg,
                         cov_err *err)
{
    if (!out || !cfg || n == 0)
        return cov_fail(err, COV_ERR_ARG, "AdamW: no output, config or parameters");
    *out = NULL;
    if (!(cfg->beta1 >= 0.0f && cfg->beta1 < 1.0f && cfg->beta2 >= 0.0f && cfg->beta2 < 1.0f))
        return cov_fail(err, COV_ERR_ARG, "AdamW: betas (%g, %g) must be in [0, 1)",
                        (double)cfg->beta1, (double)cfg->beta2);
    if (!(cfg->eps >= 0.0f) || !(cfg->weight_decay >= 0.0f))
        return cov_fail(err, COV_ERR_ARG, "AdamW: eps and weight_decay must be >= 0");
    cov_adamw *o = calloc(1, sizeof *o);
    if (!o)
        return cov_fail(err, COV_ERR_NOMEM, "AdamW: out of memory");
    o->cfg = *cfg;
    o->n = n;
    o->exp_avg = calloc(n, sizeof(float));
    o->exp_avg_sq = calloc(n, sizeof(float));
    if (!o->exp_avg || !o->exp_avg_sq) {
        cov_adamw_free(o);
        return cov_fail(err, COV_ERR_NOMEM,
                        "AdamW: out of memory for the moments of %zu parameters (8 bytes each)",
                        n);
    }
    *out = o;
    return COV_OK;
}

void cov_adamw_free(cov_adamw *opt)
{
    if (!opt)
        return;
    free(opt->exp_avg);
    free(opt->exp_avg_sq);
    free(opt);
}

cov_status cov_adamw_step(cov_adamw *opt, float *params, const float *grads, size_t n,
                          float lr, cov_err *err)
{
    if (!opt || !params || !grads)
        return cov_fail(err, COV_ERR_ARG, "AdamW step: no optimizer, parameters or gradients");
    if (n != opt->n)
        return cov_fail(err, COV_ERR_ARG,
                        "AdamW step: %zu parameters, but the optimizer was made for %zu", n,
                        opt->n);
    opt->step++;
    const float b1 = opt->cfg.beta1, b2 = opt->cfg.beta2, eps = opt->cfg.eps;
    /* the scalars in double, rounded once, as torch computes them in Python */
    double bc1 = 1.0 - pow((double)b1, (double)opt->step);
    double bc2 = 1.0 - pow((double)b2, (double)opt->step);
    const float step_size = (float)((double)lr / bc1);
    const float bc2_sqrt = (float)sqrt(bc2);
    const float decay = (float)(1.0 - (double)lr * (double)opt->cfg.weight_decay);
    float *m = opt->exp_avg, *v = opt->exp_avg_sq;
    COV_PARALLEL_FOR
    for (size_t i = 0; i < n; i++) {
        float g = grads[i];
        float p = params[i] * decay;
        m[i] += (g - m[i]) * (1.0f - b1); /* torch: exp_avg.lerp_(grad, 1 - beta1) */
        v[i] = v[i] * b2 + (1.0f - b2) * g * g;
        float denom = sqrtf(v[i]) / bc2_sqrt + eps;
        params[i] = p - step_size * (m[i] / denom);
    }
    return COV_OK;
}

float *cov_adamw_exp_avg(cov_adamw *opt) { return opt->exp_avg; }
float *cov_adamw_exp_avg_sq(cov_adamw *opt) { return opt->exp_avg_sq; }
size_t cov_adamw_size(const cov_adamw *opt) { return opt->n; }
int64_t cov_adamw_step_count(const cov_adamw *opt) { return opt->step; }
void cov_adamw_set_step_count(cov_adamw *opt, int64_t step) { opt->step = step; }

/* The sum of squares is split into a fixed number of contiguous blocks
 * (set by n alone, not by the thread count), summed in parallel in double,
 * then added up in block order: the same bits with any number of threads. */
#define CLIP_BLOCKS 256

float cov_grad_clip_norm(float *grads, size_t n, float max_norm)
{
    double partial[CLIP_BLOCKS];
    size_t per = (n + CLIP_BLOCKS - 1) / CLIP_BLOCKS;
    COV_PARALLEL_FOR
    for (int b = 0; b < CLIP_BLOCKS; b++) {
        size_t lo = (size_t)b * per, hi = lo + per < n ? lo + per : n;
        double ss = 0.0;
        for (size_t i = lo; i < hi; i++)
            ss += (double)grads[i] * grads[i];
        partial[b] = ss;
    }
    double ss = 0.0;
    for (int b = 0; b < CLIP_BLOCKS; b++)
        ss += partial[b];
    float norm = (float)sqrt(ss);
    if (!isfinite(norm))
        return norm;
    float coef = (float)((double)max_norm / ((double)norm + 1e-6));
    if (coef < 1.0f) {
        COV_PARALLEL_FOR
        for (size_t i = 0; i < n; i++)
            grads[i] *= coef;
    }
    return norm;
}

float cov_lr_at(const cov_lr_schedule *s, int64_t step)
{
    const double pi = 3.14159265358979323846;
    double base = s->base_lr;
    if (step < 0)
        step = 0;
    if (step < s->warmup_steps) {
        double start = s->warmup_start_factor;
        return (float)(base * (start + (1.0 - start) * (double)step / (double)s->warmup_steps));
    }
    double t = (double)(step - s->warmup_steps);
    double eta_min = base * s->min_ratio;
    if (s->cosine_steps <= 0)
        return (float)base;
    double cosine = (1.0 + cos(pi * t / (double)s->cosine_steps)) / 2.0;
    return (float)(eta_min + (base - eta_min) * cosine);
}
