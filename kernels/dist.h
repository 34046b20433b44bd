/* Data parallel training on several GPUs with NCCL, ZeRO stage 1.
 *
 * One process per GPU. The processes agree on NCCL's 128-byte unique id
 * (rank 0 makes it with cov_dist_unique_id and hands it out: covenant's
 * TCP rendezvous, train/rendezvous.h), then each calls cov_dist_new with
 * its rank. NCCL picks its transports itself (NVLink, PCIe, InfiniBand,
 * sockets), so the same code runs on one node or across nodes.
 *
 * ZeRO-1 (cov_zero1): every rank keeps the whole fp32 parameter vector
 * (the master weights) and computes gradients on its own samples; the
 * optimizer state is split, so each rank holds AdamW moments for 1/world of
 * the parameters only. One step:
 *
 *   reduce-scatter (sum, fp32) the gradients, bucket by bucket: rank r
 *       receives slice r of every bucket, summed over the ranks
 *   × 1/world                       the mean over ranks (each rank's
 *                                   gradient is already its batch's mean)
 *   global norm: sum of squares of the own slices (double), all-reduced;
 *       clip as torch.nn.utils.clip_grad_norm_ (max_norm / (norm + 1e-6))
 *   AdamW on the own slices         train/optim.h's arithmetic, the same
 *                                   float operations in the same order
 *   all-gather the slices           every rank has the new parameters
 *
 * Buckets: the flat vector is cut into buckets of bucket_elems (a multiple
 * of world); the last one is padded with zeros to a multiple of world.
 * Rank r owns elements [start + r·s, start + (r+1)·s) of each bucket of
 * padded size s·world. A backward that knows when a bucket's gradients are
 * final (the model's backward runs from the last layer to the first, so the
 * last buckets finish first) calls cov_zero1_grads_ready for it and the
 * reduce-scatter runs on the communication stream while the backward goes
 * on; cov_zero1_step launches whatever was not announced (so calling it
 * alone is correct, only without overlap). The all-gather is not overlapped
 * with the next forward: the step waits for it.
 *
 * Every rank must make the same calls in the same order (NCCL's rule), with
 * the same n, bucket size and learning rates; the parameters must start
 * identical on every rank (cov_dist_broadcast_f32 from rank 0 makes sure).
 *
 * Device pointers below are CUDA device memory on the context's device.
 * NOTHING HERE HAS RUN ON A GPU YET: it was compiled (nvcc, sm_90 + PTX,
 * NCCL 2.32 headers) and checked by reading; tests/gpu/test_dist.c is the
 * check to run on a machine with two GPUs. */
#ifndef COVENANT_KERNELS_DIST_H
#define COVENANT_KERNELS_DIST_H

#ifdef __cplusplus
extern "C" {
#endif

#include "common/common.h"
#include "kernels/cuda_common.h"
#include "train/optim.h"

#include <stddef.h>
#include <stdint.h>

#define COV_DIST_ID_BYTES 128 /* NCCL_UNIQUE_ID_BYTES */

/* A new NCCL unique id (rank 0 only; it opens NCCL's bootstrap socket). */
cov_status cov_dist_unique_id(uint8_t id[COV_DIST_ID_BYTES], cov_err *err) COV_WARN_UNUSED;

typedef struct cov_dist cov_dist;

/* Joins the communicator of `world` ranks named by id as `rank`, on ctx's
 * device (ctx is borrowed and must outlive the result). Blocks until every
 * rank has joined. Free with cov_dist_free. */
cov_status cov_dist_new(cov_dist **out, cov_cuda_ctx *ctx, const uint8_t id[COV_DIST_ID_BYTES],
                        int rank, int world, cov_err *err) COV_WARN_UNUSED;
void cov_dist_free(cov_dist *d);
int cov_dist_rank(const cov_dist *d);
int cov_dist_world(const cov_dist *d);

/* device_x[0..n) ← rank root's, on every rank; returns when done. */
cov_status cov_dist_broadcast_f32(cov_dist *d, float *device_x, size_t n, int root,
                                  cov_err *err) COV_WARN_UNUSED;

/* Host values summed over the ranks, in place (for losses and token
 * counts); returns when done. n at most 64. */
cov_status cov_dist_sum_host_f64(cov_dist *d, double *values, size_t n,
                                 cov_err *err) COV_WARN_UNUSED;

/* ------------------------------------------------------------ ZeRO-1 */

typedef struct cov_zero1 cov_zero1;

/* The sharded optimizer for n parameters, buckets of about bucket_elems
 * (0: 32 Mi elements; rounded up to a multiple of the world size). d is
 * borrowed. Free with cov_zero1_free. */
cov_status cov_zero1_new(cov_zero1 **out, cov_dist *d, size_t n, const cov_adamw_config *cfg,
                         size_t bucket_elems, cov_err *err) COV_WARN_UNUSED;
void cov_zero1_free(cov_zero1 *z);

/* Buckets, and the range [*first, *first + *count) of parameters bucket b
 * covers (without padding). */
size_t cov_zero1_bucket_count(const cov_zero1 *z);
void cov_zero1_bucket_range(const cov_zero1 *z, size_t b, size_t *first, size_t *count);

/* Optimizer state this rank holds: 2 floats per owned element. */
size_t cov_zero1_shard_elems(const cov_zero1 *z);

/* The gradients of bucket b in device_grads (the full n-vector) are final
 * on the context's stream: start its reduce-scatter behind them. Each
 * bucket at most once per step. */
cov_status cov_zero1_grads_ready(cov_zero1 *z, size_t b, const float *device_grads,
                                 cov_err *err) COV_WARN_UNUSED;

/* The step described above on device_params[0..n) (every rank's replica)
 * with this rank's mean gradients device_grads[0..n) (read only: not
 * scaled in place), at learning rate lr, clipping to max_grad_norm. *norm
 * gets the global gradient norm before clipping. A non-finite norm leaves
 * the parameters and the optimizer state as they were and fails with
 * COV_ERR_ARG (on every rank alike: the norm is global). Returns once the
 * new parameters are in device_params. */
cov_status cov_zero1_step(cov_zero1 *z, float *device_params, const float *device_grads,
                          float lr, float max_grad_norm, float *norm,
                          cov_err *err) COV_WARN_UNUSED;

/* Steps taken (AdamW's t). */
int64_t cov_zero1_step_count(const cov_zero1 *z);

#ifdef __cplusplus
}
#endif

#endif
