/* AES-256 encryption (FIPS-197) and CTR mode, only for reading the Ansible
 * Vault keyfiles old bittensor wrote: libsodium has no AES-CTR, and one
 * legacy format does not justify linking a whole TLS library.
 *
 * The S-box is read by scanning the whole table for every byte, so neither
 * the key nor the data decides which cache lines are touched. It is slow
 * (a few MB/s) and keyfiles are a few hundred bytes. */
#include "wallet/internal.h"

#include <sodium.h>
#include <string.h>

#define ROUNDS 14
#define ROUND_KEY_BYTES (16 * (ROUNDS + 1))

static const uint8_t sbox[256] = {
    0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b,
    0xfe, 0xd7, 0xab, 0x76, 0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0,
    0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0, 0xb7, 0xfd, 0x93, 0x26,
    0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
    0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2,
    0xeb, 0x27, 0xb2, 0x75, 0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0,
    0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84, 0x53, 0xd1, 0x00, 0xed,
    0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
    0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f,
    0x50, 0x3c, 0x9f, 0xa8, 0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5,
    0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2, 0xcd, 0x0c, 0x13, 0xec,
    0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
    0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14,
    0xde, 0x5e, 0x0b, 0xdb, 0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c,
    0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79, 0xe7, 0xc8, 0x37, 0x6d,
    0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
    0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f,
    0x4b, 0xbd, 0x8b, 0x8a, 0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e,
    0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e, 0xe1, 0xf8, 0x98, 0x11,
    0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
    0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f,
    0xb0, 0x54, 0xbb, 0x16,
};

static uint8_t sub_byte(uint8_t x)
{
    uint8_t r = 0;
    for (unsigned i = 0; i < 256; i++) {
        /* 0xff when i == x, else 0, without a branch */
        uint8_t mask = (uint8_t)(((unsigned)(i ^ x) - 1u) >> 8);
        r |= (uint8_t)(sbox[i] & mask);
    }
    return r;
}

/* Multiplication by x in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1. */
static uint8_t xtime(uint8_t a)
{
    return (uint8_t)(a << 1 ^ (0x1b & -(a >> 7)));
}

static void expand_key(uint8_t rk[ROUND_KEY_BYTES], const uint8_t key[32])
{
    memcpy(rk, key, 32);
    uint8_t rcon = 1;
    for (size_t i = 32; i < ROUND_KEY_BYTES; i += 4) {
        uint8_t t[4];
        memcpy(t, rk + i - 4, 4);
        if (i % 32 == 0) {
            uint8_t first = t[0];
            t[0] = (uint8_t)(sub_byte(t[1]) ^ rcon);
            t[1] = sub_byte(t[2]);
            t[2] = sub_byte(t[3]);
            t[3] = sub_byte(first);
            rcon = xtime(rcon);
        } else if (i % 32 == 16) {
            for (int j = 0; j < 4; j++)
                t[j] = sub_byte(t[j]);
        }
        for (int j = 0; j < 4; j++)
            rk[i + j] = (uint8_t)(rk[i - 32 + j] ^ t[j]);
    }
}

static void add_round_key(uint8_t s[16], const uint8_t *rk)
{
    for (int i = 0; i < 16; i++)
        s[i] ^= rk[i];
}

/* SubBytes and ShiftRows together; byte (row r, column c) is s[4c + r]. */
static void sub_shift(uint8_t s[16])
{
    uint8_t t[16];
    for (int c = 0; c < 4; c++)
        for (int r = 0; r < 4; r++)
            t[4 * c + r] = sub_byte(s[4 * ((c + r) % 4) + r]);
    memcpy(s, t, 16);
}

static void mix_columns(uint8_t s[16])
{
    for (int c = 0; c < 4; c++) {
        uint8_t *col = s + 4 * c;
        uint8_t a0 = col[0], a1 = col[1], a2 = col[2], a3 = col[3];
        uint8_t all = (uint8_t)(a0 ^ a1 ^ a2 ^ a3);
        col[0] ^= (uint8_t)(all ^ xtime((uint8_t)(a0 ^ a1)));
        col[1] ^= (uint8_t)(all ^ xtime((uint8_t)(a1 ^ a2)));
        col[2] ^= (uint8_t)(all ^ xtime((uint8_t)(a2 ^ a3)));
        col[3] ^= (uint8_t)(all ^ xtime((uint8_t)(a3 ^ a0)));
    }
}

static void encrypt_block(uint8_t out[16], const uint8_t in[16],
                          const uint8_t rk[ROUND_KEY_BYTES])
{
    uint8_t s[16];
    memcpy(s, in, 16);
    add_round_key(s, rk);
    for (int round = 1; round < ROUNDS; round++) {
        sub_shift(s);
        mix_columns(s);
        add_round_key(s, rk + 16 * round);
    }
    sub_shift(s);
    add_round_key(s, rk + 16 * ROUNDS);
    memcpy(out, s, 16);
    sodium_memzero(s, sizeof s);
}

/* The whole block is one big-endian 128-bit counter, as in Python
 * cryptography's CTR mode (not a 64-bit nonce || 64-bit counter split). */
static void increment_counter(uint8_t counter[16])
{
    for (int i = 15; i >= 0; i--)
        if (++counter[i] != 0)
            break;
}

void cov_aes256_ctr(uint8_t *out, const uint8_t *in, size_t len,
                    const uint8_t key[32], const uint8_t iv[16])
{
    uint8_t rk[ROUND_KEY_BYTES], counter[16], stream[16];
    expand_key(rk, key);
    memcpy(counter, iv, 16);
    for (size_t at = 0; at < len; at += 16) {
        encrypt_block(stream, counter, rk);
        increment_counter(counter);
        size_t n = len - at < 16 ? len - at : 16;
        for (size_t i = 0; i < n; i++)
            out[at + i] = (uint8_t)(in[at + i] ^ stream[i]);
    }
    sodium_memzero(rk, sizeof rk);
    sodium_memzero(counter, sizeof counter);
    sodium_memzero(stream, sizeof stream);
}
