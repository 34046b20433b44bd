/* train/checkpoint: safetensors + config.json round trips bit for bit
 * (NaN payloads, -0, subnormals included), and everything a damaged or
 * mismatched checkpoint can be is refused with an error that says what:
 * truncations, flipped header bytes, overlapping or out-of-range offsets,
 * other dtypes, a header over the cap, missing/extra/reshaped tensors, a
 * config.json that does not fit the weights. tests/interop/checkpoint.py
 * opens covenant's checkpoints in transformers and the other way round. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_helpers.h"
#include "train/checkpoint.h"

#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/covenant-test-ckpt-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

typedef struct {
    cov_tensor_view *v;
    size_t n;
} model;

/* The layout of cfg with memory, filled from a seed with bit patterns of
 * every kind (a float is any 32 bits here). */
static model model_new(const cov_model_config *cfg, uint32_t seed)
{
    model m;
    assert_int_equal(cov_checkpoint_layout(NULL, 0, &m.n, cfg, NULL), COV_OK);
    m.v = calloc(m.n, sizeof *m.v);
    assert_non_null(m.v);
    assert_int_equal(cov_checkpoint_layout(m.v, m.n, &m.n, cfg, NULL), COV_OK);
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < m.n; i++) {
        m.v[i].data = malloc(m.v[i].numel * sizeof(float));
        assert_non_null(m.v[i].data);
        for (size_t k = 0; k < m.v[i].numel; k++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            uint32_t bits = x;
            if (k == 0)
                bits = 0x7fc01234u; /* a NaN with a payload */
            else if (k == 1)
                bits = 0x80000000u; /* -0 */
            else if (k == 2)
                bits = 0x00000001u; /* the smallest subnormal */
            memcpy(&m.v[i].data[k], &bits, 4);
        }
    }
    return m;
}

static void model_free(model *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i].data);
    free(m->v);
}

static void expect_same(const model *a, const model *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        assert_memory_equal(a->v[i].data, b->v[i].data, a->v[i].numel * sizeof(float));
}

static void dir_path(char *out, size_t cap, const char *leaf)
{
    snprintf(out, cap, "%s/%s", tmpdir, leaf);
}

static void test_round_trip(void **state)
{
    (void)state;
    for (int tied = 0; tied <= 1; tied++) {
        cov_model_config cfg;
        assert_int_equal(cov_model_config_preset(&cfg, "tiny", NULL), COV_OK);
        cfg.tie_embeddings = tied;
        cfg.norm_eps = 1e-6f;
        cfg.rope_theta = 500000.0f;
        model a = model_new(&cfg, 7 + (uint32_t)tied), b = model_new(&cfg, 99);
        char dir[400];
        dir_path(dir, sizeof dir, tied ? "tied" : "untied");
        assert_int_equal(cov_checkpoint_save(dir, &cfg, a.v, a.n,
                                             "{\"window\": 1234, \"global_step\": 56, "
                                             "\"note\": \"hello\", \"eos_token_id\": 1}",
                                             NULL),
                         COV_OK);
        cov_model_config got;
        assert_int_equal(cov_checkpoint_load(dir, &got, b.v, b.n, NULL), COV_OK);
        expect_same(&a, &b);
        assert_string_equal(got.name, "tiny");
        assert_int_equal(got.vocab_size, cfg.vocab_size);
        assert_int_equal(got.dim, cfg.dim);
        assert_int_equal(got.n_layers, cfg.n_layers);
        assert_int_equal(got.n_heads, cfg.n_heads);
        assert_int_equal(got.n_kv_heads, cfg.n_kv_heads);
        assert_int_equal(got.ffn_dim, cfg.ffn_dim);
        assert_int_equal(got.max_seq_len, cfg.max_seq_len);
        assert_true(got.norm_eps == cfg.norm_eps && got.rope_theta == cfg.rope_theta);
        assert_int_equal(got.tie_embeddings, cfg.tie_embeddings);

        json_t *md;
        assert_int_equal(cov_checkpoint_read_metadata(dir, &md, NULL), COV_OK);
        assert_string_equal(json_string_value(json_object_get(md, "format")), "pt");
        assert_string_equal(json_string_value(json_object_get(md, "window")), "1234");
        assert_string_equal(json_string_value(json_object_get(md, "global_step")), "56");
        assert_string_equal(json_string_value(json_object_get(md, "note")), "hello");
        json_decref(md);

        /* config.json: what transformers reads, with readable floats */
        char path[500];
        snprintf(path, sizeof path, "%s/config.json", dir);
        uint8_t *text;
        size_t len;
        assert_int_equal(cov_file_read(&text, &len, path, 1 << 20, false, NULL), COV_OK);
        json_t *cj = json_loadb((const char *)text, len, 0, NULL);
        assert_non_null(cj);
        /* the shortest decimal of the float, not its double expansion */
        assert_true(json_real_value(json_object_get(cj, "rms_norm_eps")) == 1e-6);
        assert_true(json_real_value(json_object_get(cj, "rope_theta")) == 500000.0);
        json_decref(cj);
        assert_non_null(strstr((char *)text, "\"LlamaForCausalLM\""));
        assert_non_null(strstr((char *)text, "\"eos_token_id\": 1"));
        assert_non_null(strstr((char *)text, tied ? "\"tie_word_embeddings\": true"
                                                  : "\"tie_word_embeddings\": false"));
        free(text);

        /* saving again replaces the checkpoint, leaving nothing else behind */
        assert_int_equal(cov_checkpoint_save(dir, &cfg, b.v, b.n, NULL, NULL), COV_OK);
        model c = model_new(&cfg, 5);
        assert_int_equal(cov_checkpoint_load(dir, &got, c.v, c.n, NULL), COV_OK);
        expect_same(&b, &c);
        model_free(&a);
        model_free(&b);
        model_free(&c);
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "test \"$(ls '%s' | wc -l)\" = 2", tmpdir);
    assert_int_equal(system(cmd), 0);
}

static void test_save_refusals(void **state)
{
    (void)state;
    cov_model_config cfg;
    assert_int_equal(cov_model_config_preset(&cfg, "tiny", NULL), COV_OK);
    model a = model_new(&cfg, 1);
    char dir[400], path[500];
    cov_err err;
    /* a folder with something else in it is not replaced */
    dir_path(dir, sizeof dir, "precious");
    assert_int_equal(mkdir(dir, 0755), 0);
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    assert_int_equal(cov_file_write_atomic(path, "x", 1, 0644, false, NULL), COV_OK);
    assert_int_equal(cov_checkpoint_save(dir, &cfg, a.v, a.n, NULL, &err), COV_ERR_EXISTS);
    assert_non_null(strstr(err.msg, "notes.txt"));
    assert_true(cov_file_exists(path));
    /* tensors that are not the config's layout */
    dir_path(dir, sizeof dir, "bad");
    assert_int_equal(cov_checkpoint_save(dir, &cfg, a.v, a.n - 1, NULL, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "lm_head.weight is missing"));
    a.v[3].shape[0]++;
    assert_int_equal(cov_checkpoint_save(dir, &cfg, a.v, a.n, NULL, &err), COV_ERR_ARG);
    a.v[3].shape[0]--;
    assert_int_equal(cov_checkpoint_save(dir, &cfg, a.v, a.n, "[1]", &err), COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "metadata"));
    assert_false(cov_file_exists(dir));
    model_free(&a);
}

/* Saves tiny to dir and returns the bytes of its model.safetensors. */
static uint8_t *saved_weights(const char *dir, size_t *len, model *m, cov_model_config *cfg)
{
    assert_int_equal(cov_model_config_preset(cfg, "tiny", NULL), COV_OK);
    *m = model_new(cfg, 3);
    assert_int_equal(cov_checkpoint_save(dir, cfg, m->v, m->n, "{\"window\": 9}", NULL), COV_OK);
    char path[500];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    uint8_t *bytes;
    assert_int_equal(cov_file_read(&bytes, len, path, (size_t)64 << 20, false, NULL), COV_OK);
    return bytes;
}

static void write_weights(const char *dir, const void *bytes, size_t len)
{
    char path[500];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    assert_int_equal(cov_file_write_atomic(path, bytes, len, 0644, true, NULL), COV_OK);
}

/* Loads dir; either refused with a message or bit-identical to want. */
static cov_status load_or_same(const char *dir, const model *want, cov_err *err)
{
    cov_model_config cfg;
    assert_int_equal(cov_model_config_preset(&cfg, "tiny", NULL), COV_OK);
    model got = model_new(&cfg, 77);
    cov_err_clear(err);
    cov_status st = cov_checkpoint_load(dir, &cfg, got.v, got.n, err);
    if (st == COV_OK)
        expect_same(want, &got);
    else
        assert_true(err->msg[0] != '\0');
    model_free(&got);
    return st;
}

static void test_corrupt_weights(void **state)
{
    (void)state;
    char dir[400];
    dir_path(dir, sizeof dir, "corrupt");
    size_t len;
    model m;
    cov_model_config cfg;
    uint8_t *good = saved_weights(dir, &len, &m, &cfg);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = hlen << 8 | good[i];
    assert_int_equal(hlen % 8, 0); /* data 8-byte aligned */
    cov_err err;

    /* truncations: in the length, the header, the data, the last byte */
    size_t cuts[] = {0, 4, 8, 8 + (size_t)hlen / 2, 8 + (size_t)hlen, 8 + (size_t)hlen + 100,
                     len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        write_weights(dir, good, cuts[i]);
        assert_int_not_equal(load_or_same(dir, &m, &err), COV_OK);
    }
    /* every header byte flipped: refused, or (a metadata string or padding
     * that stays valid JSON) loaded unchanged */
    uint8_t *buf = malloc(len);
    assert_non_null(buf);
    size_t refused = 0;
    for (size_t i = 0; i < 8 + hlen; i++) {
        memcpy(buf, good, len);
        buf[i] ^= 0x04;
        write_weights(dir, buf, len);
        refused += load_or_same(dir, &m, &err) != COV_OK;
    }
    assert_true(refused > (8 + hlen) * 9 / 10);
    /* a header length over the cap */
    memcpy(buf, good, len);
    buf[3] = 0x40; /* 1 GiB */
    write_weights(dir, buf, len);
    assert_int_equal(load_or_same(dir, &m, &err), COV_ERR_TOO_BIG);
    free(buf);
    free(good);
    model_free(&m);
}

/* Writes a safetensors file with this header (padded) and data_len zero
 * bytes, then loads it expecting a refusal naming `words`. */
static void expect_header_refused(const char *dir, const char *header, size_t data_len,
                                  cov_status code, const char *words)
{
    size_t hl = strlen(header);
    size_t len = 8 + hl + data_len;
    uint8_t *buf = calloc(1, len);
    assert_non_null(buf);
    for (int i = 0; i < 8; i++)
        buf[i] = (uint8_t)((uint64_t)hl >> (8 * i));
    memcpy(buf + 8, header, hl);
    write_weights(dir, buf, len);
    free(buf);
    cov_safetensors st;
    cov_err err;
    cov_model_config cfg;
    cov_status got = cov_safetensors_parse(&st, (const uint8_t *)"", 0, &err);
    assert_int_equal(got, COV_ERR_PARSE);
    cov_err_clear(&err);
    got = cov_checkpoint_load(dir, &cfg, NULL, 0, &err);
    if (got != code || !strstr(err.msg, words))
        fail_msg("%s: expected %s with \"%s\", got %s: %s", header, cov_status_name(code), words,
                 cov_status_name(got), err.msg);
}

static void test_crafted_headers(void **state)
{
    (void)state;
    char dir[400];
    dir_path(dir, sizeof dir, "crafted");
    size_t len;
    model m;
    cov_model_config cfg;
    free(saved_weights(dir, &len, &m, &cfg));
    model_free(&m);
    expect_header_refused(dir, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                               "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                          12, COV_ERR_PARSE, "overlap");
    expect_header_refused(dir, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                          4, COV_ERR_PARSE, "past the data");
    expect_header_refused(dir, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                          12, COV_ERR_PARSE, "unused bytes");
    expect_header_refused(dir, "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
                          8, COV_ERR_PARSE, "8 bytes for 3 F32");
    expect_header_refused(dir, "{\"a\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}",
                          8, COV_ERR_UNSUPPORTED, "BF16");
    expect_header_refused(dir, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,2],\"data_offsets\":[0,8]}}",
                          8, COV_ERR_UNSUPPORTED, "3 dimensions");
    expect_header_refused(dir, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                               "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                          8, COV_ERR_PARSE, "duplicate");
    expect_header_refused(dir, "{\"__metadata__\":{\"x\":1}}", 0, COV_ERR_PARSE, "not a string");
    expect_header_refused(dir, "[1]     ", 0, COV_ERR_PARSE, "not a JSON object");
    /* well-formed, but not the config's tensors */
    expect_header_refused(dir, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                          8, COV_ERR_PARSE, "unexpected tensor a");
}

static void test_mismatches(void **state)
{
    (void)state;
    char dir[400], path[500];
    dir_path(dir, sizeof dir, "mismatch");
    size_t len;
    model m;
    cov_model_config cfg;
    free(saved_weights(dir, &len, &m, &cfg));
    cov_err err;
    cov_model_config got;

    /* the caller's model is another shape */
    m.v[5].shape[0] = 7;
    assert_int_equal(cov_checkpoint_load(dir, &got, m.v, m.n, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, m.v[5].name));
    m.v[5].shape[0] = m.v[6].shape[0];
    assert_int_equal(cov_checkpoint_load(dir, &got, m.v, m.n - 1, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "missing"));

    /* config.json says another size than the weights */
    snprintf(path, sizeof path, "%s/config.json", dir);
    uint8_t *text;
    size_t tl;
    assert_int_equal(cov_file_read(&text, &tl, path, 1 << 20, false, NULL), COV_OK);
    char *at = strstr((char *)text, "\"intermediate_size\": 48");
    assert_non_null(at);
    at[strlen("\"intermediate_size\": ")] = '6'; /* 68 */
    assert_int_equal(cov_file_write_atomic(path, text, tl, 0644, true, NULL), COV_OK);
    cov_model_config c68 = cfg;
    c68.ffn_dim = 68;
    model m68 = model_new(&c68, 1);
    assert_int_equal(cov_checkpoint_load(dir, &got, m68.v, m68.n, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "against config.json"));
    /* a config covenant's model cannot run */
    at[strlen("\"intermediate_size\": ")] = '4';
    char *act = strstr((char *)text, "\"silu\"");
    assert_non_null(act);
    memcpy(act, "\"gelu\"", 6);
    assert_int_equal(cov_file_write_atomic(path, text, tl, 0644, true, NULL), COV_OK);
    assert_int_equal(cov_checkpoint_read_config(dir, &got, &err), COV_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "hidden_act"));
    free(text);
    assert_int_equal(cov_checkpoint_read_config("/nonexistent", &got, &err), COV_ERR_NOT_FOUND);
    model_free(&m);
    model_free(&m68);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),      cmocka_unit_test(test_save_refusals),
        cmocka_unit_test(test_corrupt_weights), cmocka_unit_test(test_crafted_headers),
        cmocka_unit_test(test_mismatches),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
