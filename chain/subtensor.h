/* Part of chain/chain.h: what bittensor users read from subtensor, built on
 * the metadata-driven client (storage items and runtime APIs by name). */
#ifndef COVENANT_CHAIN_SUBTENSOR_H
#define COVENANT_CHAIN_SUBTENSOR_H

#include "chain/client.h"

#define COV_RAO_PER_TAO 1000000000ULL

/* A subnet's hyperparameters as a JSON object {name: value} (every
 * SubtensorModule storage item keyed by netuid alone that the runtime has,
 * among the hyperparameters btcli shows), plus "block", "tempo" and
 * "blocks_to_next_epoch". */
cov_status cov_subtensor_hyperparams(cov_chain *c, json_t **out, uint16_t netuid,
                                     const uint8_t *at, cov_err *err) COV_WARN_UNUSED;

/* Blocks until subnet netuid's next epoch at block `now`: from
 * LastEpochBlock + tempo where the runtime has it (spec >= 423), else the
 * older rule (block + netuid + 1) % (tempo + 1) == 0. */
uint64_t cov_subtensor_blocks_to_epoch(uint64_t now, uint16_t netuid, uint16_t tempo,
                                       bool have_last_epoch, uint64_t last_epoch_block);

/* The metagraph: a JSON array with one object per uid: uid, hotkey,
 * coldkey, stake (alpha rao), emission, incentive, dividends, consensus,
 * trust, validator_trust, validator_permit, active, last_update, axon.
 * Vector items are proportions as u16 (x/65535) the chain stores. */
cov_status cov_subtensor_metagraph(cov_chain *c, json_t **out, uint16_t netuid,
                                   const uint8_t *at, cov_err *err) COV_WARN_UNUSED;

/* The best block's number (and hash, if hash is non-NULL). */
cov_status cov_subtensor_current_block(cov_chain *c, uint64_t *number, uint8_t hash[32],
                                       cov_err *err) COV_WARN_UNUSED;

/* Calls --------------------------------------------------------------------
 * Each appends the encoded call to out; sign and submit it with
 * cov_chain_sign and cov_chain_submit. Amounts are rao. */
cov_status cov_subtensor_transfer_call(cov_chain *c, cov_buf *out, const uint8_t dest[32],
                                       uint64_t rao, cov_err *err) COV_WARN_UNUSED;
/* burned_register: signed by the coldkey that will own the hotkey. */
cov_status cov_subtensor_register_call(cov_chain *c, cov_buf *out, uint16_t netuid,
                                       const uint8_t hotkey[32], cov_err *err) COV_WARN_UNUSED;
/* add_stake (add) or remove_stake: signed by the coldkey. */
cov_status cov_subtensor_stake_call(cov_chain *c, cov_buf *out, bool add,
                                    const uint8_t hotkey[32], uint16_t netuid, uint64_t amount,
                                    cov_err *err) COV_WARN_UNUSED;
/* serve_axon at an IPv4 address (host order) and port: signed by the hotkey. */
cov_status cov_subtensor_serve_axon_call(cov_chain *c, cov_buf *out, uint16_t netuid,
                                         uint32_t ipv4, uint16_t port,
                                         cov_err *err) COV_WARN_UNUSED;

/* A validator's weights: the chain's u16 values, one per uid. */
typedef struct {
    uint16_t netuid;
    const uint16_t *uids;
    const uint16_t *values;
    size_t n;
    uint64_t version_key;
} cov_weights;

/* set_weights / commit_weights / reveal_weights: signed by the hotkey. */
cov_status cov_subtensor_set_weights_call(cov_chain *c, cov_buf *out, const cov_weights *w,
                                          cov_err *err) COV_WARN_UNUSED;
cov_status cov_subtensor_commit_weights_call(cov_chain *c, cov_buf *out, uint16_t netuid,
                                             const uint8_t hash[32], cov_err *err) COV_WARN_UNUSED;
cov_status cov_subtensor_reveal_weights_call(cov_chain *c, cov_buf *out, const cov_weights *w,
                                             const uint16_t *salt, size_t salt_len,
                                             cov_err *err) COV_WARN_UNUSED;
/* AdminUtils.sudo_set_<name>(netuid, value): the subnet owner's (or root's)
 * hyperparameter calls; value is JSON encoded by the call's type. */
cov_status cov_subtensor_hyperparam_call(cov_chain *c, cov_buf *out, const char *name,
                                         uint16_t netuid, const json_t *value,
                                         cov_err *err) COV_WARN_UNUSED;

/* Weights ---------------------------------------------------------------
 * The chain keeps weights per netuid_index = mechid * 4096 + netuid. */
#define COV_SUBTENSOR_MAX_SUBNETS 4096

uint16_t cov_subtensor_netuid_index(uint16_t netuid, uint8_t mechid);

/* The commit-reveal (v2) hash the chain recomputes at reveal:
 * blake2b-256(SCALE((hotkey, netuid_index, uids, values, salt,
 * version_key))). */
void cov_subtensor_weights_hash(uint8_t out[32], const uint8_t hotkey[32],
                                uint16_t netuid_index, const uint16_t *uids,
                                const uint16_t *values, size_t n, const uint16_t *salt,
                                size_t salt_len, uint64_t version_key);

#endif
