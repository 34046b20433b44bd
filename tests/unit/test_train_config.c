/* Model presets (train/config.h): the 70B shapes must be Covenant-72B's
 * exactly (templar.md §1.1), and impossible shapes are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "train/config.h"

static void covenant_72b_shapes(void **state)
{
    (void)state;
    cov_model_config c;
    assert_int_equal(cov_model_config_preset(&c, "70b", NULL), COV_OK);
    assert_int_equal(c.dim, 8192);
    assert_int_equal(c.n_layers, 80);
    assert_int_equal(c.n_heads, 64);
    assert_int_equal(c.n_kv_heads, 8);
    assert_int_equal(c.ffn_dim, 28672);
    assert_int_equal(c.vocab_size, 262144);
    assert_int_equal(c.max_seq_len, 2048);
    assert_true(c.tie_embeddings);
    /* 70,599,843,840 trained parameters with the tied embedding. */
    assert_int_equal(cov_model_config_param_count(&c), 70599843840ULL);
    c.tie_embeddings = false; /* the HF export's separate lm_head */
    assert_int_equal(cov_model_config_param_count(&c), 72747327488ULL);
}

static void cpu_presets_sizes(void **state)
{
    (void)state;
    cov_model_config c;
    assert_int_equal(cov_model_config_preset(&c, "10m", NULL), COV_OK);
    uint64_t n = cov_model_config_param_count(&c);
    assert_true(n > 8000000 && n < 12000000);
    assert_int_equal(cov_model_config_preset(&c, "124m", NULL), COV_OK);
    n = cov_model_config_param_count(&c);
    assert_true(n > 110000000 && n < 135000000);
    assert_int_equal(cov_model_config_preset(&c, "demo", NULL), COV_OK);
    assert_int_equal(c.ffn_dim, 384);
    n = cov_model_config_param_count(&c);
    assert_true(n > 500000 && n < 2000000);
    assert_int_equal(cov_model_config_preset(&c, "tiny", NULL), COV_OK);
    assert_int_equal(c.n_heads % c.n_kv_heads, 0);
    assert_true(c.n_kv_heads < c.n_heads); /* exercises grouped-query attention */
}

static void bad_configs_refused(void **state)
{
    (void)state;
    cov_model_config c;
    cov_err err;
    assert_int_equal(cov_model_config_preset(&c, "7b", &err), COV_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "tiny"));
    assert_int_equal(cov_model_config_preset(&c, "tiny", NULL), COV_OK);
    c.n_kv_heads = 3;
    assert_int_equal(cov_model_config_check(&c, &err), COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "n_kv_heads"));
    assert_int_equal(cov_model_config_preset(&c, "tiny", NULL), COV_OK);
    c.dim = 36; /* head dim 9: odd */
    assert_int_equal(cov_model_config_check(&c, &err), COV_ERR_ARG);
    c.dim = 0;
    assert_int_equal(cov_model_config_check(&c, &err), COV_ERR_ARG);
    assert_int_equal(cov_model_ffn_dim(4096, 1.3, 1024), 14336); /* Llama-3 8B */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(covenant_72b_shapes),
        cmocka_unit_test(cpu_presets_sizes),
        cmocka_unit_test(bad_configs_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
