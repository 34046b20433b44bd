/* wallet/keyfile_json.c and keyfile_crypto.c: the keyfile JSON in every
 * layout btwallet and the old Python SDK wrote, "$NACL" encryption against
 * the research notes' vectors (§1.8), format detection, and the damaged,
 * inconsistent and unsupported files a reader must refuse.
 *
 * The argon2i KDF costs about 3 s and 512 MiB, so it runs once, in the
 * group setup, and every vector reuses its key.
 *
 * Provenance of the constants:
 * - The "$NACL" vectors and the 553-byte plaintext are the notes' §1.8
 *   (libsodium 1.0.18 and libsodium.js); they were re-checked with PyNaCl:
 *   nacl.pwhash.argon2i.kdf(32, b"bittensor", salt, opslimit=8,
 *   memlimit=536870912) and nacl.secret.SecretBox(key).decrypt/encrypt.
 * - The btwallet JSON files were written by bittensor-wallet 4.1.1 (PyPI):
 *   bittensor_wallet.keyfile.serialized_keypair_to_keyfile_data(
 *       Keypair.create_from_mnemonic(OLD_LEOPARD)) (and from_private_key,
 *   ss58_address=, create_from_seed(seed.hex()) for the secretSeed quirk).
 *   The public keys for the quirk seeds were checked with
 *   sr25519.pair_from_seed (py-sr25519-bindings). btwallet 4.1.1 itself
 *   cannot read its quirk files back (it hex-decodes the raw bytes).
 */
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

#define OLD_LEOPARD \
    "old leopard transfer rib spatial phone calm indicate online fire caution review"
#define OL_PUB "e4359ad3e2716c539a1d663ebd0a51bdc5c98a12e663bb4c4402db47828c9446"
#define OL_SS58 "5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX"
#define OL_PRIV                                                        \
    "1f1995bdf3a17b60626a26cfe6f564b337d46056b7a1281b64c649d592ccda0a" \
    "9cffd34d9fb01cae1fba61aeed184c817442a2186d5172416729a4b54dd4b84e"
#define OL_SEED "da3cf5b1e9144931a0f0db65664aab662673b099415a7f8121b7245fb0be4143"
#define ALICE_PUB "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
#define ALICE_SS58 "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
#define DEV_PRIV                                                       \
    "05d65584630d16cd4af6d0bec10f34bb504a5dcb62dba2122d49f5a663763d0a" \
    "fd190cce74df356432b410bd64682309d6dedb27c76845daf388557cbac3ca34"
#define DEV_PUB "46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a"

/* The notes' realistic keyfile: what covenant's serialiser must write for
 * the old-leopard mnemonic, byte for byte (553 bytes, no newline). */
static const char OL_KEYFILE[] =
    "{\"accountId\":\"0x" OL_PUB "\",\"publicKey\":\"0x" OL_PUB
    "\",\"privateKey\":\"0x" OL_PRIV "\",\"secretPhrase\":\"" OLD_LEOPARD
    "\",\"secretSeed\":\"0x" OL_SEED "\",\"ss58Address\":\"" OL_SS58 "\"}";

/* OL_KEYFILE encrypted with password "bittensor" and nonce 00..17. */
static const char OL_NACL_HEX[] =
    "244e41434c000102030405060708090a0b0c0d0e0f1011121314151617a9c41f153fecd91da0528a6c0c96db393c929b7fb7"
    "29fb91da75ad6791e5360a34063da88fa41d34b361879f92a1dd4fef22f80cbf235af34b6143ba530104cad665cda70d9f7b"
    "15ae298f8a2d4decd28772e72ebc757df61d83e3cc5896cd54a04222e4d7b4a2b796447afa19df529f80ffd738d6f33c6e13"
    "ed14f9fe492a14a8657936d3ff1a5e0dc33ec75cebe3fbd7f49b584a220ba47c7f1922293403e2d711655848a5a46e477118"
    "f48c33c181860a1229f67e18dcf98f27c3b0339f445e288a37ac74a62e59e7a56fd1bc97f06adcc73c08cb5f8ac2510d665a"
    "ea55fd95d6e6f18062ab92c7e476c65e93d51483667a833443e0bc716e097415fae02eccc4b6c72591ce5a5fc43c8f6160ff"
    "6781a4c050a27f5aa304c191e76c494551ad2a298171f77f48ffab3f970da8dde86c855d05ea421f4f9206461840abd1fbce"
    "627ddffeed49487888e53245e31d693ec1b824d0222a6bc0ee5b938db930fb692ec6ccfabc76f7d76a0dc1923144ba77dc0e"
    "50f11ae0332e559eb9526c9c8e086eae813538891d036cb4577dfb3748866158391ca8eeeb855e05bd9f363ff6e9cc88472d"
    "b834a8cf56fc28a7a5dce847f97ec671f051caae3f191a252d7fc961a54817210e6e70d293878d7c9e1002b53b021daa4cfd"
    "afb04b2480734f3f9255e17b9ebbeacde78eabaffe738617914447c61950b4fd9df0543394729dfb3a503cc3b9558f66e515"
    "8a4e42d771e22a287968a4ca8e910c673a0ec48680685d10909f7bae89567aac513e965061b91e2066201570198013df";

static const char SMALL_PLAIN[] = "{\"accountId\": \"0x00\"}";
static const char SMALL_NACL_HEX[] =
    "244e41434c000102030405060708090a0b0c0d0e0f1011121314151617"
    "50a79166f448c021bfb8eccce2bcf2cb3c929b7fb729fb91da75ad6791e7244229023ebfcb";

static uint8_t nacl_key[32]; /* argon2i("bittensor"), set by the setup */

static int derive_key_once(void **state)
{
    (void)state;
    cov_err err;
    if (cov_keyfile_nacl_key(nacl_key, "bittensor", &err) != COV_OK) {
        fprintf(stderr, "argon2i failed: %s\n", err.msg);
        return -1;
    }
    return 0;
}


static uint8_t *unhex_alloc(const char *hex, size_t *len)
{
    uint8_t *out = NULL;
    assert_int_equal(cov_hex_decode_alloc(&out, len, hex, 4096, NULL), COV_OK);
    return out;
}


static cov_keypair *parse_ok(const char *json)
{
    cov_keypair *kp = NULL;
    cov_err err;
    cov_status st = cov_keyfile_parse(&kp, (const uint8_t *)json, strlen(json), &err);
    if (st != COV_OK)
        fail_msg("parse failed (%s): %s\n%s", cov_status_name(st), err.msg, json);
    assert_non_null(kp);
    assert_int_equal(cov_keypair_type(kp), COV_KEY_SR25519);
    return kp;
}

static cov_status parse_status_len(const char *json, size_t len)
{
    cov_keypair *kp = (cov_keypair *)1;
    cov_err err;
    cov_err_clear(&err);
    cov_status st = cov_keyfile_parse(&kp, (const uint8_t *)json, len, &err);
    assert_int_equal(err.code, st);
    if (st == COV_OK) {
        cov_keypair_free(kp);
    } else {
        assert_null(kp);
        assert_true(err.msg[0] != '\0');
    }
    return st;
}

static cov_status parse_status(const char *json)
{
    return parse_status_len(json, strlen(json));
}

static void expect_pub(const cov_keypair *kp, const char *want_hex)
{
    uint8_t pub[COV_PUBKEY_MAX];
    size_t n = cov_keypair_public(kp, pub);
    assert_int_equal(n, 32);
    expect_hex(pub, 32, want_hex);
}

/* ------------------------------------------------------------ $NACL */

static void test_nacl_key(void **state)
{
    (void)state;
    expect_hex(nacl_key, 32,
               "6c2496171259d0d19a5d0327b0c47d205c7393487a78cb2d56d0d13b79798df2");
    uint8_t key[32];
    assert_int_equal(cov_keyfile_nacl_key(key, NULL, NULL), COV_ERR_ARG);
}

static void test_nacl_small_vector(void **state)
{
    (void)state;
    uint8_t nonce[24];
    for (int i = 0; i < 24; i++)
        nonce[i] = (uint8_t)i;
    uint8_t *out = NULL;
    size_t out_len = 0;
    assert_int_equal(cov_keyfile_encrypt_with_key(&out, &out_len,
                                                  (const uint8_t *)SMALL_PLAIN,
                                                  strlen(SMALL_PLAIN), nacl_key,
                                                  nonce, NULL),
                     COV_OK);
    assert_int_equal(out_len, 5 + 24 + 16 + strlen(SMALL_PLAIN));
    expect_hex(out, out_len, SMALL_NACL_HEX);
    assert_int_equal(cov_keyfile_detect(out, out_len), COV_KEYFILE_NACL);
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    assert_int_equal(cov_keyfile_decrypt_with_key(&plain, &plain_len, out,
                                                  out_len, nacl_key, NULL),
                     COV_OK);
    assert_int_equal(plain_len, strlen(SMALL_PLAIN));
    assert_memory_equal(plain, SMALL_PLAIN, plain_len);
    assert_int_equal(plain[plain_len], '\0');
    sodium_free(plain);
    free(out);
}

static void test_nacl_realistic_vector(void **state)
{
    (void)state;
    size_t len;
    uint8_t *file = unhex_alloc(OL_NACL_HEX, &len);
    assert_int_equal(len, 598);
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    assert_int_equal(cov_keyfile_decrypt_with_key(&plain, &plain_len, file, len,
                                                  nacl_key, NULL),
                     COV_OK);
    assert_int_equal(plain_len, 553);
    assert_int_equal(strlen(OL_KEYFILE), 553);
    assert_memory_equal(plain, OL_KEYFILE, 553);

    /* The plaintext parses into the old-leopard key... */
    cov_keypair *kp = NULL;
    assert_int_equal(cov_keyfile_parse(&kp, plain, plain_len, NULL), COV_OK);
    expect_pub(kp, OL_PUB);
    assert_string_equal(cov_keypair_mnemonic(kp), OLD_LEOPARD);
    cov_keypair_free(kp);
    sodium_free(plain);

    /* ...and the same key, made from its words, serialises to exactly it
     * and encrypts to exactly the file. */
    assert_int_equal(cov_keypair_from_mnemonic(&kp, OLD_LEOPARD, NULL,
                                               COV_KEY_SR25519, NULL),
                     COV_OK);
    char *json = NULL;
    size_t json_len = 0;
    assert_int_equal(cov_keyfile_serialize(&json, &json_len, kp, false, NULL), COV_OK);
    assert_int_equal(json_len, 553);
    assert_string_equal(json, OL_KEYFILE);
    uint8_t nonce[24], *enc = NULL;
    size_t enc_len = 0;
    for (int i = 0; i < 24; i++)
        nonce[i] = (uint8_t)i;
    assert_int_equal(cov_keyfile_encrypt_with_key(&enc, &enc_len,
                                                  (const uint8_t *)json, json_len,
                                                  nacl_key, nonce, NULL),
                     COV_OK);
    assert_int_equal(enc_len, 598);
    assert_memory_equal(enc, file, 598);
    free(enc);
    sodium_free(json);
    cov_keypair_free(kp);
    free(file);
}

static void test_nacl_random_nonce(void **state)
{
    (void)state;
    uint8_t *a = NULL, *b = NULL;
    size_t a_len, b_len;
    const uint8_t *msg = (const uint8_t *)OL_KEYFILE;
    assert_int_equal(cov_keyfile_encrypt_with_key(&a, &a_len, msg, 553, nacl_key,
                                                  NULL, NULL),
                     COV_OK);
    assert_int_equal(cov_keyfile_encrypt_with_key(&b, &b_len, msg, 553, nacl_key,
                                                  NULL, NULL),
                     COV_OK);
    assert_int_equal(a_len, 598);
    assert_int_equal(b_len, 598);
    assert_memory_not_equal(a + 5, b + 5, 24); /* fresh nonces */
    uint8_t *plain;
    size_t plain_len;
    assert_int_equal(cov_keyfile_decrypt_with_key(&plain, &plain_len, b, b_len,
                                                  nacl_key, NULL),
                     COV_OK);
    assert_memory_equal(plain, OL_KEYFILE, 553);
    sodium_free(plain);
    free(a);
    free(b);
}

static void test_nacl_decrypt_errors(void **state)
{
    (void)state;
    size_t len;
    uint8_t *file = unhex_alloc(OL_NACL_HEX, &len);
    uint8_t *plain = (uint8_t *)1;
    size_t plain_len = 0;
    cov_err err;
    /* A wrong key. */
    uint8_t wrong[32];
    memcpy(wrong, nacl_key, 32);
    wrong[31] ^= 1;
    assert_int_equal(cov_keyfile_decrypt_with_key(&plain, &plain_len, file, len,
                                                  wrong, &err),
                     COV_ERR_PASSWORD);
    assert_int_equal(err.code, COV_ERR_PASSWORD);
    assert_null(plain);
    /* A flipped ciphertext, MAC or nonce byte. */
    static const size_t positions[] = {5, 28, 29, 44, 45, 300, 597};
    for (size_t i = 0; i < sizeof positions / sizeof positions[0]; i++) {
        file[positions[i]] ^= 0x40;
        assert_int_equal(cov_keyfile_decrypt_with_key(&plain, &plain_len, file,
                                                      len, nacl_key, &err),
                         COV_ERR_PASSWORD);
        file[positions[i]] ^= 0x40;
    }
    /* Truncated: anywhere shorter than header + MAC is a parse error,
     * longer ones fail authentication. */
    static const size_t cuts[] = {0, 4, 5, 6, 28, 29, 44};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        cov_status st = cov_keyfile_decrypt_with_key(&plain, &plain_len, file,
                                                     cuts[i], nacl_key, &err);
        assert_int_equal(st, COV_ERR_PARSE);
    }
    assert_int_equal(cov_keyfile_decrypt_with_key(&plain, &plain_len, file, 45,
                                                  nacl_key, &err),
                     COV_ERR_PASSWORD);
    assert_int_equal(cov_keyfile_decrypt_with_key(&plain, &plain_len, file, 597,
                                                  nacl_key, &err),
                     COV_ERR_PASSWORD);
    /* Not $NACL at all. */
    assert_int_equal(cov_keyfile_decrypt_with_key(&plain, &plain_len,
                                                  (const uint8_t *)OL_KEYFILE, 553,
                                                  nacl_key, &err),
                     COV_ERR_PARSE);
    free(file);
}

/* cov_keyfile_decrypt dispatch; none of these reach the KDF. */
static void test_decrypt_dispatch(void **state)
{
    (void)state;
    size_t len;
    uint8_t *file = unhex_alloc(OL_NACL_HEX, &len);
    uint8_t *plain = (uint8_t *)1;
    size_t plain_len = 0;
    cov_err err;
    /* Encrypted, no password. */
    assert_int_equal(cov_keyfile_decrypt(&plain, &plain_len, file, len, NULL, &err),
                     COV_ERR_PASSWORD);
    assert_null(plain);
    static const char vault[] = "$ANSIBLE_VAULT;1.1;AES256\n3131\n";
    assert_int_equal(cov_keyfile_decrypt(&plain, &plain_len, (const uint8_t *)vault,
                                         strlen(vault), NULL, &err),
                     COV_ERR_PASSWORD);
    /* Fernet is refused whatever the password. */
    static const char fernet[] = "gAAAAABfakefakefakefakefakefakefake==";
    assert_int_equal(cov_keyfile_decrypt(&plain, &plain_len, (const uint8_t *)fernet,
                                         strlen(fernet), "pw", &err),
                     COV_ERR_UNSUPPORTED);
    assert_int_equal(err.code, COV_ERR_UNSUPPORTED);
    assert_int_equal(cov_keyfile_decrypt(&plain, &plain_len, (const uint8_t *)fernet,
                                         strlen(fernet), NULL, &err),
                     COV_ERR_UNSUPPORTED);
    /* Plain JSON comes back as a NUL-terminated copy, password or not. */
    assert_int_equal(cov_keyfile_decrypt(&plain, &plain_len,
                                         (const uint8_t *)OL_KEYFILE, 553, NULL, &err),
                     COV_OK);
    assert_int_equal(plain_len, 553);
    assert_string_equal((const char *)plain, OL_KEYFILE);
    sodium_free(plain);
    assert_int_equal(cov_keyfile_decrypt(&plain, &plain_len,
                                         (const uint8_t *)OL_KEYFILE, 553, "x", &err),
                     COV_OK);
    sodium_free(plain);
    free(file);
}

/* The legacy Ansible Vault fixture through the general entry point (its
 * PBKDF2 is cheap). */
static void test_decrypt_ansible_fixture(void **state)
{
    (void)state;
    const char *dir = getenv("COVENANT_TEST_VECTORS");
    assert_non_null(dir);
    char path[4096];
    snprintf(path, sizeof path, "%s/ansible_keyfile.vault", dir);
    uint8_t *data;
    size_t len;
    assert_int_equal(cov_file_read(&data, &len, path, 1 << 16, false, NULL), COV_OK);
    assert_int_equal(cov_keyfile_detect(data, len), COV_KEYFILE_ANSIBLE);
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    assert_int_equal(cov_keyfile_decrypt(&plain, &plain_len, data, len,
                                         "covenant-test", NULL),
                     COV_OK);
    assert_int_equal(plain_len, 553);
    assert_memory_equal(plain, OL_KEYFILE, 553);
    sodium_free(plain);
    assert_int_equal(cov_keyfile_decrypt(&plain, &plain_len, data, len,
                                         "covenant-tesT", NULL),
                     COV_ERR_PASSWORD);
    free(data);
    /* The plaintext fixture is the same 553 bytes. */
    snprintf(path, sizeof path, "%s/ansible_keyfile.json", dir);
    assert_int_equal(cov_file_read(&data, &len, path, 1 << 16, false, NULL), COV_OK);
    assert_int_equal(len, 553);
    assert_memory_equal(data, OL_KEYFILE, 553);
    free(data);
}

static void test_detect(void **state)
{
    (void)state;
    static const struct {
        const char *data;
        cov_keyfile_format want;
        const char *name;
    } cases[] = {
        {"$NACL\x01\x02", COV_KEYFILE_NACL, "nacl"},
        {"$NACL", COV_KEYFILE_NACL, "nacl"},
        {"$NAC", COV_KEYFILE_PLAIN, "plain"},
        {"$nacl....", COV_KEYFILE_PLAIN, "plain"},
        {"$ANSIBLE_VAULT;1.1;AES256\n", COV_KEYFILE_ANSIBLE, "ansible-vault"},
        {"$ANSIBLE_VAULT;1.2;AES256;id\n", COV_KEYFILE_ANSIBLE, "ansible-vault"},
        {"gAAAAABk", COV_KEYFILE_FERNET, "fernet"},
        {"gAAAA", COV_KEYFILE_PLAIN, "plain"},
        {"{\"accountId\":\"0x00\"}", COV_KEYFILE_PLAIN, "plain"},
        {"", COV_KEYFILE_PLAIN, "plain"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cov_keyfile_format f = cov_keyfile_detect((const uint8_t *)cases[i].data,
                                                  strlen(cases[i].data));
        assert_int_equal(f, cases[i].want);
        assert_string_equal(cov_keyfile_format_name(f), cases[i].name);
    }
    assert_string_equal(cov_keyfile_format_name((cov_keyfile_format)99), "unknown");
}

/* ------------------------------------------------------------- parse */

static void test_parse_btwallet_layouts(void **state)
{
    (void)state;
    /* bittensor-wallet 4.1.1's own output: HashMap order, cryptoType. */
    static const char *const files[] = {
        "{\"ss58Address\":\"" OL_SS58 "\",\"publicKey\":\"0x" OL_PUB
        "\",\"privateKey\":\"0x" OL_PRIV "\",\"secretPhrase\":\"" OLD_LEOPARD
        "\",\"accountId\":\"0x" OL_PUB "\",\"cryptoType\":1,\"secretSeed\":\"0x" OL_SEED
        "\"}",
        /* Keys in yet another order, whitespace and a trailing newline. */
        "{\n  \"secretSeed\" : \"0x" OL_SEED "\",\n  \"accountId\": \"0x" OL_PUB
        "\",\n  \"secretPhrase\": \"" OLD_LEOPARD "\",\n  \"ss58Address\": \"" OL_SS58
        "\",\n  \"privateKey\": \"0x" OL_PRIV "\",\n  \"publicKey\": \"0x" OL_PUB
        "\"\n}\n",
        /* The old Python SDK: json.dumps with ", "/": " and its order. */
        "{\"accountId\": \"0x" OL_PUB "\", \"publicKey\": \"0x" OL_PUB
        "\", \"privateKey\": \"0x" OL_PRIV "\", \"secretPhrase\": \"" OLD_LEOPARD
        "\", \"secretSeed\": \"0x" OL_SEED "\", \"ss58Address\": \"" OL_SS58 "\"}",
        /* Upper-case hex. */
        ("{\"secretSeed\":\"0xDA3CF5B1E9144931A0F0DB65664AAB662673B099415A7F8121B7245FB0BE4143\","
         "\"publicKey\":\"0xE4359AD3E2716C539A1D663EBD0A51BDC5C98A12E663BB4C4402DB47828C9446\"}"),
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        cov_keypair *kp = parse_ok(files[i]);
        expect_pub(kp, OL_PUB);
        assert_true(cov_keypair_has_secret(kp));
        uint8_t secret[64];
        assert_true(cov_keypair_sr25519_secret(kp, secret));
        expect_hex(secret, 64, OL_PRIV);
        cov_keypair_free(kp);
    }
}

static void test_parse_old_python_nulls(void **state)
{
    (void)state;
    /* A key made from a private key: no phrase, no seed. */
    cov_keypair *kp = parse_ok(
        "{\"accountId\": \"0x" OL_PUB "\", \"publicKey\": \"0x" OL_PUB
        "\", \"privateKey\": \"0x" OL_PRIV "\", \"secretPhrase\": null, "
        "\"secretSeed\": null, \"ss58Address\": \"" OL_SS58 "\"}");
    expect_pub(kp, OL_PUB);
    assert_true(cov_keypair_has_secret(kp));
    assert_null(cov_keypair_mnemonic(kp));
    uint8_t seed[32];
    assert_false(cov_keypair_seed(kp, seed));
    cov_keypair_free(kp);
    /* A public file as Python wrote it. */
    kp = parse_ok("{\"accountId\": \"0x" ALICE_PUB "\", \"publicKey\": \"0x" ALICE_PUB
                  "\", \"privateKey\": null, \"secretPhrase\": null, "
                  "\"secretSeed\": null, \"ss58Address\": \"" ALICE_SS58 "\"}");
    expect_pub(kp, ALICE_PUB);
    assert_false(cov_keypair_has_secret(kp));
    cov_keypair_free(kp);
    /* A phrase file with the other fields null. */
    kp = parse_ok("{\"accountId\": null, \"publicKey\": null, \"privateKey\": null, "
                  "\"secretPhrase\": \"" OLD_LEOPARD "\", \"secretSeed\": null, "
                  "\"ss58Address\": null}");
    expect_pub(kp, OL_PUB);
    assert_string_equal(cov_keypair_mnemonic(kp), OLD_LEOPARD);
    cov_keypair_free(kp);
}

static void test_parse_single_secret_fields(void **state)
{
    (void)state;
    uint8_t buf[64];
    /* secretSeed only: the mini-secret. */
    cov_keypair *kp = parse_ok("{\"secretSeed\":\"0x" OL_SEED "\"}");
    expect_pub(kp, OL_PUB);
    assert_true(cov_keypair_seed(kp, buf));
    expect_hex(buf, 32, OL_SEED);
    assert_null(cov_keypair_mnemonic(kp));
    cov_keypair_free(kp);
    /* secretSeed of 64 bytes: a full secret key. */
    kp = parse_ok("{\"secretSeed\":\"0x" DEV_PRIV "\"}");
    expect_pub(kp, DEV_PUB);
    assert_false(cov_keypair_seed(kp, buf));
    cov_keypair_free(kp);
    /* privateKey only. */
    kp = parse_ok("{\"privateKey\":\"0x" OL_PRIV "\"}");
    expect_pub(kp, OL_PUB);
    assert_true(cov_keypair_sr25519_secret(kp, buf));
    expect_hex(buf, 64, OL_PRIV);
    cov_keypair_free(kp);
    kp = parse_ok("{\"privateKey\":\"0x" DEV_PRIV "\",\"ss58Address\":"
                  "\"5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV\"}");
    expect_pub(kp, DEV_PUB);
    cov_keypair_free(kp);
    /* secretPhrase only. */
    kp = parse_ok("{\"secretPhrase\":\"" OLD_LEOPARD "\"}");
    expect_pub(kp, OL_PUB);
    cov_keypair_free(kp);
    /* Precedence: the phrase wins over a (consistent) different seed and
     * private key field. */
    kp = parse_ok("{\"privateKey\":\"0x" DEV_PRIV "\",\"secretSeed\":\"0x" OL_SEED
                  "\",\"secretPhrase\":\"" OLD_LEOPARD "\"}");
    expect_pub(kp, OL_PUB);
    assert_string_equal(cov_keypair_mnemonic(kp), OLD_LEOPARD);
    cov_keypair_free(kp);
    /* ...and the seed over the private key. */
    kp = parse_ok("{\"privateKey\":\"0x" DEV_PRIV "\",\"secretSeed\":\"0x" OL_SEED "\"}");
    expect_pub(kp, OL_PUB);
    cov_keypair_free(kp);
    /* The ed25519 form of the DEV secret (polkadot-js) is not canonical. */
    assert_int_equal(
        parse_status("{\"privateKey\":\"0x"
                     "28b0ae221c6bb06856b287f60d7ea0d98552ea5a16db16956849aa371db3eb51"
                     "fd190cce74df356432b410bd64682309d6dedb27c76845daf388557cbac3ca34\"}"),
        COV_ERR_CRYPTO);
    /* Nor is a secretSeed holding it. */
    assert_int_not_equal(
        parse_status("{\"secretSeed\":\"0x"
                     "28b0ae221c6bb06856b287f60d7ea0d98552ea5a16db16956849aa371db3eb51"
                     "fd190cce74df356432b410bd64682309d6dedb27c76845daf388557cbac3ca34\"}"),
        COV_OK);
}

static void test_parse_public_only(void **state)
{
    (void)state;
    static const char *const files[] = {
        "{\"ss58Address\":\"" ALICE_SS58 "\"}",
        "{\"accountId\":\"0x" ALICE_PUB "\"}",
        "{\"publicKey\":\"0x" ALICE_PUB "\"}",
        /* btwallet 4.1.1's coldkeypub.txt layout */
        "{\"publicKey\":\"0x" ALICE_PUB "\",\"cryptoType\":1,\"accountId\":\"0x" ALICE_PUB
        "\",\"ss58Address\":\"" ALICE_SS58 "\"}",
        /* covenant's own */
        "{\"accountId\":\"0x" ALICE_PUB "\",\"publicKey\":\"0x" ALICE_PUB
        "\",\"ss58Address\":\"" ALICE_SS58 "\"}",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        cov_keypair *kp = parse_ok(files[i]);
        expect_pub(kp, ALICE_PUB);
        assert_false(cov_keypair_has_secret(kp));
        cov_keypair_free(kp);
    }
    /* An address with a bad checksum. */
    assert_int_equal(
        parse_status("{\"ss58Address\":\"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ\"}"),
        COV_ERR_CHECKSUM);
    /* A short public key. */
    assert_int_equal(parse_status("{\"publicKey\":\"0xd43593c7\"}"), COV_ERR_PARSE);
    /* No key at all. */
    assert_int_equal(parse_status("{}"), COV_ERR_PARSE);
    assert_int_equal(parse_status("{\"cryptoType\":1}"), COV_ERR_PARSE);
    assert_int_equal(parse_status("{\"accountId\":null,\"ss58Address\":null}"),
                     COV_ERR_PARSE);
}

/* btwallet writes secretSeed as "0x" + the raw bytes when they are valid
 * UTF-8 (these three files are its exact output). */
static void test_parse_secret_seed_utf8_quirk(void **state)
{
    (void)state;
    static const struct {
        const char *json, *pub, *seed_hex;
    } cases[] = {
        {"{\"privateKey\":\"0xcc46b39ee8f9b9341411fdc37b7ccbfd358f515ca487dff4a398ae04cc861e0e"
         "9b6ce56ca5a7ab3a67c78830834daee2b568c665ae9a19f5ecc2a72bc5837ad7\","
         "\"accountId\":\"0x206ea8faf0665691966d903fca9fdf3f20817324ee4a51cc3ce13704daab930b\","
         "\"publicKey\":\"0x206ea8faf0665691966d903fca9fdf3f20817324ee4a51cc3ce13704daab930b\","
         "\"secretSeed\":\"0xzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\",\"cryptoType\":1,"
         "\"ss58Address\":\"5CoEGAuJZjXh8woim3d7syiRdYGA32PYBze27qEwW3nwqxeD\"}",
         "206ea8faf0665691966d903fca9fdf3f20817324ee4a51cc3ce13704daab930b",
         "7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a"},
        /* 32 ASCII digits: also valid hex of 16 bytes, which is not a seed. */
        {"{\"privateKey\":\"0x1ec20c6cb85bf4c7423b95752b70c312e6ae9e5701ffb310f0a9019d9c041e0a"
         "f98d66f39442506ff947fd911f18c7a7a5da639a63e8d3b4e233f74143d951c1\","
         "\"accountId\":\"0x741c08a06f41c596608f6774259bd9043304adfa5d3eea62760bd9be97634d63\","
         "\"publicKey\":\"0x741c08a06f41c596608f6774259bd9043304adfa5d3eea62760bd9be97634d63\","
         "\"secretSeed\":\"0x12345678901234567890123456789012\","
         "\"ss58Address\":\"5Egwjr3bfKhoPMQHxX3HzgJCHYo8bHNxdXiNHGLaXhjhuoqC\",\"cryptoType\":1}",
         "741c08a06f41c596608f6774259bd9043304adfa5d3eea62760bd9be97634d63",
         "3132333435363738393031323334353637383930313233343536373839303132"},
        /* Multi-byte UTF-8: 15 x "é" + "y+" is 32 bytes, 17 characters. */
        {"{\"privateKey\":\"0xa0e749d26adc8462b0df60349f7bda113bbc22419405baa8ea0c9a45d5d61f0f"
         "9a436aabe09407368d1ba0d0bd7b881105f1318188c2d7b36ab8dfbb9313c901\","
         "\"accountId\":\"0x1adcad6b22e998036c3cf12916676b3688a0d6ff664ccce558b9e1ef19a29c0f\","
         "\"ss58Address\":\"5Cfvf4ZeZRWb4xdbfgBrVp1r5ueQvFmxDjcSR2jz78M4zmnz\",\"cryptoType\":1,"
         "\"publicKey\":\"0x1adcad6b22e998036c3cf12916676b3688a0d6ff664ccce558b9e1ef19a29c0f\","
         "\"secretSeed\":\"0x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9y+\"}",
         "1adcad6b22e998036c3cf12916676b3688a0d6ff664ccce558b9e1ef19a29c0f",
         "c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9792b"},
        /* JSON escapes, a NUL among them (serde writes \u0000). */
        {"{\"privateKey\":\"0xd3705841cc810b15e30ec117e07f5276fb952aa08f9f8ff1ac317a47939b2c0c"
         "f805d71a0256b217693daf4c8e71b34598b9d42a47a26c28fbcddacea5f38bb6\","
         "\"publicKey\":\"0x661346303b948d39067d489583b9baa2215fb0a7230c0634b792d552e117ab37\","
         "\"secretSeed\":\"0x\\\"\\\\\\n\\u0000\xc3\xa9\xc3\xa9xxxxxxxxxxxxxxxxxxxxxxxx\","
         "\"ss58Address\":\"5ENYU3KyshAnL9m5H3mtJ4i6d1xMUPUKP1hPtVcVvmWZ33RX\",\"cryptoType\":1,"
         "\"accountId\":\"0x661346303b948d39067d489583b9baa2215fb0a7230c0634b792d552e117ab37\"}",
         "661346303b948d39067d489583b9baa2215fb0a7230c0634b792d552e117ab37",
         "225c0a00c3a9c3a9787878787878787878787878787878787878787878787878"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cov_keypair *kp = parse_ok(cases[i].json);
        expect_pub(kp, cases[i].pub);
        uint8_t seed[32];
        assert_true(cov_keypair_seed(kp, seed));
        expect_hex(seed, 32, cases[i].seed_hex);
        /* What covenant writes back is plain hex. */
        char *json;
        size_t json_len;
        assert_int_equal(cov_keyfile_serialize(&json, &json_len, kp, false, NULL),
                         COV_OK);
        char want[100];
        snprintf(want, sizeof want, "\"secretSeed\":\"0x%s\"", cases[i].seed_hex);
        assert_non_null(strstr(json, want));
        sodium_free(json);
        cov_keypair_free(kp);
    }
    /* A raw seed of the wrong length, and bad hex, are refused. */
    assert_int_equal(parse_status("{\"secretSeed\":\"0xzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\"}"),
                     COV_ERR_PARSE);
    assert_int_equal(parse_status("{\"secretSeed\":\"0x123\"}"), COV_ERR_PARSE);
    assert_int_equal(parse_status("{\"secretSeed\":\"" OL_SEED "\"}"), COV_ERR_PARSE);
    assert_int_equal(parse_status("{\"secretSeed\":\"0x\"}"), COV_ERR_PARSE);
}

static void test_parse_inconsistent(void **state)
{
    (void)state;
    /* The secret of one key and the public key of another. */
    assert_int_equal(parse_status("{\"secretPhrase\":\"" OLD_LEOPARD
                                  "\",\"publicKey\":\"0x" ALICE_PUB "\"}"),
                     COV_ERR_CRYPTO);
    assert_int_equal(parse_status("{\"privateKey\":\"0x" OL_PRIV
                                  "\",\"ss58Address\":\"" ALICE_SS58 "\"}"),
                     COV_ERR_CRYPTO);
    assert_int_equal(parse_status("{\"secretSeed\":\"0x" OL_SEED "\",\"publicKey\":\"0x" OL_PUB
                                  "\",\"ss58Address\":\"" ALICE_SS58 "\"}"),
                     COV_ERR_CRYPTO);
    assert_int_equal(parse_status("{\"accountId\":\"0x" OL_PUB "\",\"publicKey\":\"0x" ALICE_PUB
                                  "\",\"privateKey\":\"0x" OL_PRIV "\"}"),
                     COV_ERR_CRYPTO);
    /* A phrase that is not a valid mnemonic. */
    assert_int_equal(parse_status("{\"secretPhrase\":\"old leopard\"}"), COV_ERR_PARSE);
    /* A private key of the wrong length or not hex. */
    assert_int_equal(parse_status("{\"privateKey\":\"0x" OL_SEED "\"}"), COV_ERR_PARSE);
    assert_int_equal(parse_status("{\"privateKey\":\"" OL_SEED OL_SEED "zz\"}"),
                     COV_ERR_PARSE);
}

static void test_parse_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        " ",
        "not json",
        "0x" ALICE_PUB, /* Python <= 7 accepted a bare hex coldkeypub.txt */
        "{\"publicKey\":\"0x" ALICE_PUB "\"",
        "{\"publicKey\":\"0x" ALICE_PUB,
        "[]",
        "[{\"publicKey\":\"0x" ALICE_PUB "\"}]",
        "\"0x" ALICE_PUB "\"",
        "null",
        "42",
        "{\"publicKey\":42}",
        "{\"publicKey\":true}",
        "{\"publicKey\":[\"0x" ALICE_PUB "\"]}",
        "{\"publicKey\":{\"hex\":\"0x" ALICE_PUB "\"}}",
        "{\"secretPhrase\":1,\"publicKey\":\"0x" ALICE_PUB "\"}",
        "{\"ss58Address\":[],\"publicKey\":\"0x" ALICE_PUB "\"}",
        "{\"publicKey\":\"0x" ALICE_PUB "\",\"publicKey\":\"0x" ALICE_PUB "\"}",
        "{\"publicKey\":\"0x" ALICE_PUB "\"} trailing",
        /* A NUL is allowed only in the raw secretSeed quirk. */
        "{\"secretPhrase\":\"" OLD_LEOPARD "\\u0000 junk\"}",
        "{\"publicKey\":\"0x" ALICE_PUB "\\u0000\"}",
        "{\"ss58Address\":\"" ALICE_SS58 "\\u0000x\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cov_status st = parse_status(bad[i]);
        if (st != COV_ERR_PARSE)
            fail_msg("case %zu (%s): got %s", i, bad[i], cov_status_name(st));
    }
    /* Truncated anywhere: never accepted, never a crash. */
    for (size_t n = 0; n < 553; n += 7)
        assert_int_not_equal(parse_status_len(OL_KEYFILE, n), COV_OK);
    /* Exactly as long as it is: accepted. */
    assert_int_equal(parse_status_len(OL_KEYFILE, 553), COV_OK);
}

/* --------------------------------------------------------- serialize */

static void test_serialize(void **state)
{
    (void)state;
    char *json;
    size_t len;
    cov_err err;
    cov_keypair *kp;
    /* Public-only output of a full key. */
    assert_int_equal(cov_keypair_from_suri(&kp, "//Alice", COV_KEY_SR25519, NULL), COV_OK);
    assert_int_equal(cov_keyfile_serialize(&json, &len, kp, true, &err), COV_OK);
    static const char alice_pub_file[] =
        "{\"accountId\":\"0x" ALICE_PUB "\",\"publicKey\":\"0x" ALICE_PUB
        "\",\"ss58Address\":\"" ALICE_SS58 "\"}";
    assert_int_equal(len, strlen(alice_pub_file));
    assert_string_equal(json, alice_pub_file);
    sodium_free(json);
    /* A derived key: no phrase, but the hard child's mini-secret. */
    assert_int_equal(cov_keyfile_serialize(&json, &len, kp, false, &err), COV_OK);
    static const char alice_file[] =
        "{\"accountId\":\"0x" ALICE_PUB "\",\"publicKey\":\"0x" ALICE_PUB
        "\",\"privateKey\":\"0x"
        "33a6f3093f158a7109f679410bef1a0c54168145e0cecb4df006c1c2fffb1f09"
        "925a225d97aa00682d6a59b95b18780c10d7032336e88f3442b42361f4a66011"
        "\",\"secretSeed\":\"0x"
        "e5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a"
        "\",\"ss58Address\":\"" ALICE_SS58 "\"}";
    assert_string_equal(json, alice_file);
    assert_int_equal(len, strlen(alice_file));
    /* Round trip. */
    cov_keypair *back = parse_ok(json);
    expect_pub(back, ALICE_PUB);
    sodium_free(json);
    cov_keypair_free(back);
    cov_keypair_free(kp);

    /* A soft child: only privateKey carries the secret. */
    assert_int_equal(cov_keypair_from_suri(&kp, "//Alice/stash", COV_KEY_SR25519, NULL),
                     COV_OK);
    assert_int_equal(cov_keyfile_serialize(&json, &len, kp, false, &err), COV_OK);
    assert_null(strstr(json, "secretSeed"));
    assert_null(strstr(json, "secretPhrase"));
    assert_non_null(strstr(json, "\"privateKey\":\"0x"));
    back = parse_ok(json);
    expect_pub(back, "42693199aba1dec4d835602e19d16d173df9b3b7b65359fd7accdf874749bf61");
    uint8_t a[64], b[64];
    assert_true(cov_keypair_sr25519_secret(kp, a));
    assert_true(cov_keypair_sr25519_secret(back, b));
    assert_memory_equal(a, b, 64);
    sodium_free(json);
    cov_keypair_free(back);
    cov_keypair_free(kp);

    /* A public-only key can only be written public-only. */
    uint8_t pub[32];
    unhex(pub, 32, ALICE_PUB);
    assert_int_equal(cov_keypair_from_public(&kp, COV_KEY_SR25519, pub, 32, NULL), COV_OK);
    json = (char *)1;
    assert_int_equal(cov_keyfile_serialize(&json, &len, kp, false, &err), COV_ERR_ARG);
    assert_null(json);
    assert_int_equal(cov_keyfile_serialize(&json, &len, kp, true, &err), COV_OK);
    assert_string_equal(json, alice_pub_file);
    sodium_free(json);
    cov_keypair_free(kp);

    /* btcli keyfiles are sr25519 only. */
    assert_int_equal(cov_keypair_from_suri(&kp, "//Alice", COV_KEY_ED25519, NULL), COV_OK);
    assert_int_equal(cov_keyfile_serialize(&json, &len, kp, false, &err),
                     COV_ERR_UNSUPPORTED);
    assert_int_equal(cov_keyfile_serialize(&json, &len, kp, true, &err),
                     COV_ERR_UNSUPPORTED);
    cov_keypair_free(kp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nacl_key),
        cmocka_unit_test(test_nacl_small_vector),
        cmocka_unit_test(test_nacl_realistic_vector),
        cmocka_unit_test(test_nacl_random_nonce),
        cmocka_unit_test(test_nacl_decrypt_errors),
        cmocka_unit_test(test_decrypt_dispatch),
        cmocka_unit_test(test_decrypt_ansible_fixture),
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_parse_btwallet_layouts),
        cmocka_unit_test(test_parse_old_python_nulls),
        cmocka_unit_test(test_parse_single_secret_fields),
        cmocka_unit_test(test_parse_public_only),
        cmocka_unit_test(test_parse_secret_seed_utf8_quirk),
        cmocka_unit_test(test_parse_inconsistent),
        cmocka_unit_test(test_parse_malformed),
        cmocka_unit_test(test_serialize),
    };
    if (cov_crypto_init(NULL) != COV_OK)
        return 1;
    return cmocka_run_group_tests(tests, derive_key_once, NULL);
}
