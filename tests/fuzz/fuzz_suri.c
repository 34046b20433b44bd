/* cov_suri_parse and cov_keypair_from_suri on arbitrary text: sr25519 and
 * ed25519 always, ecdsa when the URI holds a 0x seed.
 *
 * Inputs over 512 bytes are skipped: a URI is a short secret, and every
 * input that names a valid mnemonic (or none: the dev phrase) costs a
 * PBKDF2 run of 2048 HMAC-SHA512s per key type. That is also why ecdsa,
 * whose junction code is the same whatever the seed came from, is only
 * tried on hex seeds, which skip PBKDF2.
 *
 * Properties: nothing crashes or leaks; a parsed URI stays inside its own
 * storage; a keypair is made only from a URI that parses, always has its
 * secret, the right public key length, and its mnemonic only when no
 * junction was applied; ed25519 and ecdsa refuse soft junctions. */
#include "fuzz_common.h"

#include "wallet/internal.h"

enum { MAX_SURI = 512 };

static bool inside(const char *p, const char *base, size_t len)
{
    uintptr_t at = (uintptr_t)p, start = (uintptr_t)base;
    return at >= start && at <= start + len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_SURI)
        return 0;
    fuzz_init();
    char *text = fuzz_cstring(data, size);
    size_t len = strlen(text);

    cov_suri suri;
    cov_err err;
    cov_status parsed = cov_suri_parse(&suri, text, &err);
    bool has_soft = false, dev_phrase = false, hex_seed = false;
    size_t n_junctions = 0;
    if (parsed == COV_OK) {
        FUZZ_CHECK(suri.storage != NULL && suri.phrase != NULL);
        FUZZ_CHECK(suri.n_junctions <= COV_SURI_MAX_JUNCTIONS);
        /* The phrase is the URI's own text, or the dev phrase. */
        dev_phrase = !inside(suri.phrase, suri.storage, len);
        FUZZ_CHECK(!dev_phrase || strcmp(suri.phrase, COV_DEV_PHRASE) == 0);
        FUZZ_CHECK(suri.phrase[0] != '\0');
        hex_seed = suri.phrase[0] == '0' &&
                   (suri.phrase[1] == 'x' || suri.phrase[1] == 'X');
        if (suri.password)
            FUZZ_CHECK(inside(suri.password, suri.storage, len));
        for (size_t i = 0; i < suri.n_junctions; i++)
            has_soft |= !suri.junctions[i].hard;
        n_junctions = suri.n_junctions;
        cov_suri_free(&suri);
        FUZZ_CHECK(suri.storage == NULL && suri.n_junctions == 0);
    } else {
        FUZZ_CHECK(suri.storage == NULL);
        FUZZ_CHECK(err.code == parsed && err.msg[0] != '\0');
    }

    static const cov_key_type types[] = {COV_KEY_SR25519, COV_KEY_ED25519,
                                         COV_KEY_ECDSA};
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        if (types[t] == COV_KEY_ECDSA && !hex_seed)
            continue;
        cov_keypair *kp = NULL;
        cov_status st = cov_keypair_from_suri(&kp, text, types[t], &err);
        if (st != COV_OK) {
            FUZZ_CHECK(kp == NULL);
            FUZZ_CHECK(err.code == st && err.msg[0] != '\0');
            continue;
        }
        FUZZ_CHECK(parsed == COV_OK);
        FUZZ_CHECK(kp != NULL && cov_keypair_type(kp) == types[t]);
        FUZZ_CHECK(cov_keypair_has_secret(kp));
        FUZZ_CHECK(types[t] == COV_KEY_SR25519 || !has_soft);
        uint8_t pub[COV_PUBKEY_MAX];
        size_t pub_len = cov_keypair_public(kp, pub);
        FUZZ_CHECK(pub_len == (types[t] == COV_KEY_ECDSA ? 33u : 32u));
        const char *words = cov_keypair_mnemonic(kp);
        if (words) {
            FUZZ_CHECK(n_junctions == 0 && !dev_phrase);
            FUZZ_CHECK(cov_mnemonic_validate(words, &err) == COV_OK);
        }
        char address[COV_SS58_MAX];
        FUZZ_CHECK(cov_keypair_ss58(kp, address, COV_SS58_BITTENSOR, &err) ==
                   COV_OK);
        cov_keypair_free(kp);
    }
    free(text);
    return 0;
}
