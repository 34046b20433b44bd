/* covenant tx transfer | register | stake | unstake | serve | call:
 * signed transactions, built from the metadata, submitted and followed. */
#include "cli/chain_cmds.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cov_status required_amount(uint64_t *rao, const cli_args *a, cov_err *err)
{
    if (!cli_has(a, OPT_AMOUNT))
        return cov_fail(err, COV_ERR_ARG, "--amount (in TAO) is required");
    return cli_parse_tao(rao, cli_get(a, OPT_AMOUNT), err);
}

/* The hotkey a staking or registration call names: --hotkey-address, or
 * the wallet's hotkey (its public file; no password needed). */
static cov_status hotkey_account(uint8_t out[32], const cli_args *a, cov_err *err)
{
    if (cli_has(a, OPT_HOTKEY_ADDRESS))
        return cov_ss58_decode(out, NULL, cli_get(a, OPT_HOTKEY_ADDRESS), -1, err);
    cov_keypair *kp = NULL;
    cov_wallet w;
    cov_status st = cli_wallet_open(&w, a, err);
    if (st != COV_OK)
        return st;
    char *pub = cov_wallet_file_path(&w, COV_WALLET_HOTKEYPUB);
    char *full = cov_wallet_file_path(&w, COV_WALLET_HOTKEY);
    cov_wallet_free(&w);
    if (!pub || !full)
        st = cov_fail(err, COV_ERR_NOMEM, "out of memory");
    else
        st = cov_keyfile_load(&kp, cov_file_exists(pub) ? pub : full, NULL, err);
    if (st == COV_OK)
        cov_keypair_account_id(kp, out);
    cov_keypair_free(kp);
    free(pub);
    free(full);
    return st;
}

/* What the typed builders need; one struct serves them all. */
typedef struct {
    uint8_t account[32]; /* destination or hotkey */
    uint16_t netuid;
    uint64_t amount; /* rao */
    bool add;
    uint32_t ipv4;
    uint16_t port;
} tx_params;

static cov_status build_transfer(cov_chain *c, cov_buf *out, const void *ctx, cov_err *err)
{
    const tx_params *p = ctx;
    return cov_subtensor_transfer_call(c, out, p->account, p->amount, err);
}

static cov_status build_register(cov_chain *c, cov_buf *out, const void *ctx, cov_err *err)
{
    const tx_params *p = ctx;
    return cov_subtensor_register_call(c, out, p->netuid, p->account, err);
}

static cov_status build_stake(cov_chain *c, cov_buf *out, const void *ctx, cov_err *err)
{
    const tx_params *p = ctx;
    return cov_subtensor_stake_call(c, out, p->add, p->account, p->netuid, p->amount, err);
}

static cov_status build_serve(cov_chain *c, cov_buf *out, const void *ctx, cov_err *err)
{
    const tx_params *p = ctx;
    return cov_subtensor_serve_axon_call(c, out, p->netuid, p->ipv4, p->port, err);
}

static int tx_transfer(const cli_args *a, bool json)
{
    cov_err err = {0};
    tx_params p = {0};
    if (!cli_has(a, OPT_DEST))
        return cli_usage_error(json, "--dest SS58 is required");
    if (cov_ss58_decode(p.account, NULL, cli_get(a, OPT_DEST), COV_SS58_BITTENSOR, &err) != COV_OK ||
        required_amount(&p.amount, a, &err) != COV_OK)
        return cli_report(json, &err);
    cli_call call = {"Balances", "transfer_keep_alive", build_transfer, &p, NULL};
    return cli_send(a, json, &call, false);
}

static int tx_register(const cli_args *a, bool json)
{
    cov_err err = {0};
    tx_params p = {0};
    if (cli_netuid(&p.netuid, a, &err) != COV_OK || hotkey_account(p.account, a, &err) != COV_OK)
        return cli_report(json, &err);
    cli_call call = {"SubtensorModule", "burned_register", build_register, &p, NULL};
    return cli_send(a, json, &call, false);
}

static int tx_stake(const cli_args *a, bool json, bool add)
{
    cov_err err = {0};
    tx_params p = {.add = add};
    if (cli_netuid(&p.netuid, a, &err) != COV_OK || required_amount(&p.amount, a, &err) != COV_OK ||
        hotkey_account(p.account, a, &err) != COV_OK)
        return cli_report(json, &err);
    cli_call call = {"SubtensorModule", add ? "add_stake" : "remove_stake", build_stake, &p, NULL};
    return cli_send(a, json, &call, false);
}

static int tx_add_stake(const cli_args *a, bool json) { return tx_stake(a, json, true); }
static int tx_remove_stake(const cli_args *a, bool json) { return tx_stake(a, json, false); }

/* serve_axon is signed by the hotkey: the axon belongs to it. */
static int tx_serve(const cli_args *a, bool json)
{
    cov_err err = {0};
    tx_params p = {0};
    uint64_t port = 0;
    struct in_addr ip;
    if (cli_netuid(&p.netuid, a, &err) != COV_OK)
        return cli_report(json, &err);
    if (!cli_has(a, OPT_IP) || inet_pton(AF_INET, cli_get(a, OPT_IP), &ip) != 1)
        return cli_usage_error(json, "--ip must be an IPv4 address such as 203.0.113.7");
    if (!cli_has(a, OPT_PORT) || cli_parse_u64(&port, cli_get(a, OPT_PORT), "--port", &err) != COV_OK ||
        port == 0 || port > 65535)
        return cli_usage_error(json, "--port must be 1..65535");
    p.ipv4 = ntohl(ip.s_addr);
    p.port = (uint16_t)port;
    cli_call call = {"SubtensorModule", "serve_axon", build_serve, &p, NULL};
    return cli_send(a, json, &call, true);
}

/* Any call, for what has no command of its own. */
static int tx_call(const cli_args *a, bool json)
{
    cov_err err = {0};
    json_t *args = NULL;
    if (a->n_positional == 3 && cli_parse_json_arg(&args, a->positional[2], &err) != COV_OK)
        return cli_report(json, &err);
    /* One bare value is the only argument, as in chain call and storage. */
    if (args && !json_is_array(args) && !json_is_object(args) && !json_is_null(args))
        args = json_pack("[o]", args);
    return cli_send_call(a, json, a->positional[0], a->positional[1], args,
                         cli_has(a, OPT_USE_HOTKEY));
}

static const cli_command commands[] = {
    {"transfer", tx_transfer, TX_OPTS | OPTBIT(OPT_DEST) | OPTBIT(OPT_AMOUNT),
     "send TAO: Balances.transfer_keep_alive --dest SS58 --amount TAO", NULL, 0, 0},
    {"register", tx_register, TX_OPTS | OPTBIT(OPT_NETUID) | OPTBIT(OPT_HOTKEY_ADDRESS),
     "register the wallet's hotkey on a subnet by burning TAO (burned_register)", NULL, 0, 0},
    {"stake", tx_add_stake,
     TX_OPTS | OPTBIT(OPT_NETUID) | OPTBIT(OPT_AMOUNT) | OPTBIT(OPT_HOTKEY_ADDRESS),
     "stake TAO to a hotkey on a subnet (add_stake)", NULL, 0, 0},
    {"unstake", tx_remove_stake,
     TX_OPTS | OPTBIT(OPT_NETUID) | OPTBIT(OPT_AMOUNT) | OPTBIT(OPT_HOTKEY_ADDRESS),
     "unstake alpha from a hotkey on a subnet (remove_stake)", NULL, 0, 0},
    {"serve", tx_serve, TX_OPTS | OPTBIT(OPT_NETUID) | OPTBIT(OPT_IP) | OPTBIT(OPT_PORT),
     "announce the hotkey's axon (serve_axon, signed by the hotkey)", NULL, 0, 0},
    {"set-weights", cli_tx_set_weights, WEIGHT_OPTS,
     "set a validator's weights (u16 per uid), signed by the hotkey", NULL, 0, 0},
    {"commit-weights", cli_tx_commit_weights, WEIGHT_OPTS | OPTBIT(OPT_SALT),
     "commit weights' hash (commit-reveal); prints the salt to reveal with", NULL, 0, 0},
    {"reveal-weights", cli_tx_reveal_weights, WEIGHT_OPTS | OPTBIT(OPT_SALT),
     "reveal committed weights with their --salt", NULL, 0, 0},
    {"call", tx_call, TX_OPTS | OPTBIT(OPT_USE_HOTKEY),
     "any call by name with JSON arguments", "PALLET CALL [ARGS_JSON] ", 2, 3},
};

int cli_tx_main(int argc, char **argv, bool json)
{
    return cli_dispatch("tx", commands, sizeof commands / sizeof commands[0], argc, argv, json);
}
