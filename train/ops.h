/* The Llama decoder's operations, forward and backward, as free functions on
 * plain row-major fp32 arrays. This is the CPU reference: kernels/ ports each
 * function to CUDA and must reproduce it, so every op stays a separate
 * function with its math written next to it.
 *
 * Conventions shared by every op:
 * - Shapes are given as counts; N is a number of rows (tokens = B*T), D the
 *   row width. Activations are [N, D] with D contiguous.
 * - The caller owns every buffer; nothing here allocates.
 * - Backward functions OVERWRITE the gradients of activations (dx) unless
 *   the name says otherwise, and ACCUMULATE (+=) into the gradients of
 *   weights (dw), so micro-batches add up.
 * - Parallel loops are OpenMP with static schedules; every reduction runs in
 *   a fixed order inside one thread (no atomics), so results are
 *   bit-identical run to run (and do not depend on the thread count, apart
 *   from what OpenBLAS's sgemm does with its own threads).
 * - Nothing prints, exits or fails: shapes are the caller's to check
 *   (cov_model does). */
#ifndef COVENANT_TRAIN_OPS_H
#define COVENANT_TRAIN_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- matmul */

/* y[M,N] = x[M,K] · w[N,K]ᵀ, a PyTorch Linear without bias (w is [out,in]).
 * With accumulate, y += x·wᵀ instead (how the residual adds are fused). One
 * cblas_sgemm. */
void cov_op_matmul_forward(float *y, const float *x, const float *w, int M, int K, int N,
                           bool accumulate);

/* Gradients of y = x·wᵀ: dx[M,K] = dy·w (overwritten, or added to with
 * accumulate_dx; dx may be NULL to skip it) and dw[N,K] += dyᵀ·x. */
void cov_op_matmul_backward(float *dx, float *dw, const float *dy, const float *x,
                            const float *w, int M, int K, int N, bool accumulate_dx);

/* --------------------------------------------------------------- RMSNorm */

/* y = x / sqrt(mean(x²) + eps) * w per row; rstd[n] = 1/sqrt(mean + eps) is
 * saved for the backward. The mean is summed in double. */
void cov_op_rmsnorm_forward(float *y, float *rstd, const float *x, const float *w, int N,
                            int D, float eps);

/* With x̂ = x·rstd and g = dy⊙w: dx = rstd·(g − x̂·mean(g⊙x̂)), ADDED to dx
 * (the residual stream's gradient passes through unchanged beside it);
 * dw[j] += Σ_n dy[n,j]·x̂[n,j]. */
void cov_op_rmsnorm_backward_add(float *dx, float *dw, const float *dy, const float *x,
                                 const float *w, const float *rstd, int N, int D);

/* ------------------------------------------------------------------ RoPE */

/* The cos/sin table for positions 0..T-1, each [T, hd/2]: Hugging Face
 * Llama's inv_freq[i] = theta^(-2i/hd), angle = pos·inv_freq[i]. */
void cov_op_rope_table(float *cos_t, float *sin_t, int T, int head_dim, float theta);

/* Rotates x [B, T, H, hd] in place the Hugging Face way (rotate_half: the
 * pairs are (i, i + hd/2), not interleaved):
 *   x'[i]      = x[i]·cos − x[i+hd/2]·sin
 *   x'[i+hd/2] = x[i+hd/2]·cos + x[i]·sin
 * so checkpoints open in transformers' LlamaForCausalLM unchanged. */
void cov_op_rope_forward(float *x, const float *cos_t, const float *sin_t, int B, int T,
                         int H, int head_dim);

/* The transpose (inverse) rotation, applied in place to the gradient. */
void cov_op_rope_backward(float *dx, const float *cos_t, const float *sin_t, int B, int T,
                          int H, int head_dim);

/* ---------------------------------------------------------------- SwiGLU */

/* out = silu(gate) ⊙ up, silu(g) = g·σ(g); n elements. */
void cov_op_swiglu_forward(float *out, const float *gate, const float *up, size_t n);

/* dgate = dout⊙up⊙σ(g)(1 + g(1−σ(g))), dup = dout⊙silu(g) (overwritten). */
void cov_op_swiglu_backward(float *dgate, float *dup, const float *dout, const float *gate,
                            const float *up, size_t n);

/* ------------------------------------------------------------- attention */

/* Causal grouped-query attention. q, out: [B, T, H, hd]; k, v: [B, T, KVH,
 * hd]; query head h reads kv head h / (H/KVH). Scores are q·k/sqrt(hd),
 * masked to j ≤ t, softmaxed in fp32 with the row max subtracted. lse
 * [B, H, T] keeps each row's log-sum-exp so the backward recomputes the
 * probabilities instead of storing B·H·T² of them. scratch holds T·T
 * floats (cov_op_attention_scratch_floats). The matrix products are
 * cblas_sgemm, heads run one after another. */
void cov_op_attention_forward(float *out, float *lse, float *scratch, const float *q,
                              const float *k, const float *v, int B, int T, int H, int KVH,
                              int head_dim);

/* Gradients of the above; dq, dk, dv are overwritten. With P the
 * probabilities, dP = dout·vᵀ, dS = P⊙(dP − rowsum(dout⊙out)):
 * dq = dS·k/√hd, dk = dSᵀ·q/√hd, dv = Pᵀ·dout; a kv head's dk and dv sum
 * its query heads in head order. scratch holds 2·T·T floats. */
void cov_op_attention_backward(float *dq, float *dk, float *dv, float *scratch,
                               const float *dout, const float *out, const float *lse,
                               const float *q, const float *k, const float *v, int B, int T,
                               int H, int KVH, int head_dim);

/* The scratch both attention functions need for sequences up to T. */
static inline size_t cov_op_attention_scratch_floats(int T)
{
    return 2 * (size_t)T * (size_t)T;
}

/* --------------------------------------------------------- cross entropy */

#define COV_IGNORE_INDEX (-100)

/* Softmax cross entropy of logits [N, V] against targets [N]; a target of
 * COV_IGNORE_INDEX (-100) is skipped, as in torch. Returns the mean over the
 * counted rows (0 when none) and their count in *count. lse[N] (log-sum-exp
 * per row) is saved for the backward. Targets must be in [0, V) or -100.
 * Per-row losses are summed in double, in row order. */
float cov_op_cross_entropy_forward(float *lse, int64_t *count, const float *logits,
                                   const int32_t *targets, int N, int V);

/* dlogits = scale·(softmax − onehot(target)) for counted rows, 0 for
 * ignored ones (overwritten). scale is dloss/count for the mean loss. */
void cov_op_cross_entropy_backward(float *dlogits, const float *logits, const float *lse,
                                   const int32_t *targets, int N, int V, float scale);

/* ------------------------------------------------------------- embedding */

/* out[n] = table[tokens[n]]; table is [V, D]. Tokens must be in [0, V). */
void cov_op_embedding_forward(float *out, const float *table, const int32_t *tokens, int N,
                              int D);

/* dtable[tokens[n]] += dout[n]. Parallel over columns so repeated tokens
 * never race, and each column adds its rows in order. */
void cov_op_embedding_backward(float *dtable, const float *dout, const int32_t *tokens,
                               int N, int D);

/* Whether OpenBLAS runs its threads on OpenMP (Debian's openblas-openmp
 * build, which covenant links with gcc) rather than its own pthreads. Its
 * OpenMP build assumes it gets every thread it asks for: with
 * omp_set_dynamic(1) a team can come up short and a matmul waits forever. */
bool cov_blas_threads_are_openmp(void);

#endif
