/* The Llama-style decoder (templar.md §1.1) on the CPU: parameters,
 * gradients, forward and backward.
 *
 *   embed → n_layers × [x += o(attn(rope(q,k), v)) on rmsnorm(x);
 *                       x += down(silu(gate)⊙up) on rmsnorm(x)]
 *   → rmsnorm → lm_head (or embed_tokens when tied) → logits
 *
 * No biases, RoPE the Hugging Face way, grouped-query attention: parameter
 * names, shapes and math are transformers' LlamaForCausalLM, so a
 * checkpoint written from these views opens there unchanged.
 *
 * Memory: cov_model_new allocates everything once: parameters (one
 * contiguous buffer, the views' order), gradients (same layout) and every
 * activation for max_batch × max_seq tokens. A step allocates nothing.
 * Activations cost about (6·dim + 3·ffn_dim + 2·kv_dim) floats per token
 * per layer plus 2·vocab per token for the logits and their gradient.
 *
 * A cov_model is not thread-safe: one step at a time (it runs OpenMP
 * threads inside; OMP_NUM_THREADS sets how many). */
#ifndef COVENANT_TRAIN_MODEL_H
#define COVENANT_TRAIN_MODEL_H

#include "common/common.h"
#include "train/config.h"
#include "train/tensor.h"

#include <stddef.h>
#include <stdint.h>

typedef struct cov_model cov_model;

/* Allocates a model for cfg (copied) with room for batches up to
 * max_batch × max_seq (max_seq ≤ cfg->max_seq_len). Parameters start at
 * zero: call cov_model_init_weights or load a checkpoint into
 * cov_model_param_data. Free with cov_model_free. */
cov_status cov_model_new(cov_model **out, const cov_model_config *cfg, int max_batch,
                         int max_seq, cov_err *err) COV_WARN_UNUSED;
void cov_model_free(cov_model *m);

/* Deterministic init from seed, the same on every machine: every matrix
 * (embeddings, projections, lm_head) ~ normal(0, 0.02), every RMSNorm
 * weight = 1. The normals come from splitmix64 (a fixed 64-bit generator)
 * through Box–Muller in double, drawn in the views' order, row-major. */
void cov_model_init_weights(cov_model *m, uint64_t seed);

/* The parameter and gradient tensors, in a fixed order with Hugging Face
 * names: model.embed_tokens.weight, then per layer i
 * model.layers.{i}.input_layernorm.weight, .self_attn.{q,k,v,o}_proj.weight,
 * .post_attention_layernorm.weight, .mlp.{gate,up,down}_proj.weight, then
 * model.norm.weight and lm_head.weight (only when untied). The arrays and
 * their data belong to the model. */
size_t cov_model_tensor_count(const cov_model *m);
const cov_tensor_view *cov_model_params(const cov_model *m);
const cov_tensor_view *cov_model_grads(const cov_model *m);

/* All parameters (and gradients) as one contiguous buffer of
 * cov_model_numel floats, the views laid end to end in order: what AdamW
 * and the pseudo-gradient code work on. Owned by the model. */
float *cov_model_param_data(cov_model *m);
float *cov_model_grad_data(cov_model *m);
size_t cov_model_numel(const cov_model *m);
const cov_model_config *cov_model_config_of(const cov_model *m);

/* Runs tokens [B, T] through the model. With targets [B, T] (the next
 * token per position, or -100 to ignore it) *loss gets the mean cross
 * entropy over the counted positions (torch's F.cross_entropy) and the step
 * is ready for cov_model_backward; with targets NULL only the logits are
 * computed (loss may then be NULL). Token ids must be in [0, vocab_size),
 * targets in [0, vocab_size) or -100. */
cov_status cov_model_forward(cov_model *m, const int32_t *tokens, const int32_t *targets,
                             int B, int T, float *loss, cov_err *err) COV_WARN_UNUSED;

/* The last forward's logits, [B, T, vocab_size], valid until the next
 * forward. Owned by the model. */
const float *cov_model_logits(const cov_model *m);

/* The number of targets the last forward counted (not -100). */
int64_t cov_model_target_count(const cov_model *m);

/* Backpropagates the last forward's mean loss and ADDS the gradients to
 * cov_model_grad_data: several forward/backward pairs accumulate, so
 * gradient accumulation over micro-batches works. Scaling is the caller's:
 * each backward adds the gradient of that micro-batch's mean loss, so for
 * k equal micro-batches divide by k (or scale the learning rate) to get the
 * full batch's mean. Fails if the last forward had no targets. */
cov_status cov_model_backward(cov_model *m, cov_err *err) COV_WARN_UNUSED;

/* Sets every gradient to zero. */
void cov_model_zero_grad(cov_model *m);

#endif
