/* train/ops.h one op at a time: every backward against central finite
 * differences of its forward on tiny shapes, plus values known in closed
 * form (RoPE's rotation, attention over one key, cross entropy of uniform
 * logits, repeated tokens in the embedding's backward).
 *
 * The checked loss is L = Σ r⊙out for fixed random r, evaluated in double
 * from the fp32 forward; h = 1e-3, so fp32 rounding leaves differences of
 * ~1e-4: analytic and numeric gradients must agree to 2e-3 abs + 1e-2 rel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "train/ops.h"
#include "test_model_fixture.h"

#define FD_H 1e-3f
#define FD_ABS 2e-3
#define FD_REL 1e-2

static uint64_t rng_state = 12345;

static float uniform(void) /* in [-1, 1) */
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (float)((double)(rng_state >> 11) * 0x1p-53 * 2.0 - 1.0);
}

static void fill(float *x, size_t n, float scale)
{
    for (size_t i = 0; i < n; i++)
        x[i] = uniform() * scale;
}

static double weighted_sum(const float *out, const float *r, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)out[i] * r[i];
    return s;
}

/* Numeric dL/dx[i] for every i, against grad[i]. loss() re-runs the forward. */
static void check_fd(float *x, size_t n, const float *grad, double (*loss)(void *), void *ctx,
                     const char *what)
{
    float *numeric = malloc(n * sizeof(float));
    assert_non_null(numeric);
    for (size_t i = 0; i < n; i++) {
        float keep = x[i];
        x[i] = keep + FD_H;
        double up = loss(ctx);
        x[i] = keep - FD_H;
        double down = loss(ctx);
        x[i] = keep;
        numeric[i] = (float)((up - down) / (2.0 * (double)FD_H));
    }
    expect_close(grad, numeric, n, FD_ABS, FD_REL, what);
    free(numeric);
}

/* ---------------------------------------------------------------- matmul */

typedef struct {
    float x[3 * 4], w[5 * 4], y[3 * 5], r[3 * 5];
} mm_ctx;

static double mm_loss(void *p)
{
    mm_ctx *c = p;
    cov_op_matmul_forward(c->y, c->x, c->w, 3, 4, 5, false);
    return weighted_sum(c->y, c->r, 15);
}

static void matmul_gradients(void **state)
{
    (void)state;
    mm_ctx c;
    fill(c.x, 12, 1.0f);
    fill(c.w, 20, 1.0f);
    fill(c.r, 15, 1.0f);
    /* y = x·wᵀ by hand */
    mm_loss(&c);
    for (int m = 0; m < 3; m++)
        for (int n = 0; n < 5; n++) {
            float s = 0.0f;
            for (int k = 0; k < 4; k++)
                s += c.x[m * 4 + k] * c.w[n * 4 + k];
            assert_true(fabsf(s - c.y[m * 5 + n]) < 1e-6f);
        }
    float dx[12], dw[20];
    memset(dw, 0, sizeof dw);
    cov_op_matmul_backward(dx, dw, c.r, c.x, c.w, 3, 4, 5, false);
    check_fd(c.x, 12, dx, mm_loss, &c, "matmul dx");
    check_fd(c.w, 20, dw, mm_loss, &c, "matmul dw");
    /* dw accumulates; dx accumulates only when asked */
    float dw1 = dw[7], dx1 = dx[5];
    cov_op_matmul_backward(dx, dw, c.r, c.x, c.w, 3, 4, 5, true);
    assert_true(fabsf(dw[7] - 2 * dw1) < 1e-6f);
    assert_true(fabsf(dx[5] - 2 * dx1) < 1e-6f);
    mm_loss(&c); /* y for the unperturbed inputs, then y += x·wᵀ */
    cov_op_matmul_forward(c.y, c.x, c.w, 3, 4, 5, true);
    float y1[15];
    cov_op_matmul_forward(y1, c.x, c.w, 3, 4, 5, false);
    assert_true(fabsf(c.y[4] - 2 * y1[4]) < 1e-6f);
}

/* --------------------------------------------------------------- RMSNorm */

typedef struct {
    float x[3 * 8], w[8], y[3 * 8], rstd[3], r[3 * 8];
} rms_ctx;

static double rms_loss(void *p)
{
    rms_ctx *c = p;
    cov_op_rmsnorm_forward(c->y, c->rstd, c->x, c->w, 3, 8, 1e-5f);
    return weighted_sum(c->y, c->r, 24);
}

static void rmsnorm_gradients(void **state)
{
    (void)state;
    rms_ctx c;
    fill(c.x, 24, 2.0f);
    fill(c.w, 8, 1.0f);
    fill(c.r, 24, 1.0f);
    rms_loss(&c);
    double ss = 0.0;
    for (int j = 0; j < 8; j++)
        ss += (double)c.x[8 + j] * c.x[8 + j];
    assert_true(fabs(c.rstd[1] - 1.0 / sqrt(ss / 8 + 1e-5)) < 1e-6);
    assert_true(fabsf(c.y[8 + 3] - c.x[8 + 3] * c.rstd[1] * c.w[3]) < 1e-6f);
    /* backward adds into dx: start it at 1 and take the 1 off again */
    float dx[24], dw[8] = {0};
    for (int i = 0; i < 24; i++)
        dx[i] = 1.0f;
    cov_op_rmsnorm_backward_add(dx, dw, c.r, c.x, c.w, c.rstd, 3, 8);
    for (int i = 0; i < 24; i++)
        dx[i] -= 1.0f;
    check_fd(c.x, 24, dx, rms_loss, &c, "rmsnorm dx");
    check_fd(c.w, 8, dw, rms_loss, &c, "rmsnorm dw");
}

/* ------------------------------------------------------------------ RoPE */

static void rope_rotates_half_pairs(void **state)
{
    (void)state;
    enum { T = 3, HD = 4 };
    float cs[T * HD / 2], sn[T * HD / 2];
    cov_op_rope_table(cs, sn, T, HD, 10000.0f);
    /* inv_freq = [1, 10000^(-1/2)] */
    assert_true(fabsf(cs[1 * 2 + 0] - cosf(1.0f)) < 1e-7f);
    assert_true(fabsf(sn[2 * 2 + 1] - sinf(2.0f / 100.0f)) < 1e-7f);
    /* one head, positions 0..2: x = e0 rotates into (cos, 0, sin, 0) */
    float x[T * HD] = {1, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0};
    cov_op_rope_forward(x, cs, sn, 1, T, 1, HD);
    assert_true(x[0] == 1.0f && x[2] == 0.0f); /* position 0 is left alone */
    assert_true(fabsf(x[4] - cosf(1.0f)) < 1e-6f && fabsf(x[6] - sinf(1.0f)) < 1e-6f);
    assert_true(x[5] == 0.0f && x[7] == 0.0f);
    assert_true(fabsf(x[9] - 2 * cosf(0.02f)) < 1e-6f && fabsf(x[11] - 2 * sinf(0.02f)) < 1e-6f);
    /* the backward is the inverse rotation (and the transpose) */
    float y[2 * T * 2 * HD], y0[2 * T * 2 * HD];
    fill(y, sizeof y / sizeof y[0], 1.0f);
    memcpy(y0, y, sizeof y);
    cov_op_rope_forward(y, cs, sn, 2, T, 2, HD);
    cov_op_rope_backward(y, cs, sn, 2, T, 2, HD);
    expect_close(y, y0, sizeof y / sizeof y[0], 1e-6, 0, "rope backward(forward(x))");
}

/* The table at far positions against transformers' way of computing it
 * (tests/reference/fixtures/model_rope.*): fp32 angles, so position 2047
 * agrees to rounding, not to the angle's rounding error. */
static void rope_table_far_positions(void **state)
{
    (void)state;
    model_fixture fx;
    fixture_load(&fx, "model_rope");
    json_t *cases = json_object_get(fx.manifest, "cases");
    json_t *positions = json_object_get(fx.manifest, "positions");
    size_t np = json_array_size(positions), off = 0;
    for (size_t c = 0; c < json_array_size(cases); c++) {
        json_t *jc = json_array_get(cases, c);
        int hd = (int)json_integer_value(json_object_get(jc, "head_dim"));
        float theta = (float)json_number_value(json_object_get(jc, "theta"));
        int T = 2048, half = hd / 2;
        float *cs = malloc(sizeof(float) * (size_t)T * half * 2), *sn = cs + (size_t)T * half;
        assert_non_null(cs);
        cov_op_rope_table(cs, sn, T, hd, theta);
        for (size_t p = 0; p < np; p++) {
            int pos = (int)json_integer_value(json_array_get(positions, p));
            assert_true(off + (np + p) * (size_t)half + (size_t)half <= fx.count);
            expect_close(cs + (size_t)pos * half, fx.data + off + p * (size_t)half, (size_t)half,
                         1e-6, 0, "rope cos");
            expect_close(sn + (size_t)pos * half, fx.data + off + (np + p) * (size_t)half,
                         (size_t)half, 1e-6, 0, "rope sin");
        }
        off += 2 * np * (size_t)half;
        free(cs);
    }
    assert_int_equal(off, fx.count);
    fixture_free(&fx);
}

typedef struct {
    float x[2 * 3 * 2 * 4], y[2 * 3 * 2 * 4], r[2 * 3 * 2 * 4], cs[3 * 2], sn[3 * 2];
} rope_ctx;

static double rope_loss(void *p)
{
    rope_ctx *c = p;
    memcpy(c->y, c->x, sizeof c->x);
    cov_op_rope_forward(c->y, c->cs, c->sn, 2, 3, 2, 4);
    return weighted_sum(c->y, c->r, 48);
}

static void rope_gradients(void **state)
{
    (void)state;
    rope_ctx c;
    cov_op_rope_table(c.cs, c.sn, 3, 4, 10.0f);
    fill(c.x, 48, 1.0f);
    fill(c.r, 48, 1.0f);
    float dx[48];
    memcpy(dx, c.r, sizeof dx);
    cov_op_rope_backward(dx, c.cs, c.sn, 2, 3, 2, 4);
    check_fd(c.x, 48, dx, rope_loss, &c, "rope dx");
}

/* ---------------------------------------------------------------- SwiGLU */

typedef struct {
    float g[20], u[20], y[20], r[20];
} swiglu_ctx;

static double swiglu_loss(void *p)
{
    swiglu_ctx *c = p;
    cov_op_swiglu_forward(c->y, c->g, c->u, 20);
    return weighted_sum(c->y, c->r, 20);
}

static void swiglu_gradients(void **state)
{
    (void)state;
    swiglu_ctx c;
    fill(c.g, 20, 4.0f);
    fill(c.u, 20, 1.0f);
    fill(c.r, 20, 1.0f);
    swiglu_loss(&c);
    assert_true(fabsf(c.y[3] - c.g[3] / (1.0f + expf(-c.g[3])) * c.u[3]) < 1e-6f);
    float dg[20], du[20];
    cov_op_swiglu_backward(dg, du, c.r, c.g, c.u, 20);
    check_fd(c.g, 20, dg, swiglu_loss, &c, "swiglu dgate");
    check_fd(c.u, 20, du, swiglu_loss, &c, "swiglu dup");
}

/* ------------------------------------------------------------- attention */

enum { AB = 2, AT = 5, AH = 4, AKV = 2, AHD = 4 };
#define AQ (AB * AT * AH * AHD)
#define AK (AB * AT * AKV * AHD)

typedef struct {
    float q[AQ], k[AK], v[AK], out[AQ], lse[AB * AH * AT], r[AQ], scratch[2 * AT * AT];
} att_ctx;

static double att_loss(void *p)
{
    att_ctx *c = p;
    cov_op_attention_forward(c->out, c->lse, c->scratch, c->q, c->k, c->v, AB, AT, AH, AKV, AHD);
    return weighted_sum(c->out, c->r, AQ);
}

static void attention_gradients(void **state)
{
    (void)state;
    att_ctx c;
    fill(c.q, AQ, 1.5f);
    fill(c.k, AK, 1.5f);
    fill(c.v, AK, 1.0f);
    fill(c.r, AQ, 1.0f);
    att_loss(&c);
    /* position 0 sees only key 0: out = v[0] of its kv head (h / 2) */
    for (int h = 0; h < AH; h++)
        for (int i = 0; i < AHD; i++)
            assert_true(fabsf(c.out[h * AHD + i] - c.v[(h / 2) * AHD + i]) < 1e-6f);
    /* position 1 of head 3 by hand: softmax over two keys of kv head 1 */
    {
        int b = 1, t = 1, h = 3, kvh = 1;
        const float *qt = c.q + ((b * AT + t) * AH + h) * AHD;
        float s[2];
        for (int j = 0; j < 2; j++) {
            s[j] = 0.0f;
            for (int i = 0; i < AHD; i++)
                s[j] += qt[i] * c.k[((b * AT + j) * AKV + kvh) * AHD + i];
            s[j] /= 2.0f; /* sqrt(head_dim 4) */
        }
        float p0 = 1.0f / (1.0f + expf(s[1] - s[0]));
        for (int i = 0; i < AHD; i++) {
            float want = p0 * c.v[((b * AT + 0) * AKV + kvh) * AHD + i] +
                         (1 - p0) * c.v[((b * AT + 1) * AKV + kvh) * AHD + i];
            assert_true(fabsf(c.out[((b * AT + t) * AH + h) * AHD + i] - want) < 1e-6f);
        }
    }
    static float dq[AQ], dk[AK], dv[AK];
    memset(dk, 0x7f, sizeof dk); /* overwritten, not added to */
    cov_op_attention_backward(dq, dk, dv, c.scratch, c.r, c.out, c.lse, c.q, c.k, c.v, AB, AT,
                              AH, AKV, AHD);
    check_fd(c.q, AQ, dq, att_loss, &c, "attention dq");
    check_fd(c.k, AK, dk, att_loss, &c, "attention dk");
    check_fd(c.v, AK, dv, att_loss, &c, "attention dv");
}

/* --------------------------------------------------------- cross entropy */

typedef struct {
    float logits[4 * 6], lse[4];
    int32_t targets[4];
} ce_ctx;

static double ce_loss(void *p)
{
    ce_ctx *c = p;
    int64_t count;
    return cov_op_cross_entropy_forward(c->lse, &count, c->logits, c->targets, 4, 6);
}

static void cross_entropy_gradients(void **state)
{
    (void)state;
    ce_ctx c = {.targets = {2, COV_IGNORE_INDEX, 5, 0}};
    /* uniform logits: every counted row costs ln V */
    memset(c.logits, 0, sizeof c.logits);
    int64_t count = -1;
    float loss = cov_op_cross_entropy_forward(c.lse, &count, c.logits, c.targets, 4, 6);
    assert_int_equal(count, 3);
    assert_true(fabsf(loss - logf(6.0f)) < 1e-6f);
    fill(c.logits, 24, 3.0f);
    ce_loss(&c);
    float dl[24];
    cov_op_cross_entropy_backward(dl, c.logits, c.lse, c.targets, 4, 6, 1.0f / 3.0f);
    for (int v = 0; v < 6; v++)
        assert_true(dl[6 + v] == 0.0f); /* the ignored row */
    check_fd(c.logits, 24, dl, ce_loss, &c, "cross entropy dlogits");
    /* nothing counted: loss 0, count 0 */
    int32_t none[4] = {-100, -100, -100, -100};
    assert_true(cov_op_cross_entropy_forward(c.lse, &count, c.logits, none, 4, 6) == 0.0f);
    assert_int_equal(count, 0);
}

/* ------------------------------------------------------------- embedding */

static void embedding_lookup_and_scatter(void **state)
{
    (void)state;
    float table[5 * 3], out[4 * 3], dout[4 * 3], dtable[5 * 3] = {0};
    fill(table, 15, 1.0f);
    fill(dout, 12, 1.0f);
    int32_t tokens[4] = {3, 0, 3, 4};
    cov_op_embedding_forward(out, table, tokens, 4, 3);
    assert_memory_equal(out + 6, table + 9, 3 * sizeof(float));
    cov_op_embedding_backward(dtable, dout, tokens, 4, 3);
    for (int j = 0; j < 3; j++) {
        assert_true(dtable[3 * 3 + j] == dout[j] + dout[6 + j]); /* token 3, twice */
        assert_true(dtable[0 * 3 + j] == dout[3 + j]);
        assert_true(dtable[1 * 3 + j] == 0.0f && dtable[2 * 3 + j] == 0.0f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matmul_gradients),
        cmocka_unit_test(rmsnorm_gradients),
        cmocka_unit_test(rope_rotates_half_pairs),
        cmocka_unit_test(rope_table_far_positions),
        cmocka_unit_test(rope_gradients),
        cmocka_unit_test(swiglu_gradients),
        cmocka_unit_test(attention_gradients),
        cmocka_unit_test(cross_entropy_gradients),
        cmocka_unit_test(embedding_lookup_and_scatter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
