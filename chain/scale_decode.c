/* SCALE decoding through a bounded, depth-limited cursor.
 *
 * Every read checks its bounds before touching a byte and leaves the cursor
 * where it was when it fails, so a caller can report the offset of the bad
 * value. Messages name the offset, the value and how much data was left. */
#include "chain/scale.h"

#include <string.h>

void cov_scale_reader_init(cov_scale_reader *r, const uint8_t *data,
                           size_t len)
{
    r->data = data;
    r->len = data ? len : 0;
    r->pos = 0;
    r->depth = 0;
    r->max_depth = COV_SCALE_DEFAULT_MAX_DEPTH;
}

size_t cov_scale_remaining(const cov_scale_reader *r)
{
    return r->pos <= r->len ? r->len - r->pos : 0;
}

cov_status cov_scale_expect_end(const cov_scale_reader *r, const char *what,
                                cov_err *err)
{
    size_t left = cov_scale_remaining(r);
    if (left == 0)
        return COV_OK;
    return cov_fail(err, COV_ERR_PARSE,
                    "%zu bytes left over after %s at offset %zu (of %zu); the "
                    "data is longer than the value it should hold",
                    left, what, r->pos, r->len);
}

cov_status cov_scale_enter(cov_scale_reader *r, cov_err *err)
{
    if (r->depth >= r->max_depth)
        return cov_fail(err, COV_ERR_TOO_BIG,
                        "values nested more than %u deep at offset %zu; "
                        "refusing to decode further",
                        r->max_depth, r->pos);
    r->depth++;
    return COV_OK;
}

void cov_scale_leave(cov_scale_reader *r)
{
    if (r->depth > 0)
        r->depth--;
}

/* The bounds check every read starts with. */
static cov_status need(const cov_scale_reader *r, size_t n, const char *what,
                       cov_err *err)
{
    size_t left = cov_scale_remaining(r);
    if (n <= left)
        return COV_OK;
    return cov_fail(err, COV_ERR_PARSE,
                    "truncated SCALE data: %s needs %zu bytes at offset %zu, "
                    "only %zu left; the data is cut short or is not of the "
                    "expected type",
                    what, n, r->pos, left);
}

static cov_status read_le(cov_scale_reader *r, uint64_t *out, size_t n,
                          const char *what, cov_err *err)
{
    cov_status st = need(r, n, what, err);
    if (st != COV_OK)
        return st;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)r->data[r->pos + i] << (8 * i);
    r->pos += n;
    *out = v;
    return COV_OK;
}

cov_status cov_scale_read_u8(cov_scale_reader *r, uint8_t *out, cov_err *err)
{
    uint64_t v = 0;
    cov_status st = read_le(r, &v, 1, "u8", err);
    *out = (uint8_t)v;
    return st;
}

cov_status cov_scale_read_u16(cov_scale_reader *r, uint16_t *out,
                              cov_err *err)
{
    uint64_t v = 0;
    cov_status st = read_le(r, &v, 2, "u16", err);
    *out = (uint16_t)v;
    return st;
}

cov_status cov_scale_read_u32(cov_scale_reader *r, uint32_t *out,
                              cov_err *err)
{
    uint64_t v = 0;
    cov_status st = read_le(r, &v, 4, "u32", err);
    *out = (uint32_t)v;
    return st;
}

cov_status cov_scale_read_u64(cov_scale_reader *r, uint64_t *out,
                              cov_err *err)
{
    *out = 0;
    return read_le(r, out, 8, "u64", err);
}

cov_status cov_scale_read_u128(cov_scale_reader *r, uint8_t out[16],
                               cov_err *err)
{
    cov_status st = need(r, 16, "u128", err);
    if (st == COV_OK)
        return cov_scale_read_raw(r, out, 16, err);
    memset(out, 0, 16);
    return st;
}

cov_status cov_scale_read_u256(cov_scale_reader *r, uint8_t out[32],
                               cov_err *err)
{
    cov_status st = need(r, 32, "u256", err);
    if (st == COV_OK)
        return cov_scale_read_raw(r, out, 32, err);
    memset(out, 0, 32);
    return st;
}

/* Signed reads: the unsigned bits converted back. The conversion of an
 * out-of-range value to a signed type is implementation-defined in C, so
 * go through a sign test instead of a cast. */
static int64_t to_signed(uint64_t v, unsigned bits)
{
    uint64_t sign = (uint64_t)1 << (bits - 1);
    if (!(v & sign))
        return (int64_t)v;
    uint64_t mag = (bits == 64 ? 0 : ((uint64_t)1 << bits)) - v; /* 2^bits - v */
    if (bits == 64 && mag == sign)
        return INT64_MIN;
    return -(int64_t)mag;
}

cov_status cov_scale_read_i8(cov_scale_reader *r, int8_t *out, cov_err *err)
{
    uint64_t v = 0;
    cov_status st = read_le(r, &v, 1, "i8", err);
    *out = (int8_t)to_signed(v, 8);
    return st;
}

cov_status cov_scale_read_i16(cov_scale_reader *r, int16_t *out,
                              cov_err *err)
{
    uint64_t v = 0;
    cov_status st = read_le(r, &v, 2, "i16", err);
    *out = (int16_t)to_signed(v, 16);
    return st;
}

cov_status cov_scale_read_i32(cov_scale_reader *r, int32_t *out,
                              cov_err *err)
{
    uint64_t v = 0;
    cov_status st = read_le(r, &v, 4, "i32", err);
    *out = (int32_t)to_signed(v, 32);
    return st;
}

cov_status cov_scale_read_i64(cov_scale_reader *r, int64_t *out,
                              cov_err *err)
{
    uint64_t v = 0;
    cov_status st = read_le(r, &v, 8, "i64", err);
    *out = to_signed(v, 64);
    return st;
}

cov_status cov_scale_read_i128(cov_scale_reader *r, uint8_t out[16],
                               cov_err *err)
{
    return cov_scale_read_u128(r, out, err);
}

cov_status cov_scale_read_i256(cov_scale_reader *r, uint8_t out[32],
                               cov_err *err)
{
    return cov_scale_read_u256(r, out, err);
}

/* A one-byte tag that must be 0 or 1 (bool, Option). */
static cov_status read_flag(cov_scale_reader *r, bool *out, const char *what,
                            cov_err *err)
{
    *out = false;
    cov_status st = need(r, 1, what, err);
    if (st != COV_OK)
        return st;
    uint8_t byte = r->data[r->pos];
    if (byte > 1)
        return cov_fail(err, COV_ERR_PARSE,
                        "invalid %s byte 0x%02x at offset %zu: only 0x00 and "
                        "0x01 are allowed",
                        what, byte, r->pos);
    r->pos++;
    *out = byte == 1;
    return COV_OK;
}

cov_status cov_scale_read_bool(cov_scale_reader *r, bool *out, cov_err *err)
{
    return read_flag(r, out, "bool", err);
}

cov_status cov_scale_read_option(cov_scale_reader *r, bool *is_some,
                                 cov_err *err)
{
    return read_flag(r, is_some, "Option tag", err);
}

/* ---------------------------------------------------------------- compact */

static cov_status non_canonical(const cov_scale_reader *r, const char *type,
                                cov_err *err)
{
    return cov_fail(err, COV_ERR_PARSE,
                    "non-canonical %s at offset %zu: the value has a shorter "
                    "encoding, and SCALE (like parity-scale-codec) accepts "
                    "only the shortest",
                    type, r->pos);
}

/* Reads any compact of up to 256 bits into out[32] (LE, zero padded),
 * checking canonicality as codec does: each mode must hold a value the
 * shorter modes cannot (2-byte >= 2^6, 4-byte >= 2^14, big >= 2^30 with a
 * non-zero top byte). Moves the cursor only on success. */
static cov_status read_compact_any(cov_scale_reader *r, uint8_t out[32],
                                   const char *type, cov_err *err)
{
    memset(out, 0, 32);
    cov_status st = need(r, 1, type, err);
    if (st != COV_OK)
        return st;
    uint8_t prefix = r->data[r->pos];
    switch (prefix & 3) {
    case 0:
        out[0] = prefix >> 2;
        r->pos += 1;
        return COV_OK;
    case 1: {
        st = need(r, 2, type, err);
        if (st != COV_OK)
            return st;
        uint32_t v = ((uint32_t)prefix | (uint32_t)r->data[r->pos + 1] << 8) >> 2;
        if (v < (1u << 6))
            return non_canonical(r, type, err);
        out[0] = (uint8_t)v;
        out[1] = (uint8_t)(v >> 8);
        r->pos += 2;
        return COV_OK;
    }
    case 2: {
        st = need(r, 4, type, err);
        if (st != COV_OK)
            return st;
        uint32_t v = 0;
        for (int i = 0; i < 4; i++)
            v |= (uint32_t)r->data[r->pos + (size_t)i] << (8 * i);
        v >>= 2;
        if (v < (1u << 14))
            return non_canonical(r, type, err);
        for (int i = 0; i < 4; i++)
            out[i] = (uint8_t)(v >> (8 * i));
        r->pos += 4;
        return COV_OK;
    }
    default: {
        size_t bytes = (size_t)(prefix >> 2) + 4;
        if (bytes > 32)
            return cov_fail(err, COV_ERR_PARSE,
                            "%s at offset %zu claims %zu value bytes; more "
                            "than 256 bits is not supported",
                            type, r->pos, bytes);
        st = need(r, 1 + bytes, type, err);
        if (st != COV_OK)
            return st;
        const uint8_t *v = r->data + r->pos + 1;
        if (v[bytes - 1] == 0 || (bytes == 4 && v[3] < 0x40))
            return non_canonical(r, type, err);
        memcpy(out, v, bytes);
        r->pos += 1 + bytes;
        return COV_OK;
    }
    }
}

/* True if out[32] (LE) has no bits at or above byte `bytes`. */
static bool fits(const uint8_t out[32], size_t bytes)
{
    for (size_t i = bytes; i < 32; i++)
        if (out[i])
            return false;
    return true;
}

cov_status cov_scale_read_compact(cov_scale_reader *r, uint64_t *out,
                                  cov_err *err)
{
    *out = 0;
    size_t start = r->pos;
    uint8_t v[32];
    cov_status st = read_compact_any(r, v, "Compact<u64>", err);
    if (st != COV_OK)
        return st;
    if (!fits(v, 8)) {
        r->pos = start;
        return cov_fail(err, COV_ERR_PARSE,
                        "Compact<u64> at offset %zu holds a value over "
                        "2^64-1",
                        start);
    }
    for (int i = 0; i < 8; i++)
        *out |= (uint64_t)v[i] << (8 * i);
    return COV_OK;
}

cov_status cov_scale_read_compact_u32(cov_scale_reader *r, uint32_t *out,
                                      cov_err *err)
{
    *out = 0;
    size_t start = r->pos;
    uint8_t v[32];
    cov_status st = read_compact_any(r, v, "Compact<u32>", err);
    if (st != COV_OK)
        return st;
    /* codec's Compact<u32> allows only the 4-byte big form (prefix 0x03),
     * which the canonical check above already implies for values that fit;
     * anything longer holds more than 32 bits. */
    if (!fits(v, 4)) {
        r->pos = start;
        return cov_fail(err, COV_ERR_PARSE,
                        "Compact<u32> at offset %zu holds a value over "
                        "2^32-1",
                        start);
    }
    for (int i = 0; i < 4; i++)
        *out |= (uint32_t)v[i] << (8 * i);
    return COV_OK;
}

cov_status cov_scale_read_compact_big(cov_scale_reader *r, uint8_t out[32],
                                      cov_err *err)
{
    return read_compact_any(r, out, "Compact<u256>", err);
}

cov_status cov_scale_read_len(cov_scale_reader *r, uint32_t *out,
                              size_t min_elem_size, cov_err *err)
{
    size_t start = r->pos;
    uint32_t n = 0;
    cov_status st = cov_scale_read_compact_u32(r, &n, err);
    if (st != COV_OK) {
        *out = 0;
        return st;
    }
    size_t unit = min_elem_size ? min_elem_size : 1;
    size_t left = cov_scale_remaining(r);
    if ((size_t)n > left / unit) {
        r->pos = start;
        *out = 0;
        return cov_fail(err, COV_ERR_PARSE,
                        "sequence length %u at offset %zu needs at least "
                        "%zu bytes per element but only %zu bytes follow; "
                        "the length is corrupt or hostile",
                        n, start, unit, left);
    }
    *out = n;
    return COV_OK;
}

/* ------------------------------------------------------------------ bytes */

cov_status cov_scale_read_raw(cov_scale_reader *r, void *out, size_t n,
                              cov_err *err)
{
    cov_status st = need(r, n, "a fixed-size value", err);
    if (st != COV_OK)
        return st;
    if (n)
        memcpy(out, r->data + r->pos, n);
    r->pos += n;
    return COV_OK;
}

cov_status cov_scale_skip(cov_scale_reader *r, size_t n, cov_err *err)
{
    cov_status st = need(r, n, "skipping", err);
    if (st == COV_OK)
        r->pos += n;
    return st;
}

cov_status cov_scale_read_fixed(cov_scale_reader *r, const uint8_t **out,
                                size_t n, cov_err *err)
{
    *out = NULL;
    cov_status st = need(r, n, "a fixed-size value", err);
    if (st != COV_OK)
        return st;
    *out = r->data + r->pos;
    r->pos += n;
    return COV_OK;
}

cov_status cov_scale_read_bytes(cov_scale_reader *r, const uint8_t **out,
                                size_t *out_len, cov_err *err)
{
    *out = NULL;
    *out_len = 0;
    size_t start = r->pos;
    uint32_t n = 0;
    cov_status st = cov_scale_read_compact_u32(r, &n, err);
    if (st != COV_OK)
        return st;
    size_t left = cov_scale_remaining(r);
    if ((size_t)n > left) {
        r->pos = start;
        return cov_fail(err, COV_ERR_PARSE,
                        "byte string at offset %zu claims %u bytes but only "
                        "%zu follow; the data is cut short or corrupt",
                        start, n, left);
    }
    *out = r->data + r->pos;
    *out_len = n;
    r->pos += n;
    return COV_OK;
}

cov_status cov_scale_read_str(cov_scale_reader *r, const char **out,
                              size_t *out_len, cov_err *err)
{
    size_t start = r->pos;
    const uint8_t *bytes;
    size_t n;
    cov_status st = cov_scale_read_bytes(r, &bytes, &n, err);
    if (st != COV_OK) {
        *out = NULL;
        *out_len = 0;
        return st;
    }
    if (!cov_utf8_valid(bytes, n)) {
        r->pos = start;
        *out = NULL;
        *out_len = 0;
        return cov_fail(err, COV_ERR_PARSE,
                        "string at offset %zu (%zu bytes) is not valid UTF-8",
                        start, n);
    }
    *out = (const char *)bytes;
    *out_len = n;
    return COV_OK;
}

bool cov_utf8_valid(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp, min;
        if ((c & 0xe0) == 0xc0) {
            n = 1, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (n > len - i - 1)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}
