/* The arena a cov_metadata lives in: blocks of at least 64 KiB carved up
 * in order, all freed at once by cov_metadata_free. */
#include "chain/metadata_internal.h"

#include <stdalign.h>
#include <stdlib.h>

enum { META_BLOCK_MIN = 64 * 1024 };

/* Decoded metadata is at most ~16x its input (see COV_METADATA_MAX_BYTES);
 * this cap stops a decoder bug or an unforeseen blow-up from taking the
 * machine's memory. */
#define META_ARENA_MAX ((size_t)1 << 30)

struct meta_block {
    meta_block *next;
    size_t used;
    size_t size;
    max_align_t data[]; /* aligned for anything */
};

/* Carves `bytes` at a multiple of `align` (a power of two dividing
 * max_align_t's, so block starts are aligned enough). */
static void *carve(meta_arena *a, size_t bytes, size_t align)
{
    if (bytes == 0)
        bytes = 1; /* distinct non-NULL pointers keep callers simple */
    if (bytes > SIZE_MAX - 2 * alignof(max_align_t))
        return NULL;
    meta_block *b = a->head;
    size_t pad = b ? (align - b->used % align) % align : 0;
    if (!b || b->size - b->used < pad + bytes) {
        size_t cap = bytes > META_BLOCK_MIN ? bytes : META_BLOCK_MIN;
        if (cap > META_ARENA_MAX - a->total)
            return NULL;
        b = calloc(1, sizeof *b + cap);
        if (!b)
            return NULL;
        b->size = cap;
        b->next = a->head;
        a->head = b;
        a->total += cap;
        pad = 0;
    }
    void *p = (unsigned char *)b->data + b->used + pad;
    b->used += pad + bytes;
    return p; /* calloc'd and never reused, so already zero */
}

void *meta_alloc(meta_arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return carve(a, n * size, alignof(max_align_t));
}

char *meta_alloc_chars(meta_arena *a, size_t n)
{
    return carve(a, n, 1);
}

void meta_arena_free(meta_arena *a)
{
    meta_block *b = a->head;
    while (b) {
        meta_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}
