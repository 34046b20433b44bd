/* A scenario document: top-level fields, hyperparameters (with the chain's
 * defaults for a new subnet), the initial neurons, the timeline. Defaults
 * are shared/reference/subtensor.md Appendix A, as init_new_network leaves
 * them (Yuma 3 on, 64 validators). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "incentive/scenario_internal.h"

void cov_scenario_free(cov_scenario *sc)
{
    if (sc == NULL)
        return;
    for (size_t i = 0; i < sc->n_events; i++)
        free(sc->events[i].weights);
    free(sc->events);
    free(sc->name);
    free(sc->description);
    free(sc);
}

static char *dup_or_empty(const char *s)
{
    s = s ? s : "";
    size_t len = strlen(s);
    char *d = malloc(len + 1);
    if (d)
        memcpy(d, s, len + 1);
    return d;
}

static const char *const known_top[] = {
    "name",          "description", "n",               "epochs",
    "epoch_interval", "owner_uid",  "emission_per_epoch", "emission_per_epoch_rao",
    "hyperparameters", "neurons",   "timeline",        NULL};

static const char *const known_hyper[] = {
    "tempo", "kappa", "bonds_penalty", "bonds_moving_average", "yuma3", "liquid_alpha",
    "alpha_low", "alpha_high", "alpha_sigmoid_steepness", "max_allowed_validators",
    "activity_cutoff_factor_milli", "activity_cutoff", "stake_threshold", "tao_weight", NULL};

static void set_defaults(cov_scenario *sc)
{
    sc->tempo = 360;
    sc->kappa = 32767;
    sc->bonds_penalty = 65535;
    sc->bonds_moving_average = 900000;
    sc->yuma3 = true;
    sc->liquid_alpha = false;
    sc->alpha_low = 45875;
    sc->alpha_high = 58982;
    sc->alpha_sigmoid_steepness = 1000;
    sc->max_allowed_validators = 64;
    sc->activity_cutoff_factor_milli = 13889;
    sc->stake_threshold = 0;
    sc->tao_weight = COV_SCENARIO_DEFAULT_TAO_WEIGHT;
    sc->owner_uid = COV_YUMA_NO_OWNER;
}

/* Sets *cutoff_blocks when activity_cutoff (blocks) was given. */
static cov_status parse_hyper(cov_scenario *sc, const json_t *h, bool *cutoff_blocks,
                              cov_err *err)
{
    const char *p = "hyperparameters";
    if (!json_is_object(h))
        return sc_fail(err, COV_ERR_PARSE, p, "must be an object, got %s", sc_json_kind(h));
    cov_status st = sc_known_fields(h, p, known_hyper, err);
    uint64_t u = 0;
    int64_t i = 0;
    bool have = false;
#define U16_FIELD(name, member, min)                                         \
    if (st == COV_OK) {                                                      \
        st = sc_uint(&u, &have, h, p, name, min, 65535, err);                \
        if (st == COV_OK && have)                                            \
            sc->member = (uint16_t)u;                                        \
    }
    U16_FIELD("tempo", tempo, 1)
    U16_FIELD("kappa", kappa, 0)
    U16_FIELD("bonds_penalty", bonds_penalty, 0)
    U16_FIELD("alpha_low", alpha_low, 0)
    U16_FIELD("alpha_high", alpha_high, 0)
    U16_FIELD("max_allowed_validators", max_allowed_validators, 1)
#undef U16_FIELD
    if (st == COV_OK)
        st = sc_uint(&sc->bonds_moving_average, NULL, h, p, "bonds_moving_average", 0, 1000000,
                     err);
    if (st == COV_OK)
        st = sc_bool(&sc->yuma3, NULL, h, p, "yuma3", err);
    if (st == COV_OK)
        st = sc_bool(&sc->liquid_alpha, NULL, h, p, "liquid_alpha", err);
    if (st == COV_OK) {
        st = sc_int(&i, &have, h, p, "alpha_sigmoid_steepness", INT16_MIN, INT16_MAX, err);
        if (st == COV_OK && have)
            sc->alpha_sigmoid_steepness = (int16_t)i;
    }
    bool have_factor = false, have_blocks = false;
    if (st == COV_OK) {
        st = sc_uint(&u, &have_factor, h, p, "activity_cutoff_factor_milli", 0, UINT32_MAX, err);
        if (st == COV_OK && have_factor)
            sc->activity_cutoff_factor_milli = (uint32_t)u;
    }
    if (st == COV_OK)
        st = sc_uint(&sc->activity_cutoff, &have_blocks, h, p, "activity_cutoff", 1,
                     1000000000000ull, err);
    if (st == COV_OK)
        st = sc_tao(&sc->stake_threshold, NULL, h, p, "stake_threshold", err);
    double tw = 0;
    if (st == COV_OK) {
        st = sc_fraction(&tw, &have, h, p, "tao_weight", err);
        /* TaoWeight is stored as fraction * u64::MAX */
        if (st == COV_OK && have)
            sc->tao_weight = tw >= 1 ? UINT64_MAX : (uint64_t)ldexp(tw, 64);
    }
    if (st != COV_OK)
        return st;
    if (have_factor && have_blocks)
        return sc_fail(err, COV_ERR_PARSE, p,
                       "give activity_cutoff_factor_milli (the chain's setting since spec 423) "
                       "or activity_cutoff (blocks), not both");
    if (have_blocks)
        sc->activity_cutoff_factor_milli = 0;
    *cutoff_blocks = have_blocks;
    /* do_set_alpha_values' rules (AlphaHighTooLow, AlphaLowOutOfRange) */
    if (sc->alpha_high < 1638)
        return sc_fail(err, COV_ERR_PARSE, "hyperparameters.alpha_high",
                       "must be at least 1638 (the chain refuses lower: AlphaHighTooLow), got %u",
                       sc->alpha_high);
    if (sc->alpha_low < 1638 || sc->alpha_low > sc->alpha_high)
        return sc_fail(err, COV_ERR_PARSE, "hyperparameters.alpha_low",
                       "must be 1638..alpha_high (%u) (AlphaLowOutOfRange), got %u",
                       sc->alpha_high, sc->alpha_low);
    return COV_OK;
}

static const char *const known_neuron[] = {"hotkey", "stake", "root_stake", NULL};

static cov_status parse_neuron(cov_scenario_event *ev, const json_t *v, size_t index,
                               cov_err *err)
{
    char prefix[SC_PATH_MAX];
    snprintf(prefix, sizeof prefix, "neurons[%zu]", index);
    memset(ev, 0, sizeof *ev);
    ev->kind = COV_SCENARIO_REGISTER;
    ev->uid = (uint16_t)index;
    ev->copy_from = -1;
    ev->from_neurons = true;
    ev->source_index = (uint32_t)index;
    ev->set_alpha = ev->set_root = true;
    if (!json_is_object(v))
        return sc_fail(err, COV_ERR_PARSE, prefix, "must be an object, got %s", sc_json_kind(v));
    cov_status st = sc_known_fields(v, prefix, known_neuron, err);
    if (st == COV_OK)
        st = sc_label(ev->hotkey, v, prefix, "hotkey", err);
    if (st == COV_OK)
        st = sc_tao(&ev->alpha_stake, NULL, v, prefix, "stake", err);
    if (st == COV_OK)
        st = sc_tao(&ev->root_stake, NULL, v, prefix, "root_stake", err);
    return st;
}

static cov_status array_field(const json_t **out, const json_t *root, const char *name,
                              cov_err *err)
{
    *out = json_object_get(root, name);
    if (*out == NULL || json_is_null(*out)) {
        *out = NULL;
        return COV_OK;
    }
    if (!json_is_array(*out))
        return sc_fail(err, COV_ERR_PARSE, name, "must be an array, got %s", sc_json_kind(*out));
    return COV_OK;
}

static cov_status parse_events(cov_scenario *sc, const json_t *neurons, const json_t *timeline,
                               cov_err *err)
{
    size_t nn = neurons ? json_array_size(neurons) : 0;
    size_t nt = timeline ? json_array_size(timeline) : 0;
    if (nn + nt > COV_SCENARIO_MAX_EVENTS)
        return sc_fail(err, COV_ERR_TOO_BIG, nt ? "timeline" : "neurons",
                       "%zu neurons and events; the simulator takes at most %d", nn + nt,
                       COV_SCENARIO_MAX_EVENTS);
    sc->events = calloc(nn + nt ? nn + nt : 1, sizeof *sc->events);
    if (sc->events == NULL)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < nn; i++) {
        cov_status st = parse_neuron(&sc->events[sc->n_events], json_array_get(neurons, i), i,
                                     err);
        sc->n_events++; /* counted even on failure: its weights (none) are freed */
        if (st != COV_OK)
            return st;
    }
    for (size_t i = 0; i < nt; i++) {
        char prefix[SC_PATH_MAX];
        snprintf(prefix, sizeof prefix, "timeline[%zu]", i);
        cov_scenario_event *ev = &sc->events[sc->n_events++];
        cov_status st = sc_parse_event(ev, json_array_get(timeline, i), prefix, err);
        ev->source_index = (uint32_t)i;
        if (st != COV_OK)
            return st;
    }
    return COV_OK;
}

/* n, epochs, the schedule and the emission, once the events are known. */
static cov_status parse_run(cov_scenario *sc, const json_t *root, size_t n_neurons, cov_err *err)
{
    uint64_t u = 0;
    bool have = false;
    cov_status st = sc_uint(&u, &have, root, "", "n", 1, COV_SCENARIO_MAX_UIDS, err);
    if (st != COV_OK)
        return st;
    if (!have && n_neurons == 0)
        return sc_fail(err, COV_ERR_PARSE, "n",
                       "missing (the number of uid slots; it defaults to the number of "
                       "\"neurons\", and there are none)");
    if (!have && n_neurons > COV_SCENARIO_MAX_UIDS)
        return sc_fail(err, COV_ERR_TOO_BIG, "neurons", "%zu neurons; at most %d", n_neurons,
                       COV_SCENARIO_MAX_UIDS);
    sc->n = (uint16_t)(have ? u : n_neurons);
    if (n_neurons > sc->n)
        return sc_fail(err, COV_ERR_PARSE, "neurons", "%zu neurons do not fit in n = %u uid slots",
                       n_neurons, sc->n);

    int64_t owner = 0;
    st = sc_int(&owner, &have, root, "", "owner_uid", 0, (int64_t)sc->n - 1, err);
    if (st != COV_OK)
        return st;
    if (have)
        sc->owner_uid = (int32_t)owner;

    sc->epoch_interval = sc->tempo; /* the stateful scheduler since spec 423 */
    st = sc_uint(&sc->epoch_interval, NULL, root, "", "epoch_interval", 0, 1000000, err);
    if (st != COV_OK)
        return st;

    uint32_t epoch_events = 0;
    for (size_t i = 0; i < sc->n_events; i++)
        epoch_events += sc->events[i].kind == COV_SCENARIO_EPOCH;
    bool have_epochs = false;
    st = sc_uint(&u, &have_epochs, root, "", "epochs", 1, COV_SCENARIO_MAX_EPOCHS, err);
    if (st != COV_OK)
        return st;
    if (sc->epoch_interval == 0) {
        if (epoch_events == 0)
            return sc_fail(err, COV_ERR_PARSE, "epoch_interval",
                           "is 0 (no scheduled epochs) but the timeline has no \"epoch\" events");
        if (have_epochs && u != epoch_events)
            return sc_fail(err, COV_ERR_PARSE, "epochs",
                           "is %llu, but with epoch_interval 0 only the timeline's %u \"epoch\" "
                           "events run",
                           (unsigned long long)u, epoch_events);
        u = epoch_events;
    } else if (!have_epochs) {
        return sc_fail(err, COV_ERR_PARSE, "epochs", "missing (how many epochs to run)");
    }
    sc->epochs = (uint32_t)u;
    if ((uint64_t)sc->epochs * sc->n > COV_SCENARIO_MAX_RESULTS)
        return sc_fail(err, COV_ERR_TOO_BIG, "epochs",
                       "%u epochs of %u uids are %llu results; the simulator keeps at most %u "
                       "(run fewer epochs)",
                       sc->epochs, sc->n, (unsigned long long)sc->epochs * sc->n,
                       COV_SCENARIO_MAX_RESULTS);

    bool have_tao = false, have_rao = false;
    st = sc_tao(&sc->emission, &have_tao, root, "", "emission_per_epoch", err);
    if (st == COV_OK)
        st = sc_uint(&sc->emission, &have_rao, root, "", "emission_per_epoch_rao", 0,
                     SC_MAX_RAO, err);
    if (st != COV_OK)
        return st;
    if (have_tao && have_rao)
        return sc_fail(err, COV_ERR_PARSE, "emission_per_epoch",
                       "give emission_per_epoch (alpha) or emission_per_epoch_rao, not both");
    if (!have_tao && !have_rao) {
        /* A young subnet mints 1 alpha per block; the owner's 18% cut
         * (11796/65535) leaves 53739/65535 of it for the epoch. */
        uint64_t blocks = sc->epoch_interval ? sc->epoch_interval : sc->tempo;
        sc->emission = blocks * (1000000000ull * 53739 / 65535);
    }
    /* so that totals over the run, and differences of totals, fit an int64 */
    if (sc->emission > SC_MAX_RAO / sc->epochs)
        return sc_fail(err, COV_ERR_PARSE, "emission_per_epoch",
                       "%llu rao per epoch%s over %u epochs is over 1e9 alpha in all; lower "
                       "one of them",
                       (unsigned long long)sc->emission, have_tao || have_rao ? "" : " (default)",
                       sc->epochs);
    return COV_OK;
}

cov_status cov_scenario_parse(cov_scenario **out, const json_t *root, cov_err *err)
{
    *out = NULL;
    if (root == NULL || !json_is_object(root))
        return cov_fail(err, COV_ERR_PARSE, "a scenario must be a JSON object, got %s",
                        root ? sc_json_kind(root) : "nothing");
    cov_scenario *sc = calloc(1, sizeof *sc);
    if (sc == NULL)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    set_defaults(sc);
    const char *name = NULL, *description = NULL;
    const json_t *hyper = json_object_get(root, "hyperparameters");
    const json_t *neurons = NULL, *timeline = NULL;
    cov_status st = sc_known_fields(root, "", known_top, err);
    if (st == COV_OK)
        st = sc_string(&name, NULL, root, "", "name", 200, err);
    if (st == COV_OK)
        st = sc_string(&description, NULL, root, "", "description", 4000, err);
    bool cutoff_blocks = false;
    if (st == COV_OK && hyper != NULL)
        st = parse_hyper(sc, hyper, &cutoff_blocks, err);
    if (st == COV_OK && !cutoff_blocks)
        sc->activity_cutoff =
            cov_yuma_activity_cutoff_blocks(sc->activity_cutoff_factor_milli, sc->tempo);
    if (st == COV_OK)
        st = array_field(&neurons, root, "neurons", err);
    if (st == COV_OK)
        st = array_field(&timeline, root, "timeline", err);
    if (st == COV_OK)
        st = parse_events(sc, neurons, timeline, err);
    if (st == COV_OK)
        st = parse_run(sc, root, neurons ? json_array_size(neurons) : 0, err);
    if (st == COV_OK)
        st = sc_check(sc, err);
    if (st == COV_OK) {
        sc->name = dup_or_empty(name);
        sc->description = dup_or_empty(description);
        if (sc->name == NULL || sc->description == NULL)
            st = cov_fail(err, COV_ERR_NOMEM, "out of memory");
    }
    if (st != COV_OK) {
        cov_scenario_free(sc);
        return st;
    }
    *out = sc;
    return COV_OK;
}
