/* Part of chain/chain.h: JSON-RPC 2.0 over HTTP(S) to a Substrate node,
 * with libcurl and jansson.
 *
 * A cov_rpc holds one curl handle, so the connection to the node is kept
 * alive between calls. It is not thread-safe: use one per thread.
 *
 * Wire conventions: hashes are 32-byte arrays in C and "0x..." strings on
 * the wire; `at` is an optional block hash (NULL: the node's best block);
 * byte strings (storage keys, extrinsics, runtime-call data) go out as
 * "0x..." hex and come back decoded into malloc'd buffers (free() them).
 *
 * Retries. A call is attempted at most 1 + max_retries times. Between
 * attempts the client waits backoff_base_ms * 2^(retry-1), capped at
 * backoff_max_ms, half of it randomised (jitter), or longer if a 429 answer
 * asks for it with Retry-After (still capped). What is retried:
 *   - reads (every method except those below): a failed connection, a
 *     timeout, a transfer cut short, HTTP 5xx and HTTP 429;
 *   - non-idempotent methods (author_submitExtrinsic and the other author_*
 *     methods that change the pool): only failures where not one byte of the
 *     request was sent (no connection could be made). Such a call always
 *     opens a fresh connection, so that curl itself never resends it on a
 *     kept-alive connection that died. After a timeout, a cut transfer or an
 *     HTTP error the extrinsic may be in the pool: the error says so, and
 *     the caller must check the chain (nonce, events) before resubmitting.
 * Never retried: a JSON-RPC error object (the node's considered answer),
 * HTTP 4xx other than 429, an answer over the size cap, an answer that is
 * not valid JSON-RPC. Retries are logged at info level.
 */
#ifndef COVENANT_CHAIN_RPC_H
#define COVENANT_CHAIN_RPC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/* ------------------------------------------------------------- endpoints */

/* The HTTP(S) URL of a btcli --network name: "finney", "test", "archive",
 * "local", "latent-lite". NULL if the name is not one of them. */
const char *cov_rpc_network_url(const char *name);

/* Turns --network text into a URL for cov_rpc_new: a network name, or an
 * http(s):// or ws(s):// URL (ws becomes http and wss https: a Substrate
 * node serves HTTP and WebSocket on the same port). Writes the URL and its
 * NUL into out (out_size bytes); COV_ERR_ARG for anything else. */
cov_status cov_rpc_endpoint(char *out, size_t out_size,
                            const char *name_or_url,
                            cov_err *err) COV_WARN_UNUSED;

/* ---------------------------------------------------------------- client */

#define COV_RPC_DEFAULT_MAX_RESPONSE ((size_t)64 << 20)

typedef struct {
    long connect_timeout_ms; /* connecting (TCP and TLS), per attempt; > 0 */
    long timeout_ms;         /* a whole attempt, answer included; > 0 */
    int max_retries;         /* attempts after the first, 0..20 */
    long backoff_base_ms;    /* the first retry's wait, >= 0 */
    long backoff_max_ms;     /* no wait is longer, >= backoff_base_ms */
    size_t max_response;     /* answer body bytes accepted (after decoding) */
    const char *user_agent;  /* copied; NULL: "covenant" */
    const char *cache_dir;   /* copied; metadata cache folder, NULL: none */
} cov_rpc_options;

/* Defaults: connect 10 s, attempt 60 s, 3 retries, backoff 250 ms..8 s,
 * 64 MiB answers (metadata is about 1 MB, but storage pages and blocks can
 * be large), no cache folder. Start from these and change fields. */
void cov_rpc_options_default(cov_rpc_options *opts);

typedef struct cov_rpc cov_rpc;

/* A client for the node at url (http:// or https://; see cov_rpc_endpoint
 * for names and ws:// URLs). opts NULL means the defaults. Nothing is sent
 * until the first call. Free with cov_rpc_free. */
cov_status cov_rpc_new(cov_rpc **out, const char *url,
                       const cov_rpc_options *opts, cov_err *err) COV_WARN_UNUSED;
void cov_rpc_free(cov_rpc *rpc);

const char *cov_rpc_url(const cov_rpc *rpc);

/* HTTP attempts the last call or batch made (1 + retries), 0 before any. */
unsigned cov_rpc_last_attempts(const cov_rpc *rpc);

/* The code of the JSON-RPC error object that failed the last call with
 * COV_ERR_RPC (for a batch: the first failing entry's); 0 otherwise.
 * Substrate's author_* codes: 1010 invalid, 1011 unknown, 1012 temporarily
 * banned, 1013 already imported, 1014 priority too low, ... */
int64_t cov_rpc_last_rpc_code(const cov_rpc *rpc);

/* False for methods that must not be resent once they may have reached the
 * node: the author_* methods that change the pool or the keystore
 * (author_submitExtrinsic, author_insertKey, ...) and manual-seal engine_*
 * methods. See the retry rules above. */
bool cov_rpc_method_is_idempotent(const char *method);

/* Calls `method` with `params` (borrowed: the caller keeps its reference;
 * NULL sends []). On success *result is the answer's "result", a new
 * reference (JSON null included) the caller json_decref's. On failure
 * *result is NULL and the status is:
 *   COV_ERR_RPC      the node answered with a JSON-RPC error object:
 *                    "RPC error <code> from <method>: <message> (<data>)";
 *   COV_ERR_TIMEOUT  no complete answer in timeout_ms, on every attempt;
 *   COV_ERR_NETWORK  no connection, a transfer cut short, an HTTP error;
 *   COV_ERR_TOO_BIG  an answer over max_response;
 *   COV_ERR_PARSE    an answer that is not JSON, or not a JSON-RPC 2.0
 *                    answer to this request (wrong id, no result, ...). */
cov_status cov_rpc_call(cov_rpc *rpc, json_t **result, const char *method,
                        const json_t *params, cov_err *err) COV_WARN_UNUSED;

/* Sends n calls in one JSON-RPC batch (one HTTP request) and matches the
 * answers to them by id, in whatever order they come. params[i] are
 * borrowed (params itself or an entry may be NULL: []). results[i] get new
 * references or NULL; errs[i] (may be NULL) each call's own outcome.
 * Returns COV_OK when every call succeeded; COV_ERR_RPC when the batch was
 * answered but some calls failed (their errs[i] say why, the others'
 * results are set); any other status fails the whole batch (transport,
 * size, or an answer that does not match the batch: not an array, an id
 * missing, repeated or unknown), with every results[i] NULL. */
cov_status cov_rpc_batch(cov_rpc *rpc, json_t **results, cov_err *errs,
                         size_t n, const char *const *methods,
                         const json_t *const *params,
                         cov_err *err) COV_WARN_UNUSED;

/* ------------------------------------------- answer parsing (no network) */

/* The parsers cov_rpc_call and cov_rpc_batch use, callable on any bytes
 * (the fuzz target feeds them). `from` names the answer's source in
 * messages (a URL; NULL: "the node"); `method(s)` name the calls. */

/* Parses a JSON-RPC answer to the request with id expected_id: the result
 * as in cov_rpc_call. *rpc_code (may be NULL) is set to the error object's
 * code on COV_ERR_RPC, else 0. */
cov_status cov_rpc_parse_answer(json_t **result, int64_t *rpc_code,
                                const char *body, size_t len,
                                uint64_t expected_id, const char *method,
                                const char *from, cov_err *err) COV_WARN_UNUSED;

/* Parses the answer to a batch of n requests with ids first_id ..
 * first_id + n - 1; results, errs and the status as in cov_rpc_batch.
 * rpc_codes (may be NULL) gets each entry's error code or 0. */
cov_status cov_rpc_parse_batch(json_t **results, cov_err *errs,
                               int64_t *rpc_codes, const char *body,
                               size_t len, size_t n, uint64_t first_id,
                               const char *const *methods, const char *from,
                               cov_err *err) COV_WARN_UNUSED;

/* ----------------------------------------------------- typed node methods */

/* system_chain, system_name, system_version: a malloc'd string (free()). */
cov_status cov_rpc_system_chain(cov_rpc *rpc, char **out,
                                cov_err *err) COV_WARN_UNUSED;
cov_status cov_rpc_system_name(cov_rpc *rpc, char **out,
                               cov_err *err) COV_WARN_UNUSED;
cov_status cov_rpc_system_version(cov_rpc *rpc, char **out,
                                  cov_err *err) COV_WARN_UNUSED;

typedef struct {
    uint64_t peers;
    bool is_syncing;
    bool should_have_peers;
} cov_rpc_health;

cov_status cov_rpc_system_health(cov_rpc *rpc, cov_rpc_health *out,
                                 cov_err *err) COV_WARN_UNUSED;

typedef struct {
    int ss58_format;     /* -1 if the chain does not say */
    int token_decimals;  /* -1 if the chain does not say */
    char token_symbol[32]; /* "" if the chain does not say */
} cov_rpc_properties;

/* system_properties; for multi-token chains (arrays) the first token. */
cov_status cov_rpc_system_properties(cov_rpc *rpc, cov_rpc_properties *out,
                                     cov_err *err) COV_WARN_UNUSED;

/* chain_getBlockHash of block *number, or of the best block if number is
 * NULL. COV_ERR_NOT_FOUND if the node has no such block. */
cov_status cov_rpc_block_hash(cov_rpc *rpc, uint8_t hash[32],
                              const uint64_t *number,
                              cov_err *err) COV_WARN_UNUSED;

/* chain_getFinalizedHead. */
cov_status cov_rpc_finalized_head(cov_rpc *rpc, uint8_t hash[32],
                                  cov_err *err) COV_WARN_UNUSED;

typedef struct {
    uint8_t parent_hash[32];
    uint64_t number; /* a "0x.." hex string on the wire */
    uint8_t state_root[32];
    uint8_t extrinsics_root[32];
} cov_rpc_header;

/* chain_getHeader of block `at` (NULL: best). COV_ERR_NOT_FOUND if the node
 * does not know the block. */
cov_status cov_rpc_header_get(cov_rpc *rpc, cov_rpc_header *out,
                              const uint8_t *at, cov_err *err) COV_WARN_UNUSED;

/* A list of byte strings, each malloc'd; free with cov_rpc_bytes_list_free. */
typedef struct {
    size_t n;
    uint8_t **items;
    size_t *lens;
} cov_rpc_bytes_list;

void cov_rpc_bytes_list_free(cov_rpc_bytes_list *list);

typedef struct {
    cov_rpc_header header;
    cov_rpc_bytes_list extrinsics; /* SCALE-encoded, in block order */
} cov_rpc_block;

/* chain_getBlock of `at` (NULL: best); free with cov_rpc_block_free.
 * COV_ERR_NOT_FOUND if the node does not know the block. */
cov_status cov_rpc_block_get(cov_rpc *rpc, cov_rpc_block *out,
                             const uint8_t *at, cov_err *err) COV_WARN_UNUSED;
void cov_rpc_block_free(cov_rpc_block *block);

typedef struct {
    char spec_name[64];
    char impl_name[64];
    uint32_t spec_version;
    uint32_t impl_version;
    uint32_t transaction_version;
    uint32_t authoring_version;
    uint32_t state_version; /* 0 if absent */
} cov_rpc_runtime_version;

/* state_getRuntimeVersion at `at` (NULL: best). */
cov_status cov_rpc_runtime_version_get(cov_rpc *rpc,
                                       cov_rpc_runtime_version *out,
                                       const uint8_t *at,
                                       cov_err *err) COV_WARN_UNUSED;

/* state_getMetadata at `at` (NULL: best): the raw SCALE bytes, malloc'd.
 * Checks only the "meta" magic; decoding is metadata.h's job. */
cov_status cov_rpc_metadata_get(cov_rpc *rpc, uint8_t **bytes, size_t *len,
                                const uint8_t *at, cov_err *err) COV_WARN_UNUSED;

/* The metadata of the node's current runtime, from a cache when the
 * runtime's spec_version has not changed since it was read: in memory, and
 * in opts.cache_dir if set (metadata-<genesis hash>-<spec version>.scale,
 * written atomically). Version and metadata are read at the same block, so
 * a runtime upgrade in between cannot mix them. *bytes is a malloc'd copy
 * (free()); *spec_version (may be NULL) is the runtime's. */
cov_status cov_rpc_metadata_bytes(cov_rpc *rpc, uint8_t **bytes, size_t *len,
                                  uint32_t *spec_version,
                                  cov_err *err) COV_WARN_UNUSED;

/* state_getStorage: *found false (and *value NULL) when the key holds
 * nothing (the node answers null), else the value bytes, malloc'd (an empty
 * value is found with len 0). */
cov_status cov_rpc_storage_get(cov_rpc *rpc, uint8_t **value, size_t *len,
                               bool *found, const uint8_t *key,
                               size_t key_len, const uint8_t *at,
                               cov_err *err) COV_WARN_UNUSED;

/* state_getKeysPaged: at most `count` keys under `prefix`, after start_key
 * (NULL: from the start). */
cov_status cov_rpc_keys_paged(cov_rpc *rpc, cov_rpc_bytes_list *keys,
                              const uint8_t *prefix, size_t prefix_len,
                              uint32_t count, const uint8_t *start_key,
                              size_t start_key_len, const uint8_t *at,
                              cov_err *err) COV_WARN_UNUSED;

/* state_queryStorageAt for n keys: values->items[i] / lens[i] is the value
 * of keys[i], found[i] false (item NULL) where the key holds nothing. found
 * is a caller array of n. A key the answer leaves out counts as empty; a
 * key the request did not ask for is an error. */
cov_status cov_rpc_query_storage_at(cov_rpc *rpc, cov_rpc_bytes_list *values,
                                    bool *found, size_t n,
                                    const uint8_t *const *keys,
                                    const size_t *key_lens, const uint8_t *at,
                                    cov_err *err) COV_WARN_UNUSED;

/* state_call: runs runtime API `method` ("Api_method") on SCALE `data`;
 * the SCALE result, malloc'd. */
cov_status cov_rpc_state_call(cov_rpc *rpc, uint8_t **out, size_t *out_len,
                              const char *method, const uint8_t *data,
                              size_t data_len, const uint8_t *at,
                              cov_err *err) COV_WARN_UNUSED;

/* system_accountNextIndex: the next nonce of an SS58 account, counting
 * transactions in the node's pool. */
cov_status cov_rpc_account_next_index(cov_rpc *rpc, uint64_t *nonce,
                                      const char *ss58,
                                      cov_err *err) COV_WARN_UNUSED;

/* author_submitExtrinsic: the extrinsic's hash. Not idempotent: see the
 * retry rules at the top. */
cov_status cov_rpc_submit_extrinsic(cov_rpc *rpc, uint8_t hash[32],
                                    const uint8_t *extrinsic, size_t len,
                                    cov_err *err) COV_WARN_UNUSED;

/* payment_queryInfo: the node's answer object (weight, class, partialFee),
 * a new reference. */
cov_status cov_rpc_payment_query_info(cov_rpc *rpc, json_t **info,
                                      const uint8_t *extrinsic, size_t len,
                                      const uint8_t *at,
                                      cov_err *err) COV_WARN_UNUSED;

#endif /* COVENANT_CHAIN_RPC_H */
