/* ZeRO-1 over NCCL (kernels/dist.h): reduce-scattered gradients, AdamW on
 * each rank's slice, all-gathered parameters.
 *
 * NOT RUN ON A GPU YET: compiled with nvcc (sm_90 + compute_90 PTX) and
 * checked by reading. The kernels are deliberately plain (grid-stride
 * loops, one fixed-order reduction) so that they can be right by reading;
 * tests/gpu/test_dist.c compares them with train/optim.c when a GPU is
 * there. */
#include "kernels/dist_internal.cuh"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { NORM_BLOCKS = 256, NORM_THREADS = 256, ADAMW_THREADS = 256 };

typedef struct {
    size_t first, count; /* parameters [first, first + count) */
    size_t shard;        /* s: elements per rank (padded count = s · world) */
    size_t shard_off;    /* where this rank's slice sits in the shard buffers */
    int launched;        /* reduce-scatter issued this step */
} bucket;

struct cov_zero1 {
    cov_dist *d; /* borrowed */
    size_t n;
    cov_adamw_config cfg;
    bucket *buckets;
    size_t n_buckets, shard_total;
    float *shard_grad, *exp_avg, *exp_avg_sq; /* shard_total each */
    /* The last bucket, padded to s · world with zeros: reduce-scatter input,
     * all-gather output, and this rank's slice to send. */
    float *pad_in, *pad_out, *pad_send;
    double *partials, *sumsq; /* NORM_BLOCKS, 1 */
    double *sumsq_host;       /* pinned */
    cudaEvent_t ready;
    int64_t step;
};

/* -------------------------------------------------------------- kernels */

__global__ void scale_kernel(float *x, size_t n, float s)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x)
        x[i] = __fmul_rn(x[i], s);
}

/* partials[block] = Σ x² over a grid-stride share, in double; the order is
 * fixed (grid and block sizes are constants), so a rerun gives the same
 * bits. */
__global__ void sumsq_partials_kernel(const float *x, size_t n, double *partials)
{
    __shared__ double part[NORM_THREADS];
    double s = 0.0;
    for (size_t i = blockIdx.x * (size_t)NORM_THREADS + threadIdx.x; i < n;
         i += (size_t)NORM_BLOCKS * NORM_THREADS) {
        double g = (double)x[i];
        s += g * g;
    }
    part[threadIdx.x] = s;
    __syncthreads();
    for (int half = NORM_THREADS / 2; half > 0; half /= 2) {
        if ((int)threadIdx.x < half)
            part[threadIdx.x] += part[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0)
        partials[blockIdx.x] = part[0];
}

__global__ void sum_partials_kernel(const double *partials, double *out)
{
    if (threadIdx.x == 0 && blockIdx.x == 0) {
        double s = 0.0;
        for (int b = 0; b < NORM_BLOCKS; b++)
            s += partials[b];
        *out = s;
    }
}

/* train/optim.c's cov_adamw_step element by element, with the operations
 * spelled as round-to-nearest intrinsics so nvcc contracts nothing into an
 * FMA (the CPU build does not either): the same bits for the same inputs.
 * clip multiplies the gradient first (clip_grad_norm_'s grads *= coef),
 * only when it is below 1, as on the CPU. */
__global__ void adamw_kernel(float *p, const float *grads, float *m, float *v, size_t n,
                             float clip, int apply_clip, float b1, float b2, float eps,
                             float step_size, float bc2_sqrt, float decay)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x) {
        float g = apply_clip ? __fmul_rn(grads[i], clip) : grads[i];
        float pi = __fmul_rn(p[i], decay);
        float mi = __fadd_rn(m[i], __fmul_rn(__fsub_rn(g, m[i]), __fsub_rn(1.0f, b1)));
        float vi = __fadd_rn(__fmul_rn(v[i], b2), __fmul_rn(__fmul_rn(__fsub_rn(1.0f, b2), g), g));
        float denom = __fadd_rn(__fdiv_rn(__fsqrt_rn(vi), bc2_sqrt), eps);
        m[i] = mi;
        v[i] = vi;
        p[i] = __fsub_rn(pi, __fmul_rn(step_size, __fdiv_rn(mi, denom)));
    }
}

/* ------------------------------------------------------------ the API */

extern "C" void cov_zero1_free(cov_zero1 *z)
{
    if (!z)
        return;
    cudaFree(z->shard_grad);
    cudaFree(z->exp_avg);
    cudaFree(z->exp_avg_sq);
    cudaFree(z->pad_in);
    cudaFree(z->pad_out);
    cudaFree(z->pad_send);
    cudaFree(z->partials);
    cudaFree(z->sumsq);
    cudaFreeHost(z->sumsq_host);
    if (z->ready)
        cudaEventDestroy(z->ready);
    free(z->buckets);
    free(z);
}

static bucket *last_bucket(cov_zero1 *z)
{
    return &z->buckets[z->n_buckets - 1];
}

static int is_padded(const cov_zero1 *z, const bucket *b)
{
    return b->shard * (size_t)z->d->world != b->count;
}

/* Elements of this rank's slice of b that are real parameters. */
static size_t own_count(const cov_zero1 *z, const bucket *b)
{
    size_t lo = (size_t)z->d->rank * b->shard;
    if (lo >= b->count)
        return 0;
    return b->count - lo < b->shard ? b->count - lo : b->shard;
}

static cov_status alloc_floats(float **p, size_t n, cov_err *err)
{
    COV_CUDA_TRY(cudaMalloc((void **)p, (n ? n : 1) * sizeof(float)), err,
                 "ZeRO-1: allocating optimizer state");
    COV_CUDA_TRY(cudaMemset(*p, 0, (n ? n : 1) * sizeof(float)), err, "ZeRO-1: zeroing state");
    return COV_OK;
}

static cov_status zero1_alloc(cov_zero1 *z, cov_err *err)
{
    size_t pad = last_bucket(z)->shard * (size_t)z->d->world;
    cov_status st = alloc_floats(&z->shard_grad, z->shard_total, err);
    if (st == COV_OK)
        st = alloc_floats(&z->exp_avg, z->shard_total, err);
    if (st == COV_OK)
        st = alloc_floats(&z->exp_avg_sq, z->shard_total, err);
    if (st == COV_OK)
        st = alloc_floats(&z->pad_in, pad, err);
    if (st == COV_OK)
        st = alloc_floats(&z->pad_out, pad, err);
    if (st == COV_OK)
        st = alloc_floats(&z->pad_send, last_bucket(z)->shard, err);
    if (st != COV_OK)
        return st;
    COV_CUDA_TRY(cudaMalloc((void **)&z->partials, NORM_BLOCKS * sizeof(double)), err,
                 "ZeRO-1: norm scratch");
    COV_CUDA_TRY(cudaMalloc((void **)&z->sumsq, sizeof(double)), err, "ZeRO-1: norm scratch");
    COV_CUDA_TRY(cudaMallocHost((void **)&z->sumsq_host, sizeof(double)), err,
                 "ZeRO-1: pinned norm scratch");
    COV_CUDA_TRY(cudaEventCreateWithFlags(&z->ready, cudaEventDisableTiming), err,
                 "ZeRO-1: event");
    return COV_OK;
}

extern "C" cov_status cov_zero1_new(cov_zero1 **out, cov_dist *d, size_t n,
                                    const cov_adamw_config *cfg, size_t bucket_elems,
                                    cov_err *err)
{
    *out = NULL;
    if (!d || !cfg || n == 0)
        return cov_fail(err, COV_ERR_ARG, "ZeRO-1: need a communicator, a config and n > 0");
    size_t world = (size_t)d->world;
    if (bucket_elems == 0)
        bucket_elems = (size_t)32 << 20;
    bucket_elems = (bucket_elems + world - 1) / world * world;
    cov_zero1 *z = (cov_zero1 *)calloc(1, sizeof *z);
    if (!z)
        return cov_fail(err, COV_ERR_NOMEM, "ZeRO-1: out of memory");
    z->d = d;
    z->n = n;
    z->cfg = *cfg;
    z->n_buckets = (n + bucket_elems - 1) / bucket_elems;
    z->buckets = (bucket *)calloc(z->n_buckets, sizeof *z->buckets);
    if (!z->buckets) {
        free(z);
        return cov_fail(err, COV_ERR_NOMEM, "ZeRO-1: out of memory");
    }
    for (size_t b = 0; b < z->n_buckets; b++) {
        bucket *k = &z->buckets[b];
        k->first = b * bucket_elems;
        k->count = n - k->first < bucket_elems ? n - k->first : bucket_elems;
        k->shard = (k->count + world - 1) / world;
        k->shard_off = z->shard_total;
        z->shard_total += k->shard;
    }
    cov_status st = zero1_alloc(z, err);
    if (st != COV_OK) {
        cov_zero1_free(z);
        return st;
    }
    *out = z;
    return COV_OK;
}

extern "C" size_t cov_zero1_bucket_count(const cov_zero1 *z) { return z->n_buckets; }

extern "C" void cov_zero1_bucket_range(const cov_zero1 *z, size_t b, size_t *first,
                                       size_t *count)
{
    *first = b < z->n_buckets ? z->buckets[b].first : z->n;
    *count = b < z->n_buckets ? z->buckets[b].count : 0;
}

extern "C" size_t cov_zero1_shard_elems(const cov_zero1 *z) { return z->shard_total; }

extern "C" int64_t cov_zero1_step_count(const cov_zero1 *z) { return z->step; }

/* The comm stream waits for everything queued on the compute stream. */
static cov_status comm_after_compute(cov_zero1 *z, cov_err *err)
{
    COV_CUDA_TRY(cudaEventRecord(z->ready, z->d->ctx->stream), err, "ZeRO-1: recording an event");
    COV_CUDA_TRY(cudaStreamWaitEvent(z->d->comm_stream, z->ready, 0), err,
                 "ZeRO-1: ordering the streams");
    return COV_OK;
}

static cov_status launch_reduce_scatter(cov_zero1 *z, bucket *b, const float *grads,
                                        cov_err *err)
{
    cudaStream_t s = z->d->comm_stream;
    const float *src = grads + b->first;
    if (is_padded(z, b)) { /* only the last bucket: its zero tail stays zero */
        COV_CUDA_TRY(cudaMemcpyAsync(z->pad_in, src, b->count * sizeof(float),
                                     cudaMemcpyDeviceToDevice, s),
                     err, "ZeRO-1: staging the last bucket");
        src = z->pad_in;
    }
    COV_NCCL_TRY(ncclReduceScatter(src, z->shard_grad + b->shard_off, b->shard, ncclFloat32,
                                   ncclSum, z->d->comm, s),
                 z->d->comm, err, "reduce-scattering the gradients (ncclReduceScatter)");
    b->launched = 1;
    return COV_OK;
}

extern "C" cov_status cov_zero1_grads_ready(cov_zero1 *z, size_t b, const float *device_grads,
                                            cov_err *err)
{
    if (b >= z->n_buckets || z->buckets[b].launched)
        return cov_fail(err, COV_ERR_ARG,
                        "ZeRO-1: bucket %zu is not one of %zu, or was announced twice this step",
                        b, z->n_buckets);
    cov_status st = comm_after_compute(z, err);
    if (st != COV_OK)
        return st;
    return launch_reduce_scatter(z, &z->buckets[b], device_grads, err);
}

/* Everything not announced yet, last bucket first (the backward's order). */
static cov_status reduce_rest(cov_zero1 *z, const float *grads, cov_err *err)
{
    cov_status st = comm_after_compute(z, err);
    for (size_t k = z->n_buckets; k-- > 0 && st == COV_OK;)
        if (!z->buckets[k].launched)
            st = launch_reduce_scatter(z, &z->buckets[k], grads, err);
    return st;
}

/* The global norm of the mean gradient: own slices' Σ g², summed over ranks. */
static cov_status global_norm(cov_zero1 *z, float *norm, cov_err *err)
{
    cudaStream_t s = z->d->comm_stream;
    if (z->d->world > 1) {
        scale_kernel<<<cov_cuda_blocks(z->shard_total, 256), 256, 0, s>>>(
            z->shard_grad, z->shard_total, 1.0f / (float)z->d->world);
        COV_CUDA_LAUNCHED(err, "ZeRO-1: averaging the gradients");
    }
    sumsq_partials_kernel<<<NORM_BLOCKS, NORM_THREADS, 0, s>>>(z->shard_grad, z->shard_total,
                                                               z->partials);
    COV_CUDA_LAUNCHED(err, "ZeRO-1: gradient norm");
    sum_partials_kernel<<<1, 32, 0, s>>>(z->partials, z->sumsq);
    COV_CUDA_LAUNCHED(err, "ZeRO-1: gradient norm");
    COV_NCCL_TRY(ncclAllReduce(z->sumsq, z->sumsq, 1, ncclFloat64, ncclSum, z->d->comm, s),
                 z->d->comm, err, "summing the gradient norm (ncclAllReduce)");
    COV_CUDA_TRY(cudaMemcpyAsync(z->sumsq_host, z->sumsq, sizeof(double), cudaMemcpyDeviceToHost, s),
                 err, "ZeRO-1: reading the norm");
    COV_CUDA_TRY(cudaStreamSynchronize(s), err, "ZeRO-1: reduce-scatter and norm");
    *norm = (float)sqrt(*z->sumsq_host);
    return COV_OK;
}

static cov_status adamw_and_gather(cov_zero1 *z, float *params, float lr, float clip,
                                   int apply_clip, cov_err *err)
{
    cudaStream_t s = z->d->comm_stream;
    z->step++;
    const float b1 = z->cfg.beta1, b2 = z->cfg.beta2;
    /* The scalars as train/optim.c computes them (double, rounded once). */
    double bc1 = 1.0 - pow((double)b1, (double)z->step);
    double bc2 = 1.0 - pow((double)b2, (double)z->step);
    const float step_size = (float)((double)lr / bc1);
    const float bc2_sqrt = (float)sqrt(bc2);
    const float decay = (float)(1.0 - (double)lr * (double)z->cfg.weight_decay);
    for (size_t k = 0; k < z->n_buckets; k++) {
        bucket *b = &z->buckets[k];
        size_t own = own_count(z, b);
        float *slice = params + b->first + (size_t)z->d->rank * b->shard;
        if (own > 0) {
            adamw_kernel<<<cov_cuda_blocks(own, ADAMW_THREADS), ADAMW_THREADS, 0, s>>>(
                slice, z->shard_grad + b->shard_off, z->exp_avg + b->shard_off,
                z->exp_avg_sq + b->shard_off, own, clip, apply_clip, b1, b2, z->cfg.eps,
                step_size, bc2_sqrt, decay);
            COV_CUDA_LAUNCHED(err, "ZeRO-1: AdamW");
        }
        if (!is_padded(z, b)) { /* in place: rank r's slice is already at offset r·s */
            COV_NCCL_TRY(ncclAllGather(slice, params + b->first, b->shard, ncclFloat32,
                                       z->d->comm, s),
                         z->d->comm, err, "all-gathering the parameters (ncclAllGather)");
            continue;
        }
        /* The padded last bucket: send the own slice zero-padded, gather
         * into the staging buffer, copy the real part back. */
        COV_CUDA_TRY(cudaMemsetAsync(z->pad_send, 0, b->shard * sizeof(float), s), err,
                     "ZeRO-1: staging");
        if (own > 0)
            COV_CUDA_TRY(cudaMemcpyAsync(z->pad_send, slice, own * sizeof(float),
                                         cudaMemcpyDeviceToDevice, s),
                         err, "ZeRO-1: staging");
        COV_NCCL_TRY(ncclAllGather(z->pad_send, z->pad_out, b->shard, ncclFloat32, z->d->comm, s),
                     z->d->comm, err, "all-gathering the parameters (ncclAllGather)");
        COV_CUDA_TRY(cudaMemcpyAsync(params + b->first, z->pad_out, b->count * sizeof(float),
                                     cudaMemcpyDeviceToDevice, s),
                     err, "ZeRO-1: unstaging");
    }
    COV_CUDA_TRY(cudaStreamSynchronize(s), err, "ZeRO-1: AdamW and all-gather");
    return COV_OK;
}

extern "C" cov_status cov_zero1_step(cov_zero1 *z, float *device_params,
                                     const float *device_grads, float lr, float max_grad_norm,
                                     float *norm, cov_err *err)
{
    if (!device_params || !device_grads || !(max_grad_norm > 0.0f))
        return cov_fail(err, COV_ERR_ARG, "ZeRO-1 step: no buffers, or max_grad_norm <= 0");
    cov_status st = reduce_rest(z, device_grads, err);
    float total = 0.0f;
    if (st == COV_OK)
        st = global_norm(z, &total, err);
    for (size_t k = 0; k < z->n_buckets; k++)
        z->buckets[k].launched = 0;
    if (st != COV_OK)
        return st;
    if (norm)
        *norm = total;
    if (!isfinite(total))
        return cov_fail(err, COV_ERR_ARG,
                        "ZeRO-1 step %lld: the gradient norm is not finite; lower the learning "
                        "rate",
                        (long long)z->step);
    /* clip_grad_norm_'s coefficient, as train/optim.c computes it. */
    float coef = (float)((double)max_grad_norm / ((double)total + 1e-6));
    return adamw_and_gather(z, device_params, lr, coef, coef < 1.0f, err);
}
