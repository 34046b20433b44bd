/* cli/: the covenant program. The only code that talks to the user: it
 * parses flags, asks for passwords, and prints results as text or --json. */
#ifndef COVENANT_CLI_H
#define COVENANT_CLI_H

#include "common/common.h"

/* Exit codes: 0 ok, 1 the operation failed, 2 the command line is wrong. */
enum { CLI_EXIT_OK = 0, CLI_EXIT_FAIL = 1, CLI_EXIT_USAGE = 2 };

/* ------------------------------------------------------------ options */

typedef enum {
    OPT_HELP,
    OPT_JSON,
    OPT_LOG_LEVEL,
    OPT_WALLET_NAME,
    OPT_WALLET_PATH,
    OPT_WALLET_HOTKEY,
    OPT_PASSWORD_FILE,
    OPT_NO_PASSWORD,
    OPT_USE_PASSWORD,
    OPT_OVERWRITE,
    OPT_N_WORDS,
    OPT_MNEMONIC,
    OPT_SEED,
    OPT_SS58_ADDRESS,
    OPT_PUBLIC_KEY,
    OPT_SURI,
    OPT_CRYPTO,
    OPT_SS58_FORMAT,
    OPT_MESSAGE_HEX,
    OPT_MESSAGE,
    OPT_SIGNATURE,
    OPT_USE_HOTKEY,
    OPT_KEEP,
    OPT_JSON_PATH,
    OPT_JSON_PASSWORD_FILE,
    OPT_URL,
    OPT_NETWORK_NAME,
    OPT_NETUID,
    OPT_DEST,
    OPT_AMOUNT,
    OPT_DRY_RUN,
    OPT_WAIT,
    OPT_ERA,
    OPT_TIP,
    OPT_NONCE,
    OPT_AT,
    OPT_LIMIT,
    OPT_HOTKEY_ADDRESS,
    OPT_IP,
    OPT_PORT,
    OPT_TIMEOUT,
    OPT_UIDS,
    OPT_WEIGHTS,
    OPT_SALT,
    OPT_VERSION_KEY,
    OPT_RPC_TIMEOUT,
    OPT_CSV,
    OPT_PLOT,
    OPT_COMPARE,
    OPT_COUNT
} cli_opt;

typedef struct {
    const char *values[OPT_COUNT]; /* NULL if absent; "" for a set flag */
    const char *positional[8]; /* arguments that are not options */
    int n_positional;
} cli_args;

/* Parses argv[0..argc) (after the command words). Options not in `allowed`
 * (a bit mask of 1u << cli_opt) are refused. Returns CLI_EXIT_OK or
 * CLI_EXIT_USAGE with err filled. */
int cli_parse(cli_args *a, int argc, char **argv, uint64_t allowed, cov_err *err);
bool cli_has(const cli_args *a, cli_opt o);
const char *cli_get(const cli_args *a, cli_opt o);
/* The spelling users see for an option, e.g. "--wallet.name". */
const char *cli_opt_name(cli_opt o);
/* One line per allowed option, for --help. */
void cli_print_options(FILE *f, uint64_t allowed);

#define OPTBIT(o) (1ull << (o))
#define CLI_GLOBAL_OPTS (OPTBIT(OPT_HELP) | OPTBIT(OPT_JSON) | OPTBIT(OPT_LOG_LEVEL))

/* ------------------------------------------------------------ output */

/* Prints a result: the JSON object in --json mode, else the text `human`
 * (which may be NULL when the JSON is all there is to say). Steals obj. */
void cli_emit(bool json, json_t *obj, const char *human);

/* Reports an error (stderr text, or a JSON error object on stdout) and
 * returns the exit code for it. */
int cli_report(bool json, const cov_err *err);
int cli_usage_error(bool json, const char *fmt, ...) COV_PRINTF(2, 3);

/* ------------------------------------------------------------ passwords */

/* Reads the password for an existing keyfile: --password-file, then the
 * BT_PW_ variable btwallet uses, then a no-echo prompt on the terminal.
 * *out is sodium_malloc'd (sodium_free it). */
cov_status cli_password_for_file(char **out, const cli_args *a,
                                 const char *keyfile_path, cov_err *err);

/* The first line of a password file; a no-echo prompt on the terminal. */
cov_status cli_password_from_file(char **out, const char *path, cov_err *err);
cov_status cli_password_prompt(char **out, const char *prompt, cov_err *err);

/* Reads a new password: --password-file, or prompt twice on the terminal;
 * checks btwallet's policy. */
cov_status cli_password_new(char **out, const cli_args *a, const char *what,
                            cov_err *err);

/* --------------------------------------------------------------- commands */

/* One subcommand of a group (wallet, chain, tx, subnet). */
typedef struct {
    const char *name;
    int (*run)(const cli_args *a, bool json);
    uint64_t options;          /* OPTBIT()s it accepts */
    const char *summary;
    const char *positional;    /* e.g. "PALLET ITEM [KEYS] " for --help, or NULL */
    int min_positional;
    int max_positional;
} cli_command;

/* Runs argv[0] of the group with the rest as its arguments. */
int cli_dispatch(const char *group, const cli_command *cmds, size_t n, int argc, char **argv,
                 bool json);

int cli_wallet_main(int argc, char **argv, bool json);
int cli_demo_main(int argc, char **argv, bool json);
int cli_tour_main(int argc, char **argv, bool json);

/* OpenMP settings for the whole program (cli/threads.c). */
void cli_threads_init(void);
int cli_chain_main(int argc, char **argv, bool json);
int cli_tx_main(int argc, char **argv, bool json);
int cli_subnet_main(int argc, char **argv, bool json);
int cli_sim_main(int argc, char **argv, bool json);

#endif
