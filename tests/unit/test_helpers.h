/* Helpers shared by the cmocka unit tests. Include after <cmocka.h>. */
#ifndef COVENANT_TEST_HELPERS_H
#define COVENANT_TEST_HELPERS_H

#include <stdlib.h>

#include "common/common.h"

/* Decodes a hex vector of exactly len bytes; the test fails otherwise. */
static inline void unhex(uint8_t *out, size_t len, const char *hex)
{
    assert_int_equal(cov_hex_decode(out, len, hex, NULL), COV_OK);
}

/* Asserts that bytes equal a lowercase hex vector (no 0x). */
static inline void expect_hex(const uint8_t *got, size_t len, const char *want)
{
    char *text = malloc(2 * len + 1);
    assert_non_null(text);
    cov_hex_encode(text, got, len);
    assert_string_equal(text, want);
    free(text);
}

#endif
