/* Yuma consensus, bit-exact with subtensor's on-chain epoch.
 *
 * cov_yuma_epoch() is subtensor's `epoch_mechanism` (the sparse
 * implementation, pallets/subtensor/src/epoch/run_epoch.rs) for one
 * mechanism of one subnet: the caller reads the chain state (or a simulator
 * makes one up) into a cov_yuma_input, and gets back everything the chain
 * stores after the epoch, plus the full-precision I32F32 values behind the
 * stored u16s. Arithmetic is the chain's fixed point (incentive/fixed.h), so
 * every stored number comes out identical, including the chain's quirks:
 * explicit zero weights stay in rows, unsorted rows confuse liquid alpha,
 * sums wrap where the chain's release build wraps.
 *
 * cov_yuma_epoch_with_mechanisms() is `epoch_with_mechanisms`: it splits
 * the emission between mechanisms, runs one epoch each and aggregates the
 * per-netuid values the way the chain persists them.
 *
 * Pure computation: no I/O, no printing, no global state; thread-safe as
 * long as two calls do not share an output.
 */
#ifndef COVENANT_INCENTIVE_YUMA_H
#define COVENANT_INCENTIVE_YUMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/* One stored (uid, value) pair of a Weights or Bonds row. */
typedef struct {
    uint16_t uid;
    uint16_t value;
} cov_yuma_entry;

/* One sparse row exactly as stored: entries in storage order (the chain
 * keeps set_weights' order; it does not sort), explicit zeros included.
 * len 0 (entries may then be NULL) is an empty or absent row. */
typedef struct {
    const cov_yuma_entry *entries;
    uint32_t len;
} cov_yuma_row;

#define COV_YUMA_NO_OWNER (-1)
/* commit_block[] value for "no unexpired commit". */
#define COV_YUMA_NO_COMMIT UINT64_MAX

/* Everything one mechanism's epoch reads. Arrays are owned by the caller
 * and only read. Every uid 0..n-1 is assumed to have a hotkey (Keys); a
 * missing key reads as stake 0 and block_at_registration 0. */
typedef struct {
    uint16_t n;                /* SubnetworkN */
    uint64_t current_block;    /* block the epoch runs in */
    uint16_t tempo;            /* Tempo[netuid] */
    /* Blocks without a weight update after which a uid is inactive:
     * cov_yuma_activity_cutoff_blocks(ActivityCutoffFactorMilli, tempo). */
    uint64_t activity_cutoff;

    /* LastUpdate[netuid_index]. Its length can differ from n on chain (a
     * test sets it so); the epoch then behaves as the chain does: uids past
     * the end are inactive, an empty vector masks nothing. */
    const uint64_t *last_update;
    size_t last_update_len;
    const uint64_t *block_at_registration; /* [n] BlockAtRegistration */

    /* Stake (step 2): total_i = alpha_i + root_i * TaoWeight/u64::MAX. */
    const uint64_t *alpha_stake; /* [n] inherited alpha (rao) */
    const uint64_t *root_stake;  /* [n] inherited root TAO (rao); NULL = all 0 */
    uint64_t tao_weight;         /* TaoWeight, raw u64 */
    uint64_t stake_threshold;    /* StakeThreshold */
    int32_t owner_uid;           /* uid of SubnetOwnerHotkey, or COV_YUMA_NO_OWNER */

    /* ValidatorPermit[netuid] as stored before the epoch (length may differ
     * from n: an empty vector masks no stake but empties every weight row). */
    const bool *validator_permit;
    size_t validator_permit_len;
    uint16_t max_allowed_validators;

    const cov_yuma_row *weights; /* [n] Weights[netuid_index][i]; NULL = none */
    const cov_yuma_row *bonds;   /* [n] Bonds[netuid_index][i]; NULL = none */

    uint16_t kappa;                /* Kappa (u16 proportion) */
    uint16_t bonds_penalty;        /* BondsPenalty (u16 proportion) */
    uint64_t bonds_moving_average; /* BondsMovingAverage (ppm) */
    bool yuma3;                    /* Yuma3On */
    bool liquid_alpha;             /* LiquidAlphaOn (Yuma 3 only) */
    uint16_t alpha_low, alpha_high;    /* AlphaValues */
    int16_t alpha_sigmoid_steepness;   /* AlphaSigmoidSteepness */

    /* Commit-reveal mask: NULL when commit-reveal is off. Else [n]: uid i's
     * earliest unexpired commit block over WeightCommits and
     * TimelockedWeightCommits, COV_YUMA_NO_COMMIT if it has none. */
    const uint64_t *commit_block;

    uint64_t last_mechanism_step_block; /* LastMechansimStepBlock (sic) */
    uint64_t rao_emission;              /* alpha to distribute this epoch */
} cov_yuma_input;

struct cov_yuma_scratch; /* private, reused between epochs */

/* What the epoch stores, per uid (arrays of n), and the values behind it.
 * The struct is the caller's (on the stack or inside another struct); its
 * arrays are the library's: cov_yuma_output_init() before the first use,
 * cov_yuma_output_free() at the end. cov_yuma_epoch() sizes the arrays and
 * keeps its working memory in `scratch`, so reusing one output for many
 * epochs allocates nothing after the first. An input must not point into
 * the output it is written to (keep two and alternate, or copy the bond
 * rows out first). Fields after bond_entries_len are read-only views or
 * private. */
typedef struct {
    uint16_t n;

    /* As stored (fixed_proportion_to_u16 of the I32F32 values below). */
    uint16_t *stake_weight;    /* StakeWeight */
    uint16_t *consensus;       /* Consensus */
    uint16_t *incentive;       /* Incentive[netuid_index] */
    uint16_t *dividends;       /* Dividends */
    uint16_t *validator_trust; /* ValidatorTrust */
    bool *active;              /* Active */
    bool *new_validator_permit;/* ValidatorPermit after the epoch */

    /* Alpha amounts in rao for this epoch. emission is what Emission[netuid]
     * stores (the combined, normalised share); server + validator is what
     * is paid (the two can differ by flooring). */
    uint64_t *server_emission;
    uint64_t *validator_emission;
    uint64_t *emission;
    uint64_t *stake; /* total stake floored to u64 (EpochTerms.stake) */

    /* Bonds[netuid_index][i] as written: every uid gets a row; uids without
     * a new permit get an empty one (errata 1). bonds[i] points into
     * bond_entries; entries ascend by uid, except with Yuma 3's liquid
     * alpha, which keeps the order of the validator's weight row (as the
     * chain does). Usable directly as the next epoch's input bonds. */
    cov_yuma_row *bonds;
    cov_yuma_entry *bond_entries;
    size_t bond_entries_len;

    /* Full precision: I32F32 bit patterns (value * 2^32). */
    int64_t *stake_fx;           /* S: normalised, threshold-filtered stake */
    int64_t *active_stake_fx;    /* A: S masked by activity and old permits */
    int64_t *consensus_fx;       /* C */
    int64_t *validator_trust_fx; /* VT */
    int64_t *incentive_fx;       /* I */
    int64_t *dividends_fx;       /* D */
    int64_t *server_share_fx;    /* normalised server emission */
    int64_t *validator_share_fx; /* normalised validator emission */
    int64_t *combined_share_fx;  /* normalised combined emission */

    struct cov_yuma_scratch *scratch; /* private */
    size_t alloc_n;                   /* private: arrays have room for this many uids */
    size_t entries_cap;               /* private: room in bond_entries */
} cov_yuma_output;

void cov_yuma_output_init(cov_yuma_output *out);
void cov_yuma_output_free(cov_yuma_output *out);

/* Runs one mechanism's epoch. Fails with COV_ERR_ARG on a missing required
 * array (last_update may be NULL only with length 0, likewise the permits)
 * and COV_ERR_NOMEM; on failure `out` stays valid for free or reuse (its
 * contents are then undefined). Cost: linear in the weight and bond
 * entries plus a stake-weighted selection per column. Where the chain
 * would panic (Yuma 3 with a fixed alpha and BondsMovingAverage / 1e6
 * beyond I32F32, i.e. >= 2^31 * 1e6) this saturates instead. */
cov_status cov_yuma_epoch(cov_yuma_output *out, const cov_yuma_input *in,
                          cov_err *err) COV_WARN_UNUSED;

/* ---------------------------------------------------- mechanisms (§1.3/15) */

/* The per-netuid values after all mechanisms ran, as persisted. */
typedef struct {
    uint16_t n;
    uint16_t *stake_weight, *consensus, *dividends, *validator_trust;
    bool *active, *new_validator_permit;
    uint64_t *server_emission, *validator_emission; /* summed */
    uint64_t *emission; /* Emission[netuid]: weighted, not the sum paid */
    uint64_t *stake;    /* summed over mechanisms, saturating */
} cov_yuma_aggregate;

void cov_yuma_aggregate_init(cov_yuma_aggregate *agg);
void cov_yuma_aggregate_free(cov_yuma_aggregate *agg);

/* split_emissions: alpha shared by MechanismEmissionSplit (`split`, count
 * u16 shares; NULL = even, `split_len` shares given, missing ones 0),
 * the rounding remainder to mechanism 0. out has `count` slots. */
void cov_yuma_split_emission(uint64_t *out, uint8_t count,
                             const uint16_t *split, size_t split_len,
                             uint64_t alpha);

/* epoch_with_mechanisms: inputs[m] is mechanism m's state (all inputs share
 * n and the per-netuid fields; their rao_emission is ignored: each gets its
 * split of rao_emission). per_mech[m] receives mechanism m's own output
 * (its incentive and bonds are what Incentive/Bonds[netuid_index] store);
 * agg receives the aggregate. */
cov_status cov_yuma_epoch_with_mechanisms(cov_yuma_aggregate *agg,
                                          cov_yuma_output *per_mech,
                                          const cov_yuma_input *inputs,
                                          uint8_t count, const uint16_t *split,
                                          size_t split_len, uint64_t rao_emission,
                                          cov_err *err) COV_WARN_UNUSED;

/* --------------------------------------------------------------- helpers */

/* get_activity_cutoff_blocks: max(1, factor_milli * tempo / 1000). */
uint64_t cov_yuma_activity_cutoff_blocks(uint32_t factor_milli, uint16_t tempo);

/* vec_u16_max_upscale_to_u16: what set_weights stores for the values a
 * caller submits (the largest becomes 65535, rounding half away from 0).
 * out may be in (in place). */
void cov_yuma_max_upscale_u16(uint16_t *out, const uint16_t *in, size_t len);

#endif
