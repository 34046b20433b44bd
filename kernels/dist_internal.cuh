/* What kernels/dist_*.cu share: the communicator and NCCL errors as
 * cov_status messages. Not part of the C API (kernels/dist.h is). */
#ifndef COVENANT_KERNELS_DIST_INTERNAL_CUH
#define COVENANT_KERNELS_DIST_INTERNAL_CUH

#include "kernels/cuda_common.h"
#include "kernels/dist.h"

#include <nccl.h>

struct cov_dist {
    cov_cuda_ctx *ctx; /* borrowed: device and compute stream */
    ncclComm_t comm;
    cudaStream_t comm_stream; /* collectives run here, off the compute stream */
    int rank, world;
    double *sum_dev; /* 64 doubles for cov_dist_sum_host_f64 */
};

/* Fills err with what failed, NCCL's text and its last error. */
cov_status cov_nccl_fail(cov_err *err, ncclResult_t r, ncclComm_t comm, const char *what);

#define COV_NCCL_TRY(call, comm, err, what)                                              \
    do {                                                                                 \
        ncclResult_t cov_r_ = (call);                                                    \
        if (cov_r_ != ncclSuccess)                                                       \
            return cov_nccl_fail((err), cov_r_, (comm), (what));                         \
    } while (0)

#endif
