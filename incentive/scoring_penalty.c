/* Templar's penalties on the Gauntlet state: multipliers on a positive final
 * score and on the BMA, resets, the naughty list and gather exclusion.
 * Each function names the validator.py method it follows; the
 * inconsistencies between them (which ones touch the BMA, which ones zero
 * scores under zero_threshold) are Templar's and are kept, because weights
 * must come out as a Templar validator's would. */
#include "incentive/scoring.h"

#include <stdlib.h>

static cov_status check_uid(const cov_gauntlet *g, uint32_t uid, cov_err *err)
{
    if (!g || !g->peers || uid >= g->n_uids)
        return cov_fail(err, COV_ERR_ARG, "gauntlet: uid %u out of range (%zu uids)",
                        (unsigned)uid, g ? g->n_uids : (size_t)0);
    return COV_OK;
}

/* Multiplies a positive final score and the BMA by m (in float32, as the
 * tensors are); with zero, a score left under zero_threshold becomes 0 so
 * that repeated slashes do not leave a tail of tiny weights. */
static void slash(cov_gauntlet_peer *p, const cov_scoring_config *cfg, double m,
                  bool zero)
{
    if (!(p->final_score > 0))
        return;
    p->final_score *= (float)m;
    p->bma *= (float)m;
    /* Templar compares the float32 tensor with the threshold in float32. */
    if (zero && p->final_score < (float)cfg->zero_threshold)
        p->final_score = 0.0f;
}

static uint64_t low_bits(uint32_t n)
{
    return n >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1);
}

static unsigned popcount64(uint64_t x)
{
    unsigned n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

/* slash_for_missing_gradient */
cov_status cov_gauntlet_eval_missing(cov_gauntlet *g, const cov_scoring_config *cfg,
                                     uint32_t uid, cov_err *err)
{
    cov_status st = cov_gauntlet_match_set(g, cfg, uid, cfg->missing_score, err);
    if (st != COV_OK)
        return st;
    cov_gauntlet_peer *p = &g->peers[uid];
    slash(p, cfg, cfg->missing_eval_slash, true);
    p->evaluated = true;
    return COV_OK;
}

/* slash_for_invalid_gradient */
cov_status cov_gauntlet_eval_invalid(cov_gauntlet *g, const cov_scoring_config *cfg,
                                     uint32_t uid, cov_err *err)
{
    cov_status st = cov_gauntlet_match_set(g, cfg, uid, cfg->missing_score, err);
    if (st != COV_OK)
        return st;
    cov_gauntlet_peer *p = &g->peers[uid];
    if (p->final_score > 0)
        p->final_score = 0.0f; /* a negative score is worse; it stays */
    p->evaluated = true;
    return COV_OK;
}

/* One missing uid of slash_for_missing_gradients. */
static cov_status gather_missing(cov_gauntlet *g, const cov_scoring_config *cfg,
                                 uint32_t uid, double success_rate, cov_err *err)
{
    cov_gauntlet_peer *p = &g->peers[uid];
    p->gather_missing = (p->gather_missing << 1) | 1u;
    if (p->gather_count < 64)
        p->gather_count++;
    p->consecutive_missing++;
    bool positive = p->final_score > 0;

    uint32_t w = cfg->mega_window;
    double ratio = (double)popcount64(p->gather_missing & low_bits(w)) / (double)w;
    if (p->gather_count >= w && ratio >= cfg->mega_ratio) {
        p->naughty = cfg->naughty_windows;
        if (positive) { /* Templar resets only a positive score */
            cov_status st = cov_gauntlet_reset_peer(g, uid, err);
            if (st != COV_OK)
                return st;
        }
    } else {
        double m = 0.0; /* a gather that mostly failed is everyone's fault */
        if (success_rate >= cfg->gather_success_threshold) {
            uint32_t k = p->consecutive_missing;
            uint32_t len = cfg->missing_gather_slash_len;
            m = cfg->missing_gather_slash[(k < len ? k : len) - 1];
        }
        slash(p, cfg, m, true);
    }
    p->evaluated = true;
    return cov_gauntlet_match_set(g, cfg, uid, cfg->missing_score, err);
}

cov_status cov_gauntlet_gather(cov_gauntlet *g, const cov_scoring_config *cfg,
                               const uint32_t *missing, size_t n_missing,
                               const uint32_t *gathered, size_t n_gathered,
                               double success_rate, cov_err *err)
{
    if ((n_missing && !missing) || (n_gathered && !gathered))
        return cov_fail(err, COV_ERR_ARG, "gauntlet: NULL uid list");
    for (size_t i = 0; i < n_missing; i++) {
        cov_status st = check_uid(g, missing[i], err);
        if (st == COV_OK)
            st = gather_missing(g, cfg, missing[i], success_rate, err);
        if (st != COV_OK)
            return st;
    }
    for (size_t i = 0; i < n_gathered; i++) {
        cov_status st = check_uid(g, gathered[i], err);
        if (st != COV_OK)
            return st;
        cov_gauntlet_peer *p = &g->peers[gathered[i]];
        p->gather_missing <<= 1;
        if (p->gather_count < 64)
            p->gather_count++;
        p->consecutive_missing = 0;
    }
    return COV_OK;
}

/* slash_for_poor_sync */
cov_status cov_gauntlet_poor_sync(cov_gauntlet *g, const cov_scoring_config *cfg,
                                  uint32_t uid, bool ok, double avg_steps_behind,
                                  cov_err *err)
{
    cov_status st = check_uid(g, uid, err);
    if (st != COV_OK)
        return st;
    if (!ok || avg_steps_behind > cfg->sync_max_steps_behind)
        slash(&g->peers[uid], cfg, cfg->sync_slash, false);
    return COV_OK;
}

/* slash_from_overlap */
cov_status cov_gauntlet_overlap(cov_gauntlet *g, const cov_scoring_config *cfg,
                                const uint32_t *uids, const cov_overlap_level *levels,
                                size_t n, cov_err *err)
{
    if (!g || !g->peers || (n && (!uids || !levels)))
        return cov_fail(err, COV_ERR_ARG, "gauntlet: NULL overlap list");
    for (size_t i = 0; i < n; i++) {
        cov_status st = check_uid(g, uids[i], err);
        if (st != COV_OK)
            return st;
        if (levels[i] < COV_OVERLAP_HIGH || levels[i] > COV_OVERLAP_MEGA)
            return cov_fail(err, COV_ERR_ARG, "gauntlet: uid %u has overlap level %d",
                            (unsigned)uids[i], (int)levels[i]);
    }
    /* Templar's dict: every naughty uid at "max", then this window's
     * verdicts (a uid listed twice: the last verdict). */
    unsigned char *level = calloc(g->n_uids, 1);
    if (!level)
        return cov_fail(err, COV_ERR_NOMEM, "gauntlet: out of memory for %zu uids", g->n_uids);
    for (size_t u = 0; u < g->n_uids; u++)
        if (g->peers[u].naughty > 0)
            level[u] = COV_OVERLAP_MAX;
    for (size_t i = 0; i < n; i++)
        level[uids[i]] = (unsigned char)levels[i];

    for (uint32_t u = 0; u < g->n_uids; u++) {
        if (!level[u])
            continue;
        cov_gauntlet_peer *p = &g->peers[u];
        bool positive = p->final_score > 0;
        double m = level[u] == COV_OVERLAP_HIGH ? cfg->overlap_slash_high : 0.0;
        if (level[u] != COV_OVERLAP_HIGH) {
            cov_status st = cov_gauntlet_reset_peer(g, u, err);
            if (st != COV_OK) {
                free(level);
                return st;
            }
            if (level[u] == COV_OVERLAP_MEGA)
                p->naughty = cfg->naughty_windows;
        }
        if (p->naughty > 0)
            p->naughty--;
        /* The reset may have zeroed the score; Templar decides on the old one
         * and multiplies what is there now. */
        if (positive) {
            p->final_score *= (float)m;
            p->bma *= (float)m;
        }
    }
    free(level);
    return COV_OK;
}

/* penalize_inactive_peers, for one uid */
cov_status cov_gauntlet_inactive(cov_gauntlet *g, const cov_scoring_config *cfg,
                                 uint32_t uid, uint64_t windows_inactive, cov_err *err)
{
    cov_status st = check_uid(g, uid, err);
    if (st != COV_OK)
        return st;
    if (windows_inactive > cfg->inactivity_reset_windows)
        return cov_gauntlet_reset_peer(g, uid, err);
    cov_gauntlet_peer *p = &g->peers[uid];
    if (p->final_score > 0)
        p->final_score *= (float)cfg->inactivity_slash; /* BMA kept */
    return COV_OK;
}

/* should_skip_negative_penalty: the value at position t of the match scores
 * sorted best first, found by counting so that it needs no allocation. */
bool cov_gauntlet_bad_window(const cov_gauntlet *g, const cov_scoring_config *cfg)
{
    size_t n = g ? g->match_len : 0;
    if (n == 0)
        return false;
    size_t t = cfg->negative_skip_rank - 1;
    if (t > n - 1)
        t = n - 1;
    for (size_t i = 0; i < n; i++) {
        double v = g->match_scores[i];
        size_t above = 0, at_least = 0;
        for (size_t j = 0; j < n; j++) {
            above += g->match_scores[j] > v;
            at_least += g->match_scores[j] >= v;
        }
        if (above <= t && t < at_least)
            return v < 0;
    }
    return false;
}

/* apply_negative_evaluation_penalties */
void cov_gauntlet_negative_penalties(cov_gauntlet *g, const cov_scoring_config *cfg)
{
    if (!g || !g->peers)
        return;
    bool skip = cov_gauntlet_bad_window(g, cfg);
    if (skip)
        return; /* both the slash and the exclusion wait for a better window */
    uint32_t w = cfg->negative_window;
    for (size_t u = 0; u < g->n_uids; u++) {
        cov_gauntlet_peer *p = &g->peers[u];
        if (p->eval_count == 0)
            continue;
        if (p->eval_count >= w) {
            double ratio = (double)popcount64(p->eval_negative & low_bits(w)) / (double)w;
            if (ratio > cfg->negative_ratio)
                slash(p, cfg, cfg->negative_slash, true);
        }
        if (cfg->exclude_negative && p->consecutive_negative >= cfg->consecutive_negative)
            p->excluded = true;
    }
}

/* should_exclude_from_gather */
bool cov_gauntlet_excluded(const cov_gauntlet *g, const cov_scoring_config *cfg,
                           uint32_t uid)
{
    if (!g || !g->peers || uid >= g->n_uids || !cfg->exclude_negative)
        return false;
    if (g->peers[uid].consecutive_negative < cfg->consecutive_negative)
        return false;
    return !cov_gauntlet_bad_window(g, cfg);
}
