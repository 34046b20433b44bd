/* `covenant wallet <command>`: dispatch and help. */
#include "cli/wallet_cmds.h"

#include <stdio.h>
#include <string.h>

int cli_wallet_new_coldkey(const cli_args *a, bool json);
int cli_wallet_new_hotkey(const cli_args *a, bool json);
int cli_wallet_regen_coldkey(const cli_args *a, bool json);
int cli_wallet_regen_hotkey(const cli_args *a, bool json);
int cli_wallet_regen_coldkeypub(const cli_args *a, bool json);
int cli_wallet_list(const cli_args *a, bool json);
int cli_wallet_show(const cli_args *a, bool json);
int cli_wallet_sign(const cli_args *a, bool json);
int cli_wallet_verify(const cli_args *a, bool json);
int cli_wallet_derive(const cli_args *a, bool json);

#define WALLET_OPTS (OPTBIT(OPT_WALLET_NAME) | OPTBIT(OPT_WALLET_PATH) | OPTBIT(OPT_WALLET_HOTKEY))
#define CREATE_OPTS (WALLET_OPTS | OPTBIT(OPT_PASSWORD_FILE) | OPTBIT(OPT_NO_PASSWORD) | \
                     OPTBIT(OPT_USE_PASSWORD) | OPTBIT(OPT_OVERWRITE))
#define REGEN_OPTS (OPTBIT(OPT_MNEMONIC) | OPTBIT(OPT_SEED) | OPTBIT(OPT_JSON_PATH) | \
                    OPTBIT(OPT_JSON_PASSWORD_FILE))

static const cli_command commands[] = {
    {"new-coldkey", cli_wallet_new_coldkey, CREATE_OPTS | OPTBIT(OPT_N_WORDS),
     "create a coldkey from a new mnemonic (encrypted unless --no-password)", NULL, 0, 0},
    {"new-hotkey", cli_wallet_new_hotkey, CREATE_OPTS | OPTBIT(OPT_N_WORDS),
     "create a hotkey from a new mnemonic (unencrypted unless --use-password)", NULL, 0, 0},
    {"regen-coldkey", cli_wallet_regen_coldkey, CREATE_OPTS | REGEN_OPTS,
     "restore a coldkey from its --mnemonic, --seed or a polkadot-js --json-path", NULL, 0, 0},
    {"regen-coldkeypub", cli_wallet_regen_coldkeypub,
     WALLET_OPTS | OPTBIT(OPT_OVERWRITE) | OPTBIT(OPT_SS58_ADDRESS) | OPTBIT(OPT_PUBLIC_KEY) |
         OPTBIT(OPT_SS58_FORMAT),
     "write coldkeypub.txt from an --ss58-address or --public-key", NULL, 0, 0},
    {"regen-hotkey", cli_wallet_regen_hotkey, CREATE_OPTS | REGEN_OPTS,
     "restore a hotkey from its --mnemonic, --seed or a polkadot-js --json-path", NULL, 0, 0},
    {"list", cli_wallet_list, OPTBIT(OPT_WALLET_PATH), "list wallets and their hotkeys", NULL, 0, 0},
    {"show", cli_wallet_show, WALLET_OPTS, "show a wallet's addresses", NULL, 0, 0},
    {"sign", cli_wallet_sign,
     WALLET_OPTS | OPTBIT(OPT_PASSWORD_FILE) | OPTBIT(OPT_USE_HOTKEY) | OPTBIT(OPT_SURI) |
         OPTBIT(OPT_CRYPTO) | OPTBIT(OPT_MESSAGE_HEX) | OPTBIT(OPT_MESSAGE),
     "sign a message with a wallet key or --suri", NULL, 0, 0},
    {"verify", cli_wallet_verify,
     WALLET_OPTS | OPTBIT(OPT_USE_HOTKEY) | OPTBIT(OPT_SURI) | OPTBIT(OPT_CRYPTO) |
         OPTBIT(OPT_MESSAGE_HEX) | OPTBIT(OPT_MESSAGE) | OPTBIT(OPT_SIGNATURE) |
         OPTBIT(OPT_PUBLIC_KEY) | OPTBIT(OPT_SS58_ADDRESS) | OPTBIT(OPT_SS58_FORMAT),
     "verify a signature against a key, an address, a --suri or a wallet", NULL, 0, 0},
    {"derive", cli_wallet_derive, OPTBIT(OPT_SURI) | OPTBIT(OPT_CRYPTO) | OPTBIT(OPT_SS58_FORMAT),
     "print the public key and address of a secret URI (touches no disk)", NULL, 0, 0},
};

int cli_wallet_main(int argc, char **argv, bool json)
{
    return cli_dispatch("wallet", commands, sizeof commands / sizeof commands[0], argc, argv,
                        json);
}
