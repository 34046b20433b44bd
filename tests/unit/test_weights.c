/* Validator weights (incentive/weights.h): the bittensor SDK's processing,
 * with the vectors of bittensor_sdk.md §4.8 (exact float bits as bittensor
 * 10.2.0 gives them on numpy 2.4), and the chain's checks on a submission
 * (subtensor.md §3.2), one case per error plus the passing cases and the
 * exemptions. tests/interop/weights.py compares thousands more with the
 * SDK itself. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_helpers.h"
#include "chain/chain.h"
#include "incentive/incentive.h"

static uint32_t f32_bits(float f)
{
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

static uint64_t f64_bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

/* ------------------------------------------------- normalize_max_weight */

static void test_normalize_vectors(void **state)
{
    (void)state;
    float y[4];
    /* [0.13333341, 0.26666683, 0.29999986, 0.29999986] */
    const float x1[] = {0.1f, 0.2f, 0.3f, 0.4f};
    const uint32_t want1[] = {1040746638, 1049135246, 1050253717, 1050253717};
    assert_int_equal(cov_weights_normalize_max_f32(y, x1, 4, 0.3, NULL), COV_OK);
    for (int i = 0; i < 4; i++)
        assert_int_equal(f32_bits(y[i]), want1[i]);
    assert_true(fabsf(y[0] - 0.13333341f) < 1e-8f && fabsf(y[3] - 0.29999986f) < 1e-8f);

    /* [0.20000008, 0.20000008, 0.20000008, 0.39999974] */
    const float x2[] = {1, 1, 1, 10};
    const uint32_t want2[] = {1045220562, 1045220562, 1045220562, 1053609157};
    assert_int_equal(cov_weights_normalize_max_f32(y, x2, 4, 0.4, NULL), COV_OK);
    for (int i = 0; i < 4; i++)
        assert_int_equal(f32_bits(y[i]), want2[i]);

    /* n * limit <= 1: uniform, whatever the input */
    assert_int_equal(cov_weights_normalize_max_f32(y, x2, 4, 0.1, NULL), COV_OK);
    for (int i = 0; i < 4; i++)
        assert_true(y[i] == 0.25f);

    /* the same in float64 (process_weights' padded path) */
    const double d2[] = {1, 1, 1, 10};
    const uint64_t want3[] = {4596373782816825312u, 4596373782816825312u,
                              4596373782816825312u, 4600877374637953072u};
    double yd[4];
    assert_int_equal(cov_weights_normalize_max_f64(yd, d2, 4, 0.4, NULL), COV_OK);
    for (int i = 0; i < 4; i++)
        assert_true(f64_bits(yd[i]) == want3[i]);
}

static void test_normalize_edges(void **state)
{
    (void)state;
    float y[11];
    /* all zero: uniform */
    const float zeros[3] = {0, 0, 0};
    assert_int_equal(cov_weights_normalize_max_f32(y, zeros, 3, 0.9, NULL), COV_OK);
    assert_true(y[0] == 1.0f / 3 && y[2] == 1.0f / 3);
    /* in place, and below the limit: x / sum(x) */
    float x[3] = {1, 2, 1};
    assert_int_equal(cov_weights_normalize_max_f32(x, x, 3, 0.9, NULL), COV_OK);
    assert_true(x[0] == 0.25f && x[1] == 0.5f && x[2] == 0.25f);
    /* the max estimate float32(0.1) passes a limit of 0.1: numpy compares in
     * float32 (NEP 50), so this returns x / sum without a cutoff */
    float ten[11] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
    assert_int_equal(cov_weights_normalize_max_f32(y, ten, 11, 0.1, NULL), COV_OK);
    assert_true(y[0] == 0.1f && y[10] == 0.0f);
    /* nothing in, nothing out; NULL with weights is an argument error */
    assert_int_equal(cov_weights_normalize_max_f32(NULL, NULL, 0, 0.1, NULL), COV_OK);
    cov_err err;
    assert_int_equal(cov_weights_normalize_max_f32(NULL, x, 3, 0.1, &err), COV_ERR_ARG);
    assert_int_equal(cov_weights_normalize_max_f64(NULL, NULL, 2, 0.1, &err), COV_ERR_ARG);
}

/* -------------------------------------------------------- process_weights */

static void test_process_vectors(void **state)
{
    (void)state;
    const int64_t uids[] = {0, 1, 2, 3, 4};
    cov_weights_processed p;

    /* enough weights > 0: the zero is dropped, the rest normalised (f32) */
    const float w1[] = {0, 0.1f, 0.2f, 0.3f, 0.4f};
    assert_int_equal(cov_weights_process_limit(&p, uids, w1, 5, 5, 2, 0.5, 0, NULL), COV_OK);
    assert_int_equal(p.branch, COV_WEIGHTS_FILTERED);
    assert_false(p.f64);
    assert_int_equal(p.len, 4);
    const uint32_t want1[] = {1036831949, 1045220557, 1050253722, 1053609165};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(p.uids[i], i + 1);
        assert_int_equal(f32_bits((float)p.weights[i]), want1[i]);
    }
    cov_weights_processed_free(&p);

    /* fewer weights > 0 than min_allowed: padded with 1e-5, float64,
     * uids 0..n-1: [0.1253133 x4, 0.4987468] */
    const float w2[] = {0, 0, 0, 0, 1};
    assert_int_equal(cov_weights_process_limit(&p, uids, w2, 5, 5, 3, 0.5, 0, NULL), COV_OK);
    assert_int_equal(p.branch, COV_WEIGHTS_PADDED);
    assert_true(p.f64);
    assert_int_equal(p.len, 5);
    for (int i = 0; i < 4; i++)
        assert_true(f64_bits(p.weights[i]) == 4593682907700792489u);
    assert_true(f64_bits(p.weights[4]) == 4602656243606873775u);
    assert_int_equal(p.uids[4], 4);
    cov_weights_processed_free(&p);

    /* exclude_quantile 32768: the lower half goes: uids [3, 4],
     * [0.42857140, 0.57142854] */
    assert_int_equal(cov_weights_process_limit(&p, uids, w1, 5, 5, 1, 1.0, 32768, NULL), COV_OK);
    assert_int_equal(p.len, 2);
    assert_int_equal(p.uids[0], 3);
    assert_int_equal(p.uids[1], 4);
    assert_int_equal(f32_bits((float)p.weights[0]), 1054567862);
    assert_int_equal(f32_bits((float)p.weights[1]), 1058162980);
    cov_weights_processed_free(&p);

    /* no weight > 0: uniform 1/n in float64 */
    const float w3[] = {0, -1, NAN, 0, -0.0f};
    assert_int_equal(cov_weights_process(&p, uids, w3, 5, 5, 1, 65535, 0, NULL), COV_OK);
    assert_int_equal(p.branch, COV_WEIGHTS_UNIFORM);
    assert_true(p.f64 && p.len == 5 && p.weights[3] == 0.2);
    cov_weights_processed_free(&p);

    /* uids other than 0..n-1 pass through the filtered branch */
    const int64_t u4[] = {10, 20, 30};
    const float w4[] = {0.5f, 0, 2};
    assert_int_equal(cov_weights_process(&p, u4, w4, 3, 3, 1, 65535, 0, NULL), COV_OK);
    assert_int_equal(p.len, 2);
    assert_int_equal(p.uids[0], 10);
    assert_int_equal(p.uids[1], 30);
    assert_true((float)p.weights[0] == 0.2f && (float)p.weights[1] == 0.8f);
    cov_weights_processed_free(&p);
}

static void test_process_errors(void **state)
{
    (void)state;
    cov_weights_processed p;
    cov_err err;
    /* padded branch with a weight beyond num_neurons: the SDK's IndexError */
    const int64_t uids[] = {0, 1, 2, 3};
    const float w[] = {0, 0, 0, 1};
    assert_int_equal(cov_weights_process(&p, uids, w, 4, 3, 2, 65535, 0, &err), COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "IndexError"));
    cov_weights_processed_free(&p);
    assert_int_equal(cov_weights_process(&p, NULL, w, 4, 3, 2, 65535, 0, &err), COV_ERR_ARG);
    assert_int_equal(cov_weights_process(NULL, uids, w, 4, 3, 2, 65535, 0, &err), COV_ERR_ARG);
    /* an empty subnet: uniform over nobody */
    assert_int_equal(cov_weights_process(&p, uids, w, 0, 0, 1, 65535, 0, NULL), COV_OK);
    assert_int_equal(p.len, 0);
    cov_weights_processed_free(&p);
}

/* --------------------------------------- convert_weights_and_uids_for_emit */

static void emit_ok(const int64_t *uids, const double *w, size_t n, const uint16_t *want_uids,
                    const uint16_t *want_values, size_t want_n)
{
    uint16_t ou[16], ov[16];
    size_t len = 99;
    assert_int_equal(cov_weights_emit(ou, ov, &len, uids, n, w, n, NULL), COV_OK);
    assert_int_equal(len, want_n);
    for (size_t i = 0; i < want_n; i++) {
        assert_int_equal(ou[i], want_uids[i]);
        assert_int_equal(ov[i], want_values[i]);
    }
}

static void test_emit_vectors(void **state)
{
    (void)state;
    /* the SDK makes float32 of a list first */
    const int64_t u1[] = {0, 1, 2, 3};
    const double w1[] = {0.1f, 0.2f, 0.3f, 0.4f};
    emit_ok(u1, w1, 4, (const uint16_t[]){0, 1, 2, 3},
            (const uint16_t[]){16384, 32768, 49151, 65535}, 4);
    const int64_t u2[] = {5, 7, 9};
    emit_ok(u2, (const double[]){1.0, 0.5, 0.0}, 3, (const uint16_t[]){5, 7},
            (const uint16_t[]){65535, 32768}, 2);
    emit_ok(u1, (const double[]){0.5, 1.5}, 2, (const uint16_t[]){0, 1},
            (const uint16_t[]){21845, 65535}, 2);
    /* ties to even: 4.5 -> 4, 5.5 -> 6 (C's round() would give 5 and 6) */
    emit_ok(u1, (const double[]){65535.0, 4.5, 5.5}, 3, (const uint16_t[]){0, 1, 2},
            (const uint16_t[]){65535, 4, 6}, 3);
    /* all zero: nothing to set; order kept, duplicates kept */
    emit_ok(u1, (const double[]){0, 0}, 2, NULL, NULL, 0);
    const int64_t u3[] = {9, 3, 9};
    emit_ok(u3, (const double[]){1, 2, 0.5}, 3, (const uint16_t[]){9, 3, 9},
            (const uint16_t[]){32768, 65535, 16384}, 3);
}

static void test_emit_errors(void **state)
{
    (void)state;
    uint16_t ou[4], ov[4];
    size_t len;
    cov_err err;
    const int64_t uids[] = {0, 1, 2};
    const double ok[] = {1, 2, 3};
    /* empty (min() of an empty list), negative weight, negative uid, lengths */
    assert_int_equal(cov_weights_emit(ou, ov, &len, uids, 0, ok, 0, &err), COV_ERR_ARG);
    assert_int_equal(cov_weights_emit(ou, ov, &len, uids, 2, (const double[]){1, -0.5}, 2, &err),
                     COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "negative"));
    assert_int_equal(cov_weights_emit(ou, ov, &len, (const int64_t[]){0, -1}, 2, ok, 2, &err),
                     COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "uid 1"));
    assert_int_equal(cov_weights_emit(ou, ov, &len, uids, 3, ok, 2, &err), COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "same length"));
    assert_int_equal(cov_weights_emit(ou, ov, &len, uids, 0, ok, 2, &err), COV_ERR_ARG);
    /* round() of NaN or inf raises */
    assert_int_equal(cov_weights_emit(ou, ov, &len, uids, 2, (const double[]){1, NAN}, 2, &err),
                     COV_ERR_ARG);
    assert_int_equal(cov_weights_emit(ou, ov, &len, uids, 2, (const double[]){INFINITY, 1}, 2,
                                      &err),
                     COV_ERR_ARG);
    /* a uid the chain cannot hold */
    assert_int_equal(cov_weights_emit(ou, ov, &len, (const int64_t[]){65536}, 1, ok, 1, &err),
                     COV_ERR_ARG);
    assert_int_equal(cov_weights_emit(ou, ov, NULL, uids, 1, ok, 1, &err), COV_ERR_ARG);
}

/* The §4.8 commit hashes, from the SDK's emitted values. */
static void test_commit_hash_vectors(void **state)
{
    (void)state;
    uint8_t hotkey[32], hash[32];
    unhex(hotkey, 32, "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
    uint16_t ou[4], ov[4];
    size_t len;
    assert_int_equal(cov_weights_emit(ou, ov, &len, (const int64_t[]){0, 1, 2, 3}, 4,
                                      (const double[]){0.1f, 0.2f, 0.3f, 0.4f}, 4, NULL),
                     COV_OK);
    const uint16_t salt[] = {1, 2, 3, 4, 5, 6, 7, 8};
    cov_subtensor_weights_hash(hash, hotkey, cov_subtensor_netuid_index(1, 0), ou, ov, len,
                               salt, 8, 10002000);
    expect_hex(hash, 32, "a21e36a43e27f0d2dd18a9e4d1dcafb99036fe91f4b8c3119c6d171f7bfb343f");
    cov_subtensor_weights_hash(hash, hotkey, cov_subtensor_netuid_index(1, 1), ou, ov, len,
                               salt, 8, 10002000);
    expect_hex(hash, 32, "ac99ae5225d46d7ed41449b07fb4e6dd5e246ae53afb439561c40fce5c574cd0");
}

/* ------------------------------------------------------ chain arithmetic */

static void upscale_is(const uint16_t *in, size_t n, const uint16_t *want)
{
    uint16_t out[8];
    cov_weights_chain_upscale(out, in, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(out[i], want[i]);
}

static void test_chain_upscale(void **state)
{
    (void)state;
    /* subtensor's tests/math.rs::test_vec_u16_max_upscale_to_u16 */
    upscale_is(NULL, 0, NULL);
    upscale_is((const uint16_t[]){0}, 1, (const uint16_t[]){0});
    upscale_is((const uint16_t[]){0, 0}, 2, (const uint16_t[]){0, 0});
    upscale_is((const uint16_t[]){1}, 1, (const uint16_t[]){65535});
    upscale_is((const uint16_t[]){0, 1}, 2, (const uint16_t[]){0, 65535});
    upscale_is((const uint16_t[]){65534}, 1, (const uint16_t[]){65535});
    upscale_is((const uint16_t[]){65535, 65535}, 2, (const uint16_t[]){65535, 65535});
    upscale_is((const uint16_t[]){0, 1, 65534}, 3, (const uint16_t[]){0, 1, 65535});
    const uint16_t same[] = {0, 1, 2, 3, 4, 65533, 65535};
    upscale_is(same, 7, same);
    /* round half away from zero: 65535 / 6 = 10922.5 -> 10923 (the SDK's
     * ties-to-even would send 10922) */
    upscale_is((const uint16_t[]){1, 6}, 2, (const uint16_t[]){10923, 65535});
    /* above a max of 32768 the chain truncates 65535 / max first:
     * 20000 * 65535 / 40000 = 32767.5 comes out 32767 */
    upscale_is((const uint16_t[]){20000, 40000}, 2, (const uint16_t[]){32767, 65535});
    upscale_is((const uint16_t[]){100, 200, 300}, 3, (const uint16_t[]){21845, 43690, 65535});
    upscale_is((const uint16_t[]){12345, 54321, 33333}, 3,
               (const uint16_t[]){14893, 65535, 40214});
}

static void test_chain_max_limited(void **state)
{
    (void)state;
    /* [1, 1]: each 0.5; 32768/65535 > 0.5 passes, 32767/65535 < 0.5 fails */
    const uint16_t two[] = {65535, 65535};
    assert_true(cov_weights_chain_max_limited(two, 2, 32768));
    assert_false(cov_weights_chain_max_limited(two, 2, 32767));
    const uint16_t skew[] = {6553, 6553, 65535};
    assert_false(cov_weights_chain_max_limited(skew, 3, 32768));
    assert_true(cov_weights_chain_max_limited(skew, 3, 55000));
    /* none, or all zero: nothing exceeds */
    assert_true(cov_weights_chain_max_limited(NULL, 0, 0));
    const uint16_t zeros[] = {0, 0};
    assert_true(cov_weights_chain_max_limited(zeros, 2, 0));
}

static void test_chain_stake(void **state)
{
    (void)state;
    /* alpha alone */
    assert_true(cov_weights_chain_enough_stake(1000, 0, 0, 1000));
    assert_false(cov_weights_chain_enough_stake(999, 0, 0, 1000));
    /* TaoWeight u64::MAX is exactly 1.0 */
    assert_true(cov_weights_chain_enough_stake(0, 1000, UINT64_MAX, 1000));
    assert_false(cov_weights_chain_enough_stake(0, 1000, UINT64_MAX, 1001));
    /* u64::MAX / 2 is a hair under 0.5 and the chain truncates it to 32
     * bits (2^31 - 1): 2000 root rao do not make 1000 */
    assert_false(cov_weights_chain_enough_stake(0, 2000, UINT64_MAX / 2, 1000));
    assert_true(cov_weights_chain_enough_stake(1, 2000, UINT64_MAX / 2, 1000));
    /* a stake over i64::MAX saturates I64F64 just under 2^63 */
    assert_true(cov_weights_chain_enough_stake(UINT64_MAX, 0, 0, (uint64_t)INT64_MAX));
    assert_false(cov_weights_chain_enough_stake(UINT64_MAX, 0, 0, (uint64_t)INT64_MAX + 1));
    assert_true(cov_weights_chain_enough_stake(0, 0, 0, 0));
}

/* ---------------------------------------------------------- chain checks */

/* A validator (uid 2 of 8) on subnet 1 that may set weights now. */
static cov_weights_chain_state good_state(void)
{
    cov_weights_chain_state s;
    memset(&s, 0, sizeof s);
    s.netuid = 1;
    s.subnet_exists = true;
    s.mechanism_count = 1;
    s.subnetwork_n = 8;
    s.registered = true;
    s.caller_uid = 2;
    s.alpha_stake = 5000;
    s.stake_threshold = 1000;
    s.current_block = 1000;
    s.weights_set_rate_limit = 100;
    s.validator_permit = true;
    s.min_allowed_weights = 2;
    s.max_weights_limit = 65535;
    return s;
}

static const uint16_t UIDS[] = {0, 1, 3};
static const uint16_t VALUES[] = {100, 200, 300};

/* Runs the check; returns the error name ("" when accepted). */
static const char *verdict(cov_weights_call call, const cov_weights_chain_state *s,
                           const uint16_t *uids, size_t n_uids, const uint16_t *values,
                           size_t n_values, uint64_t version_key, int *row)
{
    static cov_weights_verdict v;
    assert_int_equal(cov_weights_chain_check(&v, call, s, uids, n_uids, values, n_values,
                                             version_key, NULL, NULL),
                     COV_OK);
    if (row)
        *row = v.row;
    if (v.error == NULL) {
        assert_int_equal(v.row, -1);
        return "";
    }
    assert_true(strlen(v.message) > 10);
    return v.error;
}

#define SET(s) verdict(COV_WEIGHTS_CALL_SET, &(s), UIDS, 3, VALUES, 3, 0, NULL)

static void test_chain_accepts(void **state)
{
    (void)state;
    cov_weights_chain_state s = good_state();
    cov_weights_verdict v;
    uint16_t up[3];
    assert_int_equal(cov_weights_chain_check(&v, COV_WEIGHTS_CALL_SET, &s, UIDS, 3, VALUES, 3,
                                              0, up, NULL),
                     COV_OK);
    assert_null(v.error);
    /* what the chain stores: max-upscaled */
    assert_int_equal(up[0], 21845);
    assert_int_equal(up[1], 43690);
    assert_int_equal(up[2], 65535);
    /* a reveal on a commit-reveal subnet, even right after an update */
    s.commit_reveal_enabled = true;
    s.last_update = 999;
    assert_string_equal(verdict(COV_WEIGHTS_CALL_REVEAL, &s, UIDS, 3, VALUES, 3, 0, NULL), "");
    assert_int_equal(cov_weights_chain_check(NULL, COV_WEIGHTS_CALL_SET, &s, UIDS, 3, VALUES, 3,
                                             0, NULL, NULL),
                     COV_ERR_ARG);
}

static void test_chain_each_error(void **state)
{
    (void)state;
    cov_weights_chain_state s;
    int row;

    s = good_state();
    s.commit_reveal_enabled = true;
    assert_string_equal(verdict(COV_WEIGHTS_CALL_SET, &s, UIDS, 3, VALUES, 3, 0, &row),
                        "CommitRevealEnabled");
    assert_int_equal(row, 0);
    s = good_state();
    assert_string_equal(verdict(COV_WEIGHTS_CALL_REVEAL, &s, UIDS, 3, VALUES, 3, 0, &row),
                        "CommitRevealDisabled");

    s = good_state();
    s.netuid = 0;
    assert_string_equal(SET(s), "CanNotSetRootNetworkWeights");

    s = good_state();
    assert_string_equal(verdict(COV_WEIGHTS_CALL_SET, &s, UIDS, 3, VALUES, 2, 0, &row),
                        "WeightVecNotEqualSize");
    assert_int_equal(row, 2);

    s = good_state();
    s.mecid = 1;
    assert_string_equal(SET(s), "MechanismDoesNotExist");
    s.mechanism_count = 2;
    assert_string_equal(SET(s), "");
    s = good_state();
    s.subnet_exists = false;
    assert_string_equal(SET(s), "MechanismDoesNotExist");

    s = good_state();
    s.subnetwork_n = 2;
    assert_string_equal(SET(s), "UidsLengthExceedUidsInSubNet");

    s = good_state();
    s.registered = false;
    assert_string_equal(SET(s), "HotKeyNotRegisteredInSubNet");

    s = good_state();
    s.alpha_stake = 999;
    assert_string_equal(SET(s), "NotEnoughStakeToSetWeights");
    s.tao_stake = 1;
    s.tao_weight = UINT64_MAX;
    assert_string_equal(SET(s), "");

    s = good_state();
    s.weights_version_key = 10002000;
    assert_string_equal(verdict(COV_WEIGHTS_CALL_SET, &s, UIDS, 3, VALUES, 3, 10001999, &row),
                        "IncorrectWeightVersionKey");
    assert_int_equal(row, 7);
    assert_string_equal(verdict(COV_WEIGHTS_CALL_SET, &s, UIDS, 3, VALUES, 3, 10002000, NULL),
                        "");

    s = good_state();
    s.last_update = 901; /* 99 blocks ago, limit 100 */
    assert_string_equal(SET(s), "SettingWeightsTooFast");
    s.last_update = 900; /* 100 blocks: the chain's >= passes */
    assert_string_equal(SET(s), "");
    s.last_update = 2000; /* ahead of now: saturating_sub gives 0 */
    assert_string_equal(SET(s), "SettingWeightsTooFast");
    s.weights_set_rate_limit = 0;
    assert_string_equal(SET(s), "");

    s = good_state();
    s.validator_permit = false;
    assert_string_equal(SET(s), "NeuronNoValidatorPermit");

    s = good_state();
    assert_string_equal(verdict(COV_WEIGHTS_CALL_SET, &s, (const uint16_t[]){0, 1, 0}, 3,
                                VALUES, 3, 0, &row),
                        "DuplicateUids");
    assert_int_equal(row, 10);

    s = good_state();
    assert_string_equal(verdict(COV_WEIGHTS_CALL_SET, &s, (const uint16_t[]){0, 1, 8}, 3,
                                VALUES, 3, 0, NULL),
                        "UidVecContainInvalidOne");

    s = good_state();
    s.min_allowed_weights = 4;
    assert_string_equal(SET(s), "WeightVecLengthIsLow");
    /* the minimum is min(subnetwork_n, MinAllowedWeights) */
    s.min_allowed_weights = 100;
    s.subnetwork_n = 3;
    assert_string_equal(verdict(COV_WEIGHTS_CALL_SET, &s, (const uint16_t[]){0, 1, 2}, 3,
                                VALUES, 3, 0, NULL),
                        "");

    s = good_state();
    s.max_weights_limit = 32768; /* 300 / 600 = 0.5 after upscaling: passes */
    assert_string_equal(SET(s), "");
    s.max_weights_limit = 32767;
    assert_string_equal(verdict(COV_WEIGHTS_CALL_SET, &s, UIDS, 3, VALUES, 3, 0, &row),
                        "MaxWeightExceeded");
    assert_int_equal(row, 13);
}

static void test_chain_exemptions(void **state)
{
    (void)state;
    cov_weights_chain_state s = good_state();
    const uint16_t me[] = {2}, one[] = {7};

    /* a self weight: no permit, below the minimum length, over the limit */
    s.validator_permit = false;
    s.min_allowed_weights = 5;
    s.max_weights_limit = 1;
    assert_string_equal(verdict(COV_WEIGHTS_CALL_SET, &s, me, 1, one, 1, 0, NULL), "");
    /* one weight on someone else is not a self weight */
    assert_string_equal(verdict(COV_WEIGHTS_CALL_SET, &s, (const uint16_t[]){3}, 1, one, 1, 0,
                                NULL),
                        "NeuronNoValidatorPermit");
    /* the self weight is still rate limited and stake checked */
    s.last_update = 950;
    assert_string_equal(verdict(COV_WEIGHTS_CALL_SET, &s, me, 1, one, 1, 0, NULL),
                        "SettingWeightsTooFast");
    s.last_update = 0;
    s.alpha_stake = 0;
    assert_string_equal(verdict(COV_WEIGHTS_CALL_SET, &s, me, 1, one, 1, 0, NULL),
                        "NotEnoughStakeToSetWeights");

    /* the owner hotkey: no stake, no permit needed; length and limit apply */
    s = good_state();
    s.is_owner_hotkey = true;
    s.alpha_stake = 0;
    s.validator_permit = false;
    assert_string_equal(SET(s), "");
    s.min_allowed_weights = 4;
    assert_string_equal(SET(s), "WeightVecLengthIsLow");
}

static void test_chain_order(void **state)
{
    (void)state;
    cov_weights_chain_state s = good_state();
    /* several failures at once: the earliest row wins */
    s.commit_reveal_enabled = true;
    s.registered = false;
    s.netuid = 0;
    assert_string_equal(SET(s), "CommitRevealEnabled");
    s.commit_reveal_enabled = false;
    assert_string_equal(SET(s), "CanNotSetRootNetworkWeights");
    s = good_state();
    s.subnetwork_n = 1;
    assert_string_equal(verdict(COV_WEIGHTS_CALL_SET, &s, UIDS, 3, VALUES, 2, 0, NULL),
                        "WeightVecNotEqualSize");
    s = good_state();
    s.registered = false;
    s.alpha_stake = 0;
    assert_string_equal(SET(s), "HotKeyNotRegisteredInSubNet");
    s = good_state();
    s.alpha_stake = 0;
    s.weights_version_key = 5;
    assert_string_equal(SET(s), "NotEnoughStakeToSetWeights");
    s = good_state();
    s.validator_permit = false;
    assert_string_equal(verdict(COV_WEIGHTS_CALL_SET, &s, (const uint16_t[]){0, 0, 9}, 3,
                                VALUES, 3, 0, NULL),
                        "NeuronNoValidatorPermit");
    s.validator_permit = true;
    assert_string_equal(verdict(COV_WEIGHTS_CALL_SET, &s, (const uint16_t[]){9, 0, 9}, 3,
                                VALUES, 3, 0, NULL),
                        "DuplicateUids");
    s.min_allowed_weights = 8;
    assert_string_equal(verdict(COV_WEIGHTS_CALL_SET, &s, (const uint16_t[]){9, 0, 1}, 3,
                                VALUES, 3, 0, NULL),
                        "UidVecContainInvalidOne");
}

/* The SDK's pipeline end to end: what process + emit send passes the
 * chain's checks, and the chain stores the SDK's values unchanged (the
 * largest is already 65535). */
static void test_sdk_to_chain(void **state)
{
    (void)state;
    const int64_t uids[] = {0, 1, 2, 3, 4, 5, 6, 7};
    const float w[] = {0.9f, 0, 0.1f, 0.4f, 0.05f, 0.3f, 0, 0.2f};
    cov_weights_processed p;
    assert_int_equal(cov_weights_process(&p, uids, w, 8, 8, 2, 65535, 0, NULL), COV_OK);
    uint16_t ou[8], ov[8], up[8];
    size_t len;
    assert_int_equal(cov_weights_emit(ou, ov, &len, p.uids, p.len, p.weights, p.len, NULL),
                     COV_OK);
    cov_weights_processed_free(&p);
    assert_int_equal(len, 6);
    cov_weights_chain_state s = good_state();
    cov_weights_verdict v;
    assert_int_equal(cov_weights_chain_check(&v, COV_WEIGHTS_CALL_SET, &s, ou, len, ov, len, 0,
                                             up, NULL),
                     COV_OK);
    assert_null(v.error);
    for (size_t i = 0; i < len; i++)
        assert_int_equal(up[i], ov[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize_vectors),
        cmocka_unit_test(test_normalize_edges),
        cmocka_unit_test(test_process_vectors),
        cmocka_unit_test(test_process_errors),
        cmocka_unit_test(test_emit_vectors),
        cmocka_unit_test(test_emit_errors),
        cmocka_unit_test(test_commit_hash_vectors),
        cmocka_unit_test(test_chain_upscale),
        cmocka_unit_test(test_chain_max_limited),
        cmocka_unit_test(test_chain_stake),
        cmocka_unit_test(test_chain_accepts),
        cmocka_unit_test(test_chain_each_error),
        cmocka_unit_test(test_chain_exemptions),
        cmocka_unit_test(test_chain_order),
        cmocka_unit_test(test_sdk_to_chain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
