/* Shared by chain/rpc*.c only (not by other chain parts, hence its own
 * file rather than chain/internal.h): the client's state and the HTTP
 * transport the call and batch code sit on. */
#ifndef COVENANT_CHAIN_RPC_INTERNAL_H
#define COVENANT_CHAIN_RPC_INTERNAL_H

#include <curl/curl.h>

#include "chain/rpc.h"

struct cov_rpc {
    CURL *curl; /* one easy handle: it keeps the connection alive */
    struct curl_slist *headers;
    char *url;         /* as given, credentials and all: only curl sees it */
    char *display_url; /* scheme://host:port/path, for messages and logs */
    char *user_agent;
    char *cache_dir;
    cov_rpc_options opts; /* its strings point at the copies above */
    char curl_error[CURL_ERROR_SIZE];

    cov_buf body;          /* the last answer's body, capped */
    cov_status body_status; /* why the write callback refused data */

    uint64_t next_id;
    uint64_t rng; /* backoff jitter only: not a secret */
    unsigned last_attempts;
    int64_t last_rpc_code;

    /* metadata cache (rpc_metadata.c) */
    uint8_t *meta;
    size_t meta_len;
    uint32_t meta_spec;
    bool have_genesis;
    uint8_t genesis[32];
};

/* POSTs a JSON request body and leaves a 2xx answer's body in rpc->body,
 * retrying as chain/rpc.h describes. `what` names the call(s) in messages
 * and logs; `idempotent` false forbids resending once a byte went out. */
cov_status rpc_http_post(cov_rpc *rpc, const char *request, size_t len,
                         bool idempotent, const char *what,
                         cov_err *err) COV_WARN_UNUSED;

#endif /* COVENANT_CHAIN_RPC_INTERNAL_H */
