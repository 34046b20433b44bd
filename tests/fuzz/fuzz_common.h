/* Shared by the fuzz targets: one-time library set-up and turning the
 * fuzzer's bytes into the C string the wallet parsers take. */
#ifndef COVENANT_FUZZ_COMMON_H
#define COVENANT_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

/* Both drivers (libFuzzer and replay_main.c) call only this. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failed property: say which, then abort so the fuzzer keeps the input. */
#define FUZZ_CHECK(cond)                                                     \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__,        \
                    __LINE__, #cond);                                        \
            abort();                                                         \
        }                                                                    \
    } while (0)

static inline void fuzz_init(void)
{
    static int done;
    if (done)
        return;
    cov_err err;
    if (cov_crypto_init(&err) != COV_OK) {
        fprintf(stderr, "fuzz: cov_crypto_init failed: %s\n", err.msg);
        abort();
    }
    done = 1;
}

/* A malloc'd, NUL-terminated copy of the input (the parsers read up to the
 * first NUL, as they would a command-line argument). free() it. */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

#endif /* COVENANT_FUZZ_COMMON_H */
