/* RMSNorm on the GPU (train/ops_rmsnorm.c's math). The forward and the
 * backward's dx are one block per row with the row's sums in double; the
 * backward's dw sums columns over rows in a fixed order without atomics.
 * Products are rounded one at a time (__fmul_rn, ...) where the CPU does,
 * so nvcc cannot fuse them into FMAs the CPU does not use. */
#include "kernels/ops_cuda.h"

#define ROW_THREADS 256

static __global__ void rmsnorm_forward_kernel(float *y, float *rstd, const float *x,
                                              const float *w, int D, float eps)
{
    __shared__ double red[32];
    const float *xr = x + (size_t)blockIdx.x * D;
    float *yr = y + (size_t)blockIdx.x * D;
    double ss = 0.0;
    for (int j = threadIdx.x; j < D; j += blockDim.x)
        ss += (double)xr[j] * xr[j];
    ss = cov_block_sum(ss, red);
    float r = (float)(1.0 / sqrt(ss / D + (double)eps));
    if (threadIdx.x == 0)
        rstd[blockIdx.x] = r;
    for (int j = threadIdx.x; j < D; j += blockDim.x)
        yr[j] = __fmul_rn(__fmul_rn(xr[j], r), w[j]);
}

static __global__ void rmsnorm_backward_dx_kernel(float *dx, const float *dy, const float *x,
                                                  const float *w, const float *rstd, int D)
{
    __shared__ double red[32];
    size_t row = (size_t)blockIdx.x * D;
    const float *xr = x + row, *dyr = dy + row;
    float *dxr = dx + row;
    float r = rstd[blockIdx.x];
    double dot = 0.0;
    for (int j = threadIdx.x; j < D; j += blockDim.x)
        dot += (double)__fmul_rn(dyr[j], w[j]) * (double)__fmul_rn(xr[j], r);
    dot = cov_block_sum(dot, red);
    float m = (float)(dot / D);
    for (int j = threadIdx.x; j < D; j += blockDim.x) {
        float g = __fmul_rn(dyr[j], w[j]);
        float xm = __fmul_rn(__fmul_rn(xr[j], r), m);
        dxr[j] = __fadd_rn(dxr[j], __fmul_rn(r, __fsub_rn(g, xm)));
    }
}

/* dw[j] += Σ_n dy[n,j]·(x[n,j]·rstd[n]). A block covers 32 columns with
 * COL_GROUPS row groups; group g sums rows g, g+G, ... and the groups are
 * added in group order: a fixed order (not the CPU's plain row order, so
 * fp32 rounding differs slightly from it). */
#define COL_GROUPS 16
static __global__ void rmsnorm_backward_dw_kernel(float *dw, const float *dy, const float *x,
                                                  const float *rstd, int N, int D)
{
    __shared__ float part[COL_GROUPS][32];
    int j = blockIdx.x * 32 + threadIdx.x;
    float acc = 0.0f;
    if (j < D)
        for (int n = threadIdx.y; n < N; n += COL_GROUPS)
            acc = __fadd_rn(acc, __fmul_rn(dy[(size_t)n * D + j],
                                           __fmul_rn(x[(size_t)n * D + j], rstd[n])));
    part[threadIdx.y][threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.y == 0 && j < D) {
        float s = 0.0f;
        for (int g = 0; g < COL_GROUPS; g++)
            s += part[g][threadIdx.x];
        dw[j] += s;
    }
}

extern "C" cov_status cov_cuda_rmsnorm_forward(cov_cuda_ctx *ctx, float *y, float *rstd,
                                               const float *x, const float *w, int N, int D,
                                               float eps, cov_err *err)
{
    if (N <= 0 || D <= 0)
        return cov_fail(err, COV_ERR_ARG, "GPU RMSNorm: N %d and D %d must be positive", N, D);
    rmsnorm_forward_kernel<<<N, ROW_THREADS, 0, ctx->stream>>>(y, rstd, x, w, D, eps);
    COV_CUDA_LAUNCHED(err, "GPU RMSNorm forward");
    return COV_OK;
}

extern "C" cov_status cov_cuda_rmsnorm_backward_add(cov_cuda_ctx *ctx, float *dx, float *dw,
                                                    const float *dy, const float *x,
                                                    const float *w, const float *rstd, int N,
                                                    int D, cov_err *err)
{
    if (N <= 0 || D <= 0)
        return cov_fail(err, COV_ERR_ARG, "GPU RMSNorm: N %d and D %d must be positive", N, D);
    rmsnorm_backward_dx_kernel<<<N, ROW_THREADS, 0, ctx->stream>>>(dx, dy, x, w, rstd, D);
    COV_CUDA_LAUNCHED(err, "GPU RMSNorm backward (dx)");
    dim3 block(32, COL_GROUPS);
    rmsnorm_backward_dw_kernel<<<(D + 31) / 32, block, 0, ctx->stream>>>(dw, dy, x, rstd, N, D);
    COV_CUDA_LAUNCHED(err, "GPU RMSNorm backward (dw)");
    return COV_OK;
}
