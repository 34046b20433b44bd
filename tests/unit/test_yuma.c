/* Yuma consensus against subtensor's own epoch tests
 * (pallets/subtensor/src/tests/epoch.rs at 14bc6f9f964b), rebuilt step for
 * step as the Rust tests drive the chain; expected numbers are theirs (and
 * the E: traces in test_bonds' comments). Then properties: emission adds
 * up, relabelling uids permutes the outputs, extreme stakes stay sane. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "incentive/fixed.h"
#include "incentive/incentive.h"
#include "incentive/yuma_internal.h"
#include "test_helpers.h"
#include "yuma_chain.h"

#define RAO 1000000000ull

static void expect_u64s(const uint64_t *got, const uint64_t *want, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (got[i] != want[i])
            print_error("index %zu: got %llu want %llu\n", i, (unsigned long long)got[i],
                        (unsigned long long)want[i]);
        assert_int_equal(got[i], want[i]);
    }
}

/* ------------------------------------------------------------ test_bonds */

static void bond_col(const chain *c, uint16_t col, const uint16_t want[4])
{
    for (uint16_t v = 0; v < 4; v++) {
        if (chain_bond(c, v, col) != want[v])
            print_error("bonds[%u][%u] = %u, want %u\n", v, col, chain_bond(c, v, col), want[v]);
        assert_int_equal(chain_bond(c, v, col), want[v]);
    }
}

static void test_bonds(void **state)
{
    (void)state;
    chain c;
    chain_init(&c, 8, 1, 1);
    static const uint64_t stakes[8] = {1, 2, 3, 4, 0, 0, 0, 0};
    for (int k = 0; k < 8; k++)
        chain_register(&c, stakes[k]);
    c.max_validators = 8;
    chain_epoch(&c, RAO); /* block 1: sets permits */
    c.block = 2;
    static const uint16_t srv[4] = {4, 5, 6, 7};
    static const uint16_t w[4] = {65535 / 4, 65535 / 2, (65535 / 4) * 3, 65535};
    for (uint16_t v = 0; v < 4; v++)
        chain_set_weights(&c, v, srv, w, 4);
    chain_epoch(&c, RAO);
    static const uint64_t e2[8] = {49999998, 99999999, 150000000, 200000001,
                                   49998779, 100000610, 149996337, 200004272};
    uint64_t got[8];
    for (int i = 0; i < 8; i++)
        got[i] = c.out.server_emission[i] + c.out.validator_emission[i];
    expect_u64s(got, e2, 8);
    expect_u64s(c.out.emission, e2, 8);
    bond_col(&c, 4, (const uint16_t[]){16383, 32767, 49151, 65535});

    /* each round: one more validator sets only a self-weight */
    static const uint64_t e3[8] = {44998351, 101110561, 151667215, 202223870,
                                   49998779, 100000610, 149996337, 200004272};
    static const uint64_t e4[8] = {40496805, 90999783, 157929636, 210573773,
                                   49998779, 100000610, 149996337, 200004272};
    static const uint64_t e5[8] = {99999999, 199999999, 299999999, 399999999, 0, 0, 0, 0};
    for (uint16_t v = 0; v < 3; v++) {
        uint16_t self = v, one = 65535;
        chain_set_weights(&c, v, &self, &one, 1);
        c.block++;
        chain_epoch(&c, RAO);
        if (v == 0) {
            expect_u64s(c.out.emission, e3, 8);
            bond_col(&c, 4, (const uint16_t[]){14582, 32767, 49151, 65535});
        } else if (v == 1) {
            expect_u64s(c.out.emission, e4, 8);
            bond_col(&c, 4, (const uint16_t[]){12603, 28321, 49151, 65535});
        } else {
            expect_u64s(c.out.emission, e5, 8);
            bond_col(&c, 7, (const uint16_t[]){12602, 28320, 49150, 65535});
        }
    }
    /* val3 -> srv4 only */
    uint16_t seven = 7, one = 65535;
    chain_set_weights(&c, 2, &seven, &one, 1);
    c.block++;
    chain_epoch(&c, RAO);
    expect_u64s(c.out.emission,
                (const uint64_t[]){36443733, 81898628, 163565493, 218092144, 0, 0, 0, 500000000},
                8);
    bond_col(&c, 7, (const uint16_t[]){10951, 24609, 49150, 65535});
    c.block++;
    chain_epoch(&c, RAO);
    expect_u64s(c.out.emission,
                (const uint64_t[]){32799427, 73706612, 168638129, 224855830, 0, 0, 0, 500000000},
                8);
    bond_col(&c, 7, (const uint16_t[]){9559, 21482, 49150, 65535});
    c.block++;
    chain_epoch(&c, RAO);
    expect_u64s(c.out.emission,
                (const uint64_t[]){29518068, 66336137, 173203134, 230942659, 0, 0, 0, 500000000},
                8);
    bond_col(&c, 7, (const uint16_t[]){8376, 18824, 49150, 65535});
    c.block++;
    chain_epoch(&c, RAO);
    expect_u64s(c.out.emission,
                (const uint64_t[]){26565175, 59701871, 177311856, 236421095, 0, 0, 0, 500000000},
                8);
    chain_free(&c);
}

/* ------------------------------------------------------ test_active_stake */

static void test_active_stake(void **state)
{
    (void)state;
    chain c;
    chain_init(&c, 4, 1, 0);
    for (int k = 0; k < 4; k++)
        chain_register(&c, 1);
    c.max_validators = 4;
    chain_epoch(&c, RAO);
    c.block = 1;
    static const uint16_t srv[2] = {2, 3};
    static const uint16_t half[2] = {65535 / 2, 65535 / 2};
    chain_set_weights(&c, 0, srv, half, 2);
    chain_set_weights(&c, 1, srv, half, 2);
    chain_epoch(&c, RAO);
    for (int i = 0; i < 4; i++) {
        if (i < 2)
            assert_int_equal(c.out.dividends[i], 32767);
        assert_int_equal(c.out.emission[i], 250000000);
    }
    for (uint16_t v = 0; v < 2; v++)
        for (uint16_t j = 0; j < 4; j++)
            assert_int_equal(chain_bond(&c, v, j), j < 2 ? 0 : 65535);

    /* the test runs to get_activity_cutoff() + 2: the old u16 map, 5000 */
    c.block = 5002;
    chain_set_weights(&c, 0, srv, half, 2);
    chain_epoch(&c, RAO);
    assert_int_equal(c.out.dividends[0], 36044);
    assert_int_equal(c.out.emission[0], 274999999);
    assert_int_equal(c.out.dividends[1], 29490);
    assert_int_equal(c.out.emission[1], 224999999);
    for (uint16_t j = 2; j < 4; j++) {
        assert_int_equal(chain_bond(&c, 0, j), 65535);
        assert_int_equal(chain_bond(&c, 1, j), 53619);
    }

    chain_set_weights(&c, 1, srv, half, 2);
    c.block = 5003;
    chain_epoch(&c, RAO);
    assert_int_equal(c.out.dividends[0], 35716);
    assert_int_equal(c.out.dividends[1], 29818);
    expect_u64s(c.out.emission, (const uint64_t[]){272501132, 227498866, 250000000, 250000000},
                4);
    for (uint16_t j = 2; j < 4; j++) {
        assert_int_equal(chain_bond(&c, 0, j), 65535);
        assert_int_equal(chain_bond(&c, 1, j), 54712);
    }
    chain_free(&c);
}

/* --------------------------------------------------------- test_512_graph */

/* init_run_epochs: validators get equal stake and weight u16::MAX/n on
 * every server; optionally servers self-weight; epochs at block 1. */
static void run_graph(uint16_t n, const uint16_t *validators, uint16_t nv, bool server_self,
                      uint16_t epochs, chain *c)
{
    chain_init(c, n, 65534, 1);
    bool *is_val = calloc(n, sizeof *is_val);
    assert_non_null(is_val);
    for (uint16_t k = 0; k < nv; k++)
        is_val[validators[k]] = true;
    c->block = 0; /* append_neuron(.., 0): registered and updated at block 0 */
    for (uint16_t k = 0; k < n; k++)
        chain_register(c, is_val[k] ? 328125000000000ull : 0);
    c->block = 1;
    c->max_validators = nv;
    chain_epoch(c, RAO);
    uint16_t *servers = malloc(n * sizeof *servers), *w = malloc(n * sizeof *w);
    assert_non_null(servers);
    assert_non_null(w);
    uint16_t ns = 0;
    for (uint16_t k = 0; k < n; k++)
        if (!is_val[k])
            servers[ns++] = k;
    for (uint16_t k = 0; k < ns; k++)
        w[k] = (uint16_t)(65535 / n);
    for (uint16_t k = 0; k < nv; k++)
        chain_set_weights(c, validators[k], servers, w, ns);
    if (server_self)
        for (uint16_t k = 0; k < ns; k++) {
            uint16_t one = 65535;
            chain_set_weights(c, servers[k], &servers[k], &one, 1);
        }
    for (uint16_t e = 0; e < epochs; e++)
        chain_epoch(c, RAO);
    free(is_val);
    free(servers);
    free(w);
}

static void shuffle_u16(uint16_t *v, size_t len, uint64_t *seed)
{
    for (size_t i = len; i > 1; i--) {
        *seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
        size_t j = (size_t)((*seed >> 33) % i);
        uint16_t t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

static void test_512_graph(void **state)
{
    (void)state;
    const uint16_t n = 512, nv = 64;
    uint64_t seed = 42;
    for (int interleave = 0; interleave < 3; interleave++)
        for (int server_self = 0; server_self < 2; server_self++) {
            uint16_t perm[512], validators[64];
            for (uint16_t k = 0; k < n; k++)
                perm[k] = k;
            if (interleave == 2)
                shuffle_u16(perm, n, &seed);
            uint16_t got = 0;
            for (uint16_t k = 0; k < n && got < nv; k++) {
                bool v = interleave == 1 ? perm[k] % (n / nv) == 0 : k < nv;
                if (v)
                    validators[got++] = perm[k];
            }
            chain c;
            run_graph(n, validators, nv, server_self, 3, &c);
            bool is_val[512] = {false};
            for (uint16_t k = 0; k < nv; k++)
                is_val[validators[k]] = true;
            uint16_t a_server = 0;
            while (is_val[a_server])
                a_server++;
            for (uint16_t u = 0; u < n; u++) {
                if (is_val[u]) {
                    assert_int_equal(c.out.consensus[u], 0);
                    assert_int_equal(c.out.incentive[u], 0);
                    assert_int_equal(c.out.dividends[u], 1023);
                    assert_int_equal(c.out.emission[u], 7812500);
                    assert_int_equal(chain_bond(&c, u, validators[0]), 0);
                    assert_int_equal(chain_bond(&c, u, a_server), 65535);
                } else {
                    assert_int_equal(c.out.consensus[u], 146);
                    assert_int_equal(c.out.incentive[u], 146);
                    assert_int_equal(c.out.dividends[u], 0);
                    assert_int_equal(c.out.emission[u], 1116071);
                    assert_int_equal(chain_bond(&c, u, validators[0]), 0);
                    assert_int_equal(chain_bond(&c, u, a_server), 0);
                }
            }
            chain_free(&c);
        }
}

/* ---------------------------------------------------------- test_10_graph */

static void test_10_graph(void **state)
{
    (void)state;
    chain c;
    chain_init(&c, 10, 65534, 0);
    for (int k = 0; k < 10; k++)
        chain_register(&c, 1);
    c.block = 1;
    for (uint16_t k = 0; k < 10; k++) {
        uint16_t one = 65535;
        chain_set_weights(&c, k, &k, &one, 1);
    }
    chain_epoch(&c, RAO);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(c.out.consensus[i], 0);
        assert_int_equal(c.out.incentive[i], 0);
        assert_int_equal(c.out.dividends[i], 0);
        assert_int_equal(c.out.emission[i], 99999999);
    }
    chain_free(&c);
}

/* ---------------------------------------------- test_zero_weights (§2.4) */

static void test_zero_weights(void **state)
{
    (void)state;
    chain c;
    chain_init(&c, 2, 65534, 1);
    chain_register(&c, 1); /* validator */
    chain_register(&c, 0); /* server */
    chain_epoch(&c, RAO); /* no weights */
    expect_u64s(c.out.emission, (const uint64_t[]){RAO, 0}, 2);
    c.block = 2;
    uint16_t one = 65535, srv = 1;
    chain_set_weights(&c, 1, &srv, &one, 1); /* self-weight only */
    chain_epoch(&c, RAO);
    expect_u64s(c.out.emission, (const uint64_t[]){RAO, 0}, 2);
    c.block = 3;
    chain_set_weights(&c, 0, &srv, &one, 1);
    chain_replace(&c, 1, 0); /* the server re-registers: the weight is outdated */
    chain_epoch(&c, RAO);
    expect_u64s(c.out.emission, (const uint64_t[]){RAO, 0}, 2);
    c.block = 4;
    chain_set_weights(&c, 0, &srv, &one, 1);
    chain_epoch(&c, RAO);
    expect_u64s(c.out.emission, (const uint64_t[]){RAO / 2, RAO / 2}, 2);
    chain_free(&c);
}

/* ------------------------------------------- test_outdated_weights (§2.4) */

static void test_outdated_weights(void **state)
{
    (void)state;
    chain c;
    chain_init(&c, 4, 0, 1); /* tempo 0: activity cutoff max(1, 0) = 1 */
    for (int k = 0; k < 4; k++)
        chain_register(&c, 1);
    c.max_validators = 4;
    chain_epoch(&c, RAO);
    c.block = 2;
    static const uint16_t srv[2] = {2, 3};
    static const uint16_t w[2] = {2 * (65535 / 3), 65535 / 3};
    chain_set_weights(&c, 0, srv, w, 2);
    chain_set_weights(&c, 1, srv, w, 2);
    for (uint16_t k = 2; k < 4; k++) {
        uint16_t one = 65535;
        chain_set_weights(&c, k, &k, &one, 1);
    }
    chain_epoch(&c, RAO);
    chain_replace(&c, 3, 0); /* a new hotkey takes uid 3 at block 2 */
    c.block = 3;
    chain_set_weights(&c, 0, srv, w, 2);
    chain_epoch(&c, RAO);
    assert_int_equal(c.out.dividends[0], 32767);
    assert_int_equal(c.out.emission[0], 250000000);
    assert_int_equal(chain_bond(&c, 0, 2), 65535);
    assert_int_equal(chain_bond(&c, 0, 3), 65535);
    chain_free(&c);
}

/* ------------------------------------------------ Yuma 3 scenarios (§2.5) */

typedef struct {
    const char *name;
    uint16_t n, nsrv;
    uint64_t stakes[6];
    bool liquid;
    /* weights per round 0..3 (round r >= 3 repeats round 3 if `resend`) */
    uint16_t w[4][3][3];
    bool resend;
    double div[6][3];
    double bond[6][3][3]; /* per round, validator, server */
} y3_case;

static const uint16_t M = 65535, H = 65535 / 2;

static const y3_case y3_cases[] = {
    {"kappa_moves_first", 5, 2, {8, 1, 1, 0, 0}, true,
     {{{M, 0}, {M, 0}, {M, 0}},
      {{0, M}, {M, 0}, {M, 0}},
      {{0, M}, {0, M}, {M, 0}},
      {{0, M}, {0, M}, {0, M}}},
     false,
     {{.8000, .1000, .1000}, {1.0, 0, 0}, {.9382, .0618, 0}, {.8819, .0773, .0407},
      {.8564, .0844, .0592}, {.8418, .0884, .0697}},
     {{{.1013, 0}, {.1013, 0}, {.1013, 0}},
      {{.0908, .1013}, {.3697, 0}, {.3697, 0}},
      {{.0815, .1924}, {.3170, .1013}, {.5580, 0}},
      {{.0731, .2742}, {.2765, .1924}, {.4306, .1013}},
      {{.0656, .3478}, {.2435, .2742}, {.3589, .1924}},
      {{.0588, .4139}, {.2157, .3478}, {.3089, .2742}}}},
    {"one_epoch_switch", 5, 2, {33, 33, 34, 0, 0}, true,
     {{{M, 0}, {M, 0}, {M, 0}},
      {{M, 0}, {M, 0}, {M, 0}},
      {{M, 0}, {M, 0}, {0, M}},
      {{M, 0}, {M, 0}, {M, 0}}},
     true,
     {{.33, .33, .34}, {.33, .33, .34}, {.3782, .3782, .2436}, {.3628, .3628, .2745},
      {.3541, .3541, .2917}, {.3487, .3487, .3026}},
     {{{.1013, 0}, {.1013, 0}, {.1013, 0}},
      {{.1924, 0}, {.1924, 0}, {.1924, 0}},
      {{.2742, 0}, {.2742, 0}, {.1715, .2987}},
      {{.3478, 0}, {.3478, 0}, {.2554, .2618}},
      {{.4139, 0}, {.4139, 0}, {.3309, .2312}},
      {{.4733, 0}, {.4733, 0}, {.3987, .2051}}}},
    /* the Rust targets carry a leading 0 column here; servers are 1 and 2 */
    {"liquid_alpha_disabled", 5, 2, {33, 33, 34, 0, 0}, false,
     {{{M, 0}, {M, 0}, {M, 0}},
      {{M, 0}, {M, 0}, {M, 0}},
      {{M, 0}, {M, 0}, {0, M}},
      {{M, 0}, {M, 0}, {M, 0}}},
     true,
     {{.33, .33, .34}, {.33, .33, .34}, {.3734, .3734, .2532}, {.3611, .3611, .2779},
      {.3541, .3541, .2919}, {.3495, .3495, .3009}},
     {{{.0250, 0}, {.0250, 0}, {.0250, 0}},
      {{.0494, 0}, {.0494, 0}, {.0494, 0}},
      {{.0731, 0}, {.0731, 0}, {.0481, .0250}},
      {{.0963, 0}, {.0963, 0}, {.0719, .0244}},
      {{.1189, 0}, {.1189, 0}, {.0951, .0238}},
      {{.1409, 0}, {.1409, 0}, {.1178, .0232}}}},
    {"stable_miner", 6, 3, {8, 1, 1, 0, 0, 0}, true,
     {{{H, 0, H}, {H, 0, H}, {H, 0, H}},
      {{H, 0, H}, {0, H, H}, {H, 0, H}},
      {{0, H, H}, {0, H, H}, {H, 0, H}},
      {{0, H, H}, {0, H, H}, {0, H, H}}},
     false,
     {{.8, .1, .1}, {.8226, .0745, .1028}, {.7750, .1685, .0565}, {.7864, .1372, .0764},
      {.7912, .1241, .0847}, {.7937, .1173, .0890}},
     {{{.0507, 0, .0507}, {.0507, 0, .0507}, {.0507, 0, .0507}},
      {{.0962, 0, .0962}, {.0455, .1000, .0962}, {.0962, 0, .0962}},
      {{.0863, .0507, .1371}, {.0408, .1405, .1371}, {.1770, 0, .1371}},
      {{.0774, .0962, .1739}, {.0367, .1770, .1739}, {.1579, .0507, .1739}},
      {{.0694, .1371, .2069}, {.0329, .2097, .2069}, {.1411, .0962, .2069}},
      {{.0623, .1739, .2366}, {.0296, .2391, .2366}, {.1263, .1371, .2366}}}},
};

static double max_div_err, max_bond_err;

static void run_y3(const y3_case *t)
{
    chain c;
    chain_init(&c, t->n, 1, 1);
    for (uint16_t k = 0; k < t->n; k++)
        chain_register(&c, t->stakes[k]);
    c.bonds_penalty = 0;
    c.steep = 1000;
    c.bma = 975000;
    c.kappa = 65535 / 2;
    c.liquid = true;
    c.alpha_low = cov_fx32_to_u16(cov_fx32_mul_sat(cov_fx32_from_f64(0.1), (cov_fx32)65535 << 32));
    c.alpha_high = cov_fx32_to_u16(cov_fx32_mul_sat(cov_fx32_from_f64(0.3), (cov_fx32)65535 << 32));
    assert_int_equal(c.alpha_low, 6553);
    assert_int_equal(c.alpha_high, 19660);
    c.yuma3 = true;
    c.max_validators = 3;
    c.block = 2;
    chain_epoch(&c, RAO);
    c.liquid = t->liquid;
    static const uint16_t srv[3] = {3, 4, 5};
    uint32_t nsrv = t->nsrv < 3 ? t->nsrv : 3;
    for (int round = 0; round < 6; round++) {
        int wr = round < 3 ? round : 3;
        if (round <= 3 || t->resend)
            for (uint16_t v = 0; v < 3; v++)
                chain_set_weights(&c, v, srv, t->w[wr][v], nsrv);
        c.block++;
        chain_epoch(&c, RAO);
        for (uint16_t v = 0; v < 3; v++) {
            double got = cov_fx32_to_f64(cov_fx32_u16_proportion(c.out.dividends[v]));
            double err = fabs(got - t->div[round][v]);
            if (err > max_div_err)
                max_div_err = err;
            if (err > 6e-5)
                print_error("%s round %d validator %u: dividend %.6f, want %.4f\n", t->name,
                            round, v, got, t->div[round][v]);
            assert_true(err <= 6e-5);
            for (uint16_t k = 0; k < t->nsrv; k++) {
                double b = cov_fx32_to_f64(cov_fx32_u16_proportion(chain_bond(&c, v, srv[k])));
                double berr = fabs(b - t->bond[round][v][k]);
                if (berr > max_bond_err)
                    max_bond_err = berr;
                if (berr > 1e-4)
                    print_error("%s round %d bond[%u][%u] %.6f, want %.4f\n", t->name, round,
                                v, srv[k], b, t->bond[round][v][k]);
                assert_true(berr <= 1e-4);
            }
        }
        for (uint16_t u = 3; u < t->n; u++)
            assert_int_equal(c.out.dividends[u], 0);
    }
    chain_free(&c);
}

static void test_yuma3_scenarios(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof y3_cases / sizeof y3_cases[0]; k++)
        run_y3(&y3_cases[k]);
    print_message("Yuma 3: largest dividend error %.2e, bond error %.2e\n", max_div_err,
                  max_bond_err);
}

/* ------------------------------------------------------------ properties */

static uint64_t rnd_state = 0x2545F4914F6CDD1Dull;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

/* A random network: distinct stakes, sorted weight rows from every uid,
 * some explicit zeros, bonds from a few warm-up epochs. */
static void random_chain(chain *c, uint16_t n, bool yuma3, uint16_t max_val)
{
    chain_init(c, n, 360, 10);
    for (uint16_t k = 0; k < n; k++)
        chain_register(c, 1000000 + rnd() % 1000000000000ull + k);
    c->max_validators = max_val;
    c->yuma3 = yuma3;
    c->liquid = yuma3;
    c->bonds_penalty = yuma3 ? 0 : 65535;
    c->block = 20;
    chain_epoch(c, RAO);
    uint16_t *uids = malloc(n * sizeof *uids), *w = malloc(n * sizeof *w);
    assert_non_null(uids);
    assert_non_null(w);
    for (int round = 0; round < 3; round++) {
        for (uint16_t i = 0; i < n; i++) {
            uint16_t len = 0;
            for (uint16_t j = 0; j < n; j++)
                if (rnd() % 3 != 0) {
                    uids[len] = j;
                    w[len++] = rnd() % 5 == 0 ? 0 : (uint16_t)(rnd() % 65536);
                }
            chain_set_weights(c, i, uids, w, len);
        }
        c->block++;
        chain_epoch(c, RAO);
    }
    free(uids);
    free(w);
}

static uint64_t paid(const cov_yuma_output *o)
{
    uint64_t t = 0;
    for (uint16_t i = 0; i < o->n; i++)
        t += o->server_emission[i] + o->validator_emission[i];
    return t;
}

/* Every share is a floored fraction of an exact total and every amount a
 * floored product: at most 2n floors of a share (2^-32 of the emission
 * each) and 2n of an amount (1 rao each) are lost. */
static void test_emission_adds_up(void **state)
{
    (void)state;
    static const uint16_t sizes[] = {2, 7, 64, 300};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int y = 0; y < 2; y++) {
            chain c;
            uint16_t n = sizes[s];
            random_chain(&c, n, y == 1, (uint16_t)(n / 2 + 1));
            for (uint64_t rao = 1; rao < UINT64_MAX / 4; rao = rao * 97 + 13) {
                chain_epoch(&c, rao);
                uint64_t total = paid(&c.out);
                uint64_t slack = 2 * (uint64_t)n * ((rao >> 32) + 1);
                assert_true(total <= rao);
                assert_true(total + slack >= rao);
                uint64_t stored = 0;
                for (uint16_t i = 0; i < n; i++)
                    stored += c.out.emission[i];
                assert_true(stored <= rao && stored + slack >= rao);
            }
            chain_free(&c);
        }
    /* no weights at all: stake pays */
    chain c;
    chain_init(&c, 3, 360, 5);
    chain_register(&c, 5);
    chain_register(&c, 3);
    chain_register(&c, 0);
    chain_epoch(&c, RAO);
    assert_true(paid(&c.out) <= RAO && paid(&c.out) + 6 >= RAO);
    assert_int_equal(c.out.validator_emission[2], 0);
    chain_free(&c);
}

/* Relabelling uids permutes every output. */
static void relabel_case(uint16_t n, bool yuma3)
{
    chain a;
    random_chain(&a, n, yuma3, (uint16_t)(n / 2));
    uint16_t *perm = malloc(n * sizeof *perm), *inv = malloc(n * sizeof *inv);
    assert_non_null(perm);
    assert_non_null(inv);
    for (uint16_t k = 0; k < n; k++)
        perm[k] = k;
    uint64_t seed = rnd();
    shuffle_u16(perm, n, &seed);
    for (uint16_t k = 0; k < n; k++)
        inv[perm[k]] = k;
    chain b;
    chain_init(&b, n, a.tempo, a.block);
    b.n = n;
    b.permit_len = n;
    b.max_validators = a.max_validators;
    b.yuma3 = a.yuma3;
    b.liquid = a.liquid;
    b.bonds_penalty = a.bonds_penalty;
    /* uid u of a becomes perm[u] of b; rows re-sorted, as a caller would
     * submit them */
    for (uint16_t u = 0; u < n; u++) {
        uint16_t v = perm[u];
        b.last_update[v] = a.last_update[u];
        b.bar[v] = a.bar[u];
        b.alpha[v] = a.alpha[u];
        b.permit[v] = a.permit[u];
        for (int m = 0; m < 2; m++) {
            const cov_yuma_row *r = m ? &a.brows[u] : &a.wrows[u];
            cov_yuma_entry *e = malloc((r->len + 1) * sizeof *e);
            assert_non_null(e);
            uint32_t len = 0;
            for (uint16_t nj = 0; nj < n; nj++) /* by new uid */
                for (uint32_t t = 0; t < r->len; t++)
                    if (perm[r->entries[t].uid] == nj) {
                        e[len].uid = nj;
                        e[len++].value = r->entries[t].value;
                    }
            if (m)
                chain_set_row(&b.b[v], &b.brows[v], e, len);
            else
                chain_set_row(&b.w[v], &b.wrows[v], e, len);
            free(e);
        }
    }
    chain_epoch(&a, RAO);
    chain_epoch(&b, RAO);
    for (uint16_t u = 0; u < n; u++) {
        uint16_t v = perm[u];
        assert_int_equal(a.out.stake_weight[u], b.out.stake_weight[v]);
        assert_int_equal(a.out.consensus[u], b.out.consensus[v]);
        assert_int_equal(a.out.incentive[u], b.out.incentive[v]);
        assert_int_equal(a.out.dividends[u], b.out.dividends[v]);
        assert_int_equal(a.out.validator_trust[u], b.out.validator_trust[v]);
        assert_int_equal(a.out.active[u], b.out.active[v]);
        assert_int_equal(a.out.new_validator_permit[u], b.out.new_validator_permit[v]);
        assert_int_equal(a.out.server_emission[u], b.out.server_emission[v]);
        assert_int_equal(a.out.validator_emission[u], b.out.validator_emission[v]);
        assert_int_equal(a.out.emission[u], b.out.emission[v]);
        assert_int_equal(a.brows[u].len, b.brows[v].len);
        for (uint32_t t = 0; t < a.brows[u].len; t++)
            assert_int_equal(a.brows[u].entries[t].value,
                             chain_bond(&b, v, perm[a.brows[u].entries[t].uid]));
    }
    (void)inv;
    free(perm);
    free(inv);
    chain_free(&a);
    chain_free(&b);
}

static void test_relabel_permutes(void **state)
{
    (void)state;
    for (int rep = 0; rep < 3; rep++) {
        relabel_case(40, false);
        relabel_case(40, true);
    }
    relabel_case(257, false);
    relabel_case(257, true);
}

/* u64::MAX stakes, root stake at full TAO weight, n up to 4096: runs (the
 * sanitizer build checks for overflow), deterministic, u16s in range. */
static void test_extreme_stakes(void **state)
{
    (void)state;
    static const uint16_t sizes[] = {1, 2, 3, 33, 4096};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int mode = 0; mode < 4; mode++) {
            uint16_t n = sizes[s];
            chain c;
            chain_init(&c, n, 360, 10);
            for (uint16_t k = 0; k < n; k++)
                chain_register(&c, mode == 0 || k % 3 == 0 ? UINT64_MAX : rnd());
            for (uint16_t k = 0; k < n; k++)
                c.root[k] = mode >= 2 ? UINT64_MAX : 0;
            c.tao_weight = mode == 3 ? UINT64_MAX : (uint64_t)1 << 63;
            c.yuma3 = mode & 1;
            c.liquid = c.yuma3;
            c.bma = mode == 3 ? UINT64_MAX : 900000;
            c.max_validators = n;
            c.owner = n > 2 ? 2 : COV_YUMA_NO_OWNER;
            chain_epoch(&c, UINT64_MAX);
            c.block++;
            uint16_t cnt = n < 64 ? n : 64;
            uint16_t *uids = malloc(cnt * sizeof *uids), *w = malloc(cnt * sizeof *w);
            for (uint16_t j = 0; j < cnt; j++) {
                uids[j] = j;
                w[j] = (uint16_t)(65535 - j);
            }
            for (uint16_t i = 0; i < n && i < 300; i++)
                chain_set_weights(&c, i, uids, w, cnt);
            free(uids);
            free(w);
            c.block++;
            chain_epoch(&c, UINT64_MAX);
            chain_epoch(&c, UINT64_MAX);
            uint64_t first = paid(&c.out);
            cov_yuma_input in;
            chain_input(&c, &in, UINT64_MAX);
            cov_yuma_output again;
            cov_yuma_output_init(&again);
            assert_int_equal(cov_yuma_epoch(&again, &in, NULL), COV_OK);
            cov_yuma_output_free(&again);
            (void)first;
            chain_free(&c);
        }
}

/* ------------------------------------------------------ errata and rules */

/* Errata 6: an empty ValidatorPermit vector masks no stake but empties
 * every weight row; LastUpdate may be longer than n (a pallet test). */
static void test_short_vectors(void **state)
{
    (void)state;
    chain c;
    chain_init(&c, 3, 360, 10);
    for (int k = 0; k < 3; k++)
        chain_register(&c, 100 * (k + 1));
    static const uint16_t uids[2] = {1, 2}, w[2] = {1, 2};
    c.block = 11;
    chain_set_weights(&c, 0, uids, w, 2);
    cov_yuma_input in;
    chain_input(&c, &in, RAO);
    in.validator_permit_len = 0;
    assert_int_equal(cov_yuma_epoch(&c.out, &in, NULL), COV_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(c.out.incentive[i], 0);
        assert_int_equal(c.out.dividends[i], 0);
    }
    /* stake pays: 100:200:300 */
    assert_int_equal(c.out.validator_emission[0], 166666666);
    assert_int_equal(c.out.validator_emission[2], 500000000);

    /* test_last_update_size_mismatch: n = 1, LastUpdate of 3 */
    chain d;
    chain_init(&d, 1, 65534, 1);
    chain_register(&d, 1000000000);
    uint16_t self = 0, one = 65535;
    chain_set_weights(&d, 0, &self, &one, 1);
    uint64_t lu[3] = {1, 1, 1};
    chain_input(&d, &in, RAO);
    in.last_update = lu;
    in.last_update_len = 3;
    assert_int_equal(cov_yuma_epoch(&d.out, &in, NULL), COV_OK);
    assert_int_equal(d.out.consensus[0], 0);
    assert_int_equal(d.out.incentive[0], 0);
    assert_int_equal(d.out.dividends[0], 0);
    /* a NULL array with a length is refused */
    in.last_update = NULL;
    cov_err err;
    assert_int_equal(cov_yuma_epoch(&d.out, &in, &err), COV_ERR_ARG);
    chain_free(&c);
    chain_free(&d);
}

/* The owner keeps its self-weight and its permit; stake under the
 * threshold counts for nothing, except the owner's; TaoWeight scales root
 * stake in U96F32. */
static void test_owner_threshold_tao(void **state)
{
    (void)state;
    chain c;
    chain_init(&c, 3, 360, 10);
    chain_register(&c, 50);  /* owner, under the threshold */
    chain_register(&c, 40);  /* under the threshold */
    chain_register(&c, 200);
    c.owner = 0;
    c.threshold = 100;
    c.max_validators = 1;
    c.block = 11;
    uint16_t self = 0, one = 65535;
    chain_set_weights(&c, 0, &self, &one, 1);
    chain_epoch(&c, RAO);
    /* only the owner has a (forced) permit: its self-weight is all there is */
    assert_int_equal(c.out.consensus[0], 65535);
    assert_int_equal(c.out.incentive[0], 65535);
    assert_int_equal(c.out.stake_fx[1], 0);
    assert_int_equal(c.out.stake_fx[0], cov_fx32_div_safe(cov_fx32_from_int(50),
                                                          cov_fx32_from_int(250)));
    assert_true(c.out.new_validator_permit[0]); /* owner forced */
    assert_true(c.out.new_validator_permit[2]);
    assert_false(c.out.new_validator_permit[1]);
    /* next epoch uid 2 (80% of the stake, no weights) has a permit too:
     * the median of column 0 is its 0 */
    chain_epoch(&c, RAO);
    assert_int_equal(c.out.consensus[0], 0);
    chain_free(&c);

    chain t;
    chain_init(&t, 2, 360, 10);
    chain_register(&t, 1000);
    chain_register(&t, 0);
    t.root[1] = 2000;
    t.tao_weight = (uint64_t)1 << 63; /* exactly 0.5 in U96F32 */
    chain_epoch(&t, RAO);
    assert_int_equal(t.out.stake_fx[0], COV_FX32_ONE / 2);
    assert_int_equal(t.out.stake_fx[1], COV_FX32_ONE / 2);
    assert_int_equal(t.out.stake[1], 1000);
    t.tao_weight = UINT64_MAX; /* exactly 1 */
    chain_epoch(&t, RAO);
    assert_int_equal(t.out.stake[1], 2000);
    chain_free(&t);
}

/* Commit-reveal: a weight committed before its target registered is
 * dropped; bond columns >= n are dropped (errata 6). */
static void test_commit_reveal_and_stray_bonds(void **state)
{
    (void)state;
    chain c;
    chain_init(&c, 3, 360, 10);
    chain_register(&c, 1000);
    c.block = 20;
    chain_register(&c, 0);
    chain_register(&c, 0);
    c.max_validators = 1;
    chain_epoch(&c, RAO);
    c.block = 30;
    static const uint16_t uids[2] = {1, 2}, w[2] = {65535, 65535};
    chain_set_weights(&c, 0, uids, w, 2);
    c.bar[2] = 25;
    c.commit = calloc(3, sizeof *c.commit);
    c.commit[0] = 22; /* before uid 2 registered at 25, after uid 1 at 20 */
    c.commit[1] = c.commit[2] = COV_YUMA_NO_COMMIT;
    static const cov_yuma_entry stray[2] = {{1, 65535}, {9, 65535}};
    chain_set_row(&c.b[0], &c.brows[0], stray, 2);
    chain_epoch(&c, RAO);
    assert_int_equal(c.out.incentive[1], 65535);
    assert_int_equal(c.out.incentive[2], 0);
    for (uint32_t e = 0; e < c.brows[0].len; e++)
        assert_true(c.brows[0].entries[e].uid < 3);
    chain_free(&c);
}

/* Errata 3: liquid alpha reads rows as if sorted by uid; an entry behind
 * the cursor reads as weight 0. */
static void test_liquid_alpha_unsorted(void **state)
{
    (void)state;
    yliquid q;
    memset(&q, 0, sizeof q);
    cov_fx32 wvis[8] = {0}, bvis[8] = {0}, px[8], alpha[8] = {0};
    uint16_t pj[8], vt[16];
    q.wvis = wvis;
    q.bvis = bvis;
    q.pend_j = pj;
    q.pend_x = px;
    q.vis_touched = vt;
    cov_yuma_input in;
    memset(&in, 0, sizeof in);
    in.alpha_low = 6553;
    in.alpha_high = 19660;
    in.alpha_sigmoid_steepness = 1000;
    yliquid_begin(&q, &in);
    cov_fx32 C[8];
    for (int j = 0; j < 8; j++)
        C[j] = COV_FX32_ONE / 8;
    const uint16_t wcol[2] = {5, 3}, bcol[2] = {3, 5}, cols[2] = {5, 3};
    const cov_fx32 wval[2] = {COV_FX32_ONE / 2, COV_FX32_ONE / 3};
    const cov_fx32 bval[2] = {COV_FX32_ONE / 4, COV_FX32_ONE / 5};
    yliquid_row(&q, alpha, cols, 2, C, 8, wcol, wval, 2, bcol, bval, 2);
    cov_fx32 lo = cov_fx32_u16_proportion(6553), hi = cov_fx32_u16_proportion(19660);
    cov_fx32 steep = cov_fx32_from_int(1000);
    assert_int_equal(alpha[5], cov_yuma_alpha_sigmoid(C[5], wval[0], bval[1], lo, hi, steep));
    /* column 3 comes after 5 in the weight row: read as 0 */
    assert_int_equal(alpha[3], cov_yuma_alpha_sigmoid(C[3], 0, bval[0], lo, hi, steep));
    assert_true(alpha[3] != cov_yuma_alpha_sigmoid(C[3], wval[1], bval[0], lo, hi, steep));
    for (int j = 0; j < 8; j++) /* the dense rows are left zero */
        assert_int_equal(wvis[j] | bvis[j], 0);
}

/* Row order does not matter to original Yuma (its sums are dense): the
 * same network with every row shuffled gives the same outputs; this runs
 * the sorted (merging, banded) and the unsorted (dense) code paths
 * against each other. */
static void test_row_order(void **state)
{
    (void)state;
    for (int y = 0; y < 2; y++) {
        chain a;
        random_chain(&a, 90, y == 1, 30);
        a.liquid = false; /* liquid alpha reads rows as sorted: errata 3 */
        chain b;
        chain_init(&b, 90, a.tempo, a.block);
        b.n = a.n;
        b.permit_len = a.permit_len;
        b.max_validators = a.max_validators;
        b.yuma3 = a.yuma3;
        b.bonds_penalty = a.bonds_penalty;
        memcpy(b.last_update, a.last_update, 90 * sizeof *b.last_update);
        memcpy(b.bar, a.bar, 90 * sizeof *b.bar);
        memcpy(b.alpha, a.alpha, 90 * sizeof *b.alpha);
        memcpy(b.permit, a.permit, 90 * sizeof *b.permit);
        for (uint16_t i = 0; i < 90; i++)
            for (int m = 0; m < 2; m++) {
                const cov_yuma_row *r = m ? &a.brows[i] : &a.wrows[i];
                cov_yuma_entry *e = malloc((r->len + 1) * sizeof *e);
                assert_non_null(e);
                if (r->len)
                    memcpy(e, r->entries, r->len * sizeof *e);
                for (uint32_t t = r->len; t > 1; t--) {
                    uint32_t k = (uint32_t)(rnd() % t);
                    cov_yuma_entry x = e[t - 1];
                    e[t - 1] = e[k];
                    e[k] = x;
                }
                if (m)
                    chain_set_row(&b.b[i], &b.brows[i], e, r->len);
                else
                    chain_set_row(&b.w[i], &b.wrows[i], e, r->len);
                free(e);
            }
        chain_epoch(&a, RAO);
        chain_epoch(&b, RAO);
        for (uint16_t i = 0; i < 90; i++) {
            assert_int_equal(a.out.consensus[i], b.out.consensus[i]);
            assert_int_equal(a.out.dividends[i], b.out.dividends[i]);
            assert_int_equal(a.out.emission[i], b.out.emission[i]);
            assert_int_equal(a.out.validator_trust[i], b.out.validator_trust[i]);
            assert_int_equal(a.brows[i].len, b.brows[i].len);
            for (uint32_t t = 0; t < a.brows[i].len; t++) {
                assert_int_equal(a.brows[i].entries[t].uid, b.brows[i].entries[t].uid);
                assert_int_equal(a.brows[i].entries[t].value, b.brows[i].entries[t].value);
            }
        }
        chain_free(&a);
        chain_free(&b);
    }
}

/* Long rows (a quarter of n or more) take the dense EMA kernels, short
 * ones the merging or sparse ones. The same network padded with idle
 * uids (no stake, no weights, nobody weights them) changes nothing for
 * the uids it had, but makes every row short: both kernels, for original
 * Yuma, Yuma 3 with a fixed and with a liquid alpha, and a moving average
 * past 1 (alpha < 0: the kernels' saturating variants), must agree. */
static void test_dense_and_sparse_rows_agree(void **state)
{
    (void)state;
    enum { N = 60, PAD = 1000 };
    for (int variant = 0; variant < 4; variant++) {
        bool yuma3 = variant == 1 || variant == 2;
        chain a;
        random_chain(&a, N, yuma3, 20);
        a.liquid = variant == 2;
        if (variant == 3)
            a.bma = 1500000;
        chain b;
        chain_init(&b, PAD, a.tempo, a.block);
        b.n = PAD;
        b.permit_len = PAD;
        b.max_validators = a.max_validators;
        b.yuma3 = a.yuma3;
        b.liquid = a.liquid;
        b.bma = a.bma;
        b.bonds_penalty = a.bonds_penalty;
        memcpy(b.last_update, a.last_update, N * sizeof *b.last_update);
        memcpy(b.bar, a.bar, N * sizeof *b.bar);
        memcpy(b.alpha, a.alpha, N * sizeof *b.alpha);
        memcpy(b.permit, a.permit, N * sizeof *b.permit);
        for (uint16_t i = N; i < PAD; i++)
            b.last_update[i] = a.block;
        for (uint16_t i = 0; i < N; i++) {
            chain_set_row(&b.w[i], &b.wrows[i], a.wrows[i].entries, a.wrows[i].len);
            chain_set_row(&b.b[i], &b.brows[i], a.brows[i].entries, a.brows[i].len);
        }
        for (int epoch = 0; epoch < 3; epoch++) {
            chain_epoch(&a, RAO);
            chain_epoch(&b, RAO);
            a.block++;
            b.block++;
            for (uint16_t i = 0; i < N; i++) {
                assert_int_equal(a.out.consensus_fx[i], b.out.consensus_fx[i]);
                assert_int_equal(a.out.incentive_fx[i], b.out.incentive_fx[i]);
                assert_int_equal(a.out.dividends_fx[i], b.out.dividends_fx[i]);
                assert_int_equal(a.out.emission[i], b.out.emission[i]);
                assert_int_equal(a.brows[i].len, b.brows[i].len);
                for (uint32_t t = 0; t < a.brows[i].len; t++) {
                    assert_int_equal(a.brows[i].entries[t].uid, b.brows[i].entries[t].uid);
                    assert_int_equal(a.brows[i].entries[t].value, b.brows[i].entries[t].value);
                }
            }
            for (uint16_t i = N; i < PAD; i++)
                assert_int_equal(b.brows[i].len, 0);
        }
        chain_free(&a);
        chain_free(&b);
    }
}

/* A bonds penalty strictly between 0 and 1: the weights for bonds are
 * W + beta (W_clipped - W) over each row's columns, ascending, kept if
 * positive; a weight clipped away entirely counts as 0 in W_clipped. */
static void test_bonds_penalty_interpolation(void **state)
{
    (void)state;
    cov_yuma_input in;
    memset(&in, 0, sizeof in);
    in.n = 4;
    in.bonds_penalty = 16384;
    in.yuma3 = true;
    cov_yuma_output out;
    cov_yuma_output_init(&out);
    assert_true(cov_yuma_output_reserve(&out, 4));
    assert_true(cov_yuma_scratch_reserve(&out.scratch, 4));
    ymat *w = &out.scratch->w;
    assert_true(ymat_reserve(w, 4, 8));
    w->rows = 4;
    /* row 0 unsorted: (3, .5) (1, .3) (2, .2); other rows empty */
    static const uint16_t cols[3] = {3, 1, 2};
    const cov_fx32 vals[3] = {COV_FX32_ONE / 2, COV_FX32_ONE / 10 * 3, COV_FX32_ONE / 5};
    w->rowptr[0] = 0;
    for (int k = 0; k < 3; k++) {
        w->col[k] = cols[k];
        w->val[k] = vals[k];
    }
    w->rowptr[1] = w->rowptr[2] = w->rowptr[3] = w->rowptr[4] = 3;
    /* consensus: column 1 clipped to .1, column 2 to 0 (dropped), 3 kept */
    out.consensus_fx[0] = 0;
    out.consensus_fx[1] = COV_FX32_ONE / 10;
    out.consensus_fx[2] = 0;
    out.consensus_fx[3] = COV_FX32_ONE;
    for (int i = 0; i < 4; i++)
        out.active_stake_fx[i] = i == 0 ? COV_FX32_ONE : 0;
    bool row_ok[4] = {true, true, true, true};
    yuma_ctx ctx = {.in = &in, .out = &out, .s = out.scratch, .row_ok = row_ok,
                    .dsum = out.scratch->vec[4]};
    assert_true(yuma_clip_and_rank(&ctx));
    cov_fx32 beta = cov_fx32_u16_proportion(16384);
    cov_fx32 want1 = cov_fx32_add_sat(vals[1], cov_fx32_mul_sat(beta, cov_fx32_sub_sat(
                                                                       COV_FX32_ONE / 10, vals[1])));
    cov_fx32 want2 = cov_fx32_add_sat(vals[2], cov_fx32_mul_sat(beta, -vals[2]));
    assert_int_equal(w->rowptr[1], 3);
    assert_int_equal(w->col[0], 1);
    assert_int_equal(w->val[0], want1);
    assert_int_equal(w->col[1], 2);
    assert_int_equal(w->val[1], want2);
    assert_int_equal(w->col[2], 3);
    assert_int_equal(w->val[2], vals[0]);
    /* validator trust: the clipped row's sum */
    assert_int_equal(out.validator_trust_fx[0], COV_FX32_ONE / 10 + vals[0]);
    cov_yuma_output_free(&out);
}

/* n = 0 is a valid (empty) subnet */
static void test_empty_subnet(void **state)
{
    (void)state;
    cov_yuma_input in;
    memset(&in, 0, sizeof in);
    in.rao_emission = RAO;
    cov_yuma_output out;
    cov_yuma_output_init(&out);
    assert_int_equal(cov_yuma_epoch(&out, &in, NULL), COV_OK);
    assert_int_equal(out.n, 0);
    assert_int_equal(out.bond_entries_len, 0);
    in.yuma3 = in.liquid_alpha = true;
    assert_int_equal(cov_yuma_epoch(&out, &in, NULL), COV_OK);
    cov_yuma_output_free(&out);
    cov_yuma_output_free(&out); /* freeing twice is harmless */
}

/* ------------------------------------------------------------ mechanisms */

static void test_mechanisms(void **state)
{
    (void)state;
    uint64_t out[3];
    cov_yuma_split_emission(out, 3, NULL, 0, 1000);
    assert_int_equal(out[0], 334);
    assert_int_equal(out[1], 333);
    assert_int_equal(out[2], 333);
    static const uint16_t split[2] = {65535 / 4, 65535 / 4 * 3};
    cov_yuma_split_emission(out, 3, split, 2, 1000000);
    assert_int_equal(out[1], 749965); /* 1e6 * 49149 / 65535, floored */
    assert_int_equal(out[2], 0);
    assert_int_equal(out[0], 1000000 - 749965); /* 249988 + the remainder */

    /* two identical mechanisms, even split: paid amounts add up, the
     * weighted u16s floor at each step */
    chain c;
    random_chain(&c, 50, false, 20);
    cov_yuma_input in[2];
    chain_input(&c, &in[0], 0);
    in[1] = in[0];
    cov_yuma_output per[2], single;
    cov_yuma_output_init(&per[0]);
    cov_yuma_output_init(&per[1]);
    cov_yuma_output_init(&single);
    cov_yuma_aggregate agg;
    cov_yuma_aggregate_init(&agg);
    assert_int_equal(cov_yuma_epoch_with_mechanisms(&agg, per, in, 2, NULL, 0, 2 * RAO, NULL),
                     COV_OK);
    in[0].rao_emission = RAO;
    assert_int_equal(cov_yuma_epoch(&single, &in[0], NULL), COV_OK);
    for (uint16_t i = 0; i < 50; i++) {
        assert_int_equal(agg.server_emission[i], 2 * single.server_emission[i]);
        assert_int_equal(agg.validator_emission[i], 2 * single.validator_emission[i]);
        uint16_t d = single.dividends[i];
        assert_int_equal(agg.dividends[i], d - (d & 1));
        assert_int_equal(agg.emission[i], single.emission[i] - (single.emission[i] & 1));
        assert_int_equal(agg.new_validator_permit[i], single.new_validator_permit[i]);
        assert_int_equal(agg.stake[i], 2 * single.stake[i]);
    }
    cov_yuma_output_free(&per[0]);
    cov_yuma_output_free(&per[1]);
    cov_yuma_output_free(&single);
    cov_yuma_aggregate_free(&agg);
    chain_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bonds),
        cmocka_unit_test(test_active_stake),
        cmocka_unit_test(test_512_graph),
        cmocka_unit_test(test_10_graph),
        cmocka_unit_test(test_zero_weights),
        cmocka_unit_test(test_outdated_weights),
        cmocka_unit_test(test_yuma3_scenarios),
        cmocka_unit_test(test_emission_adds_up),
        cmocka_unit_test(test_relabel_permutes),
        cmocka_unit_test(test_extreme_stakes),
        cmocka_unit_test(test_short_vectors),
        cmocka_unit_test(test_owner_threshold_tao),
        cmocka_unit_test(test_commit_reveal_and_stray_bonds),
        cmocka_unit_test(test_liquid_alpha_unsorted),
        cmocka_unit_test(test_row_order),
        cmocka_unit_test(test_dense_and_sparse_rows_agree),
        cmocka_unit_test(test_bonds_penalty_interpolation),
        cmocka_unit_test(test_empty_subnet),
        cmocka_unit_test(test_mechanisms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
