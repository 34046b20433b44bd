/* RMSNorm (no mean subtraction, no bias), as in Llama. */
#include "train/ops.h"
#include "train/ops_parallel.h"

#include <math.h>

void cov_op_rmsnorm_forward(float *y, float *rstd, const float *x, const float *w, int N,
                            int D, float eps)
{
    COV_PARALLEL_FOR
    for (int n = 0; n < N; n++) {
        const float *xr = x + (size_t)n * D;
        float *yr = y + (size_t)n * D;
        double ss = 0.0;
        for (int j = 0; j < D; j++)
            ss += (double)xr[j] * xr[j];
        /* torch: x * rsqrt(mean(x²) + eps) in fp32; the mean in double only
         * removes rounding, it changes no formula. */
        float r = (float)(1.0 / sqrt(ss / D + (double)eps));
        rstd[n] = r;
        for (int j = 0; j < D; j++)
            yr[j] = (xr[j] * r) * w[j];
    }
}

void cov_op_rmsnorm_backward_add(float *dx, float *dw, const float *dy, const float *x,
                                 const float *w, const float *rstd, int N, int D)
{
    COV_PARALLEL_FOR
    for (int n = 0; n < N; n++) {
        const float *xr = x + (size_t)n * D, *dyr = dy + (size_t)n * D;
        float *dxr = dx + (size_t)n * D;
        float r = rstd[n];
        /* mean over j of g⊙x̂ with g = dy⊙w, x̂ = x·r */
        double dot = 0.0;
        for (int j = 0; j < D; j++)
            dot += (double)(dyr[j] * w[j]) * (xr[j] * r);
        float m = (float)(dot / D);
        for (int j = 0; j < D; j++)
            dxr[j] += r * (dyr[j] * w[j] - xr[j] * r * m);
    }
    int blocks = (D + COV_COLUMN_BLOCK - 1) / COV_COLUMN_BLOCK;
    COV_PARALLEL_FOR
    for (int b = 0; b < blocks; b++) {
        int j0 = b * COV_COLUMN_BLOCK;
        int j1 = j0 + COV_COLUMN_BLOCK < D ? j0 + COV_COLUMN_BLOCK : D;
        float acc[COV_COLUMN_BLOCK] = {0};
        for (int n = 0; n < N; n++) {
            const float *xr = x + (size_t)n * D, *dyr = dy + (size_t)n * D;
            float r = rstd[n];
            for (int j = j0; j < j1; j++)
                acc[j - j0] += dyr[j] * (xr[j] * r);
        }
        for (int j = j0; j < j1; j++)
            dw[j] += acc[j - j0];
    }
}
