/* The chain's fixed point: the wide operations (128-bit values need a
 * 256-bit product or dividend), conversions and exp. See fixed.h. */
#include "incentive/fixed.h"

#include <math.h>

/* ------------------------------------------------------ 256-bit helpers */

typedef struct {
    cov_u128 hi, lo;
} u256;

static u256 mul_u128(cov_u128 a, cov_u128 b)
{
    uint64_t a0 = (uint64_t)a, a1 = (uint64_t)(a >> 64);
    uint64_t b0 = (uint64_t)b, b1 = (uint64_t)(b >> 64);
    cov_u128 p00 = (cov_u128)a0 * b0, p01 = (cov_u128)a0 * b1;
    cov_u128 p10 = (cov_u128)a1 * b0, p11 = (cov_u128)a1 * b1;
    cov_u128 mid = (p00 >> 64) + (uint64_t)p01 + (uint64_t)p10; /* < 3 * 2^64 */
    u256 r;
    r.lo = (mid << 64) | (uint64_t)p00;
    r.hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    return r;
}

/* Knuth's algorithm D on 32-bit digits (as in Hacker's Delight): q gets
 * m-n+1 digits of u / v; u has m digits, v has n, v[n-1] != 0, m >= n. */
static void divmnu(uint32_t *q, const uint32_t *u, int m, const uint32_t *v, int n)
{
    const uint64_t base = (uint64_t)1 << 32;
    if (n == 1) {
        uint64_t k = 0;
        for (int j = m - 1; j >= 0; j--) {
            uint64_t cur = (k << 32) | u[j];
            q[j] = (uint32_t)(cur / v[0]);
            k = cur % v[0];
        }
        return;
    }
    uint32_t un[9], vn[4];
    int s = __builtin_clz(v[n - 1]);
    for (int i = n - 1; i > 0; i--)
        vn[i] = (uint32_t)(((uint64_t)v[i] << s) | ((uint64_t)v[i - 1] >> (32 - s)));
    vn[0] = (uint32_t)((uint64_t)v[0] << s);
    un[m] = (uint32_t)((uint64_t)u[m - 1] >> (32 - s));
    for (int i = m - 1; i > 0; i--)
        un[i] = (uint32_t)(((uint64_t)u[i] << s) | ((uint64_t)u[i - 1] >> (32 - s)));
    un[0] = (uint32_t)((uint64_t)u[0] << s);

    for (int j = m - n; j >= 0; j--) {
        uint64_t num = ((uint64_t)un[j + n] << 32) | un[j + n - 1];
        uint64_t qhat = num / vn[n - 1];
        uint64_t rhat = num % vn[n - 1];
        while (qhat >= base || qhat * vn[n - 2] > ((rhat << 32) | un[j + n - 2])) {
            qhat--;
            rhat += vn[n - 1];
            if (rhat >= base)
                break;
        }
        /* multiply and subtract; borrow kept in a signed 64-bit word */
        int64_t k = 0, t;
        for (int i = 0; i < n; i++) {
            uint64_t p = qhat * vn[i];
            t = (int64_t)un[i + j] - k - (int64_t)(p & 0xFFFFFFFFu);
            un[i + j] = (uint32_t)t;
            k = (int64_t)(p >> 32) - (t >> 32);
        }
        t = (int64_t)un[j + n] - k;
        un[j + n] = (uint32_t)t;
        q[j] = (uint32_t)qhat;
        if (t < 0) { /* qhat was one too big: add back */
            q[j]--;
            uint64_t c = 0;
            for (int i = 0; i < n; i++) {
                uint64_t sum = (uint64_t)un[i + j] + vn[i] + c;
                un[i + j] = (uint32_t)sum;
                c = sum >> 32;
            }
            un[j + n] = (uint32_t)(un[j + n] + c);
        }
    }
}

bool cov_u256_div_u128(cov_u128 hi, cov_u128 lo, cov_u128 d, cov_u128 *q)
{
    if (d == 0 || hi >= d)
        return false;
    if (hi == 0) {
        *q = lo / d;
        return true;
    }
    uint32_t u[8], v[4], qd[8] = {0};
    for (int i = 0; i < 4; i++) {
        u[i] = (uint32_t)(lo >> (32 * i));
        u[i + 4] = (uint32_t)(hi >> (32 * i));
        v[i] = (uint32_t)(d >> (32 * i));
    }
    int n = 4;
    while (v[n - 1] == 0)
        n--;
    int m = 8;
    while (m > n && u[m - 1] == 0)
        m--;
    divmnu(qd, u, m, v, n);
    /* hi < d bounds the quotient below 2^128: digits 4.. are zero */
    *q = (cov_u128)qd[0] | ((cov_u128)qd[1] << 32) | ((cov_u128)qd[2] << 64) |
         ((cov_u128)qd[3] << 96);
    return true;
}

static cov_u128 mag(cov_i128 x)
{
    return x < 0 ? (cov_u128)0 - (cov_u128)x : (cov_u128)x;
}

/* floor(a * b / 2^frac) for signed 128-bit a, b; *ok false on overflow
 * (then the saturated value is returned, as saturating_mul does). */
static cov_i128 mul_shift_i128(cov_i128 a, cov_i128 b, unsigned frac, bool *ok)
{
    bool neg = (a < 0) != (b < 0);
    u256 p = mul_u128(mag(a), mag(b));
    cov_u128 mask = ((cov_u128)1 << frac) - 1;
    bool rem = (p.lo & mask) != 0;
    /* magnitude >> frac, as 256 bits */
    cov_u128 qlo = (p.lo >> frac) | (p.hi << (128 - frac));
    cov_u128 qhi = p.hi >> frac;
    if (neg && rem) { /* floor toward -inf: magnitude rounds up */
        qlo++;
        if (qlo == 0)
            qhi++;
    }
    if (p.lo == 0 && p.hi == 0)
        neg = false;
    cov_u128 limit = neg ? (cov_u128)1 << 127 : (cov_u128)COV_I128_MAX;
    if (qhi != 0 || qlo > limit) {
        *ok = false;
        return neg ? COV_I128_MIN : COV_I128_MAX;
    }
    *ok = true;
    return neg ? (cov_i128)((cov_u128)0 - qlo) : (cov_i128)qlo;
}

/* (a << frac) / b truncating, signed; *ok false on b == 0 or overflow. */
static cov_i128 div_shift_i128(cov_i128 a, cov_i128 b, unsigned frac, bool *ok)
{
    *ok = false;
    if (b == 0)
        return 0;
    bool neg = (a < 0) != (b < 0);
    cov_u128 ma = mag(a), q;
    if (!cov_u256_div_u128(ma >> (128 - frac), ma << frac, mag(b), &q))
        return 0;
    if (q == 0)
        neg = false;
    cov_u128 limit = neg ? (cov_u128)1 << 127 : (cov_u128)COV_I128_MAX;
    if (q > limit)
        return 0;
    *ok = true;
    return neg ? (cov_i128)((cov_u128)0 - q) : (cov_i128)q;
}

/* -------------------------------------------------------------- I32F32 */

cov_fx32 cov_fx32_round(cov_fx32 x)
{
    const uint64_t ipart = ~(uint64_t)0 << 32;
    if (x >= 0) {
        if (x > COV_FX32_MAX - COV_FX32_HALF)
            return COV_FX32_MAX & (cov_fx32)ipart;
        return (cov_fx32)((uint64_t)(x + COV_FX32_HALF) & ipart);
    }
    if (x == COV_FX32_MIN)
        return x;
    cov_fx32 m = -x; /* ties go away from zero on both sides */
    if (m > COV_FX32_MAX - COV_FX32_HALF)
        return COV_FX32_MIN;
    return -(cov_fx32)((uint64_t)(m + COV_FX32_HALF) & ipart);
}

cov_fx32 cov_fx32_from_f64(double x)
{
    if (isnan(x))
        return 0;
    double scaled = rint(ldexp(x, 32)); /* default mode: nearest, ties even */
    if (scaled >= 9223372036854775808.0)
        return COV_FX32_MAX;
    if (scaled < -9223372036854775808.0)
        return COV_FX32_MIN;
    return (cov_fx32)scaled;
}

double cov_fx32_to_f64(cov_fx32 x)
{
    return ldexp((double)x, -32);
}

/* transcendental::E, an I9F23 constant: floor(e * 2^23), widened. */
#define FX32_E ((cov_fx32)22802600 << 9)

bool cov_fx32_exp(cov_fx32 x, cov_fx32 *out)
{
    if (x == 0) {
        *out = COV_FX32_ONE;
        return true;
    }
    if (x == COV_FX32_ONE) {
        *out = FX32_E;
        return true;
    }
    bool neg = x < 0;
    if (neg) {
        if (x == COV_FX32_MIN)
            return false;
        x = -x;
    }
    if (x > COV_FX32_MAX - COV_FX32_ONE)
        return false;
    cov_fx32 result = x + COV_FX32_ONE, term = x;
    /* i in 2..frac_nbits: 30 terms; term = term * x / i */
    for (int64_t i = 2; i < 32; i++) {
        bool ok;
        term = cov_fx32_mul_ok(term, x, &ok);
        if (!ok)
            return false;
        /* checked_div by I32F32(i): (t << 32) / (i << 32) == t / i */
        term /= i;
        if (term == 0)
            break; /* every later term is 0 too: the sum is final */
        if (__builtin_add_overflow(result, term, &result))
            return false;
    }
    if (neg) {
        bool ok;
        result = cov_fx32_div_ok(COV_FX32_ONE, result, &ok);
        if (!ok)
            return false;
    }
    *out = result;
    return true;
}

cov_fx32 cov_fx32_exp_safe(cov_fx32 x)
{
    const cov_fx32 lim = (cov_fx32)20 << 32;
    if (x < -lim)
        x = -lim;
    else if (lim < x)
        x = lim;
    cov_fx32 r;
    if (cov_fx32_exp(x, &r))
        return r;
    return x <= 0 ? 0 : COV_FX32_MAX;
}

void cov_fx32_divider_init(cov_fx32_divider *dv, cov_fx32 b)
{
    dv->b = b;
    dv->fast = b > 0;
    dv->s = 0;
    dv->d = 0;
    dv->v = 0;
    if (!dv->fast)
        return;
    dv->s = (unsigned)__builtin_clzll((uint64_t)b);
    dv->d = (uint64_t)b << dv->s;
    dv->v = (uint64_t)(COV_U128_MAX / dv->d - ((cov_u128)1 << 64));
}

/* -------------------------------------------------------------- I64F64 */

cov_fx64 cov_fx64_from_u64(uint64_t v)
{
    if (v > (uint64_t)INT64_MAX)
        return COV_I128_MAX;
    return (cov_fx64)((cov_u128)v << 64);
}

cov_fx32 cov_fx32_from_fx64(cov_fx64 x)
{
    cov_i128 q = x >> 32; /* floor */
    if (q > INT64_MAX)
        return COV_FX32_MAX;
    if (q < INT64_MIN)
        return COV_FX32_MIN;
    return (cov_fx32)q;
}

uint64_t cov_fx64_to_u64(cov_fx64 x)
{
    return x < 0 ? 0 : (uint64_t)((cov_u128)x >> 64);
}

cov_fx64 cov_fx64_add_sat(cov_fx64 a, cov_fx64 b)
{
    cov_fx64 r = cov_fx64_add_wrap(a, b);
    if (b > 0 && r < a)
        return COV_I128_MAX;
    if (b < 0 && r > a)
        return COV_I128_MIN;
    return r;
}

cov_fx64 cov_fx64_mul_sat(cov_fx64 a, cov_fx64 b)
{
    bool ok;
    return mul_shift_i128(a, b, 64, &ok);
}

cov_fx64 cov_fx64_div_safe(cov_fx64 a, cov_fx64 b)
{
    bool ok;
    cov_i128 r = div_shift_i128(a, b, 64, &ok);
    return ok ? r : 0;
}

cov_fx64 cov_fx64_from_f64(double x)
{
    if (isnan(x))
        return 0;
    double scaled = rint(ldexp(x, 64));
    if (scaled >= ldexp(1.0, 127))
        return COV_I128_MAX;
    if (scaled < -ldexp(1.0, 127))
        return COV_I128_MIN;
    return (cov_fx64)scaled;
}

/* ----------------------------------------------------- I96F32 / U96F32 */

cov_fx96 cov_fx96_mul_sat(cov_fx96 a, cov_fx96 b)
{
    bool ok;
    return mul_shift_i128(a, b, 32, &ok);
}

uint64_t cov_fx96_to_u64(cov_fx96 x)
{
    if (x < 0)
        return 0;
    cov_u128 i = (cov_u128)x >> 32;
    return i > UINT64_MAX ? UINT64_MAX : (uint64_t)i;
}

cov_ufx96 cov_ufx96_div_safe(cov_ufx96 a, cov_ufx96 b)
{
    cov_u128 q;
    if (!cov_u256_div_u128(a >> 96, a << 32, b, &q))
        return 0;
    return q;
}

cov_fx64 cov_fx64_from_ufx96(cov_ufx96 x)
{
    if (x >> 95) /* integer part >= 2^63 */
        return COV_I128_MAX;
    return (cov_fx64)(x << 32);
}

/* -------------------------------------------------------------- U64F64 */

cov_ufx64 cov_ufx64_mul_sat(cov_ufx64 a, cov_ufx64 b)
{
    u256 p = mul_u128(a, b);
    if (p.hi >> 64)
        return COV_U128_MAX;
    return (p.hi << 64) | (p.lo >> 64);
}

cov_ufx64 cov_ufx64_div_or(cov_ufx64 a, cov_ufx64 b, cov_ufx64 dflt)
{
    cov_u128 q;
    if (!cov_u256_div_u128(a >> 64, a << 64, b, &q))
        return dflt;
    return q;
}
