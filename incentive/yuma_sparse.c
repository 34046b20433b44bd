/* The sparse matrix the epoch keeps its weights and bonds in, and the row
 * kernel of mat_ema_alpha_sparse (epoch/math.rs). */
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

bool ycol_set(ycoldiv *t, uint16_t j, cov_fx32 b)
{
    t->b[j] = b;
    t->m[j] = 0;
    if (b > 1)
        cov_fx32_recip_init((uint64_t)b, &t->m[j], &t->sh[j]);
    else
        t->sh[j] = b == 0 ? 31 : YCOL_SLOW; /* 0: (a << 32) >> 32 */
    return t->sh[j] != YCOL_SLOW;
}

bool ycol_set_int(ycoldiv *t, uint16_t j, cov_fx32 b)
{
    t->b[j] = b;
    t->m[j] = 0;
    if (b > 0 && (b & 0xFFFFFFFF) == 0 && b >> 32 > 1)
        cov_fx32_recip_init((uint64_t)b >> 32, &t->m[j], &t->sh[j]);
    else
        t->sh[j] = YCOL_SLOW;
    return t->sh[j] != YCOL_SLOW;
}

size_t yema_alpha_row(uint16_t *out_col, cov_fx32 *out_val, const uint16_t *new_col,
                      const cov_fx32 *new_val, size_t new_len, const uint16_t *old_col,
                      const cov_fx32 *old_val, size_t old_len, const cov_fx32 *alpha,
                      uint16_t columns, cov_fx32 *decayed)
{
    /* the chain zeroes a dense row; only columns in new are read back */
    for (size_t e = 0; e < new_len; e++)
        if (new_col[e] < columns)
            decayed[new_col[e]] = 0;
    for (size_t e = 0; e < old_len; e++) {
        uint16_t j = old_col[e];
        if (j < columns) /* assignment: a later duplicate wins */
            decayed[j] = cov_fx32_mul_sat(cov_fx32_sub_sat(COV_FX32_ONE, alpha[j]), old_val[e]);
    }
    size_t o = 0;
    for (size_t e = 0; e < new_len; e++) {
        uint16_t j = new_col[e];
        if (j >= columns)
            continue;
        cov_fx32 inc = cov_fx32_max(cov_fx32_mul_sat(alpha[j], new_val[e]), 0);
        cov_fx32 v = cov_fx32_min(cov_fx32_add_sat(decayed[j], inc), COV_FX32_ONE);
        if (v > 0) {
            out_col[o] = j;
            out_val[o++] = v;
        }
    }
    return o;
}
