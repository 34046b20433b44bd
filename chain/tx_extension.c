/* The standard transaction extensions (frame-system, transaction-payment,
 * metadata-hash) built from values, in the order the caller's identifier
 * list (metadata's signed_extensions) gives. Only the identifiers below have
 * known bytes; the rest must be reported zero-sized by the caller, because
 * a guessed encoding would make transactions the chain rejects. */
#include "chain/extrinsic.h"
#include "chain/scale.h"

#include <string.h>

static void put_u32le(uint8_t out[4], uint32_t v)
{
    for (size_t i = 0; i < 4; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

/* -------------------------------------------------- the known extensions */

typedef enum {
    EXT_EMPTY,       /* CheckNonZeroSender, CheckWeight */
    EXT_SPEC,        /* implicit u32 spec_version */
    EXT_TXVER,       /* implicit u32 transaction_version */
    EXT_GENESIS,     /* implicit H256 */
    EXT_MORTALITY,   /* extra Era, implicit H256 of the birth block */
    EXT_NONCE,       /* extra Compact<Nonce> */
    EXT_TIP,         /* extra Compact<Balance> */
    EXT_ASSET_TIP,   /* extra Compact<Balance> || Option<AssetId> None */
    EXT_METADATA,    /* extra u8 mode, implicit Option<[u8; 32]> */
} ext_kind;

static const struct {
    const char *id;
    ext_kind kind;
} KNOWN[] = {
    {"CheckNonZeroSender", EXT_EMPTY},
    {"CheckSpecVersion", EXT_SPEC},
    {"CheckTxVersion", EXT_TXVER},
    {"CheckGenesis", EXT_GENESIS},
    /* frame's CheckMortality; older runtimes called it CheckEra. */
    {"CheckMortality", EXT_MORTALITY},
    {"CheckEra", EXT_MORTALITY},
    {"CheckNonce", EXT_NONCE},
    {"CheckWeight", EXT_EMPTY},
    {"ChargeTransactionPayment", EXT_TIP},
    {"ChargeAssetTxPayment", EXT_ASSET_TIP},
    {"CheckMetadataHash", EXT_METADATA},
};

#define N_KNOWN (sizeof KNOWN / sizeof KNOWN[0])

static int find_known(const char *identifier)
{
    for (size_t i = 0; i < N_KNOWN; i++)
        if (strcmp(KNOWN[i].id, identifier) == 0)
            return (int)i;
    return -1;
}

bool cov_tx_extension_is_standard(const char *identifier)
{
    return find_known(identifier) >= 0;
}

cov_status cov_tx_extension_set(cov_tx_extension *out, const char *identifier,
                                const uint8_t *extra, size_t extra_len,
                                const uint8_t *implicit, size_t implicit_len,
                                cov_err *err)
{
    size_t id_len = strlen(identifier);
    if (id_len == 0 || id_len >= COV_TX_EXT_ID_MAX)
        return cov_fail(err, COV_ERR_TOO_BIG,
                        "transaction extension identifier of %zu characters "
                        "(1 to %d allowed)",
                        id_len, COV_TX_EXT_ID_MAX - 1);
    if (extra_len > COV_TX_EXT_BYTES_MAX ||
        implicit_len > COV_TX_EXT_BYTES_MAX)
        return cov_fail(err, COV_ERR_TOO_BIG,
                        "transaction extension %s: %zu extra and %zu "
                        "implicit bytes (at most %d each)",
                        identifier, extra_len, implicit_len,
                        COV_TX_EXT_BYTES_MAX);
    memset(out, 0, sizeof *out);
    memcpy(out->identifier, identifier, id_len + 1);
    if (extra_len)
        memcpy(out->extra, extra, extra_len);
    if (implicit_len)
        memcpy(out->implicit, implicit, implicit_len);
    out->extra_len = extra_len;
    out->implicit_len = implicit_len;
    return COV_OK;
}

cov_status cov_tx_extension_standard(cov_tx_extension *out,
                                     const char *identifier,
                                     const cov_tx_values *v, cov_err *err)
{
    int k = find_known(identifier);
    if (k < 0)
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "transaction extension %s is not a standard one",
                        identifier);
    uint8_t extra[COV_TX_EXT_BYTES_MAX], implicit[COV_TX_EXT_BYTES_MAX];
    size_t extra_len = 0, implicit_len = 0;
    switch (KNOWN[k].kind) {
    case EXT_EMPTY:
        break;
    case EXT_SPEC:
        put_u32le(implicit, v->spec_version);
        implicit_len = 4;
        break;
    case EXT_TXVER:
        put_u32le(implicit, v->tx_version);
        implicit_len = 4;
        break;
    case EXT_GENESIS:
        memcpy(implicit, v->genesis_hash, 32);
        implicit_len = 32;
        break;
    case EXT_MORTALITY: {
        cov_status st = cov_era_encode(extra, &extra_len, &v->era, err);
        if (st != COV_OK)
            return cov_err_context(err, "%s", identifier);
        memcpy(implicit, v->era_block_hash, 32);
        implicit_len = 32;
        break;
    }
    case EXT_NONCE:
        extra_len = cov_scale_compact_encode(extra, v->nonce);
        break;
    case EXT_TIP:
        extra_len = cov_scale_compact_encode(extra, v->tip);
        break;
    case EXT_ASSET_TIP:
        /* The fee is paid in the native token: asset_id None. */
        extra_len = cov_scale_compact_encode(extra, v->tip);
        extra[extra_len++] = 0x00;
        break;
    case EXT_METADATA:
        if (v->metadata_hash_mode > 1)
            return cov_fail(err, COV_ERR_ARG,
                            "%s: mode %u (0 = disabled, 1 = enabled)",
                            identifier, (unsigned)v->metadata_hash_mode);
        extra[0] = v->metadata_hash_mode;
        extra_len = 1;
        /* The runtime signs Some(hash of its own metadata) in mode 1, so
         * a wrong hash makes the signature fail on chain. */
        implicit[0] = v->metadata_hash_mode;
        implicit_len = 1;
        if (v->metadata_hash_mode == 1) {
            memcpy(implicit + 1, v->metadata_hash, 32);
            implicit_len += 32;
        }
        break;
    }
    return cov_tx_extension_set(out, identifier, extra, extra_len, implicit,
                                implicit_len, err);
}

bool cov_tx_ext_zero_sized_in_list(void *ctx, const char *identifier,
                                   size_t index)
{
    for (const char *const *p = ctx; p && *p; p++)
        if (strcmp(*p, identifier) == 0)
            return true;
    return false;
}

cov_status cov_tx_extensions_build(cov_tx_extension *out,
                                   const char *const *identifiers, size_t n,
                                   const cov_tx_values *values,
                                   cov_tx_ext_zero_sized_fn is_zero_sized,
                                   void *ctx, cov_err *err)
{
    for (size_t i = 0; i < n; i++) {
        const char *id = identifiers[i];
        cov_status st;
        if (cov_tx_extension_is_standard(id))
            st = cov_tx_extension_standard(&out[i], id, values, err);
        else if (is_zero_sized && is_zero_sized(ctx, id, i))
            st = cov_tx_extension_set(&out[i], id, NULL, 0, NULL, 0, err);
        else
            return cov_fail(err, COV_ERR_UNSUPPORTED,
                            "transaction extension %s (#%zu) is neither a "
                            "standard one nor zero-sized: covenant does not "
                            "know its bytes",
                            id, i);
        if (st != COV_OK)
            return st;
    }
    return COV_OK;
}

size_t cov_tx_extensions_extra_len(const cov_tx_extension *exts, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += exts[i].extra_len;
    return total;
}
