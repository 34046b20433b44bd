/* The Gauntlet's per-uid scoring state: what an evaluation records, the
 * window's OpenSkill match and the final score (Templar's evaluation loop
 * and update_openskill_ratings). Penalties are in scoring_penalty.c.
 *
 * Templar keeps scores, BMA and sync in float32 tensors and updates them
 * with tensor-times-Python-float operations, which compute in float32; we
 * use float variables and float arithmetic for the same values, so the BMA
 * threshold and score ties decide as they do there. */
#include "incentive/scoring.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------ pure functions */

float cov_gauntlet_gradient_score(const cov_gauntlet_losses *l)
{
    if (!(l->rand_before > 0))
        return 0.0f;
    double s = (l->rand_before - l->rand_after) / l->rand_before;
    return isfinite(s) ? (float)s : 0.0f;
}

/* Relative improvement, 0 when the loss before is not positive (Templar). */
static double improvement(double before, double after)
{
    return before > 0 ? (before - after) / before : 0.0;
}

int cov_gauntlet_binary_indicator(const cov_gauntlet_losses *l)
{
    return improvement(l->own_before, l->own_after) >
                   improvement(l->rand_before, l->rand_after)
               ? 1
               : -1;
}

float cov_gauntlet_sync_score(double avg_steps_behind)
{
    if (isnan(avg_steps_behind))
        return 0.0f; /* Templar's max(0.0, nan) gives 0.0 */
    double x = avg_steps_behind < 3.0 ? avg_steps_behind : 3.0;
    double s = pow(1.0 - x / 3.0, 2.5);
    return s > 0.0 ? (float)s : 0.0f;
}

float cov_gauntlet_final_score(const cov_scoring_config *cfg, cov_rating r,
                               float bma, float sync,
                               uint64_t windows_since_start)
{
    double b = bma > 0 ? (double)bma : 0.0;
    /* Before the warm-up ends every miner's BMA is still small, so the
     * threshold would zero everyone. */
    if (windows_since_start >= cfg->bma_warmup_windows && !(b >= cfg->bma_threshold))
        b = 0.0;
    return (float)(cov_rating_ordinal(r) * b * (double)sync);
}

/* ---------------------------------------------------------------- state */

cov_status cov_gauntlet_init(cov_gauntlet *g, size_t n_uids, cov_err *err)
{
    memset(g, 0, sizeof *g);
    if (n_uids == 0 || n_uids > UINT32_MAX)
        return cov_fail(err, COV_ERR_ARG, "gauntlet: n_uids must be in [1, 2^32), got %zu",
                        n_uids);
    g->peers = calloc(n_uids, sizeof *g->peers);
    g->match_uids = calloc(n_uids, sizeof *g->match_uids);
    g->match_scores = calloc(n_uids, sizeof *g->match_scores);
    if (!g->peers || !g->match_uids || !g->match_scores) {
        cov_gauntlet_free(g);
        return cov_fail(err, COV_ERR_NOMEM, "gauntlet: out of memory for %zu uids", n_uids);
    }
    g->n_uids = n_uids;
    return COV_OK;
}

void cov_gauntlet_free(cov_gauntlet *g)
{
    if (!g)
        return;
    free(g->peers);
    free(g->match_uids);
    free(g->match_scores);
    memset(g, 0, sizeof *g);
}

static cov_status check_uid(const cov_gauntlet *g, uint32_t uid, cov_err *err)
{
    if (!g || !g->peers || uid >= g->n_uids)
        return cov_fail(err, COV_ERR_ARG, "gauntlet: uid %u out of range (%zu uids)",
                        (unsigned)uid, g ? g->n_uids : (size_t)0);
    return COV_OK;
}

cov_status cov_gauntlet_reset_peer(cov_gauntlet *g, uint32_t uid, cov_err *err)
{
    cov_status st = check_uid(g, uid, err);
    if (st != COV_OK)
        return st;
    cov_gauntlet_peer *p = &g->peers[uid];
    /* Templar's reset_peer leaves the naughty list and evaluated_uids alone. */
    cov_gauntlet_peer kept = { .naughty = p->naughty, .evaluated = p->evaluated };
    *p = kept;
    return COV_OK;
}

cov_status cov_gauntlet_match_set(cov_gauntlet *g, const cov_scoring_config *cfg,
                                  uint32_t uid, double score, cov_err *err)
{
    cov_status st = check_uid(g, uid, err);
    if (st != COV_OK)
        return st;
    if (!isfinite(score))
        return cov_fail(err, COV_ERR_ARG, "gauntlet: uid %u's match score is %g; it must be finite",
                        (unsigned)uid, score);
    cov_gauntlet_peer *p = &g->peers[uid];
    if (!p->rated) {
        p->rating = cov_openskill_new_rating(&cfg->openskill);
        p->rated = true;
    }
    for (size_t i = 0; i < g->match_len; i++)
        if (g->match_uids[i] == uid) {
            g->match_scores[i] = score;
            return COV_OK;
        }
    /* Each uid appears once, so n_uids entries always suffice. */
    g->match_uids[g->match_len] = uid;
    g->match_scores[g->match_len] = score;
    g->match_len++;
    return COV_OK;
}

/* Appends one evaluation to the negative-evaluation history. */
static void track_negative(cov_gauntlet_peer *p, bool negative)
{
    p->eval_negative = (p->eval_negative << 1) | (negative ? 1u : 0u);
    if (p->eval_count < 64)
        p->eval_count++;
    if (negative) {
        p->consecutive_negative++;
        return;
    }
    /* A positive evaluation is the way back into gather. */
    if (p->consecutive_negative > 0)
        p->excluded = false;
    p->consecutive_negative = 0;
}

cov_status cov_gauntlet_eval(cov_gauntlet *g, const cov_scoring_config *cfg,
                             uint32_t uid, const cov_gauntlet_losses *l,
                             float sync_score, cov_err *err)
{
    cov_status st = check_uid(g, uid, err);
    if (st != COV_OK)
        return st;
    if (!l || !isfinite(l->own_before) || !isfinite(l->own_after) ||
        !isfinite(l->rand_before) || !isfinite(l->rand_after))
        /* A NaN loss has no rank; Templar's ordering would be arbitrary. */
        return cov_fail(err, COV_ERR_ARG,
                        "gauntlet: uid %u has a non-finite loss; score it as an "
                        "invalid gradient instead",
                        (unsigned)uid);
    cov_gauntlet_peer *p = &g->peers[uid];
    float score = cov_gauntlet_gradient_score(l);
    st = cov_gauntlet_match_set(g, cfg, uid, (double)score, err);
    if (st != COV_OK)
        return st;
    p->gradient_score = score;
    track_negative(p, score < 0);

    /* BMA <- (1 - alpha) BMA + alpha b, each product and the sum rounded to
     * float32 as Templar's tensor arithmetic does. */
    float keep = (float)(1.0 - cfg->bma_alpha);
    float alpha = (float)cfg->bma_alpha;
    float kept = keep * p->bma;
    float added = alpha * (float)cov_gauntlet_binary_indicator(l);
    p->bma = kept + added;

    p->sync_score = sync_score;
    p->evaluated = true;
    return COV_OK;
}

cov_status cov_gauntlet_rate_window(cov_gauntlet *g, const cov_scoring_config *cfg,
                                    uint64_t windows_since_start, cov_err *err)
{
    if (!g || !g->peers)
        return cov_fail(err, COV_ERR_ARG, "gauntlet: not initialised");
    size_t n = g->match_len;
    if (n < 2)
        return COV_OK; /* Templar rates only matches of two or more */
    cov_rating *r = malloc(n * sizeof *r);
    if (!r)
        return cov_fail(err, COV_ERR_NOMEM, "gauntlet: out of memory for %zu ratings", n);
    for (size_t i = 0; i < n; i++) {
        const cov_gauntlet_peer *p = &g->peers[g->match_uids[i]];
        /* A uid reset after it entered the match plays with a new rating. */
        r[i] = p->rated ? p->rating : cov_openskill_new_rating(&cfg->openskill);
    }
    cov_status st = cov_openskill_rate_scores(r, n, g->match_scores, &cfg->openskill, err);
    if (st != COV_OK) {
        free(r);
        return cov_err_context(err, "gauntlet: rating the window's match");
    }
    for (size_t i = 0; i < n; i++) {
        cov_gauntlet_peer *p = &g->peers[g->match_uids[i]];
        p->rating = r[i];
        p->rated = true;
        float sync = p->evaluated ? p->sync_score : 0.0f;
        p->final_score = cov_gauntlet_final_score(cfg, p->rating, p->bma, sync,
                                                  windows_since_start);
    }
    free(r);
    g->match_len = 0;
    return COV_OK;
}

cov_status cov_gauntlet_weights(const cov_gauntlet *g, const cov_scoring_config *cfg,
                                float *weights, cov_err *err)
{
    if (!g || !g->peers || !weights)
        return cov_fail(err, COV_ERR_ARG, "gauntlet: not initialised or no weights array");
    float *scores = malloc(g->n_uids * sizeof *scores);
    bool *eligible = malloc(g->n_uids * sizeof *eligible);
    if (!scores || !eligible) {
        free(scores);
        free(eligible);
        return cov_fail(err, COV_ERR_NOMEM, "gauntlet: out of memory for %zu uids", g->n_uids);
    }
    for (size_t i = 0; i < g->n_uids; i++) {
        scores[i] = g->peers[i].final_score;
        eligible[i] = g->peers[i].evaluated;
    }
    cov_status st = cov_weight_policy(weights, scores, eligible, g->n_uids, cfg, err);
    free(scores);
    free(eligible);
    return st;
}
