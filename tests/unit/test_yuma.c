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
    uint16_t srv[3] = {0};
    for (uint16_t k = 0; k < t->nsrv; k++)
        srv[k] = (uint16_t)(3 + k);
    for (int round = 0; round < 6; round++) {
        int wr = round < 3 ? round : 3;
        if (round <= 3 || t->resend)
            for (uint16_t v = 0; v < 3; v++)
                chain_set_weights(&c, v, srv, t->w[wr][v], t->nsrv);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
