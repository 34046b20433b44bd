/* The SparseLoCo compressor on the GPU (train/sparseloco_compress.c's and
 * sparseloco_quant.c's semantics), in four kernels:
 *
 *   1. select   one block per chunk: e ← β·e + Δ (written back), top-k of
 *               the chunk by a radix select on the |e| bit patterns with the
 *               tie rule, the k indices ascending and their values; the
 *               chunk's Σv; the last block to finish turns the per-chunk
 *               sums into shift.
 *   2. spread   one thread per chunk: Σ(v − shift)²; the last block gives
 *               scale.
 *   3. codes    one thread per chunk: codes, per-bin Σ(v − shift) and
 *               counts, the 12-bit packing; the last block gives lookup.
 *   4. subtract one thread per kept value: e ← e − (lookup[q] + shift).
 *
 * Each statistic needs every chunk finished first, hence a kernel boundary
 * after each; only kernels 1 and 4 touch the dense tensor, 2 and 3 read
 * the n_kept values (1/64 of it for 64x64 chunks and k = 64).
 *
 * Exactness: every float step uses the _rn intrinsics so nvcc cannot fuse a
 * multiply and an add into an FMA the CPU does not do. The double sums are
 * per chunk in index order (one thread, as the CPU) and then over chunks by
 * a fixed shuffle tree (the CPU runs one sum over all values): the same result up
 * to double rounding. The tree's order is fixed, so the GPU result does not
 * change from run to run.
 *
 * NOT RUN ON HARDWARE: compiled only; see kernels/sparseloco_cuda.h. */
#include "kernels/sparseloco_cuda_internal.cuh"

#include <string.h>

#define SLC_WARPS (SLC_THREADS / 32)
#define FULL_MASK 0xFFFFFFFFu

/* ------------------------------------------------------ block helpers */

/* Exclusive prefix sum of v over the block in thread order; *total gets
 * the block's sum. Every thread must call it. warp_tot: SLC_WARPS slots. */
static __device__ unsigned block_exclusive_scan(unsigned v, unsigned *warp_tot, unsigned *total)
{
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    unsigned x = v;
    for (int off = 1; off < 32; off <<= 1) {
        unsigned y = __shfl_up_sync(FULL_MASK, x, off);
        if (lane >= off)
            x += y;
    }
    if (lane == 31)
        warp_tot[warp] = x;
    __syncthreads();
    if (warp == 0) {
        unsigned t = lane < SLC_WARPS ? warp_tot[lane] : 0;
        for (int off = 1; off < 32; off <<= 1) {
            unsigned y = __shfl_up_sync(FULL_MASK, t, off);
            if (lane >= off)
                t += y;
        }
        if (lane < SLC_WARPS)
            warp_tot[lane] = t; /* inclusive totals of warps 0..lane */
    }
    __syncthreads();
    unsigned before = warp ? warp_tot[warp - 1] : 0;
    *total = warp_tot[SLC_WARPS - 1];
    __syncthreads(); /* warp_tot may be reused by the next call */
    return before + x - v;
}

/* Σ part[i·step] for i < n by the last block: each thread sums a strided
 * share in order, then cov_block_sum (a fixed order). __ldcg reads past
 * L1, which may not have seen other blocks' writes. */
static __device__ double grid_sum(const double *part, int64_t n, int step, double *sh)
{
    double acc = 0.0;
    for (int64_t i = threadIdx.x; i < n; i += SLC_THREADS)
        acc = __dadd_rn(acc, __ldcg(&part[i * step]));
    return cov_block_sum(acc, sh);
}

/* After every thread of the block wrote its partial results: true in all
 * threads of the one block that finishes last (the CUDA programming
 * guide's "last block" reduction: fence, then count). That block resets
 * the counter for the next kernel. */
static __device__ bool finished_last(slc_state *st, bool *s_last)
{
    __threadfence();
    __syncthreads();
    if (threadIdx.x == 0) {
        unsigned done = atomicAdd(&st->blocks_done, 1u);
        *s_last = done == gridDim.x - 1;
        if (*s_last)
            st->blocks_done = 0; /* only this block is left: no race */
    }
    __syncthreads();
    return *s_last;
}

/* One radix digit of the top-k select, by warp 0: hist[d] counts the
 * candidates (|e| bits matching prefix above this digit) whose digit is d;
 * need of them are still to be taken from the top. Finds the digit where
 * counting down from 255 reaches need, and how many of that digit remain
 * to take. Lane j holds digits 8j..8j+7. */
static __device__ void pick_digit(const unsigned *hist, unsigned need, int shift,
                                  uint32_t prefix, uint32_t *s_prefix, unsigned *s_need)
{
    const int lane = threadIdx.x;
    unsigned own = 0;
    for (int i = 0; i < 8; i++)
        own += hist[lane * 8 + i];
    unsigned suffix = own; /* Σ over lanes ≥ this one */
    for (int off = 1; off < 32; off <<= 1) {
        unsigned y = __shfl_down_sync(FULL_MASK, suffix, off);
        if (lane + off < 32)
            suffix += y;
    }
    unsigned above = suffix - own;
    /* Exactly one lane: suffix does not grow with the lane, the total is
     * ≥ need ≥ 1. */
    if (above < need && need <= suffix) {
        unsigned rem = need - above;
        for (int d = lane * 8 + 7; d >= lane * 8; d--) {
            unsigned c = hist[d];
            if (c >= rem) {
                *s_prefix = prefix | (uint32_t)d << shift;
                *s_need = rem;
                break;
            }
            rem -= c;
        }
    }
}

/* --------------------------------------------------------------- 1 */

__global__ void __launch_bounds__(SLC_THREADS)
slc_select_kernel(float *ef, const float *delta, float beta, slc_geom g, uint16_t *idx_out,
                  float *vals_out, double *partial, slc_state *st, const unsigned *abort_flag)
{
    __shared__ uint32_t e_bits[COV_SPARSELOCO_MAX_CHUNK_LEN]; /* the chunk's e */
    __shared__ unsigned hist[256];
    __shared__ unsigned warp_tot[SLC_WARPS];
    __shared__ double sh[32];
    __shared__ uint32_t s_prefix;
    __shared__ unsigned s_need;
    __shared__ bool s_last;
    if (*abort_flag)
        return; /* an earlier tensor failed: leave this one untouched */
    const int tid = threadIdx.x, L = g.chunk_len, k = g.k;
    const int64_t c = blockIdx.x;

    /* EF update, as the CPU: v = β·e + Δ in two roundings. */
    bool bad = false;
    for (int l = tid; l < L; l += SLC_THREADS) {
        int64_t p = slc_pos(g, c, l);
        float e = __fadd_rn(__fmul_rn(beta, ef[p]), delta[p]);
        ef[p] = e;
        uint32_t b = __float_as_uint(e);
        e_bits[l] = b;
        bad |= (b & 0x7FFFFFFFu) >= 0x7F800000u;
    }
    if (bad)
        atomicOr(&st->flags, SLC_FLAG_NONFINITE);
    __syncthreads();

    /* Radix select, 8 bits a pass from the top, of the k-th largest |e|
     * bit pattern T (for non-negative floats the bits order as the
     * values). After the last pass, need of the elements equal to T are
     * to be kept and all k − need greater than T are. */
    uint32_t prefix = 0, mask = 0;
    unsigned need = (unsigned)k;
    for (int shift = 24; shift >= 0; shift -= 8) {
        hist[tid] = 0; /* SLC_THREADS == 256 == the digit count */
        __syncthreads();
        /* Lanes of a warp holding the same digit add once (neighbours
         * mostly share an exponent, and one counter would serialise). The
         * loop runs whole warps, so every lane reaches __match_any_sync. */
        for (int base = 0; base < L; base += SLC_THREADS) {
            const int l = base + tid;
            const uint32_t a = l < L ? e_bits[l] & 0x7FFFFFFFu : 0u;
            const unsigned digit = l < L && (a & mask) == prefix ? (a >> shift) & 0xFFu : 256u;
            const unsigned same = __match_any_sync(FULL_MASK, digit);
            if (digit < 256u && (tid & 31) == __ffs(same) - 1)
                atomicAdd(&hist[digit], (unsigned)__popc(same));
        }
        __syncthreads();
        if (tid < 32)
            pick_digit(hist, need, shift, prefix, &s_prefix, &s_need);
        __syncthreads();
        prefix = s_prefix;
        need = s_need;
        mask |= 0xFFu << shift;
    }
    const uint32_t T = prefix;

    /* The tie rule: of the elements equal to T, the need with the lowest
     * chunk-local index. Each thread owns a contiguous run of indices so
     * block scans give ranks in index order; the kept indices come out
     * ascending, as the CPU stores them. */
    const int per = (L + SLC_THREADS - 1) / SLC_THREADS;
    const int lo = min(L, tid * per), hi = min(L, lo + per);
    unsigned n_eq = 0;
    for (int l = lo; l < hi; l++)
        n_eq += (e_bits[l] & 0x7FFFFFFFu) == T;
    unsigned total;
    const unsigned eq_before = block_exclusive_scan(n_eq, warp_tot, &total);
    unsigned n_sel = 0, eq_seen = eq_before;
    for (int l = lo; l < hi; l++) {
        uint32_t a = e_bits[l] & 0x7FFFFFFFu;
        n_sel += a > T || (a == T && eq_seen < need);
        eq_seen += a == T;
    }
    unsigned out = block_exclusive_scan(n_sel, warp_tot, &total); /* total == k */
    eq_seen = eq_before;
    const int64_t first = c * k;
    for (int l = lo; l < hi; l++) {
        uint32_t a = e_bits[l] & 0x7FFFFFFFu;
        bool sel = a > T || (a == T && eq_seen < need);
        eq_seen += a == T;
        if (sel) {
            idx_out[first + out] = (uint16_t)l;
            vals_out[first + out] = __uint_as_float(e_bits[l]);
            out++;
        }
    }
    __syncthreads(); /* the chunk's values are written (block-visible) */

    /* Σv of the chunk in index order, in double, by one thread. */
    if (tid == 0) {
        double s = 0.0;
        for (int j = 0; j < k; j++)
            s = __dadd_rn(s, (double)vals_out[first + j]);
        partial[c] = s;
    }
    if (finished_last(st, &s_last)) {
        double sum = grid_sum(partial, g.n_chunks, 1, sh);
        if (tid == 0)
            st->shift = (float)__ddiv_rn(sum, (double)g.n_kept);
    }
}

/* --------------------------------------------------------------- 2 */

__global__ void __launch_bounds__(SLC_THREADS)
slc_spread_kernel(const float *vals, slc_geom g, double *partial, int n_bins, float range,
                  slc_state *st, unsigned *abort_flag)
{
    __shared__ double sh[32];
    __shared__ bool s_last;
    if (st->flags) {
        /* non-finite EF: the host zeroes it; the batch's later tensors
         * skip (they read the flag only in later kernels, so every block
         * of a kernel sees the same value) */
        if (blockIdx.x == 0 && threadIdx.x == 0)
            *abort_flag = 1u;
        return;
    }
    if (*abort_flag)
        return;
    const int64_t c = (int64_t)blockIdx.x * SLC_THREADS + threadIdx.x;
    const float shift = st->shift;
    if (c < g.n_chunks) {
        double s = 0.0;
        for (int j = 0; j < g.k; j++) {
            float d = __fsub_rn(vals[c * g.k + j], shift);
            s = __dadd_rn(s, __dmul_rn((double)d, (double)d));
        }
        partial[c] = s;
    }
    if (finished_last(st, &s_last)) {
        double sq = grid_sum(partial, g.n_chunks, 1, sh);
        if (threadIdx.x == 0) {
            /* std = ||c|| / sqrt(N − 1); one value gives 0/0 → scale 1 */
            double std = __ddiv_rn(sqrt(sq), sqrt((double)g.n_kept - 1.0));
            float scale = (float)__ddiv_rn(__dmul_rn((double)range, std), (double)n_bins);
            if (scale == 0.0f || !isfinite(scale))
                scale = 1.0f;
            st->scale = scale;
        }
    }
}

/* --------------------------------------------------------------- 3 */

__global__ void __launch_bounds__(SLC_THREADS)
slc_codes_kernel(const float *vals, const uint16_t *idx, slc_geom g, int n_bins, uint8_t *codes,
                 uint8_t *packed, double *bin_sum, unsigned *bin_count, slc_state *st,
                 const unsigned *abort_flag)
{
    __shared__ double sh[32];
    __shared__ bool s_last;
    if (st->flags || *abort_flag)
        return;
    const int64_t c = (int64_t)blockIdx.x * SLC_THREADS + threadIdx.x;
    const int k = g.k;
    if (c < g.n_chunks) {
        const float shift = st->shift, scale = st->scale;
        const float offset = (float)(n_bins / 2), top = (float)(n_bins - 1);
        double *bs = bin_sum + c * n_bins;
        unsigned *bc = bin_count + c * n_bins;
        for (int b = 0; b < n_bins; b++) {
            bs[b] = 0.0;
            bc[b] = 0;
        }
        for (int j = 0; j < k; j++) {
            int64_t i = c * k + j;
            float d = __fsub_rn(vals[i], shift);
            /* rintf: half to even, as the CPU's rintf and torch.round */
            float q = rintf(__fadd_rn(__fdiv_rn(d, scale), offset));
            q = q < 0.0f ? 0.0f : (q > top ? top : q);
            uint8_t b = (uint8_t)q;
            codes[i] = b;
            bs[b] = __dadd_rn(bs[b], (double)d);
            bc[b]++;
        }
        /* The 12-bit pairs whose first index is in this chunk (pairs can
         * straddle chunks only when k is odd, i.e. k = 1). */
        const int64_t n = g.n_kept;
        for (int64_t p = (c * k + 1) / 2; p < ((c + 1) * k + 1) / 2; p++) {
            unsigned i0 = idx[2 * p], i1 = 2 * p + 1 < n ? idx[2 * p + 1] : 0u;
            packed[3 * p] = (uint8_t)(i0 & 0xFFu);
            packed[3 * p + 1] = (uint8_t)(((i0 >> 8) & 0x0Fu) | ((i1 & 0x0Fu) << 4));
            packed[3 * p + 2] = (uint8_t)((i1 >> 4) & 0xFFu);
        }
    }
    if (finished_last(st, &s_last)) {
        for (int b = 0; b < n_bins; b++) {
            double sum = grid_sum(bin_sum + b, g.n_chunks, n_bins, sh);
            /* counts summed as doubles: integers, exact below 2^53 */
            double cnt = 0.0;
            for (int64_t i = threadIdx.x; i < g.n_chunks; i += SLC_THREADS)
                cnt += (double)__ldcg(&bin_count[i * n_bins + b]);
            cnt = cov_block_sum(cnt, sh);
            if (threadIdx.x == 0)
                st->lookup[b] = cnt > 0.0 ? (float)__ddiv_rn(sum, cnt) : 0.0f;
        }
    }
}

/* --------------------------------------------------------------- 4 */

__global__ void __launch_bounds__(SLC_THREADS)
slc_subtract_kernel(float *ef, const uint16_t *idx, const uint8_t *codes, slc_geom g,
                    const slc_state *st, const unsigned *abort_flag)
{
    if (st->flags || *abort_flag)
        return;
    const int64_t i = (int64_t)blockIdx.x * SLC_THREADS + threadIdx.x;
    if (i >= g.n_kept)
        return;
    int64_t p = slc_pos(g, i / g.k, idx[i]);
    ef[p] = __fsub_rn(ef[p], __fadd_rn(st->lookup[codes[i]], st->shift));
}

/* ------------------------------------------------------------- host */

static unsigned blocks_for(int64_t n)
{
    return (unsigned)((n + SLC_THREADS - 1) / SLC_THREADS);
}

/* What a job's tensor must satisfy before anything runs. */
static cov_status check_job(const cov_sparseloco_cuda *s, const slc_compress_job *j, cov_err *err)
{
    const cov_sparseloco_tensor *out = j->out;
    if (!out || !out->idx || !out->codes || !out->packed || !j->d_ef || !j->d_delta)
        return cov_fail(err, COV_ERR_ARG,
                        "sparseloco (CUDA): compress needs an allocated output, the EF and the "
                        "delta");
    const cov_sparseloco_geom *g = &out->geom;
    cov_sparseloco_geom want;
    cov_status st = cov_sparseloco_geom_init(&want, g->ndim, g->shape, &s->cfg, err);
    if (st != COV_OK)
        return st;
    if (want.h != g->h || want.w != g->w || want.k != g->k || want.n_kept != g->n_kept ||
        out->n_bins != s->cfg.quant_bins)
        return cov_fail(err, COV_ERR_ARG,
                        "sparseloco (CUDA): tensor %s was allocated for another configuration "
                        "(chunk %dx%d, k %d, %d bins)", out->name, g->h, g->w, g->k, out->n_bins);
    if (g->n_chunks > 0x7FFFFFFF || g->n_kept > (size_t)0x7FFFFFFF * SLC_THREADS)
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "sparseloco (CUDA): tensor %s has %lld chunks; at most 2^31 − 1 fit a grid",
                        out->name, (long long)g->n_chunks);
    return COV_OK;
}

/* Workspaces for jobs[0..n): results side by side, scratch for the largest. */
static cov_status reserve_batch(cov_sparseloco_cuda *s, const slc_compress_job *jobs, size_t n,
                                size_t *stage_bytes, cov_err *err)
{
    const size_t bins = (size_t)s->cfg.quant_bins;
    size_t kept = 0, packed = 0, max_kept = 0, max_chunks = 0, used = 0;
    for (size_t i = 0; i < n; i++) {
        const cov_sparseloco_geom *g = &jobs[i].out->geom;
        kept += g->n_kept;
        packed += g->packed_len;
        max_kept = g->n_kept > max_kept ? g->n_kept : max_kept;
        max_chunks = (size_t)g->n_chunks > max_chunks ? (size_t)g->n_chunks : max_chunks;
    }
    slc_take(&used, n, sizeof(slc_state));
    slc_take(&used, kept, sizeof(uint16_t));
    slc_take(&used, kept, 1);
    slc_take(&used, packed, 1);
    *stage_bytes = used;
    cov_status st = slc_reserve((void **)&s->d_states, &s->states_cap, n * sizeof(slc_state), err);
    if (st == COV_OK)
        st = slc_reserve((void **)&s->d_idx, &s->idx_cap, kept * sizeof(uint16_t), err);
    if (st == COV_OK)
        st = slc_reserve((void **)&s->d_codes, &s->codes_cap, kept, err);
    if (st == COV_OK)
        st = slc_reserve((void **)&s->d_packed, &s->packed_cap, packed, err);
    if (st == COV_OK)
        st = slc_reserve((void **)&s->d_vals, &s->vals_cap, max_kept * sizeof(float), err);
    if (st == COV_OK)
        st = slc_reserve((void **)&s->d_partial, &s->partial_cap, max_chunks * sizeof(double), err);
    if (st == COV_OK)
        st = slc_reserve((void **)&s->d_bin_sum, &s->bin_sum_cap,
                         max_chunks * bins * sizeof(double), err);
    if (st == COV_OK)
        st = slc_reserve((void **)&s->d_bin_count, &s->bin_count_cap,
                         max_chunks * bins * sizeof(unsigned), err);
    if (st == COV_OK)
        st = slc_reserve_stage(s, used, err);
    return st;
}

/* Queues, runs and collects one batch. */
static cov_status compress_batch(cov_sparseloco_cuda *s, const slc_compress_job *jobs, size_t n,
                                 cov_err *err)
{
    size_t stage_bytes = 0;
    cov_status st = reserve_batch(s, jobs, n, &stage_bytes, err);
    if (st != COV_OK)
        return st;
    const int n_bins = s->cfg.quant_bins;
    cudaStream_t q = s->stream;
    SLC_CHECK(cudaMemsetAsync(s->d_states, 0, n * sizeof(slc_state), q), "clearing the states");
    SLC_CHECK(cudaMemsetAsync(s->d_abort, 0, sizeof *s->d_abort, q), "clearing a flag");
    size_t kept_at = 0, packed_at = 0;
    for (size_t i = 0; i < n; i++) {
        const cov_sparseloco_geom *g = &jobs[i].out->geom;
        const slc_geom kg = slc_geom_of(g);
        slc_state *state = s->d_states + i;
        uint16_t *idx = s->d_idx + kept_at;
        uint8_t *codes = s->d_codes + kept_at;
        slc_select_kernel<<<(unsigned)g->n_chunks, SLC_THREADS, 0, q>>>(
            jobs[i].d_ef, jobs[i].d_delta, s->cfg.ef_decay, kg, idx, s->d_vals, s->d_partial,
            state, s->d_abort);
        SLC_CHECK(cudaGetLastError(), "launching the top-k kernel");
        const unsigned chunk_blocks = blocks_for(g->n_chunks);
        slc_spread_kernel<<<chunk_blocks, SLC_THREADS, 0, q>>>(
            s->d_vals, kg, s->d_partial, n_bins, s->cfg.quant_range, state, s->d_abort);
        SLC_CHECK(cudaGetLastError(), "launching the spread kernel");
        slc_codes_kernel<<<chunk_blocks, SLC_THREADS, 0, q>>>(
            s->d_vals, idx, kg, n_bins, codes, s->d_packed + packed_at, s->d_bin_sum,
            s->d_bin_count, state, s->d_abort);
        SLC_CHECK(cudaGetLastError(), "launching the quantization kernel");
        slc_subtract_kernel<<<blocks_for((int64_t)g->n_kept), SLC_THREADS, 0, q>>>(
            jobs[i].d_ef, idx, codes, kg, state, s->d_abort);
        SLC_CHECK(cudaGetLastError(), "launching the EF subtraction kernel");
        kept_at += g->n_kept;
        packed_at += g->packed_len;
    }
    size_t used = 0;
    uint8_t *h = s->h_stage;
    const slc_state *states = (const slc_state *)(h + slc_take(&used, n, sizeof(slc_state)));
    const uint16_t *idx = (const uint16_t *)(h + slc_take(&used, kept_at, sizeof(uint16_t)));
    const uint8_t *codes = h + slc_take(&used, kept_at, 1);
    const uint8_t *packed = h + slc_take(&used, packed_at, 1);
    SLC_CHECK(cudaMemcpyAsync((void *)states, s->d_states, n * sizeof(slc_state),
                              cudaMemcpyDeviceToHost, q), "copying the statistics back");
    SLC_CHECK(cudaMemcpyAsync((void *)idx, s->d_idx, kept_at * sizeof(uint16_t),
                              cudaMemcpyDeviceToHost, q), "copying the indices back");
    SLC_CHECK(cudaMemcpyAsync((void *)codes, s->d_codes, kept_at, cudaMemcpyDeviceToHost, q),
              "copying the codes back");
    SLC_CHECK(cudaMemcpyAsync((void *)packed, s->d_packed, packed_at, cudaMemcpyDeviceToHost, q),
              "copying the packed indices back");
    SLC_CHECK(cudaStreamSynchronize(q), "running the compression kernels");
    kept_at = packed_at = 0;
    for (size_t i = 0; i < n; i++) {
        cov_sparseloco_tensor *out = jobs[i].out;
        const cov_sparseloco_geom *g = &out->geom;
        if (states[i].flags & SLC_FLAG_NONFINITE) {
            size_t numel = (size_t)g->shape[0] * (size_t)g->shape[1];
            SLC_CHECK(cudaMemsetAsync(jobs[i].d_ef, 0, numel * sizeof(float), q), "zeroing the EF");
            SLC_CHECK(cudaStreamSynchronize(q), "zeroing the EF");
            return cov_fail(err, COV_ERR_ARG,
                            "sparseloco (CUDA): tensor %s's error feedback became NaN or Inf "
                            "(check the pseudo-gradient); its EF was zeroed and nothing was "
                            "compressed", out->name);
        }
        memcpy(out->idx, idx + kept_at, g->n_kept * sizeof(uint16_t));
        memcpy(out->codes, codes + kept_at, g->n_kept);
        memcpy(out->packed, packed + packed_at, g->packed_len);
        out->shift = states[i].shift;
        out->scale = states[i].scale;
        memcpy(out->lookup, states[i].lookup, (size_t)n_bins * sizeof(float));
        kept_at += g->n_kept;
        packed_at += g->packed_len;
    }
    return COV_OK;
}

cov_status slc_compress_jobs(cov_sparseloco_cuda *s, const slc_compress_job *jobs, size_t n,
                             cov_err *err)
{
    for (size_t i = 0; i < n; i++) {
        cov_status st = check_job(s, &jobs[i], err);
        if (st != COV_OK)
            return st;
    }
    /* Batches of whole tensors up to SLC_BATCH_VALUES kept values (one
     * tensor may exceed it alone). */
    for (size_t first = 0; first < n;) {
        size_t end = first + 1, kept = jobs[first].out->geom.n_kept;
        while (end < n && kept + jobs[end].out->geom.n_kept <= SLC_BATCH_VALUES)
            kept += jobs[end++].out->geom.n_kept;
        cov_status st = compress_batch(s, jobs + first, end - first, err);
        if (st != COV_OK)
            return st;
        first = end;
    }
    return COV_OK;
}

extern "C" cov_status cov_sparseloco_cuda_compress(cov_sparseloco_cuda *s,
                                                   cov_sparseloco_tensor *out, float *d_ef,
                                                   const float *d_delta, cov_err *err)
{
    if (!s)
        return cov_fail(err, COV_ERR_ARG, "sparseloco (CUDA): no compressor given");
    const slc_compress_job job = {out, d_ef, d_delta};
    return slc_compress_jobs(s, &job, 1, err);
}
