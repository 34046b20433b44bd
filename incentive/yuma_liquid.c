/* Liquid alpha (run_epoch.rs compute_liquid_alpha_values_sparse and
 * alpha_sigmoid): a per-bond EMA rate from how far a validator's weight
 * is from consensus or from its bond. */
#include <string.h>

#include "incentive/yuma_internal.h"

/* 1 / (1 + e^x) -> alpha_low + sigmoid * (alpha_high - alpha_low), clamped */
static cov_fx32 alpha_of_exp(cov_fx32 e, cov_fx32 lo, cov_fx32 hi)
{
    cov_fx32 sig = cov_fx32_div_sat(COV_FX32_ONE, cov_fx32_add_sat(COV_FX32_ONE, e));
    cov_fx32 alpha = cov_fx32_add_sat(lo, cov_fx32_mul_sat(sig, cov_fx32_sub_sat(hi, lo)));
    return cov_fx32_clamp(alpha, lo, hi);
}

/* The exponent: steepness/-100 * (d - 0.5), d the distance that counts:
 * to consensus when buying (weight >= bond), to the bond when selling. */
static cov_fx32 exponent(cov_fx32 steep_div, cov_fx32 consensus, cov_fx32 weight,
                         cov_fx32 bond)
{
    cov_fx32 diff_buy = cov_fx32_clamp(cov_fx32_sub_sat(weight, consensus), 0, COV_FX32_ONE);
    cov_fx32 diff_sell = cov_fx32_clamp(cov_fx32_sub_sat(bond, weight), 0, COV_FX32_ONE);
    cov_fx32 d = weight >= bond ? diff_buy : diff_sell;
    return cov_fx32_mul_sat(steep_div, cov_fx32_sub_sat(d, COV_FX32_HALF));
}

cov_fx32 cov_yuma_alpha_sigmoid(cov_fx32 consensus, cov_fx32 weight,
                                cov_fx32 bond, cov_fx32 alpha_low,
                                cov_fx32 alpha_high, cov_fx32 steepness)
{
    cov_fx32 steep_div = cov_fx32_div_sat(steepness, (cov_fx32)-100 * COV_FX32_ONE);
    cov_fx32 x = exponent(steep_div, consensus, weight, bond);
    return alpha_of_exp(cov_fx32_exp_safe(x), alpha_low, alpha_high);
}

void yliquid_begin(yliquid *q, const cov_yuma_input *in)
{
    q->lo = cov_fx32_u16_proportion(in->alpha_low);
    q->hi = cov_fx32_u16_proportion(in->alpha_high);
    q->steep_div = cov_fx32_div_sat(cov_fx32_from_int(in->alpha_sigmoid_steepness),
                                    (cov_fx32)-100 * COV_FX32_ONE);
    for (size_t h = 0; h < YLIQ_CACHE; h++)
        q->key[h] = YLIQ_EMPTY;
}

static size_t slot(cov_fx32 x)
{
    return (size_t)(((uint64_t)x * 0x9E3779B97F4A7C15ull) >> 52) & (YLIQ_CACHE - 1);
}

/* What compute_liquid_alpha_values_sparse reads of a row: it walks columns
 * 0..n-1 with a cursor that assumes ascending uids, skipping entries
 * behind the current column and reading the one at it; with unsorted rows
 * some entries read as 0 (errata 3). */
static size_t visible(cov_fx32 *dst, uint16_t *touched, const uint16_t *col,
                      const cov_fx32 *val, size_t len, uint16_t n)
{
    size_t cnt = 0;
    uint32_t cur = 0;
    for (size_t e = 0; e < len; e++) {
        uint16_t j = col[e];
        if (j < cur)
            continue;
        if (j >= n)
            break; /* the walk ends at column n-1 */
        dst[j] = val[e];
        touched[cnt++] = j;
        cur = (uint32_t)j + 1;
    }
    return cnt;
}

/* The pending exponents' alphas, four exps at a time, into
 * alpha[pend_j] and the cache. */
static void resolve_pending(yliquid *q, cov_fx32 *alpha, size_t npend)
{
    for (size_t k = 0; k < npend; k += 4) {
        cov_fx32 xs[4], es[4];
        for (int l = 0; l < 4; l++)
            xs[l] = q->pend_x[k + l < npend ? k + l : k];
        cov_fx32_exp_safe4(es, xs);
        for (int l = 0; l < 4 && k + l < npend; l++) {
            cov_fx32 a = alpha_of_exp(es[l], q->lo, q->hi);
            alpha[q->pend_j[k + l]] = a;
            size_t h = slot(xs[l]);
            q->key[h] = xs[l];
            q->val[h] = a;
        }
    }
}

void yliquid_row(yliquid *q, cov_fx32 *alpha, const uint16_t *cols, size_t ncols,
                 const cov_fx32 *C, uint16_t n, const uint16_t *wcol, const cov_fx32 *wval,
                 size_t wlen, const uint16_t *bcol, const cov_fx32 *bval, size_t blen)
{
    uint16_t *touched = q->vis_touched;
    size_t nt = visible(q->wvis, touched, wcol, wval, wlen, n);
    nt += visible(q->bvis, touched + nt, bcol, bval, blen, n);
    size_t npend = 0;
    for (size_t k = 0; k < ncols; k++) {
        uint16_t j = cols[k];
        cov_fx32 x = exponent(q->steep_div, C[j], q->wvis[j], q->bvis[j]);
        size_t h = slot(x);
        if (q->key[h] == x) {
            alpha[j] = q->val[h];
        } else {
            q->pend_j[npend] = j;
            q->pend_x[npend++] = x;
        }
    }
    resolve_pending(q, alpha, npend);
    for (size_t t = 0; t < nt; t++) /* leave the dense rows zero */
        q->wvis[touched[t]] = q->bvis[touched[t]] = 0;
}

/* exponent() when consensus, weight and bond are all in [0, 1]: then no
 * difference saturates or needs clamping from above, d - 0.5 is within
 * [-0.5, 0.5], and |steep_div| < 2^41 (steepness is an i16 over -100),
 * so the product is far from saturating: one multiply. */
static inline cov_fx32 exponent_unit(cov_fx32 steep_div, cov_fx32 consensus, cov_fx32 weight,
                                     cov_fx32 bond)
{
    cov_fx32 buy = weight > consensus ? weight - consensus : 0;
    cov_fx32 d = weight >= bond ? buy : bond - weight;
    return (cov_fx32)cov_u128_mid64((cov_u128)((cov_i128)steep_div * (d - COV_FX32_HALF)));
}

size_t yliquid_ema_dense_row(yliquid *q, uint16_t *restrict ocol, cov_fx32 *restrict oval,
                             const uint16_t *restrict wcol, const cov_fx32 *restrict wval,
                             size_t wlen, const cov_yuma_entry *restrict b, size_t blen,
                             const uint8_t *restrict keep, const cov_fx32 *restrict C,
                             bool c_unit, uint16_t n, cov_fx32 *restrict esum)
{
    cov_fx32 *restrict bd = q->bvis;
    for (size_t e = 0; e < blen; e++)
        if (b[e].uid < n && keep[b[e].uid])
            bd[b[e].uid] = cov_fx32_u16_proportion(b[e].value);
    const cov_fx32 steep_div = q->steep_div, lo = q->lo, hi = q->hi;
    cov_fx32 last_x = YLIQ_EMPTY, last_a = 0; /* runs of one exponent are common (d = 0) */
    size_t o = 0;
    for (size_t e = 0; e < wlen; e++) {
        uint16_t j = wcol[e];
        cov_fx32 w = wval[e], bond = bd[j]; /* bd: u16 proportions, in [0, 1] */
        cov_fx32 x = c_unit && cov_fx32_is_unit(w) ? exponent_unit(steep_div, C[j], w, bond)
                                                   : exponent(steep_div, C[j], w, bond);
        if (x != last_x) {
            size_t h = slot(x);
            if (q->key[h] != x) { /* exp_safe4 gives exp_safe's bits */
                q->key[h] = x;
                q->val[h] = alpha_of_exp(cov_fx32_exp_safe(x), lo, hi);
            }
            last_x = x;
            last_a = q->val[h];
        }
        cov_fx32 a = last_a; /* in [alpha_low, alpha_high], within [0, 1]: */
        cov_fx32 decayed = cov_fx32_mul_unit(COV_FX32_ONE - a, bond);
        cov_fx32 inc = cov_fx32_max(cov_fx32_mul_unit(a, w), 0);
        cov_fx32 v = cov_fx32_min(cov_fx32_add_sat(decayed, inc), COV_FX32_ONE);
        ocol[o] = j; /* written always, kept if v > 0 (o < wlen here) */
        oval[o] = v;
        bool pos = v > 0;
        o += pos;
        esum[j] = cov_fx32_add_sat(esum[j], pos ? v : 0); /* for the column normalisation */
    }
    for (size_t e = 0; e < blen; e++)
        if (b[e].uid < n)
            bd[b[e].uid] = 0;
    return o;
}
