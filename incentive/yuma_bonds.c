/* Bonds and dividends, steps 11-12 of the epoch (run_epoch.rs): the
 * original Yuma's column-normalised bond EMA, and Yuma 3's unnormalised
 * bonds with an optional liquid (per-entry) alpha. */
#include <string.h>

#include "incentive/yuma_internal.h"

cov_fx32 cov_yuma_alpha_sigmoid(cov_fx32 consensus, cov_fx32 weight,
                                cov_fx32 bond, cov_fx32 alpha_low,
                                cov_fx32 alpha_high, cov_fx32 steepness)
{
    cov_fx32 diff_buy = cov_fx32_clamp(cov_fx32_sub_sat(weight, consensus), 0, COV_FX32_ONE);
    cov_fx32 diff_sell = cov_fx32_clamp(cov_fx32_sub_sat(bond, weight), 0, COV_FX32_ONE);
    cov_fx32 d = weight >= bond ? diff_buy : diff_sell;
    /* 1 / (1 + e^(-steepness/100 * (d - 0.5))) */
    cov_fx32 x = cov_fx32_mul_sat(cov_fx32_div_sat(steepness, (cov_fx32)-100 * COV_FX32_ONE),
                                  cov_fx32_sub_sat(d, COV_FX32_HALF));
    cov_fx32 sig = cov_fx32_div_sat(COV_FX32_ONE,
                                    cov_fx32_add_sat(COV_FX32_ONE, cov_fx32_exp_safe(x)));
    cov_fx32 alpha = cov_fx32_add_sat(
        alpha_low, cov_fx32_mul_sat(sig, cov_fx32_sub_sat(alpha_high, alpha_low)));
    return cov_fx32_clamp(alpha, alpha_low, alpha_high);
}

/* Liquid alpha for row i, computed only for the columns the EMA reads.
 * The chain builds a dense row of alphas by walking the weight and bond
 * rows with cursors that assume ascending uids; an entry behind a cursor
 * reads as 0 (errata 3). `visible` replays that walk. */
typedef struct {
    const ymat *wb, *b;
    const cov_fx32 *C;
    uint16_t n;
    cov_fx32 lo, hi, steep;
    cov_fx32 *wvis, *bvis, *alpha;
    uint32_t *mark;
    uint16_t *touched;
    size_t ntouched;
    uint32_t row, stamp;
    bool have_row;
} liquid_ctx;

/* The columns the chain's cursor walk sees with row's values: it skips
 * entries behind the current column and reads the entry at it. */
static void visible(liquid_ctx *c, const ymat *m, uint32_t i, cov_fx32 *dst)
{
    if (i >= m->rows)
        return;
    uint32_t cur = 0;
    for (size_t e = m->rowptr[i]; e < m->rowptr[i + 1]; e++) {
        uint16_t j = m->col[e];
        if (j < cur)
            continue;
        if (j >= c->n)
            break; /* the walk stops at column n-1 */
        dst[j] = m->val[e];
        c->touched[c->ntouched++] = j;
        cur = (uint32_t)j + 1;
    }
}

static cov_fx32 liquid_alpha(void *ctx, uint32_t i, uint16_t j)
{
    liquid_ctx *c = ctx;
    if (!c->have_row || c->row != i) {
        for (size_t t = 0; t < c->ntouched; t++)
            c->wvis[c->touched[t]] = c->bvis[c->touched[t]] = 0;
        c->ntouched = 0;
        visible(c, c->wb, i, c->wvis);
        visible(c, c->b, i, c->bvis);
        c->row = i;
        c->have_row = true;
        if (++c->stamp == 0) { /* wrapped: forget every cached alpha */
            memset(c->mark, 0, (size_t)c->n * sizeof *c->mark);
            c->stamp = 1;
        }
    }
    if (c->mark[j] != c->stamp) {
        c->mark[j] = c->stamp;
        c->alpha[j] = cov_yuma_alpha_sigmoid(c->C[j], c->wvis[j], c->bvis[j], c->lo,
                                             c->hi, c->steep);
    }
    return c->alpha[j];
}

/* Reads Bonds as stored: original Yuma keeps the u16 as an integer
 * (I32F32(65535)), Yuma 3 makes it a proportion (v / 65535). Entries of a
 * uid registered since the last epoch are dropped (step 11). Columns >= n
 * stay in the rows; later steps ignore them as the chain does. */
static bool load_bonds(ymat *b, const cov_yuma_input *in, bool proportion)
{
    uint16_t n = in->n;
    size_t nnz = 0;
    if (in->bonds != NULL)
        for (uint32_t i = 0; i < n; i++)
            nnz += in->bonds[i].len;
    if (!ymat_reserve(b, n, nnz))
        return false;
    uint64_t last_tempo = in->last_mechanism_step_block == 0
                              ? (in->current_block > in->tempo ? in->current_block - in->tempo : 0)
                              : (in->last_mechanism_step_block == UINT64_MAX
                                     ? UINT64_MAX
                                     : in->last_mechanism_step_block + 1);
    b->rows = n;
    b->rowptr[0] = 0;
    size_t o = 0;
    for (uint32_t i = 0; i < n; i++) {
        const cov_yuma_row *r = in->bonds ? &in->bonds[i] : NULL;
        for (uint32_t e = 0; r != NULL && e < r->len; e++) {
            uint16_t j = r->entries[e].uid;
            uint64_t reg = j < n ? in->block_at_registration[j] : 0;
            if (last_tempo <= reg)
                continue;
            uint16_t v = r->entries[e].value;
            b->col[o] = j;
            b->val[o++] = proportion ? cov_fx32_u16_proportion(v) : (cov_fx32)v << 32;
        }
        b->rowptr[i + 1] = o;
    }
    return true;
}

/* 1 - BondsMovingAverage / 1e6, through I64F64 as the chain does. */
static cov_fx32 fixed_alpha(uint64_t bma)
{
    cov_fx64 ratio = cov_fx64_div_safe(cov_fx64_from_u64(bma), cov_fx64_from_u64(1000000));
    return cov_fx32_sub_sat(COV_FX32_ONE, cov_fx32_from_fx64(ratio));
}

static void normalize(cov_fx32 *x, size_t len)
{
    cov_fx32 sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = cov_fx32_add_wrap(sum, x[i]);
    if (sum == 0)
        return;
    cov_fx32_divider dv;
    cov_fx32_divider_init(&dv, sum);
    for (size_t i = 0; i < len; i++)
        x[i] = cov_fx32_div_by(&dv, x[i]);
}

static bool original_yuma(yuma_bonds_ctx *c)
{
    struct cov_yuma_scratch *s = c->s;
    uint16_t n = c->in->n;
    if (!load_bonds(&s->b, c->in, false))
        return false;
    ymat_col_normalize(&s->b, n, s->vec[0], s->dv);
    /* ΔB = WB ∘ A, column-normalised */
    ymat_row_hadamard(c->wb, c->A);
    ymat_col_normalize(c->wb, n, s->vec[0], s->dv);
    if (!ymat_ema(&s->ema, c->wb, &s->b, fixed_alpha(c->in->bonds_moving_average),
                  s->vec[0], s->mark, s->touched))
        return false;
    ymat_col_normalize(&s->ema, n, s->vec[0], s->dv);
    ymat_matmul_transpose(c->D, &s->ema, c->I, n);
    normalize(c->D, n);
    /* stored column max-upscaled */
    ymat_col_max_upscale(&s->ema, n, s->vec[0], s->dv);
    return true;
}

static bool yuma3(yuma_bonds_ctx *c)
{
    struct cov_yuma_scratch *s = c->s;
    const cov_yuma_input *in = c->in;
    uint16_t n = in->n;
    if (!load_bonds(&s->b, in, true))
        return false;
    bool any_consensus = false;
    for (uint16_t j = 0; j < n && !any_consensus; j++)
        any_consensus = c->C[j] != 0;
    if (in->liquid_alpha && any_consensus) {
        liquid_ctx lc = {
            .wb = c->wb,
            .b = &s->b,
            .C = c->C,
            .n = n,
            .lo = cov_fx32_u16_proportion(in->alpha_low),
            .hi = cov_fx32_u16_proportion(in->alpha_high),
            .steep = cov_fx32_from_int(in->alpha_sigmoid_steepness),
            .wvis = s->wvis,
            .bvis = s->bvis,
            .alpha = s->alpha_row,
            .mark = s->mark,
            .touched = s->touched,
        };
        memset(s->wvis, 0, (size_t)n * sizeof *s->wvis);
        memset(s->bvis, 0, (size_t)n * sizeof *s->bvis);
        memset(s->mark, 0, (size_t)n * sizeof *s->mark);
        if (!ymat_ema_alpha(&s->ema, c->wb, &s->b, n, liquid_alpha, &lc, s->vec[0]))
            return false;
    } else if (!ymat_ema(&s->ema, c->wb, &s->b, fixed_alpha(in->bonds_moving_average),
                         s->vec[0], s->mark, s->touched)) {
        return false;
    }
    /* total bonds per validator: Σ_j (EMA column-normalised)_ij · I_j */
    cov_fx32 *sums = s->vec[1];
    memset(sums, 0, (size_t)n * sizeof *sums);
    const ymat *e = &s->ema;
    for (size_t t = 0; t < ymat_nnz(e); t++)
        if (e->col[t] < n)
            sums[e->col[t]] = cov_fx32_add_sat(sums[e->col[t]], e->val[t]);
    for (uint16_t j = 0; j < n; j++)
        if (sums[j] != 0)
            cov_fx32_divider_init(&s->dv[j], sums[j]);
    for (uint32_t i = 0; i < n; i++) {
        cov_fx32 tbv = 0;
        for (size_t t = e->rowptr[i]; t < e->rowptr[i + 1]; t++) {
            uint16_t j = e->col[t];
            if (j >= n)
                continue;
            cov_fx32 v = sums[j] != 0 ? cov_fx32_div_by(&s->dv[j], e->val[t]) : e->val[t];
            tbv = cov_fx32_add_wrap(tbv, cov_fx32_mul_sat(v, c->I[j]));
        }
        c->D[i] = cov_fx32_mul_or_zero(tbv, c->A[i]);
    }
    normalize(c->D, n);
    return true;
}

bool cov_yuma_bonds_dividends(yuma_bonds_ctx *c)
{
    return c->in->yuma3 ? yuma3(c) : original_yuma(c);
}
