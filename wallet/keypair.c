/* Keypairs of the three Substrate key types: construction from seeds,
 * mnemonics and secret URIs, signing and verification. */
#include "wallet/internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t substrate_ctx[] = "substrate";
#define SUBSTRATE_CTX_LEN (sizeof substrate_ctx - 1)

cov_status cov_keypair_alloc(cov_keypair **out, cov_key_type type,
                             bool with_secret, cov_err *err)
{
    *out = NULL;
    if ((unsigned)type > COV_KEY_ECDSA)
        return cov_fail(err, COV_ERR_ARG, "unknown key type %d", (int)type);
    cov_keypair *kp = calloc(1, sizeof *kp);
    if (!kp)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory for a keypair");
    kp->type = type;
    kp->pub_len = type == COV_KEY_ECDSA ? 33 : 32;
    if (with_secret) {
        kp->secret = sodium_malloc(sizeof *kp->secret);
        if (!kp->secret) {
            free(kp);
            return cov_fail(err, COV_ERR_NOMEM,
                            "out of secure memory for a secret key (is the "
                            "mlock limit too low? see `ulimit -l`)");
        }
        sodium_memzero(kp->secret, sizeof *kp->secret);
        kp->has_secret = true;
    }
    *out = kp;
    return COV_OK;
}

void cov_keypair_free(cov_keypair *kp)
{
    if (!kp)
        return;
    if (kp->secret)
        sodium_free(kp->secret); /* wipes before unmapping */
    free(kp);
}

/* Fills the secret and public key of a keypair whose secret->seed is set. */
static cov_status complete_from_seed(cov_keypair *kp, cov_err *err)
{
    struct cov_keypair_secret *s = kp->secret;
    kp->has_seed = true;
    switch (kp->type) {
    case COV_KEY_SR25519:
        cov_sr25519_expand(&s->sr, kp->pub, s->seed);
        return COV_OK;
    case COV_KEY_ED25519:
        cov_ed25519_public(kp->pub, s->seed);
        return COV_OK;
    case COV_KEY_ECDSA:
        return cov_ecdsa_public(kp->pub, s->seed, err);
    }
    return cov_fail(err, COV_ERR_ARG, "unknown key type");
}

cov_status cov_keypair_from_seed(cov_keypair **out, cov_key_type type,
                                 const uint8_t seed[32], cov_err *err)
{
    cov_keypair *kp;
    cov_status st = cov_keypair_alloc(&kp, type, true, err);
    if (st != COV_OK)
        return st;
    memcpy(kp->secret->seed, seed, 32);
    st = complete_from_seed(kp, err);
    if (st != COV_OK) {
        cov_keypair_free(kp);
        return st;
    }
    *out = kp;
    return COV_OK;
}

cov_status cov_keypair_from_mnemonic(cov_keypair **out, const char *phrase,
                                     const char *passphrase, cov_key_type type,
                                     cov_err *err)
{
    *out = NULL;
    if (strlen(phrase) >= COV_MNEMONIC_MAX)
        return cov_fail(err, COV_ERR_PARSE, "mnemonic is too long");
    uint8_t *tmp = sodium_malloc(32 + 64);
    if (!tmp)
        return cov_fail(err, COV_ERR_NOMEM, "out of secure memory");
    uint8_t *entropy = tmp, *seed64 = tmp + 32;
    size_t entropy_len;
    cov_status st = cov_bip39_to_entropy(entropy, &entropy_len, phrase, err);
    if (st == COV_OK) {
        cov_bip39_substrate_seed(seed64, entropy, entropy_len,
                                 passphrase ? passphrase : "");
        st = cov_keypair_from_seed(out, type, seed64, err);
    }
    if (st == COV_OK) {
        /* Keep the words in their canonical single-spaced form. */
        st = cov_bip39_from_entropy((*out)->secret->mnemonic, entropy,
                                    entropy_len, err);
        if (st != COV_OK) {
            cov_keypair_free(*out);
            *out = NULL;
        }
    }
    sodium_free(tmp);
    return st;
}

cov_status cov_keypair_from_sr25519_secret(cov_keypair **out,
                                           const uint8_t secret[64],
                                           cov_err *err)
{
    cov_keypair *kp;
    cov_status st = cov_keypair_alloc(&kp, COV_KEY_SR25519, true, err);
    if (st != COV_OK)
        return st;
    memcpy(kp->secret->sr.key, secret, 32);
    memcpy(kp->secret->sr.nonce, secret + 32, 32);
    st = cov_sr25519_public(kp->pub, kp->secret->sr.key, err);
    if (st != COV_OK) {
        cov_keypair_free(kp);
        return st;
    }
    *out = kp;
    return COV_OK;
}

cov_status cov_keypair_from_public(cov_keypair **out, cov_key_type type,
                                   const uint8_t *pub, size_t pub_len,
                                   cov_err *err)
{
    *out = NULL;
    size_t want = type == COV_KEY_ECDSA ? 33 : 32;
    if (pub_len != want)
        return cov_fail(err, COV_ERR_ARG,
                        "a %s public key has %zu bytes, got %zu",
                        cov_key_type_name(type), want, pub_len);
    cov_keypair *kp;
    cov_status st = cov_keypair_alloc(&kp, type, false, err);
    if (st != COV_OK)
        return st;
    memcpy(kp->pub, pub, pub_len);
    *out = kp;
    return COV_OK;
}

/* Applies one junction to a keypair that has its secret. */
static cov_status derive_step(cov_keypair *kp, const cov_junction *j,
                              cov_err *err)
{
    struct cov_keypair_secret *s = kp->secret;
    switch (kp->type) {
    case COV_KEY_SR25519: {
        /* Derive into temporaries: child and parent must not alias. */
        cov_sr25519_secret child;
        uint8_t child_pub[32];
        cov_status st = COV_OK;
        if (j->hard) {
            cov_sr25519_derive_hard(&child, child_pub, s->seed, &s->sr,
                                    j->chain_code);
        } else {
            kp->has_seed = false; /* a soft child has no mini-secret */
            st = cov_sr25519_derive_soft(&child, child_pub, &s->sr, kp->pub,
                                         j->chain_code, err);
        }
        if (st == COV_OK) {
            s->sr = child;
            memcpy(kp->pub, child_pub, 32);
        }
        sodium_memzero(&child, sizeof child);
        return st;
    }
    case COV_KEY_ED25519:
    case COV_KEY_ECDSA:
        if (!j->hard)
            return cov_fail(err, COV_ERR_UNSUPPORTED,
                            "%s keys support only hard junctions (//name), "
                            "not soft ones (/name)",
                            cov_key_type_name(kp->type));
        if (kp->type == COV_KEY_ED25519)
            cov_ed25519_derive_hard(s->seed, s->seed, j->chain_code);
        else
            cov_ecdsa_derive_hard(s->seed, s->seed, j->chain_code);
        return complete_from_seed(kp, err);
    }
    return cov_fail(err, COV_ERR_ARG, "unknown key type");
}

cov_status cov_keypair_from_suri(cov_keypair **out, const char *suri,
                                 cov_key_type type, cov_err *err)
{
    *out = NULL;
    cov_suri parsed;
    cov_status st = cov_suri_parse(&parsed, suri, err);
    if (st != COV_OK)
        return st;
    cov_keypair *kp = NULL;
    const char *phrase = parsed.phrase;
    if (phrase[0] == '0' && (phrase[1] == 'x' || phrase[1] == 'X')) {
        if (parsed.password) {
            st = cov_fail(err, COV_ERR_PARSE,
                          "a ///password applies to a mnemonic, not to a hex seed");
        } else {
            uint8_t seed[32];
            st = cov_hex_decode(seed, 32, phrase, err);
            if (st != COV_OK)
                cov_err_context(err, "secret URI seed must be 0x + 64 hex digits");
            else
                st = cov_keypair_from_seed(&kp, type, seed, err);
            sodium_memzero(seed, sizeof seed);
        }
    } else {
        st = cov_keypair_from_mnemonic(&kp, phrase, parsed.password, type, err);
        if (st == COV_OK && strcmp(phrase, COV_DEV_PHRASE) == 0)
            kp->secret->mnemonic[0] = '\0'; /* derived, not a user's words */
    }
    for (size_t i = 0; st == COV_OK && i < parsed.n_junctions; i++)
        st = derive_step(kp, &parsed.junctions[i], err);
    if (st == COV_OK && parsed.n_junctions > 0)
        kp->secret->mnemonic[0] = '\0'; /* the words no longer give this key */
    cov_suri_free(&parsed);
    if (st != COV_OK) {
        cov_keypair_free(kp);
        return st;
    }
    *out = kp;
    return COV_OK;
}

cov_key_type cov_keypair_type(const cov_keypair *kp) { return kp->type; }

bool cov_keypair_has_secret(const cov_keypair *kp) { return kp->has_secret; }

size_t cov_keypair_public(const cov_keypair *kp, uint8_t out[COV_PUBKEY_MAX])
{
    memcpy(out, kp->pub, kp->pub_len);
    return kp->pub_len;
}

void cov_keypair_account_id(const cov_keypair *kp, uint8_t out[32])
{
    if (kp->type == COV_KEY_ECDSA)
        cov_blake2b_256(out, kp->pub, 33);
    else
        memcpy(out, kp->pub, 32);
}

cov_status cov_keypair_ss58(const cov_keypair *kp, char out[COV_SS58_MAX],
                            uint16_t prefix, cov_err *err)
{
    uint8_t account[32];
    cov_keypair_account_id(kp, account);
    return cov_ss58_encode(out, account, prefix, err);
}

const char *cov_keypair_mnemonic(const cov_keypair *kp)
{
    if (!kp->secret || !kp->secret->mnemonic[0])
        return NULL;
    return kp->secret->mnemonic;
}

bool cov_keypair_seed(const cov_keypair *kp, uint8_t out[32])
{
    if (!kp->secret || !kp->has_seed)
        return false;
    memcpy(out, kp->secret->seed, 32);
    return true;
}

bool cov_keypair_sr25519_secret(const cov_keypair *kp, uint8_t out[64])
{
    if (!kp->secret || kp->type != COV_KEY_SR25519)
        return false;
    memcpy(out, kp->secret->sr.key, 32);
    memcpy(out + 32, kp->secret->sr.nonce, 32);
    return true;
}

cov_status cov_keypair_sign(const cov_keypair *kp,
                            uint8_t sig[COV_SIGNATURE_MAX], size_t *sig_len,
                            const uint8_t *msg, size_t msg_len, cov_err *err)
{
    if (!kp->secret)
        return cov_fail(err, COV_ERR_ARG,
                        "this key is public only and cannot sign; open the "
                        "keyfile that holds its secret");
    switch (kp->type) {
    case COV_KEY_SR25519:
        *sig_len = 64;
        return cov_sr25519_sign(sig, &kp->secret->sr, kp->pub, substrate_ctx,
                                SUBSTRATE_CTX_LEN, msg, msg_len, err);
    case COV_KEY_ED25519:
        *sig_len = 64;
        cov_ed25519_sign(sig, kp->secret->seed, msg, msg_len);
        return COV_OK;
    case COV_KEY_ECDSA:
        *sig_len = 65;
        return cov_ecdsa_sign(sig, kp->secret->seed, msg, msg_len, err);
    }
    return cov_fail(err, COV_ERR_ARG, "unknown key type");
}

cov_status cov_verify(cov_key_type type, const uint8_t *pub, size_t pub_len,
                      const uint8_t *sig, size_t sig_len, const uint8_t *msg,
                      size_t msg_len, cov_err *err)
{
    size_t want_pub = type == COV_KEY_ECDSA ? 33 : 32;
    size_t want_sig = type == COV_KEY_ECDSA ? 65 : 64;
    if ((unsigned)type > COV_KEY_ECDSA)
        return cov_fail(err, COV_ERR_ARG, "unknown key type %d", (int)type);
    if (pub_len != want_pub)
        return cov_fail(err, COV_ERR_ARG, "a %s public key has %zu bytes, got %zu",
                        cov_key_type_name(type), want_pub, pub_len);
    if (sig_len != want_sig)
        return cov_fail(err, COV_ERR_ARG, "a %s signature has %zu bytes, got %zu",
                        cov_key_type_name(type), want_sig, sig_len);
    bool ok = false;
    switch (type) {
    case COV_KEY_SR25519:
        ok = cov_sr25519_verify(sig, pub, substrate_ctx, SUBSTRATE_CTX_LEN, msg,
                                msg_len);
        break;
    case COV_KEY_ED25519:
        ok = cov_ed25519_verify(sig, pub, msg, msg_len);
        break;
    case COV_KEY_ECDSA:
        ok = cov_ecdsa_verify(sig, pub, msg, msg_len);
        break;
    }
    if (!ok)
        return cov_fail(err, COV_ERR_BAD_SIGNATURE,
                        "the %s signature does not match this message and key",
                        cov_key_type_name(type));
    return COV_OK;
}

cov_status cov_verify_account(cov_key_type type, const uint8_t account[32],
                              const uint8_t *sig, size_t sig_len,
                              const uint8_t *msg, size_t msg_len, cov_err *err)
{
    if (type != COV_KEY_ECDSA) {
        /* A full-size key buffer keeps gcc from reasoning about a 33-byte
         * read on the ecdsa branch that this call never takes. */
        uint8_t key[COV_PUBKEY_MAX] = {0};
        memcpy(key, account, 32);
        return cov_verify(type, key, 32, sig, sig_len, msg, msg_len, err);
    }
    if (sig_len != 65)
        return cov_fail(err, COV_ERR_ARG, "an ecdsa signature has 65 bytes, got %zu", sig_len);
    uint8_t pub[33], hashed[32];
    if (cov_ecdsa_recover(pub, sig, msg, msg_len)) {
        cov_blake2b_256(hashed, pub, 33);
        if (cov_ct_equal(hashed, account, 32))
            return COV_OK;
    }
    return cov_fail(err, COV_ERR_BAD_SIGNATURE,
                    "the ecdsa signature does not match this message and account");
}
