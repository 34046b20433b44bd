/* Reading a decoded cov_metadata: iteration and lookups by name or index.
 * Linear scans: a runtime has ~50-100 pallets and enums of a few hundred
 * variants, and callers look things up a handful of times per operation. */
#include "chain/metadata_internal.h"

#include <string.h>

unsigned cov_metadata_version(const cov_metadata *m) { return m->version; }

uint32_t cov_metadata_runtime_type(const cov_metadata *m)
{
    return m->runtime_type;
}

uint32_t cov_metadata_n_types(const cov_metadata *m) { return m->n_types; }

const cov_meta_type *cov_metadata_type(const cov_metadata *m, uint32_t id)
{
    return id < m->n_types ? &m->types[id] : NULL;
}

uint32_t cov_metadata_n_pallets(const cov_metadata *m) { return m->n_pallets; }

const cov_meta_pallet *cov_metadata_pallet_at(const cov_metadata *m,
                                              uint32_t i)
{
    return i < m->n_pallets ? &m->pallets[i] : NULL;
}

const cov_meta_extrinsic *cov_metadata_extrinsic(const cov_metadata *m)
{
    return &m->extrinsic;
}

uint32_t cov_metadata_n_apis(const cov_metadata *m) { return m->n_apis; }

const cov_meta_runtime_api *cov_metadata_api_at(const cov_metadata *m,
                                                uint32_t i)
{
    return i < m->n_apis ? &m->apis[i] : NULL;
}

const cov_meta_outer_enums *cov_metadata_outer_enums(const cov_metadata *m)
{
    return &m->outer;
}

const cov_meta_pallet *cov_metadata_pallet(const cov_metadata *m,
                                           const char *name)
{
    for (uint32_t i = 0; i < m->n_pallets; i++)
        if (strcmp(m->pallets[i].name, name) == 0)
            return &m->pallets[i];
    return NULL;
}

const cov_meta_pallet *cov_metadata_pallet_by_index(const cov_metadata *m,
                                                    uint8_t index)
{
    for (uint32_t i = 0; i < m->n_pallets; i++)
        if (m->pallets[i].index == index)
            return &m->pallets[i];
    return NULL;
}

const cov_meta_variant *cov_metadata_variant_by_index(const cov_metadata *m,
                                                      uint32_t type_id,
                                                      uint8_t index)
{
    const cov_meta_type *t = cov_metadata_type(m, type_id);
    if (!t || t->kind != COV_TYPE_VARIANT)
        return NULL;
    for (uint32_t i = 0; i < t->def.variant.n_variants; i++)
        if (t->def.variant.variants[i].index == index)
            return &t->def.variant.variants[i];
    return NULL;
}

const cov_meta_variant *cov_metadata_variant_by_name(const cov_metadata *m,
                                                     uint32_t type_id,
                                                     const char *name)
{
    const cov_meta_type *t = cov_metadata_type(m, type_id);
    if (!t || t->kind != COV_TYPE_VARIANT)
        return NULL;
    for (uint32_t i = 0; i < t->def.variant.n_variants; i++)
        if (strcmp(t->def.variant.variants[i].name, name) == 0)
            return &t->def.variant.variants[i];
    return NULL;
}

static cov_status no_pallet(cov_err *err, const char *name)
{
    return cov_fail(err, COV_ERR_NOT_FOUND,
                    "the runtime has no pallet named '%s' (names are "
                    "case-sensitive, e.g. 'SubtensorModule'); check the "
                    "name or the network",
                    name);
}

cov_status cov_metadata_call(const cov_metadata *m, cov_meta_call *out,
                             const char *pallet, const char *call,
                             cov_err *err)
{
    memset(out, 0, sizeof *out);
    const cov_meta_pallet *p = cov_metadata_pallet(m, pallet);
    if (!p)
        return no_pallet(err, pallet);
    if (p->calls_type == COV_META_NONE)
        return cov_fail(err, COV_ERR_NOT_FOUND,
                        "pallet '%s' has no calls", pallet);
    const cov_meta_variant *v =
        cov_metadata_variant_by_name(m, p->calls_type, call);
    if (!v)
        return cov_fail(err, COV_ERR_NOT_FOUND,
                        "pallet '%s' has no call '%s' in this runtime; it "
                        "may have been renamed or removed by an upgrade",
                        pallet, call);
    out->pallet = p;
    out->pallet_index = p->index;
    out->call_index = v->index;
    out->variant = v;
    return COV_OK;
}

cov_status cov_metadata_storage(const cov_metadata *m,
                                const cov_meta_pallet **pallet_out,
                                const cov_meta_storage_entry **out,
                                const char *pallet, const char *item,
                                cov_err *err)
{
    *out = NULL;
    if (pallet_out)
        *pallet_out = NULL;
    const cov_meta_pallet *p = cov_metadata_pallet(m, pallet);
    if (!p)
        return no_pallet(err, pallet);
    for (uint32_t i = 0; i < p->n_storage; i++)
        if (strcmp(p->storage[i].name, item) == 0) {
            *out = &p->storage[i];
            if (pallet_out)
                *pallet_out = p;
            return COV_OK;
        }
    return cov_fail(err, COV_ERR_NOT_FOUND,
                    "pallet '%s' has no storage item '%s' in this runtime",
                    pallet, item);
}

cov_status cov_metadata_constant(const cov_metadata *m,
                                 const cov_meta_constant **out,
                                 const char *pallet, const char *name,
                                 cov_err *err)
{
    *out = NULL;
    const cov_meta_pallet *p = cov_metadata_pallet(m, pallet);
    if (!p)
        return no_pallet(err, pallet);
    for (uint32_t i = 0; i < p->n_constants; i++)
        if (strcmp(p->constants[i].name, name) == 0) {
            *out = &p->constants[i];
            return COV_OK;
        }
    return cov_fail(err, COV_ERR_NOT_FOUND,
                    "pallet '%s' has no constant '%s' in this runtime",
                    pallet, name);
}

/* Events and errors: (pallet index, variant index) -> variant. */
static cov_status by_indices(const cov_metadata *m,
                             const cov_meta_pallet **pallet_out,
                             const cov_meta_variant **out, uint8_t pallet_index,
                             uint8_t variant_index, bool events, cov_err *err)
{
    const char *what = events ? "event" : "error";
    *out = NULL;
    if (pallet_out)
        *pallet_out = NULL;
    const cov_meta_pallet *p = cov_metadata_pallet_by_index(m, pallet_index);
    if (!p)
        return cov_fail(err, COV_ERR_NOT_FOUND,
                        "no pallet has index %u in this runtime, so %s "
                        "(%u, %u) cannot be named; is the metadata from the "
                        "same runtime version as the data?",
                        pallet_index, what, pallet_index, variant_index);
    uint32_t type = events ? p->events_type : p->errors_type;
    const cov_meta_variant *v =
        type == COV_META_NONE
            ? NULL
            : cov_metadata_variant_by_index(m, type, variant_index);
    if (!v)
        return cov_fail(err, COV_ERR_NOT_FOUND,
                        "pallet '%s' (index %u) has no %s with index %u in "
                        "this runtime; is the metadata from the same runtime "
                        "version as the data?",
                        p->name, pallet_index, what, variant_index);
    *out = v;
    if (pallet_out)
        *pallet_out = p;
    return COV_OK;
}

cov_status cov_metadata_event(const cov_metadata *m,
                              const cov_meta_pallet **pallet_out,
                              const cov_meta_variant **out,
                              uint8_t pallet_index, uint8_t event_index,
                              cov_err *err)
{
    return by_indices(m, pallet_out, out, pallet_index, event_index, true,
                      err);
}

cov_status cov_metadata_error(const cov_metadata *m,
                              const cov_meta_pallet **pallet_out,
                              const cov_meta_variant **out,
                              uint8_t pallet_index, uint8_t error_index,
                              cov_err *err)
{
    return by_indices(m, pallet_out, out, pallet_index, error_index, false,
                      err);
}

cov_status cov_metadata_runtime_api(const cov_metadata *m,
                                    const cov_meta_runtime_api **api_out,
                                    const cov_meta_api_method **out,
                                    const char *api, const char *method,
                                    cov_err *err)
{
    *out = NULL;
    if (api_out)
        *api_out = NULL;
    if (m->version < 15)
        return cov_fail(err, COV_ERR_NOT_FOUND,
                        "metadata V%u does not describe runtime APIs; fetch "
                        "V15 with state_call Metadata_metadata_at_version(15)",
                        m->version);
    /* Every API of that name is searched: metadata is not required to keep
     * names unique, and a method must be found wherever it is listed. */
    bool api_seen = false;
    for (uint32_t i = 0; i < m->n_apis; i++) {
        const cov_meta_runtime_api *a = &m->apis[i];
        if (strcmp(a->name, api) != 0)
            continue;
        api_seen = true;
        for (uint32_t j = 0; j < a->n_methods; j++)
            if (strcmp(a->methods[j].name, method) == 0) {
                *out = &a->methods[j];
                if (api_out)
                    *api_out = a;
                return COV_OK;
            }
    }
    if (api_seen)
        return cov_fail(err, COV_ERR_NOT_FOUND,
                        "runtime API '%s' has no method '%s' in this runtime",
                        api, method);
    return cov_fail(err, COV_ERR_NOT_FOUND,
                    "the runtime has no runtime API named '%s'", api);
}

/* ------------------------------------------------------------- names */

const char *cov_primitive_name(cov_primitive p)
{
    static const char *const names[COV_PRIM_COUNT] = {
        "bool", "char", "str",  "u8",  "u16", "u32",  "u64", "u128",
        "u256", "i8",   "i16",  "i32", "i64", "i128", "i256",
    };
    return (unsigned)p < COV_PRIM_COUNT ? names[p] : "?";
}

const char *cov_storage_hasher_name(cov_storage_hasher h)
{
    static const char *const names[COV_HASHER_COUNT] = {
        "Blake2_128", "Blake2_256",   "Blake2_128Concat", "Twox128",
        "Twox256",    "Twox64Concat", "Identity",
    };
    return (unsigned)h < COV_HASHER_COUNT ? names[h] : "?";
}

const char *cov_type_kind_name(cov_type_kind k)
{
    static const char *const names[] = {
        "composite", "variant",   "sequence", "array",
        "tuple",     "primitive", "compact",  "bitsequence",
    };
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}
