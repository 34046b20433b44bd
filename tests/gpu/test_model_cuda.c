/* The GPU model (kernels/model_cuda.h) against train/'s CPU model: the
 * loss, every gradient tensor, and the parameters after whole training
 * steps (train/window.c's inner step: micro-batches, mean gradient,
 * clipping, AdamW), on the fp32 path (tight) and the bf16 path (loose).
 * Device gradients are poisoned (NaN) before each step, host buffers
 * before each download, so nothing unwritten passes. */
#include "gpu_test.h"
#include "kernels/model_cuda.h"
#include "train/model.h"
#include "train/ops.h"
#include "train/optim.h"

static uint64_t seed = 0x5eed0002;

static void make_batch(int32_t *tokens, int32_t *targets, size_t n, int V)
{
    for (size_t i = 0; i < n; i++) {
        tokens[i] = (int32_t)(gpu_test_next(&seed) % (uint64_t)V);
        targets[i] = i % 7 == 5 ? COV_IGNORE_INDEX : (int32_t)(gpu_test_next(&seed) % (uint64_t)V);
    }
}

static float max_abs(const float *x, size_t n)
{
    float m = 0.0f;
    for (size_t i = 0; i < n; i++)
        m = fabsf(x[i]) > m ? fabsf(x[i]) : m;
    return m;
}

/* The CPU's inner step, as train/window.c runs it. */
static float cpu_step(cov_model *m, cov_adamw *opt, const int32_t *tokens,
                      const int32_t *targets, int B, int T, int accum, float lr, float max_norm,
                      float *norm)
{
    size_t per = (size_t)B * T, n = cov_model_numel(m);
    double sum = 0.0;
    cov_model_zero_grad(m);
    for (int a = 0; a < accum; a++) {
        float loss = 0.0f;
        GPU_OK(cov_model_forward(m, tokens + a * per, targets + a * per, B, T, &loss, &gpu_err));
        GPU_OK(cov_model_backward(m, &gpu_err));
        sum += loss;
    }
    float *g = cov_model_grad_data(m);
    if (accum > 1)
        for (size_t i = 0; i < n; i++)
            g[i] *= 1.0f / (float)accum;
    *norm = cov_grad_clip_norm(g, n, max_norm);
    GPU_OK(cov_adamw_step(opt, cov_model_param_data(m), g, n, lr, &gpu_err));
    return (float)(sum / accum);
}

static void poison_host(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = NAN;
}

static void test_config(cov_cuda_ctx *ctx, const cov_model_config *cfg, cov_cuda_precision prec)
{
    const bool fp32 = prec == COV_CUDA_FP32;
    const char *pname = fp32 ? "fp32" : "bf16";
    const int B = 2, T = cfg->max_seq_len < 16 ? cfg->max_seq_len : 16, accum = 2;
    size_t per = (size_t)B * T;
    char what[160];

    cov_model *cpu = NULL;
    GPU_OK(cov_model_new(&cpu, cfg, B, T, &gpu_err));
    cov_model_init_weights(cpu, 1234);
    cov_cuda_model *gpu = NULL;
    GPU_OK(cov_cuda_model_new(&gpu, ctx, cfg, B, T, prec, &gpu_err));
    GPU_OK(cov_cuda_model_upload(gpu, cpu, &gpu_err));
    size_t n = cov_model_numel(cpu);
    GPU_CHECK(cov_cuda_model_numel(gpu) == n, "numel %zu vs CPU %zu", cov_cuda_model_numel(gpu), n);

    int32_t *tokens = malloc(accum * per * sizeof(int32_t));
    int32_t *targets = malloc(accum * per * sizeof(int32_t));
    make_batch(tokens, targets, accum * per, cfg->vocab_size);

    /* one forward + backward: the loss and each gradient tensor */
    float loss_cpu = 0.0f, loss_gpu = NAN;
    cov_model_zero_grad(cpu);
    GPU_OK(cov_model_forward(cpu, tokens, targets, B, T, &loss_cpu, &gpu_err));
    GPU_OK(cov_model_backward(cpu, &gpu_err));
    GPU_OK(cov_cuda_fill_nan(ctx, cov_cuda_model_grads(gpu), n, &gpu_err));
    GPU_OK(cov_cuda_model_zero_grad(gpu, &gpu_err));
    GPU_OK(cov_cuda_model_forward(gpu, tokens, targets, B, T, &loss_gpu, &gpu_err));
    GPU_OK(cov_cuda_model_backward(gpu, &gpu_err));
    GPU_CHECK(cov_cuda_model_target_count(gpu) == cov_model_target_count(cpu),
              "target count %lld vs CPU %lld", (long long)cov_cuda_model_target_count(gpu),
              (long long)cov_model_target_count(cpu));
    snprintf(what, sizeof what, "%s %s loss", cfg->name, pname);
    /* fp32: rounding of different sum orders; bf16: operands rounded to 8 bits */
    gpu_test_close(what, &loss_gpu, &loss_cpu, 1, fp32 ? 1e-5 : 2e-2, 0);

    float *grads = gpu_test_host(n);
    poison_host(grads, n);
    GPU_OK(cov_cuda_model_download_grads(gpu, grads, n, &gpu_err));
    const cov_tensor_view *gv = cov_model_grads(cpu);
    const float *gbase = cov_model_grad_data(cpu);
    double err2 = 0.0, ref2 = 0.0;
    for (size_t t = 0; t < cov_model_tensor_count(cpu); t++) {
        size_t off = (size_t)(gv[t].data - gbase);
        for (size_t i = 0; i < gv[t].numel; i++) {
            double d = (double)grads[off + i] - gv[t].data[i];
            err2 += d * d;
            ref2 += (double)gv[t].data[i] * gv[t].data[i];
        }
        if (fp32) {
            /* each tensor within 1e-3 of its largest element's magnitude
             * (fp32 sums in other orders through two layers) */
            snprintf(what, sizeof what, "%s fp32 grad %s", cfg->name, gv[t].name);
            float scale = max_abs(gv[t].data, gv[t].numel);
            gpu_test_close(what, grads + off, gv[t].data, gv[t].numel, 1e-3, 1e-3 * scale + 1e-9);
        }
    }
    double rel = sqrt(err2 / (ref2 > 0 ? ref2 : 1));
    printf("%-40s relative L2 error %.3g\n", fp32 ? "fp32 gradients" : "bf16 gradients", rel);
    /* all gradients together: fp32 1e-4; bf16 1e-1 (8-bit operands through
     * two layers; a transposed or misplaced operand gives errors near 1) */
    GPU_CHECK(rel <= (fp32 ? 1e-4 : 1e-1), "%s %s gradients: relative L2 error %g", cfg->name,
              pname, rel);

    /* two whole training steps, two micro-batches each, clipping active */
    cov_adamw_config acfg = cov_adamw_templar_defaults();
    cov_adamw *opt = NULL;
    GPU_OK(cov_adamw_new(&opt, n, &acfg, &gpu_err));
    const float lr = 1e-3f, max_norm = 0.5f;
    for (int step = 0; step < 2; step++) {
        float norm_cpu = 0.0f, norm_gpu = NAN, lg = NAN;
        float lc = cpu_step(cpu, opt, tokens, targets, B, T, accum, lr, max_norm, &norm_cpu);
        GPU_OK(cov_cuda_fill_nan(ctx, cov_cuda_model_grads(gpu), n, &gpu_err));
        GPU_OK(cov_cuda_model_train_step(gpu, tokens, targets, B, T, accum, lr, max_norm, &lg,
                                         &norm_gpu, &gpu_err));
        snprintf(what, sizeof what, "%s %s step %d loss", cfg->name, pname, step + 1);
        gpu_test_close(what, &lg, &lc, 1, fp32 ? 1e-5 : 2e-2, 0);
        snprintf(what, sizeof what, "%s %s step %d grad norm", cfg->name, pname, step + 1);
        gpu_test_close(what, &norm_gpu, &norm_cpu, 1, fp32 ? 1e-4 : 1e-1, 0);
    }
    GPU_CHECK(cov_cuda_model_step_count(gpu) == 2, "AdamW step count %lld",
              (long long)cov_cuda_model_step_count(gpu));
    float *params = gpu_test_host(n);
    poison_host(params, n);
    GPU_OK(cov_cuda_model_download_params(gpu, params, n, &gpu_err));
    const float *pc = cov_model_param_data(cpu);
    /* AdamW's first steps move a parameter by up to lr·|m̂|/√v̂ ≈ lr
     * whatever the gradient's size, so a gradient near zero that differs
     * by rounding can move a parameter differently by up to ~2·lr per
     * step. fp32: at most 0.1% of parameters may differ by more than
     * lr/20, none by more than 4·lr (2 steps); bf16: none by more than 4·lr. */
    size_t far = 0, wild = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)params[i] - pc[i]);
        far += !(d <= 0.05 * lr + 1e-7);
        wild += !(d <= 4.0 * lr);
    }
    printf("%-40s %zu of %zu beyond lr/20, %zu beyond 4·lr\n", fp32 ? "fp32 params after 2 steps"
                                                                    : "bf16 params after 2 steps",
           far, n, wild);
    GPU_CHECK(wild == 0, "%s %s: %zu parameters moved more than 4·lr away from the CPU's",
              cfg->name, pname, wild);
    if (fp32)
        GPU_CHECK(far * 1000 <= n, "%s fp32: %zu of %zu parameters beyond lr/20", cfg->name, far,
                  n);

    /* the AdamW state comes back, and bad ids are refused before any work */
    float *m1 = gpu_test_host(n);
    int64_t steps = -1;
    poison_host(m1, n);
    GPU_OK(cov_cuda_model_download_adamw(gpu, m1, NULL, n, &steps, &gpu_err));
    GPU_CHECK(steps == 2, "downloaded AdamW step %lld", (long long)steps);
    snprintf(what, sizeof what, "%s %s exp_avg", cfg->name, pname);
    if (fp32)
        gpu_test_close(what, m1, cov_adamw_exp_avg(opt), n, 1e-2,
                       1e-3 * max_abs(cov_adamw_exp_avg(opt), n) + 1e-9);
    tokens[3] = cfg->vocab_size;
    float dummy = 0.0f;
    cov_err e;
    GPU_CHECK(cov_cuda_model_forward(gpu, tokens, targets, B, T, &dummy, &e) == COV_ERR_ARG,
              "a token outside the vocabulary was accepted");

    cov_adamw_free(opt);
    free(tokens), free(targets), free(grads), free(params), free(m1);
    cov_cuda_model_free(gpu);
    cov_model_free(cpu);
}

int main(void)
{
    cov_cuda_ctx *ctx = gpu_test_ctx_or_skip();
    cov_model_config tiny;
    GPU_OK(cov_model_config_preset(&tiny, "tiny", &gpu_err)); /* untied, GQA, hd 8 */
    /* tied embeddings, GQA, head dimension 16 */
    cov_model_config tied = tiny;
    snprintf(tied.name, sizeof tied.name, "tied");
    tied.vocab_size = 96;
    tied.dim = 64;
    tied.n_heads = 4;
    tied.n_kv_heads = 2;
    tied.ffn_dim = 96;
    tied.max_seq_len = 32;
    tied.tie_embeddings = true;
    GPU_OK(cov_model_config_check(&tied, &gpu_err));
    test_config(ctx, &tiny, COV_CUDA_FP32);
    test_config(ctx, &tied, COV_CUDA_FP32);
    test_config(ctx, &tiny, COV_CUDA_BF16);
    test_config(ctx, &tied, COV_CUDA_BF16);
    cov_cuda_ctx_free(ctx);
    return gpu_test_finish("test_model_cuda");
}
