/* Turning command-line choices into keys: --suri, --mnemonic/--seed, or a
 * wallet's coldkey/hotkey file (asking for its password if encrypted). */
#include "cli/wallet_cmds.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

cov_status cli_crypto_type(cov_key_type *out, const cli_args *a, cov_err *err)
{
    *out = COV_KEY_SR25519;
    if (!cli_has(a, OPT_CRYPTO))
        return COV_OK;
    if (!cov_key_type_parse(cli_get(a, OPT_CRYPTO), out))
        return cov_fail(err, COV_ERR_ARG,
                        "--crypto must be sr25519, ed25519 or ecdsa, not \"%s\"",
                        cli_get(a, OPT_CRYPTO));
    return COV_OK;
}

cov_status cli_ss58_format(uint16_t *out, const cli_args *a, cov_err *err)
{
    *out = COV_SS58_BITTENSOR;
    if (!cli_has(a, OPT_SS58_FORMAT))
        return COV_OK;
    char *end;
    unsigned long v = strtoul(cli_get(a, OPT_SS58_FORMAT), &end, 10);
    if (*end || end == cli_get(a, OPT_SS58_FORMAT) || v > 16383)
        return cov_fail(err, COV_ERR_ARG, "--ss58-format must be a number from 0 to 16383");
    *out = (uint16_t)v;
    return COV_OK;
}

cov_status cli_wallet_open(cov_wallet *w, const cli_args *a, cov_err *err)
{
    return cov_wallet_init(w, cli_get(a, OPT_WALLET_PATH), cli_get(a, OPT_WALLET_NAME),
                           cli_get(a, OPT_WALLET_HOTKEY), err);
}

cov_status cli_load_wallet_key(cov_keypair **out, const cli_args *a,
                               cov_wallet_file which, cov_err *err)
{
    *out = NULL;
    cov_wallet w;
    cov_status st = cli_wallet_open(&w, a, err);
    if (st != COV_OK)
        return st;
    char *path = cov_wallet_file_path(&w, which);
    cov_wallet_free(&w);
    if (!path)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    char *password = NULL;
    if (!cov_file_exists(path))
        st = cov_fail(err, COV_ERR_NOT_FOUND,
                      "%s does not exist; check --wallet.name, --wallet.hotkey "
                      "and --wallet.path, or create it with `covenant wallet new-%s`",
                      path, which == COV_WALLET_HOTKEY ? "hotkey" : "coldkey");
    else if (cov_keyfile_is_encrypted(path))
        st = cli_password_for_file(&password, a, path, err);
    if (st == COV_OK && password)
        cov_log(COV_LOG_INFO, "unlocking %s (argon2i, 512 MiB, a few seconds)", path);
    if (st == COV_OK)
        st = cov_keyfile_load(out, path, password, err);
    if (password)
        sodium_free(password);
    free(path);
    return st;
}

cov_status cli_signing_key(cov_keypair **out, const cli_args *a, cov_err *err)
{
    if (cli_has(a, OPT_SURI)) {
        cov_key_type type;
        cov_status st = cli_crypto_type(&type, a, err);
        if (st != COV_OK)
            return st;
        return cov_keypair_from_suri(out, cli_get(a, OPT_SURI), type, err);
    }
    return cli_load_wallet_key(out, a,
                               cli_has(a, OPT_USE_HOTKEY) ? COV_WALLET_HOTKEY
                                                          : COV_WALLET_COLDKEY,
                               err);
}

static cov_status key_from_polkadot_json(cov_keypair **out, const cli_args *a, cov_err *err)
{
    uint8_t *json;
    size_t len;
    const char *path = cli_get(a, OPT_JSON_PATH);
    cov_status st = cov_file_read(&json, &len, path, 64 * 1024, true, err);
    if (st != COV_OK)
        return cov_err_context(err, "--json-path");
    char *password = NULL;
    if (cli_has(a, OPT_JSON_PASSWORD_FILE))
        st = cli_password_from_file(&password, cli_get(a, OPT_JSON_PASSWORD_FILE), err);
    else
        st = cli_password_prompt(&password, "Enter the password of the polkadot-js export: ", err);
    if (st == COV_OK)
        st = cov_keypair_from_polkadot_json(out, (const char *)json, len, password, err);
    if (password)
        sodium_free(password);
    sodium_free(json);
    return st;
}

cov_status cli_key_from_secret_args(cov_keypair **out, const cli_args *a,
                                    cov_err *err)
{
    *out = NULL;
    int sources = cli_has(a, OPT_MNEMONIC) + cli_has(a, OPT_SEED) + cli_has(a, OPT_JSON_PATH);
    if (sources != 1)
        return cov_fail(err, COV_ERR_ARG, "give exactly one of --mnemonic, --seed or --json-path");
    if (cli_has(a, OPT_JSON_PATH))
        return key_from_polkadot_json(out, a, err);
    if (cli_has(a, OPT_MNEMONIC))
        return cov_keypair_from_mnemonic(out, cli_get(a, OPT_MNEMONIC), NULL,
                                         COV_KEY_SR25519, err);
    uint8_t *seed = sodium_malloc(32);
    if (!seed)
        return cov_fail(err, COV_ERR_NOMEM, "out of secure memory");
    cov_status st = cov_hex_decode(seed, 32, cli_get(a, OPT_SEED), err);
    if (st != COV_OK)
        cov_err_context(err, "--seed must be 0x + 64 hex digits");
    else
        st = cov_keypair_from_seed(out, COV_KEY_SR25519, seed, err);
    sodium_free(seed);
    return st;
}

cov_status cli_message(uint8_t **msg, size_t *len, const cli_args *a, cov_err *err)
{
    if (cli_has(a, OPT_MESSAGE_HEX) == cli_has(a, OPT_MESSAGE))
        return cov_fail(err, COV_ERR_ARG, "give exactly one of --message-hex or --message");
    if (cli_has(a, OPT_MESSAGE_HEX)) {
        cov_status st = cov_hex_decode_alloc(msg, len, cli_get(a, OPT_MESSAGE_HEX),
                                             16u << 20, err);
        if (st != COV_OK)
            cov_err_context(err, "--message-hex");
        return st;
    }
    const char *text = cli_get(a, OPT_MESSAGE);
    *len = strlen(text);
    *msg = malloc(*len + 1);
    if (!*msg)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    memcpy(*msg, text, *len + 1);
    return COV_OK;
}

json_t *cli_key_json(const cov_keypair *kp, uint16_t ss58_format)
{
    uint8_t pub[COV_PUBKEY_MAX];
    size_t pub_len = cov_keypair_public(kp, pub);
    char address[COV_SS58_MAX] = "";
    if (cov_keypair_ss58(kp, address, ss58_format, NULL) != COV_OK)
        address[0] = '\0';
    return json_pack("{s:s,s:o,s:s}", "crypto", cov_key_type_name(cov_keypair_type(kp)),
                     "public_key", cov_json_hex(pub, pub_len), "ss58_address", address);
}
