/* SCALE encoding onto a capped cov_buf. */
#include "chain/scale.h"

#include <string.h>

static cov_status put_le(cov_buf *b, uint64_t v, size_t n, cov_err *err)
{
    uint8_t bytes[8];
    for (size_t i = 0; i < n; i++)
        bytes[i] = (uint8_t)(v >> (8 * i));
    return cov_buf_append(b, bytes, n, err);
}

cov_status cov_scale_put_u8(cov_buf *b, uint8_t v, cov_err *err)
{
    return cov_buf_append_byte(b, v, err);
}

cov_status cov_scale_put_u16(cov_buf *b, uint16_t v, cov_err *err)
{
    return put_le(b, v, 2, err);
}

cov_status cov_scale_put_u32(cov_buf *b, uint32_t v, cov_err *err)
{
    return put_le(b, v, 4, err);
}

cov_status cov_scale_put_u64(cov_buf *b, uint64_t v, cov_err *err)
{
    return put_le(b, v, 8, err);
}

cov_status cov_scale_put_u128(cov_buf *b, const uint8_t le[16], cov_err *err)
{
    return cov_buf_append(b, le, 16, err);
}

cov_status cov_scale_put_u256(cov_buf *b, const uint8_t le[32], cov_err *err)
{
    return cov_buf_append(b, le, 32, err);
}

/* Signed values: converting to the unsigned type of the same width is
 * defined as modulo 2^N in C, which is exactly two's complement. */
cov_status cov_scale_put_i8(cov_buf *b, int8_t v, cov_err *err)
{
    return put_le(b, (uint8_t)v, 1, err);
}

cov_status cov_scale_put_i16(cov_buf *b, int16_t v, cov_err *err)
{
    return put_le(b, (uint16_t)v, 2, err);
}

cov_status cov_scale_put_i32(cov_buf *b, int32_t v, cov_err *err)
{
    return put_le(b, (uint32_t)v, 4, err);
}

cov_status cov_scale_put_i64(cov_buf *b, int64_t v, cov_err *err)
{
    return put_le(b, (uint64_t)v, 8, err);
}

cov_status cov_scale_put_i128(cov_buf *b, const uint8_t le[16], cov_err *err)
{
    return cov_buf_append(b, le, 16, err);
}

cov_status cov_scale_put_i256(cov_buf *b, const uint8_t le[32], cov_err *err)
{
    return cov_buf_append(b, le, 32, err);
}

cov_status cov_scale_put_bool(cov_buf *b, bool v, cov_err *err)
{
    return cov_buf_append_byte(b, v ? 1 : 0, err);
}

size_t cov_scale_compact_len(uint64_t v)
{
    if (v < (1u << 6))
        return 1;
    if (v < (1u << 14))
        return 2;
    if (v < (1u << 30))
        return 4;
    size_t n = 4; /* bytes of the big form: at least 4 */
    while (n < 8 && (v >> (8 * n)) != 0)
        n++;
    return 1 + n;
}

size_t cov_scale_compact_encode(uint8_t out[COV_SCALE_COMPACT_MAX], uint64_t v)
{
    if (v < (1u << 6)) {
        out[0] = (uint8_t)(v << 2);
        return 1;
    }
    if (v < (1u << 14)) {
        out[0] = (uint8_t)((v << 2) | 1);
        out[1] = (uint8_t)(v >> 6);
        return 2;
    }
    if (v < (1u << 30)) {
        uint32_t w = (uint32_t)(v << 2) | 2;
        for (size_t i = 0; i < 4; i++)
            out[i] = (uint8_t)(w >> (8 * i));
        return 4;
    }
    /* Big mode: a byte with the count of value bytes (minus 4), then the
     * value's significant little-endian bytes. */
    size_t n = 4;
    while (n < 8 && (v >> (8 * n)) != 0)
        n++;
    out[0] = (uint8_t)(((n - 4) << 2) | 3);
    for (size_t i = 0; i < n; i++)
        out[1 + i] = (uint8_t)(v >> (8 * i));
    return 1 + n;
}

cov_status cov_scale_put_compact(cov_buf *b, uint64_t v, cov_err *err)
{
    uint8_t le[8];
    for (size_t i = 0; i < 8; i++)
        le[i] = (uint8_t)(v >> (8 * i));
    return cov_scale_put_compact_big(b, le, 8, err);
}

cov_status cov_scale_put_compact_big(cov_buf *b, const uint8_t *le, size_t len,
                                     cov_err *err)
{
    size_t n = len; /* significant bytes */
    while (n > 0 && le[n - 1] == 0)
        n--;
    if (n > 32)
        return cov_fail(err, COV_ERR_ARG,
                        "compact value has %zu significant bytes; SCALE "
                        "compacts here are limited to 256 bits (32 bytes)",
                        n);
    /* Values below 2^30 fit the three small modes (the value shifted left
     * by two, with the mode in the low bits). */
    if (n <= 4) {
        uint32_t v = 0;
        for (size_t i = 0; i < n; i++)
            v |= (uint32_t)le[i] << (8 * i);
        if (v < (1u << 6))
            return put_le(b, v << 2, 1, err);
        if (v < (1u << 14))
            return put_le(b, (v << 2) | 1, 2, err);
        if (v < (1u << 30))
            return put_le(b, (v << 2) | 2, 4, err);
    }
    /* Big-integer mode: a byte (bytes - 4) << 2 | 0b11, then the value in
     * the fewest bytes, never fewer than 4. */
    size_t bytes = n < 4 ? 4 : n;
    uint8_t out[1 + 32] = {0};
    out[0] = (uint8_t)(((bytes - 4) << 2) | 3);
    memcpy(out + 1, le, n);
    return cov_buf_append(b, out, 1 + bytes, err);
}

cov_status cov_scale_put_bytes(cov_buf *b, const uint8_t *data, size_t len,
                               cov_err *err)
{
    if (len > UINT32_MAX)
        return cov_fail(err, COV_ERR_TOO_BIG,
                        "%zu bytes is over SCALE's length limit (2^32-1)",
                        len);
    cov_status st = cov_scale_put_compact(b, len, err);
    if (st != COV_OK)
        return st;
    return cov_buf_append(b, data, len, err);
}

cov_status cov_scale_put_str(cov_buf *b, const char *s, cov_err *err)
{
    return cov_scale_put_bytes(b, (const uint8_t *)s, strlen(s), err);
}

cov_status cov_scale_put_raw(cov_buf *b, const void *data, size_t len,
                             cov_err *err)
{
    return cov_buf_append(b, data, len, err);
}
