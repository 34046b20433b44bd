/* Part of chain/chain.h: eras, storage keys and v4 extrinsics.
 *
 * What is here needs no metadata: the caller names the storage hashers and
 * the transaction extensions. The metadata layer looks those up by name and
 * drives these functions (storage entry hashers are metadata's
 * StorageHasher indices; the extension list is metadata's
 * extrinsic.signed_extensions, in order).
 *
 * Formats are sp_runtime's (generic/era.rs, generic/unchecked_extrinsic.rs)
 * and frame-support's storage hashers; the extrinsic layout is spelled out
 * above cov_extrinsic_payload below.
 */
#ifndef COVENANT_CHAIN_EXTRINSIC_H
#define COVENANT_CHAIN_EXTRINSIC_H

#include "common/common.h"
#include "wallet/wallet.h"
#include "chain/metadata.h"

/* ------------------------------------------------------------------ eras */

/* How long a transaction stays valid. A mortal era is valid for `period`
 * blocks from its birth block, the first block >= the signing block whose
 * number is `phase` modulo `period`; the signature covers that block's hash,
 * so the transaction cannot be replayed on a fork that lacks it. */
typedef struct {
    bool mortal;
    uint64_t period; /* a power of two in [4, 65536] */
    uint64_t phase;  /* < period, a multiple of max(period >> 12, 1) */
} cov_era;

#define COV_ERA_MAX_LEN 2 /* immortal: 1 byte; mortal: 2 */

cov_era cov_era_immortal(void);

/* sp_runtime's Era::mortal: the period is the next power of two of
 * period_request clamped to [4, 65536], the phase current_block % period,
 * rounded down to a multiple of max(period >> 12, 1). */
cov_era cov_era_mortal(uint64_t current_block, uint64_t period_request);

/* True for immortal, or a period and phase as documented on cov_era. */
bool cov_era_is_valid(const cov_era *era);

/* Encodes an era: 0x00 if immortal, else the 2-byte little-endian u16
 * min(15, max(1, log2(period) - 1)) | (phase / quantum) << 4. An invalid
 * era is COV_ERR_ARG (its encoding would decode to a different era). */
cov_status cov_era_encode(uint8_t out[COV_ERA_MAX_LEN], size_t *out_len,
                          const cov_era *era, cov_err *err) COV_WARN_UNUSED;

/* Decodes an era from the start of in; *consumed (may be NULL) gets 1 or 2.
 * Rejects what sp_runtime rejects: a period below 4 (low nibble 0) or a
 * phase >= period (COV_ERR_PARSE), and truncated input. */
cov_status cov_era_decode(cov_era *out, size_t *consumed, const uint8_t *in,
                          size_t len, cov_err *err) COV_WARN_UNUSED;

/* The era's birth block for a transaction signed at `current`: the block
 * whose hash CheckMortality signs (0, i.e. genesis, when immortal). A
 * current below the phase gives the phase, as in sp_runtime. */
uint64_t cov_era_birth(const cov_era *era, uint64_t current);

/* The first block at which the era has ended: birth + period, or
 * UINT64_MAX when immortal (saturating). */
uint64_t cov_era_death(const cov_era *era, uint64_t current);

/* ---------------------------------------------------------- storage keys */

/* Hashers are metadata.h's cov_storage_hasher (StorageHasher, numbered as
 * metadata encodes it): Blake2_128, Blake2_256, Blake2_128Concat, Twox128,
 * Twox256, Twox64Concat, Identity; cov_storage_hasher_name names them. */
#define COV_STORAGE_PREFIX_LEN 32 /* twox128(pallet) || twox128(item) */

/* Bytes of hash a hasher writes before any raw key: 16, 32, 16, 16, 32, 8
 * and 0 in enum order. */
size_t cov_storage_hasher_hash_len(cov_storage_hasher h);

/* True if the raw key follows its hash (Blake2_128Concat, Twox64Concat,
 * Identity), so a key read back from the chain gives the key itself. */
bool cov_storage_hasher_is_concat(cov_storage_hasher h);

/* twox128(pallet) || twox128(item), e.g. ("System", "Account"). */
void cov_storage_prefix(uint8_t out[COV_STORAGE_PREFIX_LEN],
                        const char *pallet, const char *item);

/* Appends the prefix of (pallet, item) to key. */
cov_status cov_storage_key_begin(cov_buf *key, const char *pallet,
                                 const char *item, cov_err *err)
    COV_WARN_UNUSED;

/* Appends one hashed map key: hasher(encoded) and, for the concat hashers,
 * the encoded key itself. `encoded` is the key's SCALE encoding. */
cov_status cov_storage_key_append(cov_buf *key, cov_storage_hasher hasher,
                                  const uint8_t *encoded, size_t len,
                                  cov_err *err) COV_WARN_UNUSED;

/* One map key found in a full storage key. Pointers point into the key. */
typedef struct {
    cov_storage_hasher hasher;
    const uint8_t *hash; /* hash_len bytes (none for Identity) */
    size_t hash_len;
    const uint8_t *key; /* the SCALE-encoded key for concat hashers; */
    size_t key_len;     /* NULL and 0 for opaque ones */
} cov_storage_key_part;

/* Tells the splitter how long the encoded key of part `index` is, reading
 * it from data (avail bytes remain in the storage key). With metadata this
 * skips one value of the key's type. Fails, with a message, if the bytes do
 * not hold such a key. */
typedef cov_status (*cov_storage_key_len_fn)(size_t *len, void *ctx,
                                             size_t index,
                                             const uint8_t *data,
                                             size_t avail, cov_err *err);

/* A cov_storage_key_len_fn for fixed-size keys: ctx is a size_t array
 * giving each part's length (AccountId 32, u16 2, ...). */
cov_status cov_storage_key_len_fixed(size_t *len, void *ctx, size_t index,
                                     const uint8_t *data, size_t avail,
                                     cov_err *err) COV_WARN_UNUSED;

/* Splits a full storage key into n parts after checking it starts with
 * prefix. Opaque hashers take their hash length; concat hashers ask
 * key_len_fn for the key's length and check the hash of the key bytes
 * against the hash in front of them (COV_ERR_CHECKSUM if they differ). With
 * key_len_fn NULL only the last part may be a concat hasher, and it takes
 * the rest. The key must be consumed exactly (COV_ERR_PARSE otherwise). */
cov_status cov_storage_key_split(cov_storage_key_part *parts,
                                 const uint8_t *key, size_t key_len,
                                 const uint8_t prefix[COV_STORAGE_PREFIX_LEN],
                                 const cov_storage_hasher *hashers, size_t n,
                                 cov_storage_key_len_fn key_len_fn, void *ctx,
                                 cov_err *err) COV_WARN_UNUSED;

/* ------------------------------------------------ transaction extensions */

#define COV_TX_EXT_ID_MAX 64    /* metadata identifiers are Rust type names */
#define COV_TX_EXT_BYTES_MAX 64 /* standard ones need at most 33 */

/* One transaction extension (signed extension) as it appears on the wire:
 * `extra` is written into the extrinsic, `implicit` ("additional signed")
 * is only signed. Either may be empty. */
typedef struct {
    char identifier[COV_TX_EXT_ID_MAX];
    uint8_t extra[COV_TX_EXT_BYTES_MAX];
    size_t extra_len;
    uint8_t implicit[COV_TX_EXT_BYTES_MAX];
    size_t implicit_len;
} cov_tx_extension;

/* The values the standard extensions are built from. */
typedef struct {
    uint32_t spec_version; /* CheckSpecVersion */
    uint32_t tx_version;   /* CheckTxVersion */
    uint8_t genesis_hash[32]; /* CheckGenesis */
    cov_era era;           /* CheckMortality / CheckEra */
    /* Hash of the era's birth block (cov_era_birth); for an immortal era
     * the genesis hash. */
    uint8_t era_block_hash[32];
    uint64_t nonce; /* CheckNonce: Compact<Nonce>; subtensor's is u32 */
    uint64_t tip;   /* ChargeTransactionPayment: Compact<Balance>; u64 */
    uint8_t metadata_hash_mode; /* CheckMetadataHash: 0 off, 1 on */
    uint8_t metadata_hash[32];  /* with mode 1 */
} cov_tx_values;

/* Fills one extension by hand (for extensions covenant does not know). */
cov_status cov_tx_extension_set(cov_tx_extension *out, const char *identifier,
                                const uint8_t *extra, size_t extra_len,
                                const uint8_t *implicit, size_t implicit_len,
                                cov_err *err) COV_WARN_UNUSED;

/* True if identifier names an extension cov_tx_extension_standard fills:
 * CheckNonZeroSender, CheckSpecVersion, CheckTxVersion, CheckGenesis,
 * CheckMortality, CheckEra, CheckNonce, CheckWeight,
 * ChargeTransactionPayment, ChargeAssetTxPayment (native asset only),
 * CheckMetadataHash. */
bool cov_tx_extension_is_standard(const char *identifier);

/* Fills a standard extension from values; COV_ERR_UNSUPPORTED for any other
 * identifier, COV_ERR_ARG for an invalid era or metadata hash mode. */
cov_status cov_tx_extension_standard(cov_tx_extension *out,
                                     const char *identifier,
                                     const cov_tx_values *values,
                                     cov_err *err) COV_WARN_UNUSED;

/* Says whether the extension `identifier` (at position index in the list)
 * encodes to nothing: with metadata, both its types are zero-sized. */
typedef bool (*cov_tx_ext_zero_sized_fn)(void *ctx, const char *identifier,
                                         size_t index);

/* A cov_tx_ext_zero_sized_fn whose ctx is a NULL-terminated array of
 * identifiers known to be zero-sized (const char *const *). */
bool cov_tx_ext_zero_sized_in_list(void *ctx, const char *identifier,
                                   size_t index);

/* Fills out[0..n) for the identifiers in order (metadata's list): standard
 * ones from values, others empty if is_zero_sized (may be NULL) says so.
 * Anything else is COV_ERR_UNSUPPORTED naming the identifier: its bytes are
 * unknown, and a guess would make a transaction the chain rejects. */
cov_status cov_tx_extensions_build(cov_tx_extension *out,
                                   const char *const *identifiers, size_t n,
                                   const cov_tx_values *values,
                                   cov_tx_ext_zero_sized_fn is_zero_sized,
                                   void *ctx, cov_err *err) COV_WARN_UNUSED;

/* Sum of the extensions' extra lengths: what cov_extrinsic_decode needs. */
size_t cov_tx_extensions_extra_len(const cov_tx_extension *exts, size_t n);

/* ------------------------------------------------------------ extrinsics */

/* A v4 extrinsic is Compact(len) || version || body. Signed:
 * 0x84 || MultiAddress::Id(0x00 || account) || MultiSignature(type byte ||
 * 64 or 65 bytes) || extras || call. Unsigned: 0x04 || call. */
#define COV_EXTRINSIC_V4_SIGNED 0x84
#define COV_EXTRINSIC_V4_UNSIGNED 0x04
/* Payloads longer than this are signed as their blake2b-256. */
#define COV_SIGNING_PAYLOAD_HASH_OVER 256

/* Appends the signing payload call || extras || implicits to out. */
cov_status cov_extrinsic_payload(cov_buf *out, const uint8_t *call,
                                 size_t call_len,
                                 const cov_tx_extension *exts, size_t n,
                                 cov_err *err) COV_WARN_UNUSED;

/* The message a signer signs for a payload: the payload itself, or, when it
 * is longer than 256 bytes, its blake2b-256 written to scratch. Returns a
 * pointer to payload or scratch and sets *msg_len. */
const uint8_t *cov_extrinsic_signing_message(uint8_t scratch[32],
                                             size_t *msg_len,
                                             const uint8_t *payload,
                                             size_t len);

/* Appends a signed v4 extrinsic (with its length prefix) to out: builds the
 * payload, has the keypair sign it (the secret never leaves wallet/), and
 * assembles. The account is cov_keypair_account_id (blake2b-256 of the key
 * for ecdsa). */
cov_status cov_extrinsic_sign(cov_buf *out, const cov_keypair *signer,
                              const uint8_t *call, size_t call_len,
                              const cov_tx_extension *exts, size_t n,
                              cov_err *err) COV_WARN_UNUSED;

/* Appends a signed v4 extrinsic from a signature made elsewhere (a
 * hardware or remote signer). sig_len must be 64 (sr25519, ed25519) or 65
 * (ecdsa). */
cov_status cov_extrinsic_assemble_signed(
    cov_buf *out, cov_key_type sig_type, const uint8_t account[32],
    const uint8_t *sig, size_t sig_len, const cov_tx_extension *exts,
    size_t n, const uint8_t *call, size_t call_len,
    cov_err *err) COV_WARN_UNUSED;

/* Appends an unsigned (bare, inherent-style) v4 extrinsic to out. */
cov_status cov_extrinsic_unsigned(cov_buf *out, const uint8_t *call,
                                  size_t call_len,
                                  cov_err *err) COV_WARN_UNUSED;

/* A v4 extrinsic taken apart. Pointers point into the decoded input. */
typedef struct {
    bool is_signed;
    /* Signed only: */
    cov_key_type sig_type;
    uint8_t account[32]; /* MultiAddress::Id */
    uint8_t signature[COV_SIGNATURE_MAX];
    size_t sig_len;
    const uint8_t *extra; /* all extensions' extras, extra_len bytes */
    size_t extra_len;
    /* Both: */
    const uint8_t *call;
    size_t call_len;
} cov_extrinsic_parts;

/* Decodes one length-prefixed v4 extrinsic from the start of xt. extra_len
 * is the extras' total length (cov_tx_extensions_extra_len, or from
 * metadata); it is ignored for unsigned ones. With consumed NULL the input
 * must be exactly one extrinsic; otherwise *consumed gets its length.
 * Another version or address kind than v4 and MultiAddress::Id is
 * COV_ERR_UNSUPPORTED; malformed or truncated input COV_ERR_PARSE. */
cov_status cov_extrinsic_decode(cov_extrinsic_parts *out, size_t *consumed,
                                const uint8_t *xt, size_t len,
                                size_t extra_len,
                                cov_err *err) COV_WARN_UNUSED;

/* The transaction hash: blake2b-256 of the whole length-prefixed
 * extrinsic, as author_submitExtrinsic returns it. */
void cov_extrinsic_hash(uint8_t out[32], const uint8_t *xt, size_t len);

#endif /* COVENANT_CHAIN_EXTRINSIC_H */
