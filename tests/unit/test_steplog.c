/* Step accounting (train/steplog.h): the matmul parameter count against an
 * independent count over the checkpoint layout's 2-D tensors, the FLOPs per
 * token against the formula worked by hand for the 124m preset, and the
 * rates of a step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "train/checkpoint.h"
#include "train/steplog.h"

/* Every 2-D tensor of the Hugging Face layout is a matmul weight, except
 * the embedding table of an untied model (a lookup). */
static uint64_t matmul_params_from_layout(const cov_model_config *c)
{
    cov_tensor_view views[1024];
    size_t n = 0;
    cov_err err = {0};
    assert_int_equal(cov_checkpoint_layout(views, 1024, &n, c, &err), COV_OK);
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (views[i].ndim != 2)
            continue;
        if (!c->tie_embeddings && strcmp(views[i].name, "model.embed_tokens.weight") == 0)
            continue;
        total += (uint64_t)views[i].shape[0] * (uint64_t)views[i].shape[1];
    }
    return total;
}

static void matmul_params_match_the_layout(void **state)
{
    (void)state;
    for (const char *const *p = cov_model_presets; *p; p++) {
        if (strcmp(*p, "70b") == 0)
            continue; /* 80 layers: fine, but the layout array above is 1024 */
        cov_model_config c;
        assert_int_equal(cov_model_config_preset(&c, *p, NULL), COV_OK);
        assert_int_equal(cov_train_matmul_params(&c), matmul_params_from_layout(&c));
        c.tie_embeddings = !c.tie_embeddings;
        assert_int_equal(cov_train_matmul_params(&c), matmul_params_from_layout(&c));
    }
}

static void flops_per_token_by_hand(void **state)
{
    (void)state;
    cov_model_config c;
    assert_int_equal(cov_model_config_preset(&c, "124m", NULL), COV_OK);
    /* 6·N + 12·L·H·Q·T, with N from the shapes. */
    double hd = (double)c.dim / c.n_heads, kv = hd * c.n_kv_heads;
    double n = c.n_layers * (2.0 * c.dim * c.dim + 2.0 * kv * c.dim + 3.0 * c.ffn_dim * c.dim) +
               (double)c.vocab_size * c.dim;
    double want = 6.0 * n + 12.0 * c.n_layers * c.n_heads * hd * 1024.0;
    assert_float_equal(cov_train_flops_per_token(&c, 1024), want, want * 1e-12);
    /* The attention term grows with the sequence, the rest does not. */
    double d = cov_train_flops_per_token(&c, 2048) - cov_train_flops_per_token(&c, 1024);
    assert_float_equal(d, 12.0 * c.n_layers * c.dim * 1024.0, 1.0);
}

static void rates_of_a_step(void **state)
{
    (void)state;
    cov_model_config c;
    assert_int_equal(cov_model_config_preset(&c, "demo", NULL), COV_OK);
    double fpt = cov_train_flops_per_token(&c, 128);
    cov_step_rate r = cov_step_rate_of(&c, 128, 4096, 0.5, 0.0);
    assert_float_equal(r.ms, 500.0, 1e-9);
    assert_float_equal(r.tokens_per_s, 8192.0, 1e-9);
    assert_float_equal(r.flops_per_s, 8192.0 * fpt, 1e-3);
    assert_float_equal(r.mfu, 0.0, 0.0);
    r = cov_step_rate_of(&c, 128, 4096, 0.5, 8192.0 * fpt * 4.0);
    assert_float_equal(r.mfu, 0.25, 1e-12);
    r = cov_step_rate_of(&c, 128, 4096, 0.0, 1e15); /* no time: no infinities */
    assert_float_equal(r.tokens_per_s, 0.0, 0.0);
    assert_float_equal(r.mfu, 0.0, 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matmul_params_match_the_layout),
        cmocka_unit_test(flops_per_token_by_hand),
        cmocka_unit_test(rates_of_a_step),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
