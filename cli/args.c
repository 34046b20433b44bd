/* Flag parsing in btcli's style: --wallet.name NAME, --wallet.name=NAME,
 * and the dash/underscore spellings btcli also accepts. */
#include "cli/cli.h"

#include <string.h>

typedef struct {
    const char *names[4]; /* first is the canonical spelling */
    bool takes_value;
    const char *help;
} opt_spec;

static const opt_spec specs[OPT_COUNT] = {
    [OPT_HELP] = {{"--help", "-h"}, false, "show help"},
    [OPT_JSON] = {{"--json"}, false, "print one JSON object on stdout"},
    [OPT_LOG_LEVEL] = {{"--log-level"}, true, "error|warn|info|debug|trace (or COVENANT_LOG)"},
    [OPT_WALLET_NAME] = {{"--wallet.name", "--wallet-name", "--wallet_name", "--name"}, true,
                         "wallet (coldkey) name [BT_WALLET_NAME, default]"},
    [OPT_WALLET_PATH] = {{"--wallet.path", "--wallet-path", "--wallet_path", "-p"}, true,
                         "wallets folder [BT_WALLET_PATH, ~/.bittensor/wallets]"},
    [OPT_WALLET_HOTKEY] = {{"--wallet.hotkey", "--wallet-hotkey", "--wallet_hotkey", "--hotkey"},
                           true, "hotkey name [BT_WALLET_HOTKEY, default]"},
    [OPT_PASSWORD_FILE] = {{"--password-file"}, true,
                           "read the password from the first line of this file"},
    [OPT_NO_PASSWORD] = {{"--no-password", "--no-use-password"}, false,
                         "write the key unencrypted"},
    [OPT_USE_PASSWORD] = {{"--use-password"}, false, "encrypt the hotkey with a password"},
    [OPT_OVERWRITE] = {{"--overwrite"}, false, "replace existing key files"},
    [OPT_N_WORDS] = {{"--n-words", "--n_words"}, true, "mnemonic length: 12, 15, 18, 21 or 24"},
    [OPT_MNEMONIC] = {{"--mnemonic"}, true, "BIP39 words (quote them)"},
    [OPT_SEED] = {{"--seed"}, true, "0x + 64 hex digits: the 32-byte seed"},
    [OPT_SS58_ADDRESS] = {{"--ss58-address", "--ss58", "--address"}, true, "an SS58 address"},
    [OPT_PUBLIC_KEY] = {{"--public-key", "--public-key-hex"}, true, "0x + hex public key"},
    [OPT_SURI] = {{"--suri", "--uri"}, true, "secret URI, e.g. //Alice or \"words//hard/soft\""},
    [OPT_CRYPTO] = {{"--crypto", "--scheme"}, true, "sr25519 (default), ed25519 or ecdsa"},
    [OPT_SS58_FORMAT] = {{"--ss58-format"}, true, "SS58 prefix (default 42)"},
    [OPT_MESSAGE_HEX] = {{"--message-hex"}, true, "message as 0x + hex"},
    [OPT_MESSAGE] = {{"--message"}, true, "message as UTF-8 text"},
    [OPT_SIGNATURE] = {{"--signature"}, true, "0x + hex signature"},
    [OPT_USE_HOTKEY] = {{"--use-hotkey"}, false, "sign with the hotkey instead of the coldkey"},
    [OPT_KEEP] = {{"--keep"}, false, "keep the demo's throwaway wallets"},
    [OPT_JSON_PATH] = {{"--json-path", "--json-file"}, true,
                       "a key exported by polkadot-js (extension, apps) to import"},
    [OPT_JSON_PASSWORD_FILE] = {{"--json-password-file"}, true,
                                "the export's password, first line of this file"},
    [OPT_URL] = {{"--url", "--subtensor.chain_endpoint", "--chain-endpoint"}, true,
                 "node URL (http, https, ws or wss) [http://127.0.0.1:9944]"},
    [OPT_NETWORK_NAME] = {{"--network", "--subtensor.network"}, true,
                          "finney, test, archive, local or latent-lite"},
    [OPT_NETUID] = {{"--netuid"}, true, "subnet id"},
    [OPT_DEST] = {{"--dest", "--destination"}, true, "destination SS58 address"},
    [OPT_AMOUNT] = {{"--amount"}, true, "amount in TAO (e.g. 1.5)"},
    [OPT_DRY_RUN] = {{"--dry-run"}, false, "print the signed extrinsic, do not submit"},
    [OPT_WAIT] = {{"--wait"}, true, "inclusion (default), finalized or none"},
    [OPT_ERA] = {{"--era", "--period"}, true, "blocks the transaction stays valid (0: immortal)"},
    [OPT_TIP] = {{"--tip"}, true, "tip in TAO"},
    [OPT_NONCE] = {{"--nonce"}, true, "use this nonce instead of the node's"},
    [OPT_AT] = {{"--at", "--block"}, true, "block number or 0x hash to read at"},
    [OPT_LIMIT] = {{"--limit"}, true, "most entries to list"},
    [OPT_HOTKEY_ADDRESS] = {{"--hotkey-address", "--hotkey-ss58"}, true,
                            "a hotkey's SS58 address (else the wallet's hotkey)"},
    [OPT_IP] = {{"--ip"}, true, "IPv4 address to serve on"},
    [OPT_PORT] = {{"--port"}, true, "port to serve on"},
    [OPT_UIDS] = {{"--uids"}, true, "comma-separated uids, e.g. 0,1,2"},
    [OPT_WEIGHTS] = {{"--weights"}, true, "comma-separated u16 weights, one per uid"},
    [OPT_SALT] = {{"--salt"}, true, "comma-separated u16 salt of a commit (random if omitted)"},
    [OPT_VERSION_KEY] = {{"--version-key"}, true, "weights version key [0]"},
    [OPT_RPC_TIMEOUT] = {{"--rpc-timeout"}, true, "seconds one node request may take [30]"},
    [OPT_CSV] = {{"--csv"}, false, "print CSV: one row per (epoch, uid), or per uid with --compare"},
    [OPT_PLOT] = {{"--plot"}, true, "also write an SVG chart of emission per uid to this file"},
    [OPT_COMPARE] = {{"--compare"}, false, "run two scenarios, A.json B.json, side by side"},
    [OPT_TIMEOUT] = {{"--timeout"}, true, "seconds to wait for inclusion [120]"},
};

_Static_assert(OPT_COUNT <= 64, "options are a 64-bit mask");

const char *cli_opt_name(cli_opt o) { return specs[o].names[0]; }

static int find_option(const char *arg, size_t len)
{
    for (int o = 0; o < OPT_COUNT; o++)
        for (int i = 0; i < 4 && specs[o].names[i]; i++)
            if (strlen(specs[o].names[i]) == len &&
                strncmp(specs[o].names[i], arg, len) == 0)
                return o;
    return -1;
}

int cli_parse(cli_args *a, int argc, char **argv, uint64_t allowed, cov_err *err)
{
    memset(a, 0, sizeof *a);
    allowed |= CLI_GLOBAL_OPTS;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || arg[1] == '\0') {
            if (a->n_positional == 8) {
                cov_fail(err, COV_ERR_ARG, "too many arguments");
                return CLI_EXIT_USAGE;
            }
            a->positional[a->n_positional++] = arg;
            continue;
        }
        const char *eq = strchr(arg, '=');
        size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
        int o = find_option(arg, name_len);
        if (o < 0 || !(allowed & OPTBIT(o))) {
            cov_fail(err, COV_ERR_ARG, "unknown option %.*s for this command (see --help)",
                     (int)name_len, arg);
            return CLI_EXIT_USAGE;
        }
        const char *value = "";
        if (specs[o].takes_value) {
            if (eq) {
                value = eq + 1;
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                cov_fail(err, COV_ERR_ARG, "%s needs a value", specs[o].names[0]);
                return CLI_EXIT_USAGE;
            }
        } else if (eq) {
            cov_fail(err, COV_ERR_ARG, "%s takes no value", specs[o].names[0]);
            return CLI_EXIT_USAGE;
        }
        a->values[o] = value;
    }
    return CLI_EXIT_OK;
}

bool cli_has(const cli_args *a, cli_opt o) { return a->values[o] != NULL; }

const char *cli_get(const cli_args *a, cli_opt o) { return a->values[o]; }

void cli_print_options(FILE *f, uint64_t allowed)
{
    allowed |= CLI_GLOBAL_OPTS;
    for (int o = 0; o < OPT_COUNT; o++) {
        if (!(allowed & OPTBIT(o)))
            continue;
        char left[64];
        snprintf(left, sizeof left, "%s%s", specs[o].names[0],
                 specs[o].takes_value ? " VALUE" : "");
        fprintf(f, "  %-24s %s\n", left, specs[o].help);
    }
}
