/* The type-directed codec: every constant and storage default of real
 * chains' metadata decodes to JSON and encodes back to the same bytes;
 * call arguments from JSON give the bytes the chain expects; bad JSON is
 * refused with the path to the bad part. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_helpers.h"
#include "chain/chain.h"

#define ALICE_SS58 "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
#define ALICE_HEX "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"

static const char *const blobs[] = {
    "v14/kusama-hex.js",       "v14/polkadot-hex.js",         "v14/substrate-hex.js",
    "v15/kusama-hex.js",       "v15/polkadot-hex.js",         "v15/asset-hub-polkadot-hex.js",
};

static cov_metadata *load(const char *rel)
{
    uint8_t *bytes;
    size_t len;
    if (!load_support_blob(rel, &bytes, &len))
        return NULL;
    cov_metadata *m;
    assert_int_equal(cov_metadata_decode(&m, bytes, len, NULL), COV_OK);
    free(bytes);
    return m;
}

/* decode -> JSON -> encode must give the bytes back. */
static void round_trip(const cov_metadata *m, uint32_t type, const uint8_t *bytes, size_t len,
                       const char *what)
{
    json_t *v = NULL;
    cov_err err;
    cov_status st = cov_codec_decode_all(&v, m, type, bytes, len, NULL, &err);
    if (st != COV_OK)
        fail_msg("%s: decode failed: %s", what, err.msg);
    cov_buf b;
    cov_buf_init(&b, 1u << 24);
    st = cov_codec_encode(&b, m, type, v, &err);
    if (st != COV_OK)
        fail_msg("%s: encode failed: %s", what, err.msg);
    assert_int_equal(b.len, len);
    assert_memory_equal(b.data, bytes, len);
    cov_buf_free(&b);
    json_decref(v);
}

static void test_real_metadata_round_trips(void **state)
{
    (void)state;
    size_t checked = 0, chains = 0;
    for (size_t i = 0; i < sizeof blobs / sizeof *blobs; i++) {
        cov_metadata *m = load(blobs[i]);
        if (!m)
            continue;
        chains++;
        for (uint32_t p = 0; p < cov_metadata_n_pallets(m); p++) {
            const cov_meta_pallet *pallet = cov_metadata_pallet_at(m, p);
            for (uint32_t k = 0; k < pallet->n_constants; k++, checked++)
                round_trip(m, pallet->constants[k].type, pallet->constants[k].value,
                           pallet->constants[k].value_len, pallet->constants[k].name);
            for (uint32_t s = 0; s < pallet->n_storage; s++) {
                const cov_meta_storage_entry *e = &pallet->storage[s];
                if (e->modifier == COV_STORAGE_DEFAULT) {
                    round_trip(m, e->value_type, e->default_value, e->default_len, e->name);
                    checked++;
                }
            }
        }
        cov_metadata_free(m);
    }
    if (chains == 0)
        skip(); /* npm ci --prefix tests/interop installs the blobs */
    assert_true(checked > 1000);
}

static void test_call_from_json(void **state)
{
    (void)state;
    cov_metadata *m = load("v14/substrate-hex.js");
    if (!m)
        skip();
    cov_meta_call call;
    assert_int_equal(cov_metadata_call(m, &call, "Balances", "transfer_keep_alive", NULL), COV_OK);
    assert_int_equal(call.variant->n_fields, 2);
    /* dest: MultiAddress::Id(Alice), value: Compact<u128> 1.5e9 */
    json_t *dest = json_pack("{s:s}", "Id", ALICE_SS58);
    json_t *value = json_string("1500000000");
    cov_buf b;
    cov_buf_init(&b, 1024);
    assert_int_equal(cov_codec_encode(&b, m, call.variant->fields[0].type, dest, NULL), COV_OK);
    assert_int_equal(cov_codec_encode(&b, m, call.variant->fields[1].type, value, NULL), COV_OK);
    /* 1.5e9 = 0x59682f00 > 2^30 - 1: compact big mode, 0x03 then 4 LE bytes */
    expect_hex(b.data, b.len, "00" ALICE_HEX "03002f6859");
    /* The same account as hex decodes identically, and decodes back to SS58. */
    cov_buf_reset(&b);
    json_t *hex_dest = json_pack("{s:s}", "Id", "0x" ALICE_HEX);
    assert_int_equal(cov_codec_encode(&b, m, call.variant->fields[0].type, hex_dest, NULL), COV_OK);
    json_t *back;
    assert_int_equal(cov_codec_decode_all(&back, m, call.variant->fields[0].type, b.data, b.len,
                                          NULL, NULL),
                     COV_OK);
    assert_string_equal(json_string_value(json_object_get(back, "Id")), ALICE_SS58);
    json_decref(back);
    json_decref(hex_dest);
    json_decref(dest);
    json_decref(value);
    cov_buf_free(&b);
    cov_metadata_free(m);
}

static void expect_encode_error(const cov_metadata *m, uint32_t type, const char *json,
                                const char *fragment)
{
    json_error_t jerr;
    json_t *v = json_loads(json, JSON_DECODE_ANY, &jerr);
    assert_non_null(v);
    cov_buf b;
    cov_buf_init(&b, 1024);
    cov_err err;
    assert_int_equal(cov_codec_encode(&b, m, type, v, &err), COV_ERR_ARG);
    if (!strstr(err.msg, fragment))
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, fragment);
    cov_buf_free(&b);
    json_decref(v);
}

static void test_encode_errors_name_the_path(void **state)
{
    (void)state;
    cov_metadata *m = load("v14/substrate-hex.js");
    if (!m)
        skip();
    const cov_meta_storage_entry *account;
    assert_int_equal(cov_metadata_storage(m, NULL, &account, "System", "Account", NULL), COV_OK);
    uint32_t info = account->value_type; /* AccountInfo { nonce, ..., data: { free, ... } } */
    expect_encode_error(m, info, "{\"nonce\":1}", "missing field");
    expect_encode_error(m, info,
                        "{\"nonce\":-1,\"consumers\":0,\"providers\":0,\"sufficients\":0,"
                        "\"data\":{\"free\":0,\"reserved\":0,\"frozen\":0,\"flags\":0}}",
                        "nonce: -1 is negative");
    expect_encode_error(m, info,
                        "{\"nonce\":4294967296,\"consumers\":0,\"providers\":0,\"sufficients\":0,"
                        "\"data\":{\"free\":0,\"reserved\":0,\"frozen\":0,\"flags\":0}}",
                        "does not fit in 4 bytes");
    expect_encode_error(m, info,
                        "{\"nonce\":0,\"consumers\":0,\"providers\":0,\"sufficients\":0,"
                        "\"data\":{\"free\":\"12x\",\"reserved\":0,\"frozen\":0,\"flags\":0}}",
                        "data.free");
    cov_meta_call call;
    assert_int_equal(cov_metadata_call(m, &call, "Balances", "transfer_keep_alive", NULL), COV_OK);
    expect_encode_error(m, call.variant->fields[0].type, "{\"Nope\":1}", "no variant \"Nope\"");
    expect_encode_error(m, call.variant->fields[0].type, "{\"Id\":\"5Grwva\"}", "Id");
    cov_metadata_free(m);
}

static void test_big_numbers(void **state)
{
    (void)state;
    uint8_t le[32];
    char text[80];
    memset(le, 0xff, 16);
    cov_codec_le_to_decimal(text, le, 16);
    assert_string_equal(text, "340282366920938463463374607431768211455");
    assert_true(cov_codec_parse_unsigned(le, 16, "340282366920938463463374607431768211455"));
    assert_false(cov_codec_parse_unsigned(le, 16, "340282366920938463463374607431768211456"));
    assert_true(cov_codec_parse_unsigned(le, 8, "0x0102"));
    assert_int_equal(le[0], 2);
    assert_int_equal(le[1], 1);
    assert_false(cov_codec_parse_unsigned(le, 8, "12a"));
    assert_false(cov_codec_parse_unsigned(le, 8, ""));
    memset(le, 0, 32);
    cov_codec_le_to_decimal(text, le, 32);
    assert_string_equal(text, "0");
}

static void test_decode_truncated_names_the_path(void **state)
{
    (void)state;
    cov_metadata *m = load("v14/substrate-hex.js");
    if (!m)
        skip();
    const cov_meta_storage_entry *account;
    assert_int_equal(cov_metadata_storage(m, NULL, &account, "System", "Account", NULL), COV_OK);
    uint8_t bytes[20] = {0};
    json_t *v = NULL;
    cov_err err;
    assert_int_not_equal(cov_codec_decode_all(&v, m, account->value_type, bytes, sizeof bytes,
                                              NULL, &err),
                         COV_OK);
    assert_null(v);
    if (!strstr(err.msg, "data.free"))
        fail_msg("message \"%s\" lacks \"data.free\"", err.msg);

    /* Two events, the second cut short inside its last field: the path has
     * the index, the variant names and the field. */
    const cov_meta_storage_entry *events;
    assert_int_equal(cov_metadata_storage(m, NULL, &events, "System", "Events", NULL), COV_OK);
    const char *record = "{\"phase\":{\"ApplyExtrinsic\":1},\"event\":{\"System\":{\"Remarked\":"
                         "{\"sender\":\"" ALICE_SS58 "\",\"hash\":\"0x" ALICE_HEX "\"}}},"
                         "\"topics\":[]}";
    char text[1024];
    snprintf(text, sizeof text, "[%s,%s]", record, record);
    json_error_t jerr;
    json_t *list = json_loads(text, 0, &jerr);
    assert_non_null(list);
    cov_buf b;
    cov_buf_init(&b, 4096);
    assert_int_equal(cov_codec_encode(&b, m, events->value_type, list, NULL), COV_OK);
    assert_int_equal(cov_codec_decode_all(&v, m, events->value_type, b.data, b.len, NULL, NULL),
                     COV_OK);
    assert_true(json_equal(v, list));
    json_decref(v);
    assert_int_not_equal(cov_codec_decode_all(&v, m, events->value_type, b.data, b.len - 5, NULL,
                                              &err),
                         COV_OK);
    if (!strstr(err.msg, "[1].event.System.Remarked.hash"))
        fail_msg("message \"%s\" lacks \"[1].event.System.Remarked.hash\"", err.msg);
    cov_buf_free(&b);
    json_decref(list);
    cov_metadata_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_metadata_round_trips),
        cmocka_unit_test(test_call_from_json),
        cmocka_unit_test(test_encode_errors_name_the_path),
        cmocka_unit_test(test_big_numbers),
        cmocka_unit_test(test_decode_truncated_names_the_path),
    };
    if (cov_crypto_init(NULL) != COV_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
