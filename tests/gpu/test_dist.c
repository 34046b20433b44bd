/* Data parallel ZeRO-1 (kernels/dist.h) against the CPU's AdamW.
 *
 * A quadratic "model" whose gradient the host computes, so that only the
 * distributed optimizer is under test: the loss of a batch is
 * c/2 · mean_i |θ − x_i|², its gradient c·(θ − mean_i x_i). n = 10007 (a
 * prime: the last bucket is padded), buckets of 1000, 6 steps, clipping to
 * 1.0 active on some steps and not on others.
 *
 *   1. one rank (one GPU) on the batch of 8 samples against train/optim.c's
 *      cov_grad_clip_norm + cov_adamw_step on the same batch: |Δθ| ≤ 1e-6
 *      (the same float operations; the norm's double sum goes in another
 *      order, which can move the clip coefficient by an ulp);
 *   2. two ranks (two GPUs, one thread each) on 4 samples each against (1):
 *      |Δθ| ≤ 1e-5 (the mean gradient is (g₀ + g₁)·½ in float instead of one
 *      mean on the host: a few ulps, which AdamW's m/√v turns into at most
 *      ~lr·1e-4 per step); the two ranks' parameters IDENTICAL; half the
 *      buckets announced with cov_zero1_grads_ready (the overlapped path),
 *      the rest left to cov_zero1_step; rank 1's copy of rank 0's slices
 *      poisoned with NaN before each step (the all-gather must overwrite
 *      them).
 *
 * Without a GPU: "skipped: no GPU", exit 77. With one: (1) runs, then
 * "skipped: needs 2 GPUs", exit 77. NOT RUN YET: written and compiled on a
 * machine without a GPU. */
#include "kernels/cuda_common.h"
#include "kernels/dist.h"
#include "train/optim.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N = 10007, BUCKET = 1000, SAMPLES = 8, STEPS = 6 };
static const float LR = 1e-2f, MAX_NORM = 1.0f;
/* c: the gradient scale, so that |g| sits around the clip threshold. */
static const double C = 0.01;

static int failures;

#define EXPECT(cond, ...)                                                \
    do {                                                                 \
        if (!(cond)) {                                                   \
            failures++;                                                  \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);         \
            fprintf(stderr, __VA_ARGS__);                                \
            fputc('\n', stderr);                                         \
        }                                                                \
    } while (0)

static float *theta0, *xs; /* θ at the start; SAMPLES × N samples */

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;

static double normal(void)
{
    /* xorshift64* into Box–Muller: fresh, non-zero, reproducible. */
    double u[2];
    for (int k = 0; k < 2; k++) {
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        u[k] = ((double)((rng_state * 2685821657736338717ull) >> 11) + 0.5) / 9007199254740992.0;
    }
    return sqrt(-2.0 * log(u[0])) * cos(6.283185307179586 * u[1]);
}

/* g = c·(θ − mean of samples [lo, hi)), in double, rounded once. The scale
 * grows with the step so that the clip is active on later steps only. */
static void gradient(float *g, const float *theta, int lo, int hi, int step)
{
    double scale = C * (0.25 + 0.5 * step);
    for (size_t j = 0; j < N; j++) {
        double mean = 0.0;
        for (int i = lo; i < hi; i++)
            mean += xs[(size_t)i * N + j];
        mean /= (double)(hi - lo);
        g[j] = (float)(scale * ((double)theta[j] - mean));
    }
}

/* ------------------------------------------------------- the reference */

static void cpu_reference(float *theta, float *norms)
{
    cov_err err = {0};
    cov_adamw_config ac = cov_adamw_templar_defaults();
    cov_adamw *opt = NULL;
    if (cov_adamw_new(&opt, N, &ac, &err) != COV_OK) {
        fprintf(stderr, "FAIL: %s\n", err.msg);
        exit(1);
    }
    float *g = malloc(N * sizeof *g);
    memcpy(theta, theta0, N * sizeof *theta);
    for (int s = 0; s < STEPS; s++) {
        gradient(g, theta, 0, SAMPLES, s);
        norms[s] = cov_grad_clip_norm(g, N, MAX_NORM);
        if (cov_adamw_step(opt, theta, g, N, LR, &err) != COV_OK) {
            fprintf(stderr, "FAIL: %s\n", err.msg);
            exit(1);
        }
    }
    free(g);
    cov_adamw_free(opt);
}

/* ------------------------------------------------------------ one rank */

typedef struct {
    int rank, world;
    const uint8_t *id;
    float *theta;      /* out: the final parameters (host) */
    float norms[STEPS];
    cov_status st;
    cov_err err;
} rank_job;

/* Poisons, on rank 1, the elements of every bucket that rank 0 owns. */
static cov_status poison_rank0_slices(cov_cuda_ctx *ctx, cov_zero1 *z, float *d_theta, int world,
                                      cov_err *err)
{
    for (size_t b = 0; b < cov_zero1_bucket_count(z); b++) {
        size_t first = 0, count = 0;
        cov_zero1_bucket_range(z, b, &first, &count);
        size_t s = (count + (size_t)world - 1) / (size_t)world;
        cov_status st = cov_cuda_fill_nan(ctx, d_theta + first, s < count ? s : count, err);
        if (st != COV_OK)
            return st;
    }
    return cov_cuda_sync(ctx, err);
}

static cov_status rank_steps(rank_job *j, cov_cuda_ctx *ctx, cov_zero1 *z, float *d_theta,
                             float *d_grad)
{
    cov_err *err = &j->err;
    float *g = malloc(N * sizeof *g);
    if (!g)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    int per = SAMPLES / j->world;
    cov_status st = cov_cuda_upload(ctx, d_theta, theta0, N * sizeof(float), err);
    for (int s = 0; s < STEPS && st == COV_OK; s++) {
        st = cov_cuda_download(ctx, j->theta, d_theta, N * sizeof(float), err);
        if (st != COV_OK)
            break;
        gradient(g, j->theta, j->rank * per, (j->rank + 1) * per, s);
        st = cov_cuda_upload(ctx, d_grad, g, N * sizeof(float), err);
        if (st == COV_OK && j->world > 1 && j->rank == 1)
            st = poison_rank0_slices(ctx, z, d_theta, j->world, err);
        /* The overlapped path for the upper half of the buckets, last
         * first, as a backward would announce them. */
        size_t nb = cov_zero1_bucket_count(z);
        for (size_t b = nb; j->world > 1 && b-- > nb / 2 && st == COV_OK;)
            st = cov_zero1_grads_ready(z, b, d_grad, err);
        if (st == COV_OK)
            st = cov_zero1_step(z, d_theta, d_grad, LR, MAX_NORM, &j->norms[s], err);
    }
    if (st == COV_OK)
        st = cov_cuda_download(ctx, j->theta, d_theta, N * sizeof(float), err);
    free(g);
    return st;
}

static void *rank_main(void *arg)
{
    rank_job *j = arg;
    cov_cuda_ctx *ctx = NULL;
    cov_dist *d = NULL;
    cov_zero1 *z = NULL;
    void *d_theta = NULL, *d_grad = NULL;
    cov_adamw_config ac = cov_adamw_templar_defaults();
    j->st = cov_cuda_ctx_new(&ctx, j->rank, &j->err);
    if (j->st == COV_OK)
        j->st = cov_dist_new(&d, ctx, j->id, j->rank, j->world, &j->err);
    if (j->st == COV_OK)
        j->st = cov_zero1_new(&z, d, N, &ac, BUCKET, &j->err);
    if (j->st == COV_OK)
        j->st = cov_cuda_alloc(&d_theta, N * sizeof(float), &j->err);
    if (j->st == COV_OK)
        j->st = cov_cuda_alloc(&d_grad, N * sizeof(float), &j->err);
    if (j->st == COV_OK)
        j->st = rank_steps(j, ctx, z, d_theta, d_grad);
    cov_cuda_free(d_theta);
    cov_cuda_free(d_grad);
    cov_zero1_free(z);
    cov_dist_free(d);
    cov_cuda_ctx_free(ctx);
    return NULL;
}

/* Runs world ranks (threads, GPU r for rank r); results in jobs[]. */
static void run_ranks(rank_job *jobs, int world)
{
    static uint8_t id[COV_DIST_ID_BYTES];
    cov_err err = {0};
    if (cov_dist_unique_id(id, &err) != COV_OK) {
        fprintf(stderr, "FAIL: %s\n", err.msg);
        exit(1);
    }
    pthread_t th[8];
    for (int r = 0; r < world; r++) {
        memset(&jobs[r], 0, sizeof jobs[r]);
        jobs[r].rank = r;
        jobs[r].world = world;
        jobs[r].id = id;
        jobs[r].theta = malloc(N * sizeof(float));
        if (!jobs[r].theta || pthread_create(&th[r], NULL, rank_main, &jobs[r]) != 0) {
            fprintf(stderr, "FAIL: cannot start rank %d\n", r);
            exit(1);
        }
    }
    for (int r = 0; r < world; r++) {
        pthread_join(th[r], NULL);
        EXPECT(jobs[r].st == COV_OK, "rank %d of %d: %s", r, world, jobs[r].err.msg);
    }
}

static double max_abs_diff(const float *a, const float *b, size_t n, size_t *nonfinite)
{
    double worst = 0.0;
    *nonfinite = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(a[i]) || !isfinite(b[i])) {
            (*nonfinite)++;
            continue;
        }
        double d = fabs((double)a[i] - (double)b[i]);
        worst = d > worst ? d : worst;
    }
    return worst;
}

int main(void)
{
    cov_err err = {0};
    int gpus = 0;
    if (cov_cuda_device_count(&gpus, &err) != COV_OK || gpus < 1) {
        printf("skipped: no GPU\n");
        return 77;
    }
    theta0 = malloc(N * sizeof *theta0);
    xs = malloc((size_t)SAMPLES * N * sizeof *xs);
    float *ref = malloc(N * sizeof *ref);
    float ref_norms[STEPS];
    for (size_t j = 0; j < N; j++)
        theta0[j] = (float)normal();
    for (size_t i = 0; i < (size_t)SAMPLES * N; i++)
        xs[i] = (float)normal();
    cpu_reference(ref, ref_norms);
    int clipped = 0;
    for (int s = 0; s < STEPS; s++)
        clipped += ref_norms[s] > MAX_NORM;
    EXPECT(clipped > 0 && clipped < STEPS, "the clip should be active on some steps only (%d)",
           clipped);

    /* 1. One rank against the CPU. */
    rank_job one[1];
    run_ranks(one, 1);
    size_t bad = 0;
    double d1 = failures ? INFINITY : max_abs_diff(one[0].theta, ref, N, &bad);
    EXPECT(bad == 0 && d1 <= 1e-6, "1 rank vs CPU: max |dθ| %.3g, %zu non-finite (tol 1e-6)", d1,
           bad);
    for (int s = 0; s < STEPS; s++)
        EXPECT(fabsf(one[0].norms[s] - ref_norms[s]) <= 1e-5f * ref_norms[s],
               "step %d: norm %.9g on the GPU, %.9g on the CPU (tol 1e-5 relative)", s,
               (double)one[0].norms[s], (double)ref_norms[s]);
    printf("1 rank vs CPU AdamW: max |dtheta| %.3g over %d steps\n", d1, STEPS);

    if (gpus < 2) {
        free(one[0].theta);
        if (failures) {
            printf("test_dist: %d failure(s)\n", failures);
            return 1;
        }
        printf("skipped: needs 2 GPUs\n");
        return 77;
    }

    /* 2. Two ranks, half the batch each. */
    rank_job two[2];
    run_ranks(two, 2);
    if (two[0].st == COV_OK && two[1].st == COV_OK) {
        EXPECT(memcmp(two[0].theta, two[1].theta, N * sizeof(float)) == 0,
               "the two ranks' parameters differ");
        double d2 = max_abs_diff(two[0].theta, one[0].theta, N, &bad);
        EXPECT(bad == 0 && d2 <= 1e-5, "2 ranks vs 1: max |dθ| %.3g, %zu non-finite (tol 1e-5)",
               d2, bad);
        for (int s = 0; s < STEPS; s++)
            EXPECT(fabsf(two[0].norms[s] - one[0].norms[s]) <= 1e-5f * one[0].norms[s],
                   "step %d: norm %.9g on 2 ranks, %.9g on 1", s, (double)two[0].norms[s],
                   (double)one[0].norms[s]);
        printf("2 ranks vs 1 rank on the whole batch: max |dtheta| %.3g\n", d2);
    }
    for (int r = 0; r < 2; r++)
        free(two[r].theta);
    free(one[0].theta);
    free(ref);
    free(theta0);
    free(xs);
    if (failures) {
        printf("test_dist: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_dist: all checks passed\n");
    return 0;
}
