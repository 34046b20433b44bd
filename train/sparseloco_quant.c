/* SparseLoCo's statistical quantizer (templar.md §2.2 step 4), its inverse,
 * and the peer statistics the outer step needs (§3.5).
 *
 * Sums run in double over the values in their stored order (chunk by chunk,
 * index-ascending inside a chunk) and are rounded to float once; the
 * elementwise steps are float, as Templar's are. See sparseloco.h. */
#include "train/sparseloco_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cov_sparseloco_quantize(uint8_t *codes, float *shift_out, float *scale_out, float *lookup,
                             const float *vals, size_t n, int n_bins, float range)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += vals[i];
    float shift = n ? (float)(sum / (double)n) : 0.0f;

    double sq = 0.0;
    for (size_t i = 0; i < n; i++) {
        float c = vals[i] - shift;
        sq += (double)c * c;
    }
    /* std = ||c|| / sqrt(N − 1): one value gives 0/0, which falls back. */
    double std = sqrt(sq) / sqrt((double)n - 1.0);
    float scale = (float)((double)range * std / (double)n_bins);
    if (scale == 0.0f || !isfinite(scale))
        scale = 1.0f;

    double bin_sum[COV_SPARSELOCO_MAX_BINS];
    size_t bin_count[COV_SPARSELOCO_MAX_BINS];
    memset(bin_sum, 0, sizeof bin_sum);
    memset(bin_count, 0, sizeof bin_count);
    const float offset = (float)(n_bins / 2), top = (float)(n_bins - 1);
    for (size_t i = 0; i < n; i++) {
        float c = vals[i] - shift;
        /* rintf rounds half to even in the default rounding mode, as
         * torch.round does: c/scale = ±0.5 → offset, −1.5 → offset − 2. */
        float q = rintf(c / scale + offset);
        q = q < 0.0f ? 0.0f : (q > top ? top : q);
        uint8_t b = (uint8_t)q;
        codes[i] = b;
        bin_sum[b] += c;
        bin_count[b]++;
    }
    for (int b = 0; b < n_bins; b++)
        lookup[b] = bin_count[b] ? (float)(bin_sum[b] / (double)bin_count[b]) : 0.0f;
    *shift_out = shift;
    *scale_out = scale;
}

void cov_sparseloco_dequantize(float *vals, const cov_sparseloco_tensor *t)
{
    size_t n = t->geom.n_kept;
    for (size_t i = 0; i < n; i++)
        vals[i] = t->lookup[t->codes[i]] + t->shift;
}

float cov_sparseloco_norm(const cov_sparseloco_tensor *t)
{
    double sq = 0.0;
    size_t n = t->geom.n_kept;
    for (size_t i = 0; i < n; i++) {
        float v = t->lookup[t->codes[i]] + t->shift;
        sq += (double)v * v;
    }
    return (float)sqrt(sq);
}

static int cmp_float_nan_last(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return (x > y) - (x < y);
}

float cov_sparseloco_lower_median(const float *vals, float *scratch, size_t n)
{
    memcpy(scratch, vals, n * sizeof *scratch);
    qsort(scratch, n, sizeof *scratch, cmp_float_nan_last);
    if (isnan(scratch[n - 1]))
        return scratch[n - 1]; /* torch.median propagates NaN */
    return scratch[(n - 1) / 2];
}
