/* wallet/ss58.c: SS58 addresses against Substrate's and bittensor's known
 * addresses and against values made by an independent encoder, round trips
 * for one- and two-byte prefixes, and the malformed addresses a decoder must
 * refuse.
 *
 * The "independent" constants below were made with Python, not with
 * covenant, in a throwaway venv:
 *
 *   python3 -m venv /tmp/ssv && /tmp/ssv/bin/pip install base58 scalecodec
 *   def enc(acct, prefix):
 *       if prefix < 64: p = bytes([prefix])
 *       else: p = bytes([((prefix & 0xFC) >> 2) | 0x40,
 *                        (prefix >> 8) | ((prefix & 3) << 6)])
 *       ck = hashlib.blake2b(b"SS58PRE" + p + acct, digest_size=64).digest()[:2]
 *       return base58.b58encode(p + acct + ck).decode()
 *
 * and every value was also checked equal to scalecodec 1.2.12's
 * scalecodec.utils.ss58.ss58_encode(acct.hex(), ss58_format=prefix). The
 * malformed addresses (reserved prefixes, 31- and 33-byte accounts) were
 * made the same way with a valid checksum, so only the rule under test is
 * broken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test_helpers.h"

#include "wallet/wallet.h"

static const char ZERO_42[] = "5C4hrfjw9DjXZTzV3MwzrrAr9P1MJhSrvWGWqi1eSuyUpnhM";
static const char ALICE_HEX[] =
    "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";


static void expect_encode(const uint8_t account[32], uint16_t prefix,
                          const char *want)
{
    char out[COV_SS58_MAX];
    cov_err err;
    assert_int_equal(cov_ss58_encode(out, account, prefix, &err), COV_OK);
    assert_string_equal(out, want);
    /* and back */
    uint8_t back[32];
    uint16_t got_prefix = 0xFFFF;
    assert_int_equal(cov_ss58_decode(back, &got_prefix, want, prefix, &err),
                     COV_OK);
    assert_int_equal(got_prefix, prefix);
    assert_memory_equal(back, account, 32);
}

static cov_status decode_status(const char *address, int expect_prefix)
{
    uint8_t account[32];
    cov_err err;
    cov_err_clear(&err);
    cov_status st = cov_ss58_decode(account, NULL, address, expect_prefix, &err);
    assert_int_equal(err.code, st);
    if (st != COV_OK)
        assert_true(err.msg[0] != '\0');
    return st;
}

/* ------------------------------------------------------------- known */

static void test_zero_account(void **state)
{
    (void)state;
    uint8_t zero[32] = {0};
    expect_encode(zero, 42, ZERO_42);
}

static void test_dev_addresses(void **state)
{
    (void)state;
    static const struct {
        const char *hex, *ss58;
    } cases[] = {
        /* DEV_PHRASE root: Substrate's DEV_ADDRESS */
        {"46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a",
         "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV"},
        /* //Alice */
        {"d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d",
         "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"},
        /* //Bob */
        {"8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48",
         "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"},
        /* /Alice */
        {"d6c71059dbbe9ad2b0ed3f289738b800836eb425544ce694825285b958ca755e",
         "5GvKEoc787uDV8etY1AM8vF385edu2iyqD1WfCjDugzLUiAL"},
        /* old-leopard mnemonic (btwallet's tests) */
        {"e4359ad3e2716c539a1d663ebd0a51bdc5c98a12e663bb4c4402db47828c9446",
         "5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t account[32];
        unhex(account, 32, cases[i].hex);
        expect_encode(account, COV_SS58_BITTENSOR, cases[i].ss58);
    }
}

/* ------------------------------------------------ independent values */

static void test_independent_vectors(void **state)
{
    (void)state;
    uint8_t zero[32] = {0}, alice[32], seq[32], ff[32];
    unhex(alice, 32, ALICE_HEX);
    for (int i = 0; i < 32; i++)
        seq[i] = (uint8_t)i;
    memset(ff, 0xFF, 32);
    static const struct {
        int which; /* 0 zero, 1 alice, 2 seq 00..1f, 3 all ff */
        uint16_t prefix;
        const char *ss58;
    } cases[] = {
        {0, 0, "111111111111111111111111111111111HC1"},
        {0, 2, "CaKWz5omakTK7ovp4m3koXrHyHb7NG3Nt7GENHbviByZpKp"},
        {0, 63, "7HbZHW7QDL6nqhVE4YRVnmkmia1XTYfntFuGm4WyAsTijUu7"},
        {0, 64, "cEVaCm5a61UpVfABWNjfSNHbhAPf92NWiACfxy89Fd2hGkJAc"},
        {0, 255, "yGCjWUS4Y1wwGrhQ82uMnDnY7VmhbvfXDyvcwaFfjZXFpyjCq"},
        {0, 1000, "vjdHWm3hGSZ9ZRU7fWo3tX1rt5ydeJSYctCp4oBvSPQmXZ368"},
        {0, 16383, "yNVL4kwAwEH34hPtM6SnH1ZHtDLi8PDC1sBXDLKBhjPiYiEY9"},
        {1, 0, "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5"},
        {1, 2, "HNZata7iMYWmk5RvZRTiAsSDhV8366zq2YGb3tLH5Upf74F"},
        {1, 63, "7NPoMQbiA6trJKkjB35uk96MeJD4PGWkLQLH7k7hXEkZpiba"},
        {1, 64, "cEaNSpz4PxFcZ7nT1VEKrKewH67rfx6MfcM6yKojyyPz7qaqp"},
        {1, 255, "yGHXkYLYqxijLKKfd9Q2CB9shRVu8rPNBS53wvwGTutYg4zTg"},
        {1, 1000, "vji5kpxBaPKwct6PAdHiJUPCU1hqBEAPaLMF59sXAjn4NeEaJ"},
        {1, 16383, "yNa8JpqfFB3q8A29rCwSgxvdU94ufJw2yKKxDgznS5m1PoFvn"},
        {2, 0, "11JNArUumxYJcSQpbuxuroRZtcSMVLcy5WbYGt14SRkztH"},
        {2, 42, "5C4iA2und8WV6mbvTBYupm2eZwtxk3wCYUM2SFHXSyQuapGp"},
        {2, 64, "cEVaD4SjwVPbTCTnwnZGMLCTVaxYkTj13nAkUZfR8d68hWBnP"},
        {2, 16383, "yNVL54JLniBp2EhVnWGPByU9gdubjpZgMV9bivrTajT9yTyBh"},
        {3, 0, "16nfFzYQPHsjA4QTuXt2NuGReV9J4BdXBwZ8cgeJTrbVH61f"},
        {3, 42, "5HrN7fHLXWcFiXPwwtq2EkSGns9eMt5P7SpeTPewumZy6ftb"},
        {3, 255, "yGJXAjRbwQEp11koawSEobgoY9Fqtyr9kAsB5BwK32NrKFcV5"},
        {3, 16383, "yNb7j1viLcZunrTHozyfJPTZJrprRSPpY485Lwzq1CFK2z3Nk"},
    };
    const uint8_t *accounts[] = {zero, alice, seq, ff};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_encode(accounts[cases[i].which], cases[i].prefix, cases[i].ss58);
}

/* ------------------------------------------------------- round trips */

static void test_prefix_round_trips(void **state)
{
    (void)state;
    static const uint16_t prefixes[] = {0, 1, 2, 42, 45, 48, 63, 64, 65, 127,
                                        128, 255, 256, 1000, 4095, 16382, 16383};
    uint8_t account[32];
    for (int i = 0; i < 32; i++)
        account[i] = (uint8_t)(0xA5 ^ (i * 7));
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        char out[COV_SS58_MAX];
        assert_int_equal(cov_ss58_encode(out, account, prefixes[i], NULL),
                         COV_OK);
        /* 35 bytes give 47-48 characters, 36 bytes 48-50. */
        size_t len = strlen(out);
        if (prefixes[i] < 64)
            assert_true(len >= 46 && len <= 48);
        else
            assert_true(len >= 47 && len <= 50);
        uint8_t back[32];
        uint16_t got = 0xFFFF;
        assert_int_equal(cov_ss58_decode(back, &got, out, -1, NULL), COV_OK);
        assert_int_equal(got, prefixes[i]);
        assert_memory_equal(back, account, 32);
        /* Asking for exactly this prefix works; any other fails. */
        assert_int_equal(cov_ss58_decode(back, NULL, out, prefixes[i], NULL),
                         COV_OK);
        assert_int_equal(decode_status(out, prefixes[i] == 42 ? 0 : 42),
                         COV_ERR_PARSE);
    }
}

static void test_prefix_out_optional(void **state)
{
    (void)state;
    uint8_t account[32];
    memset(account, 0x11, sizeof account);
    assert_int_equal(cov_ss58_decode(account, NULL, ZERO_42, 42, NULL), COV_OK);
    uint8_t zero[32] = {0};
    assert_memory_equal(account, zero, 32);
}

/* ------------------------------------------------------------ errors */

static void test_encode_rejects(void **state)
{
    (void)state;
    uint8_t zero[32] = {0};
    char out[COV_SS58_MAX];
    cov_err err;
    assert_int_equal(cov_ss58_encode(out, zero, 46, &err), COV_ERR_ARG);
    assert_int_equal(err.code, COV_ERR_ARG);
    assert_int_equal(cov_ss58_encode(out, zero, 47, &err), COV_ERR_ARG);
    assert_int_equal(cov_ss58_encode(out, zero, 16384, &err), COV_ERR_ARG);
    assert_int_equal(cov_ss58_encode(out, zero, 65535, &err), COV_ERR_ARG);
    /* Neighbours of the reserved pair are fine. */
    assert_int_equal(cov_ss58_encode(out, zero, 45, &err), COV_OK);
    assert_int_equal(cov_ss58_encode(out, zero, 48, &err), COV_OK);
}

static void test_bad_checksum(void **state)
{
    (void)state;
    char addr[COV_SS58_MAX];
    size_t n = strlen(ZERO_42);
    /* Change the last character: only the checksum bytes move. */
    strcpy(addr, ZERO_42);
    addr[n - 1] = addr[n - 1] == 'M' ? 'N' : 'M';
    assert_int_equal(decode_status(addr, 42), COV_ERR_CHECKSUM);
    assert_int_equal(decode_status(addr, -1), COV_ERR_CHECKSUM);
    /* A typo in the middle (the account part) as well. */
    strcpy(addr, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
    addr[20] = addr[20] == 'a' ? 'b' : 'a';
    assert_int_equal(decode_status(addr, 42), COV_ERR_CHECKSUM);
    /* Two swapped neighbours. */
    strcpy(addr, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
    char c = addr[10];
    addr[10] = addr[11];
    addr[11] = c;
    assert_int_equal(decode_status(addr, 42), COV_ERR_CHECKSUM);
    /* Every single-character change of Alice's address is caught (the
     * checksum is 16 bits, and these are only a few thousand tries). */
    static const char b58[] =
        "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    const char *alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    size_t alen = strlen(alice);
    for (size_t pos = 0; pos < alen; pos++) {
        for (size_t k = 0; k < sizeof b58 - 1; k++) {
            if (b58[k] == alice[pos])
                continue;
            strcpy(addr, alice);
            addr[pos] = b58[k];
            uint8_t account[32];
            assert_int_not_equal(cov_ss58_decode(account, NULL, addr, 42, NULL),
                                 COV_OK);
        }
    }
}

static void test_wrong_prefix(void **state)
{
    (void)state;
    /* Polkadot (0) and Kusama (2) forms of the zero account. */
    assert_int_equal(decode_status("111111111111111111111111111111111HC1", 42),
                     COV_ERR_PARSE);
    assert_int_equal(
        decode_status("CaKWz5omakTK7ovp4m3koXrHyHb7NG3Nt7GENHbviByZpKp", 42),
        COV_ERR_PARSE);
    assert_int_equal(decode_status(ZERO_42, 0), COV_ERR_PARSE);
    assert_int_equal(decode_status(ZERO_42, 16383), COV_ERR_PARSE);
    /* -1 accepts any. */
    assert_int_equal(decode_status("111111111111111111111111111111111HC1", -1),
                     COV_OK);
}

static void test_reserved_prefix_decode(void **state)
{
    (void)state;
    /* The zero account with prefixes 46 and 47 and a valid checksum. */
    assert_int_equal(
        decode_status("5bDLtduYgPESBhcLfVU6NTEYjKaXXRxwgGV3JSarJLMRwvxb", -1),
        COV_ERR_PARSE);
    assert_int_equal(
        decode_status("5h119dSx4g7ALm1oa2M7kMVyNoipacbTsD3Av8E9mBwvENqZ", 46),
        COV_ERR_PARSE);
}

static void test_bad_characters(void **state)
{
    (void)state;
    char addr[COV_SS58_MAX];
    static const char bad[] = {'0', 'O', 'I', 'l', '+', '/', ' ', '-', '_'};
    for (size_t i = 0; i < sizeof bad; i++) {
        strcpy(addr, ZERO_42);
        addr[17] = bad[i];
        assert_int_equal(decode_status(addr, 42), COV_ERR_PARSE);
    }
    /* A non-ASCII byte (UTF-8 'é' in place of two characters). */
    strcpy(addr, ZERO_42);
    addr[5] = (char)0xC3;
    addr[6] = (char)0xA9;
    assert_int_equal(decode_status(addr, 42), COV_ERR_PARSE);
    /* Surrounding whitespace is not part of an address. */
    assert_int_equal(
        decode_status(" 5C4hrfjw9DjXZTzV3MwzrrAr9P1MJhSrvWGWqi1eSuyUpnhM", 42),
        COV_ERR_PARSE);
    assert_int_equal(
        decode_status("5C4hrfjw9DjXZTzV3MwzrrAr9P1MJhSrvWGWqi1eSuyUpnhM\n", 42),
        COV_ERR_PARSE);
    /* A hex public key is not an address. */
    assert_int_equal(decode_status(ALICE_HEX, -1), COV_ERR_PARSE);
}

static void test_bad_lengths(void **state)
{
    (void)state;
    uint8_t account[32];
    cov_err err;
    /* Empty and NULL. */
    assert_int_equal(decode_status("", -1), COV_ERR_PARSE);
    assert_int_equal(cov_ss58_decode(account, NULL, NULL, -1, &err),
                     COV_ERR_PARSE);
    /* Single characters and short strings. */
    assert_int_equal(decode_status("1", -1), COV_ERR_PARSE);
    assert_int_equal(decode_status("5", -1), COV_ERR_PARSE);
    assert_int_equal(decode_status("5C4hrfjw9D", -1), COV_ERR_PARSE);
    /* One character short. */
    char addr[128];
    strcpy(addr, ZERO_42);
    addr[strlen(addr) - 1] = '\0';
    assert_int_equal(decode_status(addr, -1), COV_ERR_PARSE);
    /* One character too many: not a valid address, whichever check fires. */
    strcpy(addr, ZERO_42);
    strcat(addr, "2");
    assert_int_not_equal(decode_status(addr, -1), COV_OK);
    /* Well over the length of any SS58 account address. */
    strcpy(addr, ZERO_42);
    strcat(addr, "5C4hrfjw9DjXZTzV3MwzrrAr");
    assert_int_equal(decode_status(addr, -1), COV_ERR_PARSE);
    /* Very long, and all leading zeros. */
    char longer[400];
    memset(longer, 'z', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    assert_int_equal(decode_status(longer, -1), COV_ERR_PARSE);
    memset(longer, '1', sizeof longer - 1);
    assert_int_equal(decode_status(longer, -1), COV_ERR_PARSE);
    memset(longer, '1', 60);
    longer[60] = '\0';
    assert_int_equal(decode_status(longer, -1), COV_ERR_PARSE);
    /* Valid checksums around a 31- and a 33-byte account. */
    assert_int_equal(decode_status("x51eXyrRX5CTPRogWDThkK6F8hruwvte3Z4b9PMGPRan9d", -1),
                     COV_ERR_PARSE);
    assert_int_equal(
        decode_status("KVqMLDzVyHChtJ8imRTkP22Tuz8Yd7X9MABUhz1rHNpHny12V", -1),
        COV_ERR_PARSE);
    /* A first byte >= 128 is no SS58 prefix (0x80 || zero account || 00 00). */
    assert_int_equal(
        decode_status("DmmS5zJcCEx2zWnNw9c3LM3Pj7Je2Tbd9PuokVKYGT7R2Mfm", -1),
        COV_ERR_PARSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_account),
        cmocka_unit_test(test_dev_addresses),
        cmocka_unit_test(test_independent_vectors),
        cmocka_unit_test(test_prefix_round_trips),
        cmocka_unit_test(test_prefix_out_optional),
        cmocka_unit_test(test_encode_rejects),
        cmocka_unit_test(test_bad_checksum),
        cmocka_unit_test(test_wrong_prefix),
        cmocka_unit_test(test_reserved_prefix_decode),
        cmocka_unit_test(test_bad_characters),
        cmocka_unit_test(test_bad_lengths),
    };
    if (cov_crypto_init(NULL) != COV_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
