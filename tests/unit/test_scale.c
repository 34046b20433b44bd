/* chain/scale: SCALE vectors (parity-scale-codec's tests and the ones
 * checked with polkadot-js in docs/reference oracles.md), round trips, and
 * every refusal: truncation, non-canonical and out-of-range compacts,
 * hostile lengths, bad bools and UTF-8, nesting depth, buffer caps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test_helpers.h"

#include "chain/chain.h"

/* Decodes hex of any length into a static buffer. */
static const uint8_t *bytes_of(const char *hex, size_t *len)
{
    static uint8_t buf[256];
    *len = strlen(hex) / 2;
    assert_true(*len <= sizeof buf);
    unhex(buf, *len, hex);
    return buf;
}

/* ---------------------------------------------------------------- compact */

typedef struct {
    const char *value_le; /* little-endian hex of the value, 32 bytes max */
    const char *encoding;
} compact_vector;

/* oracles.md (checked with polkadot-js) and codec's
 * compact_integers_encoded_as_expected / compact_128_encoding_works. */
static const compact_vector compact_vectors[] = {
    {"00", "00"},
    {"01", "04"},
    {"3f", "fc"},
    {"40", "0101"},
    {"ff3f", "fdff"},
    {"0040", "02000100"},
    {"ffffff3f", "feffffff"},
    {"00000040", "0300000040"},
    {"ffffffff", "03ffffffff"},
    {"0000000001", "070000000001"},
    {"000000000001", "0b000000000001"},
    {"00000000000001", "0f00000000000001"},
    {"ffffffffffffff", "0fffffffffffffff"},
    {"0000000000000001", "130000000000000001"},
    {"ffffffffffffffff", "13ffffffffffffffff"},
    {"000000000000000001", "17000000000000000001"},
    {"ffffffffffffffffffffffffffffffff", "33ffffffffffffffffffffffffffffffff"},
    {"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
     "73ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"},
};

static void test_compact_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof compact_vectors / sizeof compact_vectors[0];
         i++) {
        const compact_vector *v = &compact_vectors[i];
        uint8_t value[32] = {0};
        size_t vlen = strlen(v->value_le) / 2;
        unhex(value, vlen, v->value_le);

        cov_buf b;
        cov_buf_init(&b, 64);
        assert_int_equal(cov_scale_put_compact_big(&b, value, vlen, NULL), COV_OK);
        expect_hex(b.data, b.len, v->encoding);

        /* Also with high zero bytes, which must not change the encoding. */
        cov_buf_reset(&b);
        assert_int_equal(cov_scale_put_compact_big(&b, value, 32, NULL), COV_OK);
        expect_hex(b.data, b.len, v->encoding);

        uint64_t v64 = 0;
        for (size_t k = 0; k < vlen && k < 8; k++)
            v64 |= (uint64_t)value[k] << (8 * k);
        if (vlen <= 8) {
            cov_buf_reset(&b);
            assert_int_equal(cov_scale_put_compact(&b, v64, NULL), COV_OK);
            expect_hex(b.data, b.len, v->encoding);
            assert_int_equal(cov_scale_compact_len(v64), b.len);
        }

        size_t n;
        const uint8_t *enc = bytes_of(v->encoding, &n);
        cov_scale_reader r;
        uint8_t big[32];
        cov_scale_reader_init(&r, enc, n);
        assert_int_equal(cov_scale_read_compact_big(&r, big, NULL), COV_OK);
        assert_memory_equal(big, value, 32);
        assert_int_equal(r.pos, n);

        uint64_t got64;
        cov_scale_reader_init(&r, enc, n);
        cov_status want = vlen <= 8 ? COV_OK : COV_ERR_PARSE;
        assert_int_equal(cov_scale_read_compact(&r, &got64, NULL), want);
        if (want == COV_OK)
            assert_true(got64 == v64);
        else
            assert_int_equal(r.pos, 0);

        uint32_t got32;
        cov_scale_reader_init(&r, enc, n);
        want = vlen <= 4 ? COV_OK : COV_ERR_PARSE;
        assert_int_equal(cov_scale_read_compact_u32(&r, &got32, NULL), want);
        if (want == COV_OK)
            assert_int_equal(got32, (uint32_t)v64);
        cov_buf_free(&b);
    }
}

static void test_compact_u64_round_trip(void **state)
{
    (void)state;
    const uint64_t values[] = {0, 1, 62, 63, 64, 65, 16383, 16384,
                               (1u << 30) - 1, 1u << 30, UINT32_MAX,
                               (uint64_t)UINT32_MAX + 1, (1ull << 40) - 1,
                               1ull << 48, (1ull << 56) - 1, 1ull << 56,
                               UINT64_MAX - 1, UINT64_MAX};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        cov_buf b;
        cov_buf_init(&b, 16);
        assert_int_equal(cov_scale_put_compact(&b, values[i], NULL), COV_OK);
        assert_int_equal(b.len, cov_scale_compact_len(values[i]));
        cov_scale_reader r;
        cov_scale_reader_init(&r, b.data, b.len);
        uint64_t got;
        assert_int_equal(cov_scale_read_compact(&r, &got, NULL), COV_OK);
        assert_true(got == values[i]);
        assert_int_equal(cov_scale_expect_end(&r, "test", NULL), COV_OK);
        cov_buf_free(&b);
    }
}

/* Shorter values in longer modes: codec's "out of range" refusals. */
static void test_compact_non_canonical(void **state)
{
    (void)state;
    const char *bad[] = {
        "0100",             /* 0 in the 2-byte mode */
        "fd00",             /* 63 in the 2-byte mode */
        "02000000",         /* 0 in the 4-byte mode */
        "feff0000",         /* 16383 in the 4-byte mode */
        "03ffffff3f",       /* 2^30-1 in the big mode */
        "0300000000",       /* 0 in the big mode */
        "07ffffffff00",     /* 2^32-1 in 5 bytes */
        "13ffffffffffffff00", /* 2^56-1 in 8 bytes */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n;
        const uint8_t *enc = bytes_of(bad[i], &n);
        cov_scale_reader r;
        cov_err err;
        uint64_t v64;
        uint32_t v32;
        uint8_t big[32];
        cov_scale_reader_init(&r, enc, n);
        assert_int_equal(cov_scale_read_compact(&r, &v64, &err), COV_ERR_PARSE);
        assert_non_null(strstr(err.msg, "non-canonical"));
        assert_non_null(strstr(err.msg, "offset 0"));
        assert_int_equal(r.pos, 0);
        assert_int_equal(cov_scale_read_compact_big(&r, big, &err), COV_ERR_PARSE);
        assert_int_equal(cov_scale_read_compact_u32(&r, &v32, &err), COV_ERR_PARSE);
        assert_int_equal(r.pos, 0);
    }
}

static void test_compact_out_of_range(void **state)
{
    (void)state;
    cov_scale_reader r;
    cov_err err;
    size_t n;
    uint32_t v32;
    uint64_t v64;
    uint8_t big[32];

    /* 2^32 does not fit Compact<u32>. */
    const uint8_t *enc = bytes_of("070000000001", &n);
    cov_scale_reader_init(&r, enc, n);
    assert_int_equal(cov_scale_read_compact_u32(&r, &v32, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "over 2^32-1"));
    assert_int_equal(r.pos, 0);

    /* 2^64 does not fit Compact<u64>, but does the big reader. */
    enc = bytes_of("17000000000000000001", &n);
    cov_scale_reader_init(&r, enc, n);
    assert_int_equal(cov_scale_read_compact(&r, &v64, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "over 2^64-1"));
    assert_int_equal(cov_scale_read_compact_big(&r, big, NULL), COV_OK);
    assert_int_equal(big[8], 1);

    /* A prefix claiming 33 bytes: over 256 bits. */
    uint8_t wide[1 + 33];
    memset(wide, 0xff, sizeof wide);
    wide[0] = (uint8_t)(((33 - 4) << 2) | 3);
    cov_scale_reader_init(&r, wide, sizeof wide);
    assert_int_equal(cov_scale_read_compact_big(&r, big, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "256 bits"));

    /* The encoder refuses values over 256 bits too. */
    cov_buf b;
    cov_buf_init(&b, 64);
    assert_int_equal(cov_scale_put_compact_big(&b, wide, 33, &err), COV_ERR_ARG);
    uint8_t zero_padded[40] = {1};
    assert_int_equal(cov_scale_put_compact_big(&b, zero_padded, 40, NULL), COV_OK);
    expect_hex(b.data, b.len, "04");
    cov_buf_free(&b);
}

static void test_compact_truncated(void **state)
{
    (void)state;
    const char *cut[] = {"", "01", "020001", "03000000", "1300000000000000"};
    for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
        size_t n;
        const uint8_t *enc = bytes_of(cut[i], &n);
        cov_scale_reader r;
        cov_err err;
        uint64_t v;
        cov_scale_reader_init(&r, enc, n);
        assert_int_equal(cov_scale_read_compact(&r, &v, &err), COV_ERR_PARSE);
        assert_non_null(strstr(err.msg, "truncated"));
        assert_int_equal(r.pos, 0);
    }
}

/* -------------------------------------------------------------- integers */

static void test_integers_round_trip(void **state)
{
    (void)state;
    cov_buf b;
    cov_buf_init(&b, 1024);
    uint8_t u128[16], u256[32];
    for (int i = 0; i < 16; i++)
        u128[i] = (uint8_t)(i + 1);
    for (int i = 0; i < 32; i++)
        u256[i] = (uint8_t)(0xff - i);
    assert_int_equal(cov_scale_put_u8(&b, 0xab, NULL), COV_OK);
    assert_int_equal(cov_scale_put_u16(&b, 0x1234, NULL), COV_OK);
    assert_int_equal(cov_scale_put_u32(&b, 0xdeadbeef, NULL), COV_OK);
    assert_int_equal(cov_scale_put_u64(&b, 0x0102030405060708ull, NULL), COV_OK);
    assert_int_equal(cov_scale_put_u128(&b, u128, NULL), COV_OK);
    assert_int_equal(cov_scale_put_u256(&b, u256, NULL), COV_OK);
    assert_int_equal(cov_scale_put_i8(&b, -1, NULL), COV_OK);
    assert_int_equal(cov_scale_put_i16(&b, INT16_MIN, NULL), COV_OK);
    assert_int_equal(cov_scale_put_i32(&b, -2, NULL), COV_OK);
    assert_int_equal(cov_scale_put_i64(&b, INT64_MIN, NULL), COV_OK);
    assert_int_equal(cov_scale_put_i64(&b, INT64_MAX, NULL), COV_OK);
    assert_int_equal(cov_scale_put_i128(&b, u128, NULL), COV_OK);
    assert_int_equal(cov_scale_put_i256(&b, u256, NULL), COV_OK);
    assert_int_equal(cov_scale_put_bool(&b, true, NULL), COV_OK);
    assert_int_equal(cov_scale_put_bool(&b, false, NULL), COV_OK);
    /* Little-endian on the wire. */
    expect_hex(b.data, 15, "ab3412efbeadde0807060504030201");

    cov_scale_reader r;
    cov_scale_reader_init(&r, b.data, b.len);
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    int8_t i8;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    uint8_t w16[16], w32[32];
    bool flag;
    assert_int_equal(cov_scale_read_u8(&r, &u8, NULL), COV_OK);
    assert_int_equal(u8, 0xab);
    assert_int_equal(cov_scale_read_u16(&r, &u16, NULL), COV_OK);
    assert_int_equal(u16, 0x1234);
    assert_int_equal(cov_scale_read_u32(&r, &u32, NULL), COV_OK);
    assert_int_equal(u32, 0xdeadbeef);
    assert_int_equal(cov_scale_read_u64(&r, &u64, NULL), COV_OK);
    assert_true(u64 == 0x0102030405060708ull);
    assert_int_equal(cov_scale_read_u128(&r, w16, NULL), COV_OK);
    assert_memory_equal(w16, u128, 16);
    assert_int_equal(cov_scale_read_u256(&r, w32, NULL), COV_OK);
    assert_memory_equal(w32, u256, 32);
    assert_int_equal(cov_scale_read_i8(&r, &i8, NULL), COV_OK);
    assert_int_equal(i8, -1);
    assert_int_equal(cov_scale_read_i16(&r, &i16, NULL), COV_OK);
    assert_int_equal(i16, INT16_MIN);
    assert_int_equal(cov_scale_read_i32(&r, &i32, NULL), COV_OK);
    assert_int_equal(i32, -2);
    assert_int_equal(cov_scale_read_i64(&r, &i64, NULL), COV_OK);
    assert_true(i64 == INT64_MIN);
    assert_int_equal(cov_scale_read_i64(&r, &i64, NULL), COV_OK);
    assert_true(i64 == INT64_MAX);
    assert_int_equal(cov_scale_read_i128(&r, w16, NULL), COV_OK);
    assert_memory_equal(w16, u128, 16);
    assert_int_equal(cov_scale_read_i256(&r, w32, NULL), COV_OK);
    assert_memory_equal(w32, u256, 32);
    assert_int_equal(cov_scale_read_bool(&r, &flag, NULL), COV_OK);
    assert_true(flag);
    assert_int_equal(cov_scale_read_bool(&r, &flag, NULL), COV_OK);
    assert_false(flag);
    assert_int_equal(cov_scale_expect_end(&r, "test", NULL), COV_OK);
    cov_buf_free(&b);
}

/* Each fixed-size read on too few bytes: PARSE, offset named, cursor kept. */
static void test_truncated_reads(void **state)
{
    (void)state;
    const uint8_t data[40] = {0};
    cov_scale_reader r;
    cov_err err;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    uint8_t w[32];
    const uint8_t *p;

    cov_scale_reader_init(&r, data, 0);
    assert_int_equal(cov_scale_read_u8(&r, &u8, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "offset 0"));
    cov_scale_reader_init(&r, data, 3);
    assert_int_equal(cov_scale_skip(&r, 2, NULL), COV_OK);
    assert_int_equal(cov_scale_read_u16(&r, &u16, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "u16 needs 2 bytes at offset 2, only 1 left"));
    assert_int_equal(r.pos, 2);
    cov_scale_reader_init(&r, data, 3);
    assert_int_equal(cov_scale_read_u32(&r, &u32, &err), COV_ERR_PARSE);
    assert_int_equal(cov_scale_read_i32(&r, &i32, &err), COV_ERR_PARSE);
    cov_scale_reader_init(&r, data, 7);
    assert_int_equal(cov_scale_read_u64(&r, &u64, &err), COV_ERR_PARSE);
    assert_int_equal(cov_scale_read_i64(&r, &i64, &err), COV_ERR_PARSE);
    cov_scale_reader_init(&r, data, 1);
    assert_int_equal(cov_scale_read_i16(&r, &i16, &err), COV_ERR_PARSE);
    cov_scale_reader_init(&r, data, 15);
    assert_int_equal(cov_scale_read_u128(&r, w, &err), COV_ERR_PARSE);
    cov_scale_reader_init(&r, data, 31);
    assert_int_equal(cov_scale_read_u256(&r, w, &err), COV_ERR_PARSE);
    assert_int_equal(cov_scale_read_raw(&r, w, 32, &err), COV_ERR_PARSE);
    assert_int_equal(cov_scale_read_fixed(&r, &p, 32, &err), COV_ERR_PARSE);
    assert_null(p);
    assert_int_equal(cov_scale_skip(&r, 32, &err), COV_ERR_PARSE);
    assert_int_equal(r.pos, 0);
    assert_int_equal(cov_scale_read_fixed(&r, &p, 31, NULL), COV_OK);
    assert_ptr_equal(p, data);
    assert_int_equal(cov_scale_remaining(&r), 0);
    /* A NULL reader over nothing is just empty. */
    cov_scale_reader_init(&r, NULL, 10);
    assert_int_equal(cov_scale_remaining(&r), 0);
    assert_int_equal(cov_scale_read_u8(&r, &u8, NULL), COV_ERR_PARSE);
}

static void test_bool_and_option_tags(void **state)
{
    (void)state;
    const uint8_t two = 2;
    cov_scale_reader r;
    cov_err err;
    bool v;
    cov_scale_reader_init(&r, &two, 1);
    assert_int_equal(cov_scale_read_bool(&r, &v, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "invalid bool byte 0x02 at offset 0"));
    assert_int_equal(cov_scale_read_option(&r, &v, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "Option tag"));
    assert_int_equal(r.pos, 0);
    const uint8_t some = 1;
    cov_scale_reader_init(&r, &some, 1);
    assert_int_equal(cov_scale_read_option(&r, &v, NULL), COV_OK);
    assert_true(v);
}

/* --------------------------------------------------------- bytes, strings */

static void test_vec_u16_vector(void **state)
{
    (void)state;
    /* Vec<u16>[1, 2, 65535] (oracles.md). */
    cov_buf b;
    cov_buf_init(&b, 64);
    const uint16_t items[] = {1, 2, 65535};
    assert_int_equal(cov_scale_put_compact(&b, 3, NULL), COV_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(cov_scale_put_u16(&b, items[i], NULL), COV_OK);
    expect_hex(b.data, b.len, "0c01000200ffff");

    cov_scale_reader r;
    cov_scale_reader_init(&r, b.data, b.len);
    uint32_t n;
    assert_int_equal(cov_scale_read_len(&r, &n, 2, NULL), COV_OK);
    assert_int_equal(n, 3);
    for (uint32_t i = 0; i < n; i++) {
        uint16_t v;
        assert_int_equal(cov_scale_read_u16(&r, &v, NULL), COV_OK);
        assert_int_equal(v, items[i]);
    }
    assert_int_equal(cov_scale_expect_end(&r, "Vec<u16>", NULL), COV_OK);

    /* Claiming 4 elements of 2 bytes with 6 bytes left is refused. */
    b.data[0] = 0x10;
    cov_scale_reader_init(&r, b.data, b.len);
    cov_err err;
    assert_int_equal(cov_scale_read_len(&r, &n, 2, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "sequence length 4 at offset 0"));
    assert_int_equal(r.pos, 0);
    cov_buf_free(&b);
}

static void test_hostile_lengths(void **state)
{
    (void)state;
    cov_scale_reader r;
    cov_err err;
    uint32_t n;
    const uint8_t *p;
    size_t len;
    /* 2^30-1 elements announced, 3 bytes follow. */
    const uint8_t huge[] = {0xfe, 0xff, 0xff, 0xff, 1, 2, 3};
    cov_scale_reader_init(&r, huge, sizeof huge);
    assert_int_equal(cov_scale_read_len(&r, &n, 1, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "corrupt or hostile"));
    /* Zero-sized elements count as one byte each. */
    assert_int_equal(cov_scale_read_len(&r, &n, 0, &err), COV_ERR_PARSE);
    const uint8_t three_units[] = {0x0c, 0, 0, 0};
    cov_scale_reader_init(&r, three_units, sizeof three_units);
    assert_int_equal(cov_scale_read_len(&r, &n, 0, NULL), COV_OK);
    assert_int_equal(n, 3);
    cov_scale_reader_init(&r, huge, sizeof huge);
    assert_int_equal(cov_scale_read_bytes(&r, &p, &len, &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "claims 1073741823 bytes but only 3 follow"));
    assert_null(p);
    assert_int_equal(r.pos, 0);
    /* A length over 2^32-1 is refused as Compact<u32>. */
    const uint8_t over[] = {0x07, 0, 0, 0, 0, 1};
    cov_scale_reader_init(&r, over, sizeof over);
    assert_int_equal(cov_scale_read_len(&r, &n, 1, &err), COV_ERR_PARSE);
    /* Element size so large that len * size would overflow: still caught. */
    const uint8_t two[] = {0x08, 0, 0};
    cov_scale_reader_init(&r, two, sizeof two);
    assert_int_equal(cov_scale_read_len(&r, &n, SIZE_MAX, &err), COV_ERR_PARSE);
}

static void test_bytes_and_strings(void **state)
{
    (void)state;
    cov_buf b;
    cov_buf_init(&b, 64);
    assert_int_equal(cov_scale_put_str(&b, "abc", NULL), COV_OK);
    assert_int_equal(cov_scale_put_bytes(&b, NULL, 0, NULL), COV_OK);
    assert_int_equal(cov_scale_put_str(&b, "h\xc3\xa9llo \xf0\x9f\x98\x80", NULL), COV_OK);
    assert_int_equal(cov_scale_put_raw(&b, "\x01\x02", 2, NULL), COV_OK);
    expect_hex(b.data, 5, "0c61626300");

    cov_scale_reader r;
    cov_scale_reader_init(&r, b.data, b.len);
    const char *s;
    const uint8_t *p;
    size_t len;
    assert_int_equal(cov_scale_read_str(&r, &s, &len, NULL), COV_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(s, "abc", 3);
    assert_int_equal(cov_scale_read_bytes(&r, &p, &len, NULL), COV_OK);
    assert_int_equal(len, 0);
    assert_int_equal(cov_scale_read_str(&r, &s, &len, NULL), COV_OK);
    assert_int_equal(len, 11);
    uint8_t raw[2];
    assert_int_equal(cov_scale_read_raw(&r, raw, 2, NULL), COV_OK);
    assert_int_equal(raw[1], 2);
    assert_int_equal(cov_scale_expect_end(&r, "test", NULL), COV_OK);
    cov_buf_free(&b);

    /* Not UTF-8: overlong, surrogate, past U+10FFFF, cut short, stray
     * continuation, 0xff. */
    const char *bad[] = {"08c080", "0ceda080", "10f4908080", "08e282",
                         "0480", "04ff"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n;
        const uint8_t *enc = bytes_of(bad[i], &n);
        cov_err err;
        cov_scale_reader_init(&r, enc, n);
        assert_int_equal(cov_scale_read_str(&r, &s, &len, &err), COV_ERR_PARSE);
        assert_non_null(strstr(err.msg, "not valid UTF-8"));
        assert_null(s);
        assert_int_equal(r.pos, 0);
    }
    assert_true(cov_utf8_valid((const uint8_t *)"\xf4\x8f\xbf\xbf", 4));
    assert_true(cov_utf8_valid((const uint8_t *)"\0", 1));
}

static void test_trailing_bytes(void **state)
{
    (void)state;
    const uint8_t data[] = {1, 2, 3};
    cov_scale_reader r;
    cov_err err;
    uint8_t v;
    cov_scale_reader_init(&r, data, sizeof data);
    assert_int_equal(cov_scale_read_u8(&r, &v, NULL), COV_OK);
    assert_int_equal(cov_scale_expect_end(&r, "a u8", &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "2 bytes left over after a u8 at offset 1"));
}

static void test_depth_limit(void **state)
{
    (void)state;
    cov_scale_reader r;
    cov_err err;
    cov_scale_reader_init(&r, NULL, 0);
    assert_int_equal(r.max_depth, COV_SCALE_DEFAULT_MAX_DEPTH);
    r.max_depth = 3;
    for (int i = 0; i < 3; i++)
        assert_int_equal(cov_scale_enter(&r, NULL), COV_OK);
    assert_int_equal(cov_scale_enter(&r, &err), COV_ERR_TOO_BIG);
    assert_non_null(strstr(err.msg, "nested more than 3 deep"));
    assert_int_equal(r.depth, 3);
    cov_scale_leave(&r);
    assert_int_equal(cov_scale_enter(&r, NULL), COV_OK);
    for (int i = 0; i < 5; i++)
        cov_scale_leave(&r); /* never below zero */
    assert_int_equal(r.depth, 0);
}

static void test_buffer_cap(void **state)
{
    (void)state;
    cov_buf b;
    cov_buf_init(&b, 3);
    cov_err err;
    assert_int_equal(cov_scale_put_u32(&b, 1, &err), COV_ERR_TOO_BIG);
    assert_int_equal(cov_scale_put_u16(&b, 1, NULL), COV_OK);
    assert_int_equal(cov_scale_put_compact(&b, 1u << 20, &err), COV_ERR_TOO_BIG);
    assert_int_equal(cov_scale_put_str(&b, "ab", &err), COV_ERR_TOO_BIG);
    cov_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compact_vectors),
        cmocka_unit_test(test_compact_u64_round_trip),
        cmocka_unit_test(test_compact_non_canonical),
        cmocka_unit_test(test_compact_out_of_range),
        cmocka_unit_test(test_compact_truncated),
        cmocka_unit_test(test_integers_round_trip),
        cmocka_unit_test(test_truncated_reads),
        cmocka_unit_test(test_bool_and_option_tags),
        cmocka_unit_test(test_vec_u16_vector),
        cmocka_unit_test(test_hostile_lengths),
        cmocka_unit_test(test_bytes_and_strings),
        cmocka_unit_test(test_trailing_bytes),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_buffer_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
