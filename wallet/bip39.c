/* BIP39 English mnemonics as Substrate reads them: words <-> entropy with
 * the SHA-256 checksum, and Substrate's seed, which runs PBKDF2 over the
 * entropy rather than over the sentence as standard BIP39 does.
 *
 * A mnemonic is a secret: error messages name a word's position, never the
 * word, and every temporary that held entropy is wiped. */
#include "wallet/internal.h"

#include <sodium.h>
#include <string.h>

#define BITS_PER_WORD 11
#define MIN_WORDS 12
#define MAX_WORDS 24
/* 24 words are 264 bits: 32 bytes of entropy and one byte of checksum. */
#define MAX_BITS_BYTES 33
#define LONGEST_WORD 8

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

/* Finds the next word at or after *cursor; returns false at the end. */
static bool next_word(const char **cursor, const char **word, size_t *len)
{
    const char *p = *cursor;
    while (*p && is_space(*p))
        p++;
    if (!*p)
        return false;
    const char *start = p;
    while (*p && !is_space(*p))
        p++;
    *word = start;
    *len = (size_t)(p - start);
    *cursor = p;
    return true;
}

static size_t count_words(const char *phrase)
{
    const char *cursor = phrase, *word;
    size_t len, n = 0;
    while (next_word(&cursor, &word, &len))
        n++;
    return n;
}

static bool valid_word_count(size_t n)
{
    return n >= MIN_WORDS && n <= MAX_WORDS && n % 3 == 0;
}

/* Bits are numbered from the most significant bit of bits[0]. */
static void put_bits(uint8_t *bits, size_t offset, unsigned value)
{
    for (unsigned i = 0; i < BITS_PER_WORD; i++) {
        size_t at = offset + i;
        if (value >> (BITS_PER_WORD - 1 - i) & 1)
            bits[at / 8] |= (uint8_t)(0x80u >> (at % 8));
    }
}

static unsigned get_bits(const uint8_t *bits, size_t offset)
{
    unsigned value = 0;
    for (unsigned i = 0; i < BITS_PER_WORD; i++) {
        size_t at = offset + i;
        value = value << 1 | (unsigned)(bits[at / 8] >> (7 - at % 8) & 1);
    }
    return value;
}

/* The top `n` (1..8) bits of the SHA-256 of the entropy. */
static uint8_t checksum_bits(const uint8_t *entropy, size_t len, unsigned n)
{
    uint8_t digest[32];
    cov_sha256(digest, entropy, len);
    uint8_t top = (uint8_t)(digest[0] >> (8 - n));
    sodium_memzero(digest, sizeof digest);
    return top;
}

/* Explains why a word is not in the list, without repeating the word. */
static cov_status unknown_word(const char *word, size_t len, size_t position,
                               cov_err *err)
{
    bool case_only = false;
    if (len <= LONGEST_WORD) {
        char lower[LONGEST_WORD];
        bool had_upper = false;
        for (size_t i = 0; i < len; i++) {
            char c = word[i];
            had_upper |= c >= 'A' && c <= 'Z';
            lower[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
        }
        case_only = had_upper && cov_bip39_index(lower, len) >= 0;
        sodium_memzero(lower, sizeof lower);
    }
    if (case_only)
        return cov_fail(err, COV_ERR_PARSE,
                        "word %zu of the mnemonic must be written in lower "
                        "case",
                        position);
    return cov_fail(err, COV_ERR_PARSE,
                    "word %zu of the mnemonic is not in the BIP39 English "
                    "word list; check its spelling",
                    position);
}

/* Reads every word into `bits`; the caller has checked the count. */
static cov_status words_to_bits(uint8_t bits[MAX_BITS_BYTES],
                                const char *phrase, cov_err *err)
{
    const char *cursor = phrase, *word;
    size_t len, position = 0;
    while (next_word(&cursor, &word, &len)) {
        int index = cov_bip39_index(word, len);
        if (index < 0)
            return unknown_word(word, len, position + 1, err);
        put_bits(bits, position * BITS_PER_WORD, (unsigned)index);
        position++;
    }
    return COV_OK;
}

cov_status cov_bip39_to_entropy(uint8_t entropy[32], size_t *entropy_len,
                                const char *phrase, cov_err *err)
{
    *entropy_len = 0;
    if (!phrase)
        return cov_fail(err, COV_ERR_ARG, "no mnemonic given");
    size_t n_words = count_words(phrase);
    if (n_words == 0)
        return cov_fail(err, COV_ERR_PARSE, "the mnemonic is empty");
    if (!valid_word_count(n_words))
        return cov_fail(err, COV_ERR_PARSE,
                        "a mnemonic has 12, 15, 18, 21 or 24 words; this one "
                        "has %zu",
                        n_words);

    uint8_t bits[MAX_BITS_BYTES] = {0};
    cov_status st = words_to_bits(bits, phrase, err);
    if (st != COV_OK) {
        sodium_memzero(bits, sizeof bits);
        return st;
    }
    /* Each 3 words carry 32 bits of entropy and 1 bit of checksum. */
    size_t len = n_words / 3 * 4;
    unsigned cs_bits = (unsigned)(n_words / 3);
    uint8_t stored = (uint8_t)(bits[len] >> (8 - cs_bits));
    bool ok = checksum_bits(bits, len, cs_bits) == stored;
    if (ok) {
        memcpy(entropy, bits, len);
        *entropy_len = len;
    }
    sodium_memzero(bits, sizeof bits);
    if (!ok)
        return cov_fail(err, COV_ERR_CHECKSUM,
                        "mnemonic checksum mismatch — check the words and "
                        "their order");
    return COV_OK;
}

static bool valid_entropy_len(size_t len)
{
    return len >= 16 && len <= 32 && len % 4 == 0;
}

cov_status cov_bip39_from_entropy(char out[COV_MNEMONIC_MAX],
                                  const uint8_t *entropy, size_t len,
                                  cov_err *err)
{
    if (!entropy || !valid_entropy_len(len))
        return cov_fail(err, COV_ERR_ARG,
                        "BIP39 entropy is 16, 20, 24, 28 or 32 bytes, not %zu",
                        len);
    uint8_t bits[MAX_BITS_BYTES] = {0};
    memcpy(bits, entropy, len);
    unsigned cs_bits = (unsigned)(len / 4);
    uint8_t checksum = checksum_bits(entropy, len, cs_bits);
    bits[len] = (uint8_t)(checksum << (8 - cs_bits));

    size_t n_words = len * 3 / 4, at = 0;
    for (size_t i = 0; i < n_words; i++) {
        const char *word = cov_bip39_word(get_bits(bits, i * BITS_PER_WORD));
        size_t wlen = strlen(word);
        if (i > 0)
            out[at++] = ' ';
        memcpy(out + at, word, wlen);
        at += wlen;
    }
    out[at] = '\0';
    sodium_memzero(bits, sizeof bits);
    return COV_OK;
}

/* Passphrases up to this size are salted on the stack; longer ones need the
 * heap. */
#define STACK_SALT 512
static const char salt_prefix[] = "mnemonic";

void cov_bip39_substrate_seed(uint8_t out[64], const uint8_t *entropy,
                              size_t len, const char *passphrase)
{
    const size_t prefix_len = sizeof salt_prefix - 1;
    size_t pass_len = passphrase ? strlen(passphrase) : 0;
    size_t salt_len = prefix_len + pass_len;
    uint8_t stack_salt[STACK_SALT];
    uint8_t *salt = stack_salt;
    if (salt_len > sizeof stack_salt) {
        salt = sodium_malloc(salt_len);
        if (!salt) {
            /* This function cannot report failure: give a key that no one
             * knows rather than a predictable one. */
            randombytes_buf(out, 64);
            return;
        }
    }
    memcpy(salt, salt_prefix, prefix_len);
    if (pass_len)
        memcpy(salt + prefix_len, passphrase, pass_len);
    cov_pbkdf2_sha512(out, 64, entropy, len, salt, salt_len, 2048);
    if (salt == stack_salt)
        sodium_memzero(stack_salt, sizeof stack_salt);
    else
        sodium_free(salt);
}

cov_status cov_mnemonic_generate(char out[COV_MNEMONIC_MAX], unsigned words,
                                 cov_err *err)
{
    if (!out || !valid_word_count(words))
        return cov_fail(err, COV_ERR_ARG,
                        "a mnemonic has 12, 15, 18, 21 or 24 words, not %u",
                        words);
    uint8_t entropy[32];
    size_t len = (size_t)words / 3 * 4;
    randombytes_buf(entropy, len);
    cov_status st = cov_bip39_from_entropy(out, entropy, len, err);
    sodium_memzero(entropy, sizeof entropy);
    return st;
}

cov_status cov_mnemonic_validate(const char *phrase, cov_err *err)
{
    uint8_t entropy[32];
    size_t len;
    cov_status st = cov_bip39_to_entropy(entropy, &len, phrase, err);
    sodium_memzero(entropy, sizeof entropy);
    return st;
}
