/* Typed readers for scenario fields. Every error starts with the field's
 * path, so a subnet owner editing a long file sees which line to fix. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "incentive/scenario_internal.h"

void sc_path(char out[SC_PATH_MAX], const char *prefix, const char *name)
{
    if (prefix[0] == '\0')
        snprintf(out, SC_PATH_MAX, "%s", name);
    else
        snprintf(out, SC_PATH_MAX, "%s.%s", prefix, name);
}

cov_status sc_fail(cov_err *err, cov_status code, const char *path, const char *fmt, ...)
{
    char msg[COV_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cov_fail(err, code, "%s: %s", path, msg);
}

const char *sc_json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number with a fraction";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "something else";
}

cov_status sc_known_fields(const json_t *obj, const char *prefix, const char *const *known,
                           cov_err *err)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value) {
        bool ok = false;
        for (size_t i = 0; known[i] && !ok; i++)
            ok = strcmp(known[i], key) == 0;
        if (ok)
            continue;
        char list[300] = "", path[SC_PATH_MAX];
        size_t used = 0;
        for (size_t i = 0; known[i] && used < sizeof list; i++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                     known[i]);
        sc_path(path, prefix, key);
        return sc_fail(err, COV_ERR_PARSE, path, "unknown field (known here: %s)", list);
    }
    return COV_OK;
}

/* The field, or NULL (absent: *present = false). JSON null counts as
 * absent, so "owner_uid": null reads as "no owner". */
static const json_t *field(bool *present, const json_t *obj, const char *name)
{
    const json_t *v = json_object_get(obj, name);
    if (v != NULL && json_is_null(v))
        v = NULL;
    if (present)
        *present = v != NULL;
    return v;
}

/* A JSON number as a double, or false if it is not one. */
static bool number(double *out, const json_t *v)
{
    if (json_is_integer(v))
        *out = (double)json_integer_value(v);
    else if (json_is_real(v))
        *out = json_real_value(v);
    else
        return false;
    return true;
}

cov_status sc_uint(uint64_t *out, bool *present, const json_t *obj, const char *prefix,
                   const char *name, uint64_t min, uint64_t max, cov_err *err)
{
    int64_t v = 0;
    bool have = false;
    /* every bound here is far below INT64_MAX */
    cov_status st = sc_int(&v, &have, obj, prefix, name, (int64_t)min, (int64_t)max, err);
    if (present)
        *present = have;
    if (st == COV_OK && have)
        *out = (uint64_t)v;
    return st;
}

cov_status sc_int(int64_t *out, bool *present, const json_t *obj, const char *prefix,
                  const char *name, int64_t min, int64_t max, cov_err *err)
{
    const json_t *v = field(present, obj, name);
    if (v == NULL)
        return COV_OK;
    char path[SC_PATH_MAX];
    sc_path(path, prefix, name);
    if (json_is_integer(v)) {
        long long x = json_integer_value(v);
        if (x < min || x > max)
            return sc_fail(err, COV_ERR_PARSE, path, "must be %lld..%lld, got %lld",
                           (long long)min, (long long)max, x);
        *out = x;
        return COV_OK;
    }
    /* 1e6 or 360.0 are integers written as reals: accept them */
    double d;
    if (!number(&d, v))
        return sc_fail(err, COV_ERR_PARSE, path, "must be an integer, got %s", sc_json_kind(v));
    if (d != floor(d))
        return sc_fail(err, COV_ERR_PARSE, path, "must be a whole number, got %g", d);
    if (d < (double)min || d > (double)max)
        return sc_fail(err, COV_ERR_PARSE, path, "must be %lld..%lld, got %g", (long long)min,
                       (long long)max, d);
    *out = (int64_t)d;
    return COV_OK;
}

cov_status sc_bool(bool *out, bool *present, const json_t *obj, const char *prefix,
                   const char *name, cov_err *err)
{
    const json_t *v = field(present, obj, name);
    if (v == NULL)
        return COV_OK;
    if (!json_is_boolean(v)) {
        char path[SC_PATH_MAX];
        sc_path(path, prefix, name);
        return sc_fail(err, COV_ERR_PARSE, path, "must be true or false, got %s",
                       sc_json_kind(v));
    }
    *out = json_is_true(v);
    return COV_OK;
}

/* Signed TAO within +-1e9 into rao: integers exactly, fractions to the
 * nearest rao. */
static cov_status tao_value(int64_t *rao, const json_t *v, const char *path, bool allow_negative,
                            cov_err *err)
{
    const double limit = 1e9;
    double d;
    if (!number(&d, v))
        return sc_fail(err, COV_ERR_PARSE, path, "must be a number of TAO, got %s",
                       sc_json_kind(v));
    if (!isfinite(d) || d > limit || d < (allow_negative ? -limit : 0))
        return sc_fail(err, COV_ERR_PARSE, path, "must be %s..1000000000 TAO, got %g",
                       allow_negative ? "-1000000000" : "0", d);
    if (json_is_integer(v))
        *rao = (int64_t)json_integer_value(v) * 1000000000;
    else
        *rao = (int64_t)llround(d * 1e9);
    return COV_OK;
}

cov_status sc_tao(uint64_t *rao, bool *present, const json_t *obj, const char *prefix,
                  const char *name, cov_err *err)
{
    const json_t *v = field(present, obj, name);
    if (v == NULL)
        return COV_OK;
    char path[SC_PATH_MAX];
    sc_path(path, prefix, name);
    int64_t r = 0;
    cov_status st = tao_value(&r, v, path, false, err);
    if (st == COV_OK)
        *rao = (uint64_t)r;
    return st;
}

cov_status sc_tao_delta(int64_t *rao, bool *present, const json_t *obj, const char *prefix,
                        const char *name, cov_err *err)
{
    const json_t *v = field(present, obj, name);
    if (v == NULL)
        return COV_OK;
    char path[SC_PATH_MAX];
    sc_path(path, prefix, name);
    return tao_value(rao, v, path, true, err);
}

cov_status sc_fraction(double *out, bool *present, const json_t *obj, const char *prefix,
                       const char *name, cov_err *err)
{
    const json_t *v = field(present, obj, name);
    if (v == NULL)
        return COV_OK;
    char path[SC_PATH_MAX];
    sc_path(path, prefix, name);
    double d;
    if (!number(&d, v))
        return sc_fail(err, COV_ERR_PARSE, path, "must be a number in [0, 1], got %s",
                       sc_json_kind(v));
    if (!(d >= 0 && d <= 1))
        return sc_fail(err, COV_ERR_PARSE, path, "must be in [0, 1], got %g", d);
    *out = d;
    return COV_OK;
}

cov_status sc_string(const char **out, bool *present, const json_t *obj, const char *prefix,
                     const char *name, size_t max_len, cov_err *err)
{
    const json_t *v = field(present, obj, name);
    if (v == NULL)
        return COV_OK;
    char path[SC_PATH_MAX];
    sc_path(path, prefix, name);
    if (!json_is_string(v))
        return sc_fail(err, COV_ERR_PARSE, path, "must be a string, got %s", sc_json_kind(v));
    if (json_string_length(v) > max_len)
        return sc_fail(err, COV_ERR_PARSE, path, "is %zu bytes long; at most %zu",
                       json_string_length(v), max_len);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return sc_fail(err, COV_ERR_PARSE, path, "must not contain NUL characters");
    *out = json_string_value(v);
    return COV_OK;
}

cov_status sc_label(char out[COV_SCENARIO_LABEL_MAX + 1], const json_t *obj, const char *prefix,
                    const char *name, cov_err *err)
{
    const char *s = NULL;
    bool have = false;
    char path[SC_PATH_MAX];
    sc_path(path, prefix, name);
    cov_status st = sc_string(&s, &have, obj, prefix, name, COV_SCENARIO_LABEL_MAX, err);
    if (st != COV_OK)
        return st;
    if (!have)
        return sc_fail(err, COV_ERR_PARSE, path, "missing (a label such as \"miner-7\")");
    size_t len = strlen(s);
    if (len == 0 || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != len)
        return sc_fail(err, COV_ERR_PARSE, path,
                       "use 1..%d letters, digits, '.', '_' or '-' (got \"%s\")",
                       COV_SCENARIO_LABEL_MAX, s);
    memcpy(out, s, len + 1);
    return COV_OK;
}
