/* wallet/ internals shared between its files and its unit tests.
 * Not part of the public API: callers outside wallet/ use wallet.h. */
#ifndef COVENANT_WALLET_INTERNAL_H
#define COVENANT_WALLET_INTERNAL_H

#include "wallet/wallet.h"

/* ------------------------------------------------ STROBE-128 and Merlin */

typedef struct {
    uint64_t lanes[25]; /* Keccak state, 200 bytes viewed little-endian */
    uint8_t pos;
    uint8_t pos_begin;
    uint8_t cur_flags;
} cov_strobe;

typedef struct {
    cov_strobe strobe;
} cov_merlin;

/* Merlin transcripts (merlin 2.0). */
void cov_merlin_init(cov_merlin *t, const uint8_t *label, size_t label_len);
void cov_merlin_append(cov_merlin *t, const char *label, const uint8_t *msg,
                       size_t len);
void cov_merlin_challenge(cov_merlin *t, const char *label, uint8_t *out,
                          size_t len);
/* Witness RNG as schnorrkel's witness_bytes: on a clone of t, rekey with the
 * witness secrets (each under `label`), finalise with 32 OS-random bytes and
 * squeeze len bytes. t itself is not changed. */
void cov_merlin_witness(const cov_merlin *t, const char *label,
                        const uint8_t *const *witnesses,
                        const size_t *witness_lens, size_t n_witnesses,
                        uint8_t *out, size_t len);
void cov_merlin_wipe(cov_merlin *t);

/* --------------------------------------------------------------- sr25519 */

/* schnorrkel SecretKey: canonical scalar (< l, not times the cofactor) and
 * the 32-byte signing nonce seed. */
typedef struct {
    uint8_t key[32];
    uint8_t nonce[32];
} cov_sr25519_secret;

/* schnorrkel's MiniSecretKey::expand_ed25519 and the public key. */
void cov_sr25519_expand(cov_sr25519_secret *sk, uint8_t pub[32],
                        const uint8_t mini[32]);

/* Public key of a canonical scalar; COV_ERR_CRYPTO for zero/non-canonical. */
cov_status cov_sr25519_public(uint8_t pub[32], const uint8_t key[32],
                              cov_err *err);

/* Signs in a signing context ("substrate" for Substrate). */
cov_status cov_sr25519_sign(uint8_t sig[64], const cov_sr25519_secret *sk,
                            const uint8_t pub[32], const uint8_t *ctx,
                            size_t ctx_len, const uint8_t *msg,
                            size_t msg_len, cov_err *err);

/* Accepts and rejects exactly as schnorrkel's verify: the marker bit must be
 * set, s canonical and the public key a valid ristretto encoding. */
bool cov_sr25519_verify(const uint8_t sig[64], const uint8_t pub[32],
                        const uint8_t *ctx, size_t ctx_len, const uint8_t *msg,
                        size_t msg_len);

/* Hard junction: a child mini-secret from the parent's scalar and a chain
 * code, then expanded. child_mini may be NULL. */
void cov_sr25519_derive_hard(cov_sr25519_secret *child, uint8_t child_pub[32],
                             uint8_t *child_mini,
                             const cov_sr25519_secret *parent,
                             const uint8_t cc[32]);

/* Soft junction on a secret (the child nonce is randomised, as schnorrkel). */
cov_status cov_sr25519_derive_soft(cov_sr25519_secret *child,
                                   uint8_t child_pub[32],
                                   const cov_sr25519_secret *parent,
                                   const uint8_t parent_pub[32],
                                   const uint8_t cc[32], cov_err *err);

/* Soft junction on a public key alone. */
cov_status cov_sr25519_derive_soft_public(uint8_t child_pub[32],
                                          const uint8_t parent_pub[32],
                                          const uint8_t cc[32], cov_err *err);

/* Scalar (little-endian 256-bit) times / divided by the cofactor 8: the
 * ed25519 form polkadot-js stores vs the canonical form btwallet stores. */
void cov_sr25519_scalar_mul8(uint8_t out[32], const uint8_t in[32]);
void cov_sr25519_scalar_div8(uint8_t out[32], const uint8_t in[32]);

/* ----------------------------------------------------- ed25519 / ecdsa */

void cov_ed25519_public(uint8_t pub[32], const uint8_t seed[32]);
void cov_ed25519_sign(uint8_t sig[64], const uint8_t seed[32],
                      const uint8_t *msg, size_t len);
bool cov_ed25519_verify(const uint8_t sig[64], const uint8_t pub[32],
                        const uint8_t *msg, size_t len);
/* blake2b-256(SCALE((label, seed, cc))): the hard-junction step of ed25519
 * ("Ed25519HDKD") and ecdsa ("Secp256k1HDKD"). label must be < 64 bytes. */
void cov_hdkd_hash(uint8_t out[32], const char *label, const uint8_t seed[32],
                   const uint8_t cc[32]);
/* seed' = blake2b-256(SCALE(("Ed25519HDKD", seed, cc))) */
void cov_ed25519_derive_hard(uint8_t out[32], const uint8_t seed[32],
                             const uint8_t cc[32]);

cov_status cov_ecdsa_public(uint8_t pub[33], const uint8_t seckey[32],
                            cov_err *err);
cov_status cov_ecdsa_sign(uint8_t sig[65], const uint8_t seckey[32],
                          const uint8_t *msg, size_t len, cov_err *err);
bool cov_ecdsa_verify(const uint8_t sig[65], const uint8_t pub[33],
                      const uint8_t *msg, size_t len);
/* Recovers the compressed public key that made sig over msg. */
bool cov_ecdsa_recover(uint8_t pub[33], const uint8_t sig[65],
                       const uint8_t *msg, size_t len);
/* seed' = blake2b-256(SCALE(("Secp256k1HDKD", seed, cc))) */
void cov_ecdsa_derive_hard(uint8_t out[32], const uint8_t seed[32],
                           const uint8_t cc[32]);

/* ----------------------------------------------------------------- BIP39 */

/* The English word at index 0..2047, or NULL. */
const char *cov_bip39_word(unsigned index);
/* Index of an English word, or -1. */
int cov_bip39_index(const char *word, size_t len);

/* Recovers the entropy (16..32 bytes) of a mnemonic, checking every word
 * and the SHA-256 checksum. */
cov_status cov_bip39_to_entropy(uint8_t entropy[32], size_t *entropy_len,
                                const char *phrase, cov_err *err);
/* Writes the mnemonic of 16, 20, 24, 28 or 32 bytes of entropy. */
cov_status cov_bip39_from_entropy(char out[COV_MNEMONIC_MAX],
                                  const uint8_t *entropy, size_t len,
                                  cov_err *err);
/* Substrate's seed: PBKDF2-HMAC-SHA512(entropy, "mnemonic" || passphrase,
 * 2048, 64). The mini-secret / seed of every key type is out[0..32]. */
void cov_bip39_substrate_seed(uint8_t out[64], const uint8_t *entropy,
                              size_t len, const char *passphrase);

/* ------------------------------------------------------------ SURI */

#define COV_SURI_MAX_JUNCTIONS 32

typedef struct {
    bool hard;
    uint8_t chain_code[32];
} cov_junction;

/* A parsed secret URI. phrase and password point into `storage`, a
 * sodium_malloc'd copy of the URI; release with cov_suri_free. */
typedef struct {
    char *storage;
    const char *phrase;   /* mnemonic, "0x" seed hex, or COV_DEV_PHRASE */
    const char *password; /* BIP39 passphrase, or NULL */
    size_t n_junctions;
    cov_junction junctions[COV_SURI_MAX_JUNCTIONS];
} cov_suri;

cov_status cov_suri_parse(cov_suri *out, const char *suri, cov_err *err);
void cov_suri_free(cov_suri *s);

/* Chain code of one junction's text: a decimal u64 as 8 LE bytes, else the
 * SCALE string; longer than 32 bytes is hashed with blake2b-256. */
void cov_junction_chain_code(uint8_t cc[32], const char *text, size_t len);

/* -------------------------------------------------------- legacy files */

/* AES-256 in CTR mode with a 16-byte big-endian counter block (en- and
 * decryption are the same). */
void cov_aes256_ctr(uint8_t *out, const uint8_t *in, size_t len,
                    const uint8_t key[32], const uint8_t iv[16]);

/* Ansible Vault 1.1 (AES256) as old bittensor wrote keyfiles. *out is
 * sodium_malloc'd, NUL-terminated. Wrong password -> COV_ERR_PASSWORD. */
cov_status cov_ansible_vault_decrypt(uint8_t **out, size_t *out_len,
                                     const uint8_t *data, size_t len,
                                     const char *password, cov_err *err);
/* Writes a vault (malloc'd text) with the given 32-byte salt: for tests and
 * for fixtures, covenant itself never writes this format. */
cov_status cov_ansible_vault_encrypt(char **out, const uint8_t *plain,
                                     size_t len, const char *password,
                                     const uint8_t salt[32], cov_err *err);

/* ------------------------------------------------------------ keypair */

struct cov_keypair {
    cov_key_type type;
    bool has_secret;
    bool has_seed;
    uint8_t pub[COV_PUBKEY_MAX];
    size_t pub_len;
    /* sodium_malloc'd; NULL for public-only keys */
    struct cov_keypair_secret {
        uint8_t seed[32];              /* mini-secret / ed25519 seed / ecdsa key */
        cov_sr25519_secret sr;         /* sr25519 only */
        char mnemonic[COV_MNEMONIC_MAX]; /* "" if none */
    } *secret;
};

/* Allocates a keypair with zeroed secure secret storage. */
cov_status cov_keypair_alloc(cov_keypair **out, cov_key_type type,
                             bool with_secret, cov_err *err);

#endif /* COVENANT_WALLET_INTERNAL_H */
