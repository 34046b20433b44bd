/* Rotary embeddings on the GPU, Hugging Face's rotate_half pairing (i with
 * i + hd/2), as train/ops_rope.c; one thread per pair, each product
 * rounded on its own so the result is the CPU's bit for bit. */
#include "kernels/ops_cuda.h"

static __global__ void rope_kernel(float *x, const float *cos_t, const float *sin_t, int T,
                                   int H, int half, size_t pairs, float sign)
{
    for (size_t p = blockIdx.x * (size_t)blockDim.x + threadIdx.x; p < pairs;
         p += (size_t)gridDim.x * blockDim.x) {
        int i = (int)(p % (size_t)half);
        size_t row = p / (size_t)half; /* (b·T + t)·H + h */
        int t = (int)((row / (size_t)H) % (size_t)T);
        float *v = x + row * (size_t)(2 * half);
        float c = cos_t[(size_t)t * half + i], s = sign * sin_t[(size_t)t * half + i];
        float a = v[i], z = v[i + half];
        v[i] = __fsub_rn(__fmul_rn(a, c), __fmul_rn(z, s));
        v[i + half] = __fadd_rn(__fmul_rn(z, c), __fmul_rn(a, s));
    }
}

static cov_status rope(cov_cuda_ctx *ctx, float *x, const float *cos_t, const float *sin_t,
                       int B, int T, int H, int head_dim, float sign, cov_err *err)
{
    if (B <= 0 || T <= 0 || H <= 0 || head_dim <= 0 || head_dim % 2)
        return cov_fail(err, COV_ERR_ARG,
                        "GPU RoPE: B %d, T %d, H %d must be positive and head_dim %d even", B,
                        T, H, head_dim);
    int half = head_dim / 2;
    size_t pairs = (size_t)B * T * H * half;
    rope_kernel<<<cov_cuda_blocks(pairs, 256), 256, 0, ctx->stream>>>(x, cos_t, sin_t, T, H,
                                                                       half, pairs, sign);
    COV_CUDA_LAUNCHED(err, "GPU RoPE");
    return COV_OK;
}

extern "C" cov_status cov_cuda_rope_forward(cov_cuda_ctx *ctx, float *x, const float *cos_t,
                                            const float *sin_t, int B, int T, int H,
                                            int head_dim, cov_err *err)
{
    return rope(ctx, x, cos_t, sin_t, B, T, H, head_dim, 1.0f, err);
}

extern "C" cov_status cov_cuda_rope_backward(cov_cuda_ctx *ctx, float *dx, const float *cos_t,
                                             const float *sin_t, int B, int T, int H,
                                             int head_dim, cov_err *err)
{
    /* the transpose of a rotation is the rotation by the opposite angle */
    return rope(ctx, dx, cos_t, sin_t, B, T, H, head_dim, -1.0f, err);
}
