/* The pseudo-gradient wire format (train/pgrad.h): a round trip through
 * bytes and through a file, the header's bytes, the model hash, and every
 * refusal a receiver owes: corrupt and truncated files, another model,
 * window or uid, and (with a valid checksum) each invalid field. Also the
 * model-level outer step on decoded peers. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "train/pgrad.h"

enum { N_TENSORS = 4 };

typedef struct {
    cov_model_config mc;
    cov_sparseloco_config cfg;
    cov_tensor_view views[N_TENSORS];
    uint8_t hash[32];
    cov_pgrad *pg;
    uint8_t *bytes;
    size_t len;
} fixture;

static uint32_t lcg(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return *x >> 8;
}

static void view(cov_tensor_view *v, const char *name, int ndim, int64_t r, int64_t c)
{
    memset(v, 0, sizeof *v);
    strcpy(v->name, name);
    v->ndim = ndim;
    v->shape[0] = r;
    v->shape[1] = ndim == 2 ? c : 0;
    v->numel = (size_t)(r * (ndim == 2 ? c : 1));
}

/* A compressed pgrad of four tensors (one of them with 1-element chunks,
 * so an odd index count) from pseudo-random data. */
static void make(fixture *f, uint16_t uid, uint32_t seed)
{
    assert_int_equal(cov_model_config_preset(&f->mc, "tiny", NULL), COV_OK);
    cov_sparseloco_config_defaults(&f->cfg);
    view(&f->views[0], "model.layers.0.mlp.up_proj.weight", 2, 128, 192);
    view(&f->views[1], "model.layers.0.self_attn.k_proj.weight", 2, 37, 5);
    view(&f->views[2], "model.norm.weight", 1, 97, 0);
    view(&f->views[3], "model.layers.0.input_layernorm.weight", 1, 64, 0);
    assert_int_equal(cov_pgrad_model_hash(f->hash, &f->mc, f->views, N_TENSORS, NULL), COV_OK);
    assert_int_equal(cov_pgrad_new(&f->pg, f->hash, 4242, uid, f->views, N_TENSORS, &f->cfg, NULL), COV_OK);
    cov_sparseloco *s;
    assert_int_equal(cov_sparseloco_new(&s, &f->cfg, NULL), COV_OK);
    cov_tensor_view ef[N_TENSORS], delta[N_TENSORS];
    uint32_t x = seed;
    for (int i = 0; i < N_TENSORS; i++) {
        ef[i] = delta[i] = f->views[i];
        ef[i].data = calloc(f->views[i].numel, sizeof(float));
        delta[i].data = malloc(f->views[i].numel * sizeof(float));
        assert_non_null(ef[i].data);
        assert_non_null(delta[i].data);
        for (size_t j = 0; j < f->views[i].numel; j++)
            delta[i].data[j] = (float)(lcg(&x) % 2001) / 1000.0f - 1.0f;
    }
    assert_int_equal(cov_pgrad_compress(s, f->pg, ef, delta, NULL), COV_OK);
    for (int i = 0; i < N_TENSORS; i++) {
        free(ef[i].data);
        free(delta[i].data);
    }
    cov_sparseloco_free(s);
    assert_int_equal(cov_pgrad_encode(&f->bytes, &f->len, f->pg, NULL), COV_OK);
    assert_int_equal(f->len, cov_pgrad_encoded_len(f->pg));
}

static void unmake(fixture *f)
{
    cov_pgrad_free(f->pg);
    free(f->bytes);
}

static cov_pgrad_expect expect_of(const fixture *f)
{
    cov_pgrad_expect e = {
        .model_hash = f->hash, .window = 4242, .uid = f->pg->uid,
        .tensors = f->views, .n_tensors = N_TENSORS, .cfg = &f->cfg,
    };
    return e;
}

static void same_pgrad(const cov_pgrad *a, const cov_pgrad *b)
{
    assert_memory_equal(a->model_hash, b->model_hash, 32);
    assert_int_equal(a->window, b->window);
    assert_int_equal(a->uid, b->uid);
    assert_int_equal(a->n_tensors, b->n_tensors);
    for (size_t i = 0; i < a->n_tensors; i++) {
        const cov_sparseloco_tensor *x = &a->tensors[i], *y = &b->tensors[i];
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->geom.n_kept, y->geom.n_kept);
        assert_memory_equal(x->idx, y->idx, x->geom.n_kept * sizeof *x->idx);
        assert_memory_equal(x->codes, y->codes, x->geom.n_kept);
        assert_memory_equal(x->packed, y->packed, x->geom.packed_len);
        assert_memory_equal(&x->shift, &y->shift, sizeof x->shift);
        assert_memory_equal(&x->scale, &y->scale, sizeof x->scale);
        assert_memory_equal(x->lookup, y->lookup, 4 * sizeof(float));
    }
}

static void round_trip(void **state)
{
    (void)state;
    fixture f;
    make(&f, 7, 1);
    /* The header, byte by byte. */
    assert_memory_equal(f.bytes, "COVPGRAD\x01\x00\x00\x00", 12);
    assert_memory_equal(f.bytes + 12, f.hash, 32);
    const uint8_t tail[16] = {0x92, 0x10, 0, 0, 0, 0, 0, 0, 7, 0, 4, 0, 4, 0, 0, 0};
    assert_memory_equal(f.bytes + 44, tail, 16);
    uint8_t sum[32];
    cov_blake2b_256(sum, f.bytes, f.len - 32);
    assert_memory_equal(f.bytes + f.len - 32, sum, 32);

    cov_pgrad_expect e = expect_of(&f);
    cov_pgrad *back;
    assert_int_equal(cov_pgrad_decode(&back, f.bytes, f.len, &e, NULL), COV_OK);
    same_pgrad(f.pg, back);
    cov_pgrad_free(back);

    char dir[] = "/tmp/covenant-pgrad-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/gradient-4242-7.pgrad", dir);
    assert_int_equal(cov_pgrad_write_file(path, f.pg, false, NULL), COV_OK);
    cov_err err;
    assert_int_equal(cov_pgrad_write_file(path, f.pg, false, &err), COV_ERR_EXISTS);
    assert_int_equal(cov_pgrad_read_file(&back, path, &e, NULL), COV_OK);
    same_pgrad(f.pg, back);
    cov_pgrad_free(back);
    unlink(path);
    rmdir(dir);
    unmake(&f);
}

static void model_hash(void **state)
{
    (void)state;
    cov_model_config mc;
    assert_int_equal(cov_model_config_preset(&mc, "tiny", NULL), COV_OK);
    cov_tensor_view v[2];
    view(&v[0], "a", 2, 64, 32);
    view(&v[1], "b", 1, 32, 0);
    uint8_t h1[32], h2[32];
    assert_int_equal(cov_pgrad_model_hash(h1, &mc, v, 2, NULL), COV_OK);
    assert_int_equal(cov_pgrad_model_hash(h2, &mc, v, 2, NULL), COV_OK);
    assert_memory_equal(h1, h2, 32);
    v[0].shape[1] = 33;
    assert_int_equal(cov_pgrad_model_hash(h2, &mc, v, 2, NULL), COV_OK);
    assert_memory_not_equal(h1, h2, 32);
    v[0].shape[1] = 32;
    strcpy(v[1].name, "c");
    assert_int_equal(cov_pgrad_model_hash(h2, &mc, v, 2, NULL), COV_OK);
    assert_memory_not_equal(h1, h2, 32);
    strcpy(v[1].name, "b");
    mc.n_layers++;
    assert_int_equal(cov_pgrad_model_hash(h2, &mc, v, 2, NULL), COV_OK);
    assert_memory_not_equal(h1, h2, 32);
    mc.n_layers--;
    strcpy(mc.name, "renamed"); /* a label, not hashed */
    assert_int_equal(cov_pgrad_model_hash(h2, &mc, v, 2, NULL), COV_OK);
    assert_memory_equal(h1, h2, 32);
}

static cov_status decode_status(const fixture *f, const uint8_t *bytes, size_t len, cov_err *err)
{
    cov_pgrad_expect e = expect_of(f);
    cov_pgrad *pg = (cov_pgrad *)(uintptr_t)1;
    cov_status st = cov_pgrad_decode(&pg, bytes, len, &e, err);
    if (st != COV_OK)
        assert_null(pg);
    cov_pgrad_free(pg);
    return st;
}

static void corrupt_and_truncated(void **state)
{
    (void)state;
    fixture f;
    make(&f, 3, 2);
    uint8_t *copy = malloc(f.len);
    assert_non_null(copy);
    cov_err err;
    /* Every prefix is refused. */
    for (size_t n = 0; n < f.len; n += (n < 200 ? 1 : 97))
        assert_int_not_equal(decode_status(&f, f.bytes, n, &err), COV_OK);
    /* A flipped bit anywhere is a checksum failure. */
    for (size_t i = 0; i < f.len; i += 13) {
        memcpy(copy, f.bytes, f.len);
        copy[i] ^= 0x10;
        assert_int_equal(decode_status(&f, copy, f.len, &err), COV_ERR_CHECKSUM);
    }
    assert_non_null(strstr(err.msg, "corrupt"));
    /* Over the cap. */
    cov_pgrad_expect e = expect_of(&f);
    e.max_bytes = f.len - 1;
    cov_pgrad *pg;
    assert_int_equal(cov_pgrad_decode(&pg, f.bytes, f.len, &e, &err), COV_ERR_TOO_BIG);
    free(copy);
    unmake(&f);
}

static void mismatches(void **state)
{
    (void)state;
    fixture f;
    make(&f, 5, 3);
    cov_pgrad_expect e = expect_of(&f);
    cov_pgrad *pg;
    cov_err err;
    e.window = 4243;
    assert_int_equal(cov_pgrad_decode(&pg, f.bytes, f.len, &e, &err), COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "window 4242"));
    e = expect_of(&f);
    e.uid = 6;
    assert_int_equal(cov_pgrad_decode(&pg, f.bytes, f.len, &e, &err), COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "uid 5"));
    uint8_t other[32];
    memcpy(other, f.hash, 32);
    other[0] ^= 1;
    e = expect_of(&f);
    e.model_hash = other;
    assert_int_equal(cov_pgrad_decode(&pg, f.bytes, f.len, &e, &err), COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "another model"));
    /* Another config: k differs. */
    cov_sparseloco_config small = f.cfg;
    small.topk = 32;
    e = expect_of(&f);
    e.cfg = &small;
    assert_int_equal(cov_pgrad_decode(&pg, f.bytes, f.len, &e, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "k 32"));
    /* Another shape for a tensor. */
    cov_tensor_view views[N_TENSORS];
    memcpy(views, f.views, sizeof views);
    views[1].shape[0] = 38;
    e = expect_of(&f);
    e.tensors = views;
    assert_int_equal(cov_pgrad_decode(&pg, f.bytes, f.len, &e, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "37 x 5"));
    unmake(&f);
}

/* Offsets into the first tensor's record of the fixture. */
static size_t first_tensor(void)
{
    return COV_PGRAD_HEADER_LEN + 2 + strlen("model.layers.0.mlp.up_proj.weight") + 2 + 16;
}

/* Applies an edit, re-signs the file and returns the decoder's verdict. */
static cov_status edited(const fixture *f, size_t at, const void *bytes, size_t n, cov_err *err)
{
    uint8_t *copy = malloc(f->len);
    assert_non_null(copy);
    memcpy(copy, f->bytes, f->len);
    memcpy(copy + at, bytes, n);
    cov_blake2b_256(copy + f->len - 32, copy, f->len - 32);
    cov_status st = decode_status(f, copy, f->len, err);
    free(copy);
    return st;
}

static void invalid_fields(void **state)
{
    (void)state;
    fixture f;
    make(&f, 9, 4);
    cov_err err;
    const size_t t0 = first_tensor();      /* h, w, k, N */
    const size_t quant = t0 + 6 + 8;        /* shift, scale, lookup[4] */
    const size_t packed = quant + 8 + 16;
    const size_t n_kept = f.pg->tensors[0].geom.n_kept;
    const size_t codes = packed + f.pg->tensors[0].geom.packed_len;

    assert_int_equal(edited(&f, 8, "\x02\x00", 2, &err), COV_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "version 2"));
    assert_int_equal(edited(&f, 10, "\x02\x00", 2, &err), COV_ERR_UNSUPPORTED);
    assert_int_equal(edited(&f, 10, "\x01\x00", 2, &err), COV_ERR_PARSE); /* DCT flag */
    assert_int_equal(edited(&f, 0, "COVPGRAX", 8, &err), COV_ERR_UNSUPPORTED);
    assert_int_equal(edited(&f, 54, "\x05\x00", 2, &err), COV_ERR_PARSE); /* bins */
    assert_int_equal(edited(&f, 56, "\x03\x00", 2, &err), COV_ERR_PARSE); /* count */
    assert_int_equal(edited(&f, COV_PGRAD_HEADER_LEN + 2, "x", 1, &err), COV_ERR_PARSE); /* name */
    assert_int_equal(edited(&f, t0 + 4, "\x3f\x00", 2, &err), COV_ERR_PARSE); /* k 63 */

    const float nan = NAN, inf = INFINITY, tiny = 1e-13f, big = 2e4f, neg = -0.5f;
    assert_int_equal(edited(&f, quant, &nan, 4, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "non-finite"));
    assert_int_equal(edited(&f, quant + 4, &tiny, 4, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "outside"));
    assert_int_equal(edited(&f, quant + 4, &big, 4, &err), COV_ERR_PARSE);
    assert_int_equal(edited(&f, quant + 4, &neg, 4, &err), COV_OK); /* |scale| counts */
    assert_int_equal(edited(&f, quant + 8 + 12, &inf, 4, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "lookup[3]"));

    /* Index 4095 in a 4096-element chunk is fine; 128x192 has 64x64 chunks,
     * so first set the pair (0, 1) to (4095, 4095): not ascending. */
    assert_int_equal(edited(&f, packed, "\xff\xff\xff", 3, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "ascending"));
    uint8_t code = 4;
    assert_int_equal(edited(&f, codes + n_kept / 2, &code, 1, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "code 4"));

    /* The 37x5 tensor has one 185-element chunk: index 200 is out of range. */
    const cov_sparseloco_tensor *t1 = &f.pg->tensors[1];
    size_t t1_at = codes + n_kept + 2 + strlen(t1->name) + 2 + 16 + 6 + 8 + 8 + 16;
    uint16_t idx[2] = {t1->idx[62], 200}; /* the chunk's last pair */
    uint8_t pair[3];
    cov_sparseloco_pack12(pair, idx, 2);
    assert_int_equal(edited(&f, t1_at + 3 * 31, pair, 3, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "past its 185"));

    /* The 97-element norm: 97 indices, the last pair padded with zero. */
    const cov_sparseloco_tensor *t2 = &f.pg->tensors[2];
    size_t t2_at = t1_at + t1->geom.packed_len + t1->geom.n_kept + 2 + strlen(t2->name) + 2 + 8 +
                   6 + 8 + 8 + 16;
    uint8_t pad = 0x10;
    assert_int_equal(edited(&f, t2_at + t2->geom.packed_len - 2, &pad, 1, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "padding"));
    unmake(&f);
}

/* Three decoded peers through the model-level outer step match the
 * tensor-level one, and the validator's median norms agree with it. */
static void model_outer_step(void **state)
{
    (void)state;
    fixture f[3];
    const cov_pgrad *peers[3];
    for (int p = 0; p < 3; p++) {
        make(&f[p], (uint16_t)p, 10u + (uint32_t)p);
        peers[p] = f[p].pg;
    }
    cov_sparseloco *s;
    assert_int_equal(cov_sparseloco_new(&s, &f[0].cfg, NULL), COV_OK);
    cov_tensor_view params[N_TENSORS];
    float *copy[N_TENSORS];
    for (int i = 0; i < N_TENSORS; i++) {
        params[i] = f[0].views[i];
        params[i].data = calloc(params[i].numel, sizeof(float));
        copy[i] = calloc(params[i].numel, sizeof(float));
    }
    cov_sparseloco_tensor_result tr[N_TENSORS];
    cov_pgrad_step_result res = {.tensors = tr};
    assert_int_equal(cov_pgrad_outer_step(s, params, N_TENSORS, peers, 3, 0.4f, &res, NULL), COV_OK);
    assert_int_equal(res.n_applied, N_TENSORS);
    assert_int_equal(res.n_skipped, 0);
    float medians[N_TENSORS];
    assert_int_equal(cov_pgrad_median_norms(medians, peers, 3, NULL), COV_OK);
    for (int i = 0; i < N_TENSORS; i++) {
        const cov_sparseloco_tensor *ts[3] = {&peers[0]->tensors[i], &peers[1]->tensors[i],
                                             &peers[2]->tensors[i]};
        cov_sparseloco_tensor_result one;
        assert_int_equal(cov_sparseloco_outer_step_tensor(s, copy[i], ts, 3, 0.4f, &one, NULL), COV_OK);
        assert_memory_equal(copy[i], params[i].data, params[i].numel * sizeof(float));
        assert_memory_equal(&medians[i], &tr[i].median_norm, sizeof(float));
    }
    /* A parameter table that does not match is refused. */
    strcpy(params[3].name, "model.other.weight");
    cov_err err;
    assert_int_equal(cov_pgrad_outer_step(s, params, N_TENSORS, peers, 3, 0.4f, &res, &err), COV_ERR_ARG);
    assert_int_equal(cov_pgrad_apply_one(s, params, N_TENSORS, peers[0], medians, 0.4, 0.2, &res, &err),
                     COV_ERR_ARG);
    for (int i = 0; i < N_TENSORS; i++) {
        free(params[i].data);
        free(copy[i]);
    }
    cov_sparseloco_free(s);
    for (int p = 0; p < 3; p++)
        unmake(&f[p]);
}

int main(void)
{
    cov_err err;
    if (cov_crypto_init(&err) != COV_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(model_hash),
        cmocka_unit_test(corrupt_and_truncated),
        cmocka_unit_test(mismatches),
        cmocka_unit_test(invalid_fields),
        cmocka_unit_test(model_outer_step),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
