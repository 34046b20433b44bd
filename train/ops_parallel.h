/* Private to train/ops_*.c: OpenMP pragmas that vanish without OpenMP (a
 * bare "#pragma omp" would trip -Wunknown-pragmas under -Werror). Static
 * schedules only: which thread computes what is fixed by the loop bounds,
 * which is half of what keeps results bit-identical run to run. */
#ifndef COVENANT_TRAIN_OPS_PARALLEL_H
#define COVENANT_TRAIN_OPS_PARALLEL_H

#ifdef _OPENMP
#define COV_PARALLEL_FOR _Pragma("omp parallel for schedule(static)")
#define COV_PARALLEL_FOR_2D _Pragma("omp parallel for collapse(2) schedule(static)")
#else
#define COV_PARALLEL_FOR
#define COV_PARALLEL_FOR_2D
#endif

/* Column reductions (dw of RMSNorm, the embedding's backward) are split
 * into blocks of this many columns, one block per loop iteration: a block
 * is a cache line of floats and each column still adds its rows in order. */
#define COV_COLUMN_BLOCK 16

#endif
