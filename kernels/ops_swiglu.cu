/* SwiGLU's gate on the GPU (train/ops_swiglu.c). CUDA's expf is within 2
 * ulp of glibc's, so results agree to a few ulp, not bit for bit. */
#include "kernels/ops_cuda.h"

static __device__ inline float sigmoid(float g)
{
    return 1.0f / (1.0f + expf(-g));
}

static __global__ void swiglu_forward_kernel(float *out, const float *gate, const float *up,
                                             size_t n)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x)
        out[i] = __fmul_rn(__fmul_rn(gate[i], sigmoid(gate[i])), up[i]);
}

static __global__ void swiglu_backward_kernel(float *dgate, float *dup, const float *dout,
                                              const float *gate, const float *up, size_t n)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x) {
        float g = gate[i], s = sigmoid(g);
        dup[i] = __fmul_rn(__fmul_rn(dout[i], g), s);
        /* d silu/dg = σ(g)·(1 + g·(1 − σ(g))) */
        float ds = __fmul_rn(s, __fadd_rn(1.0f, __fmul_rn(g, __fsub_rn(1.0f, s))));
        dgate[i] = __fmul_rn(__fmul_rn(dout[i], up[i]), ds);
    }
}

extern "C" cov_status cov_cuda_swiglu_forward(cov_cuda_ctx *ctx, float *out, const float *gate,
                                              const float *up, size_t n, cov_err *err)
{
    swiglu_forward_kernel<<<cov_cuda_blocks(n, 256), 256, 0, ctx->stream>>>(out, gate, up, n);
    COV_CUDA_LAUNCHED(err, "GPU SwiGLU forward");
    return COV_OK;
}

extern "C" cov_status cov_cuda_swiglu_backward(cov_cuda_ctx *ctx, float *dgate, float *dup,
                                               const float *dout, const float *gate,
                                               const float *up, size_t n, cov_err *err)
{
    swiglu_backward_kernel<<<cov_cuda_blocks(n, 256), 256, 0, ctx->stream>>>(dgate, dup, dout,
                                                                             gate, up, n);
    COV_CUDA_LAUNCHED(err, "GPU SwiGLU backward");
    return COV_OK;
}
