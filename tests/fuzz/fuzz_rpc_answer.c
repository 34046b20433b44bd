/* Fuzzes the JSON-RPC answer parsers of chain/rpc (cov_rpc_parse_answer and
 * cov_rpc_parse_batch) with the input as an HTTP answer body, as a hostile
 * node could send it.
 *
 * Properties: the status and outputs agree (a result exactly on success;
 * per-call results and errors of a batch partition the calls); only
 * COV_ERR_PARSE or COV_ERR_RPC come back; every message is printable ASCII
 * (answers must not smuggle control bytes to a terminal); an accepted result,
 * wrapped in a fresh answer, parses back to an equal value. */
#include "fuzz_common.h"

#include "chain/chain.h"

static const char *const methods[3] = {"state_getStorage", "chain_getHeader",
                                       "author_submitExtrinsic"};

static void check_message(const cov_err *err)
{
    size_t n = strnlen(err->msg, sizeof err->msg);
    FUZZ_CHECK(n > 0 && n < sizeof err->msg);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(err->msg[i] >= 0x20 && err->msg[i] < 0x7f);
}

/* {"jsonrpc":"2.0","id":1,"result":<result>} parses back to result. */
static void check_roundtrip(const json_t *result)
{
    json_t *wrap = json_object();
    FUZZ_CHECK(wrap != NULL);
    json_object_set_new(wrap, "jsonrpc", json_string("2.0"));
    json_object_set_new(wrap, "id", json_integer(1));
    json_object_set_new(wrap, "result", json_deep_copy(result));
    size_t size = json_dumpb(wrap, NULL, 0, JSON_COMPACT);
    FUZZ_CHECK(size > 0);
    char *text = malloc(size);
    FUZZ_CHECK(text != NULL);
    FUZZ_CHECK(json_dumpb(wrap, text, size, JSON_COMPACT) == size);
    json_decref(wrap);
    json_t *again = NULL;
    int64_t code = 7;
    cov_err err;
    FUZZ_CHECK(cov_rpc_parse_answer(&again, &code, text, size, 1, "m", NULL, &err) == COV_OK);
    FUZZ_CHECK(code == 0);
    FUZZ_CHECK(json_equal(again, result));
    json_decref(again);
    free(text);
}

static void fuzz_single(const char *body, size_t size)
{
    json_t *result = NULL;
    int64_t code = 7;
    cov_err err;
    cov_err_clear(&err);
    cov_status st = cov_rpc_parse_answer(&result, &code, body, size, 1, methods[0],
                                         "http://fuzz", &err);
    if (st == COV_OK) {
        FUZZ_CHECK(result != NULL);
        FUZZ_CHECK(code == 0);
        check_roundtrip(result);
        json_decref(result);
        return;
    }
    FUZZ_CHECK(result == NULL);
    FUZZ_CHECK(st == COV_ERR_PARSE || st == COV_ERR_RPC);
    FUZZ_CHECK(err.code == st);
    FUZZ_CHECK(st == COV_ERR_RPC || code == 0);
    check_message(&err);
}

static void fuzz_batch(const char *body, size_t size)
{
    json_t *results[3];
    cov_err errs[3], err;
    int64_t codes[3];
    cov_err_clear(&err);
    cov_status st = cov_rpc_parse_batch(results, errs, codes, body, size, 3, 1, methods,
                                        "http://fuzz", &err);
    size_t failed = 0;
    for (size_t i = 0; i < 3; i++) {
        bool has = results[i] != NULL;
        if (st == COV_OK || st == COV_ERR_RPC) {
            /* each call either has a result or its own RPC error */
            FUZZ_CHECK(has != (errs[i].code == COV_ERR_RPC));
            FUZZ_CHECK(errs[i].code == COV_OK || errs[i].code == COV_ERR_RPC);
            if (!has) {
                check_message(&errs[i]);
                failed++;
            }
        } else {
            FUZZ_CHECK(!has && errs[i].code == COV_OK && codes[i] == 0);
        }
        json_decref(results[i]);
    }
    if (st == COV_OK) {
        FUZZ_CHECK(failed == 0);
        return;
    }
    FUZZ_CHECK(st == COV_ERR_PARSE || st == COV_ERR_RPC);
    FUZZ_CHECK(st != COV_ERR_RPC || failed > 0);
    FUZZ_CHECK(err.code == st);
    check_message(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    /* An exact-size copy, so a sanitizer catches a read past the body. */
    char *body = malloc(size ? size : 1);
    FUZZ_CHECK(body != NULL);
    if (size)
        memcpy(body, data, size);
    fuzz_single(body, size);
    fuzz_batch(body, size);
    free(body);
    return 0;
}
