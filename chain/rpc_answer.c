/* Parsing JSON-RPC 2.0 answers: single answers and batches, matched to
 * the requests by id. Bodies come from the network and may be anything;
 * nothing here trusts their shape, and messages quote them only as
 * printable ASCII. No curl here, so the fuzz target can call it. */
#include "chain/rpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Printable ASCII of text, cut to cap-1 bytes ("..." marks a cut). */
static void excerpt(char *out, size_t cap, const char *text, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < cap; i++) {
        unsigned char c = (unsigned char)text[i];
        out[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    out[n] = '\0';
    if (n < len && cap > 4)
        memcpy(out + cap - 4, "...", 4);
}

typedef struct {
    char *out;
    size_t cap;
    size_t len;
} dump_sink;

/* Keeps the start of a compact dump; stops the dump once full. */
static int dump_some(const char *text, size_t size, void *cls)
{
    dump_sink *s = cls;
    size_t room = s->cap - 1 - s->len;
    size_t n = size < room ? size : room;
    memcpy(s->out + s->len, text, n);
    s->len += n;
    s->out[s->len] = '\0';
    return n < size ? -1 : 0;
}

/* Printable text of any JSON value, for messages. */
static void json_excerpt(char *out, size_t cap, const json_t *value)
{
    out[0] = '\0';
    if (json_is_string(value)) {
        excerpt(out, cap, json_string_value(value), json_string_length(value));
        return;
    }
    char raw[256];
    dump_sink sink = {raw, sizeof raw, 0};
    raw[0] = '\0';
    json_dump_callback(value, dump_some, &sink, JSON_COMPACT | JSON_ENCODE_ANY);
    excerpt(out, cap, raw, sink.len);
}

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

static cov_status load(json_t **out, const char *body, size_t len,
                       const char *what, const char *from, cov_err *err)
{
    *out = NULL;
    if (!body || len == 0)
        return cov_fail(err, COV_ERR_PARSE, "answer from %s to %s is empty", from, what);
    json_error_t je;
    /* Duplicate keys would make "result" or "id" ambiguous. jansson also
     * limits nesting depth, so a hostile answer cannot exhaust the stack. */
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        char start[48], why[96]; /* jansson quotes the offending bytes */
        excerpt(start, sizeof start, body, len);
        excerpt(why, sizeof why, je.text, strlen(je.text));
        return cov_fail(err, COV_ERR_PARSE,
                        "answer from %s to %s is not JSON: %s at byte %d (it starts \"%s\")",
                        from, what, why, je.position, start);
    }
    *out = j;
    return COV_OK;
}

/* The message for a JSON-RPC error object, e.g. "RPC error 1010 from
 * author_submitExtrinsic: Invalid Transaction: Transaction is outdated". */
static cov_status rpc_error(const json_t *error, const char *method,
                            const char *from, int64_t *rpc_code, cov_err *err)
{
    const json_t *code = json_object_get(error, "code");
    const json_t *message = json_object_get(error, "message");
    if (!json_is_object(error) || !json_is_integer(code) || !json_is_string(message)) {
        char text[96];
        json_excerpt(text, sizeof text, error);
        return cov_fail(err, COV_ERR_PARSE,
                        "answer from %s to %s has a malformed error object: %s",
                        from, method, text);
    }
    int64_t c = (int64_t)json_integer_value(code);
    if (rpc_code)
        *rpc_code = c;
    char msg[160], data[128] = "";
    excerpt(msg, sizeof msg, json_string_value(message), json_string_length(message));
    const json_t *d = json_object_get(error, "data");
    if (d && !json_is_null(d))
        json_excerpt(data, sizeof data, d);
    bool data_is_text = json_is_string(d);
    return cov_fail(err, COV_ERR_RPC, "RPC error %lld from %s: %s%s%s%s", (long long)c,
                    method, msg, data[0] ? (data_is_text ? ": " : " (data: ") : "",
                    data, data[0] && !data_is_text ? ")" : "");
}

/* Checks one answer object against the request id and takes its result. */
static cov_status take_answer(json_t **result, int64_t *rpc_code, const json_t *ans,
                              uint64_t expected_id, const char *method,
                              const char *from, cov_err *err)
{
    *result = NULL;
    if (rpc_code)
        *rpc_code = 0;
    if (!json_is_object(ans))
        return cov_fail(err, COV_ERR_PARSE,
                        "answer from %s to %s is %s, not a JSON-RPC answer object",
                        from, method, json_kind(ans));
    const json_t *version = json_object_get(ans, "jsonrpc");
    if (!json_is_string(version) || strcmp(json_string_value(version), "2.0") != 0)
        return cov_fail(err, COV_ERR_PARSE,
                        "answer from %s to %s lacks \"jsonrpc\": \"2.0\": is it a JSON-RPC 2.0 node?",
                        from, method);
    const json_t *res = json_object_get(ans, "result");
    const json_t *error = json_object_get(ans, "error");
    const json_t *id = json_object_get(ans, "id");
    if (res && error)
        return cov_fail(err, COV_ERR_PARSE,
                        "answer from %s to %s has both a result and an error", from, method);
    /* A node that could not read the request answers an error with id
     * null: the error says more than "wrong id" would. */
    bool id_null = !id || json_is_null(id);
    if (!(error && id_null)) {
        if (!json_is_integer(id) || json_integer_value(id) < 0 ||
            (uint64_t)json_integer_value(id) != expected_id) {
            char got[40];
            json_excerpt(got, sizeof got, id ? id : json_null());
            return cov_fail(err, COV_ERR_PARSE,
                            "answer from %s to %s carries id %s, but the request's was %llu",
                            from, method, got, (unsigned long long)expected_id);
        }
    }
    if (error)
        return rpc_error(error, method, from, rpc_code, err);
    if (!res)
        return cov_fail(err, COV_ERR_PARSE,
                        "answer from %s to %s has neither a result nor an error", from, method);
    *result = json_incref((json_t *)res); /* jansson counts references in place */
    return COV_OK;
}

cov_status cov_rpc_parse_answer(json_t **result, int64_t *rpc_code,
                                const char *body, size_t len,
                                uint64_t expected_id, const char *method,
                                const char *from, cov_err *err)
{
    if (!result)
        return cov_fail(err, COV_ERR_ARG, "cov_rpc_parse_answer: no output");
    *result = NULL;
    if (rpc_code)
        *rpc_code = 0;
    if (!method)
        method = "the call";
    if (!from)
        from = "the node";
    json_t *ans;
    cov_status st = load(&ans, body, len, method, from, err);
    if (st != COV_OK)
        return st;
    st = take_answer(result, rpc_code, ans, expected_id, method, from, err);
    json_decref(ans);
    return st;
}

static void clear_results(json_t **results, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_decref(results[i]);
        results[i] = NULL;
    }
}

/* Puts each answer of the batch array at its request's index (seen[i]). */
static cov_status match_ids(const json_t **seen, const json_t *answers, size_t n,
                            uint64_t first_id, const char *from, cov_err *err)
{
    size_t k;
    const json_t *ans;
    json_array_foreach(answers, k, ans) {
        const json_t *id = json_object_get(ans, "id");
        if (!json_is_object(ans))
            return cov_fail(err, COV_ERR_PARSE,
                            "answer #%zu in the batch from %s is %s, not an answer object",
                            k, from, json_kind(ans));
        if (!json_is_integer(id)) {
            char why[112] = "";
            const json_t *e = json_object_get(ans, "error");
            if (e)
                json_excerpt(why, sizeof why, json_object_get(e, "message"));
            return cov_fail(err, COV_ERR_PARSE,
                            "answer #%zu in the batch from %s has no usable id%s%s", k,
                            from, why[0] ? ": " : "", why);
        }
        json_int_t v = json_integer_value(id);
        uint64_t idx = (uint64_t)v - first_id;
        if (v < 0 || (uint64_t)v < first_id || idx >= n)
            return cov_fail(err, COV_ERR_PARSE,
                            "the batch answer from %s carries id %lld, which no request had",
                            from, (long long)v);
        if (seen[idx])
            return cov_fail(err, COV_ERR_PARSE,
                            "the batch answer from %s answers id %lld twice", from,
                            (long long)v);
        seen[idx] = ans;
    }
    for (size_t i = 0; i < n; i++)
        if (!seen[i])
            return cov_fail(err, COV_ERR_PARSE,
                            "the batch answer from %s has no answer for id %llu",
                            from, (unsigned long long)(first_id + i));
    return COV_OK;
}

cov_status cov_rpc_parse_batch(json_t **results, cov_err *errs,
                               int64_t *rpc_codes, const char *body,
                               size_t len, size_t n, uint64_t first_id,
                               const char *const *methods, const char *from,
                               cov_err *err)
{
    if (!results || n == 0)
        return cov_fail(err, COV_ERR_ARG, "cov_rpc_parse_batch: no outputs or calls");
    for (size_t i = 0; i < n; i++) {
        results[i] = NULL;
        if (errs)
            cov_err_clear(&errs[i]);
        if (rpc_codes)
            rpc_codes[i] = 0;
    }
    if (!from)
        from = "the node";
    json_t *answers;
    cov_status st = load(&answers, body, len, "a batch", from, err);
    if (st != COV_OK)
        return st;

    if (json_is_object(answers) && json_object_get(answers, "error")) {
        /* The node refused the batch as a whole (too big, unreadable):
         * every call failed with that error. */
        int64_t code = 0;
        json_t *none = NULL;
        cov_err whole;
        cov_err_clear(&whole);
        st = take_answer(&none, &code, answers, 0, "a batch", from, &whole);
        json_decref(none);
        json_decref(answers);
        for (size_t i = 0; st == COV_ERR_RPC && i < n; i++) {
            if (errs)
                errs[i] = whole;
            if (rpc_codes)
                rpc_codes[i] = code;
        }
        return cov_fail(err, st, "%s", whole.msg);
    }
    if (!json_is_array(answers)) {
        st = cov_fail(err, COV_ERR_PARSE,
                      "answer from %s to a batch is %s, not an array", from,
                      json_kind(answers));
        json_decref(answers);
        return st;
    }

    const json_t **seen = calloc(n, sizeof *seen);
    if (!seen) {
        json_decref(answers);
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    }
    st = match_ids(seen, answers, n, first_id, from, err);
    size_t failed = 0;
    cov_err first_failure;
    cov_err_clear(&first_failure);
    for (size_t i = 0; st == COV_OK && i < n; i++) {
        cov_err one;
        const char *method = methods && methods[i] ? methods[i] : "a call";
        cov_status s = take_answer(&results[i], rpc_codes ? &rpc_codes[i] : NULL,
                                   seen[i], first_id + i, method, from, &one);
        if (s == COV_OK)
            continue;
        if (s != COV_ERR_RPC) { /* a malformed entry spoils the batch */
            st = cov_fail(err, s, "%s", one.msg);
            break;
        }
        if (errs)
            errs[i] = one;
        if (failed++ == 0)
            first_failure = one;
    }
    free(seen);
    json_decref(answers);
    if (st != COV_OK) {
        clear_results(results, n);
        for (size_t i = 0; i < n; i++) {
            if (errs)
                cov_err_clear(&errs[i]);
            if (rpc_codes)
                rpc_codes[i] = 0;
        }
        return st;
    }
    if (failed)
        return cov_fail(err, COV_ERR_RPC, "%zu of %zu calls in the batch failed; the first: %s",
                        failed, n, first_failure.msg);
    return COV_OK;
}
