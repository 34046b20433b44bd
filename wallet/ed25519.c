/* ed25519 as Substrate uses it: RFC 8032 keys from a 32-byte seed (libsodium
 * matches ed25519-zebra's signing byte for byte), and hard derivation. */
#include "wallet/internal.h"

#include <sodium.h>
#include <string.h>

void cov_ed25519_public(uint8_t pub[32], const uint8_t seed[32])
{
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_seed_keypair(pub, sk, seed);
    sodium_memzero(sk, sizeof sk);
}

void cov_ed25519_sign(uint8_t sig[64], const uint8_t seed[32],
                      const uint8_t *msg, size_t len)
{
    uint8_t pub[32];
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_seed_keypair(pub, sk, seed);
    crypto_sign_detached(sig, NULL, msg, len, sk);
    sodium_memzero(sk, sizeof sk);
}

bool cov_ed25519_verify(const uint8_t sig[64], const uint8_t pub[32],
                        const uint8_t *msg, size_t len)
{
    return crypto_sign_verify_detached(sig, msg, len, pub) == 0;
}

/* blake2b-256 of SCALE((label, seed, cc)): the label as a SCALE string (one
 * compact-length byte, since it is short), then the two raw arrays. */
void cov_hdkd_hash(uint8_t out[32], const char *label, const uint8_t seed[32],
                   const uint8_t cc[32])
{
    size_t label_len = strlen(label);
    uint8_t compact_len = (uint8_t)(label_len << 2);
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, &compact_len, 1);
    crypto_generichash_update(&st, (const uint8_t *)label, label_len);
    crypto_generichash_update(&st, seed, 32);
    crypto_generichash_update(&st, cc, 32);
    crypto_generichash_final(&st, out, 32);
    sodium_memzero(&st, sizeof st);
}

void cov_ed25519_derive_hard(uint8_t out[32], const uint8_t seed[32],
                             const uint8_t cc[32])
{
    cov_hdkd_hash(out, "Ed25519HDKD", seed, cc);
}
