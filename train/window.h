/* One window of a SparseLoCo participant (templar.md §1.2, §1.5, §3.5):
 *
 *   snapshot θ_start
 *   H inner AdamW steps on the window's assigned samples
 *   Δ = θ_start − θ_end           the pseudo-gradient (a descent direction)
 *   θ ← θ_start                   every node leaves the window where it began
 *   e ← β·e + Δ, top-k, quantize  SparseLoCo (sparseloco.h), per tensor
 *   ... peers exchange compressed Δ ...
 *   θ ← θ − α·aggregate(peers)    the outer step, identical on every node
 *
 * A cov_trainer is one node's training state around a model it borrows:
 * the AdamW moments and inner step count (they persist across windows, as
 * in Templar), the error-feedback buffer, θ_start and Δ. Several trainers
 * may share one model (a local round simulates four miners on one set of
 * weights: they are identical at every window start); each call leaves the
 * model's parameters at θ_start. */
#ifndef COVENANT_TRAIN_WINDOW_H
#define COVENANT_TRAIN_WINDOW_H

#include "common/common.h"
#include "train/data.h"
#include "train/model.h"
#include "train/optim.h"
#include "train/pgrad.h"
#include "train/sparseloco.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int inner_steps;     /* H: Templar 30 */
    int micro_batch;     /* sequences per forward/backward */
    int grad_accum;      /* micro-batches per inner step; a step sees
                            micro_batch · grad_accum sequences */
    float max_grad_norm; /* clip_grad_norm_ before every step: Templar 1.0 */
    cov_lr_schedule lr;  /* indexed by the trainer's inner step count */
    cov_adamw_config adamw;
    cov_sparseloco_config sparseloco;
} cov_window_config;

/* Samples one inner step consumes: micro_batch · grad_accum. */
size_t cov_window_step_samples(const cov_window_config *c);

cov_status cov_window_config_check(const cov_window_config *c, cov_err *err) COV_WARN_UNUSED;

typedef struct {
    int steps;              /* inner steps taken (H, or fewer with too few samples) */
    float first_loss;       /* mean loss of the first inner step */
    float last_loss;        /* mean loss of the last inner step */
    float last_lr;
    float last_grad_norm;   /* before clipping */
    double delta_norm;      /* ||Δ||_2 over all tensors */
    uint64_t tokens;        /* targets counted in the window */
} cov_window_stats;

typedef struct cov_trainer cov_trainer;

/* A trainer for model m (borrowed: it must outlive the trainer) with the
 * window config copied. Allocates AdamW state, EF, θ_start, Δ and the batch
 * buffers once. Free with cov_trainer_free. */
cov_status cov_trainer_new(cov_trainer **out, cov_model *m, const cov_window_config *c,
                           cov_err *err) COV_WARN_UNUSED;
void cov_trainer_free(cov_trainer *t);

/* The inner loop of one window on samples[0..n) of shard (indices into it,
 * in the order they are consumed: Templar's pool[rank::world]). Takes H
 * steps, or as many whole steps as the samples fill (at least one, else
 * COV_ERR_ARG). Leaves Δ in cov_trainer_delta and the model's parameters
 * back at θ_start. A non-finite loss stops the window with COV_ERR_ARG and
 * θ restored. */
cov_status cov_trainer_window(cov_trainer *t, const cov_shard *shard, const int64_t *samples,
                              size_t n, cov_window_stats *stats, cov_err *err) COV_WARN_UNUSED;

/* Δ of the last window, cov_model_numel floats laid out like the
 * parameters. Writable: a caller may put its own Δ there (a test, or the
 * demo's lazy miner that uploads noise) before compressing. */
float *cov_trainer_delta(cov_trainer *t);

/* Compresses Δ tensor by tensor through the trainer's error feedback into
 * pg (made with cov_trainer_pgrad_new or cov_pgrad_new for this model). */
cov_status cov_trainer_compress(cov_trainer *t, cov_pgrad *pg, cov_err *err) COV_WARN_UNUSED;

/* A pseudo-gradient for this trainer's model, window and uid (the model
 * hash computed from its config and tensors). Free with cov_pgrad_free. */
cov_status cov_trainer_pgrad_new(cov_pgrad **out, const cov_trainer *t, uint64_t window,
                                 uint16_t uid, cov_err *err) COV_WARN_UNUSED;

/* Zeroes the error feedback (Templar's null rounds). */
void cov_trainer_reset_feedback(cov_trainer *t);

int64_t cov_trainer_inner_step(const cov_trainer *t);

/* What peers expect of each other's files in a window: the model's tensor
 * table, its hash and the SparseLoCo config. out points into t (valid while
 * t lives). */
void cov_trainer_expect(cov_pgrad_expect *out, const cov_trainer *t, uint64_t window,
                        uint16_t uid);

#endif
