/* Part of chain/chain.h: SCALE, the encoding of every Substrate value.
 *
 * Encoding appends to a cov_buf (so its cap bounds what a caller builds);
 * decoding reads through a cov_scale_reader, a bounded cursor over bytes the
 * caller owns. Every read checks the bounds first and, on failure, says what
 * it wanted, at which byte offset, and how many bytes were left; the cursor
 * does not move on a failed read.
 *
 * Integers are little-endian. u128/u256 (and i128/i256, two's complement)
 * travel as little-endian byte arrays of 16/32 bytes: C11 has no such types.
 *
 * Compact integers are decoded as parity-scale-codec decodes them: an
 * encoding that is not the shortest one for its value ("out of range" in
 * codec's words, e.g. 63 written in two bytes) is refused, as is a value
 * too big for the type read. So a value decodes from exactly one byte
 * string, and signatures over re-encoded data stay valid.
 */
#ifndef COVENANT_CHAIN_SCALE_H
#define COVENANT_CHAIN_SCALE_H

#include "common/common.h"

/* ----------------------------------------------------------------- encode */

/* Each appends one value to b; COV_ERR_TOO_BIG past the buffer's cap,
 * COV_ERR_NOMEM if it cannot grow. On failure b may hold part of the
 * value: discard it. */
cov_status cov_scale_put_u8(cov_buf *b, uint8_t v, cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_put_u16(cov_buf *b, uint16_t v, cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_put_u32(cov_buf *b, uint32_t v, cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_put_u64(cov_buf *b, uint64_t v, cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_put_u128(cov_buf *b, const uint8_t le[16],
                              cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_put_u256(cov_buf *b, const uint8_t le[32],
                              cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_put_i8(cov_buf *b, int8_t v, cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_put_i16(cov_buf *b, int16_t v, cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_put_i32(cov_buf *b, int32_t v, cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_put_i64(cov_buf *b, int64_t v, cov_err *err) COV_WARN_UNUSED;
/* Two's complement, little-endian: the same bytes as the unsigned form. */
cov_status cov_scale_put_i128(cov_buf *b, const uint8_t le[16],
                              cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_put_i256(cov_buf *b, const uint8_t le[32],
                              cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_put_bool(cov_buf *b, bool v, cov_err *err) COV_WARN_UNUSED;

/* Compact<uN> of a value up to 2^64-1. */
cov_status cov_scale_put_compact(cov_buf *b, uint64_t v,
                                 cov_err *err) COV_WARN_UNUSED;
/* Compact of an unsigned value up to 256 bits given as `len` little-endian
 * bytes (len <= 32; high zero bytes are allowed and ignored). The shortest
 * encoding is always written. */
cov_status cov_scale_put_compact_big(cov_buf *b, const uint8_t *le, size_t len,
                                     cov_err *err) COV_WARN_UNUSED;
/* Compact<u64> into a fixed array, for callers that assemble bytes without
 * a cov_buf; returns the length written (1, 2, 4 or 5..9). */
#define COV_SCALE_COMPACT_MAX 9
size_t cov_scale_compact_encode(uint8_t out[COV_SCALE_COMPACT_MAX], uint64_t v);
/* How many bytes cov_scale_put_compact(v) writes (1, 2, 4 or 5..9). */
size_t cov_scale_compact_len(uint64_t v);

/* Vec<u8>: Compact length, then the bytes. len must fit in u32. */
cov_status cov_scale_put_bytes(cov_buf *b, const uint8_t *data, size_t len,
                               cov_err *err) COV_WARN_UNUSED;
/* String: the same as bytes, of strlen(s) bytes (UTF-8 is the caller's). */
cov_status cov_scale_put_str(cov_buf *b, const char *s,
                             cov_err *err) COV_WARN_UNUSED;
/* Bytes as they are, without a length (fixed arrays, pre-encoded parts). */
cov_status cov_scale_put_raw(cov_buf *b, const void *data, size_t len,
                             cov_err *err) COV_WARN_UNUSED;

/* ----------------------------------------------------------------- decode */

/* Nesting allowed by default: Substrate's own limit for extrinsics
 * (MAX_EXTRINSIC_DEPTH), so anything the chain accepts decodes here. */
#define COV_SCALE_DEFAULT_MAX_DEPTH 256u

/* A bounded cursor. The bytes belong to the caller and must outlive it.
 * Fields may be read; move pos only through the functions below. */
typedef struct {
    const uint8_t *data;
    size_t len;
    size_t pos;         /* next byte to read */
    unsigned depth;     /* current nesting (cov_scale_enter/leave) */
    unsigned max_depth; /* cov_scale_enter refuses to go deeper */
} cov_scale_reader;

/* Starts at byte 0 with depth 0 and COV_SCALE_DEFAULT_MAX_DEPTH. */
void cov_scale_reader_init(cov_scale_reader *r, const uint8_t *data,
                           size_t len);
size_t cov_scale_remaining(const cov_scale_reader *r);
/* Fails unless every byte has been read (trailing bytes mean the data is
 * not the type the caller thinks, so they are an error, not padding). */
cov_status cov_scale_expect_end(const cov_scale_reader *r, const char *what,
                                cov_err *err) COV_WARN_UNUSED;

/* Nesting guard for decoders of recursive types: call enter before
 * decoding an inner value and leave after it. enter fails with
 * COV_ERR_TOO_BIG once depth would exceed max_depth. */
cov_status cov_scale_enter(cov_scale_reader *r, cov_err *err) COV_WARN_UNUSED;
void cov_scale_leave(cov_scale_reader *r);

cov_status cov_scale_read_u8(cov_scale_reader *r, uint8_t *out,
                             cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_read_u16(cov_scale_reader *r, uint16_t *out,
                              cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_read_u32(cov_scale_reader *r, uint32_t *out,
                              cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_read_u64(cov_scale_reader *r, uint64_t *out,
                              cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_read_u128(cov_scale_reader *r, uint8_t out[16],
                               cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_read_u256(cov_scale_reader *r, uint8_t out[32],
                               cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_read_i8(cov_scale_reader *r, int8_t *out,
                             cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_read_i16(cov_scale_reader *r, int16_t *out,
                              cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_read_i32(cov_scale_reader *r, int32_t *out,
                              cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_read_i64(cov_scale_reader *r, int64_t *out,
                              cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_read_i128(cov_scale_reader *r, uint8_t out[16],
                               cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_read_i256(cov_scale_reader *r, uint8_t out[32],
                               cov_err *err) COV_WARN_UNUSED;
/* Only 0x00 and 0x01 are booleans, as in codec. */
cov_status cov_scale_read_bool(cov_scale_reader *r, bool *out,
                               cov_err *err) COV_WARN_UNUSED;
/* The tag of an Option: false for 0x00 (None), true for 0x01 (Some). */
cov_status cov_scale_read_option(cov_scale_reader *r, bool *is_some,
                                 cov_err *err) COV_WARN_UNUSED;

/* Compact<u64>: canonical encodings only. */
cov_status cov_scale_read_compact(cov_scale_reader *r, uint64_t *out,
                                  cov_err *err) COV_WARN_UNUSED;
/* Compact<u32> (lengths, type ids, nonces): as codec, the 4-byte big form
 * is the only big form allowed, and values past 2^32-1 are refused. */
cov_status cov_scale_read_compact_u32(cov_scale_reader *r, uint32_t *out,
                                      cov_err *err) COV_WARN_UNUSED;
/* Compact of up to 256 bits into out (32 little-endian bytes, zero
 * padded). Canonical encodings only; a value over 256 bits is refused. */
cov_status cov_scale_read_compact_big(cov_scale_reader *r, uint8_t out[32],
                                      cov_err *err) COV_WARN_UNUSED;

/* A sequence length (Compact<u32>) that is checked against what is left:
 * `len * min_elem_size` may not exceed the remaining bytes, so a hostile
 * prefix cannot make a caller allocate for elements the input cannot hold.
 * min_elem_size is the smallest encoding of one element; 0 (zero-sized
 * elements such as ()) is treated as 1, deliberately: covenant refuses
 * sequences of more zero-sized elements than there are bytes left. */
cov_status cov_scale_read_len(cov_scale_reader *r, uint32_t *out,
                              size_t min_elem_size,
                              cov_err *err) COV_WARN_UNUSED;

/* Copies n bytes out / skips n bytes. */
cov_status cov_scale_read_raw(cov_scale_reader *r, void *out, size_t n,
                              cov_err *err) COV_WARN_UNUSED;
cov_status cov_scale_skip(cov_scale_reader *r, size_t n,
                          cov_err *err) COV_WARN_UNUSED;
/* Borrows n bytes: *out points into the reader's data. */
cov_status cov_scale_read_fixed(cov_scale_reader *r, const uint8_t **out,
                                size_t n, cov_err *err) COV_WARN_UNUSED;
/* Vec<u8>: borrows the bytes after the Compact length. */
cov_status cov_scale_read_bytes(cov_scale_reader *r, const uint8_t **out,
                                size_t *out_len, cov_err *err) COV_WARN_UNUSED;
/* String: as read_bytes, and the bytes must be valid UTF-8 (as codec's
 * String::decode demands). Not NUL-terminated; may contain NUL. */
cov_status cov_scale_read_str(cov_scale_reader *r, const char **out,
                              size_t *out_len, cov_err *err) COV_WARN_UNUSED;

/* True if the len bytes are well-formed UTF-8 (no overlongs, no surrogates,
 * nothing past U+10FFFF), the rule Rust's str follows. */
bool cov_utf8_valid(const uint8_t *s, size_t len);

#endif /* COVENANT_CHAIN_SCALE_H */
