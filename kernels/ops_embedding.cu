/* Token embeddings on the GPU (train/ops_embedding.c). */
#include "kernels/ops_cuda.h"

static __global__ void embedding_forward_kernel(float *out, const float *table,
                                                const int32_t *tokens, int D, size_t total)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < total;
         i += (size_t)gridDim.x * blockDim.x) {
        size_t n = i / (size_t)D, j = i % (size_t)D;
        out[i] = table[(size_t)tokens[n] * D + j];
    }
}

/* One thread per column, rows in order: the CPU's summation order exactly,
 * and no two threads touch one element even when a token repeats. Only D
 * threads: slow for long batches, but it runs once per step. */
static __global__ void embedding_backward_kernel(float *dtable, const float *dout,
                                                 const int32_t *tokens, int N, int D)
{
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= D)
        return;
    for (int n = 0; n < N; n++) {
        float *dst = dtable + (size_t)tokens[n] * D + j;
        *dst += dout[(size_t)n * D + j];
    }
}

extern "C" cov_status cov_cuda_embedding_forward(cov_cuda_ctx *ctx, float *out,
                                                 const float *table, const int32_t *tokens,
                                                 int N, int D, cov_err *err)
{
    if (N <= 0 || D <= 0)
        return cov_fail(err, COV_ERR_ARG, "GPU embedding: N %d and D %d must be positive", N, D);
    size_t total = (size_t)N * D;
    embedding_forward_kernel<<<cov_cuda_blocks(total, 256), 256, 0, ctx->stream>>>(
        out, table, tokens, D, total);
    COV_CUDA_LAUNCHED(err, "GPU embedding forward");
    return COV_OK;
}

extern "C" cov_status cov_cuda_embedding_backward(cov_cuda_ctx *ctx, float *dtable,
                                                  const float *dout, const int32_t *tokens,
                                                  int N, int D, cov_err *err)
{
    if (N <= 0 || D <= 0)
        return cov_fail(err, COV_ERR_ARG, "GPU embedding: N %d and D %d must be positive", N, D);
    embedding_backward_kernel<<<(D + 127) / 128, 128, 0, ctx->stream>>>(dtable, dout, tokens,
                                                                        N, D);
    COV_CUDA_LAUNCHED(err, "GPU embedding backward");
    return COV_OK;
}
