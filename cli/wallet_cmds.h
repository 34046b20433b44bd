/* Shared pieces of the `covenant wallet` subcommands. */
#ifndef COVENANT_CLI_WALLET_CMDS_H
#define COVENANT_CLI_WALLET_CMDS_H

#include "cli/cli.h"
#include "wallet/wallet.h"

cov_status cli_crypto_type(cov_key_type *out, const cli_args *a, cov_err *err);
cov_status cli_ss58_format(uint16_t *out, const cli_args *a, cov_err *err);
cov_status cli_wallet_open(cov_wallet *w, const cli_args *a, cov_err *err);
/* Loads a wallet file, asking for its password when it is encrypted. */
cov_status cli_load_wallet_key(cov_keypair **out, const cli_args *a,
                               cov_wallet_file which, cov_err *err);
/* --suri [--crypto], else the wallet's coldkey (or hotkey with --use-hotkey). */
cov_status cli_signing_key(cov_keypair **out, const cli_args *a, cov_err *err);
/* --mnemonic or --seed, for the regen commands. */
cov_status cli_key_from_secret_args(cov_keypair **out, const cli_args *a,
                                    cov_err *err);
/* --message-hex or --message; *msg is malloc'd. */
cov_status cli_message(uint8_t **msg, size_t *len, const cli_args *a, cov_err *err);
/* {"crypto","public_key","ss58_address"} of a key. */
json_t *cli_key_json(const cov_keypair *kp, uint16_t ss58_format);

#endif
