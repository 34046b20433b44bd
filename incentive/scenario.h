/* Incentive scenarios: what a subnet owner asks "what if" about.
 *
 * A scenario is a subnet's hyperparameters plus a timeline of what happens
 * at which block: hotkeys register (or replace the hotkey under a uid),
 * stake changes, validators set weights (once, or every k blocks, or by
 * copying another validator's stored weights), extra epochs. cov_sim_run()
 * replays it the way the chain would keep its state between epochs and
 * runs cov_yuma_epoch() at every epoch:
 *   - Weights are stored as set_weights stores them (max-upscaled), with
 *     LastUpdate set to the block they were set in;
 *   - registration sets BlockAtRegistration and LastUpdate; replacing a
 *     uid clears it as replace_neuron does (its weights and bonds rows go,
 *     other validators' weights on it become explicit zeros, its permit
 *     goes);
 *   - each epoch's bonds and validator permits are what the next one reads;
 *   - LastMechansimStepBlock is the previous epoch's block.
 * Not modelled: the checks a weight submission must pass (rate limit,
 * permits, min weights, commit-reveal delays), child keys, and the owner
 * cut or root dividends (the scenario's emission is what the epoch
 * distributes).
 *
 * The scenario format is JSON, documented in docs/incentives.md. Parsing
 * checks everything (types, ranges, that events make sense in order) and
 * names the offending field: "timeline[3].weights.7: weight must be
 * 0..65535, got 70000". A parsed scenario always runs.
 *
 * Pure computation: no I/O, no printing, no global state.
 */
#ifndef COVENANT_INCENTIVE_SCENARIO_H
#define COVENANT_INCENTIVE_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "incentive/yuma.h"

#define COV_SCENARIO_LABEL_MAX 32      /* hotkey label length, bytes */
#define COV_SCENARIO_MAX_UIDS 4096     /* largest "n" */
#define COV_SCENARIO_MAX_EPOCHS 100000 /* most epochs in one run */
/* Most (epoch, uid) results one run keeps: epochs x n may not exceed it. */
#define COV_SCENARIO_MAX_RESULTS 2000000u
#define COV_SCENARIO_MAX_EVENTS 1000000 /* neurons + timeline entries */

typedef enum {
    COV_SCENARIO_REGISTER, /* a hotkey takes a uid (new or replaced) */
    COV_SCENARIO_STAKE,    /* a uid's stake changes */
    COV_SCENARIO_WEIGHTS,  /* a uid sets weights */
    COV_SCENARIO_EPOCH     /* an extra epoch runs here */
} cov_scenario_event_kind;

/* One timeline entry, resolved: stakes in rao, weights as submitted u16s
 * (fractions already converted the SDK's way), sorted by uid. */
typedef struct {
    cov_scenario_event_kind kind;
    uint64_t block;
    uint16_t uid;
    /* Where it came from, for messages: index into "neurons" (from_neurons)
     * or "timeline". */
    uint32_t source_index;
    bool from_neurons;

    /* REGISTER */
    char hotkey[COV_SCENARIO_LABEL_MAX + 1];

    /* REGISTER (set_* always true) and STAKE: new alpha / root stake, or
     * an alpha change (add_alpha, negative to unstake). */
    bool set_alpha, set_root, add;
    uint64_t alpha_stake, root_stake;
    int64_t alpha_delta;

    /* WEIGHTS: either values (len entries, uid-sorted, as submitted) or a
     * copy of copy_from's stored row at that moment; every > 0 repeats the
     * same submission every `every` blocks until the uid's next weights
     * event or its replacement. */
    cov_yuma_entry *weights;
    uint32_t weights_len;
    int32_t copy_from; /* -1: not a copy */
    uint64_t every;
} cov_scenario_event;

/* A parsed scenario. Owned by cov_scenario_parse's caller; free with
 * cov_scenario_free. */
typedef struct {
    char *name;        /* "" when absent */
    char *description; /* "" when absent */

    /* Hyperparameters, as the chain stores them. */
    uint16_t tempo;
    uint16_t kappa;
    uint16_t bonds_penalty;
    uint64_t bonds_moving_average; /* ppm */
    bool yuma3;
    bool liquid_alpha;
    uint16_t alpha_low, alpha_high;
    int16_t alpha_sigmoid_steepness;
    uint16_t max_allowed_validators;
    uint32_t activity_cutoff_factor_milli; /* 0 when activity_cutoff was given */
    uint64_t activity_cutoff;              /* blocks, resolved */
    uint64_t stake_threshold;              /* rao */
    uint64_t tao_weight;                   /* raw: fraction * u64::MAX */

    /* The run. */
    uint16_t n;              /* uid slots (MaxAllowedUids) */
    int32_t owner_uid;       /* COV_YUMA_NO_OWNER when none */
    uint64_t emission;       /* rao distributed per epoch */
    uint64_t epoch_interval; /* blocks between scheduled epochs; 0: none */
    uint32_t epochs;         /* epochs to run in all */

    /* "neurons" (as REGISTER events at block 0) then "timeline". */
    cov_scenario_event *events;
    size_t n_events;
} cov_scenario;

/* Parses and checks a scenario from JSON (the whole document). On success
 * *out is a new scenario; on failure *out is NULL and err names the field:
 * COV_ERR_PARSE for anything wrong in the document (a wrong type, a value
 * out of range, an event that cannot happen then), COV_ERR_TOO_BIG over
 * the limits above, COV_ERR_NOMEM. */
cov_status cov_scenario_parse(cov_scenario **out, const json_t *root,
                              cov_err *err) COV_WARN_UNUSED;

void cov_scenario_free(cov_scenario *sc);

/* The chain's default TaoWeight (runtime/src/lib.rs), raw. */
#define COV_SCENARIO_DEFAULT_TAO_WEIGHT 971718665099567868ull

/* -------------------------------------------------------------- results */

/* One uid after one epoch. u16 values are what the chain stores
 * (value / 65535 is the proportion); amounts are rao. */
typedef struct {
    const char *hotkey;    /* label of the hotkey holding the uid then; points
                            * into the scenario, which must outlive this */
    uint64_t alpha_stake;  /* input stake */
    uint64_t root_stake;
    uint64_t stake;        /* alpha + root * tao_weight, floored */
    uint16_t stake_weight, consensus, incentive, dividends, validator_trust;
    bool active;
    bool validator_permit; /* after the epoch */
    bool owner;
    uint64_t emission;           /* Emission: this epoch's combined amount */
    uint64_t server_emission;    /* paid for incentive (as a miner) */
    uint64_t validator_emission; /* paid as dividends (as a validator) */
    uint64_t last_update, registered_at;
    size_t bonds_off; /* row in cov_sim_result.bond_entries (keep_bonds) */
    uint32_t bonds_len;
} cov_sim_uid;

typedef struct {
    uint32_t index;  /* 0-based */
    uint64_t block;
    uint16_t n;      /* SubnetworkN then */
    cov_sim_uid *uids; /* [n], points into cov_sim_result.rows */
} cov_sim_epoch;

typedef struct {
    cov_sim_epoch *epochs;
    uint32_t n_epochs;
    uint16_t max_n;       /* largest n over the epochs */
    cov_sim_uid *rows;
    size_t n_rows;
    cov_yuma_entry *bond_entries; /* NULL unless keep_bonds */
    size_t n_bond_entries;
} cov_sim_result;

typedef struct {
    /* Keep every epoch's bonds rows (they can be large: validators x n per
     * epoch); without it bonds_len is 0 everywhere. */
    bool keep_bonds;
    /* Called after each epoch (NULL: not called), e.g. for a progress line. */
    void (*progress)(void *ctx, uint32_t done, uint32_t total, uint64_t block);
    void *progress_ctx;
} cov_sim_options;

/* Runs the scenario (opt may be NULL). out is filled afresh (free it with
 * cov_sim_result_free, also after a failure). Deterministic: the same
 * scenario gives the same result, bit for bit. Fails with COV_ERR_NOMEM,
 * COV_ERR_TOO_BIG when kept bonds would pass 256 MiB, or whatever
 * cov_yuma_epoch reports. */
cov_status cov_sim_run(cov_sim_result *out, const cov_scenario *sc, const cov_sim_options *opt,
                       cov_err *err) COV_WARN_UNUSED;

void cov_sim_result_free(cov_sim_result *r);

/* The bonds row of one result (keep_bonds), bonds_len entries. */
const cov_yuma_entry *cov_sim_bonds(const cov_sim_result *r, const cov_sim_uid *u);

#endif
