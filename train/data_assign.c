/* Templar's per-window sample assignment (src/tplr/sharded_sampler.py,
 * templar.md §1.3), on the NumPy-exact generator of rng_numpy.h. */
#include "train/data.h"
#include "train/rng_numpy.h"

uint32_t cov_data_window_seed(uint64_t uid, uint64_t window)
{
    /* Python's ints do not wrap, but the mask keeps only the low 32 bits,
     * which wrapping uint64 arithmetic computes the same. */
    return (uint32_t)((uid * 1000003u) ^ window);
}

cov_status cov_data_assign_pool(int64_t *pool, uint64_t uid, uint64_t window, int64_t n_samples,
                                int64_t pool_size, cov_err *err)
{
    if (pool_size > n_samples)
        return cov_fail(err, COV_ERR_ARG,
                        "assignment: the window needs %lld samples but the shard has only %lld",
                        (long long)pool_size, (long long)n_samples);
    cov_pcg64 g;
    cov_pcg64_seed(&g, cov_data_window_seed(uid, window));
    return cov_numpy_choice(pool, &g, n_samples, pool_size, err);
}

size_t cov_data_rank_slice(int64_t *out, const int64_t *pool, size_t pool_size, size_t rank,
                           size_t world_size)
{
    size_t n = 0;
    if (world_size == 0)
        return 0;
    for (size_t i = rank; i < pool_size; i += world_size)
        out[n++] = pool[i];
    return n;
}

cov_status cov_data_batch(int32_t *tokens, int32_t *targets, const cov_shard *s,
                          const int64_t *indices, size_t batch, cov_err *err)
{
    const size_t T = s->info.seq_len;
    if (s->info.vocab_size > (uint32_t)INT32_MAX + 1u)
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "batch: a vocab of %u does not fit int32 token ids", s->info.vocab_size);
    for (size_t b = 0; b < batch; b++) {
        if (indices[b] < 0 || (uint64_t)indices[b] >= s->info.sample_count)
            return cov_fail(err, COV_ERR_ARG, "batch: sample %lld is not in the shard (%llu samples)",
                            (long long)indices[b], (unsigned long long)s->info.sample_count);
        uint64_t base = (uint64_t)indices[b] * T;
        int32_t *tok = tokens + b * T, *tgt = targets + b * T;
        for (size_t t = 0; t < T; t++)
            tok[t] = (int32_t)cov_shard_token(s, base + t);
        /* labels[:, :-1] = ids[:, 1:]; labels[:, -1] = pad; pad (EOS) -> -100 */
        for (size_t t = 0; t + 1 < T; t++)
            tgt[t] = (uint32_t)tok[t + 1] == s->info.eos_id ? COV_LABEL_IGNORE : tok[t + 1];
        tgt[T - 1] = COV_LABEL_IGNORE;
    }
    return COV_OK;
}
