/* Importing polkadot-js key exports (fixture made by @polkadot/keyring, see
 * tests/vectors/README.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "test_helpers.h"
#include "wallet/wallet.h"

#define ALICE "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"

static char *fixture(size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/polkadot_json_alice.json", getenv("COVENANT_TEST_VECTORS"));
    uint8_t *data;
    assert_int_equal(cov_file_read(&data, len, path, 1 << 16, false, NULL), COV_OK);
    return (char *)data;
}

static void test_import_alice(void **state)
{
    (void)state;
    size_t len;
    char *json = fixture(&len);
    cov_keypair *kp = NULL;
    assert_int_equal(cov_keypair_from_polkadot_json(&kp, json, len, "covenant-test", NULL), COV_OK);
    uint8_t pub[COV_PUBKEY_MAX], sig[COV_SIGNATURE_MAX];
    assert_int_equal(cov_keypair_public(kp, pub), 32);
    expect_hex(pub, 32, ALICE);
    /* The imported secret must sign for Alice, not merely carry her key. */
    size_t sig_len;
    assert_int_equal(cov_keypair_sign(kp, sig, &sig_len, (const uint8_t *)"x", 1, NULL), COV_OK);
    assert_int_equal(cov_verify(COV_KEY_SR25519, pub, 32, sig, sig_len, (const uint8_t *)"x", 1, NULL),
                     COV_OK);
    /* Same secret scalar as //Alice derived here. */
    cov_keypair *derived;
    assert_int_equal(cov_keypair_from_suri(&derived, "//Alice", COV_KEY_SR25519, NULL), COV_OK);
    uint8_t a[64], b[64];
    assert_true(cov_keypair_sr25519_secret(kp, a));
    assert_true(cov_keypair_sr25519_secret(derived, b));
    assert_memory_equal(a, b, 32);
    cov_keypair_free(derived);
    cov_keypair_free(kp);
    free(json);
}

static void expect_error(const char *json, const char *password, cov_status code, const char *fragment)
{
    cov_keypair *kp = (cov_keypair *)1;
    cov_err err;
    assert_int_equal(cov_keypair_from_polkadot_json(&kp, json, strlen(json), password, &err), code);
    assert_null(kp);
    assert_non_null(strstr(err.msg, fragment));
}

static void test_rejects(void **state)
{
    (void)state;
    size_t len;
    char *json = fixture(&len);
    expect_error(json, "not-the-password", COV_ERR_PASSWORD, "wrong password");
    char *copy = strdup(json);
    memcpy(strstr(copy, "\"version\":\"3\""), "\"version\":\"2\"", 13);
    expect_error(copy, "covenant-test", COV_ERR_UNSUPPORTED, "version 2");
    strcpy(copy, json);
    memcpy(strstr(copy, "\"sr25519\""), "\"ed25519\"", 9);
    expect_error(copy, "covenant-test", COV_ERR_UNSUPPORTED, "not sr25519");
    strcpy(copy, json);
    char *enc = strstr(copy, "\"encoded\":\"") + 11;
    memcpy(enc + 8, "\"", 1); /* cut the base64 short: a broken quote */
    expect_error(copy, "covenant-test", COV_ERR_PARSE, "");
    strcpy(copy, json);
    enc = strstr(copy, "\"encoded\":\"") + 11;
    enc[3] = '*';
    expect_error(copy, "covenant-test", COV_ERR_PARSE, "not base64");
    expect_error("{\"encoded\":\"AAAA\",\"encoding\":{\"content\":[\"pkcs8\",\"sr25519\"],"
                 "\"type\":[\"scrypt\",\"xsalsa20-poly1305\"],\"version\":\"3\"}}",
                 "pw", COV_ERR_PARSE, "bytes");
    expect_error("[]", "pw", COV_ERR_PARSE, "not a polkadot-js key export");
    free(copy);
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_alice),
        cmocka_unit_test(test_rejects),
    };
    if (cov_crypto_init(NULL) != COV_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
