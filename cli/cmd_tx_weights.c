/* covenant tx set-weights | commit-weights | reveal-weights: a validator's
 * weights, signed by its hotkey. Weights are the chain's u16 values; turning
 * scores into them is the incentive module's job. */
#include "cli/chain_cmds.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_WEIGHTS = 4096, SALT_LEN = 8 };

/* "1,2,3" -> u16 values; at most `cap`. */
static cov_status parse_u16_list(uint16_t *out, size_t *n, size_t cap, const char *text,
                                 const char *what, cov_err *err)
{
    *n = 0;
    const char *p = text;
    while (*p) {
        char *end;
        if (*p < '0' || *p > '9')
            return cov_fail(err, COV_ERR_ARG, "%s: \"%s\" is not a list of numbers like 1,2,3",
                            what, text);
        unsigned long v = strtoul(p, &end, 10);
        if (v > 65535)
            return cov_fail(err, COV_ERR_ARG, "%s: %lu is over 65535", what, v);
        if (*n == cap)
            return cov_fail(err, COV_ERR_ARG, "%s: more than %zu values", what, cap);
        out[(*n)++] = (uint16_t)v;
        p = end;
        if (*p == ',')
            p++;
        else if (*p)
            return cov_fail(err, COV_ERR_ARG, "%s: unexpected '%c' in \"%s\"", what, *p, text);
    }
    if (*n == 0)
        return cov_fail(err, COV_ERR_ARG, "%s is empty", what);
    return COV_OK;
}

static json_t *u16_array(const uint16_t *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer(v[i]));
    return a;
}

typedef struct {
    uint16_t netuid;
    uint16_t uids[MAX_WEIGHTS], weights[MAX_WEIGHTS], salt[SALT_LEN * 8];
    size_t n, salt_len;
    uint64_t version_key;
    uint8_t hash[32]; /* commit only */
} weights_args;

static cov_weights as_weights(const weights_args *w)
{
    return (cov_weights){w->netuid, w->uids, w->weights, w->n, w->version_key};
}

static cov_status build_set(cov_chain *c, cov_buf *out, const void *ctx, cov_err *err)
{
    cov_weights w = as_weights(ctx);
    return cov_subtensor_set_weights_call(c, out, &w, err);
}

static cov_status build_commit(cov_chain *c, cov_buf *out, const void *ctx, cov_err *err)
{
    const weights_args *w = ctx;
    return cov_subtensor_commit_weights_call(c, out, w->netuid, w->hash, err);
}

static cov_status build_reveal(cov_chain *c, cov_buf *out, const void *ctx, cov_err *err)
{
    const weights_args *w = ctx;
    cov_weights cw = as_weights(w);
    return cov_subtensor_reveal_weights_call(c, out, &cw, w->salt, w->salt_len, err);
}

static cov_status read_weights(weights_args *w, const cli_args *a, bool need_salt, cov_err *err)
{
    size_t nw = 0;
    cov_status st = cli_netuid(&w->netuid, a, err);
    if (st == COV_OK && (!cli_has(a, OPT_UIDS) || !cli_has(a, OPT_WEIGHTS)))
        st = cov_fail(err, COV_ERR_ARG, "--uids and --weights are required");
    if (st == COV_OK)
        st = parse_u16_list(w->uids, &w->n, MAX_WEIGHTS, cli_get(a, OPT_UIDS), "--uids", err);
    if (st == COV_OK)
        st = parse_u16_list(w->weights, &nw, MAX_WEIGHTS, cli_get(a, OPT_WEIGHTS), "--weights", err);
    if (st == COV_OK && nw != w->n)
        st = cov_fail(err, COV_ERR_ARG, "--uids has %zu values but --weights %zu", w->n, nw);
    w->version_key = 0;
    if (st == COV_OK && cli_has(a, OPT_VERSION_KEY))
        st = cli_parse_u64(&w->version_key, cli_get(a, OPT_VERSION_KEY), "--version-key", err);
    w->salt_len = 0;
    if (st == COV_OK && cli_has(a, OPT_SALT))
        st = parse_u16_list(w->salt, &w->salt_len, sizeof w->salt / sizeof *w->salt,
                            cli_get(a, OPT_SALT), "--salt", err);
    else if (st == COV_OK && need_salt)
        st = cov_fail(err, COV_ERR_ARG, "--salt is required: the one the commit printed");
    return st;
}

int cli_tx_set_weights(const cli_args *a, bool json)
{
    cov_err err = {0};
    weights_args *w = calloc(1, sizeof *w);
    if (!w || read_weights(w, a, false, &err) != COV_OK) {
        if (!w)
            cov_fail(&err, COV_ERR_NOMEM, "out of memory");
        free(w);
        return cli_report(json, &err);
    }
    cli_call call = {"SubtensorModule", "set_weights", build_set, w, NULL};
    int rc = cli_send(a, json, &call, true);
    free(w);
    return rc;
}

/* Commit now, reveal later: the salt (random unless given, 8 values of
 * 0..255 as btcli makes them) must be kept to reveal. */
int cli_tx_commit_weights(const cli_args *a, bool json)
{
    cov_err err = {0};
    weights_args *w = calloc(1, sizeof *w);
    cov_keypair *hotkey = NULL;
    cov_status st = w ? read_weights(w, a, false, &err) : cov_fail(&err, COV_ERR_NOMEM, "out of memory");
    if (st == COV_OK && w->salt_len == 0) {
        uint8_t random[SALT_LEN];
        randombytes_buf(random, sizeof random);
        for (size_t i = 0; i < SALT_LEN; i++)
            w->salt[i] = random[i];
        w->salt_len = SALT_LEN;
    }
    if (st == COV_OK)
        st = cli_load_signer(&hotkey, a, true, &err);
    if (st != COV_OK) {
        free(w);
        return cli_report(json, &err);
    }
    uint8_t account[32], hash[32];
    cov_keypair_account_id(hotkey, account);
    cov_subtensor_weights_hash(hash, account, cov_subtensor_netuid_index(w->netuid, 0), w->uids,
                               w->weights, w->n, w->salt, w->salt_len, w->version_key);
    json_t *hash_json = cov_json_hex(hash, 32);
    memcpy(w->hash, hash, 32);
    json_t *extra = json_pack("{s:o,s:o,s:I}", "commit_hash", hash_json, "salt",
                              u16_array(w->salt, w->salt_len), "version_key",
                              (json_int_t)w->version_key);
    if (!json) {
        fprintf(stderr, "commit %s; keep --salt ", json_string_value(hash_json));
        for (size_t i = 0; i < w->salt_len; i++)
            fprintf(stderr, "%s%u", i ? "," : "", w->salt[i]);
        fprintf(stderr, " to reveal\n");
    }
    cli_call call = {"SubtensorModule", "commit_weights", build_commit, w, NULL};
    int rc = cli_send_signed(a, json, &call, hotkey, extra);
    cov_keypair_free(hotkey);
    free(w);
    return rc;
}

int cli_tx_reveal_weights(const cli_args *a, bool json)
{
    cov_err err = {0};
    weights_args *w = calloc(1, sizeof *w);
    if (!w || read_weights(w, a, true, &err) != COV_OK) {
        if (!w)
            cov_fail(&err, COV_ERR_NOMEM, "out of memory");
        free(w);
        return cli_report(json, &err);
    }
    cli_call call = {"SubtensorModule", "reveal_weights", build_reveal, w, NULL};
    int rc = cli_send(a, json, &call, true);
    free(w);
    return rc;
}
