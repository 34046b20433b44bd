/* NumPy's SeedSequence, PCG64 and bounded integers (see rng_numpy.h). The
 * constants are NumPy's; each function follows the NumPy function of the
 * same role step by step, because any reordering of draws changes every
 * sample a miner is assigned. */
#include "train/rng_numpy.h"

typedef unsigned __int128 u128;

/* ------------------------------------------------------- SeedSequence */

/* bit_generator.pyx: 4-word pool, hashmix/mix constants. */
enum { SEEDSEQ_POOL = 4, SEEDSEQ_XSHIFT = 16 };
#define SEEDSEQ_INIT_A 0x43b0d7e5u
#define SEEDSEQ_MULT_A 0x931e8875u
#define SEEDSEQ_INIT_B 0x8b51f9ddu
#define SEEDSEQ_MULT_B 0x58f38dedu
#define SEEDSEQ_MIX_L 0xca01f9ddu
#define SEEDSEQ_MIX_R 0x4973f715u

static uint32_t hashmix(uint32_t value, uint32_t *hash_const)
{
    value ^= *hash_const;
    *hash_const *= SEEDSEQ_MULT_A;
    value *= *hash_const;
    value ^= value >> SEEDSEQ_XSHIFT;
    return value;
}

static uint32_t mix(uint32_t x, uint32_t y)
{
    uint32_t r = SEEDSEQ_MIX_L * x - SEEDSEQ_MIX_R * y;
    return r ^ (r >> SEEDSEQ_XSHIFT);
}

void cov_seedseq_generate_state(uint32_t *out, size_t n_words, const uint32_t *entropy,
                                size_t n_entropy)
{
    /* mix_entropy: absorb the first POOL words (zeros past the end), let
     * every pool word mix into every other, then absorb the rest. */
    uint32_t pool[SEEDSEQ_POOL];
    uint32_t hc = SEEDSEQ_INIT_A;
    for (size_t i = 0; i < SEEDSEQ_POOL; i++)
        pool[i] = hashmix(i < n_entropy ? entropy[i] : 0, &hc);
    for (size_t src = 0; src < SEEDSEQ_POOL; src++)
        for (size_t dst = 0; dst < SEEDSEQ_POOL; dst++)
            if (src != dst)
                pool[dst] = mix(pool[dst], hashmix(pool[src], &hc));
    for (size_t src = SEEDSEQ_POOL; src < n_entropy; src++)
        for (size_t dst = 0; dst < SEEDSEQ_POOL; dst++)
            pool[dst] = mix(pool[dst], hashmix(entropy[src], &hc));

    /* generate_state: cycle through the pool with the second hash. */
    uint32_t hb = SEEDSEQ_INIT_B;
    for (size_t i = 0; i < n_words; i++) {
        uint32_t v = pool[i % SEEDSEQ_POOL];
        v ^= hb;
        hb *= SEEDSEQ_MULT_B;
        v *= hb;
        v ^= v >> SEEDSEQ_XSHIFT;
        out[i] = v;
    }
}

/* -------------------------------------------------------------- PCG64 */

/* PCG_DEFAULT_MULTIPLIER_128 */
#define PCG_MULT_HI 2549297995355413924ull
#define PCG_MULT_LO 4865540595714422341ull

static u128 u128_of(uint64_t hi, uint64_t lo) { return ((u128)hi << 64) | lo; }

static void pcg_step(cov_pcg64 *g)
{
    u128 s = u128_of(g->state_hi, g->state_lo);
    s = s * u128_of(PCG_MULT_HI, PCG_MULT_LO) + u128_of(g->inc_hi, g->inc_lo);
    g->state_hi = (uint64_t)(s >> 64);
    g->state_lo = (uint64_t)s;
}

void cov_pcg64_seed(cov_pcg64 *g, uint64_t seed)
{
    /* _pcg64.pyx: four uint64 words from the SeedSequence (each the little-
     * endian pair of 32-bit words): state = w0:w1, sequence = w2:w3. */
    uint32_t entropy[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    uint32_t words[8];
    cov_seedseq_generate_state(words, 8, entropy, (seed >> 32) ? 2 : 1);
    uint64_t w[4];
    for (int i = 0; i < 4; i++)
        w[i] = (uint64_t)words[2 * i] | (uint64_t)words[2 * i + 1] << 32;

    /* pcg_setseq_128_srandom_r: inc = seq << 1 | 1; state = 0; step;
     * state += initstate; step. */
    u128 inc = (u128_of(w[2], w[3]) << 1) | 1u;
    g->inc_hi = (uint64_t)(inc >> 64);
    g->inc_lo = (uint64_t)inc;
    g->state_hi = g->state_lo = 0;
    pcg_step(g);
    u128 s = u128_of(g->state_hi, g->state_lo) + u128_of(w[0], w[1]);
    g->state_hi = (uint64_t)(s >> 64);
    g->state_lo = (uint64_t)s;
    pcg_step(g);
    g->has_uint32 = false;
    g->uinteger = 0;
}

uint64_t cov_pcg64_next64(cov_pcg64 *g)
{
    pcg_step(g);
    /* XSL-RR: xor the halves, rotate right by the top 6 bits. */
    uint64_t x = g->state_hi ^ g->state_lo;
    unsigned rot = (unsigned)(g->state_hi >> 58);
    return (x >> rot) | (x << ((64u - rot) & 63u));
}

uint32_t cov_pcg64_next32(cov_pcg64 *g)
{
    if (g->has_uint32) {
        g->has_uint32 = false;
        return g->uinteger;
    }
    uint64_t next = cov_pcg64_next64(g);
    g->has_uint32 = true;
    g->uinteger = (uint32_t)(next >> 32);
    return (uint32_t)next;
}

/* ---------------------------------------------------- bounded integers */

static uint32_t lemire32(cov_pcg64 *g, uint32_t rng)
{
    /* buffered_bounded_lemire_uint32; random_bounded_uint64 starts with an
     * empty local buffer, so every word comes from next32. */
    const uint32_t excl = rng + 1;
    uint64_t m = (uint64_t)cov_pcg64_next32(g) * excl;
    uint32_t leftover = (uint32_t)m;
    if (leftover < excl) {
        const uint32_t threshold = (UINT32_MAX - rng) % excl;
        while (leftover < threshold) {
            m = (uint64_t)cov_pcg64_next32(g) * excl;
            leftover = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

static uint64_t lemire64(cov_pcg64 *g, uint64_t rng)
{
    const uint64_t excl = rng + 1;
    u128 m = (u128)cov_pcg64_next64(g) * excl;
    uint64_t leftover = (uint64_t)m;
    if (leftover < excl) {
        const uint64_t threshold = (UINT64_MAX - rng) % excl;
        while (leftover < threshold) {
            m = (u128)cov_pcg64_next64(g) * excl;
            leftover = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

uint64_t cov_numpy_bounded_uint64(cov_pcg64 *g, uint64_t off, uint64_t rng)
{
    if (rng == 0)
        return off;
    if (rng <= UINT32_MAX) {
        if (rng == UINT32_MAX)
            return off + cov_pcg64_next32(g);
        return off + lemire32(g, (uint32_t)rng);
    }
    if (rng == UINT64_MAX)
        return off + cov_pcg64_next64(g);
    return off + lemire64(g, rng);
}
