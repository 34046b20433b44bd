/* Several mechanisms of one subnet (subnets/mechanism.rs
 * epoch_with_mechanisms) and small helpers a caller needs to build an
 * epoch's input the way the chain does. */
#include <stdlib.h>
#include <string.h>

#include "incentive/yuma_internal.h"

uint64_t cov_yuma_activity_cutoff_blocks(uint32_t factor_milli, uint16_t tempo)
{
    uint64_t c = (uint64_t)factor_milli * tempo / 1000; /* no overflow: < 2^48 */
    return c < 1 ? 1 : c;
}

/* One element of vec_max_upscale_to_u16, given the vector's max. */
static uint16_t upscale_one(cov_fx32 e, cov_fx32 max)
{
    const cov_fx32 u16max = (cov_fx32)65535 << 32, threshold = (cov_fx32)32768 << 32;
    if (max == 0)
        return cov_fx32_to_u16(cov_fx32_mul_sat(e, u16max));
    if (max > threshold) /* scale first: e * 65535 could saturate */
        return cov_fx32_to_u16(cov_fx32_round(cov_fx32_mul_sat(e, cov_fx32_div_safe(u16max, max))));
    return cov_fx32_to_u16(cov_fx32_round(cov_fx32_div_safe(cov_fx32_mul_sat(e, u16max), max)));
}

void cov_yuma_vec_max_upscale_to_u16(uint16_t *out, const cov_fx32 *in, size_t len)
{
    if (len == 0)
        return;
    cov_fx32 max = in[0];
    for (size_t i = 1; i < len; i++)
        max = cov_fx32_max(max, in[i]);
    for (size_t i = 0; i < len; i++)
        out[i] = upscale_one(in[i], max);
}

void cov_yuma_max_upscale_u16(uint16_t *out, const uint16_t *in, size_t len)
{
    uint16_t max = 0;
    for (size_t i = 0; i < len; i++)
        max = in[i] > max ? in[i] : max;
    for (size_t i = 0; i < len; i++)
        out[i] = upscale_one((cov_fx32)in[i] << 32, (cov_fx32)max << 32);
}

void cov_yuma_split_emission(uint64_t *out, uint8_t count, const uint16_t *split,
                             size_t split_len, uint64_t alpha)
{
    if (count == 0)
        return;
    for (uint8_t m = 0; m < count; m++) {
        if (split == NULL)
            out[m] = alpha / count;
        else
            out[m] = m < split_len ? (uint64_t)((cov_u128)alpha * split[m] / 65535) : 0;
    }
    /* the truncation remainder goes to mechanism 0 */
    cov_u128 sum = 0;
    for (uint8_t m = 0; m < count; m++)
        sum += out[m];
    uint64_t rem = sum >= alpha ? 0 : alpha - (uint64_t)sum;
    out[0] = out[0] > UINT64_MAX - rem ? UINT64_MAX : out[0] + rem;
}

void cov_yuma_aggregate_init(cov_yuma_aggregate *agg)
{
    memset(agg, 0, sizeof *agg);
}

void cov_yuma_aggregate_free(cov_yuma_aggregate *agg)
{
    if (agg == NULL)
        return;
    free(agg->stake_weight);
    free(agg->consensus);
    free(agg->dividends);
    free(agg->validator_trust);
    free(agg->active);
    free(agg->new_validator_permit);
    free(agg->server_emission);
    free(agg->validator_emission);
    free(agg->emission);
    free(agg->stake);
    memset(agg, 0, sizeof *agg);
}

static bool aggregate_reserve(cov_yuma_aggregate *agg, uint16_t n)
{
    size_t cnt = n ? n : 1;
    cov_yuma_aggregate fresh;
    cov_yuma_aggregate_init(&fresh);
    fresh.stake_weight = calloc(cnt, sizeof *fresh.stake_weight);
    fresh.consensus = calloc(cnt, sizeof *fresh.consensus);
    fresh.dividends = calloc(cnt, sizeof *fresh.dividends);
    fresh.validator_trust = calloc(cnt, sizeof *fresh.validator_trust);
    fresh.active = calloc(cnt, sizeof *fresh.active);
    fresh.new_validator_permit = calloc(cnt, sizeof *fresh.new_validator_permit);
    fresh.server_emission = calloc(cnt, sizeof *fresh.server_emission);
    fresh.validator_emission = calloc(cnt, sizeof *fresh.validator_emission);
    fresh.emission = calloc(cnt, sizeof *fresh.emission);
    fresh.stake = calloc(cnt, sizeof *fresh.stake);
    if (!fresh.stake_weight || !fresh.consensus || !fresh.dividends ||
        !fresh.validator_trust || !fresh.active || !fresh.new_validator_permit ||
        !fresh.server_emission || !fresh.validator_emission || !fresh.emission ||
        !fresh.stake) {
        cov_yuma_aggregate_free(&fresh);
        return false;
    }
    cov_yuma_aggregate_free(agg);
    *agg = fresh;
    agg->n = n;
    return true;
}

/* weighted_acc_u16 / weighted_acc_alpha: existing + added * weight in
 * U64F64, floored (and saturated) after each mechanism. */
static uint16_t acc_u16(uint16_t existing, uint16_t added, cov_ufx64 w)
{
    return cov_ufx64_to_u16(cov_ufx64_add_sat(
        cov_ufx64_from_u64(existing), cov_ufx64_mul_sat(cov_ufx64_from_u64(added), w)));
}

static uint64_t acc_u64(uint64_t existing, uint64_t added, cov_ufx64 w)
{
    return cov_ufx64_to_u64(cov_ufx64_add_sat(
        cov_ufx64_from_u64(existing), cov_ufx64_mul_sat(cov_ufx64_from_u64(added), w)));
}

static uint64_t sat_add_u64(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

cov_status cov_yuma_epoch_with_mechanisms(cov_yuma_aggregate *agg,
                                          cov_yuma_output *per_mech,
                                          const cov_yuma_input *inputs,
                                          uint8_t count, const uint16_t *split,
                                          size_t split_len, uint64_t rao_emission,
                                          cov_err *err)
{
    if (agg == NULL || per_mech == NULL || inputs == NULL || count == 0)
        return cov_fail(err, COV_ERR_ARG,
                        "yuma mechanisms: aggregate, outputs and at least one input are required");
    uint16_t n = inputs[0].n;
    for (uint8_t m = 1; m < count; m++)
        if (inputs[m].n != n)
            return cov_fail(err, COV_ERR_ARG,
                            "yuma mechanisms: mechanism %u has %u uids, mechanism 0 has %u",
                            m, inputs[m].n, n);
    uint64_t shares[256];
    cov_yuma_split_emission(shares, count, split, split_len, rao_emission);
    if (!aggregate_reserve(agg, n))
        return cov_fail(err, COV_ERR_NOMEM, "yuma mechanisms: out of memory");

    for (uint8_t m = 0; m < count; m++) {
        cov_yuma_input in = inputs[m];
        in.rao_emission = shares[m];
        cov_status st = cov_yuma_epoch(&per_mech[m], &in, err);
        if (st != COV_OK)
            return cov_err_context(err, "mechanism %u", m);
        /* the mechanism's weight: its share of the emission (zero emission
         * gives mechanism 0 everything) */
        cov_ufx64 w = cov_ufx64_div_or(cov_ufx64_from_u64(shares[m]),
                                       cov_ufx64_from_u64(rao_emission),
                                       m == 0 ? cov_ufx64_from_u64(1) : 0);
        const cov_yuma_output *o = &per_mech[m];
        for (uint16_t i = 0; i < n; i++) {
            bool first = m == 0;
            agg->validator_emission[i] = first ? o->validator_emission[i]
                                               : sat_add_u64(agg->validator_emission[i],
                                                             o->validator_emission[i]);
            agg->server_emission[i] = first ? o->server_emission[i]
                                            : sat_add_u64(agg->server_emission[i],
                                                          o->server_emission[i]);
            agg->stake[i] = first ? o->stake[i] : sat_add_u64(agg->stake[i], o->stake[i]);
            agg->dividends[i] = acc_u16(first ? 0 : agg->dividends[i], o->dividends[i], w);
            agg->stake_weight[i] =
                acc_u16(first ? 0 : agg->stake_weight[i], o->stake_weight[i], w);
            agg->consensus[i] = acc_u16(first ? 0 : agg->consensus[i], o->consensus[i], w);
            agg->validator_trust[i] =
                acc_u16(first ? 0 : agg->validator_trust[i], o->validator_trust[i], w);
            agg->emission[i] = acc_u64(first ? 0 : agg->emission[i], o->emission[i], w);
            agg->active[i] = (!first && agg->active[i]) || o->active[i];
            agg->new_validator_permit[i] =
                (!first && agg->new_validator_permit[i]) || o->new_validator_permit[i];
        }
    }
    return COV_OK;
}
