/* cov_ss58_decode on arbitrary text.
 *
 * Properties checked on every input:
 * - it agrees with a small, separate reading of the SS58 rules below
 *   (base58, prefix byte(s), length, "SS58PRE" checksum, reserved 46/47):
 *   the same verdict, the same prefix and account;
 * - a decoded address re-encodes to exactly the input, except for one case
 *   Substrate also accepts: a prefix below 64 written in the two-byte form.
 *   There the canonical re-encoding must decode to the same prefix and
 *   account instead;
 * - expect_prefix accepts the decoded prefix and refuses any other;
 * - a refusal always comes with a status and a message. */
#include "fuzz_common.h"

#include "wallet/wallet.h"

enum { PAYLOAD_MAX = 2 + 32 + 2, ORACLE_CAP = 64 };

static const char alphabet[] =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* Base58 to big-endian bytes; false on a bad character or more than
 * ORACLE_CAP bytes. */
static bool oracle_base58(uint8_t out[ORACLE_CAP], size_t *out_len,
                          const char *text)
{
    uint8_t acc[ORACLE_CAP] = {0}; /* big-endian accumulator */
    size_t len = strlen(text), zeros = 0;
    while (zeros < len && text[zeros] == '1')
        zeros++;
    for (size_t i = zeros; i < len; i++) {
        const char *hit = memchr(alphabet, text[i], sizeof alphabet - 1);
        if (!hit)
            return false;
        unsigned carry = (unsigned)(hit - alphabet);
        for (size_t j = ORACLE_CAP; j-- > 0;) {
            carry += 58u * acc[j];
            acc[j] = (uint8_t)(carry & 0xff);
            carry >>= 8;
        }
        if (carry)
            return false; /* overflowed ORACLE_CAP bytes */
    }
    size_t skip = 0;
    while (skip < ORACLE_CAP && acc[skip] == 0)
        skip++;
    size_t n = zeros + (ORACLE_CAP - skip);
    if (n > ORACLE_CAP)
        return false;
    memset(out, 0, zeros);
    memcpy(out + zeros, acc + skip, ORACLE_CAP - skip);
    *out_len = n;
    return true;
}

typedef struct {
    bool ok;
    uint16_t prefix;
    size_t prefix_len;
    uint8_t account[32];
} oracle_result;

static oracle_result oracle_decode(const char *text)
{
    oracle_result r = {0};
    uint8_t raw[ORACLE_CAP];
    size_t n;
    if (!*text || strlen(text) > 4 * ORACLE_CAP ||
        !oracle_base58(raw, &n, text) || n < 1)
        return r;
    if (raw[0] < 64) {
        r.prefix = raw[0];
        r.prefix_len = 1;
    } else if (raw[0] < 128 && n >= 2) {
        /* 01aaaaaa bbcccccc -> little-endian aaaaaabb 00cccccc */
        unsigned low = ((unsigned)(raw[0] & 0x3f) << 2) | (raw[1] >> 6);
        unsigned high = raw[1] & 0x3f;
        r.prefix = (uint16_t)(low | high << 8);
        r.prefix_len = 2;
    } else {
        return r;
    }
    if (n != r.prefix_len + 32 + 2)
        return r;
    uint8_t pre[7 + PAYLOAD_MAX], hash[64];
    memcpy(pre, "SS58PRE", 7);
    memcpy(pre + 7, raw, n - 2);
    cov_blake2b_512(hash, pre, 7 + n - 2);
    if (hash[0] != raw[n - 2] || hash[1] != raw[n - 1])
        return r;
    if (r.prefix == 46 || r.prefix == 47)
        return r;
    memcpy(r.account, raw + r.prefix_len, 32);
    r.ok = true;
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    char *text = fuzz_cstring(data, size);
    oracle_result want = oracle_decode(text);

    uint8_t account[32];
    uint16_t prefix = 0xffff;
    cov_err err;
    cov_err_clear(&err);
    cov_status st = cov_ss58_decode(account, &prefix, text, -1, &err);
    FUZZ_CHECK((st == COV_OK) == want.ok);
    if (st != COV_OK) {
        FUZZ_CHECK(err.code == st && err.msg[0] != '\0');
        free(text);
        return 0;
    }
    FUZZ_CHECK(prefix == want.prefix);
    FUZZ_CHECK(memcmp(account, want.account, 32) == 0);
    FUZZ_CHECK(prefix <= 16383 && prefix != 46 && prefix != 47);

    char again[COV_SS58_MAX];
    FUZZ_CHECK(cov_ss58_encode(again, account, prefix, &err) == COV_OK);
    if (want.prefix_len == 2 && prefix < 64) {
        /* Non-canonical two-byte form: only the meaning must survive. */
        FUZZ_CHECK(strcmp(again, text) != 0);
        uint8_t account2[32];
        uint16_t prefix2 = 0xffff;
        FUZZ_CHECK(cov_ss58_decode(account2, &prefix2, again, -1, &err) ==
                   COV_OK);
        FUZZ_CHECK(prefix2 == prefix && memcmp(account2, account, 32) == 0);
    } else {
        FUZZ_CHECK(strcmp(again, text) == 0);
    }

    uint8_t same[32];
    FUZZ_CHECK(cov_ss58_decode(same, NULL, text, prefix, &err) == COV_OK);
    FUZZ_CHECK(memcmp(same, account, 32) == 0);
    int other = prefix == COV_SS58_BITTENSOR ? 0 : COV_SS58_BITTENSOR;
    FUZZ_CHECK(cov_ss58_decode(same, NULL, text, other, &err) != COV_OK);
    free(text);
    return 0;
}
