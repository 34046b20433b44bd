/* The chain's fixed point: the wide operations (128-bit values need a
 * 256-bit product or dividend), conversions and exp. See fixed.h. */
#include "incentive/fixed.h"

#include <math.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

/* floor(t / i) for 0 <= t < 2^63 and i in 2..31 without a divide:
 * t * ceil(2^(63+l) / i) >> (63+l), l = ceil(log2 i), is exact for every
 * 63-bit t (Granlund & Montgomery 1994, theorem 4.2). */
static const struct {
    uint64_t m;
    unsigned shift;
} recip[32] = {
    {0, 0}, {0, 0},
    {0x8000000000000000ull, 64}, {0xaaaaaaaaaaaaaaabull, 65}, {0x8000000000000000ull, 65},
    {0xcccccccccccccccdull, 66}, {0xaaaaaaaaaaaaaaabull, 66}, {0x924924924924924aull, 66},
    {0x8000000000000000ull, 66}, {0xe38e38e38e38e38full, 67}, {0xcccccccccccccccdull, 67},
    {0xba2e8ba2e8ba2e8cull, 67}, {0xaaaaaaaaaaaaaaabull, 67}, {0x9d89d89d89d89d8aull, 67},
    {0x924924924924924aull, 67}, {0x8888888888888889ull, 67}, {0x8000000000000000ull, 67},
    {0xf0f0f0f0f0f0f0f1ull, 68}, {0xe38e38e38e38e38full, 68}, {0xd79435e50d79435full, 68},
    {0xcccccccccccccccdull, 68}, {0xc30c30c30c30c30dull, 68}, {0xba2e8ba2e8ba2e8cull, 68},
    {0xb21642c8590b2165ull, 68}, {0xaaaaaaaaaaaaaaabull, 68}, {0xa3d70a3d70a3d70bull, 68},
    {0x9d89d89d89d89d8aull, 68}, {0x97b425ed097b425full, 68}, {0x924924924924924aull, 68},
    {0x8d3dcb08d3dcb08eull, 68}, {0x8888888888888889ull, 68}, {0x8421084210842109ull, 68},
};

static inline uint64_t div_small(uint64_t t, int i)
{
    return (uint64_t)(((cov_u128)t * recip[i].m) >> recip[i].shift);
}

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
    for (int i = 2; i < 32; i++) {
        bool ok;
        term = cov_fx32_mul_ok(term, x, &ok);
        if (!ok)
            return false;
        /* checked_div by I32F32(i): (t << 32) / (i << 32) == t / i */
        term = (cov_fx32)div_small((uint64_t)term, i);
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

static cov_fx32 clamp20(cov_fx32 x)
{
    const cov_fx32 lim = (cov_fx32)20 << 32;
    return x < -lim ? -lim : (lim < x ? lim : x);
}

cov_fx32 cov_fx32_exp_safe(cov_fx32 x)
{
    x = clamp20(x);
    cov_fx32 r;
    if (cov_fx32_exp(x, &r))
        return r;
    return x <= 0 ? 0 : COV_FX32_MAX;
}

void cov_fx32_exp_safe4(cov_fx32 out[4], const cov_fx32 in[4])
{
    /* |x| <= 20 after the clamp, so no product or sum can overflow (the
     * largest term is 20^20/20! < 2^26, the sum e^20 < 2^29) */
    uint64_t x[4], term[4], sum[4];
    bool neg[4];
    for (int l = 0; l < 4; l++) {
        cov_fx32 v = clamp20(in[l]);
        neg[l] = v < 0;
        x[l] = (uint64_t)(neg[l] ? -v : v);
        term[l] = x[l];
        sum[l] = x[l] + (uint64_t)COV_FX32_ONE;
    }
    for (int i = 2; i < 32; i++) {
        uint64_t any = 0;
        for (int l = 0; l < 4; l++) {
            term[l] = div_small((uint64_t)(((cov_u128)term[l] * x[l]) >> 32), i);
            sum[l] += term[l];
            any |= term[l];
        }
        if (any == 0)
            break;
    }
    for (int l = 0; l < 4; l++) {
        cov_fx32 v = clamp20(in[l]);
        if (v == 0)
            out[l] = COV_FX32_ONE;
        else if (v == COV_FX32_ONE)
            out[l] = FX32_E;
        else if (neg[l])
            out[l] = (cov_fx32)(((cov_u128)1 << 64) / sum[l]);
        else
            out[l] = (cov_fx32)sum[l];
    }
}

void cov_fx32_divider_init(cov_fx32_divider *dv, cov_fx32 b)
{
    dv->b = b;
    dv->ok = b > 0;
    dv->m = 0;
    dv->l = 0;
    dv->whole = dv->pow2 = false;
    if (!dv->ok)
        return;
    uint64_t d = (uint64_t)b;
    dv->whole = (d & 0xFFFFFFFFu) == 0;
    if (dv->whole)
        d >>= 32;
    unsigned bits = 64 - (unsigned)__builtin_clzll(d); /* 2^(bits-1) <= d < 2^bits */
    if ((d & (d - 1)) == 0) {
        dv->pow2 = true;
        dv->l = (uint8_t)(bits - 1);
        return;
    }
    /* d is not a power of two: 2^(l-1) < d < 2^l, and the ceiling of
     * 2^(64+l) / d lies in (2^64, 2^65) */
    dv->l = (uint8_t)bits;
    dv->m = (uint64_t)(((cov_u128)1 << (64 + bits)) / d + 1 - ((cov_u128)1 << 64));
}

void cov_fx32_recip_init(uint64_t d, uint64_t *m, uint8_t *sh)
{
    if (d < 2 || d >> 63 != 0) { /* outside the contract: a harmless value */
        *m = 0;
        *sh = 0;
        return;
    }
    unsigned bits = 64 - (unsigned)__builtin_clzll(d); /* 2^(bits-1) <= d < 2^bits */
    if ((d & (d - 1)) == 0) {
        *m = 0;
        *sh = (uint8_t)(bits - 2); /* num >> log2 d */
        return;
    }
    /* 2^(l-1) < d < 2^l with l = bits, and the ceiling of 2^(64+l) / d
     * lies in (2^64, 2^65) */
    *sh = (uint8_t)(bits - 1);
    *m = (uint64_t)(((cov_u128)1 << (64 + bits)) / d + 1 - ((cov_u128)1 << 64));
}

void cov_fx32_recip_div_all(cov_fx32 *v, size_t len, uint64_t m, uint8_t sh)
{
    size_t e = 0;
#if defined(__SSE2__)
    /* _mm_mul_epu32 multiplies the low 32 bits of each 64-bit lane */
    const __m128i mhi = _mm_set1_epi64x((long long)(m >> 32));
    const __m128i mlo = _mm_set1_epi64x((long long)(uint32_t)m);
    const __m128i count = _mm_cvtsi32_si128(sh);
    for (; e + 2 <= len; e += 2) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(v + e));
        __m128i t = _mm_add_epi64(_mm_mul_epu32(a, mhi), _mm_srli_epi64(_mm_mul_epu32(a, mlo), 32));
        __m128i num = _mm_slli_epi64(a, 32);
        __m128i q = _mm_add_epi64(t, _mm_srli_epi64(_mm_sub_epi64(num, t), 1));
        _mm_storeu_si128((__m128i *)(void *)(v + e), _mm_srl_epi64(q, count));
    }
#endif
    for (; e < len; e++)
        v[e] = (cov_fx32)cov_fx32_recip_div32((uint32_t)v[e], m, sh);
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
