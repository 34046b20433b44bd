/* Fused AdamW and gradient-norm clipping on the GPU (train/optim.c). The
 * host computes the step's scalars exactly as cov_adamw_step does; the
 * kernel rounds every operation on its own (__fmul_rn, ...) in the CPU's
 * order, so the update should equal the CPU's bit for bit (not yet run). */
#include "kernels/ops_cuda.h"

#include <math.h>

static __global__ void adamw_kernel(float *params, __nv_bfloat16 *params_bf16,
                                    const float *grads, float *m, float *v, size_t n,
                                    float one_minus_b1, float b2, float one_minus_b2, float eps,
                                    float decay, float step_size, float bc2_sqrt)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x) {
        float g = grads[i];
        float p = __fmul_rn(params[i], decay);
        float mi = __fadd_rn(m[i], __fmul_rn(__fsub_rn(g, m[i]), one_minus_b1));
        float vi = __fadd_rn(__fmul_rn(v[i], b2), __fmul_rn(__fmul_rn(one_minus_b2, g), g));
        float denom = __fadd_rn(__fdiv_rn(__fsqrt_rn(vi), bc2_sqrt), eps);
        p = __fsub_rn(p, __fmul_rn(step_size, __fdiv_rn(mi, denom)));
        m[i] = mi;
        v[i] = vi;
        params[i] = p;
        if (params_bf16)
            params_bf16[i] = __float2bfloat16_rn(p);
    }
}

extern "C" cov_status cov_cuda_adamw_step(cov_cuda_ctx *ctx, float *params, cov_bf16 *params_bf16,
                                          const float *grads, float *exp_avg, float *exp_avg_sq,
                                          size_t n, const cov_adamw_config *cfg, int64_t step,
                                          float lr, cov_err *err)
{
    if (!params || !grads || !exp_avg || !exp_avg_sq || !cfg || step < 1)
        return cov_fail(err, COV_ERR_ARG,
                        "GPU AdamW: missing buffers or config, or step %lld < 1",
                        (long long)step);
    if (n == 0)
        return COV_OK;
    const float b1 = cfg->beta1, b2 = cfg->beta2;
    /* cov_adamw_step's scalars, computed the same way */
    double bc1 = 1.0 - pow((double)b1, (double)step);
    double bc2 = 1.0 - pow((double)b2, (double)step);
    const float step_size = (float)((double)lr / bc1);
    const float bc2_sqrt = (float)sqrt(bc2);
    const float decay = (float)(1.0 - (double)lr * (double)cfg->weight_decay);
    adamw_kernel<<<cov_cuda_blocks(n, 256), 256, 0, ctx->stream>>>(
        params, (__nv_bfloat16 *)params_bf16, grads, exp_avg, exp_avg_sq, n, 1.0f - b1, b2,
        1.0f - b2, cfg->eps, decay, step_size, bc2_sqrt);
    COV_CUDA_LAUNCHED(err, "GPU AdamW step");
    return COV_OK;
}

/* cov_grad_clip_norm's blocking: CLIP_BLOCKS contiguous ranges of
 * ceil(n / CLIP_BLOCKS) elements, each summed in double. */
#define CLIP_BLOCKS 256

static __global__ void sum_squares_kernel(double *partial, const float *g, size_t n, size_t per)
{
    __shared__ double red[32];
    size_t lo = (size_t)blockIdx.x * per, hi = lo + per < n ? lo + per : n;
    double ss = 0.0;
    for (size_t i = lo + threadIdx.x; i < hi; i += blockDim.x)
        ss += (double)g[i] * g[i];
    ss = cov_block_sum(ss, red);
    if (threadIdx.x == 0)
        partial[blockIdx.x] = ss;
}

extern "C" cov_status cov_cuda_sum_squares(cov_cuda_ctx *ctx, const float *grads, size_t n,
                                           double *ss, cov_err *err)
{
    size_t per = (n + CLIP_BLOCKS - 1) / CLIP_BLOCKS;
    sum_squares_kernel<<<CLIP_BLOCKS, 256, 0, ctx->stream>>>(ctx->red_dev, grads, n, per);
    COV_CUDA_LAUNCHED(err, "GPU gradient norm");
    cov_status st = cov_cuda_download(ctx, ctx->red_host, ctx->red_dev,
                                      CLIP_BLOCKS * sizeof(double), err);
    if (st != COV_OK)
        return st;
    double total = 0.0;
    for (int b = 0; b < CLIP_BLOCKS; b++) /* block order, as the CPU */
        total += ctx->red_host[b];
    *ss = total;
    return COV_OK;
}

extern "C" cov_status cov_cuda_grad_clip_norm(cov_cuda_ctx *ctx, float *grads, size_t n,
                                              float max_norm, float *norm, cov_err *err)
{
    double ss = 0.0;
    cov_status st = cov_cuda_sum_squares(ctx, grads, n, &ss, err);
    if (st != COV_OK)
        return st;
    float nrm = (float)sqrt(ss);
    *norm = nrm;
    if (!isfinite(nrm))
        return COV_OK;
    float coef = (float)((double)max_norm / ((double)nrm + 1e-6));
    if (coef < 1.0f)
        return cov_cuda_scale(ctx, grads, n, coef, err);
    return COV_OK;
}
