/* incentive/scenario: parsing (defaults, conversions, every bad field named),
 * the engine's chain bookkeeping cross-checked against cov_yuma_epoch run
 * by hand, subtensor's own test numbers replayed as scenarios, and
 * determinism. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test_helpers.h"

#include "incentive/incentive.h"

/* JSON written with single quotes (readable in C), turned into JSON. */
static json_t *sq_json(const char *sq)
{
    char *text = strdup(sq);
    assert_non_null(text);
    for (char *p = text; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_error_t jerr;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        fail_msg("bad test JSON: %s: %s", jerr.text, sq);
    free(text);
    return root;
}

static cov_status parse_sq(cov_scenario **out, const char *sq, cov_err *err)
{
    json_t *root = sq_json(sq);
    cov_status st = cov_scenario_parse(out, root, err);
    json_decref(root);
    return st;
}

static cov_scenario *parse_ok(const char *sq)
{
    cov_scenario *sc = NULL;
    cov_err err = {0};
    if (parse_sq(&sc, sq, &err) != COV_OK)
        fail_msg("parse failed: %s", err.msg);
    return sc;
}

static cov_scenario *load_example(const char *name)
{
    const char *vectors = getenv("COVENANT_TEST_VECTORS");
    char path[1024];
    snprintf(path, sizeof path, "%s/../../docs/examples/%s", vectors ? vectors : "tests/vectors",
             name);
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        fail_msg("%s: %s", path, jerr.text);
    cov_scenario *sc = NULL;
    cov_err err = {0};
    if (cov_scenario_parse(&sc, root, &err) != COV_OK)
        fail_msg("%s: %s", path, err.msg);
    json_decref(root);
    return sc;
}

static void run_ok(cov_sim_result *r, const cov_scenario *sc)
{
    cov_sim_options opt = {.keep_bonds = true};
    cov_err err = {0};
    if (cov_sim_run(r, sc, &opt, &err) != COV_OK)
        fail_msg("run failed: %s", err.msg);
}

/* ---------------------------------------------------------------- parse */

static void test_defaults(void **state)
{
    (void)state;
    cov_scenario *sc = parse_ok("{'epochs': 3, 'neurons': [{'hotkey': 'a', 'stake': 1.5}]}");
    assert_int_equal(sc->tempo, 360);
    assert_int_equal(sc->kappa, 32767);
    assert_int_equal(sc->bonds_penalty, 65535);
    assert_int_equal(sc->bonds_moving_average, 900000);
    assert_true(sc->yuma3);
    assert_false(sc->liquid_alpha);
    assert_int_equal(sc->alpha_low, 45875);
    assert_int_equal(sc->alpha_high, 58982);
    assert_int_equal(sc->alpha_sigmoid_steepness, 1000);
    assert_int_equal(sc->max_allowed_validators, 64);
    assert_int_equal(sc->activity_cutoff, 5000); /* 13889 * 360 / 1000 */
    assert_int_equal(sc->stake_threshold, 0);
    assert_true(sc->tao_weight == COV_SCENARIO_DEFAULT_TAO_WEIGHT);
    assert_int_equal(sc->owner_uid, COV_YUMA_NO_OWNER);
    assert_int_equal(sc->n, 1);
    assert_int_equal(sc->epoch_interval, 360);
    assert_int_equal(sc->epochs, 3);
    assert_int_equal(sc->emission, 360 * (1000000000ull * 53739 / 65535));
    assert_int_equal(sc->n_events, 1);
    assert_int_equal(sc->events[0].kind, COV_SCENARIO_REGISTER);
    assert_int_equal(sc->events[0].alpha_stake, 1500000000);
    assert_string_equal(sc->events[0].hotkey, "a");
    assert_string_equal(sc->name, "");
    cov_scenario_free(sc);
}

static void test_conversions(void **state)
{
    (void)state;
    cov_scenario *sc = parse_ok(
        "{'name': 'x', 'n': 4, 'epochs': 2, 'owner_uid': 0, 'emission_per_epoch': 0.5,"
        " 'hyperparameters': {'tempo': 100, 'activity_cutoff': 7, 'tao_weight': 0.5,"
        "   'stake_threshold': 2, 'alpha_sigmoid_steepness': -5, 'bonds_moving_average': 1e6},"
        " 'neurons': [{'hotkey': 'v', 'stake': 10, 'root_stake': 0.000000001}, {'hotkey': 'm'}],"
        " 'timeline': [{'block': 5, 'event': 'weights', 'uid': 0, 'weights': {'1': 0.75, '0': 0.25}},"
        "   {'block': 6, 'event': 'weights', 'uid': 0, 'weights': {'1': 3, '0': 0}, 'every': 50},"
        "   {'block': 7, 'event': 'weights', 'uid': 1, 'copy': 0},"
        "   {'block': 8, 'event': 'stake', 'uid': 0, 'add': -2.5}]}");
    assert_string_equal(sc->name, "x");
    assert_int_equal(sc->activity_cutoff, 7);
    assert_int_equal(sc->activity_cutoff_factor_milli, 0);
    assert_true(sc->tao_weight == 1ull << 63);
    assert_int_equal(sc->stake_threshold, 2000000000);
    assert_int_equal(sc->alpha_sigmoid_steepness, -5);
    assert_int_equal(sc->bonds_moving_average, 1000000);
    assert_int_equal(sc->emission, 500000000);
    assert_int_equal(sc->owner_uid, 0);
    assert_int_equal(sc->epoch_interval, 100);
    assert_int_equal(sc->events[0].root_stake, 1);
    /* fractions: the SDK's max-upscale, sorted by uid */
    const cov_scenario_event *w = &sc->events[2];
    assert_int_equal(w->weights_len, 2);
    assert_int_equal(w->weights[0].uid, 0);
    assert_int_equal(w->weights[0].value, 21845);
    assert_int_equal(w->weights[1].uid, 1);
    assert_int_equal(w->weights[1].value, 65535);
    /* u16s as submitted, explicit zeros kept */
    w = &sc->events[3];
    assert_int_equal(w->weights_len, 2);
    assert_int_equal(w->weights[0].value, 0);
    assert_int_equal(w->weights[1].value, 3);
    assert_int_equal(w->every, 50);
    assert_int_equal(sc->events[4].copy_from, 0);
    assert_true(sc->events[5].add);
    assert_int_equal(sc->events[5].alpha_delta, -2500000000);
    cov_scenario_free(sc);
}

/* Each bad document, and the start of the message it must give. */
static const struct {
    const char *json;
    const char *message;
} bad[] = {
    {"[]", "a scenario must be a JSON object, got an array"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'epoch': 2}", "epoch: unknown field"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'hyperparameters': {'kapa': 1}}",
     "hyperparameters.kapa: unknown field"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'hyperparameters': {'kappa': 70000}}",
     "hyperparameters.kappa: must be 0..65535, got 70000"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'hyperparameters': {'kappa': '1'}}",
     "hyperparameters.kappa: must be an integer, got a string"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'hyperparameters': {'kappa': 0.5}}",
     "hyperparameters.kappa: must be a whole number, got 0.5"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'hyperparameters': {'tempo': 0}}",
     "hyperparameters.tempo: must be 1..65535, got 0"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'hyperparameters': {'yuma3': 1}}",
     "hyperparameters.yuma3: must be true or false, got an integer"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'hyperparameters': {'bonds_moving_average': 1000001}}",
     "hyperparameters.bonds_moving_average: must be 0..1000000, got 1000001"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'hyperparameters': {'alpha_low': 100}}",
     "hyperparameters.alpha_low: must be 1638..alpha_high"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'hyperparameters': {'alpha_high': 1000}}",
     "hyperparameters.alpha_high: must be at least 1638"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'hyperparameters': {'alpha_sigmoid_steepness': 40000}}",
     "hyperparameters.alpha_sigmoid_steepness: must be -32768..32767, got 40000"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'hyperparameters': {'tao_weight': 1.5}}",
     "hyperparameters.tao_weight: must be in [0, 1], got 1.5"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'hyperparameters': {'stake_threshold': -1}}",
     "hyperparameters.stake_threshold: must be 0..1000000000 TAO, got -1"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'hyperparameters': {'activity_cutoff': 5, "
     "'activity_cutoff_factor_milli': 5}}",
     "hyperparameters: give activity_cutoff_factor_milli"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'hyperparameters': []}",
     "hyperparameters: must be an object, got an array"},
    {"{'neurons': [{'hotkey': 'a'}]}", "epochs: missing"},
    {"{'epochs': 0, 'neurons': [{'hotkey': 'a'}]}", "epochs: must be 1..100000, got 0"},
    {"{'epochs': 100000, 'n': 4096}", "epochs: 100000 epochs of 4096 uids"},
    {"{'epochs': 1}", "n: missing"},
    {"{'epochs': 1, 'n': 0}", "n: must be 1..4096, got 0"},
    {"{'epochs': 1, 'neurons': {}}", "neurons: must be an array, got an object"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}, {'stake': 1}]}", "neurons[1].hotkey: missing"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a b'}]}", "neurons[0].hotkey: use 1..32 letters"},
    {"{'epochs': 1, 'neurons': [{'hotkey': ''}]}", "neurons[0].hotkey: use 1..32 letters"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a', 'stake': '10'}]}",
     "neurons[0].stake: must be a number of TAO, got a string"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a', 'stake': 2e9}]}",
     "neurons[0].stake: must be 0..1000000000 TAO, got 2e+09"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a', 'weights': {}}]}",
     "neurons[0].weights: unknown field"},
    {"{'epochs': 1, 'n': 1, 'neurons': [{'hotkey': 'a'}, {'hotkey': 'b'}]}",
     "neurons: 2 neurons do not fit in n = 1 uid slots"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}, {'hotkey': 'a'}]}",
     "neurons[1].hotkey: \"a\" already holds uid 0"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'owner_uid': 1}", "owner_uid: must be 0..0, got 1"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'emission_per_epoch': 1, "
     "'emission_per_epoch_rao': 1}",
     "emission_per_epoch: give emission_per_epoch (alpha) or emission_per_epoch_rao, not both"},
    {"{'epochs': 1000, 'neurons': [{'hotkey': 'a'}], 'emission_per_epoch': 1e8}",
     "emission_per_epoch: 100000000000000000 rao per epoch over 1000 epochs"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': 3}",
     "timeline: must be an array, got an integer"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [3]}",
     "timeline[0]: must be an object, got an integer"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1}]}",
     "timeline[0].event: missing"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1, 'event': 'vote'}]}",
     "timeline[0].event: must be register, stake, weights or epoch, got \"vote\""},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'event': 'epoch'}]}",
     "timeline[0].block: missing"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': -1, 'event': 'epoch'}]}",
     "timeline[0].block: must be 0..1000000000000, got -1"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1, 'event': 'weights', "
     "'weights': {}}]}",
     "timeline[0].uid: missing"},
    /* the example from the format's documentation */
    {"{'epochs': 1, 'n': 8, 'neurons': [{'hotkey': 'a'}], 'timeline': ["
     "{'block': 1, 'event': 'register', 'uid': 1, 'hotkey': 'b'},"
     "{'block': 1, 'event': 'register', 'uid': 2, 'hotkey': 'c'},"
     "{'block': 1, 'event': 'stake', 'uid': 2, 'stake': 3},"
     "{'block': 2, 'event': 'weights', 'uid': 0, 'weights': {'2': 1, '7': 70000}}]}",
     "timeline[3].weights.7: weight must be 0..65535, got 70000"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1, 'event': 'weights', "
     "'uid': 0, 'weights': {'x': 1}}]}",
     "timeline[0].weights.x: keys are uids 0..65535, got \"x\""},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1, 'event': 'weights', "
     "'uid': 0, 'weights': {'01': 1}}]}",
     "timeline[0].weights.01: keys are uids"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1, 'event': 'weights', "
     "'uid': 0, 'weights': {'0': 'high'}}]}",
     "timeline[0].weights.0: weight must be a number, got a string"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1, 'event': 'weights', "
     "'uid': 0, 'weights': {'0': -0.5}}]}",
     "timeline[0].weights.0: weight must be a number >= 0, got -0.5"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1, 'event': 'weights', "
     "'uid': 0, 'weights': [1]}]}",
     "timeline[0].weights: must be an object"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}, {'hotkey': 'b'}], 'timeline': [{'block': 1, "
     "'event': 'weights', 'uid': 0, 'weights': {'5': 1}}]}",
     "timeline[0].weights.5: uid 5 is not registered at block 1 (uids 0..1 are)"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1, 'event': 'weights', "
     "'uid': 0, 'weights': {}, 'copy': 0}]}",
     "timeline[0]: a \"weights\" event needs"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1, 'event': 'weights', "
     "'uid': 0}]}",
     "timeline[0]: a \"weights\" event needs"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1, 'event': 'weights', "
     "'uid': 0, 'copy': 9}]}",
     "timeline[0].copy: uid 9 is not registered at block 1 (uids 0..0 are)"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1, 'event': 'weights', "
     "'uid': 0, 'copy': 0, 'every': 0}]}",
     "timeline[0].every: must be 1..1000000000000, got 0"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1, 'event': 'weights', "
     "'uid': 0, 'copy': 0, 'hotkey': 'a'}]}",
     "timeline[0].hotkey: unknown field (known here: block, event, uid, weights, copy, every)"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1, 'event': 'weights', "
     "'uid': 3, 'copy': 0}]}",
     "timeline[0].uid: uid 3 is not registered at block 1"},
    {"{'epochs': 1, 'n': 9, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1, 'event': "
     "'register', 'uid': 5, 'hotkey': 'b'}]}",
     "timeline[0].uid: 5 is not the next free uid (1)"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1, 'event': "
     "'register', 'uid': 1, 'hotkey': 'b'}]}",
     "timeline[0].uid: all n = 1 uid slots are taken"},
    {"{'epochs': 1, 'owner_uid': 0, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1, "
     "'event': 'register', 'uid': 0, 'hotkey': 'b'}]}",
     "timeline[0].uid: uid 0 holds the subnet owner's hotkey"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1, 'event': "
     "'register', 'uid': 0, 'hotkey': 'a'}]}",
     "timeline[0].hotkey: \"a\" already holds uid 0"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1, 'event': "
     "'register', 'uid': 0}]}",
     "timeline[0].hotkey: missing"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a', 'stake': 1}], 'timeline': [{'block': 1, "
     "'event': 'stake', 'uid': 0, 'add': -2}]}",
     "timeline[0].add: uid 0 has 1.000000000 staked; cannot remove 2.000000000"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1, 'event': 'stake', "
     "'uid': 0, 'add': 1, 'stake': 1}]}",
     "timeline[0]: give \"stake\""},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1, 'event': 'stake', "
     "'uid': 0}]}",
     "timeline[0]: a \"stake\" event needs"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 1, 'event': 'stake', "
     "'uid': 1, 'stake': 1}]}",
     "timeline[0].uid: uid 1 is not registered at block 1 (uids 0..0 are)"},
    {"{'epochs': 1, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 10, 'event': 'stake', "
     "'uid': 0, 'stake': 1}, {'block': 5, 'event': 'stake', 'uid': 0, 'stake': 2}]}",
     "timeline[1].block: 5 comes before the previous event's block 10"},
    {"{'epochs': 2, 'neurons': [{'hotkey': 'a'}], 'timeline': [{'block': 720, 'event': 'stake', "
     "'uid': 0, 'stake': 1}]}",
     "timeline[0]: block 720 is after the run's last epoch (block 720)"},
    {"{'epochs': 1, 'epoch_interval': 0, 'neurons': [{'hotkey': 'a'}]}",
     "epoch_interval: is 0 (no scheduled epochs)"},
    {"{'epochs': 3, 'epoch_interval': 0, 'neurons': [{'hotkey': 'a'}], 'timeline': "
     "[{'block': 1, 'event': 'epoch'}]}",
     "epochs: is 3, but with epoch_interval 0 only the timeline's 1 \"epoch\" events run"},
    {"{'epochs': 1, 'epoch_interval': 0, 'neurons': [{'hotkey': 'a'}], 'timeline': "
     "[{'block': 1, 'event': 'epoch', 'uid': 0}]}",
     "timeline[0].uid: unknown field"},
};

static void test_bad_files(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cov_scenario *sc = (cov_scenario *)1;
        cov_err err = {0};
        cov_status st = parse_sq(&sc, bad[i].json, &err);
        if (st == COV_OK)
            fail_msg("case %zu parsed: %s", i, bad[i].json);
        assert_null(sc);
        if (strncmp(err.msg, bad[i].message, strlen(bad[i].message)) != 0)
            fail_msg("case %zu: got \"%s\", want \"%s...\"", i, err.msg, bad[i].message);
        assert_true(st == COV_ERR_PARSE || st == COV_ERR_TOO_BIG);
    }
}

/* ------------------------------------------------- chain bookkeeping */

/* A scenario exercising fractions, copies, repeats, a stake change, a
 * replaced uid and liquid alpha; epochs at blocks 10, 20, 30, 40. */
static const char *tiny =
    "{'n': 5, 'epochs': 4, 'emission_per_epoch_rao': 1000000000,"
    " 'hyperparameters': {'tempo': 10, 'yuma3': true, 'liquid_alpha': true, 'alpha_low': 6553,"
    "   'alpha_high': 19660, 'bonds_moving_average': 975000, 'bonds_penalty': 0,"
    "   'max_allowed_validators': 3, 'tao_weight': 0},"
    " 'neurons': [{'hotkey': 'v0', 'stake': 8}, {'hotkey': 'v1', 'stake': 1},"
    "   {'hotkey': 'v2', 'stake': 1}, {'hotkey': 'm3'}, {'hotkey': 'm4'}],"
    " 'timeline': ["
    "  {'block': 1, 'event': 'weights', 'uid': 0, 'weights': {'3': 65535, '4': 0}, 'every': 10},"
    "  {'block': 1, 'event': 'weights', 'uid': 1, 'weights': {'4': 0.5, '3': 0.5}},"
    "  {'block': 2, 'event': 'weights', 'uid': 2, 'copy': 0},"
    "  {'block': 15, 'event': 'stake', 'uid': 1, 'add': 2},"
    "  {'block': 15, 'event': 'weights', 'uid': 0, 'weights': {'3': 0, '4': 65535}, 'every': 10},"
    "  {'block': 22, 'event': 'register', 'uid': 4, 'hotkey': 'm4b'},"
    "  {'block': 25, 'event': 'weights', 'uid': 1, 'weights': {'3': 1, '4': 3}}]}";

typedef struct {
    cov_yuma_entry e[5];
    uint32_t len;
} hand_row;

static void set_row(hand_row *r, uint32_t len, const cov_yuma_entry *e)
{
    memcpy(r->e, e, len * sizeof *e);
    r->len = len;
}

/* What the chain would store, kept by hand, epoch by epoch. */
static void test_cross_check(void **state)
{
    (void)state;
    cov_scenario *sc = parse_ok(tiny);
    cov_sim_result res;
    run_ok(&res, sc);
    assert_int_equal(res.n_epochs, 4);

    uint64_t alpha[5] = {8000000000, 1000000000, 1000000000, 0, 0}, root[5] = {0};
    uint64_t lu[5] = {1, 1, 2, 0, 0}, reg[5] = {0};
    bool permit[5] = {false};
    hand_row w[5] = {0}, b[5] = {0};
    set_row(&w[0], 2, (cov_yuma_entry[]){{3, 65535}, {4, 0}});
    set_row(&w[1], 2, (cov_yuma_entry[]){{3, 65535}, {4, 65535}});
    set_row(&w[2], 2, (cov_yuma_entry[]){{3, 65535}, {4, 0}});
    uint64_t last_step = 0;
    cov_yuma_output out;
    cov_yuma_output_init(&out);
    const char *hotkeys[5] = {"v0", "v1", "v2", "m3", "m4"};
    for (uint32_t e = 0; e < 4; e++) {
        uint64_t block = 10 * (e + 1);
        /* the events between the previous epoch and this one */
        if (e == 1) {
            lu[0] = 15;
            set_row(&w[0], 2, (cov_yuma_entry[]){{3, 0}, {4, 65535}});
            alpha[1] = 3000000000;
        } else if (e == 2) {
            /* block 22: uid 4 replaced (clear_neuron), block 25: repeat, new row */
            for (int i = 0; i < 5; i++)
                for (uint32_t k = 0; k < w[i].len; k++)
                    if (w[i].e[k].uid == 4)
                        w[i].e[k].value = 0;
            b[4].len = 0;
            permit[4] = false;
            reg[4] = lu[4] = 22;
            hotkeys[4] = "m4b";
            set_row(&w[0], 2, (cov_yuma_entry[]){{3, 0}, {4, 65535}});
            lu[0] = 25;
            set_row(&w[1], 2, (cov_yuma_entry[]){{3, 21845}, {4, 65535}});
            lu[1] = 25;
        } else if (e == 3) {
            lu[0] = 35;
        }
        cov_yuma_row wr[5], br[5];
        for (int i = 0; i < 5; i++) {
            wr[i] = (cov_yuma_row){w[i].e, w[i].len};
            br[i] = (cov_yuma_row){b[i].e, b[i].len};
        }
        cov_yuma_input in = {
            .n = 5, .current_block = block, .tempo = 10, .activity_cutoff = 138,
            .last_update = lu, .last_update_len = 5, .block_at_registration = reg,
            .alpha_stake = alpha, .root_stake = root, .tao_weight = 0, .stake_threshold = 0,
            .owner_uid = COV_YUMA_NO_OWNER, .validator_permit = permit,
            .validator_permit_len = 5, .max_allowed_validators = 3, .weights = wr, .bonds = br,
            .kappa = 32767, .bonds_penalty = 0, .bonds_moving_average = 975000, .yuma3 = true,
            .liquid_alpha = true, .alpha_low = 6553, .alpha_high = 19660,
            .alpha_sigmoid_steepness = 1000, .last_mechanism_step_block = last_step,
            .rao_emission = 1000000000};
        assert_int_equal(cov_yuma_epoch(&out, &in, NULL), COV_OK);
        const cov_sim_epoch *ep = &res.epochs[e];
        assert_int_equal(ep->block, block);
        assert_int_equal(ep->n, 5);
        for (int i = 0; i < 5; i++) {
            const cov_sim_uid *u = &ep->uids[i];
            assert_string_equal(u->hotkey, hotkeys[i]);
            assert_int_equal(u->alpha_stake, alpha[i]);
            assert_int_equal(u->last_update, lu[i]);
            assert_int_equal(u->registered_at, reg[i]);
            assert_int_equal(u->stake, out.stake[i]);
            assert_int_equal(u->stake_weight, out.stake_weight[i]);
            assert_int_equal(u->consensus, out.consensus[i]);
            assert_int_equal(u->incentive, out.incentive[i]);
            assert_int_equal(u->dividends, out.dividends[i]);
            assert_int_equal(u->validator_trust, out.validator_trust[i]);
            assert_int_equal(u->active, out.active[i]);
            assert_int_equal(u->validator_permit, out.new_validator_permit[i]);
            assert_int_equal(u->emission, out.emission[i]);
            assert_int_equal(u->server_emission, out.server_emission[i]);
            assert_int_equal(u->validator_emission, out.validator_emission[i]);
            assert_int_equal(u->bonds_len, out.bonds[i].len);
            if (u->bonds_len)
                assert_memory_equal(cov_sim_bonds(&res, u), out.bonds[i].entries,
                                    u->bonds_len * sizeof(cov_yuma_entry));
            /* what the next epoch reads */
            permit[i] = out.new_validator_permit[i];
            set_row(&b[i], out.bonds[i].len, out.bonds[i].entries);
        }
        last_step = block;
    }
    /* the run did something: validators hold bonds, miners earned */
    assert_true(res.epochs[3].uids[0].bonds_len > 0);
    assert_true(res.epochs[3].uids[4].emission > 0);
    cov_yuma_output_free(&out);
    cov_sim_result_free(&res);
    cov_scenario_free(sc);
}

/* ------------------------------------- subtensor's tests as scenarios */

/* epoch.rs test_active_stake (shared/reference/subtensor.md 2.2). */
static void test_chain_active_stake(void **state)
{
    (void)state;
    cov_scenario *sc = parse_ok(
        "{'n': 4, 'epoch_interval': 0, 'emission_per_epoch_rao': 1000000000,"
        " 'hyperparameters': {'tempo': 1, 'yuma3': false, 'tao_weight': 0,"
        "   'max_allowed_validators': 4},"
        " 'neurons': [{'hotkey': 'a', 'stake': 1e-9}, {'hotkey': 'b', 'stake': 1e-9},"
        "   {'hotkey': 'c', 'stake': 1e-9}, {'hotkey': 'd', 'stake': 1e-9}],"
        " 'timeline': [{'block': 0, 'event': 'epoch'},"
        "  {'block': 1, 'event': 'weights', 'uid': 0, 'weights': {'2': 32767, '3': 32767}},"
        "  {'block': 1, 'event': 'weights', 'uid': 1, 'weights': {'2': 32767, '3': 32767}},"
        "  {'block': 1, 'event': 'epoch'},"
        "  {'block': 5002, 'event': 'weights', 'uid': 0, 'weights': {'2': 32767, '3': 32767}},"
        "  {'block': 5002, 'event': 'epoch'},"
        "  {'block': 5002, 'event': 'weights', 'uid': 1, 'weights': {'2': 32767, '3': 32767}},"
        "  {'block': 5003, 'event': 'epoch'}]}");
    cov_sim_result r;
    run_ok(&r, sc);
    assert_int_equal(r.n_epochs, 4);
    const cov_sim_uid *u = r.epochs[1].uids;
    assert_int_equal(u[0].dividends, 32767);
    assert_int_equal(u[1].dividends, 32767);
    for (int i = 0; i < 4; i++)
        assert_int_equal(u[i].emission, 250000000);
    for (int v = 0; v < 2; v++) {
        assert_int_equal(u[v].bonds_len, 2);
        assert_int_equal(cov_sim_bonds(&r, &u[v])[0].value, 65535);
        assert_int_equal(cov_sim_bonds(&r, &u[v])[1].value, 65535);
    }
    u = r.epochs[2].uids;
    assert_int_equal(u[0].dividends, 36044);
    assert_int_equal(u[0].emission, 274999999);
    assert_int_equal(u[1].dividends, 29490);
    assert_int_equal(u[1].emission, 224999999);
    assert_int_equal(cov_sim_bonds(&r, &u[1])[0].value, 53619);
    u = r.epochs[3].uids;
    const uint64_t e3[4] = {272501132, 227498866, 250000000, 250000000};
    assert_int_equal(u[0].dividends, 35716);
    assert_int_equal(u[1].dividends, 29818);
    for (int i = 0; i < 4; i++)
        assert_int_equal(u[i].emission, e3[i]);
    assert_int_equal(cov_sim_bonds(&r, &u[0])[0].value, 65535);
    assert_int_equal(cov_sim_bonds(&r, &u[1])[0].value, 54712);
    cov_sim_result_free(&r);
    cov_scenario_free(sc);
}

/* epoch.rs test_bonds, its first two weighted epochs (reference 2.1). */
static void test_chain_bonds(void **state)
{
    (void)state;
    cov_scenario *sc = parse_ok(
        "{'n': 8, 'epoch_interval': 0, 'emission_per_epoch_rao': 1000000000,"
        " 'hyperparameters': {'tempo': 1, 'yuma3': false, 'tao_weight': 0,"
        "   'max_allowed_validators': 8, 'bonds_penalty': 65535},"
        " 'timeline': ["
        "  {'block': 1, 'event': 'register', 'uid': 0, 'hotkey': 'v0', 'stake': 1e-9},"
        "  {'block': 1, 'event': 'register', 'uid': 1, 'hotkey': 'v1', 'stake': 2e-9},"
        "  {'block': 1, 'event': 'register', 'uid': 2, 'hotkey': 'v2', 'stake': 3e-9},"
        "  {'block': 1, 'event': 'register', 'uid': 3, 'hotkey': 'v3', 'stake': 4e-9},"
        "  {'block': 1, 'event': 'register', 'uid': 4, 'hotkey': 's4'},"
        "  {'block': 1, 'event': 'register', 'uid': 5, 'hotkey': 's5'},"
        "  {'block': 1, 'event': 'register', 'uid': 6, 'hotkey': 's6'},"
        "  {'block': 1, 'event': 'register', 'uid': 7, 'hotkey': 's7'},"
        "  {'block': 1, 'event': 'epoch'},"
        "  {'block': 2, 'event': 'weights', 'uid': 0, 'weights': {'4': 16383, '5': 32767, '6': 49149, '7': 65535}},"
        "  {'block': 2, 'event': 'weights', 'uid': 1, 'weights': {'4': 16383, '5': 32767, '6': 49149, '7': 65535}},"
        "  {'block': 2, 'event': 'weights', 'uid': 2, 'weights': {'4': 16383, '5': 32767, '6': 49149, '7': 65535}},"
        "  {'block': 2, 'event': 'weights', 'uid': 3, 'weights': {'4': 16383, '5': 32767, '6': 49149, '7': 65535}},"
        "  {'block': 2, 'event': 'epoch'},"
        "  {'block': 2, 'event': 'weights', 'uid': 0, 'weights': {'0': 65535}},"
        "  {'block': 3, 'event': 'epoch'}]}");
    cov_sim_result r;
    run_ok(&r, sc);
    assert_int_equal(r.n_epochs, 3);
    const uint64_t e2[8] = {49999998, 99999999, 150000000, 200000001,
                            49998779, 100000610, 149996337, 200004272};
    const uint64_t e3[8] = {44998351, 101110561, 151667215, 202223870,
                            49998779, 100000610, 149996337, 200004272};
    const uint16_t b2[4] = {16383, 32767, 49151, 65535}, b3[4] = {14582, 32767, 49151, 65535};
    for (int i = 0; i < 8; i++) {
        assert_int_equal(r.epochs[1].uids[i].emission, e2[i]);
        assert_int_equal(r.epochs[2].uids[i].emission, e3[i]);
    }
    for (int v = 0; v < 4; v++) {
        const cov_sim_uid *u2 = &r.epochs[1].uids[v], *u3 = &r.epochs[2].uids[v];
        assert_int_equal(cov_sim_bonds(&r, u2)[0].uid, 4);
        assert_int_equal(cov_sim_bonds(&r, u2)[0].value, b2[v]);
        assert_int_equal(cov_sim_bonds(&r, u3)[0].uid, 4);
        assert_int_equal(cov_sim_bonds(&r, u3)[0].value, b3[v]);
    }
    cov_sim_result_free(&r);
    cov_scenario_free(sc);
}

/* ---------------------------------------------------- examples, determinism */

static void assert_same_results(const cov_sim_result *a, const cov_sim_result *b)
{
    assert_int_equal(a->n_epochs, b->n_epochs);
    assert_int_equal(a->n_rows, b->n_rows);
    assert_int_equal(a->n_bond_entries, b->n_bond_entries);
    for (size_t i = 0; i < a->n_rows; i++) {
        const cov_sim_uid *x = &a->rows[i], *y = &b->rows[i];
        assert_string_equal(x->hotkey, y->hotkey);
        assert_true(x->stake == y->stake && x->stake_weight == y->stake_weight &&
                    x->consensus == y->consensus && x->incentive == y->incentive &&
                    x->dividends == y->dividends && x->validator_trust == y->validator_trust &&
                    x->active == y->active && x->validator_permit == y->validator_permit &&
                    x->emission == y->emission && x->server_emission == y->server_emission &&
                    x->validator_emission == y->validator_emission &&
                    x->bonds_off == y->bonds_off && x->bonds_len == y->bonds_len);
    }
    if (a->n_bond_entries)
        assert_memory_equal(a->bond_entries, b->bond_entries,
                            a->n_bond_entries * sizeof(cov_yuma_entry));
}

static void test_examples_deterministic(void **state)
{
    (void)state;
    cov_scenario *s2 = load_example("subnet-yuma2.json");
    cov_scenario *s3 = load_example("subnet-yuma3.json");
    cov_scenario *s3b = load_example("subnet-yuma3.json");
    assert_false(s2->yuma3);
    assert_true(s3->yuma3 && s3->liquid_alpha);
    cov_sim_result r2, r3, r3b;
    run_ok(&r2, s2);
    run_ok(&r3, s3);
    run_ok(&r3b, s3b);
    assert_same_results(&r3, &r3b);
    assert_int_equal(r2.n_epochs, 30);
    /* incentive does not depend on bonds: miners earn the same in both;
     * validators' dividends differ */
    uint64_t miners2 = 0, miners3 = 0, all2 = 0, all3 = 0;
    bool validators_differ = false;
    for (size_t i = 0; i < r2.n_rows; i++) {
        assert_int_equal(r2.rows[i].server_emission, r3.rows[i].server_emission);
        miners2 += r2.rows[i].server_emission;
        miners3 += r3.rows[i].server_emission;
        all2 += r2.rows[i].emission;
        all3 += r3.rows[i].emission;
        validators_differ |= r2.rows[i].validator_emission != r3.rows[i].validator_emission;
    }
    assert_int_equal(miners2, miners3);
    assert_true(validators_differ);
    /* everything emitted, to within the chain's flooring: shares have 32
     * fraction bits, so each uid loses under emission / 2^32 + 1 rao */
    uint64_t due = 30 * s2->emission, slack = 30 * 16 * (s2->emission / 4294967296u + 1);
    assert_true(all2 <= due && all2 + slack >= due);
    assert_true(all3 <= due && all3 + slack >= due);
    /* the replaced miner: a new hotkey from epoch 16 on */
    assert_string_equal(r3.epochs[14].uids[11].hotkey, "miner-11");
    assert_string_equal(r3.epochs[15].uids[11].hotkey, "miner-11b");
    assert_int_equal(r3.epochs[15].uids[11].registered_at, 5410);
    cov_sim_result_free(&r2);
    cov_sim_result_free(&r3);
    cov_sim_result_free(&r3b);
    cov_scenario_free(s2);
    cov_scenario_free(s3);
    cov_scenario_free(s3b);
}

/* Progress reports every epoch, and a run without keep_bonds keeps none. */
static void count_epochs(void *ctx, uint32_t done, uint32_t total, uint64_t block)
{
    uint32_t *calls = ctx;
    assert_int_equal(done, *calls + 1);
    assert_int_equal(total, 4);
    assert_int_equal(block, 10ull * done);
    (*calls)++;
}

static void test_progress_no_bonds(void **state)
{
    (void)state;
    cov_scenario *sc = parse_ok(tiny);
    uint32_t calls = 0;
    cov_sim_options opt = {.progress = count_epochs, .progress_ctx = &calls};
    cov_sim_result r;
    assert_int_equal(cov_sim_run(&r, sc, &opt, NULL), COV_OK);
    assert_int_equal(calls, 4);
    assert_null(r.bond_entries);
    for (size_t i = 0; i < r.n_rows; i++)
        assert_int_equal(r.rows[i].bonds_len, 0);
    cov_sim_result_free(&r);
    cov_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_conversions),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_cross_check),
        cmocka_unit_test(test_chain_active_stake),
        cmocka_unit_test(test_chain_bonds),
        cmocka_unit_test(test_examples_deterministic),
        cmocka_unit_test(test_progress_no_bonds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
