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

typedef struct {
    const char *name;
    int (*run)(const cli_args *a, bool json);
    uint32_t options;
    const char *summary;
} wallet_command;

static const wallet_command commands[] = {
    {"new-coldkey", cli_wallet_new_coldkey, CREATE_OPTS | OPTBIT(OPT_N_WORDS),
     "create a coldkey from a new mnemonic (encrypted unless --no-password)"},
    {"new-hotkey", cli_wallet_new_hotkey, CREATE_OPTS | OPTBIT(OPT_N_WORDS),
     "create a hotkey from a new mnemonic (unencrypted unless --use-password)"},
    {"regen-coldkey", cli_wallet_regen_coldkey, CREATE_OPTS | REGEN_OPTS,
     "restore a coldkey from its --mnemonic, --seed or a polkadot-js --json-path"},
    {"regen-coldkeypub", cli_wallet_regen_coldkeypub,
     WALLET_OPTS | OPTBIT(OPT_OVERWRITE) | OPTBIT(OPT_SS58_ADDRESS) | OPTBIT(OPT_PUBLIC_KEY) |
         OPTBIT(OPT_SS58_FORMAT),
     "write coldkeypub.txt from an --ss58-address or --public-key"},
    {"regen-hotkey", cli_wallet_regen_hotkey, CREATE_OPTS | REGEN_OPTS,
     "restore a hotkey from its --mnemonic, --seed or a polkadot-js --json-path"},
    {"list", cli_wallet_list, OPTBIT(OPT_WALLET_PATH), "list wallets and their hotkeys"},
    {"show", cli_wallet_show, WALLET_OPTS, "show a wallet's addresses"},
    {"sign", cli_wallet_sign,
     WALLET_OPTS | OPTBIT(OPT_PASSWORD_FILE) | OPTBIT(OPT_USE_HOTKEY) | OPTBIT(OPT_SURI) |
         OPTBIT(OPT_CRYPTO) | OPTBIT(OPT_MESSAGE_HEX) | OPTBIT(OPT_MESSAGE),
     "sign a message with a wallet key or --suri"},
    {"verify", cli_wallet_verify,
     WALLET_OPTS | OPTBIT(OPT_USE_HOTKEY) | OPTBIT(OPT_SURI) | OPTBIT(OPT_CRYPTO) |
         OPTBIT(OPT_MESSAGE_HEX) | OPTBIT(OPT_MESSAGE) | OPTBIT(OPT_SIGNATURE) |
         OPTBIT(OPT_PUBLIC_KEY) | OPTBIT(OPT_SS58_ADDRESS) | OPTBIT(OPT_SS58_FORMAT),
     "verify a signature against a key, an address, a --suri or a wallet"},
    {"derive", cli_wallet_derive, OPTBIT(OPT_SURI) | OPTBIT(OPT_CRYPTO) | OPTBIT(OPT_SS58_FORMAT),
     "print the public key and address of a secret URI (touches no disk)"},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void print_wallet_help(FILE *f)
{
    fprintf(f, "usage: covenant wallet <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-18s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n`covenant wallet <command> --help` lists a command's options.\n");
}

int cli_wallet_main(int argc, char **argv, bool json)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        print_wallet_help(argc < 1 ? stderr : stdout);
        return argc < 1 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(argv[0], commands[i].name) != 0)
            continue;
        cli_args a;
        cov_err err = {0};
        if (cli_parse(&a, argc - 1, argv + 1, commands[i].options, &err) != CLI_EXIT_OK)
            return cli_report(json || cli_has(&a, OPT_JSON), &err);
        if (cli_has(&a, OPT_HELP)) {
            printf("usage: covenant wallet %s [options]\n%s\n\noptions:\n", commands[i].name,
                   commands[i].summary);
            cli_print_options(stdout, commands[i].options);
            return CLI_EXIT_OK;
        }
        if (cli_has(&a, OPT_LOG_LEVEL)) {
            cov_log_level level;
            if (!cov_log_parse_level(cli_get(&a, OPT_LOG_LEVEL), &level))
                return cli_usage_error(json, "--log-level must be error, warn, info, debug or trace");
            cov_log_set_level(level);
        }
        if (a.n_positional > 0)
            return cli_usage_error(json, "unexpected argument \"%s\"", a.positional[0]);
        return commands[i].run(&a, json || cli_has(&a, OPT_JSON));
    }
    return cli_usage_error(json, "unknown wallet command \"%s\" (see covenant wallet --help)",
                           argv[0]);
}
