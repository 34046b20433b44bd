/* train/optim.h against torch (tests/reference/fixtures/model_adamw.*):
 * three torch.optim.AdamW steps with changing learning rates on gradients
 * spanning 1e-9..1, and LinearLR → CosineAnnealingLR through SequentialLR
 * for 400 steps. Clipping against clip_grad_norm_'s rule by hand.
 *
 * Tolerances: parameters 1e-6 abs + 1e-5 rel; learning rates 1e-6 rel
 * (torch's chained scheduler drifts from the closed form by a few ulps). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "train/optim.h"
#include "test_model_fixture.h"

static void adamw_matches_torch(void **state)
{
    (void)state;
    model_fixture fx;
    fixture_load(&fx, "model_adamw");
    size_t n = (size_t)fixture_num(&fx, "n", NULL);
    assert_true(fx.count >= 7 * n);
    cov_adamw_config c = {(float)fixture_num(&fx, "adamw", "beta1"),
                          (float)fixture_num(&fx, "adamw", "beta2"),
                          (float)fixture_num(&fx, "adamw", "eps"),
                          (float)fixture_num(&fx, "adamw", "weight_decay")};
    cov_adamw *opt = NULL;
    assert_int_equal(cov_adamw_new(&opt, n, &c, NULL), COV_OK);
    assert_int_equal(cov_adamw_size(opt), n);
    float *p = malloc(n * sizeof(float));
    assert_non_null(p);
    memcpy(p, fx.data, n * sizeof(float));
    json_t *lrs = json_object_get(fx.manifest, "lrs");
    for (size_t s = 0; s < 3; s++) {
        const float *g = fx.data + (1 + s) * n;
        float lr = (float)json_number_value(json_array_get(lrs, s));
        assert_int_equal(cov_adamw_step(opt, p, g, n, lr, NULL), COV_OK);
        char what[64];
        snprintf(what, sizeof what, "parameters after step %zu", s + 1);
        expect_close(p, fx.data + (4 + s) * n, n, 1e-6, 1e-5, what);
    }
    assert_int_equal(cov_adamw_step_count(opt), 3);
    /* the moments are reachable: after three steps, exp_avg_sq is
     * (1-β2)·Σ β2^(2-s)·g_s² */
    float *v = cov_adamw_exp_avg_sq(opt);
    double want = 0.0;
    for (size_t s = 0; s < 3; s++) {
        double g = fx.data[(1 + s) * n + 5];
        want = want * 0.95 + 0.05 * g * g;
    }
    assert_true(fabs(v[5] - want) <= 1e-6 * fabs(want) + 1e-30);
    assert_non_null(cov_adamw_exp_avg(opt));
    cov_err err;
    assert_int_equal(cov_adamw_step(opt, p, fx.data, n - 1, 1e-3f, &err), COV_ERR_ARG);
    cov_adamw_free(opt);
    free(p);
    fixture_free(&fx);
}

static void schedule_matches_torch(void **state)
{
    (void)state;
    model_fixture fx;
    fixture_load(&fx, "model_adamw");
    size_t n = (size_t)fixture_num(&fx, "n", NULL);
    cov_lr_schedule s = {
        (float)fixture_num(&fx, "schedule", "base_lr"),
        (float)fixture_num(&fx, "schedule", "start_factor"),
        (int64_t)fixture_num(&fx, "schedule", "warmup"),
        (int64_t)fixture_num(&fx, "schedule", "t_max"),
        (float)fixture_num(&fx, "schedule", "min_ratio"),
    };
    int steps = (int)fixture_num(&fx, "schedule", "steps");
    assert_int_equal(fx.count, 7 * n + (size_t)steps);
    const float *want = fx.data + 7 * n;
    for (int i = 0; i < steps; i++) {
        float lr = cov_lr_at(&s, i);
        if (!(fabsf(lr - want[i]) <= 1e-6f * want[i] + 1e-12f))
            fail_msg("lr at step %d: %.9g, torch %.9g", i, (double)lr, (double)want[i]);
    }
    /* the ends: start_factor·lr, lr at the milestone, eta_min at T_max */
    assert_true(fabsf(cov_lr_at(&s, 0) - s.base_lr * s.warmup_start_factor) < 1e-15f);
    assert_true(cov_lr_at(&s, s.warmup_steps) == s.base_lr);
    assert_true(fabsf(cov_lr_at(&s, s.warmup_steps + s.cosine_steps) - 0.1f * s.base_lr) <
                1e-12f);
    fixture_free(&fx);
}

static void clipping_like_torch(void **state)
{
    (void)state;
    float g[4] = {3.0f, 0.0f, -4.0f, 0.0f}; /* norm 5 */
    float norm = cov_grad_clip_norm(g, 4, 1.0f);
    assert_true(norm == 5.0f);
    /* coef = max_norm / (norm + 1e-6) */
    assert_true(fabsf(g[0] - 3.0f / (5.0f + 1e-6f)) < 1e-7f);
    assert_true(fabsf(g[2] + 4.0f / (5.0f + 1e-6f)) < 1e-7f);
    float h[2] = {0.3f, 0.4f}; /* norm 0.5 < 1: untouched */
    assert_true(fabsf(cov_grad_clip_norm(h, 2, 1.0f) - 0.5f) < 1e-7f);
    assert_true(h[0] == 0.3f && h[1] == 0.4f);
    float bad[2] = {NAN, 1.0f};
    assert_true(isnan(cov_grad_clip_norm(bad, 2, 1.0f)));
    assert_true(bad[1] == 1.0f);
}

static void bad_configs_refused(void **state)
{
    (void)state;
    cov_adamw *opt = NULL;
    cov_adamw_config c = cov_adamw_templar_defaults();
    assert_true(c.beta1 == 0.9f && c.beta2 == 0.95f && c.eps == 1e-8f && c.weight_decay == 0.1f);
    cov_err err;
    assert_int_equal(cov_adamw_new(&opt, 0, &c, &err), COV_ERR_ARG);
    c.beta2 = 1.0f;
    assert_int_equal(cov_adamw_new(&opt, 10, &c, &err), COV_ERR_ARG);
    assert_null(opt);
    cov_adamw_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(adamw_matches_torch),
        cmocka_unit_test(schedule_matches_torch),
        cmocka_unit_test(clipping_like_torch),
        cmocka_unit_test(bad_configs_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
