/* A local round: one validator and a few miners on one machine, no chain.
 *
 * Every window each miner trains H inner steps on the samples Templar's
 * assignment gives its uid, compresses Δ with SparseLoCo and writes it in
 * covenant's pseudo-gradient format; the lazy miner skips training and
 * sends noise of the same size. The validator reads every file back,
 * measures each miner's update on the miner's own data and on a random
 * uid's data (train/eval.h), scores them with the Gauntlet
 * (incentive/scoring.h), and everybody applies the same outer step over the
 * gathered peers. After the last window the validator's final scores become
 * weights (the SDK's processing and u16 conversion) and one Yuma epoch turns
 * them into emission. */
#ifndef COVENANT_NODE_ROUND_H
#define COVENANT_NODE_ROUND_H

#include "common/common.h"
#include "train/window.h"
#include "wallet/wallet.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COV_ROUND_MAX_MINERS 16

typedef struct {
    char model_preset[32];   /* train/config.h preset ("demo") */
    int miners;              /* 1..COV_ROUND_MAX_MINERS; uids 1..miners */
    int lazy_uid;            /* the miner that uploads noise; 0 = none */
    int windows;
    cov_window_config window; /* inner_steps: the most a miner takes */
    /* Samples assigned to each uid per window (Templar: 30 × 1024, of which
     * a miner trains on what its batch size covers). The demo's is small and
     * a miner passes over it several times, so that a model this size learns
     * its own samples measurably better than others: what the validator's
     * own-data test (the BMA) looks for. */
    int pool_samples;
    /* Inner steps miner uid i+1 manages per window (0: window.inner_steps),
     * 1..inner_steps: a slower GPU fits fewer steps into a window, moves the
     * model less and covers less of the pool the validator samples from. */
    int miner_steps[COV_ROUND_MAX_MINERS];
    int eval_samples;        /* sequences per loss measurement (Templar 8) */
    float outer_lr;          /* α of the outer step */
    float eval_lr_factor;    /* the validator's scale on α (Templar 0.2) */
    uint64_t corpus_samples; /* synthetic samples to generate */
    uint64_t seed;
    uint64_t rao_emission;   /* alpha the epoch distributes */
    const char *save_dir;    /* NULL, or where the final model is saved as a
                                safetensors checkpoint (train/checkpoint.h) */
} cov_round_config;

/* The demo's settings: the "demo" model, 4 miners (uid 4 lazy) of which
 * uids 1, 2, 3 manage 10, 7 and 4 inner steps of 6 sequences per window,
 * 6 windows, SparseLoCo with Covenant-72B's values. */
void cov_round_config_defaults(cov_round_config *c);
cov_status cov_round_config_check(const cov_round_config *c, cov_err *err) COV_WARN_UNUSED;

/* Sets the fastest miner's inner steps to h (h >= 1) and scales the other
 * miners' miner_steps by the same ratio (at least 1), so they keep their
 * share of a window. */
void cov_round_config_set_inner_steps(cov_round_config *c, int h);

typedef struct {
    uint16_t uid;
    char hotkey[COV_SS58_MAX];
    bool lazy;
    int steps;                /* inner steps per window */
    double loss_improvement;  /* mean over windows of rand_before − rand_after (nats) */
    double own_improvement;   /* the same on the miner's own data */
    float gradient_score;     /* the last window's (rand_before − rand_after)/rand_before */
    float bma;                /* binary moving average after the last window */
    double ordinal;           /* OpenSkill mu − 3 sigma */
    float score;              /* the Gauntlet's final score */
    double weight;            /* the weight the validator submits, normalised */
    uint16_t weight_u16;      /* as the chain receives it */
    uint16_t incentive_u16;   /* the epoch's Incentive */
    uint64_t emission_rao;    /* the epoch's server emission */
    double emission_share;    /* of all miners' emission */
    double train_loss_first;  /* the first inner step's loss in the last window */
    double train_loss_last;
    uint64_t upload_bytes;    /* the last pseudo-gradient file */
} cov_round_miner;

typedef struct {
    size_t n_miners;
    cov_round_miner miners[COV_ROUND_MAX_MINERS];
    char validator_hotkey[COV_SS58_MAX];
    uint64_t validator_emission_rao;
    int windows;
    double loss_curve[64];    /* validator's random-data loss before window w, then after the last */
    size_t loss_points;
    uint64_t parameters;
    uint64_t tokens_trained;
    uint64_t dense_bytes;     /* one fp32 Δ */
} cov_round_result;

typedef enum {
    COV_ROUND_SETUP,       /* wallets and corpus ready */
    COV_ROUND_TRAINED,     /* a miner finished its inner steps */
    COV_ROUND_EVALUATED,   /* the validator scored a miner */
    COV_ROUND_OUTER_STEP,  /* the window's outer step is applied */
    COV_ROUND_EPOCH        /* weights set, Yuma epoch run */
} cov_round_event_kind;

typedef struct {
    cov_round_event_kind kind;
    int window;
    uint16_t uid;           /* TRAINED, EVALUATED */
    double value;           /* TRAINED: last inner loss; EVALUATED: gradient score;
                               OUTER_STEP: validator's random-data loss after */
    int done, total;        /* units of work finished / in all (for a progress bar) */
} cov_round_event;

typedef void (*cov_round_progress)(void *ctx, const cov_round_event *ev);

/* Runs the round in workdir (an existing, writable folder: wallets/,
 * data/ and gradients/ are made there). progress may be NULL. Fills *out. */
cov_status cov_round_run(cov_round_result *out, const cov_round_config *c, const char *workdir,
                         cov_round_progress progress, void *progress_ctx,
                         cov_err *err) COV_WARN_UNUSED;

#endif
