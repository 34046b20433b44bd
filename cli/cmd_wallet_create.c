/* covenant wallet new-coldkey | new-hotkey | regen-coldkey | regen-hotkey |
 * regen-coldkeypub: making keys and writing them in btcli's layout. */
#include "cli/wallet_cmds.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { ROLE_COLDKEY, ROLE_HOTKEY } key_role;

static cov_status parse_n_words(unsigned *out, const cli_args *a, cov_err *err)
{
    *out = 12;
    if (!cli_has(a, OPT_N_WORDS))
        return COV_OK;
    char *end;
    unsigned long n = strtoul(cli_get(a, OPT_N_WORDS), &end, 10);
    if (*end || (n != 12 && n != 15 && n != 18 && n != 21 && n != 24))
        return cov_fail(err, COV_ERR_ARG, "--n-words must be 12, 15, 18, 21 or 24");
    *out = (unsigned)n;
    return COV_OK;
}

/* Coldkeys are encrypted unless --no-password; hotkeys only with
 * --use-password, as btcli does. */
static bool wants_password(const cli_args *a, key_role role)
{
    if (role == ROLE_COLDKEY)
        return !cli_has(a, OPT_NO_PASSWORD);
    return cli_has(a, OPT_USE_PASSWORD) && !cli_has(a, OPT_NO_PASSWORD);
}

static int store_and_report(const cli_args *a, bool json, key_role role,
                            const cov_keypair *kp, bool show_mnemonic)
{
    cov_err err = {0};
    cov_wallet w;
    if (cli_wallet_open(&w, a, &err) != COV_OK)
        return cli_report(json, &err);
    char *password = NULL;
    cov_status st = COV_OK;
    cov_wallet_file main_file = role == ROLE_COLDKEY ? COV_WALLET_COLDKEY : COV_WALLET_HOTKEY;
    char *path = cov_wallet_file_path(&w, main_file);
    if (!path)
        st = cov_fail(&err, COV_ERR_NOMEM, "out of memory");
    /* Check before asking for a password the user would type in vain. */
    if (st == COV_OK && !cli_has(a, OPT_OVERWRITE) && cov_file_exists(path))
        st = cov_fail(&err, COV_ERR_EXISTS,
                      "%s already exists; pass --overwrite to replace it (its "
                      "key is lost unless you have its mnemonic)", path);
    if (st == COV_OK && wants_password(a, role))
        st = cli_password_new(&password, a, role == ROLE_COLDKEY ? "coldkey" : "hotkey", &err);
    if (st == COV_OK && password)
        cov_log(COV_LOG_INFO, "encrypting %s (argon2i, 512 MiB, a few seconds)", path);
    if (st == COV_OK)
        st = role == ROLE_COLDKEY
                 ? cov_wallet_store_coldkey(&w, kp, password, cli_has(a, OPT_OVERWRITE), &err)
                 : cov_wallet_store_hotkey(&w, kp, password, cli_has(a, OPT_OVERWRITE), &err);
    if (password)
        sodium_free(password);
    if (st != COV_OK) {
        free(path);
        cov_wallet_free(&w);
        return cli_report(json, &err);
    }
    char address[COV_SS58_MAX];
    if (cov_keypair_ss58(kp, address, COV_SS58_BITTENSOR, &err) != COV_OK)
        address[0] = '\0';
    const char *mnemonic = show_mnemonic ? cov_keypair_mnemonic(kp) : NULL;
    json_t *obj = cli_key_json(kp, COV_SS58_BITTENSOR);
    json_object_set_new(obj, "name", json_string(w.name));
    if (role == ROLE_HOTKEY)
        json_object_set_new(obj, "hotkey", json_string(w.hotkey));
    json_object_set_new(obj, "path", json_string(path));
    json_object_set_new(obj, "encrypted", json_boolean(wants_password(a, role)));
    if (mnemonic)
        json_object_set_new(obj, "mnemonic", json_string(mnemonic));
    char human[1024];
    int n = snprintf(human, sizeof human, "%s written to %s\nss58 address: %s\n",
                     role == ROLE_COLDKEY ? "coldkey" : "hotkey", path, address);
    if (mnemonic && n > 0 && (size_t)n < sizeof human)
        snprintf(human + n, sizeof human - (size_t)n,
                 "\nIMPORTANT: store this mnemonic in a secure (preferably offline) "
                 "place; anyone who has it controls the key.\n"
                 "The mnemonic to the new %s is:\n\n%s\n\n"
                 "You can regenerate the key with:\n"
                 "covenant wallet regen-%s --mnemonic \"%s\"\n",
                 role == ROLE_COLDKEY ? "coldkey" : "hotkey", mnemonic,
                 role == ROLE_COLDKEY ? "coldkey" : "hotkey", mnemonic);
    cli_emit(json, obj, human);
    sodium_memzero(human, sizeof human);
    free(path);
    cov_wallet_free(&w);
    return CLI_EXIT_OK;
}

static int new_key(const cli_args *a, bool json, key_role role)
{
    cov_err err = {0};
    unsigned words;
    if (parse_n_words(&words, a, &err) != COV_OK)
        return cli_report(json, &err);
    char *mnemonic = sodium_malloc(COV_MNEMONIC_MAX);
    if (!mnemonic) {
        cov_fail(&err, COV_ERR_NOMEM, "out of secure memory");
        return cli_report(json, &err);
    }
    cov_keypair *kp = NULL;
    cov_status st = cov_mnemonic_generate(mnemonic, words, &err);
    if (st == COV_OK)
        st = cov_keypair_from_mnemonic(&kp, mnemonic, NULL, COV_KEY_SR25519, &err);
    sodium_free(mnemonic);
    int rc = st == COV_OK ? store_and_report(a, json, role, kp, true) : cli_report(json, &err);
    cov_keypair_free(kp);
    return rc;
}

static int regen_key(const cli_args *a, bool json, key_role role)
{
    cov_err err = {0};
    cov_keypair *kp = NULL;
    if (cli_key_from_secret_args(&kp, a, &err) != COV_OK)
        return cli_report(json, &err);
    int rc = store_and_report(a, json, role, kp, false);
    cov_keypair_free(kp);
    return rc;
}

int cli_wallet_new_coldkey(const cli_args *a, bool json) { return new_key(a, json, ROLE_COLDKEY); }
int cli_wallet_new_hotkey(const cli_args *a, bool json) { return new_key(a, json, ROLE_HOTKEY); }
int cli_wallet_regen_coldkey(const cli_args *a, bool json) { return regen_key(a, json, ROLE_COLDKEY); }
int cli_wallet_regen_hotkey(const cli_args *a, bool json) { return regen_key(a, json, ROLE_HOTKEY); }

int cli_wallet_regen_coldkeypub(const cli_args *a, bool json)
{
    cov_err err = {0};
    uint8_t pub[32];
    cov_status st;
    if (cli_has(a, OPT_SS58_ADDRESS) == cli_has(a, OPT_PUBLIC_KEY))
        return cli_usage_error(json, "give exactly one of --ss58-address or --public-key");
    uint16_t format;
    if (cli_ss58_format(&format, a, &err) != COV_OK)
        return cli_report(json, &err);
    if (cli_has(a, OPT_SS58_ADDRESS))
        st = cov_ss58_decode(pub, NULL, cli_get(a, OPT_SS58_ADDRESS), format, &err);
    else
        st = cov_hex_decode(pub, 32, cli_get(a, OPT_PUBLIC_KEY), &err);
    cov_keypair *kp = NULL;
    if (st == COV_OK)
        st = cov_keypair_from_public(&kp, COV_KEY_SR25519, pub, 32, &err);
    cov_wallet w;
    if (st == COV_OK)
        st = cli_wallet_open(&w, a, &err);
    if (st != COV_OK) {
        cov_keypair_free(kp);
        return cli_report(json, &err);
    }
    st = cov_wallet_store_coldkeypub(&w, kp, cli_has(a, OPT_OVERWRITE), &err);
    char *path = cov_wallet_file_path(&w, COV_WALLET_COLDKEYPUB);
    int rc = CLI_EXIT_OK;
    if (st != COV_OK) {
        rc = cli_report(json, &err);
    } else {
        json_t *obj = cli_key_json(kp, COV_SS58_BITTENSOR);
        json_object_set_new(obj, "name", json_string(w.name));
        json_object_set_new(obj, "path", json_string(path ? path : ""));
        char human[512];
        snprintf(human, sizeof human, "coldkeypub written to %s\n", path ? path : "?");
        cli_emit(json, obj, human);
    }
    free(path);
    cov_wallet_free(&w);
    cov_keypair_free(kp);
    return rc;
}
