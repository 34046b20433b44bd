/* Helpers shared by the cmocka unit tests. Include after <cmocka.h>. */
#ifndef COVENANT_TEST_HELPERS_H
#define COVENANT_TEST_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The bytes of @polkadot/types-support's metadata/<rel> ("export default
 * '0x...'"), installed under tests/interop/node_modules by the oracle
 * setup; false when it is not installed (the caller skips). */
static inline bool load_support_blob(const char *rel, uint8_t **out, size_t *len)
{
    const char *vectors = getenv("COVENANT_TEST_VECTORS");
    char path[1200];
    snprintf(path, sizeof path, "%s/../interop/node_modules/@polkadot/types-support/metadata/%s",
             vectors ? vectors : "tests/vectors", rel);
    uint8_t *text;
    size_t text_len;
    if (cov_file_read(&text, &text_len, path, (size_t)64 << 20, false, NULL) != COV_OK)
        return false;
    char *start = strstr((char *)text, "'0x");
    assert_non_null(start);
    char *end = strchr(start + 1, '\'');
    assert_non_null(end);
    *end = '\0';
    assert_int_equal(cov_hex_decode_alloc(out, len, start + 1, (size_t)32 << 20, NULL), COV_OK);
    free(text);
    return true;
}

#endif
