/* The inner optimizer (templar.md §1.4): AdamW exactly as torch.optim.AdamW
 * computes it, global gradient-norm clipping as torch's clip_grad_norm_,
 * and Templar's learning-rate schedule (linear warmup, then cosine).
 *
 * All three work on flat fp32 arrays (cov_model_param_data /
 * cov_model_grad_data), so one optimizer covers every tensor, with no
 * parameter groups: Templar decays all parameters, norms included. */
#ifndef COVENANT_TRAIN_OPTIM_H
#define COVENANT_TRAIN_OPTIM_H

#include "common/common.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    float beta1, beta2;  /* Templar: 0.9, 0.95 */
    float eps;           /* 1e-8, added outside the square root */
    float weight_decay;  /* 0.1, decoupled: p *= 1 - lr·wd */
} cov_adamw_config;

/* torch's defaults with Templar's betas and decay: 0.9, 0.95, 1e-8, 0.1. */
cov_adamw_config cov_adamw_templar_defaults(void);

typedef struct cov_adamw cov_adamw;

/* Allocates the two moment buffers for n parameters (zeroed, step 0).
 * Free with cov_adamw_free. */
cov_status cov_adamw_new(cov_adamw **out, size_t n, const cov_adamw_config *cfg,
                         cov_err *err) COV_WARN_UNUSED;
void cov_adamw_free(cov_adamw *opt);

/* One step over params[n] with grads[n] at learning rate lr, torch's
 * single-tensor AdamW in this order:
 *   t += 1;  p *= 1 − lr·wd
 *   m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²
 *   p −= (lr / (1−β1ᵗ)) · m / (sqrt(v) / sqrt(1−β2ᵗ) + eps)
 * which is p −= lr·m̂/(sqrt(v̂) + eps) with m̂, v̂ the bias-corrected moments.
 * n must be the size given to cov_adamw_new. */
cov_status cov_adamw_step(cov_adamw *opt, float *params, const float *grads, size_t n,
                          float lr, cov_err *err) COV_WARN_UNUSED;

/* The state, reachable so it can be checkpointed or moved elsewhere: the
 * first and second moments (exp_avg, exp_avg_sq in torch) and the step
 * count. Owned by the optimizer. */
float *cov_adamw_exp_avg(cov_adamw *opt);
float *cov_adamw_exp_avg_sq(cov_adamw *opt);
size_t cov_adamw_size(const cov_adamw *opt);
int64_t cov_adamw_step_count(const cov_adamw *opt);
void cov_adamw_set_step_count(cov_adamw *opt, int64_t step);

/* torch.nn.utils.clip_grad_norm_(params, max_norm) over all of grads[n]:
 * the total L2 norm (summed in double), and when coef = max_norm /
 * (norm + 1e-6) is below 1 every gradient is multiplied by it. Returns the
 * norm before clipping. A non-finite norm leaves the gradients alone (the
 * caller decides whether to skip the step). */
float cov_grad_clip_norm(float *grads, size_t n, float max_norm);

/* Templar's schedule: torch LinearLR(start_factor → 1.0 over warmup_steps)
 * then CosineAnnealingLR(T_max = cosine_steps, eta_min = min_ratio·base_lr),
 * as SequentialLR with the milestone at warmup_steps:
 *   step < warmup:  lr = base·(start + (1 − start)·step/warmup)
 *   after:          s = step − warmup,
 *                   lr = eta_min + (base − eta_min)·(1 + cos(π·s/T_max))/2
 * (the closed form; past T_max the cosine rises again, as torch's does).
 * Templar (templar.md §1.4): base 1.17e-4, start 1e-6, warmup 1500,
 * T_max 140000, min_ratio 0.1. */
typedef struct {
    float base_lr;
    float warmup_start_factor;
    int64_t warmup_steps;
    int64_t cosine_steps;
    float min_ratio;
} cov_lr_schedule;

float cov_lr_at(const cov_lr_schedule *s, int64_t step);

#endif
