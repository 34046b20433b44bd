/* common/: hex, buffers, status messages and every hash against known
 * vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test_helpers.h"
#include <stdlib.h>

#include "common/common.h"


static void test_hex_roundtrip(void **state)
{
    (void)state;
    uint8_t out[4];
    assert_int_equal(cov_hex_decode(out, 4, "0xDEADbeef", NULL), COV_OK);
    expect_hex(out, 4, "deadbeef");
    cov_err err;
    assert_int_equal(cov_hex_decode(out, 4, "0xdeadbe", &err), COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "expected 8 hex digits"));
    assert_int_equal(cov_hex_decode(out, 4, "deadbeeg", &err), COV_ERR_PARSE);
    uint8_t *p;
    size_t n;
    assert_int_equal(cov_hex_decode_alloc(&p, &n, "0x", 10, NULL), COV_OK);
    assert_int_equal(n, 0);
    free(p);
    assert_int_equal(cov_hex_decode_alloc(&p, &n, "abc", 10, NULL), COV_ERR_PARSE);
    assert_int_equal(cov_hex_decode_alloc(&p, &n, "00112233", 3, NULL),
                     COV_ERR_TOO_BIG);
}

static void test_buf_cap(void **state)
{
    (void)state;
    cov_buf b;
    cov_buf_init(&b, 100);
    uint8_t chunk[40] = {1};
    assert_int_equal(cov_buf_append(&b, chunk, 40, NULL), COV_OK);
    assert_int_equal(cov_buf_append(&b, chunk, 40, NULL), COV_OK);
    cov_err err;
    assert_int_equal(cov_buf_append(&b, chunk, 40, &err), COV_ERR_TOO_BIG);
    assert_int_equal(b.len, 80);
    assert_int_equal(cov_buf_append(&b, chunk, 20, NULL), COV_OK);
    assert_int_equal(cov_buf_append_byte(&b, 7, NULL), COV_ERR_TOO_BIG);
    assert_int_equal(b.len, 100);
    cov_buf_free(&b);
}

static void test_status_messages(void **state)
{
    (void)state;
    cov_err err;
    assert_int_equal(cov_fail(&err, COV_ERR_IO, "cannot open %s", "x"), COV_ERR_IO);
    assert_int_equal(cov_err_context(&err, "loading %s", "wallet"), COV_ERR_IO);
    assert_string_equal(err.msg, "loading wallet: cannot open x");
    assert_string_equal(cov_status_name(COV_ERR_PASSWORD), "wrong password");
    assert_string_equal(cov_status_name((cov_status)999), "unknown status");
    cov_log_level lv;
    assert_true(cov_log_parse_level("DEBUG", &lv));
    assert_int_equal(lv, COV_LOG_DEBUG);
    assert_false(cov_log_parse_level("loud", &lv));
}

static void test_blake2b(void **state)
{
    (void)state;
    uint8_t out[64];
    cov_blake2b_256(out, NULL, 0);
    expect_hex(out, 32, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
    cov_blake2b_256(out, (const uint8_t *)"SubtensorModule", 15);
    expect_hex(out, 32, "be3a0133d14f7064df21a2ab88f1370de630fa34c9f1ec9d7b5384f95a2bc97d");
    cov_blake2b_512(out, (const uint8_t *)"abc", 3);
    expect_hex(out, 64,
               "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
               "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
    cov_blake2b_128(out, NULL, 0);
    expect_hex(out, 16, "cae66941d9efbd404e4d88758ea67670");
}

static void test_twox(void **state)
{
    (void)state;
    uint8_t out[32];
    cov_twox128(out, (const uint8_t *)"System", 6);
    expect_hex(out, 16, "26aa394eea5630e07c48ae0c9558cef7");
    cov_twox128(out, (const uint8_t *)"Account", 7);
    expect_hex(out, 16, "b99d880ec681799c0cf30e8886371da9");
    cov_twox128(out, (const uint8_t *)"SubtensorModule", 15);
    expect_hex(out, 16, "658faa385070e074c85bf6b568cf0555");
    cov_twox64(out, NULL, 0);
    expect_hex(out, 8, "99e9d85137db46ef");
}

static void test_keccak_sha(void **state)
{
    (void)state;
    uint8_t out[64];
    cov_keccak256(out, NULL, 0);
    expect_hex(out, 32, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    /* 200 bytes crosses the 136-byte rate once */
    uint8_t msg[200];
    memset(msg, 'a', sizeof msg);
    cov_keccak256(out, (const uint8_t *)"abc", 3);
    expect_hex(out, 32, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
    cov_sha256(out, (const uint8_t *)"abc", 3);
    expect_hex(out, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    cov_hmac_sha256(out, (const uint8_t *)"key", 3,
                    (const uint8_t *)"The quick brown fox jumps over the lazy dog", 43);
    expect_hex(out, 32, "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
}

static void test_pbkdf2(void **state)
{
    (void)state;
    /* RFC 7914 section 11 */
    uint8_t out[64];
    cov_pbkdf2_sha256(out, 64, (const uint8_t *)"passwd", 6,
                      (const uint8_t *)"salt", 4, 1);
    expect_hex(out, 64,
               "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
               "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
    /* Substrate's bip39 test: "abandon x11 about", password "Substrate" */
    uint8_t entropy[16] = {0};
    cov_pbkdf2_sha512(out, 64, entropy, 16, (const uint8_t *)"mnemonicSubstrate", 17, 2048);
    expect_hex(out, 64,
               "44e9d125f037ac1d51f0a7d3649689d422c2af8b1ec8e00d71db4d7bf6d127e3"
               "3f50c3d5c84fa3e5399c72d6cbbbbc4a49bf76f76d952f479d74655a2ef2d453");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hex_roundtrip), cmocka_unit_test(test_buf_cap),
        cmocka_unit_test(test_status_messages), cmocka_unit_test(test_blake2b),
        cmocka_unit_test(test_twox), cmocka_unit_test(test_keccak_sha),
        cmocka_unit_test(test_pbkdf2),
    };
    if (cov_crypto_init(NULL) != COV_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
