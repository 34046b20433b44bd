/* SparseLoCo on the GPU: the compressor (error feedback, per-chunk top-k,
 * quantization, 12-bit packing, EF subtraction) and the receiver's outer
 * step and single-peer application, matching train/sparseloco.h.
 *
 * Inputs that are tensors (the EF, the pseudo-gradient, θ) are DEVICE
 * pointers; compressed tensors (cov_sparseloco_tensor, cov_pgrad) stay on
 * the host, in exactly the form train/pgrad.h encodes and decodes, so a
 * GPU miner's file is byte-for-byte the file the CPU would write.
 *
 * What matches the CPU and how closely (see docs/training.md, "SparseLoCo
 * on the GPU"):
 *   - the EF update, the selected indices (|e| descending, ties to the lower
 *     chunk-local index, stored ascending), the codes, the packing, the
 *     EF subtraction and the outer step's scatter-mean and θ update use the
 *     same float operations in the same order as the CPU (no FMA
 *     contraction: the kernels use __fmul_rn/__fadd_rn), so they are
 *     bit-identical given the same shift, scale and lookup;
 *   - shift, std and the bin means are double sums rounded to float once,
 *     as on the CPU, but summed per chunk (in index order) and then over
 *     chunks by a fixed tree instead of one running sum: the doubles differ
 *     by rounding (~1e-16 relative), so the floats are identical unless a
 *     sum falls within that distance of a float rounding boundary, in which
 *     case they differ by one ulp;
 *   - the peers' norms, their lower median and the clip factors are
 *     computed on the host by train/'s own functions: identical.
 * Not supported on the GPU: use_dct (off for Covenant-72B); those configs
 * are refused with COV_ERR_UNSUPPORTED.
 *
 * NOT RUN ON HARDWARE YET: this code was compiled (sm_90 + compute_90 PTX)
 * but the session that wrote it had no GPU; tests/gpu/test_sparseloco_cuda
 * is the check to run first on one.
 *
 * Every function returns a cov_status and fills cov_err; none prints. */
#ifndef COVENANT_KERNELS_SPARSELOCO_CUDA_H
#define COVENANT_KERNELS_SPARSELOCO_CUDA_H

#include "kernels/cuda_common.h" /* has its own linkage guards */

/* train/'s headers are C without linkage guards: a .cu includes them as C. */
#ifdef __cplusplus
extern "C" {
#endif

#include "common/common.h"
#include "train/pgrad.h"
#include "train/sparseloco.h"
#include "train/tensor.h"

/* A GPU compressor/aggregator: the config, the context whose stream it
 * runs on and device workspaces grown to the largest tensor seen. Not
 * thread-safe; one per host thread. */
typedef struct cov_sparseloco_cuda cov_sparseloco_cuda;

/* ctx (kernels/cuda_common.h) is borrowed: it must outlive the result. */
cov_status cov_sparseloco_cuda_new(cov_sparseloco_cuda **out, const cov_sparseloco_config *cfg,
                                   cov_cuda_ctx *ctx, cov_err *err);
void cov_sparseloco_cuda_free(cov_sparseloco_cuda *s);

/* For tests: fills every device workspace allocated so far with 0xFF bytes
 * (NaN floats and doubles, index 0xFFFF, code 255), so a result element
 * no kernel wrote in the next call shows instead of an old value. */
cov_status cov_sparseloco_cuda_poison(cov_sparseloco_cuda *s, cov_err *err);

/* cov_sparseloco_compress on device data: d_ef (numel floats, updated in
 * place) ← β·d_ef + d_delta, then top-k, quantize, pack and d_ef ← d_ef −
 * decode(dequantized). out (host) must have been allocated for the
 * tensor's geometry under this config; its idx, codes, packed, shift, scale
 * and lookup are filled. Synchronises the stream before returning. If the
 * EF turns non-finite, nothing is produced, d_ef is zeroed and the call
 * fails with COV_ERR_ARG, as on the CPU. */
cov_status cov_sparseloco_cuda_compress(cov_sparseloco_cuda *s, cov_sparseloco_tensor *out,
                                        float *d_ef, const float *d_delta, cov_err *err);

/* cov_sparseloco_outer_step_tensor with θ on the device (d_theta, numel
 * floats); the peers are host tensors (decoded files). Synchronises. */
cov_status cov_sparseloco_cuda_outer_step_tensor(cov_sparseloco_cuda *s, float *d_theta,
                                                 const cov_sparseloco_tensor *const *peers,
                                                 size_t n_peers, float lr,
                                                 cov_sparseloco_tensor_result *res, cov_err *err);

/* cov_sparseloco_apply_one_tensor with θ on the device. Synchronises. */
cov_status cov_sparseloco_cuda_apply_one_tensor(cov_sparseloco_cuda *s, float *d_theta,
                                                const cov_sparseloco_tensor *peer,
                                                float median_norm, double lr,
                                                double eval_lr_factor,
                                                cov_sparseloco_tensor_result *res, cov_err *err);

/* Model level, as train/pgrad.h's functions: views whose data are DEVICE
 * pointers (names and shapes as for the CPU). The tensors are queued in
 * batches (up to 64 Mi kept values each) with one synchronisation per
 * batch, not one per tensor. Every argument is checked before anything
 * runs, so a call refused for a mismatched view or peer changes nothing;
 * a tensor that fails while running (a non-finite EF, an index outside its
 * chunk) stops the call there, as the CPU's loop stops: the tensors before
 * it are done, the ones after it untouched. */
cov_status cov_pgrad_cuda_compress(cov_sparseloco_cuda *s, cov_pgrad *pg,
                                   const cov_tensor_view *d_ef, const cov_tensor_view *d_delta,
                                   cov_err *err);
cov_status cov_pgrad_cuda_outer_step(cov_sparseloco_cuda *s, const cov_tensor_view *d_params,
                                     size_t n_params, const cov_pgrad *const *peers,
                                     size_t n_peers, float lr, cov_pgrad_step_result *res,
                                     cov_err *err);
cov_status cov_pgrad_cuda_apply_one(cov_sparseloco_cuda *s, const cov_tensor_view *d_params,
                                    size_t n_params, const cov_pgrad *peer,
                                    const float *median_norms, double lr, double eval_lr_factor,
                                    cov_pgrad_step_result *res, cov_err *err);

#ifdef __cplusplus
}
#endif

#endif
