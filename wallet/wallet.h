/* wallet: keys, signatures and btcli-compatible wallets.
 *
 * Key types are Substrate's: sr25519 (schnorrkel, the bittensor default),
 * ed25519 and ecdsa (secp256k1). Keys come from BIP39 mnemonics, secret URIs
 * ("//Alice", "phrase//hard/soft///password"), raw seeds or keyfiles, and
 * sign exactly as Substrate does.
 *
 * Ownership and secrets:
 * - A cov_keypair is opaque; every constructor hands the caller a new one
 *   that cov_keypair_free releases. Its secret half (seed, secret key,
 *   mnemonic) lives in sodium_malloc'd memory (guard pages, mlock'd) and is
 *   wiped on free.
 * - Functions that return secret bytes (decrypted keyfiles, serialised
 *   keypairs, passwords) return them in sodium_malloc'd memory: release
 *   them with sodium_free (it wipes).
 * - Nothing here logs or prints; secrets never appear in an error message.
 */
#ifndef COVENANT_WALLET_H
#define COVENANT_WALLET_H

#include "common/common.h"

/* ------------------------------------------------------------- key types */

typedef enum {
    COV_KEY_SR25519 = 0,
    COV_KEY_ED25519 = 1,
    COV_KEY_ECDSA = 2,
} cov_key_type;

/* "sr25519", "ed25519" or "ecdsa". */
const char *cov_key_type_name(cov_key_type type);
bool cov_key_type_parse(const char *name, cov_key_type *out);

#define COV_PUBKEY_MAX 33     /* ecdsa compressed; sr/ed25519 use 32 */
#define COV_SIGNATURE_MAX 65  /* ecdsa r||s||v; sr/ed25519 use 64 */
#define COV_SS58_MAX 64       /* longest SS58 string + NUL */
#define COV_MNEMONIC_MAX 256  /* 24 words of up to 8 letters + spaces + NUL */

/* The development phrase Substrate uses for "//Alice" and friends. */
#define COV_DEV_PHRASE \
    "bottom drive obey lake curtain smoke basket hold race lonely fit walk"

/* ---------------------------------------------------------------- SS58 */

#define COV_SS58_BITTENSOR 42

/* Encodes a 32-byte account id with an SS58 prefix (0..16383, not 46/47). */
cov_status cov_ss58_encode(char out[COV_SS58_MAX], const uint8_t account[32],
                           uint16_t prefix, cov_err *err) COV_WARN_UNUSED;

/* Decodes an address, checking length, checksum and reserved prefixes.
 * `prefix_out` may be NULL. If `expect_prefix` >= 0, another prefix is an
 * error. */
cov_status cov_ss58_decode(uint8_t account[32], uint16_t *prefix_out,
                           const char *address, int expect_prefix,
                           cov_err *err) COV_WARN_UNUSED;

/* -------------------------------------------------------------- BIP39 */

/* Makes a new English mnemonic of `words` words (12, 15, 18, 21 or 24) from
 * the OS random source. `out` should be sodium_malloc'd by the caller. */
cov_status cov_mnemonic_generate(char out[COV_MNEMONIC_MAX], unsigned words,
                                 cov_err *err) COV_WARN_UNUSED;

/* Checks the words and the checksum of an English mnemonic. */
cov_status cov_mnemonic_validate(const char *phrase,
                                 cov_err *err) COV_WARN_UNUSED;

/* -------------------------------------------------------------- keypairs */

typedef struct cov_keypair cov_keypair;

/* From a secret URI as Substrate reads it: "<phrase|0xseed|>[//hard][/soft]
 * [///password]". An empty phrase (a URI starting with '/') means
 * COV_DEV_PHRASE. sr25519 takes hard and soft junctions, ed25519 and ecdsa
 * only hard ones. */
cov_status cov_keypair_from_suri(cov_keypair **out, const char *suri,
                                 cov_key_type type,
                                 cov_err *err) COV_WARN_UNUSED;

/* From a BIP39 mnemonic and an optional BIP39 passphrase (NULL = ""). */
cov_status cov_keypair_from_mnemonic(cov_keypair **out, const char *phrase,
                                     const char *passphrase, cov_key_type type,
                                     cov_err *err) COV_WARN_UNUSED;

/* From a 32-byte seed (the sr25519 mini-secret, the ed25519 seed, or the
 * ecdsa secret key). */
cov_status cov_keypair_from_seed(cov_keypair **out, cov_key_type type,
                                 const uint8_t seed[32],
                                 cov_err *err) COV_WARN_UNUSED;

/* From a 64-byte sr25519 secret as btwallet stores it in `privateKey`:
 * canonical scalar (32) || nonce (32). A non-canonical scalar is refused. */
cov_status cov_keypair_from_sr25519_secret(cov_keypair **out,
                                           const uint8_t secret[64],
                                           cov_err *err) COV_WARN_UNUSED;

/* From a key exported by polkadot-js (extension, apps, keyring toJson):
 * version 3, sr25519, scrypt + xsalsa20-poly1305. A wrong password gives
 * COV_ERR_PASSWORD. */
cov_status cov_keypair_from_polkadot_json(cov_keypair **out, const char *json,
                                          size_t len, const char *password,
                                          cov_err *err) COV_WARN_UNUSED;

/* A public-only keypair (verifies, cannot sign). */
cov_status cov_keypair_from_public(cov_keypair **out, cov_key_type type,
                                   const uint8_t *pub, size_t pub_len,
                                   cov_err *err) COV_WARN_UNUSED;

void cov_keypair_free(cov_keypair *kp);

cov_key_type cov_keypair_type(const cov_keypair *kp);
bool cov_keypair_has_secret(const cov_keypair *kp);

/* Copies the public key into out (COV_PUBKEY_MAX bytes) and returns its
 * length: 32 for sr25519/ed25519, 33 for ecdsa. */
size_t cov_keypair_public(const cov_keypair *kp, uint8_t out[COV_PUBKEY_MAX]);

/* The 32-byte account id: the public key, or blake2b-256 of the ecdsa one. */
void cov_keypair_account_id(const cov_keypair *kp, uint8_t out[32]);

cov_status cov_keypair_ss58(const cov_keypair *kp, char out[COV_SS58_MAX],
                            uint16_t prefix, cov_err *err) COV_WARN_UNUSED;

/* The mnemonic the key came from, or NULL. Points into the keypair's secure
 * memory: valid until cov_keypair_free. */
const char *cov_keypair_mnemonic(const cov_keypair *kp);

/* Copies the 32-byte seed (mini-secret) if the keypair has one. */
bool cov_keypair_seed(const cov_keypair *kp, uint8_t out[32]);

/* Copies the 64-byte sr25519 secret (canonical scalar || nonce). */
bool cov_keypair_sr25519_secret(const cov_keypair *kp, uint8_t out[64]);

/* Signs msg. sr25519 signs the raw message in the "substrate" context (the
 * signature is randomised), ed25519 per RFC 8032, ecdsa over
 * blake2b-256(msg) with a recoverable 65-byte signature. */
cov_status cov_keypair_sign(const cov_keypair *kp,
                            uint8_t sig[COV_SIGNATURE_MAX], size_t *sig_len,
                            const uint8_t *msg, size_t msg_len,
                            cov_err *err) COV_WARN_UNUSED;

/* Verifies sig over msg for a public key. Returns COV_OK for a valid
 * signature, COV_ERR_BAD_SIGNATURE for an invalid one and another status
 * for malformed input (wrong lengths, an invalid public key). */
cov_status cov_verify(cov_key_type type, const uint8_t *pub, size_t pub_len,
                      const uint8_t *sig, size_t sig_len, const uint8_t *msg,
                      size_t msg_len, cov_err *err) COV_WARN_UNUSED;

/* Verifies sig over msg for a 32-byte account id, as the chain checks a
 * MultiSignature: for sr25519 and ed25519 the account is the public key; for
 * ecdsa the key is recovered from the signature and its blake2b-256 must be
 * the account. Returns like cov_verify. */
cov_status cov_verify_account(cov_key_type type, const uint8_t account[32],
                              const uint8_t *sig, size_t sig_len,
                              const uint8_t *msg, size_t msg_len,
                              cov_err *err) COV_WARN_UNUSED;

/* ------------------------------------------------------------- keyfiles */

/* btwallet's keyfile formats, told apart by their first bytes. */
typedef enum {
    COV_KEYFILE_PLAIN = 0,   /* JSON */
    COV_KEYFILE_NACL,        /* "$NACL": argon2i + secretbox (current) */
    COV_KEYFILE_ANSIBLE,     /* "$ANSIBLE_VAULT": legacy, read only */
    COV_KEYFILE_FERNET,      /* "gAAAAA": oldest legacy, unsupported */
} cov_keyfile_format;

cov_keyfile_format cov_keyfile_detect(const uint8_t *data, size_t len);
const char *cov_keyfile_format_name(cov_keyfile_format f);

/* argon2i parameters bittensor uses for "$NACL" keyfiles (512 MiB, 8 ops). */
#define COV_NACL_OPSLIMIT 8ULL
#define COV_NACL_MEMLIMIT 536870912ULL

/* Derives the secretbox key from a password, exactly as btwallet does. Takes
 * about 4 s and 512 MiB. */
cov_status cov_keyfile_nacl_key(uint8_t key[32], const char *password,
                                cov_err *err) COV_WARN_UNUSED;

/* Encrypts plaintext into "$NACL" || nonce || secretbox. The result is a new
 * malloc'd buffer (ciphertext is not secret): free() it. A NULL nonce picks a
 * random one (tests pass a fixed one to compare with vectors). */
cov_status cov_keyfile_encrypt_with_key(uint8_t **out, size_t *out_len,
                                        const uint8_t *plain, size_t plain_len,
                                        const uint8_t key[32],
                                        const uint8_t *nonce24,
                                        cov_err *err) COV_WARN_UNUSED;

/* Decrypts any supported encrypted keyfile (or returns a copy of a plain
 * one). *out is sodium_malloc'd and NUL-terminated; release it with
 * sodium_free. A wrong password gives COV_ERR_PASSWORD. */
cov_status cov_keyfile_decrypt(uint8_t **out, size_t *out_len,
                               const uint8_t *data, size_t len,
                               const char *password,
                               cov_err *err) COV_WARN_UNUSED;

/* Same, for "$NACL" with an already derived key (skips the 4 s KDF). */
cov_status cov_keyfile_decrypt_with_key(uint8_t **out, size_t *out_len,
                                        const uint8_t *data, size_t len,
                                        const uint8_t key[32],
                                        cov_err *err) COV_WARN_UNUSED;

/* Parses keyfile JSON in every layout btwallet and the old Python SDK wrote
 * (any key order, nulls, the secretSeed UTF-8 quirk). Precedence is
 * btwallet 4's: secretPhrase, secretSeed, privateKey, then ss58Address
 * (public only). */
cov_status cov_keyfile_parse(cov_keypair **out, const uint8_t *json,
                             size_t len, cov_err *err) COV_WARN_UNUSED;

/* Serialises an sr25519 keypair as btwallet's compact keyfile JSON; with
 * public_only, only accountId/publicKey/ss58Address. *out is sodium_malloc'd
 * and NUL-terminated: sodium_free it. */
cov_status cov_keyfile_serialize(char **out, size_t *out_len,
                                 const cov_keypair *kp, bool public_only,
                                 cov_err *err) COV_WARN_UNUSED;

/* Reads and opens a keyfile. password may be NULL for a plain file; an
 * encrypted one then fails with COV_ERR_PASSWORD. */
cov_status cov_keyfile_load(cov_keypair **out, const char *path,
                            const char *password, cov_err *err) COV_WARN_UNUSED;

/* True if the file at path exists and is encrypted in any format. */
bool cov_keyfile_is_encrypted(const char *path);

/* Writes a keyfile atomically (temp file, fsync, rename) with mode 0600,
 * creating parent folders 0700. A non-NULL password encrypts with $NACL.
 * An existing file is kept, and COV_ERR_EXISTS returned, unless overwrite. */
cov_status cov_keyfile_store(const char *path, const cov_keypair *kp,
                             bool public_only, const char *password,
                             bool overwrite, cov_err *err) COV_WARN_UNUSED;

/* ------------------------------------------------------- btcli wallets */

/* A wallet as btcli lays it out: <path>/<name>/{coldkey, coldkeypub.txt,
 * hotkeys/<hotkey>, hotkeys/<hotkey>pub.txt}. */
typedef struct {
    char *path;   /* expanded wallets folder, e.g. /home/u/.bittensor/wallets */
    char *name;   /* wallet (coldkey) name */
    char *hotkey; /* hotkey name */
} cov_wallet;

/* Fills w from the given values, or, where NULL, from BT_WALLET_PATH,
 * BT_WALLET_NAME, BT_WALLET_HOTKEY, then btcli's defaults
 * (~/.bittensor/wallets, "default", "default"). '~' is expanded. Names must
 * not contain '/' or be "." or "..". Release with cov_wallet_free. */
cov_status cov_wallet_init(cov_wallet *w, const char *path, const char *name,
                           const char *hotkey, cov_err *err) COV_WARN_UNUSED;
void cov_wallet_free(cov_wallet *w);

typedef enum {
    COV_WALLET_COLDKEY,
    COV_WALLET_COLDKEYPUB,
    COV_WALLET_HOTKEY,
    COV_WALLET_HOTKEYPUB,
} cov_wallet_file;

/* The path of one of the wallet's files; a new malloc'd string, or NULL. */
char *cov_wallet_file_path(const cov_wallet *w, cov_wallet_file which);

/* Stores a keypair as the wallet's coldkey (coldkey + coldkeypub.txt) or
 * hotkey (hotkeys/<name> + hotkeys/<name>pub.txt). password NULL writes
 * unencrypted. Nothing is overwritten unless overwrite is set. */
cov_status cov_wallet_store_coldkey(const cov_wallet *w, const cov_keypair *kp,
                                    const char *password, bool overwrite,
                                    cov_err *err) COV_WARN_UNUSED;
cov_status cov_wallet_store_coldkeypub(const cov_wallet *w,
                                       const cov_keypair *kp, bool overwrite,
                                       cov_err *err) COV_WARN_UNUSED;
cov_status cov_wallet_store_hotkey(const cov_wallet *w, const cov_keypair *kp,
                                   const char *password, bool overwrite,
                                   cov_err *err) COV_WARN_UNUSED;

/* Name of the environment variable btwallet reads a keyfile's password from:
 * "BT_PW_" + upper(path with '/' and '.' replaced by '_'). malloc'd. */
char *cov_password_env_name(const char *keyfile_path);

/* Reads the BT_PW_ variable for a keyfile and undoes btwallet's obfuscation
 * (base64 of password XOR variable name). Returns COV_ERR_NOT_FOUND if unset.
 * *out is sodium_malloc'd: sodium_free it. */
cov_status cov_password_from_env(char **out, const char *keyfile_path,
                                 cov_err *err) COV_WARN_UNUSED;

/* The value btwallet would store in BT_PW_ for a password (malloc'd). */
char *cov_password_env_value(const char *keyfile_path, const char *password);

/* btwallet's policy for a new password: at least 6 characters and not
 * trivially weak. Any password still opens an existing file. */
cov_status cov_password_check_new(const char *password,
                                  cov_err *err) COV_WARN_UNUSED;

/* One wallet found under a wallets folder, for `wallet list`. */
typedef struct {
    char *name;
    bool has_coldkey;
    bool has_coldkeypub;
    char coldkey_ss58[COV_SS58_MAX]; /* "" if no readable coldkeypub */
    size_t n_hotkeys;
    char **hotkey_names;
    char (*hotkey_ss58)[COV_SS58_MAX]; /* "" where unreadable/encrypted */
} cov_wallet_entry;

/* Lists the wallets under path (sorted by name). *out is an array of *count
 * entries; release it with cov_wallet_list_free. A missing folder is an
 * empty list, not an error. */
cov_status cov_wallet_list(cov_wallet_entry **out, size_t *count,
                           const char *path, cov_err *err) COV_WARN_UNUSED;
void cov_wallet_list_free(cov_wallet_entry *entries, size_t count);

#endif /* COVENANT_WALLET_H */
