/* What of kernels/cuda_common.h works without a GPU, so this test runs
 * everywhere kernels/ builds: the peak FLOP/s table (device names as
 * cudaDeviceProp.name spells them), the device count (0, not an error, on
 * a machine without a GPU or driver), a clear refusal to open a device
 * that is not there, and the host-side grouping of tokens that the
 * embedding backward uses. */
#include "gpu_test.h"
#include "kernels/ops_cuda.h"
#include "train/steplog.h"

static void expect_peak(const char *name, double tflops)
{
    double got = cov_cuda_peak_bf16_flops(name);
    GPU_CHECK(fabs(got - tflops * 1e12) < 1e6, "peak of '%s': %g, want %g TFLOP/s", name,
              got / 1e12, tflops);
}

int main(void)
{
    /* dense bf16: half the datasheets' sparse figures */
    expect_peak("NVIDIA H100 80GB HBM3", 989.4);
    expect_peak("NVIDIA H100 PCIe", 756.5);
    expect_peak("NVIDIA H100 NVL", 835.5);
    expect_peak("NVIDIA H200", 989.4);
    expect_peak("NVIDIA H200 NVL", 835.5);
    expect_peak("NVIDIA GH200 480GB", 989.4);
    expect_peak("NVIDIA A100-SXM4-80GB", 312.0);
    expect_peak("NVIDIA GeForce RTX 4090", 0.0);
    expect_peak(NULL, 0.0);

    /* MFU of a made-up step: 124m, 16 x 512 tokens in 0.1 s on an H100 SXM */
    cov_model_config cfg;
    GPU_OK(cov_model_config_preset(&cfg, "124m", &gpu_err));
    double peak = cov_cuda_peak_bf16_flops("NVIDIA H100 80GB HBM3");
    cov_step_rate r = cov_step_rate_of(&cfg, 512, 16 * 512, 0.1, peak);
    double want = cov_train_flops_per_token(&cfg, 512) * 16 * 512 / 0.1 / peak;
    GPU_CHECK(fabs(r.mfu - want) < 1e-12 && r.mfu > 0.0 && r.mfu < 1.0, "mfu %g, want %g", r.mfu,
              want);
    printf("124m, 8192 tokens in 100 ms on an H100 SXM: %.0f tokens/s, MFU %.1f%%\n",
           r.tokens_per_s, 100.0 * r.mfu);

    /* tokens 5 3 5 0 3 5 → groups 0:{3} 3:{1,4} 5:{0,2,5} */
    const int32_t tokens[6] = {5, 3, 5, 0, 3, 5};
    const int32_t want_ids[3] = {0, 3, 5}, want_starts[4] = {0, 1, 3, 6};
    const int32_t want_order[6] = {3, 1, 4, 0, 2, 5};
    int32_t ids[6], starts[7], order[6];
    int64_t keys[6];
    int groups = 0;
    cov_embedding_groups(ids, starts, order, &groups, keys, tokens, 6);
    GPU_CHECK(groups == 3 && memcmp(ids, want_ids, sizeof want_ids) == 0 &&
                  memcmp(starts, want_starts, sizeof want_starts) == 0 &&
                  memcmp(order, want_order, sizeof want_order) == 0,
              "embedding groups of 5 3 5 0 3 5");

    int n = -1;
    GPU_OK(cov_cuda_device_count(&n, &gpu_err));
    GPU_CHECK(n >= 0, "device count %d", n);
    printf("CUDA devices visible: %d\n", n);
    cov_cuda_ctx *ctx = NULL;
    cov_err e;
    cov_status st = cov_cuda_ctx_new(&ctx, n, &e); /* one past the last device */
    GPU_CHECK(st == COV_ERR_NOT_FOUND && ctx == NULL, "opening device %d: status %d", n, (int)st);
    if (st != COV_OK)
        printf("refused as expected: %s\n", e.msg);
    cov_cuda_ctx_free(ctx);
    return gpu_test_finish("test_cuda_common");
}
