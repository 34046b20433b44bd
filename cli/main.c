/* covenant: the program. Global flags, then a command:
 *   covenant [--log-level L] [--json] <wallet|chain|tx|subnet|sim|demo|tour|version> ... */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

int cli_data_main(int argc, char **argv, bool json); /* cmd_data.c */
int cli_train_main(int argc, char **argv, bool json); /* cmd_train.c */

static void print_help(FILE *f)
{
    fprintf(f,
            "covenant %s: a node for Bittensor training subnets\n\n"
            "usage: covenant [--log-level LEVEL] [--json] <command> [options]\n\n"
            "commands:\n"
            "  wallet    keys and btcli-compatible wallets (covenant wallet --help)\n"
            "  chain     read the chain: info, block, balance, storage, metagraph, ...\n"
            "  tx        transactions: transfer, register, stake, unstake, serve, call\n"
            "  subnet    subnet owner actions: set-hyperparam\n"
            "  sim       simulate a subnet's incentives from a scenario file (docs/incentives.md)\n"
            "  data      token shards, synthetic corpora, Templar's sample assignment\n"
            "  train     train a model on token shards, CPU or GPUs (covenant train --help)\n"
            "  demo      a local training round: 4 miners, 1 validator, scores and emission\n"
            "  tour      keys, wallets and chain pieces on throwaway keys, offline\n"
            "  version   print the version\n\n"
            "Every command takes --json for one JSON object on stdout.\n"
            "Logs go to stderr; COVENANT_LOG or --log-level sets their level.\n",
            COVENANT_VERSION);
}

int main(int argc, char **argv)
{
    cov_err err = {0};
    if (cov_crypto_init(&err) != COV_OK)
        return cli_report(false, &err);
    /* Info by default: long steps (argon2i) say what they are doing on
     * stderr, which never mixes with --json output on stdout. */
    cov_log_set_level(COV_LOG_INFO);
    cov_log_init_from_env();
    cli_threads_init();

    bool json = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--log-level") == 0 && i + 1 < argc) {
            cov_log_level level;
            if (!cov_log_parse_level(argv[++i], &level))
                return cli_usage_error(json, "--log-level must be error, warn, info, debug or trace");
            cov_log_set_level(level);
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_help(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("covenant %s\n", COVENANT_VERSION);
            return CLI_EXIT_OK;
        } else {
            return cli_usage_error(json, "unknown option %s (see covenant --help)", argv[i]);
        }
    }
    if (i >= argc) {
        print_help(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *command = argv[i];
    if (strcmp(command, "wallet") == 0)
        return cli_wallet_main(argc - i - 1, argv + i + 1, json);
    if (strcmp(command, "chain") == 0)
        return cli_chain_main(argc - i - 1, argv + i + 1, json);
    if (strcmp(command, "tx") == 0)
        return cli_tx_main(argc - i - 1, argv + i + 1, json);
    if (strcmp(command, "subnet") == 0)
        return cli_subnet_main(argc - i - 1, argv + i + 1, json);
    if (strcmp(command, "sim") == 0)
        return cli_sim_main(argc - i - 1, argv + i + 1, json);
    if (strcmp(command, "tour") == 0)
        return cli_tour_main(argc - i - 1, argv + i + 1, json);
    if (strcmp(command, "data") == 0)
        return cli_data_main(argc - i - 1, argv + i + 1, json);
    if (strcmp(command, "train") == 0)
        return cli_train_main(argc - i - 1, argv + i + 1, json);
    if (strcmp(command, "demo") == 0)
        return cli_demo_main(argc - i - 1, argv + i + 1, json);
    if (strcmp(command, "version") == 0) {
        cli_emit(json, json_pack("{s:s}", "version", COVENANT_VERSION),
                 "covenant " COVENANT_VERSION "\n");
        return CLI_EXIT_OK;
    }
    return cli_usage_error(json, "unknown command \"%s\" (see covenant --help)", command);
}
