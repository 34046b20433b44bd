/* Generator.choice(pop, size, replace=False, shuffle=True), as NumPy's
 * _generator.pyx draws it (see rng_numpy.h for the two paths). */
#include "train/rng_numpy.h"

#include <stdlib.h>
#include <string.h>

/* _shuffle_int: Fisher-Yates from the last index down to `first`. */
static void shuffle_tail(cov_pcg64 *g, int64_t n, int64_t first, int64_t *data)
{
    for (int64_t i = n - 1; i >= first; i--) {
        uint64_t j = cov_numpy_bounded_uint64(g, 0, (uint64_t)i);
        int64_t t = data[j];
        data[j] = data[i];
        data[i] = t;
    }
}

/* _gen_mask: all bits below and at the highest set bit. */
static uint64_t gen_mask(uint64_t v)
{
    v |= v >> 1;
    v |= v >> 2;
    v |= v >> 4;
    v |= v >> 8;
    v |= v >> 16;
    v |= v >> 32;
    return v;
}

static cov_status choice_tail_shuffle(int64_t *out, cov_pcg64 *g, int64_t pop, int64_t size,
                                      cov_err *err)
{
    if ((uint64_t)pop > SIZE_MAX / sizeof(int64_t))
        return cov_fail(err, COV_ERR_TOO_BIG, "choice: a population of %lld is too large",
                        (long long)pop);
    int64_t *idx = malloc((size_t)pop * sizeof *idx);
    if (!idx)
        return cov_fail(err, COV_ERR_NOMEM, "choice: no memory for a population of %lld",
                        (long long)pop);
    for (int64_t i = 0; i < pop; i++)
        idx[i] = i;
    shuffle_tail(g, pop, pop - size > 1 ? pop - size : 1, idx);
    memcpy(out, idx + (pop - size), (size_t)size * sizeof *out);
    free(idx);
    return COV_OK;
}

static cov_status choice_floyd(int64_t *out, cov_pcg64 *g, int64_t pop, int64_t size,
                               cov_err *err)
{
    /* NumPy sizes its set as the mask of (uint64)(1.2 * size), a double
     * product truncated. */
    uint64_t mask = gen_mask((uint64_t)(1.2 * (double)size));
    const uint64_t empty = UINT64_MAX;
    if (mask >= SIZE_MAX / sizeof(uint64_t))
        return cov_fail(err, COV_ERR_TOO_BIG, "choice: a sample of %lld is too large",
                        (long long)size);
    uint64_t *set = malloc((size_t)(mask + 1) * sizeof *set);
    if (!set)
        return cov_fail(err, COV_ERR_NOMEM, "choice: no memory for a sample of %lld",
                        (long long)size);
    memset(set, 0xff, (size_t)(mask + 1) * sizeof *set);
    for (int64_t j = pop - size; j < pop; j++) {
        uint64_t val = cov_numpy_bounded_uint64(g, 0, (uint64_t)j);
        uint64_t loc = val & mask;
        while (set[loc] != empty && set[loc] != val)
            loc = (loc + 1) & mask;
        if (set[loc] == empty) {
            set[loc] = val;
            out[j - pop + size] = (int64_t)val;
        } else {
            /* val was drawn before: Floyd takes j itself, never drawn yet */
            loc = (uint64_t)j & mask;
            while (set[loc] != empty)
                loc = (loc + 1) & mask;
            set[loc] = (uint64_t)j;
            out[j - pop + size] = j;
        }
    }
    free(set);
    shuffle_tail(g, size, 1, out);
    return COV_OK;
}

cov_status cov_numpy_choice(int64_t *out, cov_pcg64 *g, int64_t pop, int64_t size, cov_err *err)
{
    if (size < 0)
        return cov_fail(err, COV_ERR_ARG, "choice: negative sample size %lld", (long long)size);
    if (pop <= 0 && size != 0)
        return cov_fail(err, COV_ERR_ARG,
                        "choice: the population must be positive unless no samples are taken");
    if (size > pop)
        return cov_fail(err, COV_ERR_ARG,
                        "choice: cannot take %lld samples from %lld without replacement",
                        (long long)size, (long long)pop);
    /* NumPy's heuristic with shuffle=True (cutoff 50). */
    if (pop > 10000 && size > pop / 50)
        return choice_tail_shuffle(out, g, pop, size, err);
    return choice_floyd(out, g, pop, size, err);
}
