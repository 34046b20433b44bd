/* covenant wallet sign | verify | derive. Like subkey, each takes --suri
 * for dev accounts and scripts as well as wallet keys. */
#include "cli/wallet_cmds.h"

#include <stdlib.h>
#include <string.h>

int cli_wallet_sign(const cli_args *a, bool json)
{
    cov_err err = {0};
    uint8_t *msg = NULL;
    size_t msg_len = 0;
    cov_keypair *kp = NULL;
    cov_status st = cli_message(&msg, &msg_len, a, &err);
    if (st == COV_OK)
        st = cli_signing_key(&kp, a, &err);
    uint8_t sig[COV_SIGNATURE_MAX];
    size_t sig_len = 0;
    if (st == COV_OK)
        st = cov_keypair_sign(kp, sig, &sig_len, msg, msg_len, &err);
    free(msg);
    if (st != COV_OK) {
        cov_keypair_free(kp);
        return cli_report(json, &err);
    }
    json_t *obj = cli_key_json(kp, COV_SS58_BITTENSOR);
    json_object_set_new(obj, "signature", cov_json_hex(sig, sig_len));
    char human[2 * COV_SIGNATURE_MAX + 8];
    human[0] = '0';
    human[1] = 'x';
    cov_hex_encode(human + 2, sig, sig_len);
    strcat(human, "\n");
    cli_emit(json, obj, human);
    cov_keypair_free(kp);
    return CLI_EXIT_OK;
}

/* What a signature is checked against: a public key, or (from an SS58
 * address) an account id, which for ecdsa is a hash of the key. */
typedef struct {
    uint8_t bytes[COV_PUBKEY_MAX];
    size_t len;
    bool is_account;
} verify_target;

/* --public-key, --ss58-address, --suri, or the wallet's coldkeypub (hotkey
 * with --use-hotkey). */
static cov_status verify_target_from_args(verify_target *t, cov_key_type type,
                                          const cli_args *a, cov_err *err)
{
    t->is_account = false;
    t->len = type == COV_KEY_ECDSA ? 33 : 32;
    if (cli_has(a, OPT_PUBLIC_KEY))
        return cov_hex_decode(t->bytes, t->len, cli_get(a, OPT_PUBLIC_KEY), err);
    if (cli_has(a, OPT_SS58_ADDRESS)) {
        uint16_t format;
        cov_status st = cli_ss58_format(&format, a, err);
        if (st != COV_OK)
            return st;
        t->is_account = true;
        t->len = 32;
        return cov_ss58_decode(t->bytes, NULL, cli_get(a, OPT_SS58_ADDRESS), format, err);
    }
    cov_keypair *kp = NULL;
    cov_status st;
    if (cli_has(a, OPT_SURI))
        st = cov_keypair_from_suri(&kp, cli_get(a, OPT_SURI), type, err);
    else
        st = cli_load_wallet_key(&kp, a,
                                 cli_has(a, OPT_USE_HOTKEY) ? COV_WALLET_HOTKEYPUB
                                                            : COV_WALLET_COLDKEYPUB,
                                 err);
    if (st == COV_OK)
        t->len = cov_keypair_public(kp, t->bytes);
    cov_keypair_free(kp);
    return st;
}

static cov_status check_signature(const verify_target *t, cov_key_type type,
                                  const uint8_t *sig, size_t sig_len, const uint8_t *msg,
                                  size_t msg_len, cov_err *err)
{
    if (t->is_account)
        return cov_verify_account(type, t->bytes, sig, sig_len, msg, msg_len, err);
    return cov_verify(type, t->bytes, t->len, sig, sig_len, msg, msg_len, err);
}

/* btwallet also accepts signatures over "<Bytes>msg</Bytes>", the wrapping
 * the polkadot-js browser extension's signRaw adds. */
static bool verify_wrapped(const verify_target *t, cov_key_type type, const uint8_t *sig,
                           size_t sig_len, const uint8_t *msg, size_t msg_len)
{
    static const char open[] = "<Bytes>", close[] = "</Bytes>";
    size_t n = msg_len + strlen(open) + strlen(close);
    uint8_t *wrapped = malloc(n);
    if (!wrapped)
        return false;
    memcpy(wrapped, open, strlen(open));
    if (msg_len)
        memcpy(wrapped + strlen(open), msg, msg_len);
    memcpy(wrapped + strlen(open) + msg_len, close, strlen(close));
    bool ok = check_signature(t, type, sig, sig_len, wrapped, n, NULL) == COV_OK;
    free(wrapped);
    return ok;
}

int cli_wallet_verify(const cli_args *a, bool json)
{
    cov_err err = {0};
    cov_key_type type;
    verify_target target;
    uint8_t *msg = NULL, *sig = NULL;
    size_t msg_len = 0, sig_len = 0;
    cov_status st = cli_crypto_type(&type, a, &err);
    if (st == COV_OK && !cli_has(a, OPT_SIGNATURE))
        st = cov_fail(&err, COV_ERR_ARG, "--signature is required");
    if (st == COV_OK)
        st = cli_message(&msg, &msg_len, a, &err);
    if (st == COV_OK && (st = cov_hex_decode_alloc(&sig, &sig_len, cli_get(a, OPT_SIGNATURE),
                                                   COV_SIGNATURE_MAX, &err)) != COV_OK)
        cov_err_context(&err, "--signature");
    if (st == COV_OK && (st = verify_target_from_args(&target, type, a, &err)) != COV_OK)
        cov_err_context(&err, "public key");
    bool valid = false, wrapped = false;
    if (st == COV_OK) {
        st = check_signature(&target, type, sig, sig_len, msg, msg_len, &err);
        valid = st == COV_OK;
        if (st == COV_ERR_BAD_SIGNATURE) {
            wrapped = verify_wrapped(&target, type, sig, sig_len, msg, msg_len);
            valid = wrapped;
            st = COV_OK;
        }
    }
    free(msg);
    free(sig);
    if (st != COV_OK)
        return cli_report(json, &err);
    json_t *obj = json_pack("{s:b,s:s}", "valid", valid, "crypto", cov_key_type_name(type));
    if (wrapped)
        json_object_set_new(obj, "wrapped", json_true());
    cli_emit(json, obj,
             valid ? (wrapped ? "valid (signed as <Bytes>message</Bytes>)\n" : "valid\n")
                   : "INVALID\n");
    return CLI_EXIT_OK;
}

int cli_wallet_derive(const cli_args *a, bool json)
{
    cov_err err = {0};
    cov_key_type type;
    uint16_t format;
    if (!cli_has(a, OPT_SURI))
        return cli_usage_error(json, "--suri is required, e.g. --suri //Alice");
    if (cli_crypto_type(&type, a, &err) != COV_OK || cli_ss58_format(&format, a, &err) != COV_OK)
        return cli_report(json, &err);
    cov_keypair *kp;
    if (cov_keypair_from_suri(&kp, cli_get(a, OPT_SURI), type, &err) != COV_OK)
        return cli_report(json, &err);
    json_t *obj = cli_key_json(kp, format);
    uint8_t account[32];
    cov_keypair_account_id(kp, account);
    json_object_set_new(obj, "account_id", cov_json_hex(account, 32));
    char human[512];
    snprintf(human, sizeof human, "crypto       %s\npublic key   %s\naccount id   %s\nss58 address %s\n",
             cov_key_type_name(type), json_string_value(json_object_get(obj, "public_key")),
             json_string_value(json_object_get(obj, "account_id")),
             json_string_value(json_object_get(obj, "ss58_address")));
    cli_emit(json, obj, human);
    cov_keypair_free(kp);
    return CLI_EXIT_OK;
}
