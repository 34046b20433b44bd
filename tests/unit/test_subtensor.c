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

/* Typed builders against a real runtime's metadata (substrate's, shipped by
 * @polkadot/types-support): indices and types come from the metadata. */
static void test_typed_calls(void **state)
{
    (void)state;
    uint8_t *meta;
    size_t len;
    if (!load_support_blob("v14/substrate-hex.js", &meta, &len))
        skip();
    uint8_t genesis[32] = {0}, alice[32];
    cov_rpc_runtime_version version = {.spec_version = 1, .transaction_version = 1};
    cov_chain *c;
    assert_int_equal(cov_chain_offline(&c, NULL, meta, len, genesis, &version, NULL), COV_OK);
    free(meta);
    unhex(alice, 32, ALICE);
    cov_meta_call mc;
    assert_int_equal(cov_metadata_call(cov_chain_metadata(c), &mc, "Balances",
                                       "transfer_keep_alive", NULL),
                     COV_OK);
    cov_buf b;
    cov_buf_init(&b, 1024);
    assert_int_equal(cov_subtensor_transfer_call(c, &b, alice, 1500000000, NULL), COV_OK);
    assert_int_equal(b.len, 2 + 1 + 32 + 5);
    assert_int_equal(b.data[0], mc.pallet_index);
    assert_int_equal(b.data[1], mc.call_index);
    expect_hex(b.data + 2, b.len - 2, "00" ALICE "03002f6859");
    /* A chain without SubtensorModule says so instead of guessing indices. */
    cov_buf_reset(&b);
    cov_err err;
    assert_int_equal(cov_subtensor_register_call(c, &b, 1, alice, &err), COV_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "SubtensorModule"));
    /* Signing with the metadata's extensions, offline (nonce and block given). */
    cov_keypair *kp;
    assert_int_equal(cov_keypair_from_suri(&kp, "//Alice", COV_KEY_ED25519, NULL), COV_OK);
    cov_tx_options o;
    cov_tx_options_default(&o);
    o.have_nonce = true;
    o.nonce = 7;
    o.have_block = true;
    o.block_number = 100;
    cov_buf call, xt;
    cov_buf_init(&call, 1024);
    cov_buf_init(&xt, 4096);
    assert_int_equal(cov_subtensor_transfer_call(c, &call, alice, 1, NULL), COV_OK);
    assert_int_equal(cov_chain_sign(c, &xt, kp, call.data, call.len, &o, &err), COV_OK);
    /* A signed v4 extrinsic (0x84 after its length) that ends with the call;
     * byte-level checks against polkadot-js are in interop_chain_cli. */
    assert_int_equal(xt.data[2], 0x84);
    assert_true(xt.len > call.len + 100);
    assert_memory_equal(xt.data + xt.len - call.len, call.data, call.len);
    cov_keypair_free(kp);
    cov_buf_free(&call);
    cov_buf_free(&xt);
    cov_buf_free(&b);
    cov_chain_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weights_hash),
        cmocka_unit_test(test_blocks_to_epoch),
        cmocka_unit_test(test_typed_calls),
    };
    if (cov_crypto_init(NULL) != COV_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
