/* The runtime metadata, cached per spec_version: about a megabyte of hex
 * that only changes with a runtime upgrade, so it is read again only when
 * state_getRuntimeVersion reports a new specVersion. Optionally also cached
 * on disk, keyed by genesis hash and spec version. The disk cache is an
 * optimisation: failing to read or write it never fails a call. */
#include "chain/rpc_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool looks_like_metadata(const uint8_t *bytes, size_t len)
{
    return len >= 5 && memcmp(bytes, "meta", 4) == 0;
}

static cov_status copy_out(uint8_t **bytes, size_t *len, const uint8_t *src,
                           size_t src_len, cov_err *err)
{
    *bytes = malloc(src_len);
    if (!*bytes)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory copying the metadata");
    memcpy(*bytes, src, src_len);
    *len = src_len;
    return COV_OK;
}

/* <cache_dir>/metadata-<genesis hex>-<spec>.scale; NULL if out of memory. */
static char *cache_path(const cov_rpc *rpc, uint32_t spec)
{
    char genesis[65];
    cov_hex_encode(genesis, rpc->genesis, 32);
    size_t n = strlen(rpc->cache_dir) + sizeof genesis + 40;
    char *path = malloc(n);
    if (path)
        snprintf(path, n, "%s/metadata-%s-%lu.scale", rpc->cache_dir, genesis,
                 (unsigned long)spec);
    return path;
}

/* Reads a cached file; false (and a debug line) if there is none usable. */
static bool read_disk(cov_rpc *rpc, const char *path, uint8_t **bytes, size_t *len)
{
    if (!cov_file_exists(path))
        return false;
    cov_err e;
    if (cov_file_read(bytes, len, path, rpc->opts.max_response, false, &e) != COV_OK) {
        COV_DEBUG("rpc: metadata cache %s unreadable, reading from the node: %s", path,
                  e.msg);
        return false;
    }
    if (!looks_like_metadata(*bytes, *len)) {
        COV_DEBUG("rpc: metadata cache %s is not metadata, reading from the node", path);
        free(*bytes);
        *bytes = NULL;
        return false;
    }
    return true;
}

static void write_disk(const cov_rpc *rpc, const char *path, const uint8_t *bytes,
                       size_t len)
{
    cov_err e;
    if (cov_mkdir_p(rpc->cache_dir, 0700, &e) != COV_OK ||
        cov_file_write_atomic(path, bytes, len, 0644, true, &e) != COV_OK)
        COV_INFO("rpc: cannot write the metadata cache %s: %s", path, e.msg);
}

/* The metadata of block `at` with version spec: from the disk cache if it
 * has it, else from the node (and then into the disk cache). */
static cov_status load_metadata(cov_rpc *rpc, uint8_t **bytes, size_t *len,
                                const uint8_t at[32], uint32_t spec, cov_err *err)
{
    char *path = NULL;
    if (rpc->cache_dir) {
        if (!rpc->have_genesis) {
            const uint64_t zero = 0;
            cov_status st = cov_rpc_block_hash(rpc, rpc->genesis, &zero, err);
            if (st != COV_OK)
                return st;
            rpc->have_genesis = true;
        }
        path = cache_path(rpc, spec);
        if (!path)
            return cov_fail(err, COV_ERR_NOMEM, "out of memory");
        if (read_disk(rpc, path, bytes, len)) {
            COV_DEBUG("rpc: metadata of spec %lu from %s", (unsigned long)spec, path);
            free(path);
            return COV_OK;
        }
    }
    cov_status st = cov_rpc_metadata_get(rpc, bytes, len, at, err);
    if (st == COV_OK && path)
        write_disk(rpc, path, *bytes, *len);
    free(path);
    return st;
}

cov_status cov_rpc_metadata_bytes(cov_rpc *rpc, uint8_t **bytes, size_t *len,
                                  uint32_t *spec_version, cov_err *err)
{
    if (!rpc || !bytes || !len)
        return cov_fail(err, COV_ERR_ARG, "cov_rpc_metadata_bytes: no client or output");
    *bytes = NULL;
    *len = 0;
    /* Version and metadata of one block: a runtime upgrade between two
     * "best block" reads could otherwise pair spec N with metadata N+1. */
    uint8_t best[32];
    cov_rpc_runtime_version v;
    cov_status st = cov_rpc_block_hash(rpc, best, NULL, err);
    if (st == COV_OK)
        st = cov_rpc_runtime_version_get(rpc, &v, best, err);
    if (st != COV_OK)
        return err ? cov_err_context(err, "reading the runtime metadata") : st;

    if (!rpc->meta || rpc->meta_spec != v.spec_version) {
        if (rpc->meta)
            COV_INFO("rpc: runtime changed from spec %lu to %lu: reloading metadata",
                     (unsigned long)rpc->meta_spec, (unsigned long)v.spec_version);
        uint8_t *fresh;
        size_t fresh_len;
        st = load_metadata(rpc, &fresh, &fresh_len, best, v.spec_version, err);
        if (st != COV_OK)
            return err ? cov_err_context(err, "reading the runtime metadata") : st;
        free(rpc->meta);
        rpc->meta = fresh;
        rpc->meta_len = fresh_len;
        rpc->meta_spec = v.spec_version;
    }
    if (spec_version)
        *spec_version = rpc->meta_spec;
    return copy_out(bytes, len, rpc->meta, rpc->meta_len, err);
}
