/* The Llama decoder of train/model.h on one GPU: parameters, gradients,
 * AdamW state and activations in device memory, forward and backward with
 * kernels/ops_cuda.h, and one training step exactly as train/window.c's
 * inner step does it (forward/backward per micro-batch, mean gradient,
 * global-norm clipping, AdamW).
 *
 * Layout. The parameters (and gradients, AdamW moments) are one contiguous
 * fp32 buffer in cov_model_param_data's order, so uploading a CPU model and
 * downloading into one is a single copy each way.
 *
 * Precision. COV_CUDA_FP32: every matmul in fp32 (no TF32), for checking
 * against the CPU. COV_CUDA_BF16: mixed precision — fp32 master weights,
 * gradients and AdamW state; bf16 copies of the weights (rewritten by every
 * AdamW step) and bf16 matmul operands with fp32 accumulation; the other
 * activations stay fp32 (simple, and what the element-wise kernels expect).
 *
 * Needs a build with cuBLASLt (COVENANT_HAVE_CUBLASLT). Not yet run on a GPU:
 * tests/gpu/test_model_cuda.c compares a step with the CPU path. */
#ifndef COVENANT_KERNELS_MODEL_CUDA_H
#define COVENANT_KERNELS_MODEL_CUDA_H

#include "kernels/cuda_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#include "train/config.h"
#include "train/model.h"
#include "train/optim.h"

#include <stddef.h>
#include <stdint.h>

typedef enum {
    COV_CUDA_FP32 = 0, /* fp32 matmuls: the CPU's numbers to fp32 rounding */
    COV_CUDA_BF16 = 1  /* bf16 matmul operands, fp32 accumulation and master weights */
} cov_cuda_precision;

typedef struct cov_cuda_model cov_cuda_model;

/* Allocates a GPU model for cfg on ctx's device (ctx is borrowed and must
 * outlive the model) with activations for max_batch × max_seq tokens
 * (max_seq ≤ cfg->max_seq_len). Parameters start at zero: upload them.
 * AdamW starts at step 0 with cov_adamw_templar_defaults(). Free with
 * cov_cuda_model_free. */
cov_status cov_cuda_model_new(cov_cuda_model **out, cov_cuda_ctx *ctx,
                              const cov_model_config *cfg, int max_batch, int max_seq,
                              cov_cuda_precision precision, cov_err *err) COV_WARN_UNUSED;
void cov_cuda_model_free(cov_cuda_model *m);

/* Replaces the AdamW hyper-parameters (the moments and step are kept). */
cov_status cov_cuda_model_set_adamw(cov_cuda_model *m, const cov_adamw_config *cfg,
                                    cov_err *err) COV_WARN_UNUSED;

/* Copies the parameters of a CPU model with the same config (checked, tensor
 * by tensor) to the GPU, or back. */
cov_status cov_cuda_model_upload(cov_cuda_model *m, const cov_model *cpu,
                                 cov_err *err) COV_WARN_UNUSED;
cov_status cov_cuda_model_download(const cov_cuda_model *m, cov_model *cpu,
                                   cov_err *err) COV_WARN_UNUSED;

/* The same with flat host arrays of cov_cuda_model_numel floats. */
cov_status cov_cuda_model_upload_params(cov_cuda_model *m, const float *host, size_t n,
                                        cov_err *err) COV_WARN_UNUSED;
cov_status cov_cuda_model_download_params(const cov_cuda_model *m, float *host, size_t n,
                                          cov_err *err) COV_WARN_UNUSED;
cov_status cov_cuda_model_download_grads(const cov_cuda_model *m, float *host, size_t n,
                                         cov_err *err) COV_WARN_UNUSED;

/* AdamW state to or from the host (n floats each, or NULL to skip one). */
cov_status cov_cuda_model_download_adamw(const cov_cuda_model *m, float *exp_avg,
                                         float *exp_avg_sq, size_t n, int64_t *step,
                                         cov_err *err) COV_WARN_UNUSED;
cov_status cov_cuda_model_upload_adamw(cov_cuda_model *m, const float *exp_avg,
                                       const float *exp_avg_sq, size_t n, int64_t step,
                                       cov_err *err) COV_WARN_UNUSED;

/* Forward on host tokens [B,T] (and targets [B,T], -100 ignored, or NULL
 * for logits only): checks the ids as cov_model_forward does, uploads them,
 * runs the model; *loss gets the mean cross entropy (synchronizes). */
cov_status cov_cuda_model_forward(cov_cuda_model *m, const int32_t *tokens,
                                  const int32_t *targets, int B, int T, float *loss,
                                  cov_err *err) COV_WARN_UNUSED;

/* Backpropagates the last forward's mean loss, ADDING to the gradients (as
 * cov_model_backward). */
cov_status cov_cuda_model_backward(cov_cuda_model *m, cov_err *err) COV_WARN_UNUSED;

cov_status cov_cuda_model_zero_grad(cov_cuda_model *m, cov_err *err) COV_WARN_UNUSED;

/* cov_grad_clip_norm over all gradients; *norm before clipping. */
cov_status cov_cuda_model_clip_grad(cov_cuda_model *m, float max_norm, float *norm,
                                    cov_err *err) COV_WARN_UNUSED;

/* One AdamW step at lr over all parameters (step count + 1); refreshes the
 * bf16 weights on the bf16 path. */
cov_status cov_cuda_model_adamw_step(cov_cuda_model *m, float lr, cov_err *err) COV_WARN_UNUSED;

/* train/window.c's inner step: zero the gradients; for a in 0..grad_accum-1
 * forward(tokens + a·B·T, targets + a·B·T) (a non-finite loss fails) and
 * backward; divide the gradients by grad_accum (when > 1); clip to
 * max_norm (a non-finite norm fails); AdamW at lr. *loss is the mean of the
 * micro-batch losses, *norm the gradient norm before clipping. */
cov_status cov_cuda_model_train_step(cov_cuda_model *m, const int32_t *tokens,
                                     const int32_t *targets, int B, int T, int grad_accum,
                                     float lr, float max_norm, float *loss, float *norm,
                                     cov_err *err) COV_WARN_UNUSED;

/* Sizes and the device buffers, for callers that move them themselves
 * (data parallel: reduce-scatter the gradients, all-gather the parameters).
 * All owned by the model. params_bf16 is NULL on the fp32 path; after
 * changing params directly, call cov_cuda_model_refresh_bf16. */
size_t cov_cuda_model_numel(const cov_cuda_model *m);
float *cov_cuda_model_params(cov_cuda_model *m);
float *cov_cuda_model_grads(cov_cuda_model *m);
cov_bf16 *cov_cuda_model_params_bf16(cov_cuda_model *m);
float *cov_cuda_model_exp_avg(cov_cuda_model *m);
float *cov_cuda_model_exp_avg_sq(cov_cuda_model *m);
int64_t cov_cuda_model_step_count(const cov_cuda_model *m);
void cov_cuda_model_set_step_count(cov_cuda_model *m, int64_t step);
const cov_adamw_config *cov_cuda_model_adamw_config(const cov_cuda_model *m);
cov_cuda_ctx *cov_cuda_model_ctx(cov_cuda_model *m);
int64_t cov_cuda_model_target_count(const cov_cuda_model *m);
cov_status cov_cuda_model_refresh_bf16(cov_cuda_model *m, cov_err *err) COV_WARN_UNUSED;

#ifdef __cplusplus
}
#endif

#endif
