/* Softmax cross entropy on the GPU (train/ops_loss.c): torch's
 * ignore_index = -100 and the mean over the counted rows. The logits are
 * materialized ([N, V]); each row's log-sum-exp sums exp in double as the
 * CPU does, and the loss total is added in double by one block in a fixed
 * order (not the CPU's row order: equal to ~1e-15 relative). */
#include "kernels/ops_cuda.h"
extern "C" {
#include "train/ops.h" /* COV_IGNORE_INDEX */
}

#define ROW_THREADS 256
#define TOTAL_THREADS 1024

static __global__ void ce_lse_kernel(float *lse, const float *logits, int V)
{
    __shared__ float redf[32];
    __shared__ double redd[32];
    const float *row = logits + (size_t)blockIdx.x * V;
    float max = row[0];
    for (int v = threadIdx.x; v < V; v += blockDim.x)
        max = fmaxf(max, row[v]);
    max = cov_block_max(max, redf);
    double sum = 0.0;
    for (int v = threadIdx.x; v < V; v += blockDim.x)
        sum += exp((double)(row[v] - max));
    sum = cov_block_sum(sum, redd);
    if (threadIdx.x == 0)
        lse[blockIdx.x] = max + (float)log(sum);
}

/* out[0] = Σ (lse − logit[target]) over counted rows, out[1] = their count. */
static __global__ void ce_total_kernel(double *out, const float *lse, const float *logits,
                                       const int32_t *targets, int N, int V)
{
    __shared__ double red[32];
    double total = 0.0, counted = 0.0;
    for (int n = threadIdx.x; n < N; n += blockDim.x) {
        if (targets[n] == COV_IGNORE_INDEX)
            continue;
        total += (double)lse[n] - (double)logits[(size_t)n * V + targets[n]];
        counted += 1.0;
    }
    total = cov_block_sum(total, red);
    counted = cov_block_sum(counted, red);
    if (threadIdx.x == 0) {
        out[0] = total;
        out[1] = counted;
    }
}

static __global__ void ce_backward_kernel(float *dlogits, const float *logits, const float *lse,
                                          const int32_t *targets, int V, float scale)
{
    size_t off = (size_t)blockIdx.x * V;
    int target = targets[blockIdx.x];
    float l = lse[blockIdx.x];
    for (int v = threadIdx.x; v < V; v += blockDim.x) {
        float d = 0.0f;
        if (target != COV_IGNORE_INDEX) {
            d = __fmul_rn(scale, expf(logits[off + v] - l));
            if (v == target) /* the CPU subtracts scale after the store */
                d = __fsub_rn(d, scale);
        }
        dlogits[off + v] = d;
    }
}

static cov_status check_shape(int N, int V, cov_err *err)
{
    if (N <= 0 || V <= 0)
        return cov_fail(err, COV_ERR_ARG, "GPU cross entropy: N %d and V %d must be positive",
                        N, V);
    return COV_OK;
}

extern "C" cov_status cov_cuda_cross_entropy_forward(cov_cuda_ctx *ctx, float *lse, float *loss,
                                                     int64_t *count, const float *logits,
                                                     const int32_t *targets, int N, int V,
                                                     cov_err *err)
{
    cov_status st = check_shape(N, V, err);
    if (st != COV_OK)
        return st;
    ce_lse_kernel<<<N, ROW_THREADS, 0, ctx->stream>>>(lse, logits, V);
    COV_CUDA_LAUNCHED(err, "GPU cross entropy (log-sum-exp)");
    ce_total_kernel<<<1, TOTAL_THREADS, 0, ctx->stream>>>(ctx->red_dev, lse, logits, targets, N,
                                                          V);
    COV_CUDA_LAUNCHED(err, "GPU cross entropy (total)");
    st = cov_cuda_download(ctx, ctx->red_host, ctx->red_dev, 2 * sizeof(double), err);
    if (st != COV_OK)
        return st;
    int64_t counted = (int64_t)ctx->red_host[1];
    *count = counted;
    *loss = counted ? (float)(ctx->red_host[0] / (double)counted) : 0.0f;
    return COV_OK;
}

extern "C" cov_status cov_cuda_cross_entropy_backward(cov_cuda_ctx *ctx, float *dlogits,
                                                      const float *logits, const float *lse,
                                                      const int32_t *targets, int N, int V,
                                                      float scale, cov_err *err)
{
    cov_status st = check_shape(N, V, err);
    if (st != COV_OK)
        return st;
    ce_backward_kernel<<<N, ROW_THREADS, 0, ctx->stream>>>(dlogits, logits, lse, targets, V,
                                                           scale);
    COV_CUDA_LAUNCHED(err, "GPU cross entropy backward");
    return COV_OK;
}
