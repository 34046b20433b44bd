/* Shared pieces of the chain, tx and subnet commands. */
#ifndef COVENANT_CLI_CHAIN_CMDS_H
#define COVENANT_CLI_CHAIN_CMDS_H

#include "chain/chain.h"
#include "cli/wallet_cmds.h"

#define CHAIN_OPTS \
    (OPTBIT(OPT_URL) | OPTBIT(OPT_NETWORK_NAME) | OPTBIT(OPT_TIMEOUT) | OPTBIT(OPT_RPC_TIMEOUT))
#define TX_OPTS                                                                           \
    (CHAIN_OPTS | OPTBIT(OPT_WALLET_NAME) | OPTBIT(OPT_WALLET_PATH) |                     \
     OPTBIT(OPT_WALLET_HOTKEY) | OPTBIT(OPT_PASSWORD_FILE) | OPTBIT(OPT_SURI) |           \
     OPTBIT(OPT_CRYPTO) | OPTBIT(OPT_DRY_RUN) | OPTBIT(OPT_WAIT) | OPTBIT(OPT_ERA) |      \
     OPTBIT(OPT_TIP) | OPTBIT(OPT_NONCE))

/* Connects to --url, or --network, or http://127.0.0.1:9944. */
cov_status cli_chain_connect(cov_chain **out, const cli_args *a, cov_err *err);

/* "1.5" TAO -> 1500000000 rao, exactly (no floating point). */
cov_status cli_parse_tao(uint64_t *rao, const char *text, cov_err *err);
/* rao -> "1.500000000" */
void cli_format_tao(char out[32], uint64_t rao);

cov_status cli_parse_u64(uint64_t *out, const char *text, const char *what, cov_err *err);
/* --netuid, required, 0..65535. */
cov_status cli_netuid(uint16_t *out, const cli_args *a, cov_err *err);
/* A JSON argument from the command line; a bare word becomes a string. */
cov_status cli_parse_json_arg(json_t **out, const char *text, cov_err *err);
/* --at: a block number or 0x hash, into hash (sets *have). */
cov_status cli_block_at(cov_chain *c, uint8_t hash[32], bool *have, const cli_args *a,
                        cov_err *err);

/* A call to sign and send: `build` appends its encoding once the client
 * is connected (typed builders from chain/subtensor.h, or pallet.call with
 * JSON `args` by name). pallet and call label the output. */
typedef struct cli_call {
    const char *pallet;
    const char *call;
    cov_status (*build)(cov_chain *c, cov_buf *out, const void *ctx, cov_err *err);
    const void *ctx;
    json_t *args; /* for the by-name builder; released after sending */
} cli_call;

/* Signs the call with the wallet key (its hotkey with use_hotkey) or --suri
 * and submits it (or prints it with --dry-run), reporting the outcome. */
int cli_send(const cli_args *a, bool json, cli_call *call, bool use_hotkey);
/* The same with a key already loaded; `extra` (stolen, may be NULL) is
 * merged into the JSON result (a commit's salt and hash, say). */
int cli_send_signed(const cli_args *a, bool json, cli_call *call, const cov_keypair *signer,
                    json_t *extra);
/* pallet.call(args) by name; args are stolen. */
int cli_send_call(const cli_args *a, bool json, const char *pallet, const char *call,
                  json_t *args, bool use_hotkey);
/* The wallet key (hotkey with use_hotkey) or --suri key that signs. */
cov_status cli_load_signer(cov_keypair **out, const cli_args *a, bool use_hotkey, cov_err *err);

/* The validator's weight commands (cmd_tx_weights.c). */
#define WEIGHT_OPTS                                                                          \
    (TX_OPTS | OPTBIT(OPT_NETUID) | OPTBIT(OPT_UIDS) | OPTBIT(OPT_WEIGHTS) |                 \
     OPTBIT(OPT_VERSION_KEY))
int cli_tx_set_weights(const cli_args *a, bool json);
int cli_tx_commit_weights(const cli_args *a, bool json);
int cli_tx_reveal_weights(const cli_args *a, bool json);

#endif
