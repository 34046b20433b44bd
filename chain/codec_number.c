/* Big unsigned integers as decimal text: u128 balances and u256 values do
 * not fit JSON numbers, and users read and write them in decimal. */
#include "chain/codec.h"

#include <string.h>

void cov_codec_le_to_decimal(char out[80], const uint8_t *le, size_t n)
{
    uint8_t work[32] = {0};
    memcpy(work, le, n);
    char digits[80];
    size_t count = 0;
    bool zero;
    do {
        /* Divide the whole number by 10, most significant byte first. */
        unsigned rem = 0;
        zero = true;
        for (size_t i = n; i-- > 0;) {
            unsigned cur = rem << 8 | work[i];
            work[i] = (uint8_t)(cur / 10);
            rem = cur % 10;
            if (work[i])
                zero = false;
        }
        digits[count++] = (char)('0' + rem);
    } while (!zero);
    for (size_t i = 0; i < count; i++)
        out[i] = digits[count - 1 - i];
    out[count] = '\0';
}

/* le = le * mul + add over n bytes; false on overflow. */
static bool mul_add(uint8_t *le, size_t n, unsigned mul, unsigned add)
{
    unsigned carry = add;
    for (size_t i = 0; i < n; i++) {
        unsigned cur = le[i] * mul + carry;
        le[i] = (uint8_t)cur;
        carry = cur >> 8;
    }
    return carry == 0;
}

bool cov_codec_parse_unsigned(uint8_t *le, size_t n, const char *text)
{
    memset(le, 0, n);
    bool hex = text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    const char *p = hex ? text + 2 : text;
    if (!*p)
        return false;
    for (; *p; p++) {
        int digit = hex ? cov_hex_digit(*p) : (*p >= '0' && *p <= '9' ? *p - '0' : -1);
        if (digit < 0 || !mul_add(le, n, hex ? 16 : 10, (unsigned)digit))
            return false;
    }
    return true;
}
