/* Consensus: the stake-weighted median of each column (epoch/math.rs
 * weighted_median and weighted_median_col_sparse).
 *
 * The chain builds a dense score vector per column over every validator
 * with stake and runs a midpoint-pivot selection on it. Whatever the pivot
 * order, that selection returns one value (each round keeps the answer in
 * the part it recurses into, see median_select):
 *
 *     the smallest score v with S(score <= v) > minority, or the largest
 *     score if there is none,
 *
 * S summing stake. So a column is solved from its non-zero scores alone,
 * all the zero scores (absent or explicit) being one block at the bottom,
 * and any way of finding that value will do: median_column counts stake
 * into score ranges and selects only within the range holding it.
 * The equivalence needs exact sums, which hold unless stakes are absurd
 * (negative or summing past I32F32::MAX): then the chain's own algorithm
 * runs, densely (median_dense). tests/unit/test_fixed.c checks the two
 * against each other. */
#include <stdlib.h>
#include <string.h>

#include "incentive/yuma_internal.h"

/* The chain's weighted_median over the partition cur[0..len), using
 * lower/upper as scratch of len each. */
static cov_fx32 median_dense(const cov_fx32 *stake, const cov_fx32 *score,
                             size_t *cur, size_t len, size_t *lower, size_t *upper,
                             cov_fx32 minority, cov_fx32 lo, cov_fx32 hi)
{
    size_t limit = len, count = 0;
    for (;;) {
        if (len == 0)
            return 0;
        if (len == 1)
            return score[cur[0]];
        cov_fx32 pivot = score[cur[len / 2]];
        cov_fx32 lo_stake = 0, hi_stake = 0;
        size_t nl = 0, nu = 0;
        for (size_t t = 0; t < len; t++) {
            size_t idx = cur[t];
            if (score[idx] == pivot)
                continue;
            if (score[idx] < pivot) {
                lo_stake = cov_fx32_add_sat(lo_stake, stake[idx]);
                lower[nl++] = idx;
            } else {
                hi_stake = cov_fx32_add_sat(hi_stake, stake[idx]);
                upper[nu++] = idx;
            }
        }
        if (minority < cov_fx32_add_sat(lo, lo_stake) && nl > 0) {
            memcpy(cur, lower, nl * sizeof *cur);
            len = nl;
            hi = cov_fx32_add_sat(lo, lo_stake);
        } else if (cov_fx32_sub_sat(hi, hi_stake) <= minority && nu > 0) {
            memcpy(cur, upper, nu * sizeof *cur);
            len = nu;
            lo = cov_fx32_sub_sat(hi, hi_stake);
        } else {
            return pivot;
        }
        if (++count > limit)
            return 0;
    }
}

cov_fx32 cov_yuma_weighted_median(const cov_fx32 *stake, const cov_fx32 *score,
                                  size_t len, cov_fx32 minority, cov_fx32 lo,
                                  cov_fx32 hi)
{
    if (len == 0)
        return 0;
    size_t *buf = malloc(3 * len * sizeof *buf);
    if (buf == NULL)
        return 0;
    for (size_t t = 0; t < len; t++)
        buf[t] = t;
    cov_fx32 r = median_dense(stake, score, buf, len, buf + len, buf + 2 * len,
                              minority, lo, hi);
    free(buf);
    return r;
}

/* The smallest score v in it[0..len) with S(score <= v) > target, or the
 * largest score if none; len > 0; entries packed score << 16 | k. Why the
 * chain's selection gives this value: it recurses into the lower part only
 * when S(score < pivot) > minority, i.e. when the answer lies below the
 * pivot, into the upper part only when S(score <= pivot) <= minority, i.e.
 * when it lies above, and otherwise returns the pivot, which is then the
 * answer. Partitions are branch-free (the comparisons are coin flips to a
 * branch predictor). */
static cov_fx32 median_select(uint64_t *it, size_t len, uint64_t *lower, uint64_t *upper,
                              const cov_fx32 *stake, cov_fx32 target)
{
    for (;;) {
        uint64_t pivot = it[len / 2] >> 16;
        cov_fx32 s_lo = 0, s_eq = 0;
        size_t nl = 0, nu = 0;
        for (size_t t = 0; t < len; t++) {
            uint64_t x = it[t], sc = x >> 16;
            cov_fx32 st = stake[x & 0xffff];
            int64_t lt = sc < pivot, gt = sc > pivot, eq = !(lt | gt);
            lower[nl] = x;
            upper[nu] = x;
            nl += (size_t)lt;
            nu += (size_t)gt;
            s_lo += st & -lt;
            s_eq += st & -eq;
        }
        if (nl > 0 && s_lo > target) {
            uint64_t *t = it;
            it = lower;
            lower = t;
            len = nl;
        } else if (s_lo + s_eq > target || nu == 0) {
            return (cov_fx32)pivot;
        } else {
            target -= s_lo + s_eq;
            uint64_t *t = it;
            it = upper;
            upper = t;
            len = nu;
        }
    }
}

/* One column, items it[0..len) (score << 16 | k; absent validators score
 * 0), K validators in all with exact stake: the smallest score v with S(score <= v) > minority, or the
 * largest score if none (see median_select). The scores are counted into
 * MEDIAN_BUCKETS ranges of equal width, 0 alone in range 0 (it holds the
 * absent validators too): S and the count of each range in one pass; the
 * answer lies in the first non-empty range where the running S exceeds
 * minority (every lower range adds up to no more), and median_select
 * finds it among that range's entries, minority less the stake below.
 * Needs what median_select needs: non-negative stakes, exact sums. */
#define MEDIAN_BUCKETS 64

static cov_fx32 median_column(uint64_t *it, size_t len, size_t K, cov_i128 exact,
                              cov_fx32 minority, ymed_ws *ws)
{
    const cov_fx32 *stake = ws->use_stake;
    /* the largest score: of the packed entries, the largest >> 16 (a pass
     * over the column here costs less than a maximum kept per column
     * while scattering, a load and a store per entry) */
    uint64_t top = 0;
    for (size_t t = 0; t < len; t++)
        top = it[t] > top ? it[t] : top;
    uint64_t hi = top >> 16;
    /* range of score sc: ceil(sc / 2^shift), at most MEDIAN_BUCKETS - 1 */
    unsigned shift = 0;
    while (((hi + ((uint64_t)1 << shift) - 1) >> shift) >= MEDIAN_BUCKETS)
        shift++;
    /* packed x: range ((x >> 16) + round) >> shift, which is (x + rnd) >>
     * sh, the floors nesting (rnd a multiple of 2^16; x, rnd < 2^63) */
    uint64_t round = ((uint64_t)1 << shift) - 1, rnd = round << 16;
    unsigned sh = shift + 16;
    /* two interleaved tallies: neighbouring scores often share a range,
     * and one tally would chain every update on the previous one */
    cov_fx32 hist[MEDIAN_BUCKETS] = {0}, hist2[MEDIAN_BUCKETS] = {0};
    uint32_t count[MEDIAN_BUCKETS] = {0}, count2[MEDIAN_BUCKETS] = {0};
    size_t u = 0;
    for (; u + 1 < len; u += 2) {
        uint64_t x = it[u], y = it[u + 1];
        size_t bx = (x + rnd) >> sh, by = (y + rnd) >> sh;
        hist[bx] += stake[x & 0xffff];
        count[bx]++;
        hist2[by] += stake[y & 0xffff];
        count2[by]++;
    }
    if (u < len) {
        uint64_t x = it[u];
        size_t bx = (x + rnd) >> sh;
        hist[bx] += stake[x & 0xffff];
        count[bx]++;
    }
    for (unsigned bk = 0; bk < MEDIAN_BUCKETS; bk++) {
        hist[bk] += hist2[bk];
        count[bk] += count2[bk];
    }
    cov_fx32 nz = 0; /* stake of the non-zero scores */
    size_t m = 0;
    for (unsigned bk = 1; bk < MEDIAN_BUCKETS; bk++) {
        nz += hist[bk];
        m += count[bk];
    }
    cov_fx32 below = (cov_fx32)(exact - nz); /* stake of the zero scores */
    if (K > m && (below > minority || m == 0))
        return 0;
    unsigned bk = 1;
    for (; bk < MEDIAN_BUCKETS; bk++) {
        if (count[bk] > 0 && below + hist[bk] > minority)
            break;
        below += hist[bk];
    }
    size_t n = 0;
    if (bk == MEDIAN_BUCKETS) /* S(all) <= minority: the largest score */
        return (cov_fx32)hi;
    /* range bk >= 1 holds the scores in ((bk - 1) 2^shift, bk 2^shift]:
     * packed, the entries x in [lo, lo + width), one unsigned compare (lo
     * < 2^63: the range holds a score below 2^47; width <= 2^63) */
    uint64_t lo = ((((uint64_t)bk - 1) << shift) + 1) << 16, width = (uint64_t)1 << (shift + 16);
    for (size_t t = 0; t < len; t++) {
        uint64_t x = it[t];
        it[n] = x;
        n += x - lo < width;
    }
    return median_select(it, n, ws->part[0], ws->part[1], stake, minority - below);
}

void ymed_ws_free(ymed_ws *ws)
{
    free(ws->colptr);
    free(ws->cursor);
    free(ws->lastrow);
    free(ws->items);
    free(ws->use_stake);
    free(ws->rowk);
    free(ws->part[0]);
    free(ws->part[1]);
    for (int i = 0; i < 3; i++)
        free(ws->idx[i]);
    free(ws->dense);
    memset(ws, 0, sizeof *ws);
}

/* Arrays are regrown in groups; contents are not kept (every caller
 * refills them). */
static bool ws_reserve(ymed_ws *ws, size_t rows, uint16_t columns, size_t nnz)
{
    size_t cols = (size_t)columns + 1;
    if (ws->colptr == NULL || ws->col_cap < cols) {
        free(ws->colptr);
        free(ws->cursor);
        free(ws->lastrow);
            ws->colptr = malloc(cols * sizeof *ws->colptr);
        ws->cursor = malloc(cols * sizeof *ws->cursor);
        ws->lastrow = malloc(cols * sizeof *ws->lastrow);
        ws->col_cap = ws->colptr && ws->cursor && ws->lastrow ? cols : 0;
        if (ws->col_cap == 0)
            return false;
    }
    if (nnz == 0)
        nnz = 1;
    if (ws->items == NULL || ws->c_cap < nnz) {
        free(ws->items);
        ws->items = malloc(nnz * sizeof *ws->items);
        ws->c_cap = ws->items ? nnz : 0;
        if (ws->c_cap == 0)
            return false;
    }
    if (rows == 0)
        rows = 1;
    if (ws->use_stake != NULL && ws->n_cap >= rows)
        return true;
    free(ws->use_stake);
    free(ws->rowk);
    free(ws->dense);
    ws->use_stake = malloc(rows * sizeof *ws->use_stake);
    ws->rowk = malloc(rows * sizeof *ws->rowk);
    ws->dense = malloc(rows * sizeof *ws->dense);
    bool ok = ws->use_stake && ws->rowk && ws->dense;
    for (int i = 0; i < 2; i++) {
        free(ws->part[i]);
        ws->part[i] = malloc(rows * sizeof *ws->part[i]);
        ok = ok && ws->part[i];
    }
    for (int i = 0; i < 3; i++) {
        free(ws->idx[i]);
        ws->idx[i] = malloc(rows * sizeof *ws->idx[i]);
        ok = ok && ws->idx[i];
    }
    ws->n_cap = ok ? rows : 0;
    if (!ok) { /* leave nothing half-made that a later call would trust */
        free(ws->use_stake);
        ws->use_stake = NULL;
    }
    return ok;
}

/* Fills the columns: entry score << 16 | k. A uid repeated in a row
 * overwrites its earlier entry, as the chain's dense fill does (the
 * order of a column's entries does not matter to median_select). Rows
 * sorted by uid, the usual case, are written a band of columns at a time
 * across all rows, so that each column's fill point stays in the L1 cache
 * until its cache line is full; a plain row-by-row transpose would write
 * every entry to a different cache line. False if a score is negative or
 * too large to pack (impossible for the epoch's weights, which are u16 row
 * proportions; the caller then uses the chain's dense algorithm). */
#define MEDIAN_BAND 256

static bool scatter(ymed_ws *ws, const ymat *w, uint16_t columns)
{
    size_t *restrict cur = ws->cursor;
    uint32_t *restrict lastrow = ws->lastrow;
    uint64_t *restrict items = ws->items;
    const uint16_t *wc = w->col;
    const cov_fx32 *wv = w->val;
    size_t *pos = ws->idx[0]; /* per row: where the banded walk stands */
    memcpy(cur, ws->colptr, (size_t)columns * sizeof *cur);
    memset(lastrow, 0xff, (size_t)columns * sizeof *lastrow);
    uint64_t high = 0;
    bool banded = false;
    for (uint32_t i = 0; i < w->rows; i++) {
        uint32_t k = ws->rowk[i];
        pos[i] = SIZE_MAX;
        if (k == UINT32_MAX)
            continue;
        size_t e = w->rowptr[i], end = w->rowptr[i + 1];
        bool sorted = true; /* strictly: no uid twice */
        if (ws->row_up != NULL)
            sorted = ws->row_up[i];
        else
            for (size_t t = e + 1; t < end; t++)
                sorted &= wc[t - 1] < wc[t];
        if (sorted) {
            pos[i] = e;
            banded = true;
            continue;
        }
        for (; e < end; e++) {
            uint16_t j = wc[e];
            if (j >= columns)
                continue;
            size_t at = lastrow[j] == i ? cur[j] - 1 : cur[j]++;
            lastrow[j] = i;
            uint64_t sc = (uint64_t)wv[e];
            high |= sc;
            items[at] = sc << 16 | k;
        }
    }
    /* strictly ascending rows: no uid repeats, so no lastrow; columns
     * past `columns` are never reached (band_end <= columns) */
    for (uint32_t band = 0; banded && band < columns; band += MEDIAN_BAND) {
        uint32_t band_end = band + MEDIAN_BAND < columns ? band + MEDIAN_BAND : columns;
        for (uint32_t i = 0; i < w->rows; i++) {
            if (pos[i] == SIZE_MAX)
                continue;
            uint64_t k = ws->rowk[i];
            size_t e = pos[i], end = w->rowptr[i + 1];
            for (; e < end && wc[e] < band_end; e++) {
                uint16_t j = wc[e];
                uint64_t sc = (uint64_t)wv[e];
                high |= sc;
                items[cur[j]++] = sc << 16 | k;
            }
            pos[i] = e;
        }
    }
    return high >> 47 == 0;
}

bool cov_yuma_weighted_median_col(cov_fx32 *out, const cov_fx32 *stake,
                                  const ymat *w, uint16_t columns,
                                  cov_fx32 majority, ymed_ws *ws)
{
    size_t rows = w->rows, positive = 0;
    for (size_t i = 0; i < rows; i++)
        positive += stake[i] > 0;
    /* a column holds at most one entry per positive-stake row: where that
     * room, for every column, is not much more than the entries there
     * are, columns get it (plus a spare slot) without being counted */
    size_t fixed_room = (size_t)columns * (positive + 1);
    bool fixed = fixed_room <= 2 * (ymat_nnz(w) + columns);
    if (!ws_reserve(ws, rows, columns, fixed ? fixed_room : ymat_nnz(w) + columns))
        return false;

    /* use_stake: the positive stakes, normalised (wrapping sum, safe_div) */
    size_t K = 0;
    cov_fx32 sum = 0;
    for (size_t i = 0; i < rows; i++) {
        if (stake[i] > 0) {
            ws->rowk[i] = (uint32_t)K;
            ws->use_stake[K++] = stake[i];
            sum = cov_fx32_add_wrap(sum, stake[i]);
        } else {
            ws->rowk[i] = UINT32_MAX;
        }
    }
    if (sum != 0)
        for (size_t k = 0; k < K; k++)
            ws->use_stake[k] = cov_fx32_div_safe(ws->use_stake[k], sum);
    cov_fx32 stake_sum = 0;
    cov_i128 exact = 0;
    bool nonneg = true;
    for (size_t k = 0; k < K; k++) {
        stake_sum = cov_fx32_add_wrap(stake_sum, ws->use_stake[k]);
        exact += ws->use_stake[k];
        nonneg = nonneg && ws->use_stake[k] >= 0;
    }
    cov_fx32 minority = cov_fx32_sub_sat(stake_sum, majority);
    if (K == 0) {
        memset(out, 0, (size_t)columns * sizeof *out);
        return true;
    }

    /* columns of the positive-stake rows; a duplicate (k, j) overwrites,
     * as the chain's dense fill does */
    size_t *restrict cp = ws->colptr;
    uint64_t *items = ws->items;
    const uint32_t *rowk = ws->rowk;
    memset(cp, 0, ((size_t)columns + 1) * sizeof *cp);
    if (fixed) {
        for (size_t j = 0; j <= columns; j++)
            cp[j] = j * (K + 1);
    } else {
        for (size_t i = 0; i < rows; i++) {
            if (rowk[i] == UINT32_MAX)
                continue;
            for (size_t e = w->rowptr[i]; e < w->rowptr[i + 1]; e++)
                if (w->col[e] < columns)
                    cp[w->col[e] + 1]++;
        }
        /* one spare slot per column: with a power-of-two number of
         * validators the columns would start a power of two apart, all in
         * the same cache sets */
        for (size_t j = 0; j < columns; j++)
            cp[j + 1] += cp[j] + 1;
    }
    const size_t *cur = ws->cursor;
    bool packed = scatter(ws, w, columns);
    bool fast = packed && nonneg && exact <= INT64_MAX;
    /* column j: items[cp[j] .. cur[j]) (fewer than counted if a row
     * repeated a uid) */
    for (size_t j = 0; j < columns; j++) {
        size_t a = cp[j], b = cur[j];
        if (!fast) {
            /* the chain's dense algorithm */
            memset(ws->dense, 0, K * sizeof *ws->dense);
            if (packed) {
                for (size_t e = a; e < b; e++)
                    ws->dense[items[e] & 0xffff] = (cov_fx32)(items[e] >> 16);
            } else { /* scores that do not pack: read the column from W */
                for (size_t i = 0; i < rows; i++)
                    if (rowk[i] != UINT32_MAX)
                        for (size_t e = w->rowptr[i]; e < w->rowptr[i + 1]; e++)
                            if (w->col[e] == j)
                                ws->dense[rowk[i]] = w->val[e];
            }
            for (size_t k = 0; k < K; k++)
                ws->idx[0][k] = k;
            out[j] = median_dense(ws->use_stake, ws->dense, ws->idx[0], K, ws->idx[1],
                                  ws->idx[2], minority, 0, stake_sum);
            continue;
        }
        out[j] = median_column(items + a, b - a, K, exact, minority, ws);
    }
    return true;
}
