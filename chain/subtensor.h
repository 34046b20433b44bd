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
