/* The SDK's normalize_max_weight, with numpy 2's types at every step.
 *
 * SDK (weight_utils.py), x a float32 or float64 array, limit a Python
 * float, eps = 1e-7:
 *   if x.sum() == 0 or len(x) * limit <= 1: return ones_like(x) / len(x)
 *   v = sort(x); est = v / v.sum()
 *   if est.max() <= limit: return x / x.sum()
 *   cs = cumsum(est); es[i] = (n - i - 1) * est[i]
 *   k = count(est / (es + cs + eps) < limit)
 *   scale = (limit * cs[k - 1] - eps) / (1 - limit * (n - k))
 *   cutoff = scale * v.sum(); x[x > cutoff] = cutoff; return x / x.sum()
 * Under NEP 50 a Python float beside a numpy array or numpy scalar takes
 * the array's type, so for float32 input limit and eps become float32 in
 * every step except the denominator: there limit multiplies an int64
 * count, which makes float64, so scale, cutoff and the `x > cutoff`
 * comparison are float64 and cutoff is rounded to float32 when stored.
 * k == 0 reads cs[-1], the last element, as Python indexing does.
 */
#include <stdlib.h>

#include "incentive/weights.h"
#include "incentive/weights_internal.h"

/* numpy never fuses a multiply and an add; clang would, where the target
 * has FMA (gcc in ISO C mode does not contract). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

double cov_weights_u16_normalized(uint16_t x)
{
    return (double)x / 65535.0;
}

/* One body for both dtypes: T is the array's type, SUM and SORT numpy's. */
#define DEFINE_NORMALIZE(NAME, T, SUM, SORT)                                   \
    cov_status NAME(T *out, const T *x, size_t n, double limit, cov_err *err)  \
    {                                                                          \
        if (n == 0)                                                            \
            return COV_OK;                                                     \
        if (out == NULL || x == NULL)                                          \
            return cov_fail(err, COV_ERR_ARG,                                  \
                            "normalize_max_weight: NULL array with %zu weights", n); \
        const T lim = (T)limit; /* the weak Python float, cast */              \
        const T eps = (T)1e-7;                                                 \
        T sum_x = SUM(x, n);                                                   \
        if (sum_x == 0 || (double)n * limit <= 1.0) {                          \
            for (size_t i = 0; i < n; i++)                                     \
                out[i] = (T)1 / (T)n;                                          \
            return COV_OK;                                                     \
        }                                                                      \
        T *tmp = malloc(2 * n * sizeof *tmp);                                  \
        if (tmp == NULL)                                                       \
            return cov_fail(err, COV_ERR_NOMEM,                                \
                            "normalize_max_weight: no memory for %zu weights", n); \
        T *v = tmp, *cs = tmp + n;                                             \
        for (size_t i = 0; i < n; i++)                                         \
            v[i] = x[i];                                                       \
        SORT(v, n);                                                            \
        T sum_v = SUM(v, n);                                                   \
        /* est overwrites v: v is not needed again, only its sum */            \
        T *est = v;                                                            \
        T est_max = 0;                                                         \
        int saw_nan = 0;                                                       \
        for (size_t i = 0; i < n; i++) {                                       \
            est[i] = v[i] / sum_v;                                             \
            if (est[i] != est[i])                                              \
                saw_nan = 1; /* np.max propagates NaN */                       \
            else if (i == 0 || est[i] > est_max)                               \
                est_max = est[i];                                              \
        }                                                                      \
        if (!saw_nan && est_max <= lim) {                                      \
            for (size_t i = 0; i < n; i++)                                     \
                out[i] = x[i] / sum_x;                                         \
            free(tmp);                                                         \
            return COV_OK;                                                     \
        }                                                                      \
        T run = 0;                                                             \
        for (size_t i = 0; i < n; i++) {                                       \
            run = i == 0 ? est[0] : run + est[i];                              \
            cs[i] = run;                                                       \
        }                                                                      \
        size_t below = 0;                                                      \
        for (size_t i = 0; i < n; i++) {                                       \
            T es = (T)(n - i - 1) * est[i];                                    \
            T denom = es + cs[i];                                              \
            denom = denom + eps;                                               \
            T ratio = est[i] / denom;                                          \
            if (ratio < lim)                                                   \
                below++;                                                       \
        }                                                                      \
        T num = lim * cs[below > 0 ? below - 1 : n - 1];                       \
        num = num - eps;                                                       \
        double den = limit * (double)(n - below);                              \
        den = 1.0 - den;                                                       \
        double scale = (double)num / den;                                      \
        double cutoff = scale * (double)sum_v;                                 \
        /* the clipped copy goes to out (it may be x itself) */                \
        for (size_t i = 0; i < n; i++)                                         \
            out[i] = (double)x[i] > cutoff ? (T)cutoff : x[i];                 \
        T sum_w = SUM(out, n);                                                 \
        for (size_t i = 0; i < n; i++)                                         \
            out[i] = out[i] / sum_w;                                           \
        free(tmp);                                                             \
        return COV_OK;                                                         \
    }

DEFINE_NORMALIZE(cov_weights_normalize_max_f32, float, cov_np_sum_f32, cov_np_sort_f32)
DEFINE_NORMALIZE(cov_weights_normalize_max_f64, double, cov_np_sum_f64, cov_np_sort_f64)
