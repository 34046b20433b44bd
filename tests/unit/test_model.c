/* train/model.h against plain PyTorch (tests/reference/make_model_fixtures.py):
 * logits, loss, every gradient and the parameters after clip + AdamW, for
 * the tiny preset untied and tied. Then what no fixture shows: Hugging Face
 * names, deterministic init and training, gradient accumulation, learning a
 * simple sequence, and refused inputs.
 *
 * Tolerances (fp32 against fp32 with other summation orders):
 *   logits, loss, gradients  1e-5 abs + 1e-4 rel
 *   parameters after a step  1e-6 abs + 1e-5 rel, given torch's gradients
 *                            (the step moves each by about lr = 1e-3) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "train/train.h"
#include "test_model_fixture.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define ABS_TOL 1e-5
#define REL_TOL 1e-4

static cov_model *new_tiny(bool tied, int B, int T)
{
    cov_model_config c;
    assert_int_equal(cov_model_config_preset(&c, "tiny", NULL), COV_OK);
    c.tie_embeddings = tied;
    cov_model *m = NULL;
    cov_err err;
    if (cov_model_new(&m, &c, B, T, &err) != COV_OK)
        fail_msg("cov_model_new: %s", err.msg);
    return m;
}

static void matches_pytorch(const char *stem, bool tied)
{
    model_fixture fx;
    fixture_load(&fx, stem);
    int B = (int)fixture_num(&fx, "batch", NULL), T = (int)fixture_num(&fx, "seq", NULL);
    cov_model *m = new_tiny(tied, B, T);
    const cov_model_config *c = cov_model_config_of(m);
    assert_int_equal((int)fixture_num(&fx, "config", "vocab_size"), c->vocab_size);
    assert_int_equal((int)fixture_num(&fx, "config", "ffn_dim"), c->ffn_dim);
    assert_int_equal((int)fixture_num(&fx, "config", "n_kv_heads"), c->n_kv_heads);
    assert_true(json_is_true(json_object_get(json_object_get(fx.manifest, "config"),
                                             "tie_embeddings")) == tied);

    /* same tensors, same order, same names and shapes */
    json_t *tensors = json_object_get(fx.manifest, "tensors");
    size_t nt = cov_model_tensor_count(m);
    assert_int_equal(json_array_size(tensors), nt);
    const cov_tensor_view *views = cov_model_params(m);
    for (size_t i = 0; i < nt; i++) {
        json_t *t = json_array_get(tensors, i);
        assert_string_equal(json_string_value(json_object_get(t, "name")), views[i].name);
        json_t *shape = json_object_get(t, "shape");
        assert_int_equal(json_array_size(shape), (size_t)views[i].ndim);
        for (int d = 0; d < views[i].ndim; d++)
            assert_int_equal(json_integer_value(json_array_get(shape, (size_t)d)),
                             views[i].shape[d]);
    }
    size_t n = cov_model_numel(m);
    assert_int_equal(n, cov_model_config_param_count(c));
    memcpy(cov_model_param_data(m), fixture_section(&fx, "weights", n), n * sizeof(float));

    int N = B * T;
    int32_t *tokens = malloc(sizeof(int32_t) * (size_t)N * 2);
    assert_non_null(tokens);
    int32_t *targets = tokens + N;
    json_t *jt = json_object_get(fx.manifest, "tokens");
    json_t *jy = json_object_get(fx.manifest, "targets");
    assert_int_equal(json_array_size(jt), (size_t)N);
    assert_int_equal(json_array_size(jy), (size_t)N);
    for (int i = 0; i < N; i++) {
        tokens[i] = (int32_t)json_integer_value(json_array_get(jt, (size_t)i));
        targets[i] = (int32_t)json_integer_value(json_array_get(jy, (size_t)i));
    }
    float loss = 0.0f;
    cov_err err;
    if (cov_model_forward(m, tokens, targets, B, T, &loss, &err) != COV_OK)
        fail_msg("forward: %s", err.msg);
    double want_loss = fixture_num(&fx, "loss", NULL);
    assert_true(fabs(loss - want_loss) <= ABS_TOL + REL_TOL * fabs(want_loss));
    assert_int_equal(cov_model_target_count(m), (int64_t)fixture_num(&fx, "target_count", NULL));
    size_t nlogits = (size_t)N * (size_t)c->vocab_size;
    expect_close(cov_model_logits(m), fixture_section(&fx, "logits", nlogits), nlogits, ABS_TOL,
                 REL_TOL, "logits");

    cov_model_zero_grad(m);
    assert_int_equal(cov_model_backward(m, &err), COV_OK);
    const float *want_grads = fixture_section(&fx, "grads", n);
    const cov_tensor_view *grads = cov_model_grads(m);
    for (size_t i = 0; i < nt; i++) /* per tensor, so a failure names it */
        expect_close(grads[i].data, want_grads + (grads[i].data - cov_model_grad_data(m)),
                     grads[i].numel, ABS_TOL, REL_TOL, grads[i].name);

    /* torch.nn.utils.clip_grad_norm_ then torch.optim.AdamW.step(), fed
     * torch's gradients: where a gradient is near eps, the step's direction
     * amplifies any last-bit difference, so the optimizer is checked on the
     * very same inputs. */
    memcpy(cov_model_grad_data(m), want_grads, n * sizeof(float));
    float norm = cov_grad_clip_norm(cov_model_grad_data(m), n,
                                    (float)fixture_num(&fx, "max_norm", NULL));
    double want_norm = fixture_num(&fx, "grad_norm", NULL);
    assert_true(fabs(norm - want_norm) <= REL_TOL * want_norm);
    cov_adamw_config ac = {
        (float)fixture_num(&fx, "adamw", "beta1"), (float)fixture_num(&fx, "adamw", "beta2"),
        (float)fixture_num(&fx, "adamw", "eps"), (float)fixture_num(&fx, "adamw", "weight_decay")};
    cov_adamw *opt = NULL;
    assert_int_equal(cov_adamw_new(&opt, n, &ac, NULL), COV_OK);
    assert_int_equal(cov_adamw_step(opt, cov_model_param_data(m), cov_model_grad_data(m), n,
                                    (float)fixture_num(&fx, "adamw", "lr"), NULL),
                     COV_OK);
    expect_close(cov_model_param_data(m), fixture_section(&fx, "after_step", n), n, 1e-6, 1e-5,
                 "parameters after AdamW");
    cov_adamw_free(opt);
    free(tokens);
    cov_model_free(m);
    fixture_free(&fx);
}

static void matches_pytorch_untied(void **state)
{
    (void)state;
    matches_pytorch("model_tiny", false);
}

static void matches_pytorch_tied(void **state)
{
    (void)state;
    matches_pytorch("model_tiny_tied", true);
}

static void hugging_face_names(void **state)
{
    (void)state;
    cov_model *m = new_tiny(false, 1, 4);
    const cov_tensor_view *v = cov_model_params(m);
    size_t nt = cov_model_tensor_count(m);
    assert_int_equal(nt, 2 * 9 + 3);
    assert_string_equal(v[0].name, "model.embed_tokens.weight");
    assert_string_equal(v[1].name, "model.layers.0.input_layernorm.weight");
    assert_string_equal(v[3].name, "model.layers.0.self_attn.k_proj.weight");
    assert_int_equal(v[3].shape[0], 16); /* 2 kv heads x head_dim 8 */
    assert_int_equal(v[3].shape[1], 32);
    assert_string_equal(v[9].name, "model.layers.0.mlp.down_proj.weight");
    assert_int_equal(v[9].shape[0], 32);
    assert_int_equal(v[9].shape[1], 48);
    assert_string_equal(v[18].name, "model.layers.1.mlp.down_proj.weight");
    assert_string_equal(v[19].name, "model.norm.weight");
    assert_string_equal(v[20].name, "lm_head.weight");
    /* views tile the contiguous buffers, gradients in the same layout */
    size_t off = 0;
    for (size_t i = 0; i < nt; i++) {
        assert_ptr_equal(v[i].data, cov_model_param_data(m) + off);
        assert_ptr_equal(cov_model_grads(m)[i].data, cov_model_grad_data(m) + off);
        assert_string_equal(cov_model_grads(m)[i].name, v[i].name);
        off += v[i].numel;
    }
    assert_int_equal(off, cov_model_numel(m));
    cov_model_free(m);

    m = new_tiny(true, 1, 4);
    assert_int_equal(cov_model_tensor_count(m), 2 * 9 + 2);
    assert_string_equal(cov_model_params(m)[19].name, "model.norm.weight");
    cov_model_free(m);
}

static void init_is_deterministic(void **state)
{
    (void)state;
    cov_model *a = new_tiny(false, 1, 4), *b = new_tiny(false, 1, 4);
    cov_model_init_weights(a, 7);
    cov_model_init_weights(b, 7);
    size_t n = cov_model_numel(a);
    assert_memory_equal(cov_model_param_data(a), cov_model_param_data(b), n * sizeof(float));
    cov_model_init_weights(b, 8);
    assert_memory_not_equal(cov_model_param_data(a), cov_model_param_data(b), n * sizeof(float));
    const cov_tensor_view *v = cov_model_params(a);
    for (size_t j = 0; j < v[1].numel; j++) /* a norm */
        assert_true(v[1].data[j] == 1.0f);
    /* the embedding (2048 values) looks like normal(0, 0.02) */
    double s = 0.0, ss = 0.0;
    for (size_t j = 0; j < v[0].numel; j++) {
        s += v[0].data[j];
        ss += (double)v[0].data[j] * v[0].data[j];
    }
    double mean = s / (double)v[0].numel, sd = sqrt(ss / (double)v[0].numel - mean * mean);
    assert_true(fabs(mean) < 0.002);
    assert_true(fabs(sd - 0.02) < 0.001);
    cov_model_free(a);
    cov_model_free(b);
}

/* The learnable sequence t+1 = (3t + 1) mod V, from a random start per row. */
static void sequence_batch(int32_t *tokens, int32_t *targets, int B, int T, int V,
                           uint64_t *rng)
{
    for (int b = 0; b < B; b++) {
        *rng = *rng * 6364136223846793005ULL + 1442695040888963407ULL;
        int t = (int)((*rng >> 33) % (uint64_t)V);
        for (int i = 0; i < T; i++) {
            tokens[b * T + i] = t;
            t = (3 * t + 1) % V;
            targets[b * T + i] = t;
        }
    }
}

/* Trains `steps` AdamW steps on the sequence task; returns the last loss. */
static float train(cov_model *m, int steps, float lr, int B, int T)
{
    int V = cov_model_config_of(m)->vocab_size;
    int32_t tokens[64 * 16], targets[64 * 16];
    assert_true(B * T <= 64 * 16);
    cov_adamw_config ac = cov_adamw_templar_defaults();
    ac.weight_decay = 0.0f;
    cov_adamw *opt = NULL;
    size_t n = cov_model_numel(m);
    assert_int_equal(cov_adamw_new(&opt, n, &ac, NULL), COV_OK);
    uint64_t rng = 1;
    float loss = 0.0f;
    for (int s = 0; s < steps; s++) {
        sequence_batch(tokens, targets, B, T, V, &rng);
        assert_int_equal(cov_model_forward(m, tokens, targets, B, T, &loss, NULL), COV_OK);
        cov_model_zero_grad(m);
        assert_int_equal(cov_model_backward(m, NULL), COV_OK);
        cov_grad_clip_norm(cov_model_grad_data(m), n, 1.0f);
        assert_int_equal(cov_adamw_step(opt, cov_model_param_data(m), cov_model_grad_data(m), n,
                                        lr, NULL),
                         COV_OK);
    }
    cov_adamw_free(opt);
    return loss;
}

static void training_is_bit_identical(void **state)
{
    (void)state;
    cov_model *a = new_tiny(false, 4, 16), *b = new_tiny(false, 4, 16);
    cov_model_init_weights(a, 42);
    cov_model_init_weights(b, 42);
    float la = train(a, 5, 1e-2f, 4, 16), lb = train(b, 5, 1e-2f, 4, 16);
    assert_memory_equal(&la, &lb, sizeof la);
    assert_memory_equal(cov_model_param_data(a), cov_model_param_data(b),
                        cov_model_numel(a) * sizeof(float));
    cov_model_free(a);
    cov_model_free(b);
}

/* Every reduction runs inside one loop iteration, so the OpenMP thread
 * count cannot change a bit (OpenBLAS keeps its own thread count). */
static void same_bits_for_any_thread_count(void **state)
{
    (void)state;
#ifdef _OPENMP
    int keep = omp_get_max_threads();
    cov_model *a = new_tiny(true, 4, 16), *b = new_tiny(true, 4, 16);
    cov_model_init_weights(a, 9);
    cov_model_init_weights(b, 9);
    omp_set_num_threads(1);
    train(a, 3, 1e-2f, 4, 16);
    omp_set_num_threads(3);
    train(b, 3, 1e-2f, 4, 16);
    omp_set_num_threads(keep);
    assert_memory_equal(cov_model_param_data(a), cov_model_param_data(b),
                        cov_model_numel(a) * sizeof(float));
    cov_model_free(a);
    cov_model_free(b);
#else
    skip();
#endif
}

static void learns_a_sequence(void **state)
{
    (void)state;
    cov_model *m = new_tiny(false, 8, 16);
    cov_model_init_weights(m, 1);
    /* Chance is ln 64 = 4.16; the next token is a function of the current
     * one, so a model that learned it gets far below 0.05 (about 5e-4 here). */
    float loss = train(m, 150, 1e-2f, 8, 16);
    assert_true(loss < 0.05f);
    cov_model_free(m);
}

static void gradient_accumulation(void **state)
{
    (void)state;
    /* Two micro-batches of one row (same target count each) add up to the
     * full batch's gradient times two. */
    cov_model *m = new_tiny(false, 2, 8);
    cov_model_init_weights(m, 3);
    int32_t tokens[16], targets[16];
    uint64_t rng = 5;
    sequence_batch(tokens, targets, 2, 8, 64, &rng);
    targets[2] = targets[9] = COV_IGNORE_INDEX;
    float loss;
    size_t n = cov_model_numel(m);
    float *full = malloc(n * sizeof(float));
    assert_non_null(full);
    assert_int_equal(cov_model_forward(m, tokens, targets, 2, 8, &loss, NULL), COV_OK);
    cov_model_zero_grad(m);
    assert_int_equal(cov_model_backward(m, NULL), COV_OK);
    for (size_t i = 0; i < n; i++)
        full[i] = 2.0f * cov_model_grad_data(m)[i];
    cov_model_zero_grad(m);
    for (int b = 0; b < 2; b++) {
        assert_int_equal(cov_model_forward(m, tokens + 8 * b, targets + 8 * b, 1, 8, &loss, NULL),
                         COV_OK);
        assert_int_equal(cov_model_backward(m, NULL), COV_OK);
    }
    expect_close(cov_model_grad_data(m), full, n, 1e-6, 1e-4, "accumulated gradients");
    free(full);
    cov_model_free(m);
}

static void bad_inputs_refused(void **state)
{
    (void)state;
    cov_model_config c;
    assert_int_equal(cov_model_config_preset(&c, "tiny", NULL), COV_OK);
    cov_model *m = NULL;
    cov_err err;
    assert_int_equal(cov_model_new(&m, &c, 1, 17, &err), COV_ERR_ARG); /* > max_seq_len 16 */
    assert_null(m);
    assert_int_equal(cov_model_new(&m, &c, 0, 4, &err), COV_ERR_ARG);
    c.n_kv_heads = 3;
    assert_int_equal(cov_model_new(&m, &c, 1, 4, &err), COV_ERR_ARG);

    m = new_tiny(false, 2, 4);
    int32_t tokens[8] = {1, 2, 3, 4, 5, 6, 7, 8}, targets[8] = {2, 3, 4, 5, 6, 7, 8, -100};
    float loss;
    /* backward before any forward, or after one without targets */
    assert_int_equal(cov_model_backward(m, &err), COV_ERR_ARG);
    assert_int_equal(cov_model_forward(m, tokens, NULL, 2, 4, NULL, &err), COV_OK);
    assert_int_equal(cov_model_backward(m, &err), COV_ERR_ARG);
    assert_int_equal(cov_model_forward(m, tokens, targets, 3, 4, &loss, &err), COV_ERR_ARG);
    assert_int_equal(cov_model_forward(m, tokens, targets, 2, 5, &loss, &err), COV_ERR_ARG);
    tokens[5] = 64;
    assert_int_equal(cov_model_forward(m, tokens, targets, 2, 4, &loss, &err), COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "vocabulary"));
    tokens[5] = -1;
    assert_int_equal(cov_model_forward(m, tokens, targets, 2, 4, &loss, &err), COV_ERR_ARG);
    tokens[5] = 6;
    targets[0] = -5;
    assert_int_equal(cov_model_forward(m, tokens, targets, 2, 4, &loss, &err), COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "-100"));
    /* a refused forward leaves nothing to backpropagate */
    assert_int_equal(cov_model_backward(m, &err), COV_ERR_ARG);
    /* every target ignored: loss 0, count 0, zero gradient */
    for (int i = 0; i < 8; i++)
        targets[i] = COV_IGNORE_INDEX;
    assert_int_equal(cov_model_forward(m, tokens, targets, 2, 4, &loss, &err), COV_OK);
    assert_true(loss == 0.0f);
    assert_int_equal(cov_model_target_count(m), 0);
    cov_model_zero_grad(m);
    assert_int_equal(cov_model_backward(m, &err), COV_OK);
    for (size_t i = 0; i < cov_model_numel(m); i++)
        assert_true(cov_model_grad_data(m)[i] == 0.0f);
    cov_model_free(m);
    cov_model_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matches_pytorch_untied),
        cmocka_unit_test(matches_pytorch_tied),
        cmocka_unit_test(hugging_face_names),
        cmocka_unit_test(init_is_deterministic),
        cmocka_unit_test(training_is_bit_identical),
        cmocka_unit_test(same_bits_for_any_thread_count),
        cmocka_unit_test(learns_a_sequence),
        cmocka_unit_test(gradient_accumulation),
        cmocka_unit_test(bad_inputs_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
