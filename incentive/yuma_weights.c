/* The weights side of the epoch (run_epoch.rs steps 5 and 7-10): the
 * masked, row-normalised weights W; then in one pass the weights clipped
 * at consensus, validator trust, ranks, and the weights bonds are built
 * from, which replace W in place. */
#include <stdlib.h>
#include <string.h>

#include "incentive/yuma_internal.h"

/* One stored row's uids < n, compacted to wc/wv from o on (branch-free:
 * every entry written, the kept ones advance o; room: the row's length
 * plus one), their u16 values added to *sum; kept: registered before lim
 * (check_reg false: the caller knows all are) and not the diagonal.
 * Returns the new o. */
YUMA_KERNEL size_t compact_row(uint16_t *restrict wc, cov_fx32 *restrict wv, size_t o,
                               const cov_yuma_entry *restrict re, uint32_t len,
                               const uint64_t *restrict reg, uint64_t lim, uint32_t diag,
                               uint16_t n, uint64_t *sum_out, bool check_reg)
{
    uint64_t sum = *sum_out;
    for (uint32_t e = 0; e < len; e++) {
        uint16_t j = re[e].uid;
        if (j >= n)
            continue;
        bool keep = (!check_reg || reg[j] < lim) && j != diag;
        wc[o] = j; /* written always, kept if keep (room: len >= o - start + 1) */
        wv[o] = (cov_fx32)re[e].value;
        o += keep;
        sum += keep ? re[e].value : 0;
    }
    *sum_out = sum;
    return o;
}

/* Step 5, one pass over the stored rows: rows of uids without a previous
 * permit are emptied (mask_rows_sparse), the diagonal dropped except the
 * owner's (mask_diag_sparse[_except_index]), weights set before their
 * target registered dropped (vec_mask_sparse_matrix), with commit-reveal
 * those committed before it too; then each row with a positive (wrapping)
 * sum is divided by it (inplace_row_normalize_sparse). Explicit zeros
 * stay. */
bool yuma_load_weights(yuma_ctx *c)
{
    const cov_yuma_input *in = c->in;
    ymat *w = &c->s->w;
    uint16_t n = in->n;
    size_t nnz = 0;
    if (in->weights != NULL)
        for (uint32_t i = 0; i < n; i++)
            if (c->row_ok[i])
                nnz += in->weights[i].len;
    if (!ymat_reserve(w, n, nnz + 1)) /* one spare: see the loop */
        return false;
    w->rows = n;
    w->rowptr[0] = 0;
    size_t o = 0;
    const uint64_t *restrict reg = in->block_at_registration;
    uint16_t *restrict wc = w->col;
    cov_fx32 *restrict wv = w->val;
    uint64_t reg_max = 0; /* rows whose bound exceeds it keep every uid */
    for (uint32_t j = 0; j < n; j++)
        reg_max = reg[j] > reg_max ? reg[j] : reg_max;
    for (uint32_t i = 0; i < n; i++) {
        size_t start = o;
        c->s->w_up[i] = true; /* empty */
        if (c->row_ok[i] && in->weights != NULL) {
            const cov_yuma_entry *re = in->weights[i].entries;
            uint32_t len = in->weights[i].len;
            uint64_t updated = i < in->last_update_len ? in->last_update[i] : 0;
            uint64_t commit = in->commit_block ? in->commit_block[i] : COV_YUMA_NO_COMMIT;
            /* the diagonal is dropped unless i is the owner */
            uint32_t diag = in->owner_uid != (int32_t)i ? i : UINT32_MAX;
            /* kept: !(updated <= reg || commit < reg), i.e. reg < lim */
            uint64_t lim = commit == UINT64_MAX ? updated
                                                : (updated < commit + 1 ? updated : commit + 1);
            /* the sum of the kept u16 << 32 values wraps as (sum of u16) << 32 */
            uint64_t sum = 0;
            if (reg_max < lim) /* every uid registered before lim */
                o = compact_row(wc, wv, o, re, len, reg, lim, diag, n, &sum, false);
            else
                o = compact_row(wc, wv, o, re, len, reg, lim, diag, n, &sum, true);
            sum <<= 32;
            /* strictly ascending: counted so that it vectorises */
            unsigned down = 0;
            for (size_t e = start + 1; e < o; e++)
                down += wc[e] <= wc[e - 1];
            c->s->w_up[i] = down == 0;
            if ((cov_fx32)sum > 0) {
                /* v << 32 safe_div S << 32 is floor((v << 32) / S): a
                 * reciprocal of S (cov_fx32_recip) where S >= 2 */
                uint64_t S = sum >> 32, m = 0;
                uint8_t sh = 0;
                if (S >= 2)
                    cov_fx32_recip_init(S, &m, &sh);
                if (S >= 2) /* the values are u16 */
                    cov_fx32_recip_div_all(wv + start, o - start, m, sh);
                else
                    for (size_t e = start; e < o; e++)
                        wv[e] = (cov_fx32)((uint64_t)wv[e] << 32);
            } else {
                for (size_t e = start; e < o; e++)
                    wv[e] = (cov_fx32)((uint64_t)wv[e] << 32);
            }
        }
        w->rowptr[i + 1] = o;
    }
    return true;
}

/* interpolate_sparse for one row when 0 < beta < 1: over the row's
 * columns in ascending order, W + beta (W_clipped - W), kept if > 0 (a
 * later duplicate overwrites, as the chain's dense rows do). Writes at most
 * len entries to col/val (which may be the row itself). */
static size_t interpolate_row(uint16_t *col, cov_fx32 *val, const uint16_t *wcol,
                              const cov_fx32 *wval, size_t len, const cov_fx32 *C,
                              cov_fx32 beta, yuma_ctx *c)
{
    struct cov_yuma_scratch *s = c->s;
    uint16_t n = c->in->n;
    cov_fx32 *da = s->vec[2], *db = s->vec[3];
    uint32_t *mark = s->mark;
    uint16_t *cols = s->touched;
    size_t cnt = 0;
    for (size_t e = 0; e < len; e++) {
        uint16_t j = wcol[e];
        if (mark[j] != 1) {
            mark[j] = 1;
            cols[cnt++] = j;
            db[j] = 0;
        }
        cov_fx32 v = wval[e], th = C[j];
        da[j] = v;
        /* col_clip_sparse: an entry clipped to <= 0 is absent from W_clipped */
        if (!(th < v) || th > 0)
            db[j] = th < v ? th : v;
    }
    /* ascending columns: a scan when many, else an insertion sort */
    if (cnt * 8 >= n) {
        size_t k = 0;
        for (uint32_t j = 0; j < n; j++)
            if (mark[j] == 1)
                cols[k++] = (uint16_t)j;
    } else {
        for (size_t a = 1; a < cnt; a++)
            for (size_t b = a; b > 0 && cols[b - 1] > cols[b]; b--) {
                uint16_t t = cols[b];
                cols[b] = cols[b - 1];
                cols[b - 1] = t;
            }
    }
    size_t o = 0;
    for (size_t k = 0; k < cnt; k++) {
        uint16_t j = cols[k];
        mark[j] = 0;
        cov_fx32 r = cov_fx32_add_sat(da[j], cov_fx32_mul_sat(beta, cov_fx32_sub_sat(db[j], da[j])));
        if (r > 0) {
            col[o] = j;
            val[o++] = r;
        }
    }
    return o;
}

/* One row when the weights for bonds are the clipped weights (beta = 1):
 * clipped at consensus, its sum (validator trust, into *vt), a times it
 * into ranks (matmul_sparse), and the row compacted to the entries kept
 * (an entry clipped to <= 0 is absent from W_clipped) at ocol/oval, which
 * may be the row itself or before it; times_a: stored as a * clipped, the
 * product original Yuma's bond delta starts from (yuma_ctx.wb_times_a).
 * Branch-free: about half the weights sit above consensus. unit: a in
 * [0, 1], its products cannot saturate. */
YUMA_KERNEL size_t clip_row(uint16_t *ocol, cov_fx32 *oval, const uint16_t *col,
                            const cov_fx32 *val, size_t len, const cov_fx32 *restrict C,
                            cov_fx32 a, cov_fx32 *restrict ranks, cov_fx32 *vt_out, bool unit,
                            bool times_a)
{
    cov_fx32 vt = *vt_out;
    size_t o = 0;
    for (size_t e = 0; e < len; e++) {
        uint16_t j = col[e];
        cov_fx32 v = val[e], th = C[j];
        bool above = th < v, keep = !above || th > 0;
        cov_fx32 clipped = above ? th : v;
        cov_fx32 contrib = keep ? clipped : 0; /* adding 0 changes nothing */
        vt = cov_fx32_add_wrap(vt, contrib);
        cov_fx32 p = unit ? cov_fx32_mul_unit(a, contrib) : cov_fx32_mul_sat(a, contrib);
        ranks[j] = cov_fx32_add_sat(ranks[j], p);
        ocol[o] = j;
        oval[o] = times_a ? p : clipped; /* p = a * clipped where kept */
        o += keep;
    }
    *vt_out = vt;
    return o;
}

bool yuma_clip_and_rank(yuma_ctx *c)
{
    const cov_yuma_input *in = c->in;
    cov_yuma_output *out = c->out;
    ymat *w = &c->s->w;
    uint16_t n = in->n;
    const cov_fx32 *C = out->consensus_fx, *A = out->active_stake_fx;
    cov_fx32 *ranks = out->incentive_fx, *dsum = c->dsum;
    cov_fx32 beta = cov_fx32_u16_proportion(in->bonds_penalty);
    bool original = !in->yuma3;
    memset(ranks, 0, (size_t)n * sizeof *ranks);
    if (original && beta != COV_FX32_ONE)
        memset(dsum, 0, (size_t)n * sizeof *dsum);
    if (beta != 0 && beta != COV_FX32_ONE)
        memset(c->s->mark, 0, (size_t)n * sizeof *c->s->mark);

    size_t o = 0, start = w->rowptr[0];
    for (uint32_t i = 0; i < n; i++) {
        size_t end = w->rowptr[i + 1], row_out = o;
        cov_fx32 a = A[i], vt = 0;
        if (beta == COV_FX32_ONE) {
            bool unit = cov_fx32_is_unit(a);
            if (original)
                o += unit ? clip_row(w->col + o, w->val + o, w->col + start, w->val + start,
                                     end - start, C, a, ranks, &vt, true, true)
                          : clip_row(w->col + o, w->val + o, w->col + start, w->val + start,
                                     end - start, C, a, ranks, &vt, false, true);
            else
                o += unit ? clip_row(w->col + o, w->val + o, w->col + start, w->val + start,
                                     end - start, C, a, ranks, &vt, true, false)
                          : clip_row(w->col + o, w->val + o, w->col + start, w->val + start,
                                     end - start, C, a, ranks, &vt, false, false);
        } else {
            for (size_t e = start; e < end; e++) {
                uint16_t j = w->col[e];
                cov_fx32 v = w->val[e], th = C[j];
                bool above = th < v, keep = !above || th > 0;
                cov_fx32 contrib = keep ? (above ? th : v) : 0;
                vt = cov_fx32_add_wrap(vt, contrib);                              /* row_sum_sparse */
                ranks[j] = cov_fx32_add_sat(ranks[j], cov_fx32_mul_sat(a, contrib)); /* matmul_sparse */
            }
        }
        out->validator_trust_fx[i] = vt;
        if (beta == 0) { /* weights for bonds = W, untouched */
            o = end;
        } else if (beta != COV_FX32_ONE) {
            o += interpolate_row(w->col + o, w->val + o, w->col + start, w->val + start,
                                 end - start, C, beta, c);
            c->s->w_up[i] = true; /* its columns in ascending order, each once */
        }
        start = end;
        w->rowptr[i + 1] = o;
        /* original Yuma's bond delta W_bonds * A: column sums for its
         * column normalisation (row_hadamard_sparse +
         * inplace_col_normalize_sparse); inline above when W_bonds is the
         * clipped W */
        if (original && beta != COV_FX32_ONE)
            for (size_t e = row_out; e < o; e++)
                dsum[w->col[e]] = cov_fx32_add_sat(dsum[w->col[e]],
                                                   cov_fx32_mul_sat(w->val[e], a));
    }
    /* with beta = 1, dsum takes exactly the terms ranks takes, in the same
     * order from the same 0: it is ranks (before ranks is normalised) */
    if (original && beta == COV_FX32_ONE)
        memcpy(dsum, ranks, (size_t)n * sizeof *dsum);
    c->wb_times_a = original && beta == COV_FX32_ONE;
    return true;
}
