/* The chain's fixed point (incentive/fixed.h) and the epoch's math
 * helpers, against substrate-fixed's semantics and the vectors of
 * subtensor's tests/math.rs (shared/reference/subtensor.md §2.6). Inputs
 * the Rust tests write as f32 go through (double)(float) first. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "incentive/fixed.h"
#include "incentive/yuma_internal.h"
#include "test_helpers.h"

#define ONE COV_FX32_ONE

/* fixed(f32): what the Rust tests' f32 literals become */
static uint64_t xs64(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static cov_fx32 f32fx(float v)
{
    return cov_fx32_from_f64((double)v);
}

static cov_fx32 ifx(int64_t v)
{
    return cov_fx32_from_int(v);
}

/* --------------------------------------------------------- I32F32 basics */

static void test_mul_div(void **state)
{
    (void)state;
    /* floor toward -inf: -1.5 * 2^-32 floors to -2^-31... */
    assert_int_equal(cov_fx32_mul_sat(-3, ONE / 2), -2);
    assert_int_equal(cov_fx32_mul_sat(3, ONE / 2), 1);
    assert_int_equal(cov_fx32_mul_sat(ifx(3), ifx(-2)), ifx(-6));
    assert_int_equal(cov_fx32_mul_sat(ifx(1 << 20), ifx(1 << 20)), COV_FX32_MAX);
    assert_int_equal(cov_fx32_mul_sat(ifx(1 << 20), ifx(-(1 << 20))), COV_FX32_MIN);
    assert_int_equal(cov_fx32_mul_or_zero(ifx(1 << 20), ifx(1 << 20)), 0);
    /* truncation toward zero */
    assert_int_equal(cov_fx32_div_safe(1, ifx(3)), 0);
    assert_int_equal(cov_fx32_div_safe(ifx(1), ifx(3)), 1431655765);
    assert_int_equal(cov_fx32_div_safe(ifx(-1), ifx(3)), -1431655765);
    assert_int_equal(cov_fx32_div_safe(ifx(1), ifx(-3)), -1431655765);
    /* safe_div: 0 on division by zero and on overflow, no saturation */
    assert_int_equal(cov_fx32_div_safe(ifx(5), 0), 0);
    assert_int_equal(cov_fx32_div_safe(ifx(1 << 30), 1), 0);
    assert_int_equal(cov_fx32_div_sat(ifx(1 << 30), 1), COV_FX32_MAX);
    assert_int_equal(cov_fx32_add_sat(COV_FX32_MAX, 1), COV_FX32_MAX);
    assert_int_equal(cov_fx32_add_sat(COV_FX32_MIN, -1), COV_FX32_MIN);
    assert_int_equal(cov_fx32_sub_sat(COV_FX32_MIN, 1), COV_FX32_MIN);
    assert_int_equal(cov_fx32_add_wrap(COV_FX32_MAX, 1), COV_FX32_MIN);
    /* int -> fixed saturates */
    assert_int_equal(cov_fx32_from_int(INT32_MAX), (int64_t)INT32_MAX << 32);
    assert_int_equal(cov_fx32_from_int((int64_t)INT32_MAX + 1), COV_FX32_MAX);
    assert_int_equal(cov_fx32_from_u64(UINT64_MAX), COV_FX32_MAX);
}

/* exp_safe4 is four exp_safe calls; the series' divisions by 2..31 go
 * through reciprocals, checked here against the hardware divide */
static void test_exp4(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252ull;
    for (int k = 0; k < 20000; k++) {
        cov_fx32 in[4], out[4];
        for (int l = 0; l < 4; l++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            /* mostly [-25, 25], some extremes, some exact 0 and 1 */
            in[l] = (cov_fx32)(x % ((uint64_t)50 << 32)) - ((cov_fx32)25 << 32);
            if (k % 97 == 0)
                in[l] = (cov_fx32)x;
            if (k % 101 == l)
                in[l] = l % 2 ? COV_FX32_ONE : 0;
        }
        cov_fx32_exp_safe4(out, in);
        for (int l = 0; l < 4; l++)
            assert_int_equal(out[l], cov_fx32_exp_safe(in[l]));
    }
}

/* the reciprocal divider is safe_div, bit for bit */
static void test_divider(void **state)
{
    (void)state;
    uint64_t x = 0x853c49e6748fea9bull;
    for (int k = 0; k < 300000; k++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        cov_fx32 b = (cov_fx32)(x >> (1 + x % 63));
        if (k % 4 == 0)
            b &= ~(cov_fx32)0xFFFFFFFF; /* whole numbers */
        if (k % 9 == 0)
            b = (cov_fx32)1 << (x % 63); /* powers of two */
        if (k % 31 == 0)
            b = -b;
        cov_fx32_divider dv;
        cov_fx32_divider_init(&dv, b);
        for (int t = 0; t < 8; t++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            cov_fx32 a = (cov_fx32)(x >> (x % 64));
            if (t == 5)
                a = -a;
            if (t == 6)
                a = (cov_fx32)(x % ((uint64_t)1 << 32));
            if (t == 7)
                a = (cov_fx32)((uint64_t)1 << 32) - 1;
            assert_int_equal(cov_fx32_div_by(&dv, a), cov_fx32_div_safe(a, b));
        }
    }
}

/* cov_fx32_recip_div (and cov_fx32_recip_div32, cov_fx32_recip_div_all)
 * is safe_div for a in [0, 2^32) and d in [2, 2^63): random divisors of every size, powers of two and their neighbours,
 * whole numbers, the extremes; dividends 0, 1, 2^32 - 1 and random. */
static void test_recip(void **state)
{
    (void)state;
    uint64_t x = 0x853c49e6748fea9bull;
    for (int k = 0; k < 200000; k++) {
        uint64_t r = xs64(&x);
        uint64_t d = r >> (1 + r % 63);
        switch (k % 6) {
        case 0: d = (uint64_t)1 << (1 + r % 62); break;
        case 1: d = ((uint64_t)1 << (1 + r % 62)) + (r >> 63 ? 1 : (uint64_t)-1); break;
        case 2: d &= ~(uint64_t)0xFFFFFFFF; break;
        case 3: d = k % 12 == 3 ? (uint64_t)INT64_MAX : 2 + r % 100; break;
        default: break;
        }
        if (d < 2)
            d = 2;
        uint64_t m;
        uint8_t sh;
        cov_fx32_recip_init(d, &m, &sh);
        for (int t = 0; t < 6; t++) {
            uint64_t a = t == 0   ? 0
                         : t == 1 ? 1
                         : t == 2 ? (uint64_t)0xFFFFFFFF
                                  : xs64(&x) >> 32;
            assert_int_equal(cov_fx32_recip_div(a, m, sh), cov_fx32_div_safe((cov_fx32)a, (cov_fx32)d));
            /* the vectorisable form: two 32-bit products */
            assert_int_equal(cov_fx32_recip_div32((uint32_t)a, m, sh),
                             cov_fx32_div_safe((cov_fx32)a, (cov_fx32)d));
        }
        /* a whole row at once (odd lengths: the scalar tail too) */
        cov_fx32 row[7];
        size_t len = (size_t)(k % 8);
        for (size_t t = 0; t < len; t++)
            row[t] = t == 0 ? (cov_fx32)0xFFFFFFFF : (cov_fx32)(xs64(&x) >> 32);
        cov_fx32 want[7];
        for (size_t t = 0; t < len; t++)
            want[t] = cov_fx32_div_safe(row[t], (cov_fx32)d);
        cov_fx32_recip_div_all(row, len, m, sh);
        for (size_t t = 0; t < len; t++)
            assert_int_equal(row[t], want[t]);
    }
}

/* mul_unit is mul_sat for u in [0, 1]; the fast u16 proportion is
 * fixed_proportion_to_u16; the column tables are "divide by b, or leave
 * the value where b is 0" (and the integer table the same for v << 32),
 * for every divisor: 0, 1 (2^-32), negative, whole, saturated. */
static void test_unit_products_and_column_tables(void **state)
{
    (void)state;
    uint64_t x = 0x2545F4914F6CDD1Dull;
    for (int k = 0; k < 200000; k++) {
        uint64_t r = xs64(&x);
        cov_fx32 u = k % 5 == 0 ? 0 : k % 5 == 1 ? ONE : (cov_fx32)(r % ((uint64_t)ONE + 1));
        cov_fx32 v = (cov_fx32)xs64(&x);
        if (k % 7 == 0)
            v = k % 14 == 0 ? INT64_MIN : INT64_MAX;
        else if (k % 7 == 1) /* below 1.0, and its edges */
            v = k % 3 == 0 ? (cov_fx32)(r >> 32) : k % 3 == 1 ? ONE - 1 : ONE;
        assert_int_equal(cov_fx32_mul_unit(u, v), cov_fx32_mul_sat(u, v));
        cov_fx32 p = k % 3 == 0 ? v : (cov_fx32)(r % ((uint64_t)ONE + 2));
        assert_int_equal(cov_fx32_proportion_to_u16_fast(p), cov_fx32_proportion_to_u16(p));
    }
    enum { COLS = 64 };
    uint64_t m[COLS];
    uint8_t sh[COLS];
    cov_fx32 b[COLS];
    ycoldiv t = {.m = m, .sh = sh, .b = b}, ti = t;
    uint64_t mi[COLS];
    uint8_t shi[COLS];
    cov_fx32 bi[COLS];
    ti.m = mi;
    ti.sh = shi;
    ti.b = bi;
    for (int round = 0; round < 400; round++) {
        bool fast = true;
        for (uint16_t j = 0; j < COLS; j++) {
            uint64_t r = xs64(&x);
            cov_fx32 d;
            switch (j % 8) {
            case 0: d = 0; break;
            case 1: d = 1; break;
            case 2: d = -(cov_fx32)(r >> 20); break;
            case 3: d = (cov_fx32)((r >> 16) << 32 >> 1) & ~(cov_fx32)0xFFFFFFFF; break;
            case 4: d = INT64_MAX; break;
            case 5: d = (cov_fx32)1 << 32; break;
            default: d = (cov_fx32)(r >> (1 + r % 63)); break;
            }
            bool f = ycol_set(&t, j, d);
            fast &= f;
            ycol_set_int(&ti, j, d);
        }
        assert_false(fast); /* the table holds 0, 1 and negative divisors */
        for (uint16_t j = 0; j < COLS; j++)
            for (int s2 = 0; s2 < 8; s2++) {
                uint64_t r = xs64(&x);
                cov_fx32 a = s2 == 0 ? 0 : s2 == 1 ? ONE - 1 : s2 == 2 ? ONE
                           : s2 == 3 ? -(cov_fx32)(r >> 40) : s2 == 4 ? (cov_fx32)r
                           : (cov_fx32)(r >> 32);
                cov_fx32 want = b[j] != 0 ? cov_fx32_div_safe(a, b[j]) : a;
                assert_int_equal(ycol_div(&t, j, a), want);
                if (sh[j] != YCOL_SLOW)
                    assert_int_equal(ycol_div_fast(&t, j, a), want);
                uint16_t v = s2 == 0 ? 0 : s2 == 1 ? 65535 : (uint16_t)r;
                cov_fx32 vx = (cov_fx32)v << 32;
                assert_int_equal(ycol_div_int(&ti, j, v), bi[j] != 0 ? cov_fx32_div_safe(vx, bi[j]) : vx);
            }
    }
}

/* Column maxima after normalisation are the normalised column maxima:
 * safe_div by a positive sum of positive values (saturating) is monotone
 * and never overflows to 0 (what the original Yuma's stored bonds use). */
static void test_normalised_max_is_max_normalised(void **state)
{
    (void)state;
    uint64_t x = 77;
    for (int round = 0; round < 20000; round++) {
        int len = 1 + (int)(xs64(&x) % 40);
        cov_fx32 v[40], sum = 0, raw_max = 0;
        for (int i = 0; i < len; i++) {
            uint64_t r = xs64(&x);
            v[i] = round % 3 == 0 ? (cov_fx32)(r >> 1) | 1 : 1 + (cov_fx32)(r >> (20 + r % 40));
            sum = cov_fx32_add_sat(sum, v[i]);
            raw_max = v[i] > raw_max ? v[i] : raw_max;
        }
        cov_fx32 max_of_norm = 0;
        for (int i = 0; i < len; i++) {
            cov_fx32 q = cov_fx32_div_safe(v[i], sum);
            max_of_norm = q > max_of_norm ? q : max_of_norm;
        }
        assert_int_equal(cov_fx32_div_safe(raw_max, sum), max_of_norm);
    }
}

static void test_conversions(void **state)
{
    (void)state;
    /* saturating_to_num: floor, clamped */
    assert_int_equal(cov_fx32_to_u16(ifx(65535)), 65535);
    assert_int_equal(cov_fx32_to_u16(ifx(65536)), 65535);
    assert_int_equal(cov_fx32_to_u16(-1), 0);
    assert_int_equal(cov_fx32_to_u16(ifx(2) - 1), 1);
    assert_int_equal(cov_fx32_to_u64(ifx(-1)), 0); /* test_math_fixed_to_u64_saturates */
    assert_int_equal(cov_fx32_to_u64(COV_FX32_MAX), INT32_MAX);
    /* fixed_proportion_to_u16 / u16_proportion_to_fixed */
    assert_int_equal(cov_fx32_proportion_to_u16(0), 0);
    assert_int_equal(cov_fx32_proportion_to_u16(ONE), 65535);
    assert_int_equal(cov_fx32_proportion_to_u16(ifx(65535)), 65535); /* saturates */
    assert_int_equal(cov_fx32_proportion_to_u16(ONE / 2), 32767);
    assert_int_equal(cov_fx32_u16_proportion(0), 0);
    assert_int_equal(cov_fx32_u16_proportion(65535), ONE);
    assert_int_equal(cov_fx32_u16_proportion(32767), 2147450879);
    /* I64F64 -> I32F32 floors, saturates (test_math_fixed64_to_fixed32*) */
    assert_int_equal(cov_fx32_from_fx64(cov_fx64_from_u64(UINT32_MAX / 2)), ifx(UINT32_MAX / 2));
    assert_int_equal(cov_fx32_from_fx64(cov_fx64_from_u64(UINT32_MAX)), COV_FX32_MAX);
    assert_int_equal(cov_fx32_from_fx64(cov_fx64_from_u64(INT64_MAX)), COV_FX32_MAX);
    assert_int_equal(cov_fx32_from_fx64(-1), -1);
    assert_int_equal(cov_fx32_from_fx64(cov_fx64_from_fx32(ifx(INT32_MIN))), ifx(INT32_MIN));
    /* fixed64_to_u64 */
    assert_int_equal(cov_fx64_to_u64(cov_fx64_from_u64(INT64_MAX / 2)), INT64_MAX / 2);
    assert_int_equal(cov_fx64_to_u64(cov_fx64_from_u64(INT64_MAX)), INT64_MAX);
    assert_int_equal(cov_fx64_to_u64(-cov_fx64_from_u64(1)), 0);
    /* u64 >= 2^63 saturates to I64F64::MAX */
    assert_true(cov_fx64_from_u64(UINT64_MAX) == COV_I128_MAX);
    /* I96F32 */
    assert_int_equal(cov_fx96_to_u64(cov_fx96_from_u64(UINT64_MAX)), UINT64_MAX);
    assert_int_equal(cov_fx96_to_u64(cov_fx96_mul_sat(cov_fx96_from_fx32(COV_FX32_MAX),
                                                      cov_fx96_from_u64(UINT64_MAX))),
                     UINT64_MAX);
    assert_int_equal(cov_fx96_to_u64(cov_fx96_mul_sat(cov_fx96_from_fx32(ONE / 4),
                                                      cov_fx96_from_u64(1000000000))),
                     250000000);
    assert_int_equal(cov_fx96_to_u64(cov_fx96_from_fx32(-ONE)), 0);
}

static void test_f64_and_round(void **state)
{
    (void)state;
    /* nearest, ties to even */
    assert_int_equal(cov_fx32_from_f64(ldexp(1, -33)), 0);
    assert_int_equal(cov_fx32_from_f64(ldexp(3, -33)), 2);
    assert_int_equal(cov_fx32_from_f64(ldexp(5, -33)), 2);
    assert_int_equal(cov_fx32_from_f64(-ldexp(3, -33)), -2);
    assert_int_equal(cov_fx32_from_f64(0.1), 429496730);
    assert_int_equal(cov_fx32_from_f64(1e30), COV_FX32_MAX);
    assert_int_equal(cov_fx32_from_f64(-1e30), COV_FX32_MIN);
    assert_int_equal(f32fx(0.1f), 429496736); /* 0.100000001490116... exactly */
    /* round(): half away from zero */
    assert_int_equal(cov_fx32_round(ifx(2) + ONE / 2), ifx(3));
    assert_int_equal(cov_fx32_round(ifx(-2) - ONE / 2), ifx(-3));
    assert_int_equal(cov_fx32_round(ifx(2) + ONE / 2 - 1), ifx(2));
    assert_int_equal(cov_fx32_round(-(ONE / 2)), -ONE);
    assert_int_equal(cov_fx32_round(ONE / 2 - 1), 0);
    assert_int_equal(cov_fx32_round(COV_FX32_MAX), (cov_fx32)INT32_MAX << 32);
}

/* test_math_fixed_overflow, test_math_u64_normalization */
static void test_math_fixed64(void **state)
{
    (void)state;
    cov_fx64 bma = cov_fx64_div_safe(cov_fx64_from_u64(900000), cov_fx64_from_u64(1000000));
    cov_fx32 alpha = cov_fx32_sub_sat(ONE, cov_fx32_from_fx64(bma));
    assert_int_equal(alpha, cov_fx32_from_f64(0.1));
    cov_fx64 m = cov_fx64_from_fx32(COV_FX32_MAX);
    assert_int_equal(cov_fx32_sub_sat(ONE, cov_fx32_from_fx64(cov_fx64_div_safe(m, m))), 0);

    cov_fx64 max_sum = cov_fx64_from_u64(21000000000000000ull);
    cov_fx64 min_frac = cov_fx64_div_safe(cov_fx64_from_u64(1), max_sum);
    assert_true(min_frac == cov_fx64_from_f64(0.0000000000000000476));
    assert_int_equal(cov_fx32_from_fx64(min_frac), 0);
    cov_fx64 min32_frac = cov_fx64_div_safe(cov_fx64_from_u64(4889444), max_sum);
    assert_true(min32_frac == cov_fx64_from_f64(0.00000000023283066664));
    assert_int_equal(cov_fx32_from_fx64(min32_frac), cov_fx32_from_f64(0.0000000002));
    cov_fx64 half = cov_fx64_div_safe(cov_fx64_from_u64(10500000000000000ull), max_sum);
    assert_true(half == cov_fx64_from_f64(0.5));
    assert_int_equal(cov_fx32_from_fx64(half), ONE / 2);
    assert_true(cov_fx64_div_safe(max_sum, max_sum) == cov_fx64_from_u64(1));
    /* I64F64 mul: floor toward -inf, saturating */
    assert_true(cov_fx64_mul_sat(cov_fx64_from_u64(3), cov_fx64_from_f64(0.5)) ==
                cov_fx64_from_f64(1.5));
    assert_true(cov_fx64_mul_sat(-3, cov_fx64_from_f64(0.5)) == -2);
    assert_true(cov_fx64_mul_sat(COV_I128_MAX, cov_fx64_from_u64(2)) == COV_I128_MAX);
    assert_true(cov_fx64_mul_sat(COV_I128_MAX, -cov_fx64_from_u64(2)) == COV_I128_MIN);
    /* I64F64 safe_div: 0 on overflow */
    assert_true(cov_fx64_div_safe(COV_I128_MAX, 1) == 0);
    assert_true(cov_fx64_div_safe(cov_fx64_from_u64(1), 0) == 0);
    assert_true(cov_fx64_div_safe(-cov_fx64_from_u64(1), cov_fx64_from_u64(3)) ==
                -(cov_fx64)6148914691236517205);
    /* TaoWeight / u64::MAX in U96F32 */
    assert_true(cov_ufx96_div_safe(cov_ufx96_from_u64(UINT64_MAX), cov_ufx96_from_u64(UINT64_MAX)) ==
                (cov_u128)1 << 32);
    assert_true(cov_ufx96_div_safe(cov_ufx96_from_u64(1ull << 63), cov_ufx96_from_u64(UINT64_MAX)) ==
                (cov_u128)1 << 31);
}

/* floor((hi:lo) / d) one bit at a time, as a reference */
static bool ref_div(cov_u128 hi, cov_u128 lo, cov_u128 d, cov_u128 *q)
{
    if (d == 0 || hi >= d)
        return false;
    cov_u128 r = hi, quot = 0;
    for (int b = 127; b >= 0; b--) {
        bool carry = r >> 127;
        r = (r << 1) | ((lo >> b) & 1);
        quot <<= 1;
        if (carry || r >= d) {
            r -= d;
            quot |= 1;
        }
    }
    *q = quot;
    return true;
}

static void test_wide_division(void **state)
{
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int k = 0; k < 20000; k++) {
        cov_u128 w[3];
        for (int i = 0; i < 3; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            uint64_t a = x;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            w[i] = ((cov_u128)a << 64 | x) >> (x % 128);
        }
        cov_u128 d = w[2] ? w[2] : 1, hi = w[0] % d, lo = w[1];
        if (k % 3 == 0)
            hi = 0;
        cov_u128 q1 = 0, q2 = 0;
        assert_true(cov_u256_div_u128(hi, lo, d, &q1));
        assert_true(ref_div(hi, lo, d, &q2));
        assert_true(q1 == q2);
    }
    cov_u128 q;
    assert_false(cov_u256_div_u128(5, 0, 5, &q));
    assert_false(cov_u256_div_u128(0, 5, 0, &q));
}

/* ------------------------------------------------------------------ exp */

static void test_exp(void **state)
{
    (void)state;
    cov_fx32 r;
    assert_true(cov_fx32_exp(0, &r));
    assert_int_equal(r, ONE);
    assert_true(cov_fx32_exp(ONE, &r));
    assert_int_equal(r, (cov_fx32)22802600 << 9); /* E at I9F23 precision */
    assert_true(fabs(cov_fx32_to_f64(r) - 2.7182817459106445) < 1e-15);
    /* test_math_exp_safe: clamped to [-20, 20] */
    cov_fx32 lo, hi;
    assert_true(cov_fx32_exp(ifx(-20), &lo));
    assert_true(cov_fx32_exp(ifx(20), &hi));
    assert_int_equal(cov_fx32_exp_safe(0), ONE);
    assert_int_equal(cov_fx32_exp_safe(ifx(-20)), lo);
    assert_int_equal(cov_fx32_exp_safe(ifx(-21)), lo);
    assert_int_equal(cov_fx32_exp_safe(COV_FX32_MIN), lo);
    assert_int_equal(cov_fx32_exp_safe(ifx(20)), hi);
    assert_int_equal(cov_fx32_exp_safe(ifx(21)), hi);
    assert_int_equal(cov_fx32_exp_safe(COV_FX32_MAX), hi);
    /* 1 + x + 30 terms, floor mul and truncating div per term: exact
     * bits (the series stops at x^31/31!, so exp(20) is 0.8% low) */
    static const struct {
        double x;
        int64_t bits;
    } ex[] = {
        {-20, 8},          {-5, 28939262},          {-1, 1580030169},
        {-0.5, 2605029348}, {0.5, 7081203935},      {2, 31735754285},
        {5, 637429664624}, {10, 94602947905357},    {20, 2066907302758576256},
    };
    for (size_t k = 0; k < sizeof ex / sizeof ex[0]; k++) {
        assert_true(cov_fx32_exp(cov_fx32_from_f64(ex[k].x), &r));
        assert_int_equal(r, ex[k].bits);
    }
    /* where the series converges it is exp; negatives are 1/exp(|x|) */
    for (double v = -5; v <= 5; v += 0.3125) {
        assert_true(cov_fx32_exp(cov_fx32_from_f64(v), &r));
        assert_true(fabs(cov_fx32_to_f64(r) - exp(v)) <= 1e-8 * exp(v) + 4e-9);
        cov_fx32 pos;
        if (v < 0) {
            assert_true(cov_fx32_exp(cov_fx32_from_f64(-v), &pos));
            assert_int_equal(r, cov_fx32_div_safe(ONE, pos));
        }
    }
    /* overflow is Err: exp(22) does not fit I32F32 */
    assert_false(cov_fx32_exp(ifx(22), &r));
    assert_false(cov_fx32_exp(COV_FX32_MIN, &r));
}

/* -------------------------------------------- vec_max_upscale (§2.6) */

static void upscale_case(const float *in, size_t len, const uint16_t *want)
{
    cov_fx32 fx[16];
    uint16_t got[16];
    for (size_t i = 0; i < len; i++)
        fx[i] = f32fx(in[i]);
    cov_yuma_vec_max_upscale_to_u16(got, fx, len);
    for (size_t i = 0; i < len; i++)
        assert_int_equal(got[i], want[i]);
}

static void test_vec_max_upscale(void **state)
{
    (void)state;
    upscale_case((const float[]){0}, 1, (const uint16_t[]){0});
    upscale_case((const float[]){0, 0}, 2, (const uint16_t[]){0, 0});
    upscale_case((const float[]){0, 1}, 2, (const uint16_t[]){0, 65535});
    upscale_case((const float[]){0, 0.000000001f}, 2, (const uint16_t[]){0, 65535});
    upscale_case((const float[]){0, 0.000016f, 1}, 3, (const uint16_t[]){0, 1, 65535});
    upscale_case((const float[]){0.000000001f, 0.000000001f}, 2, (const uint16_t[]){65535, 65535});
    upscale_case((const float[]){0.000001f, 0.000006f, 0.000007f, 0.0001f, 0.001f, 0.01f, 0.1f,
                                 0.2f, 0.3f, 0.4f},
                 10, (const uint16_t[]){0, 1, 1, 16, 164, 1638, 16384, 32768, 49151, 65535});
    upscale_case((const float[]){16384}, 1, (const uint16_t[]){65535});
    upscale_case((const float[]){32768}, 1, (const uint16_t[]){65535});
    upscale_case((const float[]){32769}, 1, (const uint16_t[]){65535});
    upscale_case((const float[]){65535}, 1, (const uint16_t[]){65535});
    upscale_case((const float[]){0, 1, 65535}, 3, (const uint16_t[]){0, 1, 65535});
    upscale_case((const float[]){0, 0.5f, 1, 1.5f, 2, 32768}, 6,
                 (const uint16_t[]){0, 1, 2, 3, 4, 65535});
    upscale_case((const float[]){0, 0.5f, 1, 1.5f, 2, 32768, 32769}, 7,
                 (const uint16_t[]){0, 1, 2, 3, 4, 65533, 65535});
    cov_fx32 big[5] = {0, ifx(1), ifx(32768), ifx(32769), COV_FX32_MAX};
    uint16_t got[5];
    cov_yuma_vec_max_upscale_to_u16(got, big, 5);
    static const uint16_t want_big[5] = {0, 0, 1, 1, 65535};
    for (int i = 0; i < 5; i++)
        assert_int_equal(got[i], want_big[i]);
    cov_yuma_vec_max_upscale_to_u16(got, (const cov_fx32[]){COV_FX32_MAX}, 1);
    assert_int_equal(got[0], 65535);

    /* vec_u16_max_upscale_to_u16: what set_weights stores */
    static const struct {
        uint16_t in[7], want[7];
        size_t len;
    } u[] = {
        {{0}, {0}, 1},
        {{1}, {65535}, 1},
        {{0, 1}, {0, 65535}, 2},
        {{65534}, {65535}, 1},
        {{65535, 65535}, {65535, 65535}, 2},
        {{0, 1, 65534}, {0, 1, 65535}, 3},
        {{0, 1, 2, 3, 4, 65533, 65535}, {0, 1, 2, 3, 4, 65533, 65535}, 7},
        {{32767, 0, 32767}, {65535, 0, 65535}, 3},
        {{43690, 21845}, {65535, 32768}, 2},
    };
    for (size_t k = 0; k < sizeof u / sizeof u[0]; k++) {
        uint16_t out[7];
        cov_yuma_max_upscale_u16(out, u[k].in, u[k].len);
        for (size_t i = 0; i < u[k].len; i++)
            assert_int_equal(out[i], u[k].want[i]);
    }
}

/* ---------------------------------------------- weighted median (§2.6) */

static cov_fx32 wm(const float *stake, const float *score, size_t len, float majority)
{
    cov_fx32 st[16], sc[16], sum = 0;
    for (size_t i = 0; i < len; i++) {
        st[i] = f32fx(stake[i]);
        sc[i] = f32fx(score[i]);
        sum = cov_fx32_add_wrap(sum, st[i]);
    }
    return cov_yuma_weighted_median(st, sc, len, ONE - f32fx(majority), 0, sum);
}

static void test_weighted_median(void **state)
{
    (void)state;
    assert_int_equal(wm(NULL, NULL, 0, 0.51f), 0);
    assert_int_equal(wm((const float[]){0.49f, 0.51f}, (const float[]){0.5f, 1}, 2, 0.51f), ONE);
    assert_int_equal(wm((const float[]){0.51f, 0.49f}, (const float[]){0.5f, 1}, 2, 0.51f),
                     f32fx(0.5f));
    assert_int_equal(
        wm((const float[]){0.49f, 0, 0.51f}, (const float[]){0.5f, 0.7f, 1}, 3, 0.51f), ONE);
    assert_int_equal(
        wm((const float[]){0.49f, 0.01f, 0.5f}, (const float[]){0.5f, 0.7f, 1}, 3, 0.51f),
        f32fx(0.7f));
    assert_int_equal(
        wm((const float[]){0.49f, 0.51f, 0}, (const float[]){0.5f, 0.7f, 1}, 3, 0.51f),
        f32fx(0.7f));
    assert_int_equal(
        wm((const float[]){0, 0.49f, 0.51f}, (const float[]){0.5f, 0.7f, 1}, 3, 0.51f), ONE);
    assert_int_equal(wm((const float[]){0, 0.49f, 0, 0.51f}, (const float[]){0.5f, 0.5f, 1, 1},
                        4, 0.51f),
                     ONE);
    assert_int_equal(wm((const float[]){0, 0.49f, 0, 0.51f, 0},
                        (const float[]){0.5f, 0.5f, 1, 1, 0.5f}, 5, 0.51f),
                     ONE);
    assert_int_equal(wm((const float[]){0.2f, 0.2f, 0.2f, 0.2f, 0.2f},
                        (const float[]){0.8f, 0.2f, 1, 0.6f, 0.4f}, 5, 0.51f),
                     f32fx(0.6f));
    assert_int_equal(wm((const float[]){0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f},
                        (const float[]){0.8f, 0.8f, 0.2f, 0.2f, 1, 1, 0.6f, 0.6f, 0.4f, 0.4f}, 10,
                        0.51f),
                     f32fx(0.6f));
}

/* a dense f32 matrix as sparse rows of its positive entries */
static void sparse_of(ymat *m, const float *v, uint32_t rows, uint32_t cols)
{
    assert_true(ymat_reserve(m, rows, (size_t)rows * cols));
    m->rows = rows;
    m->rowptr[0] = 0;
    size_t o = 0;
    for (uint32_t i = 0; i < rows; i++) {
        for (uint32_t j = 0; j < cols; j++)
            if (v[i * cols + j] > 0) {
                m->col[o] = (uint16_t)j;
                m->val[o++] = f32fx(v[i * cols + j]);
            }
        m->rowptr[i + 1] = o;
    }
}

static void test_weighted_median_col_sparse(void **state)
{
    (void)state;
    ymat w = {0};
    ymed_ws ws = {0};
    cov_fx32 out[3];
    static const float weights[12] = {0, .1f, 0, 0, .2f, .4f, 0, .3f, .1f, 0, .4f, .5f};
    sparse_of(&w, weights, 4, 3);
    cov_fx32 stake[4] = {0, f32fx(.75f), f32fx(.25f), 0};
    static const struct {
        float majority, want[3];
    } cases[] = {
        {.24f, {0, .3f, .4f}},
        {.26f, {0, .2f, .4f}},
        {.76f, {0, .2f, .1f}},
    };
    for (size_t k = 0; k < 3; k++) {
        assert_true(cov_yuma_weighted_median_col(out, stake, &w, 3, f32fx(cases[k].majority), &ws));
        for (int j = 0; j < 3; j++)
            assert_int_equal(out[j], f32fx(cases[k].want[j]));
    }
    static const float weights2[12] = {0, .1f, 0, 0, .2f, .4f, 0, .3f, .1f, 0, 0, .5f};
    sparse_of(&w, weights2, 4, 3);
    cov_fx32 stake2[4] = {0, f32fx(.3f), f32fx(.2f), f32fx(.5f)};
    assert_true(cov_yuma_weighted_median_col(out, stake2, &w, 3, f32fx(.51f), &ws));
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 0);
    assert_int_equal(out[2], f32fx(.4f));
    /* all-zero stake gives zeros */
    cov_fx32 zero[4] = {0};
    assert_true(cov_yuma_weighted_median_col(out, zero, &w, 3, f32fx(.5f), &ws));
    assert_int_equal(out[1], 0);
    ymat_free(&w);
    ymed_ws_free(&ws);
}

/* The column median (a weighted quantile over the non-zero scores) equals
 * the chain's pivot-by-pivot selection on random columns with many zeros,
 * explicit zeros, ties, random scores of many sizes and random kappa. */
static void test_median_matches_chain_algorithm(void **state)
{
    (void)state;
    enum { R = 40, C = 12 };
    uint64_t x = 12345;
    ymat w = {0};
    ymed_ws ws = {0};
    for (int round = 0; round < 300; round++) {
        assert_true(ymat_reserve(&w, R, R * C));
        w.rows = R;
        w.rowptr[0] = 0;
        size_t o = 0;
        cov_fx32 stake[R];
        for (int i = 0; i < R; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            stake[i] = (x >> 40) % 4 == 0 ? 0 : (cov_fx32)((x >> 20) % 1000);
            for (int j = 0; j < C; j++) {
                x = x * 6364136223846793005ull + 1442695040888963407ull;
                unsigned r = (unsigned)(x >> 33) % 10;
                if (r < 5)
                    continue; /* absent */
                w.col[o] = (uint16_t)j;
                /* ties on range boundaries, or random scores (every
                 * range width, entries either side of its bounds) */
                w.val[o++] = r == 5         ? 0
                             : round % 2 == 0 ? (cov_fx32)((r - 5) * (ONE / 8))
                                            : (cov_fx32)(x >> (31 + round % 23));
            }
            w.rowptr[i + 1] = o;
        }
        cov_fx32 kappa = (cov_fx32)((x >> 30) % (uint64_t)ONE);
        cov_fx32 got[C];
        assert_true(cov_yuma_weighted_median_col(got, stake, &w, C, kappa, &ws));
        /* the chain's way: dense per column over the positive stakes */
        cov_fx32 use[R], sum = 0;
        size_t K = 0;
        for (int i = 0; i < R; i++)
            if (stake[i] > 0) {
                use[K++] = stake[i];
                sum += stake[i];
            }
        cov_fx32 ssum = 0;
        for (size_t k = 0; k < K; k++) {
            use[k] = cov_fx32_div_safe(use[k], sum);
            ssum += use[k];
        }
        for (int j = 0; j < C; j++) {
            cov_fx32 score[R] = {0};
            size_t k = 0;
            for (int i = 0; i < R; i++) {
                if (stake[i] <= 0)
                    continue;
                for (size_t e = w.rowptr[i]; e < w.rowptr[i + 1]; e++)
                    if (w.col[e] == j)
                        score[k] = w.val[e];
                k++;
            }
            cov_fx32 want = cov_yuma_weighted_median(use, score, K,
                                                     cov_fx32_sub_sat(ssum, kappa), 0, ssum);
            assert_int_equal(got[j], want);
        }
    }
    ymat_free(&w);
    ymed_ws_free(&ws);
}

/* The same at the sizes where the column median counts scores into
 * ranges (hundreds of validators): scores spread over [0, 1] or bunched
 * near one value or tiny, explicit and absent zeros, rows in order (told
 * through row_up, or not) and shuffled with a uid twice (the later wins),
 * zero stakes, kappa 0, 1 and between (minority below 0 included). */
static void test_median_ranges_match_chain_algorithm(void **state)
{
    (void)state;
    enum { R = 300, C = 24 };
    uint64_t x = 0x9E3779B97F4A7C15ull;
    ymat w = {0};
    ymed_ws ws = {0};
    static cov_fx32 stake[R], use[R], score[R];
    static bool up[R];
    for (int round = 0; round < 120; round++) {
        assert_true(ymat_reserve(&w, R, R * (C + 1)));
        w.rows = R;
        w.rowptr[0] = 0;
        size_t o = 0;
        int spread = round % 4;
        for (int i = 0; i < R; i++) {
            uint64_t r = xs64(&x);
            stake[i] = r % 7 == 0 ? 0 : (cov_fx32)(r >> 44) + (round % 5 == 0 ? 1 : 1000000);
            size_t start = o;
            for (int j = 0; j < C; j++) {
                r = xs64(&x);
                if (r % 8 < 2)
                    continue; /* absent */
                cov_fx32 v;
                if (r % 8 == 2)
                    v = 0;
                else if (spread == 0)
                    v = (cov_fx32)((r >> 20) % ((uint64_t)ONE + 1)); /* [0, 1] */
                else if (spread == 1)
                    v = ONE / 3 + (cov_fx32)((r >> 20) % 64); /* bunched */
                else if (spread == 2)
                    v = 1 + (cov_fx32)((r >> 20) % 5); /* tiny, ties */
                else
                    v = (cov_fx32)((r >> 30) % ((uint64_t)1 << 33)); /* up to 2 */
                w.col[o] = (uint16_t)j;
                w.val[o++] = v;
            }
            up[i] = true;
            if (xs64(&x) % 5 == 0 && o - start > 2) { /* shuffled, a uid twice */
                for (size_t t = o - start; t > 1; t--) {
                    size_t k = start + xs64(&x) % t;
                    uint16_t c = w.col[start + t - 1];
                    cov_fx32 v = w.val[start + t - 1];
                    w.col[start + t - 1] = w.col[k];
                    w.val[start + t - 1] = w.val[k];
                    w.col[k] = c;
                    w.val[k] = v;
                }
                w.col[o] = w.col[start];
                w.val[o++] = (cov_fx32)(xs64(&x) % (uint64_t)ONE);
                up[i] = false;
            }
            w.rowptr[i + 1] = o;
        }
        ws.row_up = round % 2 ? up : NULL;
        uint64_t r = xs64(&x);
        cov_fx32 kappa = r % 6 == 0 ? 0 : r % 6 == 1 ? ONE : (cov_fx32)((r >> 20) % (uint64_t)ONE);
        cov_fx32 got[C];
        assert_true(cov_yuma_weighted_median_col(got, stake, &w, C, kappa, &ws));
        cov_fx32 sum = 0;
        size_t K = 0;
        for (int i = 0; i < R; i++)
            if (stake[i] > 0) {
                use[K++] = stake[i];
                sum += stake[i];
            }
        cov_fx32 ssum = 0;
        for (size_t k = 0; k < K; k++) {
            use[k] = cov_fx32_div_safe(use[k], sum);
            ssum += use[k];
        }
        for (int j = 0; j < C; j++) {
            size_t k = 0;
            for (int i = 0; i < R; i++) {
                if (stake[i] <= 0)
                    continue;
                score[k] = 0;
                for (size_t e = w.rowptr[i]; e < w.rowptr[i + 1]; e++)
                    if (w.col[e] == j)
                        score[k] = w.val[e];
                k++;
            }
            cov_fx32 want = cov_yuma_weighted_median(use, score, K,
                                                     cov_fx32_sub_sat(ssum, kappa), 0, ssum);
            assert_int_equal(got[j], want);
        }
    }
    ymat_free(&w);
    ymed_ws_free(&ws);
}

/* ------------------------------------------ mat_ema_alpha_sparse (§2.6) */

/* mat_ema_alpha_sparse(new, old, alpha = 0.1 everywhere), row by row */
static void ema_alpha(ymat *out, const ymat *n, const ymat *o, uint16_t columns)
{
    cov_fx32 alpha[8], decayed[8];
    for (int j = 0; j < 8; j++)
        alpha[j] = f32fx(0.1f);
    assert_true(ymat_reserve(out, n->rows, ymat_nnz(n)));
    out->rows = n->rows;
    out->rowptr[0] = 0;
    size_t at = 0;
    for (uint32_t i = 0; i < n->rows; i++) {
        at += yema_alpha_row(out->col + at, out->val + at, n->col + n->rowptr[i],
                             n->val + n->rowptr[i], n->rowptr[i + 1] - n->rowptr[i],
                             o->col + o->rowptr[i], o->val + o->rowptr[i],
                             o->rowptr[i + 1] - o->rowptr[i], alpha, columns, decayed);
        out->rowptr[i + 1] = at;
    }
}

static void ema_alpha_case(const float *old, const float *nw, const float *want, float eps)
{
    ymat o = {0}, n = {0}, out = {0};
    sparse_of(&o, old, 4, 3);
    sparse_of(&n, nw, 4, 3);
    ema_alpha(&out, &n, &o, 3);
    /* compare as dense */
    for (uint32_t i = 0; i < 4; i++) {
        cov_fx32 row[3] = {0};
        for (size_t e = out.rowptr[i]; e < out.rowptr[i + 1]; e++)
            row[out.col[e]] = out.val[e];
        for (int j = 0; j < 3; j++) {
            double d = fabs(cov_fx32_to_f64(row[j]) - (double)want[i * 3 + j]);
            assert_true(d <= eps);
        }
    }
    ymat_free(&o);
    ymat_free(&n);
    ymat_free(&out);
}

static void test_mat_ema_alpha_sparse(void **state)
{
    (void)state;
    ema_alpha_case((const float[]){0.1f, 0.2f, 3, 0.04f, 0.05f, 0.06f, 0.07f, 0.08f, 0.09f, 0.10f,
                                   0.11f, 0.12f},
                   (const float[]){1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
                   (const float[]){0.19f, 0.38f, 1, 0.43599f, 0.545f, 0.65399f, 0.763f, 0.87199f,
                                   0.981f, 1, 1, 1},
                   1e-4f);
    ema_alpha_case((const float[]){0.001f, 0.002f, 0.003f, 0.004f, 0.05f, 0.006f, 0.007f, 0.008f,
                                   0.009f, 0.010f, 0.011f, 0.012f},
                   (const float[]){0.1f, 0.2f, 3, 0.04f, 0.05f, 0.06f, 0.07f, 0.08f, 0.09f, 0.10f,
                                   0.11f, 0.12f},
                   (const float[]){0.0109f, 0.0218f, 0.30270f, 0.007599f, 0.05f, 0.01139f,
                                   0.0133f, 0.01519f, 0.017f, 0.01899f, 0.02089f, 0.0227f},
                   1e-4f);
    ema_alpha_case((const float[]){0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                   (const float[]){0.1f, 0.2f, 3, 0.04f, 0.05f, 0.06f, 0.07f, 0.08f, 0.09f, 0.10f,
                                   0.11f, 0.12f},
                   (const float[]){0.01f, 0.02f, 0.3f, 0.00399f, 0.005f, 0.00599f, 0.007f,
                                   0.00799f, 0.009f, 0.01f, 0.011f, 0.01199f},
                   1e-4f);
    ema_alpha_case((const float[]){0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                   (const float[]){0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                   (const float[]){0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 1e-4f);
    /* the old bond at (0,0) has no new entry in its row: it vanishes */
    ymat o = {0}, n = {0}, out = {0};
    sparse_of(&o, (const float[]){1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 4, 3);
    sparse_of(&n, (const float[]){0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0}, 4, 3);
    ema_alpha(&out, &n, &o, 3);
    assert_int_equal(ymat_nnz(&out), 1);
    assert_int_equal(out.rowptr[1], 0); /* row 0 empty */
    assert_int_equal(out.col[0], 1);
    assert_true(fabs(cov_fx32_to_f64(out.val[0]) - 0.2) < 1e-6);
    ymat_free(&o);
    ymat_free(&n);
    ymat_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mul_div),
        cmocka_unit_test(test_exp4),
        cmocka_unit_test(test_divider),
        cmocka_unit_test(test_recip),
        cmocka_unit_test(test_unit_products_and_column_tables),
        cmocka_unit_test(test_normalised_max_is_max_normalised),
        cmocka_unit_test(test_conversions),
        cmocka_unit_test(test_f64_and_round),
        cmocka_unit_test(test_math_fixed64),
        cmocka_unit_test(test_wide_division),
        cmocka_unit_test(test_exp),
        cmocka_unit_test(test_vec_max_upscale),
        cmocka_unit_test(test_weighted_median),
        cmocka_unit_test(test_weighted_median_col_sparse),
        cmocka_unit_test(test_median_ranges_match_chain_algorithm),
        cmocka_unit_test(test_median_matches_chain_algorithm),
        cmocka_unit_test(test_mat_ema_alpha_sparse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
