/* wallet/merlin.c and wallet/sr25519.c against Merlin's, schnorrkel's and
 * Substrate's published vectors, plus properties the vectors cannot pin
 * down because signatures and soft-derived nonces are randomised. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test_helpers.h"

#include <sodium.h>

#include "wallet/internal.h"

static const char DEV_MINI[] =
    "fac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e";
static const char DEV_PUB[] =
    "46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a";
static const char ALICE_PUB[] =
    "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
static const uint8_t SUBSTRATE[] = "substrate";
#define CTX SUBSTRATE, (sizeof SUBSTRATE - 1)



/* A junction's chain code for a short name: SCALE string, zero-padded. */
static void short_chain_code(uint8_t cc[32], const char *name)
{
    size_t len = strlen(name);
    assert_true(len < 32 && len < 64);
    memset(cc, 0, 32);
    cc[0] = (uint8_t)(len << 2);
    memcpy(cc + 1, name, len);
}

static void dev_root(cov_sr25519_secret *sk, uint8_t pub[32])
{
    uint8_t mini[32];
    unhex(mini, 32, DEV_MINI);
    cov_sr25519_expand(sk, pub, mini);
}

static void merlin_new(cov_merlin *t, const char *label)
{
    cov_merlin_init(t, (const uint8_t *)label, strlen(label));
}

/* ------------------------------------------------------------ Merlin */

static void test_merlin_simple(void **state)
{
    (void)state;
    cov_merlin t;
    uint8_t out[32];
    merlin_new(&t, "test protocol");
    cov_merlin_append(&t, "some label", (const uint8_t *)"some data", 9);
    cov_merlin_challenge(&t, "challenge", out, sizeof out);
    expect_hex(out, 32,
               "d5a21972d0d5fe320c0d263fac7fffb8145aa640af6e9bca177c03c7efcf0615");
}

/* gtank/merlin TestComplexTranscript: crosses the STROBE rate many times. */
static void test_merlin_complex(void **state)
{
    (void)state;
    cov_merlin t;
    uint8_t data[1024], chl[32];
    memset(data, 99, sizeof data);
    merlin_new(&t, "test protocol");
    cov_merlin_append(&t, "step1", (const uint8_t *)"some data", 9);
    for (int i = 0; i < 32; i++) {
        cov_merlin_challenge(&t, "challenge", chl, sizeof chl);
        cov_merlin_append(&t, "bigdata", data, sizeof data);
        cov_merlin_append(&t, "challengedata", chl, sizeof chl);
    }
    expect_hex(chl, 32,
               "a8c933f54fae76e3f9bea93648c1308e7dfa2152dd51674ff3ca438351cf003c");
}

static void test_merlin_witness(void **state)
{
    (void)state;
    cov_merlin t, copy;
    merlin_new(&t, "test protocol");
    cov_merlin_append(&t, "com", (const uint8_t *)"Commitment data 1", 17);
    copy = t;

    const uint8_t *w[1] = {(const uint8_t *)"Witness data 1"};
    const size_t wl[1] = {14};
    uint8_t a[32], b[32];
    cov_merlin_witness(&t, "witness", w, wl, 1, a, sizeof a);
    cov_merlin_witness(&t, "witness", w, wl, 1, b, sizeof b);
    /* the OS randomness makes each draw fresh */
    assert_memory_not_equal(a, b, 32);

    /* and the transcript itself is untouched */
    uint8_t c1[32], c2[32];
    cov_merlin_challenge(&t, "c", c1, sizeof c1);
    cov_merlin_challenge(&copy, "c", c2, sizeof c2);
    assert_memory_equal(c1, c2, 32);
    cov_merlin_wipe(&t);
    uint8_t zero[sizeof t];
    memset(zero, 0, sizeof zero);
    assert_memory_equal(&t, zero, sizeof t);
}

/* ------------------------------------------------------------ keys */

static void test_expand_dev(void **state)
{
    (void)state;
    cov_sr25519_secret sk;
    uint8_t pub[32], ed[32], back[32];
    dev_root(&sk, pub);
    expect_hex(pub, 32, DEV_PUB);
    expect_hex(sk.key, 32,
               "05d65584630d16cd4af6d0bec10f34bb504a5dcb62dba2122d49f5a663763d0a");
    expect_hex(sk.nonce, 32,
               "fd190cce74df356432b410bd64682309d6dedb27c76845daf388557cbac3ca34");
    cov_sr25519_scalar_mul8(ed, sk.key);
    expect_hex(ed, 32,
               "28b0ae221c6bb06856b287f60d7ea0d98552ea5a16db16956849aa371db3eb51");
    cov_sr25519_scalar_div8(back, ed);
    assert_memory_equal(back, sk.key, 32);

    uint8_t again[32];
    assert_int_equal(cov_sr25519_public(again, sk.key, NULL), COV_OK);
    assert_memory_equal(again, pub, 32);
}

static void expect_seed_pub(const uint8_t mini[32], const char *want)
{
    cov_sr25519_secret sk;
    uint8_t pub[32];
    cov_sr25519_expand(&sk, pub, mini);
    expect_hex(pub, 32, want);
}

static void test_expand_vectors(void **state)
{
    (void)state;
    uint8_t mini[32] = {0};
    expect_seed_pub(mini,
                    "def12e42f3e487e9b14095aa8d5cc16a33491f1b50dadcf8811d1480f3fa8627");
    unhex(mini, 32,
          "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    expect_seed_pub(mini,
                    "44a996beb1eef7bdcab976ab6d2ca26104834164ecf28fb375600576fcc6eb0f");
    memcpy(mini, "12345678901234567890123456789012", 32);
    expect_seed_pub(mini,
                    "741c08a06f41c596608f6774259bd9043304adfa5d3eea62760bd9be97634d63");
}

static void test_public_rejects(void **state)
{
    (void)state;
    uint8_t pub[32], key[32] = {0};
    cov_err err;
    assert_int_equal(cov_sr25519_public(pub, key, &err), COV_ERR_CRYPTO);
    assert_non_null(strstr(err.msg, "zero"));
    /* l itself: the smallest non-canonical scalar */
    unhex(key, 32,
          "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
    assert_int_equal(cov_sr25519_public(pub, key, &err), COV_ERR_CRYPTO);
    assert_non_null(strstr(err.msg, "not reduced"));
    /* the ed25519 form of a key is 8 times too big */
    cov_sr25519_secret sk;
    dev_root(&sk, pub);
    cov_sr25519_scalar_mul8(key, sk.key);
    assert_int_equal(cov_sr25519_public(pub, key, &err), COV_ERR_CRYPTO);
}

/* ------------------------------------------------------------- HDKD */

static void derive_alice(cov_sr25519_secret *sk, uint8_t pub[32],
                         uint8_t mini[32])
{
    cov_sr25519_secret root;
    uint8_t root_pub[32], cc[32];
    dev_root(&root, root_pub);
    short_chain_code(cc, "Alice");
    cov_sr25519_derive_hard(sk, pub, mini, &root, cc);
}

static void test_derive_hard(void **state)
{
    (void)state;
    cov_sr25519_secret sk;
    uint8_t pub[32], mini[32];
    derive_alice(&sk, pub, mini);
    expect_hex(mini, 32,
               "e5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a");
    expect_hex(pub, 32, ALICE_PUB);
    expect_hex(sk.key, 32,
               "33a6f3093f158a7109f679410bef1a0c54168145e0cecb4df006c1c2fffb1f09");
    expect_hex(sk.nonce, 32,
               "925a225d97aa00682d6a59b95b18780c10d7032336e88f3442b42361f4a66011");

    cov_sr25519_secret root, bob;
    uint8_t root_pub[32], cc[32];
    dev_root(&root, root_pub);
    short_chain_code(cc, "Bob");
    cov_sr25519_derive_hard(&bob, pub, NULL, &root, cc);
    expect_hex(pub, 32,
               "8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48");
}

static void test_derive_soft(void **state)
{
    (void)state;
    cov_sr25519_secret root, child, child2;
    uint8_t root_pub[32], cc[32], pub[32], pub2[32], pub_only[32];
    dev_root(&root, root_pub);
    short_chain_code(cc, "Alice");

    assert_int_equal(cov_sr25519_derive_soft(&child, pub, &root, root_pub, cc,
                                             NULL),
                     COV_OK);
    expect_hex(pub, 32,
               "d6c71059dbbe9ad2b0ed3f289738b800836eb425544ce694825285b958ca755e");
    assert_int_equal(cov_sr25519_derive_soft_public(pub_only, root_pub, cc, NULL),
                     COV_OK);
    assert_memory_equal(pub_only, pub, 32);

    /* the scalar is deterministic, the nonce half is drawn fresh */
    assert_int_equal(cov_sr25519_derive_soft(&child2, pub2, &root, root_pub, cc,
                                             NULL),
                     COV_OK);
    assert_memory_equal(child.key, child2.key, 32);
    assert_memory_equal(pub, pub2, 32);
    assert_memory_not_equal(child.nonce, child2.nonce, 32);

    uint8_t check[32];
    assert_int_equal(cov_sr25519_public(check, child.key, NULL), COV_OK);
    assert_memory_equal(check, pub, 32);
}

static void test_derive_alice_stash(void **state)
{
    (void)state;
    cov_sr25519_secret alice, stash;
    uint8_t alice_pub[32], cc[32], pub[32], pub_only[32];
    derive_alice(&alice, alice_pub, NULL);
    short_chain_code(cc, "stash");
    assert_int_equal(cov_sr25519_derive_soft(&stash, pub, &alice, alice_pub, cc,
                                             NULL),
                     COV_OK);
    expect_hex(pub, 32,
               "42693199aba1dec4d835602e19d16d173df9b3b7b65359fd7accdf874749bf61");
    assert_int_equal(cov_sr25519_derive_soft_public(pub_only, alice_pub, cc, NULL),
                     COV_OK);
    assert_memory_equal(pub_only, pub, 32);
}

static void test_derive_soft_rejects(void **state)
{
    (void)state;
    cov_sr25519_secret root, child;
    uint8_t root_pub[32], cc[32] = {0}, pub[32], bad[32];
    cov_err err;
    dev_root(&root, root_pub);

    unhex(bad, 32, ALICE_PUB);
    assert_int_equal(cov_sr25519_derive_soft(&child, pub, &root, bad, cc, &err),
                     COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "does not belong"));

    memset(bad, 0xff, sizeof bad);
    assert_int_equal(cov_sr25519_derive_soft_public(pub, bad, cc, &err),
                     COV_ERR_CRYPTO);
    assert_non_null(strstr(err.msg, "ristretto255"));
}

/* ------------------------------------------------------ signatures */

struct known_sig {
    const char *pub;
    const char *sig;
    const uint8_t *msg;
    size_t msg_len;
};

static void expect_verify(const struct known_sig *v, bool want)
{
    uint8_t pub[32], sig[64];
    unhex(pub, 32, v->pub);
    unhex(sig, 64, v->sig);
    assert_int_equal(cov_sr25519_verify(sig, pub, CTX, v->msg, v->msg_len),
                     want);
}

static void test_verify_known_good(void **state)
{
    (void)state;
    static const uint8_t text[] = "bittensor test message";
    uint8_t sevens[300];
    memset(sevens, 7, sizeof sevens);
    const struct known_sig good[] = {
        {DEV_PUB,
         "3eb377680570641357cd1590705c0c043389109b1ac58f7db028d01ee9a2c353"
         "66228f7352da63fbc3bc88cfa3f5cdfe95cab62ed3d60b49c721aa3f34a3f587",
         text, sizeof text - 1},
        {ALICE_PUB,
         "4884f25fec82a7252300f0775bceb769eca487d85e65d3f0fbf0a21fe60bd165"
         "a59988771677f7d7c0bbd5e33216920ef469ad291a46ec0df79ca335c984ec8e",
         text, sizeof text - 1},
        {ALICE_PUB,
         "56fc1e63196ac52a724fad909fabe8996b246625b176992f9d3680627084412a"
         "d396c1a23573958629f7415c4efac86383f79437e88a5c01c3ab5b285e06df83",
         NULL, 0},
        {ALICE_PUB,
         "f8a568394ccc5810ce27cd3e2f389271f053b0b16186812c1ca414cdb1b02343"
         "4aef94c60314a95125de70762e1d5c38a2124cdc28881f5ffa8ddb0be5ac1c8b",
         sevens, sizeof sevens},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        expect_verify(&good[i], true);

        uint8_t pub[32], sig[64];
        unhex(pub, 32, good[i].pub);
        unhex(sig, 64, good[i].sig);
        /* one flipped bit anywhere but the marker breaks it */
        for (size_t bit = 0; bit < 511; bit += 37) {
            sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            assert_false(cov_sr25519_verify(sig, pub, CTX, good[i].msg,
                                            good[i].msg_len));
            sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        /* the marker bit itself */
        sig[63] &= 0x7f;
        assert_false(cov_sr25519_verify(sig, pub, CTX, good[i].msg,
                                        good[i].msg_len));
    }
}

/* sp-core sr25519.rs: pre-0.8 signatures (no marker bit) that only
 * verify_deprecated accepts. */
static void test_verify_must_reject(void **state)
{
    (void)state;
    static const uint8_t owner[] =
        "Verifying that I am the owner of "
        "5G9hQLdsKQswNPgB499DeA5PkFBbgkLPJWkkS6FAM6xGQ8xD. Hash: 221455a3\n";
    static const uint8_t word[] = "SUBSTRATE";
    const struct known_sig bad[] = {
        {"b4bfa1f7a5166695eb75299fd1c4c03ea212871c342f2c5dfea0902b2c246918",
         "5a9755f069939f45d96aaf125cf5ce7ba1db998686f87f2fb3cbdea922078741"
         "a73891ba265f70c31436e18a9acd14d189d73c12317ab6c313285cd938453202",
         owner, sizeof owner - 1},
        {"def12e42f3e487e9b14095aa8d5cc16a33491f1b50dadcf8811d1480f3fa8627",
         "28a854d54903e056f89581c691c1f7d2ff39f8f896c9e9c22475e60902cc2b35"
         "47199e0e91fa32902028f2ca2355e8cdd16cfe19ba5e8b658c94aa80f3b81a00",
         word, sizeof word - 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_verify(&bad[i], false);
}

static void test_verify_malformed(void **state)
{
    (void)state;
    static const uint8_t msg[] = "malformed";
    cov_sr25519_secret sk;
    uint8_t pub[32], sig[64], tampered[64];
    dev_root(&sk, pub);
    assert_int_equal(cov_sr25519_sign(sig, &sk, pub, CTX, msg, 9, NULL), COV_OK);
    assert_true(cov_sr25519_verify(sig, pub, CTX, msg, 9));

    /* s + l is the same scalar mod l but not canonical: reject, not
     * reduce */
    static const uint8_t l[32] = {
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
        0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
        0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
    memcpy(tampered, sig, 64);
    tampered[63] &= 0x7f;
    unsigned carry = 0;
    for (size_t i = 0; i < 32; i++) {
        unsigned v = tampered[32 + i] + l[i] + carry;
        tampered[32 + i] = (uint8_t)v;
        carry = v >> 8;
    }
    assert_int_equal(carry, 0);
    assert_int_equal(tampered[63] & 0x80, 0); /* s + l < 2^254 */
    tampered[63] |= 0x80;
    assert_false(cov_sr25519_verify(tampered, pub, CTX, msg, 9));

    /* all-ones s with the marker */
    memcpy(tampered, sig, 64);
    memset(tampered + 32, 0xff, 32);
    assert_false(cov_sr25519_verify(tampered, pub, CTX, msg, 9));

    /* public keys that are not canonical ristretto255 encodings */
    uint8_t bad_pub[32];
    memset(bad_pub, 0xff, sizeof bad_pub);
    assert_false(cov_sr25519_verify(sig, bad_pub, CTX, msg, 9));
    memcpy(bad_pub, pub, 32);
    bad_pub[0] ^= 1; /* a negative field element is never canonical */
    assert_false(cov_sr25519_verify(sig, bad_pub, CTX, msg, 9));
}

static void test_sign_roundtrip(void **state)
{
    (void)state;
    static const size_t lens[] = {0, 1, 31, 32, 64, 165, 166, 167, 1000, 5000};
    uint8_t msg[5001]; /* one spare byte for the longer-message check */
    randombytes_buf(msg, sizeof msg);
    for (int round = 0; round < 8; round++) {
        uint8_t mini[32], pub[32];
        cov_sr25519_secret sk;
        randombytes_buf(mini, sizeof mini);
        cov_sr25519_expand(&sk, pub, mini);
        for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            uint8_t sig[64], sig2[64];
            assert_int_equal(
                cov_sr25519_sign(sig, &sk, pub, CTX, msg, lens[i], NULL),
                COV_OK);
            assert_true(sig[63] & 0x80);
            assert_true(cov_sr25519_verify(sig, pub, CTX, msg, lens[i]));
            /* randomised: a second signature differs and also verifies */
            assert_int_equal(
                cov_sr25519_sign(sig2, &sk, pub, CTX, msg, lens[i], NULL),
                COV_OK);
            assert_memory_not_equal(sig, sig2, 64);
            assert_true(cov_sr25519_verify(sig2, pub, CTX, msg, lens[i]));
            if (lens[i] > 0) {
                msg[0] ^= 1;
                assert_false(cov_sr25519_verify(sig, pub, CTX, msg, lens[i]));
                msg[0] ^= 1;
            }
            assert_false(cov_sr25519_verify(sig, pub, CTX, msg, lens[i] + 1));
        }
    }
}

static void test_sign_context_bound(void **state)
{
    (void)state;
    static const uint8_t msg[] = "context matters";
    static const uint8_t other[] = "substrat";
    cov_sr25519_secret sk;
    uint8_t pub[32], sig[64];
    derive_alice(&sk, pub, NULL);
    assert_int_equal(cov_sr25519_sign(sig, &sk, pub, CTX, msg, 15, NULL), COV_OK);
    assert_true(cov_sr25519_verify(sig, pub, CTX, msg, 15));
    assert_false(cov_sr25519_verify(sig, pub, other, 8, msg, 15));
    assert_false(cov_sr25519_verify(sig, pub, NULL, 0, msg, 15));

    /* and another key's public key */
    uint8_t dev_pub[32];
    unhex(dev_pub, 32, DEV_PUB);
    assert_false(cov_sr25519_verify(sig, dev_pub, CTX, msg, 15));
}

/* schnorrkel's verify accepts the identity as a public key (dalek decodes
 * it); then s·B = R is all it checks. Kept to match the chain exactly. */
static void test_verify_identity_pub_matches_schnorrkel(void **state)
{
    (void)state;
    uint8_t zero[32] = {0}, s[32], sig[64];
    crypto_core_ristretto255_scalar_random(s);
    assert_int_equal(crypto_scalarmult_ristretto255_base(sig, s), 0);
    memcpy(sig + 32, s, 32);
    sig[63] |= 0x80;
    assert_true(cov_sr25519_verify(sig, zero, CTX, (const uint8_t *)"x", 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merlin_simple),
        cmocka_unit_test(test_merlin_complex),
        cmocka_unit_test(test_merlin_witness),
        cmocka_unit_test(test_expand_dev),
        cmocka_unit_test(test_expand_vectors),
        cmocka_unit_test(test_public_rejects),
        cmocka_unit_test(test_derive_hard),
        cmocka_unit_test(test_derive_soft),
        cmocka_unit_test(test_derive_alice_stash),
        cmocka_unit_test(test_derive_soft_rejects),
        cmocka_unit_test(test_verify_known_good),
        cmocka_unit_test(test_verify_must_reject),
        cmocka_unit_test(test_verify_malformed),
        cmocka_unit_test(test_sign_roundtrip),
        cmocka_unit_test(test_sign_context_bound),
        cmocka_unit_test(test_verify_identity_pub_matches_schnorrkel),
    };
    if (cov_crypto_init(NULL) != COV_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
