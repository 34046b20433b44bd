/* Secret URIs as Substrate's SecretUri reads them:
 *   <phrase | 0x<hex seed> | (nothing)> ( "//" hard | "/" soft )* ["///" password]
 * A URI that starts with '/' derives from the development phrase. */
#include "wallet/internal.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>

void cov_junction_chain_code(uint8_t cc[32], const char *text, size_t len)
{
    memset(cc, 0, 32);
    /* A decimal that fits a u64 is encoded as that integer. Substrate tests
     * this with Rust's str::parse::<u64>, which also takes one leading '+'
     * and any number of leading zeros. */
    size_t start = len > 1 && text[0] == '+' ? 1 : 0;
    bool numeric = len > start;
    uint64_t value = 0;
    for (size_t i = start; numeric && i < len; i++) {
        if (!isdigit((unsigned char)text[i])) {
            numeric = false;
            break;
        }
        uint64_t digit = (uint64_t)(text[i] - '0');
        if (value > (UINT64_MAX - digit) / 10)
            numeric = false;
        else
            value = value * 10 + digit;
    }
    if (numeric) {
        for (int i = 0; i < 8; i++)
            cc[i] = (uint8_t)(value >> (8 * i));
        return;
    }
    /* Otherwise the SCALE string: compact length then the bytes. */
    uint8_t head[5];
    size_t head_len;
    if (len < 64) {
        head[0] = (uint8_t)(len << 2);
        head_len = 1;
    } else if (len < 16384) {
        uint16_t v = (uint16_t)(len << 2 | 1);
        head[0] = (uint8_t)v;
        head[1] = (uint8_t)(v >> 8);
        head_len = 2;
    } else if (len < (1u << 30)) {
        uint32_t v = (uint32_t)(len << 2 | 2);
        for (int i = 0; i < 4; i++)
            head[i] = (uint8_t)(v >> (8 * i));
        head_len = 4;
    } else {
        head[0] = 3; /* "big integer" mode: four length bytes follow */
        for (int i = 0; i < 4; i++)
            head[1 + i] = (uint8_t)(len >> (8 * i));
        head_len = 5;
    }
    if (head_len + len <= 32) {
        memcpy(cc, head, head_len);
        memcpy(cc + head_len, text, len);
        return;
    }
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, head, head_len);
    crypto_generichash_update(&st, (const uint8_t *)text, len);
    crypto_generichash_final(&st, cc, 32);
}

void cov_suri_free(cov_suri *s)
{
    if (s->storage)
        sodium_free(s->storage);
    memset(s, 0, sizeof *s);
}

cov_status cov_suri_parse(cov_suri *out, const char *suri, cov_err *err)
{
    memset(out, 0, sizeof *out);
    if (!suri)
        return cov_fail(err, COV_ERR_ARG, "no secret URI given");
    size_t len = strlen(suri);
    if (len > 4096)
        return cov_fail(err, COV_ERR_TOO_BIG, "secret URI is too long");
    out->storage = sodium_malloc(len + 1);
    if (!out->storage)
        return cov_fail(err, COV_ERR_NOMEM, "out of secure memory");
    memcpy(out->storage, suri, len + 1);
    char *s = out->storage;

    /* "///" starts the password, which runs to the end of the URI. */
    char *pw = strstr(s, "///");
    if (pw) {
        *pw = '\0';
        out->password = pw + 3;
    }
    /* The phrase runs to the first '/'. */
    char *path = strchr(s, '/');
    size_t phrase_len = path ? (size_t)(path - s) : strlen(s);
    /* Trim spaces around the phrase, as Substrate's regex does. */
    while (phrase_len && isspace((unsigned char)s[phrase_len - 1]))
        phrase_len--;
    char *phrase = s;
    while (phrase_len && isspace((unsigned char)*phrase)) {
        phrase++;
        phrase_len--;
    }

    for (size_t i = 0; i < phrase_len; i++) {
        unsigned char c = (unsigned char)phrase[i];
        if (!isalnum(c) && c != ' ' && c != '_') {
            cov_suri_free(out);
            return cov_fail(err, COV_ERR_PARSE,
                            "secret URI: the phrase may hold only words or a "
                            "0x seed, found '%c'; junctions start with '/'",
                            c < 127 && c >= 32 ? (char)c : '?');
        }
    }

    for (char *p = path; p && *p;) {
        bool hard = p[1] == '/';
        char *name = p + (hard ? 2 : 1);
        char *end = strchr(name, '/');
        size_t name_len = end ? (size_t)(end - name) : strlen(name);
        if (name_len == 0) {
            cov_suri_free(out);
            return cov_fail(err, COV_ERR_PARSE,
                            "secret URI has an empty junction at position %zu",
                            (size_t)(p - s) + 1);
        }
        if (out->n_junctions == COV_SURI_MAX_JUNCTIONS) {
            cov_suri_free(out);
            return cov_fail(err, COV_ERR_TOO_BIG,
                            "secret URI has more than %d junctions",
                            COV_SURI_MAX_JUNCTIONS);
        }
        cov_junction *j = &out->junctions[out->n_junctions++];
        j->hard = hard;
        cov_junction_chain_code(j->chain_code, name, name_len);
        p = end;
    }
    /* Now that the junctions are read, the phrase may be cut in place. */
    phrase[phrase_len] = '\0';
    out->phrase = phrase_len ? phrase : COV_DEV_PHRASE;
    return COV_OK;
}
