/* Keyfile encryption. "$NACL" is what btwallet writes today:
 *   "$NACL" || nonce(24) || secretbox(json)  with the key
 *   argon2i13(password, fixed salt, 8 ops, 512 MiB).
 * The salt is the same for every wallet; it is bittensor's, not ours. */
#include "wallet/internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t nacl_salt[16] = {0x13, 0x71, 0x83, 0xdf, 0xf1, 0x5a,
                                      0x09, 0xbc, 0x9c, 0x90, 0xb5, 0x51,
                                      0x87, 0x39, 0xe9, 0xb1};

#define NACL_MAGIC "$NACL"
#define NACL_MAGIC_LEN 5
#define NACL_HEADER (NACL_MAGIC_LEN + crypto_secretbox_NONCEBYTES)

static bool has_prefix(const uint8_t *data, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(data, prefix, n) == 0;
}

cov_keyfile_format cov_keyfile_detect(const uint8_t *data, size_t len)
{
    if (has_prefix(data, len, NACL_MAGIC))
        return COV_KEYFILE_NACL;
    if (has_prefix(data, len, "$ANSIBLE_VAULT"))
        return COV_KEYFILE_ANSIBLE;
    if (has_prefix(data, len, "gAAAAA"))
        return COV_KEYFILE_FERNET;
    return COV_KEYFILE_PLAIN;
}

const char *cov_keyfile_format_name(cov_keyfile_format f)
{
    switch (f) {
    case COV_KEYFILE_PLAIN:
        return "plain";
    case COV_KEYFILE_NACL:
        return "nacl";
    case COV_KEYFILE_ANSIBLE:
        return "ansible-vault";
    case COV_KEYFILE_FERNET:
        return "fernet";
    }
    return "unknown";
}

cov_status cov_keyfile_nacl_key(uint8_t key[32], const char *password,
                                cov_err *err)
{
    if (!password)
        return cov_fail(err, COV_ERR_ARG, "no password given");
    if (crypto_pwhash(key, 32, password, strlen(password), nacl_salt,
                      COV_NACL_OPSLIMIT, (size_t)COV_NACL_MEMLIMIT,
                      crypto_pwhash_ALG_ARGON2I13) != 0)
        return cov_fail(err, COV_ERR_NOMEM,
                        "argon2i needs 512 MiB of memory to open or lock a "
                        "keyfile and could not get it; free some memory");
    return COV_OK;
}

cov_status cov_keyfile_encrypt_with_key(uint8_t **out, size_t *out_len,
                                        const uint8_t *plain, size_t plain_len,
                                        const uint8_t key[32],
                                        const uint8_t *nonce24, cov_err *err)
{
    *out = NULL;
    size_t total = NACL_HEADER + crypto_secretbox_MACBYTES + plain_len;
    uint8_t *buf = malloc(total);
    if (!buf)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory encrypting a keyfile");
    memcpy(buf, NACL_MAGIC, NACL_MAGIC_LEN);
    uint8_t *nonce = buf + NACL_MAGIC_LEN;
    if (nonce24)
        memcpy(nonce, nonce24, crypto_secretbox_NONCEBYTES);
    else
        randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(buf + NACL_HEADER, plain, plain_len, nonce, key);
    *out = buf;
    *out_len = total;
    return COV_OK;
}

cov_status cov_keyfile_decrypt_with_key(uint8_t **out, size_t *out_len,
                                        const uint8_t *data, size_t len,
                                        const uint8_t key[32], cov_err *err)
{
    *out = NULL;
    if (cov_keyfile_detect(data, len) != COV_KEYFILE_NACL)
        return cov_fail(err, COV_ERR_PARSE, "not a $NACL keyfile");
    if (len < NACL_HEADER + crypto_secretbox_MACBYTES)
        return cov_fail(err, COV_ERR_PARSE,
                        "$NACL keyfile is truncated (%zu bytes)", len);
    size_t plain_len = len - NACL_HEADER - crypto_secretbox_MACBYTES;
    uint8_t *plain = sodium_malloc(plain_len + 1);
    if (!plain)
        return cov_fail(err, COV_ERR_NOMEM, "out of secure memory");
    if (crypto_secretbox_open_easy(plain, data + NACL_HEADER,
                                   len - NACL_HEADER, data + NACL_MAGIC_LEN,
                                   key) != 0) {
        sodium_free(plain);
        return cov_fail(err, COV_ERR_PASSWORD,
                        "wrong password, or the keyfile is corrupt "
                        "(authentication failed)");
    }
    plain[plain_len] = '\0';
    *out = plain;
    *out_len = plain_len;
    return COV_OK;
}

static cov_status copy_plain(uint8_t **out, size_t *out_len,
                             const uint8_t *data, size_t len, cov_err *err)
{
    uint8_t *copy = sodium_malloc(len + 1);
    if (!copy)
        return cov_fail(err, COV_ERR_NOMEM, "out of secure memory");
    memcpy(copy, data, len);
    copy[len] = '\0';
    *out = copy;
    *out_len = len;
    return COV_OK;
}

cov_status cov_keyfile_decrypt(uint8_t **out, size_t *out_len,
                               const uint8_t *data, size_t len,
                               const char *password, cov_err *err)
{
    *out = NULL;
    cov_keyfile_format format = cov_keyfile_detect(data, len);
    if (format == COV_KEYFILE_PLAIN)
        return copy_plain(out, out_len, data, len, err);
    if (format == COV_KEYFILE_FERNET)
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "this keyfile uses the pre-2022 Fernet encryption, "
                        "which covenant cannot open; open it with bittensor<=7 "
                        "and save it again, or regenerate it from its mnemonic");
    if (!password)
        return cov_fail(err, COV_ERR_PASSWORD,
                        "keyfile is encrypted (%s) and no password was given",
                        cov_keyfile_format_name(format));
    if (format == COV_KEYFILE_ANSIBLE)
        return cov_ansible_vault_decrypt(out, out_len, data, len, password, err);
    /* Refuse a truncated file before spending seconds on the KDF. */
    if (len < NACL_HEADER + crypto_secretbox_MACBYTES)
        return cov_fail(err, COV_ERR_PARSE, "$NACL keyfile is truncated (%zu bytes)", len);
    uint8_t *key = sodium_malloc(32);
    if (!key)
        return cov_fail(err, COV_ERR_NOMEM, "out of secure memory");
    cov_status st = cov_keyfile_nacl_key(key, password, err);
    if (st == COV_OK)
        st = cov_keyfile_decrypt_with_key(out, out_len, data, len, key, err);
    sodium_free(key);
    return st;
}
