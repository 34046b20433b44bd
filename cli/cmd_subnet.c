/* covenant subnet set-hyperparam NAME VALUE --netuid N: the subnet owner's
 * AdminUtils calls, found by name in the metadata (sudo_set_<name>). */
#include "cli/chain_cmds.h"

#include <stdio.h>
#include <string.h>

static int set_hyperparam(const cli_args *a, bool json)
{
    cov_err err = {0};
    uint16_t netuid = 0;
    if (cli_netuid(&netuid, a, &err) != COV_OK)
        return cli_report(json, &err);
    const char *name = a->positional[0];
    char call[128];
    snprintf(call, sizeof call, "%s%s", strncmp(name, "sudo_set_", 9) == 0 ? "" : "sudo_set_",
             name);
    json_t *value;
    if (cli_parse_json_arg(&value, a->positional[1], &err) != COV_OK)
        return cli_report(json, &err);
    /* Owner calls take (netuid, value); positional args let the metadata
     * name the value's field, whatever it is called in this runtime. */
    json_t *args = json_pack("[I,o]", (json_int_t)netuid, value);
    return cli_send_call(a, json, "AdminUtils", call, args, false);
}

static const cli_command commands[] = {
    {"set-hyperparam", set_hyperparam, TX_OPTS | OPTBIT(OPT_NETUID),
     "set a hyperparameter as the subnet owner (AdminUtils.sudo_set_NAME)", "NAME VALUE ", 2, 2},
};

int cli_subnet_main(int argc, char **argv, bool json)
{
    return cli_dispatch("subnet", commands, sizeof commands / sizeof commands[0], argc, argv, json);
}
