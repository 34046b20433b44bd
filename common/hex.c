/* Hex encoding with an optional 0x prefix, as Substrate tools print it. */
#include "common/common.h"

#include <stdlib.h>
#include <string.h>

int cov_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void cov_hex_encode(char *out, const uint8_t *in, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}

static const char *skip_prefix(const char *hex)
{
    if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
        return hex + 2;
    return hex;
}

static cov_status decode_digits(uint8_t *out, const char *digits, size_t len,
                                cov_err *err)
{
    for (size_t i = 0; i < len; i++) {
        int hi = cov_hex_digit(digits[2 * i]);
        int lo = cov_hex_digit(digits[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return cov_fail(err, COV_ERR_PARSE,
                            "invalid hex digit at position %zu", 2 * i);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return COV_OK;
}

cov_status cov_hex_decode(uint8_t *out, size_t len, const char *hex,
                          cov_err *err)
{
    if (!hex)
        return cov_fail(err, COV_ERR_ARG, "no hex string given");
    const char *digits = skip_prefix(hex);
    size_t n = strlen(digits);
    if (n != 2 * len)
        return cov_fail(err, COV_ERR_PARSE,
                        "expected %zu hex digits (%zu bytes), got %zu",
                        2 * len, len, n);
    return decode_digits(out, digits, len, err);
}

cov_status cov_hex_decode_alloc(uint8_t **out, size_t *out_len,
                                const char *hex, size_t max_len, cov_err *err)
{
    *out = NULL;
    *out_len = 0;
    if (!hex)
        return cov_fail(err, COV_ERR_ARG, "no hex string given");
    const char *digits = skip_prefix(hex);
    size_t n = strlen(digits);
    if (n % 2)
        return cov_fail(err, COV_ERR_PARSE,
                        "hex string has an odd number of digits (%zu)", n);
    if (n / 2 > max_len)
        return cov_fail(err, COV_ERR_TOO_BIG,
                        "hex string decodes to %zu bytes, limit is %zu",
                        n / 2, max_len);
    uint8_t *buf = malloc(n / 2 ? n / 2 : 1);
    if (!buf)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory decoding hex");
    cov_status st = decode_digits(buf, digits, n / 2, err);
    if (st != COV_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    *out_len = n / 2;
    return COV_OK;
}
