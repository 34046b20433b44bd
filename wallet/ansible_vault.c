/* Ansible Vault 1.1 (AES256): the format bittensor wallets were encrypted
 * with before $NACL. Reading it lets old coldkeys be opened; writing exists
 * only to make test fixtures.
 *
 *   "$ANSIBLE_VAULT;1.1;AES256\n"
 *   hex( hex(salt) "\n" hex(hmac) "\n" hex(ciphertext) ), 80 columns a line
 *
 * PBKDF2-HMAC-SHA256(password, salt, 10000, 80) gives the AES key, the HMAC
 * key and the initial counter; the ciphertext is AES-256-CTR of the PKCS#7
 * padded plaintext and the HMAC is HMAC-SHA256 over the ciphertext.
 *
 * The file is hostile input: every length is checked before it is used. */
#include "wallet/internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "$ANSIBLE_VAULT"
#define KDF_ITERATIONS 10000
#define KEY_LEN 32
#define IV_LEN 16
#define DERIVED_LEN (2 * KEY_LEN + IV_LEN)
#define HMAC_LEN 32
#define BLOCK 16
#define LINE_WIDTH 80
/* A keyfile is well under 1 KiB; a megabyte bounds the work (and the slow,
 * cache-safe AES) on a file that is something else. */
#define MAX_VAULT_BYTES (1u << 20)
#define MAX_SALT_BYTES 1024

typedef struct {
    uint8_t aes_key[KEY_LEN];
    uint8_t hmac_key[KEY_LEN];
    uint8_t iv[IV_LEN];
} vault_keys;

static void derive_keys(vault_keys *k, const char *password,
                        const uint8_t *salt, size_t salt_len)
{
    uint8_t derived[DERIVED_LEN];
    cov_pbkdf2_sha256(derived, sizeof derived, (const uint8_t *)password,
                      strlen(password), salt, salt_len, KDF_ITERATIONS);
    memcpy(k->aes_key, derived, KEY_LEN);
    memcpy(k->hmac_key, derived + KEY_LEN, KEY_LEN);
    memcpy(k->iv, derived + 2 * KEY_LEN, IV_LEN);
    sodium_memzero(derived, sizeof derived);
}

/* ------------------------------------------------------------- reading */

/* The pieces of a vault, pointing into the decoded body. */
typedef struct {
    const uint8_t *salt_hex, *hmac_hex, *ct_hex;
    size_t salt_hex_len, hmac_hex_len, ct_hex_len;
} vault_parts;

static bool is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

static bool field_equals(const uint8_t *field, size_t len, const char *want)
{
    return len == strlen(want) && memcmp(field, want, len) == 0;
}

/* Checks "$ANSIBLE_VAULT;<version>;AES256[;<vault id>]" and returns the
 * offset of the body. Version 1.2 only adds the vault id, which does not
 * change the cipher. */
static cov_status parse_header(size_t *body, const uint8_t *data, size_t len,
                               cov_err *err)
{
    size_t magic_len = strlen(MAGIC);
    if (len < magic_len || memcmp(data, MAGIC, magic_len) != 0)
        return cov_fail(err, COV_ERR_PARSE,
                        "not an Ansible Vault file (it does not start with "
                        "$ANSIBLE_VAULT)");
    const uint8_t *nl = memchr(data, '\n', len);
    if (!nl)
        return cov_fail(err, COV_ERR_PARSE,
                        "the Ansible Vault file ends inside its header line "
                        "(truncated?)");
    size_t header_len = (size_t)(nl - data);
    while (header_len > 0 && is_space(data[header_len - 1]))
        header_len--;

    const uint8_t *field[4];
    size_t field_len[4], n = 0;
    const uint8_t *p = data, *end = data + header_len;
    while (n < 4) {
        const uint8_t *semi = memchr(p, ';', (size_t)(end - p));
        const uint8_t *stop = semi ? semi : end;
        field[n] = p;
        field_len[n++] = (size_t)(stop - p);
        if (!semi)
            break;
        p = semi + 1;
    }
    if (n < 3 || !field_equals(field[0], field_len[0], MAGIC))
        return cov_fail(err, COV_ERR_PARSE,
                        "malformed Ansible Vault header (expected "
                        "$ANSIBLE_VAULT;1.1;AES256)");
    if (!field_equals(field[1], field_len[1], "1.1") &&
        !field_equals(field[1], field_len[1], "1.2"))
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "unsupported Ansible Vault version (covenant reads "
                        "1.1 and 1.2)");
    if (!field_equals(field[2], field_len[2], "AES256"))
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "unsupported Ansible Vault cipher (covenant reads "
                        "AES256 only)");
    *body = (size_t)(nl - data) + 1;
    return COV_OK;
}

/* Decodes hex digits, skipping ASCII whitespace when the text is wrapped,
 * into out (room for len / 2 bytes). Returns the index of the first bad
 * character, or len with *n set. An odd digit count leaves *odd set. */
static size_t unhex(uint8_t *out, size_t *n, bool *odd, const uint8_t *in,
                    size_t len, bool wrapped)
{
    int high = -1;
    *n = 0;
    for (size_t i = 0; i < len; i++) {
        if (wrapped && is_space(in[i]))
            continue;
        int v = cov_hex_digit((char)in[i]);
        if (v < 0)
            return i;
        if (high < 0) {
            high = v;
        } else {
            out[(*n)++] = (uint8_t)(high << 4 | v);
            high = -1;
        }
    }
    *odd = high >= 0;
    return len;
}

static size_t line_number(const uint8_t *text, size_t at)
{
    size_t line = 1;
    for (size_t i = 0; i < at; i++)
        line += text[i] == '\n';
    return line;
}

/* The outer hex, as the inner text (malloc'd; it holds no secret). */
static cov_status decode_body(uint8_t **out, size_t *out_len,
                              const uint8_t *data, size_t len, size_t body,
                              cov_err *err)
{
    uint8_t *text = malloc((len - body) / 2 + 1);
    if (!text)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory reading the vault");
    bool odd = false;
    size_t n, bad = unhex(text, &n, &odd, data + body, len - body, true);
    if (bad < len - body || odd || n == 0) {
        free(text);
        if (bad < len - body)
            return cov_fail(err, COV_ERR_PARSE,
                            "the Ansible Vault has a non-hex character on "
                            "line %zu",
                            line_number(data, body + bad));
        if (odd)
            return cov_fail(err, COV_ERR_PARSE,
                            "the Ansible Vault body has an odd number of hex "
                            "digits (truncated?)");
        return cov_fail(err, COV_ERR_PARSE,
                        "the Ansible Vault has a header but no body "
                        "(truncated?)");
    }
    *out = text;
    *out_len = n;
    return COV_OK;
}

/* Splits "salt \n hmac \n ciphertext" as ansible does. */
static cov_status split_parts(vault_parts *parts, const uint8_t *text,
                              size_t len, cov_err *err)
{
    const uint8_t *nl1 = memchr(text, '\n', len);
    const uint8_t *nl2 =
        nl1 ? memchr(nl1 + 1, '\n', len - (size_t)(nl1 + 1 - text)) : NULL;
    if (!nl2)
        return cov_fail(err, COV_ERR_PARSE,
                        "the Ansible Vault body does not hold the salt, HMAC "
                        "and ciphertext lines (truncated or corrupt)");
    parts->salt_hex = text;
    parts->salt_hex_len = (size_t)(nl1 - text);
    parts->hmac_hex = nl1 + 1;
    parts->hmac_hex_len = (size_t)(nl2 - nl1 - 1);
    parts->ct_hex = nl2 + 1;
    parts->ct_hex_len = len - (size_t)(nl2 + 1 - text);
    return COV_OK;
}

/* Decodes one inner field into out (room for len / 2 bytes). */
static cov_status decode_field(uint8_t *out, size_t *out_len,
                               const uint8_t *hex, size_t len,
                               const char *what, cov_err *err)
{
    bool odd = false;
    if (unhex(out, out_len, &odd, hex, len, false) < len || odd)
        return cov_fail(err, COV_ERR_PARSE,
                        "the Ansible Vault %s is not valid hex (corrupt file)",
                        what);
    return COV_OK;
}

/* The three fields, checked for the sizes AES256 vaults have. The salt and
 * HMAC go to caller buffers, the ciphertext to *ct (malloc'd). */
static cov_status decode_parts(uint8_t salt[MAX_SALT_BYTES], size_t *salt_len,
                               uint8_t hmac[HMAC_LEN], uint8_t **ct,
                               size_t *ct_len, const vault_parts *p,
                               cov_err *err)
{
    size_t hmac_len;
    if (p->salt_hex_len > 2 * MAX_SALT_BYTES)
        return cov_fail(err, COV_ERR_PARSE,
                        "the Ansible Vault salt is implausibly long (%zu hex "
                        "digits)",
                        p->salt_hex_len);
    if (p->hmac_hex_len != 2 * HMAC_LEN)
        return cov_fail(err, COV_ERR_PARSE,
                        "the Ansible Vault HMAC has %zu hex digits, expected "
                        "%d (corrupt file)",
                        p->hmac_hex_len, 2 * HMAC_LEN);
    if (p->ct_hex_len == 0 || p->ct_hex_len % (2 * BLOCK) != 0)
        return cov_fail(err, COV_ERR_PARSE,
                        "the Ansible Vault ciphertext is not a whole number "
                        "of AES blocks (truncated or corrupt)");
    cov_status st = decode_field(salt, salt_len, p->salt_hex, p->salt_hex_len,
                                 "salt", err);
    if (st == COV_OK)
        st = decode_field(hmac, &hmac_len, p->hmac_hex, p->hmac_hex_len,
                          "HMAC", err);
    if (st != COV_OK)
        return st;
    *ct = malloc(p->ct_hex_len / 2);
    if (!*ct)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory reading the vault");
    st = decode_field(*ct, ct_len, p->ct_hex, p->ct_hex_len, "ciphertext",
                      err);
    if (st != COV_OK) {
        free(*ct);
        *ct = NULL;
    }
    return st;
}

/* Strips PKCS#7 padding. The HMAC has already authenticated the data, so
 * there is no padding oracle to guard against here. */
static bool unpad(size_t *plain_len, const uint8_t *plain, size_t len)
{
    uint8_t pad = plain[len - 1];
    if (pad == 0 || pad > BLOCK)
        return false;
    for (size_t i = len - pad; i < len; i++)
        if (plain[i] != pad)
            return false;
    *plain_len = len - pad;
    return true;
}

/* Checks the HMAC, then decrypts into a new sodium_malloc'd buffer. */
static cov_status open_ciphertext(uint8_t **out, size_t *out_len,
                                  const uint8_t *ct, size_t ct_len,
                                  const uint8_t hmac[HMAC_LEN],
                                  const char *password, const uint8_t *salt,
                                  size_t salt_len, cov_err *err)
{
    vault_keys k;
    derive_keys(&k, password, salt, salt_len);
    uint8_t expect[HMAC_LEN];
    cov_hmac_sha256(expect, k.hmac_key, KEY_LEN, ct, ct_len);
    bool authentic = cov_ct_equal(expect, hmac, HMAC_LEN);
    sodium_memzero(expect, sizeof expect);
    if (!authentic) {
        sodium_memzero(&k, sizeof k);
        return cov_fail(err, COV_ERR_PASSWORD,
                        "wrong password (or the keyfile is corrupt)");
    }
    uint8_t *plain = sodium_malloc(ct_len + 1);
    if (!plain) {
        sodium_memzero(&k, sizeof k);
        return cov_fail(err, COV_ERR_NOMEM,
                        "out of secure memory decrypting the vault");
    }
    cov_aes256_ctr(plain, ct, ct_len, k.aes_key, k.iv);
    sodium_memzero(&k, sizeof k);
    size_t n;
    if (!unpad(&n, plain, ct_len)) {
        sodium_free(plain);
        return cov_fail(err, COV_ERR_PARSE,
                        "the Ansible Vault plaintext has invalid padding "
                        "(the file was written by a broken encrypter)");
    }
    sodium_memzero(plain + n, ct_len - n);
    plain[n] = '\0';
    *out = plain;
    *out_len = n;
    return COV_OK;
}

cov_status cov_ansible_vault_decrypt(uint8_t **out, size_t *out_len,
                                     const uint8_t *data, size_t len,
                                     const char *password, cov_err *err)
{
    *out = NULL;
    *out_len = 0;
    if (!data)
        return cov_fail(err, COV_ERR_ARG, "no vault data given");
    if (!password)
        return cov_fail(err, COV_ERR_PASSWORD,
                        "this keyfile is encrypted (Ansible Vault); a password "
                        "is needed");
    if (len > MAX_VAULT_BYTES)
        return cov_fail(err, COV_ERR_TOO_BIG,
                        "the Ansible Vault file is %zu bytes, over the %u byte "
                        "limit for a keyfile",
                        len, MAX_VAULT_BYTES);
    size_t body = 0;
    cov_status st = parse_header(&body, data, len, err);
    if (st != COV_OK)
        return st;
    uint8_t salt[MAX_SALT_BYTES], hmac[HMAC_LEN];
    uint8_t *text = NULL, *ct = NULL;
    size_t text_len = 0, salt_len = 0, ct_len = 0;
    st = decode_body(&text, &text_len, data, len, body, err);
    if (st != COV_OK)
        return st;
    vault_parts parts = {0};
    st = split_parts(&parts, text, text_len, err);
    if (st == COV_OK)
        st = decode_parts(salt, &salt_len, hmac, &ct, &ct_len, &parts, err);
    free(text);
    if (st == COV_OK)
        st = open_ciphertext(out, out_len, ct, ct_len, hmac, password, salt,
                             salt_len, err);
    free(ct);
    return st;
}

/* ------------------------------------------------------------- writing */

static void append_hex(char **at, const uint8_t *in, size_t len)
{
    cov_hex_encode(*at, in, len);
    *at += 2 * len;
}

/* hex(salt) "\n" hex(hmac) "\n" hex(ct), malloc'd (no NUL). */
static char *inner_text(size_t *len, const uint8_t salt[32],
                        const uint8_t hmac[HMAC_LEN], const uint8_t *ct,
                        size_t ct_len)
{
    *len = 2 * 32 + 1 + 2 * HMAC_LEN + 1 + 2 * ct_len;
    char *text = malloc(*len + 1);
    if (!text)
        return NULL;
    char *at = text;
    append_hex(&at, salt, 32);
    *at++ = '\n';
    append_hex(&at, hmac, HMAC_LEN);
    *at++ = '\n';
    append_hex(&at, ct, ct_len);
    return text;
}

/* The header, then the inner text hex-encoded in 80-column lines, each
 * ending in a newline as ansible writes it. */
static char *envelope(const char *inner, size_t inner_len)
{
    static const char header[] = "$ANSIBLE_VAULT;1.1;AES256\n";
    size_t digits = 2 * inner_len;
    size_t lines = (digits + LINE_WIDTH - 1) / LINE_WIDTH;
    char *text = malloc(sizeof header - 1 + digits + lines + 1);
    if (!text)
        return NULL;
    char *at = text;
    memcpy(at, header, sizeof header - 1);
    at += sizeof header - 1;
    char hex[LINE_WIDTH + 1];
    for (size_t i = 0; i < inner_len; i += LINE_WIDTH / 2) {
        size_t n = inner_len - i < LINE_WIDTH / 2 ? inner_len - i
                                                  : LINE_WIDTH / 2;
        cov_hex_encode(hex, (const uint8_t *)inner + i, n);
        memcpy(at, hex, 2 * n);
        at += 2 * n;
        *at++ = '\n';
    }
    *at = '\0';
    return text;
}

cov_status cov_ansible_vault_encrypt(char **out, const uint8_t *plain,
                                     size_t len, const char *password,
                                     const uint8_t salt[32], cov_err *err)
{
    *out = NULL;
    if ((!plain && len) || !password || !salt)
        return cov_fail(err, COV_ERR_ARG,
                        "vault encryption needs data, a password and a salt");
    /* The text is about four times the plaintext: stay readable. */
    if (len > MAX_VAULT_BYTES / 8)
        return cov_fail(err, COV_ERR_TOO_BIG,
                        "%zu bytes is too much to put in a keyfile vault", len);
    size_t padded_len = (len / BLOCK + 1) * BLOCK;
    uint8_t *padded = sodium_malloc(padded_len);
    uint8_t *ct = malloc(padded_len);
    if (!padded || !ct) {
        sodium_free(padded);
        free(ct);
        return cov_fail(err, COV_ERR_NOMEM, "out of memory encrypting a vault");
    }
    if (len)
        memcpy(padded, plain, len);
    memset(padded + len, (int)(padded_len - len), padded_len - len);

    vault_keys k;
    uint8_t hmac[HMAC_LEN];
    derive_keys(&k, password, salt, 32);
    cov_aes256_ctr(ct, padded, padded_len, k.aes_key, k.iv);
    cov_hmac_sha256(hmac, k.hmac_key, KEY_LEN, ct, padded_len);
    sodium_memzero(&k, sizeof k);
    sodium_free(padded);

    size_t inner_len;
    char *inner = inner_text(&inner_len, salt, hmac, ct, padded_len);
    free(ct);
    *out = inner ? envelope(inner, inner_len) : NULL;
    free(inner);
    if (!*out)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory encrypting a vault");
    return COV_OK;
}
