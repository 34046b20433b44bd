/* metadata_dump: covenant's reading of runtime metadata as one JSON object,
 * for tests/interop/metadata.mjs to hold against polkadot-js.
 *
 *   metadata_dump FILE
 *
 * FILE holds the metadata as raw bytes, as hex text ("0x..."), or as a
 * JavaScript module with the hex in quotes (the form @polkadot/types-support
 * ships: export default '0x...'). Any form cov_metadata_decode accepts
 * (prefixed, Option<Vec<u8>>, Vec<u8>) may be inside. Prints
 * {"error": {...}} and exits 1 if decoding fails.
 *
 * Type ids are numbers; strings are as decoded; byte strings are 0x-hex. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chain.h"

#define FILE_MAX ((size_t)64 << 20)

/* The hex between the first quote followed by 0x and the next quote, or
 * the whole text if it is hex; NULL if neither (then: raw bytes). */
static char *find_hex(const char *text)
{
    const char *q = strstr(text, "'0x");
    if (!q)
        q = strstr(text, "\"0x");
    if (q) {
        char quote = *q++;
        const char *end = strchr(q, quote);
        if (!end)
            return NULL;
        char *hex = malloc((size_t)(end - q) + 1);
        if (!hex)
            return NULL;
        memcpy(hex, q, (size_t)(end - q));
        hex[end - q] = '\0';
        return hex;
    }
    size_t n = strlen(text);
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
        n--;
    const char *p = text;
    if (n >= 2 && p[0] == '0' && p[1] == 'x')
        p += 2, n -= 2;
    for (size_t i = 0; i < n; i++)
        if (cov_hex_digit(p[i]) < 0)
            return NULL;
    char *hex = malloc(n + 1);
    if (hex) {
        memcpy(hex, p, n);
        hex[n] = '\0';
    }
    return hex;
}

static json_t *id_or_null(uint32_t id)
{
    return id == COV_META_NONE ? json_null() : json_integer(id);
}

static json_t *strs(cov_meta_strs s)
{
    json_t *a = json_array();
    for (uint32_t i = 0; i < s.count; i++)
        json_array_append_new(a, json_string(s.items[i]));
    return a;
}

static json_t *opt_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *fields(const cov_meta_field *f, uint32_t n)
{
    json_t *a = json_array();
    for (uint32_t i = 0; i < n; i++)
        json_array_append_new(
            a, json_pack("{s:o, s:I, s:o, s:o}", "name", opt_str(f[i].name),
                         "type", (json_int_t)f[i].type, "typeName",
                         opt_str(f[i].type_name), "docs", strs(f[i].docs)));
    return a;
}

static json_t *variants(const cov_meta_variant *v, uint32_t n)
{
    json_t *a = json_array();
    for (uint32_t i = 0; i < n; i++)
        json_array_append_new(
            a, json_pack("{s:s, s:i, s:o, s:o}", "name", v[i].name, "index",
                         (int)v[i].index, "fields",
                         fields(v[i].fields, v[i].n_fields), "docs",
                         strs(v[i].docs)));
    return a;
}

static json_t *type_json(const cov_metadata *m, const cov_meta_type *t)
{
    char name[256];
    cov_metadata_type_name(m, t->id, name, sizeof name);
    json_t *params = json_array();
    for (uint32_t i = 0; i < t->n_params; i++)
        json_array_append_new(params,
                              json_pack("{s:s, s:o}", "name", t->params[i].name,
                                        "type", id_or_null(t->params[i].type)));
    json_t *o = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o}", "id",
                          (json_int_t)t->id, "kind", cov_type_kind_name(t->kind),
                          "name", name, "path", strs(t->path), "params", params,
                          "docs", strs(t->docs));
    switch (t->kind) {
    case COV_TYPE_COMPOSITE:
        json_object_set_new(o, "fields", fields(t->def.composite.fields,
                                                t->def.composite.n_fields));
        break;
    case COV_TYPE_VARIANT:
        json_object_set_new(o, "variants", variants(t->def.variant.variants,
                                                    t->def.variant.n_variants));
        break;
    case COV_TYPE_SEQUENCE:
        json_object_set_new(o, "type", json_integer(t->def.sequence.type));
        break;
    case COV_TYPE_ARRAY:
        json_object_set_new(o, "len", json_integer(t->def.array.len));
        json_object_set_new(o, "type", json_integer(t->def.array.type));
        break;
    case COV_TYPE_TUPLE: {
        json_t *a = json_array();
        for (uint32_t i = 0; i < t->def.tuple.n_types; i++)
            json_array_append_new(a, json_integer(t->def.tuple.types[i]));
        json_object_set_new(o, "types", a);
        break;
    }
    case COV_TYPE_PRIMITIVE:
        json_object_set_new(o, "primitive",
                            json_string(cov_primitive_name(t->def.primitive)));
        break;
    case COV_TYPE_COMPACT:
        json_object_set_new(o, "type", json_integer(t->def.compact.type));
        break;
    case COV_TYPE_BIT_SEQUENCE:
        json_object_set_new(o, "store",
                            json_integer(t->def.bit_sequence.store_type));
        json_object_set_new(o, "order",
                            json_integer(t->def.bit_sequence.order_type));
        break;
    }
    return o;
}

static json_t *storage_json(const cov_meta_pallet *p)
{
    if (!p->storage_prefix)
        return json_null();
    json_t *entries = json_array();
    for (uint32_t i = 0; i < p->n_storage; i++) {
        const cov_meta_storage_entry *e = &p->storage[i];
        json_t *hashers = json_array();
        for (uint32_t k = 0; k < e->n_hashers; k++)
            json_array_append_new(hashers,
                                  json_string(cov_storage_hasher_name(e->hashers[k])));
        json_array_append_new(
            entries,
            json_pack("{s:s, s:s, s:b, s:o, s:o, s:I, s:o, s:o}", "name",
                      e->name, "modifier",
                      e->modifier == COV_STORAGE_DEFAULT ? "Default"
                                                         : "Optional",
                      "map", e->is_map, "hashers", hashers, "key",
                      id_or_null(e->key_type), "value",
                      (json_int_t)e->value_type, "default",
                      cov_json_hex(e->default_value, e->default_len), "docs",
                      strs(e->docs)));
    }
    return json_pack("{s:s, s:o}", "prefix", p->storage_prefix, "entries",
                     entries);
}

static json_t *pallet_json(const cov_metadata *m, const cov_meta_pallet *p)
{
    json_t *consts = json_array();
    for (uint32_t i = 0; i < p->n_constants; i++) {
        const cov_meta_constant *c = &p->constants[i];
        json_array_append_new(
            consts, json_pack("{s:s, s:I, s:o, s:o}", "name", c->name, "type",
                              (json_int_t)c->type, "value",
                              cov_json_hex(c->value, c->value_len), "docs",
                              strs(c->docs)));
    }
    json_t *o = json_pack(
        "{s:s, s:i, s:o, s:o, s:o, s:o, s:o, s:o}", "name", p->name, "index",
        (int)p->index, "storage", storage_json(p), "calls",
        id_or_null(p->calls_type), "events", id_or_null(p->events_type),
        "errors", id_or_null(p->errors_type), "constants", consts, "docs",
        strs(p->docs));
    /* The variants of calls/events/errors, resolved, for easy comparison. */
    const struct {
        const char *key;
        uint32_t type;
    } lists[] = {{"call_list", p->calls_type},
                 {"event_list", p->events_type},
                 {"error_list", p->errors_type}};
    for (size_t i = 0; i < 3; i++) {
        const cov_meta_type *t = cov_metadata_type(m, lists[i].type);
        json_object_set_new(o, lists[i].key,
                            t ? variants(t->def.variant.variants,
                                         t->def.variant.n_variants)
                              : json_null());
    }
    return o;
}

static json_t *extrinsic_json(const cov_metadata *m)
{
    const cov_meta_extrinsic *x = cov_metadata_extrinsic(m);
    json_t *exts = json_array();
    for (uint32_t i = 0; i < x->n_signed_exts; i++)
        json_array_append_new(
            exts, json_pack("{s:s, s:I, s:I}", "identifier",
                            x->signed_exts[i].identifier, "type",
                            (json_int_t)x->signed_exts[i].type,
                            "additional_signed",
                            (json_int_t)x->signed_exts[i].additional_signed));
    return json_pack("{s:i, s:o, s:o, s:o, s:o, s:o, s:o}", "version",
                     (int)x->version, "type", id_or_null(x->type), "address",
                     id_or_null(x->address_type), "call",
                     id_or_null(x->call_type), "signature",
                     id_or_null(x->signature_type), "extra",
                     id_or_null(x->extra_type), "signed_extensions", exts);
}

static json_t *apis_json(const cov_metadata *m)
{
    json_t *apis = json_array();
    for (uint32_t i = 0; i < cov_metadata_n_apis(m); i++) {
        const cov_meta_runtime_api *a = cov_metadata_api_at(m, i);
        json_t *methods = json_array();
        for (uint32_t j = 0; j < a->n_methods; j++) {
            const cov_meta_api_method *mt = &a->methods[j];
            json_t *inputs = json_array();
            for (uint32_t k = 0; k < mt->n_inputs; k++)
                json_array_append_new(
                    inputs, json_pack("{s:s, s:I}", "name", mt->inputs[k].name,
                                      "type", (json_int_t)mt->inputs[k].type));
            json_array_append_new(
                methods, json_pack("{s:s, s:o, s:I, s:o}", "name", mt->name,
                                   "inputs", inputs, "output",
                                   (json_int_t)mt->output, "docs",
                                   strs(mt->docs)));
        }
        json_array_append_new(apis, json_pack("{s:s, s:o, s:o}", "name",
                                              a->name, "methods", methods,
                                              "docs", strs(a->docs)));
    }
    return apis;
}

static json_t *dump(const cov_metadata *m)
{
    json_t *types = json_array();
    for (uint32_t i = 0; i < cov_metadata_n_types(m); i++)
        json_array_append_new(types, type_json(m, cov_metadata_type(m, i)));
    json_t *pallets = json_array();
    for (uint32_t i = 0; i < cov_metadata_n_pallets(m); i++)
        json_array_append_new(pallets,
                              pallet_json(m, cov_metadata_pallet_at(m, i)));
    const cov_meta_outer_enums *o = cov_metadata_outer_enums(m);
    return json_pack(
        "{s:i, s:I, s:I, s:o, s:o, s:o, s:o, s:{s:o, s:o, s:o}}", "version",
        (int)cov_metadata_version(m), "n_types",
        (json_int_t)cov_metadata_n_types(m), "runtime_type",
        (json_int_t)cov_metadata_runtime_type(m), "types", types, "pallets",
        pallets, "extrinsic", extrinsic_json(m), "apis", apis_json(m),
        "outer_enums", "call", id_or_null(o->call_type), "event",
        id_or_null(o->event_type), "error", id_or_null(o->error_type));
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: metadata_dump FILE\n");
        return 2;
    }
    cov_err err;
    cov_err_clear(&err);
    uint8_t *file = NULL, *bytes = NULL;
    size_t file_len = 0, len = 0;
    cov_metadata *m = NULL;
    cov_status st = cov_file_read(&file, &file_len, argv[1], FILE_MAX, false,
                                  &err);
    if (st == COV_OK) {
        char *hex = find_hex((const char *)file);
        if (hex) {
            st = cov_hex_decode_alloc(&bytes, &len, hex, FILE_MAX, &err);
            free(hex);
        } else {
            bytes = file, len = file_len, file = NULL;
        }
    }
    if (st == COV_OK)
        st = cov_metadata_decode(&m, bytes, len, &err);
    json_t *out = st == COV_OK ? dump(m) : cov_json_error(&err);
    int rc = out && cov_json_write(stdout, out) == 0 && st == COV_OK ? 0 : 1;
    json_decref(out);
    cov_metadata_free(m);
    free(bytes);
    free(file);
    return rc;
}
