/* The SDK's convert_weights_and_uids_for_emit: floats to the chain's u16s.
 *
 * SDK, on Python floats (weights.tolist()):
 *   raise ValueError if min(weights) < 0, if min(uids) < 0, if the lengths
 *   differ; return [], [] if sum(weights) == 0;
 *   mx = max(weights); v_i = round((w_i / mx) * 65535)   (round half even)
 *   keep (uid_i, v_i) where v_i != 0, in input order.
 */
#include <math.h>

#include "incentive/weights.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* Python's round() on a float in [0, 65535]: nearest, ties to even. Done
 * by hand so the result does not hang on the current rounding mode. */
static uint16_t round_half_even(double x)
{
    double fl = floor(x);
    double frac = x - fl; /* exact: x and fl are close doubles */
    uint32_t r = (uint32_t)fl;
    if (frac > 0.5 || (frac == 0.5 && (r & 1u)))
        r++;
    return (uint16_t)r;
}

cov_status cov_weights_emit(uint16_t *out_uids, uint16_t *out_values, size_t *out_len,
                            const int64_t *uids, size_t n_uids, const double *weights,
                            size_t n_weights, cov_err *err)
{
    if (out_len == NULL || (n_weights > 0 && (out_uids == NULL || out_values == NULL ||
                                              weights == NULL)) ||
        (n_uids > 0 && uids == NULL))
        return cov_fail(err, COV_ERR_ARG, "convert_weights_and_uids_for_emit: NULL array");
    *out_len = 0;

    /* The SDK's checks, in its order. */
    if (n_weights == 0)
        return cov_fail(err, COV_ERR_ARG,
                        "no weights to convert (the SDK raises ValueError on min() of an "
                        "empty list); pass at least one weight");
    for (size_t i = 0; i < n_weights; i++)
        if (weights[i] < 0)
            return cov_fail(err, COV_ERR_ARG,
                            "weight %zu is negative (%g), which cannot exist on chain; "
                            "weights must be >= 0",
                            i, weights[i]);
    if (n_uids == 0)
        return cov_fail(err, COV_ERR_ARG,
                        "no uids for %zu weights (the SDK raises ValueError on min() of an "
                        "empty list); pass one uid per weight",
                        n_weights);
    for (size_t i = 0; i < n_uids; i++)
        if (uids[i] < 0)
            return cov_fail(err, COV_ERR_ARG,
                            "uid %zu is negative (%lld), which cannot exist on chain", i,
                            (long long)uids[i]);
    if (n_uids != n_weights)
        return cov_fail(err, COV_ERR_ARG,
                        "weights and uids must have the same length, got %zu uids and %zu "
                        "weights",
                        n_uids, n_weights);
    /* round() of NaN or inf raises; so the SDK fails on any non-finite
     * weight (inf / inf is NaN), whatever else is in the list. */
    for (size_t i = 0; i < n_weights; i++)
        if (!isfinite(weights[i]))
            return cov_fail(err, COV_ERR_ARG,
                            "weight %zu is %s (the SDK's round() raises); weights must be "
                            "finite",
                            i, isnan(weights[i]) ? "NaN" : "infinite");
    /* Not an SDK check: scalecodec would refuse it later, when encoding. */
    for (size_t i = 0; i < n_uids; i++)
        if (uids[i] > UINT16_MAX)
            return cov_fail(err, COV_ERR_ARG,
                            "uid %zu is %lld, above the chain's u16 uids (max 65535)", i,
                            (long long)uids[i]);

    /* All >= 0, so the sum is 0 exactly when every weight is 0. */
    double mx = 0;
    for (size_t i = 0; i < n_weights; i++)
        if (weights[i] > mx)
            mx = weights[i];
    if (mx == 0)
        return COV_OK;

    size_t k = 0;
    for (size_t i = 0; i < n_weights; i++) {
        double scaled = weights[i] / mx; /* max-upscale: the largest is 1 */
        scaled = scaled * 65535.0;
        uint16_t v = round_half_even(scaled);
        if (v != 0) {
            out_uids[k] = (uint16_t)uids[i];
            out_values[k] = v;
            k++;
        }
    }
    *out_len = k;
    return COV_OK;
}
