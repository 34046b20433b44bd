/* incentive/scoring: OpenSkill Plackett-Luce against vectors from the
 * openskill package, the Gauntlet score, Templar's penalties, the weight
 * policy and the "scoring" section of the incentive JSON file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test_helpers.h"
#include <math.h>
#include <stdlib.h>

#include "incentive/incentive.h"

#define TOL 1e-9

static void expect_close(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol * fmax(1.0, fabs(want))))
        fail_msg("got %.17g, want %.17g", got, want);
}

static void expect_ratings(const cov_rating *got, const double want[][2], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        expect_close(got[i].mu, want[i][0], TOL);
        expect_close(got[i].sigma, want[i][1], TOL);
    }
}

#define NEW_SIGMA (25.0 / 3.0)

/* ============================================================ OpenSkill */

/* Every vector below was computed with openskill 6.1.3 (the version
 * Templar's uv.lock pins), e.g. for the first one:
 *   from openskill.models import PlackettLuce
 *   m = PlackettLuce(beta=7, tau=0.1)
 *   t = [[m.rating(mu=30, sigma=5)], [m.rating(mu=20, sigma=7)], [m.rating()]]
 *   [(r[0].mu, r[0].sigma) for r in m.rate(t, scores=[1.0, 1.0, 0.5])]
 * and printed with repr(). */

static void test_openskill_defaults(void **state)
{
    (void)state;
    cov_openskill_params p;
    cov_openskill_defaults(&p);
    assert_true(p.mu == 25.0 && p.sigma == 25.0 / 3.0 && p.beta == 25.0 / 6.0 &&
                p.tau == 25.0 / 300.0 && p.kappa == 0.0001 && !p.limit_sigma);
    cov_openskill_templar(&p);
    assert_true(p.beta == 7.0 && p.tau == 0.1 && p.mu == 25.0);
    cov_rating r = cov_openskill_new_rating(&p);
    assert_true(r.mu == 25.0 && r.sigma == NEW_SIGMA);
    expect_close(cov_rating_ordinal(r), 0.0, 1e-15);
    expect_close(cov_rating_ordinal((cov_rating){ 40, 5 }), 25.0, 0);
}

static void test_openskill_ties(void **state)
{
    (void)state;
    cov_openskill_params p;
    cov_openskill_templar(&p);
    /* Tied winners keep their own updates: openskill's averaging of mu
     * changes within a tie subtracts an object from itself (a no-op). */
    cov_rating r[3] = { { 30, 5 }, { 20, 7 }, { 25, NEW_SIGMA } };
    double scores[3] = { 1.0, 1.0, 0.5 };
    assert_int_equal(cov_openskill_rate_scores(r, 3, scores, &p, NULL), COV_OK);
    const double want[3][2] = {
        { 30.82994334868123, 4.985453977618006 },
        { 22.180863736303653, 6.956122011394863 },
        { 23.67975739077593, 8.22653738899004 },
    };
    expect_ratings(r, want, 3);
}

static void test_openskill_zero_score(void **state)
{
    (void)state;
    cov_openskill_params p;
    cov_openskill_templar(&p);
    /* openskill ranks a score of exactly 0 as if it were -(its index):
     * [2, -1, 0] ranks like [0, 0, 0], i.e. by position. */
    const double want[3][2] = {
        { 30.82994334868123, 4.985453977618006 },
        { 20.952461460798517, 6.8961209986765315 },
        { 21.345412493506075, 8.104864572147093 },
    };
    double s1[3] = { 2.0, -1.0, 0.0 }, s2[3] = { 0.0, 0.0, 0.0 };
    cov_rating r[3] = { { 30, 5 }, { 20, 7 }, { 25, NEW_SIGMA } };
    assert_int_equal(cov_openskill_rate_scores(r, 3, s1, &p, NULL), COV_OK);
    expect_ratings(r, want, 3);
    cov_rating q[3] = { { 30, 5 }, { 20, 7 }, { 25, NEW_SIGMA } };
    assert_int_equal(cov_openskill_rate_scores(q, 3, s2, &p, NULL), COV_OK);
    expect_ratings(q, want, 3);
}

static void test_openskill_ranks(void **state)
{
    (void)state;
    cov_openskill_params p;
    cov_openskill_defaults(&p); /* PlackettLuce() */
    cov_rating r[3] = { { 30, 5 }, { 20, 7 }, { 25, NEW_SIGMA } };
    int64_t ranks[3] = { 2, 2, 1 };
    assert_int_equal(cov_openskill_rate_ranks(r, 3, ranks, &p, NULL), COV_OK);
    const double want[3][2] = {
        { 29.770281564882154, 4.946808972778891 },
        { 21.57012775053576, 6.825225167549088 },
        { 28.379384209821943, 8.139713164192395 },
    };
    expect_ratings(r, want, 3);
}

static void test_openskill_templar_window(void **state)
{
    (void)state;
    cov_openskill_params p;
    cov_openskill_templar(&p);
    /* Five new uids, one with Templar's missing-gradient score -99. */
    cov_rating r[5];
    for (int i = 0; i < 5; i++)
        r[i] = cov_openskill_new_rating(&p);
    double scores[5] = { 0.01, -99.0, 0.02, 0.02, -0.005 };
    assert_int_equal(cov_openskill_rate_scores(r, 5, scores, &p, NULL), COV_OK);
    const double want[5][2] = {
        { 26.33182186471071, 8.269726639639567 },
        { 22.05096587099771, 8.227459955364818 },
        { 27.283123196646933, 8.307116489072218 },
        { 27.283123196646933, 8.307116489072218 },
        { 24.90486986680638, 8.227459955364818 },
    };
    expect_ratings(r, want, 5);

    cov_rating two[2] = { cov_openskill_new_rating(&p), cov_openskill_new_rating(&p) };
    double s2[2] = { 0.3, 0.1 };
    assert_int_equal(cov_openskill_rate_scores(two, 2, s2, &p, NULL), COV_OK);
    const double want2[2][2] = {
        { 27.256209212552754, 8.166896460213735 },
        { 22.743790787447246, 8.166896460213735 },
    };
    expect_ratings(two, want2, 2);
}

static void test_openskill_limit_and_kappa(void **state)
{
    (void)state;
    cov_openskill_params p;
    cov_openskill_defaults(&p);
    p.beta = 7;
    p.tau = 1.0;
    /* PlackettLuce(beta=7, tau=1.0, limit_sigma=...) */
    cov_rating r[2] = { { 10, 0.1 }, { 12, 3.0 } };
    double s[2] = { 1.0, 0.5 };
    assert_int_equal(cov_openskill_rate_scores(r, 2, s, &p, NULL), COV_OK);
    const double grown[2][2] = { { 10.052986497358619, 1.00487654259639 },
                                 { 11.475381214271096, 3.151376271732776 } };
    expect_ratings(r, grown, 2);
    p.limit_sigma = true;
    cov_rating q[2] = { { 10, 0.1 }, { 12, 3.0 } };
    assert_int_equal(cov_openskill_rate_scores(q, 2, s, &p, NULL), COV_OK);
    const double limited[2][2] = { { 10.052986497358619, 0.1 },
                                   { 11.475381214271096, 3.0 } };
    expect_ratings(q, limited, 2);

    /* PlackettLuce(beta=0.5, tau=0.0, kappa=0.95): the losers' sigma stops
     * at 8 sqrt(kappa). */
    cov_openskill_defaults(&p);
    p.beta = 0.5;
    p.tau = 0.0;
    p.kappa = 0.95;
    cov_rating k[3] = { { 25, 8 }, { 25, 8 }, { 25, 8 } };
    double s3[3] = { 3, 2, 1 };
    assert_int_equal(cov_openskill_rate_scores(k, 3, s3, &p, NULL), COV_OK);
    const double floored[3][2] = { { 28.073204932546645, 7.8280835210044915 },
                                   { 25.76830123313666, 7.797435475847171 },
                                   { 21.158493834316694, 7.797435475847171 } };
    expect_ratings(k, floored, 3);
}

static void test_openskill_refusals(void **state)
{
    (void)state;
    cov_openskill_params p;
    cov_openskill_templar(&p);
    cov_err err;
    cov_rating r[2] = { { 25, 8 }, { 25, 8 } };
    const cov_rating before[2] = { { 25, 8 }, { 25, 8 } };
    double s[2] = { 1, 0 };
    assert_int_equal(cov_openskill_rate_scores(r, 1, s, &p, &err), COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "at least 2 players"));
    double nan_s[2] = { NAN, 0 };
    assert_int_equal(cov_openskill_rate_scores(r, 2, nan_s, &p, &err), COV_ERR_ARG);
    r[1].sigma = 0;
    assert_int_equal(cov_openskill_rate_scores(r, 2, s, &p, &err), COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "player 1"));
    r[1].sigma = 8;
    cov_openskill_params bad = p;
    bad.kappa = 0;
    assert_int_equal(cov_openskill_rate_scores(r, 2, s, &bad, &err), COV_ERR_ARG);
    /* openskill raises OverflowError: exp(1e6 / c) */
    cov_rating far[2] = { { 1e6, 0.5 }, { 0, 0.5 } };
    assert_int_equal(cov_openskill_rate_scores(far, 2, s, &p, &err), COV_ERR_ARG);
    assert_true(far[0].mu == 1e6 && far[1].mu == 0); /* untouched */
    assert_memory_equal(r, before, sizeof before);
}

/* ============================================================= Gauntlet */

static const cov_gauntlet_losses HELPED = { 2.0, 1.8, 2.0, 1.9 };   /* +0.05, b = +1 */
static const cov_gauntlet_losses COPIED = { 2.0, 1.99, 2.0, 1.95 }; /* +0.025, b = -1 */
static const cov_gauntlet_losses HURT = { 2.0, 2.1, 2.0, 2.1 };     /* -0.05, b = -1 */

static void test_gauntlet_pure(void **state)
{
    (void)state;
    assert_true(cov_gauntlet_gradient_score(&HELPED) == (float)((2.0 - 1.9) / 2.0));
    assert_true(cov_gauntlet_gradient_score(&HURT) == (float)((2.0 - 2.1) / 2.0));
    cov_gauntlet_losses zero = { 1, 1, 0, 0.5 };
    assert_true(cov_gauntlet_gradient_score(&zero) == 0.0f);

    assert_int_equal(cov_gauntlet_binary_indicator(&HELPED), 1);
    assert_int_equal(cov_gauntlet_binary_indicator(&COPIED), -1);
    cov_gauntlet_losses same = { 2.0, 1.9, 2.0, 1.9 }; /* not better: -1 */
    assert_int_equal(cov_gauntlet_binary_indicator(&same), -1);
    cov_gauntlet_losses no_own = { 0.0, 1.0, 2.0, 2.1 }; /* 0 > -0.05 */
    assert_int_equal(cov_gauntlet_binary_indicator(&no_own), 1);

    assert_true(cov_gauntlet_sync_score(0) == 1.0f);
    /* (1 - 1.5/3)^2.5 = 0.5^2.5 */
    assert_true(cov_gauntlet_sync_score(1.5) == (float)0.17677669529663687);
    assert_true(cov_gauntlet_sync_score(3) == 0.0f);
    assert_true(cov_gauntlet_sync_score(99) == 0.0f);
    assert_true(cov_gauntlet_sync_score(NAN) == 0.0f);

    cov_scoring_config cfg;
    cov_scoring_config_defaults(&cfg);
    cov_rating r = { 40, 5 }; /* ordinal 25 */
    assert_true(cov_gauntlet_final_score(&cfg, r, 0.5f, 1.0f, 100) == 12.5f);
    assert_true(cov_gauntlet_final_score(&cfg, r, 0.5f, 0.5f, 100) == 6.25f);
    /* below the BMA threshold: counts during warm-up, zero after it */
    assert_true(cov_gauntlet_final_score(&cfg, r, 0.05f, 1.0f, 9) ==
                (float)(25.0 * (double)0.05f));
    assert_true(cov_gauntlet_final_score(&cfg, r, 0.05f, 1.0f, 10) == 0.0f);
    assert_true(cov_gauntlet_final_score(&cfg, r, 0.1f, 1.0f, 10) ==
                (float)(25.0 * (double)0.1f)); /* 0.1f >= 0.1 */
    assert_true(cov_gauntlet_final_score(&cfg, r, -0.3f, 1.0f, 0) == 0.0f);
    cov_rating fresh = { 25, NEW_SIGMA }; /* ordinal ~0 */
    assert_true(fabsf(cov_gauntlet_final_score(&cfg, fresh, 1.0f, 1.0f, 0)) < 1e-6f);
}

static void test_gauntlet_eval_and_rate(void **state)
{
    (void)state;
    cov_scoring_config cfg;
    cov_scoring_config_defaults(&cfg);
    cov_gauntlet g;
    assert_int_equal(cov_gauntlet_init(&g, 8, NULL), COV_OK);

    assert_int_equal(cov_gauntlet_eval(&g, &cfg, 2, &HELPED, 1.0f, NULL), COV_OK);
    assert_true(g.peers[2].gradient_score == (float)0.05);
    assert_true(g.peers[2].bma == 0.05f); /* 0.95 * 0 + 0.05 * 1 */
    assert_true(g.peers[2].evaluated && g.peers[2].rated);
    assert_int_equal(g.match_len, 1);

    /* One uid is no match: nothing is rated and the entry carries over. */
    assert_int_equal(cov_gauntlet_rate_window(&g, &cfg, 0, NULL), COV_OK);
    assert_int_equal(g.match_len, 1);
    assert_true(g.peers[2].final_score == 0.0f);

    assert_int_equal(cov_gauntlet_eval(&g, &cfg, 5, &COPIED, 0.5f, NULL), COV_OK);
    assert_true(g.peers[5].bma == -0.05f);
    assert_int_equal(g.match_len, 2);

    cov_rating want[2] = { cov_openskill_new_rating(&cfg.openskill),
                           cov_openskill_new_rating(&cfg.openskill) };
    double scores[2] = { (double)(float)0.05, (double)(float)0.025 };
    assert_int_equal(cov_openskill_rate_scores(want, 2, scores, &cfg.openskill, NULL), COV_OK);

    assert_int_equal(cov_gauntlet_rate_window(&g, &cfg, 0, NULL), COV_OK);
    assert_int_equal(g.match_len, 0);
    assert_memory_equal(&g.peers[2].rating, &want[0], sizeof want[0]);
    assert_memory_equal(&g.peers[5].rating, &want[1], sizeof want[1]);
    assert_true(g.peers[2].final_score ==
                (float)(cov_rating_ordinal(want[0]) * (double)0.05f * 1.0));
    assert_true(g.peers[5].final_score == 0.0f); /* negative BMA */

    /* BMA in float32: 0.95 * 0.05 + 0.05 */
    assert_int_equal(cov_gauntlet_eval(&g, &cfg, 2, &HELPED, 1.0f, NULL), COV_OK);
    expect_close(g.peers[2].bma, 0.0975, 1e-7);

    cov_err err;
    assert_int_equal(cov_gauntlet_eval(&g, &cfg, 8, &HELPED, 1.0f, &err), COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "uid 8"));
    cov_gauntlet_losses nan_loss = { NAN, 1, 2, 1 };
    assert_int_equal(cov_gauntlet_eval(&g, &cfg, 1, &nan_loss, 1.0f, &err), COV_ERR_ARG);
    assert_false(g.peers[1].evaluated);
    cov_gauntlet_free(&g);
}

static void test_gauntlet_match_order(void **state)
{
    (void)state;
    cov_scoring_config cfg;
    cov_scoring_config_defaults(&cfg);
    cov_gauntlet g;
    assert_int_equal(cov_gauntlet_init(&g, 4, NULL), COV_OK);
    /* A dict: a uid keeps its first place and takes its latest score. */
    assert_int_equal(cov_gauntlet_match_set(&g, &cfg, 3, 1.0, NULL), COV_OK);
    assert_int_equal(cov_gauntlet_match_set(&g, &cfg, 1, 2.0, NULL), COV_OK);
    assert_int_equal(cov_gauntlet_match_set(&g, &cfg, 3, 5.0, NULL), COV_OK);
    assert_int_equal(g.match_len, 2);
    assert_int_equal(g.match_uids[0], 3);
    assert_true(g.match_scores[0] == 5.0);
    assert_int_equal(g.match_uids[1], 1);
    assert_true(g.peers[3].rated && !g.peers[3].evaluated);
    assert_int_equal(cov_gauntlet_match_set(&g, &cfg, 0, INFINITY, NULL), COV_ERR_ARG);

    /* reset keeps naughty and evaluated (Templar's reset_peer) */
    g.peers[3].naughty = 4;
    g.peers[3].evaluated = true;
    g.peers[3].final_score = 3;
    assert_int_equal(cov_gauntlet_reset_peer(&g, 3, NULL), COV_OK);
    assert_true(g.peers[3].naughty == 4 && g.peers[3].evaluated && !g.peers[3].rated &&
                g.peers[3].final_score == 0.0f);
    assert_int_equal(cov_gauntlet_reset_peer(&g, 4, NULL), COV_ERR_ARG);
    cov_gauntlet_free(&g);
    cov_gauntlet_free(&g); /* twice is fine */
    assert_int_equal(cov_gauntlet_init(&g, 0, NULL), COV_ERR_ARG);
}

/* A scorer with uid u at final 1 and BMA 0.5. */
static void positive(cov_gauntlet *g, uint32_t u)
{
    g->peers[u].final_score = 1.0f;
    g->peers[u].bma = 0.5f;
}

static void test_penalty_eval(void **state)
{
    (void)state;
    cov_scoring_config cfg;
    cov_scoring_config_defaults(&cfg);
    cov_gauntlet g;
    assert_int_equal(cov_gauntlet_init(&g, 4, NULL), COV_OK);
    positive(&g, 0);
    assert_int_equal(cov_gauntlet_eval_missing(&g, &cfg, 0, NULL), COV_OK);
    assert_true(g.peers[0].final_score == 0.75f && g.peers[0].bma == 0.375f);
    assert_true(g.peers[0].evaluated);
    assert_true(g.match_len == 1 && g.match_scores[0] == -99.0);
    g.peers[1].final_score = 1e-4f; /* 0.75e-4 < 1e-4: zeroed */
    assert_int_equal(cov_gauntlet_eval_missing(&g, &cfg, 1, NULL), COV_OK);
    assert_true(g.peers[1].final_score == 0.0f);
    g.peers[2].final_score = -1.0f; /* only positive scores are slashed */
    assert_int_equal(cov_gauntlet_eval_missing(&g, &cfg, 2, NULL), COV_OK);
    assert_true(g.peers[2].final_score == -1.0f);

    positive(&g, 3);
    assert_int_equal(cov_gauntlet_eval_invalid(&g, &cfg, 3, NULL), COV_OK);
    assert_true(g.peers[3].final_score == 0.0f && g.peers[3].bma == 0.5f);
    g.peers[2].final_score = -2.0f;
    assert_int_equal(cov_gauntlet_eval_invalid(&g, &cfg, 2, NULL), COV_OK);
    assert_true(g.peers[2].final_score == -2.0f);
    assert_int_equal(g.match_len, 4);
    assert_int_equal(cov_gauntlet_eval_invalid(&g, &cfg, 9, NULL), COV_ERR_ARG);
    cov_gauntlet_free(&g);
}

static void test_penalty_gather(void **state)
{
    (void)state;
    cov_scoring_config cfg;
    cov_scoring_config_defaults(&cfg);
    cov_gauntlet g;
    assert_int_equal(cov_gauntlet_init(&g, 4, NULL), COV_OK);
    const uint32_t u0 = 0, u1 = 1, u2 = 2, u3 = 3;

    /* consecutive misses: x0.75, x0.5, x0 */
    positive(&g, 0);
    assert_int_equal(cov_gauntlet_gather(&g, &cfg, &u0, 1, NULL, 0, 1.0, NULL), COV_OK);
    assert_true(g.peers[0].final_score == 0.75f && g.peers[0].bma == 0.375f);
    assert_true(g.match_len == 1 && g.match_scores[0] == -99.0 && g.peers[0].evaluated);
    assert_int_equal(cov_gauntlet_gather(&g, &cfg, &u0, 1, NULL, 0, 1.0, NULL), COV_OK);
    assert_true(g.peers[0].final_score == 0.375f);
    assert_int_equal(cov_gauntlet_gather(&g, &cfg, &u0, 1, NULL, 0, 1.0, NULL), COV_OK);
    assert_true(g.peers[0].final_score == 0.0f && g.peers[0].consecutive_missing == 3);

    /* a gathered window ends the streak */
    positive(&g, 1);
    assert_int_equal(cov_gauntlet_gather(&g, &cfg, &u1, 1, NULL, 0, 1.0, NULL), COV_OK);
    assert_int_equal(cov_gauntlet_gather(&g, &cfg, NULL, 0, &u1, 1, 1.0, NULL), COV_OK);
    assert_int_equal(g.peers[1].consecutive_missing, 0);
    assert_int_equal(cov_gauntlet_gather(&g, &cfg, &u1, 1, NULL, 0, 1.0, NULL), COV_OK);
    assert_true(g.peers[1].final_score == 0.5625f); /* 0.75 twice */

    /* a gather that mostly failed: straight to 0 */
    positive(&g, 2);
    assert_int_equal(cov_gauntlet_gather(&g, &cfg, &u2, 1, NULL, 0, 0.39, NULL), COV_OK);
    assert_true(g.peers[2].final_score == 0.0f && g.peers[2].bma == 0.0f);

    /* missing in 4 of the last 8 gathers: naughty and reset */
    g.peers[3].final_score = 1000.0f;
    for (int w = 0; w < 8; w++) {
        bool miss = w % 2 == 1;
        assert_int_equal(cov_gauntlet_gather(&g, &cfg, miss ? &u3 : NULL, miss,
                                             miss ? NULL : &u3, !miss, 1.0, NULL),
                         COV_OK);
        if (w < 7) {
            assert_int_equal(g.peers[3].naughty, 0);
            assert_true(g.peers[3].final_score > 0);
        }
    }
    assert_int_equal(g.peers[3].naughty, 20);
    assert_true(g.peers[3].final_score == 0.0f && g.peers[3].gather_count == 0);
    assert_true(g.peers[3].rated && g.peers[3].rating.mu == 25.0); /* new rating */
    assert_true(g.peers[3].evaluated);

    assert_int_equal(cov_gauntlet_gather(&g, &cfg, &(uint32_t){ 4 }, 1, NULL, 0, 1.0, NULL),
                     COV_ERR_ARG);
    cov_gauntlet_free(&g);
}

static void test_penalty_sync_inactive(void **state)
{
    (void)state;
    cov_scoring_config cfg;
    cov_scoring_config_defaults(&cfg);
    cov_gauntlet g;
    assert_int_equal(cov_gauntlet_init(&g, 3, NULL), COV_OK);
    positive(&g, 0);
    assert_int_equal(cov_gauntlet_poor_sync(&g, &cfg, 0, true, 2.0, NULL), COV_OK);
    assert_true(g.peers[0].final_score == 1.0f); /* 2 is not more than 2 */
    assert_int_equal(cov_gauntlet_poor_sync(&g, &cfg, 0, true, 2.5, NULL), COV_OK);
    assert_true(g.peers[0].final_score == 0.75f && g.peers[0].bma == 0.375f);
    assert_int_equal(cov_gauntlet_poor_sync(&g, &cfg, 0, false, 0.0, NULL), COV_OK);
    assert_true(g.peers[0].final_score == 0.5625f);
    g.peers[1].final_score = 1e-4f; /* no zero threshold for sync */
    assert_int_equal(cov_gauntlet_poor_sync(&g, &cfg, 1, false, 0.0, NULL), COV_OK);
    assert_true(g.peers[1].final_score == 0.75f * 1e-4f);

    positive(&g, 2);
    g.peers[2].rated = true;
    assert_int_equal(cov_gauntlet_inactive(&g, &cfg, 2, 1, NULL), COV_OK);
    assert_true(g.peers[2].final_score == 0.75f && g.peers[2].bma == 0.5f);
    assert_int_equal(cov_gauntlet_inactive(&g, &cfg, 2, 3, NULL), COV_OK);
    assert_true(g.peers[2].final_score == 0.5625f);
    assert_int_equal(cov_gauntlet_inactive(&g, &cfg, 2, 4, NULL), COV_OK);
    assert_true(g.peers[2].final_score == 0.0f && !g.peers[2].rated && g.peers[2].bma == 0);
    assert_int_equal(cov_gauntlet_inactive(&g, &cfg, 3, 1, NULL), COV_ERR_ARG);
    cov_gauntlet_free(&g);
}

static void test_penalty_overlap(void **state)
{
    (void)state;
    cov_scoring_config cfg;
    cov_scoring_config_defaults(&cfg);
    cov_gauntlet g;
    assert_int_equal(cov_gauntlet_init(&g, 5, NULL), COV_OK);
    for (uint32_t u = 0; u < 5; u++)
        positive(&g, u);
    g.peers[2].rated = true;
    uint32_t uids[3] = { 1, 2, 3 };
    cov_overlap_level lv[3] = { COV_OVERLAP_HIGH, COV_OVERLAP_MAX, COV_OVERLAP_MEGA };
    assert_int_equal(cov_gauntlet_overlap(&g, &cfg, uids, lv, 3, NULL), COV_OK);
    assert_true(g.peers[1].final_score == 0.5f && g.peers[1].bma == 0.25f);
    assert_true(g.peers[2].final_score == 0.0f && !g.peers[2].rated && g.peers[2].naughty == 0);
    assert_true(g.peers[3].final_score == 0.0f && g.peers[3].naughty == 19);
    assert_true(g.peers[0].final_score == 1.0f && g.peers[4].final_score == 1.0f);

    /* naughty uids count as "max" every window until their time is up */
    for (int w = 0; w < 18; w++) {
        g.peers[3].final_score = 2.0f;
        assert_int_equal(cov_gauntlet_overlap(&g, &cfg, NULL, NULL, 0, NULL), COV_OK);
        assert_true(g.peers[3].final_score == 0.0f);
    }
    assert_int_equal(g.peers[3].naughty, 1);
    /* a "high" verdict on a naughty uid replaces "max" for that window */
    g.peers[3].final_score = 2.0f;
    cov_overlap_level high = COV_OVERLAP_HIGH;
    assert_int_equal(cov_gauntlet_overlap(&g, &cfg, &uids[2], &high, 1, NULL), COV_OK);
    assert_true(g.peers[3].final_score == 1.0f && g.peers[3].naughty == 0);
    assert_int_equal(cov_gauntlet_overlap(&g, &cfg, NULL, NULL, 0, NULL), COV_OK);
    assert_true(g.peers[3].final_score == 1.0f); /* free again */

    cov_overlap_level bad = (cov_overlap_level)7;
    assert_int_equal(cov_gauntlet_overlap(&g, &cfg, uids, &bad, 1, NULL), COV_ERR_ARG);
    uint32_t far = 5;
    assert_int_equal(cov_gauntlet_overlap(&g, &cfg, &far, lv, 1, NULL), COV_ERR_ARG);
    cov_gauntlet_free(&g);
}

/* Puts five positive scores in the match, so the window is not "bad". */
static void good_window(cov_gauntlet *g, const cov_scoring_config *cfg)
{
    g->match_len = 0;
    for (uint32_t u = 10; u < 15; u++)
        assert_int_equal(cov_gauntlet_match_set(g, cfg, u, 0.01 * u, NULL), COV_OK);
}

static void test_penalty_negative(void **state)
{
    (void)state;
    cov_scoring_config cfg;
    cov_scoring_config_defaults(&cfg);
    cov_gauntlet g;
    assert_int_equal(cov_gauntlet_init(&g, 16, NULL), COV_OK);

    /* uid 0: 5 of 8 negative; uid 1: 4 of 8 (not more than half) */
    const char *p0 = "--+-+-+-", *p1 = "-+-+-+-+";
    for (int i = 0; i < 8; i++) {
        assert_int_equal(cov_gauntlet_eval(&g, &cfg, 0, p0[i] == '-' ? &HURT : &HELPED,
                                           1.0f, NULL), COV_OK);
        assert_int_equal(cov_gauntlet_eval(&g, &cfg, 1, p1[i] == '-' ? &HURT : &HELPED,
                                           1.0f, NULL), COV_OK);
    }
    assert_int_equal(g.peers[0].eval_count, 8);
    assert_int_equal(g.peers[0].consecutive_negative, 1);
    positive(&g, 0);
    positive(&g, 1);

    /* a bad window (the 5th best is negative) skips everything */
    g.match_len = 0;
    double bad_scores[5] = { 0.3, 0.2, -0.1, -0.2, -0.3 };
    for (uint32_t i = 0; i < 5; i++)
        assert_int_equal(cov_gauntlet_match_set(&g, &cfg, 10 + i, bad_scores[i], NULL), COV_OK);
    assert_true(cov_gauntlet_bad_window(&g, &cfg));
    cov_gauntlet_negative_penalties(&g, &cfg);
    assert_true(g.peers[0].final_score == 1.0f);

    good_window(&g, &cfg);
    assert_false(cov_gauntlet_bad_window(&g, &cfg));
    cov_gauntlet_negative_penalties(&g, &cfg);
    assert_true(g.peers[0].final_score == 0.25f && g.peers[0].bma == 0.125f);
    assert_true(g.peers[1].final_score == 1.0f);

    /* fewer than 5 in the match: the worst decides */
    g.match_len = 0;
    assert_int_equal(cov_gauntlet_match_set(&g, &cfg, 10, 0.3, NULL), COV_OK);
    assert_int_equal(cov_gauntlet_match_set(&g, &cfg, 11, -0.1, NULL), COV_OK);
    assert_true(cov_gauntlet_bad_window(&g, &cfg));
    assert_int_equal(cov_gauntlet_match_set(&g, &cfg, 11, 0.0, NULL), COV_OK);
    assert_false(cov_gauntlet_bad_window(&g, &cfg));
    /* the 5th best of six, ties counted */
    double six[6] = { 0.3, 0.3, 0.3, 0.3, -0.1, 0.5 };
    g.match_len = 0;
    for (uint32_t i = 0; i < 6; i++)
        assert_int_equal(cov_gauntlet_match_set(&g, &cfg, i, six[i], NULL), COV_OK);
    assert_false(cov_gauntlet_bad_window(&g, &cfg)); /* 0.5 0.3 0.3 0.3 [0.3] -0.1 */
    g.match_len = 0;
    assert_false(cov_gauntlet_bad_window(&g, &cfg)); /* empty: not bad */
    cov_gauntlet_free(&g);
}

static void test_penalty_exclusion(void **state)
{
    (void)state;
    cov_scoring_config cfg;
    cov_scoring_config_defaults(&cfg);
    cov_gauntlet g;
    assert_int_equal(cov_gauntlet_init(&g, 16, NULL), COV_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(cov_gauntlet_eval(&g, &cfg, 6, &HURT, 1.0f, NULL), COV_OK);
    assert_int_equal(g.peers[6].consecutive_negative, 3);

    good_window(&g, &cfg);
    assert_true(cov_gauntlet_excluded(&g, &cfg, 6));
    cov_gauntlet_negative_penalties(&g, &cfg);
    assert_true(g.peers[6].excluded);

    /* during a bad window nobody is excluded */
    assert_int_equal(cov_gauntlet_match_set(&g, &cfg, 10, -1.0, NULL), COV_OK);
    assert_true(cov_gauntlet_bad_window(&g, &cfg));
    assert_false(cov_gauntlet_excluded(&g, &cfg, 6));

    /* a positive evaluation lifts it */
    assert_int_equal(cov_gauntlet_eval(&g, &cfg, 6, &HELPED, 1.0f, NULL), COV_OK);
    assert_false(g.peers[6].excluded);
    assert_int_equal(g.peers[6].consecutive_negative, 0);
    good_window(&g, &cfg);
    assert_false(cov_gauntlet_excluded(&g, &cfg, 6));

    cfg.exclude_negative = false;
    for (int i = 0; i < 3; i++)
        assert_int_equal(cov_gauntlet_eval(&g, &cfg, 7, &HURT, 1.0f, NULL), COV_OK);
    good_window(&g, &cfg);
    cov_gauntlet_negative_penalties(&g, &cfg);
    assert_false(g.peers[7].excluded);
    assert_false(cov_gauntlet_excluded(&g, &cfg, 7));
    assert_false(cov_gauntlet_excluded(&g, &cfg, 99));
    cov_gauntlet_free(&g);
}

/* ======================================================== Weight policy */

static void policy_cfg(cov_scoring_config *cfg, uint32_t top_n, double top_share,
                       uint32_t tail_n)
{
    cov_scoring_config_defaults(cfg);
    cfg->top_n = top_n;
    cfg->top_share = top_share;
    cfg->tail_n = tail_n;
}

static void test_policy_by_hand(void **state)
{
    (void)state;
    cov_scoring_config cfg;
    float w[6];
    /* top 2 on a 2:1 ramp share 0.375, tail 2 as 1:0.5 share 0.125 */
    policy_cfg(&cfg, 2, 0.75, 2);
    float s[6] = { 0, 0, 5, 4, 3, 2 };
    assert_int_equal(cov_weight_policy(w, s, NULL, 6, &cfg, NULL), COV_OK);
    float want[6] = { 0, 0.5f, 0.25f, 0.125f, (float)(0.125 / 1.5), (float)(0.0625 / 1.5) };
    for (int i = 0; i < 6; i++)
        expect_close(w[i], want[i], 1e-7);

    /* the tail would out-earn the top: scaled to 0.5 x the smallest top
     * weight (0.125 / 0.2142857 x 0.5), then all renormalized to 0.5:
     * top 0.125 -> 0.2666..., tail 0.0625, 0.03125, 0.015625 -> x 2.1333... */
    policy_cfg(&cfg, 1, 0.25, 3);
    float s2[6] = { 0, 0, 1, 4, 3, 2 };
    assert_int_equal(cov_weight_policy(w, s2, NULL, 6, &cfg, NULL), COV_OK);
    float want2[6] = { 0, 0.5f, (float)(0.015625 * 0.5 / 0.234375), (float)(0.125 * 0.5 / 0.234375),
                       (float)(0.0625 * 0.5 / 0.234375), (float)(0.03125 * 0.5 / 0.234375) };
    for (int i = 0; i < 6; i++)
        expect_close(w[i], want2[i], 1e-7);
    assert_true(w[3] > w[4]);

    /* nobody positive (or eligible): everything is burned */
    bool none[6] = { false };
    assert_int_equal(cov_weight_policy(w, s, none, 6, &cfg, NULL), COV_OK);
    for (int i = 0; i < 6; i++)
        assert_true(w[i] == (i == 1 ? 1.0f : 0.0f));
    float neg[6] = { -1, -2, 0, -0.5f, 0, 0 };
    assert_int_equal(cov_weight_policy(w, neg, NULL, 6, &cfg, NULL), COV_OK);
    assert_true(w[1] == 1.0f && w[0] == 0.0f);

    /* one positive uid takes the whole non-burn half */
    float one[6] = { 0, 0, 0, 0, 7, 0 };
    assert_int_equal(cov_weight_policy(w, one, NULL, 6, &cfg, NULL), COV_OK);
    assert_true(w[4] == 0.5f && w[1] == 0.5f);

    /* burn 0 and 1 */
    cfg.burn_rate = 0.0;
    assert_int_equal(cov_weight_policy(w, one, NULL, 6, &cfg, NULL), COV_OK);
    assert_true(w[4] == 1.0f && w[1] == 0.0f);
    cfg.burn_rate = 1.0;
    assert_int_equal(cov_weight_policy(w, one, NULL, 6, &cfg, NULL), COV_OK);
    assert_true(w[4] == 0.0f && w[1] == 1.0f);
}

static void test_policy_templar_defaults(void **state)
{
    (void)state;
    cov_scoring_config cfg;
    cov_scoring_config_defaults(&cfg); /* burn 0.5 to uid 1, top 20, tail 10 */
    enum { N = 64 };
    float s[N] = { 0 }, w[N];
    for (int u = 10; u < 35; u++) /* 25 positive: 20 top, 5 tail */
        s[u] = (float)(100 - u);
    s[1] = 1000; /* the burn uid ranks first, and is overwritten */
    assert_int_equal(cov_weight_policy(w, s, NULL, N, &cfg, NULL), COV_OK);
    double sum = 0;
    for (int u = 0; u < N; u++)
        sum += w[u];
    expect_close(sum, 1.0, 1e-6);
    assert_true(w[1] == 0.5f);
    /* uid 1 took the first top slot, so uids 10..28 hold ramp places 2..20 */
    expect_close((double)w[10] / w[28], 2.0 - 1.0 / 19, 1e-6);
    assert_true(w[29] < w[28] && w[29] > 0); /* tail starts */
    expect_close((double)w[30] / w[29], 0.5, 1e-6);
    assert_true(w[35] == 0 && w[0] == 0);

    /* eligibility and ties: equal scores, lower uid first */
    float t[N] = { 0 };
    bool el[N] = { false };
    t[5] = t[3] = 2.0f;
    t[7] = 9.0f;
    el[5] = el[3] = true; /* uid 7 is not eligible */
    cfg.top_n = 2;
    assert_int_equal(cov_weight_policy(w, t, el, N, &cfg, NULL), COV_OK);
    expect_close((double)w[3] / w[5], 2.0, 1e-6);
    assert_true(w[7] == 0.0f);

    cov_err err;
    cfg.burn_uid = N;
    assert_int_equal(cov_weight_policy(w, t, el, N, &cfg, &err), COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "scoring.burn_uid"));
    cfg.burn_uid = 1;
    t[0] = NAN;
    assert_int_equal(cov_weight_policy(w, t, el, N, &cfg, &err), COV_ERR_ARG);
    t[0] = 0;
    cfg.top_n = 0;
    assert_int_equal(cov_weight_policy(w, t, el, N, &cfg, &err), COV_ERR_ARG);
    assert_string_equal(err.msg, "scoring.top_n: must be a positive integer, got 0");
}

static void test_gauntlet_weights(void **state)
{
    (void)state;
    cov_scoring_config cfg;
    cov_scoring_config_defaults(&cfg);
    cov_gauntlet g;
    assert_int_equal(cov_gauntlet_init(&g, 8, NULL), COV_OK);
    g.peers[4].final_score = 3.0f; /* not evaluated: no weight */
    g.peers[5].final_score = 2.0f;
    g.peers[5].evaluated = true;
    float w[8];
    assert_int_equal(cov_gauntlet_weights(&g, &cfg, w, NULL), COV_OK);
    assert_true(w[5] == 0.5f && w[1] == 0.5f && w[4] == 0.0f);
    cov_gauntlet_free(&g);
}

/* =============================================================== Config */

static cov_status parse(const char *text, cov_incentive_config *cfg, cov_err *err)
{
    json_error_t jerr;
    json_t *root = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!root)
        fail_msg("test JSON does not parse: %s: %s", text, jerr.text);
    cov_status st = cov_incentive_config_from_json(root, cfg, err);
    json_decref(root);
    return st;
}

static void test_config_defaults(void **state)
{
    (void)state;
    cov_incentive_config cfg;
    cov_err err;
    assert_int_equal(parse("{}", &cfg, &err), COV_OK);
    const cov_scoring_config *s = &cfg.scoring;
    assert_true(s->openskill.beta == 7 && s->openskill.tau == 0.1 && s->openskill.mu == 25 &&
                s->openskill.sigma == 25.0 / 3 && s->openskill.kappa == 1e-4);
    assert_true(s->bma_alpha == 0.05 && s->bma_threshold == 0.1 && s->bma_warmup_windows == 10);
    assert_true(s->missing_score == -99 && s->zero_threshold == 1e-4);
    assert_true(s->missing_gather_slash_len == 3 && s->missing_gather_slash[0] == 0.75 &&
                s->missing_gather_slash[1] == 0.5 && s->missing_gather_slash[2] == 0);
    assert_true(s->burn_uid == 1 && s->burn_rate == 0.5 && s->top_n == 20 &&
                s->top_share == 0.75 && s->top_ratio == 2 && s->tail_n == 10 &&
                s->tail_decay == 0.5);
    assert_true(s->naughty_windows == 20 && s->exclude_negative && s->consecutive_negative == 3);
    assert_int_equal(cov_scoring_config_check(s, NULL), COV_OK);
    /* other parts' sections are theirs */
    assert_int_equal(parse("{\"yuma\": {\"kappa\": 3}, \"scoring\": {}}", &cfg, &err), COV_OK);
}

static void test_config_every_field(void **state)
{
    (void)state;
    cov_incentive_config cfg;
    cov_err err;
    const char *text =
        "{\"scoring\": {\"openskill\": {\"mu\": 30, \"sigma\": 5, \"beta\": 4.5, \"tau\": 0,"
        " \"kappa\": 0.001, \"limit_sigma\": true},"
        " \"bma_alpha\": 0.1, \"bma_threshold\": 0.2, \"bma_warmup_windows\": 0,"
        " \"missing_score\": -50, \"zero_threshold\": 0, \"sync_max_steps_behind\": 3,"
        " \"sync_slash\": 0.9, \"missing_eval_slash\": 0.8, \"missing_gather_slash\": [1, 0.25],"
        " \"gather_success_threshold\": 0.5, \"mega_window\": 16, \"mega_ratio\": 0.75,"
        " \"naughty_windows\": 5, \"negative_window\": 10, \"negative_ratio\": 0.6,"
        " \"negative_slash\": 0.1, \"negative_skip_rank\": 3, \"exclude_negative\": false,"
        " \"consecutive_negative\": 4, \"overlap_slash_high\": 0.4, \"inactivity_slash\": 0.6,"
        " \"inactivity_reset_windows\": 7, \"burn_uid\": 0, \"burn_rate\": 0.25, \"top_n\": 15,"
        " \"top_share\": 0.6, \"top_ratio\": 3, \"tail_n\": 0, \"tail_decay\": 0.75}}";
    assert_int_equal(parse(text, &cfg, &err), COV_OK);
    const cov_scoring_config *s = &cfg.scoring;
    assert_true(s->openskill.mu == 30 && s->openskill.sigma == 5 && s->openskill.beta == 4.5 &&
                s->openskill.tau == 0 && s->openskill.kappa == 0.001 && s->openskill.limit_sigma);
    assert_true(s->bma_alpha == 0.1 && s->bma_threshold == 0.2 && s->bma_warmup_windows == 0);
    assert_true(s->missing_score == -50 && s->zero_threshold == 0 &&
                s->sync_max_steps_behind == 3 && s->sync_slash == 0.9 &&
                s->missing_eval_slash == 0.8);
    assert_true(s->missing_gather_slash_len == 2 && s->missing_gather_slash[0] == 1 &&
                s->missing_gather_slash[1] == 0.25);
    assert_true(s->gather_success_threshold == 0.5 && s->mega_window == 16 &&
                s->mega_ratio == 0.75 && s->naughty_windows == 5);
    assert_true(s->negative_window == 10 && s->negative_ratio == 0.6 &&
                s->negative_slash == 0.1 && s->negative_skip_rank == 3 &&
                !s->exclude_negative && s->consecutive_negative == 4);
    assert_true(s->overlap_slash_high == 0.4 && s->inactivity_slash == 0.6 &&
                s->inactivity_reset_windows == 7);
    assert_true(s->burn_uid == 0 && s->burn_rate == 0.25 && s->top_n == 15 &&
                s->top_share == 0.6 && s->top_ratio == 3 && s->tail_n == 0 &&
                s->tail_decay == 0.75);

    /* the dump lists every field and parses back to the same config */
    json_t *dump = cov_scoring_config_to_json(s);
    assert_non_null(dump);
    json_t *root = json_pack("{sO}", "scoring", dump);
    cov_incentive_config again;
    assert_int_equal(cov_incentive_config_from_json(root, &again, &err), COV_OK);
    json_t *dump2 = cov_scoring_config_to_json(&again.scoring);
    assert_true(json_equal(dump, dump2));
    assert_int_equal(json_object_size(dump), 30); /* 29 fields + "openskill" */
    assert_int_equal(json_object_size(json_object_get(dump, "openskill")), 6);
    json_decref(dump);
    json_decref(dump2);
    json_decref(root);
}

/* Each bad value and the exact message it must give. */
static const struct {
    const char *json;
    const char *msg;
} BAD[] = {
    { "{\"scoring\": {\"top_n\": -3}}", "scoring.top_n: must be a positive integer, got -3" },
    { "{\"scoring\": {\"top_n\": 20.0}}", "scoring.top_n: must be a positive integer, got 20.0" },
    { "{\"scoring\": {\"top_n\": 0}}", "scoring.top_n: must be a positive integer, got 0" },
    { "{\"scoring\": {\"openskill\": {\"mu\": \"25\"}}}",
      "scoring.openskill.mu: must be a finite number, got \"25\"" },
    { "{\"scoring\": {\"openskill\": {\"sigma\": 0}}}",
      "scoring.openskill.sigma: must be a number > 0, got 0" },
    { "{\"scoring\": {\"openskill\": {\"beta\": -7}}}",
      "scoring.openskill.beta: must be a number > 0, got -7" },
    { "{\"scoring\": {\"openskill\": {\"tau\": -0.1}}}",
      "scoring.openskill.tau: must be a number >= 0, got -0.1" },
    { "{\"scoring\": {\"openskill\": {\"kappa\": 0}}}",
      "scoring.openskill.kappa: must be a number in (0, 1], got 0" },
    { "{\"scoring\": {\"openskill\": {\"limit_sigma\": 1}}}",
      "scoring.openskill.limit_sigma: must be true or false, got 1" },
    { "{\"scoring\": {\"bma_alpha\": 0}}", "scoring.bma_alpha: must be a number in (0, 1], got 0" },
    { "{\"scoring\": {\"bma_threshold\": 1.5}}",
      "scoring.bma_threshold: must be a number in [0, 1], got 1.5" },
    { "{\"scoring\": {\"bma_warmup_windows\": -1}}",
      "scoring.bma_warmup_windows: must be a non-negative integer, got -1" },
    { "{\"scoring\": {\"missing_score\": null}}",
      "scoring.missing_score: must be a finite number, got null" },
    { "{\"scoring\": {\"zero_threshold\": -1e-4}}",
      "scoring.zero_threshold: must be a number >= 0, got -0.0001" },
    { "{\"scoring\": {\"sync_max_steps_behind\": -2}}",
      "scoring.sync_max_steps_behind: must be a number >= 0, got -2" },
    { "{\"scoring\": {\"sync_slash\": 2}}", "scoring.sync_slash: must be a number in [0, 1], got 2" },
    { "{\"scoring\": {\"missing_eval_slash\": true}}",
      "scoring.missing_eval_slash: must be a number in [0, 1], got true" },
    { "{\"scoring\": {\"missing_gather_slash\": []}}",
      "scoring.missing_gather_slash: must be an array of 1 to 8 numbers in [0, 1], got []" },
    { "{\"scoring\": {\"missing_gather_slash\": 0.5}}",
      "scoring.missing_gather_slash: must be an array of 1 to 8 numbers in [0, 1], got 0.5" },
    { "{\"scoring\": {\"missing_gather_slash\": [1,1,1,1,1,1,1,1,1]}}",
      "scoring.missing_gather_slash: must be an array of 1 to 8 numbers in [0, 1], got "
      "[1,1,1,1,1,1,1,1,1]" },
    { "{\"scoring\": {\"missing_gather_slash\": [0.5, 2]}}",
      "scoring.missing_gather_slash[1]: must be a number in [0, 1], got 2" },
    { "{\"scoring\": {\"gather_success_threshold\": -0.4}}",
      "scoring.gather_success_threshold: must be a number in [0, 1], got -0.4" },
    { "{\"scoring\": {\"mega_window\": 65}}", "scoring.mega_window: must be an integer in [1, 64], got 65" },
    { "{\"scoring\": {\"mega_ratio\": 1.01}}", "scoring.mega_ratio: must be a number in [0, 1], got 1.01" },
    { "{\"scoring\": {\"naughty_windows\": 4294967296}}",
      "scoring.naughty_windows: must be a non-negative integer, got 4294967296" },
    { "{\"scoring\": {\"negative_window\": 0}}",
      "scoring.negative_window: must be an integer in [1, 64], got 0" },
    { "{\"scoring\": {\"negative_ratio\": -1}}",
      "scoring.negative_ratio: must be a number in [0, 1], got -1" },
    { "{\"scoring\": {\"negative_slash\": [0.25]}}",
      "scoring.negative_slash: must be a number in [0, 1], got [0.25]" },
    { "{\"scoring\": {\"negative_skip_rank\": 0}}",
      "scoring.negative_skip_rank: must be a positive integer, got 0" },
    { "{\"scoring\": {\"exclude_negative\": \"yes\"}}",
      "scoring.exclude_negative: must be true or false, got \"yes\"" },
    { "{\"scoring\": {\"consecutive_negative\": 0}}",
      "scoring.consecutive_negative: must be a positive integer, got 0" },
    { "{\"scoring\": {\"overlap_slash_high\": 5}}",
      "scoring.overlap_slash_high: must be a number in [0, 1], got 5" },
    { "{\"scoring\": {\"inactivity_slash\": -0.75}}",
      "scoring.inactivity_slash: must be a number in [0, 1], got -0.75" },
    { "{\"scoring\": {\"inactivity_reset_windows\": 2.5}}",
      "scoring.inactivity_reset_windows: must be a non-negative integer, got 2.5" },
    { "{\"scoring\": {\"burn_uid\": 65536}}",
      "scoring.burn_uid: must be an integer in [0, 65535], got 65536" },
    { "{\"scoring\": {\"burn_rate\": 50}}", "scoring.burn_rate: must be a number in [0, 1], got 50" },
    { "{\"scoring\": {\"top_share\": {}}}", "scoring.top_share: must be a number in [0, 1], got {}" },
    { "{\"scoring\": {\"top_ratio\": 0.5}}", "scoring.top_ratio: must be a number >= 1, got 0.5" },
    { "{\"scoring\": {\"tail_n\": -10}}", "scoring.tail_n: must be a non-negative integer, got -10" },
    { "{\"scoring\": {\"tail_decay\": 0}}", "scoring.tail_decay: must be a number in (0, 1], got 0" },
    { "{\"scoring\": {\"topn\": 3}}",
      "scoring.topn: unknown field (the fields are listed in docs/incentives-scoring.md)" },
    { "{\"scoring\": {\"openskill\": {\"alpha\": 3}}}",
      "scoring.openskill.alpha: unknown field (the fields are listed in docs/incentives-scoring.md)" },
    { "{\"scoring\": {\"openskill\": [7]}}", "scoring.openskill: must be an object, got [7]" },
    { "{\"scoring\": 3}", "scoring: must be an object, got 3" },
    { "[{\"scoring\": {}}]", "incentive config: must be a JSON object, got [{\"scoring\":{}}]" },
    { "{\"scoring\": {\"burn_rate\": \"a very long string that goes on and on and on\"}}",
      "scoring.burn_rate: must be a number in [0, 1], got \"a very long string that goes on and ..." },
};

static void test_config_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        cov_incentive_config cfg;
        cov_err err;
        cov_status st = parse(BAD[i].json, &cfg, &err);
        if (st != COV_ERR_PARSE || strcmp(err.msg, BAD[i].msg) != 0)
            fail_msg("%s\n  got  (%d) %s\n  want %s", BAD[i].json, (int)st, err.msg, BAD[i].msg);
        /* a failed parse leaves the defaults */
        assert_true(cfg.scoring.top_n == 20 && cfg.scoring.burn_rate == 0.5);
    }
}

/* Every field of the dump, set to a string, is refused under its name. */
static void test_config_every_field_named(void **state)
{
    (void)state;
    cov_scoring_config d;
    cov_scoring_config_defaults(&d);
    json_t *dump = cov_scoring_config_to_json(&d);
    const char *key;
    json_t *v;
    size_t checked = 0;
    json_object_foreach(dump, key, v) {
        const char *sub_key;
        json_t *sub_v;
        json_t *keys = json_is_object(v) ? v : NULL;
        if (!keys) {
            json_t *root = json_pack("{s{ss}}", "scoring", key, "bad");
            cov_incentive_config cfg;
            cov_err err;
            assert_int_equal(cov_incentive_config_from_json(root, &cfg, &err), COV_ERR_PARSE);
            char want[128];
            snprintf(want, sizeof want, "scoring.%s: must be ", key);
            assert_true(strncmp(err.msg, want, strlen(want)) == 0);
            assert_non_null(strstr(err.msg, "got \"bad\""));
            json_decref(root);
            checked++;
            continue;
        }
        json_object_foreach(keys, sub_key, sub_v) {
            json_t *root = json_pack("{s{s{ss}}}", "scoring", key, sub_key, "bad");
            cov_incentive_config cfg;
            cov_err err;
            assert_int_equal(cov_incentive_config_from_json(root, &cfg, &err), COV_ERR_PARSE);
            char want[128];
            snprintf(want, sizeof want, "scoring.%s.%s: must be ", key, sub_key);
            assert_true(strncmp(err.msg, want, strlen(want)) == 0);
            json_decref(root);
            checked++;
        }
    }
    assert_int_equal(checked, 29 + 6);
    json_decref(dump);
}

static void test_config_check(void **state)
{
    (void)state;
    cov_scoring_config c;
    cov_err err;
    cov_scoring_config_defaults(&c);
    c.openskill.kappa = 0;
    assert_int_equal(cov_scoring_config_check(&c, &err), COV_ERR_ARG);
    assert_string_equal(err.msg, "scoring.openskill.kappa: must be a number in (0, 1], got 0");
    cov_scoring_config_defaults(&c);
    c.missing_gather_slash_len = 0;
    assert_int_equal(cov_scoring_config_check(&c, &err), COV_ERR_ARG);
    assert_string_equal(err.msg, "scoring.missing_gather_slash: must have 1 to 8 entries, got 0");
    cov_scoring_config_defaults(&c);
    c.missing_gather_slash[1] = NAN;
    assert_int_equal(cov_scoring_config_check(&c, &err), COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "scoring.missing_gather_slash[1]"));
    cov_scoring_config_defaults(&c);
    c.mega_window = 100;
    assert_int_equal(cov_scoring_config_check(&c, &err), COV_ERR_ARG);
    assert_string_equal(err.msg, "scoring.mega_window: must be an integer in [1, 64], got 100");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_openskill_defaults),
        cmocka_unit_test(test_openskill_ties),
        cmocka_unit_test(test_openskill_zero_score),
        cmocka_unit_test(test_openskill_ranks),
        cmocka_unit_test(test_openskill_templar_window),
        cmocka_unit_test(test_openskill_limit_and_kappa),
        cmocka_unit_test(test_openskill_refusals),
        cmocka_unit_test(test_gauntlet_pure),
        cmocka_unit_test(test_gauntlet_eval_and_rate),
        cmocka_unit_test(test_gauntlet_match_order),
        cmocka_unit_test(test_penalty_eval),
        cmocka_unit_test(test_penalty_gather),
        cmocka_unit_test(test_penalty_sync_inactive),
        cmocka_unit_test(test_penalty_overlap),
        cmocka_unit_test(test_penalty_negative),
        cmocka_unit_test(test_penalty_exclusion),
        cmocka_unit_test(test_policy_by_hand),
        cmocka_unit_test(test_policy_templar_defaults),
        cmocka_unit_test(test_gauntlet_weights),
        cmocka_unit_test(test_config_defaults),
        cmocka_unit_test(test_config_every_field),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_config_every_field_named),
        cmocka_unit_test(test_config_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
