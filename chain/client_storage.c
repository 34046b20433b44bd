/* Storage through the metadata: keys hashed as the entry's hashers say,
 * values decoded by the entry's type, defaults applied as the chain does. */
#include "chain/client_internal.h"

#include <stdlib.h>
#include <string.h>

/* The type of map key i: the tuple's i-th field when there are several
 * hashers, else the whole key type. */
static uint32_t key_type_at(const cov_metadata *m, const cov_meta_storage_entry *e, size_t i)
{
    if (e->n_hashers == 1)
        return e->key_type;
    const cov_meta_type *t = cov_metadata_type(m, e->key_type);
    if (t && t->kind == COV_TYPE_TUPLE && i < t->def.tuple.n_types)
        return t->def.tuple.types[i];
    return COV_META_NONE;
}

cov_status cov_chain_storage_key(cov_chain *c, cov_buf *key, const char *pallet_name,
                                 const char *item, const json_t *keys, cov_err *err)
{
    const cov_meta_pallet *pallet;
    const cov_meta_storage_entry *e;
    cov_status st = cov_metadata_storage(c->meta, &pallet, &e, pallet_name, item, err);
    if (st != COV_OK)
        return st;
    size_t n = keys && !json_is_null(keys) ? json_array_size(keys) : 0;
    if (keys && !json_is_null(keys) && !json_is_array(keys))
        return cov_fail(err, COV_ERR_ARG, "%s.%s: keys must be a JSON array", pallet_name, item);
    if (n > e->n_hashers)
        return cov_fail(err, COV_ERR_ARG, "%s.%s takes %u key(s), got %zu", pallet_name, item,
                        e->n_hashers, n);
    st = cov_storage_key_begin(key, pallet->storage_prefix, e->name, err);
    cov_buf encoded;
    cov_buf_init(&encoded, 1u << 20);
    for (size_t i = 0; st == COV_OK && i < n; i++) {
        cov_buf_reset(&encoded);
        st = cov_codec_encode(&encoded, c->meta, key_type_at(c->meta, e, i),
                              json_array_get(keys, i), err);
        if (st != COV_OK)
            cov_err_context(err, "%s.%s key %zu", pallet_name, item, i + 1);
        else
            st = cov_storage_key_append(key, e->hashers[i], encoded.data, encoded.len, err);
    }
    cov_buf_free(&encoded);
    return st;
}

static cov_status decode_value(cov_chain *c, json_t **value, const cov_meta_storage_entry *e,
                               const uint8_t *bytes, size_t len, bool found, cov_err *err)
{
    if (!found && e->modifier == COV_STORAGE_OPTIONAL) {
        *value = json_null();
        return COV_OK;
    }
    if (!found) {
        bytes = e->default_value;
        len = e->default_len;
    }
    cov_status st = cov_codec_decode_all(value, c->meta, e->value_type, bytes, len, NULL, err);
    if (st != COV_OK)
        cov_err_context(err, "decoding %s", e->name);
    return st;
}

cov_status cov_chain_storage_read(cov_chain *c, json_t **value, const char *pallet,
                                  const char *item, const json_t *keys, const uint8_t *at,
                                  cov_err *err)
{
    *value = NULL;
    const cov_meta_storage_entry *e;
    cov_status st = cov_metadata_storage(c->meta, NULL, &e, pallet, item, err);
    if (st == COV_OK)
        st = chain_need_rpc(c, err);
    if (st != COV_OK)
        return st;
    size_t given = keys && json_is_array(keys) ? json_array_size(keys) : 0;
    if (given != e->n_hashers)
        return cov_fail(err, COV_ERR_ARG,
                        "%s.%s needs %u key(s) to read one value, got %zu (iterate to list a map)",
                        pallet, item, e->n_hashers, given);
    cov_buf key;
    cov_buf_init(&key, 1u << 16);
    st = cov_chain_storage_key(c, &key, pallet, item, keys, err);
    uint8_t *bytes = NULL;
    size_t len = 0;
    bool found = false;
    if (st == COV_OK)
        st = cov_rpc_storage_get(c->rpc, &bytes, &len, &found, key.data, key.len, at, err);
    if (st == COV_OK)
        st = decode_value(c, value, e, bytes, len, found, err);
    free(bytes);
    cov_buf_free(&key);
    return st;
}

enum { QUERY_BATCH = 256 };

cov_status cov_chain_storage_read_many(cov_chain *c, json_t **values, const char *pallet,
                                       const char *item, const json_t *keys_list,
                                       const uint8_t *at, cov_err *err)
{
    *values = NULL;
    const cov_meta_storage_entry *e;
    cov_status st = cov_metadata_storage(c->meta, NULL, &e, pallet, item, err);
    if (st == COV_OK)
        st = chain_need_rpc(c, err);
    if (st == COV_OK && !json_is_array(keys_list))
        st = cov_fail(err, COV_ERR_ARG, "%s.%s: expected an array of key arrays", pallet, item);
    if (st != COV_OK)
        return st;
    size_t n = json_array_size(keys_list);
    json_t *out = json_array();
    uint8_t *keys[QUERY_BATCH];
    size_t lens[QUERY_BATCH];
    bool found[QUERY_BATCH];
    for (size_t start = 0; st == COV_OK && start < n; start += QUERY_BATCH) {
        size_t count = n - start < QUERY_BATCH ? n - start : QUERY_BATCH, built = 0;
        for (; st == COV_OK && built < count; built++) {
            cov_buf key;
            cov_buf_init(&key, 1u << 16);
            st = cov_chain_storage_key(c, &key, pallet, item,
                                       json_array_get(keys_list, start + built), err);
            keys[built] = key.data; /* ownership moves to keys[] */
            lens[built] = key.len;
            if (st != COV_OK)
                free(key.data);
        }
        if (st != COV_OK)
            built--;
        cov_rpc_bytes_list got = {0};
        if (st == COV_OK)
            st = cov_rpc_query_storage_at(c->rpc, &got, found, count,
                                          (const uint8_t *const *)keys, lens, at, err);
        for (size_t i = 0; st == COV_OK && i < count; i++) {
            json_t *v;
            st = decode_value(c, &v, e, got.items[i], got.lens[i], found[i], err);
            if (st == COV_OK)
                json_array_append_new(out, v);
        }
        cov_rpc_bytes_list_free(&got);
        for (size_t i = 0; i < built; i++)
            free(keys[i]);
    }
    if (st != COV_OK) {
        json_decref(out);
        return st;
    }
    *values = out;
    return COV_OK;
}

/* The map keys of one full storage key, decoded where the hashers keep
 * them. */
static cov_status decode_keys(cov_chain *c, json_t **out, const cov_meta_storage_entry *e,
                              const uint8_t *key, size_t len, cov_err *err)
{
    cov_scale_reader r;
    cov_scale_reader_init(&r, key, len);
    cov_status st = cov_scale_skip(&r, COV_STORAGE_PREFIX_LEN, err);
    json_t *keys = json_array();
    for (uint32_t i = 0; st == COV_OK && i < e->n_hashers; i++) {
        st = cov_scale_skip(&r, cov_storage_hasher_hash_len(e->hashers[i]), err);
        if (st != COV_OK)
            break;
        if (!cov_storage_hasher_is_concat(e->hashers[i])) {
            json_array_append_new(keys, json_null());
            continue;
        }
        json_t *k;
        st = cov_codec_decode(&k, c->meta, key_type_at(c->meta, e, i), &r, NULL, err);
        if (st == COV_OK)
            json_array_append_new(keys, k);
    }
    if (st == COV_OK)
        st = cov_scale_expect_end(&r, "storage key", err);
    if (st != COV_OK) {
        json_decref(keys);
        return cov_err_context(err, "a key of %s from the node", e->name);
    }
    *out = keys;
    return COV_OK;
}

enum { KEYS_PAGE = 512 };

cov_status cov_chain_storage_iter(cov_chain *c, json_t **entries, const char *pallet,
                                  const char *item, const json_t *keys, size_t limit,
                                  const uint8_t *at, cov_err *err)
{
    *entries = NULL;
    const cov_meta_storage_entry *e;
    cov_status st = cov_metadata_storage(c->meta, NULL, &e, pallet, item, err);
    if (st == COV_OK)
        st = chain_need_rpc(c, err);
    /* Every page and every value from one block: on a live chain the best
     * block moves between requests, and pages from different states could
     * skip or repeat keys, or find a listed key gone (and so report the
     * item's default for it). */
    uint8_t best[32];
    if (st == COV_OK && !at && (st = cov_rpc_block_hash(c->rpc, best, NULL, err)) == COV_OK)
        at = best;
    if (st != COV_OK)
        return st;
    cov_buf prefix;
    cov_buf_init(&prefix, 1u << 16);
    st = cov_chain_storage_key(c, &prefix, pallet, item, keys, err);
    json_t *list = json_array();
    cov_rpc_bytes_list page = {0};
    uint8_t *last = NULL;
    size_t last_len = 0;
    while (st == COV_OK && json_array_size(list) < limit) {
        size_t want = limit - json_array_size(list);
        st = cov_rpc_keys_paged(c->rpc, &page, prefix.data, prefix.len,
                                (uint32_t)(want < KEYS_PAGE ? want : KEYS_PAGE), last, last_len,
                                at, err);
        if (st != COV_OK || page.n == 0)
            break;
        bool *found = calloc(page.n, sizeof *found);
        cov_rpc_bytes_list values = {0};
        st = found ? cov_rpc_query_storage_at(c->rpc, &values, found, page.n,
                                              (const uint8_t *const *)page.items, page.lens, at,
                                              err)
                   : cov_fail(err, COV_ERR_NOMEM, "out of memory");
        for (size_t i = 0; st == COV_OK && i < page.n; i++) {
            json_t *k = NULL, *v = NULL;
            st = decode_keys(c, &k, e, page.items[i], page.lens[i], err);
            if (st == COV_OK)
                st = decode_value(c, &v, e, values.items[i], values.lens[i], found[i], err);
            if (st == COV_OK)
                json_array_append_new(list, json_pack("{s:o,s:o}", "keys", k, "value", v));
            else
                json_decref(k);
        }
        cov_rpc_bytes_list_free(&values);
        free(found);
        free(last);
        last = NULL;
        if (st == COV_OK && (last = malloc(page.lens[page.n - 1])) != NULL) {
            last_len = page.lens[page.n - 1];
            memcpy(last, page.items[page.n - 1], last_len);
        }
        bool short_page = page.n < (want < KEYS_PAGE ? want : KEYS_PAGE);
        cov_rpc_bytes_list_free(&page);
        if (short_page || !last)
            break;
    }
    free(last);
    cov_rpc_bytes_list_free(&page);
    cov_buf_free(&prefix);
    if (st != COV_OK) {
        json_decref(list);
        return st;
    }
    *entries = list;
    return COV_OK;
}

cov_status cov_chain_constant(cov_chain *c, json_t **value, const char *pallet, const char *name,
                              cov_err *err)
{
    const cov_meta_constant *k;
    cov_status st = cov_metadata_constant(c->meta, &k, pallet, name, err);
    if (st != COV_OK)
        return st;
    return cov_codec_decode_all(value, c->meta, k->type, k->value, k->value_len, NULL, err);
}
