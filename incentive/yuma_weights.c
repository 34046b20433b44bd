/* The weights side of the epoch (run_epoch.rs steps 5 and 7-10): the
 * masked, row-normalised weights W; then in one pass the weights clipped
 * at consensus, validator trust, ranks, and the weights bonds are built
 * from, which replace W in place. */
#include <stdlib.h>
#include <string.h>

#include "incentive/yuma_internal.h"

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
    if (!ymat_reserve(w, n, nnz))
        return false;
    w->rows = n;
    w->rowptr[0] = 0;
    size_t o = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t start = o;
        if (c->row_ok[i] && in->weights != NULL) {
            const cov_yuma_row *r = &in->weights[i];
            uint64_t updated = i < in->last_update_len ? in->last_update[i] : 0;
            uint64_t commit = in->commit_block ? in->commit_block[i] : COV_YUMA_NO_COMMIT;
            cov_fx32 sum = 0;
            for (uint32_t e = 0; e < r->len; e++) {
                uint16_t j = r->entries[e].uid;
                if (j >= n)
                    continue;
                if (j == i && in->owner_uid != (int32_t)i)
                    continue;
                uint64_t reg = in->block_at_registration[j];
                if (updated <= reg || commit < reg)
                    continue;
                cov_fx32 v = (cov_fx32)r->entries[e].value << 32;
                w->col[o] = j;
                w->val[o++] = v;
                sum = cov_fx32_add_wrap(sum, v);
            }
            if (sum > 0) {
                cov_fx32_divider dv;
                cov_fx32_divider_init(&dv, sum);
                for (size_t e = start; e < o; e++)
                    w->val[e] = cov_fx32_div_by(&dv, w->val[e]);
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
    if (original)
        memset(dsum, 0, (size_t)n * sizeof *dsum);
    if (beta != 0 && beta != COV_FX32_ONE)
        memset(c->s->mark, 0, (size_t)n * sizeof *c->s->mark);

    size_t o = 0, start = w->rowptr[0];
    for (uint32_t i = 0; i < n; i++) {
        size_t end = w->rowptr[i + 1], row_out = o;
        cov_fx32 a = A[i], vt = 0;
        if (beta == COV_FX32_ONE) {
            /* weights for bonds = the clipped weights, compacted in place;
             * branch-free: about half the weights sit above consensus */
            for (size_t e = start; e < end; e++) {
                uint16_t j = w->col[e];
                cov_fx32 v = w->val[e], th = C[j];
                bool above = th < v, keep = !above || th > 0;
                cov_fx32 clipped = above ? th : v;
                cov_fx32 contrib = keep ? clipped : 0; /* adding 0 changes nothing */
                vt = cov_fx32_add_wrap(vt, contrib);
                ranks[j] = cov_fx32_add_sat(ranks[j], cov_fx32_mul_sat(a, contrib));
                if (original)
                    dsum[j] = cov_fx32_add_sat(dsum[j], cov_fx32_mul_sat(contrib, a));
                w->col[o] = j;
                w->val[o] = clipped;
                o += keep;
            }
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
    return true;
}
