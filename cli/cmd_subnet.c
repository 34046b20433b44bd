/* covenant subnet set-hyperparam NAME VALUE --netuid N: the subnet owner's
 * AdminUtils calls, found by name in the metadata (sudo_set_<name>). */
#include "cli/chain_cmds.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    uint16_t netuid;
    json_t *value;
} hyperparam_params;

static cov_status build_hyperparam(cov_chain *c, cov_buf *out, const void *ctx, cov_err *err)
{
    const hyperparam_params *p = ctx;
    return cov_subtensor_hyperparam_call(c, out, p->name, p->netuid, p->value, err);
}

static int set_hyperparam(const cli_args *a, bool json)
{
    cov_err err = {0};
    uint16_t netuid = 0;
    if (cli_netuid(&netuid, a, &err) != COV_OK)
        return cli_report(json, &err);
    hyperparam_params p = {.name = a->positional[0], .netuid = netuid};
    if (cli_parse_json_arg(&p.value, a->positional[1], &err) != COV_OK)
        return cli_report(json, &err);
    cli_call call = {"AdminUtils", p.name, build_hyperparam, &p, NULL};
    int rc = cli_send(a, json, &call, false);
    json_decref(p.value);
    return rc;
}

static const cli_command commands[] = {
    {"set-hyperparam", set_hyperparam, TX_OPTS | OPTBIT(OPT_NETUID),
     "set a hyperparameter as the subnet owner (AdminUtils.sudo_set_NAME)", "NAME VALUE ", 2, 2},
};

int cli_subnet_main(int argc, char **argv, bool json)
{
    return cli_dispatch("subnet", commands, sizeof commands / sizeof commands[0], argc, argv, json);
}
