/* kernels/: the GPU side of train/, one header to include from C.
 *
 * Every header below is plain C (extern "C" when read by C++); functions
 * take device pointers and a cov_cuda_ctx, return cov_status and fill
 * cov_err. Available only in builds with CUDA (COVENANT_HAVE_CUDA, defined
 * for everything that links cov_kernels); the matmuls and the GPU model
 * also need cuBLASLt (COVENANT_HAVE_CUBLASLT). Other kernels/ modules add
 * their headers to this list. */
#ifndef COVENANT_KERNELS_KERNELS_H
#define COVENANT_KERNELS_KERNELS_H

#include "kernels/cuda_common.h"
#include "kernels/ops_cuda.h"
#include "kernels/perf_cuda.h"
#ifdef COVENANT_HAVE_CUBLASLT
#include "kernels/model_cuda.h"
#endif
#include "kernels/sparseloco_cuda.h"
#ifdef COVENANT_HAVE_NCCL
#include "kernels/dist.h"
#endif

#endif
