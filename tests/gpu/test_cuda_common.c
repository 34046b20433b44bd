/* What of kernels/cuda_common.h works without a GPU, so this test runs
 * everywhere kernels/ builds: the peak FLOP/s table (device names as
 * cudaDeviceProp.name spells them), the device count (0, not an error, on
 * a machine without a GPU or driver) and a clear refusal to open a device
 * that is not there. */
#include "gpu_test.h"
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
