/* The chain's fixed-point arithmetic (substrate-fixed 0.6 as subtensor uses
 * it), bit for bit. Internal to incentive/; the tests include it too.
 *
 * A value is its raw bit pattern: value = bits / 2^frac.
 *   cov_fx32  I32F32  int64     32 fractional bits (every epoch vector)
 *   cov_fx64  I64F64  int128    64 (stake normalisation, moving average)
 *   cov_fx96  I96F32  int128    32 (rao amounts)
 *   cov_ufx96 U96F32  uint128   32 (TaoWeight)
 *   cov_ufx64 U64F64  uint128   64 (mechanism weights)
 *
 * Semantics (they decide every last bit):
 *   mul      full product, arithmetic shift right by frac: floor toward
 *            -inf; _sat saturates as Rust's saturating_mul does.
 *   div_safe (a << frac) / b truncating toward zero; 0 when b == 0 and 0
 *            when the quotient overflows (safe_div = checked_div or 0).
 *   add/sub  _sat saturate; _wrap wraps, which is what `iter().sum()` does
 *            in the chain's release build (overflow checks off).
 *   narrowing and fixed -> int conversions floor and saturate.
 * Signed overflow is undefined in C, so wrapping goes through unsigned.
 */
#ifndef COVENANT_INCENTIVE_FIXED_H
#define COVENANT_INCENTIVE_FIXED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef __SIZEOF_INT128__
#error "incentive/fixed.h needs __int128 (gcc or clang on a 64-bit target) for I64F64/I96F32"
#endif

__extension__ typedef __int128 cov_i128;
__extension__ typedef unsigned __int128 cov_u128;

typedef int64_t cov_fx32;
typedef cov_i128 cov_fx64;
typedef cov_i128 cov_fx96;
typedef cov_u128 cov_ufx96;
typedef cov_u128 cov_ufx64;

#define COV_FX32_ONE ((cov_fx32)1 << 32)
#define COV_FX32_HALF ((cov_fx32)1 << 31)
#define COV_FX32_MAX INT64_MAX
#define COV_FX32_MIN INT64_MIN
#define COV_I128_MAX ((cov_i128)(~(cov_u128)0 >> 1))
#define COV_I128_MIN (-COV_I128_MAX - 1)
#define COV_U128_MAX (~(cov_u128)0)

/* ------------------------------------------------------------- I32F32 */

/* int -> I32F32, exact; saturates outside [-2^31, 2^31). */
static inline cov_fx32 cov_fx32_from_int(int64_t v)
{
    if (v > INT32_MAX)
        return COV_FX32_MAX;
    if (v < INT32_MIN)
        return COV_FX32_MIN;
    return (cov_fx32)((uint64_t)v << 32);
}

static inline cov_fx32 cov_fx32_from_u64(uint64_t v)
{
    return v > (uint64_t)INT32_MAX ? COV_FX32_MAX : (cov_fx32)(v << 32);
}

static inline cov_fx32 cov_fx32_add_sat(cov_fx32 a, cov_fx32 b)
{
    cov_fx32 r;
    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? COV_FX32_MAX : COV_FX32_MIN;
    return r;
}

static inline cov_fx32 cov_fx32_sub_sat(cov_fx32 a, cov_fx32 b)
{
    cov_fx32 r;
    if (__builtin_sub_overflow(a, b, &r))
        return b < 0 ? COV_FX32_MAX : COV_FX32_MIN;
    return r;
}

/* What `+` does in a release build: two's complement wrap. */
static inline cov_fx32 cov_fx32_add_wrap(cov_fx32 a, cov_fx32 b)
{
    return (cov_fx32)((uint64_t)a + (uint64_t)b);
}

/* Bits 32..95 of p: (p >> 32) truncated to 64 bits, as two shifts and an
 * or of the halves (gcc then does not emit shrd, which is microcoded,
 * several times slower, on AMD Zen). */
static inline uint64_t cov_u128_mid64(cov_u128 p)
{
    uint64_t lo = (uint64_t)p, hi = (uint64_t)(p >> 64);
    return (lo >> 32) | (hi << 32);
}

/* Floor of a*b/2^32; *ok false when it does not fit (then the value is
 * the saturated one). */
static inline cov_fx32 cov_fx32_mul_ok(cov_fx32 a, cov_fx32 b, bool *ok)
{
    cov_i128 p = (cov_i128)a * b;
    cov_i128 q = p >> 32; /* arithmetic shift: floor, as the chain */
    if (q > INT64_MAX) {
        *ok = false;
        return COV_FX32_MAX;
    }
    if (q < INT64_MIN) {
        *ok = false;
        return COV_FX32_MIN;
    }
    *ok = true;
    return (cov_fx32)q;
}

static inline cov_fx32 cov_fx32_mul_sat(cov_fx32 a, cov_fx32 b)
{
    bool ok;
    return cov_fx32_mul_ok(a, b, &ok);
}

/* cov_fx32_mul_sat(u, x) for a proportion u in [0, 2^32] (1.0): then
 * |u x / 2^32| <= |x| and nothing can saturate, so it is one multiply. */
static inline cov_fx32 cov_fx32_mul_unit(cov_fx32 u, cov_fx32 x)
{
    /* x in [0, 1.0), the usual case: u x < 2^64, a 64-bit product */
    if ((uint64_t)x >> 32 == 0)
        return (cov_fx32)(((uint64_t)u * (uint64_t)x) >> 32);
    /* x as a plain register: where x comes out of a branch the compiler
     * otherwise widens it early and multiplies 128 by 128 bits (three
     * multiplies instead of one) */
    __asm__("" : "+r"(x));
    return (cov_fx32)cov_u128_mid64((cov_u128)((cov_i128)u * x));
}

static inline bool cov_fx32_is_unit(cov_fx32 u)
{
    return (uint64_t)u <= (uint64_t)COV_FX32_ONE;
}

/* checked_mul().unwrap_or_default(): 0 on overflow (vec_mul). */
static inline cov_fx32 cov_fx32_mul_or_zero(cov_fx32 a, cov_fx32 b)
{
    bool ok;
    cov_fx32 r = cov_fx32_mul_ok(a, b, &ok);
    return ok ? r : 0;
}

/* (a << 32) / b truncating; *ok false on b == 0 or overflow. */
static inline cov_fx32 cov_fx32_div_ok(cov_fx32 a, cov_fx32 b, bool *ok)
{
    if (b == 0) {
        *ok = false;
        return 0;
    }
    cov_i128 q = ((cov_i128)a * ((cov_i128)1 << 32)) / b;
    if (q > INT64_MAX || q < INT64_MIN) {
        *ok = false;
        return q > 0 ? COV_FX32_MAX : COV_FX32_MIN;
    }
    *ok = true;
    return (cov_fx32)q;
}

/* safe_div: 0 on division by zero and on overflow. */
static inline cov_fx32 cov_fx32_div_safe(cov_fx32 a, cov_fx32 b)
{
    if (a >= 0 && b > 0) {
        /* the common case, as an unsigned 128/64 divide (cheaper than the
         * signed 128/128 one) */
        cov_u128 num = (cov_u128)(uint64_t)a << 32;
        if ((uint64_t)(num >> 64) >= (uint64_t)b)
            return 0; /* quotient >= 2^64 */
        uint64_t q = (uint64_t)(num / (uint64_t)b);
        return q > (uint64_t)INT64_MAX ? 0 : (cov_fx32)q;
    }
    bool ok;
    cov_fx32 r = cov_fx32_div_ok(a, b, &ok);
    return ok ? r : 0;
}

/* saturating_div (b must not be 0; Rust panics there, this gives 0). */
static inline cov_fx32 cov_fx32_div_sat(cov_fx32 a, cov_fx32 b)
{
    bool ok;
    return cov_fx32_div_ok(a, b, &ok);
}

static inline cov_fx32 cov_fx32_min(cov_fx32 a, cov_fx32 b) { return a < b ? a : b; }
static inline cov_fx32 cov_fx32_max(cov_fx32 a, cov_fx32 b) { return a > b ? a : b; }

/* clamp_value: value.min(high).max(low). */
static inline cov_fx32 cov_fx32_clamp(cov_fx32 v, cov_fx32 lo, cov_fx32 hi)
{
    return cov_fx32_max(cov_fx32_min(v, hi), lo);
}

/* saturating_to_num::<u16>() / ::<u64>(): floor, clamped to the range. */
static inline uint16_t cov_fx32_to_u16(cov_fx32 x)
{
    if (x < 0)
        return 0;
    int64_t i = x >> 32;
    return i > 65535 ? 65535 : (uint16_t)i;
}

static inline uint64_t cov_fx32_to_u64(cov_fx32 x)
{
    return x < 0 ? 0 : (uint64_t)(x >> 32);
}

/* fixed_proportion_to_u16: floor_sat_u16(x * 65535). */
static inline uint16_t cov_fx32_proportion_to_u16(cov_fx32 x)
{
    return cov_fx32_to_u16(cov_fx32_mul_sat(x, (cov_fx32)65535 << 32));
}

/* cov_fx32_proportion_to_u16, with x in [0, 1.0] (every stored bond) as
 * one multiply: x * 65535 < 2^48, nothing to floor at 0 or clamp. */
static inline uint16_t cov_fx32_proportion_to_u16_fast(cov_fx32 x)
{
    if (cov_fx32_is_unit(x))
        return (uint16_t)(((uint64_t)x * 65535) >> 32);
    return cov_fx32_proportion_to_u16(x);
}

/* u16_proportion_to_fixed: I32F32(v) / 65535 (the same as
 * fixed_to_fixed_u16_proportion of I32F32(v)), i.e. floor(v * 2^32 / 65535).
 * As 2^32 = 65535 * 65537 + 1 that is v * 65537 + floor(v / 65535). */
static inline cov_fx32 cov_fx32_u16_proportion(uint16_t v)
{
    return (cov_fx32)v * 65537 + (v == 65535);
}

/* round(): to the nearest integer, half away from zero; saturating. */
cov_fx32 cov_fx32_round(cov_fx32 x);

/* f64 -> I32F32 rounding to nearest, ties to even, saturating; NaN -> 0.
 * Tests and constants only (the chain's f32 literals: pass (double)f). */
cov_fx32 cov_fx32_from_f64(double x);
double cov_fx32_to_f64(cov_fx32 x);

/* substrate_fixed::transcendental::exp in I32F32: false where it returns
 * Err (overflow). */
bool cov_fx32_exp(cov_fx32 x, cov_fx32 *out);
/* exp_safe: input clamped to [-20, 20]; Err gives 0 or MAX. */
cov_fx32 cov_fx32_exp_safe(cov_fx32 x);

/* safe_div by one divisor many times (row and column normalisation):
 * floor((a << 32) / b) as a multiply by a precomputed reciprocal when the
 * dividend fits 64 bits (a in [0, 2^32), or any a >= 0 when b is a whole
 * number, whose 2^32 cancels); otherwise cov_fx32_div_safe. The result is
 * always cov_fx32_div_safe's. */
typedef struct {
    cov_fx32 b;
    uint64_t m;    /* ceil(2^(64+l) / d) - 2^64, d the effective divisor */
    uint8_t l;     /* ceil(log2 d), or log2 d for a power of two */
    bool ok;       /* b > 0 */
    bool whole;    /* b's low 32 bits are zero: divide a by b >> 32 */
    bool pow2;     /* the effective divisor is a power of two */
} cov_fx32_divider;

void cov_fx32_divider_init(cov_fx32_divider *dv, cov_fx32 b);

static inline cov_fx32 cov_fx32_div_by(const cov_fx32_divider *dv, cov_fx32 a)
{
    uint64_t num;
    if (dv->ok && a >= 0 && dv->whole)
        num = (uint64_t)a;
    else if (dv->ok && a >= 0 && (uint64_t)a >> 32 == 0)
        num = (uint64_t)a << 32;
    else
        return cov_fx32_div_safe(a, dv->b);
    uint64_t q;
    if (dv->pow2) {
        q = num >> dv->l;
    } else {
        /* Granlund & Montgomery 1994, thm 4.2: exact for every 64-bit num */
        uint64_t t = (uint64_t)(((cov_u128)num * dv->m) >> 64);
        q = (uint64_t)(((cov_u128)t + num) >> dv->l);
    }
    return q > (uint64_t)INT64_MAX ? 0 : (cov_fx32)q;
}

/* floor((a << 32) / d) for a in [0, 2^32) and d in [2, 2^63), from a
 * 9-byte reciprocal (m, sh): the per-column divisions of the epoch divide
 * values below 1.0, and a table of these is a third the size of the
 * cov_fx32_divider table and its division a third of the instructions.
 * Granlund & Montgomery's multiply-high (thm 4.2, with l = ceil(log2 d)
 * and sh = l - 1, the sum t + num halved first so that it fits 64 bits);
 * m = 0 and sh = log2 d - 1 for a power of two. The quotient is below
 * 2^63, so it is cov_fx32_div_safe(a, d) exactly (no overflow to 0). */
void cov_fx32_recip_init(uint64_t d, uint64_t *m, uint8_t *sh);

static inline uint64_t cov_fx32_recip_div(uint64_t a, uint64_t m, unsigned sh)
{
    uint64_t num = a << 32;
    uint64_t t = (uint64_t)(((cov_u128)num * m) >> 64);
    return (t + ((num - t) >> 1)) >> sh;
}

/* cov_fx32_recip_div for a < 2^32 from two 32 x 32 -> 64-bit products,
 * the form a vector unit can do (x86 has no vector 64 x 64 -> 128
 * multiply-high): the same value bit for bit, as a m = a (m >> 32) 2^32 +
 * a (m mod 2^32), and the floor of that over 2^32 is the first term plus
 * the floor of the second, exactly; each product fits 64 bits, and so
 * does their sum, t < a 2^32 = num. */
static inline uint64_t cov_fx32_recip_div32(uint32_t a, uint64_t m, unsigned sh)
{
    uint64_t t = (uint64_t)a * (uint32_t)(m >> 32) + (((uint64_t)a * (uint32_t)m) >> 32);
    uint64_t num = (uint64_t)a << 32;
    return (t + ((num - t) >> 1)) >> sh;
}

/* v[e] = cov_fx32_recip_div(v[e], m, sh) for e < len, every v[e] in
 * [0, 2^32) (the caller's promise); two at a time with SSE2 where there
 * is SSE2 (cov_fx32_recip_div32 per lane). */
void cov_fx32_recip_div_all(cov_fx32 *v, size_t len, uint64_t m, uint8_t sh);

/* exp_safe of four inputs at once: the same bits as four calls, with the
 * four series interleaved (each is a chain of dependent multiplies). */
void cov_fx32_exp_safe4(cov_fx32 out[4], const cov_fx32 in[4]);

/* ------------------------------------------------------------- I64F64 */

/* saturating_from_num(u64): u64 values >= 2^63 saturate to I64F64::MAX. */
cov_fx64 cov_fx64_from_u64(uint64_t v);
static inline cov_fx64 cov_fx64_from_fx32(cov_fx32 x)
{
    return (cov_fx64)x * ((cov_fx64)1 << 32);
}
/* I32F32::saturating_from_num(I64F64): floor, saturating. */
cov_fx32 cov_fx32_from_fx64(cov_fx64 x);
uint64_t cov_fx64_to_u64(cov_fx64 x);
cov_fx64 cov_fx64_add_sat(cov_fx64 a, cov_fx64 b);
static inline cov_fx64 cov_fx64_add_wrap(cov_fx64 a, cov_fx64 b)
{
    return (cov_fx64)((cov_u128)a + (cov_u128)b);
}
cov_fx64 cov_fx64_mul_sat(cov_fx64 a, cov_fx64 b);
cov_fx64 cov_fx64_div_safe(cov_fx64 a, cov_fx64 b);
cov_fx64 cov_fx64_from_f64(double x);

/* ----------------------------------------------------- I96F32 / U96F32 */

static inline cov_fx96 cov_fx96_from_fx32(cov_fx32 x) { return (cov_fx96)x; }
static inline cov_fx96 cov_fx96_from_u64(uint64_t v) { return (cov_fx96)((cov_u128)v << 32); }
cov_fx96 cov_fx96_mul_sat(cov_fx96 a, cov_fx96 b);
uint64_t cov_fx96_to_u64(cov_fx96 x);

static inline cov_ufx96 cov_ufx96_from_u64(uint64_t v) { return (cov_u128)v << 32; }
cov_ufx96 cov_ufx96_div_safe(cov_ufx96 a, cov_ufx96 b);
/* I64F64::saturating_from_num(U96F32). */
cov_fx64 cov_fx64_from_ufx96(cov_ufx96 x);

/* ------------------------------------------------------------- U64F64 */

static inline cov_ufx64 cov_ufx64_from_u64(uint64_t v) { return (cov_u128)v << 64; }
cov_ufx64 cov_ufx64_mul_sat(cov_ufx64 a, cov_ufx64 b);
static inline cov_ufx64 cov_ufx64_add_sat(cov_ufx64 a, cov_ufx64 b)
{
    cov_ufx64 r = a + b;
    return r < a ? COV_U128_MAX : r;
}
/* safe_div_or(b, dflt): dflt on division by zero or overflow. */
cov_ufx64 cov_ufx64_div_or(cov_ufx64 a, cov_ufx64 b, cov_ufx64 dflt);
static inline uint64_t cov_ufx64_to_u64(cov_ufx64 x) { return (uint64_t)(x >> 64); }
static inline uint16_t cov_ufx64_to_u16(cov_ufx64 x)
{
    cov_u128 i = x >> 64;
    return i > 65535 ? 65535 : (uint16_t)i;
}

/* ----------------------------------------------------------- internals */

/* floor((hi * 2^128 + lo) / d) into *q; false when it is >= 2^128 or d is
 * 0. Exposed for the tests. */
bool cov_u256_div_u128(cov_u128 hi, cov_u128 lo, cov_u128 d, cov_u128 *q);

#endif
