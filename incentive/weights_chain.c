/* The checks subtensor runs on set_weights and reveal_weights
 * (subnets/weights.rs: internal_set_weights and its helpers), in the same
 * order, so covenant can say which error the chain would answer before
 * spending a submission on it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incentive/weights.h"

static cov_status reject(cov_weights_verdict *out, int row, const char *error,
                         const char *fmt, ...) COV_PRINTF(4, 5);

static cov_status reject(cov_weights_verdict *out, int row, const char *error,
                         const char *fmt, ...)
{
    out->error = error;
    out->row = row;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->message, sizeof out->message, fmt, ap);
    va_end(ap);
    return COV_OK;
}

/* is_self_weight: exactly one value and the first uid is the caller's. */
static bool self_weight(uint16_t caller, const uint16_t *uids, size_t n_uids, size_t n_values)
{
    return n_values == 1 && n_uids > 0 && uids[0] == caller;
}

/* has_duplicate_uids; a bitmap instead of the chain's O(n^2) scan. */
static bool first_duplicate(const uint16_t *uids, size_t n, uint16_t *dup)
{
    uint8_t seen[65536 / 8];
    memset(seen, 0, sizeof seen);
    for (size_t i = 0; i < n; i++) {
        uint16_t u = uids[i];
        if (seen[u >> 3] & (1u << (u & 7))) {
            *dup = u;
            return true;
        }
        seen[u >> 3] |= (uint8_t)(1u << (u & 7));
    }
    return false;
}

/* Rows 6..13, once the caller is known to be registered. */
static cov_status check_caller(cov_weights_verdict *out, cov_weights_call call,
                               const cov_weights_chain_state *st, const uint16_t *uids,
                               size_t n_uids, const uint16_t *values, size_t n,
                               uint64_t version_key, uint16_t *upscaled, cov_err *err)
{
    uint16_t me = st->caller_uid;
    bool self = self_weight(me, uids, n_uids, n);

    /* 6: check_weights_min_stake, the owner hotkey exempt */
    if (!st->is_owner_hotkey &&
        !cov_weights_chain_enough_stake(st->alpha_stake, st->tao_stake, st->tao_weight,
                                        st->stake_threshold))
        return reject(out, 6, "NotEnoughStakeToSetWeights",
                      "the hotkey's stake weight (alpha %llu + root %llu x tao weight) is "
                      "below the subnet's threshold %llu rao: add stake to the hotkey",
                      (unsigned long long)st->alpha_stake, (unsigned long long)st->tao_stake,
                      (unsigned long long)st->stake_threshold);

    /* 7: check_version_key */
    if (st->weights_version_key != 0 && version_key < st->weights_version_key)
        return reject(out, 7, "IncorrectWeightVersionKey",
                      "version key %llu is below the subnet's weights_version_key %llu: "
                      "submit with version key >= %llu (update the validator)",
                      (unsigned long long)version_key,
                      (unsigned long long)st->weights_version_key,
                      (unsigned long long)st->weights_version_key);

    /* 8: check_rate_limit, only when commit-reveal is off (so never on a
     * reveal, which needs it on); last_update 0 means never set */
    if (call == COV_WEIGHTS_CALL_SET && !st->commit_reveal_enabled && st->last_update != 0) {
        uint64_t since = st->current_block >= st->last_update
                             ? st->current_block - st->last_update
                             : 0; /* saturating_sub */
        if (since < st->weights_set_rate_limit)
            return reject(out, 8, "SettingWeightsTooFast",
                          "uid %u last set weights at block %llu, %llu blocks ago; the "
                          "subnet's rate limit is %llu blocks: wait %llu more blocks",
                          (unsigned)me, (unsigned long long)st->last_update,
                          (unsigned long long)since,
                          (unsigned long long)st->weights_set_rate_limit,
                          (unsigned long long)(st->weights_set_rate_limit - since));
    }

    /* 9: check_validator_permit: a self weight, the owner, or a permit */
    if (!self && !st->is_owner_hotkey && !st->validator_permit)
        return reject(out, 9, "NeuronNoValidatorPermit",
                      "uid %u has no validator permit on subnet %u: only validators (top "
                      "stake) may set weights on others; stake more, or set only a self "
                      "weight",
                      (unsigned)me, (unsigned)st->netuid);

    /* 10: has_duplicate_uids */
    uint16_t dup;
    if (first_duplicate(uids, n, &dup))
        return reject(out, 10, "DuplicateUids",
                      "uid %u appears more than once: give each uid one weight",
                      (unsigned)dup);

    /* 11: contains_invalid_uids (uids on a subnet are 0..subnetwork_n-1) */
    for (size_t i = 0; i < n; i++)
        if (uids[i] >= st->subnetwork_n)
            return reject(out, 11, "UidVecContainInvalidOne",
                          "uid %u does not exist on subnet %u (uids 0..%d): drop it or "
                          "refresh the metagraph",
                          (unsigned)uids[i], (unsigned)st->netuid, (int)st->subnetwork_n - 1);

    /* 12: check_length: at least min(subnetwork_n, MinAllowedWeights),
     * unless it is a self weight */
    size_t min_len = st->subnetwork_n < st->min_allowed_weights ? st->subnetwork_n
                                                               : st->min_allowed_weights;
    if (!self && n < min_len)
        return reject(out, 12, "WeightVecLengthIsLow",
                      "%zu weights but the subnet requires at least %zu "
                      "(min_allowed_weights %u, %u neurons): weight more uids",
                      n, min_len, (unsigned)st->min_allowed_weights,
                      (unsigned)st->subnetwork_n);

    /* 13: the chain max-upscales (what it stores), then, unless self
     * weight or a limit of 65535, normalises the upscaled values and
     * compares their maximum with the limit */
    uint16_t *up = upscaled;
    if (up == NULL && n > 0) {
        up = malloc(n * sizeof *up);
        if (up == NULL)
            return cov_fail(err, COV_ERR_NOMEM, "weights check: no memory for %zu values", n);
    }
    if (n > 0)
        cov_weights_chain_upscale(up, values, n);
    bool limited = self || st->max_weights_limit == UINT16_MAX ||
                   cov_weights_chain_max_limited(up, n, st->max_weights_limit);
    if (up != upscaled)
        free(up);
    if (!limited)
        return reject(out, 13, "MaxWeightExceeded",
                      "after max-upscaling, one weight is more than the subnet's max weight "
                      "limit %u/65535 of the total: spread weight over more uids "
                      "(normalize_max_weight does that)",
                      (unsigned)st->max_weights_limit);
    return COV_OK;
}

cov_status cov_weights_chain_check(cov_weights_verdict *out, cov_weights_call call,
                                   const cov_weights_chain_state *st,
                                   const uint16_t *uids, size_t n_uids,
                                   const uint16_t *values, size_t n_values,
                                   uint64_t version_key, uint16_t *upscaled, cov_err *err)
{
    if (out == NULL || st == NULL || (n_uids > 0 && uids == NULL) ||
        (n_values > 0 && values == NULL))
        return cov_fail(err, COV_ERR_ARG, "weights check: NULL verdict, state or array");
    if (call != COV_WEIGHTS_CALL_SET && call != COV_WEIGHTS_CALL_REVEAL)
        return cov_fail(err, COV_ERR_ARG, "weights check: unknown call kind %d", (int)call);
    out->error = NULL;
    out->row = -1;
    out->message[0] = '\0';

    /* 0: set_weights refuses while commit-reveal is on (dispatches.rs);
     * a reveal refuses while it is off (internal_reveal_weights, step 2) */
    if (call == COV_WEIGHTS_CALL_SET && st->commit_reveal_enabled)
        return reject(out, 0, "CommitRevealEnabled",
                      "subnet %u has commit-reveal on: commit the weights' hash and reveal "
                      "them later instead of setting them",
                      (unsigned)st->netuid);
    if (call == COV_WEIGHTS_CALL_REVEAL && !st->commit_reveal_enabled)
        return reject(out, 0, "CommitRevealDisabled",
                      "subnet %u has commit-reveal off: there is nothing to reveal; set the "
                      "weights directly",
                      (unsigned)st->netuid);

    /* 1: the root network takes no weights */
    if (st->netuid == 0)
        return reject(out, 1, "CanNotSetRootNetworkWeights",
                      "subnet 0 is the root network, which takes no weights: pick a subnet");

    /* 2: uids_match_values */
    if (n_uids != n_values)
        return reject(out, 2, "WeightVecNotEqualSize",
                      "%zu uids but %zu values: pass one value per uid", n_uids, n_values);

    /* 3: ensure_mechanism_exists */
    if (!st->subnet_exists || st->mecid >= st->mechanism_count)
        return reject(out, 3, "MechanismDoesNotExist",
                      st->subnet_exists ? "subnet %u has %u mechanisms, so mechanism %u does "
                                          "not exist: use a mechanism id below the count"
                                        : "subnet %u does not exist (%u mechanisms, asked %u): "
                                          "check the netuid",
                      (unsigned)st->netuid, (unsigned)st->mechanism_count,
                      (unsigned)st->mecid);

    /* 4: check_len_uids_within_allowed */
    if (n_uids > st->subnetwork_n)
        return reject(out, 4, "UidsLengthExceedUidsInSubNet",
                      "%zu uids but subnet %u has only %u neurons: drop uids", n_uids,
                      (unsigned)st->netuid, (unsigned)st->subnetwork_n);

    /* 5: is_hotkey_registered_on_network */
    if (!st->registered)
        return reject(out, 5, "HotKeyNotRegisteredInSubNet",
                      "the hotkey is not registered on subnet %u: register it first",
                      (unsigned)st->netuid);

    return check_caller(out, call, st, uids, n_uids, values, n_values, version_key, upscaled,
                        err);
}
