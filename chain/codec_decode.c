/* SCALE -> JSON, walking the type registry (shapes in codec.h). */
#include "chain/codec_internal.h"
#include "wallet/wallet.h"

#include <stdlib.h>
#include <string.h>

/* The SS58 text of the last accounts converted in one decode. Each
 * conversion costs a blake2b and a base58 encoding, and lists of events
 * name the same accounts again and again (the fee payer in the withdraw,
 * transfer and fee events of its extrinsic, the block author in every
 * deposit), so the text is kept for the few most recent ones. */
enum { SS58_MEMO = 16 };
typedef struct {
    uint8_t account[32];
    char text[COV_SS58_MAX];
} ss58_memo;

typedef struct {
    const cov_metadata *m;
    cov_scale_reader *r;
    cov_codec_options opt;
    codec_path path;
    bool annotated; /* the innermost failure has named its path */
    cov_err *err;
    ss58_memo memo[SS58_MEMO];
    unsigned n_memo, next_memo; /* entries in use; the one to replace next */
} decoder;

static cov_status decode_value(decoder *d, uint32_t type, json_t **out);

/* Adds where the failure happened to a message from a lower layer. */
static cov_status at_path(decoder *d, cov_status st)
{
    if (st != COV_OK && d->err)
        cov_err_context(d->err, "%s (byte %zu)", codec_path_str(&d->path), d->r->pos);
    return st;
}

/* The JSON values below are built with jansson's _nocheck functions where
 * the text is known to be valid UTF-8 without NUL: names from the metadata
 * (cov_metadata_decode checks them), strings cov_scale_read_str has checked,
 * and text made here (hex, decimal, SS58). */

/* "0x" and lowercase hex; a stack buffer for the usual short values. */
static json_t *bytes_json(const uint8_t *p, size_t n)
{
    char small[2 + 2 * 64 + 1];
    char *text = n <= 64 ? small : malloc(2 * n + 3);
    if (!text)
        return NULL;
    text[0] = '0';
    text[1] = 'x';
    cov_hex_encode(text + 2, p, n);
    json_t *s = json_stringn_nocheck(text, 2 + 2 * n);
    if (text != small)
        free(text);
    return s;
}

static json_t *unsigned_json(const uint8_t *le, size_t n)
{
    bool small = true;
    for (size_t i = 7; i < n; i++)
        if (i >= 8 ? le[i] != 0 : (le[i] & 0x80) != 0)
            small = false;
    if (small) {
        uint64_t v = 0;
        for (size_t i = 0; i < n && i < 8; i++)
            v |= (uint64_t)le[i] << (8 * i);
        return json_integer((json_int_t)v);
    }
    char text[80];
    cov_codec_le_to_decimal(text, le, n);
    return json_string_nocheck(text);
}

static json_t *signed_json(const uint8_t *le, size_t n)
{
    if (!(le[n - 1] & 0x80))
        return unsigned_json(le, n);
    /* Two's complement: the magnitude is ~x + 1. */
    uint8_t mag[32];
    unsigned carry = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned cur = (uint8_t)~le[i] + carry;
        mag[i] = (uint8_t)cur;
        carry = cur >> 8;
    }
    bool small = n <= 8 || (mag[7] & 0x80) == 0;
    for (size_t i = 8; i < n; i++)
        if (mag[i])
            small = false;
    if (small) {
        uint64_t v = 0;
        for (size_t i = 0; i < n && i < 8; i++)
            v |= (uint64_t)mag[i] << (8 * i);
        return json_integer(-(json_int_t)v);
    }
    char text[81];
    text[0] = '-';
    cov_codec_le_to_decimal(text + 1, mag, n);
    return json_string_nocheck(text);
}

static json_t *char_json(uint32_t c)
{
    char s[5] = {0};
    if (c < 0x80) {
        s[0] = (char)c;
    } else if (c < 0x800) {
        s[0] = (char)(0xC0 | c >> 6);
        s[1] = (char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        s[0] = (char)(0xE0 | c >> 12);
        s[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        s[2] = (char)(0x80 | (c & 0x3F));
    } else {
        s[0] = (char)(0xF0 | c >> 18);
        s[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        s[2] = (char)(0x80 | ((c >> 6) & 0x3F));
        s[3] = (char)(0x80 | (c & 0x3F));
    }
    return json_string_nocheck(s);
}

static cov_status decode_primitive(decoder *d, cov_primitive p, json_t **out)
{
    cov_err *err = d->err;
    if (p == COV_PRIM_BOOL) {
        bool b;
        cov_status st = cov_scale_read_bool(d->r, &b, err);
        *out = st == COV_OK ? json_boolean(b) : NULL;
        return st;
    }
    if (p == COV_PRIM_STR) {
        const char *s;
        size_t n;
        cov_status st = cov_scale_read_str(d->r, &s, &n, err);
        *out = st == COV_OK ? json_stringn_nocheck(s, n) : NULL;
        return st;
    }
    if (p == COV_PRIM_CHAR) {
        uint32_t c;
        cov_status st = cov_scale_read_u32(d->r, &c, err);
        if (st == COV_OK && (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)))
            st = cov_fail(err, COV_ERR_PARSE, "0x%x is not a Unicode scalar value", c);
        *out = st == COV_OK ? char_json(c) : NULL;
        return st;
    }
    size_t n = codec_primitive_size(p);
    uint8_t le[32];
    cov_status st = cov_scale_read_raw(d->r, le, n, err);
    if (st != COV_OK)
        return st;
    *out = p >= COV_PRIM_I8 ? signed_json(le, n) : unsigned_json(le, n);
    return COV_OK;
}

static cov_status decode_compact(decoder *d, json_t **out)
{
    uint8_t le[32];
    cov_status st = cov_scale_read_compact_big(d->r, le, d->err);
    if (st == COV_OK)
        *out = unsigned_json(le, 32);
    return st;
}

/* Elements that follow one another: arrays, tuples and unnamed fields. */
static cov_status decode_list(decoder *d, const uint32_t *types, const cov_meta_field *fields,
                              size_t n, uint32_t same_type, json_t **out)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        uint32_t type = types ? types[i] : fields ? fields[i].type : same_type;
        size_t mark = codec_path_push_index(&d->path, i);
        json_t *item;
        cov_status st = decode_value(d, type, &item);
        codec_path_pop(&d->path, mark);
        if (st != COV_OK) {
            json_decref(list);
            return st;
        }
        json_array_append_new(list, item);
    }
    *out = list;
    return COV_OK;
}

static cov_status decode_fields(decoder *d, const cov_meta_field *fields, uint32_t n,
                                json_t **out)
{
    if (n == 0) {
        *out = json_null();
        return COV_OK;
    }
    if (!fields[0].name) {
        if (n == 1)
            return decode_value(d, fields[0].type, out);
        return decode_list(d, NULL, fields, n, 0, out);
    }
    json_t *obj = json_object();
    for (uint32_t i = 0; i < n; i++) {
        size_t mark = codec_path_push_name(&d->path, fields[i].name);
        json_t *item;
        cov_status st = decode_value(d, fields[i].type, &item);
        codec_path_pop(&d->path, mark);
        if (st != COV_OK) {
            json_decref(obj);
            return st;
        }
        json_object_set_new_nocheck(obj, fields[i].name, item);
    }
    *out = obj;
    return COV_OK;
}

static cov_status decode_variant(decoder *d, const cov_meta_type *t, json_t **out)
{
    uint8_t index;
    cov_status st = cov_scale_read_u8(d->r, &index, d->err);
    if (st != COV_OK)
        return st;
    const cov_meta_variant *v = cov_metadata_variant_by_index(d->m, t->id, index);
    if (!v)
        return cov_fail(d->err, COV_ERR_PARSE, "%s has no variant with index %u",
                        codec_type_ident(t)[0] ? codec_type_ident(t) : "enum", index);
    if (codec_is_option(t)) {
        if (v->n_fields == 0) {
            *out = json_null();
            return COV_OK;
        }
        return decode_value(d, v->fields[0].type, out);
    }
    if (v->n_fields == 0) {
        *out = json_string_nocheck(v->name);
        return COV_OK;
    }
    size_t mark = codec_path_push_name(&d->path, v->name);
    json_t *inner;
    st = decode_fields(d, v->fields, v->n_fields, &inner);
    codec_path_pop(&d->path, mark);
    if (st != COV_OK)
        return st;
    *out = json_object();
    json_object_set_new_nocheck(*out, v->name, inner);
    return COV_OK;
}

static cov_status decode_bytes_array(decoder *d, size_t n, json_t **out)
{
    const uint8_t *p;
    cov_status st = cov_scale_read_fixed(d->r, &p, n, d->err);
    if (st == COV_OK)
        *out = bytes_json(p, n);
    return st;
}

static cov_status decode_account(decoder *d, json_t **out)
{
    const uint8_t *p;
    cov_status st = cov_scale_read_fixed(d->r, &p, 32, d->err);
    if (st != COV_OK)
        return st;
    if (!d->opt.ss58_accounts) {
        *out = bytes_json(p, 32);
        return COV_OK;
    }
    for (unsigned i = 0; i < d->n_memo; i++)
        if (memcmp(d->memo[i].account, p, 32) == 0) {
            *out = json_string_nocheck(d->memo[i].text);
            return COV_OK;
        }
    ss58_memo *slot = &d->memo[d->next_memo];
    if (cov_ss58_encode(slot->text, p, d->opt.ss58_prefix, NULL) != COV_OK) {
        *out = bytes_json(p, 32); /* a prefix SS58 cannot carry */
        return COV_OK;
    }
    memcpy(slot->account, p, 32);
    d->next_memo = (d->next_memo + 1) % SS58_MEMO;
    if (d->n_memo < SS58_MEMO)
        d->n_memo++;
    *out = json_string_nocheck(slot->text);
    return COV_OK;
}

static cov_status decode_sequence(decoder *d, const cov_meta_type *t, json_t **out)
{
    uint32_t elem = t->def.sequence.type;
    if (codec_is_u8(d->m, elem)) {
        const uint8_t *p;
        size_t n;
        cov_status st = cov_scale_read_bytes(d->r, &p, &n, d->err);
        if (st == COV_OK)
            *out = bytes_json(p, n);
        return st;
    }
    uint32_t n;
    cov_status st = cov_scale_read_len(d->r, &n, cov_codec_min_size(d->m, elem), d->err);
    if (st != COV_OK)
        return st;
    return decode_list(d, NULL, NULL, n, elem, out);
}

static cov_status decode_bitseq(decoder *d, const cov_meta_type *t, json_t **out)
{
    size_t word;
    bool msb;
    cov_status st = codec_bitseq_layout(d->m, t, &word, &msb, d->err);
    uint32_t bits = 0;
    if (st == COV_OK)
        st = cov_scale_read_compact_u32(d->r, &bits, d->err);
    size_t words = (bits + 8 * word - 1) / (8 * word);
    const uint8_t *p = NULL;
    if (st == COV_OK)
        st = cov_scale_read_fixed(d->r, &p, words * word, d->err);
    if (st != COV_OK)
        return st;
    json_t *list = json_array();
    for (uint32_t i = 0; i < bits; i++) {
        size_t w = i / (8 * word), bit = i % (8 * word);
        size_t in_word = msb ? 8 * word - 1 - bit : bit;
        uint8_t byte = p[w * word + in_word / 8]; /* words are little-endian */
        json_array_append_new(list, json_boolean((byte >> (in_word % 8)) & 1));
    }
    *out = list;
    return COV_OK;
}

/* A fixed array cannot hold more elements than the input has bytes for;
 * checking first keeps hostile metadata from making us build huge lists. */
static bool array_fits(const decoder *d, const cov_meta_type *t)
{
    size_t one = cov_codec_min_size(d->m, t->def.array.type);
    if (one == 0) /* zero-sized elements: bound them some other way */
        return t->def.array.len <= 1u << 16;
    return cov_scale_remaining(d->r) / one >= t->def.array.len;
}

static cov_status decode_value(decoder *d, uint32_t type, json_t **out)
{
    *out = NULL;
    const cov_meta_type *t = cov_metadata_type(d->m, type);
    if (!t)
        return cov_fail(d->err, COV_ERR_PARSE, "type %u is not in the metadata", type);
    cov_status st = cov_scale_enter(d->r, d->err);
    if (st != COV_OK)
        return st;
    if (codec_is_account(d->m, t)) {
        st = decode_account(d, out);
        cov_scale_leave(d->r);
        return st;
    }
    switch (t->kind) {
    case COV_TYPE_PRIMITIVE:
        st = decode_primitive(d, t->def.primitive, out);
        break;
    case COV_TYPE_COMPACT:
        st = decode_compact(d, out);
        break;
    case COV_TYPE_COMPOSITE:
        st = decode_fields(d, t->def.composite.fields, t->def.composite.n_fields, out);
        break;
    case COV_TYPE_VARIANT:
        st = decode_variant(d, t, out);
        break;
    case COV_TYPE_SEQUENCE:
        st = decode_sequence(d, t, out);
        break;
    case COV_TYPE_ARRAY:
        if (codec_is_u8(d->m, t->def.array.type))
            st = decode_bytes_array(d, t->def.array.len, out);
        else if (!array_fits(d, t))
            st = cov_fail(d->err, COV_ERR_PARSE, "input ends inside an array of %u elements",
                          t->def.array.len);
        else
            st = decode_list(d, NULL, NULL, t->def.array.len, t->def.array.type, out);
        break;
    case COV_TYPE_TUPLE:
        if (t->def.tuple.n_types == 0) {
            *out = json_null();
            st = COV_OK;
        } else {
            st = decode_list(d, t->def.tuple.types, NULL, t->def.tuple.n_types, 0, out);
        }
        break;
    case COV_TYPE_BIT_SEQUENCE:
        st = decode_bitseq(d, t, out);
        break;
    }
    cov_scale_leave(d->r);
    if (st != COV_OK && !d->annotated) {
        at_path(d, st);
        d->annotated = true;
    }
    return st;
}

cov_status cov_codec_decode(json_t **out, const cov_metadata *m, uint32_t type,
                            cov_scale_reader *r, const cov_codec_options *options, cov_err *err)
{
    decoder d = {.m = m, .r = r, .opt = options ? *options : cov_codec_defaults(), .err = err};
    cov_status st = decode_value(&d, type, out);
    if (st != COV_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}

cov_status cov_codec_decode_all(json_t **out, const cov_metadata *m, uint32_t type,
                                const uint8_t *data, size_t len, const cov_codec_options *options,
                                cov_err *err)
{
    cov_scale_reader r;
    cov_scale_reader_init(&r, data, len);
    cov_status st = cov_codec_decode(out, m, type, &r, options, err);
    if (st == COV_OK && (st = cov_scale_expect_end(&r, "value", err)) != COV_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}
