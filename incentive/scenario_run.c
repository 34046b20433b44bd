/* Replays a checked scenario block by block (only the blocks where
 * something happens) and runs the epochs. The state is what the chain
 * keeps between epochs for one subnet: Keys (labels), stake,
 * BlockAtRegistration, LastUpdate, Weights, Bonds, ValidatorPermit,
 * LastMechansimStepBlock. Within a block, as on chain, a scheduled epoch
 * (on_initialize) comes before the block's events (extrinsics). */
#include <stdlib.h>
#include <string.h>

#include "incentive/scenario_internal.h"

/* Kept bonds are capped: they grow with validators x uids x epochs. */
#define SIM_MAX_BOND_ENTRIES ((size_t)64 << 20) /* 256 MiB of entries */

typedef struct {
    cov_yuma_entry *e;
    uint32_t len, cap;
} row;

typedef struct {
    const cov_scenario *sc;
    uint16_t n; /* SubnetworkN */
    const char **hotkey;
    uint64_t *alpha, *root, *last_update, *registered_at;
    bool *permit;
    row *weights, *bonds;
    /* a repeating weights event per uid (NULL: none) and its next block */
    const cov_scenario_event **repeat;
    uint64_t *repeat_next;
    uint64_t last_step; /* LastMechansimStepBlock */
    cov_yuma_row *wrows, *brows; /* views handed to the epoch */
    cov_yuma_entry *tmp;         /* a weights submission being stored */
    uint16_t *tmpv;              /* its values (a row never exceeds n entries) */
    cov_yuma_output out;
} sim;

static void sim_free(sim *s)
{
    for (uint16_t i = 0; s->weights && i < s->sc->n; i++)
        free(s->weights[i].e);
    for (uint16_t i = 0; s->bonds && i < s->sc->n; i++)
        free(s->bonds[i].e);
    free(s->hotkey);
    free(s->alpha);
    free(s->root);
    free(s->last_update);
    free(s->registered_at);
    free(s->permit);
    free(s->weights);
    free(s->bonds);
    free(s->repeat);
    free(s->repeat_next);
    free(s->wrows);
    free(s->brows);
    free(s->tmp);
    free(s->tmpv);
    cov_yuma_output_free(&s->out);
}

static bool sim_init(sim *s, const cov_scenario *sc)
{
    memset(s, 0, sizeof *s);
    s->sc = sc;
    size_t n = sc->n;
    s->hotkey = calloc(n, sizeof *s->hotkey);
    s->alpha = calloc(n, sizeof *s->alpha);
    s->root = calloc(n, sizeof *s->root);
    s->last_update = calloc(n, sizeof *s->last_update);
    s->registered_at = calloc(n, sizeof *s->registered_at);
    s->permit = calloc(n, sizeof *s->permit);
    s->weights = calloc(n, sizeof *s->weights);
    s->bonds = calloc(n, sizeof *s->bonds);
    s->repeat = calloc(n, sizeof *s->repeat);
    s->repeat_next = calloc(n, sizeof *s->repeat_next);
    s->wrows = calloc(n, sizeof *s->wrows);
    s->brows = calloc(n, sizeof *s->brows);
    s->tmp = calloc(n, sizeof *s->tmp);
    s->tmpv = calloc(n, sizeof *s->tmpv);
    cov_yuma_output_init(&s->out);
    return s->hotkey && s->alpha && s->root && s->last_update && s->registered_at && s->permit &&
           s->weights && s->bonds && s->repeat && s->repeat_next && s->wrows && s->brows && s->tmp && s->tmpv;
}

static bool row_set(row *r, const cov_yuma_entry *e, uint32_t len)
{
    if (len > r->cap) {
        cov_yuma_entry *p = realloc(r->e, len * sizeof *p);
        if (p == NULL)
            return false;
        r->e = p;
        r->cap = len;
    }
    if (len)
        memcpy(r->e, e, len * sizeof *e);
    r->len = len;
    return true;
}

/* set_weights: the row is stored max-upscaled, in submission order, and
 * LastUpdate becomes this block. A copy submits what the copied uid has
 * stored now (all a copier can see on chain). */
static bool set_weights(sim *s, const cov_scenario_event *ev, uint64_t block)
{
    const cov_yuma_entry *src = ev->weights;
    uint32_t len = ev->weights_len;
    if (ev->copy_from >= 0) {
        src = s->weights[ev->copy_from].e;
        len = s->weights[ev->copy_from].len;
    }
    for (uint32_t k = 0; k < len; k++) {
        s->tmp[k].uid = src[k].uid;
        s->tmpv[k] = src[k].value;
    }
    cov_yuma_max_upscale_u16(s->tmpv, s->tmpv, len);
    for (uint32_t k = 0; k < len; k++)
        s->tmp[k].value = s->tmpv[k];
    if (!row_set(&s->weights[ev->uid], s->tmp, len))
        return false;
    s->last_update[ev->uid] = block;
    return true;
}

/* append_neuron / replace_neuron + clear_neuron. */
static void do_register(sim *s, const cov_scenario_event *ev, uint64_t block)
{
    uint16_t uid = ev->uid;
    if (uid == s->n) {
        s->n++;
    } else {
        /* clear_neuron: the uid's own rows go, and weights others set on
         * it stay as explicit zeros */
        for (uint16_t i = 0; i < s->n; i++)
            for (uint32_t k = 0; k < s->weights[i].len; k++)
                if (s->weights[i].e[k].uid == uid)
                    s->weights[i].e[k].value = 0;
    }
    s->weights[uid].len = 0;
    s->bonds[uid].len = 0;
    s->permit[uid] = false;
    s->hotkey[uid] = ev->hotkey;
    s->alpha[uid] = ev->alpha_stake;
    s->root[uid] = ev->root_stake;
    s->registered_at[uid] = block;
    s->last_update[uid] = block;
    s->repeat[uid] = NULL;
}

static bool apply(sim *s, const cov_scenario_event *ev)
{
    switch (ev->kind) {
    case COV_SCENARIO_REGISTER: do_register(s, ev, ev->block); return true;
    case COV_SCENARIO_STAKE:
        if (ev->set_alpha)
            s->alpha[ev->uid] = ev->alpha_stake;
        if (ev->add) /* sc_check proved it stays in 0..SC_MAX_RAO */
            s->alpha[ev->uid] += (uint64_t)ev->alpha_delta;
        if (ev->set_root)
            s->root[ev->uid] = ev->root_stake;
        return true;
    case COV_SCENARIO_WEIGHTS:
        s->repeat[ev->uid] = ev->every ? ev : NULL;
        s->repeat_next[ev->uid] = ev->block + ev->every;
        return set_weights(s, ev, ev->block);
    case COV_SCENARIO_EPOCH: return true; /* the caller runs it */
    }
    return true;
}

/* ------------------------------------------------------------ results */

typedef struct {
    cov_sim_result *r;
    size_t rows_cap, bonds_cap, epochs_cap, off_cap;
    size_t *epoch_off; /* rows offset of each epoch, pointers fixed at the end */
} recorder;

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * size);
    if (q == NULL)
        return false;
    *p = q;
    *cap = c;
    return true;
}

static cov_status record(recorder *rec, const sim *s, uint64_t block, bool keep_bonds,
                         cov_err *err)
{
    cov_sim_result *r = rec->r;
    const cov_yuma_output *o = &s->out;
    if (!grow((void **)&r->epochs, &rec->epochs_cap, r->n_epochs + 1u, sizeof *r->epochs) ||
        !grow((void **)&rec->epoch_off, &rec->off_cap, r->n_epochs + 1u, sizeof *rec->epoch_off) ||
        !grow((void **)&r->rows, &rec->rows_cap, r->n_rows + s->n, sizeof *r->rows))
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    cov_sim_epoch *e = &r->epochs[r->n_epochs];
    *e = (cov_sim_epoch){.index = r->n_epochs, .block = block, .n = s->n};
    rec->epoch_off[r->n_epochs] = r->n_rows;
    for (uint16_t i = 0; i < s->n; i++) {
        cov_sim_uid *u = &r->rows[r->n_rows + i];
        *u = (cov_sim_uid){
            .hotkey = s->hotkey[i],
            .alpha_stake = s->alpha[i],
            .root_stake = s->root[i],
            .stake = o->stake[i],
            .stake_weight = o->stake_weight[i],
            .consensus = o->consensus[i],
            .incentive = o->incentive[i],
            .dividends = o->dividends[i],
            .validator_trust = o->validator_trust[i],
            .active = o->active[i],
            .validator_permit = o->new_validator_permit[i],
            .owner = (int32_t)i == s->sc->owner_uid,
            .emission = o->emission[i],
            .server_emission = o->server_emission[i],
            .validator_emission = o->validator_emission[i],
            .last_update = s->last_update[i],
            .registered_at = s->registered_at[i],
            .bonds_off = r->n_bond_entries,
        };
        if (!keep_bonds)
            continue;
        uint32_t len = o->bonds[i].len;
        if (r->n_bond_entries + len > SIM_MAX_BOND_ENTRIES)
            return cov_fail(err, COV_ERR_TOO_BIG,
                            "keeping every epoch's bonds would take over 256 MiB by epoch %u; "
                            "run fewer epochs or leave the bonds out",
                            r->n_epochs);
        if (!grow((void **)&r->bond_entries, &rec->bonds_cap, r->n_bond_entries + len,
                  sizeof *r->bond_entries))
            return cov_fail(err, COV_ERR_NOMEM, "out of memory");
        if (len)
            memcpy(r->bond_entries + r->n_bond_entries, o->bonds[i].entries,
                   len * sizeof *r->bond_entries);
        u->bonds_len = len;
        r->n_bond_entries += len;
    }
    r->n_rows += s->n;
    r->n_epochs++;
    if (s->n > r->max_n)
        r->max_n = s->n;
    return COV_OK;
}

/* ------------------------------------------------------------ epochs */

static cov_status run_epoch(sim *s, recorder *rec, uint64_t block, const cov_sim_options *opt,
                            cov_err *err)
{
    const cov_scenario *sc = s->sc;
    for (uint16_t i = 0; i < s->n; i++) {
        s->wrows[i] = (cov_yuma_row){s->weights[i].e, s->weights[i].len};
        s->brows[i] = (cov_yuma_row){s->bonds[i].e, s->bonds[i].len};
    }
    cov_yuma_input in = {
        .n = s->n,
        .current_block = block,
        .tempo = sc->tempo,
        .activity_cutoff = sc->activity_cutoff,
        .last_update = s->last_update,
        .last_update_len = s->n,
        .block_at_registration = s->registered_at,
        .alpha_stake = s->alpha,
        .root_stake = s->root,
        .tao_weight = sc->tao_weight,
        .stake_threshold = sc->stake_threshold,
        /* the owner counts only while its hotkey holds a uid */
        .owner_uid = sc->owner_uid >= 0 && sc->owner_uid < s->n ? sc->owner_uid
                                                                : COV_YUMA_NO_OWNER,
        .validator_permit = s->permit,
        .validator_permit_len = s->n,
        .max_allowed_validators = sc->max_allowed_validators,
        .weights = s->wrows,
        .bonds = s->brows,
        .kappa = sc->kappa,
        .bonds_penalty = sc->bonds_penalty,
        .bonds_moving_average = sc->bonds_moving_average,
        .yuma3 = sc->yuma3,
        .liquid_alpha = sc->liquid_alpha,
        .alpha_low = sc->alpha_low,
        .alpha_high = sc->alpha_high,
        .alpha_sigmoid_steepness = sc->alpha_sigmoid_steepness,
        .commit_block = NULL,
        .last_mechanism_step_block = s->last_step,
        .rao_emission = sc->emission,
    };
    cov_status st = cov_yuma_epoch(&s->out, &in, err);
    if (st != COV_OK)
        return cov_err_context(err, "epoch %u at block %llu", rec->r->n_epochs,
                               (unsigned long long)block);
    /* what the chain stores, fed to the next epoch */
    for (uint16_t i = 0; i < s->n; i++) {
        s->permit[i] = s->out.new_validator_permit[i];
        if (!row_set(&s->bonds[i], s->out.bonds[i].entries, s->out.bonds[i].len))
            return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    }
    s->last_step = block;
    st = record(rec, s, block, opt->keep_bonds, err);
    if (st == COV_OK && opt->progress)
        opt->progress(opt->progress_ctx, rec->r->n_epochs, sc->epochs, block);
    return st;
}

/* The earliest block a repeating weights submission is due, or UINT64_MAX. */
static uint64_t next_repeat(const sim *s)
{
    uint64_t b = UINT64_MAX;
    for (uint16_t i = 0; i < s->n; i++)
        if (s->repeat[i] && s->repeat_next[i] < b)
            b = s->repeat_next[i];
    return b;
}

static cov_status run(sim *s, recorder *rec, const cov_sim_options *opt, cov_err *err)
{
    const cov_scenario *sc = s->sc;
    size_t ev = 0;
    uint64_t last_epoch = 0;
    while (rec->r->n_epochs < sc->epochs) {
        uint64_t next_epoch = sc->epoch_interval ? last_epoch + sc->epoch_interval : UINT64_MAX;
        uint64_t next_event = ev < sc->n_events ? sc->events[ev].block : UINT64_MAX;
        uint64_t next_rep = next_repeat(s);
        uint64_t b = next_epoch;
        if (next_event < b)
            b = next_event;
        if (next_rep < b)
            b = next_rep;
        if (b == UINT64_MAX) /* sc_check rules this out; never spin on it */
            return cov_fail(err, COV_ERR_ARG, "the scenario ends after %u of its %u epochs",
                            rec->r->n_epochs, sc->epochs);
        cov_status st = COV_OK;
        if (next_epoch == b) {
            st = run_epoch(s, rec, b, opt, err);
            last_epoch = b;
        } else if (next_event == b) {
            const cov_scenario_event *e = &sc->events[ev++];
            if (e->kind == COV_SCENARIO_EPOCH) {
                st = run_epoch(s, rec, b, opt, err);
                last_epoch = b; /* LastEpochBlock: the schedule restarts here */
            } else if (!apply(s, e)) {
                st = cov_fail(err, COV_ERR_NOMEM, "out of memory");
            }
        } else {
            /* repeats after the block's listed events, in uid order */
            for (uint16_t i = 0; i < s->n && st == COV_OK; i++) {
                if (!s->repeat[i] || s->repeat_next[i] != b)
                    continue;
                s->repeat_next[i] += s->repeat[i]->every;
                if (!set_weights(s, s->repeat[i], b))
                    st = cov_fail(err, COV_ERR_NOMEM, "out of memory");
            }
        }
        if (st != COV_OK)
            return st;
    }
    return COV_OK;
}

cov_status cov_sim_run(cov_sim_result *out, const cov_scenario *sc, const cov_sim_options *opt,
                       cov_err *err)
{
    memset(out, 0, sizeof *out);
    cov_sim_options none = {0};
    if (opt == NULL)
        opt = &none;
    sim s;
    recorder rec = {.r = out};
    cov_status st = sim_init(&s, sc) ? run(&s, &rec, opt, err)
                                     : cov_fail(err, COV_ERR_NOMEM, "out of memory");
    for (uint32_t e = 0; e < out->n_epochs; e++)
        out->epochs[e].uids = out->rows + rec.epoch_off[e];
    free(rec.epoch_off);
    sim_free(&s);
    return st;
}

void cov_sim_result_free(cov_sim_result *r)
{
    if (r == NULL)
        return;
    free(r->epochs);
    free(r->rows);
    free(r->bond_entries);
    memset(r, 0, sizeof *r);
}

const cov_yuma_entry *cov_sim_bonds(const cov_sim_result *r, const cov_sim_uid *u)
{
    return u->bonds_len ? r->bond_entries + u->bonds_off : NULL;
}
