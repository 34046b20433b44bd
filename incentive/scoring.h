/* scoring: the training subnet's validator scoring, as Templar's Gauntlet
 * does it (one-covenant/templar neurons/validator.py; docs/incentives-scoring.md
 * has the rule in prose and the JSON format).
 *
 *   OpenSkill   Plackett-Luce rating updates, matching the `openskill`
 *               package (6.1.3, the version Templar locks) within 1e-9.
 *   Gauntlet    per-uid state: gradient score, binary moving average (BMA)
 *               of "helped its own data more than random data", sync score,
 *               final score = (mu - 3 sigma) x BMA+ x sync, and Templar's
 *               penalties (missing / invalid gradients, poor sync, copying,
 *               negative evaluations, inactivity).
 *   Policy      weights per uid: a burn share to one uid, the top N on a
 *               linear ramp, a geometrically decaying tail.
 *   Config      every knob above from the incentive JSON file.
 *
 * Pure library: no I/O, no printing, no global state. Values that Templar
 * keeps in float32 tensors (scores, BMA, sync) are float here and are
 * computed with float32 arithmetic, so threshold decisions and score ties
 * come out as they do on a Templar validator.
 */
#ifndef COVENANT_INCENTIVE_SCORING_H
#define COVENANT_INCENTIVE_SCORING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/common.h"

/* ============================================================ OpenSkill */

/* One player's rating: a Gaussian belief N(mu, sigma^2) about its skill. */
typedef struct {
    double mu;
    double sigma;
} cov_rating;

/* The PlackettLuce model's parameters (openskill's names). */
typedef struct {
    double mu;        /* a new player's mean (openskill 25) */
    double sigma;     /* a new player's deviation (openskill 25/3) */
    double beta;      /* performance noise (openskill 25/6; Templar 7) */
    double tau;       /* added to sigma before each match, so ratings keep
                         moving (openskill 25/300; Templar 0.1) */
    double kappa;     /* floor of sigma's shrink factor (openskill 1e-4) */
    bool limit_sigma; /* a match never raises sigma (openskill false) */
} cov_openskill_params;

/* The openskill package's own defaults. */
void cov_openskill_defaults(cov_openskill_params *p);
/* Templar's model: the defaults with beta 7 and tau 0.1. */
void cov_openskill_templar(cov_openskill_params *p);

/* A new player's rating (mu, sigma) under p. */
cov_rating cov_openskill_new_rating(const cov_openskill_params *p);

/* The ordinal mu - 3 sigma: a skill the player beats with ~99.7%. */
double cov_rating_ordinal(cov_rating r);

/* Rates one free-for-all match of n >= 2 single-player teams, updating
 * ratings[] in place (left untouched on failure). Higher score is better;
 * equal scores tie. openskill's conversion is kept exactly, including its
 * quirk that a score of exactly 0 ranks as if it were -(its index).
 * Fails with COV_ERR_ARG for n < 2, a non-finite score, a rating that is not
 * finite or has sigma <= 0, bad params, or ratings so far apart that
 * exp(mu/c) overflows (openskill raises there too); COV_ERR_NOMEM. */
cov_status cov_openskill_rate_scores(cov_rating *ratings, size_t n,
                                     const double *scores,
                                     const cov_openskill_params *p,
                                     cov_err *err) COV_WARN_UNUSED;

/* The same with ranks: lower is better, equal ranks tie. */
cov_status cov_openskill_rate_ranks(cov_rating *ratings, size_t n,
                                    const int64_t *ranks,
                                    const cov_openskill_params *p,
                                    cov_err *err) COV_WARN_UNUSED;

/* =============================================================== Config */

/* Every field's JSON name is "scoring.<field>" (openskill's under
 * "scoring.openskill.<field>"); defaults are Templar's production values
 * (hparams/hparams.json and the validator's constants). */
typedef struct {
    cov_openskill_params openskill; /* mu 25, sigma 25/3, beta 7, tau 0.1,
                                       kappa 1e-4, limit_sigma false */

    /* Gauntlet score */
    double bma_alpha;            /* 0.05: BMA <- (1-a) BMA + a (+-1) */
    double bma_threshold;        /* 0.10: BMA below this counts as 0 ... */
    uint32_t bma_warmup_windows; /* 10: ... once this many windows ran */
    double missing_score;        /* -99: match score of a missing gradient */
    double zero_threshold;       /* 1e-4: slashed scores below it become 0 */

    /* Penalties (multipliers on final score and BMA) */
    double sync_max_steps_behind;     /* 2: more steps behind is poor sync */
    double sync_slash;                /* 0.75 */
    double missing_eval_slash;        /* 0.75: gradient missing at eval */
    double missing_gather_slash[8];   /* 0.75, 0.5, 0: 1st, 2nd, 3rd+ miss */
    uint32_t missing_gather_slash_len;/* 3 (1..8); the last one repeats */
    double gather_success_threshold;  /* 0.4: worse gathers slash to 0 */
    uint32_t mega_window;             /* 8: missing-gradient history ... */
    double mega_ratio;                /* 0.5: ... missed >= this: naughty */
    uint32_t naughty_windows;         /* 20: how long naughty lasts */
    uint32_t negative_window;         /* 8: evaluations looked at ... */
    double negative_ratio;            /* 0.5: ... negative > this share: */
    double negative_slash;            /* 0.25 */
    uint32_t negative_skip_rank;      /* 5: no negative penalties when the
                                         window's 5th best is negative */
    bool exclude_negative;            /* true: leave out of gather ... */
    uint32_t consecutive_negative;    /* 3: ... after this many in a row */
    double overlap_slash_high;        /* 0.5: "high" index overlap */
    double inactivity_slash;          /* 0.75 per inactive window */
    uint32_t inactivity_reset_windows;/* 3: longer inactive: full reset */

    /* Weight policy */
    uint32_t burn_uid;    /* 1: the subnet owner's uid gets the burn */
    double burn_rate;     /* 0.5: share burned */
    uint32_t top_n;       /* 20: the top tier (Templar's gather peers) */
    double top_share;     /* 0.75: the top tier's share of the rest */
    double top_ratio;     /* 2: best / Nth weight in the top tier */
    uint32_t tail_n;      /* 10: the tail (Templar's reserve peers) */
    double tail_decay;    /* 0.5: each tail weight is this x the one above */
} cov_scoring_config;

/* The incentive configuration file. Other parts' sections join this struct
 * as they land; unknown top-level keys are theirs and are ignored here. */
typedef struct {
    cov_scoring_config scoring;
} cov_incentive_config;

void cov_scoring_config_defaults(cov_scoring_config *cfg);
void cov_incentive_config_defaults(cov_incentive_config *cfg);

/* Fills cfg from the file's parsed JSON: defaults, overridden by the fields
 * present. On failure cfg holds the defaults and err names the field:
 * "scoring.top_n: must be a positive integer, got -3" (COV_ERR_PARSE), as it
 * does for an unknown field in "scoring" (a typo would otherwise silently
 * keep a default). root must be an object. */
cov_status cov_incentive_config_from_json(const json_t *root,
                                          cov_incentive_config *cfg,
                                          cov_err *err) COV_WARN_UNUSED;

/* Checks a config built in code against the same rules. */
cov_status cov_scoring_config_check(const cov_scoring_config *cfg,
                                    cov_err *err) COV_WARN_UNUSED;

/* The "scoring" section as a new JSON object with every field (the caller
 * owns the reference); NULL on allocation failure. */
json_t *cov_scoring_config_to_json(const cov_scoring_config *cfg);

/* ============================================================= Gauntlet */

/* The four mean losses of one evaluation: on the miner's own data and on
 * random data, before and after applying only that miner's gradient. */
typedef struct {
    double own_before, own_after;
    double rand_before, rand_after;
} cov_gauntlet_losses;

/* (rand_before - rand_after) / rand_before, rounded to float32 as Templar
 * stores it (so near-equal scores tie as they do there); 0 when
 * rand_before <= 0. */
float cov_gauntlet_gradient_score(const cov_gauntlet_losses *l);

/* +1 when the relative improvement on own data beats the one on random
 * data (a miner that trained on its assigned data), else -1. */
int cov_gauntlet_binary_indicator(const cov_gauntlet_losses *l);

/* max(0, 1 - min(x, 3)/3)^2.5 of the average steps behind; 0 for NaN. */
float cov_gauntlet_sync_score(double avg_steps_behind);

/* ordinal x BMA+ x sync, where BMA+ = max(0, bma), and 0 once
 * windows_since_start >= bma_warmup_windows if BMA+ < bma_threshold. */
float cov_gauntlet_final_score(const cov_scoring_config *cfg, cov_rating r,
                               float bma, float sync,
                               uint64_t windows_since_start);

/* One uid's state (Templar's per-uid tensors and dicts). Read freely; change
 * through the functions below (or restore a saved copy). */
typedef struct {
    cov_rating rating;      /* meaningful when rated */
    bool rated;             /* has an OpenSkill rating */
    bool evaluated;         /* was scored since start: may get weight */
    float gradient_score;   /* last evaluation's */
    float bma;              /* binary moving average, in [-1, 1] */
    float sync_score;       /* last evaluation's */
    float final_score;
    uint64_t eval_negative; /* bit k: the k-th latest evaluation was < 0 */
    uint32_t eval_count;    /* evaluations recorded, capped at 64 */
    uint32_t consecutive_negative;
    bool excluded;          /* left out of gather until a positive eval */
    uint64_t gather_missing;/* bit k: missing in the k-th latest gather */
    uint32_t gather_count;  /* gathers recorded, capped at 64 */
    uint32_t consecutive_missing;
    uint32_t naughty;       /* windows left on the naughty list; 0 = none */
} cov_gauntlet_peer;

/* The scorer: peers indexed by uid, and this window's OpenSkill match in
 * the order uids entered it (a uid entering twice keeps its first place and
 * its latest score, as Templar's dict does). */
typedef struct {
    cov_gauntlet_peer *peers;
    size_t n_uids;
    uint32_t *match_uids;
    double *match_scores;
    size_t match_len;
} cov_gauntlet;

/* Allocates n_uids zeroed peers (n_uids >= 1); cov_gauntlet_free releases. */
cov_status cov_gauntlet_init(cov_gauntlet *g, size_t n_uids,
                             cov_err *err) COV_WARN_UNUSED;
void cov_gauntlet_free(cov_gauntlet *g);

/* Forgets everything about uid except its naughty count (Templar's
 * reset_peer); it stays in this window's match if it entered it. A uid that
 * was deregistered and taken by someone new: reset it and clear naughty. */
cov_status cov_gauntlet_reset_peer(cov_gauntlet *g, uint32_t uid,
                                   cov_err *err) COV_WARN_UNUSED;

/* Puts uid in this window's match with score (a new rating if unrated). */
cov_status cov_gauntlet_match_set(cov_gauntlet *g,
                                  const cov_scoring_config *cfg, uint32_t uid,
                                  double score, cov_err *err) COV_WARN_UNUSED;

/* A window runs these in Templar's order (all fail only with COV_ERR_ARG
 * for a uid >= n_uids or bad arguments, or COV_ERR_NOMEM):
 *   1. cov_gauntlet_inactive        for each inactive uid
 *   2. cov_gauntlet_overlap         the copying check's verdicts
 *   3. cov_gauntlet_poor_sync       each gather peer's sync check
 *      cov_gauntlet_gather          who was / was not gathered
 *   4. cov_gauntlet_eval | _eval_missing | _eval_invalid   per evaluated uid
 *   5. cov_gauntlet_negative_penalties
 *   6. cov_gauntlet_rate_window     OpenSkill match, final scores
 *   7. cov_gauntlet_weights */

/* A successful evaluation: gradient score, negative-eval history (a
 * positive one lifts an exclusion), BMA update with the binary indicator,
 * sync score; enters the match with the gradient score. */
cov_status cov_gauntlet_eval(cov_gauntlet *g, const cov_scoring_config *cfg,
                             uint32_t uid, const cov_gauntlet_losses *l,
                             float sync_score, cov_err *err) COV_WARN_UNUSED;

/* The gradient was missing or late at evaluation: a positive final score
 * and the BMA x missing_eval_slash; enters the match with missing_score. */
cov_status cov_gauntlet_eval_missing(cov_gauntlet *g,
                                     const cov_scoring_config *cfg,
                                     uint32_t uid,
                                     cov_err *err) COV_WARN_UNUSED;

/* The gradient was malformed: a positive final score becomes 0 (BMA kept);
 * enters the match with missing_score. */
cov_status cov_gauntlet_eval_invalid(cov_gauntlet *g,
                                     const cov_scoring_config *cfg,
                                     uint32_t uid,
                                     cov_err *err) COV_WARN_UNUSED;

/* The gather of this window. Each missing uid: escalating slash by its
 * consecutive misses (all to 0 when success_rate < gather_success_threshold);
 * missing >= mega_ratio of the last mega_window gathers: naughty for
 * naughty_windows and reset (if its score was positive); every missing uid
 * enters the match with missing_score. Each gathered uid: its streak of
 * misses ends. */
cov_status cov_gauntlet_gather(cov_gauntlet *g, const cov_scoring_config *cfg,
                               const uint32_t *missing, size_t n_missing,
                               const uint32_t *gathered, size_t n_gathered,
                               double success_rate,
                               cov_err *err) COV_WARN_UNUSED;

/* A gather peer's sync check: failed (ok false) or more than
 * sync_max_steps_behind behind: a positive score and its BMA x sync_slash. */
cov_status cov_gauntlet_poor_sync(cov_gauntlet *g,
                                  const cov_scoring_config *cfg, uint32_t uid,
                                  bool ok, double avg_steps_behind,
                                  cov_err *err) COV_WARN_UNUSED;

typedef enum {
    COV_OVERLAP_HIGH = 1, /* >= 0.4 shared indices: x overlap_slash_high */
    COV_OVERLAP_MAX,      /* >= 0.5: reset */
    COV_OVERLAP_MEGA      /* >= 0.6: reset and naughty */
} cov_overlap_level;

/* The copying check's verdicts for this window (the later uploader of each
 * pair). Every naughty uid not in the list counts as MAX again; each naughty
 * uid's count goes down by one. */
cov_status cov_gauntlet_overlap(cov_gauntlet *g, const cov_scoring_config *cfg,
                                const uint32_t *uids,
                                const cov_overlap_level *levels, size_t n,
                                cov_err *err) COV_WARN_UNUSED;

/* An inactive uid, windows_inactive after it went inactive: past
 * inactivity_reset_windows a full reset, else a positive final score x
 * inactivity_slash (BMA kept). */
cov_status cov_gauntlet_inactive(cov_gauntlet *g,
                                 const cov_scoring_config *cfg, uint32_t uid,
                                 uint64_t windows_inactive,
                                 cov_err *err) COV_WARN_UNUSED;

/* True when this window's match says the whole window went badly: its
 * negative_skip_rank-th best score (or its worst, when fewer) is negative.
 * Negative-evaluation penalties and exclusions are skipped then. */
bool cov_gauntlet_bad_window(const cov_gauntlet *g,
                             const cov_scoring_config *cfg);

/* Every uid with evaluations: more than negative_ratio of the last
 * negative_window negative -> a positive score and BMA x negative_slash;
 * consecutive_negative in a row -> excluded (when exclude_negative). Both
 * skipped in a bad window. */
void cov_gauntlet_negative_penalties(cov_gauntlet *g,
                                     const cov_scoring_config *cfg);

/* Whether uid is to be left out of gather selection now (Templar's
 * should_exclude_from_gather). False for an unknown uid. */
bool cov_gauntlet_excluded(const cov_gauntlet *g,
                           const cov_scoring_config *cfg, uint32_t uid);

/* With at least two uids in the match: rates them as one match, recomputes
 * their final scores (sync counts only for evaluated uids) and empties the
 * match. With fewer it does nothing and the match carries over, as in
 * Templar. windows_since_start: windows since this validator started. */
cov_status cov_gauntlet_rate_window(cov_gauntlet *g,
                                    const cov_scoring_config *cfg,
                                    uint64_t windows_since_start,
                                    cov_err *err) COV_WARN_UNUSED;

/* ======================================================== Weight policy */

/* weights[0..n) from scores[0..n): uids with eligible[i] (NULL: all) and
 * scores[i] > 0, best first (ties: lower uid first). The top top_n share
 * (1 - burn_rate) x top_share on a linear ramp from top_ratio down to 1;
 * the next tail_n share (1 - burn_rate) x (1 - top_share) as
 * 1, d, d^2, ... (scaled down to stay below the smallest top weight when
 * needed); the non-burn part is renormalized to 1 - burn_rate; burn_uid gets
 * exactly burn_rate (all of it when nobody qualifies). The weights sum to 1.
 * Fails with COV_ERR_ARG when cfg fails cov_scoring_config_check, burn_uid
 * >= n or a score is NaN; COV_ERR_NOMEM. */
cov_status cov_weight_policy(float *weights, const float *scores,
                             const bool *eligible, size_t n,
                             const cov_scoring_config *cfg,
                             cov_err *err) COV_WARN_UNUSED;

/* The policy over the scorer's final scores, eligible = evaluated uids.
 * weights has g->n_uids entries. */
cov_status cov_gauntlet_weights(const cov_gauntlet *g,
                                const cov_scoring_config *cfg, float *weights,
                                cov_err *err) COV_WARN_UNUSED;

#endif /* COVENANT_INCENTIVE_SCORING_H */
