/* Storage keys as frame-support builds them:
 *   twox128(pallet) || twox128(item) || hasher(key1) [|| key1] || ...
 * The concat hashers keep the raw key after its hash so that keys read back
 * from the chain (state_getKeysPaged) say which account or netuid they are;
 * the opaque ones (Blake2_128/256, Twox128/256) only allow lookups. */
#include "chain/extrinsic.h"

#include <string.h>

static const struct {
    size_t hash_len;
    bool concat;
} HASHERS[COV_HASHER_COUNT] = {
    [COV_HASHER_BLAKE2_128] = {16, false},
    [COV_HASHER_BLAKE2_256] = {32, false},
    [COV_HASHER_BLAKE2_128_CONCAT] = {16, true},
    [COV_HASHER_TWOX128] = {16, false},
    [COV_HASHER_TWOX256] = {32, false},
    [COV_HASHER_TWOX64_CONCAT] = {8, true},
    [COV_HASHER_IDENTITY] = {0, true},
};

static bool hasher_ok(cov_storage_hasher h)
{
    return (unsigned)h < COV_HASHER_COUNT;
}

size_t cov_storage_hasher_hash_len(cov_storage_hasher h)
{
    return hasher_ok(h) ? HASHERS[h].hash_len : 0;
}

bool cov_storage_hasher_is_concat(cov_storage_hasher h)
{
    return hasher_ok(h) && HASHERS[h].concat;
}

/* Writes the hash part (cov_storage_hasher_hash_len bytes) of a hasher. */
static void hash_part(uint8_t out[32], cov_storage_hasher h, const uint8_t *in,
                      size_t len)
{
    switch (h) {
    case COV_HASHER_BLAKE2_128:
    case COV_HASHER_BLAKE2_128_CONCAT:
        cov_blake2b_128(out, in, len);
        break;
    case COV_HASHER_BLAKE2_256:
        cov_blake2b_256(out, in, len);
        break;
    case COV_HASHER_TWOX128:
        cov_twox128(out, in, len);
        break;
    case COV_HASHER_TWOX256:
        cov_twox256(out, in, len);
        break;
    case COV_HASHER_TWOX64_CONCAT:
        cov_twox64(out, in, len);
        break;
    case COV_HASHER_IDENTITY:
    case COV_HASHER_COUNT:
        break;
    }
}

void cov_storage_prefix(uint8_t out[COV_STORAGE_PREFIX_LEN],
                        const char *pallet, const char *item)
{
    cov_twox128(out, (const uint8_t *)pallet, strlen(pallet));
    cov_twox128(out + 16, (const uint8_t *)item, strlen(item));
}

cov_status cov_storage_key_begin(cov_buf *key, const char *pallet,
                                 const char *item, cov_err *err)
{
    uint8_t prefix[COV_STORAGE_PREFIX_LEN];
    cov_storage_prefix(prefix, pallet, item);
    return cov_buf_append(key, prefix, sizeof prefix, err);
}

cov_status cov_storage_key_append(cov_buf *key, cov_storage_hasher hasher,
                                  const uint8_t *encoded, size_t len,
                                  cov_err *err)
{
    if (!hasher_ok(hasher))
        return cov_fail(err, COV_ERR_ARG, "unknown storage hasher %d",
                        (int)hasher);
    uint8_t h[32];
    hash_part(h, hasher, encoded, len);
    cov_status st = cov_buf_append(key, h, HASHERS[hasher].hash_len, err);
    if (st == COV_OK && HASHERS[hasher].concat)
        st = cov_buf_append(key, encoded, len, err);
    return st;
}

cov_status cov_storage_key_len_fixed(size_t *len, void *ctx, size_t index,
                                     const uint8_t *data, size_t avail,
                                     cov_err *err)
{
    *len = ((const size_t *)ctx)[index];
    return COV_OK;
}

cov_status cov_storage_key_split(cov_storage_key_part *parts,
                                 const uint8_t *key, size_t key_len,
                                 const uint8_t prefix[COV_STORAGE_PREFIX_LEN],
                                 const cov_storage_hasher *hashers, size_t n,
                                 cov_storage_key_len_fn key_len_fn, void *ctx,
                                 cov_err *err)
{
    if (key_len < COV_STORAGE_PREFIX_LEN ||
        memcmp(key, prefix, COV_STORAGE_PREFIX_LEN) != 0)
        return cov_fail(err, COV_ERR_PARSE,
                        "storage key does not start with the expected "
                        "pallet and item prefix");
    size_t pos = COV_STORAGE_PREFIX_LEN;
    for (size_t i = 0; i < n; i++) {
        cov_storage_hasher h = hashers[i];
        if (!hasher_ok(h))
            return cov_fail(err, COV_ERR_ARG, "unknown storage hasher %d",
                            (int)h);
        size_t hl = HASHERS[h].hash_len;
        if (key_len - pos < hl)
            return cov_fail(err, COV_ERR_PARSE,
                            "storage key too short: part %zu (%s) needs %zu "
                            "bytes of hash, %zu remain",
                            i, cov_storage_hasher_name(h), hl, key_len - pos);
        cov_storage_key_part *p = &parts[i];
        p->hasher = h;
        p->hash = key + pos;
        p->hash_len = hl;
        p->key = NULL;
        p->key_len = 0;
        pos += hl;
        if (!HASHERS[h].concat)
            continue;

        size_t kl = key_len - pos;
        if (key_len_fn) {
            cov_status st =
                key_len_fn(&kl, ctx, i, key + pos, key_len - pos, err);
            if (st != COV_OK)
                return cov_err_context(err, "storage key part %zu", i);
        } else if (i + 1 != n) {
            return cov_fail(err, COV_ERR_ARG,
                            "storage key part %zu (%s) is not the last, so "
                            "its length must come from a key length "
                            "function",
                            i, cov_storage_hasher_name(h));
        }
        if (kl > key_len - pos)
            return cov_fail(err, COV_ERR_PARSE,
                            "storage key too short: part %zu needs %zu key "
                            "bytes, %zu remain",
                            i, kl, key_len - pos);
        p->key = key + pos;
        p->key_len = kl;
        pos += kl;
        /* A wrong length function would otherwise give a wrong key
         * silently: the hash in front of it catches that. */
        uint8_t want[32];
        hash_part(want, h, p->key, kl);
        if (memcmp(want, p->hash, hl) != 0)
            return cov_fail(err, COV_ERR_CHECKSUM,
                            "storage key part %zu: the %zu key bytes do not "
                            "hash (%s) to the hash in front of them",
                            i, kl, cov_storage_hasher_name(h));
    }
    if (pos != key_len)
        return cov_fail(err, COV_ERR_PARSE,
                        "storage key has %zu bytes left over after %zu parts",
                        key_len - pos, n);
    return COV_OK;
}
