/* Consensus: the stake-weighted median of each column (epoch/math.rs
 * weighted_median and weighted_median_col_sparse).
 *
 * The chain builds a dense score vector per column over every validator
 * with stake and runs a midpoint-pivot selection on it. The result depends
 * on the exact pivot sequence, so this reproduces it; but most scores of a
 * column are zero (no entry, or an explicit zero), and zeros always move
 * together (they compare equal), so they are kept as one group whose
 * positions are known: a column costs O(its entries) per round instead of
 * O(validators). A dense exact fallback covers stakes whose sums could
 * saturate (only reachable with absurd stakes). */
#include <stdlib.h>
#include <string.h>

#include "incentive/yuma_internal.h"

/* The chain's weighted_median over the partition idx[0..len), using
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

/* The same selection with the column's zeros as one group. L holds the
 * partition's non-zero scores in validator order; `zeros` says whether the
 * zero group (zc validators, stake zs) is in the partition. The merged
 * position of L[t] is t plus the zeros before it: L[t].k - L[t].g. */
static cov_fx32 median_grouped(ymed_item *L, size_t nL, ymed_item *lower,
                               ymed_item *upper, size_t zc, cov_fx32 zs,
                               cov_fx32 minority, cov_fx32 lo, cov_fx32 hi)
{
    bool zeros = zc > 0;
    for (;;) {
        size_t len = nL + (zeros ? zc : 0);
        if (len == 0)
            return 0;
        if (len == 1)
            return nL == 1 ? L[0].score : 0;
        size_t mid = len / 2;
        cov_fx32 pivot;
        if (!zeros) {
            pivot = L[mid].score;
        } else {
            pivot = 0; /* unless a non-zero score sits at `mid` */
            size_t a = 0, b = nL;
            while (a < b) {
                size_t t = a + (b - a) / 2;
                size_t pos = t + (L[t].k - L[t].g);
                if (pos == mid) {
                    pivot = L[t].score;
                    break;
                }
                if (pos < mid)
                    a = t + 1;
                else
                    b = t;
            }
        }
        /* stakes are non-negative and their total fits: plain sums equal
         * the chain's saturating ones */
        cov_fx32 lo_stake = 0, hi_stake = 0;
        size_t nl = 0, nu = 0;
        for (size_t t = 0; t < nL; t++) {
            if (L[t].score == pivot)
                continue;
            if (L[t].score < pivot) {
                lo_stake += L[t].stake;
                lower[nl++] = L[t];
            } else {
                hi_stake += L[t].stake;
                upper[nu++] = L[t];
            }
        }
        bool zeros_lower = zeros && 0 < pivot, zeros_upper = zeros && 0 > pivot;
        if (zeros_lower)
            lo_stake += zs;
        if (zeros_upper)
            hi_stake += zs;
        if (minority < cov_fx32_add_sat(lo, lo_stake) && (nl > 0 || zeros_lower)) {
            memcpy(L, lower, nl * sizeof *L);
            nL = nl;
            zeros = zeros_lower;
            hi = cov_fx32_add_sat(lo, lo_stake);
        } else if (cov_fx32_sub_sat(hi, hi_stake) <= minority && (nu > 0 || zeros_upper)) {
            memcpy(L, upper, nu * sizeof *L);
            nL = nu;
            zeros = zeros_upper;
            lo = cov_fx32_sub_sat(hi, hi_stake);
        } else {
            return pivot;
        }
    }
}

void ymed_ws_free(ymed_ws *ws)
{
    free(ws->colptr);
    free(ws->ck);
    free(ws->cv);
    free(ws->use_stake);
    free(ws->rowk);
    for (int i = 0; i < 3; i++) {
        free(ws->items[i]);
        free(ws->idx[i]);
    }
    free(ws->dense);
    memset(ws, 0, sizeof *ws);
}

/* Arrays are regrown in groups; contents are not kept (every caller
 * refills them). */
static bool ws_reserve(ymed_ws *ws, size_t rows, uint16_t columns, size_t nnz)
{
    if (ws->colptr == NULL || ws->colptr_cap < (size_t)columns + 1) {
        free(ws->colptr);
        ws->colptr = malloc(((size_t)columns + 1) * sizeof *ws->colptr);
        ws->colptr_cap = ws->colptr ? (size_t)columns + 1 : 0;
        if (ws->colptr == NULL)
            return false;
    }
    if (nnz == 0)
        nnz = 1;
    if (ws->ck == NULL || ws->cv == NULL || ws->c_cap < nnz) {
        free(ws->ck);
        free(ws->cv);
        ws->ck = malloc(nnz * sizeof *ws->ck);
        ws->cv = malloc(nnz * sizeof *ws->cv);
        ws->c_cap = ws->ck && ws->cv ? nnz : 0;
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
    for (int i = 0; i < 3; i++) {
        free(ws->items[i]);
        free(ws->idx[i]);
        ws->items[i] = malloc(rows * sizeof *ws->items[i]);
        ws->idx[i] = malloc(rows * sizeof *ws->idx[i]);
        ok = ok && ws->items[i] && ws->idx[i];
    }
    ws->n_cap = ok ? rows : 0;
    if (!ok) { /* leave nothing half-made that a later call would trust */
        free(ws->use_stake);
        ws->use_stake = NULL;
    }
    return ok;
}

bool cov_yuma_weighted_median_col(cov_fx32 *out, const cov_fx32 *stake,
                                  const ymat *w, uint16_t columns,
                                  cov_fx32 majority, ymed_ws *ws)
{
    size_t rows = w->rows;
    if (!ws_reserve(ws, rows, columns, ymat_nnz(w)))
        return false;

    /* use_stake: the positive stakes, normalised (wrapping sum, safe_div) */
    size_t K = 0;
    cov_fx32 sum = 0;
    for (size_t i = 0; i < rows; i++) {
        if (stake[i] > 0) {
            ws->rowk[i] = K;
            ws->use_stake[K++] = stake[i];
            sum = cov_fx32_add_wrap(sum, stake[i]);
        } else {
            ws->rowk[i] = SIZE_MAX;
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

    /* columns of the positive-stake rows, in validator order; a duplicate
     * (k, j) overwrites, as the chain's dense fill does */
    size_t *cp = ws->colptr;
    memset(cp, 0, ((size_t)columns + 1) * sizeof *cp);
    for (size_t i = 0; i < rows; i++) {
        if (ws->rowk[i] == SIZE_MAX)
            continue;
        for (size_t e = w->rowptr[i]; e < w->rowptr[i + 1]; e++)
            if (w->col[e] < columns)
                cp[w->col[e] + 1]++;
    }
    for (size_t j = 0; j < columns; j++)
        cp[j + 1] += cp[j];
    /* fill, cp[j] serving as column j's cursor */
    for (size_t i = 0; i < rows; i++) {
        size_t k = ws->rowk[i];
        if (k == SIZE_MAX)
            continue;
        for (size_t e = w->rowptr[i]; e < w->rowptr[i + 1]; e++) {
            uint16_t j = w->col[e];
            if (j >= columns)
                continue;
            size_t at = cp[j];
            ws->ck[at] = (uint32_t)k;
            ws->cv[at] = w->val[e];
            cp[j] = at + 1;
        }
    }
    /* cp[j] now holds the end of column j; column j starts at cp[j-1] */
    ymed_item *L = ws->items[0], *lo_buf = ws->items[1], *hi_buf = ws->items[2];
    bool fast = nonneg && exact <= INT64_MAX;
    for (size_t j = 0; j < columns; j++) {
        size_t a = j == 0 ? 0 : cp[j - 1], b = cp[j];
        if (!fast) {
            /* dense, exactly as the chain */
            memset(ws->dense, 0, K * sizeof *ws->dense);
            for (size_t e = a; e < b; e++)
                ws->dense[ws->ck[e]] = ws->cv[e];
            for (size_t k = 0; k < K; k++)
                ws->idx[0][k] = k;
            out[j] = median_dense(ws->use_stake, ws->dense, ws->idx[0], K,
                                  ws->idx[1], ws->idx[2], minority, 0, stake_sum);
            continue;
        }
        size_t nL = 0;
        cov_fx32 nz_stake = 0;
        for (size_t e = a; e < b; e++) {
            uint32_t k = ws->ck[e];
            cov_fx32 v = ws->cv[e];
            if (nL > 0 && L[nL - 1].k == k) {
                /* duplicate within a row: the later value wins */
                nz_stake -= L[nL - 1].stake;
                nL--;
            }
            if (v == 0)
                continue;
            L[nL].k = k;
            L[nL].g = (uint32_t)nL;
            L[nL].score = v;
            L[nL].stake = ws->use_stake[k];
            nz_stake += L[nL].stake;
            nL++;
        }
        size_t zc = K - nL;
        cov_fx32 zs = (cov_fx32)(exact - nz_stake);
        out[j] = median_grouped(L, nL, lo_buf, hi_buf, zc, zs, minority, 0, stake_sum);
    }
    return true;
}
