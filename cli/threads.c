/* How the program uses OpenMP. The training core's results do not depend on
 * the thread count (static schedules, fixed reduction orders), so the
 * runtime may pick fewer threads when the machine is busy: without that, a
 * parallel region whose thread was descheduled waits a whole time slice at
 * its barrier, and a small model's step on a loaded two-core machine ran
 * 20-30 times slower than on one thread. A user's OMP_DYNAMIC wins. */
#include "cli/cli.h"

#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

void cli_threads_init(void)
{
#ifdef _OPENMP
    if (!getenv("OMP_DYNAMIC"))
        omp_set_dynamic(1);
#endif
}
