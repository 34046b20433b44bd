/* extrinsic_tool: covenant's eras, storage keys and signed extrinsics for
 * JSON requests, so tests/interop/extrinsic.py can hold them against
 * polkadot-js (tests/interop/extrinsic_oracle.mjs). It speaks the oracle's
 * protocol: one JSON request per line on stdin, one JSON answer per line on
 * stdout; see the oracle's header for the fields. Every extrinsic it builds
 * is also decoded again, and every storage key split again, and the answer
 * says whether those round trips gave back what went in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool_main.h"

#include "chain/chain.h"

#define MAX_EXTS 32
#define XT_CAP (1u << 20)

/* ---------------------------------------------------------------- input */

/* A non-negative integer, as a JSON integer or a decimal string (JSON
 * numbers cannot carry all of u64). */
static bool get_u64(const json_t *v, uint64_t *out)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return true;
    }
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    if (!*s)
        return false;
    uint64_t x = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        uint64_t d = (uint64_t)(*s - '0');
        if (x > (UINT64_MAX - d) / 10)
            return false;
        x = x * 10 + d;
    }
    *out = x;
    return true;
}

static cov_status get_hex(uint8_t **out, size_t *len, const json_t *obj,
                          const char *key, cov_err *err)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s)
        return cov_fail(err, COV_ERR_ARG, "missing hex field %s", key);
    return cov_hex_decode_alloc(out, len, s, XT_CAP, err);
}

static cov_status get_hash(uint8_t out[32], const json_t *obj,
                           const char *key, cov_err *err)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s)
        return cov_fail(err, COV_ERR_ARG, "missing hash field %s", key);
    return cov_hex_decode(out, 32, s, err);
}

static cov_status get_era(cov_era *era, uint64_t *current, const json_t *v,
                          cov_err *err)
{
    *current = 0;
    if (!v || json_is_null(v) ||
        json_is_true(json_object_get(v, "immortal"))) {
        *era = cov_era_immortal();
        return COV_OK;
    }
    uint64_t period;
    if (!get_u64(json_object_get(v, "current"), current) ||
        !get_u64(json_object_get(v, "period"), &period))
        return cov_fail(err, COV_ERR_ARG, "era needs current and period");
    *era = cov_era_mortal(*current, period);
    return COV_OK;
}

static bool parse_hasher(const char *name, cov_storage_hasher *out)
{
    for (int h = 0; h < COV_HASHER_COUNT; h++)
        if (strcmp(cov_storage_hasher_name((cov_storage_hasher)h), name) == 0) {
            *out = (cov_storage_hasher)h;
            return true;
        }
    return false;
}

/* ------------------------------------------------------------------ ops */

static json_t *op_era(const json_t *item, cov_err *err)
{
    cov_era era;
    uint64_t current;
    uint8_t enc[COV_ERA_MAX_LEN];
    size_t n;
    if (get_era(&era, &current, item, err) != COV_OK ||
        cov_era_encode(enc, &n, &era, err) != COV_OK)
        return NULL;
    cov_era back;
    size_t used;
    bool round_trip = cov_era_decode(&back, &used, enc, n, err) == COV_OK &&
                      used == n && back.mortal == era.mortal &&
                      back.period == era.period && back.phase == era.phase;
    json_t *r = json_pack("{s:o,s:b,s:b}", "encoded", cov_json_hex(enc, n),
                          "mortal", era.mortal, "round_trip", round_trip);
    if (era.mortal) {
        json_object_set_new(r, "period", json_integer((json_int_t)era.period));
        json_object_set_new(r, "phase", json_integer((json_int_t)era.phase));
        json_object_set_new(
            r, "birth", json_integer((json_int_t)cov_era_birth(&era, current)));
        json_object_set_new(
            r, "death", json_integer((json_int_t)cov_era_death(&era, current)));
    }
    return r;
}

/* Key lengths for the split round trip, from the request itself. */
typedef struct {
    size_t lens[MAX_EXTS];
} key_lens;

static json_t *op_storage_key(const json_t *item, cov_err *err)
{
    const char *pallet = json_string_value(json_object_get(item, "pallet"));
    const char *name = json_string_value(json_object_get(item, "item"));
    const json_t *keys = json_object_get(item, "keys");
    size_t n = json_array_size(keys);
    if (!pallet || !name || n > MAX_EXTS) {
        cov_fail(err, COV_ERR_ARG, "storage_key needs pallet, item, keys");
        return NULL;
    }
    cov_storage_hasher hashers[MAX_EXTS];
    key_lens kl;
    uint8_t *raw[MAX_EXTS] = {0};
    cov_buf key;
    cov_buf_init(&key, XT_CAP);
    json_t *r = NULL;
    cov_status st = cov_storage_key_begin(&key, pallet, name, err);
    for (size_t i = 0; st == COV_OK && i < n; i++) {
        const json_t *k = json_array_get(keys, i);
        const char *h = json_string_value(json_object_get(k, "hasher"));
        if (!h || !parse_hasher(h, &hashers[i])) {
            st = cov_fail(err, COV_ERR_ARG, "unknown hasher");
            break;
        }
        st = get_hex(&raw[i], &kl.lens[i], k, "key", err);
        if (st == COV_OK)
            st = cov_storage_key_append(&key, hashers[i], raw[i],
                                        kl.lens[i], err);
    }
    if (st == COV_OK) {
        uint8_t prefix[COV_STORAGE_PREFIX_LEN];
        cov_storage_prefix(prefix, pallet, name);
        cov_storage_key_part parts[MAX_EXTS];
        bool split_ok = cov_storage_key_split(parts, key.data, key.len, prefix,
                                              hashers, n,
                                              cov_storage_key_len_fixed, kl.lens,
                                              err) == COV_OK;
        for (size_t i = 0; split_ok && i < n; i++)
            if (cov_storage_hasher_is_concat(hashers[i]))
                split_ok = parts[i].key_len == kl.lens[i] &&
                           (kl.lens[i] == 0 ||
                            memcmp(parts[i].key, raw[i], kl.lens[i]) == 0);
        r = json_pack("{s:o,s:b}", "key", cov_json_hex(key.data, key.len),
                      "split_ok", split_ok);
    }
    for (size_t i = 0; i < n; i++)
        free(raw[i]);
    cov_buf_free(&key);
    return r;
}

/* Builds the values from the request's "values" object. */
static cov_status get_values(cov_tx_values *v, const json_t *j, cov_err *err)
{
    memset(v, 0, sizeof *v);
    uint64_t spec, txver, mode = 0, current;
    if (!get_u64(json_object_get(j, "spec"), &spec) ||
        !get_u64(json_object_get(j, "txver"), &txver) ||
        !get_u64(json_object_get(j, "nonce"), &v->nonce) ||
        !get_u64(json_object_get(j, "tip"), &v->tip) || spec > UINT32_MAX ||
        txver > UINT32_MAX)
        return cov_fail(err, COV_ERR_ARG, "values need spec, txver, nonce, tip");
    json_t *m = json_object_get(j, "mode");
    if (m && !get_u64(m, &mode))
        return cov_fail(err, COV_ERR_ARG, "bad mode");
    v->spec_version = (uint32_t)spec;
    v->tx_version = (uint32_t)txver;
    v->metadata_hash_mode = mode > 255 ? 255 : (uint8_t)mode;
    cov_status st = get_hash(v->genesis_hash, j, "genesis", err);
    if (st == COV_OK)
        st = get_hash(v->era_block_hash, j, "era_block_hash", err);
    if (st == COV_OK && mode == 1)
        st = get_hash(v->metadata_hash, j, "metadata_hash", err);
    if (st == COV_OK)
        st = get_era(&v->era, &current, json_object_get(j, "era"), err);
    return st;
}

static json_t *op_extrinsic(const json_t *item, cov_err *err)
{
    const char *suri = json_string_value(json_object_get(item, "suri"));
    const char *crypto = json_string_value(json_object_get(item, "crypto"));
    const json_t *ids_j = json_object_get(item, "extensions");
    const json_t *zero_j = json_object_get(item, "zero_sized");
    size_t n = json_array_size(ids_j), nz = json_array_size(zero_j);
    cov_key_type type;
    if (!suri || !crypto || !cov_key_type_parse(crypto, &type) ||
        n > MAX_EXTS || nz > MAX_EXTS) {
        cov_fail(err, COV_ERR_ARG, "extrinsic needs suri, crypto, extensions");
        return NULL;
    }
    const char *ids[MAX_EXTS], *zero[MAX_EXTS + 1];
    for (size_t i = 0; i < n; i++)
        ids[i] = json_string_value(json_array_get(ids_j, i));
    for (size_t i = 0; i < nz; i++)
        zero[i] = json_string_value(json_array_get(zero_j, i));
    zero[nz] = NULL;
    for (size_t i = 0; i < n; i++)
        if (!ids[i]) {
            cov_fail(err, COV_ERR_ARG, "extension identifiers are strings");
            return NULL;
        }

    json_t *r = NULL;
    cov_keypair *kp = NULL;
    uint8_t *call = NULL;
    size_t call_len = 0;
    cov_buf payload, xt;
    cov_buf_init(&payload, XT_CAP);
    cov_buf_init(&xt, XT_CAP);
    cov_tx_values values;
    cov_tx_extension exts[MAX_EXTS];
    cov_status st = get_values(&values, json_object_get(item, "values"), err);
    if (st == COV_OK)
        st = get_hex(&call, &call_len, item, "call", err);
    if (st == COV_OK)
        st = cov_tx_extensions_build(exts, ids, n, &values,
                                     cov_tx_ext_zero_sized_in_list, zero, err);
    if (st == COV_OK)
        st = cov_keypair_from_suri(&kp, suri, type, err);
    if (st == COV_OK)
        st = cov_extrinsic_payload(&payload, call, call_len, exts, n, err);
    if (st == COV_OK)
        st = cov_extrinsic_sign(&xt, kp, call, call_len, exts, n, err);
    cov_extrinsic_parts parts;
    if (st == COV_OK)
        st = cov_extrinsic_decode(&parts, NULL, xt.data, xt.len,
                                  cov_tx_extensions_extra_len(exts, n), err);
    if (st == COV_OK) {
        uint8_t scratch[32], account[32];
        size_t msg_len;
        const uint8_t *msg = cov_extrinsic_signing_message(
            scratch, &msg_len, payload.data, payload.len);
        cov_keypair_account_id(kp, account);
        /* The decoded parts must be what went in, and the signature must
         * verify as the chain checks it (against the account id). */
        cov_buf extras;
        cov_buf_init(&extras, XT_CAP);
        for (size_t i = 0; st == COV_OK && i < n; i++)
            st = cov_buf_append(&extras, exts[i].extra, exts[i].extra_len,
                                err);
        bool decode_ok =
            st == COV_OK && parts.is_signed && parts.sig_type == type &&
            memcmp(parts.account, account, 32) == 0 &&
            parts.extra_len == extras.len &&
            (extras.len == 0 ||
             memcmp(parts.extra, extras.data, extras.len) == 0) &&
            parts.call_len == call_len &&
            memcmp(parts.call, call, call_len) == 0;
        bool verifies =
            cov_verify_account(type, parts.account, parts.signature,
                               parts.sig_len, msg, msg_len, NULL) == COV_OK;
        cov_buf_free(&extras);
        uint8_t multisig[1 + COV_SIGNATURE_MAX];
        multisig[0] = type == COV_KEY_ED25519 ? 0 : type == COV_KEY_SR25519 ? 1 : 2;
        memcpy(multisig + 1, parts.signature, parts.sig_len);
        uint8_t txhash[32];
        cov_extrinsic_hash(txhash, xt.data, xt.len);
        if (st == COV_OK)
            r = json_pack(
                "{s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:b}", "payload",
                cov_json_hex(payload.data, payload.len), "signing_message",
                cov_json_hex(msg, msg_len), "signature",
                cov_json_hex(multisig, 1 + parts.sig_len), "account",
                cov_json_hex(account, 32), "extrinsic",
                cov_json_hex(xt.data, xt.len), "hash",
                cov_json_hex(txhash, 32), "decode_ok", decode_ok, "verifies",
                verifies);
    }
    cov_keypair_free(kp);
    free(call);
    cov_buf_free(&payload);
    cov_buf_free(&xt);
    return r;
}

/* --------------------------------------------------------------- driver */

typedef json_t *(*op_fn)(const json_t *item, cov_err *err);

static json_t *handle(const char *line)
{
    json_error_t jerr;
    json_t *req = json_loads(line, 0, &jerr);
    const char *op = json_string_value(json_object_get(req, "op"));
    const json_t *items = json_object_get(req, "items");
    op_fn fn = NULL;
    if (op && strcmp(op, "era") == 0)
        fn = op_era;
    else if (op && strcmp(op, "storage_key") == 0)
        fn = op_storage_key;
    else if (op && strcmp(op, "extrinsic") == 0)
        fn = op_extrinsic;
    json_t *resp;
    if (!fn || !json_is_array(items)) {
        resp = json_pack("{s:b,s:s}", "ok", 0, "error",
                         req ? "unknown op or no items" : jerr.text);
    } else {
        json_t *results = json_array();
        for (size_t i = 0; i < json_array_size(items); i++) {
            cov_err err;
            cov_err_clear(&err);
            json_t *r = fn(json_array_get(items, i), &err);
            json_array_append_new(
                results, r ? r : json_pack("{s:s}", "error", err.msg));
        }
        resp = json_pack("{s:b,s:o}", "ok", 1, "results", results);
    }
    json_decref(req);
    return resp;
}

int main(void) { return tool_run("extrinsic_tool", handle); }
