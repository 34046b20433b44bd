/* covenant chain metagraph | hyperparams: a subnet at a glance. */
#include "cli/chain_cmds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Connects and resolves --netuid and --at. */
static cov_status open_subnet(cov_chain **c, uint16_t *netuid, uint8_t at[32], bool *have_at,
                              const cli_args *a, cov_err *err)
{
    *c = NULL;
    cov_status st = cli_netuid(netuid, a, err);
    if (st == COV_OK)
        st = cli_chain_connect(c, a, err);
    if (st == COV_OK)
        st = cli_block_at(*c, at, have_at, a, err);
    return st;
}

static double proportion(const json_t *v)
{
    return json_is_integer(v) ? (double)json_integer_value(v) / 65535.0 : 0.0;
}

int cli_chain_metagraph(const cli_args *a, bool json)
{
    cov_err err = {0};
    cov_chain *c;
    uint16_t netuid = 0;
    uint8_t at[32];
    bool have_at;
    json_t *rows = NULL;
    cov_status st = open_subnet(&c, &netuid, at, &have_at, a, &err);
    if (st == COV_OK)
        st = cov_subtensor_metagraph(c, &rows, netuid, have_at ? at : NULL, &err);
    cov_chain_free(c);
    if (st != COV_OK)
        return cli_report(json, &err);
    if (!json) {
        printf("%4s  %-48s  %14s  %8s  %8s  %8s  %s\n", "uid", "hotkey", "stake(alpha)",
               "incent.", "divs", "consens.", "vpermit");
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row)
        {
            json_t *stake = json_object_get(row, "stake");
            char s[32] = "-";
            if (json_is_integer(stake))
                cli_format_tao(s, (uint64_t)json_integer_value(stake));
            printf("%4lld  %-48s  %14s  %8.5f  %8.5f  %8.5f  %s\n",
                   (long long)json_integer_value(json_object_get(row, "uid")),
                   json_string_value(json_object_get(row, "hotkey")), s,
                   proportion(json_object_get(row, "incentive")),
                   proportion(json_object_get(row, "dividends")),
                   proportion(json_object_get(row, "consensus")),
                   json_is_true(json_object_get(row, "validator_permit")) ? "yes" : "no");
        }
    }
    cli_emit(json, json_pack("{s:i,s:o}", "netuid", netuid, "neurons", rows), NULL);
    return CLI_EXIT_OK;
}

int cli_chain_hyperparams(const cli_args *a, bool json)
{
    cov_err err = {0};
    cov_chain *c;
    uint16_t netuid = 0;
    uint8_t at[32];
    bool have_at;
    json_t *params = NULL;
    cov_status st = open_subnet(&c, &netuid, at, &have_at, a, &err);
    if (st == COV_OK)
        st = cov_subtensor_hyperparams(c, &params, netuid, have_at ? at : NULL, &err);
    cov_chain_free(c);
    if (st != COV_OK)
        return cli_report(json, &err);
    if (!json) {
        const char *key;
        json_t *v;
        json_object_foreach(params, key, v)
        {
            char *text = cov_json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
            printf("%-32s %s\n", key, text ? text : "?");
            free(text);
        }
    }
    cli_emit(json, params, NULL);
    return CLI_EXIT_OK;
}
