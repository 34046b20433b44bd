/* One mechanism's epoch: subtensor's `epoch_mechanism` (run_epoch.rs), the
 * sparse implementation the chain runs, step by step. Step numbers follow
 * shared/reference/subtensor.md §1.3. */
#include <stdlib.h>
#include <string.h>

#include "incentive/yuma_internal.h"

typedef struct {
    cov_fx32 v;
    uint16_t uid;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return (int)x->uid - (int)y->uid; /* ties keep uid order: a stable sort */
}

/* is_topk_nonzero(S, k): non-zero stake, minus the n-k smallest. */
static bool top_k_nonzero(bool *out, const cov_fx32 *s, uint16_t n, uint16_t k)
{
    for (uint16_t i = 0; i < n; i++)
        out[i] = s[i] != 0;
    if (n < k || n == 0)
        return true;
    ranked *r = malloc((size_t)n * sizeof *r);
    if (r == NULL)
        return false;
    for (uint16_t i = 0; i < n; i++) {
        r[i].v = s[i];
        r[i].uid = i;
    }
    qsort(r, n, sizeof *r, cmp_ranked);
    for (size_t t = 0; t < (size_t)(n - k); t++)
        out[r[t].uid] = false;
    free(r);
    return true;
}

/* Step 2: total stake, threshold filter, normalisation in I64F64. */
static void stake_weights(cov_yuma_output *out, const cov_yuma_input *in, cov_fx64 *total)
{
    uint16_t n = in->n;
    /* TaoWeight / u64::MAX in U96F32, then widened (errata 2) */
    cov_fx64 tw = cov_fx64_from_ufx96(
        cov_ufx96_div_safe(cov_ufx96_from_u64(in->tao_weight), cov_ufx96_from_u64(UINT64_MAX)));
    cov_fx64 sum = 0;
    for (uint16_t i = 0; i < n; i++) {
        cov_fx64 root = in->root_stake ? cov_fx64_from_u64(in->root_stake[i]) : 0;
        cov_fx64 t = cov_fx64_add_sat(cov_fx64_from_u64(in->alpha_stake[i]),
                                      cov_fx64_mul_sat(root, tw));
        out->stake[i] = cov_fx64_to_u64(t);
        if (in->owner_uid != (int32_t)i && cov_fx64_to_u64(t) < in->stake_threshold)
            t = 0;
        total[i] = t;
        sum = cov_fx64_add_wrap(sum, t); /* iter().sum(): wraps in release */
    }
    for (uint16_t i = 0; i < n; i++) {
        cov_fx64 v = sum != 0 ? cov_fx64_div_safe(total[i], sum) : total[i];
        out->stake_fx[i] = cov_fx32_from_fx64(v);
    }
}

/* Step 13: shares of the epoch's emission, then rao amounts. */
static void emission(cov_yuma_output *out, const cov_yuma_input *in)
{
    uint16_t n = in->n;
    cov_fx32 *srv = out->server_share_fx, *val = out->validator_share_fx,
             *comb = out->combined_share_fx;
    cov_fx32 es = 0;
    for (uint16_t i = 0; i < n; i++) {
        comb[i] = cov_fx32_add_sat(out->incentive_fx[i], out->dividends_fx[i]);
        es = cov_fx32_add_wrap(es, comb[i]);
        srv[i] = out->incentive_fx[i];
        val[i] = out->dividends_fx[i];
    }
    if (es != 0) { /* inplace_normalize_using_sum */
        for (uint16_t i = 0; i < n; i++) {
            srv[i] = cov_fx32_div_safe(srv[i], es);
            val[i] = cov_fx32_div_safe(val[i], es);
        }
    }
    ynormalize(comb, n);
    if (es == 0) {
        /* no weights, only outdated or self weights: pay by stake */
        cov_fx32 asum = 0;
        for (uint16_t i = 0; i < n; i++)
            asum = cov_fx32_add_wrap(asum, out->active_stake_fx[i]);
        const cov_fx32 *by = asum == 0 ? out->stake_fx : out->active_stake_fx;
        memcpy(val, by, (size_t)n * sizeof *val);
        memcpy(comb, by, (size_t)n * sizeof *comb);
    }
    cov_fx96 rao = cov_fx96_from_u64(in->rao_emission);
    for (uint16_t i = 0; i < n; i++) {
        out->server_emission[i] = cov_fx96_to_u64(cov_fx96_mul_sat(cov_fx96_from_fx32(srv[i]), rao));
        out->validator_emission[i] =
            cov_fx96_to_u64(cov_fx96_mul_sat(cov_fx96_from_fx32(val[i]), rao));
        out->emission[i] = cov_fx96_to_u64(cov_fx96_mul_sat(cov_fx96_from_fx32(comb[i]), rao));
    }
}

static cov_status check_input(const cov_yuma_input *in, cov_err *err)
{
    if (in->n == 0)
        return COV_OK;
    if (in->block_at_registration == NULL || in->alpha_stake == NULL)
        return cov_fail(err, COV_ERR_ARG,
                        "yuma epoch: block_at_registration and alpha_stake are required "
                        "(one entry per uid)");
    if (in->last_update == NULL && in->last_update_len != 0)
        return cov_fail(err, COV_ERR_ARG,
                        "yuma epoch: last_update is NULL but last_update_len is %zu",
                        in->last_update_len);
    if (in->validator_permit == NULL && in->validator_permit_len != 0)
        return cov_fail(err, COV_ERR_ARG,
                        "yuma epoch: validator_permit is NULL but validator_permit_len is %zu",
                        in->validator_permit_len);
    return COV_OK;
}

cov_status cov_yuma_epoch(cov_yuma_output *out, const cov_yuma_input *in, cov_err *err)
{
    if (out == NULL || in == NULL)
        return cov_fail(err, COV_ERR_ARG, "yuma epoch: output and input are required");
    cov_status st = check_input(in, err);
    if (st != COV_OK)
        return st;
    uint16_t n = in->n;
    if (!cov_yuma_output_reserve(out, n) || !cov_yuma_scratch_reserve(&out->scratch, n))
        return cov_fail(err, COV_ERR_NOMEM, "yuma epoch: out of memory for %u uids", n);
    out->n = n;
    struct cov_yuma_scratch *s = out->scratch;
    int32_t owner = in->owner_uid;
    size_t L = in->last_update_len, P = in->validator_permit_len;

    /* 1. Activity */
    bool *masked = s->flags[0]; /* inactive, or without a previous permit */
    for (uint16_t i = 0; i < n; i++) {
        bool inactive = false;
        if (i < L) { /* last_update.saturating_add(cutoff) < current_block */
            uint64_t upd = in->last_update[i];
            uint64_t until = upd > UINT64_MAX - in->activity_cutoff ? UINT64_MAX
                                                                      : upd + in->activity_cutoff;
            inactive = until < in->current_block;
        }
        out->active[i] = i < L && !inactive;
        /* an empty mask masks nothing; a short one masks the rest */
        masked[i] = L > 0 && (i >= L || inactive);
    }

    /* 2. Stake */
    stake_weights(out, in, s->stake64);

    /* 3. Permits: the epoch masks with the previous ones (owner forced
     * on), and stores new ones */
    bool *row_ok = s->flags[1];
    for (uint16_t i = 0; i < n; i++) {
        bool permit = i < P && (in->validator_permit[i] || owner == (int32_t)i);
        row_ok[i] = permit;
        if (P > 0 && !permit)
            masked[i] = true;
    }
    if (!top_k_nonzero(out->new_validator_permit, out->stake_fx, n, in->max_allowed_validators))
        return cov_fail(err, COV_ERR_NOMEM, "yuma epoch: out of memory");
    if (owner >= 0 && owner < (int32_t)n)
        out->new_validator_permit[owner] = true;

    /* 4. Active stake */
    for (uint16_t i = 0; i < n; i++)
        out->active_stake_fx[i] = masked[i] ? 0 : out->stake_fx[i];
    ynormalize(out->active_stake_fx, n);
    const cov_fx32 *A = out->active_stake_fx;

    /* 5. Weights */
    yuma_ctx ctx = {.in = in, .out = out, .s = s, .row_ok = row_ok, .dsum = s->vec[4]};
    if (!yuma_load_weights(&ctx))
        return cov_fail(err, COV_ERR_NOMEM, "yuma epoch: out of memory for weights");

    /* 6. Consensus */
    s->med.row_up = s->w_up;
    if (!cov_yuma_weighted_median_col(out->consensus_fx, A, &s->w, n,
                                      cov_fx32_u16_proportion(in->kappa), &s->med))
        return cov_fail(err, COV_ERR_NOMEM, "yuma epoch: out of memory for consensus");

    /* 7-10. Clipped weights, validator trust, incentive, weights for bonds */
    if (!yuma_clip_and_rank(&ctx))
        return cov_fail(err, COV_ERR_NOMEM, "yuma epoch: out of memory");
    ynormalize(out->incentive_fx, n);

    /* 11-12. Bonds and dividends; 14's bonds as written */
    if (!yuma_bonds(&ctx))
        return cov_fail(err, COV_ERR_NOMEM, "yuma epoch: out of memory for bonds");

    /* 13. Emission */
    emission(out, in);

    /* 14. What is stored */
    for (uint16_t i = 0; i < n; i++) {
        out->stake_weight[i] = cov_fx32_proportion_to_u16(out->stake_fx[i]);
        out->consensus[i] = cov_fx32_proportion_to_u16(out->consensus_fx[i]);
        out->incentive[i] = cov_fx32_proportion_to_u16(out->incentive_fx[i]);
        out->dividends[i] = cov_fx32_proportion_to_u16(out->dividends_fx[i]);
        out->validator_trust[i] = cov_fx32_proportion_to_u16(out->validator_trust_fx[i]);
    }
    return COV_OK;
}
