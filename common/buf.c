/* A growable byte buffer with a hard cap, so hostile input cannot make it
 * grow without bound. */
#include "common/common.h"

#include <stdlib.h>
#include <string.h>

void cov_buf_init(cov_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

void cov_buf_free(cov_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
}

void cov_buf_reset(cov_buf *b) { b->len = 0; }

cov_status cov_buf_append(cov_buf *b, const void *data, size_t len,
                          cov_err *err)
{
    if (len > b->cap - b->len || b->len > b->cap)
        return cov_fail(err, COV_ERR_TOO_BIG,
                        "buffer limit of %zu bytes exceeded", b->cap);
    size_t need = b->len + len;
    if (need > b->alloc) {
        size_t grown = b->alloc ? b->alloc : 64;
        while (grown < need)
            grown = grown > b->cap / 2 ? b->cap : grown * 2;
        uint8_t *p = realloc(b->data, grown);
        if (!p)
            return cov_fail(err, COV_ERR_NOMEM,
                            "out of memory growing a buffer to %zu bytes",
                            grown);
        b->data = p;
        b->alloc = grown;
    }
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len = need;
    return COV_OK;
}

cov_status cov_buf_append_byte(cov_buf *b, uint8_t byte, cov_err *err)
{
    return cov_buf_append(b, &byte, 1, err);
}
