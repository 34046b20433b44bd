/* The SparseLoCo compressor (templar.md §2.2): EF update, per-chunk top-k,
 * quantization, packing and the EF subtraction, with workspaces reused from
 * call to call.
 *
 * Top-k: each element gets the key (bits of |e|) << 32 | (0xFFFF − l).
 * For non-negative floats the bit pattern orders like the value, so a larger
 * key is a larger |e| or, on a tie, a smaller chunk-local index l: exactly
 * the documented tie rule. A min-heap of k keys keeps the best so far; after
 * it fills, most elements cost one comparison with its root. */
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
    st = cov_sparseloco_reserve(s, 0, 0, err);
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

cov_status cov_sparseloco_reserve(cov_sparseloco *s, size_t n_kept, size_t numel, cov_err *err)
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
            sc->heap = malloc(L * sizeof *sc->heap);
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
    if (n_kept > s->vals_cap) {
        float *v = realloc(s->vals, n_kept * sizeof *v);
        if (!v)
            return cov_fail(err, COV_ERR_NOMEM, "sparseloco: out of memory for %zu kept values", n_kept);
        s->vals = v;
        s->vals_cap = n_kept;
    }
    if (numel > s->dense_cap) {
        float *d = realloc(s->dense, numel * sizeof *d);
        if (!d)
            return cov_fail(err, COV_ERR_NOMEM, "sparseloco: out of memory for a %zu-element update", numel);
        s->dense = d;
        s->dense_cap = numel;
    }
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

/* EF update and selection for chunk c straight on the tensor (no DCT).
 * Returns the largest |e| bit pattern seen, for the finiteness check. */
static uint32_t select_chunk_direct(const cov_sparseloco_geom *g, int64_t c, float *ef,
                                    const float *delta, float beta, uint16_t *idx, float *vals,
                                    cov_sparseloco_scratch *sc)
{
    const int h = g->h, w = g->w, k = g->k;
    int filled = 0;
    uint32_t maxbits = 0;
    size_t base = cov_sparseloco_pos(g, c, 0);
    for (int hh = 0; hh < h; hh++) {
        float *e = ef + base + (size_t)hh * (size_t)g->stride;
        const float *d = delta + base + (size_t)hh * (size_t)g->stride;
        for (int ww = 0; ww < w; ww++)
            e[ww] = beta * e[ww] + d[ww];
        for (int ww = 0; ww < w; ww++) {
            uint32_t bits;
            memcpy(&bits, &e[ww], sizeof bits);
            bits &= 0x7FFFFFFFu;
            maxbits = bits > maxbits ? bits : maxbits;
            heap_offer(sc->heap, k, &filled, e[ww], hh * w + ww);
        }
    }
    heap_indices_sorted(idx, sc->heap, k, g->chunk_len, sc->mark);
    for (int j = 0; j < k; j++) {
        int l = idx[j];
        vals[j] = ef[base + (size_t)(l / w) * (size_t)g->stride + (size_t)(l % w)];
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
    st = cov_sparseloco_reserve(s, g->n_kept, 0, err);
    if (st != COV_OK)
        return st;
    if (s->cfg.use_dct)
        cov_sparseloco_bases(s, g);

    const float beta = s->cfg.ef_decay;
    const int64_t n_chunks = g->n_chunks;
    const int k = g->k;
    uint32_t maxbits = 0;
    float *vals = s->vals;
#pragma omp parallel for schedule(static) reduction(max : maxbits) num_threads(s->n_threads)
    for (int64_t c = 0; c < n_chunks; c++) {
        cov_sparseloco_scratch *sc = &s->scratch[cov_sparseloco_thread()];
        uint16_t *idx = out->idx + (size_t)c * (size_t)k;
        float *v = vals + (size_t)c * (size_t)k;
        uint32_t m = s->cfg.use_dct ? select_chunk_dct(s, g, c, ef, delta, beta, idx, v, sc)
                                    : select_chunk_direct(g, c, ef, delta, beta, idx, v, sc);
        maxbits = m > maxbits ? m : maxbits;
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

#pragma omp parallel for schedule(static) num_threads(s->n_threads)
    for (int64_t c = 0; c < n_chunks; c++)
        subtract_chunk(s, g, c, ef, out, &s->scratch[cov_sparseloco_thread()]);
    return COV_OK;
}
