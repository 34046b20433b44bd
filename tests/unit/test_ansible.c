/* AES-256 and CTR against the FIPS/NIST vectors, and Ansible Vault 1.1
 * against files written by bittensor-wallet and by ansible-core, plus the
 * damaged and hostile files a reader must refuse without crashing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_helpers.h"
#include <sodium.h>

#include "wallet/internal.h"

#define FIXTURE_PASSWORD "covenant-test"
/* The salt inside ansible_keyfile.vault, so re-encrypting must give the
 * file byte for byte. */
#define FIXTURE_SALT \
    "1b5761f7fade5c7367f6b2aeb8d30529e34319611a4dd1de6b9cf4308282f53d"


static uint8_t *read_fixture(const char *name, size_t *len)
{
    const char *dir = getenv("COVENANT_TEST_VECTORS");
    assert_non_null(dir);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open fixture %s", path);
    uint8_t *data = malloc(1 << 16);
    assert_non_null(data);
    *len = fread(data, 1, 1 << 16, f);
    fclose(f);
    return data;
}

/* -------------------------------------------------------------- AES */

static void test_aes_fips197(void **state)
{
    (void)state;
    /* FIPS-197 appendix C.3: one block is CTR over zeros with the plaintext
     * as counter. */
    uint8_t key[32], pt[16], zero[16] = {0}, out[16];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    assert_int_equal(cov_hex_decode(pt, 16, "00112233445566778899aabbccddeeff",
                                    NULL),
                     COV_OK);
    cov_aes256_ctr(out, zero, 16, key, pt);
    expect_hex(out, 16, "8ea2b7ca516745bfeafc49904b496089");
}

static void test_aes_ctr_sp800_38a(void **state)
{
    (void)state;
    /* NIST SP 800-38A F.5.5 CTR-AES256.Encrypt (F.5.6 decrypts the same). */
    uint8_t key[32], iv[16], pt[64], ct[64], back[64];
    assert_int_equal(cov_hex_decode(key, 32,
                                    "603deb1015ca71be2b73aef0857d7781"
                                    "1f352c073b6108d72d9810a30914dff4",
                                    NULL),
                     COV_OK);
    assert_int_equal(cov_hex_decode(iv, 16, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
                                    NULL),
                     COV_OK);
    assert_int_equal(cov_hex_decode(pt, 64,
                                    "6bc1bee22e409f96e93d7e117393172a"
                                    "ae2d8a571e03ac9c9eb76fac45af8e51"
                                    "30c81c46a35ce411e5fbc1191a0a52ef"
                                    "f69f2445df4f9b17ad2b417be66c3710",
                                    NULL),
                     COV_OK);
    cov_aes256_ctr(ct, pt, 64, key, iv);
    expect_hex(ct, 32, "601ec313775789a5b7a7f504bbf3d228"
                       "f443e3ca4d62b59aca84e990cacaf5c5");
    expect_hex(ct + 32, 32, "2b0930daa23de94ce87017ba2d84988d"
                            "dfc9c58db67aada613c2dd08457941a6");
    cov_aes256_ctr(back, ct, 64, key, iv);
    assert_memory_equal(back, pt, 64);

    /* In place, and a partial last block. */
    memcpy(back, pt, 64);
    cov_aes256_ctr(back, back, 37, key, iv);
    assert_memory_equal(back, ct, 37);
    assert_memory_equal(back + 37, pt + 37, 27);
}

static void test_aes_ctr_carry(void **state)
{
    (void)state;
    /* The counter is one 128-bit integer: the carry crosses the 64-bit
     * halves, and ff..ff wraps to zero. Expected values from Python
     * cryptography's modes.CTR. */
    uint8_t key[32], iv[16], zero[40] = {0}, out[40];
    assert_int_equal(cov_hex_decode(key, 32,
                                    "603deb1015ca71be2b73aef0857d7781"
                                    "1f352c073b6108d72d9810a30914dff4",
                                    NULL),
                     COV_OK);
    assert_int_equal(cov_hex_decode(iv, 16, "00ffffffffffffffffffffffffffffff",
                                    NULL),
                     COV_OK);
    cov_aes256_ctr(out, zero, 40, key, iv);
    expect_hex(out, 40, "eafa03d43089d66945030207dc17382d"
                        "63bf4feec619cf9dd1407170575e254c"
                        "f94dfd100522041a");
    memset(iv, 0xff, 16);
    cov_aes256_ctr(out, zero, 32, key, iv);
    expect_hex(out, 32, "3b3c2921c85a24de9ac606ce6d1d60cc"
                        "e568f68194cf76d6174d4cc04310a854");
}

/* ---------------------------------------------------- vault fixtures */

static void test_decrypt_btwallet_fixture(void **state)
{
    (void)state;
    size_t vault_len, json_len, out_len;
    uint8_t *vault = read_fixture("ansible_keyfile.vault", &vault_len);
    uint8_t *json = read_fixture("ansible_keyfile.json", &json_len);
    uint8_t *out;
    cov_err err;
    assert_int_equal(cov_ansible_vault_decrypt(&out, &out_len, vault,
                                               vault_len, FIXTURE_PASSWORD,
                                               &err),
                     COV_OK);
    assert_int_equal(out_len, json_len);
    assert_memory_equal(out, json, json_len);
    assert_int_equal(out[out_len], '\0');
    sodium_free(out);

    assert_int_equal(cov_ansible_vault_decrypt(&out, &out_len, vault,
                                               vault_len, "covenant-tesT",
                                               &err),
                     COV_ERR_PASSWORD);
    assert_null(out);
    assert_string_equal(err.msg, "wrong password (or the keyfile is corrupt)");
    assert_int_equal(cov_ansible_vault_decrypt(&out, &out_len, vault,
                                               vault_len, "", &err),
                     COV_ERR_PASSWORD);
    assert_int_equal(cov_ansible_vault_decrypt(&out, &out_len, vault,
                                               vault_len, NULL, &err),
                     COV_ERR_PASSWORD);
    free(vault);
    free(json);
}

static void test_decrypt_ansible_core_fixture(void **state)
{
    (void)state;
    /* ansible-vault 2.19 with --vault-id: a 1.2 header and a plaintext of
     * two whole blocks, so the padding is a full block. */
    size_t len, out_len;
    uint8_t *vault = read_fixture("ansible_core_v12.vault", &len);
    uint8_t *out;
    assert_int_equal(cov_ansible_vault_decrypt(&out, &out_len, vault, len,
                                               "ansible-core-pw", NULL),
                     COV_OK);
    assert_int_equal(out_len, 32);
    assert_string_equal((char *)out, "0123456789abcdef0123456789abcdef");
    sodium_free(out);
    free(vault);
}

static void test_encrypt_matches_fixture(void **state)
{
    (void)state;
    size_t vault_len, json_len;
    uint8_t *vault = read_fixture("ansible_keyfile.vault", &vault_len);
    uint8_t *json = read_fixture("ansible_keyfile.json", &json_len);
    uint8_t salt[32];
    assert_int_equal(cov_hex_decode(salt, 32, FIXTURE_SALT, NULL), COV_OK);
    char *text;
    assert_int_equal(cov_ansible_vault_encrypt(&text, json, json_len,
                                               FIXTURE_PASSWORD, salt, NULL),
                     COV_OK);
    assert_int_equal(strlen(text), vault_len);
    assert_memory_equal(text, vault, vault_len);
    free(text);
    free(vault);
    free(json);
}

static void test_roundtrip(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 15, 16, 17, 39, 40, 41, 300};
    uint8_t plain[300], salt[32];
    randombytes_buf(plain, sizeof plain);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        randombytes_buf(salt, sizeof salt);
        char *text;
        uint8_t *out;
        size_t out_len;
        assert_int_equal(cov_ansible_vault_encrypt(&text, plain, sizes[i],
                                                   "pw", salt, NULL),
                         COV_OK);
        for (const char *line = strchr(text, '\n') + 1; *line;) {
            const char *end = strchr(line, '\n');
            assert_non_null(end);
            assert_true(end - line <= 80);
            line = end + 1;
        }
        assert_int_equal(cov_ansible_vault_decrypt(&out, &out_len,
                                                   (const uint8_t *)text,
                                                   strlen(text), "pw", NULL),
                         COV_OK);
        assert_int_equal(out_len, sizes[i]);
        if (sizes[i])
            assert_memory_equal(out, plain, sizes[i]);
        assert_int_equal(out[out_len], '\0');
        sodium_free(out);
        free(text);
    }
}

/* --------------------------------------------------- damaged input */

/* A vault around arbitrary inner text, on one unwrapped line. */
static char *wrap_inner(const char *inner)
{
    size_t n = strlen(inner);
    char *text = malloc(32 + 2 * n + n / 40 + 2);
    assert_non_null(text);
    char *at = text + sprintf(text, "$ANSIBLE_VAULT;1.1;AES256\n");
    cov_hex_encode(at, (const uint8_t *)inner, n);
    strcat(at, "\n");
    return text;
}

static cov_status decrypt_text(const char *text, const char *password,
                               cov_err *err)
{
    uint8_t *out = (uint8_t *)"unchanged";
    size_t out_len = 7;
    cov_status st = cov_ansible_vault_decrypt(
        &out, &out_len, (const uint8_t *)text, strlen(text), password, err);
    if (st == COV_OK) {
        sodium_free(out);
    } else {
        assert_null(out);
        assert_int_equal(out_len, 0);
    }
    return st;
}

static void expect_inner_error(const char *inner, cov_status code,
                               const char *msg)
{
    char *text = wrap_inner(inner);
    cov_err err;
    assert_int_equal(decrypt_text(text, "pw", &err), code);
    assert_non_null(strstr(err.msg, msg));
    free(text);
}

static void test_every_truncation_fails(void **state)
{
    (void)state;
    size_t len;
    uint8_t *vault = read_fixture("ansible_keyfile.vault", &len);
    for (size_t cut = 0; cut < len - 1; cut++) {
        uint8_t *out = NULL;
        size_t out_len;
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, vault, cut);
        cov_err err;
        cov_status st = cov_ansible_vault_decrypt(&out, &out_len, copy, cut,
                                                  FIXTURE_PASSWORD, &err);
        assert_int_not_equal(st, COV_OK);
        assert_true(err.msg[0] != '\0');
        free(copy);
    }
    free(vault);
}

static void test_tampering_fails(void **state)
{
    (void)state;
    size_t len;
    uint8_t *vault = read_fixture("ansible_keyfile.vault", &len);
    uint8_t *out;
    size_t out_len;
    cov_err err;

    /* The file ends in "62\n", the inner digit 'b'; making it "61" ('a')
     * changes the ciphertext, which fails the HMAC like a wrong password. */
    assert_memory_equal(vault + len - 3, "62\n", 3);
    vault[len - 2] = '1';
    assert_int_equal(cov_ansible_vault_decrypt(&out, &out_len, vault, len,
                                               FIXTURE_PASSWORD, &err),
                     COV_ERR_PASSWORD);
    vault[len - 2] = '2';

    vault[100] = 'g';
    assert_int_equal(cov_ansible_vault_decrypt(&out, &out_len, vault, len,
                                               FIXTURE_PASSWORD, &err),
                     COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "non-hex character on line 2"));
    vault[100] = '\0';
    assert_int_equal(cov_ansible_vault_decrypt(&out, &out_len, vault, len,
                                               FIXTURE_PASSWORD, &err),
                     COV_ERR_PARSE);
    free(vault);
}

static void test_headers(void **state)
{
    (void)state;
    cov_err err;
    assert_int_equal(decrypt_text("", "pw", &err), COV_ERR_PARSE);
    assert_int_equal(decrypt_text("{\"secretPhrase\": 1}", "pw", &err),
                     COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "not an Ansible Vault"));
    assert_int_equal(decrypt_text("$ANSIBLE_VAULT;1.1;AES256", "pw", &err),
                     COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "truncated"));
    assert_int_equal(decrypt_text("$ANSIBLE_VAULT;1.1;AES256\n", "pw", &err),
                     COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "no body"));
    assert_int_equal(decrypt_text("$ANSIBLE_VAULT;1.1;AES256\n\n\n", "pw", &err),
                     COV_ERR_PARSE);
    assert_int_equal(decrypt_text("$ANSIBLE_VAULT\n3030\n", "pw", &err),
                     COV_ERR_PARSE);
    assert_int_equal(decrypt_text("$ANSIBLE_VAULTX;1.1;AES256\n3030\n", "pw",
                                  &err),
                     COV_ERR_PARSE);
    assert_int_equal(decrypt_text("$ANSIBLE_VAULT;2.0;AES256\n3030\n", "pw",
                                  &err),
                     COV_ERR_UNSUPPORTED);
    assert_int_equal(decrypt_text("$ANSIBLE_VAULT;1.1;AES128\n3030\n", "pw",
                                  &err),
                     COV_ERR_UNSUPPORTED);
    assert_int_equal(decrypt_text("$ANSIBLE_VAULT;1.1;AES256\n303\n", "pw",
                                  &err),
                     COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "odd number"));
}

static void test_inner_structure(void **state)
{
    (void)state;
    const char *salt = FIXTURE_SALT;
    const char *hmac =
        "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    char inner[512];

    snprintf(inner, sizeof inner, "%s\n%s", salt, hmac);
    expect_inner_error(inner, COV_ERR_PARSE, "salt, HMAC and ciphertext");
    expect_inner_error(salt, COV_ERR_PARSE, "salt, HMAC and ciphertext");
    snprintf(inner, sizeof inner, "%s\n%s\n", salt, hmac);
    expect_inner_error(inner, COV_ERR_PARSE, "whole number of AES blocks");
    snprintf(inner, sizeof inner, "%s\n%s\n%031x", salt, hmac, 0);
    expect_inner_error(inner, COV_ERR_PARSE, "whole number of AES blocks");
    snprintf(inner, sizeof inner, "%s\n%s\n%032x\n", salt, hmac, 0);
    expect_inner_error(inner, COV_ERR_PARSE, "whole number of AES blocks");
    snprintf(inner, sizeof inner, "%s\n%s\n%031xg", salt, hmac, 0);
    expect_inner_error(inner, COV_ERR_PARSE, "ciphertext is not valid hex");
    snprintf(inner, sizeof inner, "%s\n%.62s\n%032x", salt, hmac, 0);
    expect_inner_error(inner, COV_ERR_PARSE, "HMAC has 62 hex digits");
    snprintf(inner, sizeof inner, "%s\n%.63sz\n%032x", salt, hmac, 0);
    expect_inner_error(inner, COV_ERR_PARSE, "HMAC is not valid hex");
    snprintf(inner, sizeof inner, "abc\n%s\n%032x", hmac, 0);
    expect_inner_error(inner, COV_ERR_PARSE, "salt is not valid hex");
    /* Well formed but not authentic. */
    snprintf(inner, sizeof inner, "%s\n%s\n%032x", salt, hmac, 0);
    expect_inner_error(inner, COV_ERR_PASSWORD, "wrong password");
}

/* An authentic vault whose padding is wrong: the reader must refuse it
 * after the HMAC passes instead of returning garbage. */
static void test_bad_padding(void **state)
{
    (void)state;
    static const uint8_t bad_pads[][16] = {
        {[15] = 0},
        {[15] = 17},
        {[14] = 3, [15] = 2},
        {[0] = 0x0f, [14] = 0x10, [15] = 0x10},
    };
    uint8_t salt[32], derived[80], ct[16], hmac[32];
    memset(salt, 7, sizeof salt);
    cov_pbkdf2_sha256(derived, 80, (const uint8_t *)"pw", 2, salt, 32, 10000);
    for (size_t i = 0; i < sizeof bad_pads / sizeof bad_pads[0]; i++) {
        cov_aes256_ctr(ct, bad_pads[i], 16, derived, derived + 64);
        cov_hmac_sha256(hmac, derived + 32, 32, ct, 16);
        char salt_hex[65], hmac_hex[65], ct_hex[33], inner[256];
        cov_hex_encode(salt_hex, salt, 32);
        cov_hex_encode(hmac_hex, hmac, 32);
        cov_hex_encode(ct_hex, ct, 16);
        snprintf(inner, sizeof inner, "%s\n%s\n%s", salt_hex, hmac_hex, ct_hex);
        expect_inner_error(inner, COV_ERR_PARSE, "invalid padding");
    }
}

static void test_too_big(void **state)
{
    (void)state;
    size_t len = (1u << 20) + 1;
    uint8_t *big = malloc(len), *out;
    size_t out_len;
    assert_non_null(big);
    memset(big, '0', len);
    memcpy(big, "$ANSIBLE_VAULT;1.1;AES256\n", 26);
    cov_err err;
    assert_int_equal(cov_ansible_vault_decrypt(&out, &out_len, big, len, "pw",
                                               &err),
                     COV_ERR_TOO_BIG);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aes_fips197),
        cmocka_unit_test(test_aes_ctr_sp800_38a),
        cmocka_unit_test(test_aes_ctr_carry),
        cmocka_unit_test(test_decrypt_btwallet_fixture),
        cmocka_unit_test(test_decrypt_ansible_core_fixture),
        cmocka_unit_test(test_encrypt_matches_fixture),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_every_truncation_fails),
        cmocka_unit_test(test_tampering_fails),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_inner_structure),
        cmocka_unit_test(test_bad_padding),
        cmocka_unit_test(test_too_big),
    };
    if (cov_crypto_init(NULL) != COV_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
