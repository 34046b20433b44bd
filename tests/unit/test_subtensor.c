/* Subtensor helpers: the commit-reveal weights hash (vectors from the
 * bittensor SDK's generate_weight_hash, research notes 4.8) and the epoch
 * schedule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_helpers.h"
#include "chain/chain.h"

#define ALICE "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"

static void test_weights_hash(void **state)
{
    (void)state;
    uint8_t hotkey[32], hash[32];
    unhex(hotkey, 32, ALICE);
    const uint16_t uids[] = {0, 1, 2, 3}, values[] = {16384, 32768, 49151, 65535};
    const uint16_t salt[] = {1, 2, 3, 4, 5, 6, 7, 8};
    cov_subtensor_weights_hash(hash, hotkey, cov_subtensor_netuid_index(1, 0), uids, values, 4,
                               salt, 8, 10002000);
    expect_hex(hash, 32, "a21e36a43e27f0d2dd18a9e4d1dcafb99036fe91f4b8c3119c6d171f7bfb343f");
    assert_int_equal(cov_subtensor_netuid_index(1, 1), 4097);
    cov_subtensor_weights_hash(hash, hotkey, cov_subtensor_netuid_index(1, 1), uids, values, 4,
                               salt, 8, 10002000);
    expect_hex(hash, 32, "ac99ae5225d46d7ed41449b07fb4e6dd5e246ae53afb439561c40fce5c574cd0");
}

static void test_blocks_to_epoch(void **state)
{
    (void)state;
    /* Since spec 423: LastEpochBlock + tempo. */
    assert_int_equal(cov_subtensor_blocks_to_epoch(1000, 3, 360, true, 900), 260);
    assert_int_equal(cov_subtensor_blocks_to_epoch(1300, 3, 360, true, 900), 0);
    /* Before: the epoch runs when (block + netuid + 1) % (tempo + 1) == 0. */
    assert_int_equal(cov_subtensor_blocks_to_epoch(357, 3, 360, false, 0), 0);
    assert_int_equal(cov_subtensor_blocks_to_epoch(358, 3, 360, false, 0), 360);
    assert_int_equal(cov_subtensor_blocks_to_epoch(356, 3, 360, false, 0), 1);
    assert_int_equal(cov_subtensor_blocks_to_epoch(356, 3, 0, false, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weights_hash),
        cmocka_unit_test(test_blocks_to_epoch),
    };
    if (cov_crypto_init(NULL) != COV_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
