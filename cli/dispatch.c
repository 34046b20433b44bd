/* `covenant <group> <command> [options]`: one dispatcher for every group,
 * so flags, --help and errors behave the same everywhere. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static void print_group_help(FILE *f, const char *group, const cli_command *cmds, size_t n)
{
    fprintf(f, "usage: covenant %s <command> [options]\n\ncommands:\n", group);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "  %-18s %s\n", cmds[i].name, cmds[i].summary);
    fprintf(f, "\n`covenant %s <command> --help` lists a command's options.\n", group);
}

int cli_dispatch(const char *group, const cli_command *cmds, size_t n, int argc, char **argv,
                 bool json)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        print_group_help(argc < 1 ? stderr : stdout, group, cmds, n);
        return argc < 1 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(argv[0], cmds[i].name) != 0)
            continue;
        cli_args a;
        cov_err err = {0};
        if (cli_parse(&a, argc - 1, argv + 1, cmds[i].options, &err) != CLI_EXIT_OK)
            return cli_report(json || cli_has(&a, OPT_JSON), &err);
        if (cli_has(&a, OPT_HELP)) {
            printf("usage: covenant %s %s %s[options]\n%s\n\noptions:\n", group, cmds[i].name,
                   cmds[i].positional ? cmds[i].positional : "", cmds[i].summary);
            cli_print_options(stdout, cmds[i].options);
            return CLI_EXIT_OK;
        }
        if (cli_has(&a, OPT_LOG_LEVEL)) {
            cov_log_level level;
            if (!cov_log_parse_level(cli_get(&a, OPT_LOG_LEVEL), &level))
                return cli_usage_error(json, "--log-level must be error, warn, info, debug or trace");
            cov_log_set_level(level);
        }
        json = json || cli_has(&a, OPT_JSON);
        if (a.n_positional > cmds[i].max_positional)
            return cli_usage_error(json, "unexpected argument \"%s\" (see covenant %s %s --help)",
                                   a.positional[cmds[i].max_positional], group, cmds[i].name);
        if (a.n_positional < cmds[i].min_positional)
            return cli_usage_error(json, "covenant %s %s needs %s", group, cmds[i].name,
                                   cmds[i].positional ? cmds[i].positional : "arguments");
        return cmds[i].run(&a, json);
    }
    return cli_usage_error(json, "unknown %s command \"%s\" (see covenant %s --help)", group,
                           argv[0], group);
}
