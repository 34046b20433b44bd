/* The end of a local round: what the validator submits and what the chain
 * pays for it. */
#include "node/round_internal.h"
#include "incentive/weights.h"
#include "incentive/yuma.h"

#include <string.h>

/* subtensor's defaults for a new subnet (subtensor.md §1), but for the
 * stake: the validator holds 1000 alpha, the miners none. */
static void epoch_input(cov_yuma_input *in, uint16_t n, const uint64_t *zeros,
                        const uint64_t *blocks, const uint64_t *stake, const bool *permit,
                        const cov_yuma_row *rows, uint64_t rao_emission)
{
    memset(in, 0, sizeof *in);
    in->n = n;
    in->current_block = blocks[0];
    in->tempo = 360;
    in->activity_cutoff = cov_yuma_activity_cutoff_blocks(13889, 360); /* 5000 blocks */
    in->last_update = blocks;
    in->last_update_len = n;
    in->block_at_registration = zeros;
    in->alpha_stake = stake;
    in->owner_uid = COV_YUMA_NO_OWNER;
    in->validator_permit = permit;
    in->validator_permit_len = n;
    in->max_allowed_validators = 64;
    in->weights = rows;
    in->kappa = 32767;
    in->bonds_penalty = 65535;
    in->bonds_moving_average = 900000;
    in->alpha_low = 45875;
    in->alpha_high = 58982;
    in->alpha_sigmoid_steepness = 1000;
    in->rao_emission = rao_emission;
}

cov_status round_pay_out(cov_round_result *r, const cov_round_config *c,
                         const float *policy_weights, cov_err *err)
{
    uint16_t n = (uint16_t)(c->miners + 1);
    int64_t uids[COV_ROUND_MAX_MINERS + 1];
    for (uint16_t u = 0; u < n; u++)
        uids[u] = u;
    /* The SDK's process_weights_for_netuid, then its u16 conversion: what
     * `set_weights` would carry. */
    cov_weights_processed processed = {0};
    cov_status st = cov_weights_process(&processed, uids, policy_weights, n, n, 1, 65535, 0, err);
    uint16_t emit_uids[COV_ROUND_MAX_MINERS + 1], emit_values[COV_ROUND_MAX_MINERS + 1];
    size_t emitted = 0;
    if (st == COV_OK)
        st = cov_weights_emit(emit_uids, emit_values, &emitted, processed.uids, processed.len,
                              processed.weights, processed.len, err);
    double total = 0.0;
    for (size_t i = 0; st == COV_OK && i < processed.len; i++)
        total += processed.weights[i];
    for (size_t i = 0; st == COV_OK && i < processed.len; i++) {
        int64_t uid = processed.uids[i];
        if (uid >= 1 && uid < n)
            r->miners[uid - 1].weight = total > 0 ? processed.weights[i] / total : 0.0;
    }
    cov_weights_processed_free(&processed);
    if (st != COV_OK)
        return st;

    cov_yuma_entry entries[COV_ROUND_MAX_MINERS + 1];
    for (size_t i = 0; i < emitted; i++) {
        entries[i] = (cov_yuma_entry){.uid = emit_uids[i], .value = emit_values[i]};
        if (emit_uids[i] >= 1 && emit_uids[i] < n)
            r->miners[emit_uids[i] - 1].weight_u16 = emit_values[i];
    }
    cov_yuma_row rows[COV_ROUND_MAX_MINERS + 1];
    memset(rows, 0, sizeof rows);
    rows[0] = (cov_yuma_row){.entries = entries, .len = (uint32_t)emitted};
    uint64_t zeros[COV_ROUND_MAX_MINERS + 1] = {0}, blocks[COV_ROUND_MAX_MINERS + 1],
             stake[COV_ROUND_MAX_MINERS + 1] = {0};
    bool permit[COV_ROUND_MAX_MINERS + 1] = {0};
    for (uint16_t u = 0; u < n; u++)
        blocks[u] = 7200;
    stake[0] = 1000ULL * 1000000000ULL;
    permit[0] = true;
    cov_yuma_input in;
    epoch_input(&in, n, zeros, blocks, stake, permit, rows, c->rao_emission);
    cov_yuma_output out;
    cov_yuma_output_init(&out);
    st = cov_yuma_epoch(&out, &in, err);
    if (st == COV_OK) {
        uint64_t miners_total = 0;
        for (uint16_t u = 1; u < n; u++)
            miners_total += out.server_emission[u];
        for (uint16_t u = 1; u < n; u++) {
            cov_round_miner *m = &r->miners[u - 1];
            m->incentive_u16 = out.incentive[u];
            m->emission_rao = out.server_emission[u];
            m->emission_share =
                miners_total ? (double)out.server_emission[u] / (double)miners_total : 0.0;
        }
        r->validator_emission_rao = out.validator_emission[0];
    }
    cov_yuma_output_free(&out);
    return st;
}
