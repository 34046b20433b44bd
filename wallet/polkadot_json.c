/* Importing a key exported by polkadot-js (the browser extension, apps,
 * @polkadot/keyring's toJson), as btcli's `regen-coldkey --json` does:
 *   encoded = salt(32) || N u32 || p u32 || r u32 || nonce(24) || secretbox
 *   key     = scrypt(password, salt, N, r, p)[0..32]
 *   plain   = PKCS8: header(16) || secret(64, scalar x8 || nonce) ||
 *             divider(5) || public(32)                                    */
#include "wallet/internal.h"

#include <sodium.h>
#include <string.h>

static const uint8_t pkcs8_header[16] = {0x30, 0x53, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06,
                                         0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
static const uint8_t pkcs8_divider[5] = {0xa1, 0x23, 0x03, 0x21, 0x00};

enum {
    SALT_LEN = 32,
    PARAMS_LEN = 12,
    NONCE_LEN = crypto_secretbox_NONCEBYTES,
    PKCS8_LEN = 16 + 64 + 5 + 32,
    ENCODED_MAX = 4096,
};

static uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* polkadot-js accepts only a short list of scrypt parameters (it has
 * written 2^15 and now writes 2^17); so do we, so that a crafted file cannot
 * make us spend unbounded memory or time. */
static cov_status check_scrypt_params(uint32_t n, uint32_t p, uint32_t r, cov_err *err)
{
    static const uint32_t allowed[][3] = {
        {1u << 13, 10, 8}, {1u << 14, 5, 8}, {1u << 15, 3, 8},
        {1u << 15, 1, 8},  {1u << 16, 2, 8}, {1u << 17, 1, 8},
    };
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (n == allowed[i][0] && p == allowed[i][1] && r == allowed[i][2])
            return COV_OK;
    return cov_fail(err, COV_ERR_UNSUPPORTED,
                    "polkadot-js JSON uses scrypt N=%u p=%u r=%u, which polkadot-js "
                    "itself does not accept",
                    n, p, r);
}

static bool string_in_array(json_t *array, const char *want)
{
    size_t i;
    json_t *v;
    json_array_foreach(array, i, v) if (json_is_string(v) && strcmp(json_string_value(v), want) == 0)
        return true;
    return false;
}

static cov_status check_encoding(json_t *root, cov_err *err)
{
    json_t *enc = json_object_get(root, "encoding");
    const char *version = json_string_value(json_object_get(enc, "version"));
    json_t *content = json_object_get(enc, "content");
    json_t *type = json_object_get(enc, "type");
    if (!json_is_object(enc) || !version || !json_is_array(content) || !json_is_array(type))
        return cov_fail(err, COV_ERR_PARSE,
                        "not a polkadot-js key export: no encoding {version, content, type}");
    if (strcmp(version, "3") != 0)
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "polkadot-js JSON version %s is not supported (only 3)", version);
    if (!string_in_array(content, "sr25519"))
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "the exported key is not sr25519; bittensor wallets hold sr25519 keys");
    if (!string_in_array(type, "scrypt") || !string_in_array(type, "xsalsa20-poly1305"))
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "polkadot-js JSON must be encrypted with scrypt + xsalsa20-poly1305");
    return COV_OK;
}

static cov_status open_box(uint8_t *plain, const uint8_t *encoded, size_t len,
                           const char *password, cov_err *err)
{
    if (len != SALT_LEN + PARAMS_LEN + NONCE_LEN + crypto_secretbox_MACBYTES + PKCS8_LEN)
        return cov_fail(err, COV_ERR_PARSE,
                        "polkadot-js JSON \"encoded\" has %zu bytes, not the %d of an "
                        "encrypted sr25519 key",
                        len, SALT_LEN + PARAMS_LEN + NONCE_LEN + crypto_secretbox_MACBYTES + PKCS8_LEN);
    const uint8_t *salt = encoded, *params = encoded + SALT_LEN;
    uint32_t n = load_le32(params), p = load_le32(params + 4), r = load_le32(params + 8);
    cov_status st = check_scrypt_params(n, p, r, err);
    if (st != COV_OK)
        return st;
    uint8_t *key = sodium_malloc(64);
    if (!key)
        return cov_fail(err, COV_ERR_NOMEM, "out of secure memory");
    if (crypto_pwhash_scryptsalsa208sha256_ll((const uint8_t *)password, strlen(password), salt,
                                              SALT_LEN, n, r, p, key, 64) != 0)
        st = cov_fail(err, COV_ERR_NOMEM, "scrypt needs up to 128 MiB of memory and could not get it");
    const uint8_t *nonce = params + PARAMS_LEN, *box = nonce + NONCE_LEN;
    if (st == COV_OK &&
        crypto_secretbox_open_easy(plain, box, len - (size_t)(box - encoded), nonce, key) != 0)
        st = cov_fail(err, COV_ERR_PASSWORD,
                      "wrong password for the polkadot-js JSON, or the file is corrupt");
    sodium_free(key);
    return st;
}

static cov_status keypair_from_pkcs8(cov_keypair **out, const uint8_t *pkcs8, cov_err *err)
{
    if (memcmp(pkcs8, pkcs8_header, sizeof pkcs8_header) != 0 ||
        memcmp(pkcs8 + 16 + 64, pkcs8_divider, sizeof pkcs8_divider) != 0)
        return cov_fail(err, COV_ERR_PARSE, "the decrypted key is not the PKCS8 polkadot-js writes");
    uint8_t *secret = sodium_malloc(64);
    if (!secret)
        return cov_fail(err, COV_ERR_NOMEM, "out of secure memory");
    /* polkadot-js keeps the scalar times the cofactor (ed25519 form). */
    cov_sr25519_scalar_div8(secret, pkcs8 + 16);
    memcpy(secret + 32, pkcs8 + 16 + 32, 32);
    cov_status st = cov_keypair_from_sr25519_secret(out, secret, err);
    sodium_free(secret);
    if (st == COV_OK && memcmp((*out)->pub, pkcs8 + 16 + 64 + 5, 32) != 0) {
        cov_keypair_free(*out);
        *out = NULL;
        st = cov_fail(err, COV_ERR_CRYPTO,
                      "the polkadot-js JSON's secret does not give its public key; the file is corrupt");
    }
    return st;
}

cov_status cov_keypair_from_polkadot_json(cov_keypair **out, const char *json, size_t len,
                                          const char *password, cov_err *err)
{
    *out = NULL;
    json_error_t jerr;
    json_t *root = json_loadb(json, len, 0, &jerr);
    if (!root)
        return cov_fail(err, COV_ERR_PARSE, "polkadot-js JSON is not valid JSON (line %d: %s)",
                        jerr.line, jerr.text);
    cov_status st = check_encoding(root, err);
    const char *b64 = json_string_value(json_object_get(root, "encoded"));
    if (st == COV_OK && !b64)
        st = cov_fail(err, COV_ERR_PARSE, "polkadot-js JSON has no \"encoded\" string");
    uint8_t *encoded = NULL, *plain = NULL;
    size_t encoded_len = 0;
    if (st == COV_OK && strlen(b64) > ENCODED_MAX)
        st = cov_fail(err, COV_ERR_TOO_BIG, "polkadot-js JSON \"encoded\" is too long");
    if (st == COV_OK) {
        encoded = sodium_malloc(ENCODED_MAX);
        plain = sodium_malloc(PKCS8_LEN);
        if (!encoded || !plain)
            st = cov_fail(err, COV_ERR_NOMEM, "out of secure memory");
    }
    if (st == COV_OK && sodium_base642bin(encoded, ENCODED_MAX, b64, strlen(b64), NULL,
                                          &encoded_len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
        st = cov_fail(err, COV_ERR_PARSE, "polkadot-js JSON \"encoded\" is not base64");
    if (st == COV_OK)
        st = open_box(plain, encoded, encoded_len, password, err);
    if (st == COV_OK)
        st = keypair_from_pkcs8(out, plain, err);
    if (encoded)
        sodium_free(encoded);
    if (plain)
        sodium_free(plain);
    json_decref(root);
    return st;
}
