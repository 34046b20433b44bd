/* numpy's summation and sorting, so sums of the same floats come out with
 * the same rounding as the SDK's. */
#include <stdlib.h>

#include "incentive/weights_internal.h"

/* numpy adds blocks of up to 128 elements with 8 interleaved accumulators
 * (so the loop vectorises without changing the order), combines them as
 * ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then adds the tail one by one;
 * longer arrays are split at half the length rounded down to a multiple
 * of 8 and the halves' sums added. Below 8 elements it is a plain loop.
 * The whole array goes to one such call (no 8192-element buffering for a
 * contiguous array; checked against numpy 2.4 up to 40000 elements). */
#define NP_BLOCK 128

#define DEFINE_PAIRWISE(NAME, T)                                            \
    static T NAME(const T *a, size_t n)                                     \
    {                                                                       \
        if (n < 8) {                                                        \
            T res = (T)-0.0;                                                \
            for (size_t i = 0; i < n; i++)                                  \
                res += a[i];                                                \
            return res;                                                     \
        }                                                                   \
        if (n <= NP_BLOCK) {                                                \
            T r[8];                                                         \
            for (size_t j = 0; j < 8; j++)                                  \
                r[j] = a[j];                                                \
            size_t i = 8;                                                   \
            for (; i < n - (n % 8); i += 8)                                 \
                for (size_t j = 0; j < 8; j++)                              \
                    r[j] += a[i + j];                                       \
            T res = ((r[0] + r[1]) + (r[2] + r[3])) +                       \
                    ((r[4] + r[5]) + (r[6] + r[7]));                        \
            for (; i < n; i++)                                              \
                res += a[i];                                                \
            return res;                                                     \
        }                                                                   \
        size_t half = n / 2;                                                \
        half -= half % 8;                                                   \
        return NAME(a, half) + NAME(a + half, n - half);                    \
    }

DEFINE_PAIRWISE(pairwise_f32, float)
DEFINE_PAIRWISE(pairwise_f64, double)

/* The reduction starts from add's identity +0 rather than the first
 * element: this keeps the grouping above and turns a -0 sum into +0. */
float cov_np_sum_f32(const float *a, size_t n)
{
    return 0.0f + pairwise_f32(a, n);
}

double cov_np_sum_f64(const double *a, size_t n)
{
    return 0.0 + pairwise_f64(a, n);
}

/* Ascending with NaN after everything, as numpy sorts floats. */
#define DEFINE_NP_CMP(NAME, T)                                              \
    static int NAME(const void *pa, const void *pb)                         \
    {                                                                       \
        T a = *(const T *)pa, b = *(const T *)pb;                           \
        if (a != a)                                                         \
            return b != b ? 0 : 1;                                          \
        if (b != b)                                                         \
            return -1;                                                      \
        return (a > b) - (a < b);                                           \
    }

DEFINE_NP_CMP(cmp_f32, float)
DEFINE_NP_CMP(cmp_f64, double)

void cov_np_sort_f32(float *a, size_t n)
{
    if (n > 1)
        qsort(a, n, sizeof *a, cmp_f32);
}

void cov_np_sort_f64(double *a, size_t n)
{
    if (n > 1)
        qsort(a, n, sizeof *a, cmp_f64);
}
