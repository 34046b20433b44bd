/* One training step (forward + backward + clip + AdamW) of train/'s CPU
 * reference, and what this machine's cblas_sgemm does beside it.
 *   bench_train [--steps S] [--case PRESET:BxT]...
 * Defaults: 10m at 4x256 and 124m at 1x512, one warm-up step then S = 2
 * timed ones each. OMP_NUM_THREADS sets the OpenMP threads (OpenBLAS keeps
 * its own: OPENBLAS_NUM_THREADS).
 *
 * Achieved FLOP/s counts useful work only:
 *   FLOPs/step = 6·N·B·T + 6·L·B·dim·T·(T+1)
 * with N the parameters inside matmuls (every projection and the lm_head,
 * tied or not; not the norms, not the embedding lookup). The first term is
 * the usual 2 (forward) + 4 (backward) FLOPs per weight per token; the
 * second is causal attention: QKᵀ and PV cost 2·dim·T(T+1) per sequence and
 * layer forward, twice that backward (the recomputed scores are not
 * counted). */
#include "train/train.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* GFLOP/s of y[M,N] = x[M,K]·w[N,K]ᵀ, the model's layout, best of a few. */
static double sgemm_gflops(int M, int K, int N)
{
    float *x = calloc((size_t)M * K, sizeof(float)), *w = calloc((size_t)N * K, sizeof(float));
    float *y = calloc((size_t)M * N, sizeof(float));
    if (!x || !w || !y) {
        free(x), free(w), free(y);
        return 0.0;
    }
    for (size_t i = 0; i < (size_t)M * K; i++)
        x[i] = (float)(i % 7) * 0.1f;
    for (size_t i = 0; i < (size_t)N * K; i++)
        w[i] = (float)(i % 5) * 0.1f;
    double best = 1e30;
    for (int r = 0; r < 4; r++) {
        double t0 = now_seconds();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.0f, x, K, w, K, 0.0f,
                    y, N);
        double dt = now_seconds() - t0;
        if (r > 0 && dt < best) /* the first call warms up OpenBLAS's threads */
            best = dt;
    }
    free(x), free(w), free(y);
    return 2.0 * M * K * N / best / 1e9;
}

static int run_case(const char *preset, int B, int T, int steps)
{
    cov_model_config c;
    cov_err err;
    if (cov_model_config_preset(&c, preset, &err) != COV_OK) {
        fprintf(stderr, "bench_train: %s\n", err.msg);
        return 1;
    }
    cov_model *m = NULL;
    cov_adamw *opt = NULL;
    cov_adamw_config ac = cov_adamw_templar_defaults();
    if (cov_model_new(&m, &c, B, T, &err) != COV_OK) {
        fprintf(stderr, "bench_train: %s\n", err.msg);
        return 1;
    }
    size_t n = cov_model_numel(m);
    if (cov_adamw_new(&opt, n, &ac, &err) != COV_OK) {
        fprintf(stderr, "bench_train: %s\n", err.msg);
        cov_model_free(m);
        return 1;
    }
    cov_model_init_weights(m, 1);
    int32_t *tokens = malloc(sizeof(int32_t) * (size_t)B * T * 2);
    if (!tokens) {
        cov_adamw_free(opt);
        cov_model_free(m);
        return 1;
    }
    int32_t *targets = tokens + (size_t)B * T;
    for (int i = 0; i < B * T; i++) {
        tokens[i] = (i * 31 + 7) % c.vocab_size;
        targets[i] = (tokens[i] * 3 + 1) % c.vocab_size;
    }
    double t_fwd = 0, t_bwd = 0, t_opt = 0;
    float loss = 0.0f;
    for (int s = 0; s <= steps; s++) { /* step 0 warms up */
        double t0 = now_seconds();
        if (cov_model_forward(m, tokens, targets, B, T, &loss, &err) != COV_OK)
            break;
        double t1 = now_seconds();
        cov_model_zero_grad(m);
        if (cov_model_backward(m, &err) != COV_OK)
            break;
        double t2 = now_seconds();
        cov_grad_clip_norm(cov_model_grad_data(m), n, 1.0f);
        if (cov_adamw_step(opt, cov_model_param_data(m), cov_model_grad_data(m), n, 1e-4f,
                           &err) != COV_OK)
            break;
        double t3 = now_seconds();
        if (s > 0) {
            t_fwd += t1 - t0;
            t_bwd += t2 - t1;
            t_opt += t3 - t2;
        }
    }
    double matmul_params = (double)cov_model_config_param_count(&c) -
                           (double)c.dim * (2.0 * c.n_layers + 1.0);
    if (!c.tie_embeddings) /* untied, the embedding is a lookup, not a matmul */
        matmul_params -= (double)c.vocab_size * c.dim;
    double tokens_step = (double)B * T;
    double flops = 6.0 * matmul_params * tokens_step +
                   6.0 * c.n_layers * (double)B * c.dim * (double)T * (T + 1);
    double step = (t_fwd + t_bwd + t_opt) / steps;
    printf("%-5s %8.2fM params  %dx%-4d  step %7.3f s (fwd %.3f, bwd %.3f, clip+adamw %.3f)"
           "  %8.0f tokens/s  %6.1f GFLOP/s  (loss %.3f)\n",
           preset, (double)n / 1e6, B, T, step, t_fwd / steps, t_bwd / steps, t_opt / steps,
           tokens_step / step, flops / step / 1e9, (double)loss);
    int ffn = c.ffn_dim;
    printf("      sgemm at this model's FFN shape %dx%dx%d: %.1f GFLOP/s\n", B * T, c.dim, ffn,
           sgemm_gflops(B * T, c.dim, ffn));
    free(tokens);
    cov_adamw_free(opt);
    cov_model_free(m);
    return 0;
}

int main(int argc, char **argv)
{
    int steps = 2;
    const char *cases[16];
    int ncases = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--steps") == 0 && i + 1 < argc)
            steps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--case") == 0 && i + 1 < argc && ncases < 16)
            cases[ncases++] = argv[++i];
        else {
            fprintf(stderr, "usage: bench_train [--steps S] [--case PRESET:BxT]...\n");
            return 2;
        }
    }
    if (steps < 1)
        steps = 1;
    if (ncases == 0) {
        cases[ncases++] = "10m:4x256";
        cases[ncases++] = "124m:1x512";
    }
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    printf("train step: forward + backward + clip + AdamW, %d timed step(s) after one warm-up, "
           "%d OpenMP thread(s)\n",
           steps, threads);
    printf("sgemm 1024x1024x1024: %.1f GFLOP/s\n", sgemm_gflops(1024, 1024, 1024));
    int rc = 0;
    for (int i = 0; i < ncases; i++) {
        char preset[32];
        int B = 0, T = 0;
        if (sscanf(cases[i], "%31[^:]:%dx%d", preset, &B, &T) != 3 || B <= 0 || T <= 0) {
            fprintf(stderr, "bench_train: case '%s' is not PRESET:BxT\n", cases[i]);
            return 2;
        }
        rc |= run_case(preset, B, T, steps);
    }
    return rc;
}
