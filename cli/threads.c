/* How the program uses OpenMP. The training core's results do not depend on
 * the thread count (static schedules, fixed reduction orders).
 *
 * With gcc, covenant links OpenBLAS's OpenMP build, so OpenBLAS and the
 * training loops share one pool of threads; that build must get every
 * thread it asks for, so the pool stays fixed (OMP_NUM_THREADS sets it).
 * With OpenBLAS's own pthreads (clang builds), the runtime may pick fewer
 * OpenMP threads when the machine is busy: otherwise a parallel region whose
 * thread was descheduled waits a whole time slice at its barrier, and a small
 * model's step on a loaded two-core machine ran 20-30 times slower than on
 * one thread. A user's OMP_DYNAMIC wins either way. */
#include "cli/cli.h"
#include "train/ops.h"

#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

void cli_threads_init(void)
{
#ifdef _OPENMP
    if (!getenv("OMP_DYNAMIC") && !cov_blas_threads_are_openmp())
        omp_set_dynamic(1);
#endif
}
