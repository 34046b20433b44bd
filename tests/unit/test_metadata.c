/* chain/metadata: a small V14 and V15 built here with the SCALE encoder
 * (every type kind, storage kinds, calls/events/errors, constants,
 * extensions, runtime APIs), each envelope, each refusal, every truncation;
 * then the real runtime metadata @polkadot/types-support ships (read from
 * tests/interop/node_modules at test time; skipped when absent). The full
 * field-by-field comparison with polkadot-js is tests/interop/metadata.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "test_helpers.h"

#include "chain/chain.h"

#define OK(x) assert_int_equal((x), COV_OK)

/* ------------------------------------------------------ a built metadata */

/* Ways to spoil the built metadata, one at a time. */
typedef struct {
    unsigned version;       /* 14 or 15 */
    bool bad_type_ref;      /* a field names type 999 */
    bool skip_id;           /* type ids 0, 1, 3, ... */
    bool calls_not_variant; /* a pallet's calls type is a u8 */
    bool dup_pallet_index;  /* two pallets with index 0 */
    bool nul_in_name;       /* "Sys\0tem" */
    uint8_t hasher;         /* hasher byte of System.Account */
    uint8_t prim;           /* primitive byte of type 0 */
    uint8_t def_kind;       /* def tag of type 19 (str): 5 */
    uint8_t modifier;       /* modifier byte of System.Number */
    uint8_t entry_kind;     /* storage kind byte of System.Number */
} spoil;

static spoil plain(unsigned version)
{
    spoil s = {.version = version, .hasher = 2, .prim = 3, .def_kind = 5,
               .entry_kind = 0};
    return s;
}

static void u8_(cov_buf *b, uint8_t v) { OK(cov_scale_put_u8(b, v, NULL)); }
static void cpt(cov_buf *b, uint64_t v) { OK(cov_scale_put_compact(b, v, NULL)); }
static void str_(cov_buf *b, const char *s) { OK(cov_scale_put_str(b, s, NULL)); }
static void none(cov_buf *b) { u8_(b, 0); }
static void some_str(cov_buf *b, const char *s) { u8_(b, 1); str_(b, s); }
static void some_ty(cov_buf *b, uint32_t id) { u8_(b, 1); cpt(b, id); }

/* Vec<String> of n strings. */
static void strs(cov_buf *b, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    cpt(b, (uint64_t)n);
    for (int i = 0; i < n; i++)
        str_(b, va_arg(ap, const char *));
    va_end(ap);
}

/* Type header: id, path (n segments), no params unless given later. */
static void type_head(cov_buf *b, uint32_t id, int n_path, ...)
{
    cpt(b, id);
    va_list ap;
    va_start(ap, n_path);
    cpt(b, (uint64_t)n_path);
    for (int i = 0; i < n_path; i++)
        str_(b, va_arg(ap, const char *));
    va_end(ap);
}

static void no_params(cov_buf *b) { cpt(b, 0); }
static void no_docs(cov_buf *b) { cpt(b, 0); }

static void primitive(cov_buf *b, uint32_t id, uint8_t p)
{
    type_head(b, id, 0);
    no_params(b);
    u8_(b, 5);
    u8_(b, p);
    no_docs(b);
}

/* Field: name (NULL: unnamed), type, type name (NULL: none), no docs. */
static void field(cov_buf *b, const char *name, uint32_t ty, const char *tn)
{
    if (name)
        some_str(b, name);
    else
        none(b);
    cpt(b, ty);
    if (tn)
        some_str(b, tn);
    else
        none(b);
    no_docs(b);
}

enum { N_TYPES = 23 };

static void build_types(cov_buf *b, const spoil *s)
{
    cpt(b, N_TYPES);
    primitive(b, 0, s->prim); /* u8 */
    /* 1: [u8; 32] */
    type_head(b, 1, 0);
    no_params(b);
    u8_(b, 3);
    OK(cov_scale_put_u32(b, 32, NULL));
    cpt(b, 0);
    no_docs(b);
    /* 2: AccountId32(composite, one unnamed field) */
    type_head(b, 2, 3, "sp_core", "crypto", "AccountId32");
    no_params(b);
    u8_(b, 0);
    cpt(b, 1);
    field(b, NULL, s->bad_type_ref ? 999 : 1, "[u8; 32]");
    strs(b, 1, "An account.");
    primitive(b, 3, 4); /* u16 */
    /* 4: Vec<u16> */
    type_head(b, s->skip_id ? 5 : 4, 0);
    no_params(b);
    u8_(b, 2);
    cpt(b, 3);
    no_docs(b);
    /* 5: Compact<u64> */
    type_head(b, 5, 0);
    no_params(b);
    u8_(b, 6);
    cpt(b, 6);
    no_docs(b);
    primitive(b, 6, 6); /* u64 */
    /* 7: (u16, AccountId32) */
    type_head(b, 7, 0);
    no_params(b);
    u8_(b, 4);
    cpt(b, 2);
    cpt(b, 3);
    cpt(b, 2);
    no_docs(b);
    primitive(b, 8, 0); /* bool */
    /* 9: BitVec<u8, Lsb0> */
    type_head(b, 9, 0);
    no_params(b);
    u8_(b, 7);
    cpt(b, 0);
    cpt(b, 10);
    no_docs(b);
    /* 10: Lsb0 */
    type_head(b, 10, 3, "bitvec", "order", "Lsb0");
    no_params(b);
    u8_(b, 0);
    cpt(b, 0);
    no_docs(b);
    /* 11: Option<u16> */
    type_head(b, 11, 1, "Option");
    cpt(b, 1);
    str_(b, "T");
    some_ty(b, 3);
    u8_(b, 1);
    cpt(b, 2);
    str_(b, "None");
    cpt(b, 0);
    u8_(b, 0);
    no_docs(b);
    str_(b, "Some");
    cpt(b, 1);
    field(b, NULL, 3, NULL);
    u8_(b, 1);
    no_docs(b);
    no_docs(b);
    /* 12: pallet Test's Call */
    type_head(b, 12, 3, "pallet_test", "pallet", "Call");
    cpt(b, 1);
    str_(b, "T");
    none(b);
    u8_(b, 1);
    cpt(b, 2);
    str_(b, "set_weights");
    cpt(b, 2);
    field(b, "netuid", 3, "NetUid");
    field(b, "dests", 4, "Vec<u16>");
    u8_(b, 0);
    strs(b, 2, "Sets weights.", "Second line.");
    str_(b, "transfer");
    cpt(b, 2);
    field(b, "dest", 2, "T::AccountId");
    field(b, "value", 5, "u64");
    u8_(b, 5);
    no_docs(b);
    strs(b, 1, "Contains a variant per dispatchable.");
    /* 13: Event */
    type_head(b, 13, 3, "pallet_test", "pallet", "Event");
    no_params(b);
    u8_(b, 1);
    cpt(b, 1);
    str_(b, "Sent");
    cpt(b, 2);
    field(b, NULL, 2, NULL);
    field(b, NULL, 6, NULL);
    u8_(b, 0);
    strs(b, 1, "Something was sent.");
    no_docs(b);
    /* 14: Error */
    type_head(b, 14, 3, "pallet_test", "pallet", "Error");
    no_params(b);
    u8_(b, 1);
    cpt(b, 2);
    str_(b, "TooLow");
    cpt(b, 0);
    u8_(b, 0);
    strs(b, 1, "The value is too low.");
    str_(b, "NotAllowed");
    cpt(b, 0);
    u8_(b, 3);
    no_docs(b);
    no_docs(b);
    /* 15: RuntimeCall */
    type_head(b, 15, 2, "runtime", "RuntimeCall");
    no_params(b);
    u8_(b, 1);
    cpt(b, 1);
    str_(b, "Test");
    cpt(b, 1);
    field(b, NULL, 12, NULL);
    u8_(b, 7);
    no_docs(b);
    no_docs(b);
    /* 16: UncheckedExtrinsic<Address, Call, Signature, Extra> */
    type_head(b, 16, 4, "sp_runtime", "generic", "unchecked_extrinsic",
              "UncheckedExtrinsic");
    cpt(b, 4);
    str_(b, "Address");
    some_ty(b, 2);
    str_(b, "Call");
    some_ty(b, 15);
    str_(b, "Signature");
    some_ty(b, 1);
    str_(b, "Extra");
    some_ty(b, 17);
    u8_(b, 0);
    cpt(b, 1);
    field(b, NULL, 18, NULL);
    no_docs(b);
    /* 17: () */
    type_head(b, 17, 0);
    no_params(b);
    u8_(b, 4);
    cpt(b, 0);
    no_docs(b);
    /* 18: Vec<u8> */
    type_head(b, 18, 0);
    no_params(b);
    u8_(b, 2);
    cpt(b, 0);
    no_docs(b);
    /* 19: str (def tag spoilable) */
    type_head(b, 19, 0);
    no_params(b);
    u8_(b, s->def_kind);
    u8_(b, 2);
    no_docs(b);
    /* 20: anonymous { a: u16, b: bool } */
    type_head(b, 20, 0);
    no_params(b);
    u8_(b, 0);
    cpt(b, 2);
    field(b, "a", 3, NULL);
    field(b, "b", 8, NULL);
    no_docs(b);
    primitive(b, 21, 14); /* i256 */
    primitive(b, 22, 1);  /* char */
}

static void storage_entry_plain(cov_buf *b, const spoil *s)
{
    str_(b, "Number");
    u8_(b, s->modifier);
    u8_(b, s->entry_kind);
    cpt(b, 6);
    OK(cov_scale_put_bytes(b, (const uint8_t *)"\0\0\0\0\0\0\0\0", 8, NULL));
    strs(b, 1, "Current block.");
}

static void signed_exts(cov_buf *b)
{
    cpt(b, 2);
    str_(b, "CheckNonce");
    cpt(b, 5);
    cpt(b, 17);
    str_(b, "CheckGenesis");
    cpt(b, 17);
    cpt(b, 1);
}

/* Prefixed metadata ("meta", version, body) per the spoil. */
static void build(cov_buf *b, const spoil *s)
{
    cov_buf_init(b, 1 << 20);
    OK(cov_scale_put_raw(b, "meta", 4, NULL));
    u8_(b, (uint8_t)s->version);
    build_types(b, s);

    cpt(b, 2); /* pallets */
    /* System */
    str_(b, s->nul_in_name ? "Sys\0tem" : "System");
    if (s->nul_in_name) {
        /* str_ stopped at the NUL: rewrite the name with its 7 bytes. */
        b->len -= 1 + 3;
        OK(cov_scale_put_bytes(b, (const uint8_t *)"Sys\0tem", 7, NULL));
    }
    u8_(b, 1); /* storage */
    str_(b, "System");
    cpt(b, 2);
    storage_entry_plain(b, s);
    str_(b, "Account");
    u8_(b, 0);
    u8_(b, 1);
    cpt(b, 1);
    u8_(b, s->hasher);
    cpt(b, 2);
    cpt(b, 6);
    cpt(b, 0); /* no default bytes */
    no_docs(b);
    if (s->calls_not_variant)
        some_ty(b, 0);
    else
        none(b); /* calls */
    none(b);     /* events */
    cpt(b, 1);   /* constants */
    str_(b, "SS58Prefix");
    cpt(b, 3);
    OK(cov_scale_put_bytes(b, (const uint8_t *)"\x2a\x00", 2, NULL));
    strs(b, 1, "The SS58 prefix.");
    none(b); /* errors */
    u8_(b, 0);
    if (s->version >= 15)
        strs(b, 1, "System pallet.");
    /* Test */
    str_(b, "Test");
    u8_(b, 1);
    str_(b, "TestStore");
    cpt(b, 1);
    str_(b, "Pairs");
    u8_(b, 1);
    u8_(b, 1);
    cpt(b, 2);
    u8_(b, 6);
    u8_(b, 5);
    cpt(b, 7);
    cpt(b, 4);
    OK(cov_scale_put_bytes(b, (const uint8_t *)"\0", 1, NULL));
    no_docs(b);
    some_ty(b, 12);
    some_ty(b, 13);
    cpt(b, 0);
    some_ty(b, 14);
    u8_(b, s->dup_pallet_index ? 0 : 7);
    if (s->version >= 15)
        no_docs(b);

    if (s->version == 14) {
        cpt(b, 16);
        u8_(b, 4);
        signed_exts(b);
        cpt(b, 17); /* runtime */
        return;
    }
    u8_(b, 4);
    cpt(b, 2);
    cpt(b, 15);
    cpt(b, 1);
    cpt(b, 17);
    signed_exts(b);
    cpt(b, 17); /* runtime */
    cpt(b, 1);  /* apis */
    str_(b, "NeuronInfoRuntimeApi");
    cpt(b, 1);
    str_(b, "get_neurons_lite");
    cpt(b, 1);
    str_(b, "netuid");
    cpt(b, 3);
    cpt(b, 18);
    strs(b, 1, "Lite neurons.");
    strs(b, 1, "Neuron info.");
    cpt(b, 15); /* outer enums */
    cpt(b, 13);
    cpt(b, 14);
    cpt(b, 1); /* custom */
    str_(b, "foo");
    cpt(b, 3);
    OK(cov_scale_put_bytes(b, (const uint8_t *)"\x01\x00", 2, NULL));
}

static cov_status decode_spoiled(const spoil *s, cov_err *err)
{
    cov_buf b;
    build(&b, s);
    cov_metadata *m = NULL;
    cov_status st = cov_metadata_decode(&m, b.data, b.len, err);
    if (st == COV_OK)
        assert_non_null(m);
    else
        assert_null(m);
    cov_metadata_free(m);
    cov_buf_free(&b);
    return st;
}

static void name_is(const cov_metadata *m, uint32_t id, const char *want)
{
    char buf[128];
    size_t n = cov_metadata_type_name(m, id, buf, sizeof buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static void check_built(const cov_metadata *m, unsigned version)
{
    assert_int_equal(cov_metadata_version(m), version);
    assert_int_equal(cov_metadata_n_types(m), N_TYPES);
    assert_int_equal(cov_metadata_runtime_type(m), 17);
    assert_null(cov_metadata_type(m, N_TYPES));

    const cov_meta_type *t = cov_metadata_type(m, 2);
    assert_int_equal(t->kind, COV_TYPE_COMPOSITE);
    assert_int_equal(t->path.count, 3);
    assert_string_equal(t->path.items[2], "AccountId32");
    assert_int_equal(t->def.composite.n_fields, 1);
    assert_null(t->def.composite.fields[0].name);
    assert_string_equal(t->def.composite.fields[0].type_name, "[u8; 32]");
    assert_string_equal(t->docs.items[0], "An account.");
    t = cov_metadata_type(m, 1);
    assert_int_equal(t->kind, COV_TYPE_ARRAY);
    assert_int_equal(t->def.array.len, 32);
    assert_int_equal(cov_metadata_type(m, 9)->def.bit_sequence.order_type, 10);
    assert_int_equal(cov_metadata_type(m, 7)->def.tuple.n_types, 2);
    t = cov_metadata_type(m, 12);
    assert_int_equal(t->n_params, 1);
    assert_int_equal(t->params[0].type, COV_META_NONE);

    name_is(m, 0, "u8");
    name_is(m, 1, "[u8; 32]");
    name_is(m, 2, "AccountId32");
    name_is(m, 4, "Vec<u16>");
    name_is(m, 5, "Compact<u64>");
    name_is(m, 7, "(u16, AccountId32)");
    name_is(m, 9, "BitVec<u8, Lsb0>");
    name_is(m, 11, "Option<u16>");
    name_is(m, 12, "Call");
    name_is(m, 16, "UncheckedExtrinsic<AccountId32, RuntimeCall, [u8; 32], ()>");
    name_is(m, 17, "()");
    name_is(m, 19, "str");
    name_is(m, 20, "{ a: u16, b: bool }");
    name_is(m, 21, "i256");
    name_is(m, 22, "char");
    name_is(m, 4242, "#4242");
    /* Truncation keeps a NUL and reports the full length. */
    char small[6];
    assert_int_equal(cov_metadata_type_name(m, 7, small, sizeof small), 18);
    assert_string_equal(small, "(u16,");
    assert_int_equal(cov_metadata_type_name(m, 7, NULL, 0), 18);

    assert_int_equal(cov_metadata_n_pallets(m), 2);
    const cov_meta_pallet *sys = cov_metadata_pallet(m, "System");
    assert_ptr_equal(sys, cov_metadata_pallet_at(m, 0));
    assert_ptr_equal(cov_metadata_pallet_by_index(m, 0), sys);
    assert_null(cov_metadata_pallet(m, "system"));
    assert_null(cov_metadata_pallet_by_index(m, 1));
    assert_null(cov_metadata_pallet_at(m, 2));
    assert_string_equal(sys->storage_prefix, "System");
    assert_int_equal(sys->calls_type, COV_META_NONE);
    assert_int_equal(sys->docs.count, version >= 15 ? 1 : 0);

    cov_err err;
    const cov_meta_storage_entry *e;
    const cov_meta_pallet *p;
    OK(cov_metadata_storage(m, &p, &e, "System", "Number", &err));
    assert_ptr_equal(p, sys);
    assert_false(e->is_map);
    assert_int_equal(e->modifier, COV_STORAGE_OPTIONAL);
    assert_int_equal(e->key_type, COV_META_NONE);
    assert_int_equal(e->value_type, 6);
    assert_int_equal(e->default_len, 8);
    assert_string_equal(e->docs.items[0], "Current block.");
    OK(cov_metadata_storage(m, NULL, &e, "System", "Account", &err));
    assert_true(e->is_map);
    assert_int_equal(e->n_hashers, 1);
    assert_int_equal(e->hashers[0], COV_HASHER_BLAKE2_128_CONCAT);
    assert_int_equal(e->key_type, 2);
    assert_int_equal(e->default_len, 0);
    OK(cov_metadata_storage(m, &p, &e, "Test", "Pairs", &err));
    assert_string_equal(p->storage_prefix, "TestStore");
    assert_int_equal(e->modifier, COV_STORAGE_DEFAULT);
    assert_int_equal(e->n_hashers, 2);
    assert_int_equal(e->hashers[0], COV_HASHER_IDENTITY);
    assert_int_equal(e->hashers[1], COV_HASHER_TWOX64_CONCAT);
    assert_string_equal(cov_storage_hasher_name(e->hashers[1]), "Twox64Concat");
    assert_string_equal(cov_storage_hasher_name(COV_HASHER_COUNT), "?");
    assert_int_equal(cov_metadata_storage(m, &p, &e, "Test", "Nope", &err),
                     COV_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "no storage item 'Nope'"));
    assert_null(e);
    assert_null(p);
    assert_int_equal(cov_metadata_storage(m, NULL, &e, "Nope", "Pairs", &err),
                     COV_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "no pallet named 'Nope'"));

    const cov_meta_constant *c;
    OK(cov_metadata_constant(m, &c, "System", "SS58Prefix", &err));
    assert_int_equal(c->type, 3);
    expect_hex(c->value, c->value_len, "2a00");
    assert_int_equal(cov_metadata_constant(m, &c, "Test", "SS58Prefix", &err),
                     COV_ERR_NOT_FOUND);

    cov_meta_call call;
    OK(cov_metadata_call(m, &call, "Test", "transfer", &err));
    assert_int_equal(call.pallet_index, 7);
    assert_int_equal(call.call_index, 5);
    assert_int_equal(call.variant->n_fields, 2);
    assert_string_equal(call.variant->fields[1].name, "value");
    name_is(m, call.variant->fields[1].type, "Compact<u64>");
    OK(cov_metadata_call(m, &call, "Test", "set_weights", &err));
    assert_int_equal(call.call_index, 0);
    assert_int_equal(call.variant->docs.count, 2);
    assert_int_equal(cov_metadata_call(m, &call, "Test", "nope", &err),
                     COV_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "no call 'nope'"));
    assert_null(call.variant);
    assert_int_equal(cov_metadata_call(m, &call, "System", "remark", &err),
                     COV_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "has no calls"));

    const cov_meta_variant *v;
    OK(cov_metadata_event(m, &p, &v, 7, 0, &err));
    assert_string_equal(v->name, "Sent");
    assert_string_equal(p->name, "Test");
    OK(cov_metadata_error(m, NULL, &v, 7, 0, &err));
    assert_string_equal(v->docs.items[0], "The value is too low.");
    OK(cov_metadata_error(m, NULL, &v, 7, 3, &err));
    assert_string_equal(v->name, "NotAllowed");
    assert_int_equal(cov_metadata_error(m, NULL, &v, 7, 1, &err),
                     COV_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "no error with index 1"));
    assert_int_equal(cov_metadata_error(m, NULL, &v, 9, 0, &err),
                     COV_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "no pallet has index 9"));
    assert_int_equal(cov_metadata_event(m, NULL, &v, 0, 0, &err),
                     COV_ERR_NOT_FOUND);
    assert_null(cov_metadata_variant_by_index(m, 2, 0)); /* not a variant */
    assert_null(cov_metadata_variant_by_name(m, 999, "x"));
    assert_string_equal(cov_metadata_variant_by_index(m, 11, 1)->name, "Some");

    const cov_meta_extrinsic *x = cov_metadata_extrinsic(m);
    assert_int_equal(x->version, 4);
    assert_int_equal(x->type, version == 14 ? 16 : COV_META_NONE);
    assert_int_equal(x->address_type, 2);
    assert_int_equal(x->call_type, 15);
    assert_int_equal(x->signature_type, 1);
    assert_int_equal(x->extra_type, 17);
    assert_int_equal(x->n_signed_exts, 2);
    assert_string_equal(x->signed_exts[0].identifier, "CheckNonce");
    assert_int_equal(x->signed_exts[0].type, 5);
    assert_int_equal(x->signed_exts[1].additional_signed, 1);

    const cov_meta_outer_enums *o = cov_metadata_outer_enums(m);
    const cov_meta_api_method *mt;
    const cov_meta_runtime_api *api;
    if (version == 14) {
        assert_int_equal(o->call_type, COV_META_NONE);
        assert_int_equal(cov_metadata_n_apis(m), 0);
        assert_int_equal(cov_metadata_runtime_api(m, &api, &mt,
                                                  "NeuronInfoRuntimeApi",
                                                  "get_neurons_lite", &err),
                         COV_ERR_NOT_FOUND);
        assert_non_null(strstr(err.msg, "Metadata_metadata_at_version(15)"));
        return;
    }
    assert_int_equal(o->call_type, 15);
    assert_int_equal(o->event_type, 13);
    assert_int_equal(o->error_type, 14);
    assert_int_equal(cov_metadata_n_apis(m), 1);
    assert_null(cov_metadata_api_at(m, 1));
    OK(cov_metadata_runtime_api(m, &api, &mt, "NeuronInfoRuntimeApi",
                                "get_neurons_lite", &err));
    assert_ptr_equal(api, cov_metadata_api_at(m, 0));
    assert_string_equal(api->docs.items[0], "Neuron info.");
    assert_int_equal(mt->n_inputs, 1);
    assert_string_equal(mt->inputs[0].name, "netuid");
    name_is(m, mt->output, "Vec<u8>");
    assert_int_equal(cov_metadata_runtime_api(m, NULL, &mt,
                                              "NeuronInfoRuntimeApi", "x", &err),
                     COV_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "no method 'x'"));
    assert_int_equal(cov_metadata_runtime_api(m, NULL, &mt, "Nope", "x", &err),
                     COV_ERR_NOT_FOUND);
}

static void test_built_v14_v15(void **state)
{
    (void)state;
    for (unsigned version = 14; version <= 15; version++) {
        spoil s = plain(version);
        cov_buf b;
        build(&b, &s);
        cov_metadata *m;
        cov_err err;
        OK(cov_metadata_decode(&m, b.data, b.len, &err));
        check_built(m, version);
        cov_metadata_free(m);
        cov_buf_free(&b);
    }
    cov_metadata_free(NULL);
}

/* The same bytes in each envelope a node serves them in. */
static void test_envelopes(void **state)
{
    (void)state;
    spoil s = plain(15);
    cov_buf raw, wrapped;
    build(&raw, &s);
    cov_metadata *m;
    cov_err err;
    for (int form = 0; form < 2; form++) {
        cov_buf_init(&wrapped, 1 << 20);
        if (form == 0)
            u8_(&wrapped, 1); /* Option<OpaqueMetadata>: Some */
        OK(cov_scale_put_bytes(&wrapped, raw.data, raw.len, NULL));
        OK(cov_metadata_decode(&m, wrapped.data, wrapped.len, &err));
        check_built(m, 15);
        cov_metadata_free(m);
        /* A wrapper whose length disagrees is not metadata. */
        OK(cov_scale_put_u8(&wrapped, 0, NULL));
        assert_int_equal(cov_metadata_decode(&m, wrapped.data, wrapped.len, &err),
                         COV_ERR_PARSE);
        assert_non_null(strstr(err.msg, "not runtime metadata"));
        cov_buf_free(&wrapped);
    }
    const uint8_t none_tag = 0;
    assert_int_equal(cov_metadata_decode(&m, &none_tag, 1, &err),
                     COV_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "None"));
    assert_int_equal(cov_metadata_decode(&m, NULL, 0, &err), COV_ERR_PARSE);
    assert_int_equal(cov_metadata_decode(&m, NULL, 5, &err), COV_ERR_ARG);
    assert_int_equal(cov_metadata_decode(&m, raw.data, 4, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "version byte"));
    raw.data[0] = 'M';
    assert_int_equal(cov_metadata_decode(&m, raw.data, raw.len, &err),
                     COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "6d657461"));
    raw.data[0] = 'm';
    assert_int_equal(cov_metadata_decode(&m, raw.data, COV_METADATA_MAX_BYTES + 1,
                                         &err),
                     COV_ERR_TOO_BIG); /* refused before any byte is read */
    cov_buf_free(&raw);
}

static void test_versions(void **state)
{
    (void)state;
    cov_err err;
    for (unsigned v = 8; v <= 16; v += 1) {
        if (v == 14 || v == 15)
            continue;
        spoil s = plain(15);
        cov_buf b;
        build(&b, &s);
        b.data[4] = (uint8_t)v;
        cov_metadata *m;
        assert_int_equal(cov_metadata_decode(&m, b.data, b.len, &err),
                         COV_ERR_UNSUPPORTED);
        assert_non_null(strstr(err.msg, v < 14 ? "predates" : "newer"));
        cov_buf_free(&b);
    }
    /* A V15 body labelled V14 does not decode. */
    spoil s = plain(15);
    cov_buf b;
    build(&b, &s);
    b.data[4] = 14;
    cov_metadata *m;
    assert_int_not_equal(cov_metadata_decode(&m, b.data, b.len, &err), COV_OK);
    cov_buf_free(&b);
}

static void expect_refusal(spoil s, cov_status code, const char *text)
{
    cov_err err;
    cov_err_clear(&err);
    assert_int_equal(decode_spoiled(&s, &err), code);
    assert_int_equal(err.code, code);
    if (!strstr(err.msg, text))
        fail_msg("message '%s' lacks '%s'", err.msg, text);
}

static void test_refusals(void **state)
{
    (void)state;
    for (unsigned version = 14; version <= 15; version++) {
        spoil s = plain(version);
        s.bad_type_ref = true;
        expect_refusal(s, COV_ERR_PARSE, "refers to type 999");
        s = plain(version);
        s.skip_id = true;
        expect_refusal(s, COV_ERR_UNSUPPORTED, "has id 5");
        s = plain(version);
        s.calls_not_variant = true;
        expect_refusal(s, COV_ERR_PARSE, "not an enum");
        s = plain(version);
        s.dup_pallet_index = true;
        expect_refusal(s, COV_ERR_PARSE, "share a name or an index");
        s = plain(version);
        s.nul_in_name = true;
        expect_refusal(s, COV_ERR_PARSE, "NUL");
        s = plain(version);
        s.hasher = 7;
        expect_refusal(s, COV_ERR_PARSE, "unknown storage hasher 7");
        s = plain(version);
        s.prim = 15;
        expect_refusal(s, COV_ERR_PARSE, "unknown primitive type 15");
        s = plain(version);
        s.def_kind = 8;
        expect_refusal(s, COV_ERR_PARSE, "unknown type definition kind 8");
        s = plain(version);
        s.modifier = 2;
        expect_refusal(s, COV_ERR_PARSE, "unknown storage modifier 2");
        s = plain(version);
        s.entry_kind = 2;
        expect_refusal(s, COV_ERR_PARSE, "unknown storage entry kind 2");
    }
    /* Context names where it went wrong. */
    spoil s = plain(14);
    s.hasher = 9;
    expect_refusal(s, COV_ERR_PARSE, "metadata V14: pallet 0 System: storage entry 1 Account");
}

/* Every proper prefix is refused with a message; one byte more too. */
static void test_truncations_and_trailing(void **state)
{
    (void)state;
    for (unsigned version = 14; version <= 15; version++) {
        spoil s = plain(version);
        cov_buf b;
        build(&b, &s);
        for (size_t len = 0; len < b.len; len++) {
            cov_metadata *m = NULL;
            cov_err err;
            cov_err_clear(&err);
            cov_status st = cov_metadata_decode(&m, b.data, len, &err);
            assert_int_not_equal(st, COV_OK);
            assert_null(m);
            assert_true(err.msg[0] != '\0');
        }
        OK(cov_scale_put_u8(&b, 0, NULL));
        cov_metadata *m;
        cov_err err;
        assert_int_equal(cov_metadata_decode(&m, b.data, b.len, &err),
                         COV_ERR_PARSE);
        assert_non_null(strstr(err.msg, "1 bytes left over"));
        cov_buf_free(&b);
    }
}

/* Each byte changed: whatever the verdict, no crash, no leak, a message. */
static void test_byte_flips(void **state)
{
    (void)state;
    spoil s = plain(15);
    cov_buf b;
    build(&b, &s);
    const uint8_t deltas[] = {0x01, 0x80, 0xff};
    for (size_t i = 5; i < b.len; i++)
        for (size_t k = 0; k < sizeof deltas; k++) {
            b.data[i] ^= deltas[k];
            cov_metadata *m = NULL;
            cov_err err;
            cov_err_clear(&err);
            if (cov_metadata_decode(&m, b.data, b.len, &err) == COV_OK) {
                char name[64];
                for (uint32_t id = 0; id < cov_metadata_n_types(m); id++)
                    cov_metadata_type_name(m, id, name, sizeof name);
                cov_metadata_free(m);
            } else {
                assert_true(err.msg[0] != '\0');
            }
            b.data[i] ^= deltas[k];
        }
    cov_buf_free(&b);
}

/* A hostile registry: type 0 is a tuple of 200 copies of itself. Naming it
 * must stay cheap and bounded. */
static void test_recursive_type_name(void **state)
{
    (void)state;
    cov_buf b;
    cov_buf_init(&b, 1 << 16);
    OK(cov_scale_put_raw(&b, "meta", 4, NULL));
    u8_(&b, 14);
    cpt(&b, 1);
    type_head(&b, 0, 0);
    no_params(&b);
    u8_(&b, 4);
    cpt(&b, 200);
    for (int i = 0; i < 200; i++)
        cpt(&b, 0);
    no_docs(&b);
    cpt(&b, 0);  /* pallets */
    cpt(&b, 0);  /* extrinsic type */
    u8_(&b, 4);
    cpt(&b, 0);  /* signed extensions */
    cpt(&b, 0);  /* runtime */
    cov_metadata *m;
    cov_err err;
    OK(cov_metadata_decode(&m, b.data, b.len, &err));
    char name[64];
    size_t n = cov_metadata_type_name(m, 0, name, sizeof name);
    assert_true(n <= 4096);
    assert_int_equal(strlen(name), sizeof name - 1);
    assert_non_null(strstr(name, "(("));
    cov_metadata_free(m);
    cov_buf_free(&b);
}

/* ------------------------------------------------------- real metadata */

static const char *const real_blobs[] = {
    "v14/kusama-hex.js",
    "v14/polkadot-hex.js",
    "v14/substrate-hex.js",
    "v14/substrate-contracts-node-hex.js",
    "v15/asset-hub-kusama-hex.js",
    "v15/asset-hub-polkadot-hex.js",
    "v15/kusama-hex.js",
    "v15/polkadot-hex.js",
    "v15/substrate-hex.js",
};

/* Every lookup finds what iteration shows, in every real runtime. */
static void test_real_lookups(void **state)
{
    (void)state;
    int found = 0;
    for (size_t i = 0; i < sizeof real_blobs / sizeof real_blobs[0]; i++) {
        uint8_t *bytes;
        size_t len;
        if (!load_support_blob(real_blobs[i], &bytes, &len))
            continue;
        found++;
        cov_metadata *m;
        cov_err err;
        if (cov_metadata_decode(&m, bytes, len, &err) != COV_OK)
            fail_msg("%s: %s", real_blobs[i], err.msg);
        assert_int_equal(cov_metadata_version(m), real_blobs[i][2] == '4' ? 14 : 15);
        assert_true(cov_metadata_n_types(m) > 100);
        for (uint32_t k = 0; k < cov_metadata_n_pallets(m); k++) {
            const cov_meta_pallet *p = cov_metadata_pallet_at(m, k);
            assert_ptr_equal(cov_metadata_pallet(m, p->name), p);
            assert_ptr_equal(cov_metadata_pallet_by_index(m, p->index), p);
            for (uint32_t e = 0; e < p->n_storage; e++) {
                const cov_meta_storage_entry *got;
                OK(cov_metadata_storage(m, NULL, &got, p->name,
                                        p->storage[e].name, &err));
                assert_ptr_equal(got, &p->storage[e]);
                assert_true(!got->is_map || got->n_hashers >= 1);
            }
            for (uint32_t c = 0; c < p->n_constants; c++) {
                const cov_meta_constant *got;
                OK(cov_metadata_constant(m, &got, p->name, p->constants[c].name,
                                         &err));
            }
            const cov_meta_type *t = cov_metadata_type(m, p->calls_type);
            for (uint32_t c = 0; t && c < t->def.variant.n_variants; c++) {
                cov_meta_call call;
                OK(cov_metadata_call(m, &call, p->name,
                                     t->def.variant.variants[c].name, &err));
                assert_int_equal(call.call_index, t->def.variant.variants[c].index);
            }
            t = cov_metadata_type(m, p->errors_type);
            for (uint32_t c = 0; t && c < t->def.variant.n_variants; c++) {
                const cov_meta_variant *v;
                OK(cov_metadata_error(m, NULL, &v, p->index,
                                      t->def.variant.variants[c].index, &err));
                assert_ptr_equal(v, &t->def.variant.variants[c]);
            }
            t = cov_metadata_type(m, p->events_type);
            for (uint32_t c = 0; t && c < t->def.variant.n_variants; c++) {
                const cov_meta_variant *v;
                OK(cov_metadata_event(m, NULL, &v, p->index,
                                      t->def.variant.variants[c].index, &err));
            }
        }
        for (uint32_t a = 0; a < cov_metadata_n_apis(m); a++) {
            const cov_meta_runtime_api *api = cov_metadata_api_at(m, a);
            for (uint32_t k = 0; k < api->n_methods; k++) {
                const cov_meta_api_method *mt;
                OK(cov_metadata_runtime_api(m, NULL, &mt, api->name,
                                            api->methods[k].name, &err));
            }
        }
        char name[256];
        for (uint32_t id = 0; id < cov_metadata_n_types(m); id++)
            assert_true(cov_metadata_type_name(m, id, name, sizeof name) > 0);
        cov_metadata_free(m);
        free(bytes);
    }
    if (!found)
        skip(); /* npm install --prefix tests/interop */
}

/* Facts about Polkadot's runtime, the same in its V14 and V15. */
static void check_polkadot(const cov_metadata *m)
{
    cov_err err;
    char name[128];
    const cov_meta_pallet *sys = cov_metadata_pallet(m, "System");
    assert_non_null(sys);
    assert_int_equal(sys->index, 0);
    const cov_meta_constant *c;
    OK(cov_metadata_constant(m, &c, "System", "SS58Prefix", &err));
    expect_hex(c->value, c->value_len, "0000");
    const cov_meta_storage_entry *e;
    OK(cov_metadata_storage(m, NULL, &e, "System", "Account", &err));
    assert_int_equal(e->modifier, COV_STORAGE_DEFAULT);
    assert_int_equal(e->n_hashers, 1);
    assert_int_equal(e->hashers[0], COV_HASHER_BLAKE2_128_CONCAT);
    cov_metadata_type_name(m, e->key_type, name, sizeof name);
    assert_string_equal(name, "AccountId32");
    cov_metadata_type_name(m, e->value_type, name, sizeof name);
    assert_string_equal(name, "AccountInfo<u32, AccountData<u128>>");

    cov_meta_call call;
    OK(cov_metadata_call(m, &call, "Balances", "transfer_keep_alive", &err));
    assert_int_equal(call.pallet_index, 5);
    assert_int_equal(call.call_index, 3);
    assert_int_equal(call.variant->n_fields, 2);
    assert_string_equal(call.variant->fields[0].name, "dest");
    cov_metadata_type_name(m, call.variant->fields[0].type, name, sizeof name);
    assert_string_equal(name, "MultiAddress<AccountId32, ()>");
    cov_metadata_type_name(m, call.variant->fields[1].type, name, sizeof name);
    assert_string_equal(name, "Compact<u128>");

    const cov_meta_variant *v;
    const cov_meta_pallet *p;
    OK(cov_metadata_error(m, &p, &v, 5, 2, &err));
    assert_string_equal(p->name, "Balances");
    assert_string_equal(v->name, "InsufficientBalance");
    assert_true(v->docs.count > 0);
    OK(cov_metadata_event(m, NULL, &v, 5, 2, &err));
    assert_string_equal(v->name, "Transfer");

    const cov_meta_extrinsic *x = cov_metadata_extrinsic(m);
    assert_int_equal(x->version, 4);
    assert_string_equal(x->signed_exts[0].identifier, "CheckNonZeroSender");
    assert_string_equal(x->signed_exts[x->n_signed_exts - 1].identifier,
                        "CheckMetadataHash");
    cov_metadata_type_name(m, x->call_type, name, sizeof name);
    assert_string_equal(name, "RuntimeCall");
    cov_metadata_type_name(m, x->signature_type, name, sizeof name);
    assert_string_equal(name, "MultiSignature");
    cov_metadata_type_name(m, x->address_type, name, sizeof name);
    assert_string_equal(name, "MultiAddress<AccountId32, ()>");
}

static void test_real_polkadot(void **state)
{
    (void)state;
    uint8_t *b14, *b15;
    size_t n14, n15;
    if (!load_support_blob("v14/polkadot-hex.js", &b14, &n14))
        skip();
    assert_true(load_support_blob("v15/polkadot-hex.js", &b15, &n15));
    cov_metadata *m14, *m15;
    cov_err err;
    OK(cov_metadata_decode(&m14, b14, n14, &err));
    OK(cov_metadata_decode(&m15, b15, n15, &err));
    check_polkadot(m14);
    check_polkadot(m15);

    const cov_meta_api_method *mt;
    OK(cov_metadata_runtime_api(m15, NULL, &mt, "Metadata",
                                "metadata_at_version", &err));
    assert_int_equal(mt->n_inputs, 1);
    assert_string_equal(mt->inputs[0].name, "version");
    char name[128];
    cov_metadata_type_name(m15, mt->output, name, sizeof name);
    assert_string_equal(name, "Option<OpaqueMetadata>");
    const cov_meta_outer_enums *o = cov_metadata_outer_enums(m15);
    cov_metadata_type_name(m15, o->error_type, name, sizeof name);
    assert_string_equal(name, "RuntimeError");

    /* The V15 blob is Option<OpaqueMetadata>; its inner bytes decode alike. */
    assert_int_equal(b15[0], 1);
    cov_scale_reader r;
    cov_scale_reader_init(&r, b15, n15);
    OK(cov_scale_skip(&r, 1, NULL));
    const uint8_t *inner;
    size_t inner_len;
    OK(cov_scale_read_bytes(&r, &inner, &inner_len, NULL));
    cov_metadata *bare;
    OK(cov_metadata_decode(&bare, inner, inner_len, &err));
    assert_int_equal(cov_metadata_n_types(bare), cov_metadata_n_types(m15));

    /* Cut anywhere, real metadata is refused cleanly. */
    for (size_t cut = 1; cut < inner_len; cut += inner_len / 97 + 1) {
        cov_metadata *m = NULL;
        assert_int_not_equal(cov_metadata_decode(&m, inner, cut, &err), COV_OK);
        assert_null(m);
    }
    cov_metadata_free(bare);
    cov_metadata_free(m14);
    cov_metadata_free(m15);
    free(b14);
    free(b15);
}

static void test_real_unsupported(void **state)
{
    (void)state;
    const char *rel[] = {"v13/polkadot-hex.js", "v16/substrate-hex.js"};
    int found = 0;
    for (size_t i = 0; i < 2; i++) {
        uint8_t *bytes;
        size_t len;
        if (!load_support_blob(rel[i], &bytes, &len))
            continue;
        found++;
        cov_metadata *m;
        cov_err err;
        assert_int_equal(cov_metadata_decode(&m, bytes, len, &err),
                         COV_ERR_UNSUPPORTED);
        free(bytes);
    }
    if (!found)
        skip();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_built_v14_v15),
        cmocka_unit_test(test_envelopes),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_truncations_and_trailing),
        cmocka_unit_test(test_byte_flips),
        cmocka_unit_test(test_recursive_type_name),
        cmocka_unit_test(test_real_lookups),
        cmocka_unit_test(test_real_polkadot),
        cmocka_unit_test(test_real_unsupported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
