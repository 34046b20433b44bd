/* OpenSkill's Plackett-Luce rating update (Weng & Lin 2011, Algorithm 4)
 * for matches of single-player teams, following the `openskill` Python
 * package 6.1.3 (the version Templar locks) operation by operation, so that
 * results agree to the last bit or nearly: the same summation orders, the
 * same pow/exp/sqrt calls, the same stable ordering of ties.
 *
 * What openskill does with Templar's call model.rate(teams, scores=...),
 * margin 0, no weights, balance off:
 *   1. sigma <- sqrt(sigma^2 + tau^2) for every player;
 *   2. scores -> ranks: r = -score, except that r = index when -score == 0
 *      (Python's `ranks[i] or i`), then each team's rank is the position of
 *      its r's first occurrence in sorted order (equal r tie);
 *   3. teams are stably sorted by rank and rated in that order;
 *   4. the tie step that would average mu changes within a rank is a no-op
 *      (it subtracts an object's mu from itself), so tied players keep their
 *      own updates; we do not average either.
 */
#include "incentive/scoring.h"

#include <math.h>
#include <stdlib.h>

void cov_openskill_defaults(cov_openskill_params *p)
{
    p->mu = 25.0;
    p->sigma = 25.0 / 3.0;
    p->beta = 25.0 / 6.0;
    p->tau = 25.0 / 300.0;
    p->kappa = 0.0001;
    p->limit_sigma = false;
}

void cov_openskill_templar(cov_openskill_params *p)
{
    cov_openskill_defaults(p);
    /* hparams.json openskill_beta / openskill_tau */
    p->beta = 7.0;
    p->tau = 0.1;
}

cov_rating cov_openskill_new_rating(const cov_openskill_params *p)
{
    return (cov_rating){ .mu = p->mu, .sigma = p->sigma };
}

double cov_rating_ordinal(cov_rating r)
{
    return r.mu - 3.0 * r.sigma;
}

/* openskill squares with Python's `x ** 2`, which calls the C library's
 * pow(). Optimizing compilers turn pow(x, 2.0) into x * x, which is
 * correctly rounded where glibc's pow is occasionally one ulp off (2 values
 * in ~150,000 in the interop test); calling pow through a volatile pointer
 * keeps the library call, so results stay bit-identical at every -O level. */
static double (*volatile pow_call)(double, double) = pow;

static double square(double x)
{
    return pow_call(x, 2.0);
}

/* One player of the match while it is being rated. */
typedef struct {
    int64_t rank;
    size_t idx;          /* position in the caller's array */
    double mu, sigma;    /* sigma after the tau correction */
    double ss;           /* the team's sigma^2 */
    double e;            /* exp(mu / c) */
    double sum_q;        /* sum of e over teams ranked the same or worse */
    double a;            /* how many teams share this rank */
} pl_team;

static int pl_cmp(const void *pa, const void *pb)
{
    const pl_team *a = pa, *b = pb;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    /* Equal ranks keep the caller's order, as Python's stable sort does. */
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static bool params_ok(const cov_openskill_params *p)
{
    return isfinite(p->beta) && p->beta > 0 && isfinite(p->tau) &&
           p->tau >= 0 && isfinite(p->kappa) && p->kappa > 0;
}

static cov_status pl_rate(cov_rating *ratings, size_t n, const int64_t *rank,
                          const cov_openskill_params *p, cov_err *err)
{
    if (n < 2)
        return cov_fail(err, COV_ERR_ARG,
                        "openskill: a match needs at least 2 players, got %zu", n);
    if (!params_ok(p))
        return cov_fail(err, COV_ERR_ARG,
                        "openskill: beta and kappa must be > 0 and tau >= 0, "
                        "all finite");
    for (size_t i = 0; i < n; i++)
        if (!isfinite(ratings[i].mu) || !isfinite(ratings[i].sigma) ||
            !(ratings[i].sigma > 0))
            return cov_fail(err, COV_ERR_ARG,
                            "openskill: player %zu has rating (%g, %g); mu must "
                            "be finite and sigma finite and > 0",
                            i, ratings[i].mu, ratings[i].sigma);

    pl_team *t = calloc(n, sizeof *t);
    cov_rating *out = calloc(n, sizeof *out);
    if (!t || !out) {
        free(t);
        free(out);
        return cov_fail(err, COV_ERR_NOMEM, "openskill: out of memory for %zu players", n);
    }
    double tau_squared = p->tau * p->tau;
    for (size_t i = 0; i < n; i++) {
        t[i].rank = rank[i];
        t[i].idx = i;
        t[i].mu = ratings[i].mu;
        t[i].sigma = sqrt(ratings[i].sigma * ratings[i].sigma + tau_squared);
    }
    qsort(t, n, sizeof *t, pl_cmp);

    /* c = sqrt(sum over teams of (sigma_team^2 + beta^2)), in sorted order.
     * openskill builds the team's values as 0.0 + mu*1 and 0.0 + (sigma*1)**2. */
    double beta_squared = square(p->beta);
    double collective = 0.0;
    for (size_t i = 0; i < n; i++) {
        t[i].ss = 0.0 + square(t[i].sigma);
        collective += t[i].ss + beta_squared;
    }
    double c = sqrt(collective);
    for (size_t i = 0; i < n; i++)
        t[i].e = exp((0.0 + t[i].mu) / c);

    /* Ranks are contiguous after the sort: one group per rank. sum_q of a
     * group adds e from the group's first team to the last team, left to
     * right, as openskill's loop does. */
    for (size_t start = 0; start < n;) {
        size_t end = start + 1;
        while (end < n && t[end].rank == t[start].rank)
            end++;
        double s = 0.0;
        for (size_t k = start; k < n; k++)
            s += t[k].e;
        for (size_t k = start; k < end; k++) {
            t[k].sum_q = s;
            t[k].a = (double)(end - start);
        }
        start = end;
    }

    bool finite = isfinite(c);
    for (size_t i = 0; i < n; i++) {
        double omega = 0.0, delta = 0.0;
        for (size_t q = 0; q < n; q++) {
            double x = t[i].e / t[q].sum_q;
            if (t[q].rank <= t[i].rank) {
                delta += x * (1 - x) / t[q].a;
                if (t[q].rank == t[i].rank)
                    omega += (1 - x) / t[q].a;
                else
                    omega -= x / t[q].a;
            }
        }
        omega *= t[i].ss / c;
        delta *= t[i].ss / square(c);
        delta *= sqrt(t[i].ss) / c; /* openskill's default gamma */

        /* One player per team, weight 1: its share of the team's variance
         * is sigma^2 / ss (1, but computed as openskill does). */
        double share = square(t[i].sigma) / t[i].ss;
        double mu = t[i].mu + share * omega * 1.0;
        double shrink = 1 - share * delta * 1.0;
        if (p->kappa > shrink) /* Python's max(shrink, kappa) */
            shrink = p->kappa;
        double sigma = t[i].sigma * sqrt(shrink);
        double before = ratings[t[i].idx].sigma;
        if (p->limit_sigma && before < sigma) /* Python's min(sigma, before) */
            sigma = before;
        out[t[i].idx] = (cov_rating){ .mu = mu, .sigma = sigma };
        finite = finite && isfinite(mu) && isfinite(sigma) && sigma > 0;
    }
    free(t);
    if (!finite) {
        free(out);
        /* openskill raises OverflowError / ZeroDivisionError here. */
        return cov_fail(err, COV_ERR_ARG,
                        "openskill: ratings too far apart (exp(mu/c) overflows "
                        "or underflows); no update");
    }
    for (size_t i = 0; i < n; i++)
        ratings[i] = out[i];
    free(out);
    return COV_OK;
}

cov_status cov_openskill_rate_ranks(cov_rating *ratings, size_t n,
                                    const int64_t *ranks,
                                    const cov_openskill_params *p, cov_err *err)
{
    if ((!ratings || !ranks) && n > 0)
        return cov_fail(err, COV_ERR_ARG, "openskill: NULL ratings or ranks");
    return pl_rate(ratings, n, ranks, p, err);
}

/* A score's value in openskill's rank conversion. */
typedef struct {
    double v;
    size_t idx;
} score_key;

static int key_cmp(const void *pa, const void *pb)
{
    const score_key *a = pa, *b = pb;
    if (a->v != b->v)
        return a->v < b->v ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

cov_status cov_openskill_rate_scores(cov_rating *ratings, size_t n,
                                     const double *scores,
                                     const cov_openskill_params *p,
                                     cov_err *err)
{
    if ((!ratings || !scores) && n > 0)
        return cov_fail(err, COV_ERR_ARG, "openskill: NULL ratings or scores");
    if (n < 2)
        return cov_fail(err, COV_ERR_ARG,
                        "openskill: a match needs at least 2 players, got %zu", n);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(scores[i]))
            return cov_fail(err, COV_ERR_ARG,
                            "openskill: score %zu is %g; scores must be finite",
                            i, scores[i]);

    score_key *k = malloc(n * sizeof *k);
    int64_t *rank = malloc(n * sizeof *rank);
    if (!k || !rank) {
        free(k);
        free(rank);
        return cov_fail(err, COV_ERR_NOMEM, "openskill: out of memory for %zu players", n);
    }
    for (size_t i = 0; i < n; i++) {
        double v = -scores[i];
        /* openskill: `ranks[index] or index`, so a zero becomes the index. */
        k[i] = (score_key){ .v = (v == 0) ? (double)i : v, .idx = i };
    }
    qsort(k, n, sizeof *k, key_cmp);
    /* Rank = position of the value's first occurrence in sorted order. */
    size_t first = 0;
    for (size_t j = 0; j < n; j++) {
        if (j > 0 && k[j].v != k[j - 1].v)
            first = j;
        rank[k[j].idx] = (int64_t)first;
    }
    free(k);
    cov_status st = pl_rate(ratings, n, rank, p, err);
    free(rank);
    return st;
}
