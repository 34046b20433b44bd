/* SparseLoCo (train/sparseloco.h) on vectors small enough to check by hand:
 * chunk geometry and k, the tie rule, the quantizer's bins (templar.md
 * §2.2 errata 1: c/scale = ±0.5 → 2, −1.5 → 0), 12-bit packing bytes, the
 * EF identity, the lower median, the outer step's clip and scatter-mean,
 * the validator's single-peer step, skipping non-finite updates, the DCT,
 * and results that do not depend on the thread count. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "train/sparseloco.h"

static cov_sparseloco_config config(int topk, int chunk)
{
    cov_sparseloco_config c;
    cov_sparseloco_config_defaults(&c);
    c.topk = topk;
    c.chunk = chunk;
    return c;
}

static void alloc_tensor(cov_sparseloco_tensor *t, int ndim, int64_t r, int64_t c,
                         const cov_sparseloco_config *cfg)
{
    cov_sparseloco_geom g;
    int64_t shape[2] = {r, c};
    assert_int_equal(cov_sparseloco_geom_init(&g, ndim, shape, cfg, NULL), COV_OK);
    assert_int_equal(cov_sparseloco_tensor_alloc(t, "t", &g, cfg->quant_bins, NULL), COV_OK);
}

/* A compressor keeping 2 of every 4 and a 1-D [8] tensor for it. */
static void small_setup(cov_sparseloco **s, cov_sparseloco_tensor *t)
{
    cov_sparseloco_config cfg = config(2, 4);
    assert_int_equal(cov_sparseloco_new(s, &cfg, NULL), COV_OK);
    alloc_tensor(t, 1, 8, 0, &cfg);
}

static void geometry(void **state)
{
    (void)state;
    assert_int_equal(cov_sparseloco_maxdiv(4096, 64), 64);
    assert_int_equal(cov_sparseloco_maxdiv(100, 64), 50);
    assert_int_equal(cov_sparseloco_maxdiv(70, 64), 35);
    assert_int_equal(cov_sparseloco_maxdiv(67, 64), 1); /* prime over 64 */
    assert_int_equal(cov_sparseloco_maxdiv(37, 64), 37);
    assert_int_equal(cov_sparseloco_maxdiv(28672, 64), 64);
    assert_int_equal(cov_sparseloco_chunk_k(4096, 64), 64);
    assert_int_equal(cov_sparseloco_chunk_k(63, 64), 62); /* errata 3: even */
    assert_int_equal(cov_sparseloco_chunk_k(3, 64), 2);
    assert_int_equal(cov_sparseloco_chunk_k(2, 64), 2);
    assert_int_equal(cov_sparseloco_chunk_k(1, 64), 1);
    assert_int_equal(cov_sparseloco_chunk_k(4096, 1), 2);

    cov_sparseloco_config cfg = config(64, 64);
    cov_sparseloco_geom g;
    int64_t s[2] = {100, 70};
    assert_int_equal(cov_sparseloco_geom_init(&g, 2, s, &cfg, NULL), COV_OK);
    assert_int_equal(g.h, 50);
    assert_int_equal(g.w, 35);
    assert_int_equal(g.chunk_len, 1750);
    assert_int_equal(g.k, 64);
    assert_int_equal(g.n_chunks, 4);
    assert_int_equal(g.n_kept, 256);
    assert_int_equal(g.packed_len, 384);
    int64_t p[2] = {97, 0};
    assert_int_equal(cov_sparseloco_geom_init(&g, 1, p, &cfg, NULL), COV_OK);
    assert_int_equal(g.w, 1);
    assert_int_equal(g.k, 1);
    assert_int_equal(g.n_kept, 97);
    assert_int_equal(g.packed_len, 3 * 49);
    int64_t e[2] = {8192, 8192}; /* 70B: 128 x 128 chunks of 4096 */
    assert_int_equal(cov_sparseloco_geom_init(&g, 2, e, &cfg, NULL), COV_OK);
    assert_int_equal(g.n_chunks, 16384);
    assert_int_equal(g.chunk_len, 4096);

    cfg.chunk = 65;
    cov_err err;
    assert_int_equal(cov_sparseloco_config_check(&cfg, &err), COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "12-bit"));
}

/* [8] in chunks of 4 keeping 2: chunk 0 has a tie at |0.5| (indices 1, 2
 * both kept), chunk 1 has three at |1| (the two lowest indices win). The
 * quantizer by hand: vals −0.5, 0.5, 1, 1; shift 0.5; c = −1, 0, .5, .5;
 * std = √(1.5/3); scale = 1.5·std = 1.06066; c/scale + 2 = 1.057, 2,
 * 2.471, 2.471 → codes 1 2 2 2; lookup = {0, −1, 1/3, 0}. */
static void hand_vector(void **state)
{
    (void)state;
    cov_sparseloco *s;
    cov_sparseloco_tensor t;
    small_setup(&s, &t);
    float ef[8] = {0};
    const float delta[8] = {0.1f, -0.5f, 0.5f, 0.2f, 1.0f, 1.0f, -1.0f, 0.0f};
    assert_int_equal(cov_sparseloco_compress(s, &t, ef, delta, NULL), COV_OK);
    const uint16_t want_idx[4] = {1, 2, 0, 1};
    const uint8_t want_codes[4] = {1, 2, 2, 2};
    assert_memory_equal(t.idx, want_idx, sizeof want_idx);
    assert_memory_equal(t.codes, want_codes, sizeof want_codes);
    assert_float_equal(t.shift, 0.5f, 0.0f);
    assert_float_equal(t.scale, (float)(1.5 * sqrt(0.5)), 1e-7f);
    assert_float_equal(t.lookup[0], 0.0f, 0.0f);
    assert_float_equal(t.lookup[1], -1.0f, 0.0f);
    assert_float_equal(t.lookup[2], 1.0f / 3.0f, 1e-7f);
    assert_float_equal(t.lookup[3], 0.0f, 0.0f);
    /* EF: the kept positions lose their dequantized value, others stay. */
    const float third = 0.5f + 1.0f / 3.0f;
    const float want_ef[8] = {0.1f, 0.0f, 0.5f - third, 0.2f, 1.0f - third, 1.0f - third, -1.0f, 0.0f};
    for (int i = 0; i < 8; i++)
        assert_float_equal(ef[i], want_ef[i], 1e-7f);
    /* Packed: (1, 2) → 01 20 00, (0, 1) → 00 10 00. */
    const uint8_t want_packed[6] = {0x01, 0x20, 0x00, 0x00, 0x10, 0x00};
    assert_memory_equal(t.packed, want_packed, 6);
    /* A second window decays the EF first: e = 0.95·ef + delta. */
    float before[8];
    memcpy(before, ef, sizeof ef);
    assert_int_equal(cov_sparseloco_compress(s, &t, ef, delta, NULL), COV_OK);
    float deq[4];
    cov_sparseloco_dequantize(deq, &t);
    for (int i = 0, j = 0; i < 8; i++) {
        float e = 0.95f * before[i] + delta[i];
        int c = i / 4, l = i % 4;
        if (j < 4 && t.idx[j] == l && j / 2 == c)
            e -= deq[j++];
        assert_float_equal(ef[i], e, 1e-6f);
    }
    cov_sparseloco_tensor_free(&t);
    cov_sparseloco_free(s);
}

/* 19 values with mean 0 and Σc² = 8·s², so std = (2/3)·s and scale = s
 * (s = 2): c/scale hits the bin edges exactly. Half-even rounding sends
 * ±0.5 to code 2 and −1.5 to code 0 (errata 1); 1.5 → 3.5 → 4 → clamp 3. */
static void bin_edges(void **state)
{
    (void)state;
    const float r[19] = {0.5f, -0.5f, -1.5f, 1.5f, 1.0f, -1.0f, 0.5f, -0.5f, 0.5f, -0.5f,
                         0, 0, 0, 0, 0, 0, 0, 0, 0};
    float v[19];
    for (int i = 0; i < 19; i++)
        v[i] = 2.0f * r[i];
    uint8_t codes[19];
    float shift, scale, lookup[4];
    cov_sparseloco_quantize(codes, &shift, &scale, lookup, v, 19, 4, 6.0f);
    assert_float_equal(shift, 0.0f, 0.0f);
    assert_float_equal(scale, 2.0f, 0.0f);
    const uint8_t want[10] = {2, 2, 0, 3, 3, 1, 2, 2, 2, 2};
    assert_memory_equal(codes, want, 10);
    for (int i = 10; i < 19; i++)
        assert_int_equal(codes[i], 2);
    assert_float_equal(lookup[0], -3.0f, 0.0f);
    assert_float_equal(lookup[1], -2.0f, 0.0f);
    assert_float_equal(lookup[2], 0.0f, 0.0f);
    assert_float_equal(lookup[3], 2.5f, 0.0f); /* (3 + 2) / 2 */

    /* All equal: std 0 falls back to scale 1; one value: 0/0 does too. */
    const float same[3] = {0.25f, 0.25f, 0.25f};
    cov_sparseloco_quantize(codes, &shift, &scale, lookup, same, 3, 4, 6.0f);
    assert_float_equal(scale, 1.0f, 0.0f);
    assert_float_equal(shift, 0.25f, 0.0f);
    assert_int_equal(codes[0], 2);
    cov_sparseloco_quantize(codes, &shift, &scale, lookup, same, 1, 4, 6.0f);
    assert_float_equal(scale, 1.0f, 0.0f);
}

static void packing(void **state)
{
    (void)state;
    const uint16_t idx[3] = {0x123, 0xABC, 0xFFF};
    uint8_t out[6];
    cov_sparseloco_pack12(out, idx, 3);
    const uint8_t want[6] = {0x23, 0xC1, 0xAB, 0xFF, 0x0F, 0x00};
    assert_memory_equal(out, want, 6);
    uint16_t back[3];
    cov_sparseloco_unpack12(back, out, 3);
    assert_memory_equal(back, idx, sizeof idx);
    uint16_t many[1000], again[1000];
    uint8_t packed[1500];
    for (int i = 0; i < 1000; i++)
        many[i] = (uint16_t)((i * 2654435761u) >> 20);
    cov_sparseloco_pack12(packed, many, 1000);
    cov_sparseloco_unpack12(again, packed, 1000);
    assert_memory_equal(again, many, sizeof many);
}

static void lower_median(void **state)
{
    (void)state;
    float scratch[5];
    const float even[4] = {3, 1, 4, 2};
    assert_float_equal(cov_sparseloco_lower_median(even, scratch, 4), 2.0f, 0.0f);
    const float two[2] = {7, 5};
    assert_float_equal(cov_sparseloco_lower_median(two, scratch, 2), 5.0f, 0.0f);
    const float odd[5] = {9, 1, 5, 3, 7};
    assert_float_equal(cov_sparseloco_lower_median(odd, scratch, 5), 5.0f, 0.0f);
    const float nan[3] = {1, NAN, 2};
    assert_true(isnan(cov_sparseloco_lower_median(nan, scratch, 3)));
}

/* Fills a 1-D [4] peer keeping 2: values v0 at i0, v1 at i1 (codes 0, 1,
 * lookup = the values, shift 0). */
static void make_peer(cov_sparseloco_tensor *t, const cov_sparseloco_config *cfg, uint16_t i0,
                      uint16_t i1, float v0, float v1)
{
    alloc_tensor(t, 1, 4, 0, cfg);
    t->idx[0] = i0;
    t->idx[1] = i1;
    t->codes[0] = 0;
    t->codes[1] = 1;
    t->shift = 0.0f;
    t->scale = 1.0f;
    memset(t->lookup, 0, sizeof t->lookup);
    t->lookup[0] = v0;
    t->lookup[1] = v1;
}

/* Peers: A = (3, 4) at 0, 1 (norm 5); B = (6, 8) at 1, 2 (norm 10);
 * C = (0, 1) at 0, 3 (norm 1); D = (12, 16) at 0, 3 (norm 20). Three
 * peers A B C: lower median 5, so B is scaled by 5/(10 + 1e-8) ≈ 0.5:
 * coordinate 0 = mean(3, 0) = 1.5, 1 = mean(4, 3) = 3.5, 2 = 4, 3 = 1.
 * Four peers (+D): norms 1 5 10 20, lower median 5; D scaled by 0.25:
 * 0 = mean(3, 0, 3) = 2, 1 = 3.5, 2 = 4, 3 = mean(1, 4) = 2.5. */
static void outer_step(void **state)
{
    (void)state;
    cov_sparseloco_config cfg = config(2, 4);
    cov_sparseloco *s;
    assert_int_equal(cov_sparseloco_new(&s, &cfg, NULL), COV_OK);
    cov_sparseloco_tensor a, b, c, d;
    make_peer(&a, &cfg, 0, 1, 3, 4);
    make_peer(&b, &cfg, 1, 2, 6, 8);
    make_peer(&c, &cfg, 0, 3, 0, 1);
    make_peer(&d, &cfg, 0, 3, 12, 16);
    const cov_sparseloco_tensor *peers[4] = {&a, &b, &c, &d};
    float theta[4] = {10, 10, 10, 10};
    cov_sparseloco_tensor_result res;
    assert_int_equal(cov_sparseloco_outer_step_tensor(s, theta, peers, 3, 0.5f, &res, NULL), COV_OK);
    assert_true(res.applied);
    assert_float_equal(res.median_norm, 5.0f, 1e-6f);
    const float want3[4] = {10 - 0.75f, 10 - 1.75f, 10 - 2.0f, 10 - 0.5f};
    for (int i = 0; i < 4; i++)
        assert_float_equal(theta[i], want3[i], 1e-5f);
    float m;
    assert_int_equal(cov_sparseloco_median_norm(&m, peers, 4, NULL), COV_OK);
    assert_float_equal(m, 5.0f, 1e-6f);
    float theta4[4] = {0, 0, 0, 0};
    assert_int_equal(cov_sparseloco_outer_step_tensor(s, theta4, peers, 4, 1.0f, &res, NULL), COV_OK);
    const float want4[4] = {-2.0f, -3.5f, -4.0f, -2.5f};
    for (int i = 0; i < 4; i++)
        assert_float_equal(theta4[i], want4[i], 1e-5f);

    /* The validator applies B alone against median 5, at 0.4·0.2. */
    float one[4] = {1, 1, 1, 1};
    assert_int_equal(cov_sparseloco_apply_one_tensor(s, one, &b, 5.0f, 0.4, 0.2, &res, NULL), COV_OK);
    assert_true(res.applied);
    const float want1[4] = {1, 1 - 0.08f * 3, 1 - 0.08f * 4, 1};
    for (int i = 0; i < 4; i++)
        assert_float_equal(one[i], want1[i], 1e-6f);

    /* Two huge values on one coordinate overflow: skipped, θ untouched. */
    cov_sparseloco_tensor h1, h2;
    make_peer(&h1, &cfg, 0, 1, 3e38f, 0);
    make_peer(&h2, &cfg, 0, 1, 3e38f, 0);
    const cov_sparseloco_tensor *huge[2] = {&h1, &h2};
    float keep[4] = {1, 2, 3, 4};
    assert_int_equal(cov_sparseloco_outer_step_tensor(s, keep, huge, 2, 1.0f, &res, NULL), COV_OK);
    assert_false(res.applied);
    assert_true(res.nonfinite);
    assert_float_equal(keep[0], 1, 0);
    assert_float_equal(keep[3], 4, 0);

    /* Peers of different geometry are refused. */
    cov_sparseloco_tensor other;
    alloc_tensor(&other, 1, 8, 0, &cfg);
    const cov_sparseloco_tensor *mixed[2] = {&a, &other};
    cov_err err;
    assert_int_equal(cov_sparseloco_outer_step_tensor(s, theta, mixed, 2, 1.0f, &res, &err), COV_ERR_ARG);
    cov_sparseloco_tensor *all[] = {&a, &b, &c, &d, &h1, &h2, &other};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        cov_sparseloco_tensor_free(all[i]);
    cov_sparseloco_free(s);
}

static uint32_t lcg(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return *x >> 8;
}

/* Random chunks with many exact ties: the selection equals a brute-force
 * reading of the rule, and compressing is the same for 1 and 2 threads. */
static void tie_rule_and_threads(void **state)
{
    (void)state;
    cov_sparseloco_config cfg = config(64, 64);
    cov_sparseloco *s;
    assert_int_equal(cov_sparseloco_new(&s, &cfg, NULL), COV_OK);
    enum { R = 512, C = 576, N = R * C }; /* over COV_SPARSELOCO_PARALLEL_MIN */
    float *delta = malloc(N * sizeof *delta), *ef1 = calloc(N, sizeof *ef1), *ef2 = calloc(N, sizeof *ef2);
    assert_non_null(delta);
    uint32_t x = 7;
    for (int i = 0; i < N; i++)
        delta[i] = (float)((int)(lcg(&x) % 9) - 4) * 0.25f;
    cov_sparseloco_tensor t1, t2;
    alloc_tensor(&t1, 2, R, C, &cfg);
    alloc_tensor(&t2, 2, R, C, &cfg);
#ifdef _OPENMP
    int threads = omp_get_max_threads();
    omp_set_num_threads(1);
#endif
    assert_int_equal(cov_sparseloco_compress(s, &t1, ef1, delta, NULL), COV_OK);
#ifdef _OPENMP
    omp_set_num_threads(2);
#endif
    assert_int_equal(cov_sparseloco_compress(s, &t2, ef2, delta, NULL), COV_OK);
#ifdef _OPENMP
    omp_set_num_threads(threads);
#endif
    assert_memory_equal(t1.packed, t2.packed, t1.geom.packed_len);
    assert_memory_equal(t1.codes, t2.codes, t1.geom.n_kept);
    assert_memory_equal(ef1, ef2, N * sizeof *ef1);
    assert_memory_equal(t1.lookup, t2.lookup, sizeof t1.lookup);

    /* Brute force: per chunk, the k best by (|e| desc, index asc). */
    const cov_sparseloco_geom *g = &t1.geom;
    for (int64_t c = 0; c < g->n_chunks; c++) {
        int64_t yi = c / g->x, xi = c % g->x;
        uint8_t chosen[4096] = {0};
        for (int j = 0; j < g->k; j++) {
            float best = -1;
            int at = -1;
            for (int l = 0; l < g->chunk_len; l++) {
                float v = fabsf(delta[(yi * g->h + l / g->w) * C + xi * g->w + l % g->w]);
                if (!chosen[l] && v > best) {
                    best = v;
                    at = l;
                }
            }
            assert_true(at >= 0 && at < 4096);
            chosen[at] = 1;
        }
        for (int j = 0, n = 0; j < g->chunk_len; j++)
            if (chosen[j])
                assert_int_equal(t1.idx[c * g->k + n++], j);
    }
    cov_sparseloco_tensor_free(&t1);
    cov_sparseloco_tensor_free(&t2);
    free(delta);
    free(ef1);
    free(ef2);
    cov_sparseloco_free(s);
}

/* All ties: a zero tensor keeps indices 0..k-1 of every chunk (and the
 * cut-back path runs, every element being a candidate). */
static void zeros_keep_lowest_indices(void **state)
{
    (void)state;
    cov_sparseloco_config cfg = config(64, 64);
    cov_sparseloco *s;
    assert_int_equal(cov_sparseloco_new(&s, &cfg, NULL), COV_OK);
    cov_sparseloco_tensor t;
    alloc_tensor(&t, 2, 128, 128, &cfg);
    float *ef = calloc(128 * 128, sizeof *ef), *delta = calloc(128 * 128, sizeof *delta);
    assert_non_null(ef);
    assert_non_null(delta);
    assert_int_equal(cov_sparseloco_compress(s, &t, ef, delta, NULL), COV_OK);
    for (int64_t c = 0; c < t.geom.n_chunks; c++)
        for (int j = 0; j < t.geom.k; j++)
            assert_int_equal(t.idx[c * t.geom.k + j], j);
    assert_float_equal(t.scale, 1.0f, 0.0f);
    free(ef);
    free(delta);
    cov_sparseloco_tensor_free(&t);
    cov_sparseloco_free(s);
}

static void nonfinite_delta(void **state)
{
    (void)state;
    cov_sparseloco *s;
    cov_sparseloco_tensor t;
    small_setup(&s, &t);
    float ef[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    float delta[8] = {0, 0, 0, 0, 0, NAN, 0, 0};
    cov_err err;
    assert_int_equal(cov_sparseloco_compress(s, &t, ef, delta, &err), COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "zeroed"));
    for (int i = 0; i < 8; i++)
        assert_float_equal(ef[i], 0.0f, 0.0f);
    cov_sparseloco_tensor_free(&t);
    cov_sparseloco_free(s);
}

/* The DCT: an orthonormal basis, an exact round trip, and with every
 * coefficient kept the EF keeps only quantization error. */
static void dct(void **state)
{
    (void)state;
    cov_sparseloco_config cfg = config(4096, 8);
    cfg.use_dct = true;
    cfg.quant_bins = 256;
    cov_sparseloco *s;
    assert_int_equal(cov_sparseloco_new(&s, &cfg, NULL), COV_OK);
    cov_sparseloco_tensor t;
    alloc_tensor(&t, 2, 16, 8, &cfg);
    assert_int_equal(t.geom.k, 64);
    float ef[128] = {0}, delta[128], want[128];
    uint32_t x = 3;
    for (int i = 0; i < 128; i++)
        delta[i] = (float)(lcg(&x) % 1000) / 1000.0f - 0.5f;
    assert_int_equal(cov_sparseloco_compress(s, &t, ef, delta, NULL), COV_OK);
    /* 256 bins: what stays in the EF is small next to what was sent. */
    double sent = 0, left = 0;
    for (int i = 0; i < 128; i++) {
        sent += (double)delta[i] * delta[i];
        left += (double)ef[i] * ef[i];
    }
    assert_true(left < 1e-3 * sent);
    /* outer step with this one peer at lr 1 from 0 gives −decode ≈ −delta */
    const cov_sparseloco_tensor *peers[1] = {&t};
    float theta[128] = {0};
    cov_sparseloco_tensor_result res;
    assert_int_equal(cov_sparseloco_outer_step_tensor(s, theta, peers, 1, 1.0f, &res, NULL), COV_OK);
    for (int i = 0; i < 128; i++) {
        want[i] = -(delta[i] - ef[i]);
        assert_float_equal(theta[i], want[i], 2e-6f);
    }
    cov_sparseloco_tensor_free(&t);
    cov_sparseloco_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(geometry),
        cmocka_unit_test(hand_vector),
        cmocka_unit_test(bin_edges),
        cmocka_unit_test(packing),
        cmocka_unit_test(lower_median),
        cmocka_unit_test(outer_step),
        cmocka_unit_test(tie_rule_and_threads),
        cmocka_unit_test(zeros_keep_lowest_indices),
        cmocka_unit_test(nonfinite_delta),
        cmocka_unit_test(dct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
