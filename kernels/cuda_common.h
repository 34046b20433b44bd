/* What every kernels/ file shares: the device context (device, stream,
 * cuBLASLt handle and workspace, a small reduction scratch), CUDA errors
 * turned into cov_status messages, device memory helpers, and the table of
 * GPU peak FLOP/s the step accounting divides by.
 *
 * The C part of this header is the public API (callable from C11); the part
 * under __CUDACC__ is for the .cu files of kernels/ only.
 *
 * Pointers named "device" below are CUDA device memory (cudaMalloc); every
 * op in kernels/ takes device pointers and runs on the context's stream.
 * Nothing here has run on a GPU yet (see docs/training.md, "GPU"). */
#ifndef COVENANT_KERNELS_CUDA_COMMON_H
#define COVENANT_KERNELS_CUDA_COMMON_H

#ifdef __cplusplus
extern "C" {
#endif

#include "common/common.h"

#include <stddef.h>
#include <stdint.h>

/* bf16 as its 16 bits (the top half of an fp32), for C callers; the .cu
 * files reinterpret it as __nv_bfloat16. */
typedef uint16_t cov_bf16;

typedef struct cov_cuda_ctx cov_cuda_ctx;

/* How many CUDA devices this process sees: 0 (and COV_OK) when there is no
 * driver or no GPU, so callers can skip rather than fail. */
cov_status cov_cuda_device_count(int *count, cov_err *err) COV_WARN_UNUSED;

/* Binds device `device`, makes a stream, a cuBLASLt handle (when built with
 * it) with a 32 MiB workspace, and a reduction scratch. Free with
 * cov_cuda_ctx_free. */
cov_status cov_cuda_ctx_new(cov_cuda_ctx **out, int device, cov_err *err) COV_WARN_UNUSED;
void cov_cuda_ctx_free(cov_cuda_ctx *ctx);

/* The context's cudaStream_t (as void * for C), device ordinal and name
 * ("NVIDIA H100 80GB HBM3"); owned by the context. */
void *cov_cuda_ctx_stream(cov_cuda_ctx *ctx);
int cov_cuda_ctx_device(const cov_cuda_ctx *ctx);
const char *cov_cuda_ctx_device_name(const cov_cuda_ctx *ctx);

/* Waits for everything queued on the context's stream; reports an error a
 * kernel hit asynchronously. */
cov_status cov_cuda_sync(cov_cuda_ctx *ctx, cov_err *err) COV_WARN_UNUSED;

/* Device memory: cudaMalloc/cudaFree. *out is NULL after a failure. */
cov_status cov_cuda_alloc(void **out, size_t bytes, cov_err *err) COV_WARN_UNUSED;
void cov_cuda_free(void *device_ptr);

/* Host ↔ device copies on the context's stream; both return after the copy
 * finished (they synchronize the stream). */
cov_status cov_cuda_upload(cov_cuda_ctx *ctx, void *device_dst, const void *host_src,
                           size_t bytes, cov_err *err) COV_WARN_UNUSED;
cov_status cov_cuda_download(cov_cuda_ctx *ctx, void *host_dst, const void *device_src,
                             size_t bytes, cov_err *err) COV_WARN_UNUSED;

/* Fills n floats of device memory with NaN (tests poison outputs with it,
 * so an element a kernel forgot to write shows). */
cov_status cov_cuda_fill_nan(cov_cuda_ctx *ctx, float *device_p, size_t n,
                             cov_err *err) COV_WARN_UNUSED;

/* out[i] = bf16(in[i]), round to nearest even: how fp32 values become matmul
 * operands on the bf16 path. */
cov_status cov_cuda_to_bf16(cov_cuda_ctx *ctx, cov_bf16 *device_out, const float *device_in,
                            size_t n, cov_err *err) COV_WARN_UNUSED;

/* x[i] *= s over n floats. */
cov_status cov_cuda_scale(cov_cuda_ctx *ctx, float *device_x, size_t n, float s,
                          cov_err *err) COV_WARN_UNUSED;

/* Dense bf16 tensor-core peak FLOP/s (no sparsity) of the GPU named
 * device_name (cudaDeviceProp.name), 0 when the table does not know it.
 * The table and its sources are in cuda_common.cu. */
double cov_cuda_peak_bf16_flops(const char *device_name);

#ifdef __cplusplus
}
#endif

/* ------------------------------------------------ for kernels/ .cu files */
#ifdef __CUDACC__
#include <cuda_bf16.h>
#include <cuda_runtime.h>

struct cov_cuda_ctx {
    int device;
    char name[256];
    cudaStream_t stream;
    void *lt;           /* cublasLtHandle_t when built with cuBLASLt, else NULL */
    void *workspace;    /* cuBLASLt workspace (device) */
    size_t workspace_bytes;
    double *red_dev;    /* COV_CUDA_RED_SLOTS doubles of device scratch for reductions */
    double *red_host;   /* the same number of pinned host doubles */
    void *lt_cache;     /* ops_matmul.cu's algorithm cache (malloc'd POD, freed here) */
};

/* Reduction scratch: enough for the gradient-norm partials and the loss. */
#define COV_CUDA_RED_SLOTS 1024

/* Fills err with what failed, CUDA's own name and text for e, and a hint. */
cov_status cov_cuda_fail(cov_err *err, cudaError_t e, const char *what);

/* Returns the cov_status from the enclosing function when a CUDA call fails. */
#define COV_CUDA_TRY(call, err, what)                                                    \
    do {                                                                                 \
        cudaError_t cov_e_ = (call);                                                     \
        if (cov_e_ != cudaSuccess)                                                       \
            return cov_cuda_fail((err), cov_e_, (what));                                 \
    } while (0)

/* After a kernel launch: a bad configuration shows up here, a fault later at
 * a sync. */
#define COV_CUDA_LAUNCHED(err, what) COV_CUDA_TRY(cudaGetLastError(), err, what)

/* Blocks of `threads` covering n items, capped so the index fits the grid
 * (kernels loop with a grid stride). */
static inline unsigned cov_cuda_blocks(size_t n, unsigned threads)
{
    size_t b = (n + threads - 1) / threads;
    if (b > 65535u * 16u)
        b = 65535u * 16u;
    return b ? (unsigned)b : 1u;
}

/* Block-wide reductions for blocks whose size is a multiple of 32 (at most
 * 1024). Every thread gets the result; the order of the additions is fixed
 * by the block size alone, so a result repeats run to run. `shared` holds
 * 32 values. */
template <typename T> __device__ inline T cov_warp_sum(T v)
{
    for (int o = 16; o > 0; o >>= 1)
        v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

template <typename T> __device__ inline T cov_warp_max(T v)
{
    for (int o = 16; o > 0; o >>= 1)
        v = fmax(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

template <typename T> __device__ inline T cov_block_sum(T v, T *shared)
{
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = cov_warp_sum(v);
    __syncthreads(); /* shared may still be read by a previous reduction */
    if (lane == 0)
        shared[warp] = v;
    __syncthreads();
    v = lane < warps ? shared[lane] : (T)0;
    return cov_warp_sum(v);
}

template <typename T> __device__ inline T cov_block_max(T v, T *shared)
{
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = cov_warp_max(v);
    __syncthreads();
    if (lane == 0)
        shared[warp] = v;
    __syncthreads();
    v = lane < warps ? shared[lane] : shared[0];
    return cov_warp_max(v);
}
#endif

#endif
