/* The device context, CUDA error messages, memory helpers, small
 * element-wise utilities and the GPU peak table (see cuda_common.h). */
#include "kernels/cuda_common.h"

#ifdef COVENANT_HAVE_CUBLASLT
#include <cublasLt.h>
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cov_status cov_cuda_fail(cov_err *err, cudaError_t e, const char *what)
{
    const char *hint = "";
    if (e == cudaErrorMemoryAllocation)
        hint = "; the GPU is out of memory: use a smaller batch or sequence";
    else if (e == cudaErrorNoDevice || e == cudaErrorInsufficientDriver)
        hint = "; no usable GPU or driver: check nvidia-smi, or train with --device cpu";
    else if (e == cudaErrorNoKernelImageForDevice || e == cudaErrorUnsupportedPtxVersion)
        hint = "; this build targets sm_90 (+PTX): rebuild with "
               "-DCOVENANT_CUDA_ARCHITECTURES=<your GPU's>, or update the driver";
    return cov_fail(err, e == cudaErrorMemoryAllocation ? COV_ERR_NOMEM : COV_ERR_UNSUPPORTED,
                    "%s: CUDA error %s (%s)%s", what, cudaGetErrorName(e),
                    cudaGetErrorString(e), hint);
}

extern "C" cov_status cov_cuda_device_count(int *count, cov_err *err)
{
    if (!count)
        return cov_fail(err, COV_ERR_ARG, "CUDA device count: no output");
    int n = 0;
    /* No driver, no device or a driver too old all mean "no GPU here". */
    if (cudaGetDeviceCount(&n) != cudaSuccess)
        n = 0;
    (void)cudaGetLastError(); /* clear the sticky error of a failed query */
    *count = n;
    return COV_OK;
}

extern "C" void cov_cuda_ctx_free(cov_cuda_ctx *ctx)
{
    if (!ctx)
        return;
    cudaSetDevice(ctx->device);
#ifdef COVENANT_HAVE_CUBLASLT
    if (ctx->lt)
        cublasLtDestroy((cublasLtHandle_t)ctx->lt);
#endif
    cudaFree(ctx->workspace);
    cudaFree(ctx->red_dev);
    cudaFreeHost(ctx->red_host);
    free(ctx->lt_cache);
    if (ctx->stream)
        cudaStreamDestroy(ctx->stream);
    free(ctx);
}

extern "C" cov_status cov_cuda_ctx_new(cov_cuda_ctx **out, int device, cov_err *err)
{
    if (!out)
        return cov_fail(err, COV_ERR_ARG, "CUDA context: no output");
    *out = NULL;
    int n = 0;
    cov_status st = cov_cuda_device_count(&n, err);
    if (st != COV_OK)
        return st;
    if (device < 0 || device >= n)
        return cov_fail(err, COV_ERR_NOT_FOUND,
                        "CUDA context: device %d does not exist (this machine shows %d GPU%s)",
                        device, n, n == 1 ? "" : "s");
    cov_cuda_ctx *c = (cov_cuda_ctx *)calloc(1, sizeof *c);
    if (!c)
        return cov_fail(err, COV_ERR_NOMEM, "CUDA context: out of memory");
    c->device = device;
    cudaError_t e = cudaSetDevice(device);
    cudaDeviceProp prop;
    if (e == cudaSuccess)
        e = cudaGetDeviceProperties(&prop, device);
    if (e == cudaSuccess) {
        snprintf(c->name, sizeof c->name, "%s", prop.name);
        e = cudaStreamCreateWithFlags(&c->stream, cudaStreamNonBlocking);
    }
    if (e == cudaSuccess)
        e = cudaMalloc((void **)&c->red_dev, COV_CUDA_RED_SLOTS * sizeof(double));
    if (e == cudaSuccess)
        e = cudaMallocHost((void **)&c->red_host, COV_CUDA_RED_SLOTS * sizeof(double));
#ifdef COVENANT_HAVE_CUBLASLT
    /* 32 MiB: what NVIDIA recommends for Hopper's cuBLASLt kernels. */
    c->workspace_bytes = (size_t)32 << 20;
    if (e == cudaSuccess)
        e = cudaMalloc(&c->workspace, c->workspace_bytes);
#endif
    if (e != cudaSuccess) {
        cov_cuda_ctx_free(c);
        return cov_cuda_fail(err, e, "CUDA context: setting up the device");
    }
#ifdef COVENANT_HAVE_CUBLASLT
    cublasLtHandle_t lt = NULL;
    cublasStatus_t bs = cublasLtCreate(&lt);
    if (bs != CUBLAS_STATUS_SUCCESS) {
        cov_cuda_ctx_free(c);
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "CUDA context: cublasLtCreate failed (%s); is libcublasLt from the "
                        "same CUDA major version as the driver?",
                        cublasLtGetStatusName(bs));
    }
    c->lt = lt;
#endif
    *out = c;
    return COV_OK;
}

extern "C" void *cov_cuda_ctx_stream(cov_cuda_ctx *ctx) { return (void *)ctx->stream; }
extern "C" int cov_cuda_ctx_device(const cov_cuda_ctx *ctx) { return ctx->device; }
extern "C" const char *cov_cuda_ctx_device_name(const cov_cuda_ctx *ctx) { return ctx->name; }

extern "C" cov_status cov_cuda_sync(cov_cuda_ctx *ctx, cov_err *err)
{
    COV_CUDA_TRY(cudaStreamSynchronize(ctx->stream), err, "CUDA: waiting for the GPU's work");
    return COV_OK;
}

extern "C" cov_status cov_cuda_alloc(void **out, size_t bytes, cov_err *err)
{
    *out = NULL;
    cudaError_t e = cudaMalloc(out, bytes ? bytes : 1);
    if (e != cudaSuccess) {
        *out = NULL;
        char what[96];
        snprintf(what, sizeof what, "CUDA: allocating %zu bytes of device memory", bytes);
        return cov_cuda_fail(err, e, what);
    }
    return COV_OK;
}

extern "C" void cov_cuda_free(void *device_ptr)
{
    if (device_ptr)
        cudaFree(device_ptr);
}

extern "C" cov_status cov_cuda_upload(cov_cuda_ctx *ctx, void *device_dst, const void *host_src,
                                      size_t bytes, cov_err *err)
{
    COV_CUDA_TRY(cudaMemcpyAsync(device_dst, host_src, bytes, cudaMemcpyHostToDevice,
                                 ctx->stream),
                 err, "CUDA: copying to the GPU");
    return cov_cuda_sync(ctx, err);
}

extern "C" cov_status cov_cuda_download(cov_cuda_ctx *ctx, void *host_dst,
                                        const void *device_src, size_t bytes, cov_err *err)
{
    COV_CUDA_TRY(cudaMemcpyAsync(host_dst, device_src, bytes, cudaMemcpyDeviceToHost,
                                 ctx->stream),
                 err, "CUDA: copying from the GPU");
    return cov_cuda_sync(ctx, err);
}

static __global__ void fill_kernel(float *p, size_t n, float value)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x)
        p[i] = value;
}

extern "C" cov_status cov_cuda_fill_nan(cov_cuda_ctx *ctx, float *device_p, size_t n,
                                        cov_err *err)
{
    fill_kernel<<<cov_cuda_blocks(n, 256), 256, 0, ctx->stream>>>(device_p, n, nanf(""));
    COV_CUDA_LAUNCHED(err, "CUDA: filling with NaN");
    return COV_OK;
}

static __global__ void to_bf16_kernel(__nv_bfloat16 *out, const float *in, size_t n)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x)
        out[i] = __float2bfloat16_rn(in[i]);
}

extern "C" cov_status cov_cuda_to_bf16(cov_cuda_ctx *ctx, cov_bf16 *device_out,
                                       const float *device_in, size_t n, cov_err *err)
{
    to_bf16_kernel<<<cov_cuda_blocks(n, 256), 256, 0, ctx->stream>>>(
        (__nv_bfloat16 *)device_out, device_in, n);
    COV_CUDA_LAUNCHED(err, "CUDA: rounding to bf16");
    return COV_OK;
}

static __global__ void scale_kernel(float *x, size_t n, float s)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x)
        x[i] *= s;
}

extern "C" cov_status cov_cuda_scale(cov_cuda_ctx *ctx, float *device_x, size_t n, float s,
                                     cov_err *err)
{
    scale_kernel<<<cov_cuda_blocks(n, 256), 256, 0, ctx->stream>>>(device_x, n, s);
    COV_CUDA_LAUNCHED(err, "CUDA: scaling");
    return COV_OK;
}

/* Dense (no 2:4 sparsity) BF16 tensor-core peaks, in FLOP/s. NVIDIA's
 * datasheets list the sparse figure with a footnote that dense is half:
 * - H100 SXM5 and H200 SXM: 1,979 TFLOPS sparse → 989.4 dense (H100 Tensor
 *   Core GPU datasheet; H200 Tensor Core GPU datasheet, 2024),
 * - H100 PCIe: 1,513 sparse → 756.5 dense (H100 datasheet),
 * - H100 NVL and H200 NVL: 1,671 sparse → 835.5 dense (per GPU; H100 NVL
 *   datasheet 2024 and H200 datasheet),
 * - GH200: the Hopper GPU of an H100 SXM5 → 989.4 dense,
 * - A100 (SXM4 and PCIe): 312 dense (A100 datasheet).
 * More specific names come first: "H100 PCIe" before "H100". */
static const struct {
    const char *needle;
    double tflops;
} peak_table[] = {
    {"H100 PCIe", 756.5}, {"H100 NVL", 835.5}, {"H200 NVL", 835.5}, {"GH200", 989.4},
    {"H100", 989.4},      {"H200", 989.4},     {"A100", 312.0},
};

extern "C" double cov_cuda_peak_bf16_flops(const char *device_name)
{
    if (!device_name)
        return 0.0;
    for (size_t i = 0; i < sizeof peak_table / sizeof peak_table[0]; i++)
        if (strstr(device_name, peak_table[i].needle))
            return peak_table[i].tflops * 1e12;
    return 0.0;
}
