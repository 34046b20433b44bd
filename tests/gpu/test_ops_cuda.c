/* Every op of kernels/ops_cuda.h against train/ops.h (and train/optim.h)
 * on fresh random inputs, device outputs poisoned with NaN before each run.
 * Tolerances are next to each comparison: fp32 kernels agree with the CPU
 * to fp32 rounding of a different summation order; kernels that round each
 * operation as the CPU does (RoPE, AdamW) are expected to match exactly and
 * are given one-ulp-level tolerances; bf16 matmuls are compared with a CPU
 * sgemm of the same bf16-rounded operands. */
#include "gpu_test.h"
#include "kernels/ops_cuda.h"
#include "train/ops.h"
#include "train/optim.h"

static uint64_t seed = 0x5eed0001;

static float *rnd(size_t n, float lo, float hi)
{
    float *x = gpu_test_host(n);
    gpu_test_fill(x, n, lo, hi, &seed);
    return x;
}

static float *dup_host(const float *x, size_t n)
{
    float *y = gpu_test_host(n);
    memcpy(y, x, n * sizeof(float));
    return y;
}

/* ------------------------------------------------------------ matmul */

#ifdef COVENANT_HAVE_CUBLASLT
static void round_bf16_all(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = gpu_test_round_bf16(x[i]);
}

/* A device bf16 copy of host values (already bf16-exact, so no rounding). */
static cov_bf16 *dev_bf16(cov_cuda_ctx *ctx, const float *host, size_t n)
{
    float *f = gpu_test_dev(ctx, host, n);
    void *b = NULL;
    GPU_OK(cov_cuda_alloc(&b, n * sizeof(cov_bf16), &gpu_err));
    GPU_OK(cov_cuda_to_bf16(ctx, (cov_bf16 *)b, f, n, &gpu_err));
    GPU_OK(cov_cuda_sync(ctx, &gpu_err));
    cov_cuda_free(f);
    return (cov_bf16 *)b;
}

static void test_matmul(cov_cuda_ctx *ctx, int M, int K, int N, bool bf16)
{
    char what[96];
    size_t nx = (size_t)M * K, nw = (size_t)N * K, ny = (size_t)M * N;
    float *x = rnd(nx, -1, 1), *w = rnd(nw, -1, 1), *dy = rnd(ny, -1, 1);
    float *y0 = rnd(ny, -1, 1), *dx0 = rnd(nx, -1, 1), *dw0 = rnd(nw, -1, 1);
    if (bf16) {
        round_bf16_all(x, nx);
        round_bf16_all(w, nw);
        round_bf16_all(dy, ny);
    }
    /* fp32 accumulation over K (or M, N) terms of size ≤ 1 in another
     * order: |error| ≲ terms · 2⁻²⁴ · magnitude, so atol scales with them. */
    double atol_y = 4e-7 * K + 1e-6, atol_dx = 4e-7 * N + 1e-6, atol_dw = 4e-7 * M + 1e-6;
    for (int acc = 0; acc < 2; acc++) {
        float *y_cpu = dup_host(y0, ny), *dx_cpu = dup_host(dx0, nx), *dw_cpu = dup_host(dw0, nw);
        cov_op_matmul_forward(y_cpu, x, w, M, K, N, acc);
        cov_op_matmul_backward(dx_cpu, dw_cpu, dy, x, w, M, K, N, acc);
        float *d_y = gpu_test_dev(ctx, acc ? y0 : NULL, ny);
        float *d_dx = gpu_test_dev(ctx, acc ? dx0 : NULL, nx);
        float *d_dw = gpu_test_dev(ctx, dw0, nw);
        if (bf16) {
            cov_bf16 *bx = dev_bf16(ctx, x, nx), *bw = dev_bf16(ctx, w, nw);
            cov_bf16 *bdy = dev_bf16(ctx, dy, ny);
            GPU_OK(cov_cuda_matmul_forward_bf16(ctx, d_y, bx, bw, M, K, N, acc, &gpu_err));
            GPU_OK(cov_cuda_matmul_backward_bf16(ctx, d_dx, d_dw, bdy, bx, bw, M, K, N, acc,
                                                 &gpu_err));
            cov_cuda_free(bx), cov_cuda_free(bw), cov_cuda_free(bdy);
        } else {
            float *d_x = gpu_test_dev(ctx, x, nx), *d_w = gpu_test_dev(ctx, w, nw);
            float *d_dy = gpu_test_dev(ctx, dy, ny);
            GPU_OK(cov_cuda_matmul_forward(ctx, d_y, d_x, d_w, M, K, N, acc, &gpu_err));
            GPU_OK(cov_cuda_matmul_backward(ctx, d_dx, d_dw, d_dy, d_x, d_w, M, K, N, acc,
                                            &gpu_err));
            cov_cuda_free(d_x), cov_cuda_free(d_w), cov_cuda_free(d_dy);
        }
        float *y = gpu_test_get(ctx, d_y, ny), *dx = gpu_test_get(ctx, d_dx, nx);
        float *dw = gpu_test_get(ctx, d_dw, nw);
        const char *p = bf16 ? "bf16" : "fp32";
        snprintf(what, sizeof what, "matmul %s %dx%dx%d%s y", p, M, K, N, acc ? " acc" : "");
        gpu_test_close(what, y, y_cpu, ny, 1e-5, atol_y);
        snprintf(what, sizeof what, "matmul %s %dx%dx%d%s dx", p, M, K, N, acc ? " acc" : "");
        gpu_test_close(what, dx, dx_cpu, nx, 1e-5, atol_dx);
        snprintf(what, sizeof what, "matmul %s %dx%dx%d dw", p, M, K, N);
        gpu_test_close(what, dw, dw_cpu, nw, 1e-5, atol_dw);
        free(y), free(dx), free(dw), free(y_cpu), free(dx_cpu), free(dw_cpu);
        cov_cuda_free(d_y), cov_cuda_free(d_dx), cov_cuda_free(d_dw);
    }
    free(x), free(w), free(dy), free(y0), free(dx0), free(dw0);
}
#endif

/* ------------------------------------------------------------ RMSNorm */

static void test_rmsnorm(cov_cuda_ctx *ctx, int N, int D)
{
    size_t n = (size_t)N * D;
    float *x = rnd(n, -2, 2), *w = rnd((size_t)D, 0.5f, 1.5f), *dy = rnd(n, -1, 1);
    float *dx0 = rnd(n, -1, 1), *dw0 = rnd((size_t)D, -1, 1);
    float *y_cpu = gpu_test_host(n), *r_cpu = gpu_test_host((size_t)N);
    float *dx_cpu = dup_host(dx0, n), *dw_cpu = dup_host(dw0, (size_t)D);
    cov_op_rmsnorm_forward(y_cpu, r_cpu, x, w, N, D, 1e-5f);
    cov_op_rmsnorm_backward_add(dx_cpu, dw_cpu, dy, x, w, r_cpu, N, D);

    float *d_x = gpu_test_dev(ctx, x, n), *d_w = gpu_test_dev(ctx, w, (size_t)D);
    float *d_y = gpu_test_dev(ctx, NULL, n), *d_r = gpu_test_dev(ctx, NULL, (size_t)N);
    float *d_dy = gpu_test_dev(ctx, dy, n), *d_dx = gpu_test_dev(ctx, dx0, n);
    float *d_dw = gpu_test_dev(ctx, dw0, (size_t)D);
    GPU_OK(cov_cuda_rmsnorm_forward(ctx, d_y, d_r, d_x, d_w, N, D, 1e-5f, &gpu_err));
    GPU_OK(cov_cuda_rmsnorm_backward_add(ctx, d_dx, d_dw, d_dy, d_x, d_w, d_r, N, D, &gpu_err));
    float *y = gpu_test_get(ctx, d_y, n), *r = gpu_test_get(ctx, d_r, (size_t)N);
    float *dx = gpu_test_get(ctx, d_dx, n), *dw = gpu_test_get(ctx, d_dw, (size_t)D);
    /* the same formula, sums in double: equal to an ulp or two */
    gpu_test_close("rmsnorm y", y, y_cpu, n, 1e-6, 1e-7);
    gpu_test_close("rmsnorm rstd", r, r_cpu, (size_t)N, 1e-6, 0);
    gpu_test_close("rmsnorm dx (added)", dx, dx_cpu, n, 1e-5, 1e-6);
    /* dw: N fp32 terms summed in another order */
    gpu_test_close("rmsnorm dw (accumulated)", dw, dw_cpu, (size_t)D, 1e-5, 1e-6 * N);
    free(x), free(w), free(dy), free(dx0), free(dw0), free(y_cpu), free(r_cpu), free(dx_cpu);
    free(dw_cpu), free(y), free(r), free(dx), free(dw);
    cov_cuda_free(d_x), cov_cuda_free(d_w), cov_cuda_free(d_y), cov_cuda_free(d_r);
    cov_cuda_free(d_dy), cov_cuda_free(d_dx), cov_cuda_free(d_dw);
}

/* --------------------------------------------------------------- RoPE */

static void test_rope(cov_cuda_ctx *ctx, int B, int T, int H, int hd)
{
    size_t n = (size_t)B * T * H * hd, tn = (size_t)T * (hd / 2);
    float *cos_t = gpu_test_host(tn), *sin_t = gpu_test_host(tn);
    cov_op_rope_table(cos_t, sin_t, T, hd, 10000.0f);
    float *x = rnd(n, -1, 1);
    float *f_cpu = dup_host(x, n), *b_cpu = dup_host(x, n);
    cov_op_rope_forward(f_cpu, cos_t, sin_t, B, T, H, hd);
    cov_op_rope_backward(b_cpu, cos_t, sin_t, B, T, H, hd);
    float *d_c = gpu_test_dev(ctx, cos_t, tn), *d_s = gpu_test_dev(ctx, sin_t, tn);
    float *d_f = gpu_test_dev(ctx, x, n), *d_b = gpu_test_dev(ctx, x, n);
    GPU_OK(cov_cuda_rope_forward(ctx, d_f, d_c, d_s, B, T, H, hd, &gpu_err));
    GPU_OK(cov_cuda_rope_backward(ctx, d_b, d_c, d_s, B, T, H, hd, &gpu_err));
    float *f = gpu_test_get(ctx, d_f, n), *b = gpu_test_get(ctx, d_b, n);
    /* every product rounded on its own as on the CPU: expected bit-exact */
    gpu_test_close("rope forward", f, f_cpu, n, 1e-7, 1e-8);
    gpu_test_close("rope backward", b, b_cpu, n, 1e-7, 1e-8);
    free(cos_t), free(sin_t), free(x), free(f_cpu), free(b_cpu), free(f), free(b);
    cov_cuda_free(d_c), cov_cuda_free(d_s), cov_cuda_free(d_f), cov_cuda_free(d_b);
}

/* ------------------------------------------------------------- SwiGLU */

static void test_swiglu(cov_cuda_ctx *ctx, size_t n)
{
    float *g = rnd(n, -6, 6), *u = rnd(n, -2, 2), *dout = rnd(n, -1, 1);
    float *o_cpu = gpu_test_host(n), *dg_cpu = gpu_test_host(n), *du_cpu = gpu_test_host(n);
    cov_op_swiglu_forward(o_cpu, g, u, n);
    cov_op_swiglu_backward(dg_cpu, du_cpu, dout, g, u, n);
    float *d_g = gpu_test_dev(ctx, g, n), *d_u = gpu_test_dev(ctx, u, n);
    float *d_do = gpu_test_dev(ctx, dout, n), *d_o = gpu_test_dev(ctx, NULL, n);
    float *d_dg = gpu_test_dev(ctx, NULL, n), *d_du = gpu_test_dev(ctx, NULL, n);
    GPU_OK(cov_cuda_swiglu_forward(ctx, d_o, d_g, d_u, n, &gpu_err));
    GPU_OK(cov_cuda_swiglu_backward(ctx, d_dg, d_du, d_do, d_g, d_u, n, &gpu_err));
    float *o = gpu_test_get(ctx, d_o, n), *dg = gpu_test_get(ctx, d_dg, n);
    float *du = gpu_test_get(ctx, d_du, n);
    /* CUDA's expf is within 2 ulp of glibc's: a few ulp through σ, and
     * dgate's 1 + g·(1 − σ) cancels near g ≈ −1.28 (hence the atol) */
    gpu_test_close("swiglu out", o, o_cpu, n, 2e-6, 1e-7);
    gpu_test_close("swiglu dgate", dg, dg_cpu, n, 2e-6, 1e-6);
    gpu_test_close("swiglu dup", du, du_cpu, n, 2e-6, 1e-7);
    free(g), free(u), free(dout), free(o_cpu), free(dg_cpu), free(du_cpu), free(o), free(dg);
    free(du);
    cov_cuda_free(d_g), cov_cuda_free(d_u), cov_cuda_free(d_do), cov_cuda_free(d_o);
    cov_cuda_free(d_dg), cov_cuda_free(d_du);
}

/* ---------------------------------------------------------- attention */

static void test_attention(cov_cuda_ctx *ctx, int B, int T, int H, int KVH, int hd)
{
    char what[96];
    size_t nq = (size_t)B * T * H * hd, nk = (size_t)B * T * KVH * hd;
    size_t nl = (size_t)B * H * T;
    float *q = rnd(nq, -1, 1), *k = rnd(nk, -1, 1), *v = rnd(nk, -1, 1);
    float *dout = rnd(nq, -1, 1);
    float *scratch = gpu_test_host(cov_op_attention_scratch_floats(T));
    float *o_cpu = gpu_test_host(nq), *l_cpu = gpu_test_host(nl);
    float *dq_cpu = gpu_test_host(nq), *dk_cpu = gpu_test_host(nk), *dv_cpu = gpu_test_host(nk);
    cov_op_attention_forward(o_cpu, l_cpu, scratch, q, k, v, B, T, H, KVH, hd);
    cov_op_attention_backward(dq_cpu, dk_cpu, dv_cpu, scratch, dout, o_cpu, l_cpu, q, k, v, B,
                              T, H, KVH, hd);
    float *d_q = gpu_test_dev(ctx, q, nq), *d_k = gpu_test_dev(ctx, k, nk);
    float *d_v = gpu_test_dev(ctx, v, nk), *d_do = gpu_test_dev(ctx, dout, nq);
    float *d_o = gpu_test_dev(ctx, NULL, nq), *d_l = gpu_test_dev(ctx, NULL, nl);
    float *d_dq = gpu_test_dev(ctx, NULL, nq), *d_dk = gpu_test_dev(ctx, NULL, nk);
    float *d_dv = gpu_test_dev(ctx, NULL, nk), *d_s = gpu_test_dev(ctx, NULL, nl);
    GPU_OK(cov_cuda_attention_forward(ctx, d_o, d_l, d_q, d_k, d_v, B, T, H, KVH, hd, &gpu_err));
    GPU_OK(cov_cuda_attention_backward(ctx, d_dq, d_dk, d_dv, d_s, d_do, d_o, d_l, d_q, d_k, d_v,
                                       B, T, H, KVH, hd, &gpu_err));
    float *o = gpu_test_get(ctx, d_o, nq), *l = gpu_test_get(ctx, d_l, nl);
    float *dq = gpu_test_get(ctx, d_dq, nq), *dk = gpu_test_get(ctx, d_dk, nk);
    float *dv = gpu_test_get(ctx, d_dv, nk);
    /* online vs two-pass softmax, other sum orders: fp32 rounding over
     * T keys and hd dimensions */
    snprintf(what, sizeof what, "attention B%d T%d H%d/%d hd%d out", B, T, H, KVH, hd);
    gpu_test_close(what, o, o_cpu, nq, 1e-4, 1e-5);
    snprintf(what, sizeof what, "attention B%d T%d H%d/%d hd%d lse", B, T, H, KVH, hd);
    gpu_test_close(what, l, l_cpu, nl, 1e-5, 1e-5);
    snprintf(what, sizeof what, "attention B%d T%d H%d/%d hd%d dq", B, T, H, KVH, hd);
    gpu_test_close(what, dq, dq_cpu, nq, 1e-4, 2e-5);
    snprintf(what, sizeof what, "attention B%d T%d H%d/%d hd%d dk", B, T, H, KVH, hd);
    gpu_test_close(what, dk, dk_cpu, nk, 1e-4, 2e-5);
    snprintf(what, sizeof what, "attention B%d T%d H%d/%d hd%d dv", B, T, H, KVH, hd);
    gpu_test_close(what, dv, dv_cpu, nk, 1e-4, 2e-5);
    free(q), free(k), free(v), free(dout), free(scratch), free(o_cpu), free(l_cpu);
    free(dq_cpu), free(dk_cpu), free(dv_cpu), free(o), free(l), free(dq), free(dk), free(dv);
    cov_cuda_free(d_q), cov_cuda_free(d_k), cov_cuda_free(d_v), cov_cuda_free(d_do);
    cov_cuda_free(d_o), cov_cuda_free(d_l), cov_cuda_free(d_dq), cov_cuda_free(d_dk);
    cov_cuda_free(d_dv), cov_cuda_free(d_s);
}

/* ------------------------------------------------------ cross entropy */

static int32_t *dev_ints(cov_cuda_ctx *ctx, const int32_t *host, size_t n)
{
    void *p = NULL;
    GPU_OK(cov_cuda_alloc(&p, n * sizeof(int32_t), &gpu_err));
    GPU_OK(cov_cuda_upload(ctx, p, host, n * sizeof(int32_t), &gpu_err));
    return (int32_t *)p;
}

static void test_cross_entropy(cov_cuda_ctx *ctx, int N, int V)
{
    size_t n = (size_t)N * V;
    float *logits = rnd(n, -4, 4);
    int32_t *targets = malloc((size_t)N * sizeof(int32_t));
    for (int i = 0; i < N; i++)
        targets[i] = i % 5 == 3 ? COV_IGNORE_INDEX : (int32_t)(gpu_test_next(&seed) % (uint64_t)V);
    float *lse_cpu = gpu_test_host((size_t)N), *d_cpu = gpu_test_host(n);
    int64_t count_cpu = 0;
    float loss_cpu = cov_op_cross_entropy_forward(lse_cpu, &count_cpu, logits, targets, N, V);
    float scale = 1.0f / (float)count_cpu;
    cov_op_cross_entropy_backward(d_cpu, logits, lse_cpu, targets, N, V, scale);

    float *d_logits = gpu_test_dev(ctx, logits, n), *d_lse = gpu_test_dev(ctx, NULL, (size_t)N);
    float *d_d = gpu_test_dev(ctx, NULL, n);
    int32_t *d_t = dev_ints(ctx, targets, (size_t)N);
    float loss = NAN;
    int64_t count = -1;
    GPU_OK(cov_cuda_cross_entropy_forward(ctx, d_lse, &loss, &count, d_logits, d_t, N, V,
                                          &gpu_err));
    GPU_OK(cov_cuda_cross_entropy_backward(ctx, d_d, d_logits, d_lse, d_t, N, V, scale,
                                           &gpu_err));
    float *lse = gpu_test_get(ctx, d_lse, (size_t)N), *d = gpu_test_get(ctx, d_d, n);
    GPU_CHECK(count == count_cpu, "cross entropy count %lld, CPU %lld", (long long)count,
              (long long)count_cpu);
    /* sums in double on both sides */
    gpu_test_close("cross entropy loss", &loss, &loss_cpu, 1, 1e-6, 0);
    gpu_test_close("cross entropy lse", lse, lse_cpu, (size_t)N, 1e-6, 1e-6);
    /* expf: a few ulp */
    gpu_test_close("cross entropy dlogits", d, d_cpu, n, 1e-5, 1e-9);
    free(logits), free(targets), free(lse_cpu), free(d_cpu), free(lse), free(d);
    cov_cuda_free(d_logits), cov_cuda_free(d_lse), cov_cuda_free(d_d), cov_cuda_free(d_t);
}

/* ---------------------------------------------------------- embedding */

static void test_embedding(cov_cuda_ctx *ctx, int V, int D, int N)
{
    size_t nt = (size_t)V * D, n = (size_t)N * D;
    float *table = rnd(nt, -1, 1), *dout = rnd(n, -1, 1), *dt0 = rnd(nt, -1, 1);
    int32_t *tokens = malloc((size_t)N * sizeof(int32_t));
    for (int i = 0; i < N; i++) /* few distinct tokens: many repeats */
        tokens[i] = (int32_t)(gpu_test_next(&seed) % (uint64_t)(V / 4 + 1));
    float *o_cpu = gpu_test_host(n), *dt_cpu = dup_host(dt0, nt);
    cov_op_embedding_forward(o_cpu, table, tokens, N, D);
    cov_op_embedding_backward(dt_cpu, dout, tokens, N, D);
    float *d_table = gpu_test_dev(ctx, table, nt), *d_o = gpu_test_dev(ctx, NULL, n);
    float *d_do = gpu_test_dev(ctx, dout, n), *d_dt = gpu_test_dev(ctx, dt0, nt);
    int32_t *d_tok = dev_ints(ctx, tokens, (size_t)N);
    GPU_OK(cov_cuda_embedding_forward(ctx, d_o, d_table, d_tok, N, D, &gpu_err));
    GPU_OK(cov_cuda_embedding_backward(ctx, d_dt, d_do, d_tok, N, D, &gpu_err));
    float *o = gpu_test_get(ctx, d_o, n), *dt = gpu_test_get(ctx, d_dt, nt);
    /* copies and the CPU's own summation order: exact */
    gpu_test_close("embedding forward", o, o_cpu, n, 0, 0);
    gpu_test_close("embedding backward (accumulated)", dt, dt_cpu, nt, 0, 0);

    /* the grouped backward: the same order per element, so exact too */
    int32_t *groups = malloc((3 * (size_t)N + 1) * sizeof(int32_t));
    int64_t *keys = malloc((size_t)N * sizeof(int64_t));
    int G = 0;
    cov_embedding_groups(groups, groups + N, groups + 2 * N + 1, &G, keys, tokens, N);
    for (int g = 0; g < G; g++) /* each group one token, positions ascending */
        for (int p = groups[N + g]; p < groups[N + g + 1]; p++)
            GPU_CHECK(tokens[groups[2 * N + 1 + p]] == groups[g] &&
                          (p == groups[N + g] || groups[2 * N + 1 + p] > groups[2 * N + p]),
                      "embedding groups: position %d of group %d", p, g);
    int32_t *d_groups = dev_ints(ctx, groups, 3 * (size_t)N + 1);
    GPU_OK(cov_cuda_upload(ctx, d_dt, dt0, nt * sizeof(float), &gpu_err));
    GPU_OK(cov_cuda_embedding_backward_grouped(ctx, d_dt, d_do, d_groups, d_groups + N,
                                               d_groups + 2 * N + 1, G, D, &gpu_err));
    float *dtg = gpu_test_get(ctx, d_dt, nt);
    gpu_test_close("embedding backward grouped", dtg, dt_cpu, nt, 0, 0);
    free(groups), free(keys), free(dtg);
    cov_cuda_free(d_groups);
    free(table), free(dout), free(dt0), free(tokens), free(o_cpu), free(dt_cpu), free(o);
    free(dt);
    cov_cuda_free(d_table), cov_cuda_free(d_o), cov_cuda_free(d_do), cov_cuda_free(d_dt);
    cov_cuda_free(d_tok);
}

/* -------------------------------------------------- AdamW, clipping */

static void test_adamw(cov_cuda_ctx *ctx, size_t n)
{
    cov_adamw_config cfg = cov_adamw_templar_defaults();
    float *p = rnd(n, -0.1f, 0.1f);
    float *p_cpu = dup_host(p, n);
    cov_adamw *opt = NULL;
    GPU_OK(cov_adamw_new(&opt, n, &cfg, &gpu_err));
    float *d_p = gpu_test_dev(ctx, p, n), *d_g = gpu_test_dev(ctx, NULL, n);
    float *zeros = calloc(n, sizeof(float));
    float *d_m = gpu_test_dev(ctx, zeros, n), *d_v = gpu_test_dev(ctx, zeros, n);
    void *d_pb = NULL;
    GPU_OK(cov_cuda_alloc(&d_pb, n * sizeof(cov_bf16), &gpu_err));
    for (int step = 1; step <= 3; step++) {
        float *g = rnd(n, -1e-2f, 1e-2f);
        float lr = 1e-3f * (float)step;
        GPU_OK(cov_adamw_step(opt, p_cpu, g, n, lr, &gpu_err));
        GPU_OK(cov_cuda_upload(ctx, d_g, g, n * sizeof(float), &gpu_err));
        GPU_OK(cov_cuda_adamw_step(ctx, d_p, (cov_bf16 *)d_pb, d_g, d_m, d_v, n, &cfg, step, lr,
                                   &gpu_err));
        free(g);
    }
    float *pg = gpu_test_get(ctx, d_p, n), *m = gpu_test_get(ctx, d_m, n);
    float *v = gpu_test_get(ctx, d_v, n);
    /* each operation rounded as on the CPU: expected bit-exact */
    gpu_test_close("adamw params (3 steps)", pg, p_cpu, n, 1e-7, 1e-10);
    gpu_test_close("adamw exp_avg", m, cov_adamw_exp_avg(opt), n, 1e-7, 1e-12);
    gpu_test_close("adamw exp_avg_sq", v, cov_adamw_exp_avg_sq(opt), n, 1e-7, 1e-14);
    cov_bf16 *pb = malloc(n * sizeof(cov_bf16));
    GPU_OK(cov_cuda_download(ctx, pb, d_pb, n * sizeof(cov_bf16), &gpu_err));
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        float r = gpu_test_round_bf16(pg[i]);
        uint32_t u;
        memcpy(&u, &r, 4);
        bad += pb[i] != (cov_bf16)(u >> 16);
    }
    GPU_CHECK(bad == 0, "adamw bf16 copy: %zu of %zu differ from bf16(params)", bad, n);
    printf("%-40s n=%-8zu %s\n", "adamw bf16 copy = bf16(params)", n, bad ? "FAIL" : "ok");
    cov_adamw_free(opt);
    free(p), free(p_cpu), free(zeros), free(pg), free(m), free(v), free(pb);
    cov_cuda_free(d_p), cov_cuda_free(d_g), cov_cuda_free(d_m), cov_cuda_free(d_v);
    cov_cuda_free(d_pb);
}

static void test_clip(cov_cuda_ctx *ctx, size_t n, float max_norm)
{
    char what[96];
    float *g = rnd(n, -1, 1);
    float *g_cpu = dup_host(g, n);
    float norm_cpu = cov_grad_clip_norm(g_cpu, n, max_norm);
    float *d_g = gpu_test_dev(ctx, g, n);
    float norm = NAN;
    GPU_OK(cov_cuda_grad_clip_norm(ctx, d_g, n, max_norm, &norm, &gpu_err));
    float *got = gpu_test_get(ctx, d_g, n);
    /* the same blocks in double, added in the same order on the host */
    snprintf(what, sizeof what, "clip norm (max %g)", (double)max_norm);
    gpu_test_close(what, &norm, &norm_cpu, 1, 1e-7, 0);
    snprintf(what, sizeof what, "clip gradients (max %g)", (double)max_norm);
    gpu_test_close(what, got, g_cpu, n, 1e-7, 0);
    free(g), free(g_cpu), free(got);
    cov_cuda_free(d_g);
}

int main(void)
{
    cov_cuda_ctx *ctx = gpu_test_ctx_or_skip();
#ifdef COVENANT_HAVE_CUBLASLT
    test_matmul(ctx, 37, 29, 41, false);
    test_matmul(ctx, 256, 384, 320, false);
    test_matmul(ctx, 37, 29, 41, true);
    test_matmul(ctx, 256, 384, 320, true);
#else
    printf("matmul: not built (no cuBLASLt)\n");
#endif
    test_rmsnorm(ctx, 19, 200);
    test_rmsnorm(ctx, 64, 768);
    test_rope(ctx, 2, 7, 3, 16);
    test_rope(ctx, 1, 33, 2, 64);
    test_swiglu(ctx, 1001);
    test_attention(ctx, 2, 37, 4, 2, 8);
    test_attention(ctx, 1, 70, 2, 1, 16);
    test_attention(ctx, 1, 65, 4, 4, 32);
    test_attention(ctx, 2, 33, 2, 1, 64);
    test_attention(ctx, 1, 40, 2, 2, 96);
    test_attention(ctx, 1, 35, 2, 1, 128);
    test_attention(ctx, 1, 130, 4, 2, 64);
    test_cross_entropy(ctx, 23, 300);
    test_embedding(ctx, 50, 72, 40);
    test_adamw(ctx, 1000);
    test_clip(ctx, 100003, 1.0f);
    test_clip(ctx, 1003, 1e6f);
    cov_cuda_ctx_free(ctx);
    return gpu_test_finish("test_ops_cuda");
}
