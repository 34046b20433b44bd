/* A tiny stand-in for subtensor's storage, enough to replay the pallet's
 * epoch tests (pallets/subtensor/src/tests/epoch.rs) the way they drive the
 * chain: register, set weights (stored max-upscaled), run an epoch and
 * persist what it writes (bonds, permits). Include after <cmocka.h>. */
#ifndef COVENANT_TEST_YUMA_CHAIN_H
#define COVENANT_TEST_YUMA_CHAIN_H

#include <stdlib.h>
#include <string.h>

#include "incentive/incentive.h"

typedef struct {
    uint16_t n, cap;
    uint64_t block;
    uint16_t tempo;
    uint32_t cutoff_factor; /* ActivityCutoffFactorMilli */
    uint64_t *last_update, *bar, *alpha, *root;
    bool *permit;
    size_t permit_len;
    cov_yuma_entry **w, **b;
    cov_yuma_row *wrows, *brows;
    uint16_t kappa, bonds_penalty, alpha_low, alpha_high, max_validators;
    int16_t steep;
    uint64_t bma, tao_weight, threshold, last_step;
    uint64_t *commit; /* NULL: commit-reveal off */
    bool yuma3, liquid;
    int32_t owner;
    cov_yuma_output out;
} chain;

/* The mock runtime's defaults (tests/mock.rs) and init_new_network's. */
static inline void chain_init(chain *c, uint16_t cap, uint16_t tempo, uint64_t block)
{
    memset(c, 0, sizeof *c);
    c->cap = cap;
    c->block = block;
    c->tempo = tempo;
    c->cutoff_factor = 13889;
    c->last_update = calloc(cap, sizeof *c->last_update);
    c->bar = calloc(cap, sizeof *c->bar);
    c->alpha = calloc(cap, sizeof *c->alpha);
    c->root = calloc(cap, sizeof *c->root);
    c->permit = calloc(cap, sizeof *c->permit);
    c->w = calloc(cap, sizeof *c->w);
    c->b = calloc(cap, sizeof *c->b);
    c->wrows = calloc(cap, sizeof *c->wrows);
    c->brows = calloc(cap, sizeof *c->brows);
    assert_non_null(c->brows);
    c->kappa = 32767;
    c->bonds_penalty = 65535;
    c->bma = 900000;
    c->max_validators = 64;
    c->steep = 1000;
    c->alpha_low = 45875;
    c->alpha_high = 58982;
    c->owner = COV_YUMA_NO_OWNER;
    cov_yuma_output_init(&c->out);
}

static inline void chain_free(chain *c)
{
    for (uint16_t i = 0; i < c->cap; i++) {
        free(c->w[i]);
        free(c->b[i]);
    }
    free(c->last_update);
    free(c->bar);
    free(c->alpha);
    free(c->root);
    free(c->permit);
    free(c->w);
    free(c->b);
    free(c->wrows);
    free(c->brows);
    free(c->commit);
    cov_yuma_output_free(&c->out);
}

static inline void chain_set_row(cov_yuma_entry **store, cov_yuma_row *row,
                                 const cov_yuma_entry *e, uint32_t len)
{
    free(*store);
    *store = NULL;
    if (len) {
        *store = malloc(len * sizeof **store);
        assert_non_null(*store);
        memcpy(*store, e, len * sizeof **store);
    }
    row->entries = *store;
    row->len = len;
}

/* append_neuron at the current block */
static inline uint16_t chain_register(chain *c, uint64_t stake)
{
    assert_true(c->n < c->cap);
    uint16_t uid = c->n++;
    c->bar[uid] = c->block;
    c->last_update[uid] = c->block;
    c->alpha[uid] = stake;
    c->permit[uid] = false;
    c->permit_len = c->n;
    return uid;
}

/* replace_neuron + clear_neuron: a new hotkey (with `stake`) at uid */
static inline void chain_replace(chain *c, uint16_t uid, uint64_t stake)
{
    c->bar[uid] = c->block;
    c->last_update[uid] = c->block;
    c->alpha[uid] = stake;
    c->permit[uid] = false;
    chain_set_row(&c->b[uid], &c->brows[uid], NULL, 0);
    chain_set_row(&c->w[uid], &c->wrows[uid], NULL, 0);
    for (uint16_t i = 0; i < c->n; i++) /* weights FOR uid become 0 */
        for (uint32_t e = 0; e < c->wrows[i].len; e++)
            if (c->w[i][e].uid == uid)
                c->w[i][e].value = 0;
}

/* set_weights: stores the max-upscaled values, updates LastUpdate */
static inline void chain_set_weights(chain *c, uint16_t uid, const uint16_t *uids,
                                     const uint16_t *vals, uint32_t len)
{
    uint16_t *up = malloc((len ? len : 1) * sizeof *up);
    cov_yuma_entry *e = malloc((len ? len : 1) * sizeof *e);
    assert_non_null(up);
    assert_non_null(e);
    cov_yuma_max_upscale_u16(up, vals, len);
    for (uint32_t k = 0; k < len; k++) {
        e[k].uid = uids[k];
        e[k].value = up[k];
    }
    chain_set_row(&c->w[uid], &c->wrows[uid], e, len);
    c->last_update[uid] = c->block;
    free(up);
    free(e);
}

static inline void chain_input(const chain *c, cov_yuma_input *in, uint64_t rao)
{
    memset(in, 0, sizeof *in);
    in->n = c->n;
    in->current_block = c->block;
    in->tempo = c->tempo;
    in->activity_cutoff = cov_yuma_activity_cutoff_blocks(c->cutoff_factor, c->tempo);
    in->last_update = c->last_update;
    in->last_update_len = c->n;
    in->block_at_registration = c->bar;
    in->alpha_stake = c->alpha;
    in->root_stake = c->root;
    in->tao_weight = c->tao_weight;
    in->stake_threshold = c->threshold;
    in->owner_uid = c->owner;
    in->validator_permit = c->permit;
    in->validator_permit_len = c->permit_len;
    in->max_allowed_validators = c->max_validators;
    in->weights = c->wrows;
    in->bonds = c->brows;
    in->kappa = c->kappa;
    in->bonds_penalty = c->bonds_penalty;
    in->bonds_moving_average = c->bma;
    in->yuma3 = c->yuma3;
    in->liquid_alpha = c->liquid;
    in->alpha_low = c->alpha_low;
    in->alpha_high = c->alpha_high;
    in->alpha_sigmoid_steepness = c->steep;
    in->commit_block = c->commit;
    in->last_mechanism_step_block = c->last_step;
    in->rao_emission = rao;
}

/* SubtensorModule::epoch(netuid, rao): run, then persist bonds and permits */
static inline void chain_epoch(chain *c, uint64_t rao)
{
    cov_yuma_input in;
    chain_input(c, &in, rao);
    cov_err err;
    assert_int_equal(cov_yuma_epoch(&c->out, &in, &err), COV_OK);
    for (uint16_t i = 0; i < c->n; i++) {
        chain_set_row(&c->b[i], &c->brows[i], c->out.bonds[i].entries, c->out.bonds[i].len);
        c->permit[i] = c->out.new_validator_permit[i];
    }
    c->permit_len = c->n;
}

/* get_bonds()[i][j] as the u16 stored (0 if absent) */
static inline uint16_t chain_bond(const chain *c, uint16_t i, uint16_t j)
{
    for (uint32_t e = 0; e < c->brows[i].len; e++)
        if (c->brows[i].entries[e].uid == j)
            return c->brows[i].entries[e].value;
    return 0;
}

#endif
