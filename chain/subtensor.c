/* Subnet hyperparameters and metagraphs from storage, by name: whichever
 * items the running runtime has are read, so an upgrade that adds or drops
 * one does not break the command. */
#include "chain/subtensor.h"

#include <string.h>

#define PALLET "SubtensorModule"

/* The hyperparameters btcli shows, by their storage names. */
static const char *const hyperparam_items[] = {
    "Tempo", "Rho", "Kappa", "ImmunityPeriod", "MinAllowedWeights", "MaxWeightsLimit",
    "WeightsVersionKey", "WeightsSetRateLimit", "MaxAllowedUids", "MaxAllowedValidators",
    "AdjustmentInterval", "AdjustmentAlpha", "ActivityCutoff", "ServingRateLimit",
    "Difficulty", "MinDifficulty", "MaxDifficulty", "Burn", "MinBurn", "MaxBurn",
    "BondsMovingAverage", "BondsPenalty", "CommitRevealWeightsEnabled", "RevealPeriodEpochs",
    "LiquidAlphaOn", "AlphaValues", "Yuma3On", "AlphaSigmoidSteepness", "TargetRegistrationsPerInterval",
    "MaxRegistrationsPerBlock", "NetworkRegistrationAllowed", "SubtokenEnabled",
    "TransferToggle", "SubnetOwner", "SubnetOwnerHotkey",
};

static uint64_t as_u64(const json_t *v)
{
    return json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
}

uint64_t cov_subtensor_blocks_to_epoch(uint64_t now, uint16_t netuid, uint16_t tempo,
                                       bool have_last_epoch, uint64_t last_epoch_block)
{
    if (tempo == 0)
        return 0;
    if (have_last_epoch)
        return last_epoch_block + tempo > now ? last_epoch_block + tempo - now : 0;
    uint64_t period = (uint64_t)tempo + 1;
    return (period - (now + netuid + 1) % period) % period;
}

/* Reads pallet.item[netuid] if the runtime has the item with one key. */
static cov_status read_by_netuid(cov_chain *c, json_t **out, const char *item, uint16_t netuid,
                                 const uint8_t *at, cov_err *err)
{
    *out = NULL;
    const cov_meta_storage_entry *e;
    if (cov_metadata_storage(cov_chain_metadata(c), NULL, &e, PALLET, item, NULL) != COV_OK ||
        e->n_hashers != 1)
        return COV_ERR_NOT_FOUND;
    json_t *keys = json_pack("[i]", netuid);
    cov_status st = cov_chain_storage_read(c, out, PALLET, item, keys, at, err);
    json_decref(keys);
    return st;
}

static cov_status current_block(cov_chain *c, uint64_t *number, const uint8_t *at, cov_err *err)
{
    uint8_t best[32];
    cov_rpc_header h;
    cov_status st = at ? COV_OK : cov_rpc_block_hash(cov_chain_rpc(c), best, NULL, err);
    if (st == COV_OK)
        st = cov_rpc_header_get(cov_chain_rpc(c), &h, at ? at : best, err);
    if (st == COV_OK)
        *number = h.number;
    return st;
}

cov_status cov_subtensor_hyperparams(cov_chain *c, json_t **out, uint16_t netuid,
                                     const uint8_t *at, cov_err *err)
{
    *out = NULL;
    json_t *added = NULL;
    cov_status st = read_by_netuid(c, &added, "NetworksAdded", netuid, at, err);
    if (st == COV_ERR_NOT_FOUND)
        st = COV_OK; /* a runtime without the item: skip the check */
    else if (st == COV_OK && json_is_false(added))
        st = cov_fail(err, COV_ERR_NOT_FOUND, "subnet %u does not exist", netuid);
    json_decref(added);
    if (st != COV_OK)
        return st;
    json_t *obj = json_object();
    for (size_t i = 0; st == COV_OK && i < sizeof hyperparam_items / sizeof *hyperparam_items; i++) {
        json_t *v;
        cov_status got = read_by_netuid(c, &v, hyperparam_items[i], netuid, at, err);
        if (got == COV_OK)
            json_object_set_new(obj, hyperparam_items[i], v);
        else if (got != COV_ERR_NOT_FOUND)
            st = got;
    }
    uint64_t now = 0;
    if (st == COV_OK)
        st = current_block(c, &now, at, err);
    json_t *last = NULL;
    bool have_last = st == COV_OK && read_by_netuid(c, &last, "LastEpochBlock", netuid, at, NULL) == COV_OK;
    if (st == COV_OK) {
        uint16_t tempo = (uint16_t)as_u64(json_object_get(obj, "Tempo"));
        json_object_set_new(obj, "netuid", json_integer(netuid));
        json_object_set_new(obj, "block", json_integer((json_int_t)now));
        json_object_set_new(obj, "blocks_to_next_epoch",
                            json_integer((json_int_t)cov_subtensor_blocks_to_epoch(
                                now, netuid, tempo, have_last, as_u64(last))));
    }
    json_decref(last);
    if (st != COV_OK) {
        json_decref(obj);
        return st;
    }
    *out = obj;
    return COV_OK;
}

/* Per-uid vectors stored under the netuid (mechanism 0's index is the
 * netuid), named as the metagraph shows them. */
static const struct {
    const char *item;
    const char *field;
} vector_items[] = {
    {"Active", "active"},       {"Consensus", "consensus"},
    {"Dividends", "dividends"}, {"Incentive", "incentive"},
    {"Emission", "emission"},   {"LastUpdate", "last_update"},
    {"Trust", "trust"},         {"ValidatorPermit", "validator_permit"},
    {"ValidatorTrust", "validator_trust"}, {"Rank", "rank"},
};

/* One batched read of item for every key array in keys_list. */
static cov_status read_column(cov_chain *c, json_t **out, const char *item, json_t *keys_list,
                              const uint8_t *at, cov_err *err)
{
    const cov_meta_storage_entry *e;
    if (cov_metadata_storage(cov_chain_metadata(c), NULL, &e, PALLET, item, NULL) != COV_OK) {
        *out = NULL; /* this runtime has no such item: leave the column out */
        return COV_OK;
    }
    return cov_chain_storage_read_many(c, out, PALLET, item, keys_list, at, err);
}

cov_status cov_subtensor_metagraph(cov_chain *c, json_t **out, uint16_t netuid,
                                   const uint8_t *at, cov_err *err)
{
    *out = NULL;
    json_t *n_json = NULL, *netuid_json = json_integer(netuid);
    cov_status st = read_by_netuid(c, &n_json, "SubnetworkN", netuid, at, err);
    if (st == COV_ERR_NOT_FOUND && !cov_metadata_pallet(cov_chain_metadata(c), PALLET))
        st = cov_fail(err, COV_ERR_UNSUPPORTED, "this chain has no %s pallet: is it subtensor?",
                      PALLET);
    size_t n = (size_t)as_u64(n_json);
    json_decref(n_json);
    json_t *vectors[sizeof vector_items / sizeof *vector_items] = {0};
    for (size_t i = 0; st == COV_OK && i < sizeof vector_items / sizeof *vector_items; i++) {
        cov_status got = read_by_netuid(c, &vectors[i], vector_items[i].item, netuid, at, err);
        if (got != COV_OK && got != COV_ERR_NOT_FOUND)
            st = got;
    }
    /* Per-neuron items in a few batched requests rather than one per uid. */
    json_t *uid_keys = json_array(), *hotkeys = NULL, *owner_keys = json_array(),
           *stake_keys = json_array(), *axon_keys = json_array();
    json_t *coldkeys = NULL, *stakes = NULL, *axons = NULL;
    for (size_t uid = 0; uid < n; uid++)
        json_array_append_new(uid_keys, json_pack("[O,I]", netuid_json, (json_int_t)uid));
    if (st == COV_OK)
        st = read_column(c, &hotkeys, "Keys", uid_keys, at, err);
    for (size_t uid = 0; st == COV_OK && uid < n; uid++) {
        json_t *hk = json_array_get(hotkeys, uid);
        json_array_append_new(owner_keys, json_pack("[O]", hk));
        json_array_append_new(stake_keys, json_pack("[O,O]", hk, netuid_json));
        json_array_append_new(axon_keys, json_pack("[O,O]", netuid_json, hk));
    }
    if (st == COV_OK)
        st = read_column(c, &coldkeys, "Owner", owner_keys, at, err);
    if (st == COV_OK)
        st = read_column(c, &stakes, "TotalHotkeyAlpha", stake_keys, at, err);
    if (st == COV_OK)
        st = read_column(c, &axons, "Axons", axon_keys, at, err);
    json_t *rows = json_array();
    for (size_t uid = 0; st == COV_OK && uid < n; uid++) {
        json_t *row = json_pack("{s:I,s:O}", "uid", (json_int_t)uid, "hotkey",
                                json_array_get(hotkeys, uid));
        for (size_t i = 0; i < sizeof vector_items / sizeof *vector_items; i++) {
            json_t *v = json_array_get(vectors[i], uid);
            if (v)
                json_object_set(row, vector_items[i].field, v);
        }
        if (coldkeys)
            json_object_set(row, "coldkey", json_array_get(coldkeys, uid));
        if (stakes)
            json_object_set(row, "stake", json_array_get(stakes, uid));
        if (axons)
            json_object_set(row, "axon", json_array_get(axons, uid));
        json_array_append_new(rows, row);
    }
    json_decref(uid_keys);
    json_decref(owner_keys);
    json_decref(stake_keys);
    json_decref(axon_keys);
    json_decref(hotkeys);
    json_decref(coldkeys);
    json_decref(stakes);
    json_decref(axons);
    for (size_t i = 0; i < sizeof vector_items / sizeof *vector_items; i++)
        json_decref(vectors[i]);
    json_decref(netuid_json);
    if (st != COV_OK) {
        json_decref(rows);
        return st;
    }
    *out = rows;
    return COV_OK;
}

uint16_t cov_subtensor_netuid_index(uint16_t netuid, uint8_t mechid)
{
    return (uint16_t)(mechid * COV_SUBTENSOR_MAX_SUBNETS + netuid);
}

/* Appends a Vec<u16>. The buffer is ours and sized for the input, so the
 * appends cannot fail short of memory, which the caller checks once. */
static bool put_u16s(cov_buf *b, const uint16_t *v, size_t n)
{
    bool ok = cov_scale_put_compact(b, n, NULL) == COV_OK;
    for (size_t i = 0; ok && i < n; i++)
        ok = cov_scale_put_u16(b, v[i], NULL) == COV_OK;
    return ok;
}

void cov_subtensor_weights_hash(uint8_t out[32], const uint8_t hotkey[32], uint16_t netuid_index,
                                const uint16_t *uids, const uint16_t *values, size_t n,
                                const uint16_t *salt, size_t salt_len, uint64_t version_key)
{
    cov_buf b;
    cov_buf_init(&b, (size_t)1 << 24);
    bool ok = cov_scale_put_raw(&b, hotkey, 32, NULL) == COV_OK &&
              cov_scale_put_u16(&b, netuid_index, NULL) == COV_OK && put_u16s(&b, uids, n) &&
              put_u16s(&b, values, n) && put_u16s(&b, salt, salt_len) &&
              cov_scale_put_u64(&b, version_key, NULL) == COV_OK;
    if (ok)
        cov_blake2b_256(out, b.data, b.len);
    else
        memset(out, 0, 32); /* out of memory: a hash the chain will refuse */
    cov_buf_free(&b);
}
