/* The NCCL communicator of a data-parallel run (kernels/dist.h). Not run on
 * a GPU yet: compiled and read only. */
#include "kernels/dist_internal.cuh"

#include <stdlib.h>
#include <string.h>

cov_status cov_nccl_fail(cov_err *err, ncclResult_t r, ncclComm_t comm, const char *what)
{
    const char *last = comm ? ncclGetLastError(comm) : NULL;
    const char *hint = r == ncclSystemError || r == ncclRemoteError
                           ? "check that every rank runs and can reach the others (NCCL_DEBUG=INFO "
                             "shows the transports)"
                           : "NCCL_DEBUG=INFO shows more";
    return cov_fail(err, COV_ERR_UNSUPPORTED, "NCCL: %s failed: %s%s%s; %s", what,
                    ncclGetErrorString(r), last && last[0] ? ": " : "", last ? last : "", hint);
}

extern "C" cov_status cov_dist_unique_id(uint8_t id[COV_DIST_ID_BYTES], cov_err *err)
{
    static_assert(sizeof(ncclUniqueId) == COV_DIST_ID_BYTES, "NCCL's unique id size changed");
    ncclUniqueId u;
    COV_NCCL_TRY(ncclGetUniqueId(&u), NULL, err, "making the unique id (ncclGetUniqueId)");
    memcpy(id, &u, sizeof u);
    return COV_OK;
}

extern "C" void cov_dist_free(cov_dist *d)
{
    if (!d)
        return;
    if (d->comm)
        ncclCommDestroy(d->comm);
    if (d->comm_stream)
        cudaStreamDestroy(d->comm_stream);
    cudaFree(d->sum_dev);
    free(d);
}

extern "C" cov_status cov_dist_new(cov_dist **out, cov_cuda_ctx *ctx,
                                   const uint8_t id[COV_DIST_ID_BYTES], int rank, int world,
                                   cov_err *err)
{
    *out = NULL;
    if (!ctx || !id || world < 1 || rank < 0 || rank >= world)
        return cov_fail(err, COV_ERR_ARG, "dist: need a CUDA context and 0 <= rank (%d) < world (%d)",
                        rank, world);
    cov_dist *d = (cov_dist *)calloc(1, sizeof *d);
    if (!d)
        return cov_fail(err, COV_ERR_NOMEM, "dist: out of memory");
    d->ctx = ctx;
    d->rank = rank;
    d->world = world;
    cov_status st = COV_OK;
    cudaError_t e = cudaSetDevice(ctx->device);
    if (e == cudaSuccess)
        e = cudaStreamCreateWithFlags(&d->comm_stream, cudaStreamNonBlocking);
    if (e == cudaSuccess)
        e = cudaMalloc((void **)&d->sum_dev, 64 * sizeof(double));
    if (e != cudaSuccess)
        st = cov_cuda_fail(err, e, "dist: setting up the communication stream");
    if (st == COV_OK) {
        ncclUniqueId u;
        memcpy(&u, id, sizeof u);
        ncclResult_t r = ncclCommInitRank(&d->comm, world, u, rank);
        if (r != ncclSuccess) {
            d->comm = NULL;
            st = cov_nccl_fail(err, r, NULL, "joining the communicator (ncclCommInitRank)");
        }
    }
    if (st != COV_OK) {
        cov_dist_free(d);
        return st;
    }
    *out = d;
    return COV_OK;
}

extern "C" int cov_dist_rank(const cov_dist *d) { return d->rank; }
extern "C" int cov_dist_world(const cov_dist *d) { return d->world; }

extern "C" cov_status cov_dist_broadcast_f32(cov_dist *d, float *device_x, size_t n, int root,
                                             cov_err *err)
{
    if (root < 0 || root >= d->world)
        return cov_fail(err, COV_ERR_ARG, "dist: broadcast root %d is not a rank", root);
    /* Whatever the compute stream still writes into x must land first. */
    COV_CUDA_TRY(cudaStreamSynchronize(d->ctx->stream), err, "dist: waiting for the compute stream");
    COV_NCCL_TRY(ncclBroadcast(device_x, device_x, n, ncclFloat32, root, d->comm, d->comm_stream),
                 d->comm, err, "broadcasting the parameters (ncclBroadcast)");
    COV_CUDA_TRY(cudaStreamSynchronize(d->comm_stream), err, "dist: broadcast");
    return COV_OK;
}

extern "C" cov_status cov_dist_sum_host_f64(cov_dist *d, double *values, size_t n, cov_err *err)
{
    if (n > 64)
        return cov_fail(err, COV_ERR_ARG, "dist: at most 64 values per sum (%zu given)", n);
    if (n == 0)
        return COV_OK;
    COV_CUDA_TRY(cudaMemcpyAsync(d->sum_dev, values, n * sizeof(double), cudaMemcpyHostToDevice,
                                 d->comm_stream),
                 err, "dist: uploading values to sum");
    COV_NCCL_TRY(ncclAllReduce(d->sum_dev, d->sum_dev, n, ncclFloat64, ncclSum, d->comm,
                               d->comm_stream),
                 d->comm, err, "summing over the ranks (ncclAllReduce)");
    COV_CUDA_TRY(cudaMemcpyAsync(values, d->sum_dev, n * sizeof(double), cudaMemcpyDeviceToHost,
                                 d->comm_stream),
                 err, "dist: downloading the sums");
    COV_CUDA_TRY(cudaStreamSynchronize(d->comm_stream), err, "dist: sum");
    return COV_OK;
}
