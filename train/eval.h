/* What a validator measures (templar.md §4.3): mean loss on a batch, and the
 * loss after applying one peer's compressed update alone, at the outer
 * learning rate times eval_lr_factor (Templar 0.2), on that peer's assigned
 * data and on random data. The base model is always restored. */
#ifndef COVENANT_TRAIN_EVAL_H
#define COVENANT_TRAIN_EVAL_H

#include "common/common.h"
#include "train/data.h"
#include "train/model.h"
#include "train/pgrad.h"
#include "train/sparseloco.h"

#include <stddef.h>

/* The four mean losses of one evaluation (incentive/'s Gauntlet scoring
 * takes them as they are). */
typedef struct {
    double own_before, own_after;   /* on samples assigned to the peer */
    double rand_before, rand_after; /* on samples of a random uid's pool */
} cov_eval_losses;

typedef struct cov_evaluator cov_evaluator;

/* An evaluator over model m (borrowed) running micro_batch sequences per
 * forward; sc is the SparseLoCo config the peers compressed with. Holds a
 * copy of θ to restore after each peer. Free with cov_evaluator_free. */
cov_status cov_evaluator_new(cov_evaluator **out, cov_model *m, int micro_batch,
                             const cov_sparseloco_config *sc, cov_err *err) COV_WARN_UNUSED;
void cov_evaluator_free(cov_evaluator *e);

/* Mean cross entropy over every counted target of samples[0..n) (Templar's
 * labels), weighted by target count across micro-batches. */
cov_status cov_eval_loss(cov_evaluator *e, const cov_shard *shard, const int64_t *samples,
                         size_t n, double *loss, cov_err *err) COV_WARN_UNUSED;

/* Evaluates one peer: own_before on own[0..n_own), applies the peer's
 * update θ ← θ − (outer_lr·eval_lr_factor)·clip(Δ̂), own_after and
 * rand_after on rnd[0..n_rand), then restores θ. rand_before is the
 * caller's (measured once per window with cov_eval_loss) and copied into
 * out. median_norms come from cov_pgrad_median_norms over the window's
 * gather. Tensors whose update is not finite are skipped (counted in
 * *skipped, may be NULL); the peer is then malformed in Templar's terms. */
cov_status cov_eval_peer(cov_evaluator *e, const cov_shard *shard, const int64_t *own,
                         size_t n_own, const int64_t *rnd, size_t n_rand, double rand_before,
                         const cov_pgrad *peer, const float *median_norms,
                         double outer_lr, double eval_lr_factor, cov_eval_losses *out,
                         size_t *skipped, cov_err *err) COV_WARN_UNUSED;

#endif
