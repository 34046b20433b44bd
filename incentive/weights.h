/* Validator weights: the bittensor SDK's processing of float weights into
 * the chain's u16 values, and the chain's own checks on a submission.
 *
 * SDK side (bittensor 10.2.0, bittensor/utils/weight_utils.py, on numpy 2):
 * normalize_max_weight, process_weights(_for_netuid) and
 * convert_weights_and_uids_for_emit, reproduced bit for bit. numpy decides
 * the arithmetic, so covenant follows it operation by operation: float32
 * where numpy keeps float32 (NEP 50: a Python float beside a float32 array
 * is cast to float32), float64 where numpy promotes, numpy's pairwise
 * summation order for .sum(), sequential cumsum, np.quantile's 'linear'
 * method in the array's dtype. The SDK's quirks are kept on purpose (see
 * each function), since a validator that disagrees with the SDK by one ulp
 * can disagree by one u16 on chain.
 *
 * Chain side (subtensor pallets/subtensor/src/subnets/weights.rs,
 * epoch/math.rs): the checks set_weights and reveal_weights run, in the
 * chain's order, with the chain's error names and its I32F32/I64F64 fixed
 * point, given the subnet state the caller read from the chain.
 *
 * Pure computation: no I/O, no printing, no global state.
 */
#ifndef COVENANT_INCENTIVE_WEIGHTS_H
#define COVENANT_INCENTIVE_WEIGHTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/* ------------------------------------------------------------ SDK side */

/* The SDK's u16_normalized_float: x / 65535 in double, as
 * subtensor.max_weight_limit() turns MaxWeightsLimit into a float. */
double cov_weights_u16_normalized(uint16_t x);

/* normalize_max_weight(x, limit) on a float32 array: weights that sum to 1
 * with (roughly) none above `limit`. out[0..n) receives the result; out may
 * equal x. n == 0 gives nothing (the SDK returns an empty array). Quirks
 * kept: if sum(x) == 0 or n * limit <= 1 the result is uniform 1/n; the
 * cutoff's scale is computed in float64 from float32 parts; non-finite
 * inputs give the same NaNs numpy gives. Fails only on NULL with n > 0
 * (COV_ERR_ARG) or memory (COV_ERR_NOMEM). */
cov_status cov_weights_normalize_max_f32(float *out, const float *x, size_t n,
                                         double limit, cov_err *err) COV_WARN_UNUSED;

/* The same on a float64 array (what process_weights passes when it pads
 * weights with 1e-5): every step in float64. */
cov_status cov_weights_normalize_max_f64(double *out, const double *x, size_t n,
                                         double limit, cov_err *err) COV_WARN_UNUSED;

/* Which of process_weights' three returns was taken. */
typedef enum {
    /* no weight > 0, or num_neurons < min_allowed_weights: uids 0..n-1,
     * weights 1/n in float64 */
    COV_WEIGHTS_UNIFORM = 0,
    /* fewer weights > 0 than min_allowed_weights: every neuron gets 1e-5
     * plus its weight, then normalize_max_weight in float64. The SDK adds
     * weight i to neuron i (the *position*, not uids[i]) and returns uids
     * 0..num_neurons-1: it assumes uids == arange(n). */
    COV_WEIGHTS_PADDED,
    /* weights > 0 above the exclude quantile, normalize_max_weight in
     * float32 */
    COV_WEIGHTS_FILTERED
} cov_weights_branch;

/* process_weights' result. weights hold float64 values for UNIFORM and
 * PADDED and float32 values (exactly, widened) for FILTERED, as the SDK's
 * array dtype is then float64 or float32; f64 says which. */
typedef struct {
    int64_t *uids;
    double *weights;
    size_t len;
    bool f64;
    cov_weights_branch branch;
} cov_weights_processed;

/* process_weights_for_netuid: uids[i] and weights[i] (n of each) as the
 * validator scored them; num_neurons = the metagraph's n;
 * min_allowed_weights = MinAllowedWeights; max_weights_limit =
 * MaxWeightsLimit as the chain stores it (u16, turned into a float as the
 * SDK does); exclude_quantile in 0..65535 (divided by 65535). Weights that
 * are NaN, zero or negative count as absent (the SDK keeps `w > 0`).
 * Fills *out (free with cov_weights_processed_free, also after a failure).
 * COV_ERR_ARG where the SDK raises: in the PADDED branch a weight > 0 at a
 * position >= num_neurons (numpy's IndexError). */
cov_status cov_weights_process(cov_weights_processed *out, const int64_t *uids,
                               const float *weights, size_t n, uint16_t num_neurons,
                               uint16_t min_allowed_weights, uint16_t max_weights_limit,
                               uint16_t exclude_quantile, cov_err *err) COV_WARN_UNUSED;

/* The same with max_weight_limit as the float the SDK's process_weights
 * takes (for callers and vectors that do not start from the u16). */
cov_status cov_weights_process_limit(cov_weights_processed *out, const int64_t *uids,
                                     const float *weights, size_t n, uint16_t num_neurons,
                                     uint16_t min_allowed_weights, double max_weight_limit,
                                     uint16_t exclude_quantile, cov_err *err) COV_WARN_UNUSED;

void cov_weights_processed_free(cov_weights_processed *p);

/* convert_weights_and_uids_for_emit: float weights to the chain's u16s.
 * Max-upscale (the largest weight becomes 65535; nothing is normalised to
 * a sum), value = round-half-to-even((w / max) * 65535) in double, entries
 * whose value is 0 dropped, input order kept (no sorting, no
 * de-duplication). out_uids/out_values need room for n_weights entries;
 * *out_len gets the count, 0 when every weight is 0.
 * COV_ERR_ARG where the SDK raises ValueError, checked in its order: no
 * weights (Python's min() of an empty list), a negative weight, no uids or
 * a negative uid, n_uids != n_weights, a NaN or infinite weight (round()
 * fails). Also refused, where the SDK would fail later when encoding the
 * extrinsic: a uid above 65535. */
cov_status cov_weights_emit(uint16_t *out_uids, uint16_t *out_values, size_t *out_len,
                            const int64_t *uids, size_t n_uids, const double *weights,
                            size_t n_weights, cov_err *err) COV_WARN_UNUSED;

/* ---------------------------------------------------------- chain side */

/* The chain's vec_u16_max_upscale_to_u16 (I32F32): what it stores for the
 * values of an accepted submission. Largest value becomes 65535, others
 * value * 65535 / max rounded half away from zero (with the chain's
 * truncations); all zeros stay zeros. out may equal values. */
void cov_weights_chain_upscale(uint16_t *out, const uint16_t *values, size_t n);

/* The chain's check_vec_max_limited: true when max(values / sum(values))
 * <= max_limit / 65535, both in I32F32 with truncating division (values
 * all zero, or none, pass). */
bool cov_weights_chain_max_limited(const uint16_t *values, size_t n, uint16_t max_limit);

/* check_weights_min_stake's arithmetic (owner exemption aside):
 * alpha + tao * (tao_weight / u64::MAX) >= threshold in I64F64, the
 * fraction in U96F32 first, as the chain computes it. */
bool cov_weights_chain_enough_stake(uint64_t alpha_stake, uint64_t tao_stake,
                                    uint64_t tao_weight, uint64_t stake_threshold);

/* Which extrinsic carries the weights. */
typedef enum {
    /* set_weights / set_mechanism_weights */
    COV_WEIGHTS_CALL_SET = 0,
    /* reveal_weights / reveal_mechanism_weights, once the chain found the
     * commit: these checks are what the reveal runs after the hash matched
     * (the commit queue itself, NoWeightsCommitFound, RevealTooEarly,
     * ExpiredWeightCommit, InvalidRevealCommitHashNotMatch, is not modelled) */
    COV_WEIGHTS_CALL_REVEAL
} cov_weights_call;

/* The subnet state the chain reads for a submission, as the caller read it
 * (storage names in brackets). uids on a subnet are 0..subnetwork_n-1. */
typedef struct {
    uint16_t netuid;
    uint8_t mecid;                   /* mechanism; 0 for set_weights */
    bool subnet_exists;              /* [NetworksAdded] */
    uint8_t mechanism_count;         /* [MechanismCountCurrent] */
    uint16_t subnetwork_n;           /* [SubnetworkN] */
    bool registered;                 /* the hotkey has a uid [Uids] */
    uint16_t caller_uid;             /* that uid, when registered */
    bool is_owner_hotkey;            /* the hotkey is [SubnetOwnerHotkey] */
    uint64_t alpha_stake;            /* inherited alpha on the subnet (rao) */
    uint64_t tao_stake;              /* inherited root stake (rao) */
    uint64_t tao_weight;             /* [TaoWeight], a fraction of u64::MAX */
    uint64_t stake_threshold;        /* [StakeThreshold] */
    uint64_t weights_version_key;    /* [WeightsVersionKey] */
    bool commit_reveal_enabled;      /* [CommitRevealWeightsEnabled] */
    uint64_t last_update;            /* [LastUpdate][netuid_index][uid] */
    uint64_t current_block;
    uint64_t weights_set_rate_limit; /* [WeightsSetRateLimit] */
    bool validator_permit;           /* [ValidatorPermit][uid] */
    uint16_t min_allowed_weights;    /* [MinAllowedWeights] */
    /* The limit row 13 applies: 65535 (no limit) on subtensor since
     * get_max_weight_limit became a constant; older runtimes read
     * [MaxWeightsLimit]. */
    uint16_t max_weights_limit;
} cov_weights_chain_state;

/* The chain's verdict. error is NULL when the chain would accept, else the
 * chain's error name ("DuplicateUids"); row is the subtensor.md §3.2 row
 * (0..13, where a reveal's CommitRevealDisabled counts as row 0; -1 when
 * accepted); message says what failed and what to do. */
typedef struct {
    const char *error;
    int row;
    char message[COV_ERR_MSG_MAX];
} cov_weights_verdict;

/* Runs the chain's checks on a submission of uids/values (n_uids and
 * n_values entries) with version_key, in the chain's order (subtensor.md
 * §3.2; internal_set_weights):
 *   0 set only: CommitRevealEnabled       7 IncorrectWeightVersionKey
 *   1 CanNotSetRootNetworkWeights         8 set only: SettingWeightsTooFast
 *   2 WeightVecNotEqualSize               9 NeuronNoValidatorPermit
 *   3 MechanismDoesNotExist              10 DuplicateUids
 *   4 UidsLengthExceedUidsInSubNet       11 UidVecContainInvalidOne
 *   5 HotKeyNotRegisteredInSubNet        12 WeightVecLengthIsLow
 *   6 NotEnoughStakeToSetWeights         13 MaxWeightExceeded
 * A reveal first needs commit-reveal on (CommitRevealDisabled) and skips
 * the rate limit, as the chain does. A self weight (exactly one entry, the
 * caller's own uid) skips rows 9, 12 and 13; the owner hotkey skips 6 and
 * 9. When accepted and upscaled is non-NULL (room for n_values), it gets
 * the values the chain stores. Note: subtensor's CheckWeights dispatch
 * extension runs row 6 (and a reveal's commit lookup) before row 0, so a
 * submission failing both reports NotEnoughStakeToSetWeights there.
 * Returns COV_OK whenever it could judge (see *out); COV_ERR_ARG on NULL
 * pointers, COV_ERR_NOMEM if a scratch copy of the values cannot be had. */
cov_status cov_weights_chain_check(cov_weights_verdict *out, cov_weights_call call,
                                   const cov_weights_chain_state *state,
                                   const uint16_t *uids, size_t n_uids,
                                   const uint16_t *values, size_t n_values,
                                   uint64_t version_key, uint16_t *upscaled,
                                   cov_err *err) COV_WARN_UNUSED;

#endif
