/* The chain client: one RPC connection, the runtime's metadata (re-read
 * when the runtime changes), the genesis hash and runtime version. */
#include "chain/client_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The cache file of this chain's V15 metadata at the current spec version
 * (malloc'd), or NULL without a cache folder. */
static char *v15_cache_path(const cov_chain *c)
{
    if (!c->cache_dir)
        return NULL;
    char genesis[65];
    cov_hex_encode(genesis, c->genesis, 32);
    size_t n = strlen(c->cache_dir) + 100;
    char *path = malloc(n);
    if (path)
        snprintf(path, n, "%s/metadata-v15-%s-%u.scale", c->cache_dir, genesis,
                 c->version.spec_version);
    return path;
}

/* V15 from the runtime API (it carries runtime-API types; state_getMetadata
 * serves only V14), from the cache when this spec version was seen. */
static cov_status load_v15(cov_chain *c, cov_metadata **m)
{
    static const uint8_t v15[4] = {15, 0, 0, 0};
    char *path = v15_cache_path(c);
    uint8_t *bytes = NULL;
    size_t len = 0;
    if (path && cov_file_read(&bytes, &len, path, COV_METADATA_MAX_BYTES, false, NULL) == COV_OK &&
        cov_metadata_decode(m, bytes, len, NULL) == COV_OK) {
        free(bytes);
        free(path);
        return COV_OK;
    }
    free(bytes);
    bytes = NULL;
    cov_status st = cov_rpc_state_call(c->rpc, &bytes, &len, "Metadata_metadata_at_version", v15,
                                       sizeof v15, NULL, NULL);
    if (st == COV_OK)
        st = cov_metadata_decode(m, bytes, len, NULL);
    /* A cache that cannot be written only costs a download next time. */
    if (st == COV_OK && path && cov_mkdir_p(c->cache_dir, 0700, NULL) == COV_OK &&
        cov_file_write_atomic(path, bytes, len, 0644, true, NULL) != COV_OK)
        COV_DEBUG("could not cache metadata at %s", path);
    free(bytes);
    free(path);
    return st;
}

static cov_status load_metadata(cov_chain *c, cov_err *err)
{
    cov_metadata *m = NULL;
    if (load_v15(c, &m) != COV_OK) {
        COV_DEBUG("no V15 metadata from %s; reading V14", cov_rpc_url(c->rpc));
        uint8_t *bytes = NULL;
        size_t len = 0;
        uint32_t spec = 0;
        cov_status st = cov_rpc_metadata_bytes(c->rpc, &bytes, &len, &spec, err);
        if (st == COV_OK)
            st = cov_metadata_decode(&m, bytes, len, err);
        free(bytes);
        if (st != COV_OK)
            return cov_err_context(err, "reading the runtime metadata");
    }
    cov_metadata_free(c->meta);
    c->meta = m;
    return COV_OK;
}

cov_status cov_chain_connect(cov_chain **out, const char *url, const cov_rpc_options *opts,
                             cov_err *err)
{
    *out = NULL;
    cov_chain *c = calloc(1, sizeof *c);
    if (!c)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    uint64_t zero = 0;
    if (opts && opts->cache_dir && !(c->cache_dir = strdup(opts->cache_dir))) {
        free(c);
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    }
    cov_status st = cov_rpc_new(&c->rpc, url, opts, err);
    if (st == COV_OK)
        st = cov_rpc_block_hash(c->rpc, c->genesis, &zero, err);
    if (st == COV_OK)
        st = cov_rpc_runtime_version_get(c->rpc, &c->version, NULL, err);
    if (st == COV_OK)
        st = load_metadata(c, err);
    if (st != COV_OK) {
        cov_chain_free(c);
        return st;
    }
    *out = c;
    return COV_OK;
}

cov_status cov_chain_offline(cov_chain **out, cov_rpc *rpc, const uint8_t *metadata,
                             size_t metadata_len, const uint8_t genesis[32],
                             const cov_rpc_runtime_version *version, cov_err *err)
{
    *out = NULL;
    cov_chain *c = calloc(1, sizeof *c);
    if (!c) {
        cov_rpc_free(rpc);
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    }
    c->rpc = rpc;
    memcpy(c->genesis, genesis, 32);
    c->version = *version;
    cov_status st = cov_metadata_decode(&c->meta, metadata, metadata_len, err);
    if (st != COV_OK) {
        cov_chain_free(c);
        return st;
    }
    *out = c;
    return COV_OK;
}

void cov_chain_free(cov_chain *c)
{
    if (!c)
        return;
    cov_metadata_free(c->meta);
    cov_rpc_free(c->rpc);
    free(c->cache_dir);
    free(c);
}

cov_rpc *cov_chain_rpc(cov_chain *c) { return c->rpc; }
const cov_metadata *cov_chain_metadata(const cov_chain *c) { return c->meta; }
const cov_rpc_runtime_version *cov_chain_version(const cov_chain *c) { return &c->version; }
const uint8_t *cov_chain_genesis(const cov_chain *c) { return c->genesis; }

cov_status cov_chain_refresh(cov_chain *c, bool *changed, cov_err *err)
{
    if (changed)
        *changed = false;
    if (!c->rpc)
        return cov_fail(err, COV_ERR_ARG, "offline client: no node to ask");
    cov_rpc_runtime_version v;
    cov_status st = cov_rpc_runtime_version_get(c->rpc, &v, NULL, err);
    if (st != COV_OK || v.spec_version == c->version.spec_version)
        return st;
    COV_INFO("runtime upgraded: spec_version %u -> %u; re-reading metadata",
             c->version.spec_version, v.spec_version);
    cov_rpc_runtime_version old = c->version;
    c->version = v; /* the cache file is named by the new version */
    st = load_metadata(c, err);
    if (st != COV_OK)
        c->version = old;
    if (st == COV_OK) {
        if (changed)
            *changed = true;
    }
    return st;
}

cov_status chain_need_rpc(const cov_chain *c, cov_err *err)
{
    if (!c->rpc)
        return cov_fail(err, COV_ERR_ARG, "this needs a node, but the client is offline");
    return COV_OK;
}
