/* Fuzz target: the transaction-side parsers of chain/extrinsic.h on
 * hostile bytes. The first byte picks the parser (and parameters); the
 * rest is the input.
 * Properties: a decoded era re-encodes to the bytes it came from; a decoded
 * extrinsic's parts lie inside the input; a split storage key's parts
 * cover the key exactly. */
#include "chain/chain.h"
#include "fuzz_common.h"

static void fuzz_era(const uint8_t *data, size_t size)
{
    cov_era era;
    size_t used = 0;
    if (cov_era_decode(&era, &used, data, size, NULL) != COV_OK)
        return;
    uint8_t again[COV_ERA_MAX_LEN];
    size_t len = 0;
    FUZZ_CHECK(cov_era_encode(again, &len, &era, NULL) == COV_OK);
    FUZZ_CHECK(len == used && memcmp(again, data, len) == 0);
    FUZZ_CHECK(cov_era_birth(&era, 1000000) <= 1000000 || !era.mortal);
}

static void fuzz_xt(const uint8_t *data, size_t size, size_t extra_len)
{
    cov_extrinsic_parts parts;
    size_t consumed = 0;
    if (cov_extrinsic_decode(&parts, &consumed, data, size, extra_len, NULL) != COV_OK)
        return;
    FUZZ_CHECK(consumed <= size);
    FUZZ_CHECK(parts.call >= data && parts.call + parts.call_len <= data + size);
    if (parts.is_signed)
        FUZZ_CHECK(parts.extra >= data && parts.extra + parts.extra_len <= data + size &&
                   parts.extra_len == extra_len);
}

static void fuzz_key(const uint8_t *data, size_t size, uint8_t selector)
{
    static const cov_storage_hasher sets[][2] = {
        {COV_HASHER_IDENTITY, COV_HASHER_BLAKE2_128_CONCAT},
        {COV_HASHER_TWOX64_CONCAT, COV_HASHER_TWOX64_CONCAT},
        {COV_HASHER_BLAKE2_128, COV_HASHER_IDENTITY},
        {COV_HASHER_TWOX128, COV_HASHER_BLAKE2_256},
    };
    const cov_storage_hasher *hashers = sets[selector % 4];
    size_t fixed[2] = {2, 32};
    uint8_t prefix[COV_STORAGE_PREFIX_LEN];
    cov_storage_prefix(prefix, "SubtensorModule", "Axons");
    /* Start from a real prefix so the splitter gets past its first check. */
    uint8_t *key = malloc(COV_STORAGE_PREFIX_LEN + size + 1);
    memcpy(key, prefix, COV_STORAGE_PREFIX_LEN);
    memcpy(key + COV_STORAGE_PREFIX_LEN, data, size);
    cov_storage_key_part parts[2];
    if (cov_storage_key_split(parts, key, COV_STORAGE_PREFIX_LEN + size, prefix, hashers, 2,
                              cov_storage_key_len_fixed, fixed, NULL) == COV_OK) {
        size_t covered = COV_STORAGE_PREFIX_LEN;
        for (int i = 0; i < 2; i++)
            covered += parts[i].hash_len + parts[i].key_len;
        FUZZ_CHECK(covered == COV_STORAGE_PREFIX_LEN + size);
    }
    free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    if (size < 1)
        return 0;
    uint8_t selector = data[0];
    data++;
    size--;
    switch (selector & 3) {
    case 0:
        fuzz_era(data, size);
        break;
    case 1:
        fuzz_xt(data, size, (size_t)(selector >> 2)); /* extras of 0..63 bytes */
        break;
    default:
        fuzz_key(data, size, selector >> 2);
        break;
    }
    return 0;
}
