/* The chain's fixed-point arithmetic on a weight submission, on raw bits:
 * I32F32 is an i64 with 32 fraction bits, I64F64 an i128 with 64, U96F32
 * a u128 with 32 (substrate-fixed 0.6). Their multiply is the full product
 * shifted right (floor), their divide (a << frac) / b truncating,
 * saturating_from_num(u16/u64) a shift, round() half away from zero, and
 * safe_div gives 0 where checked_div fails. */
#include "incentive/weights.h"

/* The chain's I64F64 and U96F32 need 128-bit integers; gcc and clang have
 * them on every 64-bit target. __extension__ keeps -pedantic quiet. */
__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

#define ONE32 ((uint64_t)1 << 32)

/* vec_u16_max_upscale_to_u16 (epoch/math.rs) through vec_max_upscale_to_u16
 * on I32F32. Above a max of 32768, e * 65535 would overflow I32F32, so the
 * chain multiplies e by (65535 / max) instead, which truncates the ratio
 * first: the two branches round differently. */
void cov_weights_chain_upscale(uint16_t *out, const uint16_t *values, size_t n)
{
    uint16_t mx = 0;
    for (size_t i = 0; i < n; i++)
        if (values[i] > mx)
            mx = values[i];
    for (size_t i = 0; i < n; i++) {
        uint64_t e = values[i];
        uint64_t raw; /* I32F32 bits of the upscaled value, before round() */
        if (mx == 0)
            raw = 0; /* e * 65535 with every e zero */
        else if (mx > 32768)
            raw = e * ((65535 * ONE32) / mx); /* e * (u16_max / max) */
        else
            raw = ((e * 65535) << 32) / mx; /* (e * u16_max) / max */
        uint64_t r = (raw + ONE32 / 2) >> 32; /* round() half away from 0, positive */
        out[i] = r > UINT16_MAX ? UINT16_MAX : (uint16_t)r;
    }
}

/* check_vec_max_limited: max_limit / 65535 against max(inplace_normalize(v)).
 * The sum of I32F32 values is an i64 that wraps in the chain's release
 * build past 2^31 (32768 entries of 65535, beyond any subnet): the wrapped
 * bits are what it divides by, so covenant wraps too. */
bool cov_weights_chain_max_limited(const uint16_t *values, size_t n, uint16_t max_limit)
{
    int64_t limit = (int64_t)(((uint64_t)max_limit << 32) / 65535);
    if (n == 0)
        return true;
    uint64_t sum_bits = 0;
    for (size_t i = 0; i < n; i++)
        sum_bits += (uint64_t)values[i] << 32;
    int64_t sum = (int64_t)sum_bits;
    int64_t best = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        int64_t v = (int64_t)((uint64_t)values[i] << 32);
        if (sum != 0) {
            /* v.safe_div(sum): (v << 32) / sum in i128, 0 if it overflows */
            i128 q = ((i128)v * (i128)ONE32) / sum;
            v = (q > INT64_MAX || q < INT64_MIN) ? 0 : (int64_t)q;
        }
        if (v > best)
            best = v;
    }
    return best <= limit;
}

/* I64F64::saturating_from_num(u64) */
static u128 i64f64_from_u64(uint64_t x)
{
    u128 max = ((u128)1 << 127) - 1;
    return x > (uint64_t)INT64_MAX ? max : (u128)x << 64;
}

/* floor(a * b / 2^64) for a < 2^127 and b <= 2^64 (a weight of at most 1):
 * the I64F64 product, which then never exceeds a. */
static u128 mul_i64f64(u128 a, u128 b)
{
    u128 a_hi = a >> 64, a_lo = (uint64_t)a;
    u128 lo = b == ((u128)1 << 64) ? a_lo : (a_lo * b) >> 64;
    return a_hi * b + lo;
}

bool cov_weights_chain_enough_stake(uint64_t alpha_stake, uint64_t tao_stake,
                                    uint64_t tao_weight, uint64_t stake_threshold)
{
    /* get_tao_weight: U96F32 stored / u64::MAX = floor(stored * 2^32 / (2^64 - 1)),
     * then widened to I64F64 (exact: 32 more fraction bits). */
    u128 weight32 = ((u128)tao_weight << 32) / UINT64_MAX;
    u128 weight = weight32 << 32;
    u128 max = ((u128)1 << 127) - 1;
    u128 alpha = i64f64_from_u64(alpha_stake);
    u128 tao = mul_i64f64(i64f64_from_u64(tao_stake), weight);
    u128 total = alpha > max - tao ? max : alpha + tao; /* saturating_add */
    /* fixed-vs-integer comparison is exact */
    return total >= ((u128)stake_threshold << 64);
}
