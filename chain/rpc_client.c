/* The JSON-RPC client: its options and lifetime, and single and batch
 * calls (request text out, parsed answer in). The transport is
 * rpc_http.c, the answer parsers rpc_answer.c. */
#include "chain/rpc_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COV_RPC_MAX_REQUEST ((size_t)256 << 20)
#define COV_RPC_MAX_BATCH 10000

void cov_rpc_options_default(cov_rpc_options *opts)
{
    opts->connect_timeout_ms = 10000;
    opts->timeout_ms = 60000;
    opts->max_retries = 3;
    opts->backoff_base_ms = 250;
    opts->backoff_max_ms = 8000;
    opts->max_response = COV_RPC_DEFAULT_MAX_RESPONSE;
    opts->user_agent = NULL;
    opts->cache_dir = NULL;
}

/* curl_global_init is not safe to race (before curl 7.84) and must run
 * once before any handle: pthread_once gives both. It is never undone, as
 * curl_global_cleanup would pull the rug from other users in the process. */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void curl_init_once(void) { curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT); }

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static cov_status check_options(const cov_rpc_options *o, cov_err *err)
{
    if (o->connect_timeout_ms <= 0 || o->timeout_ms <= 0)
        return cov_fail(err, COV_ERR_ARG, "RPC timeouts must be positive (connect %ld ms, total %ld ms)",
                        o->connect_timeout_ms, o->timeout_ms);
    if (o->max_retries < 0 || o->max_retries > 20)
        return cov_fail(err, COV_ERR_ARG, "RPC max_retries must be 0..20, not %d", o->max_retries);
    if (o->backoff_base_ms < 0 || o->backoff_max_ms < o->backoff_base_ms ||
        o->backoff_max_ms > 3600000)
        return cov_fail(err, COV_ERR_ARG,
                        "RPC backoff must satisfy 0 <= base (%ld ms) <= max (%ld ms) <= 1 h",
                        o->backoff_base_ms, o->backoff_max_ms);
    if (o->max_response == 0 || o->max_response > ((size_t)1 << 40))
        return cov_fail(err, COV_ERR_ARG, "RPC max_response must be 1 byte .. 1 TiB");
    return COV_OK;
}

/* scheme://host[:port]/path of url, without user:password@ or ?query
 * (either may hold a credential), for messages and logs; NULL for a URL
 * curl cannot parse or that is not http(s). */
static char *display_url(const char *url, cov_err *err)
{
    CURLU *u = curl_url();
    if (!u) {
        cov_fail(err, COV_ERR_NOMEM, "out of memory parsing the RPC URL");
        return NULL;
    }
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *out = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        /* Echoed only if it cannot be hiding a password or a key. */
        bool quiet = strchr(url, '@') || strchr(url, '?');
        cov_fail(err, COV_ERR_ARG,
                 "%s%.80s%sis not a URL: give http(s)://host:port or a network name",
                 quiet ? "the RPC URL " : "'", quiet ? "" : url, quiet ? "" : "' ");
        goto done;
    }
    if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
        cov_fail(err, COV_ERR_ARG,
                 "RPC URL scheme '%s' is not http or https (ws:// URLs: see cov_rpc_endpoint)",
                 scheme);
        goto done;
    }
    if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
        port = NULL; /* none given */
    if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
        path = NULL;
    size_t n = strlen(scheme) + strlen(host) + (port ? strlen(port) : 0) +
               (path ? strlen(path) : 0) + 8;
    out = malloc(n);
    if (!out) {
        cov_fail(err, COV_ERR_NOMEM, "out of memory");
        goto done;
    }
    snprintf(out, n, "%s://%s%s%s%s", scheme, host, port ? ":" : "",
             port ? port : "", path && strcmp(path, "/") != 0 ? path : "");
done:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_url_cleanup(u);
    return out;
}

/* "Expect:" turns off 100-continue, a round trip a node does not need. */
static struct curl_slist *make_headers(void)
{
    static const char *const lines[] = {"Content-Type: application/json",
                                        "Accept: application/json", "Expect:"};
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        struct curl_slist *next = curl_slist_append(list, lines[i]);
        if (!next) {
            curl_slist_free_all(list);
            return NULL;
        }
        list = next;
    }
    return list;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *cls)
{
    cov_rpc *rpc = cls;
    size_t n = size * nmemb;
    cov_status st = cov_buf_append(&rpc->body, data, n, NULL);
    if (st != COV_OK) {
        rpc->body_status = st; /* returning short makes curl abort */
        return 0;
    }
    return n;
}

#define SETOPT(opt, val)                                                     \
    do {                                                                     \
        if (curl_easy_setopt(rpc->curl, opt, val) != CURLE_OK)               \
            return cov_fail(err, COV_ERR_UNSUPPORTED,                        \
                            "libcurl refused option " #opt);                 \
    } while (0)

/* Options that stay for the handle's life. */
static cov_status setup_handle(cov_rpc *rpc, cov_err *err)
{
    const cov_rpc_options *o = &rpc->opts;
    SETOPT(CURLOPT_URL, rpc->url);
    SETOPT(CURLOPT_NOSIGNAL, 1L); /* timeouts without SIGALRM: threads */
    SETOPT(CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
    SETOPT(CURLOPT_TIMEOUT_MS, o->timeout_ms);
    SETOPT(CURLOPT_USERAGENT, rpc->user_agent);
    SETOPT(CURLOPT_HTTPHEADER, rpc->headers);
    SETOPT(CURLOPT_POST, 1L);
    SETOPT(CURLOPT_WRITEFUNCTION, on_body);
    SETOPT(CURLOPT_WRITEDATA, rpc);
    SETOPT(CURLOPT_ERRORBUFFER, rpc->curl_error);
    /* Refused from the Content-Length already, before a byte of the body. */
    SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_response);
    SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
    SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
    /* gzip if the node offers it; the cap applies to the decoded bytes. */
    SETOPT(CURLOPT_ACCEPT_ENCODING, "");
#if LIBCURL_VERSION_NUM >= 0x075500
    SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    return COV_OK;
}

#undef SETOPT

cov_status cov_rpc_new(cov_rpc **out, const char *url,
                       const cov_rpc_options *opts, cov_err *err)
{
    if (!out)
        return cov_fail(err, COV_ERR_ARG, "cov_rpc_new: no output pointer");
    *out = NULL;
    if (!url || !*url)
        return cov_fail(err, COV_ERR_ARG, "no RPC URL given");
    cov_rpc_options o;
    if (opts)
        o = *opts;
    else
        cov_rpc_options_default(&o);
    cov_status st = check_options(&o, err);
    if (st != COV_OK)
        return st;
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_result != CURLE_OK)
        return cov_fail(err, COV_ERR_NETWORK, "libcurl failed to initialise: %s",
                        curl_easy_strerror(curl_init_result));

    cov_rpc *rpc = calloc(1, sizeof *rpc);
    if (!rpc)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    rpc->opts = o;
    cov_buf_init(&rpc->body, o.max_response);
    rpc->next_id = 1;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    rpc->rng = (uint64_t)now.tv_nsec ^ ((uint64_t)now.tv_sec << 32) ^
               (uint64_t)(uintptr_t)rpc;

    rpc->display_url = display_url(url, err);
    if (!rpc->display_url) {
        st = err ? err->code : COV_ERR_ARG;
        goto fail;
    }
    rpc->url = dup_string(url);
    rpc->user_agent = dup_string(o.user_agent ? o.user_agent : "covenant");
    rpc->cache_dir = o.cache_dir ? dup_string(o.cache_dir) : NULL;
    rpc->opts.user_agent = rpc->user_agent;
    rpc->opts.cache_dir = rpc->cache_dir;
    rpc->curl = curl_easy_init();
    rpc->headers = make_headers();
    if (!rpc->url || !rpc->user_agent || (o.cache_dir && !rpc->cache_dir) ||
        !rpc->curl || !rpc->headers) {
        st = cov_fail(err, COV_ERR_NOMEM, "out of memory setting up the RPC client");
        goto fail;
    }
    st = setup_handle(rpc, err);
    if (st != COV_OK)
        goto fail;
    *out = rpc;
    return COV_OK;
fail:
    cov_rpc_free(rpc);
    return st;
}

void cov_rpc_free(cov_rpc *rpc)
{
    if (!rpc)
        return;
    if (rpc->curl)
        curl_easy_cleanup(rpc->curl);
    curl_slist_free_all(rpc->headers);
    free(rpc->url);
    free(rpc->display_url);
    free(rpc->user_agent);
    free(rpc->cache_dir);
    cov_buf_free(&rpc->body);
    free(rpc->meta);
    free(rpc);
}

const char *cov_rpc_url(const cov_rpc *rpc) { return rpc->display_url; }

unsigned cov_rpc_last_attempts(const cov_rpc *rpc) { return rpc->last_attempts; }

int64_t cov_rpc_last_rpc_code(const cov_rpc *rpc) { return rpc->last_rpc_code; }

bool cov_rpc_method_is_idempotent(const char *method)
{
    /* author_* reads; every other author_* method changes the pool or the
     * keystore. Manual-seal engine_* methods make or finalise blocks. */
    static const char *const author_reads[] = {
        "author_pendingExtrinsics", "author_hasKey", "author_hasSessionKeys"};
    if (!method)
        return false;
    if (strncmp(method, "engine_", 7) == 0)
        return false;
    if (strncmp(method, "author_", 7) != 0)
        return true;
    for (size_t i = 0; i < sizeof author_reads / sizeof author_reads[0]; i++)
        if (strcmp(method, author_reads[i]) == 0)
            return true;
    return false;
}

/* Method names are identifiers ("state_getStorage"): checking that keeps
 * the request text free of anything needing JSON escapes. */
static cov_status check_method(const char *method, cov_err *err)
{
    if (!method || !*method)
        return cov_fail(err, COV_ERR_ARG, "no RPC method name given");
    size_t n = 0;
    for (const char *p = method; *p; p++, n++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' ||
                  c == '-';
        if (!ok || n >= 128)
            return cov_fail(err, COV_ERR_ARG,
                            "'%.64s' is not an RPC method name (letters, digits, _ . : -)",
                            method);
    }
    return COV_OK;
}

static int dump_to_buf(const char *text, size_t size, void *cls)
{
    return cov_buf_append(cls, text, size, NULL) == COV_OK ? 0 : -1;
}

/* Appends one request object to the request text. */
static cov_status append_request(cov_buf *req, uint64_t id, const char *method,
                                 const json_t *params, cov_err *err)
{
    cov_status st = check_method(method, err);
    if (st != COV_OK)
        return st;
    if (params && !json_is_array(params) && !json_is_object(params))
        return cov_fail(err, COV_ERR_ARG,
                        "params of %s must be a JSON array or object", method);
    char head[256];
    int n = snprintf(head, sizeof head,
                     "{\"jsonrpc\":\"2.0\",\"id\":%llu,\"method\":\"%s\",\"params\":",
                     (unsigned long long)id, method);
    if (n < 0 || (size_t)n >= sizeof head)
        return cov_fail(err, COV_ERR_ARG, "RPC method name too long");
    if (cov_buf_append(req, head, (size_t)n, NULL) != COV_OK)
        goto nomem;
    if (params) {
        if (json_dump_callback(params, dump_to_buf, req, JSON_COMPACT) != 0)
            goto nomem;
    } else if (cov_buf_append(req, "[]", 2, NULL) != COV_OK) {
        goto nomem;
    }
    if (cov_buf_append_byte(req, '}', NULL) != COV_OK)
        goto nomem;
    return COV_OK;
nomem:
    return cov_fail(err, COV_ERR_TOO_BIG,
                    "request for %s is over %zu bytes or memory ran out", method,
                    (size_t)COV_RPC_MAX_REQUEST);
}

cov_status cov_rpc_call(cov_rpc *rpc, json_t **result, const char *method,
                        const json_t *params, cov_err *err)
{
    if (!rpc || !result)
        return cov_fail(err, COV_ERR_ARG, "cov_rpc_call: no client or output");
    *result = NULL;
    rpc->last_rpc_code = 0;
    rpc->last_attempts = 0;
    uint64_t id = rpc->next_id++;
    cov_buf req;
    cov_buf_init(&req, COV_RPC_MAX_REQUEST);
    cov_status st = append_request(&req, id, method, params, err);
    if (st == COV_OK && cov_buf_append_byte(&req, '\0', NULL) != COV_OK)
        st = cov_fail(err, COV_ERR_TOO_BIG, "request for %s too big", method);
    if (st == COV_OK)
        st = rpc_http_post(rpc, (const char *)req.data, req.len - 1,
                           cov_rpc_method_is_idempotent(method), method, err);
    cov_buf_free(&req);
    if (st != COV_OK)
        return st;
    return cov_rpc_parse_answer(result, &rpc->last_rpc_code,
                                (const char *)rpc->body.data, rpc->body.len, id,
                                method, rpc->display_url, err);
}

cov_status cov_rpc_batch(cov_rpc *rpc, json_t **results, cov_err *errs,
                         size_t n, const char *const *methods,
                         const json_t *const *params, cov_err *err)
{
    if (!rpc || !results || !methods)
        return cov_fail(err, COV_ERR_ARG, "cov_rpc_batch: no client, outputs or methods");
    for (size_t i = 0; i < n; i++) {
        results[i] = NULL;
        if (errs)
            cov_err_clear(&errs[i]);
    }
    rpc->last_rpc_code = 0;
    rpc->last_attempts = 0;
    if (n == 0 || n > COV_RPC_MAX_BATCH)
        return cov_fail(err, COV_ERR_ARG, "a batch holds 1..%d calls, not %zu",
                        COV_RPC_MAX_BATCH, n);
    uint64_t first_id = rpc->next_id;
    rpc->next_id += n;

    cov_buf req;
    cov_buf_init(&req, COV_RPC_MAX_REQUEST);
    bool idempotent = true;
    cov_status st = COV_OK;
    if (cov_buf_append_byte(&req, '[', NULL) != COV_OK)
        st = cov_fail(err, COV_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == COV_OK && i < n; i++) {
        if (i > 0 && cov_buf_append_byte(&req, ',', NULL) != COV_OK)
            st = cov_fail(err, COV_ERR_TOO_BIG, "batch request over %zu bytes",
                          (size_t)COV_RPC_MAX_REQUEST);
        if (st == COV_OK)
            st = append_request(&req, first_id + i, methods[i],
                                params ? params[i] : NULL, err);
        idempotent = idempotent && cov_rpc_method_is_idempotent(methods[i]);
    }
    if (st == COV_OK && cov_buf_append(&req, "]", 2, NULL) != COV_OK) /* + NUL */
        st = cov_fail(err, COV_ERR_TOO_BIG, "batch request over %zu bytes",
                      (size_t)COV_RPC_MAX_REQUEST);
    if (st == COV_OK) {
        char what[96];
        snprintf(what, sizeof what, "a batch of %zu calls (%.40s%s)", n,
                 methods[0], n > 1 ? ", ..." : "");
        st = rpc_http_post(rpc, (const char *)req.data, req.len - 1, idempotent,
                           what, err);
    }
    cov_buf_free(&req);
    if (st != COV_OK)
        return st;

    int64_t *codes = calloc(n, sizeof *codes);
    if (!codes)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    st = cov_rpc_parse_batch(results, errs, codes, (const char *)rpc->body.data,
                             rpc->body.len, n, first_id, methods,
                             rpc->display_url, err);
    for (size_t i = 0; i < n && !rpc->last_rpc_code; i++)
        rpc->last_rpc_code = codes[i];
    free(codes);
    return st;
}
