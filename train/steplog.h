/* Step accounting for `covenant train`, the same on the CPU and the GPU:
 * how many floating-point operations a training step does, and from the
 * step's wall time the tokens per second, the achieved FLOP/s and, given
 * the hardware's peak, the model FLOP utilization (MFU).
 *
 * The FLOP count is the one PaLM's appendix B uses and llm.c prints:
 *
 *   flops_per_token = 6·N + 12·L·H·Q·T
 *
 * N  the parameters that take part in a matmul: every projection of every
 *    layer (q, k, v, o, gate, up, down) and the output head (V·dim, which is
 *    the embedding when tied). The embedding lookup of an untied model and
 *    the RMSNorm weights do no matmul and are left out.
 * L, H, Q, T  layers, query heads, head dimension, the step's sequence
 *    length: the attention scores and the weighted values, forward (2·2) and
 *    backward (2·4), not halved for the causal mask (as PaLM and llm.c).
 *
 * 6 = 2 (a multiply and an add) × 3 (forward, and the backward's two
 * matmuls: activations and weights). MFU = achieved / peak, where the peak
 * (dense bf16 FLOP/s of the device) is the caller's: kernels/ keeps the GPU
 * table; on the CPU there is no peak and no MFU. */
#ifndef COVENANT_TRAIN_STEPLOG_H
#define COVENANT_TRAIN_STEPLOG_H

#include "train/config.h"

#include <stdint.h>

/* N above: the parameters that take part in a matmul. */
uint64_t cov_train_matmul_params(const cov_model_config *cfg);

/* Training FLOPs per token at sequence length seq_len (formula above). */
double cov_train_flops_per_token(const cov_model_config *cfg, int seq_len);

typedef struct {
    double ms;           /* the step's wall time */
    double tokens_per_s; /* tokens the step trained / its time */
    double flops_per_s;  /* achieved: flops_per_token · tokens / time */
    double mfu;          /* flops_per_s / peak, or 0 when no peak is given */
} cov_step_rate;

/* The rates of one step that trained `tokens` tokens (every position of
 * every sequence, all ranks together) in `seconds` on hardware whose
 * aggregate peak is peak_flops (0 or less: unknown, mfu = 0). A step of 0
 * seconds gives zero rates rather than infinities. */
cov_step_rate cov_step_rate_of(const cov_model_config *cfg, int seq_len, uint64_t tokens,
                               double seconds, double peak_flops);

#endif
