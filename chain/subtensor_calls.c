/* The calls subtensor users make, as typed C functions. Each resolves the
 * call's pallet and call indices and its argument types from the running
 * runtime's metadata (through cov_chain_encode_call), so none of them
 * hard-codes a layout. */
#include "chain/subtensor.h"

#include <stdio.h>
#include <string.h>

static json_t *account_json(const uint8_t account[32]) { return cov_json_hex(account, 32); }

static json_t *u16_list(const uint16_t *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer(v[i]));
    return a;
}

/* Encodes pallet.call(args) and releases args. */
static cov_status encode(cov_chain *c, cov_buf *out, const char *pallet, const char *call,
                         json_t *args, cov_err *err)
{
    if (!args)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory building %s.%s", pallet, call);
    cov_status st = cov_chain_encode_call(c, out, pallet, call, args, err);
    json_decref(args);
    return st;
}

cov_status cov_subtensor_transfer_call(cov_chain *c, cov_buf *out, const uint8_t dest[32],
                                       uint64_t rao, cov_err *err)
{
    return encode(c, out, "Balances", "transfer_keep_alive",
                  json_pack("{s:{s:o},s:I}", "dest", "Id", account_json(dest), "value",
                            (json_int_t)rao),
                  err);
}

cov_status cov_subtensor_register_call(cov_chain *c, cov_buf *out, uint16_t netuid,
                                       const uint8_t hotkey[32], cov_err *err)
{
    return encode(c, out, "SubtensorModule", "burned_register",
                  json_pack("{s:i,s:o}", "netuid", netuid, "hotkey", account_json(hotkey)), err);
}

cov_status cov_subtensor_stake_call(cov_chain *c, cov_buf *out, bool add,
                                    const uint8_t hotkey[32], uint16_t netuid, uint64_t amount,
                                    cov_err *err)
{
    return encode(c, out, "SubtensorModule", add ? "add_stake" : "remove_stake",
                  json_pack("{s:o,s:i,s:I}", "hotkey", account_json(hotkey), "netuid", netuid,
                            add ? "amount_staked" : "amount_unstaked", (json_int_t)amount),
                  err);
}

cov_status cov_subtensor_serve_axon_call(cov_chain *c, cov_buf *out, uint16_t netuid,
                                         uint32_t ipv4, uint16_t port, cov_err *err)
{
    /* ip_type 4 and protocol 4 are what the SDK's axons announce. */
    return encode(c, out, "SubtensorModule", "serve_axon",
                  json_pack("{s:i,s:i,s:I,s:i,s:i,s:i,s:i,s:i}", "netuid", netuid, "version", 1,
                            "ip", (json_int_t)ipv4, "port", port, "ip_type", 4, "protocol", 4,
                            "placeholder1", 0, "placeholder2", 0),
                  err);
}

cov_status cov_subtensor_set_weights_call(cov_chain *c, cov_buf *out, const cov_weights *w,
                                          cov_err *err)
{
    return encode(c, out, "SubtensorModule", "set_weights",
                  json_pack("{s:i,s:o,s:o,s:I}", "netuid", w->netuid, "dests",
                            u16_list(w->uids, w->n), "weights", u16_list(w->values, w->n),
                            "version_key", (json_int_t)w->version_key),
                  err);
}

cov_status cov_subtensor_commit_weights_call(cov_chain *c, cov_buf *out, uint16_t netuid,
                                             const uint8_t hash[32], cov_err *err)
{
    return encode(c, out, "SubtensorModule", "commit_weights",
                  json_pack("{s:i,s:o}", "netuid", netuid, "commit_hash", cov_json_hex(hash, 32)),
                  err);
}

cov_status cov_subtensor_reveal_weights_call(cov_chain *c, cov_buf *out, const cov_weights *w,
                                             const uint16_t *salt, size_t salt_len, cov_err *err)
{
    return encode(c, out, "SubtensorModule", "reveal_weights",
                  json_pack("{s:i,s:o,s:o,s:o,s:I}", "netuid", w->netuid, "uids",
                            u16_list(w->uids, w->n), "values", u16_list(w->values, w->n), "salt",
                            u16_list(salt, salt_len), "version_key", (json_int_t)w->version_key),
                  err);
}

cov_status cov_subtensor_hyperparam_call(cov_chain *c, cov_buf *out, const char *name,
                                         uint16_t netuid, const json_t *value, cov_err *err)
{
    char call[128];
    snprintf(call, sizeof call, "%s%s", strncmp(name, "sudo_set_", 9) == 0 ? "" : "sudo_set_",
             name);
    /* Positional: the value's argument name differs from call to call. */
    return encode(c, out, "AdminUtils", call, json_pack("[i,O]", netuid, value), err);
}

cov_status cov_subtensor_current_block(cov_chain *c, uint64_t *number, uint8_t hash[32],
                                       cov_err *err)
{
    uint8_t best[32];
    cov_rpc_header h;
    cov_status st = cov_rpc_block_hash(cov_chain_rpc(c), best, NULL, err);
    if (st == COV_OK)
        st = cov_rpc_header_get(cov_chain_rpc(c), &h, best, err);
    if (st == COV_OK) {
        *number = h.number;
        if (hash)
            memcpy(hash, best, 32);
    }
    return st;
}
