/* Keyfiles as raw bytes: format detection, the JSON parser, "$NACL"
 * decryption with a fixed key and Ansible Vault decryption with a fixed
 * password; whatever decrypts is parsed as keyfile JSON in turn, as
 * cov_keyfile_load does.
 *
 * The key and password are those of the seeds in corpus/keyfile, so the
 * fuzzer starts from files that open and reaches the JSON behind them:
 * - FUZZ_NACL_KEY is the argon2i key btwallet derives from the password
 *   "covenant-fuzz" (cov_keyfile_nacl_key; hard-coded because the KDF takes
 *   seconds and 512 MiB);
 * - "covenant-test" opens tests/vectors/ansible_keyfile.vault (version
 *   1.1) and "ansible-core-pw" tests/vectors/ansible_core_v12.vault (1.2, a
 *   full padding block): the password is picked by the header's version,
 *   so each vault costs one key derivation.
 *
 * Inputs over 4 KiB are skipped: a keyfile is under 1 KiB and each vault
 * that reaches its HMAC costs 10000 PBKDF2 rounds.
 *
 * Properties: nothing crashes or leaks; a parsed keyfile is an sr25519 key
 * whose serialisation (full, and public-only) parses back to the same
 * public key, and the full one to the same secret and mnemonic. */
#include "fuzz_common.h"

#include <sodium.h>

#include "wallet/internal.h"

enum { MAX_KEYFILE = 4096 };

static const uint8_t FUZZ_NACL_KEY[32] = {
    0x8b, 0xca, 0xe6, 0xc8, 0xce, 0xfc, 0xfa, 0xcb, 0xb5, 0xef, 0x36,
    0x4d, 0x72, 0xa1, 0x56, 0x56, 0x1e, 0x7c, 0xb1, 0xb4, 0x6b, 0x8a,
    0x54, 0x49, 0xec, 0xc6, 0x1b, 0x53, 0xc9, 0x22, 0x01, 0xbd};

static const char *vault_password(const uint8_t *data, size_t size)
{
    static const char v12[] = "$ANSIBLE_VAULT;1.2;";
    size_t n = sizeof v12 - 1;
    bool is_v12 = size >= n && memcmp(data, v12, n) == 0;
    return is_v12 ? "ansible-core-pw" : "covenant-test";
}

static void check_same_key(const cov_keypair *a, const cov_keypair *b,
                           bool with_secret)
{
    uint8_t pa[COV_PUBKEY_MAX], pb[COV_PUBKEY_MAX];
    size_t la = cov_keypair_public(a, pa), lb = cov_keypair_public(b, pb);
    FUZZ_CHECK(la == 32 && lb == 32 && memcmp(pa, pb, 32) == 0);
    FUZZ_CHECK(cov_keypair_has_secret(b) == with_secret);
    if (!with_secret)
        return;
    uint8_t sa[64], sb[64];
    FUZZ_CHECK(cov_keypair_sr25519_secret(a, sa));
    FUZZ_CHECK(cov_keypair_sr25519_secret(b, sb));
    FUZZ_CHECK(memcmp(sa, sb, 64) == 0);
    uint8_t seed_a[32], seed_b[32];
    bool has_a = cov_keypair_seed(a, seed_a);
    bool has_b = cov_keypair_seed(b, seed_b);
    FUZZ_CHECK(has_a == has_b);
    FUZZ_CHECK(!has_a || memcmp(seed_a, seed_b, 32) == 0);
    const char *wa = cov_keypair_mnemonic(a), *wb = cov_keypair_mnemonic(b);
    FUZZ_CHECK((wa == NULL) == (wb == NULL));
    FUZZ_CHECK(!wa || strcmp(wa, wb) == 0);
}

/* Serialises kp and parses the text again. */
static void check_round_trip(const cov_keypair *kp, bool public_only)
{
    cov_err err;
    char *json = NULL;
    size_t json_len = 0;
    FUZZ_CHECK(cov_keyfile_serialize(&json, &json_len, kp, public_only,
                                     &err) == COV_OK);
    FUZZ_CHECK(json != NULL && strlen(json) == json_len);
    cov_keypair *again = NULL;
    cov_status st =
        cov_keyfile_parse(&again, (const uint8_t *)json, json_len, &err);
    if (st != COV_OK)
        fprintf(stderr, "re-parse failed: %s\n", err.msg);
    FUZZ_CHECK(st == COV_OK);
    check_same_key(kp, again, !public_only);
    cov_keypair_free(again);
    sodium_free(json);
}

static void parse_json(const uint8_t *json, size_t len)
{
    cov_keypair *kp = NULL;
    cov_err err;
    cov_status st = cov_keyfile_parse(&kp, json, len, &err);
    if (st != COV_OK) {
        FUZZ_CHECK(kp == NULL);
        FUZZ_CHECK(err.code == st && err.msg[0] != '\0');
        return;
    }
    FUZZ_CHECK(kp != NULL && cov_keypair_type(kp) == COV_KEY_SR25519);
    if (cov_keypair_has_secret(kp))
        check_round_trip(kp, false);
    check_round_trip(kp, true);
    cov_keypair_free(kp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_KEYFILE)
        return 0;
    fuzz_init();
    cov_err err;
    cov_keyfile_format format = cov_keyfile_detect(data, size);
    FUZZ_CHECK(cov_keyfile_format_name(format) != NULL);

    /* The JSON parser sees every input, whatever its first bytes. */
    parse_json(data, size);

    /* Without a password only a plain file opens, as an exact copy. */
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    cov_status st = cov_keyfile_decrypt(&plain, &plain_len, data, size, NULL,
                                        &err);
    if (format == COV_KEYFILE_PLAIN) {
        FUZZ_CHECK(st == COV_OK && plain_len == size &&
                   plain[plain_len] == '\0');
        FUZZ_CHECK(size == 0 || memcmp(plain, data, size) == 0);
        sodium_free(plain);
    } else {
        FUZZ_CHECK(st != COV_OK && plain == NULL);
    }

    plain = NULL;
    switch (format) {
    case COV_KEYFILE_NACL:
        st = cov_keyfile_decrypt_with_key(&plain, &plain_len, data, size,
                                          FUZZ_NACL_KEY, &err);
        break;
    case COV_KEYFILE_ANSIBLE:
        st = cov_ansible_vault_decrypt(&plain, &plain_len, data, size,
                                       vault_password(data, size), &err);
        break;
    case COV_KEYFILE_FERNET:
        /* Refused before any key derivation, whatever the password. */
        st = cov_keyfile_decrypt(&plain, &plain_len, data, size, "pw", &err);
        FUZZ_CHECK(st == COV_ERR_UNSUPPORTED);
        break;
    case COV_KEYFILE_PLAIN:
        st = COV_ERR_NOT_FOUND;
        break;
    }
    if (st == COV_OK) {
        FUZZ_CHECK(plain != NULL && plain[plain_len] == '\0');
        parse_json(plain, plain_len);
        sodium_free(plain);
    } else {
        FUZZ_CHECK(plain == NULL);
    }
    return 0;
}
