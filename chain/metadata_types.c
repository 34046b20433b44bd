/* The portable type registry (scale-info's PortableRegistry), the first
 * part of metadata V14 and V15:
 *
 *   Vec<PortableType { id: Compact<u32>, ty: Type }>
 *   Type      { path: Vec<String>, type_params: Vec<TypeParameter>,
 *               type_def: TypeDef, docs: Vec<String> }
 *   TypeParameter { name: String, ty: Option<Compact<u32>> }
 *   TypeDef   Composite(Vec<Field>) | Variant(Vec<Variant>)
 *             | Sequence(Compact<u32>) | Array(u32 len, Compact<u32>)
 *             | Tuple(Vec<Compact<u32>>) | Primitive(u8) | Compact(Compact<u32>)
 *             | BitSequence(store: Compact<u32>, order: Compact<u32>)
 *   Field     { name: Option<String>, ty: Compact<u32>,
 *               type_name: Option<String>, docs: Vec<String> }
 *   Variant   { name: String, fields: Vec<Field>, index: u8, docs: Vec<String> }
 *
 * Types may refer to types later in the list, so references are checked
 * once the whole list has been read. */
#include "chain/metadata_internal.h"

/* Smallest encodings, for cov_scale_read_len's hostile-length check. */
enum {
    MIN_PORTABLE_TYPE = 6, /* id, path, params, def tag + 1, docs */
    MIN_TYPE_PARAM = 2,    /* name, option tag */
    MIN_FIELD = 4,         /* name tag, ty, type_name tag, docs */
    MIN_VARIANT = 4        /* name, fields, index, docs */
};

static cov_status read_fields(meta_dec *d, const cov_meta_field **out,
                              uint32_t *count)
{
    *out = NULL;
    *count = 0;
    uint32_t n;
    cov_status st = cov_scale_read_len(&d->r, &n, MIN_FIELD, d->err);
    if (st != COV_OK || n == 0)
        return st;
    cov_meta_field *fields = meta_alloc(&d->m->arena, n, sizeof *fields);
    if (!fields)
        return meta_nomem(d, n, sizeof *fields);
    for (uint32_t i = 0; i < n; i++) {
        cov_meta_field *f = &fields[i];
        if ((st = meta_opt_str(d, &f->name)) != COV_OK ||
            (st = meta_type_id(d, &f->type, "a field")) != COV_OK ||
            (st = meta_opt_str(d, &f->type_name)) != COV_OK ||
            (st = meta_strs(d, &f->docs)) != COV_OK)
            return cov_err_context(d->err, "field %u", i);
    }
    *out = fields;
    *count = n;
    return COV_OK;
}

static cov_status read_variants(meta_dec *d, cov_meta_type *t)
{
    uint32_t n;
    cov_status st = cov_scale_read_len(&d->r, &n, MIN_VARIANT, d->err);
    if (st != COV_OK || n == 0)
        return st;
    cov_meta_variant *vs = meta_alloc(&d->m->arena, n, sizeof *vs);
    if (!vs)
        return meta_nomem(d, n, sizeof *vs);
    for (uint32_t i = 0; i < n; i++) {
        cov_meta_variant *v = &vs[i];
        if ((st = meta_str(d, &v->name)) != COV_OK ||
            (st = read_fields(d, &v->fields, &v->n_fields)) != COV_OK ||
            (st = cov_scale_read_u8(&d->r, &v->index, d->err)) != COV_OK ||
            (st = meta_strs(d, &v->docs)) != COV_OK)
            return cov_err_context(d->err, "variant %u%s%s", i,
                                   v->name ? " " : "",
                                   v->name ? v->name : "");
    }
    t->def.variant.variants = vs;
    t->def.variant.n_variants = n;
    return COV_OK;
}

static cov_status read_tuple(meta_dec *d, cov_meta_type *t)
{
    uint32_t n;
    cov_status st = cov_scale_read_len(&d->r, &n, 1, d->err);
    if (st != COV_OK || n == 0)
        return st;
    uint32_t *ids = meta_alloc(&d->m->arena, n, sizeof *ids);
    if (!ids)
        return meta_nomem(d, n, sizeof *ids);
    for (uint32_t i = 0; i < n; i++)
        if ((st = meta_type_id(d, &ids[i], "a tuple")) != COV_OK)
            return st;
    t->def.tuple.types = ids;
    t->def.tuple.n_types = n;
    return COV_OK;
}

static cov_status read_params(meta_dec *d, cov_meta_type *t)
{
    uint32_t n;
    cov_status st = cov_scale_read_len(&d->r, &n, MIN_TYPE_PARAM, d->err);
    if (st != COV_OK || n == 0)
        return st;
    cov_meta_type_param *ps = meta_alloc(&d->m->arena, n, sizeof *ps);
    if (!ps)
        return meta_nomem(d, n, sizeof *ps);
    for (uint32_t i = 0; i < n; i++) {
        bool some;
        ps[i].type = COV_META_NONE;
        if ((st = meta_str(d, &ps[i].name)) != COV_OK ||
            (st = cov_scale_read_option(&d->r, &some, d->err)) != COV_OK)
            return st;
        if (some &&
            (st = meta_type_id(d, &ps[i].type, "a type parameter")) != COV_OK)
            return st;
    }
    t->params = ps;
    t->n_params = n;
    return COV_OK;
}

static cov_status read_def(meta_dec *d, cov_meta_type *t)
{
    size_t at = d->r.pos;
    uint8_t tag;
    cov_status st = cov_scale_read_u8(&d->r, &tag, d->err);
    if (st != COV_OK)
        return st;
    if (tag > COV_TYPE_BIT_SEQUENCE)
        return cov_fail(d->err, COV_ERR_PARSE,
                        "unknown type definition kind %u at offset %zu "
                        "(known: 0..7); the metadata is newer than covenant "
                        "or corrupt",
                        tag, at);
    t->kind = (cov_type_kind)tag;
    switch (t->kind) {
    case COV_TYPE_COMPOSITE:
        return read_fields(d, &t->def.composite.fields,
                           &t->def.composite.n_fields);
    case COV_TYPE_VARIANT:
        return read_variants(d, t);
    case COV_TYPE_SEQUENCE:
        return meta_type_id(d, &t->def.sequence.type, "a sequence");
    case COV_TYPE_ARRAY:
        if ((st = cov_scale_read_u32(&d->r, &t->def.array.len, d->err)) != COV_OK)
            return st;
        return meta_type_id(d, &t->def.array.type, "an array");
    case COV_TYPE_TUPLE:
        return read_tuple(d, t);
    case COV_TYPE_PRIMITIVE: {
        uint8_t p;
        size_t pat = d->r.pos;
        if ((st = cov_scale_read_u8(&d->r, &p, d->err)) != COV_OK)
            return st;
        if (p >= COV_PRIM_COUNT)
            return cov_fail(d->err, COV_ERR_PARSE,
                            "unknown primitive type %u at offset %zu (known: "
                            "0..%d); the metadata is newer than covenant or "
                            "corrupt",
                            p, pat, COV_PRIM_COUNT - 1);
        t->def.primitive = (cov_primitive)p;
        return COV_OK;
    }
    case COV_TYPE_COMPACT:
        return meta_type_id(d, &t->def.compact.type, "a compact");
    case COV_TYPE_BIT_SEQUENCE:
        if ((st = meta_type_id(d, &t->def.bit_sequence.store_type,
                               "a bit sequence")) != COV_OK)
            return st;
        return meta_type_id(d, &t->def.bit_sequence.order_type,
                            "a bit sequence");
    }
    return COV_OK; /* unreachable: every kind is handled above */
}

static cov_status check_fields(meta_dec *d, const cov_meta_field *f,
                               uint32_t n, const char *what)
{
    for (uint32_t i = 0; i < n; i++) {
        cov_status st = meta_check_id(d, f[i].type, what);
        if (st != COV_OK)
            return st;
    }
    return COV_OK;
}

/* Every id a type mentions must exist (they can point forward, so this
 * runs after the whole registry is read). */
static cov_status check_type(meta_dec *d, const cov_meta_type *t)
{
    cov_status st = COV_OK;
    for (uint32_t i = 0; i < t->n_params && st == COV_OK; i++)
        if (t->params[i].type != COV_META_NONE)
            st = meta_check_id(d, t->params[i].type, "a type parameter");
    if (st != COV_OK)
        return st;
    switch (t->kind) {
    case COV_TYPE_COMPOSITE:
        return check_fields(d, t->def.composite.fields,
                            t->def.composite.n_fields, "a field");
    case COV_TYPE_VARIANT:
        for (uint32_t i = 0; i < t->def.variant.n_variants; i++) {
            const cov_meta_variant *v = &t->def.variant.variants[i];
            if ((st = check_fields(d, v->fields, v->n_fields,
                                   "a variant's field")) != COV_OK)
                return st;
        }
        return COV_OK;
    case COV_TYPE_SEQUENCE:
        return meta_check_id(d, t->def.sequence.type, "a sequence");
    case COV_TYPE_ARRAY:
        return meta_check_id(d, t->def.array.type, "an array");
    case COV_TYPE_TUPLE:
        for (uint32_t i = 0; i < t->def.tuple.n_types; i++)
            if ((st = meta_check_id(d, t->def.tuple.types[i], "a tuple")) !=
                COV_OK)
                return st;
        return COV_OK;
    case COV_TYPE_COMPACT:
        return meta_check_id(d, t->def.compact.type, "a compact");
    case COV_TYPE_BIT_SEQUENCE:
        if ((st = meta_check_id(d, t->def.bit_sequence.store_type,
                                "a bit sequence")) != COV_OK)
            return st;
        return meta_check_id(d, t->def.bit_sequence.order_type,
                             "a bit sequence");
    case COV_TYPE_PRIMITIVE:
    default:
        return COV_OK;
    }
}

cov_status meta_decode_registry(meta_dec *d)
{
    cov_metadata *m = d->m;
    uint32_t n;
    cov_status st = cov_scale_read_len(&d->r, &n, MIN_PORTABLE_TYPE, d->err);
    if (st != COV_OK)
        return cov_err_context(d->err, "type registry");
    m->types = meta_alloc(&m->arena, n, sizeof *m->types);
    if (!m->types)
        return meta_nomem(d, n, sizeof *m->types);
    for (uint32_t i = 0; i < n; i++) {
        cov_meta_type *t = &m->types[i];
        size_t at = d->r.pos;
        if ((st = cov_scale_read_compact_u32(&d->r, &t->id, d->err)) != COV_OK)
            return cov_err_context(d->err, "type %u", i);
        /* scale-info's registry numbers its types 0, 1, 2, ... in order;
         * relying on it makes a lookup an index. */
        if (t->id != i)
            return cov_fail(d->err, COV_ERR_UNSUPPORTED,
                            "type at position %u (offset %zu) has id %u; "
                            "covenant expects the registry's ids to be "
                            "0, 1, 2, ... in order, as scale-info writes them",
                            i, at, t->id);
        if ((st = meta_strs(d, &t->path)) != COV_OK ||
            (st = read_params(d, t)) != COV_OK ||
            (st = read_def(d, t)) != COV_OK ||
            (st = meta_strs(d, &t->docs)) != COV_OK)
            return cov_err_context(d->err, "type %u", i);
    }
    m->n_types = n;
    d->registry_done = true;
    for (uint32_t i = 0; i < n; i++)
        if ((st = check_type(d, &m->types[i])) != COV_OK)
            return cov_err_context(d->err, "type %u", i);
    return COV_OK;
}
