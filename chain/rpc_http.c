/* The HTTP transport under the JSON-RPC client: one POST, the answer
 * capped while it arrives, and the retry rules of chain/rpc.h (which
 * failures are worth another attempt, and which must not be resent because
 * the node may already have acted on them). */
#include "chain/rpc_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef enum {
    ATTEMPT_OK,
    ATTEMPT_RETRY, /* worth another attempt */
    ATTEMPT_HELD,  /* would be, but the non-idempotent request may be in */
    ATTEMPT_FAIL
} attempt_outcome;

/* Printable ASCII of at most cap-1 bytes of s, for messages: an answer is
 * hostile input, and control bytes must not reach a terminal. */
static void body_excerpt(char *out, size_t cap, const uint8_t *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < cap; i++)
        out[n++] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
    out[n] = '\0';
}

/* Appends text to err's message (keeping its code), cut to fit. */
static void err_append(cov_err *err, const char *text)
{
    size_t used = strlen(err->msg);
    if (used + 1 < sizeof err->msg)
        snprintf(err->msg + used, sizeof err->msg - used, "%s", text);
}

/* splitmix64: enough to spread retries of many clients apart. */
static uint64_t next_random(cov_rpc *rpc)
{
    uint64_t z = (rpc->rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* The wait before retry number `retry` (1-based): exponential, capped, the
 * upper half randomised so that clients failing together do not retry in
 * lockstep; a server's Retry-After is honoured up to the cap. */
static long backoff_ms(cov_rpc *rpc, unsigned retry, long retry_after_ms)
{
    long base = rpc->opts.backoff_base_ms, max = rpc->opts.backoff_max_ms;
    long wait = base;
    for (unsigned i = 1; i < retry && wait < max; i++)
        wait = wait > max / 2 ? max : wait * 2;
    if (wait > max)
        wait = max;
    long half = wait / 2;
    wait = half + (long)(next_random(rpc) % (uint64_t)(wait - half + 1));
    if (retry_after_ms > wait)
        wait = retry_after_ms < max ? retry_after_ms : max;
    return wait;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Failures before any byte of the request could be sent. */
static bool is_connect_failure(CURLcode rc)
{
    return rc == CURLE_COULDNT_RESOLVE_PROXY || rc == CURLE_COULDNT_RESOLVE_HOST ||
           rc == CURLE_COULDNT_CONNECT;
}

/* Failures that another attempt may not meet: the network or the server
 * had a bad moment. TLS certificate problems, bad URLs and the like are not
 * among them. */
static bool is_transient(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

/* What a failed curl transfer means, as a status and a message. */
static cov_status transfer_error(cov_rpc *rpc, CURLcode rc, const char *what,
                                 cov_err *err)
{
    const char *why = rpc->curl_error[0] ? rpc->curl_error : curl_easy_strerror(rc);
    const char *url = rpc->display_url;
    if (rpc->body_status == COV_ERR_TOO_BIG || rc == CURLE_FILESIZE_EXCEEDED)
        return cov_fail(err, COV_ERR_TOO_BIG,
                        "answer from %s to %s is over the %zu-byte limit "
                        "(raise max_response if the node is trusted)",
                        url, what, rpc->opts.max_response);
    if (rpc->body_status == COV_ERR_NOMEM)
        return cov_fail(err, COV_ERR_NOMEM,
                        "out of memory receiving the answer from %s to %s",
                        url, what);
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return cov_fail(err, COV_ERR_TIMEOUT, "%s to %s timed out: %s", what,
                        url, why);
    if (is_connect_failure(rc))
        return cov_fail(err, COV_ERR_NETWORK, "cannot connect to %s for %s: %s",
                        url, what, why);
    if (rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT)
        return cov_fail(err, COV_ERR_ARG, "cannot use %s: %s", url, why);
    return cov_fail(err, COV_ERR_NETWORK, "%s to %s failed: %s", what, url, why);
}

static attempt_outcome attempt(cov_rpc *rpc, bool idempotent, const char *what,
                               cov_status *code, long *retry_after_ms,
                               cov_err *err)
{
    cov_buf_reset(&rpc->body);
    rpc->body_status = COV_OK;
    rpc->curl_error[0] = '\0';
    *retry_after_ms = 0;
    /* A non-idempotent call on a fresh connection: on a reused one that
     * turns out dead, curl would quietly send the request again. */
    curl_easy_setopt(rpc->curl, CURLOPT_FRESH_CONNECT, idempotent ? 0L : 1L);

    CURLcode rc = curl_easy_perform(rpc->curl);
    long sent = 0;
    if (curl_easy_getinfo(rpc->curl, CURLINFO_REQUEST_SIZE, &sent) != CURLE_OK)
        sent = 1; /* unknown: assume it went out */

    if (rc != CURLE_OK) {
        *code = transfer_error(rpc, rc, what, err);
        if (!is_transient(rc) || rpc->body_status != COV_OK)
            return ATTEMPT_FAIL;
        if (!idempotent && sent > 0)
            return ATTEMPT_HELD;
        return ATTEMPT_RETRY;
    }

    long status = 0;
    curl_easy_getinfo(rpc->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300)
        return ATTEMPT_OK;
    char excerpt[96];
    body_excerpt(excerpt, sizeof excerpt, rpc->body.data, rpc->body.len);
    *code = cov_fail(err, COV_ERR_NETWORK, "HTTP %ld from %s for %s%s%s%s", status,
             rpc->display_url, what, excerpt[0] ? " (\"" : "", excerpt,
             excerpt[0] ? "\")" : "");
    bool transient = status == 429 || status >= 500;
    if (!transient)
        return ATTEMPT_FAIL;
    if (!idempotent)
        return ATTEMPT_HELD;
    curl_off_t after = 0;
    if (curl_easy_getinfo(rpc->curl, CURLINFO_RETRY_AFTER, &after) == CURLE_OK &&
        after > 0)
        *retry_after_ms = after > 86400 ? 86400000L : (long)after * 1000L;
    return ATTEMPT_RETRY;
}

cov_status rpc_http_post(cov_rpc *rpc, const char *request, size_t len,
                         bool idempotent, const char *what, cov_err *err)
{
    curl_easy_setopt(rpc->curl, CURLOPT_POSTFIELDS, request);
    curl_easy_setopt(rpc->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);

    unsigned max_attempts = 1u + (unsigned)rpc->opts.max_retries;
    rpc->last_attempts = 0;
    cov_err last; /* even when the caller passes no err: the log needs it */
    cov_err_clear(&last);
    for (;;) {
        long retry_after_ms = 0;
        cov_status code = COV_OK;
        rpc->last_attempts++;
        COV_DEBUG("rpc: %s to %s, %zu bytes (attempt %u)", what,
                  rpc->display_url, len, rpc->last_attempts);
        attempt_outcome out =
            attempt(rpc, idempotent, what, &code, &retry_after_ms, &last);
        if (out == ATTEMPT_OK)
            return COV_OK;
        if (out == ATTEMPT_RETRY && rpc->last_attempts < max_attempts) {
            long wait = backoff_ms(rpc, rpc->last_attempts, retry_after_ms);
            COV_INFO("rpc: retrying %s in %ld ms (attempt %u of %u): %s", what,
                     wait, rpc->last_attempts + 1, max_attempts, last.msg);
            sleep_ms(wait);
            continue;
        }
        if (out == ATTEMPT_HELD)
            err_append(&last, "; not resent, as the node may have received it: "
                            "check the chain before submitting again");
        if (rpc->last_attempts > 1) {
            char note[48];
            snprintf(note, sizeof note, " (%u attempts)", rpc->last_attempts);
            err_append(&last, note);
        }
        if (err)
            *err = last;
        return code;
    }
}
