/* Helpers both codec directions need: error paths and type predicates. */
#include "chain/codec_internal.h"
#include "wallet/wallet.h"

#include <stdio.h>
#include <string.h>

cov_codec_options cov_codec_defaults(void)
{
    return (cov_codec_options){.ss58_accounts = true, .ss58_prefix = COV_SS58_BITTENSOR};
}

size_t codec_path_push_name(codec_path *p, const char *name)
{
    size_t old = p->n;
    if (p->n < CODEC_PATH_SEGS) {
        p->seg[p->n].name = name;
        p->seg[p->n].index = 0;
    }
    p->n++;
    return old;
}

size_t codec_path_push_index(codec_path *p, size_t index)
{
    size_t old = p->n;
    if (p->n < CODEC_PATH_SEGS) {
        p->seg[p->n].name = NULL;
        p->seg[p->n].index = index;
    }
    p->n++;
    return old;
}

void codec_path_pop(codec_path *p, size_t old_len) { p->n = old_len; }

const char *codec_path_str(codec_path *p)
{
    if (p->n == 0)
        return "value";
    size_t len = 0, kept = p->n < CODEC_PATH_SEGS ? p->n : CODEC_PATH_SEGS;
    p->text[0] = '\0';
    for (size_t i = 0; i < kept + (p->n > kept) && len < sizeof p->text - 1; i++) {
        int n;
        if (i == kept)
            n = snprintf(p->text + len, sizeof p->text - len, "...");
        else if (p->seg[i].name)
            n = snprintf(p->text + len, sizeof p->text - len, "%s%s", len ? "." : "",
                         p->seg[i].name);
        else
            n = snprintf(p->text + len, sizeof p->text - len, "[%zu]", p->seg[i].index);
        if (n < 0)
            break;
        len = len + (size_t)n < sizeof p->text ? len + (size_t)n : sizeof p->text - 1;
    }
    return p->text;
}

const char *codec_type_ident(const cov_meta_type *t)
{
    return t->path.count ? t->path.items[t->path.count - 1] : "";
}

bool codec_is_u8(const cov_metadata *m, uint32_t type)
{
    const cov_meta_type *t = cov_metadata_type(m, type);
    return t && t->kind == COV_TYPE_PRIMITIVE && t->def.primitive == COV_PRIM_U8;
}

bool codec_is_account(const cov_metadata *m, const cov_meta_type *t)
{
    if (strcmp(codec_type_ident(t), "AccountId32") != 0)
        return false;
    if (t->kind == COV_TYPE_ARRAY)
        return t->def.array.len == 32 && codec_is_u8(m, t->def.array.type);
    if (t->kind != COV_TYPE_COMPOSITE || t->def.composite.n_fields != 1)
        return false;
    const cov_meta_type *inner = cov_metadata_type(m, t->def.composite.fields[0].type);
    return inner && inner->kind == COV_TYPE_ARRAY && inner->def.array.len == 32 &&
           codec_is_u8(m, inner->def.array.type);
}

bool codec_is_option(const cov_meta_type *t)
{
    if (t->kind != COV_TYPE_VARIANT || strcmp(codec_type_ident(t), "Option") != 0 ||
        t->def.variant.n_variants != 2)
        return false;
    const cov_meta_variant *v = t->def.variant.variants;
    for (int i = 0; i < 2; i++) {
        bool none = strcmp(v[i].name, "None") == 0 && v[i].n_fields == 0 && v[i].index == 0;
        bool some = strcmp(v[i].name, "Some") == 0 && v[i].n_fields == 1 && v[i].index == 1;
        if (!none && !some)
            return false;
    }
    return true;
}

size_t codec_primitive_size(cov_primitive p)
{
    switch (p) {
    case COV_PRIM_U8:
    case COV_PRIM_I8:
        return 1;
    case COV_PRIM_U16:
    case COV_PRIM_I16:
        return 2;
    case COV_PRIM_U32:
    case COV_PRIM_I32:
        return 4;
    case COV_PRIM_U64:
    case COV_PRIM_I64:
        return 8;
    case COV_PRIM_U128:
    case COV_PRIM_I128:
        return 16;
    case COV_PRIM_U256:
    case COV_PRIM_I256:
        return 32;
    default:
        return 0;
    }
}

cov_status codec_bitseq_layout(const cov_metadata *m, const cov_meta_type *t,
                               size_t *word_bytes, bool *msb_first, cov_err *err)
{
    const cov_meta_type *store = cov_metadata_type(m, t->def.bit_sequence.store_type);
    const cov_meta_type *order = cov_metadata_type(m, t->def.bit_sequence.order_type);
    if (!store || store->kind != COV_TYPE_PRIMITIVE ||
        (store->def.primitive != COV_PRIM_U8 && store->def.primitive != COV_PRIM_U16 &&
         store->def.primitive != COV_PRIM_U32 && store->def.primitive != COV_PRIM_U64))
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "bit sequence store type %u is not u8, u16, u32 or u64",
                        t->def.bit_sequence.store_type);
    const char *name = order ? codec_type_ident(order) : "";
    if (strcmp(name, "Lsb0") != 0 && strcmp(name, "Msb0") != 0)
        return cov_fail(err, COV_ERR_UNSUPPORTED, "bit sequence order \"%s\" is not Lsb0 or Msb0",
                        name);
    *word_bytes = codec_primitive_size(store->def.primitive);
    *msb_first = strcmp(name, "Msb0") == 0;
    return COV_OK;
}

/* Guards against recursive types: the deepest a minimal size is followed. */
enum { MIN_SIZE_DEPTH = 32 };

static size_t min_size(const cov_metadata *m, uint32_t type, int depth)
{
    const cov_meta_type *t = cov_metadata_type(m, type);
    if (!t || depth > MIN_SIZE_DEPTH)
        return 0;
    size_t sum = 0;
    switch (t->kind) {
    case COV_TYPE_PRIMITIVE:
        return t->def.primitive == COV_PRIM_BOOL ? 1
               : t->def.primitive == COV_PRIM_CHAR ? 4
               : t->def.primitive == COV_PRIM_STR  ? 1
                                                   : codec_primitive_size(t->def.primitive);
    case COV_TYPE_COMPACT:
    case COV_TYPE_SEQUENCE:
    case COV_TYPE_BIT_SEQUENCE:
        return 1;
    case COV_TYPE_ARRAY: {
        size_t one = min_size(m, t->def.array.type, depth + 1);
        return one && t->def.array.len > SIZE_MAX / one ? SIZE_MAX : one * t->def.array.len;
    }
    case COV_TYPE_TUPLE:
        for (uint32_t i = 0; i < t->def.tuple.n_types; i++)
            sum += min_size(m, t->def.tuple.types[i], depth + 1);
        return sum;
    case COV_TYPE_COMPOSITE:
        for (uint32_t i = 0; i < t->def.composite.n_fields; i++)
            sum += min_size(m, t->def.composite.fields[i].type, depth + 1);
        return sum;
    case COV_TYPE_VARIANT: {
        size_t best = SIZE_MAX;
        for (uint32_t v = 0; v < t->def.variant.n_variants; v++) {
            size_t s = 0;
            const cov_meta_variant *var = &t->def.variant.variants[v];
            for (uint32_t i = 0; i < var->n_fields; i++)
                s += min_size(m, var->fields[i].type, depth + 1);
            if (s < best)
                best = s;
        }
        return 1 + (best == SIZE_MAX ? 0 : best);
    }
    }
    return 0;
}

size_t cov_codec_min_size(const cov_metadata *m, uint32_t type) { return min_size(m, type, 0); }
