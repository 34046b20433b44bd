/* Step accounting against the GPU's peak (perf_cuda.h). */
#include "kernels/perf_cuda.h"

extern "C" cov_step_rate cov_cuda_step_rate(const cov_cuda_ctx *ctx, const cov_model_config *cfg,
                                            int seq_len, uint64_t tokens, double seconds)
{
    double peak = cov_cuda_peak_bf16_flops(cov_cuda_ctx_device_name(ctx));
    return cov_step_rate_of(cfg, seq_len, tokens, seconds, peak);
}
