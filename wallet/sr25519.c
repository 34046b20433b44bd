/* sr25519: schnorrkel's Schnorr signatures and HDKD on ristretto255, built
 * on libsodium (>= 1.0.18) and the Merlin transcripts in merlin.c.
 *
 * Every transcript label below is part of the wire format: changing one
 * changes every key or signature it touches. */
#include <string.h>

#include <sodium.h>

#include "wallet/internal.h"

static const uint8_t IDENTITY[32]; /* the ristretto255 encoding of 0 */

/* -------------------------------------------------------------- scalars */

void cov_sr25519_scalar_mul8(uint8_t out[32], const uint8_t in[32])
{
    uint8_t carry = 0;
    for (size_t i = 0; i < 32; i++) {
        uint8_t b = in[i];
        out[i] = (uint8_t)((b << 3) | carry);
        carry = (uint8_t)(b >> 5);
    }
}

void cov_sr25519_scalar_div8(uint8_t out[32], const uint8_t in[32])
{
    uint8_t carry = 0;
    for (size_t i = 32; i-- > 0;) {
        uint8_t b = in[i];
        out[i] = (uint8_t)((b >> 3) | carry);
        carry = (uint8_t)(b << 5);
    }
}

/* s < l, decided by reducing s and comparing in constant time. */
static bool scalar_is_canonical(const uint8_t s[32])
{
    uint8_t wide[64] = {0};
    uint8_t reduced[32];
    memcpy(wide, s, 32);
    crypto_core_ristretto255_scalar_reduce(reduced, wide);
    bool ok = sodium_memcmp(reduced, s, 32) == 0;
    sodium_memzero(wide, sizeof wide);
    sodium_memzero(reduced, sizeof reduced);
    return ok;
}

/* Merlin's challenge_scalar: 64 bytes reduced mod l, so the result is
 * uniform. */
static void challenge_scalar(cov_merlin *t, const char *label, uint8_t out[32])
{
    uint8_t wide[64];
    cov_merlin_challenge(t, label, wide, sizeof wide);
    crypto_core_ristretto255_scalar_reduce(out, wide);
    sodium_memzero(wide, sizeof wide);
}

/* s·B where s = 0 gives the identity; libsodium reports that case as a
 * failure, schnorrkel just uses the point. */
static void base_mul_or_identity(uint8_t out[32], const uint8_t s[32])
{
    if (crypto_scalarmult_ristretto255_base(out, s) != 0)
        memcpy(out, IDENTITY, 32);
}

/* ------------------------------------------------------------- keys */

void cov_sr25519_expand(cov_sr25519_secret *sk, uint8_t pub[32],
                        const uint8_t mini[32])
{
    uint8_t h[64];
    crypto_hash_sha512(h, mini, 32);
    h[0] &= 248;
    h[31] &= 63;
    h[31] |= 64;
    /* Dividing the clamped ed25519 scalar by the cofactor keeps it below
     * l, the form schnorrkel stores; bit 251 stays set, so it is never 0
     * and the base multiplication cannot fail. */
    cov_sr25519_scalar_div8(sk->key, h);
    memcpy(sk->nonce, h + 32, 32);
    sodium_memzero(h, sizeof h);
    base_mul_or_identity(pub, sk->key);
}

cov_status cov_sr25519_public(uint8_t pub[32], const uint8_t key[32],
                              cov_err *err)
{
    if (!scalar_is_canonical(key))
        return cov_fail(err, COV_ERR_CRYPTO,
                        "sr25519 secret scalar is not reduced mod l; expected "
                        "the canonical form btwallet stores (an ed25519-form "
                        "key must be divided by 8 first)");
    if (crypto_scalarmult_ristretto255_base(pub, key) != 0)
        return cov_fail(err, COV_ERR_CRYPTO,
                        "sr25519 secret scalar is zero; the key is unusable, "
                        "regenerate it");
    return COV_OK;
}

/* ------------------------------------------------------------ signing */

static void signing_transcript(cov_merlin *t, const uint8_t *ctx,
                               size_t ctx_len, const uint8_t *msg,
                               size_t msg_len)
{
    static const char label[] = "SigningContext";
    cov_merlin_init(t, (const uint8_t *)label, sizeof label - 1);
    cov_merlin_append(t, "", ctx, ctx_len);
    cov_merlin_append(t, "sign-bytes", msg, msg_len);
}

static void commit_signer(cov_merlin *t, const uint8_t pub[32])
{
    static const char proto[] = "Schnorr-sig";
    cov_merlin_append(t, "proto-name", (const uint8_t *)proto,
                      sizeof proto - 1);
    cov_merlin_append(t, "sign:pk", pub, 32);
}

/* Merlin frames lengths as u32; a longer input would be silently
 * truncated in the framing, so refuse it. */
static bool fits_u32(size_t len)
{
    return (uint64_t)len <= UINT32_MAX;
}

static void witness_scalar(uint8_t r[32], const cov_merlin *t,
                           const uint8_t nonce[32])
{
    const uint8_t *seeds[1] = {nonce};
    const size_t lens[1] = {32};
    uint8_t wide[64];
    cov_merlin_witness(t, "signing", seeds, lens, 1, wide, sizeof wide);
    crypto_core_ristretto255_scalar_reduce(r, wide);
    sodium_memzero(wide, sizeof wide);
}

cov_status cov_sr25519_sign(uint8_t sig[64], const cov_sr25519_secret *sk,
                            const uint8_t pub[32], const uint8_t *ctx,
                            size_t ctx_len, const uint8_t *msg,
                            size_t msg_len, cov_err *err)
{
    if (!fits_u32(msg_len) || !fits_u32(ctx_len))
        return cov_fail(err, COV_ERR_TOO_BIG,
                        "message or signing context is too long for an "
                        "sr25519 signature (at most 4 GiB each); hash the "
                        "message first");

    cov_merlin t;
    signing_transcript(&t, ctx, ctx_len, msg, msg_len);
    commit_signer(&t, pub);

    uint8_t r[32], R[32], k[32], kx[32];
    witness_scalar(r, &t, sk->nonce);
    cov_status st = COV_OK;
    if (crypto_scalarmult_ristretto255_base(R, r) != 0) {
        /* r = 0 happens with probability 2^-252: a broken RNG, not bad
         * luck. */
        st = cov_fail(err, COV_ERR_CRYPTO,
                      "sr25519 signing produced a zero nonce; the random "
                      "source is broken, do not sign on this machine");
        goto out;
    }
    cov_merlin_append(&t, "sign:R", R, 32);
    challenge_scalar(&t, "sign:c", k);

    crypto_core_ristretto255_scalar_mul(kx, k, sk->key);
    memcpy(sig, R, 32);
    crypto_core_ristretto255_scalar_add(sig + 32, kx, r);
    /* schnorrkel's marker: tells these signatures apart from ed25519. */
    sig[63] |= 0x80;

out:
    sodium_memzero(r, sizeof r);
    sodium_memzero(kx, sizeof kx);
    cov_merlin_wipe(&t);
    return st;
}

/* s·B − k·A. A is already known to be a valid encoding, so a failure of
 * the variable-base multiplication can only mean an identity result. */
static bool recompute_R(uint8_t out[32], const uint8_t s[32],
                        const uint8_t k[32], const uint8_t pub[32])
{
    uint8_t sB[32], kA[32];
    base_mul_or_identity(sB, s);
    if (crypto_scalarmult_ristretto255(kA, k, pub) != 0)
        memcpy(kA, IDENTITY, 32);
    return crypto_core_ristretto255_sub(out, sB, kA) == 0;
}

bool cov_sr25519_verify(const uint8_t sig[64], const uint8_t pub[32],
                        const uint8_t *ctx, size_t ctx_len, const uint8_t *msg,
                        size_t msg_len)
{
    if ((sig[63] & 0x80) == 0)
        return false;
    if (!fits_u32(msg_len) || !fits_u32(ctx_len))
        return false;
    uint8_t s[32];
    memcpy(s, sig + 32, 32);
    s[31] &= 0x7f;
    if (!scalar_is_canonical(s))
        return false;
    if (crypto_core_ristretto255_is_valid_point(pub) != 1)
        return false;

    cov_merlin t;
    uint8_t k[32], R[32];
    signing_transcript(&t, ctx, ctx_len, msg, msg_len);
    commit_signer(&t, pub);
    cov_merlin_append(&t, "sign:R", sig, 32);
    challenge_scalar(&t, "sign:c", k);

    return recompute_R(R, s, k, pub) && sodium_memcmp(R, sig, 32) == 0;
}

/* ------------------------------------------------------------- HDKD */

static void hdkd_transcript(cov_merlin *t, const uint8_t cc[32])
{
    static const char label[] = "SchnorrRistrettoHDKD";
    cov_merlin_init(t, (const uint8_t *)label, sizeof label - 1);
    /* Substrate always derives with empty extra bytes. */
    cov_merlin_append(t, "sign-bytes", NULL, 0);
    cov_merlin_append(t, "chain-code", cc, 32);
}

void cov_sr25519_derive_hard(cov_sr25519_secret *child, uint8_t child_pub[32],
                             uint8_t *child_mini,
                             const cov_sr25519_secret *parent,
                             const uint8_t cc[32])
{
    cov_merlin t;
    uint8_t mini[32];
    hdkd_transcript(&t, cc);
    cov_merlin_append(&t, "secret-key", parent->key, 32);
    cov_merlin_challenge(&t, "HDKD-hard", mini, sizeof mini);
    cov_merlin_wipe(&t);

    cov_sr25519_expand(child, child_pub, mini);
    if (child_mini != NULL)
        memcpy(child_mini, mini, 32);
    sodium_memzero(mini, sizeof mini);
}

/* The tweak both soft derivations add: to the scalar on a secret, as
 * tweak·B on a public key. Leaves t ready for the nonce witness. */
static void soft_tweak(cov_merlin *t, uint8_t tweak[32],
                       const uint8_t parent_pub[32], const uint8_t cc[32])
{
    hdkd_transcript(t, cc);
    cov_merlin_append(t, "public-key", parent_pub, 32);
    challenge_scalar(t, "HDKD-scalar", tweak);
}

/* The child nonce only seeds signing randomness, so schnorrkel draws it
 * from the witness RNG instead of fixing it; it mixes in the child chain
 * code challenge first, which we mirror although the code is unused. */
static void soft_nonce(uint8_t nonce[32], cov_merlin *t,
                       const cov_sr25519_secret *parent)
{
    uint8_t chain[32], parent_bytes[64];
    cov_merlin_challenge(t, "HDKD-chaincode", chain, sizeof chain);
    memcpy(parent_bytes, parent->key, 32);
    memcpy(parent_bytes + 32, parent->nonce, 32);
    const uint8_t *seeds[2] = {parent->nonce, parent_bytes};
    const size_t lens[2] = {32, 64};
    cov_merlin_witness(t, "HDKD-nonce", seeds, lens, 2, nonce, 32);
    sodium_memzero(parent_bytes, sizeof parent_bytes);
}

cov_status cov_sr25519_derive_soft(cov_sr25519_secret *child,
                                   uint8_t child_pub[32],
                                   const cov_sr25519_secret *parent,
                                   const uint8_t parent_pub[32],
                                   const uint8_t cc[32], cov_err *err)
{
    /* The transcript commits to the public key, so a mismatched one would
     * silently give a different child. */
    uint8_t check[32];
    cov_status st = cov_sr25519_public(check, parent->key, err);
    if (st != COV_OK)
        return st;
    if (sodium_memcmp(check, parent_pub, 32) != 0)
        return cov_fail(err, COV_ERR_ARG,
                        "sr25519 soft derivation was given a public key that "
                        "does not belong to the secret key");

    cov_merlin t;
    uint8_t tweak[32];
    cov_sr25519_secret out;
    soft_tweak(&t, tweak, parent_pub, cc);
    crypto_core_ristretto255_scalar_add(out.key, parent->key, tweak);
    soft_nonce(out.nonce, &t, parent);
    cov_merlin_wipe(&t);
    sodium_memzero(tweak, sizeof tweak);

    if (crypto_scalarmult_ristretto255_base(child_pub, out.key) != 0) {
        sodium_memzero(&out, sizeof out);
        return cov_fail(err, COV_ERR_CRYPTO,
                        "sr25519 soft derivation gave the zero scalar; use "
                        "another derivation path");
    }
    *child = out;
    sodium_memzero(&out, sizeof out);
    return COV_OK;
}

cov_status cov_sr25519_derive_soft_public(uint8_t child_pub[32],
                                          const uint8_t parent_pub[32],
                                          const uint8_t cc[32], cov_err *err)
{
    if (crypto_core_ristretto255_is_valid_point(parent_pub) != 1)
        return cov_fail(err, COV_ERR_CRYPTO,
                        "sr25519 public key is not a valid ristretto255 "
                        "encoding; check the key or address");

    cov_merlin t;
    uint8_t tweak[32], tweak_pt[32];
    soft_tweak(&t, tweak, parent_pub, cc);
    cov_merlin_wipe(&t);
    base_mul_or_identity(tweak_pt, tweak);
    if (crypto_core_ristretto255_add(child_pub, parent_pub, tweak_pt) != 0)
        return cov_fail(err, COV_ERR_CRYPTO,
                        "sr25519 soft public derivation failed on a point "
                        "addition; this is a bug, please report it");
    return COV_OK;
}
