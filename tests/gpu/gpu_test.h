/* Helpers for the GPU tests (tests/gpu): plain C programs, one per file,
 * that exit 0 (pass), 1 (fail) or 77 (skip: no GPU), for ctest's
 * SKIP_RETURN_CODE. Each compares a kernel with its CPU reference in train/
 * on fresh random inputs, with device outputs poisoned (NaN) first so an
 * element a kernel never wrote fails the comparison. */
#ifndef COVENANT_TESTS_GPU_TEST_H
#define COVENANT_TESTS_GPU_TEST_H

#include "kernels/cuda_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int gpu_test_failures;
/* The error every call in a test fills (pass &gpu_err). */
static cov_err gpu_err;

/* Prints "skipped: no GPU" and exits 77 on a machine without one; else a
 * context on device 0 (COVENANT_CUDA_DEVICE picks another). */
static inline cov_cuda_ctx *gpu_test_ctx_or_skip(void)
{
    int n = 0;
    if (cov_cuda_device_count(&n, &gpu_err) != COV_OK || n == 0) {
        printf("skipped: no GPU\n");
        exit(77);
    }
    const char *dev = getenv("COVENANT_CUDA_DEVICE");
    cov_cuda_ctx *ctx = NULL;
    if (cov_cuda_ctx_new(&ctx, dev ? atoi(dev) : 0, &gpu_err) != COV_OK) {
        fprintf(stderr, "FAIL: %s\n", gpu_err.msg);
        exit(1);
    }
    printf("device: %s\n", cov_cuda_ctx_device_name(ctx));
    return ctx;
}

/* Stops the test when a call (passing &gpu_err) fails, with its message. */
#define GPU_OK(call)                                                                       \
    do {                                                                                   \
        if ((call) != COV_OK) {                                                            \
            fprintf(stderr, "FAIL %s:%d: %s: %s\n", __FILE__, __LINE__, #call,             \
                    gpu_err.msg);                                                          \
            exit(1);                                                                       \
        }                                                                                  \
    } while (0)

#define GPU_CHECK(cond, ...)                                                               \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                           \
            fprintf(stderr, __VA_ARGS__);                                                  \
            fprintf(stderr, "\n");                                                         \
            gpu_test_failures++;                                                           \
        }                                                                                  \
    } while (0)

/* splitmix64-driven uniforms in [lo, hi): fresh, never zeros, reproducible. */
static inline uint64_t gpu_test_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline void gpu_test_fill(float *x, size_t n, float lo, float hi, uint64_t *s)
{
    for (size_t i = 0; i < n; i++)
        x[i] = lo + (hi - lo) * (float)((double)(gpu_test_next(s) >> 11) * 0x1p-53);
}

static inline float *gpu_test_host(size_t n)
{
    float *p = malloc((n ? n : 1) * sizeof(float));
    if (!p) {
        fprintf(stderr, "FAIL: out of host memory\n");
        exit(1);
    }
    return p;
}

/* A device copy of host[n] (or n NaNs when host is NULL). */
static inline float *gpu_test_dev(cov_cuda_ctx *ctx, const float *host, size_t n)
{
    void *p = NULL;
    GPU_OK(cov_cuda_alloc(&p, (n ? n : 1) * sizeof(float), &gpu_err));
    if (host)
        GPU_OK(cov_cuda_upload(ctx, p, host, n * sizeof(float), &gpu_err));
    else
        GPU_OK(cov_cuda_fill_nan(ctx, (float *)p, n, &gpu_err));
    return (float *)p;
}

/* The device array back on the host (freshly allocated). */
static inline float *gpu_test_get(cov_cuda_ctx *ctx, const float *dev, size_t n)
{
    float *h = gpu_test_host(n);
    GPU_OK(cov_cuda_download(ctx, h, dev, n * sizeof(float), &gpu_err));
    return h;
}

/* Every |got − want| ≤ atol + rtol·|want| (NaN fails). Prints the worst
 * element; returns true when all pass. */
static inline int gpu_test_close(const char *what, const float *got, const float *want,
                                 size_t n, double rtol, double atol)
{
    size_t bad = 0, worst = 0;
    double worst_excess = -1.0;
    for (size_t i = 0; i < n; i++) {
        double g = got[i], w = want[i], lim = atol + rtol * fabs(w);
        double diff = fabs(g - w);
        if (!(diff <= lim))
            bad++;
        double excess = isnan(diff) ? INFINITY : diff - lim;
        if (excess > worst_excess) {
            worst_excess = excess;
            worst = i;
        }
    }
    printf("%-40s n=%-8zu worst [%zu] got %.9g want %.9g (rtol %.1e atol %.1e) %s\n", what, n,
           worst, n ? (double)got[worst] : 0.0, n ? (double)want[worst] : 0.0, rtol, atol,
           bad ? "FAIL" : "ok");
    GPU_CHECK(bad == 0, "%s: %zu of %zu elements outside the tolerance", what, bad, n);
    return bad == 0;
}

/* fp32 → bf16 → fp32, round to nearest even (what __float2bfloat16_rn
 * does for finite values): the CPU side of the bf16 comparisons. */
static inline float gpu_test_round_bf16(float x)
{
    uint32_t u;
    memcpy(&u, &x, 4);
    u += 0x7FFFu + ((u >> 16) & 1u);
    u &= 0xFFFF0000u;
    float r;
    memcpy(&r, &u, 4);
    return r;
}

static inline int gpu_test_finish(const char *name)
{
    if (gpu_test_failures) {
        printf("%s: %d check(s) FAILED\n", name, gpu_test_failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}

#endif
