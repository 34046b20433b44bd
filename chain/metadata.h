/* Part of chain/chain.h: runtime metadata V14 and V15.
 *
 * cov_metadata_decode reads the bytes a node serves and gives an opaque
 * cov_metadata: the portable type registry, the pallets (storage, calls,
 * events, errors, constants), the extrinsic format with its signed
 * extensions, and for V15 the runtime APIs and outer enums. Lookups by name
 * and by index give the pallet and call indices, storage hashers and types
 * that calls and storage keys are built from, so nothing is hard-coded.
 *
 * Ownership: everything a lookup returns (structs, arrays, strings, byte
 * strings) lives in the cov_metadata's own memory and stays valid, unchanged,
 * until cov_metadata_free. Strings are NUL-terminated UTF-8. Nothing here
 * is ever NULL unless the comment says so; arrays come with a count and may
 * be NULL when the count is 0.
 *
 * Every type id that the decoded metadata mentions has been checked to
 * exist, so cov_metadata_type() on such an id never returns NULL.
 */
#ifndef COVENANT_CHAIN_METADATA_H
#define COVENANT_CHAIN_METADATA_H

#include "common/common.h"

/* The largest metadata covenant decodes. Real runtimes are below 1 MiB
 * and take ~2.5x their size decoded; contrived input can take up to ~16x,
 * so the cap bounds memory. */
#define COV_METADATA_MAX_BYTES ((size_t)16 << 20)

/* "No type": a pallet without calls, a V14 extrinsic without V15's
 * address/call/signature/extra fields, a plain storage entry's key. */
#define COV_META_NONE UINT32_MAX

typedef struct cov_metadata cov_metadata;

/* A list of strings (path segments, doc lines). */
typedef struct {
    const char *const *items;
    uint32_t count;
} cov_meta_strs;

/* ----------------------------------------------------------------- types */

/* The TypeDef variants, numbered as they are encoded. */
typedef enum {
    COV_TYPE_COMPOSITE = 0,
    COV_TYPE_VARIANT = 1,
    COV_TYPE_SEQUENCE = 2,
    COV_TYPE_ARRAY = 3,
    COV_TYPE_TUPLE = 4,
    COV_TYPE_PRIMITIVE = 5,
    COV_TYPE_COMPACT = 6,
    COV_TYPE_BIT_SEQUENCE = 7
} cov_type_kind;

/* TypeDefPrimitive, numbered as encoded. */
typedef enum {
    COV_PRIM_BOOL = 0,
    COV_PRIM_CHAR,
    COV_PRIM_STR,
    COV_PRIM_U8,
    COV_PRIM_U16,
    COV_PRIM_U32,
    COV_PRIM_U64,
    COV_PRIM_U128,
    COV_PRIM_U256,
    COV_PRIM_I8,
    COV_PRIM_I16,
    COV_PRIM_I32,
    COV_PRIM_I64,
    COV_PRIM_I128,
    COV_PRIM_I256,
    COV_PRIM_COUNT
} cov_primitive;

typedef struct {
    const char *name;      /* NULL for an unnamed (tuple-struct) field */
    uint32_t type;
    const char *type_name; /* the Rust type as written, e.g. "T::Balance"; may be NULL */
    cov_meta_strs docs;
} cov_meta_field;

typedef struct {
    const char *name;
    uint8_t index; /* the byte that selects this variant on the wire */
    const cov_meta_field *fields;
    uint32_t n_fields;
    cov_meta_strs docs;
} cov_meta_variant;

typedef struct {
    const char *name;
    uint32_t type; /* COV_META_NONE when the parameter has no type */
} cov_meta_type_param;

typedef struct {
    uint32_t id;
    cov_meta_strs path; /* e.g. {"sp_core", "crypto", "AccountId32"}; may be empty */
    const cov_meta_type_param *params;
    uint32_t n_params;
    cov_meta_strs docs;
    cov_type_kind kind;
    union {
        struct {
            const cov_meta_field *fields;
            uint32_t n_fields;
        } composite;
        struct {
            const cov_meta_variant *variants;
            uint32_t n_variants;
        } variant;
        struct {
            uint32_t type;
        } sequence;
        struct {
            uint32_t len;
            uint32_t type;
        } array;
        struct {
            const uint32_t *types;
            uint32_t n_types;
        } tuple;
        cov_primitive primitive;
        struct {
            uint32_t type;
        } compact;
        struct {
            uint32_t store_type;
            uint32_t order_type;
        } bit_sequence;
    } def;
} cov_meta_type;

/* --------------------------------------------------------------- pallets */

typedef enum {
    COV_STORAGE_OPTIONAL = 0, /* absent value reads as None */
    COV_STORAGE_DEFAULT = 1   /* absent value reads as the default bytes */
} cov_storage_modifier;

/* StorageHasher, numbered as encoded. */
typedef enum {
    COV_HASHER_BLAKE2_128 = 0,
    COV_HASHER_BLAKE2_256,
    COV_HASHER_BLAKE2_128_CONCAT,
    COV_HASHER_TWOX128,
    COV_HASHER_TWOX256,
    COV_HASHER_TWOX64_CONCAT,
    COV_HASHER_IDENTITY,
    COV_HASHER_COUNT
} cov_storage_hasher;

typedef struct {
    const char *name;
    cov_storage_modifier modifier;
    bool is_map;
    /* Maps: one hasher per key. With several, key_type is a tuple whose
     * fields are the keys in order (a single-hasher map over a tuple key
     * hashes the whole tuple at once). */
    const cov_storage_hasher *hashers;
    uint32_t n_hashers;
    uint32_t key_type; /* COV_META_NONE for a plain value */
    uint32_t value_type;
    const uint8_t *default_value; /* SCALE bytes of the default */
    size_t default_len;
    cov_meta_strs docs;
} cov_meta_storage_entry;

typedef struct {
    const char *name;
    uint32_t type;
    const uint8_t *value; /* SCALE bytes */
    size_t value_len;
    cov_meta_strs docs;
} cov_meta_constant;

typedef struct {
    const char *name;
    uint8_t index;
    const char *storage_prefix; /* NULL when the pallet has no storage */
    const cov_meta_storage_entry *storage;
    uint32_t n_storage;
    uint32_t calls_type;  /* a variant type, or COV_META_NONE */
    uint32_t events_type; /* a variant type, or COV_META_NONE */
    uint32_t errors_type; /* a variant type, or COV_META_NONE */
    const cov_meta_constant *constants;
    uint32_t n_constants;
    cov_meta_strs docs; /* V15 only; empty in V14 */
} cov_meta_pallet;

/* ------------------------------------------------------------- extrinsic */

typedef struct {
    const char *identifier;     /* e.g. "CheckNonce" */
    uint32_t type;              /* what it adds to the extrinsic ("extra") */
    uint32_t additional_signed; /* what it adds to the signed payload only */
} cov_meta_signed_ext;

typedef struct {
    uint8_t version; /* extrinsic format version, 4 */
    /* V14: the UncheckedExtrinsic type; V15 does not carry it (NONE). */
    uint32_t type;
    /* V15 carries these; for V14 they come from the UncheckedExtrinsic
     * type's parameters named Address, Call, Signature and Extra, and are
     * COV_META_NONE if a parameter is missing. */
    uint32_t address_type;
    uint32_t call_type;
    uint32_t signature_type;
    uint32_t extra_type;
    const cov_meta_signed_ext *signed_exts; /* in wire order */
    uint32_t n_signed_exts;
} cov_meta_extrinsic;

/* ---------------------------------------------------------- runtime APIs */

typedef struct {
    const char *name;
    uint32_t type;
} cov_meta_api_param;

typedef struct {
    const char *name;
    const cov_meta_api_param *inputs;
    uint32_t n_inputs;
    uint32_t output;
    cov_meta_strs docs;
} cov_meta_api_method;

typedef struct {
    const char *name; /* trait name, e.g. "NeuronInfoRuntimeApi" */
    const cov_meta_api_method *methods;
    uint32_t n_methods;
    cov_meta_strs docs;
} cov_meta_runtime_api;

/* V15's outer enums; all COV_META_NONE in V14. */
typedef struct {
    uint32_t call_type;
    uint32_t event_type;
    uint32_t error_type; /* the enum to decode DispatchError::Module's 5 bytes with */
} cov_meta_outer_enums;

/* -------------------------------------------------------------- decoding */

/* Decodes metadata as a node serves it, in any of these forms:
 *   - RuntimeMetadataPrefixed: "meta" (6d657461), version byte, body; what
 *     the RPC state_getMetadata returns;
 *   - Option<OpaqueMetadata>: 0x01, Compact length, prefixed bytes; what
 *     state_call("Metadata_metadata_at_version", version) returns (0x00,
 *     None, means the runtime does not offer that version: COV_ERR_NOT_FOUND);
 *   - OpaqueMetadata: Compact length, prefixed bytes (state_call of
 *     "Metadata_metadata").
 * Versions 14 and 15 are decoded; others are COV_ERR_UNSUPPORTED. Every
 * byte must be used (no trailing data), strings must be UTF-8 without NUL,
 * type ids 0, 1, 2, ... in order, and every type id mentioned must exist;
 * pallets' call, event and error types must be variants. On success *out
 * is new; free it with cov_metadata_free. */
cov_status cov_metadata_decode(cov_metadata **out, const uint8_t *bytes,
                               size_t len, cov_err *err) COV_WARN_UNUSED;
void cov_metadata_free(cov_metadata *m);

/* 14 or 15. */
unsigned cov_metadata_version(const cov_metadata *m);
/* The `Runtime` type id. */
uint32_t cov_metadata_runtime_type(const cov_metadata *m);

/* ------------------------------------------------------------- iteration */

uint32_t cov_metadata_n_types(const cov_metadata *m);
/* The type with this id, or NULL if there is none. */
const cov_meta_type *cov_metadata_type(const cov_metadata *m, uint32_t id);

uint32_t cov_metadata_n_pallets(const cov_metadata *m);
/* The i-th pallet in metadata order (NULL past the end). */
const cov_meta_pallet *cov_metadata_pallet_at(const cov_metadata *m,
                                              uint32_t i);

const cov_meta_extrinsic *cov_metadata_extrinsic(const cov_metadata *m);

uint32_t cov_metadata_n_apis(const cov_metadata *m); /* 0 for V14 */
const cov_meta_runtime_api *cov_metadata_api_at(const cov_metadata *m,
                                                uint32_t i);

const cov_meta_outer_enums *cov_metadata_outer_enums(const cov_metadata *m);

/* --------------------------------------------------------------- lookups */

/* Pallets by name (exact, case-sensitive, e.g. "SubtensorModule") or by
 * index; NULL if there is none. */
const cov_meta_pallet *cov_metadata_pallet(const cov_metadata *m,
                                           const char *name);
const cov_meta_pallet *cov_metadata_pallet_by_index(const cov_metadata *m,
                                                    uint8_t index);

/* The variant with this index / name in a variant type; NULL if the type
 * is not a variant or has no such variant. */
const cov_meta_variant *cov_metadata_variant_by_index(const cov_metadata *m,
                                                      uint32_t type_id,
                                                      uint8_t index);
const cov_meta_variant *cov_metadata_variant_by_name(const cov_metadata *m,
                                                     uint32_t type_id,
                                                     const char *name);

/* A call: its two index bytes and argument list (the variant's fields). */
typedef struct {
    const cov_meta_pallet *pallet;
    uint8_t pallet_index;
    uint8_t call_index;
    const cov_meta_variant *variant;
} cov_meta_call;

/* The lookups below fail with COV_ERR_NOT_FOUND and a message naming what
 * is missing (no such pallet, the pallet has no calls, no such call...). */
cov_status cov_metadata_call(const cov_metadata *m, cov_meta_call *out,
                             const char *pallet, const char *call,
                             cov_err *err) COV_WARN_UNUSED;

/* A storage item and the pallet it lives in (whose storage_prefix is the
 * string hashed into the key). *pallet_out may be NULL. */
cov_status cov_metadata_storage(const cov_metadata *m,
                                const cov_meta_pallet **pallet_out,
                                const cov_meta_storage_entry **out,
                                const char *pallet, const char *item,
                                cov_err *err) COV_WARN_UNUSED;

cov_status cov_metadata_constant(const cov_metadata *m,
                                 const cov_meta_constant **out,
                                 const char *pallet, const char *name,
                                 cov_err *err) COV_WARN_UNUSED;

/* An event or error by the two bytes that identify it on the wire: the
 * pallet index and the variant index. For DispatchError::Module { index,
 * error: [u8; 4] }, pass index and error[0]. *pallet_out may be NULL. */
cov_status cov_metadata_event(const cov_metadata *m,
                              const cov_meta_pallet **pallet_out,
                              const cov_meta_variant **out,
                              uint8_t pallet_index, uint8_t event_index,
                              cov_err *err) COV_WARN_UNUSED;
cov_status cov_metadata_error(const cov_metadata *m,
                              const cov_meta_pallet **pallet_out,
                              const cov_meta_variant **out,
                              uint8_t pallet_index, uint8_t error_index,
                              cov_err *err) COV_WARN_UNUSED;

/* A runtime API method by trait and method name, e.g.
 * ("NeuronInfoRuntimeApi", "get_neurons_lite"); state_call names it
 * "<api>_<method>". V14 has no runtime API metadata: COV_ERR_NOT_FOUND.
 * *api_out may be NULL. */
cov_status cov_metadata_runtime_api(const cov_metadata *m,
                                    const cov_meta_runtime_api **api_out,
                                    const cov_meta_api_method **out,
                                    const char *api, const char *method,
                                    cov_err *err) COV_WARN_UNUSED;

/* ---------------------------------------------------------------- names */

/* Writes a readable name for the type into buf (always NUL-terminated when
 * size > 0, truncated to fit): the path's last segment with its type
 * parameters ("Option<u32>", "AccountId32"), primitives ("u64"), "Vec<T>",
 * "[T; N]", "(A, B)", "Compact<T>", "BitVec<Store, Order>"; "#<id>" for an
 * unknown id and "..." past a nesting limit (types can be recursive).
 * Returns the length the full name would have, as snprintf does; names of
 * huge or recursive types end in "..." after at most 4096 characters. */
size_t cov_metadata_type_name(const cov_metadata *m, uint32_t id, char *buf,
                              size_t size);

/* Short fixed names: "bool", "u8", ...; "Blake2_128Concat", ...;
 * "composite", "variant", ... Never NULL ("?" when out of range). */
const char *cov_primitive_name(cov_primitive p);
const char *cov_storage_hasher_name(cov_storage_hasher h);
const char *cov_type_kind_name(cov_type_kind k);

#endif /* COVENANT_CHAIN_METADATA_H */
