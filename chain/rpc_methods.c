/* Typed wrappers for the node methods covenant uses: C values in, hex and
 * JSON on the wire, checked C values out. Every answer is checked for the
 * shape Substrate gives it; anything else is COV_ERR_PARSE naming the
 * method and the field. */
#include "chain/rpc_internal.h"
#include "wallet/wallet.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------- params (out) */

/* A JSON params array of the given values, stolen; NULL if one of them is
 * NULL (an allocation failed) or the array cannot be made. */
static json_t *params_of(size_t n, ...)
{
    json_t *arr = json_array();
    bool ok = arr != NULL;
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        json_t *v = va_arg(ap, json_t *);
        if (!v || !ok || json_array_append_new(arr, v) != 0) {
            json_decref(v);
            ok = false;
        }
    }
    va_end(ap);
    if (!ok) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

static json_t *hash_json(const uint8_t hash[32]) { return cov_json_hex(hash, 32); }

/* Calls method with params (stolen here, for brevity at the call sites). */
static cov_status call(cov_rpc *rpc, json_t **result, const char *method,
                       json_t *params, cov_err *err)
{
    *result = NULL;
    if (!rpc)
        return cov_fail(err, COV_ERR_ARG, "%s: no RPC client", method);
    if (!params)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory building %s's params", method);
    cov_status st = cov_rpc_call(rpc, result, method, params, err);
    json_decref(params);
    return st;
}

/* ----------------------------------------------------- results (in) */

static cov_status bad_answer(cov_err *err, const char *method, const char *field,
                             const char *want)
{
    return cov_fail(err, COV_ERR_PARSE, "%s answered with %s that is not %s", method,
                    field, want);
}

static cov_status take_hash(uint8_t out[32], const json_t *v, const char *method,
                            const char *field, cov_err *err)
{
    const char *s = json_string_value(v);
    if (!s || strncmp(s, "0x", 2) != 0 || json_string_length(v) != 66 ||
        cov_hex_decode(out, 32, s, NULL) != COV_OK)
        return bad_answer(err, method, field, "a 0x-prefixed 32-byte hash");
    return COV_OK;
}

static cov_status take_bytes(uint8_t **out, size_t *len, const json_t *v,
                             size_t max, const char *method, const char *field,
                             cov_err *err)
{
    *out = NULL;
    *len = 0;
    const char *s = json_string_value(v);
    if (!s || strncmp(s, "0x", 2) != 0 || strlen(s) != json_string_length(v))
        return bad_answer(err, method, field, "0x-prefixed hex");
    cov_status st = cov_hex_decode_alloc(out, len, s, max, err);
    if (st != COV_OK && err)
        cov_err_context(err, "%s answered with bad %s", method, field);
    return st;
}

/* A block number: a "0x.." hex string (Substrate's U256-ish encoding), or a
 * plain integer from older nodes. */
static cov_status take_number(uint64_t *out, const json_t *v, const char *method,
                              const char *field, cov_err *err)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return COV_OK;
    }
    const char *s = json_string_value(v);
    size_t n = s ? json_string_length(v) : 0;
    if (!s || n < 3 || n > 18 || strncmp(s, "0x", 2) != 0)
        return bad_answer(err, method, field, "a 0x hex number below 2^64");
    uint64_t x = 0;
    for (size_t i = 2; i < n; i++) {
        int d = cov_hex_digit(s[i]);
        if (d < 0)
            return bad_answer(err, method, field, "a 0x hex number below 2^64");
        x = x << 4 | (uint64_t)d;
    }
    *out = x;
    return COV_OK;
}

static cov_status take_u32(uint32_t *out, const json_t *v, bool optional,
                           const char *method, const char *field, cov_err *err)
{
    if (!v && optional) {
        *out = 0;
        return COV_OK;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > (json_int_t)UINT32_MAX)
        return bad_answer(err, method, field, "an integer in 0..2^32-1");
    *out = (uint32_t)json_integer_value(v);
    return COV_OK;
}

static cov_status take_text(char *out, size_t cap, const json_t *v,
                            const char *method, const char *field, cov_err *err)
{
    const char *s = json_string_value(v);
    if (!s || json_string_length(v) >= cap || strlen(s) != json_string_length(v))
        return cov_fail(err, COV_ERR_PARSE,
                        "%s answered with %s that is not a string of under %zu bytes",
                        method, field, cap);
    memcpy(out, s, json_string_length(v) + 1);
    return COV_OK;
}

static cov_status call_string(cov_rpc *rpc, char **out, const char *method,
                              cov_err *err)
{
    if (!out)
        return cov_fail(err, COV_ERR_ARG, "%s: no output", method);
    *out = NULL;
    json_t *res;
    cov_status st = call(rpc, &res, method, json_array(), err);
    if (st != COV_OK)
        return st;
    const char *s = json_string_value(res);
    if (!s || strlen(s) != json_string_length(res)) {
        json_decref(res);
        return bad_answer(err, method, "a result", "a string");
    }
    *out = strdup(s);
    json_decref(res);
    return *out ? COV_OK : cov_fail(err, COV_ERR_NOMEM, "out of memory");
}

/* ---------------------------------------------------------- system_* */

cov_status cov_rpc_system_chain(cov_rpc *rpc, char **out, cov_err *err)
{
    return call_string(rpc, out, "system_chain", err);
}

cov_status cov_rpc_system_name(cov_rpc *rpc, char **out, cov_err *err)
{
    return call_string(rpc, out, "system_name", err);
}

cov_status cov_rpc_system_version(cov_rpc *rpc, char **out, cov_err *err)
{
    return call_string(rpc, out, "system_version", err);
}

cov_status cov_rpc_system_health(cov_rpc *rpc, cov_rpc_health *out, cov_err *err)
{
    static const char m[] = "system_health";
    json_t *res;
    cov_status st = call(rpc, &res, m, json_array(), err);
    if (st != COV_OK)
        return st;
    const json_t *peers = json_object_get(res, "peers");
    const json_t *syncing = json_object_get(res, "isSyncing");
    const json_t *should = json_object_get(res, "shouldHavePeers");
    if (!json_is_integer(peers) || json_integer_value(peers) < 0 ||
        !json_is_boolean(syncing) || !json_is_boolean(should))
        st = bad_answer(err, m, "a result",
                        "{peers: integer, isSyncing: bool, shouldHavePeers: bool}");
    else {
        out->peers = (uint64_t)json_integer_value(peers);
        out->is_syncing = json_is_true(syncing);
        out->should_have_peers = json_is_true(should);
    }
    json_decref(res);
    return st;
}

/* A property that may be a value or, on multi-token chains, an array. */
static const json_t *first_of(const json_t *v)
{
    return json_is_array(v) ? json_array_get(v, 0) : v;
}

cov_status cov_rpc_system_properties(cov_rpc *rpc, cov_rpc_properties *out,
                                     cov_err *err)
{
    static const char m[] = "system_properties";
    json_t *res;
    cov_status st = call(rpc, &res, m, json_array(), err);
    if (st != COV_OK)
        return st;
    out->ss58_format = -1;
    out->token_decimals = -1;
    out->token_symbol[0] = '\0';
    if (!json_is_object(res)) {
        json_decref(res);
        return bad_answer(err, m, "a result", "an object");
    }
    const json_t *ss58 = json_object_get(res, "ss58Format");
    const json_t *dec = first_of(json_object_get(res, "tokenDecimals"));
    const json_t *sym = first_of(json_object_get(res, "tokenSymbol"));
    if (ss58 && (!json_is_integer(ss58) || json_integer_value(ss58) < 0 ||
                 json_integer_value(ss58) > 16383))
        st = bad_answer(err, m, "ss58Format", "an integer in 0..16383");
    else if (dec && (!json_is_integer(dec) || json_integer_value(dec) < 0 ||
                     json_integer_value(dec) > 255))
        st = bad_answer(err, m, "tokenDecimals", "an integer in 0..255");
    else if (sym)
        st = take_text(out->token_symbol, sizeof out->token_symbol, sym, m,
                       "tokenSymbol", err);
    if (st == COV_OK) {
        out->ss58_format = ss58 ? (int)json_integer_value(ss58) : -1;
        out->token_decimals = dec ? (int)json_integer_value(dec) : -1;
    }
    json_decref(res);
    return st;
}

/* ----------------------------------------------------------- chain_* */

cov_status cov_rpc_block_hash(cov_rpc *rpc, uint8_t hash[32],
                              const uint64_t *number, cov_err *err)
{
    static const char m[] = "chain_getBlockHash";
    if (number && *number > (uint64_t)INT64_MAX)
        return cov_fail(err, COV_ERR_ARG, "block number %llu is out of range",
                        (unsigned long long)*number);
    json_t *res;
    json_t *params = number ? params_of(1, json_integer((json_int_t)*number)) : json_array();
    cov_status st = call(rpc, &res, m, params, err);
    if (st != COV_OK)
        return st;
    if (json_is_null(res))
        st = number ? cov_fail(err, COV_ERR_NOT_FOUND,
                               "the node has no block %llu (not yet produced?)",
                               (unsigned long long)*number)
                    : cov_fail(err, COV_ERR_NOT_FOUND, "the node has no best block");
    else
        st = take_hash(hash, res, m, "a result", err);
    json_decref(res);
    return st;
}

cov_status cov_rpc_finalized_head(cov_rpc *rpc, uint8_t hash[32], cov_err *err)
{
    static const char m[] = "chain_getFinalizedHead";
    json_t *res;
    cov_status st = call(rpc, &res, m, json_array(), err);
    if (st != COV_OK)
        return st;
    st = take_hash(hash, res, m, "a result", err);
    json_decref(res);
    return st;
}

static cov_status take_header(cov_rpc_header *out, const json_t *h,
                              const char *method, cov_err *err)
{
    if (!json_is_object(h))
        return bad_answer(err, method, "a header", "an object");
    cov_status st = take_hash(out->parent_hash, json_object_get(h, "parentHash"),
                              method, "parentHash", err);
    if (st == COV_OK)
        st = take_number(&out->number, json_object_get(h, "number"), method,
                         "number", err);
    if (st == COV_OK)
        st = take_hash(out->state_root, json_object_get(h, "stateRoot"), method,
                       "stateRoot", err);
    if (st == COV_OK)
        st = take_hash(out->extrinsics_root, json_object_get(h, "extrinsicsRoot"),
                       method, "extrinsicsRoot", err);
    return st;
}

static cov_status unknown_block(cov_err *err, const uint8_t *at)
{
    if (!at)
        return cov_fail(err, COV_ERR_NOT_FOUND, "the node has no best block");
    char hex[65];
    cov_hex_encode(hex, at, 32);
    return cov_fail(err, COV_ERR_NOT_FOUND,
                    "the node does not know block 0x%s (pruned, or not on its chain)",
                    hex);
}

cov_status cov_rpc_header_get(cov_rpc *rpc, cov_rpc_header *out,
                              const uint8_t *at, cov_err *err)
{
    static const char m[] = "chain_getHeader";
    json_t *res;
    cov_status st = call(rpc, &res, m, at ? params_of(1, hash_json(at)) : json_array(), err);
    if (st != COV_OK)
        return st;
    st = json_is_null(res) ? unknown_block(err, at) : take_header(out, res, m, err);
    json_decref(res);
    return st;
}

void cov_rpc_bytes_list_free(cov_rpc_bytes_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; list->items && i < list->n; i++)
        free(list->items[i]);
    free(list->items);
    free(list->lens);
    list->items = NULL;
    list->lens = NULL;
    list->n = 0;
}

static cov_status list_alloc(cov_rpc_bytes_list *list, size_t n, cov_err *err)
{
    list->n = n;
    list->items = calloc(n ? n : 1, sizeof *list->items);
    list->lens = calloc(n ? n : 1, sizeof *list->lens);
    if (!list->items || !list->lens) {
        cov_rpc_bytes_list_free(list);
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    }
    return COV_OK;
}

/* A JSON array of hex strings into a byte-string list. */
static cov_status take_bytes_array(cov_rpc_bytes_list *out, const json_t *arr,
                                   size_t max, const char *method,
                                   const char *field, cov_err *err)
{
    if (!json_is_array(arr))
        return bad_answer(err, method, field, "an array");
    cov_status st = list_alloc(out, json_array_size(arr), err);
    for (size_t i = 0; st == COV_OK && i < out->n; i++)
        st = take_bytes(&out->items[i], &out->lens[i], json_array_get(arr, i), max,
                        method, field, err);
    if (st != COV_OK)
        cov_rpc_bytes_list_free(out);
    return st;
}

cov_status cov_rpc_block_get(cov_rpc *rpc, cov_rpc_block *out, const uint8_t *at,
                             cov_err *err)
{
    static const char m[] = "chain_getBlock";
    memset(out, 0, sizeof *out);
    json_t *res;
    cov_status st = call(rpc, &res, m, at ? params_of(1, hash_json(at)) : json_array(), err);
    if (st != COV_OK)
        return st;
    const json_t *block = json_object_get(res, "block");
    if (json_is_null(res))
        st = unknown_block(err, at);
    else if (!json_is_object(block))
        st = bad_answer(err, m, "a result", "{block: {header, extrinsics}}");
    else
        st = take_header(&out->header, json_object_get(block, "header"), m, err);
    if (st == COV_OK)
        st = take_bytes_array(&out->extrinsics, json_object_get(block, "extrinsics"),
                              rpc->opts.max_response, m, "extrinsics", err);
    json_decref(res);
    return st;
}

void cov_rpc_block_free(cov_rpc_block *block)
{
    if (block)
        cov_rpc_bytes_list_free(&block->extrinsics);
}

/* ----------------------------------------------------------- state_* */

cov_status cov_rpc_runtime_version_get(cov_rpc *rpc, cov_rpc_runtime_version *out,
                                       const uint8_t *at, cov_err *err)
{
    static const char m[] = "state_getRuntimeVersion";
    json_t *res;
    cov_status st = call(rpc, &res, m, at ? params_of(1, hash_json(at)) : json_array(), err);
    if (st != COV_OK)
        return st;
    memset(out, 0, sizeof *out);
    if (!json_is_object(res))
        st = bad_answer(err, m, "a result", "an object");
    if (st == COV_OK)
        st = take_text(out->spec_name, sizeof out->spec_name,
                       json_object_get(res, "specName"), m, "specName", err);
    if (st == COV_OK)
        st = take_text(out->impl_name, sizeof out->impl_name,
                       json_object_get(res, "implName"), m, "implName", err);
    if (st == COV_OK)
        st = take_u32(&out->spec_version, json_object_get(res, "specVersion"), false,
                      m, "specVersion", err);
    if (st == COV_OK)
        st = take_u32(&out->impl_version, json_object_get(res, "implVersion"), false,
                      m, "implVersion", err);
    if (st == COV_OK)
        st = take_u32(&out->transaction_version,
                      json_object_get(res, "transactionVersion"), false, m,
                      "transactionVersion", err);
    if (st == COV_OK)
        st = take_u32(&out->authoring_version, json_object_get(res, "authoringVersion"),
                      true, m, "authoringVersion", err);
    if (st == COV_OK)
        st = take_u32(&out->state_version, json_object_get(res, "stateVersion"), true,
                      m, "stateVersion", err);
    json_decref(res);
    return st;
}

cov_status cov_rpc_metadata_get(cov_rpc *rpc, uint8_t **bytes, size_t *len,
                                const uint8_t *at, cov_err *err)
{
    static const char m[] = "state_getMetadata";
    *bytes = NULL;
    *len = 0;
    json_t *res;
    cov_status st = call(rpc, &res, m, at ? params_of(1, hash_json(at)) : json_array(), err);
    if (st != COV_OK)
        return st;
    st = take_bytes(bytes, len, res, rpc->opts.max_response, m, "a result", err);
    json_decref(res);
    /* RuntimeMetadataPrefixed starts with the magic "meta", then a version. */
    if (st == COV_OK && (*len < 5 || memcmp(*bytes, "meta", 4) != 0)) {
        free(*bytes);
        *bytes = NULL;
        *len = 0;
        st = cov_fail(err, COV_ERR_PARSE,
                      "state_getMetadata answered with bytes that lack the \"meta\" magic");
    }
    return st;
}

cov_status cov_rpc_storage_get(cov_rpc *rpc, uint8_t **value, size_t *len,
                               bool *found, const uint8_t *key, size_t key_len,
                               const uint8_t *at, cov_err *err)
{
    static const char m[] = "state_getStorage";
    *value = NULL;
    *len = 0;
    *found = false;
    if (!key && key_len)
        return cov_fail(err, COV_ERR_ARG, "%s: no key", m);
    json_t *k = cov_json_hex(key, key_len);
    json_t *params = at ? params_of(2, k, hash_json(at)) : params_of(1, k);
    json_t *res;
    cov_status st = call(rpc, &res, m, params, err);
    if (st != COV_OK)
        return st;
    if (!json_is_null(res)) {
        st = take_bytes(value, len, res, rpc->opts.max_response, m, "a result", err);
        *found = st == COV_OK;
    }
    json_decref(res);
    return st;
}

cov_status cov_rpc_keys_paged(cov_rpc *rpc, cov_rpc_bytes_list *keys,
                              const uint8_t *prefix, size_t prefix_len,
                              uint32_t count, const uint8_t *start_key,
                              size_t start_key_len, const uint8_t *at,
                              cov_err *err)
{
    static const char m[] = "state_getKeysPaged";
    memset(keys, 0, sizeof *keys);
    if ((!prefix && prefix_len) || count == 0)
        return cov_fail(err, COV_ERR_ARG, "%s: no prefix, or a count of 0", m);
    /* Positional: start_key must be there (null) when `at` is. */
    json_t *start = start_key ? cov_json_hex(start_key, start_key_len) : json_null();
    json_t *p = cov_json_hex(prefix, prefix_len);
    json_t *c = json_integer(count);
    json_t *params = at ? params_of(4, p, c, start, hash_json(at))
                        : params_of(3, p, c, start);
    json_t *res;
    cov_status st = call(rpc, &res, m, params, err);
    if (st != COV_OK)
        return st;
    st = take_bytes_array(keys, res, rpc->opts.max_response, m, "a result", err);
    json_decref(res);
    return st;
}

/* Which request key an answered key is: every index it equals is filled
 * (a request may repeat a key). Returns false if none matches. */
static bool place_value(cov_rpc_bytes_list *values, bool *found, size_t n,
                        const uint8_t *const *keys, const size_t *key_lens,
                        const uint8_t *key, size_t key_len, const uint8_t *value,
                        size_t value_len, bool has_value, bool *nomem)
{
    bool matched = false;
    for (size_t i = 0; i < n; i++) {
        if (key_lens[i] != key_len || (key_len && memcmp(keys[i], key, key_len) != 0))
            continue;
        matched = true;
        free(values->items[i]);
        values->items[i] = NULL;
        values->lens[i] = 0;
        found[i] = has_value;
        if (!has_value)
            continue;
        values->items[i] = malloc(value_len ? value_len : 1);
        if (!values->items[i]) {
            *nomem = true;
            return true;
        }
        if (value_len)
            memcpy(values->items[i], value, value_len);
        values->lens[i] = value_len;
    }
    return matched;
}

static cov_status take_changes(cov_rpc_bytes_list *values, bool *found, size_t n,
                               const uint8_t *const *keys, const size_t *key_lens,
                               const json_t *sets, size_t max, cov_err *err)
{
    static const char m[] = "state_queryStorageAt";
    if (!json_is_array(sets))
        return bad_answer(err, m, "a result", "an array of change sets");
    size_t i;
    const json_t *set;
    json_array_foreach(sets, i, set) {
        const json_t *changes = json_object_get(set, "changes");
        if (!json_is_array(changes))
            return bad_answer(err, m, "a change set", "{block, changes: [...]}");
        size_t j;
        const json_t *change;
        json_array_foreach(changes, j, change) {
            const json_t *jv = json_array_get(change, 1);
            if (!json_is_array(change) || json_array_size(change) != 2)
                return bad_answer(err, m, "a change", "a [key, value] pair");
            uint8_t *key = NULL, *value = NULL;
            size_t key_len = 0, value_len = 0;
            cov_status st = take_bytes(&key, &key_len, json_array_get(change, 0), max,
                                       m, "a key", err);
            if (st == COV_OK && !json_is_null(jv))
                st = take_bytes(&value, &value_len, jv, max, m, "a value", err);
            bool nomem = false;
            if (st == COV_OK &&
                !place_value(values, found, n, keys, key_lens, key, key_len, value,
                             value_len, !json_is_null(jv), &nomem))
                st = cov_fail(err, COV_ERR_PARSE,
                              "%s answered for a key that was not asked for", m);
            if (st == COV_OK && nomem)
                st = cov_fail(err, COV_ERR_NOMEM, "out of memory");
            free(key);
            free(value);
            if (st != COV_OK)
                return st;
        }
    }
    return COV_OK;
}

cov_status cov_rpc_query_storage_at(cov_rpc *rpc, cov_rpc_bytes_list *values,
                                    bool *found, size_t n,
                                    const uint8_t *const *keys,
                                    const size_t *key_lens, const uint8_t *at,
                                    cov_err *err)
{
    static const char m[] = "state_queryStorageAt";
    memset(values, 0, sizeof *values);
    if (n && (!found || !keys || !key_lens))
        return cov_fail(err, COV_ERR_ARG, "%s: no keys or outputs", m);
    cov_status st = list_alloc(values, n, err);
    if (st != COV_OK)
        return st;
    for (size_t i = 0; i < n; i++)
        found[i] = false;
    if (n == 0)
        return COV_OK;
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        if (!keys[i] && key_lens[i]) {
            json_decref(arr);
            cov_rpc_bytes_list_free(values);
            return cov_fail(err, COV_ERR_ARG, "%s: key %zu is missing", m, i);
        }
        if (json_array_append_new(arr, cov_json_hex(keys[i], key_lens[i])) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    json_t *params = at ? params_of(2, arr, hash_json(at)) : params_of(1, arr);
    json_t *res;
    st = call(rpc, &res, m, params, err);
    if (st == COV_OK)
        st = take_changes(values, found, n, keys, key_lens, res,
                          rpc->opts.max_response, err);
    json_decref(res);
    if (st != COV_OK) {
        cov_rpc_bytes_list_free(values);
        for (size_t i = 0; i < n; i++)
            found[i] = false;
    }
    return st;
}

cov_status cov_rpc_state_call(cov_rpc *rpc, uint8_t **out, size_t *out_len,
                              const char *method, const uint8_t *data,
                              size_t data_len, const uint8_t *at, cov_err *err)
{
    static const char m[] = "state_call";
    *out = NULL;
    *out_len = 0;
    if (!method || !*method || (!data && data_len))
        return cov_fail(err, COV_ERR_ARG, "%s: no runtime API method or data", m);
    json_t *name = json_string(method);
    json_t *d = cov_json_hex(data, data_len);
    json_t *params = at ? params_of(3, name, d, hash_json(at)) : params_of(2, name, d);
    json_t *res;
    cov_status st = call(rpc, &res, m, params, err);
    if (st != COV_OK) {
        if (err)
            cov_err_context(err, "runtime API %.64s", method);
        return st;
    }
    st = take_bytes(out, out_len, res, rpc->opts.max_response, m, "a result", err);
    json_decref(res);
    return st;
}

/* ------------------------------------------------- accounts, author_* */

cov_status cov_rpc_account_next_index(cov_rpc *rpc, uint64_t *nonce,
                                      const char *ss58, cov_err *err)
{
    static const char m[] = "system_accountNextIndex";
    if (!ss58 || !nonce)
        return cov_fail(err, COV_ERR_ARG, "%s: no address or output", m);
    uint8_t account[32];
    cov_status st = cov_ss58_decode(account, NULL, ss58, -1, err);
    if (st != COV_OK)
        return st;
    json_t *res;
    st = call(rpc, &res, m, params_of(1, json_string(ss58)), err);
    if (st != COV_OK)
        return st;
    if (!json_is_integer(res) || json_integer_value(res) < 0)
        st = bad_answer(err, m, "a result", "a non-negative integer");
    else
        *nonce = (uint64_t)json_integer_value(res);
    json_decref(res);
    return st;
}

cov_status cov_rpc_submit_extrinsic(cov_rpc *rpc, uint8_t hash[32],
                                    const uint8_t *extrinsic, size_t len,
                                    cov_err *err)
{
    static const char m[] = "author_submitExtrinsic";
    if (!extrinsic || len == 0)
        return cov_fail(err, COV_ERR_ARG, "%s: no extrinsic", m);
    json_t *res;
    cov_status st = call(rpc, &res, m, params_of(1, cov_json_hex(extrinsic, len)), err);
    if (st != COV_OK)
        return st;
    st = take_hash(hash, res, m, "a result", err);
    json_decref(res);
    return st;
}

cov_status cov_rpc_payment_query_info(cov_rpc *rpc, json_t **info,
                                      const uint8_t *extrinsic, size_t len,
                                      const uint8_t *at, cov_err *err)
{
    static const char m[] = "payment_queryInfo";
    *info = NULL;
    if (!extrinsic || len == 0)
        return cov_fail(err, COV_ERR_ARG, "%s: no extrinsic", m);
    json_t *x = cov_json_hex(extrinsic, len);
    json_t *params = at ? params_of(2, x, hash_json(at)) : params_of(1, x);
    json_t *res;
    cov_status st = call(rpc, &res, m, params, err);
    if (st != COV_OK)
        return st;
    if (!json_is_object(res) || !json_object_get(res, "partialFee")) {
        json_decref(res);
        return bad_answer(err, m, "a result", "an object with partialFee");
    }
    *info = res;
    return COV_OK;
}
