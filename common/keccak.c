/* Keccak-f[1600] and Keccak-256. libsodium has no Keccak; STROBE (Merlin
 * transcripts for sr25519) and Ethereum-style hashes need it. */
#include "common/common.h"

#include <string.h>

static const uint64_t round_constants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
    0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
    0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
    0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
    0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
    0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
    0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/* Rotation offsets and lane permutation of the combined rho-pi step. */
static const unsigned rho[24] = {1,  3,  6,  10, 15, 21, 28, 36,
                                 45, 55, 2,  14, 27, 41, 56, 8,
                                 25, 43, 62, 18, 39, 61, 20, 44};
static const unsigned pi[24] = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                                15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};

static inline uint64_t rotl(uint64_t x, unsigned n)
{
    return (x << n) | (x >> (64 - n));
}

void cov_keccak_f1600(uint64_t s[25])
{
    for (int round = 0; round < 24; round++) {
        uint64_t c[5];
        for (int x = 0; x < 5; x++)
            c[x] = s[x] ^ s[x + 5] ^ s[x + 10] ^ s[x + 15] ^ s[x + 20];
        for (int x = 0; x < 5; x++) {
            uint64_t d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
            for (int y = 0; y < 25; y += 5)
                s[y + x] ^= d;
        }
        uint64_t carry = s[1];
        for (int i = 0; i < 24; i++) {
            uint64_t next = s[pi[i]];
            s[pi[i]] = rotl(carry, rho[i]);
            carry = next;
        }
        for (int y = 0; y < 25; y += 5) {
            uint64_t row[5];
            memcpy(row, s + y, sizeof row);
            for (int x = 0; x < 5; x++)
                s[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5]);
        }
        s[0] ^= round_constants[round];
    }
}

static uint64_t load_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

void cov_keccak256(uint8_t out[32], const uint8_t *in, size_t len)
{
    enum { RATE = 136 };
    uint64_t s[25] = {0};
    while (len >= RATE) {
        for (int i = 0; i < RATE / 8; i++)
            s[i] ^= load_le64(in + 8 * i);
        cov_keccak_f1600(s);
        in += RATE;
        len -= RATE;
    }
    uint8_t last[RATE] = {0};
    if (len) /* in may be NULL for an empty message; memcpy(_, NULL, 0) is UB */
        memcpy(last, in, len);
    last[len] ^= 0x01;
    last[RATE - 1] ^= 0x80;
    for (int i = 0; i < RATE / 8; i++)
        s[i] ^= load_le64(last + 8 * i);
    cov_keccak_f1600(s);
    for (int i = 0; i < 32; i++)
        out[i] = (uint8_t)(s[i / 8] >> (8 * (i % 8)));
}
