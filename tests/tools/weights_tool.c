/* weights_tool: covenant's weight processing for JSON requests, so
 * tests/interop/weights.py can hold it against the bittensor SDK.
 *
 * One request per line on stdin, {"op": OP, "items": [...]}, one answer
 * per line on stdout, {"ok": true, "results": [...]} with one result per
 * item (or {"error": {"code", "message"}} for an item covenant refuses).
 * Floats travel as their IEEE bits in hex ("3dcccccd" for a float32,
 * 16 digits for a float64), so nothing is lost or reparsed on the way.
 *
 *   normalize {"dtype": "f32"|"f64", "x": [bits], "limit": bits64}
 *             -> {"y": [bits]}
 *   process   {"uids": [int], "weights": [bits32], "n": int, "min": int,
 *              "limit": u16, "exclude_quantile": u16}
 *             -> {"uids": [int], "weights": [bits], "f64": bool, "branch": str}
 *   emit      {"uids": [int], "weights": [bits64]} -> {"uids": [], "values": []}
 *   hash      {"hotkey": "0x" 32 bytes, "netuid": int, "mechid": int,
 *              "uids": [], "values": [], "salt": [], "version_key": int}
 *             -> {"hash": "0x..."}
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool_main.h"

#include "chain/chain.h"
#include "incentive/incentive.h"

#define MAX_ITEMS ((size_t)1 << 20)

static json_t *error_of(const cov_err *err)
{
    return cov_json_error(err);
}

/* ---------------------------------------------------------------- input */

static bool parse_bits(const char *s, int digits, uint64_t *out)
{
    if (s == NULL || (int)strlen(s) != digits)
        return false;
    uint64_t x = 0;
    for (int i = 0; i < digits; i++) {
        int d = cov_hex_digit(s[i]);
        if (d < 0)
            return false;
        x = x << 4 | (uint64_t)d;
    }
    *out = x;
    return true;
}

static float f32_of(uint64_t bits)
{
    uint32_t b = (uint32_t)bits;
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

static double f64_of(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static json_t *bits_f32(float f)
{
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    char s[9];
    snprintf(s, sizeof s, "%08" PRIx32, b);
    return json_string(s);
}

static json_t *bits_f64(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    char s[17];
    snprintf(s, sizeof s, "%016" PRIx64, b);
    return json_string(s);
}

/* An array field of hex bit strings (digits 8 or 16) as raw bits;
 * *out is malloc'd (at least one element, so never NULL on success). */
static cov_status get_bits(uint64_t **out, size_t *n, const json_t *item, const char *key,
                           int digits, cov_err *err)
{
    const json_t *a = json_object_get(item, key);
    if (!json_is_array(a) || json_array_size(a) > MAX_ITEMS)
        return cov_fail(err, COV_ERR_ARG, "field %s must be an array of hex bits", key);
    *n = json_array_size(a);
    *out = malloc((*n + 1) * sizeof **out);
    if (*out == NULL)
        return cov_fail(err, COV_ERR_NOMEM, "no memory");
    for (size_t i = 0; i < *n; i++)
        if (!parse_bits(json_string_value(json_array_get(a, i)), digits, &(*out)[i])) {
            free(*out);
            *out = NULL;
            return cov_fail(err, COV_ERR_ARG, "%s[%zu] is not %d hex digits", key, i, digits);
        }
    return COV_OK;
}

/* An array of integers within [lo, hi]; *out malloc'd. */
static cov_status get_ints(int64_t **out, size_t *n, const json_t *item, const char *key,
                           int64_t lo, int64_t hi, cov_err *err)
{
    const json_t *a = json_object_get(item, key);
    if (!json_is_array(a) || json_array_size(a) > MAX_ITEMS)
        return cov_fail(err, COV_ERR_ARG, "field %s must be an array of integers", key);
    *n = json_array_size(a);
    *out = malloc((*n + 1) * sizeof **out);
    if (*out == NULL)
        return cov_fail(err, COV_ERR_NOMEM, "no memory");
    for (size_t i = 0; i < *n; i++) {
        const json_t *v = json_array_get(a, i);
        if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
            free(*out);
            *out = NULL;
            return cov_fail(err, COV_ERR_ARG, "%s[%zu] is not an integer in [%" PRId64
                            ", %" PRId64 "]", key, i, lo, hi);
        }
        (*out)[i] = (int64_t)json_integer_value(v);
    }
    return COV_OK;
}

static cov_status get_int(int64_t *out, const json_t *item, const char *key, int64_t lo,
                          int64_t hi, cov_err *err)
{
    const json_t *v = json_object_get(item, key);
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return cov_fail(err, COV_ERR_ARG, "field %s must be an integer in [%" PRId64
                        ", %" PRId64 "]", key, lo, hi);
    *out = (int64_t)json_integer_value(v);
    return COV_OK;
}

static uint16_t *to_u16(const int64_t *a, size_t n)
{
    uint16_t *u = malloc((n + 1) * sizeof *u);
    if (u != NULL)
        for (size_t i = 0; i < n; i++)
            u[i] = (uint16_t)a[i];
    return u;
}

/* ------------------------------------------------------------------ ops */

static json_t *op_normalize(const json_t *item, cov_err *err)
{
    const char *dtype = json_string_value(json_object_get(item, "dtype"));
    bool f64 = dtype != NULL && strcmp(dtype, "f64") == 0;
    if (dtype == NULL || (!f64 && strcmp(dtype, "f32") != 0)) {
        cov_fail(err, COV_ERR_ARG, "dtype must be f32 or f64");
        return NULL;
    }
    uint64_t limit_bits;
    if (!parse_bits(json_string_value(json_object_get(item, "limit")), 16, &limit_bits)) {
        cov_fail(err, COV_ERR_ARG, "limit must be 16 hex digits (float64 bits)");
        return NULL;
    }
    double limit = f64_of(limit_bits);
    uint64_t *bits;
    size_t n = 0;
    if (get_bits(&bits, &n, item, "x", f64 ? 16 : 8, err) != COV_OK)
        return NULL;
    json_t *y = json_array();
    cov_status st;
    if (f64) {
        double *x = malloc((n + 1) * sizeof *x);
        st = x ? COV_OK : cov_fail(err, COV_ERR_NOMEM, "no memory");
        for (size_t i = 0; st == COV_OK && i < n; i++)
            x[i] = f64_of(bits[i]);
        if (st == COV_OK)
            st = cov_weights_normalize_max_f64(x, x, n, limit, err);
        for (size_t i = 0; st == COV_OK && i < n; i++)
            json_array_append_new(y, bits_f64(x[i]));
        free(x);
    } else {
        float *x = malloc((n + 1) * sizeof *x);
        st = x ? COV_OK : cov_fail(err, COV_ERR_NOMEM, "no memory");
        for (size_t i = 0; st == COV_OK && i < n; i++)
            x[i] = f32_of(bits[i]);
        if (st == COV_OK)
            st = cov_weights_normalize_max_f32(x, x, n, limit, err);
        for (size_t i = 0; st == COV_OK && i < n; i++)
            json_array_append_new(y, bits_f32(x[i]));
        free(x);
    }
    free(bits);
    if (st != COV_OK) {
        json_decref(y);
        return NULL;
    }
    return json_pack("{s:o}", "y", y);
}

static const char *branch_name(cov_weights_branch b)
{
    return b == COV_WEIGHTS_UNIFORM ? "uniform" : b == COV_WEIGHTS_PADDED ? "padded"
                                                                         : "filtered";
}

static json_t *op_process(const json_t *item, cov_err *err)
{
    int64_t *uids = NULL, n_neurons = 0, min_allowed = 0, limit = 0, quantile = 0;
    uint64_t *bits = NULL;
    size_t n_uids = 0, n = 0;
    json_t *r = NULL;
    float *w = NULL;
    if (get_ints(&uids, &n_uids, item, "uids", INT64_MIN, INT64_MAX, err) != COV_OK ||
        get_bits(&bits, &n, item, "weights", 8, err) != COV_OK ||
        get_int(&n_neurons, item, "n", 0, UINT16_MAX, err) != COV_OK ||
        get_int(&min_allowed, item, "min", 0, UINT16_MAX, err) != COV_OK ||
        get_int(&limit, item, "limit", 0, UINT16_MAX, err) != COV_OK ||
        get_int(&quantile, item, "exclude_quantile", 0, UINT16_MAX, err) != COV_OK)
        goto out;
    if (n_uids != n) {
        cov_fail(err, COV_ERR_ARG, "%zu uids for %zu weights", n_uids, n);
        goto out;
    }
    w = malloc((n + 1) * sizeof *w);
    if (w == NULL) {
        cov_fail(err, COV_ERR_NOMEM, "no memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        w[i] = f32_of(bits[i]);
    cov_weights_processed p;
    if (cov_weights_process(&p, uids, w, n, (uint16_t)n_neurons, (uint16_t)min_allowed,
                            (uint16_t)limit, (uint16_t)quantile, err) != COV_OK) {
        cov_weights_processed_free(&p);
        goto out;
    }
    json_t *ru = json_array(), *rw = json_array();
    for (size_t i = 0; i < p.len; i++) {
        json_array_append_new(ru, json_integer(p.uids[i]));
        json_array_append_new(rw, p.f64 ? bits_f64(p.weights[i])
                                        : bits_f32((float)p.weights[i]));
    }
    r = json_pack("{s:o,s:o,s:b,s:s}", "uids", ru, "weights", rw, "f64", p.f64, "branch",
                  branch_name(p.branch));
    cov_weights_processed_free(&p);
out:
    free(uids);
    free(bits);
    free(w);
    return r;
}

static json_t *op_emit(const json_t *item, cov_err *err)
{
    int64_t *uids = NULL;
    uint64_t *bits = NULL;
    size_t n_uids = 0, n = 0;
    json_t *r = NULL;
    double *w = NULL;
    uint16_t *ou = NULL, *ov = NULL;
    if (get_ints(&uids, &n_uids, item, "uids", INT64_MIN, INT64_MAX, err) != COV_OK ||
        get_bits(&bits, &n, item, "weights", 16, err) != COV_OK)
        goto out;
    w = malloc((n + 1) * sizeof *w);
    ou = malloc((n + 1) * sizeof *ou);
    ov = malloc((n + 1) * sizeof *ov);
    if (w == NULL || ou == NULL || ov == NULL) {
        cov_fail(err, COV_ERR_NOMEM, "no memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        w[i] = f64_of(bits[i]);
    size_t len;
    if (cov_weights_emit(ou, ov, &len, uids, n_uids, w, n, err) != COV_OK)
        goto out;
    json_t *ru = json_array(), *rv = json_array();
    for (size_t i = 0; i < len; i++) {
        json_array_append_new(ru, json_integer(ou[i]));
        json_array_append_new(rv, json_integer(ov[i]));
    }
    r = json_pack("{s:o,s:o}", "uids", ru, "values", rv);
out:
    free(uids);
    free(bits);
    free(w);
    free(ou);
    free(ov);
    return r;
}

static json_t *op_hash(const json_t *item, cov_err *err)
{
    uint8_t hotkey[32], hash[32];
    int64_t netuid = 0, mechid = 0, version_key = 0;
    int64_t *uids = NULL, *values = NULL, *salt = NULL;
    uint16_t *u = NULL, *v = NULL, *s = NULL;
    size_t n_uids, n_values, n_salt;
    json_t *r = NULL;
    const char *hk = json_string_value(json_object_get(item, "hotkey"));
    if (hk == NULL) {
        cov_fail(err, COV_ERR_ARG, "missing hotkey");
        return NULL;
    }
    if (cov_hex_decode(hotkey, 32, hk, err) != COV_OK ||
        get_int(&netuid, item, "netuid", 0, COV_SUBTENSOR_MAX_SUBNETS - 1, err) != COV_OK ||
        get_int(&mechid, item, "mechid", 0, UINT8_MAX, err) != COV_OK ||
        get_int(&version_key, item, "version_key", 0, INT64_MAX, err) != COV_OK ||
        get_ints(&uids, &n_uids, item, "uids", 0, UINT16_MAX, err) != COV_OK ||
        get_ints(&values, &n_values, item, "values", 0, UINT16_MAX, err) != COV_OK ||
        get_ints(&salt, &n_salt, item, "salt", 0, UINT16_MAX, err) != COV_OK)
        goto out;
    if (n_uids != n_values) {
        cov_fail(err, COV_ERR_ARG, "%zu uids for %zu values", n_uids, n_values);
        goto out;
    }
    u = to_u16(uids, n_uids);
    v = to_u16(values, n_values);
    s = to_u16(salt, n_salt);
    if (u == NULL || v == NULL || s == NULL) {
        cov_fail(err, COV_ERR_NOMEM, "no memory");
        goto out;
    }
    cov_subtensor_weights_hash(hash, hotkey,
                               cov_subtensor_netuid_index((uint16_t)netuid, (uint8_t)mechid),
                               u, v, n_uids, s, n_salt, (uint64_t)version_key);
    r = json_pack("{s:o}", "hash", cov_json_hex(hash, 32));
out:
    free(uids);
    free(values);
    free(salt);
    free(u);
    free(v);
    free(s);
    return r;
}

/* --------------------------------------------------------------- driver */

static json_t *handle(const char *line)
{
    json_error_t jerr;
    json_t *req = json_loads(line, 0, &jerr);
    const char *op = json_string_value(json_object_get(req, "op"));
    const json_t *items = json_object_get(req, "items");
    json_t *(*fn)(const json_t *, cov_err *) = NULL;
    if (op != NULL) {
        if (strcmp(op, "normalize") == 0)
            fn = op_normalize;
        else if (strcmp(op, "process") == 0)
            fn = op_process;
        else if (strcmp(op, "emit") == 0)
            fn = op_emit;
        else if (strcmp(op, "hash") == 0)
            fn = op_hash;
    }
    json_t *resp;
    if (fn == NULL || !json_is_array(items)) {
        resp = json_pack("{s:b,s:s}", "ok", 0, "error",
                         req ? "need op (normalize|process|emit|hash) and items" : jerr.text);
    } else {
        json_t *results = json_array();
        for (size_t i = 0; i < json_array_size(items); i++) {
            cov_err err;
            cov_err_clear(&err);
            json_t *r = fn(json_array_get(items, i), &err);
            json_array_append_new(results, r ? r : error_of(&err));
        }
        resp = json_pack("{s:b,s:o}", "ok", 1, "results", results);
    }
    json_decref(req);
    return resp;
}

int main(void) { return tool_run("weights_tool", handle); }
