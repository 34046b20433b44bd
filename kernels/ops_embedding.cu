/* Token embeddings on the GPU (train/ops_embedding.c). */
#include "kernels/ops_cuda.h"

#include <stdlib.h>

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

/* Block (g, y) adds token ids[g]'s positions, in order, to 128 columns. */
static __global__ void embedding_backward_grouped_kernel(float *dtable, const float *dout,
                                                         const int32_t *ids,
                                                         const int32_t *starts,
                                                         const int32_t *order, int D)
{
    int g = blockIdx.x, j = blockIdx.y * blockDim.x + threadIdx.x;
    if (j >= D)
        return;
    float *dst = dtable + (size_t)ids[g] * D + j;
    float acc = *dst;
    for (int p = starts[g]; p < starts[g + 1]; p++)
        acc += dout[(size_t)order[p] * D + j]; /* each add rounded to fp32, as the CPU's += */
    *dst = acc;
}

static int compare_keys(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

extern "C" void cov_embedding_groups(int32_t *ids, int32_t *starts, int32_t *order,
                                     int *groups, int64_t *keys, const int32_t *tokens, int N)
{
    /* token in the high half, position in the low: one sort orders both */
    for (int n = 0; n < N; n++)
        keys[n] = ((int64_t)tokens[n] << 32) | (int64_t)n;
    qsort(keys, (size_t)N, sizeof *keys, compare_keys);
    int G = 0;
    for (int i = 0; i < N; i++) {
        int32_t tok = (int32_t)(keys[i] >> 32);
        if (i == 0 || tok != ids[G - 1]) {
            ids[G] = tok;
            starts[G] = i;
            G++;
        }
        order[i] = (int32_t)(keys[i] & 0xffffffff);
    }
    starts[G] = N;
    *groups = G;
}

extern "C" cov_status cov_cuda_embedding_backward_grouped(cov_cuda_ctx *ctx, float *dtable,
                                                          const float *dout, const int32_t *ids,
                                                          const int32_t *starts,
                                                          const int32_t *order, int groups,
                                                          int D, cov_err *err)
{
    if (groups <= 0 || D <= 0)
        return cov_fail(err, COV_ERR_ARG,
                        "GPU embedding: %d token groups and D %d must be positive", groups, D);
    dim3 grid(groups, (D + 127) / 128);
    embedding_backward_grouped_kernel<<<grid, 128, 0, ctx->stream>>>(dtable, dout, ids, starts,
                                                                     order, D);
    COV_CUDA_LAUNCHED(err, "GPU embedding backward (grouped)");
    return COV_OK;
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
