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
static size_t count_kept(const cov_yuma_input *in, uint64_t lt)
{
    size_t nnz = 0;
    if (in->bonds != NULL)
        for (uint32_t i = 0; i < in->n; i++)
            for (uint32_t e = 0; e < in->bonds[i].len; e++)
                nnz += bond_kept(in, lt, in->bonds[i].entries[e].uid);
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
    cov_fx32 v = cov_fx32_mul_sat(wb, a);
    return c->dsum[j] != 0 ? cov_fx32_div_by(&c->s->dv[0][j], v) : v;
}

/* The old term: original Yuma reads the u16 as an integer, normalised by
 * its column's sum; Yuma 3 as a proportion of 65535. */
static inline cov_fx32 old_bond(const yuma_ctx *c, const cov_fx32 *bsum, cov_yuma_entry e)
{
    if (c->in->yuma3)
        return cov_fx32_u16_proportion(e.value);
    cov_fx32 v = (cov_fx32)e.value << 32;
    return bsum[e.uid] != 0 ? cov_fx32_div_by(&c->s->dv[1][e.uid], v) : v;
}

/* mat_ema_sparse(new, old, alpha) into s->ema, rows in column order with
 * entries > 0. new = the weights for bonds (for original Yuma times A and
 * column-normalised by dsum), old = the masked stored bonds (original
 * Yuma: integers column-normalised by bsum; Yuma 3: proportions). */
static bool ema_fixed(yuma_ctx *c, cov_fx32 alpha, uint64_t lt, size_t nnz_b,
                      const cov_fx32 *bsum, cov_fx32 *esum)
{
    const cov_yuma_input *in = c->in;
    struct cov_yuma_scratch *s = c->s;
    const ymat *wb = &s->w;
    ymat *ema = &s->ema;
    uint16_t n = in->n;
    if (!ymat_reserve(ema, n, ymat_nnz(wb) + nnz_b))
        return false;
    cov_fx32 one_minus = cov_fx32_sub_sat(COV_FX32_ONE, alpha);
    cov_fx32 *acc = s->vec[1];
    uint32_t *mark = s->mark;
    uint16_t *cols = s->touched;
    memset(mark, 0, (size_t)n * sizeof *mark);
    memset(esum, 0, (size_t)n * sizeof *esum);
    if (!in->yuma3)
        for (uint16_t j = 0; j < n; j++) {
            cov_fx32_divider_init(&s->dv[0][j], c->dsum[j]);
            cov_fx32_divider_init(&s->dv[1][j], bsum[j]);
        }
    ema->rows = n;
    ema->rowptr[0] = 0;
    size_t o = 0;
    for (uint32_t i = 0; i < n; i++) {
        cov_fx32 a = c->out->active_stake_fx[i];
        size_t p = wb->rowptr[i], pe = wb->rowptr[i + 1];
        const cov_yuma_row *r = in->bonds ? &in->bonds[i] : NULL;
        uint32_t blen = r ? r->len : 0;
        if (row_sorted(wb->col + p, pe - p) && bonds_sorted(r)) {
            /* both rows ascending (the usual case): merge them; per column
             * the new terms come first, then the old, as in the chain's
             * dense accumulation */
            uint32_t q = 0;
            while (p < pe || q < blen) {
                uint32_t j = p < pe ? wb->col[p] : UINT32_MAX;
                if (q < blen && r->entries[q].uid < j)
                    j = r->entries[q].uid;
                if (j >= n)
                    break; /* only bond columns >= n remain */
                cov_fx32 sum = 0;
                for (; p < pe && wb->col[p] == j; p++)
                    sum = cov_fx32_add_sat(sum, cov_fx32_mul_sat(alpha, delta(c, a, j, wb->val[p])));
                for (; q < blen && r->entries[q].uid == j; q++)
                    if (bond_kept(in, lt, (uint16_t)j))
                        sum = cov_fx32_add_sat(sum, cov_fx32_mul_sat(one_minus,
                                                                     old_bond(c, bsum, r->entries[q])));
                if (sum > 0) {
                    ema->col[o] = (uint16_t)j;
                    ema->val[o++] = sum;
                    esum[j] = cov_fx32_add_sat(esum[j], sum); /* for its column normalisation */
                }
            }
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
            if (j >= n || !bond_kept(in, lt, j))
                continue; /* the EMA row has n columns */
            if (mark[j] != stamp) {
                mark[j] = stamp;
                acc[j] = 0;
                cols[cnt++] = j;
            }
            acc[j] = cov_fx32_add_sat(acc[j],
                                      cov_fx32_mul_sat(one_minus, old_bond(c, bsum, r->entries[e])));
        }
        cnt = sorted_columns(cols, cnt, mark, stamp, n);
        for (size_t k = 0; k < cnt; k++) {
            uint16_t j = cols[k];
            if (acc[j] > 0) {
                ema->col[o] = j;
                ema->val[o++] = acc[j];
                esum[j] = cov_fx32_add_sat(esum[j], acc[j]); /* for its column normalisation */
            }
        }
        ema->rowptr[i + 1] = o;
    }
    return true;
}

static bool original_yuma(yuma_ctx *c)
{
    const cov_yuma_input *in = c->in;
    cov_yuma_output *out = c->out;
    struct cov_yuma_scratch *s = c->s;
    uint16_t n = in->n;
    uint64_t lt = last_tempo(in);
    cov_fx32 *bsum = s->vec[0], *esum = s->vec[2], *cmax = s->vec[3];

    /* B: stored u16 as integers (I32F32(65535)), column sums */
    memset(bsum, 0, (size_t)n * sizeof *bsum);
    size_t nnz_b = 0;
    if (in->bonds != NULL)
        for (uint32_t i = 0; i < n; i++)
            for (uint32_t e = 0; e < in->bonds[i].len; e++) {
                uint16_t j = in->bonds[i].entries[e].uid;
                if (!bond_kept(in, lt, j))
                    continue;
                nnz_b++;
                if (j < n)
                    bsum[j] = cov_fx32_add_sat(bsum[j], (cov_fx32)in->bonds[i].entries[e].value << 32);
            }
    if (!ema_fixed(c, fixed_alpha(in->bonds_moving_average), lt, nnz_b, bsum, esum))
        return false;

    /* EMA column-normalised; dividends D = EMA . I; column maxima */
    ymat *ema = &s->ema;
    memset(cmax, 0, (size_t)n * sizeof *cmax);
    for (uint16_t j = 0; j < n; j++)
        cov_fx32_divider_init(&s->dv[0][j], esum[j]);
    for (uint32_t i = 0; i < n; i++) {
        cov_fx32 d = 0;
        for (size_t e = ema->rowptr[i]; e < ema->rowptr[i + 1]; e++) {
            uint16_t j = ema->col[e];
            cov_fx32 v = ema->val[e];
            if (esum[j] != 0)
                v = cov_fx32_div_by(&s->dv[0][j], v);
            ema->val[e] = v;
            d = cov_fx32_add_sat(d, cov_fx32_mul_sat(out->incentive_fx[j], v)); /* matmul_transpose_sparse */
            if (cmax[j] < v)
                cmax[j] = v;
        }
        out->dividends_fx[i] = d;
    }
    ynormalize(out->dividends_fx, n);

    /* stored column max-upscaled: done as they are stored */
    for (uint16_t j = 0; j < n; j++)
        cov_fx32_divider_init(&s->dv[1][j], cmax[j]);
    c->upscale = cmax;
    c->upscale_dv = s->dv[1];
    return true;
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
        for (uint32_t e = 0; r != NULL && e < r->len; e++) {
            uint16_t j = r->entries[e].uid;
            if (!bond_kept(in, lt, j))
                continue;
            brow->col[blen] = j;
            brow->val[blen++] = cov_fx32_u16_proportion(r->entries[e].value);
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
    } else if (!ema_fixed(c, fixed_alpha(in->bonds_moving_average), lt, count_kept(in, lt),
                          NULL, esum)) {
        return false;
    }
    /* total bonds per validator: row sums of (EMA column-normalised) * I
     * (mat_vec_mul_sparse, row_sum_sparse); D = that * A (vec_mul) */
    ymat *ema = &s->ema;
    for (uint16_t j = 0; j < n; j++)
        cov_fx32_divider_init(&s->dv[0][j], esum[j]);
    for (uint32_t i = 0; i < n; i++) {
        cov_fx32 tbv = 0;
        for (size_t e = ema->rowptr[i]; e < ema->rowptr[i + 1]; e++) {
            uint16_t j = ema->col[e];
            if (j >= n)
                continue;
            cov_fx32 v = esum[j] != 0 ? cov_fx32_div_by(&s->dv[0][j], ema->val[e]) : ema->val[e];
            tbv = cov_fx32_add_wrap(tbv, cov_fx32_mul_sat(v, out->incentive_fx[j]));
        }
        out->dividends_fx[i] = cov_fx32_mul_or_zero(tbv, out->active_stake_fx[i]);
    }
    ynormalize(out->dividends_fx, n);
    return true; /* stored: the EMA itself, as proportions */
}

bool yuma_bonds(yuma_ctx *c)
{
    c->upscale = NULL;
    c->upscale_dv = NULL;
    return c->in->yuma3 ? yuma3(c) : original_yuma(c);
}
