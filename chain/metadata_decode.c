/* cov_metadata_decode: the envelope (RuntimeMetadataPrefixed, optionally
 * inside Option<OpaqueMetadata> or OpaqueMetadata) and the bodies of
 * RuntimeMetadataV14 and V15 (frame-metadata's v14.rs / v15.rs):
 *
 *   V14 { types, pallets: Vec<PalletV14>, extrinsic: ExtrinsicV14, ty }
 *   V15 { types, pallets: Vec<PalletV15>, extrinsic: ExtrinsicV15, ty,
 *         apis: Vec<RuntimeApi>, outer_enums, custom }
 *   PalletV14 { name, storage: Option<Storage>, calls: Option<ty>,
 *               event: Option<ty>, constants: Vec<Constant>,
 *               error: Option<ty>, index: u8 }      (V15 adds docs)
 *   Storage { prefix, entries: Vec<{ name, modifier: u8,
 *             ty: Plain(ty) | Map { hashers: Vec<u8>, key, value },
 *             default: Vec<u8>, docs }> }
 *   Constant { name, ty, value: Vec<u8>, docs }
 *   ExtrinsicV14 { ty, version: u8, signed_extensions }
 *   ExtrinsicV15 { version: u8, address_ty, call_ty, signature_ty,
 *                  extra_ty, signed_extensions }
 *   SignedExtension { identifier, ty, additional_signed }
 *   RuntimeApi { name, methods: Vec<{ name, inputs: Vec<{ name, ty }>,
 *                output, docs }>, docs }
 *   OuterEnums { call_enum_ty, event_enum_ty, module_error_enum_ty }
 *   Custom { map: BTreeMap<String, { ty, value: Vec<u8> }> }
 * (every "ty" is a Compact<u32> type id). */
#include "chain/metadata_internal.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t META_MAGIC[4] = {0x6d, 0x65, 0x74, 0x61}; /* "meta" */

/* Smallest encodings, for cov_scale_read_len's hostile-length check. */
enum {
    MIN_PALLET_V14 = 7,
    MIN_PALLET_V15 = 8,
    MIN_ENTRY = 6,
    MIN_CONSTANT = 4,
    MIN_SIGNED_EXT = 3,
    MIN_API = 3,
    MIN_METHOD = 4,
    MIN_PARAM = 2,
    MIN_CUSTOM = 3
};

/* Option<{ ty: Compact<u32> }>: COV_META_NONE for None. */
static cov_status read_opt_type(meta_dec *d, uint32_t *out, const char *what)
{
    *out = COV_META_NONE;
    bool some;
    cov_status st = cov_scale_read_option(&d->r, &some, d->err);
    if (st != COV_OK || !some)
        return st;
    return meta_type_id(d, out, what);
}

static cov_status read_entry(meta_dec *d, cov_meta_storage_entry *e)
{
    uint8_t modifier, kind;
    cov_status st;
    size_t at;
    if ((st = meta_str(d, &e->name)) != COV_OK)
        return st;
    at = d->r.pos;
    if ((st = cov_scale_read_u8(&d->r, &modifier, d->err)) != COV_OK)
        return st;
    if (modifier > COV_STORAGE_DEFAULT)
        return cov_fail(d->err, COV_ERR_PARSE,
                        "unknown storage modifier %u at offset %zu (known: 0 "
                        "Optional, 1 Default)",
                        modifier, at);
    e->modifier = (cov_storage_modifier)modifier;
    at = d->r.pos;
    if ((st = cov_scale_read_u8(&d->r, &kind, d->err)) != COV_OK)
        return st;
    e->key_type = COV_META_NONE;
    if (kind == 0) {
        st = meta_type_id(d, &e->value_type, "a storage value");
    } else if (kind == 1) {
        uint32_t n;
        e->is_map = true;
        if ((st = cov_scale_read_len(&d->r, &n, 1, d->err)) != COV_OK)
            return st;
        cov_storage_hasher *hs = meta_alloc(&d->m->arena, n, sizeof *hs);
        if (!hs)
            return meta_nomem(d, n, sizeof *hs);
        for (uint32_t i = 0; i < n; i++) {
            uint8_t h;
            size_t hat = d->r.pos;
            if ((st = cov_scale_read_u8(&d->r, &h, d->err)) != COV_OK)
                return st;
            if (h >= COV_HASHER_COUNT)
                return cov_fail(d->err, COV_ERR_PARSE,
                                "unknown storage hasher %u at offset %zu "
                                "(known: 0..%d)",
                                h, hat, COV_HASHER_COUNT - 1);
            hs[i] = (cov_storage_hasher)h;
        }
        e->hashers = n ? hs : NULL;
        e->n_hashers = n;
        if ((st = meta_type_id(d, &e->key_type, "a storage key")) != COV_OK)
            return st;
        st = meta_type_id(d, &e->value_type, "a storage value");
    } else {
        return cov_fail(d->err, COV_ERR_PARSE,
                        "unknown storage entry kind %u at offset %zu (known: "
                        "0 Plain, 1 Map)",
                        kind, at);
    }
    if (st != COV_OK ||
        (st = meta_bytes(d, &e->default_value, &e->default_len)) != COV_OK)
        return st;
    return meta_strs(d, &e->docs);
}

static cov_status read_storage(meta_dec *d, cov_meta_pallet *p)
{
    bool some;
    uint32_t n;
    cov_status st = cov_scale_read_option(&d->r, &some, d->err);
    if (st != COV_OK || !some)
        return st;
    if ((st = meta_str(d, &p->storage_prefix)) != COV_OK ||
        (st = cov_scale_read_len(&d->r, &n, MIN_ENTRY, d->err)) != COV_OK)
        return st;
    cov_meta_storage_entry *es = meta_alloc(&d->m->arena, n, sizeof *es);
    if (!es)
        return meta_nomem(d, n, sizeof *es);
    for (uint32_t i = 0; i < n; i++)
        if ((st = read_entry(d, &es[i])) != COV_OK)
            return cov_err_context(d->err, "storage entry %u%s%s", i,
                                   es[i].name ? " " : "",
                                   es[i].name ? es[i].name : "");
    p->storage = n ? es : NULL;
    p->n_storage = n;
    return COV_OK;
}

static cov_status read_constants(meta_dec *d, cov_meta_pallet *p)
{
    uint32_t n;
    cov_status st = cov_scale_read_len(&d->r, &n, MIN_CONSTANT, d->err);
    if (st != COV_OK || n == 0)
        return st;
    cov_meta_constant *cs = meta_alloc(&d->m->arena, n, sizeof *cs);
    if (!cs)
        return meta_nomem(d, n, sizeof *cs);
    for (uint32_t i = 0; i < n; i++) {
        cov_meta_constant *c = &cs[i];
        if ((st = meta_str(d, &c->name)) != COV_OK ||
            (st = meta_type_id(d, &c->type, "a constant")) != COV_OK ||
            (st = meta_bytes(d, &c->value, &c->value_len)) != COV_OK ||
            (st = meta_strs(d, &c->docs)) != COV_OK)
            return cov_err_context(d->err, "constant %u%s%s", i,
                                   c->name ? " " : "", c->name ? c->name : "");
    }
    p->constants = cs;
    p->n_constants = n;
    return COV_OK;
}

/* Calls, events and errors are looked up as variants by index. */
static cov_status expect_variant(meta_dec *d, uint32_t id, const char *what)
{
    if (id == COV_META_NONE || d->m->types[id].kind == COV_TYPE_VARIANT)
        return COV_OK;
    return cov_fail(d->err, COV_ERR_PARSE,
                    "its %s type %u is a %s, not an enum (variant); the "
                    "metadata is corrupt",
                    what, id, cov_type_kind_name(d->m->types[id].kind));
}

static cov_status read_pallet(meta_dec *d, cov_meta_pallet *p)
{
    cov_status st;
    if ((st = meta_str(d, &p->name)) != COV_OK ||
        (st = read_storage(d, p)) != COV_OK ||
        (st = read_opt_type(d, &p->calls_type, "calls")) != COV_OK ||
        (st = read_opt_type(d, &p->events_type, "events")) != COV_OK ||
        (st = read_constants(d, p)) != COV_OK ||
        (st = read_opt_type(d, &p->errors_type, "errors")) != COV_OK ||
        (st = cov_scale_read_u8(&d->r, &p->index, d->err)) != COV_OK)
        return st;
    if (d->m->version >= 15 && (st = meta_strs(d, &p->docs)) != COV_OK)
        return st;
    if ((st = expect_variant(d, p->calls_type, "calls")) != COV_OK ||
        (st = expect_variant(d, p->events_type, "events")) != COV_OK ||
        (st = expect_variant(d, p->errors_type, "errors")) != COV_OK)
        return st;
    return COV_OK;
}

static cov_status read_pallets(meta_dec *d)
{
    cov_metadata *m = d->m;
    uint32_t n;
    cov_status st = cov_scale_read_len(
        &d->r, &n, m->version >= 15 ? MIN_PALLET_V15 : MIN_PALLET_V14, d->err);
    if (st != COV_OK)
        return cov_err_context(d->err, "pallet list");
    m->pallets = meta_alloc(&m->arena, n, sizeof *m->pallets);
    if (!m->pallets)
        return meta_nomem(d, n, sizeof *m->pallets);
    for (uint32_t i = 0; i < n; i++) {
        cov_meta_pallet *p = &m->pallets[i];
        if ((st = read_pallet(d, p)) != COV_OK)
            return cov_err_context(d->err, "pallet %u%s%s", i,
                                   p->name ? " " : "", p->name ? p->name : "");
        /* Lookups by name and by index must be unambiguous. */
        for (uint32_t j = 0; j < i; j++)
            if (m->pallets[j].index == p->index ||
                strcmp(m->pallets[j].name, p->name) == 0)
                return cov_fail(d->err, COV_ERR_PARSE,
                                "pallets %u (%s, index %u) and %u (%s, index "
                                "%u) share a name or an index; the metadata "
                                "is corrupt",
                                j, m->pallets[j].name, m->pallets[j].index, i,
                                p->name, p->index);
    }
    m->n_pallets = n;
    return COV_OK;
}

static cov_status read_signed_exts(meta_dec *d, cov_meta_extrinsic *x)
{
    uint32_t n;
    cov_status st = cov_scale_read_len(&d->r, &n, MIN_SIGNED_EXT, d->err);
    if (st != COV_OK || n == 0)
        return st;
    cov_meta_signed_ext *es = meta_alloc(&d->m->arena, n, sizeof *es);
    if (!es)
        return meta_nomem(d, n, sizeof *es);
    for (uint32_t i = 0; i < n; i++)
        if ((st = meta_str(d, &es[i].identifier)) != COV_OK ||
            (st = meta_type_id(d, &es[i].type, "a signed extension")) != COV_OK ||
            (st = meta_type_id(d, &es[i].additional_signed,
                               "a signed extension")) != COV_OK)
            return cov_err_context(d->err, "signed extension %u", i);
    x->signed_exts = es;
    x->n_signed_exts = n;
    return COV_OK;
}

/* V14 leaves the address, call, signature and extra types implicit: they
 * are the parameters of UncheckedExtrinsic<Address, Call, Signature, Extra>
 * (the names sp_runtime gives them), which is how subxt finds them too. */
static void derive_v14_parts(cov_metadata *m)
{
    cov_meta_extrinsic *x = &m->extrinsic;
    const cov_meta_type *t = &m->types[x->type];
    for (uint32_t i = 0; i < t->n_params; i++) {
        const cov_meta_type_param *p = &t->params[i];
        if (strcmp(p->name, "Address") == 0)
            x->address_type = p->type;
        else if (strcmp(p->name, "Call") == 0)
            x->call_type = p->type;
        else if (strcmp(p->name, "Signature") == 0)
            x->signature_type = p->type;
        else if (strcmp(p->name, "Extra") == 0)
            x->extra_type = p->type;
    }
}

static cov_status read_extrinsic(meta_dec *d)
{
    cov_meta_extrinsic *x = &d->m->extrinsic;
    cov_status st;
    x->type = x->address_type = x->call_type = COV_META_NONE;
    x->signature_type = x->extra_type = COV_META_NONE;
    if (d->m->version == 14) {
        if ((st = meta_type_id(d, &x->type, "the extrinsic")) != COV_OK ||
            (st = cov_scale_read_u8(&d->r, &x->version, d->err)) != COV_OK)
            return st;
    } else if ((st = cov_scale_read_u8(&d->r, &x->version, d->err)) != COV_OK ||
               (st = meta_type_id(d, &x->address_type, "the address")) != COV_OK ||
               (st = meta_type_id(d, &x->call_type, "the call")) != COV_OK ||
               (st = meta_type_id(d, &x->signature_type, "the signature")) != COV_OK ||
               (st = meta_type_id(d, &x->extra_type, "the extra")) != COV_OK) {
        return st;
    }
    if ((st = read_signed_exts(d, x)) != COV_OK)
        return st;
    if (d->m->version == 14)
        derive_v14_parts(d->m);
    return COV_OK;
}

static cov_status read_method(meta_dec *d, cov_meta_api_method *mt)
{
    uint32_t n;
    cov_status st;
    if ((st = meta_str(d, &mt->name)) != COV_OK ||
        (st = cov_scale_read_len(&d->r, &n, MIN_PARAM, d->err)) != COV_OK)
        return st;
    cov_meta_api_param *ps = meta_alloc(&d->m->arena, n, sizeof *ps);
    if (!ps)
        return meta_nomem(d, n, sizeof *ps);
    for (uint32_t i = 0; i < n; i++)
        if ((st = meta_str(d, &ps[i].name)) != COV_OK ||
            (st = meta_type_id(d, &ps[i].type, "an input")) != COV_OK)
            return st;
    mt->inputs = n ? ps : NULL;
    mt->n_inputs = n;
    if ((st = meta_type_id(d, &mt->output, "an output")) != COV_OK)
        return st;
    return meta_strs(d, &mt->docs);
}

static cov_status read_apis(meta_dec *d)
{
    cov_metadata *m = d->m;
    uint32_t n;
    cov_status st = cov_scale_read_len(&d->r, &n, MIN_API, d->err);
    if (st != COV_OK)
        return cov_err_context(d->err, "runtime API list");
    m->apis = meta_alloc(&m->arena, n, sizeof *m->apis);
    if (!m->apis)
        return meta_nomem(d, n, sizeof *m->apis);
    for (uint32_t i = 0; i < n; i++) {
        cov_meta_runtime_api *a = &m->apis[i];
        uint32_t k;
        if ((st = meta_str(d, &a->name)) != COV_OK ||
            (st = cov_scale_read_len(&d->r, &k, MIN_METHOD, d->err)) != COV_OK)
            return cov_err_context(d->err, "runtime API %u", i);
        cov_meta_api_method *ms = meta_alloc(&m->arena, k, sizeof *ms);
        if (!ms)
            return meta_nomem(d, k, sizeof *ms);
        for (uint32_t j = 0; j < k; j++)
            if ((st = read_method(d, &ms[j])) != COV_OK)
                return cov_err_context(d->err, "runtime API %s method %u",
                                       a->name, j);
        a->methods = k ? ms : NULL;
        a->n_methods = k;
        if ((st = meta_strs(d, &a->docs)) != COV_OK)
            return cov_err_context(d->err, "runtime API %s", a->name);
    }
    m->n_apis = n;
    return COV_OK;
}

/* V15's custom map is read for its bounds and type ids and then dropped:
 * it holds chain-specific values covenant has no use for yet. */
static cov_status skip_custom(meta_dec *d)
{
    uint32_t n;
    cov_status st = cov_scale_read_len(&d->r, &n, MIN_CUSTOM, d->err);
    for (uint32_t i = 0; i < n && st == COV_OK; i++) {
        const char *key;
        size_t key_len, value_len;
        const uint8_t *value;
        uint32_t ty;
        if ((st = cov_scale_read_str(&d->r, &key, &key_len, d->err)) == COV_OK &&
            (st = meta_type_id(d, &ty, "a custom value")) == COV_OK)
            st = cov_scale_read_bytes(&d->r, &value, &value_len, d->err);
    }
    return st == COV_OK ? st : cov_err_context(d->err, "custom metadata");
}

static cov_status read_body(meta_dec *d)
{
    cov_metadata *m = d->m;
    cov_meta_outer_enums *o = &m->outer;
    cov_status st;
    o->call_type = o->event_type = o->error_type = COV_META_NONE;
    if ((st = meta_decode_registry(d)) != COV_OK ||
        (st = read_pallets(d)) != COV_OK)
        return st;
    if ((st = read_extrinsic(d)) != COV_OK)
        return cov_err_context(d->err, "extrinsic");
    if ((st = meta_type_id(d, &m->runtime_type, "the runtime")) != COV_OK)
        return st;
    if (m->version == 15) {
        if ((st = read_apis(d)) != COV_OK)
            return st;
        if ((st = meta_type_id(d, &o->call_type, "the outer call enum")) != COV_OK ||
            (st = meta_type_id(d, &o->event_type, "the outer event enum")) != COV_OK ||
            (st = meta_type_id(d, &o->error_type, "the outer error enum")) != COV_OK)
            return cov_err_context(d->err, "outer enums");
        if ((st = skip_custom(d)) != COV_OK)
            return st;
    }
    return cov_scale_expect_end(&d->r, "the metadata", d->err);
}

/* If the bytes from `at` are a Compact length followed by exactly that
 * many bytes, which start with the magic, returns the offset of the
 * magic; else 0 (never a valid offset for a wrapped form). */
static size_t unwrap_vec(const uint8_t *bytes, size_t len, size_t at)
{
    cov_scale_reader r;
    cov_scale_reader_init(&r, bytes, len);
    r.pos = at;
    uint32_t n;
    if (cov_scale_read_compact_u32(&r, &n, NULL) != COV_OK ||
        n != cov_scale_remaining(&r) || n < sizeof META_MAGIC ||
        memcmp(bytes + r.pos, META_MAGIC, sizeof META_MAGIC) != 0)
        return 0;
    return r.pos;
}

/* Finds the RuntimeMetadataPrefixed inside whichever envelope the bytes
 * use; sets *start to its offset. */
static cov_status find_prefixed(size_t *start, const uint8_t *bytes,
                                size_t len, cov_err *err)
{
    *start = 0;
    if (len >= sizeof META_MAGIC && memcmp(bytes, META_MAGIC, 4) == 0)
        return COV_OK;
    if (len == 1 && bytes[0] == 0)
        return cov_fail(err, COV_ERR_NOT_FOUND,
                        "the runtime returned None: it does not offer "
                        "metadata at the version asked for; ask "
                        "Metadata_metadata_versions which it has");
    size_t at = 0;
    if (len > 1 && bytes[0] == 1)
        at = unwrap_vec(bytes, len, 1); /* Option<OpaqueMetadata> */
    if (!at)
        at = unwrap_vec(bytes, len, 0); /* OpaqueMetadata */
    if (at) {
        *start = at;
        return COV_OK;
    }
    return cov_fail(err, COV_ERR_PARSE,
                    "not runtime metadata: %zu bytes that neither start with "
                    "the magic \"meta\" (6d657461) nor wrap such bytes in "
                    "Option<Vec<u8>> or Vec<u8>; pass the result of "
                    "state_getMetadata or of state_call "
                    "Metadata_metadata_at_version",
                    len);
}

cov_status cov_metadata_decode(cov_metadata **out, const uint8_t *bytes,
                               size_t len, cov_err *err)
{
    *out = NULL;
    if (!bytes && len)
        return cov_fail(err, COV_ERR_ARG, "metadata bytes are NULL");
    if (len > COV_METADATA_MAX_BYTES)
        return cov_fail(err, COV_ERR_TOO_BIG,
                        "metadata of %zu bytes is over covenant's limit of "
                        "%zu bytes",
                        len, COV_METADATA_MAX_BYTES);
    size_t start;
    cov_status st = find_prefixed(&start, bytes, len, err);
    if (st != COV_OK)
        return st;
    if (len - start < 5)
        return cov_fail(err, COV_ERR_PARSE,
                        "metadata ends after the magic; the version byte "
                        "is missing");
    unsigned version = bytes[start + 4];
    if (version < 14)
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "metadata version %u predates the portable type "
                        "registry; covenant reads versions 14 and 15",
                        version);
    if (version > 15)
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "metadata version %u is newer than covenant reads "
                        "(14 and 15); ask the node for version 15 with "
                        "state_call Metadata_metadata_at_version(15)",
                        version);

    cov_metadata *m = calloc(1, sizeof *m);
    if (!m)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory for metadata");
    m->version = version;
    /* A local error, so context can be added whether or not the caller
     * passed one. */
    cov_err local;
    cov_err_clear(&local);
    meta_dec d = {.m = m, .err = &local};
    cov_scale_reader_init(&d.r, bytes, len);
    d.r.pos = start + 5; /* offsets in messages count from the input's start */
    st = read_body(&d);
    if (st != COV_OK) {
        cov_err_context(&local, "metadata V%u", version);
        if (err)
            *err = local;
        cov_metadata_free(m);
        return st;
    }
    *out = m;
    return COV_OK;
}

void cov_metadata_free(cov_metadata *m)
{
    if (!m)
        return;
    meta_arena_free(&m->arena);
    free(m);
}
