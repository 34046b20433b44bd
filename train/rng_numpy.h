/* NumPy's random streams, bit for bit: SeedSequence, PCG64 and the parts of
 * Generator that Templar's data assignment uses (templar.md §1.3, §9.5):
 *
 *   numpy.random.default_rng(seed).choice(n, size, replace=False)
 *
 * What must match NumPy exactly and where it comes from (NumPy 2.x,
 * numpy/random/): SeedSequence's hashmix pool and generate_state
 * (bit_generator.pyx), PCG64's seeding and XSL-RR output (_pcg64.pyx,
 * src/pcg64/pcg64.h), Lemire's bounded integers with the 32-bit buffered
 * path (src/distributions/distributions.c random_bounded_uint64), and
 * choice's two sampling paths plus its Fisher-Yates shuffle
 * (_generator.pyx). Nothing here allocates except cov_numpy_choice. */
#ifndef COVENANT_TRAIN_RNG_NUMPY_H
#define COVENANT_TRAIN_RNG_NUMPY_H

#include "common/common.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SeedSequence(entropy).generate_state(n_words, uint32) for an entropy
 * given as 32-bit words, least significant first (how NumPy splits a Python
 * int; the int 0 is the single word 0). No spawn key. */
void cov_seedseq_generate_state(uint32_t *out, size_t n_words, const uint32_t *entropy,
                                size_t n_entropy);

/* PCG64's state: a 128-bit LCG plus the one-word buffer NumPy keeps for
 * 32-bit draws (next32 hands out the two halves of one 64-bit output). */
typedef struct {
    uint64_t state_hi, state_lo;
    uint64_t inc_hi, inc_lo;
    bool has_uint32;
    uint32_t uinteger;
} cov_pcg64;

/* numpy.random.PCG64(seed) for a non-negative integer seed below 2^64,
 * i.e. what default_rng(seed) wraps. */
void cov_pcg64_seed(cov_pcg64 *g, uint64_t seed);

/* One 64-bit output (advance, then XSL-RR of the new state). */
uint64_t cov_pcg64_next64(cov_pcg64 *g);
/* One 32-bit output: the low half of a fresh 64-bit draw, then its high
 * half on the next call. */
uint32_t cov_pcg64_next32(cov_pcg64 *g);

/* random_bounded_uint64(bitgen, off, rng, mask=0, use_masked=false):
 * a uniform integer in [off, off + rng], by Lemire's method; ranges that fit
 * 32 bits draw 32-bit words (sharing the generator's buffer). */
uint64_t cov_numpy_bounded_uint64(cov_pcg64 *g, uint64_t off, uint64_t rng);

/* Generator.choice(pop, size, replace=False, shuffle=True) on a generator
 * in any state, written to out[0..size). Both of NumPy's paths: a tail
 * shuffle of arange(pop) when pop > 10000 and size > pop // 50 (this
 * allocates pop int64s, as NumPy does), else Floyd's algorithm with NumPy's
 * open-addressing set followed by a shuffle. COV_ERR_ARG when size > pop or
 * pop <= 0 with size > 0 (NumPy's ValueErrors); COV_ERR_NOMEM. */
cov_status cov_numpy_choice(int64_t *out, cov_pcg64 *g, int64_t pop, int64_t size,
                            cov_err *err) COV_WARN_UNUSED;

#endif
