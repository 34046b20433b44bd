/* Shared by the chain client's files. */
#ifndef COVENANT_CHAIN_CLIENT_INTERNAL_H
#define COVENANT_CHAIN_CLIENT_INTERNAL_H

#include "chain/client.h"

struct cov_chain {
    cov_rpc *rpc; /* NULL for an offline client */
    cov_metadata *meta;
    cov_rpc_runtime_version version;
    uint8_t genesis[32];
    char *cache_dir; /* metadata cache folder, or NULL */
};

cov_status chain_need_rpc(const cov_chain *c, cov_err *err);

/* Encodes a list of values by their types: args is a JSON array in order,
 * or an object by name (names[i]); NULL or null means no values. */
cov_status chain_encode_args(const cov_metadata *m, cov_buf *out, const uint32_t *types,
                             const char *const *names, size_t n, const json_t *args,
                             const char *what, cov_err *err);

#endif
