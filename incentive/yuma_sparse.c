/* Sparse matrix steps of the epoch, each the counterpart of one function
 * of subtensor's epoch/math.rs with the same rounding, saturation and entry
 * order (the order matters: later steps read rows as stored). */
#include <stdlib.h>
#include <string.h>

#include "incentive/yuma_internal.h"

bool ymat_reserve(ymat *m, uint32_t rows, size_t nnz)
{
    if (m->rowptr == NULL || m->rows_cap < rows) {
        size_t *p = realloc(m->rowptr, ((size_t)rows + 1) * sizeof *p);
        if (p == NULL)
            return false;
        if (m->rowptr == NULL)
            p[0] = 0;
        m->rowptr = p;
        m->rows_cap = rows;
    }
    if (nnz == 0)
        nnz = 1; /* keep col/val non-NULL */
    if (m->cap < nnz) {
        size_t cap = m->cap ? m->cap : 64;
        while (cap < nnz)
            cap *= 2;
        uint16_t *c = realloc(m->col, cap * sizeof *c);
        if (c == NULL)
            return false;
        m->col = c;
        cov_fx32 *v = realloc(m->val, cap * sizeof *v);
        if (v == NULL)
            return false;
        m->val = v;
        m->cap = cap;
    }
    return true;
}

void ymat_free(ymat *m)
{
    free(m->rowptr);
    free(m->col);
    free(m->val);
    memset(m, 0, sizeof *m);
}

void ymat_row_normalize(ymat *m)
{
    for (uint32_t i = 0; i < m->rows; i++) {
        size_t a = m->rowptr[i], b = m->rowptr[i + 1];
        cov_fx32 sum = 0;
        for (size_t e = a; e < b; e++)
            sum = cov_fx32_add_wrap(sum, m->val[e]);
        if (sum <= 0)
            continue;
        cov_fx32_divider dv;
        cov_fx32_divider_init(&dv, sum);
        for (size_t e = a; e < b; e++)
            m->val[e] = cov_fx32_div_by(&dv, m->val[e]);
    }
}

void ymat_col_normalize(ymat *m, uint16_t columns, cov_fx32 *sums,
                        cov_fx32_divider *dv)
{
    size_t nnz = ymat_nnz(m);
    memset(sums, 0, (size_t)columns * sizeof *sums);
    for (size_t e = 0; e < nnz; e++)
        if (m->col[e] < columns)
            sums[m->col[e]] = cov_fx32_add_sat(sums[m->col[e]], m->val[e]);
    for (uint16_t j = 0; j < columns; j++)
        if (sums[j] != 0)
            cov_fx32_divider_init(&dv[j], sums[j]);
    for (size_t e = 0; e < nnz; e++) {
        uint16_t j = m->col[e];
        if (j < columns && sums[j] != 0)
            m->val[e] = cov_fx32_div_by(&dv[j], m->val[e]);
    }
}

void ymat_col_max_upscale(ymat *m, uint16_t columns, cov_fx32 *maxes,
                          cov_fx32_divider *dv)
{
    size_t nnz = ymat_nnz(m);
    memset(maxes, 0, (size_t)columns * sizeof *maxes);
    for (size_t e = 0; e < nnz; e++) {
        uint16_t j = m->col[e];
        if (j < columns && maxes[j] < m->val[e])
            maxes[j] = m->val[e];
    }
    for (uint16_t j = 0; j < columns; j++)
        if (maxes[j] != 0)
            cov_fx32_divider_init(&dv[j], maxes[j]);
    for (size_t e = 0; e < nnz; e++) {
        uint16_t j = m->col[e];
        if (j < columns && maxes[j] != 0)
            m->val[e] = cov_fx32_div_by(&dv[j], m->val[e]);
    }
}

bool ymat_col_clip(ymat *out, const ymat *w, const cov_fx32 *c, uint16_t columns)
{
    if (!ymat_reserve(out, w->rows, ymat_nnz(w)))
        return false;
    size_t o = 0;
    out->rows = w->rows;
    out->rowptr[0] = 0;
    for (uint32_t i = 0; i < w->rows; i++) {
        for (size_t e = w->rowptr[i]; e < w->rowptr[i + 1]; e++) {
            uint16_t j = w->col[e];
            cov_fx32 th = j < columns ? c[j] : 0, v = w->val[e];
            if (th < v) {
                if (th > 0) { /* clip down; a threshold <= 0 drops it */
                    out->col[o] = j;
                    out->val[o++] = th;
                }
            } else {
                out->col[o] = j;
                out->val[o++] = v;
            }
        }
        out->rowptr[i + 1] = o;
    }
    return true;
}

void ymat_row_sum(cov_fx32 *out, const ymat *m)
{
    for (uint32_t i = 0; i < m->rows; i++) {
        cov_fx32 s = 0;
        for (size_t e = m->rowptr[i]; e < m->rowptr[i + 1]; e++)
            s = cov_fx32_add_wrap(s, m->val[e]);
        out[i] = s;
    }
}

void ymat_matmul(cov_fx32 *out, const ymat *m, const cov_fx32 *v, uint16_t columns)
{
    memset(out, 0, (size_t)columns * sizeof *out);
    for (uint32_t i = 0; i < m->rows; i++) {
        cov_fx32 scale = v[i];
        for (size_t e = m->rowptr[i]; e < m->rowptr[i + 1]; e++) {
            uint16_t j = m->col[e];
            if (j < columns)
                out[j] = cov_fx32_add_sat(out[j], cov_fx32_mul_sat(scale, m->val[e]));
        }
    }
}

void ymat_matmul_transpose(cov_fx32 *out, const ymat *m, const cov_fx32 *v,
                           size_t vlen)
{
    for (uint32_t i = 0; i < m->rows; i++) {
        cov_fx32 acc = 0;
        for (size_t e = m->rowptr[i]; e < m->rowptr[i + 1]; e++) {
            cov_fx32 vj = m->col[e] < vlen ? v[m->col[e]] : 0;
            acc = cov_fx32_add_sat(acc, cov_fx32_mul_sat(vj, m->val[e]));
        }
        out[i] = acc;
    }
}

void ymat_row_hadamard(ymat *m, const cov_fx32 *v)
{
    for (uint32_t i = 0; i < m->rows; i++)
        for (size_t e = m->rowptr[i]; e < m->rowptr[i + 1]; e++)
            m->val[e] = cov_fx32_mul_sat(m->val[e], v[i]);
}

static int cmp_u16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* Puts the `cnt` distinct columns marked with `stamp` into ascending
 * order: a scan when they are many, a sort when they are few. */
static size_t sorted_columns(uint16_t *touched, size_t cnt, const uint32_t *mark,
                             uint32_t stamp, uint16_t columns)
{
    if (cnt * 8 >= columns) {
        size_t k = 0;
        for (uint32_t j = 0; j < columns; j++)
            if (mark[j] == stamp)
                touched[k++] = (uint16_t)j;
        return k;
    }
    bool sorted = true;
    for (size_t k = 1; k < cnt && sorted; k++)
        sorted = touched[k - 1] < touched[k];
    if (!sorted)
        qsort(touched, cnt, sizeof *touched, cmp_u16);
    return cnt;
}

bool ymat_interpolate(ymat *out, const ymat *a, const ymat *b, uint16_t columns,
                      cov_fx32 ratio, cov_fx32 *dense_a, cov_fx32 *dense_b,
                      uint32_t *mark, uint16_t *touched)
{
    size_t cap = ymat_nnz(a) + ymat_nnz(b);
    if (!ymat_reserve(out, a->rows, cap))
        return false;
    out->rows = a->rows;
    out->rowptr[0] = 0;
    size_t o = 0;
    memset(mark, 0, (size_t)columns * sizeof *mark);
    for (uint32_t i = 0; i < a->rows; i++) {
        uint32_t stamp = i + 1;
        size_t cnt = 0;
        /* dense rows: a later duplicate overwrites, as in the chain */
        for (size_t e = a->rowptr[i]; e < a->rowptr[i + 1]; e++) {
            uint16_t j = a->col[e];
            if (j >= columns)
                continue;
            if (mark[j] != stamp) {
                mark[j] = stamp;
                dense_b[j] = 0;
                touched[cnt++] = j;
            }
            dense_a[j] = a->val[e];
        }
        if (i < b->rows)
            for (size_t e = b->rowptr[i]; e < b->rowptr[i + 1]; e++) {
                uint16_t j = b->col[e];
                if (j >= columns)
                    continue;
                if (mark[j] != stamp) {
                    mark[j] = stamp;
                    dense_a[j] = 0;
                    touched[cnt++] = j;
                }
                dense_b[j] = b->val[e];
            }
        cnt = sorted_columns(touched, cnt, mark, stamp, columns);
        for (size_t k = 0; k < cnt; k++) {
            uint16_t j = touched[k];
            cov_fx32 v1 = dense_a[j], v2 = dense_b[j];
            cov_fx32 r = cov_fx32_add_sat(
                v1, cov_fx32_mul_sat(ratio, cov_fx32_sub_sat(v2, v1)));
            if (r > 0) {
                out->col[o] = j;
                out->val[o++] = r;
            }
        }
        out->rowptr[i + 1] = o;
    }
    return true;
}

bool ymat_ema(ymat *out, const ymat *nw, const ymat *old, cov_fx32 alpha,
              cov_fx32 *dense, uint32_t *mark, uint16_t *touched)
{
    uint32_t n = nw->rows; /* the chain assumes a square matrix */
    size_t cap = ymat_nnz(nw) + ymat_nnz(old);
    if (!ymat_reserve(out, n, cap))
        return false;
    out->rows = n;
    out->rowptr[0] = 0;
    cov_fx32 one_minus = cov_fx32_sub_sat(COV_FX32_ONE, alpha);
    size_t o = 0;
    if (n > 0)
        memset(mark, 0, (size_t)n * sizeof *mark);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t stamp = i + 1;
        size_t cnt = 0;
        for (size_t e = nw->rowptr[i]; e < nw->rowptr[i + 1]; e++) {
            uint16_t j = nw->col[e];
            if (j >= n)
                continue;
            if (mark[j] != stamp) {
                mark[j] = stamp;
                dense[j] = 0;
                touched[cnt++] = j;
            }
            dense[j] = cov_fx32_add_sat(dense[j], cov_fx32_mul_sat(alpha, nw->val[e]));
        }
        if (i < old->rows)
            for (size_t e = old->rowptr[i]; e < old->rowptr[i + 1]; e++) {
                uint16_t j = old->col[e];
                if (j >= n)
                    continue;
                if (mark[j] != stamp) {
                    mark[j] = stamp;
                    dense[j] = 0;
                    touched[cnt++] = j;
                }
                dense[j] = cov_fx32_add_sat(dense[j],
                                            cov_fx32_mul_sat(one_minus, old->val[e]));
            }
        cnt = sorted_columns(touched, cnt, mark, stamp, (uint16_t)n);
        for (size_t k = 0; k < cnt; k++) {
            uint16_t j = touched[k];
            if (dense[j] > 0) {
                out->col[o] = j;
                out->val[o++] = dense[j];
            }
        }
        out->rowptr[i + 1] = o;
    }
    return true;
}

bool ymat_ema_alpha(ymat *out, const ymat *nw, const ymat *old, uint16_t columns,
                    cov_yuma_alpha_fn alpha_of, void *ctx, cov_fx32 *decayed)
{
    if (!ymat_reserve(out, nw->rows, ymat_nnz(nw)))
        return false;
    out->rows = nw->rows;
    out->rowptr[0] = 0;
    size_t o = 0;
    for (uint32_t i = 0; i < nw->rows; i++) {
        /* the chain zeroes a dense row; only columns in new are read back */
        for (size_t e = nw->rowptr[i]; e < nw->rowptr[i + 1]; e++)
            if (nw->col[e] < columns)
                decayed[nw->col[e]] = 0;
        if (i < old->rows)
            for (size_t e = old->rowptr[i]; e < old->rowptr[i + 1]; e++) {
                uint16_t j = old->col[e];
                if (j < columns) /* assignment: a later duplicate wins */
                    decayed[j] = cov_fx32_mul_sat(
                        cov_fx32_sub_sat(COV_FX32_ONE, alpha_of(ctx, i, j)),
                        old->val[e]);
            }
        for (size_t e = nw->rowptr[i]; e < nw->rowptr[i + 1]; e++) {
            uint16_t j = nw->col[e];
            if (j >= columns)
                continue;
            cov_fx32 inc = cov_fx32_max(cov_fx32_mul_sat(alpha_of(ctx, i, j), nw->val[e]), 0);
            cov_fx32 v = cov_fx32_min(cov_fx32_add_sat(decayed[j], inc), COV_FX32_ONE);
            if (v > 0) {
                out->col[o] = j;
                out->val[o++] = v;
            }
        }
        out->rowptr[i + 1] = o;
    }
    return true;
}
