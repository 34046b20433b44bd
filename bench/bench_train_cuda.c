/* Training steps of the GPU model (kernels/model_cuda.h) on one GPU:
 * milliseconds, tokens/s, achieved FLOP/s and MFU per step, like llm.c.
 *   bench_train_cuda [--preset 124m] [--batch 16] [--seq 512] [--steps 10]
 *                    [--accum 1] [--precision bf16|fp32] [--device N]
 * One step = forward + backward per micro-batch, clip, AdamW (train/
 * window.c's inner step), on random tokens; two warm-up steps are not
 * timed. FLOPs per token are train/steplog.h's 6·N + 12·L·H·Q·T; the peak is
 * the device's dense bf16 figure (kernels/cuda_common.cu's table). Prints
 * "no GPU" and exits 0 on a machine without one. */
#include "kernels/cuda_common.h"
#include "kernels/model_cuda.h"
#include "kernels/perf_cuda.h"
#include "train/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_train_cuda [--preset P] [--batch B] [--seq T] [--steps S] "
                    "[--accum A] [--precision bf16|fp32] [--device N]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *preset = "124m", *precision = "bf16";
    int B = 16, T = 512, steps = 10, accum = 1, device = 0;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            return usage();
        const char *flag = argv[i], *val = argv[++i];
        if (strcmp(flag, "--preset") == 0)
            preset = val;
        else if (strcmp(flag, "--precision") == 0)
            precision = val;
        else if (strcmp(flag, "--batch") == 0)
            B = atoi(val);
        else if (strcmp(flag, "--seq") == 0)
            T = atoi(val);
        else if (strcmp(flag, "--steps") == 0)
            steps = atoi(val);
        else if (strcmp(flag, "--accum") == 0)
            accum = atoi(val);
        else if (strcmp(flag, "--device") == 0)
            device = atoi(val);
        else
            return usage();
    }
    cov_cuda_precision prec = strcmp(precision, "fp32") == 0 ? COV_CUDA_FP32 : COV_CUDA_BF16;
    if (B <= 0 || T <= 0 || steps <= 0 || accum <= 0 ||
        (strcmp(precision, "fp32") != 0 && strcmp(precision, "bf16") != 0))
        return usage();

    cov_err err;
    int n_gpus = 0;
    if (cov_cuda_device_count(&n_gpus, &err) != COV_OK || n_gpus == 0) {
        printf("bench_train_cuda: no GPU, nothing to measure\n");
        return 0;
    }
    cov_model_config cfg;
    cov_cuda_ctx *ctx = NULL;
    cov_model *cpu = NULL;
    cov_cuda_model *m = NULL;
    int32_t *tokens = NULL, *targets = NULL;
    int rc = 1;
    if (cov_model_config_preset(&cfg, preset, &err) != COV_OK ||
        cov_cuda_ctx_new(&ctx, device, &err) != COV_OK ||
        cov_model_new(&cpu, &cfg, 1, 1, &err) != COV_OK)
        goto fail;
    if (T > cfg.max_seq_len) {
        fprintf(stderr, "bench_train_cuda: --seq %d is over %s's max_seq_len %d\n", T, preset,
                cfg.max_seq_len);
        goto out;
    }
    cov_model_init_weights(cpu, 1);
    if (cov_cuda_model_new(&m, ctx, &cfg, B, T, prec, &err) != COV_OK ||
        cov_cuda_model_upload(m, cpu, &err) != COV_OK)
        goto fail;
    size_t n = (size_t)accum * B * T;
    tokens = malloc(n * sizeof *tokens);
    targets = malloc(n * sizeof *targets);
    if (!tokens || !targets) {
        fprintf(stderr, "bench_train_cuda: out of memory\n");
        goto out;
    }
    uint64_t s = 42;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        tokens[i] = (int32_t)((s >> 33) % (uint64_t)cfg.vocab_size);
    }
    for (size_t i = 0; i < n; i++) /* next-token targets; the last of each row ignored */
        targets[i] = (i + 1) % (size_t)T ? tokens[i + 1] : -100;

    printf("device: %s (peak bf16 dense %.1f TFLOP/s)\n", cov_cuda_ctx_device_name(ctx),
           cov_cuda_peak_bf16_flops(cov_cuda_ctx_device_name(ctx)) / 1e12);
    printf("model %s: %llu parameters, batch %d x %d, accum %d, %s\n", preset,
           (unsigned long long)cov_model_config_param_count(&cfg), B, T, accum, precision);
    double total = 0.0;
    for (int step = -2; step < steps; step++) {
        float loss = 0.0f, norm = 0.0f;
        double t0 = now_seconds();
        if (cov_cuda_model_train_step(m, tokens, targets, B, T, accum, 1e-4f, 1.0f, &loss, &norm,
                                      &err) != COV_OK)
            goto fail;
        double dt = now_seconds() - t0;
        if (step < 0)
            continue;
        total += dt;
        cov_step_rate r = cov_cuda_step_rate(ctx, &cfg, T, (uint64_t)n, dt);
        printf("step %3d  loss %.4f  norm %.3f  %8.2f ms  %10.0f tok/s  %7.2f TFLOP/s  MFU %5.1f%%\n",
               step + 1, (double)loss, (double)norm, r.ms, r.tokens_per_s, r.flops_per_s / 1e12,
               100.0 * r.mfu);
    }
    cov_step_rate mean = cov_cuda_step_rate(ctx, &cfg, T, (uint64_t)n * (uint64_t)steps, total);
    printf("mean over %d steps: %.2f ms/step, %.0f tokens/s, %.2f TFLOP/s, MFU %.1f%%\n", steps,
           mean.ms / steps, mean.tokens_per_s, mean.flops_per_s / 1e12, 100.0 * mean.mfu);
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "bench_train_cuda: %s\n", err.msg);
out:
    free(tokens);
    free(targets);
    cov_cuda_model_free(m);
    cov_model_free(cpu);
    cov_cuda_ctx_free(ctx);
    return rc;
}
