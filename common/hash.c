/* Hashes Substrate and bittensor use, on libsodium and xxhash. */
#include "common/common.h"

#include <sodium.h>
#include <string.h>
#include <xxhash.h>

void cov_blake2b(uint8_t *out, size_t out_len, const uint8_t *in, size_t len)
{
    crypto_generichash(out, out_len, in, len, NULL, 0);
}

void cov_blake2b_128(uint8_t out[16], const uint8_t *in, size_t len)
{
    cov_blake2b(out, 16, in, len);
}

void cov_blake2b_256(uint8_t out[32], const uint8_t *in, size_t len)
{
    cov_blake2b(out, 32, in, len);
}

void cov_blake2b_512(uint8_t out[64], const uint8_t *in, size_t len)
{
    cov_blake2b(out, 64, in, len);
}

static void twox(uint8_t *out, size_t lanes, const uint8_t *in, size_t len)
{
    for (size_t i = 0; i < lanes; i++) {
        uint64_t h = XXH64(in, len, (XXH64_hash_t)i);
        for (int b = 0; b < 8; b++)
            out[8 * i + b] = (uint8_t)(h >> (8 * b));
    }
}

void cov_twox64(uint8_t out[8], const uint8_t *in, size_t len)
{
    twox(out, 1, in, len);
}

void cov_twox128(uint8_t out[16], const uint8_t *in, size_t len)
{
    twox(out, 2, in, len);
}

void cov_twox256(uint8_t out[32], const uint8_t *in, size_t len)
{
    twox(out, 4, in, len);
}

void cov_sha256(uint8_t out[32], const uint8_t *in, size_t len)
{
    crypto_hash_sha256(out, in, len);
}

void cov_sha512(uint8_t out[64], const uint8_t *in, size_t len)
{
    crypto_hash_sha512(out, in, len);
}

void cov_hmac_sha256(uint8_t out[32], const uint8_t *key, size_t key_len,
                     const uint8_t *msg, size_t msg_len)
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, key_len);
    crypto_auth_hmacsha256_update(&st, msg, msg_len);
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof st);
}

/* PBKDF2 over a prepared HMAC state: the keyed state is computed once and
 * copied per block, which is what makes 2048 (BIP39) or 10^4 (ansible)
 * iterations cheap. */
#define PBKDF2_BODY(STATE, INIT, UPDATE, FINAL, HLEN)                          \
    STATE keyed;                                                               \
    INIT(&keyed, pass, pass_len);                                              \
    uint8_t u[HLEN], t[HLEN], counter[4];                                      \
    for (uint32_t block = 1; out_len > 0; block++) {                           \
        counter[0] = (uint8_t)(block >> 24);                                   \
        counter[1] = (uint8_t)(block >> 16);                                   \
        counter[2] = (uint8_t)(block >> 8);                                    \
        counter[3] = (uint8_t)block;                                           \
        STATE st = keyed;                                                      \
        UPDATE(&st, salt, salt_len);                                           \
        UPDATE(&st, counter, 4);                                               \
        FINAL(&st, u);                                                         \
        memcpy(t, u, HLEN);                                                    \
        for (uint32_t i = 1; i < iterations; i++) {                            \
            st = keyed;                                                        \
            UPDATE(&st, u, HLEN);                                              \
            FINAL(&st, u);                                                     \
            for (size_t j = 0; j < HLEN; j++)                                  \
                t[j] ^= u[j];                                                  \
        }                                                                      \
        size_t take = out_len < HLEN ? out_len : HLEN;                         \
        memcpy(out, t, take);                                                  \
        out += take;                                                           \
        out_len -= take;                                                       \
        sodium_memzero(&st, sizeof st);                                        \
    }                                                                          \
    sodium_memzero(&keyed, sizeof keyed);                                      \
    sodium_memzero(u, sizeof u);                                               \
    sodium_memzero(t, sizeof t);

void cov_pbkdf2_sha512(uint8_t *out, size_t out_len, const uint8_t *pass,
                       size_t pass_len, const uint8_t *salt, size_t salt_len,
                       uint32_t iterations)
{
    PBKDF2_BODY(crypto_auth_hmacsha512_state, crypto_auth_hmacsha512_init,
                crypto_auth_hmacsha512_update, crypto_auth_hmacsha512_final,
                64)
}

void cov_pbkdf2_sha256(uint8_t *out, size_t out_len, const uint8_t *pass,
                       size_t pass_len, const uint8_t *salt, size_t salt_len,
                       uint32_t iterations)
{
    PBKDF2_BODY(crypto_auth_hmacsha256_state, crypto_auth_hmacsha256_init,
                crypto_auth_hmacsha256_update, crypto_auth_hmacsha256_final,
                32)
}

/* jansson allocations carry their size in front so that free can wipe
 * them: a parsed keyfile's strings hold mnemonics and secret keys. */
typedef union {
    size_t size;
    max_align_t align;
} wipe_header;

static void *wiping_malloc(size_t size)
{
    wipe_header *h = malloc(sizeof *h + size);
    if (!h)
        return NULL;
    h->size = size;
    return h + 1;
}

static void wiping_free(void *p)
{
    if (!p)
        return;
    wipe_header *h = (wipe_header *)p - 1;
    sodium_memzero(p, h->size);
    free(h);
}

cov_status cov_crypto_init(cov_err *err)
{
    static bool done;
    if (sodium_init() < 0)
        return cov_fail(err, COV_ERR_CRYPTO,
                        "libsodium failed to initialise (no entropy source?)");
    if (!done) {
        json_set_alloc_funcs(wiping_malloc, wiping_free);
        done = true;
    }
    return COV_OK;
}

bool cov_ct_equal(const void *a, const void *b, size_t len)
{
    return sodium_memcmp(a, b, len) == 0;
}

void cov_wipe(void *p, size_t len) { sodium_memzero(p, len); }
