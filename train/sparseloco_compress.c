/* The SparseLoCo compressor (templar.md §2.2): EF update, per-chunk top-k,
 * quantization, packing and the EF subtraction, with workspaces reused from
 * call to call.
 *
 * Top-k: each element gets the key (bits of |e|) << 32 | (0xFFFF − l).
 * For non-negative floats the bit pattern orders like the value, so a larger
 * key is a larger |e| or, on a tie, a smaller chunk-local index l: exactly
 * the documented tie rule. Without DCT, select_band_direct bounds each
 * chunk's k-th |e| with a histogram and keeps the k largest keys of the few
 * elements above that bound. With DCT, which is optional and off for 72B, a
 * min-heap of k keys runs over each transformed chunk. */
#include "train/sparseloco_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void scratch_free(cov_sparseloco_scratch *t)
{
    free(t->heap);
    free(t->mark);
    free(t->chunk);
    free(t->coef);
    free(t->count);
    free(t->tmp);
    free(t->band);
    free(t->band_filled);
    free(t->band_need);
    free(t->row_bits);
    free(t->band_hist);
}

cov_status cov_sparseloco_new(cov_sparseloco **out, const cov_sparseloco_config *cfg, cov_err *err)
{
    *out = NULL;
    cov_status st = cov_sparseloco_config_check(cfg, err);
    if (st != COV_OK)
        return st;
    cov_sparseloco *s = calloc(1, sizeof *s);
    if (!s)
        return cov_fail(err, COV_ERR_NOMEM, "sparseloco: out of memory");
    s->cfg = *cfg;
    s->basis_h = malloc(COV_SPARSELOCO_MAX_CHUNK_LEN * sizeof *s->basis_h);
    s->basis_w = malloc(COV_SPARSELOCO_MAX_CHUNK_LEN * sizeof *s->basis_w);
    if (!s->basis_h || !s->basis_w) {
        cov_sparseloco_free(s);
        return cov_fail(err, COV_ERR_NOMEM, "sparseloco: out of memory");
    }
    st = cov_sparseloco_reserve(s, 0, 0, 0, 0, 0, err);
    if (st != COV_OK) {
        cov_sparseloco_free(s);
        return st;
    }
    *out = s;
    return COV_OK;
}

void cov_sparseloco_free(cov_sparseloco *s)
{
    if (!s)
        return;
    for (int t = 0; t < s->n_threads; t++)
        scratch_free(&s->scratch[t]);
    free(s->scratch);
    free(s->vals);
    free(s->dense);
    free(s->basis_h);
    free(s->basis_w);
    free(s);
}

const cov_sparseloco_config *cov_sparseloco_get_config(const cov_sparseloco *s)
{
    return &s->cfg;
}

/* Grows *p to hold n elements of size bytes when *cap is smaller; *cap
 * becomes n. False (and nothing changed) if memory runs out. */
static bool grow(void **p, size_t *cap, size_t n, size_t size)
{
    if (n <= *cap)
        return true;
    void *q = realloc(*p, n * size);
    if (!q)
        return false;
    *p = q;
    *cap = n;
    return true;
}

cov_status cov_sparseloco_reserve(cov_sparseloco *s, size_t n_kept, size_t numel,
                                  size_t band_chunks, int k, size_t row_len, cov_err *err)
{
    int want = 1;
#ifdef _OPENMP
    want = omp_get_max_threads();
#endif
    if (want > s->n_threads) {
        cov_sparseloco_scratch *grown = calloc((size_t)want, sizeof *grown);
        if (!grown)
            return cov_fail(err, COV_ERR_NOMEM, "sparseloco: out of memory for %d threads' scratch", want);
        for (int t = 0; t < want; t++) {
            cov_sparseloco_scratch *sc = &grown[t];
            const size_t L = COV_SPARSELOCO_MAX_CHUNK_LEN;
            /* also quickselect's copy of a band's candidates (≤ L + a row) */
            sc->heap = malloc((L + COV_SPARSELOCO_MAX_CHUNK) * sizeof *sc->heap);
            sc->mark = calloc(L, 1);
            sc->chunk = malloc(L * sizeof *sc->chunk);
            sc->coef = malloc(L * sizeof *sc->coef);
            sc->count = calloc(L, sizeof *sc->count);
            sc->tmp = malloc(L * sizeof *sc->tmp);
            if (!sc->heap || !sc->mark || !sc->chunk || !sc->coef || !sc->count || !sc->tmp) {
                for (int u = 0; u <= t; u++)
                    scratch_free(&grown[u]);
                free(grown);
                return cov_fail(err, COV_ERR_NOMEM, "sparseloco: out of memory for thread scratch");
            }
        }
        for (int t = 0; t < s->n_threads; t++)
            scratch_free(&s->scratch[t]);
        free(s->scratch);
        s->scratch = grown;
        s->n_threads = want;
    }
    size_t keys = band_chunks * (size_t)k; /* k: keys per chunk */
    bool ok = true;
    for (int t = 0; t < s->n_threads; t++) {
        cov_sparseloco_scratch *sc = &s->scratch[t];
        ok = ok && grow((void **)&sc->row_bits, &sc->row_cap, row_len, sizeof *sc->row_bits);
        ok = ok && grow((void **)&sc->band, &sc->band_cap, keys, sizeof *sc->band);
        size_t have = sc->band_chunks;
        ok = ok && grow((void **)&sc->band_filled, &have, band_chunks, sizeof *sc->band_filled);
        have = sc->band_chunks;
        ok = ok && grow((void **)&sc->band_need, &have, band_chunks, sizeof *sc->band_need);
        have = sc->band_chunks;
        ok = ok && grow((void **)&sc->band_hist, &have, band_chunks,
                        2 * COV_SPARSELOCO_HIST_BINS * sizeof *sc->band_hist);
        if (ok)
            sc->band_chunks = have;
    }
    ok = ok && grow((void **)&s->vals, &s->vals_cap, n_kept, sizeof *s->vals);
    ok = ok && grow((void **)&s->dense, &s->dense_cap, numel, sizeof *s->dense);
    if (!ok)
        return cov_fail(err, COV_ERR_NOMEM,
                        "sparseloco: out of memory for workspaces (%zu kept values, %zu elements)",
                        n_kept, numel);
    return COV_OK;
}

void cov_sparseloco_bases(cov_sparseloco *s, const cov_sparseloco_geom *g)
{
    if (s->basis_h_n != g->h) {
        cov_dct_basis(s->basis_h, g->h);
        s->basis_h_n = g->h;
    }
    if (s->basis_w_n != g->w) {
        cov_dct_basis(s->basis_w, g->w);
        s->basis_w_n = g->w;
    }
}

/* ------------------------------------------------------------- top-k */

static inline uint64_t topk_key(float v, int l)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    return (uint64_t)(bits & 0x7FFFFFFFu) << 32 | (uint32_t)(0xFFFFu - (unsigned)l);
}

static inline void heap_sift_down(uint64_t *heap, int k, int i)
{
    uint64_t v = heap[i];
    for (;;) {
        int c = 2 * i + 1;
        if (c >= k)
            break;
        if (c + 1 < k && heap[c + 1] < heap[c])
            c++;
        if (heap[c] >= v)
            break;
        heap[i] = heap[c];
        i = c;
    }
    heap[i] = v;
}

/* Offers element l of value v to a heap holding `*filled` of k keys. */
static inline void heap_offer(uint64_t *heap, int k, int *filled, float v, int l)
{
    uint64_t key = topk_key(v, l);
    if (*filled < k) {
        heap[(*filled)++] = key;
        if (*filled == k)
            for (int i = k / 2 - 1; i >= 0; i--)
                heap_sift_down(heap, k, i);
    } else if (key > heap[0]) {
        heap[0] = key;
        heap_sift_down(heap, k, 0);
    }
}

/* The heap's chunk-local indices, ascending, into idx[0..k). */
static void heap_indices_sorted(uint16_t *idx, const uint64_t *heap, int k, int chunk_len, uint8_t *mark)
{
    if (k <= 96) {
        for (int i = 0; i < k; i++) {
            uint16_t l = (uint16_t)(0xFFFFu - (uint32_t)(heap[i] & 0xFFFFu));
            int j = i;
            while (j > 0 && idx[j - 1] > l) {
                idx[j] = idx[j - 1];
                j--;
            }
            idx[j] = l;
        }
        return;
    }
    for (int i = 0; i < k; i++)
        mark[0xFFFFu - (uint32_t)(heap[i] & 0xFFFFu)] = 1;
    int n = 0;
    for (int l = 0; l < chunk_len; l++)
        if (mark[l]) {
            mark[l] = 0;
            idx[n++] = (uint16_t)l;
        }
}

/* The k-th largest of keys[0..n) (n > k ≥ 1), by quickselect on a copy. */
static uint64_t kth_largest(const uint64_t *keys, int n, int k, uint64_t *tmp)
{
    memcpy(tmp, keys, (size_t)n * sizeof *tmp);
    int lo = 0, hi = n - 1, want = k - 1; /* position in descending order */
    while (lo < hi) {
        uint64_t pivot = tmp[lo + (hi - lo) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (tmp[i] > pivot)
                i++;
            while (tmp[j] < pivot)
                j--;
            if (i <= j) {
                uint64_t t = tmp[i];
                tmp[i++] = tmp[j];
                tmp[j--] = t;
            }
        }
        if (want <= j)
            hi = j;
        else if (want >= i)
            lo = i;
        else
            break;
    }
    return tmp[want];
}

/* Keeps, in order, the k keys ≥ the k-th largest (keys are distinct);
 * returns the |e| bits a newcomer must exceed from now on. */
static uint32_t compact(uint64_t *keys, int *n, int k, uint64_t *tmp)
{
    uint64_t t = kth_largest(keys, *n, k, tmp);
    int m = 0;
    for (int i = 0; i < *n; i++)
        if (keys[i] >= t)
            keys[m++] = keys[i];
    *n = m;
    return (uint32_t)(t >> 32);
}

/* EF update and selection for band yi, the x chunks side by side in rows
 * yi·h … yi·h + h − 1, straight on the tensor (no DCT). Whole rows are
 * swept, so memory is read in order.
 *
 * Sweep 1 updates the EF and histograms each chunk's |e| by its top bits
 * (exponent and one mantissa bit): the bin where, counting down from the
 * top, k elements are reached bounds the k-th largest from below, so
 * nothing under that bin can be selected. Sweep 2 lists each chunk's
 * elements at or above it as keys (branch-free); a chunk's keys arrive in
 * ascending chunk-local index. Should a list fill up it is cut back to its
 * k best (in order), and from then on a newcomer must beat the k-th best
 * |e| strictly, a tie having the larger index. The final cut leaves the k
 * best, index-ascending, with no sort. Returns the largest |e| bit pattern
 * seen, for the finiteness check. */
static uint32_t select_band_direct(const cov_sparseloco_geom *g, int64_t yi, float *ef,
                                   const float *delta, float beta, uint16_t *idx_band,
                                   float *vals_band, cov_sparseloco_scratch *sc)
{
    const int h = g->h, w = g->w, k = g->k, cap = cov_sparseloco_band_cap(g);
    const int64_t x = g->x;
    const size_t row_len = (size_t)(x * w);
    uint32_t maxbits = 0;
    int *count = sc->band_filled;
    uint32_t *need = sc->band_need;
    uint16_t *hist = sc->band_hist;
    memset(hist, 0, (size_t)x * 2 * COV_SPARSELOCO_HIST_BINS * sizeof *hist);
    for (int hh = 0; hh < h; hh++) {
        size_t row = (size_t)(yi * h + hh) * (size_t)g->stride;
        float *e = ef + row;
        const float *d = delta + row;
        uint32_t *rb = sc->row_bits;
        for (size_t i = 0; i < row_len; i++) {
            float v = beta * e[i] + d[i];
            e[i] = v;
            uint32_t bits;
            memcpy(&bits, &v, sizeof bits);
            bits &= 0x7FFFFFFFu;
            rb[i] = bits;
            maxbits = bits > maxbits ? bits : maxbits;
        }
        /* Two interleaved counters per bin: neighbours often share a bin,
         * and one counter would chain each increment on the last. */
        for (int64_t xi = 0; xi < x; xi++) {
            uint16_t *hx = hist + (size_t)xi * 2 * COV_SPARSELOCO_HIST_BINS;
            const uint32_t *seg = rb + (size_t)xi * (size_t)w;
            int ww = 0;
            for (; ww + 1 < w; ww += 2) {
                hx[seg[ww] >> COV_SPARSELOCO_HIST_SHIFT]++;
                hx[COV_SPARSELOCO_HIST_BINS + (seg[ww + 1] >> COV_SPARSELOCO_HIST_SHIFT)]++;
            }
            if (ww < w)
                hx[seg[ww] >> COV_SPARSELOCO_HIST_SHIFT]++;
        }
    }
    for (int64_t xi = 0; xi < x; xi++) {
        const uint16_t *hx = hist + (size_t)xi * 2 * COV_SPARSELOCO_HIST_BINS;
        const uint16_t *hy = hx + COV_SPARSELOCO_HIST_BINS;
        int b = COV_SPARSELOCO_HIST_BINS - 1, seen = hx[b] + hy[b];
        while (seen < k && b > 0) {
            b--;
            seen += hx[b] + hy[b];
        }
        need[xi] = (uint32_t)b << COV_SPARSELOCO_HIST_SHIFT;
        count[xi] = 0;
    }
    for (int hh = 0; hh < h; hh++) {
        const float *e = ef + (size_t)(yi * h + hh) * (size_t)g->stride;
        for (size_t i = 0; i < row_len; i++) {
            uint32_t bits;
            memcpy(&bits, &e[i], sizeof bits);
            sc->row_bits[i] = bits & 0x7FFFFFFFu;
        }
        for (int64_t xi = 0; xi < x; xi++) {
            uint64_t *keys = sc->band + (size_t)xi * (size_t)cap;
            int n = count[xi];
            if (n > cap - w && n > k)
                need[xi] = compact(keys, &n, k, sc->heap) + 1;
            const uint32_t floor_bits = need[xi];
            const uint32_t l0 = 0xFFFFu - (uint32_t)(hh * w);
            const uint32_t *bits_seg = sc->row_bits + (size_t)xi * (size_t)w;
            for (int ww = 0; ww < w; ww += 8) {
                int end = ww + 8 < w ? ww + 8 : w;
                uint32_t top = 0;
                for (int j = ww; j < end; j++)
                    top = bits_seg[j] > top ? bits_seg[j] : top;
                if (top < floor_bits)
                    continue; /* most blocks: nothing here can be chosen */
                for (int j = ww; j < end; j++) {
                    keys[n] = (uint64_t)bits_seg[j] << 32 | (l0 - (uint32_t)j);
                    n += bits_seg[j] >= floor_bits;
                }
            }
            count[xi] = n;
        }
    }
    for (int64_t xi = 0; xi < x; xi++) {
        uint64_t *keys = sc->band + (size_t)xi * (size_t)cap;
        int n = count[xi];
        if (n > k)
            compact(keys, &n, k, sc->heap);
        uint16_t *idx = idx_band + (size_t)xi * (size_t)k;
        float *vals = vals_band + (size_t)xi * (size_t)k;
        size_t base = cov_sparseloco_pos(g, yi * x + xi, 0);
        for (int j = 0; j < k; j++) {
            int l = (int)(0xFFFFu - (uint32_t)(keys[j] & 0xFFFFu));
            idx[j] = (uint16_t)l;
            vals[j] = ef[base + (size_t)(l / w) * (size_t)g->stride + (size_t)(l % w)];
        }
    }
    return maxbits;
}

/* The same in DCT space: update, gather, transform, select coefficients. */
static uint32_t select_chunk_dct(const cov_sparseloco *s, const cov_sparseloco_geom *g, int64_t c,
                                 float *ef, const float *delta, float beta, uint16_t *idx,
                                 float *vals, cov_sparseloco_scratch *sc)
{
    const int h = g->h, w = g->w, k = g->k;
    uint32_t maxbits = 0;
    size_t base = cov_sparseloco_pos(g, c, 0);
    for (int hh = 0; hh < h; hh++) {
        float *e = ef + base + (size_t)hh * (size_t)g->stride;
        const float *d = delta + base + (size_t)hh * (size_t)g->stride;
        for (int ww = 0; ww < w; ww++) {
            e[ww] = beta * e[ww] + d[ww];
            sc->chunk[hh * w + ww] = e[ww];
            uint32_t bits;
            memcpy(&bits, &e[ww], sizeof bits);
            bits &= 0x7FFFFFFFu;
            maxbits = bits > maxbits ? bits : maxbits;
        }
    }
    cov_dct_forward(sc->coef, sc->chunk, h, w, s->basis_h, s->basis_w, sc->tmp);
    int filled = 0;
    for (int l = 0; l < g->chunk_len; l++)
        heap_offer(sc->heap, k, &filled, sc->coef[l], l);
    heap_indices_sorted(idx, sc->heap, k, g->chunk_len, sc->mark);
    for (int j = 0; j < k; j++)
        vals[j] = sc->coef[idx[j]];
    return maxbits;
}

/* e ← e − decode(dequantized) for chunk c. */
static void subtract_chunk(const cov_sparseloco *s, const cov_sparseloco_geom *g, int64_t c,
                           float *ef, const cov_sparseloco_tensor *t, cov_sparseloco_scratch *sc)
{
    const int k = g->k, w = g->w;
    const uint16_t *idx = t->idx + (size_t)c * (size_t)k;
    const uint8_t *codes = t->codes + (size_t)c * (size_t)k;
    size_t base = cov_sparseloco_pos(g, c, 0);
    if (!s->cfg.use_dct) {
        for (int j = 0; j < k; j++) {
            int l = idx[j];
            ef[base + (size_t)(l / w) * (size_t)g->stride + (size_t)(l % w)] -=
                t->lookup[codes[j]] + t->shift;
        }
        return;
    }
    memset(sc->coef, 0, (size_t)g->chunk_len * sizeof *sc->coef);
    for (int j = 0; j < k; j++)
        sc->coef[idx[j]] = t->lookup[codes[j]] + t->shift;
    cov_dct_inverse(sc->chunk, sc->coef, g->h, w, s->basis_h, s->basis_w, sc->tmp);
    for (int hh = 0; hh < g->h; hh++) {
        float *e = ef + base + (size_t)hh * (size_t)g->stride;
        for (int ww = 0; ww < w; ww++)
            e[ww] -= sc->chunk[hh * w + ww];
    }
}

cov_status cov_sparseloco_compress(cov_sparseloco *s, cov_sparseloco_tensor *out, float *ef,
                                   const float *delta, cov_err *err)
{
    const cov_sparseloco_geom *g = &out->geom;
    if (!out->idx || !ef || !delta)
        return cov_fail(err, COV_ERR_ARG, "sparseloco: compress needs an allocated output, the EF and the delta");
    cov_sparseloco_geom want;
    cov_status st = cov_sparseloco_geom_init(&want, g->ndim, g->shape, &s->cfg, err);
    if (st != COV_OK)
        return st;
    if (want.h != g->h || want.w != g->w || want.k != g->k || out->n_bins != s->cfg.quant_bins)
        return cov_fail(err, COV_ERR_ARG,
                        "sparseloco: tensor %s was allocated for another configuration (chunk %dx%d, k %d, %d bins)",
                        out->name, g->h, g->w, g->k, out->n_bins);
    st = cov_sparseloco_reserve(s, g->n_kept, 0, (size_t)g->x, cov_sparseloco_band_cap(g),
                                (size_t)(g->x * g->w), err);
    if (st != COV_OK)
        return st;
    if (s->cfg.use_dct)
        cov_sparseloco_bases(s, g);

    const float beta = s->cfg.ef_decay;
    const bool par = (size_t)g->shape[0] * (size_t)g->shape[1] >= COV_SPARSELOCO_PARALLEL_MIN;
    const int64_t n_chunks = g->n_chunks;
    const int k = g->k;
    uint32_t maxbits = 0;
    float *vals = s->vals;
    if (s->cfg.use_dct) {
#pragma omp parallel for schedule(dynamic) reduction(max : maxbits) num_threads(s->n_threads) if (par)
        for (int64_t c = 0; c < n_chunks; c++) {
            cov_sparseloco_scratch *sc = &s->scratch[cov_sparseloco_thread()];
            uint32_t m = select_chunk_dct(s, g, c, ef, delta, beta, out->idx + (size_t)c * (size_t)k,
                                          vals + (size_t)c * (size_t)k, sc);
            maxbits = m > maxbits ? m : maxbits;
        }
    } else {
        const int64_t x = g->x;
#pragma omp parallel for schedule(dynamic) reduction(max : maxbits) num_threads(s->n_threads) if (par)
        for (int64_t yi = 0; yi < g->y; yi++) {
            cov_sparseloco_scratch *sc = &s->scratch[cov_sparseloco_thread()];
            size_t first = (size_t)(yi * x) * (size_t)k;
            uint32_t m = select_band_direct(g, yi, ef, delta, beta, out->idx + first, vals + first, sc);
            maxbits = m > maxbits ? m : maxbits;
        }
    }
    if (maxbits >= 0x7F800000u) {
        size_t numel = (size_t)g->shape[0] * (size_t)g->shape[1];
        memset(ef, 0, numel * sizeof *ef);
        return cov_fail(err, COV_ERR_ARG,
                        "sparseloco: tensor %s's error feedback became NaN or Inf (check the "
                        "pseudo-gradient); its EF was zeroed and nothing was compressed",
                        out->name);
    }

    cov_sparseloco_quantize(out->codes, &out->shift, &out->scale, out->lookup, vals, g->n_kept,
                            s->cfg.quant_bins, s->cfg.quant_range);
    cov_sparseloco_pack12(out->packed, out->idx, g->n_kept);

#pragma omp parallel for schedule(static) num_threads(s->n_threads) if (par)
    for (int64_t c = 0; c < n_chunks; c++)
        subtract_chunk(s, g, c, ef, out, &s->scratch[cov_sparseloco_thread()]);
    return COV_OK;
}
