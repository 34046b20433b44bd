/* Softmax cross entropy with torch's ignore_index = -100 and mean reduction
 * over the rows that count. */
#include "train/ops.h"
#include "train/ops_parallel.h"

#include <math.h>

float cov_op_cross_entropy_forward(float *lse, int64_t *count, const float *logits,
                                   const int32_t *targets, int N, int V)
{
    COV_PARALLEL_FOR
    for (int n = 0; n < N; n++) {
        const float *row = logits + (size_t)n * V;
        float max = row[0];
        for (int v = 1; v < V; v++)
            if (row[v] > max)
                max = row[v];
        double sum = 0.0;
        for (int v = 0; v < V; v++)
            sum += exp((double)(row[v] - max));
        lse[n] = max + (float)log(sum);
    }
    /* Sequential, in row order: the same sum every run. */
    double total = 0.0;
    int64_t counted = 0;
    for (int n = 0; n < N; n++) {
        if (targets[n] == COV_IGNORE_INDEX)
            continue;
        total += (double)lse[n] - (double)logits[(size_t)n * V + targets[n]];
        counted++;
    }
    *count = counted;
    return counted ? (float)(total / (double)counted) : 0.0f;
}

void cov_op_cross_entropy_backward(float *dlogits, const float *logits, const float *lse,
                                   const int32_t *targets, int N, int V, float scale)
{
    COV_PARALLEL_FOR
    for (int n = 0; n < N; n++) {
        const float *row = logits + (size_t)n * V;
        float *drow = dlogits + (size_t)n * V;
        if (targets[n] == COV_IGNORE_INDEX) {
            for (int v = 0; v < V; v++)
                drow[v] = 0.0f;
            continue;
        }
        for (int v = 0; v < V; v++)
            drow[v] = scale * expf(row[v] - lse[n]);
        drow[targets[n]] -= scale;
    }
}
