/* The SCALE reader's primitives, driven by a script taken from the input.
 *
 * Input: byte 0 = script length L (capped at what is there), bytes 1..L =
 * one operation each (low 5 bits: which read; high 3 bits: an argument),
 * the rest = the data the reader walks through. A failed read does not
 * stop the script: the next operation starts where the failed one did.
 *
 * Properties checked after every operation:
 * - a failed read leaves the cursor where it was and gives PARSE (or
 *   TOO_BIG for the depth guard) with a message;
 * - a successful read consumed exactly the bytes that encoding its result
 *   with the cov_scale_put_* functions gives back; for compacts this is
 *   the canonicality rule (the one shortest encoding, as codec demands);
 * - the three compact readers agree: a value the 256-bit reader accepts
 *   is accepted by the u64/u32 readers iff it fits, with the same value,
 *   and cov_scale_compact_len agrees with what was consumed;
 * - lengths never promise more than the remaining bytes can hold, borrowed
 *   bytes lie inside the data, strings are valid UTF-8;
 * - only enter deepens, by one level, and it fails exactly when the depth
 *   has reached max_depth (which an operation may change). */
#include "fuzz_common.h"

#include "chain/chain.h"

enum {
    OP_U8, OP_U16, OP_U32, OP_U64, OP_U128, OP_U256, OP_I8, OP_I16, OP_I32,
    OP_I64, OP_BOOL, OP_OPTION, OP_COMPACT, OP_COMPACT_U32, OP_COMPACT_BIG,
    OP_LEN, OP_BYTES, OP_STR, OP_ENTER, OP_LEAVE, OP_SKIP, OP_MAX_DEPTH,
    OP_COUNT
};

/* The bytes a successful read consumed must be what re-encoding gives. */
static void same_bytes(const cov_buf *b, const uint8_t *consumed, size_t n)
{
    FUZZ_CHECK(b->len == n);
    FUZZ_CHECK(n == 0 || memcmp(b->data, consumed, n) == 0);
}

static void check_compacts_agree(const cov_scale_reader *at)
{
    cov_scale_reader a = *at, b = *at, c = *at;
    uint8_t big[32];
    uint64_t v64;
    uint32_t v32;
    cov_status sa = cov_scale_read_compact_big(&a, big, NULL);
    cov_status sb = cov_scale_read_compact(&b, &v64, NULL);
    cov_status sc = cov_scale_read_compact_u32(&c, &v32, NULL);
    bool fits64 = true, fits32 = true;
    uint64_t want = 0;
    for (int i = 0; i < 32; i++) {
        if (i >= 8 && big[i])
            fits64 = false;
        if (i >= 4 && big[i])
            fits32 = false;
        if (i < 8)
            want |= (uint64_t)big[i] << (8 * i);
    }
    if (sa != COV_OK) {
        FUZZ_CHECK(sb != COV_OK && sc != COV_OK);
        return;
    }
    FUZZ_CHECK((sb == COV_OK) == fits64);
    FUZZ_CHECK((sc == COV_OK) == fits32);
    if (sb == COV_OK) {
        FUZZ_CHECK(v64 == want && b.pos == a.pos);
        FUZZ_CHECK(cov_scale_compact_len(v64) == a.pos - at->pos);
    }
    if (sc == COV_OK)
        FUZZ_CHECK(v32 == (uint32_t)want && c.pos == a.pos);
}

static cov_status run_op(cov_scale_reader *r, uint8_t op, cov_buf *enc,
                         cov_err *err)
{
    unsigned arg = op >> 5;
    cov_status st = COV_ERR_ARG, put = COV_OK;
    size_t start = r->pos;
    cov_buf_reset(enc);
    switch (op % OP_COUNT) {
    case OP_U8: {
        uint8_t v;
        if ((st = cov_scale_read_u8(r, &v, err)) == COV_OK)
            put = cov_scale_put_u8(enc, v, NULL);
        break;
    }
    case OP_U16: {
        uint16_t v;
        if ((st = cov_scale_read_u16(r, &v, err)) == COV_OK)
            put = cov_scale_put_u16(enc, v, NULL);
        break;
    }
    case OP_U32: {
        uint32_t v;
        if ((st = cov_scale_read_u32(r, &v, err)) == COV_OK)
            put = cov_scale_put_u32(enc, v, NULL);
        break;
    }
    case OP_U64: {
        uint64_t v;
        if ((st = cov_scale_read_u64(r, &v, err)) == COV_OK)
            put = cov_scale_put_u64(enc, v, NULL);
        break;
    }
    case OP_U128: {
        uint8_t v[16];
        if ((st = (arg & 1) ? cov_scale_read_i128(r, v, err)
                            : cov_scale_read_u128(r, v, err)) == COV_OK)
            put = cov_scale_put_u128(enc, v, NULL);
        break;
    }
    case OP_U256: {
        uint8_t v[32];
        if ((st = (arg & 1) ? cov_scale_read_i256(r, v, err)
                            : cov_scale_read_u256(r, v, err)) == COV_OK)
            put = cov_scale_put_i256(enc, v, NULL);
        break;
    }
    case OP_I8: {
        int8_t v;
        if ((st = cov_scale_read_i8(r, &v, err)) == COV_OK)
            put = cov_scale_put_i8(enc, v, NULL);
        break;
    }
    case OP_I16: {
        int16_t v;
        if ((st = cov_scale_read_i16(r, &v, err)) == COV_OK)
            put = cov_scale_put_i16(enc, v, NULL);
        break;
    }
    case OP_I32: {
        int32_t v;
        if ((st = cov_scale_read_i32(r, &v, err)) == COV_OK)
            put = cov_scale_put_i32(enc, v, NULL);
        break;
    }
    case OP_I64: {
        int64_t v;
        if ((st = cov_scale_read_i64(r, &v, err)) == COV_OK)
            put = cov_scale_put_i64(enc, v, NULL);
        break;
    }
    case OP_BOOL: {
        bool v;
        if ((st = cov_scale_read_bool(r, &v, err)) == COV_OK)
            put = cov_scale_put_bool(enc, v, NULL);
        break;
    }
    case OP_OPTION: {
        bool v;
        if ((st = cov_scale_read_option(r, &v, err)) == COV_OK)
            put = cov_scale_put_u8(enc, v ? 1 : 0, NULL);
        break;
    }
    case OP_COMPACT: {
        uint64_t v;
        check_compacts_agree(r);
        if ((st = cov_scale_read_compact(r, &v, err)) == COV_OK)
            put = cov_scale_put_compact(enc, v, NULL);
        break;
    }
    case OP_COMPACT_U32: {
        uint32_t v;
        if ((st = cov_scale_read_compact_u32(r, &v, err)) == COV_OK)
            put = cov_scale_put_compact(enc, v, NULL);
        break;
    }
    case OP_COMPACT_BIG: {
        uint8_t v[32];
        if ((st = cov_scale_read_compact_big(r, v, err)) == COV_OK)
            put = cov_scale_put_compact_big(enc, v, 32, NULL);
        break;
    }
    case OP_LEN: {
        uint32_t n;
        size_t min = arg == 7 ? 64 : arg; /* 0 counts as 1 */
        if ((st = cov_scale_read_len(r, &n, min, err)) == COV_OK) {
            FUZZ_CHECK((uint64_t)n * (min ? min : 1) <= cov_scale_remaining(r));
            put = cov_scale_put_compact(enc, n, NULL);
        }
        break;
    }
    case OP_BYTES:
    case OP_STR: {
        const uint8_t *p;
        const char *s;
        size_t n;
        if (op % OP_COUNT == OP_STR) {
            st = cov_scale_read_str(r, &s, &n, err);
            p = (const uint8_t *)s;
            FUZZ_CHECK(st != COV_OK || cov_utf8_valid(p, n));
        } else {
            st = cov_scale_read_bytes(r, &p, &n, err);
        }
        if (st == COV_OK) {
            FUZZ_CHECK(p >= r->data && p + n == r->data + r->pos);
            put = cov_scale_put_bytes(enc, p, n, NULL);
        } else {
            FUZZ_CHECK(p == NULL && n == 0);
        }
        break;
    }
    case OP_ENTER: {
        unsigned depth = r->depth;
        st = cov_scale_enter(r, err);
        FUZZ_CHECK((st == COV_OK) == (depth < r->max_depth));
        FUZZ_CHECK(r->depth == (st == COV_OK ? depth + 1 : depth));
        FUZZ_CHECK(st == COV_OK || st == COV_ERR_TOO_BIG);
        return st;
    }
    case OP_LEAVE:
        cov_scale_leave(r);
        return COV_OK;
    case OP_SKIP: {
        const uint8_t *p;
        size_t n = (size_t)arg * 3;
        st = (arg & 1) ? cov_scale_skip(r, n, err)
                       : cov_scale_read_fixed(r, &p, n, err);
        if (st == COV_OK)
            FUZZ_CHECK(r->pos == start + n);
        return st;
    }
    case OP_MAX_DEPTH:
        r->max_depth = arg;
        return COV_OK;
    }
    FUZZ_CHECK(st == COV_OK || st == COV_ERR_PARSE);
    if (st == COV_OK) {
        FUZZ_CHECK(put == COV_OK);
        same_bytes(enc, r->data + start, r->pos - start);
    }
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    if (size == 0)
        return 0;
    size_t script_len = data[0];
    if (script_len > size - 1)
        script_len = size - 1;
    const uint8_t *script = data + 1;
    /* The data gets its own allocation of exactly its size, so ASan sees
     * any read past its end. */
    size_t len = size - 1 - script_len;
    uint8_t *bytes = malloc(len ? len : 1);
    if (!bytes)
        abort();
    if (len)
        memcpy(bytes, script + script_len, len);

    cov_scale_reader r;
    cov_scale_reader_init(&r, bytes, len);
    cov_buf enc;
    cov_buf_init(&enc, 1 << 20);
    for (size_t i = 0; i < script_len; i++) {
        size_t before = r.pos;
        unsigned depth = r.depth;
        cov_err err;
        cov_err_clear(&err);
        cov_status st = run_op(&r, script[i], &enc, &err);
        if (st != COV_OK) {
            FUZZ_CHECK(r.pos == before && r.depth == depth);
            FUZZ_CHECK(err.code == st && err.msg[0] != '\0');
        }
        FUZZ_CHECK(r.pos <= r.len);
        FUZZ_CHECK(r.depth <= depth + 1); /* only enter deepens, by one */
    }
    cov_buf_free(&enc);
    free(bytes);
    return 0;
}
