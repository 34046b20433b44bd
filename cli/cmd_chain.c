/* covenant chain info | block | balance | storage | constant | call |
 * metagraph | hyperparams: reading the chain. */
#include "cli/chain_cmds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_chain_metagraph(const cli_args *a, bool json);
int cli_chain_hyperparams(const cli_args *a, bool json);

static json_t *hash_json(const uint8_t h[32]) { return cov_json_hex(h, 32); }

static int chain_info(const cli_args *a, bool json)
{
    cov_err err = {0};
    cov_chain *c;
    if (cli_chain_connect(&c, a, &err) != COV_OK)
        return cli_report(json, &err);
    cov_rpc *rpc = cov_chain_rpc(c);
    const cov_rpc_runtime_version *v = cov_chain_version(c);
    uint8_t best[32], fin[32];
    cov_rpc_header best_h, fin_h;
    char *name = NULL;
    cov_status st = cov_rpc_block_hash(rpc, best, NULL, &err);
    if (st == COV_OK)
        st = cov_rpc_header_get(rpc, &best_h, best, &err);
    if (st == COV_OK)
        st = cov_rpc_finalized_head(rpc, fin, &err);
    if (st == COV_OK)
        st = cov_rpc_header_get(rpc, &fin_h, fin, &err);
    if (st == COV_OK)
        st = cov_rpc_system_chain(rpc, &name, &err);
    if (st != COV_OK) {
        cov_chain_free(c);
        return cli_report(json, &err);
    }
    json_t *obj = json_pack(
        "{s:s,s:s,s:s,s:i,s:i,s:o,s:I,s:o,s:I,s:o,s:i}", "url", cov_rpc_url(rpc), "chain", name,
        "spec_name", v->spec_name, "spec_version", (json_int_t)v->spec_version,
        "transaction_version", (json_int_t)v->transaction_version, "genesis_hash",
        hash_json(cov_chain_genesis(c)), "best_block", (json_int_t)best_h.number, "best_hash",
        hash_json(best), "finalized_block", (json_int_t)fin_h.number, "finalized_hash",
        hash_json(fin), "metadata_version", (json_int_t)cov_metadata_version(cov_chain_metadata(c)));
    char human[1024];
    snprintf(human, sizeof human,
             "chain            %s (%s)\nruntime          %s spec %u, tx version %u, metadata V%u\n"
             "genesis          %s\nbest block       #%llu\nfinalized block  #%llu\n",
             name, cov_rpc_url(rpc), v->spec_name, v->spec_version, v->transaction_version,
             cov_metadata_version(cov_chain_metadata(c)),
             json_string_value(json_object_get(obj, "genesis_hash")),
             (unsigned long long)best_h.number, (unsigned long long)fin_h.number);
    cli_emit(json, obj, human);
    free(name);
    cov_chain_free(c);
    return CLI_EXIT_OK;
}

static int chain_block(const cli_args *a, bool json)
{
    cov_err err = {0};
    cov_chain *c;
    if (cli_chain_connect(&c, a, &err) != COV_OK)
        return cli_report(json, &err);
    uint8_t hash[32];
    cov_status st = COV_OK;
    const char *which = a->n_positional ? a->positional[0] : NULL;
    if (which && which[0] == '0' && which[1] == 'x') {
        st = cov_hex_decode(hash, 32, which, &err);
    } else {
        uint64_t n = 0;
        if (which)
            st = cli_parse_u64(&n, which, "block number", &err);
        if (st == COV_OK)
            st = cov_rpc_block_hash(cov_chain_rpc(c), hash, which ? &n : NULL, &err);
    }
    cov_rpc_block block = {0};
    json_t *events = NULL, *no_keys = json_array();
    if (st == COV_OK)
        st = cov_rpc_block_get(cov_chain_rpc(c), &block, hash, &err);
    if (st == COV_OK)
        st = cov_chain_storage_read(c, &events, "System", "Events", no_keys, hash, &err);
    json_decref(no_keys);
    if (st != COV_OK) {
        cov_chain_free(c);
        return cli_report(json, &err);
    }
    json_t *xts = json_array();
    for (size_t i = 0; i < block.extrinsics.n; i++) {
        uint8_t h[32];
        cov_extrinsic_hash(h, block.extrinsics.items[i], block.extrinsics.lens[i]);
        json_array_append_new(xts, json_pack("{s:o,s:I}", "hash", hash_json(h), "bytes",
                                             (json_int_t)block.extrinsics.lens[i]));
    }
    json_t *obj = json_pack("{s:I,s:o,s:o,s:o,s:o}", "number", (json_int_t)block.header.number,
                            "hash", hash_json(hash), "parent_hash",
                            hash_json(block.header.parent_hash), "extrinsics", xts, "events",
                            events);
    char human[512];
    snprintf(human, sizeof human, "block #%llu %s\n  %zu extrinsics, %zu events\n",
             (unsigned long long)block.header.number,
             json_string_value(json_object_get(obj, "hash")), block.extrinsics.n,
             json_array_size(events));
    cli_emit(json, obj, human);
    cov_rpc_block_free(&block);
    cov_chain_free(c);
    return CLI_EXIT_OK;
}

/* The account to look at: --ss58-address, else the wallet's coldkeypub. */
static cov_status account_from_args(char address[COV_SS58_MAX], const cli_args *a, cov_err *err)
{
    if (cli_has(a, OPT_SS58_ADDRESS)) {
        uint8_t account[32];
        cov_status st = cov_ss58_decode(account, NULL, cli_get(a, OPT_SS58_ADDRESS), -1, err);
        if (st == COV_OK)
            snprintf(address, COV_SS58_MAX, "%s", cli_get(a, OPT_SS58_ADDRESS));
        return st;
    }
    cov_keypair *kp;
    cov_status st = cli_load_wallet_key(&kp, a, COV_WALLET_COLDKEYPUB, err);
    if (st == COV_OK)
        st = cov_keypair_ss58(kp, address, COV_SS58_BITTENSOR, err);
    cov_keypair_free(kp);
    return st;
}

/* A balance as the codec gives it (a JSON integer, or a decimal string for
 * u128 amounts beyond int64) in rao, into TAO text "123.456789000", exact
 * at any size. Absent or not a number: 0. Returns the rao value as JSON
 * (a new reference): the integer or string itself, else 0. */
static json_t *balance_tao(char out[64], const json_t *v)
{
    char digits[48] = "0";
    if (json_is_integer(v) && json_integer_value(v) >= 0)
        snprintf(digits, sizeof digits, "%lld", (long long)json_integer_value(v));
    else if (json_is_string(v) && json_string_length(v) > 0 &&
             json_string_length(v) < sizeof digits &&
             strspn(json_string_value(v), "0123456789") == json_string_length(v))
        snprintf(digits, sizeof digits, "%s", json_string_value(v));
    else
        v = NULL;
    size_t n = strlen(digits), whole = n > 9 ? n - 9 : 0;
    snprintf(out, 64, "%.*s.%.*s%s", whole ? (int)whole : 1, whole ? digits : "0",
             (int)(9 - (n - whole)), "000000000", digits + whole);
    return v ? json_incref((json_t *)v) : json_integer(0);
}

static int chain_balance(const cli_args *a, bool json)
{
    cov_err err = {0};
    char address[COV_SS58_MAX];
    if (account_from_args(address, a, &err) != COV_OK)
        return cli_report(json, &err);
    cov_chain *c;
    if (cli_chain_connect(&c, a, &err) != COV_OK)
        return cli_report(json, &err);
    json_t *keys = json_pack("[s]", address), *info = NULL;
    cov_status st = cov_chain_storage_read(c, &info, "System", "Account", keys, NULL, &err);
    json_decref(keys);
    cov_chain_free(c);
    if (st != COV_OK)
        return cli_report(json, &err);
    json_t *data = json_object_get(info, "data");
    char f[64], r[64], z[64];
    json_t *free_rao = balance_tao(f, json_object_get(data, "free"));
    json_decref(balance_tao(r, json_object_get(data, "reserved")));
    json_decref(balance_tao(z, json_object_get(data, "frozen")));
    json_t *obj = json_pack("{s:s,s:s,s:s,s:s,s:o,s:O}", "ss58_address", address, "free_tao", f,
                            "reserved_tao", r, "frozen_tao", z, "free_rao", free_rao,
                            "account", info);
    char human[512];
    snprintf(human, sizeof human, "%s\n  free      %s TAO\n  reserved  %s TAO\n  frozen    %s TAO\n",
             address, f, r, z);
    cli_emit(json, obj, human);
    json_decref(info);
    return CLI_EXIT_OK;
}

static int print_json_result(bool json, json_t *value)
{
    char *text = cov_json_dumps(value, JSON_INDENT(2) | JSON_ENCODE_ANY);
    char *human = text ? malloc(strlen(text) + 2) : NULL;
    if (human)
        sprintf(human, "%s\n", text);
    cli_emit(json, json_pack("{s:O}", "value", value), human);
    free(text);
    free(human);
    json_decref(value);
    return CLI_EXIT_OK;
}

static int chain_storage(const cli_args *a, bool json)
{
    cov_err err = {0};
    json_t *keys = NULL, *value = NULL;
    if (a->n_positional == 3 && cli_parse_json_arg(&keys, a->positional[2], &err) != COV_OK)
        return cli_report(json, &err);
    if (keys && !json_is_array(keys)) {
        json_t *wrapped = json_pack("[o]", keys);
        keys = wrapped;
    }
    cov_chain *c;
    cov_status st = cli_chain_connect(&c, a, &err);
    uint8_t at[32];
    bool have_at = false;
    if (st == COV_OK)
        st = cli_block_at(c, at, &have_at, a, &err);
    const cov_meta_storage_entry *e = NULL;
    if (st == COV_OK)
        st = cov_metadata_storage(cov_chain_metadata(c), NULL, &e, a->positional[0],
                                  a->positional[1], &err);
    if (st == COV_OK) {
        size_t given = keys ? json_array_size(keys) : 0;
        if (given < e->n_hashers) {
            uint64_t limit = 100;
            if (cli_has(a, OPT_LIMIT))
                st = cli_parse_u64(&limit, cli_get(a, OPT_LIMIT), "--limit", &err);
            if (st == COV_OK)
                st = cov_chain_storage_iter(c, &value, a->positional[0], a->positional[1], keys,
                                            (size_t)limit, have_at ? at : NULL, &err);
        } else {
            st = cov_chain_storage_read(c, &value, a->positional[0], a->positional[1], keys,
                                        have_at ? at : NULL, &err);
        }
    }
    json_decref(keys);
    cov_chain_free(c);
    if (st != COV_OK)
        return cli_report(json, &err);
    return print_json_result(json, value);
}

static int chain_constant(const cli_args *a, bool json)
{
    cov_err err = {0};
    cov_chain *c;
    json_t *value = NULL;
    cov_status st = cli_chain_connect(&c, a, &err);
    if (st == COV_OK)
        st = cov_chain_constant(c, &value, a->positional[0], a->positional[1], &err);
    cov_chain_free(c);
    if (st != COV_OK)
        return cli_report(json, &err);
    return print_json_result(json, value);
}

static int chain_call(const cli_args *a, bool json)
{
    cov_err err = {0};
    json_t *args = NULL, *value = NULL;
    if (a->n_positional == 3 && cli_parse_json_arg(&args, a->positional[2], &err) != COV_OK)
        return cli_report(json, &err);
    if (args && !json_is_array(args) && !json_is_object(args)) {
        json_t *wrapped = json_pack("[o]", args);
        args = wrapped;
    }
    cov_chain *c;
    cov_status st = cli_chain_connect(&c, a, &err);
    uint8_t at[32];
    bool have_at = false;
    if (st == COV_OK)
        st = cli_block_at(c, at, &have_at, a, &err);
    if (st == COV_OK)
        st = cov_chain_runtime_call(c, &value, a->positional[0], a->positional[1], args,
                                    have_at ? at : NULL, &err);
    json_decref(args);
    cov_chain_free(c);
    if (st != COV_OK)
        return cli_report(json, &err);
    return print_json_result(json, value);
}

#define READ_OPTS (CHAIN_OPTS | OPTBIT(OPT_AT))

static const cli_command commands[] = {
    {"info", chain_info, CHAIN_OPTS, "the node, its runtime and the best and finalized blocks",
     NULL, 0, 0},
    {"block", chain_block, CHAIN_OPTS, "a block's extrinsics and decoded events", "[NUMBER|0xHASH] ",
     0, 1},
    {"balance", chain_balance,
     CHAIN_OPTS | OPTBIT(OPT_SS58_ADDRESS) | OPTBIT(OPT_WALLET_NAME) | OPTBIT(OPT_WALLET_PATH),
     "free, reserved and frozen TAO of an address or a wallet's coldkey", NULL, 0, 0},
    {"storage", chain_storage, READ_OPTS | OPTBIT(OPT_LIMIT),
     "read any storage item, or list a map (fewer keys than the map has)",
     "PALLET ITEM [KEYS_JSON] ", 2, 3},
    {"constant", chain_constant, CHAIN_OPTS, "a pallet constant", "PALLET NAME ", 2, 2},
    {"call", chain_call, READ_OPTS, "call a runtime API (V15 metadata)",
     "API METHOD [ARGS_JSON] ", 2, 3},
    {"metagraph", cli_chain_metagraph, READ_OPTS | OPTBIT(OPT_NETUID),
     "a subnet's neurons: uid, hotkey, coldkey, stake, emission, incentive, ...", NULL, 0, 0},
    {"hyperparams", cli_chain_hyperparams, READ_OPTS | OPTBIT(OPT_NETUID),
     "a subnet's hyperparameters, tempo and blocks to the next epoch", NULL, 0, 0},
};

int cli_chain_main(int argc, char **argv, bool json)
{
    return cli_dispatch("chain", commands, sizeof commands / sizeof commands[0], argc, argv, json);
}
