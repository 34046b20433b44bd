/* What the weights_*.c files share: numpy's own ways of summing and
 * sorting, which decide the SDK's last bits. Not part of the public API. */
#ifndef COVENANT_INCENTIVE_WEIGHTS_INTERNAL_H
#define COVENANT_INCENTIVE_WEIGHTS_INTERNAL_H

#include <stddef.h>

/* numpy's a.sum() on a contiguous float32 / float64 array: its pairwise
 * summation (blocks of at most 128 summed with 8 accumulators, split in
 * halves above that), accumulating in the array's own type. */
float cov_np_sum_f32(const float *a, size_t n);
double cov_np_sum_f64(const double *a, size_t n);

/* np.sort in place: ascending, NaNs last. (The order among equal values
 * cannot change a result: only ±0 compare equal and differ.) */
void cov_np_sort_f32(float *a, size_t n);
void cov_np_sort_f64(double *a, size_t n);

#endif
