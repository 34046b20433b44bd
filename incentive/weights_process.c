/* The SDK's process_weights (what process_weights_for_netuid calls with the
 * metagraph's n, MinAllowedWeights and MaxWeightsLimit / 65535).
 *
 * SDK, weights cast to float32, quantile = exclude_quantile / 65535:
 *   nz = positions where w > 0
 *   if |nz| == 0 or n < min_allowed: return arange(n), ones(n) / n
 *   if |nz| < min_allowed:
 *       w2 = ones(n) * 1e-5; w2[nz] += w[nz]     (float64; positions!)
 *       return arange(n), normalize_max_weight(w2, limit)
 *   q = min(quantile, max(0, |nz| - min_allowed) / |nz|)
 *   low = np.quantile(w[nz], q); keep = low <= w[nz]
 *   return uids[nz][keep], normalize_max_weight(w[nz][keep], limit)
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "incentive/weights.h"
#include "incentive/weights_internal.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

void cov_weights_processed_free(cov_weights_processed *p)
{
    if (p == NULL)
        return;
    free(p->uids);
    free(p->weights);
    memset(p, 0, sizeof *p);
}

static cov_status alloc_out(cov_weights_processed *out, size_t len, cov_err *err)
{
    /* +1 so that an empty result still gets real (freeable) arrays */
    out->uids = malloc((len + 1) * sizeof *out->uids);
    out->weights = malloc((len + 1) * sizeof *out->weights);
    if (out->uids == NULL || out->weights == NULL) {
        cov_weights_processed_free(out);
        return cov_fail(err, COV_ERR_NOMEM, "process_weights: no memory for %zu weights", len);
    }
    out->len = len;
    return COV_OK;
}

/* np.quantile(a, q) with the default 'linear' method on a float32 array
 * and a Python-float q, as numpy 2.4 computes it: the virtual index
 * (m - 1) * q and its fraction in float64, then numpy's lerp in float32
 * with the fraction cast to float32 (a weak Python float), taking
 * b - (b - a) * (1 - t) instead of a + (b - a) * t from t >= 0.5 on.
 * Past the last index numpy sets both neighbours to -1 (the maximum) and
 * the fraction becomes index + 1. sorted is a sorted copy, m >= 1. */
static float np_quantile_linear_f32(const float *sorted, size_t m, double q)
{
    double vi = (double)(m - 1) * q;
    size_t lo, hi;
    double t;
    if (vi >= (double)(m - 1)) {
        lo = hi = m - 1;
        t = vi + 1.0;
    } else {
        double fl = floor(vi);
        lo = (size_t)fl;
        hi = lo + 1;
        t = vi - fl;
    }
    float a = sorted[lo], b = sorted[hi];
    float diff = b - a;
    float step = diff * (float)t;
    float r = a + step;
    if (t >= 0.5) {
        float rest = diff * (float)(1.0 - t);
        r = b - rest;
    }
    return r;
}

static cov_status uniform(cov_weights_processed *out, uint16_t num_neurons, cov_err *err)
{
    cov_status st = alloc_out(out, num_neurons, err);
    if (st != COV_OK)
        return st;
    out->branch = COV_WEIGHTS_UNIFORM;
    out->f64 = true; /* np.ones(n, int64) / n is float64 */
    for (size_t i = 0; i < num_neurons; i++) {
        out->uids[i] = (int64_t)i;
        out->weights[i] = 1.0 / (double)num_neurons;
    }
    return COV_OK;
}

static cov_status padded(cov_weights_processed *out, const float *weights, size_t n,
                         uint16_t num_neurons, double limit, cov_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (weights[i] > 0 && i >= num_neurons)
            return cov_fail(err, COV_ERR_ARG,
                            "process_weights: weight %zu is > 0 but the subnet has %u neurons "
                            "(the SDK pads by position and raises IndexError); pass one weight "
                            "per uid 0..n-1",
                            i, (unsigned)num_neurons);
    cov_status st = alloc_out(out, num_neurons, err);
    if (st != COV_OK)
        return st;
    out->branch = COV_WEIGHTS_PADDED;
    out->f64 = true;
    for (size_t i = 0; i < num_neurons; i++) {
        out->uids[i] = (int64_t)i;
        out->weights[i] = 1e-5;
        if (i < n && weights[i] > 0)
            out->weights[i] = 1e-5 + (double)weights[i];
    }
    st = cov_weights_normalize_max_f64(out->weights, out->weights, num_neurons, limit, err);
    if (st != COV_OK)
        cov_weights_processed_free(out);
    return st;
}

static cov_status filtered(cov_weights_processed *out, const int64_t *uids, const float *weights,
                           size_t n, size_t nz, uint16_t min_allowed, double quantile,
                           double limit, cov_err *err)
{
    float *buf = malloc(2 * nz * sizeof *buf);
    if (buf == NULL)
        return cov_fail(err, COV_ERR_NOMEM, "process_weights: no memory for %zu weights", nz);
    float *nzw = buf, *sorted = buf + nz;
    for (size_t i = 0, j = 0; i < n; i++)
        if (weights[i] > 0)
            nzw[j++] = weights[i];
    memcpy(sorted, nzw, nz * sizeof *nzw);
    cov_np_sort_f32(sorted, nz);
    /* Python: max(0, |nz| - min) / |nz| and min([quantile, max_exclude]) */
    double max_exclude = (double)(nz - min_allowed) / (double)nz;
    double q = quantile <= max_exclude ? quantile : max_exclude;
    float low = np_quantile_linear_f32(sorted, nz, q);

    size_t kept = 0;
    for (size_t j = 0; j < nz; j++)
        if (low <= nzw[j])
            kept++;
    cov_status st = alloc_out(out, kept, err);
    if (st != COV_OK) {
        free(buf);
        return st;
    }
    out->branch = COV_WEIGHTS_FILTERED;
    out->f64 = false;
    /* the kept float32 weights go to the front of sorted, then through
     * normalize_max_weight in float32 */
    float *keep = sorted;
    for (size_t i = 0, j = 0, k = 0; i < n; i++) {
        if (!(weights[i] > 0))
            continue;
        if (low <= nzw[j]) {
            out->uids[k] = uids[i];
            keep[k++] = nzw[j];
        }
        j++;
    }
    st = cov_weights_normalize_max_f32(keep, keep, kept, limit, err);
    if (st == COV_OK)
        for (size_t k = 0; k < kept; k++)
            out->weights[k] = keep[k];
    else
        cov_weights_processed_free(out);
    free(buf);
    return st;
}

cov_status cov_weights_process_limit(cov_weights_processed *out, const int64_t *uids,
                                     const float *weights, size_t n, uint16_t num_neurons,
                                     uint16_t min_allowed_weights, double limit,
                                     uint16_t exclude_quantile, cov_err *err)
{
    if (out == NULL)
        return cov_fail(err, COV_ERR_ARG, "process_weights: NULL output");
    memset(out, 0, sizeof *out);
    if (n > 0 && (uids == NULL || weights == NULL))
        return cov_fail(err, COV_ERR_ARG, "process_weights: NULL uids or weights with n = %zu", n);

    double quantile = (double)exclude_quantile / 65535.0;
    size_t nz = 0;
    for (size_t i = 0; i < n; i++)
        if (weights[i] > 0) /* NaN, 0 and negatives are dropped */
            nz++;

    if (nz == 0 || num_neurons < min_allowed_weights)
        return uniform(out, num_neurons, err);
    if (nz < min_allowed_weights)
        return padded(out, weights, n, num_neurons, limit, err);
    return filtered(out, uids, weights, n, nz, min_allowed_weights, quantile, limit, err);
}

cov_status cov_weights_process(cov_weights_processed *out, const int64_t *uids,
                               const float *weights, size_t n, uint16_t num_neurons,
                               uint16_t min_allowed_weights, uint16_t max_weights_limit,
                               uint16_t exclude_quantile, cov_err *err)
{
    return cov_weights_process_limit(out, uids, weights, n, num_neurons, min_allowed_weights,
                                     cov_weights_u16_normalized(max_weights_limit),
                                     exclude_quantile, err);
}
