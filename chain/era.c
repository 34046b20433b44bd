/* Transaction eras as sp_runtime (generic/era.rs) builds, encodes and
 * decodes them. The encoding packs a power-of-two period and a phase into a
 * u16, so long periods lose the low bits of the phase: a period over 4096
 * quantises the phase to multiples of period / 4096. */
#include "chain/extrinsic.h"

#define ERA_MIN_PERIOD 4u
#define ERA_MAX_PERIOD 65536u

/* The phase step of a period: the u16 leaves 12 bits for the phase. */
static uint64_t quantum(uint64_t period)
{
    uint64_t q = period >> 12;
    return q ? q : 1;
}

static unsigned log2_exact(uint64_t pow2)
{
    unsigned n = 0;
    while (pow2 > 1) {
        pow2 >>= 1;
        n++;
    }
    return n;
}

cov_era cov_era_immortal(void)
{
    cov_era e = {.mortal = false, .period = 0, .phase = 0};
    return e;
}

cov_era cov_era_mortal(uint64_t current_block, uint64_t period_request)
{
    /* Next power of two, clamped: a request above the maximum (including
     * one whose next power of two overflows) gives the maximum. */
    uint64_t period = ERA_MIN_PERIOD;
    if (period_request >= ERA_MAX_PERIOD)
        period = ERA_MAX_PERIOD;
    else
        while (period < period_request)
            period <<= 1;
    uint64_t q = quantum(period);
    cov_era e = {.mortal = true,
                 .period = period,
                 .phase = current_block % period / q * q};
    return e;
}

bool cov_era_is_valid(const cov_era *era)
{
    if (!era->mortal)
        return true;
    uint64_t p = era->period;
    return p >= ERA_MIN_PERIOD && p <= ERA_MAX_PERIOD && (p & (p - 1)) == 0 &&
           era->phase < p && era->phase % quantum(p) == 0;
}

cov_status cov_era_encode(uint8_t out[COV_ERA_MAX_LEN], size_t *out_len,
                          const cov_era *era, cov_err *err)
{
    if (!cov_era_is_valid(era))
        return cov_fail(err, COV_ERR_ARG,
                        "invalid era: period %llu, phase %llu (the period "
                        "must be a power of two in [4, 65536] and the phase "
                        "below it; build eras with cov_era_mortal)",
                        (unsigned long long)era->period,
                        (unsigned long long)era->phase);
    if (!era->mortal) {
        out[0] = 0;
        *out_len = 1;
        return COV_OK;
    }
    /* log2(period) - 1 is 1..15 for periods 4..65536, so sp_runtime's clamp
     * never bites on a valid era. */
    uint16_t v = (uint16_t)((log2_exact(era->period) - 1) |
                            (era->phase / quantum(era->period)) << 4);
    out[0] = (uint8_t)(v & 0xff);
    out[1] = (uint8_t)(v >> 8);
    *out_len = 2;
    return COV_OK;
}

cov_status cov_era_decode(cov_era *out, size_t *consumed, const uint8_t *in,
                          size_t len, cov_err *err)
{
    if (len < 1)
        return cov_fail(err, COV_ERR_PARSE, "era: no bytes to decode");
    if (in[0] == 0) {
        *out = cov_era_immortal();
        if (consumed)
            *consumed = 1;
        return COV_OK;
    }
    if (len < 2)
        return cov_fail(err, COV_ERR_PARSE,
                        "era: mortal era truncated (1 of 2 bytes)");
    unsigned v = (unsigned)in[0] | (unsigned)in[1] << 8;
    uint64_t period = (uint64_t)2 << (v & 15);
    uint64_t phase = (uint64_t)(v >> 4) * quantum(period);
    if (period < ERA_MIN_PERIOD || phase >= period)
        return cov_fail(err, COV_ERR_PARSE,
                        "era: invalid period %llu and phase %llu "
                        "(encoded 0x%04x)",
                        (unsigned long long)period,
                        (unsigned long long)phase, v);
    out->mortal = true;
    out->period = period;
    out->phase = phase;
    if (consumed)
        *consumed = 2;
    return COV_OK;
}

uint64_t cov_era_birth(const cov_era *era, uint64_t current)
{
    if (!era->mortal || era->period == 0)
        return 0;
    uint64_t from = current > era->phase ? current : era->phase;
    return (from - era->phase) / era->period * era->period + era->phase;
}

uint64_t cov_era_death(const cov_era *era, uint64_t current)
{
    if (!era->mortal || era->period == 0)
        return UINT64_MAX;
    uint64_t birth = cov_era_birth(era, current);
    return birth > UINT64_MAX - era->period ? UINT64_MAX
                                            : birth + era->period;
}
