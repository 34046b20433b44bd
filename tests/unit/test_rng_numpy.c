/* train/rng_numpy: NumPy's SeedSequence, PCG64, bounded integers and
 * Generator.choice(replace=False), against values printed once by NumPy
 * 2.4.6 (the calls are given next to each vector). tests/interop/data.py
 * compares against live NumPy for many more cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_helpers.h"
#include "train/rng_numpy.h"

/* SeedSequence(e).generate_state(8, np.uint32) */
static void test_seedseq(void **state)
{
    (void)state;
    static const struct {
        uint64_t entropy;
        uint32_t want[8];
    } v[] = {
        {0, {0xb0f478be, 0xdb2cd7e7, 0x2c71ba49, 0xabf4641a, 0x9d7b8d41, 0x20c6ed6d, 0x223c39d4,
             0x2c4099de}},
        {12345, {0xa03d837c, 0xb5ae6482, 0xfa1f7a2f, 0xbbe2996f, 0x37158f94, 0x64e39a9f,
                 0xa013fd73, 0x3ebb0f96}},
        {4294967295u, {0x76c1fe08, 0x2a05c5e2, 0xc20e8198, 0x2032e40f, 0x787f4396, 0xed4ac06d,
                       0xf3db80fd, 0x56896cb4}},
        /* 2^40 + 7: two entropy words */
        {1099511627783ull, {0x0e3d1a15, 0x0d8672e1, 0x4ecfa161, 0x9aef4ada, 0x83dba903,
                            0x999c1c3b, 0x0dc8a316, 0x408927dc}},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint32_t words[2] = {(uint32_t)v[i].entropy, (uint32_t)(v[i].entropy >> 32)};
        uint32_t got[8];
        cov_seedseq_generate_state(got, 8, words, v[i].entropy >> 32 ? 2 : 1);
        for (int k = 0; k < 8; k++)
            assert_int_equal(got[k], v[i].want[k]);
    }
}

/* PCG64(42).state and PCG64(42).random_raw(4) */
static void test_pcg64(void **state)
{
    (void)state;
    cov_pcg64 g;
    cov_pcg64_seed(&g, 42);
    assert_true(g.state_hi == 0xcea44f6798798f2aull && g.state_lo == 0xacbc7c9d68860ac8ull);
    assert_true(g.inc_hi == 0xfa505436c9a8416eull && g.inc_lo == 0x66caf2e28d25abffull);
    static const uint64_t raw[] = {0xc621fbcd16d92688ull, 0x705a5661a791ffc1ull,
                                   0xdbcd12c26eda1624ull, 0xb286b60e1600888dull};
    for (int i = 0; i < 4; i++)
        assert_true(cov_pcg64_next64(&g) == raw[i]);

    /* next32 hands out the low then the high half of one 64-bit draw */
    cov_pcg64_seed(&g, 42);
    assert_int_equal(cov_pcg64_next32(&g), 0x16d92688u);
    assert_int_equal(cov_pcg64_next32(&g), 0xc621fbcdu);
    assert_int_equal(cov_pcg64_next32(&g), 0xa791ffc1u);
}

/* rng = default_rng(7); rng.integers(0, 1000, size=6) (32-bit Lemire),
 * then rng.integers(0, 2**40, size=3) (64-bit Lemire), then
 * rng.integers(0, 2**32, size=2, dtype=np.uint64) (a raw 32-bit word). */
static void test_bounded(void **state)
{
    (void)state;
    cov_pcg64 g;
    cov_pcg64_seed(&g, 7);
    static const uint64_t small[] = {944, 625, 684, 897, 578, 775};
    for (int i = 0; i < 6; i++)
        assert_true(cov_numpy_bounded_uint64(&g, 0, 999) == small[i]);
    static const uint64_t big[] = {247617924053ull, 330036320526ull, 960482170696ull};
    for (int i = 0; i < 3; i++)
        assert_true(cov_numpy_bounded_uint64(&g, 0, (1ull << 40) - 1) == big[i]);
    assert_true(cov_numpy_bounded_uint64(&g, 0, 0xffffffffull) == 3919686768ull);
    assert_true(cov_numpy_bounded_uint64(&g, 0, 0xffffffffull) == 22614310ull);
    assert_true(cov_numpy_bounded_uint64(&g, 5, 0) == 5); /* no draw */
}

static void expect_choice(uint64_t seed, int64_t pop, int64_t size, const int64_t *head,
                          size_t n_head, const int64_t *tail, size_t n_tail, int64_t sum)
{
    int64_t *out = malloc((size_t)(size ? size : 1) * sizeof *out);
    assert_non_null(out);
    cov_pcg64 g;
    cov_pcg64_seed(&g, seed);
    assert_int_equal(cov_numpy_choice(out, &g, pop, size, NULL), COV_OK);
    for (size_t i = 0; i < n_head; i++)
        assert_int_equal(out[i], head[i]);
    for (size_t i = 0; i < n_tail; i++)
        assert_int_equal(out[size - (int64_t)n_tail + (int64_t)i], tail[i]);
    int64_t s = 0;
    for (int64_t i = 0; i < size; i++)
        s += out[i];
    if (sum >= 0)
        assert_int_equal(s, sum);
    free(out);
}

static void test_choice(void **state)
{
    (void)state;
    /* default_rng(2999981).choice(1000, 20, replace=False): Floyd (small pop) */
    static const int64_t floyd[] = {562, 981, 644, 758, 841, 433, 820, 535, 812, 138,
                                    902, 446, 406, 953, 95,  105, 586, 798, 145, 367};
    expect_choice(2999981, 1000, 20, floyd, 20, NULL, 0, -1);
    /* default_rng(123).choice(20000, 12, replace=False): Floyd (12 <= 20000 // 50) */
    static const int64_t small[] = {6671, 1075, 13640, 308, 3517, 3686,
                                    16241, 5100, 11853, 18175, 6955, 4405};
    expect_choice(123, 20000, 12, small, 12, NULL, 0, -1);
    /* Templar's window pool for uid 5, window 77: seed (5*1000003 ^ 77) & 0xFFFFFFFF,
     * choice(10_000_000, 30720) (Floyd) and choice(1_000_000, 30720) (tail shuffle) */
    uint64_t seed = (5u * 1000003u) ^ 77u;
    static const int64_t big_head[] = {3515312, 865127, 9109466, 8314430,
                                       6438778, 4157449, 1574987, 3419786};
    static const int64_t big_tail[] = {9114519, 5204989, 2020814, 5707723};
    expect_choice(seed, 10000000, 30720, big_head, 8, big_tail, 4, 153851105450);
    static const int64_t sh_head[] = {68369, 101242, 14359, 448731, 539807, 180806, 1860, 255035};
    static const int64_t sh_tail[] = {875103, 529366, 572366, 245635};
    expect_choice(seed, 1000000, 30720, sh_head, 8, sh_tail, 4, 15358740341);
}

static void test_choice_refusals(void **state)
{
    (void)state;
    cov_pcg64 g;
    cov_pcg64_seed(&g, 1);
    int64_t out[4];
    cov_err err;
    assert_int_equal(cov_numpy_choice(out, &g, 3, 4, &err), COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "without replacement"));
    assert_int_equal(cov_numpy_choice(out, &g, 0, 1, &err), COV_ERR_ARG);
    assert_int_equal(cov_numpy_choice(out, &g, 0, 0, &err), COV_OK);
    assert_int_equal(cov_numpy_choice(out, &g, 4, 4, &err), COV_OK);
    /* a full draw is a permutation */
    int seen = 0;
    for (int i = 0; i < 4; i++)
        seen |= 1 << out[i];
    assert_int_equal(seen, 0xf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seedseq),  cmocka_unit_test(test_pcg64),
        cmocka_unit_test(test_bounded),  cmocka_unit_test(test_choice),
        cmocka_unit_test(test_choice_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
