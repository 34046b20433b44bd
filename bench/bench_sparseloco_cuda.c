/* SparseLoCo on the GPU (kernels/sparseloco_cuda.h) in GB/s beside a
 * measured device-to-device copy.
 *
 *   bench_sparseloco_cuda [--reps R] [--peers P] [--json]
 *
 * Cases: one 4096x4096 tensor and the whole "124m" model (every tensor of
 * train/model.h's layout once, in order). For each: compression (EF
 * update, top-k, quantization, packing, EF subtraction, the small results
 * copied back to the host), the validator's single-peer application
 * ("decompress": dequantize, scatter, θ update) and the outer step over P
 * peers. GB/s counts the fp32 tensor's bytes once (numel·4 / seconds); the
 * copy's GB/s counts the bytes copied (it reads and writes each once, as
 * compression reads Δ and reads and writes the EF). Each figure is the
 * median of R runs after one untimed run; the data are standard normal.
 * Without a GPU it says "skipped: no GPU" and exits 77. */
#include "kernels/sparseloco_cuda.h"
#include "train/config.h"
#include "train/model.h"
#include "train/pgrad.h"

#include <cuda_runtime_api.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static uint64_t rng = 0x853c49e6748fea9bull;
static double next_unit(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}

static float next_normal(void)
{
    return (float)(sqrt(-2.0 * log(next_unit())) * cos(6.283185307179586 * next_unit()));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int fail_cuda(cudaError_t e, const char *what)
{
    fprintf(stderr, "bench_sparseloco_cuda: %s: %s\n", what, cudaGetErrorString(e));
    return -1;
}

static int fail(const cov_err *err)
{
    fprintf(stderr, "bench_sparseloco_cuda: %s\n", err->msg);
    return -1;
}

/* A device buffer of n standard normals. */
static float *device_normals(size_t n)
{
    float *h = malloc(n * sizeof *h), *d = NULL;
    if (!h)
        return NULL;
    for (size_t i = 0; i < n; i++)
        h[i] = next_normal();
    if (cudaMalloc((void **)&d, n * sizeof *d) != cudaSuccess ||
        cudaMemcpy(d, h, n * sizeof *d, cudaMemcpyHostToDevice) != cudaSuccess) {
        cudaFree(d);
        d = NULL;
    }
    free(h);
    return d;
}

/* What one timed case runs: compress, apply one peer, outer step. */
typedef enum { RUN_COMPRESS, RUN_APPLY_ONE, RUN_OUTER } run_kind;

typedef struct {
    cov_sparseloco_cuda *s;
    size_t n_tensors;
    cov_tensor_view *ef, *delta, *theta; /* device views */
    cov_pgrad **peers;                   /* [n_peers], filled by compressing */
    size_t n_peers;
    float *medians;                      /* [n_tensors] */
    cov_sparseloco_tensor_result *res;   /* [n_tensors] */
} bench_case;

static int run(bench_case *b, run_kind kind, size_t peer)
{
    cov_err err;
    cov_pgrad_step_result r = {.tensors = b->res};
    cov_status st = COV_OK;
    if (kind == RUN_COMPRESS)
        st = cov_pgrad_cuda_compress(b->s, b->peers[peer], b->ef, b->delta, &err);
    else if (kind == RUN_APPLY_ONE)
        st = cov_pgrad_cuda_apply_one(b->s, b->theta, b->n_tensors, b->peers[0], b->medians, 1e-6,
                                      1.0, &r, &err);
    else
        st = cov_pgrad_cuda_outer_step(b->s, b->theta, b->n_tensors,
                                       (const cov_pgrad *const *)b->peers, b->n_peers, 1e-6f, &r,
                                       &err);
    return st == COV_OK ? 0 : fail(&err);
}

/* Median seconds of reps runs after one untimed run. */
static double time_run(bench_case *b, run_kind kind, int reps)
{
    double *t = malloc((size_t)reps * sizeof *t);
    if (!t)
        return -1;
    for (int r = -1; r < reps; r++) {
        double start = now_s();
        if (run(b, kind, 0) != 0) {
            free(t);
            return -1;
        }
        if (r >= 0)
            t[r] = now_s() - start;
    }
    qsort(t, (size_t)reps, sizeof *t, cmp_double);
    double m = t[reps / 2];
    free(t);
    return m;
}

/* Median seconds of a device-to-device copy of bytes: 20 copies queued
 * back to back per timing, so launch latency does not count against the
 * copy (the SparseLoCo figures include theirs: they are whole API calls). */
static double time_copy(size_t bytes, int reps)
{
    void *a = NULL, *b = NULL;
    if (cudaMalloc(&a, bytes) != cudaSuccess || cudaMalloc(&b, bytes) != cudaSuccess ||
        cudaMemset(a, 1, bytes) != cudaSuccess) {
        cudaFree(a);
        return -1;
    }
    double *t = malloc((size_t)reps * sizeof *t), m = -1;
    for (int r = -1; t && r < reps; r++) {
        double start = now_s();
        cudaError_t e = cudaSuccess;
        for (int i = 0; i < 20 && e == cudaSuccess; i++)
            e = cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice, 0);
        if (e == cudaSuccess)
            e = cudaDeviceSynchronize();
        if (e != cudaSuccess) {
            fail_cuda(e, "device-to-device copy");
            free(t);
            t = NULL;
            break;
        }
        if (r >= 0)
            t[r] = (now_s() - start) / 20.0;
    }
    if (t) {
        qsort(t, (size_t)reps, sizeof *t, cmp_double);
        m = t[reps / 2];
        free(t);
    }
    cudaFree(a);
    cudaFree(b);
    return m;
}

static void report(bool json, const char *name, const char *what, size_t bytes, double s,
                   double copy_gbs)
{
    double gbs = (double)bytes / s / 1e9;
    if (json)
        printf("{\"case\":\"%s\",\"run\":\"%s\",\"bytes\":%zu,\"ms\":%.4f,\"gbs\":%.2f,"
               "\"of_copy\":%.3f}\n", name, what, bytes, 1e3 * s, gbs, gbs / copy_gbs);
    else
        printf("%-10s %-22s %10.3f ms %9.1f GB/s %6.1f%% of copy\n", name, what, 1e3 * s, gbs,
               100.0 * gbs / copy_gbs);
}

/* Times one set of device tensors (views with names and shapes). */
static int bench_views(cov_cuda_ctx *ctx, const char *name, const cov_tensor_view *views,
                       size_t n_tensors, size_t n_peers, int reps, bool json, double copy_gbs)
{
    cov_err err;
    cov_sparseloco_config cfg;
    cov_sparseloco_config_defaults(&cfg);
    bench_case b = {.n_tensors = n_tensors, .n_peers = n_peers};
    size_t numel = 0;
    for (size_t i = 0; i < n_tensors; i++)
        numel += views[i].numel;
    b.ef = calloc(n_tensors, sizeof *b.ef);
    b.delta = calloc(n_tensors, sizeof *b.delta);
    b.theta = calloc(n_tensors, sizeof *b.theta);
    b.peers = calloc(n_peers, sizeof *b.peers);
    b.medians = calloc(n_tensors, sizeof *b.medians);
    b.res = calloc(n_tensors, sizeof *b.res);
    float *ef = device_normals(numel), *delta = device_normals(numel);
    float *theta = device_normals(numel);
    int rc = -1;
    uint8_t hash[32] = {0};
    if (!b.ef || !b.delta || !b.theta || !b.peers || !b.medians || !b.res || !ef || !delta ||
        !theta) {
        fprintf(stderr, "bench_sparseloco_cuda: out of host or device memory\n");
        goto done;
    }
    for (size_t i = 0, off = 0; i < n_tensors; off += views[i].numel, i++) {
        b.ef[i] = b.delta[i] = b.theta[i] = views[i];
        b.ef[i].data = ef + off;
        b.delta[i].data = delta + off;
        b.theta[i].data = theta + off;
    }
    if (cov_sparseloco_cuda_new(&b.s, &cfg, ctx, &err) != COV_OK) {
        fail(&err);
        goto done;
    }
    for (size_t p = 0; p < n_peers; p++)
        if (cov_pgrad_new(&b.peers[p], hash, 1, (uint16_t)p, views, n_tensors, &cfg, &err) !=
            COV_OK) {
            fail(&err);
            goto done;
        }
    /* The peers: successive windows of one sender (the EF carried), so each
     * keeps other coordinates. */
    for (size_t p = n_peers; p-- > 0;)
        if (run(&b, RUN_COMPRESS, p) != 0)
            goto done;
    if (cov_pgrad_median_norms(b.medians, (const cov_pgrad *const *)b.peers, n_peers, &err) !=
        COV_OK) {
        fail(&err);
        goto done;
    }
    const size_t bytes = numel * sizeof(float);
    double s;
    if ((s = time_run(&b, RUN_COMPRESS, reps)) < 0)
        goto done;
    report(json, name, "compress", bytes, s, copy_gbs);
    if ((s = time_run(&b, RUN_APPLY_ONE, reps)) < 0)
        goto done;
    report(json, name, "decompress+apply, 1 peer", bytes, s, copy_gbs);
    if ((s = time_run(&b, RUN_OUTER, reps)) < 0)
        goto done;
    char what[48];
    snprintf(what, sizeof what, "outer step, %zu peers", n_peers);
    report(json, name, what, bytes, s, copy_gbs);
    rc = 0;
done:
    for (size_t p = 0; b.peers && p < n_peers; p++)
        cov_pgrad_free(b.peers[p]);
    cov_sparseloco_cuda_free(b.s);
    cudaFree(ef);
    cudaFree(delta);
    cudaFree(theta);
    free(b.ef);
    free(b.delta);
    free(b.theta);
    free(b.peers);
    free(b.medians);
    free(b.res);
    return rc;
}

int main(int argc, char **argv)
{
    int reps = 10, peers = 8;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--peers") == 0 && i + 1 < argc)
            peers = atoi(argv[++i]);
        else if (strcmp(argv[i], "--json") == 0)
            json = true;
        else {
            fprintf(stderr, "usage: bench_sparseloco_cuda [--reps R] [--peers P] [--json]\n");
            return 2;
        }
    }
    if (reps < 1)
        reps = 1;
    if (peers < 1)
        peers = 1;
    cov_err err;
    int devices = 0;
    if (cov_cuda_device_count(&devices, &err) != COV_OK || devices == 0) {
        printf("skipped: no GPU\n");
        return 77;
    }
    cov_cuda_ctx *ctx = NULL;
    if (cov_cuda_ctx_new(&ctx, 0, &err) != COV_OK) {
        fail(&err);
        return 1;
    }
    const char *device = cov_cuda_ctx_device_name(ctx);

    const size_t big = (size_t)4096 * 4096;
    double copy_s = time_copy(big * sizeof(float), reps);
    if (copy_s < 0) {
        cov_cuda_ctx_free(ctx);
        return 1;
    }
    double copy_gbs = (double)(big * sizeof(float)) / copy_s / 1e9;
    if (json)
        printf("{\"device\":\"%s\",\"copy_bytes\":%zu,\"copy_gbs\":%.2f}\n", device,
               big * sizeof(float), copy_gbs);
    else
        printf("%s, median of %d; device-to-device copy of 64 MiB: %.1f GB/s\n", device,
               reps, copy_gbs);

    cov_tensor_view one = {.name = "w", .ndim = 2, .shape = {4096, 4096}, .numel = big};
    int rc = bench_views(ctx, "4096x4096", &one, 1, (size_t)peers, reps, json, copy_gbs);
    cov_model_config mc;
    cov_model *m = NULL;
    if (rc == 0 && (cov_model_config_preset(&mc, "124m", &err) != COV_OK ||
                    cov_model_new(&m, &mc, 1, 16, &err) != COV_OK))
        rc = fail(&err);
    if (rc == 0)
        rc = bench_views(ctx, "124m", cov_model_params(m), cov_model_tensor_count(m),
                         (size_t)peers, reps, json, copy_gbs);
    cov_model_free(m);
    cov_cuda_ctx_free(ctx);
    return rc ? 1 : 0;
}
