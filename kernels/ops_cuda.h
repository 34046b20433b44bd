/* The Llama decoder's operations on the GPU: train/ops.h's functions, one
 * for one, on device memory, queued on a cov_cuda_ctx's stream. Shapes,
 * layouts and the overwrite/accumulate rules are train/ops.h's (read it
 * first); what differs is said next to each function.
 *
 * Precision. Every activation and gradient here is fp32. The matmuls have
 * two paths: fp32 operands (cuBLASLt, CUBLAS_COMPUTE_32F, no TF32) and bf16
 * operands with fp32 accumulation and fp32 output (mixed precision: the
 * model keeps bf16 copies of its weights, written by AdamW, and rounds each
 * matmul's activation operand to bf16 with cov_cuda_to_bf16).
 *
 * Every function checks its launch and returns cov_status; errors inside a
 * kernel surface at the next cov_cuda_sync (or a download). None of this
 * has run on a GPU yet: tests/gpu compares each op with train/ops.h and is
 * written and compiled, but was not run (no GPU where it was written). */
#ifndef COVENANT_KERNELS_OPS_CUDA_H
#define COVENANT_KERNELS_OPS_CUDA_H

#include "kernels/cuda_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#include "train/optim.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --------------------------------------------------- matmul (cuBLASLt) */
/* Only in builds that found cuBLASLt (COVENANT_HAVE_CUBLASLT). */

/* y[M,N] = x[M,K]·w[N,K]ᵀ (+ y with accumulate), all fp32. */
cov_status cov_cuda_matmul_forward(cov_cuda_ctx *ctx, float *y, const float *x, const float *w,
                                   int M, int K, int N, bool accumulate,
                                   cov_err *err) COV_WARN_UNUSED;

/* dx[M,K] = dy·w (or += with accumulate_dx; dx may be NULL to skip it),
 * dw[N,K] += dyᵀ·x, all fp32. */
cov_status cov_cuda_matmul_backward(cov_cuda_ctx *ctx, float *dx, float *dw, const float *dy,
                                    const float *x, const float *w, int M, int K, int N,
                                    bool accumulate_dx, cov_err *err) COV_WARN_UNUSED;

/* The same with bf16 operands, fp32 accumulation and fp32 y, dx, dw. */
cov_status cov_cuda_matmul_forward_bf16(cov_cuda_ctx *ctx, float *y, const cov_bf16 *x,
                                        const cov_bf16 *w, int M, int K, int N,
                                        bool accumulate, cov_err *err) COV_WARN_UNUSED;
cov_status cov_cuda_matmul_backward_bf16(cov_cuda_ctx *ctx, float *dx, float *dw,
                                         const cov_bf16 *dy, const cov_bf16 *x,
                                         const cov_bf16 *w, int M, int K, int N,
                                         bool accumulate_dx, cov_err *err) COV_WARN_UNUSED;

/* -------------------------------------------------------------- RMSNorm */

/* As cov_op_rmsnorm_forward: one block per row, the sum of squares in
 * double. */
cov_status cov_cuda_rmsnorm_forward(cov_cuda_ctx *ctx, float *y, float *rstd, const float *x,
                                    const float *w, int N, int D, float eps,
                                    cov_err *err) COV_WARN_UNUSED;

/* As cov_op_rmsnorm_backward_add: dx ADDED to, dw accumulated (fixed
 * order, no atomics). */
cov_status cov_cuda_rmsnorm_backward_add(cov_cuda_ctx *ctx, float *dx, float *dw,
                                         const float *dy, const float *x, const float *w,
                                         const float *rstd, int N, int D,
                                         cov_err *err) COV_WARN_UNUSED;

/* ----------------------------------------------------------------- RoPE */

/* In place on x [B,T,H,hd] with device tables cos_t, sin_t [≥T, hd/2] from
 * cov_op_rope_table (uploaded). */
cov_status cov_cuda_rope_forward(cov_cuda_ctx *ctx, float *x, const float *cos_t,
                                 const float *sin_t, int B, int T, int H, int head_dim,
                                 cov_err *err) COV_WARN_UNUSED;
cov_status cov_cuda_rope_backward(cov_cuda_ctx *ctx, float *dx, const float *cos_t,
                                  const float *sin_t, int B, int T, int H, int head_dim,
                                  cov_err *err) COV_WARN_UNUSED;

/* --------------------------------------------------------------- SwiGLU */

cov_status cov_cuda_swiglu_forward(cov_cuda_ctx *ctx, float *out, const float *gate,
                                   const float *up, size_t n, cov_err *err) COV_WARN_UNUSED;
cov_status cov_cuda_swiglu_backward(cov_cuda_ctx *ctx, float *dgate, float *dup,
                                    const float *dout, const float *gate, const float *up,
                                    size_t n, cov_err *err) COV_WARN_UNUSED;

/* ------------------------------------------------------------ attention */

/* Causal GQA attention as cov_op_attention_forward, flash-style: keys in
 * tiles with an online softmax, no [T,T] matrix; lse [B,H,T] saved. The
 * head dimension must be one of 8, 16, 32, 64, 96, 128 (COV_ERR_UNSUPPORTED
 * otherwise). */
cov_status cov_cuda_attention_forward(cov_cuda_ctx *ctx, float *out, float *lse, const float *q,
                                      const float *k, const float *v, int B, int T, int H,
                                      int KVH, int head_dim, cov_err *err) COV_WARN_UNUSED;

/* Gradients as cov_op_attention_backward (dq, dk, dv overwritten),
 * recomputing the probabilities from lse. scratch: B·H·T floats of device
 * memory (rowsum(dout⊙out) per query row). */
cov_status cov_cuda_attention_backward(cov_cuda_ctx *ctx, float *dq, float *dk, float *dv,
                                       float *scratch, const float *dout, const float *out,
                                       const float *lse, const float *q, const float *k,
                                       const float *v, int B, int T, int H, int KVH,
                                       int head_dim, cov_err *err) COV_WARN_UNUSED;

/* -------------------------------------------------------- cross entropy */

/* As cov_op_cross_entropy_forward (targets: device int32, -100 ignored):
 * lse[N] saved, the mean loss and the counted rows returned to the host
 * (this synchronizes the stream). Row sums in double. */
cov_status cov_cuda_cross_entropy_forward(cov_cuda_ctx *ctx, float *lse, float *loss,
                                          int64_t *count, const float *logits,
                                          const int32_t *targets, int N, int V,
                                          cov_err *err) COV_WARN_UNUSED;

/* As cov_op_cross_entropy_backward: dlogits overwritten. */
cov_status cov_cuda_cross_entropy_backward(cov_cuda_ctx *ctx, float *dlogits,
                                           const float *logits, const float *lse,
                                           const int32_t *targets, int N, int V, float scale,
                                           cov_err *err) COV_WARN_UNUSED;

/* ------------------------------------------------------------ embedding */

/* tokens: device int32, each in [0, V) (the caller checks). */
cov_status cov_cuda_embedding_forward(cov_cuda_ctx *ctx, float *out, const float *table,
                                      const int32_t *tokens, int N, int D,
                                      cov_err *err) COV_WARN_UNUSED;
/* dtable[tokens[n]] += dout[n]: one thread per column walks the rows in
 * order, so repeated tokens never race and sums match the CPU's order. */
cov_status cov_cuda_embedding_backward(cov_cuda_ctx *ctx, float *dtable, const float *dout,
                                       const int32_t *tokens, int N, int D,
                                       cov_err *err) COV_WARN_UNUSED;

/* The same sum, parallel over tokens: the positions of each distinct token
 * are grouped on the host (cov_embedding_groups), then one block row per
 * token adds its positions in increasing order, which is exactly the CPU's
 * order (bit-identical results). ids[G], starts[G+1], order[N]: device
 * copies of the host arrays. */
cov_status cov_cuda_embedding_backward_grouped(cov_cuda_ctx *ctx, float *dtable,
                                               const float *dout, const int32_t *ids,
                                               const int32_t *starts, const int32_t *order,
                                               int groups, int D, cov_err *err) COV_WARN_UNUSED;

/* Host side of the above: groups tokens[N] by value. order (N) lists the
 * positions sorted by (token, position); group g is token ids[g] at
 * order[starts[g] .. starts[g+1]); *groups gets G. keys: N int64 of
 * scratch. ids and starts need room for N and N+1. */
void cov_embedding_groups(int32_t *ids, int32_t *starts, int32_t *order, int *groups,
                          int64_t *keys, const int32_t *tokens, int N);

/* ------------------------------------------------------ AdamW, clipping */

/* One fused AdamW step over n fp32 master parameters, exactly
 * cov_adamw_step's formula and order (rounded step by step, no fused
 * multiply-adds, so it should reproduce the CPU bit for bit). step is the
 * 1-based step number AFTER the increment (torch's state['step']).
 * params_bf16 (may be NULL) receives bf16(params) for the bf16 matmuls.
 * Works on any slice of a model, so a ZeRO-1 rank can update its shard. */
cov_status cov_cuda_adamw_step(cov_cuda_ctx *ctx, float *params, cov_bf16 *params_bf16,
                               const float *grads, float *exp_avg, float *exp_avg_sq,
                               size_t n, const cov_adamw_config *cfg, int64_t step, float lr,
                               cov_err *err) COV_WARN_UNUSED;

/* cov_grad_clip_norm on device gradients: the same 256 contiguous blocks
 * summed in double, added in block order (on the host), the same clip
 * coefficient. *norm gets the norm before clipping; a non-finite norm
 * leaves the gradients alone. Synchronizes the stream. */
cov_status cov_cuda_grad_clip_norm(cov_cuda_ctx *ctx, float *grads, size_t n, float max_norm,
                                   float *norm, cov_err *err) COV_WARN_UNUSED;

/* The sum of squares of grads[n] in double with the same blocking (for a
 * rank that holds one shard and adds the others' over NCCL). */
cov_status cov_cuda_sum_squares(cov_cuda_ctx *ctx, const float *grads, size_t n, double *ss,
                                cov_err *err) COV_WARN_UNUSED;

#ifdef __cplusplus
}
#endif

#endif
