/* Token embedding lookup and its scatter-add backward. */
#include "train/ops.h"
#include "train/ops_parallel.h"

#include <string.h>

void cov_op_embedding_forward(float *out, const float *table, const int32_t *tokens, int N,
                              int D)
{
    COV_PARALLEL_FOR
    for (int n = 0; n < N; n++)
        memcpy(out + (size_t)n * D, table + (size_t)tokens[n] * D, sizeof(float) * (size_t)D);
}

void cov_op_embedding_backward(float *dtable, const float *dout, const int32_t *tokens,
                               int N, int D)
{
    /* A token seen twice adds to the same row: split by columns instead of
     * rows so no two threads ever write one element. */
    int blocks = (D + COV_COLUMN_BLOCK - 1) / COV_COLUMN_BLOCK;
    COV_PARALLEL_FOR
    for (int b = 0; b < blocks; b++) {
        int j0 = b * COV_COLUMN_BLOCK;
        int j1 = j0 + COV_COLUMN_BLOCK < D ? j0 + COV_COLUMN_BLOCK : D;
        for (int n = 0; n < N; n++) {
            float *dst = dtable + (size_t)tokens[n] * D;
            const float *src = dout + (size_t)n * D;
            for (int j = j0; j < j1; j++)
                dst[j] += src[j];
        }
    }
}
