/* cov_metadata_decode on arbitrary bytes.
 *
 * Properties checked on every input:
 * - a refusal comes with a status, a message, and no metadata;
 * - decoded metadata is version 14 or 15, and every type id it mentions
 *   (fields, parameters, definitions, pallets, storage, constants,
 *   extensions, APIs, outer enums) resolves with cov_metadata_type;
 * - every lookup finds what iteration shows: pallets by name and index,
 *   calls by name, storage items and constants by name, events and errors
 *   by (pallet index, variant index), runtime API methods by name; each
 *   returns an entry with the name or index asked for;
 * - type names are NUL-terminated, at most 4096 characters, and agree
 *   with the returned length when they fit;
 * - the same bytes wrapped as Option<Vec<u8>> and Vec<u8> (what state_call
 *   returns) decode to the same verdict and the same counts. */
#include "fuzz_common.h"

#include "chain/chain.h"

static void check_id(const cov_metadata *m, uint32_t id, bool none_ok)
{
    if (none_ok && id == COV_META_NONE)
        return;
    FUZZ_CHECK(cov_metadata_type(m, id) != NULL);
}

static void check_fields(const cov_metadata *m, const cov_meta_field *f,
                         uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        check_id(m, f[i].type, false);
        for (uint32_t k = 0; k < f[i].docs.count; k++)
            FUZZ_CHECK(f[i].docs.items[k] != NULL);
    }
}

static void check_types(const cov_metadata *m)
{
    char name[128];
    for (uint32_t id = 0; id < cov_metadata_n_types(m); id++) {
        const cov_meta_type *t = cov_metadata_type(m, id);
        FUZZ_CHECK(t && t->id == id);
        for (uint32_t i = 0; i < t->n_params; i++)
            check_id(m, t->params[i].type, true);
        switch (t->kind) {
        case COV_TYPE_COMPOSITE:
            check_fields(m, t->def.composite.fields, t->def.composite.n_fields);
            break;
        case COV_TYPE_VARIANT:
            for (uint32_t i = 0; i < t->def.variant.n_variants; i++) {
                const cov_meta_variant *v = &t->def.variant.variants[i];
                check_fields(m, v->fields, v->n_fields);
                const cov_meta_variant *by_index =
                    cov_metadata_variant_by_index(m, id, v->index);
                FUZZ_CHECK(by_index && by_index->index == v->index);
                const cov_meta_variant *by_name =
                    cov_metadata_variant_by_name(m, id, v->name);
                FUZZ_CHECK(by_name && strcmp(by_name->name, v->name) == 0);
            }
            break;
        case COV_TYPE_SEQUENCE:
            check_id(m, t->def.sequence.type, false);
            break;
        case COV_TYPE_ARRAY:
            check_id(m, t->def.array.type, false);
            break;
        case COV_TYPE_TUPLE:
            for (uint32_t i = 0; i < t->def.tuple.n_types; i++)
                check_id(m, t->def.tuple.types[i], false);
            break;
        case COV_TYPE_PRIMITIVE:
            FUZZ_CHECK((unsigned)t->def.primitive < COV_PRIM_COUNT);
            break;
        case COV_TYPE_COMPACT:
            check_id(m, t->def.compact.type, false);
            break;
        case COV_TYPE_BIT_SEQUENCE:
            check_id(m, t->def.bit_sequence.store_type, false);
            check_id(m, t->def.bit_sequence.order_type, false);
            break;
        default:
            FUZZ_CHECK(!"unknown type kind");
        }
        size_t n = cov_metadata_type_name(m, id, name, sizeof name);
        FUZZ_CHECK(n <= 4096);
        FUZZ_CHECK(strlen(name) == (n < sizeof name ? n : sizeof name - 1));
    }
}

static void check_variants_lookup(const cov_metadata *m,
                                  const cov_meta_pallet *p, uint32_t type,
                                  bool events)
{
    check_id(m, type, true);
    const cov_meta_type *t = cov_metadata_type(m, type);
    if (type == COV_META_NONE)
        return;
    FUZZ_CHECK(t->kind == COV_TYPE_VARIANT);
    for (uint32_t i = 0; i < t->def.variant.n_variants; i++) {
        const cov_meta_variant *v = &t->def.variant.variants[i], *got;
        const cov_meta_pallet *gp;
        cov_err err;
        cov_status st = events ? cov_metadata_event(m, &gp, &got, p->index,
                                                    v->index, &err)
                               : cov_metadata_error(m, &gp, &got, p->index,
                                                    v->index, &err);
        FUZZ_CHECK(st == COV_OK && gp == p && got->index == v->index);
    }
}

static void check_pallets(const cov_metadata *m)
{
    cov_err err;
    for (uint32_t i = 0; i < cov_metadata_n_pallets(m); i++) {
        const cov_meta_pallet *p = cov_metadata_pallet_at(m, i);
        FUZZ_CHECK(cov_metadata_pallet(m, p->name) == p);
        FUZZ_CHECK(cov_metadata_pallet_by_index(m, p->index) == p);
        FUZZ_CHECK(p->storage_prefix || p->n_storage == 0);
        for (uint32_t k = 0; k < p->n_storage; k++) {
            const cov_meta_storage_entry *e = &p->storage[k], *got;
            const cov_meta_pallet *gp;
            check_id(m, e->value_type, false);
            check_id(m, e->key_type, !e->is_map);
            FUZZ_CHECK(e->is_map || e->key_type == COV_META_NONE);
            for (uint32_t h = 0; h < e->n_hashers; h++)
                FUZZ_CHECK((unsigned)e->hashers[h] < COV_HASHER_COUNT);
            FUZZ_CHECK(cov_metadata_storage(m, &gp, &got, p->name, e->name,
                                            &err) == COV_OK);
            FUZZ_CHECK(gp == p && strcmp(got->name, e->name) == 0);
        }
        for (uint32_t k = 0; k < p->n_constants; k++) {
            const cov_meta_constant *c = &p->constants[k], *got;
            check_id(m, c->type, false);
            FUZZ_CHECK(cov_metadata_constant(m, &got, p->name, c->name,
                                             &err) == COV_OK);
            FUZZ_CHECK(strcmp(got->name, c->name) == 0);
        }
        check_id(m, p->calls_type, true);
        const cov_meta_type *calls = cov_metadata_type(m, p->calls_type);
        if (p->calls_type != COV_META_NONE) {
            FUZZ_CHECK(calls->kind == COV_TYPE_VARIANT);
            for (uint32_t k = 0; k < calls->def.variant.n_variants; k++) {
                const cov_meta_variant *v = &calls->def.variant.variants[k];
                cov_meta_call call;
                FUZZ_CHECK(cov_metadata_call(m, &call, p->name, v->name,
                                             &err) == COV_OK);
                FUZZ_CHECK(call.pallet == p && call.pallet_index == p->index);
                FUZZ_CHECK(strcmp(call.variant->name, v->name) == 0);
                FUZZ_CHECK(call.call_index == call.variant->index);
            }
        } else {
            cov_meta_call call;
            FUZZ_CHECK(cov_metadata_call(m, &call, p->name, "x", &err) ==
                       COV_ERR_NOT_FOUND);
        }
        check_variants_lookup(m, p, p->events_type, true);
        check_variants_lookup(m, p, p->errors_type, false);
    }
}

static void check_rest(const cov_metadata *m)
{
    const cov_meta_extrinsic *x = cov_metadata_extrinsic(m);
    check_id(m, x->type, cov_metadata_version(m) == 15);
    check_id(m, x->address_type, true);
    check_id(m, x->call_type, true);
    check_id(m, x->signature_type, true);
    check_id(m, x->extra_type, true);
    for (uint32_t i = 0; i < x->n_signed_exts; i++) {
        check_id(m, x->signed_exts[i].type, false);
        check_id(m, x->signed_exts[i].additional_signed, false);
    }
    check_id(m, cov_metadata_runtime_type(m), false);
    const cov_meta_outer_enums *o = cov_metadata_outer_enums(m);
    bool v14 = cov_metadata_version(m) == 14;
    check_id(m, o->call_type, v14);
    check_id(m, o->event_type, v14);
    check_id(m, o->error_type, v14);
    FUZZ_CHECK(!v14 || cov_metadata_n_apis(m) == 0);
    cov_err err;
    for (uint32_t i = 0; i < cov_metadata_n_apis(m); i++) {
        const cov_meta_runtime_api *a = cov_metadata_api_at(m, i), *ga;
        for (uint32_t k = 0; k < a->n_methods; k++) {
            const cov_meta_api_method *mt = &a->methods[k], *got;
            for (uint32_t j = 0; j < mt->n_inputs; j++)
                check_id(m, mt->inputs[j].type, false);
            check_id(m, mt->output, false);
            FUZZ_CHECK(cov_metadata_runtime_api(m, &ga, &got, a->name,
                                                mt->name, &err) == COV_OK);
            FUZZ_CHECK(strcmp(ga->name, a->name) == 0 &&
                       strcmp(got->name, mt->name) == 0);
        }
    }
}

/* Decodes `bytes` wrapped as Option<Vec<u8>> (some) or Vec<u8>. */
static cov_status decode_wrapped(cov_metadata **m, const uint8_t *data,
                                 size_t size, bool some)
{
    cov_buf b;
    cov_buf_init(&b, size + 16);
    if ((some && cov_scale_put_u8(&b, 1, NULL) != COV_OK) ||
        cov_scale_put_bytes(&b, data, size, NULL) != COV_OK)
        abort();
    cov_err err;
    cov_status st = cov_metadata_decode(m, b.data, b.len, &err);
    cov_buf_free(&b);
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    /* A non-NULL start, so the check below sees the decoder reset it. */
    static char sentinel;
    cov_metadata *m = (cov_metadata *)(void *)&sentinel;
    cov_err err;
    cov_err_clear(&err);
    cov_status st = cov_metadata_decode(&m, data, size, &err);
    if (st != COV_OK) {
        FUZZ_CHECK(m == NULL && err.code == st && err.msg[0] != '\0');
        return 0;
    }
    FUZZ_CHECK(m != NULL);
    unsigned version = cov_metadata_version(m);
    FUZZ_CHECK(version == 14 || version == 15);
    check_types(m);
    check_pallets(m);
    check_rest(m);

    /* Bare prefixed bytes decode the same inside either envelope. */
    if (size >= 4 && memcmp(data, "meta", 4) == 0) {
        for (int some = 0; some < 2; some++) {
            cov_metadata *w = NULL;
            FUZZ_CHECK(decode_wrapped(&w, data, size, some) == COV_OK);
            FUZZ_CHECK(cov_metadata_n_types(w) == cov_metadata_n_types(m));
            FUZZ_CHECK(cov_metadata_n_pallets(w) == cov_metadata_n_pallets(m));
            FUZZ_CHECK(cov_metadata_n_apis(w) == cov_metadata_n_apis(m));
            cov_metadata_free(w);
        }
    }
    cov_metadata_free(m);
    return 0;
}
