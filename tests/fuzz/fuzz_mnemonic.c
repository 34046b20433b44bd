/* BIP39 mnemonics on arbitrary text: cov_mnemonic_validate and
 * cov_bip39_to_entropy.
 *
 * Properties:
 * - both give the same verdict; a refusal has a status and a message and
 *   leaves the entropy length 0;
 * - accepted entropy is 16, 20, 24, 28 or 32 bytes, and
 *   cov_bip39_from_entropy turns it back into the input's words separated
 *   by single spaces (the normalised phrase), which decodes to the same
 *   entropy;
 * - a keypair made from an accepted phrase keeps the normalised phrase. */
#include "fuzz_common.h"

#include "wallet/internal.h"

/* The separators BIP39 phrases are split on. */
static bool is_separator(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

/* Words of text joined by single spaces, into out (as long as text). */
static void normalise(char *out, const char *text)
{
    size_t o = 0;
    for (const char *p = text; *p;) {
        while (*p && is_separator(*p))
            p++;
        if (!*p)
            break;
        if (o > 0)
            out[o++] = ' ';
        while (*p && !is_separator(*p))
            out[o++] = *p++;
    }
    out[o] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    char *text = fuzz_cstring(data, size);
    cov_err err, err2;

    cov_status valid = cov_mnemonic_validate(text, &err);
    uint8_t entropy[32];
    size_t entropy_len = 99;
    cov_status st = cov_bip39_to_entropy(entropy, &entropy_len, text, &err2);
    FUZZ_CHECK(valid == st);
    if (st != COV_OK) {
        FUZZ_CHECK(entropy_len == 0);
        FUZZ_CHECK(err.code == st && err.msg[0] != '\0');
        FUZZ_CHECK(err2.code == st && strcmp(err.msg, err2.msg) == 0);
        free(text);
        return 0;
    }
    FUZZ_CHECK(entropy_len >= 16 && entropy_len <= 32 &&
               entropy_len % 4 == 0);

    char phrase[COV_MNEMONIC_MAX];
    FUZZ_CHECK(cov_bip39_from_entropy(phrase, entropy, entropy_len, &err) ==
               COV_OK);
    char *normal = malloc(strlen(text) + 1);
    FUZZ_CHECK(normal != NULL);
    normalise(normal, text);
    FUZZ_CHECK(strcmp(phrase, normal) == 0);

    uint8_t entropy2[32];
    size_t entropy2_len = 0;
    FUZZ_CHECK(cov_bip39_to_entropy(entropy2, &entropy2_len, phrase, &err) ==
               COV_OK);
    FUZZ_CHECK(entropy2_len == entropy_len &&
               memcmp(entropy2, entropy, entropy_len) == 0);

    /* The phrase length limit of keypairs applies to the raw text. */
    cov_keypair *kp = NULL;
    st = cov_keypair_from_mnemonic(&kp, text, NULL, COV_KEY_SR25519, &err);
    if (strlen(text) < COV_MNEMONIC_MAX) {
        FUZZ_CHECK(st == COV_OK);
        const char *kept = cov_keypair_mnemonic(kp);
        FUZZ_CHECK(kept != NULL && strcmp(kept, normal) == 0);
        cov_keypair_free(kp);
    } else {
        FUZZ_CHECK(st != COV_OK && kp == NULL);
    }
    free(normal);
    free(text);
    return 0;
}
