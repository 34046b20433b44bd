/* wallet/keypair.c, suri.c, ed25519.c and ecdsa.c through the public API:
 * keys from secret URIs, mnemonics, seeds and secrets of all three key
 * types, against Substrate's, btwallet's and independently computed
 * vectors; signing and verification; and the URIs and inputs that must be
 * refused.
 *
 * Where a value is not quoted from Substrate's or btwallet's own tests (see
 * the research notes §2.7, §2.8, §3.8), it was computed outside covenant in
 * a throwaway venv:
 *
 *   python3 -m venv /tmp/ssv
 *   /tmp/ssv/bin/pip install bittensor-wallet==4.1.1 substrate-interface \
 *       py-sr25519-bindings coincurve base58
 *
 * - sr25519 URIs: bittensor_wallet.Keypair.create_from_uri(uri).public_key
 *   (btwallet 4.1.1, i.e. sp-core); every one without a ///password was
 *   also checked equal to substrateinterface.Keypair.create_from_uri (which
 *   cannot take passwords). "///password" roots were also checked with
 *   bip39.bip39_to_mini_secret(DEV, "password") + sr25519.pair_from_seed.
 * - ed25519 / ecdsa: mini-secret from bip39.bip39_to_mini_secret, hard
 *   junctions as blake2b-256(SCALE((label, seed, cc))) with hashlib, public
 *   keys from ed25519_zebra.ed_public_from_secret (py-ed25519-zebra-bindings)
 *   and coincurve.PrivateKey(seed).public_key.format(); ecdsa signatures from
 *   coincurve's sign_recoverable(blake2b-256(msg), hasher=None).
 * - SS58 strings: base58 + hashlib.blake2b as in test_ss58.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "test_helpers.h"

#include "wallet/internal.h"

#define OLD_LEOPARD \
    "old leopard transfer rib spatial phone calm indicate online fire caution review"
#define SEED_9D61 \
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"

static const char DEV_PUB[] =
    "46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a";
static const char ALICE_PUB[] =
    "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";



static cov_keypair *suri(const char *uri, cov_key_type type)
{
    cov_keypair *kp = NULL;
    cov_err err;
    cov_status st = cov_keypair_from_suri(&kp, uri, type, &err);
    if (st != COV_OK)
        fail_msg("%s (%s): %s", uri, cov_key_type_name(type), err.msg);
    assert_non_null(kp);
    assert_int_equal(cov_keypair_type(kp), type);
    assert_true(cov_keypair_has_secret(kp));
    return kp;
}

static void expect_pub(const cov_keypair *kp, const char *want_hex)
{
    uint8_t pub[COV_PUBKEY_MAX];
    size_t n = cov_keypair_public(kp, pub);
    assert_int_equal(n, strlen(want_hex) / 2);
    expect_hex(pub, n, want_hex);
}

static void expect_ss58(const cov_keypair *kp, const char *want)
{
    char out[COV_SS58_MAX];
    assert_int_equal(cov_keypair_ss58(kp, out, COV_SS58_BITTENSOR, NULL), COV_OK);
    assert_string_equal(out, want);
}

static void expect_suri_pub(const char *uri, cov_key_type type, const char *pub)
{
    cov_keypair *kp = suri(uri, type);
    expect_pub(kp, pub);
    cov_keypair_free(kp);
}

static cov_status suri_status(const char *uri, cov_key_type type)
{
    cov_keypair *kp = (cov_keypair *)1; /* must be reset to NULL on failure */
    cov_err err;
    cov_err_clear(&err);
    cov_status st = cov_keypair_from_suri(&kp, uri, type, &err);
    assert_int_equal(err.code, st);
    if (st == COV_OK) {
        cov_keypair_free(kp);
    } else {
        assert_null(kp);
        assert_true(err.msg[0] != '\0');
    }
    return st;
}

/* ------------------------------------------------------------ sr25519 */

static void test_sr25519_dev_uris(void **state)
{
    (void)state;
    static const struct {
        const char *uri, *pub, *ss58;
    } cases[] = {
        {COV_DEV_PHRASE, DEV_PUB,
         "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV"},
        {"", DEV_PUB, "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV"},
        {"//Alice", ALICE_PUB, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"},
        {COV_DEV_PHRASE "//Alice", ALICE_PUB,
         "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"},
        {"//Bob", "8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48",
         "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"},
        {"/Alice", "d6c71059dbbe9ad2b0ed3f289738b800836eb425544ce694825285b958ca755e",
         "5GvKEoc787uDV8etY1AM8vF385edu2iyqD1WfCjDugzLUiAL"},
        {"//Alice/stash",
         "42693199aba1dec4d835602e19d16d173df9b3b7b65359fd7accdf874749bf61",
         "5DZnGRAr28KP4GvbuxW2cBNo9Aodcm4QKUMj3Zqj67YjYStr"},
        {"//0", "2afba9278e30ccf6a6ceb3a8b6e336b70068f045c666f2e7f4f9cc5f47db8972",
         "5D34dL5prEUaGNQtPPZ3yN5Y6BnkfXunKXXz6fo7ZJbLwRRH"},
        {"//1", "b606fc73f57f03cdb4c932d475ab426043e429cecc2ffff0d2672b0df8398c48",
         "5GBNeWRhZc2jXu7D55rBimKYDk8PGk8itRYFTPfC8RJLKG5o"},
        {"/1", "328b984202c3c1c834b9c5973a0e8955c4f60c6e3c100503c77d4ad3b9328639",
         "5DCyihKprMsGj3vNzmhnCpx827jCTd4fHQzZAxyyNy7dBRnA"},
        {"//Alice//Bob",
         "4ad7c0bef27011002bc21af6acf4a30a352315af869810c00836a8bd259f884e",
         "5DkqVXTvjEbzibwmHiDVURuLEhJDrbjNUP83Df9KA2eLzhQj"},
        {"//Alice/Bob",
         "ac633d73e498630e6e55733e02e4c3314806b08191e8ed0f44bbb3e31f47c656",
         "5FxjaETSBZpJfwkgX9ZKoXU6cAMMVM4gG7x63d9aBF6YKrVW"},
        /* btwallet's tests/test_keypair.py derives these three from the
         * empty phrase, i.e. the development phrase. */
        {"//Bob/test", "0a598f2fd29478d76527c68ce40356d14d82efffe2743152540da3dae30eb50f",
         "5CJGwWiKXSE16WJaxBdPZhWqUYkotgenLUALv7ZvqQ4TXeqf"},
        {"/Bob//test", "26d24258d7c1af0b493b479dc8ba19bda10fd6034cd041fc46f1f282f5206f7c",
         "5Cwc8tShrshDJUp1P1M21dKUTcYQpV9GcfSa4hUBNmMdV3Cx"},
        {"//PathNameLongerThan32BytesWhichShouldBeHashed",
         "c07bc8c436916955dc5254f8ed9747ca47c4cc1562da3641e4f7cceb2049dd2b",
         "5GR5pfZeNs1uQiSWVxZaQiZou3wdZiX894eqgvfNfHbEh7W2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cov_keypair *kp = suri(cases[i].uri, COV_KEY_SR25519);
        expect_pub(kp, cases[i].pub);
        expect_ss58(kp, cases[i].ss58);
        cov_keypair_free(kp);
    }
}

/* Junction names that look numeric: Substrate parses a u64 with Rust's
 * str::parse (leading zeros and one leading '+' allowed), anything else,
 * overflowing values included, is a SCALE string. */
static void test_sr25519_numeric_junctions(void **state)
{
    (void)state;
    static const struct {
        const char *uri, *pub;
    } cases[] = {
        {"//7", "ba8e2c7594dd74730f3ca835e95455d199261897edc9735d602ea29615e2b10b"},
        {"//007", "ba8e2c7594dd74730f3ca835e95455d199261897edc9735d602ea29615e2b10b"},
        {"//5", "60c57f0008067cc01c5ff9eb2e2f9b3a94299a915a91198bd1021a6c55596f57"},
        {"//+5", "60c57f0008067cc01c5ff9eb2e2f9b3a94299a915a91198bd1021a6c55596f57"},
        {"//000000000000000000000007",
         "ba8e2c7594dd74730f3ca835e95455d199261897edc9735d602ea29615e2b10b"},
        {"//+000000000000000000000007",
         "ba8e2c7594dd74730f3ca835e95455d199261897edc9735d602ea29615e2b10b"},
        /* not numbers: strings */
        {"//+", "ce716496a1d9e68ae23ccf68fa73e496c48d0e1a8f22bd9c7b4f5fef6c190b4a"},
        {"//++5", "125641cdd771c43822c12c1be9fb2e765ea60f0c2a7dbd69b51f2a91983ff73d"},
        {"//-5", "5055fc58af8473c359975b6026c457f6d3b18e81c24c5cb8cb17774f3a1bc816"},
        {"//18446744073709551615",
         "a4ca284d5222ef916e2e181430785972ed22cb51ef91a0c6cdbbd390ee74bc77"},
        {"//18446744073709551616",
         "7a3a2cd9e94ed6f8956cbd929b84d4cf6267b2c8a371a4ba8737ff4ac5252f0c"},
        {"//123456789012345678901",
         "78d5daa63507f160b31b1633bbcc3e7fc46d8cd31657274d449e80aa8792636a"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_suri_pub(cases[i].uri, COV_KEY_SR25519, cases[i].pub);
}

/* Chain codes at the edges: a SCALE string of exactly 32 bytes is used as
 * it is, 33 bytes and more are hashed, and 64+ characters take a two-byte
 * compact length. */
static void test_sr25519_junction_lengths(void **state)
{
    (void)state;
    static const struct {
        const char *uri, *pub;
    } cases[] = {
        {"//abcdefghijklmnopqrstuvwxyz0123", /* 31 bytes */
         "e48bc3c3ccf9a413a812c7d75a88e6d9681434ee0bca3b84c1277a8c005eca52"},
        {"//abcdefghijklmnopqrstuvwxyz01234", /* 32 bytes */
         "681e4dff0c38024a0d5325f1efb14046a60e463935673f294b4cab98fa9bc208"},
        {"/abcdefghijklmnopqrstuvwxyz01234",
         "d262dc8755ad2ccf0cf42491b4a54d55aed2cdf0a64e797cf39b36b2353c6821"},
        {"//abcdefghijklmnopqrstuvwxyz012345", /* 33 bytes: hashed */
         "684c4e15855f361984d7ee21ebab671a58b663d03baa2da9473df71dd4c8f46c"},
        {"/abcdefghijklmnopqrstuvwxyz012345",
         "04f9ffd5bb26a3efc7dde856f67436c81e7307c194799c6fa185dfc59862035c"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_suri_pub(cases[i].uri, COV_KEY_SR25519, cases[i].pub);
    static const struct {
        size_t n;
        const char *pub;
    } long_names[] = {
        {63, "76dab0a15bee6bc691c04d2b7ee92b7e89596040e6565d75a17ec1da6c0eab1c"},
        {64, "4e7a9573fa04dafa01aa9d0eeda5dd5f6685879a2bfd024a75c17c231b488556"},
        {70, "168a82d8ac8b89ee03baac3ca96d8f147dab2135c54f38ef08e0f8877ecdb004"},
    };
    for (size_t i = 0; i < sizeof long_names / sizeof long_names[0]; i++) {
        char uri[80] = "//";
        memset(uri + 2, 'x', long_names[i].n);
        uri[2 + long_names[i].n] = '\0';
        expect_suri_pub(uri, COV_KEY_SR25519, long_names[i].pub);
    }
}

static void test_sr25519_old_leopard(void **state)
{
    (void)state;
    static const struct {
        const char *suffix, *pub, *ss58;
    } cases[] = {
        {"", "e4359ad3e2716c539a1d663ebd0a51bdc5c98a12e663bb4c4402db47828c9446",
         "5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX"},
        {"//Alice", "8c569308ecfaff02ff941e0af41227042959ab8d60b8bf819ce55427fe78597c",
         "5FEiH8iuDUw271xbqWTWuB6WrDjv5dnCeDX1CyHubAniXDNN"},
        {"/Alice", "be88c9ac750d3e51d185be04299fd67e182c09dc219825eb0bb9ad8f882f2f03",
         "5GNXbA46ma5dg19GXdiKi5JH3mnkZ8Yea3bBtZAvj7t99P9i"},
        {"//Bob/test", "bce9d7ce6e706d0ccf3e0accd48a0096e8d32234f354d7dff4b2ecb69a1b1447",
         "5GLQKpn3Z1TvdAbWX5fqnCqPd8EnZAVecid8wbFqJ9ooAdAz"},
        {"/Bob//test", "2420910223bdbbc139035f3457bedf15d6b724e5245792ddecdcb66634c11709",
         "5Ct5FkxVxiT3Us81ixkp6cdQPF2mC931sSmdqxXF6Qd2a1YT"},
        {"//PathNameLongerThan32BytesWhichShouldBeHashed",
         "54ae897a5c19dc11139c255dbf9ecf0ee12ae8ee3c32ab83921bb7337a1d182a",
         "5DyjjAaTHTDvtVxHHABgXLCozKvEGXhRXGAFBSn2fxkSpyGZ"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char uri[256];
        snprintf(uri, sizeof uri, "%s%s", OLD_LEOPARD, cases[i].suffix);
        cov_keypair *kp = suri(uri, COV_KEY_SR25519);
        expect_pub(kp, cases[i].pub);
        expect_ss58(kp, cases[i].ss58);
        /* The words are kept only for the root key. */
        if (cases[i].suffix[0])
            assert_null(cov_keypair_mnemonic(kp));
        else
            assert_string_equal(cov_keypair_mnemonic(kp), OLD_LEOPARD);
        cov_keypair_free(kp);
    }
}

static void test_sr25519_secrets(void **state)
{
    (void)state;
    uint8_t buf[64];
    /* DEV root: mini-secret and the canonical (btwallet) secret. */
    cov_keypair *kp = suri("", COV_KEY_SR25519);
    assert_true(cov_keypair_seed(kp, buf));
    expect_hex(buf, 32, "fac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e");
    assert_true(cov_keypair_sr25519_secret(kp, buf));
    expect_hex(buf, 32, "05d65584630d16cd4af6d0bec10f34bb504a5dcb62dba2122d49f5a663763d0a");
    expect_hex(buf + 32, 32, "fd190cce74df356432b410bd64682309d6dedb27c76845daf388557cbac3ca34");
    /* The development phrase is not reported as the user's words. */
    assert_null(cov_keypair_mnemonic(kp));
    cov_keypair_free(kp);

    /* //Alice: the SecretUri doc's seed and the canonical secret. */
    kp = suri("//Alice", COV_KEY_SR25519);
    assert_true(cov_keypair_seed(kp, buf));
    expect_hex(buf, 32, "e5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a");
    assert_true(cov_keypair_sr25519_secret(kp, buf));
    expect_hex(buf, 64,
               "33a6f3093f158a7109f679410bef1a0c54168145e0cecb4df006c1c2fffb1f09"
               "925a225d97aa00682d6a59b95b18780c10d7032336e88f3442b42361f4a66011");
    cov_keypair_free(kp);

    /* A soft child has no mini-secret. */
    kp = suri("//Alice/stash", COV_KEY_SR25519);
    assert_false(cov_keypair_seed(kp, buf));
    assert_true(cov_keypair_sr25519_secret(kp, buf));
    cov_keypair_free(kp);

    /* Old leopard: btwallet's privateKey and secretSeed. */
    kp = suri(OLD_LEOPARD, COV_KEY_SR25519);
    assert_true(cov_keypair_seed(kp, buf));
    expect_hex(buf, 32, "da3cf5b1e9144931a0f0db65664aab662673b099415a7f8121b7245fb0be4143");
    assert_true(cov_keypair_sr25519_secret(kp, buf));
    expect_hex(buf, 64,
               "1f1995bdf3a17b60626a26cfe6f564b337d46056b7a1281b64c649d592ccda0a"
               "9cffd34d9fb01cae1fba61aeed184c817442a2186d5172416729a4b54dd4b84e");
    cov_keypair_free(kp);
}

static void test_sr25519_from_secret(void **state)
{
    (void)state;
    uint8_t secret[64];
    cov_keypair *kp = NULL;
    cov_err err;
    unhex(secret, 64,
          "05d65584630d16cd4af6d0bec10f34bb504a5dcb62dba2122d49f5a663763d0a"
          "fd190cce74df356432b410bd64682309d6dedb27c76845daf388557cbac3ca34");
    assert_int_equal(cov_keypair_from_sr25519_secret(&kp, secret, &err), COV_OK);
    expect_pub(kp, DEV_PUB);
    assert_false(cov_keypair_seed(kp, secret)); /* no mini-secret known */
    cov_keypair_free(kp);
    /* The ed25519 form (scalar times 8, as polkadot-js stores it) is not a
     * canonical scalar and is refused. */
    unhex(secret, 64,
          "28b0ae221c6bb06856b287f60d7ea0d98552ea5a16db16956849aa371db3eb51"
          "fd190cce74df356432b410bd64682309d6dedb27c76845daf388557cbac3ca34");
    kp = (cov_keypair *)1;
    assert_int_equal(cov_keypair_from_sr25519_secret(&kp, secret, &err),
                     COV_ERR_CRYPTO);
    /* A zero scalar is no key. */
    memset(secret, 0, sizeof secret);
    assert_int_not_equal(cov_keypair_from_sr25519_secret(&kp, secret, &err),
                         COV_OK);
}

static void test_sr25519_seeds(void **state)
{
    (void)state;
    uint8_t seed[32] = {0};
    cov_keypair *kp;
    assert_int_equal(cov_keypair_from_seed(&kp, COV_KEY_SR25519, seed, NULL), COV_OK);
    expect_pub(kp, "def12e42f3e487e9b14095aa8d5cc16a33491f1b50dadcf8811d1480f3fa8627");
    cov_keypair_free(kp);
    /* Substrate's sr25519 test seed, directly and as a SURI. */
    unhex(seed, 32, SEED_9D61);
    assert_int_equal(cov_keypair_from_seed(&kp, COV_KEY_SR25519, seed, NULL), COV_OK);
    expect_pub(kp, "44a996beb1eef7bdcab976ab6d2ca26104834164ecf28fb375600576fcc6eb0f");
    assert_null(cov_keypair_mnemonic(kp));
    cov_keypair_free(kp);
    expect_suri_pub("0x" SEED_9D61, COV_KEY_SR25519,
                    "44a996beb1eef7bdcab976ab6d2ca26104834164ecf28fb375600576fcc6eb0f");
    expect_suri_pub("0x" SEED_9D61 "//Alice", COV_KEY_SR25519,
                    "382f0ad81e1820a654e5d461ff4b9fd35b7e714c217b2f1301784a159ce27378");
    /* Hex digits in either case, and 0X. */
    expect_suri_pub("0X9D61B19DEFFD5A60BA844AF492EC2CC44449C5697B326919703BAC031CAE7F60"
                    "//Alice",
                    COV_KEY_SR25519,
                    "382f0ad81e1820a654e5d461ff4b9fd35b7e714c217b2f1301784a159ce27378");
    /* Substrate's ASCII seed. */
    memcpy(seed, "12345678901234567890123456789012", 32);
    assert_int_equal(cov_keypair_from_seed(&kp, COV_KEY_SR25519, seed, NULL), COV_OK);
    expect_pub(kp, "741c08a06f41c596608f6774259bd9043304adfa5d3eea62760bd9be97634d63");
    cov_keypair_free(kp);
}

static void test_mnemonics(void **state)
{
    (void)state;
    cov_keypair *kp;
    cov_err err;
    /* Extra spaces are tolerated and the canonical words kept. */
    assert_int_equal(cov_keypair_from_mnemonic(
                         &kp,
                         "  old  leopard transfer rib spatial phone calm indicate "
                         "online fire caution   review ",
                         NULL, COV_KEY_SR25519, &err),
                     COV_OK);
    expect_pub(kp, "e4359ad3e2716c539a1d663ebd0a51bdc5c98a12e663bb4c4402db47828c9446");
    assert_string_equal(cov_keypair_mnemonic(kp), OLD_LEOPARD);
    cov_keypair_free(kp);
    /* The entropy, not the sentence, is PBKDF2's password, and HMAC pads
     * keys with zeros: 16 and 32 zero bytes of entropy give one key. */
    static const char *const zero_phrases[] = {
        "abandon abandon abandon abandon abandon abandon abandon abandon "
        "abandon abandon abandon about",
        "abandon abandon abandon abandon abandon abandon abandon abandon "
        "abandon abandon abandon abandon abandon abandon abandon abandon "
        "abandon abandon abandon abandon abandon abandon abandon art",
    };
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(cov_keypair_from_mnemonic(&kp, zero_phrases[i], NULL,
                                                   COV_KEY_SR25519, &err),
                         COV_OK);
        expect_pub(kp, "66933bd1f37070ef87bd1198af3dacceb095237f803f3d32b173e6b425ed7972");
        cov_keypair_free(kp);
    }
    /* A BIP39 passphrase is the same as a ///password. */
    assert_int_equal(cov_keypair_from_mnemonic(&kp, COV_DEV_PHRASE, "password",
                                               COV_KEY_SR25519, &err),
                     COV_OK);
    expect_pub(kp, "b69355deefa7a8f33e9297f5af22e680f03597a99d4f4b1c44be47e7a2275802");
    cov_keypair_free(kp);
    /* An empty passphrase is no passphrase. */
    assert_int_equal(cov_keypair_from_mnemonic(&kp, COV_DEV_PHRASE, "",
                                               COV_KEY_SR25519, &err),
                     COV_OK);
    expect_pub(kp, DEV_PUB);
    cov_keypair_free(kp);
    /* Bad words, a bad checksum and a wrong word count. */
    kp = (cov_keypair *)1;
    assert_int_equal(cov_keypair_from_mnemonic(
                         &kp,
                         "bottom drive obey lake curtain smoke basket hold race "
                         "lonely fit xyzzy",
                         NULL, COV_KEY_SR25519, &err),
                     COV_ERR_PARSE);
    assert_null(kp);
    assert_int_equal(cov_keypair_from_mnemonic(
                         &kp,
                         "bottom drive obey lake curtain smoke basket hold race "
                         "lonely fit fit",
                         NULL, COV_KEY_SR25519, &err),
                     COV_ERR_CHECKSUM);
    assert_int_equal(cov_keypair_from_mnemonic(&kp, "bottom drive obey", NULL,
                                               COV_KEY_SR25519, &err),
                     COV_ERR_PARSE);
}

static void test_suri_password(void **state)
{
    (void)state;
    /* ///password is the BIP39 passphrase; it changes the root and every
     * child. */
    expect_suri_pub("///password", COV_KEY_SR25519,
                    "b69355deefa7a8f33e9297f5af22e680f03597a99d4f4b1c44be47e7a2275802");
    expect_suri_pub(COV_DEV_PHRASE "///password", COV_KEY_SR25519,
                    "b69355deefa7a8f33e9297f5af22e680f03597a99d4f4b1c44be47e7a2275802");
    expect_suri_pub("//Alice///password", COV_KEY_SR25519,
                    "32fc18294f88e02ec071e59bb3996aa21f4519d92593dc6e01fda2921d459b23");
    /* An empty password is no password. */
    expect_suri_pub("//Alice///", COV_KEY_SR25519, ALICE_PUB);
    expect_suri_pub("///password", COV_KEY_ED25519,
                    "cb8d01a021231c0ffe53afd21c037583ce21033f55f26852dd92558d368a17a7");
    expect_suri_pub("///password", COV_KEY_ECDSA,
                    "0272a37d7fb4652fabe91452103ba76e4555cd2a1c8f572844cdac204ab2717a52");
    /* The password binds a mnemonic; covenant refuses it with a raw seed
     * rather than silently ignoring it. */
    assert_int_equal(suri_status("0x" SEED_9D61 "///password", COV_KEY_SR25519),
                     COV_ERR_PARSE);
}

/* ------------------------------------------------------------ ed25519 */

static void test_ed25519(void **state)
{
    (void)state;
    cov_keypair *kp = suri("", COV_KEY_ED25519);
    expect_pub(kp, "345071da55e5dccefaaa440339415ef9f2663338a38f7da0df21be5ab4e055ef");
    cov_keypair_free(kp);
    kp = suri("//Alice", COV_KEY_ED25519);
    expect_pub(kp, "88dc3417d5058ec4b4503e0c12ea1a0a89be200fe98922423d4334014fa6b0ee");
    expect_ss58(kp, "5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu");
    cov_keypair_free(kp);
    expect_suri_pub("//Alice//Bob", COV_KEY_ED25519,
                    "0cc30ecdfe182a851f3edab45c7b6d25afd660717593924704aeb225bce93cfe");
    expect_suri_pub("0x" SEED_9D61 "//Alice", COV_KEY_ED25519,
                    "ba1c2a8a0813c58e79b511ae8634aa0920330022c5a685024e449f756b28b6ea");

    /* RFC 8032 test 1 / Substrate's ed25519 test seed. */
    uint8_t seed[32], sig[COV_SIGNATURE_MAX], out[32];
    size_t sig_len = 0;
    unhex(seed, 32, SEED_9D61);
    assert_int_equal(cov_keypair_from_seed(&kp, COV_KEY_ED25519, seed, NULL), COV_OK);
    expect_pub(kp, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    assert_int_equal(cov_keypair_sign(kp, sig, &sig_len, (const uint8_t *)"", 0, NULL),
                     COV_OK);
    assert_int_equal(sig_len, 64);
    expect_hex(sig, 64,
               "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555"
               "fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    uint8_t got_seed[32];
    assert_true(cov_keypair_seed(kp, got_seed));
    assert_memory_equal(got_seed, seed, 32);
    assert_false(cov_keypair_sr25519_secret(kp, (uint8_t[64]){0}));
    cov_keypair_free(kp);
    /* Hard derivation with a zero chain code. */
    uint8_t cc[32] = {0};
    cov_ed25519_derive_hard(out, seed, cc);
    expect_hex(out, 32, "ede3354e133f9c8e337ddd6ee5415ed4b4ffe5fc7d21e933f4930a3730e5b21c");
    /* In place, as keypair.c uses it. */
    memcpy(out, seed, 32);
    cov_ed25519_derive_hard(out, out, cc);
    expect_hex(out, 32, "ede3354e133f9c8e337ddd6ee5415ed4b4ffe5fc7d21e933f4930a3730e5b21c");
}

/* -------------------------------------------------------------- ecdsa */

static void test_ecdsa(void **state)
{
    (void)state;
    uint8_t account[32];
    cov_keypair *kp = suri("", COV_KEY_ECDSA);
    expect_pub(kp, "035b26108e8b97479c547da4860d862dc08ab2c29ada449c74d5a9a58a6c46a8c4");
    cov_keypair_free(kp);
    kp = suri("//Alice", COV_KEY_ECDSA);
    expect_pub(kp, "020a1091341fe5664bfa1782d5e04779689068c916b04cb365ec3153755684d9a1");
    cov_keypair_account_id(kp, account);
    expect_hex(account, 32, "01e552298e47454041ea31273b4b630c64c104e4514aa3643490b8aaca9cf8ed");
    expect_ss58(kp, "5C7C2Z5sWbytvHpuLTvzKunnnRwQxft1jiqrLD5rhucQ5S9X");
    cov_keypair_free(kp);
    expect_suri_pub("0x" SEED_9D61 "//Alice", COV_KEY_ECDSA,
                    "029f5e5569f6e0e19e0c483f2a855dfc6c2a8ddd02466d578859eefb6aa9f97552");

    uint8_t seed[32], sig[COV_SIGNATURE_MAX], out[32];
    size_t sig_len = 0;
    unhex(seed, 32, SEED_9D61);
    assert_int_equal(cov_keypair_from_seed(&kp, COV_KEY_ECDSA, seed, NULL), COV_OK);
    expect_pub(kp, "028db55b05db86c0b1786ca49f095d76344c9e6056b2f02701a7e7f3c20aabfd91");
    cov_keypair_account_id(kp, account);
    expect_hex(account, 32, "e9ba765d811b3ded32b9184a8a4adcacbb1fdeebbe4401484dae2f0588c246e4");
    /* RFC 6979 makes these exact. */
    assert_int_equal(cov_keypair_sign(kp, sig, &sig_len, (const uint8_t *)"", 0, NULL),
                     COV_OK);
    assert_int_equal(sig_len, 65);
    expect_hex(sig, 65,
               "3dde91174bd9359027be59a428b8146513df80a2a3c7eda2194f64de04a69ab9"
               "7b753169e94db6ffd50921a2668a48b94ca11e3d32c1ff19cfe88890aa7e8f3c00");
    const char *msg = "bittensor test message";
    assert_int_equal(cov_keypair_sign(kp, sig, &sig_len, (const uint8_t *)msg,
                                      strlen(msg), NULL),
                     COV_OK);
    expect_hex(sig, 65,
               "5ae741d1880c392f660f1c59c65762d33d7e588f7d0f5c190d75ef42ce9778e5"
               "2a3c447f6d35731fb6d14710b0f3aff6c68a88218f10a0dace26131b4120e29d01");
    cov_keypair_free(kp);
    uint8_t cc[32] = {0};
    cov_ecdsa_derive_hard(out, seed, cc);
    expect_hex(out, 32, "b8eefc4937200a8382d00050e050ced2d4ab72cc2ef1b061477afb51564fdd61");

    /* Zero is not a secp256k1 secret key. */
    memset(seed, 0, sizeof seed);
    kp = (cov_keypair *)1;
    assert_int_equal(cov_keypair_from_seed(&kp, COV_KEY_ECDSA, seed, NULL),
                     COV_ERR_CRYPTO);
    /* Nor is the group order n. */
    unhex(seed, 32, "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    assert_int_equal(cov_keypair_from_seed(&kp, COV_KEY_ECDSA, seed, NULL),
                     COV_ERR_CRYPTO);
}

static void test_soft_junction_unsupported(void **state)
{
    (void)state;
    assert_int_equal(suri_status("/Alice", COV_KEY_ED25519), COV_ERR_UNSUPPORTED);
    assert_int_equal(suri_status("//Alice/stash", COV_KEY_ED25519),
                     COV_ERR_UNSUPPORTED);
    assert_int_equal(suri_status("/1", COV_KEY_ECDSA), COV_ERR_UNSUPPORTED);
    assert_int_equal(suri_status("0x" SEED_9D61 "/x", COV_KEY_ECDSA),
                     COV_ERR_UNSUPPORTED);
    /* sr25519 takes them. */
    assert_int_equal(suri_status("/Alice", COV_KEY_SR25519), COV_OK);
}

static void test_suri_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *uri;
        cov_status want;
    } cases[] = {
        {"//", COV_ERR_PARSE},
        {"/", COV_ERR_PARSE},
        {COV_DEV_PHRASE "//a//", COV_ERR_PARSE},
        {COV_DEV_PHRASE "//a/", COV_ERR_PARSE},
        {"//Alice//", COV_ERR_PARSE},
        {"bottom drive obey lake curtain smoke basket hold race lonely fit xyzzy",
         COV_ERR_PARSE},
        {"bottom drive obey lake curtain smoke basket hold race lonely fit fit",
         COV_ERR_CHECKSUM},
        {"bottom drive obey lake curtain smoke basket hold race lonely fit "
         "fit//Alice",
         COV_ERR_CHECKSUM},
        {"0x123", COV_ERR_PARSE},
        {"0x", COV_ERR_PARSE},
        {"0x" SEED_9D61 "00", COV_ERR_PARSE},
        {"0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7fzz",
         COV_ERR_PARSE},
        {"bottom-drive obey lake curtain smoke basket hold race lonely fit walk",
         COV_ERR_PARSE},
        {"bottom drive obey lake curtain smoke basket hold race lonely fit walk!",
         COV_ERR_PARSE},
        {"bottom drive obey lake curtain smoke basket hold race lonely fit\twalk",
         COV_ERR_PARSE},
        {"Alice", COV_ERR_PARSE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int t = COV_KEY_SR25519; t <= COV_KEY_ECDSA; t++) {
            cov_status st = suri_status(cases[i].uri, (cov_key_type)t);
            if (st != cases[i].want)
                fail_msg("\"%s\" as %s: got %s, want %s", cases[i].uri,
                         cov_key_type_name((cov_key_type)t),
                         cov_status_name(st), cov_status_name(cases[i].want));
        }
    }
    /* NULL, and more junctions than the parser takes. */
    cov_keypair *kp = (cov_keypair *)1;
    assert_int_equal(cov_keypair_from_suri(&kp, NULL, COV_KEY_SR25519, NULL),
                     COV_ERR_ARG);
    assert_null(kp);
    char many[256] = "";
    for (int i = 0; i <= COV_SURI_MAX_JUNCTIONS; i++)
        strcat(many, "/a");
    assert_int_equal(suri_status(many, COV_KEY_SR25519), COV_ERR_TOO_BIG);
    many[strlen(many) - 2] = '\0'; /* exactly the maximum */
    assert_int_equal(suri_status(many, COV_KEY_SR25519), COV_OK);
    /* An unknown key type. */
    assert_int_equal(suri_status("//Alice", (cov_key_type)7), COV_ERR_ARG);
}

/* ---------------------------------------------------- sign and verify */

static void test_sign_verify_round_trips(void **state)
{
    (void)state;
    static const char *const uris[] = {"//Alice", "//Alice/stash", "",
                                       OLD_LEOPARD "//hot"};
    uint8_t msg[300];
    memset(msg, 7, sizeof msg);
    size_t lens[] = {0, 1, 32, 300};
    for (int t = COV_KEY_SR25519; t <= COV_KEY_ECDSA; t++) {
        for (size_t u = 0; u < sizeof uris / sizeof uris[0]; u++) {
            if (t != COV_KEY_SR25519 && strchr(uris[u], '/') &&
                strstr(uris[u], "/stash"))
                continue; /* soft junction */
            cov_keypair *kp = suri(uris[u], (cov_key_type)t);
            uint8_t pub[COV_PUBKEY_MAX];
            size_t pub_len = cov_keypair_public(kp, pub);
            for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
                uint8_t sig[COV_SIGNATURE_MAX];
                size_t sig_len = 0;
                cov_err err;
                assert_int_equal(cov_keypair_sign(kp, sig, &sig_len, msg,
                                                  lens[l], &err),
                                 COV_OK);
                assert_int_equal(sig_len, t == COV_KEY_ECDSA ? 65 : 64);
                assert_int_equal(cov_verify((cov_key_type)t, pub, pub_len, sig,
                                            sig_len, msg, lens[l], &err),
                                 COV_OK);
                /* Any flipped bit in the signature, the message or the key
                 * fails. */
                sig[l % sig_len] ^= 0x10;
                assert_int_not_equal(cov_verify((cov_key_type)t, pub, pub_len,
                                                sig, sig_len, msg, lens[l], &err),
                                     COV_OK);
                sig[l % sig_len] ^= 0x10;
                if (lens[l] > 0) {
                    msg[0] ^= 1;
                    assert_int_equal(cov_verify((cov_key_type)t, pub, pub_len,
                                                sig, sig_len, msg, lens[l], &err),
                                     COV_ERR_BAD_SIGNATURE);
                    msg[0] ^= 1;
                }
                uint8_t other[COV_PUBKEY_MAX];
                cov_keypair *okp = suri("//Bob", (cov_key_type)t);
                size_t other_len = cov_keypair_public(okp, other);
                cov_keypair_free(okp);
                assert_int_equal(cov_verify((cov_key_type)t, other, other_len,
                                            sig, sig_len, msg, lens[l], &err),
                                 COV_ERR_BAD_SIGNATURE);
            }
            cov_keypair_free(kp);
        }
    }
}

static void test_verify_known_sr25519(void **state)
{
    (void)state;
    static const struct {
        const char *pub, *msg, *sig;
    } cases[] = {
        {DEV_PUB, "bittensor test message",
         "3eb377680570641357cd1590705c0c043389109b1ac58f7db028d01ee9a2c353"
         "66228f7352da63fbc3bc88cfa3f5cdfe95cab62ed3d60b49c721aa3f34a3f587"},
        {ALICE_PUB, "bittensor test message",
         "4884f25fec82a7252300f0775bceb769eca487d85e65d3f0fbf0a21fe60bd165"
         "a59988771677f7d7c0bbd5e33216920ef469ad291a46ec0df79ca335c984ec8e"},
        {ALICE_PUB, "",
         "56fc1e63196ac52a724fad909fabe8996b246625b176992f9d3680627084412a"
         "d396c1a23573958629f7415c4efac86383f79437e88a5c01c3ab5b285e06df83"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t pub[32], sig[64];
        unhex(pub, 32, cases[i].pub);
        unhex(sig, 64, cases[i].sig);
        const uint8_t *m = (const uint8_t *)cases[i].msg;
        size_t n = strlen(cases[i].msg);
        assert_int_equal(cov_verify(COV_KEY_SR25519, pub, 32, sig, 64, m, n, NULL),
                         COV_OK);
        for (int bit = 0; bit < 512; bit += 37) {
            sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            assert_int_not_equal(
                cov_verify(COV_KEY_SR25519, pub, 32, sig, 64, m, n, NULL), COV_OK);
            sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
    }
    /* 300 bytes of 0x07, by //Alice. */
    uint8_t msg[300], pub[32], sig[64];
    memset(msg, 7, sizeof msg);
    unhex(pub, 32, ALICE_PUB);
    unhex(sig, 64,
          "f8a568394ccc5810ce27cd3e2f389271f053b0b16186812c1ca414cdb1b02343"
          "4aef94c60314a95125de70762e1d5c38a2124cdc28881f5ffa8ddb0be5ac1c8b");
    assert_int_equal(cov_verify(COV_KEY_SR25519, pub, 32, sig, 64, msg, 300, NULL),
                     COV_OK);
    assert_int_equal(cov_verify(COV_KEY_SR25519, pub, 32, sig, 64, msg, 299, NULL),
                     COV_ERR_BAD_SIGNATURE);
}

static void test_verify_bad_input(void **state)
{
    (void)state;
    cov_keypair *kp = suri("//Alice", COV_KEY_SR25519);
    uint8_t pub[COV_PUBKEY_MAX], sig[COV_SIGNATURE_MAX] = {0};
    size_t sig_len;
    size_t pub_len = cov_keypair_public(kp, pub);
    const uint8_t *m = (const uint8_t *)"x";
    assert_int_equal(cov_keypair_sign(kp, sig, &sig_len, m, 1, NULL), COV_OK);
    cov_keypair_free(kp);
    cov_err err;
    /* Wrong lengths. */
    assert_int_equal(cov_verify(COV_KEY_SR25519, pub, 31, sig, 64, m, 1, &err),
                     COV_ERR_ARG);
    assert_int_equal(err.code, COV_ERR_ARG);
    assert_int_equal(cov_verify(COV_KEY_SR25519, pub, 33, sig, 64, m, 1, &err),
                     COV_ERR_ARG);
    assert_int_equal(cov_verify(COV_KEY_SR25519, pub, pub_len, sig, 63, m, 1, &err),
                     COV_ERR_ARG);
    assert_int_equal(cov_verify(COV_KEY_SR25519, pub, pub_len, sig, 65, m, 1, &err),
                     COV_ERR_ARG);
    assert_int_equal(cov_verify(COV_KEY_ED25519, pub, 33, sig, 64, m, 1, &err),
                     COV_ERR_ARG);
    assert_int_equal(cov_verify(COV_KEY_ECDSA, pub, 32, sig, 65, m, 1, &err),
                     COV_ERR_ARG);
    assert_int_equal(cov_verify(COV_KEY_ECDSA, pub, 33, sig, 64, m, 1, &err),
                     COV_ERR_ARG);
    assert_int_equal(cov_verify((cov_key_type)3, pub, 32, sig, 64, m, 1, &err),
                     COV_ERR_ARG);
    /* Right lengths, wrong signature. */
    uint8_t zero_sig[COV_SIGNATURE_MAX] = {0};
    assert_int_equal(cov_verify(COV_KEY_SR25519, pub, 32, zero_sig, 64, m, 1, &err),
                     COV_ERR_BAD_SIGNATURE);
    assert_int_equal(err.code, COV_ERR_BAD_SIGNATURE);
    assert_int_equal(cov_verify(COV_KEY_ED25519, pub, 32, zero_sig, 64, m, 1, &err),
                     COV_ERR_BAD_SIGNATURE);
    uint8_t ec_pub[33];
    unhex(ec_pub, 33, "020a1091341fe5664bfa1782d5e04779689068c916b04cb365ec3153755684d9a1");
    assert_int_equal(cov_verify(COV_KEY_ECDSA, ec_pub, 33, zero_sig, 65, m, 1, &err),
                     COV_ERR_BAD_SIGNATURE);
    /* An ecdsa recovery id beyond 3. */
    kp = suri("//Alice", COV_KEY_ECDSA);
    assert_int_equal(cov_keypair_sign(kp, sig, &sig_len, m, 1, NULL), COV_OK);
    cov_keypair_free(kp);
    assert_int_equal(cov_verify(COV_KEY_ECDSA, ec_pub, 33, sig, 65, m, 1, &err),
                     COV_OK);
    sig[64] = 4;
    assert_int_equal(cov_verify(COV_KEY_ECDSA, ec_pub, 33, sig, 65, m, 1, &err),
                     COV_ERR_BAD_SIGNATURE);
    /* The other recovery id recovers another key. */
    sig[64] ^= 4;
    sig[64] ^= 1;
    assert_int_equal(cov_verify(COV_KEY_ECDSA, ec_pub, 33, sig, 65, m, 1, &err),
                     COV_ERR_BAD_SIGNATURE);
}

static void test_public_only(void **state)
{
    (void)state;
    uint8_t pub[32];
    unhex(pub, 32, ALICE_PUB);
    cov_keypair *kp = NULL;
    cov_err err;
    assert_int_equal(cov_keypair_from_public(&kp, COV_KEY_SR25519, pub, 32, &err),
                     COV_OK);
    assert_false(cov_keypair_has_secret(kp));
    assert_null(cov_keypair_mnemonic(kp));
    uint8_t buf[64];
    assert_false(cov_keypair_seed(kp, buf));
    assert_false(cov_keypair_sr25519_secret(kp, buf));
    expect_ss58(kp, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
    uint8_t sig[COV_SIGNATURE_MAX];
    size_t sig_len = 0;
    assert_int_equal(cov_keypair_sign(kp, sig, &sig_len, pub, 32, &err), COV_ERR_ARG);
    assert_int_equal(err.code, COV_ERR_ARG);
    cov_keypair_free(kp);
    /* Wrong lengths for the type. */
    kp = (cov_keypair *)1;
    assert_int_equal(cov_keypair_from_public(&kp, COV_KEY_SR25519, pub, 31, &err),
                     COV_ERR_ARG);
    assert_null(kp);
    assert_int_equal(cov_keypair_from_public(&kp, COV_KEY_ECDSA, pub, 32, &err),
                     COV_ERR_ARG);
    /* An ecdsa public key: account id is its blake2b-256. */
    uint8_t ec[33], account[32];
    unhex(ec, 33, "020a1091341fe5664bfa1782d5e04779689068c916b04cb365ec3153755684d9a1");
    assert_int_equal(cov_keypair_from_public(&kp, COV_KEY_ECDSA, ec, 33, &err), COV_OK);
    cov_keypair_account_id(kp, account);
    expect_hex(account, 32, "01e552298e47454041ea31273b4b630c64c104e4514aa3643490b8aaca9cf8ed");
    cov_keypair_free(kp);
    cov_keypair_free(NULL); /* allowed */
}

static void test_key_type_names(void **state)
{
    (void)state;
    cov_key_type t;
    assert_string_equal(cov_key_type_name(COV_KEY_SR25519), "sr25519");
    assert_string_equal(cov_key_type_name(COV_KEY_ED25519), "ed25519");
    assert_string_equal(cov_key_type_name(COV_KEY_ECDSA), "ecdsa");
    assert_true(cov_key_type_parse("ecdsa", &t));
    assert_int_equal(t, COV_KEY_ECDSA);
    assert_true(cov_key_type_parse("ed25519", &t));
    assert_int_equal(t, COV_KEY_ED25519);
    assert_true(cov_key_type_parse("sr25519", &t));
    assert_int_equal(t, COV_KEY_SR25519);
    assert_false(cov_key_type_parse("rsa", &t));
    assert_false(cov_key_type_parse("", &t));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sr25519_dev_uris),
        cmocka_unit_test(test_sr25519_numeric_junctions),
        cmocka_unit_test(test_sr25519_junction_lengths),
        cmocka_unit_test(test_sr25519_old_leopard),
        cmocka_unit_test(test_sr25519_secrets),
        cmocka_unit_test(test_sr25519_from_secret),
        cmocka_unit_test(test_sr25519_seeds),
        cmocka_unit_test(test_mnemonics),
        cmocka_unit_test(test_suri_password),
        cmocka_unit_test(test_ed25519),
        cmocka_unit_test(test_ecdsa),
        cmocka_unit_test(test_soft_junction_unsupported),
        cmocka_unit_test(test_suri_malformed),
        cmocka_unit_test(test_sign_verify_round_trips),
        cmocka_unit_test(test_verify_known_sr25519),
        cmocka_unit_test(test_verify_bad_input),
        cmocka_unit_test(test_public_only),
        cmocka_unit_test(test_key_type_names),
    };
    if (cov_crypto_init(NULL) != COV_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
