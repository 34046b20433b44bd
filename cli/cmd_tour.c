/* covenant tour: keys, wallets and chain pieces computed offline, on
 * throwaway keys in a temporary folder (covenant demo is the training round). */
#include "chain/chain.h"
#include "cli/wallet_cmds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEMO_PASSWORD "demo-password-not-secret"

typedef struct {
    bool json;
    json_t *steps;
    int step;
} demo;

static void say(demo *d, const char *title, json_t *detail, const char *text)
{
    d->step++;
    if (!d->json)
        printf("\n[%d] %s\n%s", d->step, title, text);
    json_array_append_new(d->steps, json_pack("{s:i,s:s,s:o}", "step", d->step, "title",
                                              title, "result", detail));
    fflush(stdout);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

static cov_status demo_dev_accounts(demo *d, cov_err *err)
{
    static const char *const suris[] = {"//Alice", "//Bob"};
    char text[2048] = "";
    size_t used = 0;
    json_t *keys = json_array();
    for (size_t i = 0; i < 2; i++) {
        for (int t = COV_KEY_SR25519; t <= COV_KEY_ECDSA; t++) {
            cov_keypair *kp;
            cov_status st = cov_keypair_from_suri(&kp, suris[i], (cov_key_type)t, err);
            if (st != COV_OK) {
                json_decref(keys);
                return st;
            }
            json_t *k = cli_key_json(kp, COV_SS58_BITTENSOR);
            json_object_set_new(k, "suri", json_string(suris[i]));
            used += (size_t)snprintf(text + used, sizeof text - used, "  %-8s %-8s %s\n",
                                     suris[i], cov_key_type_name((cov_key_type)t),
                                     json_string_value(json_object_get(k, "ss58_address")));
            json_array_append_new(keys, k);
            cov_keypair_free(kp);
        }
    }
    say(d, "Substrate dev accounts from secret URIs (no disk touched)", keys, text);
    return COV_OK;
}

static cov_status demo_wallet(demo *d, const char *dir, cov_err *err)
{
    cov_wallet w;
    cov_status st = cov_wallet_init(&w, dir, "demo", "miner", err);
    if (st != COV_OK)
        return st;
    char *mnemonic = NULL;
    cov_keypair *cold = NULL, *hot = NULL, *reopened = NULL;
    char cold_addr[COV_SS58_MAX], hot_addr[COV_SS58_MAX];
    char *cold_path = cov_wallet_file_path(&w, COV_WALLET_COLDKEY);
    struct timespec t0;

    /* A coldkey encrypted as btcli encrypts it: argon2i (512 MiB) + secretbox. */
    mnemonic = malloc(COV_MNEMONIC_MAX);
    st = mnemonic ? cov_mnemonic_generate(mnemonic, 12, err)
                  : cov_fail(err, COV_ERR_NOMEM, "out of memory");
    if (st == COV_OK)
        st = cov_keypair_from_mnemonic(&cold, mnemonic, NULL, COV_KEY_SR25519, err);
    if (st == COV_OK) {
        if (!d->json)
            printf("\n... encrypting the coldkey (argon2i, 512 MiB, ~4 s)\n");
        clock_gettime(CLOCK_MONOTONIC, &t0);
        st = cov_wallet_store_coldkey(&w, cold, DEMO_PASSWORD, false, err);
    }
    if (st == COV_OK)
        st = cov_keypair_ss58(cold, cold_addr, COV_SS58_BITTENSOR, err);
    if (st == COV_OK) {
        char text[1024];
        double secs = seconds_since(&t0);
        snprintf(text, sizeof text,
                 "  wallet   %s/demo\n  coldkey  %s (encrypted in %.1f s)\n"
                 "  mnemonic %s\n  (throwaway: a real mnemonic is shown once and kept offline)\n",
                 w.path, cold_addr, secs, mnemonic);
        say(d, "A btcli wallet: coldkey from a new 12-word mnemonic",
            json_pack("{s:s,s:s,s:f}", "ss58_address", cold_addr, "path", cold_path ? cold_path : "",
                      "encrypt_seconds", secs),
            text);
    }
    /* A hotkey, unencrypted as btcli writes hotkeys. */
    if (st == COV_OK)
        st = cov_mnemonic_generate(mnemonic, 12, err);
    if (st == COV_OK)
        st = cov_keypair_from_mnemonic(&hot, mnemonic, NULL, COV_KEY_SR25519, err);
    if (st == COV_OK)
        st = cov_wallet_store_hotkey(&w, hot, NULL, false, err);
    if (st == COV_OK)
        st = cov_keypair_ss58(hot, hot_addr, COV_SS58_BITTENSOR, err);
    if (st == COV_OK) {
        char text[512];
        snprintf(text, sizeof text, "  hotkey   miner  %s (unencrypted, as btcli writes hotkeys)\n",
                 hot_addr);
        say(d, "A hotkey for mining", json_pack("{s:s,s:s}", "name", "miner", "ss58_address", hot_addr),
            text);
    }
    /* Reopen the coldkey from disk, as a validator would before setting weights. */
    if (st == COV_OK) {
        clock_gettime(CLOCK_MONOTONIC, &t0);
        st = cov_keyfile_load(&reopened, cold_path, DEMO_PASSWORD, err);
    }
    if (st == COV_OK) {
        char addr[COV_SS58_MAX];
        st = cov_keypair_ss58(reopened, addr, COV_SS58_BITTENSOR, err);
        cov_keypair *wrong = NULL;
        cov_err wrong_err;
        cov_status wrong_st = cov_keyfile_load(&wrong, cold_path, "not-the-password", &wrong_err);
        cov_keypair_free(wrong);
        char text[1024];
        snprintf(text, sizeof text, "  right password -> %s (%s)\n  wrong password -> %s\n", addr,
                 strcmp(addr, cold_addr) == 0 ? "same key" : "MISMATCH",
                 wrong_st == COV_OK ? "OPENED?!" : wrong_err.msg);
        say(d, "Unlock the coldkey again",
            json_pack("{s:b,s:s}", "same_key", strcmp(addr, cold_addr) == 0, "wrong_password_error",
                      wrong_st == COV_OK ? "" : wrong_err.msg),
            text);
    }
    free(mnemonic);
    free(cold_path);
    cov_keypair_free(cold);
    cov_keypair_free(reopened);
    /* Sign with the hotkey and verify, then tamper with the message. */
    if (st == COV_OK) {
        static const char message[] = "covenant demo: hotkey signs a weight commit";
        uint8_t sig[COV_SIGNATURE_MAX], pub[COV_PUBKEY_MAX];
        size_t sig_len = 0, pub_len = cov_keypair_public(hot, pub);
        st = cov_keypair_sign(hot, sig, &sig_len, (const uint8_t *)message, strlen(message), err);
        if (st == COV_OK) {
            bool ok = cov_verify(COV_KEY_SR25519, pub, pub_len, sig, sig_len,
                                 (const uint8_t *)message, strlen(message), NULL) == COV_OK;
            bool tampered = cov_verify(COV_KEY_SR25519, pub, pub_len, sig, sig_len,
                                       (const uint8_t *)message, strlen(message) - 1,
                                       NULL) == COV_OK;
            char hex[2 * COV_SIGNATURE_MAX + 1], text[512];
            cov_hex_encode(hex, sig, sig_len);
            snprintf(text, sizeof text,
                     "  message   \"%s\"\n  signature 0x%s\n  verify    %s\n  tampered  %s\n",
                     message, hex, ok ? "valid" : "INVALID", tampered ? "valid?!" : "rejected");
            say(d, "sr25519 signature (schnorrkel, context \"substrate\")",
                json_pack("{s:s,s:o,s:b,s:b}", "message", message, "signature",
                          cov_json_hex(sig, sig_len), "valid", ok, "tampered_valid", tampered),
                text);
        }
    }
    cov_keypair_free(hot);
    cov_wallet_free(&w);
    return st;
}

/* What the chain client computes before it ever talks to a node: a storage
 * key, a mortal era, and the commit-reveal hash of a validator's weights. */
static cov_status demo_chain_pieces(demo *d, cov_err *err)
{
    cov_keypair *alice;
    cov_status st = cov_keypair_from_suri(&alice, "//Alice", COV_KEY_SR25519, err);
    if (st != COV_OK)
        return st;
    uint8_t account[32], hash[32], era_bytes[COV_ERA_MAX_LEN];
    cov_keypair_account_id(alice, account);
    cov_keypair_free(alice);
    cov_buf key;
    cov_buf_init(&key, 256);
    st = cov_storage_key_begin(&key, "System", "Account", err);
    if (st == COV_OK)
        st = cov_storage_key_append(&key, COV_HASHER_BLAKE2_128_CONCAT, account, 32, err);
    cov_era era = cov_era_mortal(4000000, 64);
    size_t era_len = 0;
    if (st == COV_OK)
        st = cov_era_encode(era_bytes, &era_len, &era, err);
    static const uint16_t uids[] = {0, 1, 2, 3}, weights[] = {16384, 32768, 49151, 65535},
                          salt[] = {1, 2, 3, 4, 5, 6, 7, 8};
    cov_subtensor_weights_hash(hash, account, cov_subtensor_netuid_index(1, 0), uids, weights, 4,
                               salt, 8, 10002000);
    if (st == COV_OK) {
        json_t *key_hex = cov_json_hex(key.data, key.len), *era_hex = cov_json_hex(era_bytes, era_len),
               *hash_hex = cov_json_hex(hash, 32);
        char text[1024];
        snprintf(text, sizeof text,
                 "  System.Account(//Alice) storage key\n    %s\n"
                 "  mortal era for block 4000000, 64 blocks: %s (born at #%llu)\n"
                 "  //Alice commits weights [16384,32768,49151,65535] to uids 0-3 on netuid 1:\n"
                 "    %s\n",
                 json_string_value(key_hex), json_string_value(era_hex),
                 (unsigned long long)cov_era_birth(&era, 4000000), json_string_value(hash_hex));
        say(d, "Chain pieces computed without a node (storage key, era, weights commit)",
            json_pack("{s:o,s:o,s:o}", "storage_key", key_hex, "era", era_hex, "commit_hash",
                      hash_hex),
            text);
    }
    cov_buf_free(&key);
    return st;
}

/* Removes the demo's files; they are ours, made in a fresh mkdtemp folder. */
static void remove_tree(const char *dir)
{
    static const char *const files[] = {"demo/coldkey", "demo/coldkeypub.txt",
                                        "demo/hotkeys/miner", "demo/hotkeys/minerpub.txt"};
    static const char *const dirs[] = {"demo/hotkeys", "demo", ""};
    char path[4096 + 64];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, dirs[i]);
        rmdir(path);
    }
}

int cli_tour_main(int argc, char **argv, bool json)
{
    cli_args a;
    cov_err err = {0};
    if (cli_parse(&a, argc, argv, OPTBIT(OPT_KEEP), &err) != CLI_EXIT_OK)
        return cli_report(json, &err);
    json = json || cli_has(&a, OPT_JSON);
    if (cli_has(&a, OPT_HELP)) {
        printf("usage: covenant tour [--keep] [--json]\n"
               "Keys, wallets and chain pieces on throwaway keys, no node needed.\n");
        return CLI_EXIT_OK;
    }
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/covenant-tour-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        cov_fail(&err, COV_ERR_IO, "cannot make a temporary folder under %s", tmp ? tmp : "/tmp");
        return cli_report(json, &err);
    }
    demo d = {.json = json, .steps = json_array()};
    if (!json)
        printf("covenant %s tour: keys, wallets and chain pieces, offline\n",
               COVENANT_VERSION);
    cov_status st = demo_dev_accounts(&d, &err);
    if (st == COV_OK)
        st = demo_wallet(&d, dir, &err);
    if (st == COV_OK)
        st = demo_chain_pieces(&d, &err);
    if (!cli_has(&a, OPT_KEEP))
        remove_tree(dir);
    if (st != COV_OK) {
        json_decref(d.steps);
        return cli_report(json, &err);
    }
    if (json)
        cli_emit(true, json_pack("{s:s,s:o,s:b}", "version", COVENANT_VERSION, "steps", d.steps,
                                 "kept", cli_has(&a, OPT_KEEP)),
                 NULL);
    else {
        json_decref(d.steps);
        printf("\nDone. %s\nWith a node: covenant chain info --network finney (see docs/chain.md)\n",
               cli_has(&a, OPT_KEEP) ? dir : "Throwaway files removed.");
    }
    return CLI_EXIT_OK;
}
