/* ecdsa over secp256k1 as Substrate uses it: sign blake2b-256(msg) with a
 * recoverable signature r || s || recid, verify by recovering the key. */
#include "wallet/internal.h"

#include <pthread.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <sodium.h>
#include <string.h>

/* One context for the process: creating it is expensive and it holds no
 * secrets. Randomising it adds side-channel blinding for signing. */
static secp256k1_context *shared_ctx;
static pthread_once_t shared_ctx_once = PTHREAD_ONCE_INIT;

static void create_shared_context(void)
{
    secp256k1_context *c = secp256k1_context_create(SECP256K1_CONTEXT_SIGN |
                                                    SECP256K1_CONTEXT_VERIFY);
    if (!c)
        return;
    uint8_t seed[32];
    randombytes_buf(seed, sizeof seed);
    if (!secp256k1_context_randomize(c, seed)) {
        secp256k1_context_destroy(c);
        return;
    }
    shared_ctx = c;
}

static secp256k1_context *shared_context(void)
{
    pthread_once(&shared_ctx_once, create_shared_context);
    return shared_ctx;
}

cov_status cov_ecdsa_public(uint8_t pub[33], const uint8_t seckey[32],
                            cov_err *err)
{
    secp256k1_context *ctx = shared_context();
    if (!ctx)
        return cov_fail(err, COV_ERR_NOMEM, "cannot create a secp256k1 context");
    secp256k1_pubkey pk;
    if (!secp256k1_ec_pubkey_create(ctx, &pk, seckey))
        return cov_fail(err, COV_ERR_CRYPTO,
                        "the ecdsa secret key is zero or not below the curve "
                        "order; use another seed");
    size_t len = 33;
    secp256k1_ec_pubkey_serialize(ctx, pub, &len, &pk, SECP256K1_EC_COMPRESSED);
    return COV_OK;
}

cov_status cov_ecdsa_sign(uint8_t sig[65], const uint8_t seckey[32],
                          const uint8_t *msg, size_t len, cov_err *err)
{
    secp256k1_context *ctx = shared_context();
    if (!ctx)
        return cov_fail(err, COV_ERR_NOMEM, "cannot create a secp256k1 context");
    uint8_t digest[32];
    cov_blake2b_256(digest, msg, len);
    secp256k1_ecdsa_recoverable_signature rsig;
    if (!secp256k1_ecdsa_sign_recoverable(ctx, &rsig, digest, seckey, NULL, NULL))
        return cov_fail(err, COV_ERR_CRYPTO, "ecdsa signing failed: invalid secret key");
    int recid = 0;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, sig, &recid, &rsig);
    sig[64] = (uint8_t)recid;
    return COV_OK;
}

bool cov_ecdsa_recover(uint8_t pub[33], const uint8_t sig[65],
                       const uint8_t *msg, size_t len)
{
    secp256k1_context *ctx = shared_context();
    if (!ctx || sig[64] > 3)
        return false;
    secp256k1_ecdsa_recoverable_signature rsig;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &rsig, sig, sig[64]))
        return false;
    uint8_t digest[32];
    cov_blake2b_256(digest, msg, len);
    secp256k1_pubkey recovered;
    if (!secp256k1_ecdsa_recover(ctx, &recovered, &rsig, digest))
        return false;
    size_t pub_len = 33;
    secp256k1_ec_pubkey_serialize(ctx, pub, &pub_len, &recovered, SECP256K1_EC_COMPRESSED);
    return true;
}

bool cov_ecdsa_verify(const uint8_t sig[65], const uint8_t pub[33],
                      const uint8_t *msg, size_t len)
{
    uint8_t got[33];
    return cov_ecdsa_recover(got, sig, msg, len) && memcmp(got, pub, 33) == 0;
}

void cov_ecdsa_derive_hard(uint8_t out[32], const uint8_t seed[32],
                           const uint8_t cc[32])
{
    cov_hdkd_hash(out, "Secp256k1HDKD", seed, cc);
}
