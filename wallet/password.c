/* Passwords: btwallet's BT_PW_ environment scheme and its policy for new
 * ones. The BT_PW_ value is base64(password XOR variable name): obfuscation
 * for compatibility, not protection. */
#include "wallet/internal.h"

#include <ctype.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

char *cov_password_env_name(const char *keyfile_path)
{
    size_t n = strlen(keyfile_path);
    char *out = malloc(6 + n + 1);
    if (!out)
        return NULL;
    memcpy(out, "BT_PW_", 6);
    for (size_t i = 0; i < n; i++) {
        char c = keyfile_path[i];
        out[6 + i] = (c == '/' || c == '.') ? '_' : (char)toupper((unsigned char)c);
    }
    out[6 + n] = '\0';
    return out;
}

static void xor_with_name(uint8_t *buf, size_t len, const char *name)
{
    size_t name_len = strlen(name);
    for (size_t i = 0; i < len; i++)
        buf[i] ^= (uint8_t)name[i % name_len];
}

char *cov_password_env_value(const char *keyfile_path, const char *password)
{
    char *name = cov_password_env_name(keyfile_path);
    if (!name)
        return NULL;
    size_t len = strlen(password);
    uint8_t *mixed = sodium_malloc(len + 1);
    char *out = malloc(sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL));
    if (mixed && out) {
        memcpy(mixed, password, len);
        xor_with_name(mixed, len, name);
        sodium_bin2base64(out, sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL),
                          mixed, len, sodium_base64_VARIANT_ORIGINAL);
    } else {
        free(out);
        out = NULL;
    }
    if (mixed)
        sodium_free(mixed);
    free(name);
    return out;
}

cov_status cov_password_from_env(char **out, const char *keyfile_path,
                                 cov_err *err)
{
    *out = NULL;
    char *name = cov_password_env_name(keyfile_path);
    if (!name)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    const char *value = getenv(name);
    if (!value || !*value) {
        cov_status st = cov_fail(err, COV_ERR_NOT_FOUND, "%s is not set", name);
        free(name);
        return st;
    }
    size_t cap = strlen(value);
    char *pw = sodium_malloc(cap + 1);
    size_t len = 0;
    cov_status st = COV_OK;
    if (!pw)
        st = cov_fail(err, COV_ERR_NOMEM, "out of secure memory");
    else if (sodium_base642bin((uint8_t *)pw, cap, value, strlen(value), NULL,
                               &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
        st = cov_fail(err, COV_ERR_PARSE,
                      "%s is not btwallet's base64 form; set it with "
                      "bittensor's save_password_to_env, or use --password-file",
                      name);
    if (st == COV_OK) {
        xor_with_name((uint8_t *)pw, len, name);
        pw[len] = '\0';
        *out = pw;
    } else if (pw) {
        sodium_free(pw);
    }
    free(name);
    return st;
}

cov_status cov_password_check_new(const char *password, cov_err *err)
{
    size_t len = strlen(password);
    if (len < 6)
        return cov_fail(err, COV_ERR_ARG,
                        "password is too short: use at least 6 characters");
    /* A crude stand-in for btwallet's strength score: refuse passwords made
     * of a single repeated character or only 1-2 distinct ones. */
    bool seen[256] = {false};
    size_t distinct = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)password[i];
        if (!seen[c]) {
            seen[c] = true;
            distinct++;
        }
    }
    if (distinct < 3)
        return cov_fail(err, COV_ERR_ARG,
                        "password is too weak: use more varied characters");
    return COV_OK;
}
