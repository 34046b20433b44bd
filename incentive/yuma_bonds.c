/* Bonds and dividends, steps 11-12 of the epoch (run_epoch.rs): the
 * original Yuma's column-normalised bond EMA, and Yuma 3's unnormalised
 * bonds with an optional liquid (per-bond) alpha. The chain's chains of
 * whole-matrix operations are fused per row; each value goes through the
 * same operations in the same order. */
#include <stdlib.h>
#include <string.h>

#include "incentive/yuma_internal.h"

/* Bonds to uids registered since the last epoch are dropped (step 11,
 * scalar_vec_mask_sparse_matrix): this is the epoch that "last tempo"
 * names. */
static uint64_t last_tempo(const cov_yuma_input *in)
{
    uint64_t lms = in->last_mechanism_step_block;
    if (lms == 0)
        return in->current_block > in->tempo ? in->current_block - in->tempo : 0;
    return lms == UINT64_MAX ? UINT64_MAX : lms + 1;
}

static inline bool bond_kept(const cov_yuma_input *in, uint64_t lt, uint16_t j)
{
    uint64_t reg = j < in->n ? in->block_at_registration[j] : 0;
    return !(lt <= reg);
}

/* bond_kept, from the per-column table s->kept (filled by yuma_bonds) */
static inline bool kept(const yuma_ctx *c, uint64_t lt, uint16_t j)
{
    return j < c->in->n ? c->s->kept[j] : lt != 0;
}

/* 1 - BondsMovingAverage / 1e6, through I64F64 as the chain does. */
static cov_fx32 fixed_alpha(uint64_t bma)
{
    cov_fx64 ratio = cov_fx64_div_safe(cov_fx64_from_u64(bma), cov_fx64_from_u64(1000000));
    return cov_fx32_sub_sat(COV_FX32_ONE, cov_fx32_from_fx64(ratio));
}

static int cmp_u16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* The cnt distinct columns stamped in mark, ascending: a scan when they
 * are many, a sort when few. */
static size_t sorted_columns(uint16_t *cols, size_t cnt, const uint32_t *mark,
                             uint32_t stamp, uint16_t n)
{
    if (cnt * 8 >= n) {
        size_t k = 0;
        for (uint32_t j = 0; j < n; j++)
            if (mark[j] == stamp)
                cols[k++] = (uint16_t)j;
        return k;
    }
    bool sorted = true;
    for (size_t k = 1; k < cnt && sorted; k++)
        sorted = cols[k - 1] < cols[k];
    if (!sorted)
        qsort(cols, cnt, sizeof *cols, cmp_u16);
    return cnt;
}

/* Stored bond entries that survive the mask, and their count. */
static size_t count_kept(const yuma_ctx *c, uint64_t lt)
{
    const cov_yuma_input *in = c->in;
    size_t nnz = 0;
    if (in->bonds != NULL)
        for (uint32_t i = 0; i < in->n; i++)
            for (uint32_t e = 0; e < in->bonds[i].len; e++)
                nnz += kept(c, lt, in->bonds[i].entries[e].uid);
    return nnz;
}

static bool row_sorted(const uint16_t *col, size_t len)
{
    for (size_t e = 1; e < len; e++)
        if (col[e] < col[e - 1])
            return false;
    return true;
}

static bool bonds_sorted(const cov_yuma_row *r)
{
    if (r == NULL)
        return true;
    for (uint32_t e = 1; e < r->len; e++)
        if (r->entries[e].uid < r->entries[e - 1].uid)
            return false;
    return true;
}

/* The new term of the EMA: original Yuma's bond delta W_bonds * A,
 * column-normalised (row_hadamard_sparse, inplace_col_normalize_sparse);
 * Yuma 3's weights for bonds as they are. */
static inline cov_fx32 delta(const yuma_ctx *c, cov_fx32 a, uint16_t j, cov_fx32 wb)
{
    if (c->in->yuma3)
        return wb;
    return ycol_div(&c->s->cd[0], j, c->wb_times_a ? wb : cov_fx32_mul_sat(wb, a));
}

/* The old term: original Yuma reads the u16 as an integer, normalised by
 * its column's sum; Yuma 3 as a proportion of 65535. */
static inline cov_fx32 old_bond(const yuma_ctx *c, cov_yuma_entry e)
{
    if (c->in->yuma3)
        return cov_fx32_u16_proportion(e.value);
    return ycol_div_int(&c->s->cd[1], e.uid, e.value);
}

typedef struct {
    cov_fx32 alpha, one_minus;
    const ycoldiv *dnew, *dold; /* original Yuma: by dsum, by bsum */
    const uint8_t *kept;
    uint16_t n;
    bool tables_fast; /* original Yuma: no YCOL_SLOW column in dnew, dold */
    bool wb_times_a;  /* yuma_ctx.wb_times_a */
} merge_consts;

/* One EMA row of ema_fixed from a weight row and a bond row both in
 * ascending column order: merged, per column the new terms first, then
 * the old, as in the chain's dense accumulation; entries > 0 written to
 * ocol/oval, and added to their column's sum and maximum. The same
 * operations as delta() and old_bond(), with everything they read in
 * locals (through c the compiler reloads it all per entry). */
YUMA_KERNEL size_t merge_row(uint16_t *restrict ocol, cov_fx32 *restrict oval,
                               const uint16_t *restrict wcol, const cov_fx32 *restrict wval,
                               size_t wlen, const cov_yuma_entry *restrict b, size_t blen,
                               const merge_consts *k, cov_fx32 a, cov_fx32 *restrict esum,
                               cov_fx32 *restrict emax, bool y3)
{
    const cov_fx32 alpha = k->alpha, one_minus = k->one_minus;
    const uint8_t *restrict keep = k->kept;
    const ycoldiv dnew = *k->dnew, dold = *k->dold;
    const uint32_t n = k->n;
    const bool times_a = k->wb_times_a;
    size_t p = 0, q = 0, o = 0;
    for (;;) {
        uint32_t jw = p < wlen ? wcol[p] : UINT32_MAX;
        uint32_t jb = q < blen ? b[q].uid : UINT32_MAX;
        uint32_t j = jw < jb ? jw : jb;
        if (j >= n)
            break; /* only bond columns >= n remain */
        cov_fx32 sum = 0;
        for (; p < wlen && wcol[p] == j; p++) {
            cov_fx32 d = y3 ? wval[p]
                            : ycol_div(&dnew, (uint16_t)j,
                                       times_a ? wval[p] : cov_fx32_mul_sat(wval[p], a));
            sum = cov_fx32_add_sat(sum, cov_fx32_mul_sat(alpha, d));
        }
        for (; q < blen && b[q].uid == j; q++) {
            if (!keep[j])
                continue;
            cov_fx32 old = y3 ? cov_fx32_u16_proportion(b[q].value)
                              : ycol_div_int(&dold, (uint16_t)j, b[q].value);
            sum = cov_fx32_add_sat(sum, cov_fx32_mul_sat(one_minus, old));
        }
        if (sum > 0) {
            ocol[o] = (uint16_t)j;
            oval[o++] = sum;
            esum[j] = cov_fx32_add_sat(esum[j], sum); /* for its column normalisation */
            if (!y3)
                emax[j] = sum > emax[j] ? sum : emax[j];
        }
    }
    return o;
}

/* The same row densely, for long rows in any order: the terms are
 * accumulated into acc (n, zero before and after), weights first, then
 * bonds, each in row order (the chain's dense accumulation), and every
 * column read back in order: a column neither row has is 0 and, like
 * any sum <= 0, not emitted. fast: a and alpha are proportions in
 * [0, 1], so the products need no saturation (cov_fx32_mul_unit), and
 * the divisor tables have no YCOL_SLOW column. */
YUMA_KERNEL size_t dense_row(uint16_t *restrict ocol, cov_fx32 *restrict oval,
                               const uint16_t *restrict wcol, const cov_fx32 *restrict wval,
                               size_t wlen, const cov_yuma_entry *restrict b, size_t blen,
                               const merge_consts *k, cov_fx32 a, cov_fx32 *restrict acc,
                               cov_fx32 *restrict esum, cov_fx32 *restrict emax, bool y3,
                               bool fast, bool times_a, bool w_up)
{
    const cov_fx32 alpha = k->alpha, one_minus = k->one_minus;
    const uint8_t *restrict keep = k->kept;
    const ycoldiv dnew = *k->dnew, dold = *k->dold;
    const uint32_t n = k->n;
    for (size_t p = 0; p < wlen; p++) {
        uint16_t j = wcol[p]; /* < n: the weights' columns are */
        cov_fx32 d = wval[p];
        if (!y3 && !times_a)
            d = fast ? ycol_div_fast(&dnew, j, cov_fx32_mul_unit(a, d))
                     : ycol_div(&dnew, j, cov_fx32_mul_sat(d, a));
        else if (!y3)
            d = fast ? ycol_div_fast(&dnew, j, d) : ycol_div(&dnew, j, d);
        d = fast ? cov_fx32_mul_unit(alpha, d) : cov_fx32_mul_sat(alpha, d);
        /* strictly ascending: each column once, onto acc's 0 */
        acc[j] = w_up ? d : cov_fx32_add_sat(acc[j], d);
    }
    for (size_t q = 0; q < blen; q++) {
        uint16_t j = b[q].uid;
        if (j >= n || !keep[j])
            continue;
        cov_fx32 old;
        if (y3)
            old = cov_fx32_u16_proportion(b[q].value);
        else if (fast)
            old = (cov_fx32)cov_fx32_recip_div(b[q].value, dold.m[j], dold.sh[j]);
        else
            old = ycol_div_int(&dold, j, b[q].value);
        old = fast ? cov_fx32_mul_unit(one_minus, old) : cov_fx32_mul_sat(one_minus, old);
        acc[j] = cov_fx32_add_sat(acc[j], old);
    }
    size_t o = 0;
    for (uint32_t j = 0; j < n; j++) {
        cov_fx32 v = acc[j];
        acc[j] = 0;
        ocol[o] = (uint16_t)j; /* written always, kept if v > 0: room for one more */
        oval[o] = v;
        bool pos = v > 0;
        o += pos;
        esum[j] = cov_fx32_add_sat(esum[j], pos ? v : 0); /* for its column normalisation */
        if (!y3)
            emax[j] = v > emax[j] ? v : emax[j];
    }
    return o;
}

/* mat_ema_sparse(new, old, alpha) into s->ema, rows in column order with
 * entries > 0. new = the weights for bonds (for original Yuma times A and
 * column-normalised by dsum), old = the masked stored bonds (original
 * Yuma: integers column-normalised by bsum; Yuma 3: proportions). */
static bool ema_fixed(yuma_ctx *c, cov_fx32 alpha, uint64_t lt, size_t nnz_b,
                      const cov_fx32 *bsum, cov_fx32 *esum, cov_fx32 *emax)
{
    const cov_yuma_input *in = c->in;
    struct cov_yuma_scratch *s = c->s;
    const ymat *wb = &s->w;
    ymat *ema = &s->ema;
    uint16_t n = in->n;
    /* one spare entry: dense_row writes one past what it keeps */
    if (!ymat_reserve(ema, n, ymat_nnz(wb) + nnz_b + 1))
        return false;
    cov_fx32 one_minus = cov_fx32_sub_sat(COV_FX32_ONE, alpha);
    cov_fx32 *acc = s->vec[1];
    uint32_t *mark = s->mark;
    uint16_t *cols = s->touched;
    memset(mark, 0, (size_t)n * sizeof *mark);
    memset(acc, 0, (size_t)n * sizeof *acc);
    memset(esum, 0, (size_t)n * sizeof *esum);
    memset(emax, 0, (size_t)n * sizeof *emax);
    bool tables_fast = true;
    if (!in->yuma3)
        for (uint16_t j = 0; j < n; j++) {
            tables_fast &= ycol_set(&s->cd[0], j, c->dsum[j]);
            tables_fast &= ycol_set_int(&s->cd[1], j, bsum[j]);
        }
    ema->rows = n;
    ema->rowptr[0] = 0;
    size_t o = 0;
    const merge_consts mk = {.alpha = alpha, .one_minus = one_minus, .dnew = &s->cd[0],
                            .dold = &s->cd[1], .kept = s->kept, .n = n,
                            .tables_fast = tables_fast, .wb_times_a = c->wb_times_a};
    for (uint32_t i = 0; i < n; i++) {
        cov_fx32 a = c->out->active_stake_fx[i];
        size_t p = wb->rowptr[i], pe = wb->rowptr[i + 1];
        const cov_yuma_row *r = in->bonds ? &in->bonds[i] : NULL;
        uint32_t blen = r ? r->len : 0;
        if ((pe - p) + blen >= (size_t)n / 4 + 1) {
            const cov_yuma_entry *be = r ? r->entries : NULL;
            bool unit = cov_fx32_is_unit(a) && cov_fx32_is_unit(alpha) && mk.tables_fast;
            bool up = s->w_up[i];
            size_t added;
#define YDENSE(Y3, F, T, U)                                                                   \
    dense_row(ema->col + o, ema->val + o, wb->col + p, wb->val + p, pe - p, be, blen, &mk, a, \
              acc, esum, emax, Y3, F, T, U)
            if (in->yuma3)
                added = unit ? (up ? YDENSE(true, true, false, true)
                                   : YDENSE(true, true, false, false))
                             : YDENSE(true, false, false, false);
            else if (c->wb_times_a)
                added = unit ? (up ? YDENSE(false, true, true, true)
                                   : YDENSE(false, true, true, false))
                             : YDENSE(false, false, true, false);
            else
                added = unit ? (up ? YDENSE(false, true, false, true)
                                   : YDENSE(false, true, false, false))
                             : YDENSE(false, false, false, false);
#undef YDENSE
            o += added;
            ema->rowptr[i + 1] = o;
            continue;
        }
        if (row_sorted(wb->col + p, pe - p) && bonds_sorted(r)) {
            const cov_yuma_entry *be = r ? r->entries : NULL;
            if (in->yuma3)
                o += merge_row(ema->col + o, ema->val + o, wb->col + p, wb->val + p, pe - p, be,
                               blen, &mk, a, esum, emax, true);
            else
                o += merge_row(ema->col + o, ema->val + o, wb->col + p, wb->val + p, pe - p, be,
                               blen, &mk, a, esum, emax, false);
            ema->rowptr[i + 1] = o;
            continue;
        }
        /* any order: accumulate densely, then emit in column order */
        uint32_t stamp = i + 1;
        size_t cnt = 0;
        for (; p < pe; p++) {
            uint16_t j = wb->col[p];
            if (mark[j] != stamp) {
                mark[j] = stamp;
                acc[j] = 0;
                cols[cnt++] = j;
            }
            acc[j] = cov_fx32_add_sat(acc[j], cov_fx32_mul_sat(alpha, delta(c, a, j, wb->val[p])));
        }
        for (uint32_t e = 0; e < blen; e++) {
            uint16_t j = r->entries[e].uid;
            if (j >= n || !kept(c, lt, j))
                continue; /* the EMA row has n columns */
            if (mark[j] != stamp) {
                mark[j] = stamp;
                acc[j] = 0;
                cols[cnt++] = j;
            }
            acc[j] = cov_fx32_add_sat(acc[j],
                                      cov_fx32_mul_sat(one_minus, old_bond(c, r->entries[e])));
        }
        cnt = sorted_columns(cols, cnt, mark, stamp, n);
        for (size_t k = 0; k < cnt; k++) {
            uint16_t j = cols[k];
            if (acc[j] > 0) {
                ema->col[o] = j;
                ema->val[o++] = acc[j];
                esum[j] = cov_fx32_add_sat(esum[j], acc[j]); /* for its column normalisation */
                emax[j] = acc[j] > emax[j] ? acc[j] : emax[j];
            }
            acc[j] = 0; /* as dense_row expects it */
        }
        ema->rowptr[i + 1] = o;
    }
    return true;
}

/* Room in out->bond_entries for the EMA rows of the uids with a new
 * permit: what step 14 stores (errata 1: every uid gets a row, empty
 * without a permit). */
static bool reserve_stored(cov_yuma_output *out, const ymat *ema, uint16_t n)
{
    size_t need = 0;
    for (uint32_t i = 0; i < n; i++)
        if (out->new_validator_permit[i])
            need += ema->rowptr[i + 1] - ema->rowptr[i];
    if (need > out->entries_cap || out->bond_entries == NULL) {
        cov_yuma_entry *p = realloc(out->bond_entries, (need ? need : 1) * sizeof *p);
        if (p == NULL)
            return false;
        out->bond_entries = p;
        out->entries_cap = need ? need : 1;
    }
    return true;
}

static bool all_unit(const cov_fx32 *x, uint16_t n)
{
    bool unit = true;
    for (uint16_t j = 0; j < n; j++)
        unit &= cov_fx32_is_unit(x[j]);
    return unit;
}

/* Original Yuma, one EMA row: its dividend sum_j I_j (EMA_ij / esum_j)
 * and (store) the row as stored, (EMA_ij / esum_j) / cmax_j as a u16
 * proportion, into dst. fast: every I_j is in [0, 1] and neither table
 * has a YCOL_SLOW column. */
YUMA_KERNEL cov_fx32 dividend_row(cov_yuma_entry *restrict dst, const uint16_t *restrict col,
                                  const cov_fx32 *restrict val, size_t len,
                                  const cov_fx32 *restrict I, const ycoldiv *norm_p,
                                  const ycoldiv *up_p, bool store, bool fast)
{
    const ycoldiv norm = *norm_p, up = *up_p;
    cov_fx32 d = 0;
    for (size_t e = 0; e < len; e++) {
        uint16_t j = col[e];
        cov_fx32 v = fast ? ycol_div_fast(&norm, j, val[e]) : ycol_div(&norm, j, val[e]);
        d = cov_fx32_add_sat(d, fast ? cov_fx32_mul_unit(I[j], v) : cov_fx32_mul_sat(I[j], v));
        if (store) {
            dst[e].uid = j;
            /* fast: v <= its column's maximum cmax_j (both the EMA over
             * the same positive esum_j, a monotone division), so v / cmax_j
             * is in [0, 1.0], a proportion */
            dst[e].value = fast ? (uint16_t)(((uint64_t)ycol_div_fast(&up, j, v) * 65535) >> 32)
                                : cov_fx32_proportion_to_u16_fast(ycol_div(&up, j, v));
        }
    }
    return d;
}

static bool original_yuma(yuma_ctx *c)
{
    const cov_yuma_input *in = c->in;
    cov_yuma_output *out = c->out;
    struct cov_yuma_scratch *s = c->s;
    uint16_t n = in->n;
    uint64_t lt = last_tempo(in);
    cov_fx32 *bsum = s->vec[0], *esum = s->vec[2], *cmax = s->vec[3], *emax = s->vec[5];

    /* B: stored u16 as integers (I32F32(65535)), column sums */
    memset(bsum, 0, (size_t)n * sizeof *bsum);
    size_t nnz_b = 0; /* room the EMA needs for them: at most every entry */
    const uint8_t *restrict keep = s->kept;
    if (in->bonds != NULL)
        for (uint32_t i = 0; i < n; i++) {
            const cov_yuma_entry *restrict be = in->bonds[i].entries;
            uint32_t len = in->bonds[i].len;
            nnz_b += len;
            for (uint32_t e = 0; e < len; e++) {
                uint16_t j = be[e].uid;
                if (j < n) /* the EMA row has n columns */
                    bsum[j] += keep[j] ? be[e].value : 0; /* u16 sum: below 2^32 */
            }
        }
    /* the saturating sum of the values << 32, all >= 0: the exact sum,
     * or the maximum once it passes it */
    for (uint16_t j = 0; j < n; j++)
        bsum[j] = bsum[j] >> 31 ? COV_FX32_MAX : bsum[j] << 32;
    if (!ema_fixed(c, fixed_alpha(in->bonds_moving_average), lt, nnz_b, bsum, esum, emax))
        return false;
    ymat *ema = &s->ema;
    if (!reserve_stored(out, ema, n))
        return false;

    /* EMA column-normalised (by esum); its column maxima (for the stored
     * bonds' inplace_col_max_upscale_sparse) are the normalised column
     * maxima of the EMA: safe_div by a positive divisor is monotone, and
     * no entry exceeds its column's (saturating) sum of positive entries,
     * so no quotient overflows to 0 */
    ycoldiv *norm = &s->cd[0], *up = &s->cd[1];
    bool fast = true;
    for (uint16_t j = 0; j < n; j++)
        fast &= ycol_set(norm, j, esum[j]);
    for (uint16_t j = 0; j < n; j++) {
        cmax[j] = ycol_div(norm, j, emax[j]);
        fast &= ycol_set(up, j, cmax[j]);
    }
    /* one pass: dividends D = EMA . I (matmul_transpose_sparse), and the
     * rows stored, column max-upscaled, as u16 proportions */
    const cov_fx32 *I = out->incentive_fx;
    bool unit = fast && all_unit(I, n);
    size_t o = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t start = o, e = ema->rowptr[i], len = ema->rowptr[i + 1] - e;
        bool store = out->new_validator_permit[i];
        cov_yuma_entry *dst = out->bond_entries + o;
        cov_fx32 d;
        if (store)
            d = unit ? dividend_row(dst, ema->col + e, ema->val + e, len, I, norm, up, true, true)
                     : dividend_row(dst, ema->col + e, ema->val + e, len, I, norm, up, true, false);
        else
            d = unit ? dividend_row(dst, ema->col + e, ema->val + e, len, I, norm, up, false, true)
                     : dividend_row(dst, ema->col + e, ema->val + e, len, I, norm, up, false, false);
        o += store ? len : 0;
        out->dividends_fx[i] = d;
        out->bonds[i].len = (uint32_t)(o - start);
        out->bonds[i].entries = out->bond_entries + start;
    }
    out->bond_entries_len = o;
    ynormalize(out->dividends_fx, n);
    return true;
}

static bool entries_ascending(const cov_yuma_entry *e, size_t len)
{
    bool up = true;
    for (size_t t = 1; t < len; t++)
        up &= e[t - 1].uid < e[t].uid;
    return up;
}

/* Yuma 3 with liquid alpha: mat_ema_alpha_sparse row by row, alphas only
 * for the columns the row reads. */
static bool ema_liquid(yuma_ctx *c, uint64_t lt, cov_fx32 *esum)
{
    const cov_yuma_input *in = c->in;
    struct cov_yuma_scratch *s = c->s;
    const ymat *wb = &s->w;
    ymat *ema = &s->ema, *brow = &s->brow;
    uint16_t n = in->n;
    size_t longest = 0;
    if (in->bonds != NULL)
        for (uint32_t i = 0; i < n; i++)
            longest = in->bonds[i].len > longest ? in->bonds[i].len : longest;
    if (!ymat_reserve(ema, n, ymat_nnz(wb)) || !ymat_reserve(brow, 1, longest))
        return false;
    yliquid *q = s->liquid;
    yliquid_begin(q, in);
    const uint8_t *keep = s->kept;
    bool keep_past_n = lt != 0; /* bond_kept for uids >= n */
    bool c_unit = all_unit(c->out->consensus_fx, n);
    cov_fx32 *alpha = s->vec[1], *decayed = s->vec[3];
    uint32_t *mark = s->mark;
    uint16_t *cols = s->touched;
    memset(mark, 0, (size_t)n * sizeof *mark);
    memset(esum, 0, (size_t)n * sizeof *esum);
    ema->rows = n;
    ema->rowptr[0] = 0;
    size_t o = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t w0 = wb->rowptr[i], wlen = wb->rowptr[i + 1] - w0, blen = 0;
        const cov_yuma_row *r = in->bonds ? &in->bonds[i] : NULL;
        const cov_yuma_entry *be = r != NULL ? r->entries : NULL;
        size_t rlen = r != NULL ? r->len : 0;
        if (wlen + rlen >= (size_t)n / 4 + 1 && s->w_up[i] && entries_ascending(be, rlen)) {
            o += yliquid_ema_dense_row(q, ema->col + o, ema->val + o, wb->col + w0,
                                       wb->val + w0, wlen, be, rlen, keep,
                                       c->out->consensus_fx, c_unit, n, esum);
            ema->rowptr[i + 1] = o;
            continue;
        }
        for (size_t e = 0; e < rlen; e++) {
            uint16_t j = be[e].uid;
            if (j < n ? !keep[j] : !keep_past_n)
                continue;
            brow->col[blen] = j;
            brow->val[blen++] = cov_fx32_u16_proportion(be[e].value);
        }
        if (wlen == 0 && blen == 0) {
            ema->rowptr[i + 1] = o;
            continue;
        }
        /* the columns whose alpha this row reads */
        uint32_t stamp = i + 1;
        size_t ncols = 0;
        for (size_t e = 0; e < wlen; e++) {
            uint16_t j = wb->col[w0 + e];
            if (j < n && mark[j] != stamp) {
                mark[j] = stamp;
                cols[ncols++] = j;
            }
        }
        for (size_t e = 0; e < blen; e++) {
            uint16_t j = brow->col[e];
            if (j < n && mark[j] != stamp) {
                mark[j] = stamp;
                cols[ncols++] = j;
            }
        }
        yliquid_row(q, alpha, cols, ncols, c->out->consensus_fx, n, wb->col + w0,
                    wb->val + w0, wlen, brow->col, brow->val, blen);
        size_t row0 = o;
        o += yema_alpha_row(ema->col + o, ema->val + o, wb->col + w0, wb->val + w0, wlen,
                            brow->col, brow->val, blen, alpha, n, decayed);
        for (size_t e = row0; e < o; e++) /* for the column normalisation */
            esum[ema->col[e]] = cov_fx32_add_sat(esum[ema->col[e]], ema->val[e]);
        ema->rowptr[i + 1] = o;
    }
    return true;
}

/* Yuma 3, one EMA row: its total bonds times incentive, sum_j (EMA_ij /
 * esum_j) I_j (wrapping, as row_sum_sparse), and (store) the row as
 * stored, EMA_ij as a u16 proportion, into dst. fast: every I_j is in
 * [0, 1] and the table has no YCOL_SLOW column. */
YUMA_KERNEL cov_fx32 bonds_row_y3(cov_yuma_entry *restrict dst, const uint16_t *restrict col,
                                  const cov_fx32 *restrict val, size_t len,
                                  const cov_fx32 *restrict I, const ycoldiv *norm_p,
                                  uint16_t n, bool store, bool fast)
{
    const ycoldiv norm = *norm_p;
    cov_fx32 tbv = 0;
    for (size_t e = 0; e < len; e++) {
        uint16_t j = col[e];
        if (store) {
            dst[e].uid = j;
            dst[e].value = cov_fx32_proportion_to_u16_fast(val[e]);
        }
        if (j >= n)
            continue;
        cov_fx32 v = fast ? ycol_div_fast(&norm, j, val[e]) : ycol_div(&norm, j, val[e]);
        tbv = cov_fx32_add_wrap(tbv, fast ? cov_fx32_mul_unit(I[j], v) : cov_fx32_mul_sat(v, I[j]));
    }
    return tbv;
}

static bool yuma3(yuma_ctx *c)
{
    const cov_yuma_input *in = c->in;
    cov_yuma_output *out = c->out;
    struct cov_yuma_scratch *s = c->s;
    uint16_t n = in->n;
    uint64_t lt = last_tempo(in);
    cov_fx32 *esum = s->vec[2];
    bool any_consensus = false;
    for (uint16_t j = 0; j < n && !any_consensus; j++)
        any_consensus = out->consensus_fx[j] != 0;
    if (in->liquid_alpha && any_consensus) {
        if (!ema_liquid(c, lt, esum))
            return false;
    } else if (!ema_fixed(c, fixed_alpha(in->bonds_moving_average), lt, count_kept(c, lt),
                          NULL, esum, s->vec[5])) {
        return false;
    }
    ymat *ema = &s->ema;
    if (!reserve_stored(out, ema, n))
        return false;
    /* one pass: total bonds per validator, row sums of (EMA
     * column-normalised) * I (mat_vec_mul_sparse, row_sum_sparse), D =
     * that * A (vec_mul); and the EMA itself stored, as proportions */
    ycoldiv *norm = &s->cd[0];
    bool fast = true;
    for (uint16_t j = 0; j < n; j++)
        fast &= ycol_set(norm, j, esum[j]);
    const cov_fx32 *I = out->incentive_fx;
    bool unit = fast && all_unit(I, n);
    size_t o = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t start = o, e = ema->rowptr[i], len = ema->rowptr[i + 1] - e;
        bool store = out->new_validator_permit[i];
        cov_yuma_entry *dst = out->bond_entries + o;
        cov_fx32 tbv;
        if (store)
            tbv = unit ? bonds_row_y3(dst, ema->col + e, ema->val + e, len, I, norm, n, true, true)
                       : bonds_row_y3(dst, ema->col + e, ema->val + e, len, I, norm, n, true, false);
        else
            tbv = unit ? bonds_row_y3(dst, ema->col + e, ema->val + e, len, I, norm, n, false, true)
                       : bonds_row_y3(dst, ema->col + e, ema->val + e, len, I, norm, n, false, false);
        o += store ? len : 0;
        out->dividends_fx[i] = cov_fx32_mul_or_zero(tbv, out->active_stake_fx[i]);
        out->bonds[i].len = (uint32_t)(o - start);
        out->bonds[i].entries = out->bond_entries + start;
    }
    out->bond_entries_len = o;
    ynormalize(out->dividends_fx, n);
    return true;
}

bool yuma_bonds(yuma_ctx *c)
{
    const cov_yuma_input *in = c->in;
    uint64_t lt = last_tempo(in);
    for (uint16_t j = 0; j < in->n; j++)
        c->s->kept[j] = bond_kept(in, lt, j);
    return in->yuma3 ? yuma3(c) : original_yuma(c);
}

