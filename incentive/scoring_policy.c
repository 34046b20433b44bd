/* The weight policy (Templar's update_weights): a burn share to one uid, the
 * top N on a linear ramp, a geometrically decaying tail. Computed in double
 * and handed out as float; Templar computes in float32 on the GPU, whose
 * reduction order is its own, so weights agree to float32 rounding. */
#include "incentive/scoring.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
    float score;
    uint32_t uid;
} ranked;

static int ranked_cmp(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    /* Templar's order for ties is its Python set's iteration order, which
     * depends on history; the lower uid first is the stable choice. */
    return a->uid < b->uid ? -1 : a->uid > b->uid;
}

/* torch.linspace(start, end, steps)[i]: from both ends towards the middle,
 * so the last entry is exactly end. */
static double linspace_at(double start, double end, size_t steps, size_t i)
{
    if (steps == 1)
        return start;
    double step = (end - start) / (double)(steps - 1);
    return i < steps / 2 ? start + step * (double)i
                         : end - step * (double)(steps - 1 - i);
}

/* Fills w[] for the ranked uids r[0..count). */
static void distribute(double *w, const ranked *r, size_t count,
                       const cov_scoring_config *cfg, double burn)
{
    size_t top = count < cfg->top_n ? count : cfg->top_n;
    size_t tail = count - top < cfg->tail_n ? count - top : cfg->tail_n;

    double sum = 0.0;
    for (size_t i = 0; i < top; i++)
        sum += linspace_at(cfg->top_ratio, 1.0, top, i);
    double top_total = (1.0 - burn) * cfg->top_share;
    for (size_t i = 0; i < top; i++)
        w[r[i].uid] = top_total * (linspace_at(cfg->top_ratio, 1.0, top, i) / sum);

    sum = 0.0;
    for (size_t i = 0; i < tail; i++)
        sum += pow(cfg->tail_decay, (double)i);
    double tail_total = (1.0 - burn) * (1.0 - cfg->top_share);
    for (size_t i = 0; i < tail; i++)
        w[r[top + i].uid] = tail_total * (pow(cfg->tail_decay, (double)i) / sum);

    /* A tail uid must never out-earn a top one (a small top tier with a
     * large share left for the tail would do that): scale the tail so its
     * best sits tail_decay below the smallest top weight. */
    if (top > 0 && tail > 0) {
        double min_top = w[r[0].uid], max_tail = w[r[top].uid];
        for (size_t i = 0; i < top; i++)
            min_top = fmin(min_top, w[r[i].uid]);
        for (size_t i = 0; i < tail; i++)
            max_tail = fmax(max_tail, w[r[top + i].uid]);
        if (max_tail > min_top) {
            double factor = min_top / max_tail * cfg->tail_decay;
            for (size_t i = 0; i < tail; i++)
                w[r[top + i].uid] *= factor;
        }
    }
}

cov_status cov_weight_policy(float *weights, const float *scores, const bool *eligible,
                             size_t n, const cov_scoring_config *cfg, cov_err *err)
{
    if (!weights || !scores || !cfg)
        return cov_fail(err, COV_ERR_ARG, "weight policy: NULL argument");
    cov_status st = cov_scoring_config_check(cfg, err);
    if (st != COV_OK)
        return st;
    if (cfg->burn_uid >= n)
        return cov_fail(err, COV_ERR_ARG,
                        "scoring.burn_uid: uid %u does not exist (%zu uids)",
                        (unsigned)cfg->burn_uid, n);
    for (size_t i = 0; i < n; i++)
        if (isnan(scores[i]))
            return cov_fail(err, COV_ERR_ARG, "weight policy: uid %zu's score is NaN", i);

    ranked *r = malloc(n * sizeof *r);
    double *w = calloc(n, sizeof *w);
    if (!r || !w) {
        free(r);
        free(w);
        return cov_fail(err, COV_ERR_NOMEM, "weight policy: out of memory for %zu uids", n);
    }
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if ((!eligible || eligible[i]) && scores[i] > 0)
            r[count++] = (ranked){ .score = scores[i], .uid = (uint32_t)i };
    qsort(r, count, sizeof *r, ranked_cmp);

    double burn = cfg->burn_rate;
    distribute(w, r, count, cfg, burn);

    /* The burn uid gets exactly the burn share, even if it also ranked
     * (Templar overwrites its miner weight); the rest is scaled to 1 - burn. */
    w[cfg->burn_uid] = burn;
    double rest = 0.0;
    for (size_t i = 0; i < n; i++)
        rest += w[i];
    rest -= burn;
    if (rest > 0) {
        double scale = (1.0 - burn) / rest;
        for (size_t i = 0; i < n; i++)
            w[i] *= scale;
        w[cfg->burn_uid] = burn;
    } else {
        w[cfg->burn_uid] = 1.0; /* nobody qualifies: everything is burned */
    }
    for (size_t i = 0; i < n; i++)
        weights[i] = (float)w[i];
    free(r);
    free(w);
    return COV_OK;
}
