/* Reading the metadata's building blocks (strings, string lists, byte
 * strings, type ids) into the arena. */
#include "chain/metadata_internal.h"

#include <string.h>

cov_status meta_nomem(meta_dec *d, size_t n, size_t size)
{
    return cov_fail(d->err, COV_ERR_NOMEM,
                    "out of memory decoding metadata (%zu x %zu bytes)", n,
                    size);
}

cov_status meta_str(meta_dec *d, const char **out)
{
    *out = NULL;
    size_t at = d->r.pos;
    const char *s;
    size_t len;
    cov_status st = cov_scale_read_str(&d->r, &s, &len, d->err);
    if (st != COV_OK)
        return st;
    if (memchr(s, '\0', len))
        return cov_fail(d->err, COV_ERR_PARSE,
                        "string at offset %zu contains a NUL byte; metadata "
                        "names and docs never do, so the data is corrupt",
                        at);
    char *copy = meta_alloc_chars(&d->m->arena, len + 1);
    if (!copy)
        return meta_nomem(d, len + 1, 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    *out = copy;
    return COV_OK;
}

cov_status meta_opt_str(meta_dec *d, const char **out)
{
    *out = NULL;
    bool some;
    cov_status st = cov_scale_read_option(&d->r, &some, d->err);
    if (st != COV_OK || !some)
        return st;
    return meta_str(d, out);
}

cov_status meta_strs(meta_dec *d, cov_meta_strs *out)
{
    out->items = NULL;
    out->count = 0;
    uint32_t n;
    cov_status st = cov_scale_read_len(&d->r, &n, 1, d->err);
    if (st != COV_OK)
        return st;
    if (n == 0)
        return COV_OK;
    const char **items = meta_alloc(&d->m->arena, n, sizeof *items);
    if (!items)
        return meta_nomem(d, n, sizeof *items);
    for (uint32_t i = 0; i < n; i++) {
        st = meta_str(d, &items[i]);
        if (st != COV_OK)
            return st;
    }
    out->items = items;
    out->count = n;
    return COV_OK;
}

cov_status meta_bytes(meta_dec *d, const uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    const uint8_t *src;
    size_t n;
    cov_status st = cov_scale_read_bytes(&d->r, &src, &n, d->err);
    if (st != COV_OK)
        return st;
    uint8_t *copy = (uint8_t *)meta_alloc_chars(&d->m->arena, n);
    if (!copy)
        return meta_nomem(d, n, 1);
    if (n)
        memcpy(copy, src, n);
    *out = copy;
    *len = n;
    return COV_OK;
}

cov_status meta_check_id(meta_dec *d, uint32_t id, const char *what)
{
    if (id < d->m->n_types)
        return COV_OK;
    return cov_fail(d->err, COV_ERR_PARSE,
                    "%s refers to type %u (before offset %zu), but the "
                    "registry has only %u types; the metadata is corrupt",
                    what, id, d->r.pos, d->m->n_types);
}

cov_status meta_type_id(meta_dec *d, uint32_t *out, const char *what)
{
    cov_status st = cov_scale_read_compact_u32(&d->r, out, d->err);
    if (st != COV_OK || !d->registry_done)
        return st;
    return meta_check_id(d, *out, what);
}
