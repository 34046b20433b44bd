/* Keyfile JSON as btwallet (and the Python SDK before it) writes it:
 * {"accountId","publicKey","privateKey","secretPhrase","secretSeed",
 *  "ss58Address"}, all sr25519, SS58 prefix 42. */
#include "wallet/internal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* A string member, or NULL when absent or null (the old SDK wrote nulls). */
static const char *member_string(json_t *root, const char *key)
{
    json_t *v = json_object_get(root, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool member_bad_type(json_t *root, const char *key)
{
    json_t *v = json_object_get(root, key);
    if (!v || json_is_null(v))
        return false;
    if (!json_is_string(v))
        return true;
    /* Only secretSeed may hold a NUL (raw seed bytes, see below). */
    return strcmp(key, "secretSeed") != 0 &&
           strlen(json_string_value(v)) != json_string_length(v);
}

/* secretSeed is "0x" + hex, except that btwallet writes the raw bytes after
 * "0x" when they happen to be valid UTF-8 (serde escapes a zero byte as
 * \u0000, so the length comes from JSON, not strlen). */
static cov_status decode_secret_seed(uint8_t *out, size_t *out_len,
                                     const char *text, size_t text_len,
                                     cov_err *err)
{
    if (text_len < 2 || strncmp(text, "0x", 2) != 0)
        return cov_fail(err, COV_ERR_PARSE, "keyfile secretSeed does not start with 0x");
    const char *body = text + 2;
    size_t n = text_len - 2;
    if (n == 64 || n == 128) {
        if (cov_hex_decode(out, n / 2, body, NULL) == COV_OK) {
            *out_len = n / 2;
            return COV_OK;
        }
    }
    if (n == 32) {
        memcpy(out, body, 32);
        *out_len = 32;
        return COV_OK;
    }
    return cov_fail(err, COV_ERR_PARSE,
                    "keyfile secretSeed must be 32 or 64 bytes of hex");
}

static cov_status keypair_from_secret_fields(cov_keypair **out, json_t *root,
                                             cov_err *err)
{
    const char *phrase = member_string(root, "secretPhrase");
    if (phrase)
        return cov_keypair_from_mnemonic(out, phrase, NULL, COV_KEY_SR25519, err);

    const char *seed_text = member_string(root, "secretSeed");
    const char *private_text = member_string(root, "privateKey");
    uint8_t *secret = sodium_malloc(64);
    if (!secret)
        return cov_fail(err, COV_ERR_NOMEM, "out of secure memory");
    cov_status st = COV_ERR_NOT_FOUND;
    if (seed_text) {
        size_t n = 0;
        st = decode_secret_seed(secret, &n, seed_text,
                                json_string_length(json_object_get(root, "secretSeed")),
                                err);
        if (st == COV_OK)
            st = n == 32 ? cov_keypair_from_seed(out, COV_KEY_SR25519, secret, err)
                         : cov_keypair_from_sr25519_secret(out, secret, err);
    } else if (private_text) {
        st = cov_hex_decode(secret, 64, private_text, err);
        if (st != COV_OK)
            cov_err_context(err, "keyfile privateKey");
        else
            st = cov_keypair_from_sr25519_secret(out, secret, err);
    }
    sodium_free(secret);
    return st;
}

static cov_status public_from_fields(cov_keypair **out, json_t *root,
                                     cov_err *err)
{
    uint8_t pub[32];
    const char *address = member_string(root, "ss58Address");
    const char *pub_hex = member_string(root, "publicKey");
    if (!pub_hex)
        pub_hex = member_string(root, "accountId");
    cov_status st;
    if (address)
        st = cov_ss58_decode(pub, NULL, address, -1, err);
    else if (pub_hex)
        st = cov_hex_decode(pub, 32, pub_hex, err);
    else
        return cov_fail(err, COV_ERR_PARSE,
                        "keyfile has no key: none of secretPhrase, secretSeed, "
                        "privateKey, ss58Address or publicKey is set");
    if (st != COV_OK)
        return cov_err_context(err, "keyfile public key");
    return cov_keypair_from_public(out, COV_KEY_SR25519, pub, 32, err);
}

/* A file whose secret does not give its stated public key is corrupt or
 * hand-edited; signing with it would sign for the wrong account. */
static cov_status check_consistent(const cov_keypair *kp, json_t *root,
                                   cov_err *err)
{
    const char *pub_hex = member_string(root, "publicKey");
    const char *address = member_string(root, "ss58Address");
    uint8_t stated[32];
    if (pub_hex && cov_hex_decode(stated, 32, pub_hex, NULL) == COV_OK &&
        memcmp(stated, kp->pub, 32) != 0)
        return cov_fail(err, COV_ERR_CRYPTO,
                        "keyfile is inconsistent: its secret does not give its "
                        "publicKey; the file is corrupt or was edited");
    if (address && cov_ss58_decode(stated, NULL, address, -1, NULL) == COV_OK &&
        memcmp(stated, kp->pub, 32) != 0)
        return cov_fail(err, COV_ERR_CRYPTO,
                        "keyfile is inconsistent: its secret does not give its "
                        "ss58Address; the file is corrupt or was edited");
    return COV_OK;
}

cov_status cov_keyfile_parse(cov_keypair **out, const uint8_t *data,
                             size_t len, cov_err *err)
{
    *out = NULL;
    json_error_t jerr;
    json_t *root = json_loadb((const char *)data, len,
                              JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!root)
        return cov_fail(err, COV_ERR_PARSE,
                        "keyfile is not valid JSON (line %d: %s); it may be "
                        "truncated or encrypted in an unknown format",
                        jerr.line, jerr.text);
    cov_status st = COV_OK;
    static const char *const fields[] = {"accountId", "publicKey", "privateKey",
                                         "secretPhrase", "secretSeed", "ss58Address"};
    if (!json_is_object(root))
        st = cov_fail(err, COV_ERR_PARSE, "keyfile JSON is not an object");
    for (size_t i = 0; st == COV_OK && i < sizeof fields / sizeof fields[0]; i++)
        if (member_bad_type(root, fields[i]))
            st = cov_fail(err, COV_ERR_PARSE,
                          "keyfile field %s is not a string (or holds a NUL)",
                          fields[i]);
    if (st == COV_OK) {
        st = keypair_from_secret_fields(out, root, err);
        if (st == COV_ERR_NOT_FOUND)
            st = public_from_fields(out, root, err);
        else if (st == COV_OK)
            st = check_consistent(*out, root, err);
        if (st != COV_OK) {
            cov_keypair_free(*out);
            *out = NULL;
        }
    }
    json_decref(root);
    return st;
}

enum { KEYFILE_JSON_MAX = 1024 };

cov_status cov_keyfile_serialize(char **out, size_t *out_len,
                                 const cov_keypair *kp, bool public_only,
                                 cov_err *err)
{
    *out = NULL;
    if (kp->type != COV_KEY_SR25519)
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "btcli keyfiles hold sr25519 keys only, not %s",
                        cov_key_type_name(kp->type));
    if (!public_only && !kp->secret)
        return cov_fail(err, COV_ERR_ARG, "cannot write a full keyfile for a public-only key");
    char pub_hex[65], address[COV_SS58_MAX];
    cov_hex_encode(pub_hex, kp->pub, 32);
    cov_status st = cov_ss58_encode(address, kp->pub, COV_SS58_BITTENSOR, err);
    if (st != COV_OK)
        return st;
    char *json = sodium_malloc(KEYFILE_JSON_MAX);
    if (!json)
        return cov_fail(err, COV_ERR_NOMEM, "out of secure memory");
    /* Field order of the old SDK; btwallet's order is random, so readers
     * accept any. Strings need no escaping: hex, base58 and a-z words. */
    int n = snprintf(json, KEYFILE_JSON_MAX, "{\"accountId\":\"0x%s\",\"publicKey\":\"0x%s\"",
                     pub_hex, pub_hex);
    if (!public_only) {
        char hex[129];
        uint8_t secret[64];
        cov_keypair_sr25519_secret(kp, secret);
        cov_hex_encode(hex, secret, 64);
        n += snprintf(json + n, KEYFILE_JSON_MAX - (size_t)n, ",\"privateKey\":\"0x%s\"", hex);
        const char *phrase = cov_keypair_mnemonic(kp);
        if (phrase)
            n += snprintf(json + n, KEYFILE_JSON_MAX - (size_t)n,
                          ",\"secretPhrase\":\"%s\"", phrase);
        if (cov_keypair_seed(kp, secret)) {
            cov_hex_encode(hex, secret, 32);
            n += snprintf(json + n, KEYFILE_JSON_MAX - (size_t)n,
                          ",\"secretSeed\":\"0x%s\"", hex);
        }
        sodium_memzero(hex, sizeof hex);
        sodium_memzero(secret, sizeof secret);
    }
    n += snprintf(json + n, KEYFILE_JSON_MAX - (size_t)n, ",\"ss58Address\":\"%s\"}", address);
    *out = json;
    *out_len = (size_t)n;
    return COV_OK;
}
