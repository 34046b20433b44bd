/* JSON -> SCALE, walking the type registry (shapes in codec.h). Input is
 * whatever a user or script wrote, so every mismatch names its path and
 * what the type expected. */
#include "chain/codec_internal.h"
#include "wallet/wallet.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const cov_metadata *m;
    cov_buf *b;
    codec_path path;
    unsigned depth;
    cov_err *err;
} encoder;

enum { ENCODE_MAX_DEPTH = 128 };

static cov_status encode_value(encoder *e, uint32_t type, const json_t *v);

static cov_status mismatch(encoder *e, const char *expected, const json_t *v)
{
    static const char *const names[] = {"an object", "an array", "a string", "an integer",
                                        "a number", "true", "false", "null"};
    const char *got = v ? names[json_typeof(v)] : "nothing";
    return cov_fail(e->err, COV_ERR_ARG, "%s: expected %s, got %s", codec_path_str(&e->path),
                    expected, got);
}

/* An unsigned integer of n bytes from a JSON integer, decimal string or
 * 0x big-endian hex string. */
static cov_status unsigned_from_json(encoder *e, uint8_t *le, size_t n, const json_t *v)
{
    memset(le, 0, n);
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        if (x < 0)
            return cov_fail(e->err, COV_ERR_ARG, "%s: %lld is negative but the type is unsigned",
                            codec_path_str(&e->path), (long long)x);
        for (size_t i = 0; i < n && i < 8; i++)
            le[i] = (uint8_t)((uint64_t)x >> (8 * i));
        for (size_t i = n; i < 8; i++)
            if ((uint64_t)x >> (8 * i))
                return cov_fail(e->err, COV_ERR_ARG, "%s: %lld does not fit in %zu bytes",
                                codec_path_str(&e->path), (long long)x, n);
        return COV_OK;
    }
    if (json_is_string(v) && cov_codec_parse_unsigned(le, n, json_string_value(v)))
        return COV_OK;
    return mismatch(e, "an unsigned integer (number, decimal or 0x hex string) in range", v);
}

static cov_status signed_from_json(encoder *e, uint8_t *le, size_t n, const json_t *v)
{
    const char *text = json_is_string(v) ? json_string_value(v) : NULL;
    bool negative = json_is_integer(v) ? json_integer_value(v) < 0 : text && text[0] == '-';
    uint8_t mag[32];
    cov_status st;
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        uint64_t abs = negative ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
        memset(mag, 0, n);
        for (size_t i = 0; i < n && i < 8; i++)
            mag[i] = (uint8_t)(abs >> (8 * i));
        st = n >= 8 || abs >> (8 * n) == 0 ? COV_OK : COV_ERR_ARG;
    } else if (text && cov_codec_parse_unsigned(mag, n, negative ? text + 1 : text)) {
        st = COV_OK;
    } else {
        return mismatch(e, "a signed integer (number or decimal string)", v);
    }
    /* The magnitude must fit below the sign bit (2^(8n-1) itself is fine
     * when negative). */
    bool top = mag[n - 1] & 0x80;
    bool rest_zero = true;
    for (size_t i = 0; i + 1 < n; i++)
        rest_zero &= mag[i] == 0;
    if (st != COV_OK || (top && !(negative && rest_zero && mag[n - 1] == 0x80)))
        return cov_fail(e->err, COV_ERR_ARG, "%s: value does not fit in a %zu-bit signed integer",
                        codec_path_str(&e->path), 8 * n);
    unsigned carry = 1;
    for (size_t i = 0; i < n; i++) {
        if (negative) {
            unsigned cur = (uint8_t)~mag[i] + carry;
            le[i] = (uint8_t)cur;
            carry = cur >> 8;
        } else {
            le[i] = mag[i];
        }
    }
    return COV_OK;
}

static cov_status encode_primitive(encoder *e, cov_primitive p, const json_t *v)
{
    if (p == COV_PRIM_BOOL) {
        if (!json_is_boolean(v))
            return mismatch(e, "true or false", v);
        return cov_scale_put_bool(e->b, json_is_true(v), e->err);
    }
    if (p == COV_PRIM_STR) {
        if (!json_is_string(v))
            return mismatch(e, "a string", v);
        return cov_scale_put_bytes(e->b, (const uint8_t *)json_string_value(v),
                                   json_string_length(v), e->err);
    }
    if (p == COV_PRIM_CHAR) {
        const unsigned char *s = json_is_string(v) ? (const unsigned char *)json_string_value(v) : NULL;
        size_t n = s ? json_string_length(v) : 0;
        uint32_t c = 0;
        if (n == 1)
            c = s[0];
        else if (n == 2 && (s[0] & 0xE0) == 0xC0)
            c = (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
        else if (n == 3 && (s[0] & 0xF0) == 0xE0)
            c = (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
        else if (n == 4 && (s[0] & 0xF8) == 0xF0)
            c = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
                (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
        else
            return mismatch(e, "a one-character string", v);
        return cov_scale_put_u32(e->b, c, e->err);
    }
    size_t n = codec_primitive_size(p);
    uint8_t le[32];
    cov_status st = p >= COV_PRIM_I8 ? signed_from_json(e, le, n, v) : unsigned_from_json(e, le, n, v);
    if (st != COV_OK)
        return st;
    return cov_scale_put_raw(e->b, le, n, e->err);
}

/* Bytes from "0x..." hex, an array of numbers, or (allow_text) plain text. */
static cov_status bytes_from_json(encoder *e, uint8_t **out, size_t *len, const json_t *v,
                                  bool allow_text)
{
    *out = NULL;
    *len = 0;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
            cov_status st = cov_hex_decode_alloc(out, len, s, 16u << 20, e->err);
            if (st != COV_OK)
                cov_err_context(e->err, "%s", codec_path_str(&e->path));
            return st;
        }
        if (!allow_text)
            return mismatch(e, "0x hex bytes", v);
        *len = json_string_length(v);
        *out = malloc(*len + 1);
        if (!*out)
            return cov_fail(e->err, COV_ERR_NOMEM, "out of memory");
        memcpy(*out, s, *len);
        return COV_OK;
    }
    if (!json_is_array(v))
        return mismatch(e, "bytes: 0x hex or an array of numbers", v);
    *len = json_array_size(v);
    *out = malloc(*len ? *len : 1);
    if (!*out)
        return cov_fail(e->err, COV_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < *len; i++) {
        json_t *item = json_array_get(v, i);
        if (!json_is_integer(item) || json_integer_value(item) < 0 || json_integer_value(item) > 255) {
            free(*out);
            *out = NULL;
            return mismatch(e, "bytes: numbers 0..255", item);
        }
        (*out)[i] = (uint8_t)json_integer_value(item);
    }
    return COV_OK;
}

static cov_status encode_account(encoder *e, const json_t *v)
{
    uint8_t account[32];
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    if (!s)
        return mismatch(e, "an SS58 address or 0x + 64 hex digits", v);
    cov_err why;
    cov_status st = s[0] == '0' && s[1] == 'x' ? cov_hex_decode(account, 32, s, &why)
                                               : cov_ss58_decode(account, NULL, s, -1, &why);
    if (st != COV_OK) /* bad input from the caller, whatever the parser's code */
        return cov_fail(e->err, COV_ERR_ARG, "%s: not an SS58 address or 0x + 64 hex digits: %s",
                        codec_path_str(&e->path), why.msg);
    return cov_scale_put_raw(e->b, account, 32, e->err);
}

/* Items that follow one another (tuples, arrays, unnamed fields), from a
 * JSON array of exactly n items. */
static cov_status encode_list(encoder *e, const uint32_t *types, const cov_meta_field *fields,
                              size_t n, uint32_t same_type, const json_t *v)
{
    if (!json_is_array(v) || json_array_size(v) != n) {
        char what[64];
        snprintf(what, sizeof what, "an array of %zu items", n);
        return mismatch(e, what, v);
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t type = types ? types[i] : fields ? fields[i].type : same_type;
        size_t mark = codec_path_push_index(&e->path, i);
        cov_status st = encode_value(e, type, json_array_get(v, i));
        codec_path_pop(&e->path, mark);
        if (st != COV_OK)
            return st;
    }
    return COV_OK;
}

static cov_status encode_fields(encoder *e, const cov_meta_field *fields, uint32_t n,
                                const json_t *v)
{
    if (n == 0)
        return json_is_null(v) || (json_is_object(v) && json_object_size(v) == 0) ||
                       (json_is_array(v) && json_array_size(v) == 0)
                   ? COV_OK
                   : mismatch(e, "null (no fields)", v);
    if (!fields[0].name)
        return n == 1 ? encode_value(e, fields[0].type, v) : encode_list(e, NULL, fields, n, 0, v);
    if (json_is_array(v)) /* positional form, handy on the command line */
        return encode_list(e, NULL, fields, n, 0, v);
    if (!json_is_object(v))
        return mismatch(e, "an object of named fields", v);
    for (uint32_t i = 0; i < n; i++) {
        json_t *item = json_object_get(v, fields[i].name);
        size_t mark = codec_path_push_name(&e->path, fields[i].name);
        cov_status st = item ? encode_value(e, fields[i].type, item)
                             : cov_fail(e->err, COV_ERR_ARG, "%s: missing field",
                                        codec_path_str(&e->path));
        codec_path_pop(&e->path, mark);
        if (st != COV_OK)
            return st;
    }
    if (json_object_size(v) != n)
        return cov_fail(e->err, COV_ERR_ARG, "%s: has fields the type does not (it has %u)",
                        codec_path_str(&e->path), n);
    return COV_OK;
}

static cov_status encode_variant(encoder *e, const cov_meta_type *t, const json_t *v)
{
    const char *name = NULL;
    const json_t *inner = NULL;
    if (codec_is_option(t)) {
        name = json_is_null(v) ? "None" : "Some";
        inner = v;
    } else if (json_is_string(v)) {
        name = json_string_value(v);
    } else if (json_is_object(v) && json_object_size(v) == 1) {
        void *it = json_object_iter((json_t *)v);
        name = json_object_iter_key(it);
        inner = json_object_iter_value(it);
    } else {
        return mismatch(e, "\"Variant\" or {\"Variant\": fields}", v);
    }
    const cov_meta_variant *var = cov_metadata_variant_by_name(e->m, t->id, name);
    if (!var)
        return cov_fail(e->err, COV_ERR_ARG, "%s: %s has no variant \"%s\"",
                        codec_path_str(&e->path),
                        codec_type_ident(t)[0] ? codec_type_ident(t) : "the enum", name);
    cov_status st = cov_scale_put_u8(e->b, var->index, e->err);
    if (st != COV_OK || var->n_fields == 0)
        return st;
    if (!inner)
        return cov_fail(e->err, COV_ERR_ARG, "%s: variant %s needs its fields",
                        codec_path_str(&e->path), name);
    size_t mark = codec_path_push_name(&e->path, var->name);
    st = encode_fields(e, var->fields, var->n_fields, inner);
    codec_path_pop(&e->path, mark);
    return st;
}

static cov_status encode_sequence(encoder *e, const cov_meta_type *t, const json_t *v)
{
    uint32_t elem = t->def.sequence.type;
    if (codec_is_u8(e->m, elem)) {
        uint8_t *bytes;
        size_t len;
        cov_status st = bytes_from_json(e, &bytes, &len, v, true);
        if (st == COV_OK)
            st = cov_scale_put_bytes(e->b, bytes, len, e->err);
        free(bytes);
        return st;
    }
    if (!json_is_array(v))
        return mismatch(e, "an array", v);
    cov_status st = cov_scale_put_compact(e->b, json_array_size(v), e->err);
    if (st != COV_OK)
        return st;
    return encode_list(e, NULL, NULL, json_array_size(v), elem, v);
}

static cov_status encode_array(encoder *e, const cov_meta_type *t, const json_t *v)
{
    if (codec_is_u8(e->m, t->def.array.type)) {
        uint8_t *bytes;
        size_t len;
        cov_status st = bytes_from_json(e, &bytes, &len, v, false);
        if (st == COV_OK && len != t->def.array.len)
            st = cov_fail(e->err, COV_ERR_ARG, "%s: expected %u bytes, got %zu",
                          codec_path_str(&e->path), t->def.array.len, len);
        if (st == COV_OK)
            st = cov_scale_put_raw(e->b, bytes, len, e->err);
        free(bytes);
        return st;
    }
    return encode_list(e, NULL, NULL, t->def.array.len, t->def.array.type, v);
}

static cov_status encode_bitseq(encoder *e, const cov_meta_type *t, const json_t *v)
{
    size_t word;
    bool msb;
    cov_status st = codec_bitseq_layout(e->m, t, &word, &msb, e->err);
    if (st != COV_OK)
        return st;
    if (!json_is_array(v))
        return mismatch(e, "an array of booleans", v);
    size_t bits = json_array_size(v), words = (bits + 8 * word - 1) / (8 * word);
    uint8_t *packed = calloc(words * word + 1, 1);
    if (!packed)
        return cov_fail(e->err, COV_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < bits && st == COV_OK; i++) {
        json_t *item = json_array_get(v, i);
        if (!json_is_boolean(item)) {
            st = mismatch(e, "booleans in the bit sequence", item);
            break;
        }
        size_t w = i / (8 * word), bit = i % (8 * word);
        size_t in_word = msb ? 8 * word - 1 - bit : bit;
        if (json_is_true(item))
            packed[w * word + in_word / 8] |= (uint8_t)(1u << (in_word % 8));
    }
    if (st == COV_OK)
        st = cov_scale_put_compact(e->b, bits, e->err);
    if (st == COV_OK)
        st = cov_scale_put_raw(e->b, packed, words * word, e->err);
    free(packed);
    return st;
}

static cov_status encode_value(encoder *e, uint32_t type, const json_t *v)
{
    const cov_meta_type *t = cov_metadata_type(e->m, type);
    if (!t)
        return cov_fail(e->err, COV_ERR_ARG, "type %u is not in the metadata", type);
    if (++e->depth > ENCODE_MAX_DEPTH) {
        e->depth--;
        return cov_fail(e->err, COV_ERR_TOO_BIG, "%s: value nests deeper than %d levels",
                        codec_path_str(&e->path), ENCODE_MAX_DEPTH);
    }
    cov_status st = COV_OK;
    if (codec_is_account(e->m, t)) {
        st = encode_account(e, v);
    } else {
        switch (t->kind) {
        case COV_TYPE_PRIMITIVE:
            st = encode_primitive(e, t->def.primitive, v);
            break;
        case COV_TYPE_COMPACT: {
            uint8_t le[32];
            st = unsigned_from_json(e, le, 32, v);
            if (st == COV_OK)
                st = cov_scale_put_compact_big(e->b, le, 32, e->err);
            break;
        }
        case COV_TYPE_COMPOSITE:
            st = encode_fields(e, t->def.composite.fields, t->def.composite.n_fields, v);
            break;
        case COV_TYPE_VARIANT:
            st = encode_variant(e, t, v);
            break;
        case COV_TYPE_SEQUENCE:
            st = encode_sequence(e, t, v);
            break;
        case COV_TYPE_ARRAY:
            st = encode_array(e, t, v);
            break;
        case COV_TYPE_TUPLE:
            st = t->def.tuple.n_types == 0 ? (json_is_null(v) ? COV_OK : mismatch(e, "null", v))
                                           : encode_list(e, t->def.tuple.types, NULL,
                                                         t->def.tuple.n_types, 0, v);
            break;
        case COV_TYPE_BIT_SEQUENCE:
            st = encode_bitseq(e, t, v);
            break;
        }
    }
    e->depth--;
    return st;
}

cov_status cov_codec_encode(cov_buf *b, const cov_metadata *m, uint32_t type, const json_t *value,
                            cov_err *err)
{
    encoder e = {.m = m, .b = b, .err = err};
    return encode_value(&e, type, value);
}
