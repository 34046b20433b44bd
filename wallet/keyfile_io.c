/* Reading and writing keyfiles on disk: 0600 files, 0700 folders, atomic
 * writes, nothing overwritten unless asked. */
#include "wallet/internal.h"

#include <libgen.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

enum { KEYFILE_MAX_BYTES = 64 * 1024 };

cov_status cov_keyfile_load(cov_keypair **out, const char *path,
                            const char *password, cov_err *err)
{
    *out = NULL;
    uint8_t *data;
    size_t len;
    cov_status st = cov_file_read(&data, &len, path, KEYFILE_MAX_BYTES, true, err);
    if (st != COV_OK)
        return st;
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    st = cov_keyfile_decrypt(&plain, &plain_len, data, len, password, err);
    sodium_free(data);
    if (st == COV_OK) {
        st = cov_keyfile_parse(out, plain, plain_len, err);
        sodium_free(plain);
    }
    if (st != COV_OK)
        cov_err_context(err, "%s", path);
    return st;
}

bool cov_keyfile_is_encrypted(const char *path)
{
    uint8_t *data;
    size_t len;
    if (cov_file_read(&data, &len, path, KEYFILE_MAX_BYTES, false, NULL) != COV_OK)
        return false;
    bool encrypted = cov_keyfile_detect(data, len) != COV_KEYFILE_PLAIN;
    free(data);
    return encrypted;
}

static cov_status make_parent(const char *path, cov_err *err)
{
    char *copy = strdup(path);
    if (!copy)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    cov_status st = cov_mkdir_p(dirname(copy), 0700, err);
    free(copy);
    return st;
}

cov_status cov_keyfile_store(const char *path, const cov_keypair *kp,
                             bool public_only, const char *password,
                             bool overwrite, cov_err *err)
{
    /* Refuse early so a 4 s KDF is not wasted on a file we will not write;
     * the write itself re-checks atomically. */
    if (!overwrite && cov_file_exists(path))
        return cov_fail(err, COV_ERR_EXISTS,
                        "%s already exists; pass --overwrite to replace it", path);
    char *json;
    size_t json_len;
    cov_status st = cov_keyfile_serialize(&json, &json_len, kp, public_only, err);
    if (st != COV_OK)
        return st;
    uint8_t *encrypted = NULL;
    size_t encrypted_len = 0;
    if (password) {
        uint8_t *key = sodium_malloc(32);
        st = key ? cov_keyfile_nacl_key(key, password, err)
                 : cov_fail(err, COV_ERR_NOMEM, "out of secure memory");
        if (st == COV_OK)
            st = cov_keyfile_encrypt_with_key(&encrypted, &encrypted_len,
                                              (const uint8_t *)json, json_len,
                                              key, NULL, err);
        if (key)
            sodium_free(key);
    }
    if (st == COV_OK)
        st = make_parent(path, err);
    if (st == COV_OK)
        st = password ? cov_file_write_atomic(path, encrypted, encrypted_len,
                                              0600, overwrite, err)
                      : cov_file_write_atomic(path, json, json_len, 0600,
                                              overwrite, err);
    free(encrypted);
    sodium_free(json);
    return st;
}
