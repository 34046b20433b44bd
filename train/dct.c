/* DeMo's chunked DCT (templar.md §2.1), the optional transform of SparseLoCo.
 * Plain matrix products in double: chunks are at most 64×64, the transform
 * is optional (Covenant-72B ran without it), and double makes the result
 * independent of the summation order up to the final rounding to float. */
#include "train/sparseloco_internal.h"

#include <math.h>

void cov_dct_basis(double *basis, int n)
{
    const double pi = 3.14159265358979323846;
    for (int i = 0; i < n; i++)
        for (int b = 0; b < n; b++) {
            double s = b == 0 ? sqrt(1.0 / n) : sqrt(2.0 / n);
            basis[i * n + b] = s * cos(pi * (2 * i + 1) * b / (2.0 * n));
        }
}

void cov_dct_forward(float *out, const float *in, int h, int w, const double *bh,
                     const double *bw, double *tmp)
{
    /* tmp[k][d] = Σ_l x[k][l]·Bw[l][d] */
    for (int k = 0; k < h; k++)
        for (int d = 0; d < w; d++) {
            double acc = 0.0;
            for (int l = 0; l < w; l++)
                acc += (double)in[k * w + l] * bw[l * w + d];
            tmp[k * w + d] = acc;
        }
    /* X[b][d] = Σ_k Bh[k][b]·tmp[k][d] */
    for (int b = 0; b < h; b++)
        for (int d = 0; d < w; d++) {
            double acc = 0.0;
            for (int k = 0; k < h; k++)
                acc += bh[k * h + b] * tmp[k * w + d];
            out[b * w + d] = (float)acc;
        }
}

void cov_dct_inverse(float *out, const float *in, int h, int w, const double *bh,
                     const double *bw, double *tmp)
{
    /* tmp[b][l] = Σ_d X[b][d]·Bw[l][d] */
    for (int b = 0; b < h; b++)
        for (int l = 0; l < w; l++) {
            double acc = 0.0;
            for (int d = 0; d < w; d++)
                acc += (double)in[b * w + d] * bw[l * w + d];
            tmp[b * w + l] = acc;
        }
    /* x[k][l] = Σ_b Bh[k][b]·tmp[b][l] */
    for (int k = 0; k < h; k++)
        for (int l = 0; l < w; l++) {
            double acc = 0.0;
            for (int b = 0; b < h; b++)
                acc += bh[k * h + b] * tmp[b * w + l];
            out[k * w + l] = (float)acc;
        }
}
