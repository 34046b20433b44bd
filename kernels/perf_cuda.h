/* Step accounting on the GPU, like llm.c's: tokens/s, achieved FLOP/s and
 * model FLOP utilization (MFU) of a training step. The FLOP count is
 * train/steplog.h's (6·N + 12·L·H·Q·T per token, PaLM appendix B / llm.c);
 * the peak is the device's dense bf16 tensor-core figure from
 * cov_cuda_peak_bf16_flops (cuda_common.cu, with its sources). */
#ifndef COVENANT_KERNELS_PERF_CUDA_H
#define COVENANT_KERNELS_PERF_CUDA_H

#include "kernels/cuda_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#include "train/config.h"
#include "train/steplog.h"

/* The rates of one step that trained `tokens` tokens at sequence length
 * seq_len in `seconds` on ctx's GPU (mfu 0 when the peak table does not
 * know the device). */
cov_step_rate cov_cuda_step_rate(const cov_cuda_ctx *ctx, const cov_model_config *cfg,
                                 int seq_len, uint64_t tokens, double seconds);

#ifdef __cplusplus
}
#endif

#endif
