/* Linear layers through cblas_sgemm. Weights are PyTorch's [out, in], so the
 * forward multiplies by the transpose. */
#include "train/ops.h"

#include <cblas.h>

void cov_op_matmul_forward(float *y, const float *x, const float *w, int M, int K, int N,
                           bool accumulate)
{
    /* y[M,N] = x[M,K] · w[N,K]ᵀ (+ y) */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.0f, x, K, w, K,
                accumulate ? 1.0f : 0.0f, y, N);
}

void cov_op_matmul_backward(float *dx, float *dw, const float *dy, const float *x,
                            const float *w, int M, int K, int N, bool accumulate_dx)
{
    /* dx[M,K] = dy[M,N] · w[N,K] (+ dx) */
    if (dx)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, K, N, 1.0f, dy, N, w, K,
                    accumulate_dx ? 1.0f : 0.0f, dx, K);
    /* dw[N,K] += dy[M,N]ᵀ · x[M,K] */
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, N, K, M, 1.0f, dy, N, x, K, 1.0f,
                dw, K);
}

bool cov_blas_threads_are_openmp(void)
{
    return openblas_get_parallel() == 2;
}
