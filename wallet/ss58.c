/* SS58 addresses: base58 over prefix || account || blake2b-512("SS58PRE" ||
 * prefix || account)[0..2], as Substrate's Ss58Codec. */
#include "wallet/wallet.h"

#include <string.h>

static const char b58_alphabet[] =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

enum { SS58_PAYLOAD_MAX = 2 + 32 + 2 };

/* Base58 of a short byte string (at most SS58_PAYLOAD_MAX bytes); the output
 * buffer must hold 2*len+1 characters, plenty for base58's 1.37x growth.
 * The number is held in 32-bit words and divided by 58^5 at a time, five
 * digits per pass: decoders print many addresses (every account in a
 * metagraph or event list), and byte-at-a-time division was their hot spot. */
#define B58_CHUNK 656356768u /* 58^5 */
static void base58_encode(char *out, const uint8_t *in, size_t len)
{
    size_t zeros = 0;
    while (zeros < len && in[zeros] == 0)
        zeros++;
    uint32_t words[(SS58_PAYLOAD_MAX + 3) / 4] = {0};
    size_t n_words = (len + 3) / 4;
    for (size_t i = 0; i < len; i++) { /* big-endian words, right-aligned */
        size_t bit = 8 * (len - 1 - i);
        words[n_words - 1 - bit / 32] |= (uint32_t)in[i] << (bit % 32);
    }
    char digits[2 * SS58_PAYLOAD_MAX];
    size_t n_digits = 0;
    size_t first = 0; /* first non-zero word */
    while (first < n_words && words[first] == 0)
        first++;
    while (first < n_words) {
        uint64_t rem = 0;
        for (size_t w = first; w < n_words; w++) {
            uint64_t cur = rem << 32 | words[w];
            words[w] = (uint32_t)(cur / B58_CHUNK);
            rem = cur % B58_CHUNK;
        }
        while (first < n_words && words[first] == 0)
            first++;
        for (int k = 0; k < 5; k++) { /* least significant digit first */
            digits[n_digits++] = (char)(rem % 58);
            rem /= 58;
        }
    }
    while (n_digits > 0 && digits[n_digits - 1] == 0) /* padding of the last chunk */
        n_digits--;
    size_t o = 0;
    for (size_t i = 0; i < zeros; i++)
        out[o++] = '1';
    for (size_t i = n_digits; i-- > 0;)
        out[o++] = b58_alphabet[(unsigned char)digits[i]];
    out[o] = '\0';
}

/* Decodes into exactly the bytes the text represents; fails if that is more
 * than `cap` bytes or a character is not base58. */
static cov_status base58_decode(uint8_t *out, size_t *out_len, size_t cap,
                                const char *text, cov_err *err)
{
    uint8_t bytes[SS58_PAYLOAD_MAX + 8] = {0}; /* little-endian accumulator */
    size_t n_bytes = 0;
    size_t zeros = 0;
    size_t len = strlen(text);
    if (len > 2 * sizeof bytes)
        return cov_fail(err, COV_ERR_PARSE,
                        "address is %zu characters long, too long for SS58",
                        len);
    while (zeros < len && text[zeros] == '1')
        zeros++;
    for (size_t i = zeros; i < len; i++) {
        const char *hit = strchr(b58_alphabet, text[i]);
        if (!hit || text[i] == '\0')
            return cov_fail(err, COV_ERR_PARSE,
                            "character %zu ('%c') is not base58", i + 1,
                            text[i] >= 32 && text[i] < 127 ? text[i] : '?');
        unsigned carry = (unsigned)(hit - b58_alphabet);
        for (size_t j = 0; j < n_bytes; j++) {
            carry += (unsigned)bytes[j] * 58;
            bytes[j] = (uint8_t)carry;
            carry >>= 8;
        }
        while (carry) {
            if (n_bytes == sizeof bytes)
                return cov_fail(err, COV_ERR_PARSE,
                                "address decodes to too many bytes for SS58");
            bytes[n_bytes++] = (uint8_t)carry;
            carry >>= 8;
        }
    }
    if (zeros + n_bytes > cap)
        return cov_fail(err, COV_ERR_PARSE,
                        "address decodes to %zu bytes; an SS58 account "
                        "address has 35 or 36",
                        zeros + n_bytes);
    memset(out, 0, zeros);
    for (size_t i = 0; i < n_bytes; i++)
        out[zeros + i] = bytes[n_bytes - 1 - i];
    *out_len = zeros + n_bytes;
    return COV_OK;
}

static void ss58_checksum(uint8_t out[2], const uint8_t *payload, size_t len)
{
    uint8_t pre[7 + SS58_PAYLOAD_MAX];
    memcpy(pre, "SS58PRE", 7);
    memcpy(pre + 7, payload, len);
    uint8_t hash[64];
    cov_blake2b_512(hash, pre, 7 + len);
    out[0] = hash[0];
    out[1] = hash[1];
}

static bool prefix_reserved(uint16_t prefix) { return prefix == 46 || prefix == 47; }

cov_status cov_ss58_encode(char out[COV_SS58_MAX], const uint8_t account[32],
                           uint16_t prefix, cov_err *err)
{
    if (prefix > 16383)
        return cov_fail(err, COV_ERR_ARG,
                        "SS58 prefix %u is out of range (0..16383)", prefix);
    if (prefix_reserved(prefix))
        return cov_fail(err, COV_ERR_ARG,
                        "SS58 prefix %u is reserved; pick another", prefix);
    uint8_t payload[SS58_PAYLOAD_MAX];
    size_t n = 0;
    if (prefix < 64) {
        payload[n++] = (uint8_t)prefix;
    } else {
        payload[n++] = (uint8_t)(((prefix & 0xFC) >> 2) | 0x40);
        payload[n++] = (uint8_t)((prefix >> 8) | ((prefix & 0x03) << 6));
    }
    memcpy(payload + n, account, 32);
    n += 32;
    ss58_checksum(payload + n, payload, n);
    n += 2;
    base58_encode(out, payload, n);
    return COV_OK;
}

cov_status cov_ss58_decode(uint8_t account[32], uint16_t *prefix_out,
                           const char *address, int expect_prefix,
                           cov_err *err)
{
    if (!address || !*address)
        return cov_fail(err, COV_ERR_PARSE, "empty SS58 address");
    uint8_t raw[SS58_PAYLOAD_MAX];
    size_t n = 0;
    cov_status st = base58_decode(raw, &n, sizeof raw, address, err);
    if (st != COV_OK)
        return st;
    if (n < 1)
        return cov_fail(err, COV_ERR_PARSE, "SS58 address is empty");
    uint16_t prefix;
    size_t prefix_len;
    if (raw[0] < 64) {
        prefix = raw[0];
        prefix_len = 1;
    } else if (raw[0] < 128) {
        if (n < 2)
            return cov_fail(err, COV_ERR_PARSE, "SS58 address too short");
        uint8_t lower = (uint8_t)((raw[0] << 2) | (raw[1] >> 6));
        uint8_t upper = raw[1] & 0x3F;
        prefix = (uint16_t)(lower | (upper << 8));
        prefix_len = 2;
    } else {
        return cov_fail(err, COV_ERR_PARSE,
                        "SS58 address has an invalid prefix byte 0x%02x",
                        raw[0]);
    }
    if (n != prefix_len + 32 + 2)
        return cov_fail(err, COV_ERR_PARSE,
                        "SS58 address holds %zu bytes, not a 32-byte account "
                        "(expected %zu)",
                        n, prefix_len + 34);
    uint8_t check[2];
    ss58_checksum(check, raw, prefix_len + 32);
    if (check[0] != raw[n - 2] || check[1] != raw[n - 1])
        return cov_fail(err, COV_ERR_CHECKSUM,
                        "SS58 checksum mismatch: the address is mistyped or "
                        "truncated");
    if (prefix_reserved(prefix))
        return cov_fail(err, COV_ERR_PARSE,
                        "SS58 prefix %u is reserved and never valid", prefix);
    if (expect_prefix >= 0 && prefix != (unsigned)expect_prefix)
        return cov_fail(err, COV_ERR_PARSE,
                        "address is for SS58 network prefix %u, expected %d "
                        "(bittensor uses 42)",
                        prefix, expect_prefix);
    memcpy(account, raw + prefix_len, 32);
    if (prefix_out)
        *prefix_out = prefix;
    return COV_OK;
}
