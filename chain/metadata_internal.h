/* Shared by chain/metadata*.c only: the cov_metadata layout, its arena and
 * the decoding context. */
#ifndef COVENANT_CHAIN_METADATA_INTERNAL_H
#define COVENANT_CHAIN_METADATA_INTERNAL_H

#include "chain/metadata.h"
#include "chain/scale.h"

/* All of a cov_metadata's memory: a chain of blocks carved up in order and
 * freed together, so the many small strings and arrays cost one free. */
typedef struct meta_block meta_block;

typedef struct {
    meta_block *head;
    size_t total; /* bytes allocated so far, for the memory cap */
} meta_arena;

struct cov_metadata {
    meta_arena arena;
    unsigned version;
    uint32_t runtime_type;
    cov_meta_type *types;
    uint32_t n_types;
    cov_meta_pallet *pallets;
    uint32_t n_pallets;
    cov_meta_extrinsic extrinsic;
    cov_meta_runtime_api *apis;
    uint32_t n_apis;
    cov_meta_outer_enums outer;
};

/* Zeroed memory for n elements of `size` bytes, suitably aligned for any
 * type; NULL on overflow or exhaustion (the caller reports NOMEM). */
void *meta_alloc(meta_arena *a, size_t n, size_t size);
/* n zeroed bytes without alignment, for strings and byte strings (an
 * aligned empty string would cost 16 bytes, letting hostile metadata of
 * empty doc lines multiply its size in memory). */
char *meta_alloc_chars(meta_arena *a, size_t n);
void meta_arena_free(meta_arena *a);

/* The decoding state every metadata*.c decoder takes. */
typedef struct {
    cov_scale_reader r;
    cov_metadata *m;
    cov_err *err;
    bool registry_done; /* type ids can be checked from here on */
} meta_dec;

cov_status meta_nomem(meta_dec *d, size_t n, size_t size);
/* Reads a String into the arena (NUL-terminated; an embedded NUL is an
 * error, as C strings could not carry it). */
cov_status meta_str(meta_dec *d, const char **out);
/* Option<String>: NULL for None. */
cov_status meta_opt_str(meta_dec *d, const char **out);
/* Vec<String>. */
cov_status meta_strs(meta_dec *d, cov_meta_strs *out);
/* Vec<u8> copied into the arena. */
cov_status meta_bytes(meta_dec *d, const uint8_t **out, size_t *len);
/* A type id (Compact<u32>), which must name a type of the registry once
 * the registry has been read (d->registry_done). */
cov_status meta_type_id(meta_dec *d, uint32_t *out, const char *what);
/* Fails unless id names a type; `what` says where it was mentioned. */
cov_status meta_check_id(meta_dec *d, uint32_t id, const char *what);

/* The PortableRegistry (metadata_types.c). */
cov_status meta_decode_registry(meta_dec *d);

#endif
