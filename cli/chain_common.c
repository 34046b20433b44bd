/* What every chain-facing command needs: a connection, amounts in TAO,
 * JSON arguments, and signing + submitting a call. */
#include "cli/chain_cmds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_URL "http://127.0.0.1:9944"
#define RAO_PER_TAO 1000000000ULL

cov_status cli_chain_connect(cov_chain **out, const cli_args *a, cov_err *err)
{
    char url[1024];
    const char *target = cli_has(a, OPT_URL)            ? cli_get(a, OPT_URL)
                         : cli_has(a, OPT_NETWORK_NAME) ? cli_get(a, OPT_NETWORK_NAME)
                                                        : DEFAULT_URL;
    cov_status st = cov_rpc_endpoint(url, sizeof url, target, err);
    if (st != COV_OK)
        return st;
    /* Metadata (about 1 MB) is cached per chain and runtime version, so
     * each command does not download it again. */
    cov_rpc_options opts;
    cov_rpc_options_default(&opts);
    /* A command line should not hang for minutes on a node that accepts
     * connections but never answers: 30 s per request unless asked. */
    uint64_t rpc_timeout = 30;
    if (cli_has(a, OPT_RPC_TIMEOUT)) {
        st = cli_parse_u64(&rpc_timeout, cli_get(a, OPT_RPC_TIMEOUT), "--rpc-timeout", err);
        if (st == COV_OK && (rpc_timeout == 0 || rpc_timeout > 3600))
            st = cov_fail(err, COV_ERR_ARG, "--rpc-timeout must be 1..3600 seconds");
        if (st != COV_OK)
            return st;
    }
    opts.timeout_ms = (long)rpc_timeout * 1000;
    if (opts.connect_timeout_ms > opts.timeout_ms)
        opts.connect_timeout_ms = opts.timeout_ms;
    char cache[1024] = "";
    const char *env = getenv("COVENANT_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"),
               *home = getenv("HOME");
    if (env && *env)
        snprintf(cache, sizeof cache, "%s", env);
    else if (xdg && *xdg)
        snprintf(cache, sizeof cache, "%s/covenant", xdg);
    else if (home && *home)
        snprintf(cache, sizeof cache, "%s/.cache/covenant", home);
    opts.cache_dir = cache[0] ? cache : NULL;
    COV_INFO("connecting to %s", url);
    st = cov_chain_connect(out, url, &opts, err);
    if (st != COV_OK)
        cov_err_context(err, "%s", url);
    return st;
}

cov_status cli_parse_u64(uint64_t *out, const char *text, const char *what, cov_err *err)
{
    char *end;
    /* Digits only: strtoull would also take spaces, a sign, and saturate. */
    if (!text || *text < '0' || *text > '9')
        return cov_fail(err, COV_ERR_ARG, "%s must be a whole number", what);
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (*end)
        return cov_fail(err, COV_ERR_ARG, "%s must be a whole number, not \"%s\"", what, text);
    if (errno == ERANGE)
        return cov_fail(err, COV_ERR_ARG, "%s %s is too large", what, text);
    *out = v;
    return COV_OK;
}

cov_status cli_netuid(uint16_t *out, const cli_args *a, cov_err *err)
{
    uint64_t v = 0;
    *out = 0;
    if (!cli_has(a, OPT_NETUID))
        return cov_fail(err, COV_ERR_ARG, "--netuid is required");
    cov_status st = cli_parse_u64(&v, cli_get(a, OPT_NETUID), "--netuid", err);
    if (st == COV_OK && v > 65535)
        st = cov_fail(err, COV_ERR_ARG, "--netuid must be 0..65535");
    if (st == COV_OK)
        *out = (uint16_t)v;
    return st;
}

cov_status cli_parse_tao(uint64_t *rao, const char *text, cov_err *err)
{
    uint64_t whole = 0, frac = 0;
    int frac_digits = 0;
    const char *p = text;
    if (!*p)
        return cov_fail(err, COV_ERR_ARG, "amount is empty");
    for (; *p >= '0' && *p <= '9'; p++) {
        if (whole > (UINT64_MAX / RAO_PER_TAO) / 10)
            return cov_fail(err, COV_ERR_ARG, "amount %s TAO is too large", text);
        whole = whole * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++) {
            if (++frac_digits > 9)
                return cov_fail(err, COV_ERR_ARG,
                                "amount %s has more than 9 decimals (1 rao = 1e-9 TAO)", text);
            frac = frac * 10 + (uint64_t)(*p - '0');
        }
    }
    if (*p)
        return cov_fail(err, COV_ERR_ARG, "amount must be a number of TAO like 1.5, not \"%s\"",
                        text);
    for (; frac_digits < 9; frac_digits++)
        frac *= 10;
    if (whole > (UINT64_MAX - frac) / RAO_PER_TAO)
        return cov_fail(err, COV_ERR_ARG, "amount %s TAO is too large", text);
    *rao = whole * RAO_PER_TAO + frac;
    return COV_OK;
}

void cli_format_tao(char out[32], uint64_t rao)
{
    snprintf(out, 32, "%llu.%09llu", (unsigned long long)(rao / RAO_PER_TAO),
             (unsigned long long)(rao % RAO_PER_TAO));
}

cov_status cli_parse_json_arg(json_t **out, const char *text, cov_err *err)
{
    json_error_t jerr;
    *out = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (*out)
        return COV_OK;
    /* Unquoted words (an address, a variant name) are strings. */
    if (text[0] != '{' && text[0] != '[' && text[0] != '"') {
        *out = json_string(text);
        return COV_OK;
    }
    return cov_fail(err, COV_ERR_ARG, "\"%s\" is not valid JSON: %s", text, jerr.text);
}

cov_status cli_block_at(cov_chain *c, uint8_t hash[32], bool *have, const cli_args *a,
                        cov_err *err)
{
    *have = false;
    if (!cli_has(a, OPT_AT))
        return COV_OK;
    const char *at = cli_get(a, OPT_AT);
    cov_status st;
    if (at[0] == '0' && at[1] == 'x') {
        st = cov_hex_decode(hash, 32, at, err);
    } else {
        uint64_t n;
        st = cli_parse_u64(&n, at, "--at", err);
        if (st == COV_OK)
            st = cov_rpc_block_hash(cov_chain_rpc(c), hash, &n, err);
    }
    *have = st == COV_OK;
    return st;
}

static cov_status tx_options(cov_tx_options *o, const cli_args *a, cov_err *err)
{
    cov_tx_options_default(o);
    cov_status st = COV_OK;
    uint64_t v = 0;
    if (cli_has(a, OPT_ERA) && (st = cli_parse_u64(&v, cli_get(a, OPT_ERA), "--era", err)) == COV_OK)
        o->era_period = (uint32_t)(v > 65536 ? 65536 : v);
    if (st == COV_OK && cli_has(a, OPT_TIP))
        st = cli_parse_tao(&o->tip, cli_get(a, OPT_TIP), err);
    if (st == COV_OK && cli_has(a, OPT_NONCE)) {
        st = cli_parse_u64(&o->nonce, cli_get(a, OPT_NONCE), "--nonce", err);
        o->have_nonce = st == COV_OK;
    }
    return st;
}

static cov_status wait_mode(cov_wait *w, const cli_args *a, cov_err *err)
{
    const char *text = cli_has(a, OPT_WAIT) ? cli_get(a, OPT_WAIT) : "inclusion";
    if (strcmp(text, "inclusion") == 0)
        *w = COV_WAIT_INCLUSION;
    else if (strcmp(text, "finalized") == 0 || strcmp(text, "finalization") == 0)
        *w = COV_WAIT_FINALIZED;
    else if (strcmp(text, "none") == 0)
        *w = COV_WAIT_NONE;
    else
        return cov_fail(err, COV_ERR_ARG, "--wait must be inclusion, finalized or none");
    return COV_OK;
}

static int report_result(bool json, const cov_tx_result *r, cov_wait wait, json_t *extra)
{
    char hash[67] = "0x", block[67] = "0x";
    cov_hex_encode(hash + 2, r->hash, 32);
    cov_hex_encode(block + 2, r->block_hash, 32);
    json_t *obj = json_pack("{s:s}", "hash", hash);
    if (wait != COV_WAIT_NONE) {
        json_object_set_new(obj, "block_hash", json_string(block));
        json_object_set_new(obj, "block_number", json_integer((json_int_t)r->block_number));
        json_object_set_new(obj, "index", json_integer(r->index));
        json_object_set_new(obj, "success", json_boolean(r->success));
        if (!r->success) {
            json_object_set_new(obj, "error", json_string(r->error));
            json_object_set_new(obj, "error_doc", json_string(r->error_doc));
        }
        json_object_set(obj, "events", r->events ? r->events : json_array());
    }
    if (extra)
        json_object_update(obj, extra);
    char human[1024];
    if (wait == COV_WAIT_NONE)
        snprintf(human, sizeof human, "submitted %s\n", hash);
    else if (r->success)
        snprintf(human, sizeof human, "ok: in block #%llu (%s), extrinsic %u\n",
                 (unsigned long long)r->block_number, block, r->index);
    else
        snprintf(human, sizeof human, "FAILED in block #%llu: %s\n  %s\n",
                 (unsigned long long)r->block_number, r->error, r->error_doc);
    cli_emit(json, obj, human);
    return wait == COV_WAIT_NONE || r->success ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

cov_status cli_load_signer(cov_keypair **out, const cli_args *a, bool use_hotkey, cov_err *err)
{
    if (cli_has(a, OPT_SURI))
        return cli_signing_key(out, a, err);
    return cli_load_wallet_key(out, a, use_hotkey ? COV_WALLET_HOTKEY : COV_WALLET_COLDKEY, err);
}

/* The generic call: pallet.call with JSON arguments, encoded by name. */
static cov_status build_by_name(cov_chain *c, cov_buf *out, const void *ctx, cov_err *err)
{
    const cli_call *call = ctx;
    return cov_chain_encode_call(c, out, call->pallet, call->call, call->args, err);
}

int cli_send_call(const cli_args *a, bool json, const char *pallet, const char *call,
                  json_t *args, bool use_hotkey)
{
    cli_call named = {.pallet = pallet, .call = call, .args = args};
    named.build = build_by_name;
    named.ctx = &named;
    return cli_send(a, json, &named, use_hotkey);
}

int cli_send(const cli_args *a, bool json, cli_call *call, bool use_hotkey)
{
    cov_err err = {0};
    cov_keypair *signer = NULL;
    if (cli_load_signer(&signer, a, use_hotkey, &err) != COV_OK) {
        json_decref(call->args);
        return cli_report(json, &err);
    }
    int rc = cli_send_signed(a, json, call, signer, NULL);
    cov_keypair_free(signer);
    return rc;
}

int cli_send_signed(const cli_args *a, bool json, cli_call *call, const cov_keypair *signer,
                    json_t *extra)
{
    cov_err err = {0};
    cov_chain *c = NULL;
    cov_tx_options opts;
    cov_wait wait = COV_WAIT_INCLUSION;
    cov_buf call_bytes, xt;
    cov_buf_init(&call_bytes, 16u << 20);
    cov_buf_init(&xt, 16u << 20);
    unsigned timeout = 120;
    uint64_t t = 0;
    cov_status st = tx_options(&opts, a, &err);
    if (st == COV_OK)
        st = wait_mode(&wait, a, &err);
    /* Checked before anything is signed or sent: a bad --timeout is refused,
     * not replaced by the default. */
    if (st == COV_OK && cli_has(a, OPT_TIMEOUT) &&
        (st = cli_parse_u64(&t, cli_get(a, OPT_TIMEOUT), "--timeout", &err)) == COV_OK)
        timeout = t > 86400 ? 86400 : (unsigned)t;
    if (st == COV_OK)
        st = cli_chain_connect(&c, a, &err);
    if (st == COV_OK)
        st = call->build(c, &call_bytes, call->ctx, &err);
    if (st == COV_OK)
        st = cov_chain_sign(c, &xt, signer, call_bytes.data, call_bytes.len, &opts, &err);
    int rc = CLI_EXIT_OK;
    if (st == COV_OK && cli_has(a, OPT_DRY_RUN)) {
        json_t *obj = json_pack("{s:s,s:s,s:o,s:o}", "pallet", call->pallet, "call", call->call,
                                "call_data", cov_json_hex(call_bytes.data, call_bytes.len),
                                "extrinsic", cov_json_hex(xt.data, xt.len));
        char *hex = malloc(2 * xt.len + 4);
        if (hex) {
            hex[0] = '0';
            hex[1] = 'x';
            cov_hex_encode(hex + 2, xt.data, xt.len);
            strcat(hex, "\n");
        }
        if (extra)
            json_object_update(obj, extra);
        cli_emit(json, obj, hex);
        free(hex);
    } else if (st == COV_OK) {
        cov_tx_result r;
        if (!json && wait != COV_WAIT_NONE)
            COV_INFO("submitting %s.%s, then waiting for %s", call->pallet, call->call,
                     wait == COV_WAIT_FINALIZED ? "finalization" : "inclusion");
        st = cov_chain_submit(c, &r, xt.data, xt.len, wait, timeout, &err);
        if (st == COV_OK)
            rc = report_result(json, &r, wait, extra);
        cov_tx_result_free(&r);
    }
    if (st != COV_OK)
        rc = cli_report(json, &err);
    json_decref(call->args);
    call->args = NULL;
    json_decref(extra);
    cov_buf_free(&call_bytes);
    cov_buf_free(&xt);
    cov_chain_free(c);
    return rc;
}
