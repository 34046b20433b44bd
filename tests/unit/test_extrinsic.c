/* chain/era.c, storage_key.c, tx_extension.c and extrinsic.c through the
 * public API.
 *
 * Sources of the expected values:
 * - eras: sp_runtime's own tests (substrate/primitives/runtime/src/generic/
 *   era.rs: mortal_codec_works, long_period_mortal_codec_works,
 *   era_initialization_works, quantized_clamped_era_initialization_works,
 *   mortal_birth_death_works, current_less_than_phase, immortal_works) and
 *   its decoder's rule (period >= 4 and phase < period);
 * - storage keys: twox128 of "System"/"Account"/"SubtensorModule" as
 *   published (research notes, oracles.md); the other hashes computed with
 *   @polkadot/util-crypto 14.0.3 (xxhashAsHex, blake2AsHex);
 * - extrinsics: computed by tests/interop/extrinsic_oracle.mjs, i.e.
 *   @polkadot/types 16.5.6 (GenericExtrinsicPayloadV4 and
 *   GenericExtrinsicSignatureV4) signing with @polkadot/keyring pairs:
 *   ed25519 and ecdsa signatures are deterministic, so the whole extrinsic
 *   is fixed. tests/interop/extrinsic.py repeats this on random inputs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "test_helpers.h"

#include "chain/chain.h"

#define SEED_9D61 \
    "0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
#define ED_9D61_PUB \
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define ALICE_PUB \
    "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
#define FINNEY_GENESIS \
    "2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03"
/* Balances.transfer_keep_alive(Id(//Bob), 12345): 05 03 00 bob compact. */
#define TRANSFER_BOB_12345 \
    "0503008eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48e5c0"

/* Subtensor's extension list (spec 385), four zero-sized customs. */
static const char *const SUBTENSOR_EXTS[] = {
    "CheckNonZeroSender", "CheckSpecVersion", "CheckTxVersion",
    "CheckGenesis", "CheckMortality", "CheckNonce", "CheckWeight",
    "ChargeTransactionPayment", "SudoTransactionExtension",
    "CheckShieldedTxValidity", "SubtensorTransactionExtension",
    "DrandPriority", "CheckMetadataHash"};
#define N_SUBTENSOR_EXTS 13
static const char *const SUBTENSOR_ZERO_SIZED[] = {
    "SudoTransactionExtension", "CheckShieldedTxValidity",
    "SubtensorTransactionExtension", "DrandPriority", NULL};

/* ------------------------------------------------------------------ eras */

static void expect_era(cov_era e, uint64_t period, uint64_t phase)
{
    assert_true(e.mortal);
    assert_int_equal(e.period, period);
    assert_int_equal(e.phase, phase);
    assert_true(cov_era_is_valid(&e));
}

static void expect_era_bytes(const cov_era *e, const char *want)
{
    uint8_t out[COV_ERA_MAX_LEN];
    size_t n = 0;
    assert_int_equal(cov_era_encode(out, &n, e, NULL), COV_OK);
    expect_hex(out, n, want);
    cov_era back;
    size_t used = 0;
    assert_int_equal(cov_era_decode(&back, &used, out, n, NULL), COV_OK);
    assert_int_equal(used, n);
    assert_int_equal(back.mortal, e->mortal);
    if (e->mortal) {
        assert_int_equal(back.period, e->period);
        assert_int_equal(back.phase, e->phase);
    }
}

static void test_era_rs_vectors(void **state)
{
    (void)state;
    /* era_initialization_works, quantized_clamped_...: note covenant's
     * argument order is (current, period), sp_runtime's (period, current). */
    expect_era(cov_era_mortal(42, 64), 64, 42);
    expect_era(cov_era_mortal(20000, 32768), 32768, 20000);
    expect_era(cov_era_mortal(513, 200), 256, 1);
    expect_era(cov_era_mortal(1, 2), 4, 1);
    expect_era(cov_era_mortal(5, 4), 4, 1);
    expect_era(cov_era_mortal(1000001, 1000000), 65536,
               1000001 % 65536 / 16 * 16);

    /* mortal_codec_works: [5 + 42 % 16 * 16, 42 / 16]. */
    cov_era e = cov_era_mortal(42, 64);
    expect_era_bytes(&e, "a502");
    /* long_period_mortal_codec_works: [14 + 2500 % 16 * 16, 2500 / 16]. */
    e = cov_era_mortal(20000, 32768);
    expect_era_bytes(&e, "4e9c");
    /* immortal_works */
    e = cov_era_immortal();
    assert_false(e.mortal);
    expect_era_bytes(&e, "00");
    assert_int_equal(cov_era_birth(&e, 0), 0);
    assert_int_equal(cov_era_birth(&e, UINT64_MAX), 0);
    assert_int_equal(cov_era_death(&e, 1), UINT64_MAX);
    assert_int_equal(cov_era_death(&e, UINT64_MAX), UINT64_MAX);
}

static void test_era_mortal_edges(void **state)
{
    (void)state;
    /* Period requests: 0 and 1 clamp up to 4, past 65536 clamp down,
     * including ones whose next power of two overflows u64. */
    expect_era(cov_era_mortal(7, 0), 4, 3);
    expect_era(cov_era_mortal(7, 1), 4, 3);
    expect_era(cov_era_mortal(7, 5), 8, 7);
    expect_era(cov_era_mortal(7, 65536), 65536, 0);
    expect_era(cov_era_mortal(7, 65537), 65536, 0);
    expect_era(cov_era_mortal(7, UINT64_MAX), 65536, 0);
    expect_era(cov_era_mortal(UINT64_MAX, 4096), 4096, 4095);
    /* Quantised: period 8192 steps the phase by 2, 65536 by 16. */
    expect_era(cov_era_mortal(8191, 8192), 8192, 8190);
    expect_era(cov_era_mortal(65535, 65536), 65536, 65520);
    /* subtensor.md §5: SDK default 128, btcli 16, MEV shield 8. */
    cov_era e = cov_era_mortal(4000000, 128); /* 4000000 % 128 = 0 */
    expect_era_bytes(&e, "0600");
    e = cov_era_mortal(5000123, 64); /* phase 59 */
    expect_era_bytes(&e, "b503");
}

static void test_era_birth_death(void **state)
{
    (void)state;
    /* mortal_birth_death_works */
    cov_era e = cov_era_mortal(6, 4);
    for (uint64_t i = 6; i < 10; i++) {
        assert_int_equal(cov_era_birth(&e, i), 6);
        assert_int_equal(cov_era_death(&e, i), 10);
    }
    assert_int_not_equal(cov_era_birth(&e, 10), 6);
    assert_int_not_equal(cov_era_birth(&e, 5), 6);
    /* current_less_than_phase: no underflow, the phase itself. */
    e = cov_era_mortal(3, 4);
    assert_int_equal(cov_era_birth(&e, 1), 3);
    /* Death saturates instead of wrapping. */
    e = cov_era_mortal(UINT64_MAX, 65536);
    assert_int_equal(cov_era_death(&e, UINT64_MAX), UINT64_MAX);
    /* Signing at the current block: the birth is at or just below it,
     * at most one quantum back. */
    const uint64_t periods[] = {4, 64, 4096, 8192, 65536};
    for (size_t p = 0; p < 5; p++)
        for (uint64_t cur = 0; cur < 200000; cur += 997) {
            e = cov_era_mortal(cur, periods[p]);
            uint64_t b = cov_era_birth(&e, cur);
            uint64_t q = periods[p] > 4096 ? periods[p] / 4096 : 1;
            if (cur >= e.phase) {
                assert_true(b <= cur);
                assert_true(cur - b < q);
            }
            assert_int_equal(cov_era_death(&e, cur), b + periods[p]);
        }
}

static void test_era_decode_all(void **state)
{
    (void)state;
    /* Every 2-byte input: decode accepts exactly sp_runtime's set, and what
     * it accepts encodes back to the same bytes. */
    size_t accepted = 0;
    for (unsigned v = 0; v < 65536; v++) {
        uint8_t in[2] = {(uint8_t)(v & 0xff), (uint8_t)(v >> 8)};
        cov_era e;
        size_t used = 0;
        cov_status st = cov_era_decode(&e, &used, in, 2, NULL);
        if (in[0] == 0) {
            assert_int_equal(st, COV_OK);
            assert_false(e.mortal);
            assert_int_equal(used, 1);
            continue;
        }
        uint64_t period = (uint64_t)2 << (v & 15);
        uint64_t q = period >> 12 ? period >> 12 : 1;
        bool valid = period >= 4 && (uint64_t)(v >> 4) * q < period;
        assert_int_equal(st == COV_OK, valid);
        if (!valid)
            continue;
        accepted++;
        assert_int_equal(used, 2);
        assert_true(cov_era_is_valid(&e));
        uint8_t out[2];
        size_t n;
        assert_int_equal(cov_era_encode(out, &n, &e, NULL), COV_OK);
        assert_int_equal(n, 2);
        assert_memory_equal(out, in, 2);
    }
    /* Periods 4..4096 allow `period` phases each (8188 in all); 8192..65536
     * all 4096 encodable ones (16384). */
    assert_int_equal(accepted, 8188 + 16384);
}

static void test_era_rejects(void **state)
{
    (void)state;
    cov_era e;
    cov_err err;
    uint8_t b[2];
    /* Low nibble 0: period 2. */
    unhex(b, 2, "1000");
    assert_int_equal(cov_era_decode(&e, NULL, b, 2, &err), COV_ERR_PARSE);
    /* Period 4 with phase 4. */
    unhex(b, 2, "4100");
    assert_int_equal(cov_era_decode(&e, NULL, b, 2, &err), COV_ERR_PARSE);
    unhex(b, 2, "3100"); /* phase 3 is fine */
    assert_int_equal(cov_era_decode(&e, NULL, b, 2, &err), COV_OK);
    /* Period 2048 with phase 2048; 2047 is fine. */
    unhex(b, 2, "0a80");
    assert_int_equal(cov_era_decode(&e, NULL, b, 2, &err), COV_ERR_PARSE);
    unhex(b, 2, "fa7f");
    assert_int_equal(cov_era_decode(&e, NULL, b, 2, &err), COV_OK);
    expect_era(e, 2048, 2047);
    /* Truncated. */
    assert_int_equal(cov_era_decode(&e, NULL, b, 1, &err), COV_ERR_PARSE);
    assert_int_equal(cov_era_decode(&e, NULL, b, 0, &err), COV_ERR_PARSE);

    /* Eras built by hand that do not survive encoding are refused. */
    uint8_t out[2];
    size_t n;
    const cov_era bad[] = {
        {true, 2, 0},      {true, 6, 1},          {true, 131072, 0},
        {true, 64, 64},    {true, 8192, 3}, /* not a multiple of 2 */
        {true, 0, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(cov_era_is_valid(&bad[i]));
        assert_int_equal(cov_era_encode(out, &n, &bad[i], &err), COV_ERR_ARG);
    }
}

/* ---------------------------------------------------------- storage keys */

static void key_hex(cov_buf *key, const char *want)
{
    expect_hex(key->data, key->len, want);
    cov_buf_reset(key);
}

static void test_storage_prefix_and_keys(void **state)
{
    (void)state;
    uint8_t p[COV_STORAGE_PREFIX_LEN], alice[32], netuid1[2] = {1, 0},
                                                  netuid3[2] = {3, 0};
    unhex(alice, 32, ALICE_PUB);
    cov_storage_prefix(p, "System", "Account");
    expect_hex(p, 32, "26aa394eea5630e07c48ae0c9558cef7"
                      "b99d880ec681799c0cf30e8886371da9");

    cov_buf key;
    cov_buf_init(&key, 1024);
    /* System.Account(//Alice): Blake2_128Concat. */
    assert_int_equal(cov_storage_key_begin(&key, "System", "Account", NULL),
                     COV_OK);
    assert_int_equal(cov_storage_key_append(&key, COV_HASHER_BLAKE2_128_CONCAT,
                                            alice, 32, NULL),
                     COV_OK);
    key_hex(&key, "26aa394eea5630e07c48ae0c9558cef7"
                  "b99d880ec681799c0cf30e8886371da9"
                  "de1e86a9a8c739864cf3cc5ec2bea59f" ALICE_PUB);
    /* SubtensorModule.Tempo(1): Identity, NetUid is a u16. */
    assert_int_equal(
        cov_storage_key_begin(&key, "SubtensorModule", "Tempo", NULL), COV_OK);
    assert_int_equal(
        cov_storage_key_append(&key, COV_HASHER_IDENTITY, netuid1, 2, NULL),
        COV_OK);
    key_hex(&key, "658faa385070e074c85bf6b568cf0555"
                  "7641384bb339f3758acddfd7053d3317"
                  "0100");
    /* SubtensorModule.RevealPeriodEpochs(3): Twox64Concat. */
    assert_int_equal(cov_storage_key_begin(&key, "SubtensorModule",
                                           "RevealPeriodEpochs", NULL),
                     COV_OK);
    assert_int_equal(cov_storage_key_append(&key, COV_HASHER_TWOX64_CONCAT,
                                            netuid3, 2, NULL),
                     COV_OK);
    key_hex(&key, "658faa385070e074c85bf6b568cf0555"
                  "8f232bcbac768c1d6201850c60f161ed"
                  "26d32ff00fa1e4fa0300");
    /* The opaque hashers write only the hash. */
    const struct {
        cov_storage_hasher h;
        const char *want;
    } opaque[] = {
        {COV_HASHER_BLAKE2_128, "de1e86a9a8c739864cf3cc5ec2bea59f"},
        {COV_HASHER_BLAKE2_256, "2e3fb4c297a84c5cebc0e78257d213d0"
                                "927ccc7596044c6ba013dd05522aacba"},
        {COV_HASHER_TWOX128, "518366b5b1bc7c99bae0ba710af1ac66"},
        {COV_HASHER_TWOX256, "518366b5b1bc7c99bae0ba710af1ac66"
                             "ecc0fd2f7c15bbe1eb86dbf45c7899e8"},
    };
    for (size_t i = 0; i < 4; i++) {
        assert_false(cov_storage_hasher_is_concat(opaque[i].h));
        assert_int_equal(cov_storage_hasher_hash_len(opaque[i].h),
                         strlen(opaque[i].want) / 2);
        assert_int_equal(
            cov_storage_key_append(&key, opaque[i].h, alice, 32, NULL),
            COV_OK);
        key_hex(&key, opaque[i].want);
    }
    assert_true(cov_storage_hasher_is_concat(COV_HASHER_IDENTITY));
    assert_int_equal(cov_storage_hasher_hash_len(COV_HASHER_TWOX64_CONCAT), 8);
    /* Out-of-range hashers are refused, not read past a table. */
    cov_err err;
    assert_int_equal(cov_storage_key_append(&key, (cov_storage_hasher)99,
                                            alice, 32, &err),
                     COV_ERR_ARG);
    assert_false(cov_storage_hasher_is_concat((cov_storage_hasher)99));
    /* The buffer's cap holds. */
    cov_buf small;
    cov_buf_init(&small, 40);
    assert_int_equal(
        cov_storage_key_begin(&small, "System", "Account", NULL), COV_OK);
    assert_int_equal(cov_storage_key_append(&small,
                                            COV_HASHER_BLAKE2_128_CONCAT,
                                            alice, 32, &err),
                     COV_ERR_TOO_BIG);
    cov_buf_free(&small);
    cov_buf_free(&key);
}

/* SubtensorModule.Uids(netuid 1, //Alice): Identity then Blake2_128Concat. */
static size_t uids_key(uint8_t out[128])
{
    uint8_t alice[32], netuid[2] = {1, 0};
    unhex(alice, 32, ALICE_PUB);
    cov_buf key;
    cov_buf_init(&key, 128);
    assert_int_equal(
        cov_storage_key_begin(&key, "SubtensorModule", "Uids", NULL), COV_OK);
    assert_int_equal(
        cov_storage_key_append(&key, COV_HASHER_IDENTITY, netuid, 2, NULL),
        COV_OK);
    assert_int_equal(cov_storage_key_append(&key, COV_HASHER_BLAKE2_128_CONCAT,
                                            alice, 32, NULL),
                     COV_OK);
    size_t n = key.len;
    memcpy(out, key.data, n);
    cov_buf_free(&key);
    return n;
}

static void test_storage_split(void **state)
{
    (void)state;
    uint8_t key[128], prefix[32];
    size_t len = uids_key(key);
    assert_int_equal(len, 32 + 2 + 16 + 32);
    expect_hex(key + 32, 2 + 16 + 32,
               "0100de1e86a9a8c739864cf3cc5ec2bea59f" ALICE_PUB);
    cov_storage_prefix(prefix, "SubtensorModule", "Uids");
    const cov_storage_hasher hs[2] = {COV_HASHER_IDENTITY,
                                      COV_HASHER_BLAKE2_128_CONCAT};
    size_t lens[2] = {2, 32};
    cov_storage_key_part parts[2];
    cov_err err;
    assert_int_equal(cov_storage_key_split(parts, key, len, prefix, hs, 2,
                                           cov_storage_key_len_fixed, lens,
                                           &err),
                     COV_OK);
    assert_int_equal(parts[0].hash_len, 0);
    assert_int_equal(parts[0].key_len, 2);
    expect_hex(parts[0].key, 2, "0100");
    assert_int_equal(parts[1].hash_len, 16);
    expect_hex(parts[1].hash, 16, "de1e86a9a8c739864cf3cc5ec2bea59f");
    assert_int_equal(parts[1].key_len, 32);
    expect_hex(parts[1].key, 32, ALICE_PUB);

    /* Without a length function only a last concat part can be split. */
    assert_int_equal(
        cov_storage_key_split(parts, key, len, prefix, hs, 2, NULL, NULL, &err),
        COV_ERR_ARG);
    /* System.Account: one concat part, the rest of the key. */
    uint8_t akey[80], aprefix[32];
    unhex(akey, 80, "26aa394eea5630e07c48ae0c9558cef7"
                    "b99d880ec681799c0cf30e8886371da9"
                    "de1e86a9a8c739864cf3cc5ec2bea59f" ALICE_PUB);
    cov_storage_prefix(aprefix, "System", "Account");
    const cov_storage_hasher b2c = COV_HASHER_BLAKE2_128_CONCAT;
    assert_int_equal(cov_storage_key_split(parts, akey, 80, aprefix, &b2c, 1,
                                           NULL, NULL, &err),
                     COV_OK);
    expect_hex(parts[0].key, 32, ALICE_PUB);

    /* A wrong key length is caught by the hash in front of the key, even
     * where the bytes would otherwise add up. */
    size_t wrong[2] = {2, 31};
    assert_int_equal(cov_storage_key_split(parts, key, len - 1, prefix, hs, 2,
                                           cov_storage_key_len_fixed, wrong,
                                           &err),
                     COV_ERR_CHECKSUM);
    assert_int_equal(cov_storage_key_split(parts, key, len, prefix, hs, 2,
                                           cov_storage_key_len_fixed, wrong,
                                           &err),
                     COV_ERR_CHECKSUM);
    /* Left-over bytes, a short key, a key past the end, another prefix. */
    assert_int_equal(cov_storage_key_split(parts, key, len, prefix, hs, 1,
                                           cov_storage_key_len_fixed, lens,
                                           &err),
                     COV_ERR_PARSE);
    assert_int_equal(cov_storage_key_split(parts, key, 40, prefix, hs, 2,
                                           cov_storage_key_len_fixed, lens,
                                           &err),
                     COV_ERR_PARSE);
    size_t longer[2] = {2, 33};
    assert_int_equal(cov_storage_key_split(parts, key, len, prefix, hs, 2,
                                           cov_storage_key_len_fixed, longer,
                                           &err),
                     COV_ERR_PARSE);
    assert_int_equal(cov_storage_key_split(parts, key, len, aprefix, hs, 2,
                                           cov_storage_key_len_fixed, lens,
                                           &err),
                     COV_ERR_PARSE);
    /* Every truncation fails cleanly. */
    for (size_t cut = 0; cut < len; cut++)
        assert_int_not_equal(cov_storage_key_split(parts, key, cut, prefix, hs,
                                                   2, cov_storage_key_len_fixed,
                                                   lens, &err),
                             COV_OK);
}

/* ------------------------------------------------ transaction extensions */

static void v1_values(cov_tx_values *v)
{
    memset(v, 0, sizeof *v);
    v->spec_version = 385;
    v->tx_version = 1;
    unhex(v->genesis_hash, 32, FINNEY_GENESIS);
    v->era = cov_era_mortal(5000123, 64);
    memset(v->era_block_hash, 0x11, 32);
    v->nonce = 7;
    v->tip = 0;
    v->metadata_hash_mode = 0;
}

static void expect_ext(const cov_tx_values *v, const char *id,
                       const char *extra, const char *implicit)
{
    cov_tx_extension e;
    cov_err err;
    assert_true(cov_tx_extension_is_standard(id));
    if (cov_tx_extension_standard(&e, id, v, &err) != COV_OK)
        fail_msg("%s: %s", id, err.msg);
    assert_string_equal(e.identifier, id);
    expect_hex(e.extra, e.extra_len, extra);
    expect_hex(e.implicit, e.implicit_len, implicit);
}

static void test_standard_extensions(void **state)
{
    (void)state;
    cov_tx_values v;
    v1_values(&v);
    expect_ext(&v, "CheckNonZeroSender", "", "");
    expect_ext(&v, "CheckWeight", "", "");
    expect_ext(&v, "CheckSpecVersion", "", "81010000");
    expect_ext(&v, "CheckTxVersion", "", "01000000");
    expect_ext(&v, "CheckGenesis", "", FINNEY_GENESIS);
    expect_ext(&v, "CheckMortality", "b503",
               "1111111111111111111111111111111111111111111111111111111111111111");
    expect_ext(&v, "CheckEra", "b503",
               "1111111111111111111111111111111111111111111111111111111111111111");
    expect_ext(&v, "CheckNonce", "1c", "");
    expect_ext(&v, "ChargeTransactionPayment", "00", "");
    expect_ext(&v, "ChargeAssetTxPayment", "0000", "");
    expect_ext(&v, "CheckMetadataHash", "00", "00");

    /* Compact boundaries (oracles.md's Compact<u128> vectors). */
    const struct {
        uint64_t n;
        const char *want;
    } compacts[] = {
        {0, "00"},           {1, "04"},
        {63, "fc"},          {64, "0101"},
        {16383, "fdff"},     {16384, "02000100"},
        {(1u << 30) - 1, "feffffff"},
        {1u << 30, "0300000040"},
        {UINT32_MAX, "03ffffffff"},
        {UINT64_C(1) << 32, "070000000001"},
        {1000000000, "02286bee"},
        {UINT64_MAX, "13ffffffffffffffff"},
    };
    for (size_t i = 0; i < sizeof compacts / sizeof compacts[0]; i++) {
        v.nonce = v.tip = compacts[i].n;
        expect_ext(&v, "CheckNonce", compacts[i].want, "");
        expect_ext(&v, "ChargeTransactionPayment", compacts[i].want, "");
    }

    /* Immortal: one byte of era, the genesis hash signed. */
    v.era = cov_era_immortal();
    memcpy(v.era_block_hash, v.genesis_hash, 32);
    expect_ext(&v, "CheckMortality", "00", FINNEY_GENESIS);
    /* Metadata hash mode 1 signs Some(hash). */
    v.metadata_hash_mode = 1;
    memset(v.metadata_hash, 0x22, 32);
    expect_ext(&v, "CheckMetadataHash", "01",
               "012222222222222222222222222222222222222222222222222222222222222222");

    cov_tx_extension e;
    cov_err err;
    v.metadata_hash_mode = 2;
    assert_int_equal(cov_tx_extension_standard(&e, "CheckMetadataHash", &v, &err),
                     COV_ERR_ARG);
    v.metadata_hash_mode = 0;
    v.era.mortal = true;
    v.era.period = 6;
    assert_int_equal(cov_tx_extension_standard(&e, "CheckMortality", &v, &err),
                     COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "CheckMortality"));
    assert_int_equal(cov_tx_extension_standard(&e, "DrandPriority", &v, &err),
                     COV_ERR_UNSUPPORTED);
    assert_false(cov_tx_extension_is_standard("DrandPriority"));
}

static void test_extension_list(void **state)
{
    (void)state;
    cov_tx_values v;
    v1_values(&v);
    cov_tx_extension exts[N_SUBTENSOR_EXTS + 1];
    cov_err err;
    assert_int_equal(cov_tx_extensions_build(exts, SUBTENSOR_EXTS,
                                             N_SUBTENSOR_EXTS, &v,
                                             cov_tx_ext_zero_sized_in_list,
                                             (void *)SUBTENSOR_ZERO_SIZED, &err),
                     COV_OK);
    for (size_t i = 0; i < N_SUBTENSOR_EXTS; i++)
        assert_string_equal(exts[i].identifier, SUBTENSOR_EXTS[i]);
    /* era(2) + nonce(1) + tip(1) + mode(1) */
    assert_int_equal(cov_tx_extensions_extra_len(exts, N_SUBTENSOR_EXTS), 5);
    assert_int_equal(exts[10].extra_len + exts[10].implicit_len, 0);

    /* An identifier covenant cannot fill and nobody declared zero-sized is
     * refused by name, with or without a predicate. */
    const char *ids[3] = {"CheckNonce", "SomeNewExtension", "CheckWeight"};
    assert_int_equal(cov_tx_extensions_build(exts, ids, 3, &v,
                                             cov_tx_ext_zero_sized_in_list,
                                             (void *)SUBTENSOR_ZERO_SIZED, &err),
                     COV_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "SomeNewExtension"));
    assert_int_equal(cov_tx_extensions_build(exts, ids, 3, &v, NULL, NULL, &err),
                     COV_ERR_UNSUPPORTED);
    const char *const declared[] = {"SomeNewExtension", NULL};
    assert_int_equal(cov_tx_extensions_build(exts, ids, 3, &v,
                                             cov_tx_ext_zero_sized_in_list,
                                             (void *)declared, &err),
                     COV_OK);

    /* Hand-made extensions: limits on identifier and byte lengths. */
    uint8_t bytes[COV_TX_EXT_BYTES_MAX + 1] = {0};
    char long_id[COV_TX_EXT_ID_MAX + 1];
    memset(long_id, 'x', COV_TX_EXT_ID_MAX);
    long_id[COV_TX_EXT_ID_MAX] = 0;
    assert_int_equal(cov_tx_extension_set(&exts[0], long_id, NULL, 0, NULL, 0,
                                          &err),
                     COV_ERR_TOO_BIG);
    assert_int_equal(cov_tx_extension_set(&exts[0], "", NULL, 0, NULL, 0, &err),
                     COV_ERR_TOO_BIG);
    assert_int_equal(cov_tx_extension_set(&exts[0], "Custom", bytes,
                                          COV_TX_EXT_BYTES_MAX + 1, NULL, 0,
                                          &err),
                     COV_ERR_TOO_BIG);
    assert_int_equal(cov_tx_extension_set(&exts[0], "Custom", bytes, 3, bytes,
                                          COV_TX_EXT_BYTES_MAX, &err),
                     COV_OK);
    assert_int_equal(exts[0].extra_len, 3);
    assert_int_equal(exts[0].implicit_len, COV_TX_EXT_BYTES_MAX);
}

/* ------------------------------------------------------------ extrinsics */

static cov_keypair *key_from(const char *suri, cov_key_type type)
{
    cov_keypair *kp = NULL;
    cov_err err;
    if (cov_keypair_from_suri(&kp, suri, type, &err) != COV_OK)
        fail_msg("%s: %s", suri, err.msg);
    return kp;
}

static void build_subtensor_exts(cov_tx_extension *exts, const cov_tx_values *v)
{
    assert_int_equal(cov_tx_extensions_build(exts, SUBTENSOR_EXTS,
                                             N_SUBTENSOR_EXTS, v,
                                             cov_tx_ext_zero_sized_in_list,
                                             (void *)SUBTENSOR_ZERO_SIZED, NULL),
                     COV_OK);
}

/* What @polkadot/types signs and sends for TRANSFER_BOB_12345 with the v1
 * values. */
#define V1_PAYLOAD \
    TRANSFER_BOB_12345 "b5031c0000" "81010000" "01000000" FINNEY_GENESIS \
    "1111111111111111111111111111111111111111111111111111111111111111" "00"
#define V1_ED25519_XT \
    "3502" "84" "00" ED_9D61_PUB "00" \
    "2ac2870dcfe384e649a597a7bc4745c100dec4f365024cde2b7994ec7786633a" \
    "ce5f73536f3bc712267f981d431291b4a7f0152d7d77e2ab51ea8080a88c5b03" \
    "b5031c0000" TRANSFER_BOB_12345
/* //Alice ecdsa: account = blake2b-256(compressed key). */
#define ALICE_ECDSA_ACCOUNT \
    "01e552298e47454041ea31273b4b630c64c104e4514aa3643490b8aaca9cf8ed"
#define V1_ECDSA_XT \
    "3902" "84" "00" ALICE_ECDSA_ACCOUNT "02" \
    "cbf99f92a3dae0a03a93b1fd93d949e870ff71ea3f1317eda6f2debfd89ce48e" \
    "2adfd35a3271ec81cd71596621d5ee3c48505563cc82997db0395cb3aa91ae49" \
    "01" "b5031c0000" TRANSFER_BOB_12345

static void sign_v1(cov_buf *xt, cov_buf *payload, const cov_keypair *kp,
                    const uint8_t *call, size_t call_len, cov_tx_values *v)
{
    cov_tx_extension exts[N_SUBTENSOR_EXTS];
    build_subtensor_exts(exts, v);
    cov_err err;
    if (cov_extrinsic_payload(payload, call, call_len, exts,
                              N_SUBTENSOR_EXTS, &err) != COV_OK ||
        cov_extrinsic_sign(xt, kp, call, call_len, exts, N_SUBTENSOR_EXTS,
                           &err) != COV_OK)
        fail_msg("%s", err.msg);
}

static void test_signed_ed25519_vector(void **state)
{
    (void)state;
    uint8_t call[37];
    unhex(call, sizeof call, TRANSFER_BOB_12345);
    cov_tx_values v;
    v1_values(&v);
    cov_keypair *kp = key_from(SEED_9D61, COV_KEY_ED25519);
    cov_buf xt, payload;
    cov_buf_init(&xt, 4096);
    cov_buf_init(&payload, 4096);
    sign_v1(&xt, &payload, kp, call, sizeof call, &v);
    expect_hex(payload.data, payload.len, V1_PAYLOAD);
    expect_hex(xt.data, xt.len, V1_ED25519_XT);

    /* It decodes back to its parts. */
    cov_extrinsic_parts parts;
    cov_err err;
    assert_int_equal(
        cov_extrinsic_decode(&parts, NULL, xt.data, xt.len, 5, &err), COV_OK);
    assert_true(parts.is_signed);
    assert_int_equal(parts.sig_type, COV_KEY_ED25519);
    expect_hex(parts.account, 32, ED_9D61_PUB);
    assert_int_equal(parts.sig_len, 64);
    expect_hex(parts.extra, parts.extra_len, "b5031c0000");
    expect_hex(parts.call, parts.call_len, TRANSFER_BOB_12345);
    /* The signature verifies against the payload as the chain checks it. */
    assert_int_equal(cov_verify_account(COV_KEY_ED25519, parts.account,
                                        parts.signature, parts.sig_len,
                                        payload.data, payload.len, &err),
                     COV_OK);
    /* The transaction hash is blake2b-256 of the whole thing. */
    uint8_t h[32], want[32];
    cov_extrinsic_hash(h, xt.data, xt.len);
    cov_blake2b_256(want, xt.data, xt.len);
    assert_memory_equal(h, want, 32);

    /* Appending: a second extrinsic lands after the first; decoding with
     * `consumed` walks them one by one. */
    size_t first = xt.len;
    assert_int_equal(cov_extrinsic_unsigned(&xt, call, sizeof call, &err),
                     COV_OK);
    size_t used = 0;
    assert_int_equal(
        cov_extrinsic_decode(&parts, &used, xt.data, xt.len, 5, &err), COV_OK);
    assert_int_equal(used, first);
    assert_int_equal(cov_extrinsic_decode(&parts, &used, xt.data + first,
                                          xt.len - first, 5, &err),
                     COV_OK);
    assert_false(parts.is_signed);
    assert_int_equal(used, xt.len - first);
    /* Without `consumed`, trailing bytes are an error. */
    assert_int_equal(
        cov_extrinsic_decode(&parts, NULL, xt.data, xt.len, 5, &err),
        COV_ERR_PARSE);

    cov_buf_free(&xt);
    cov_buf_free(&payload);
    cov_keypair_free(kp);
}

static void test_signed_ecdsa_vector(void **state)
{
    (void)state;
    uint8_t call[37];
    unhex(call, sizeof call, TRANSFER_BOB_12345);
    cov_tx_values v;
    v1_values(&v);
    cov_keypair *kp = key_from("//Alice", COV_KEY_ECDSA);
    cov_buf xt, payload;
    cov_buf_init(&xt, 4096);
    cov_buf_init(&payload, 4096);
    sign_v1(&xt, &payload, kp, call, sizeof call, &v);
    expect_hex(payload.data, payload.len, V1_PAYLOAD);
    expect_hex(xt.data, xt.len, V1_ECDSA_XT);
    cov_extrinsic_parts parts;
    assert_int_equal(
        cov_extrinsic_decode(&parts, NULL, xt.data, xt.len, 5, NULL), COV_OK);
    assert_int_equal(parts.sig_type, COV_KEY_ECDSA);
    assert_int_equal(parts.sig_len, 65);
    expect_hex(parts.account, 32, ALICE_ECDSA_ACCOUNT);
    cov_buf_free(&xt);
    cov_buf_free(&payload);
    cov_keypair_free(kp);
}

static void test_signed_sr25519(void **state)
{
    (void)state;
    /* sr25519 signatures are randomised: the payload is the oracle's, the
     * layout around the signature is fixed, and the signature verifies. */
    uint8_t call[37];
    unhex(call, sizeof call, TRANSFER_BOB_12345);
    cov_tx_values v;
    v1_values(&v);
    cov_keypair *kp = key_from("//Alice", COV_KEY_SR25519);
    cov_buf xt, payload;
    cov_buf_init(&xt, 4096);
    cov_buf_init(&payload, 4096);
    sign_v1(&xt, &payload, kp, call, sizeof call, &v);
    expect_hex(payload.data, payload.len, V1_PAYLOAD);
    assert_int_equal(xt.len, 2 + 1 + 33 + 65 + 5 + 37);
    expect_hex(xt.data, 36, "3502" "84" "00" ALICE_PUB);
    assert_int_equal(xt.data[36], 0x01);
    cov_extrinsic_parts parts;
    cov_err err;
    assert_int_equal(
        cov_extrinsic_decode(&parts, NULL, xt.data, xt.len, 5, &err), COV_OK);
    assert_int_equal(parts.sig_type, COV_KEY_SR25519);
    assert_int_equal(cov_verify_account(COV_KEY_SR25519, parts.account,
                                        parts.signature, parts.sig_len,
                                        payload.data, payload.len, &err),
                     COV_OK);
    /* A public-only key cannot sign. */
    uint8_t pub[32];
    unhex(pub, 32, ALICE_PUB);
    cov_keypair *pub_only = NULL;
    assert_int_equal(cov_keypair_from_public(&pub_only, COV_KEY_SR25519, pub,
                                             32, NULL),
                     COV_OK);
    cov_tx_extension exts[N_SUBTENSOR_EXTS];
    build_subtensor_exts(exts, &v);
    assert_int_equal(cov_extrinsic_sign(&xt, pub_only, call, sizeof call, exts,
                                        N_SUBTENSOR_EXTS, &err),
                     COV_ERR_ARG);
    cov_keypair_free(pub_only);
    cov_buf_free(&xt);
    cov_buf_free(&payload);
    cov_keypair_free(kp);
}

static void test_long_payload_is_hashed(void **state)
{
    (void)state;
    /* System.remark(300 x 0x07), immortal, nonce 0, tip 1 TAO, metadata
     * hash mode 1: the payload is 416 bytes, so blake2b-256 of it is
     * signed. */
    uint8_t call[2 + 2 + 300];
    unhex(call, 4, "0000b104");
    memset(call + 4, 0x07, 300);
    cov_tx_values v;
    v1_values(&v);
    v.era = cov_era_immortal();
    memcpy(v.era_block_hash, v.genesis_hash, 32);
    v.nonce = 0;
    v.tip = 1000000000;
    v.metadata_hash_mode = 1;
    memset(v.metadata_hash, 0x22, 32);
    cov_keypair *kp = key_from(SEED_9D61, COV_KEY_ED25519);
    cov_buf xt, payload;
    cov_buf_init(&xt, 4096);
    cov_buf_init(&payload, 4096);
    sign_v1(&xt, &payload, kp, call, sizeof call, &v);
    assert_int_equal(payload.len, 416);
    uint8_t scratch[32];
    size_t msg_len;
    const uint8_t *msg = cov_extrinsic_signing_message(scratch, &msg_len,
                                                       payload.data,
                                                       payload.len);
    assert_ptr_equal(msg, scratch);
    expect_hex(msg, msg_len,
               "18b471a8d233bc7d2e198073ba2c8014bbb460c448c69ffc5635a4f853e02c9f");
    assert_int_equal(xt.len, 412);
    expect_hex(xt.data, 2 + 1 + 33 + 65 + 7,
               "6906" "84" "00" ED_9D61_PUB "00"
               "78b08f0e557bb8d3fbde0203c1628436b27c5d44fa8e57be48f1bdcd0a753ae2"
               "442516dbce40c279c2e5bca5d9d1703d208329ac6fb6ec641516a179c3e77006"
               "00" "00" "02286bee" "01");
    assert_memory_equal(xt.data + 108, call, sizeof call);

    /* The threshold: 256 bytes are signed as they are, 257 hashed. */
    uint8_t buf[257] = {0};
    assert_ptr_equal(cov_extrinsic_signing_message(scratch, &msg_len, buf, 256),
                     buf);
    assert_int_equal(msg_len, 256);
    assert_ptr_equal(cov_extrinsic_signing_message(scratch, &msg_len, buf, 257),
                     scratch);
    assert_int_equal(msg_len, 32);
    cov_buf_free(&xt);
    cov_buf_free(&payload);
    cov_keypair_free(kp);
}

static void test_assemble_and_unsigned(void **state)
{
    (void)state;
    uint8_t account[32], sig[65], call[3] = {0x07, 0x5c, 0x01};
    memset(account, 0xaa, 32);
    memset(sig, 0x55, 65);
    cov_buf xt;
    cov_buf_init(&xt, 4096);
    cov_err err;
    /* No extensions at all; wrong signature lengths and types refused. */
    assert_int_equal(cov_extrinsic_assemble_signed(&xt, COV_KEY_ECDSA, account,
                                                   sig, 64, NULL, 0, call, 3,
                                                   &err),
                     COV_ERR_ARG);
    assert_int_equal(cov_extrinsic_assemble_signed(&xt, (cov_key_type)7,
                                                   account, sig, 64, NULL, 0,
                                                   call, 3, &err),
                     COV_ERR_ARG);
    assert_int_equal(xt.len, 0);
    assert_int_equal(cov_extrinsic_assemble_signed(&xt, COV_KEY_ECDSA, account,
                                                   sig, 65, NULL, 0, call, 3,
                                                   &err),
                     COV_OK);
    /* 1 + 33 + 66 + 3 = 103 bytes: a two-byte compact (103 << 2 | 1). */
    assert_int_equal(xt.len, 2 + 103);
    expect_hex(xt.data, 5, "9d018400aa");
    cov_buf_reset(&xt);

    /* Unsigned: Compact(1 + len) || 0x04 || call. */
    assert_int_equal(cov_extrinsic_unsigned(&xt, call, 3, &err), COV_OK);
    expect_hex(xt.data, xt.len, "1004075c01");
    cov_extrinsic_parts parts;
    assert_int_equal(
        cov_extrinsic_decode(&parts, NULL, xt.data, xt.len, 5, &err), COV_OK);
    assert_false(parts.is_signed);
    expect_hex(parts.call, parts.call_len, "075c01");
    /* A call of 64 bytes or more needs a longer prefix. */
    uint8_t big[100] = {0};
    cov_buf_reset(&xt);
    assert_int_equal(cov_extrinsic_unsigned(&xt, big, 100, &err), COV_OK);
    expect_hex(xt.data, 3, "950104");
    assert_int_equal(
        cov_extrinsic_decode(&parts, NULL, xt.data, xt.len, 0, &err), COV_OK);
    assert_int_equal(parts.call_len, 100);
    /* The cap of the output buffer holds. */
    cov_buf tiny;
    cov_buf_init(&tiny, 50);
    assert_int_equal(cov_extrinsic_unsigned(&tiny, big, 100, &err),
                     COV_ERR_TOO_BIG);
    cov_buf_free(&tiny);
    cov_buf_free(&xt);
}

static void test_decode_rejects(void **state)
{
    (void)state;
    uint8_t xt[160];
    unhex(xt, 143, V1_ED25519_XT);
    const size_t len = 143;
    cov_extrinsic_parts parts;
    cov_err err;
    /* Every truncation, with and without `consumed`, fails cleanly. */
    for (size_t cut = 0; cut < len; cut++) {
        size_t used;
        assert_int_not_equal(
            cov_extrinsic_decode(&parts, NULL, xt, cut, 5, &err), COV_OK);
        assert_int_not_equal(
            cov_extrinsic_decode(&parts, &used, xt, cut, 5, &err), COV_OK);
    }
    /* Extras longer than what is there. */
    assert_int_equal(cov_extrinsic_decode(&parts, NULL, xt, len, 500, &err),
                     COV_ERR_PARSE);
    /* Extras that swallow the call: nothing left for it. */
    assert_int_equal(cov_extrinsic_decode(&parts, NULL, xt, len, 5 + 37, &err),
                     COV_ERR_PARSE);

    uint8_t bad[160];
    /* Other versions (v5 general 0x45, v5 bare 0x05, v3 0x83). */
    const uint8_t versions[] = {0x45, 0x05, 0x83, 0x00, 0xff};
    for (size_t i = 0; i < sizeof versions; i++) {
        memcpy(bad, xt, len);
        bad[2] = versions[i];
        assert_int_equal(cov_extrinsic_decode(&parts, NULL, bad, len, 5, &err),
                         COV_ERR_UNSUPPORTED);
    }
    /* Another MultiAddress variant (Index, Raw, Address32, Address20). */
    memcpy(bad, xt, len);
    bad[3] = 0x03;
    assert_int_equal(cov_extrinsic_decode(&parts, NULL, bad, len, 5, &err),
                     COV_ERR_UNSUPPORTED);
    /* Another MultiSignature variant (3 = Eth). */
    memcpy(bad, xt, len);
    bad[36] = 0x03;
    assert_int_equal(cov_extrinsic_decode(&parts, NULL, bad, len, 5, &err),
                     COV_ERR_UNSUPPORTED);
    /* A length prefix that is not canonical (0x35 0x02 is 141; 141 written
     * in four bytes) or says more than there is. */
    uint8_t noncanon[4 + 141];
    noncanon[0] = (uint8_t)((141 << 2) | 2);
    noncanon[1] = (uint8_t)((141 << 2) >> 8);
    noncanon[2] = noncanon[3] = 0;
    memcpy(noncanon + 4, xt + 2, 141);
    assert_int_equal(cov_extrinsic_decode(&parts, NULL, noncanon,
                                          sizeof noncanon, 5, &err),
                     COV_ERR_PARSE);
    memcpy(bad, xt, len);
    bad[0] = 0x39; /* 142 */
    assert_int_equal(cov_extrinsic_decode(&parts, NULL, bad, len, 5, &err),
                     COV_ERR_PARSE);
    /* An empty body. */
    uint8_t empty[1] = {0x00};
    assert_int_equal(cov_extrinsic_decode(&parts, NULL, empty, 1, 0, &err),
                     COV_ERR_PARSE);
    /* An unsigned extrinsic with no call. */
    uint8_t nocall[2] = {0x04, 0x04};
    assert_int_equal(cov_extrinsic_decode(&parts, NULL, nocall, 2, 0, &err),
                     COV_ERR_PARSE);
    /* A prefix too big for 64 bits. */
    uint8_t huge[10] = {0x17, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    assert_int_not_equal(cov_extrinsic_decode(&parts, NULL, huge, 10, 0, &err),
                         COV_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_era_rs_vectors),
        cmocka_unit_test(test_era_mortal_edges),
        cmocka_unit_test(test_era_birth_death),
        cmocka_unit_test(test_era_decode_all),
        cmocka_unit_test(test_era_rejects),
        cmocka_unit_test(test_storage_prefix_and_keys),
        cmocka_unit_test(test_storage_split),
        cmocka_unit_test(test_standard_extensions),
        cmocka_unit_test(test_extension_list),
        cmocka_unit_test(test_signed_ed25519_vector),
        cmocka_unit_test(test_signed_ecdsa_vector),
        cmocka_unit_test(test_signed_sr25519),
        cmocka_unit_test(test_long_payload_is_hashed),
        cmocka_unit_test(test_assemble_and_unsigned),
        cmocka_unit_test(test_decode_rejects),
    };
    if (cov_crypto_init(NULL) != COV_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
