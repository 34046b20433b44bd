/* covenant wallet list | show: what is on disk, without asking for
 * passwords (only public files are read). */
#include "cli/wallet_cmds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The address of a public keyfile, or NULL if it cannot be read unlocked. */
static json_t *public_address(const char *path)
{
    if (!path || !cov_file_exists(path) || cov_keyfile_is_encrypted(path))
        return json_null();
    cov_keypair *kp;
    if (cov_keyfile_load(&kp, path, NULL, NULL) != COV_OK)
        return json_null();
    json_t *obj = cli_key_json(kp, COV_SS58_BITTENSOR);
    cov_keypair_free(kp);
    return obj;
}

int cli_wallet_show(const cli_args *a, bool json)
{
    cov_err err = {0};
    cov_wallet w;
    if (cli_wallet_open(&w, a, &err) != COV_OK)
        return cli_report(json, &err);
    char *cold = cov_wallet_file_path(&w, COV_WALLET_COLDKEY);
    char *coldpub = cov_wallet_file_path(&w, COV_WALLET_COLDKEYPUB);
    char *hot = cov_wallet_file_path(&w, COV_WALLET_HOTKEY);
    char *hotpub = cov_wallet_file_path(&w, COV_WALLET_HOTKEYPUB);
    int rc = CLI_EXIT_OK;
    if (!cov_file_exists(coldpub) && !cov_file_exists(cold) && !cov_file_exists(hot)) {
        cov_fail(&err, COV_ERR_NOT_FOUND,
                 "no wallet \"%s\" under %s; create one with `covenant wallet "
                 "new-coldkey --wallet.name %s`", w.name, w.path, w.name);
        rc = cli_report(json, &err);
    } else {
        json_t *coldkey = public_address(coldpub);
        json_t *hotkey = public_address(cov_file_exists(hotpub) ? hotpub : hot);
        json_t *obj = json_pack("{s:s,s:s,s:O,s:{s:s,s:b,s:b,s:O}}", "name", w.name, "path",
                                w.path, "coldkeypub", coldkey, "hotkey", "name", w.hotkey,
                                "exists", cov_file_exists(hot), "encrypted",
                                cov_keyfile_is_encrypted(hot), "key", hotkey);
        json_object_set_new(obj, "coldkey", json_pack("{s:b,s:b}", "exists", cov_file_exists(cold),
                                                      "encrypted", cov_keyfile_is_encrypted(cold)));
        json_t *hk = json_object_get(obj, "hotkey");
        json_t *hk_addr = json_object_get(hotkey, "ss58_address");
        json_object_set(hk, "ss58_address", hk_addr ? hk_addr : json_null());
        char human[1024];
        const char *cold_addr = json_string_value(json_object_get(coldkey, "ss58_address"));
        const char *hot_addr = json_string_value(hk_addr);
        snprintf(human, sizeof human,
                 "wallet   %s (%s)\ncoldkey  %s%s\nhotkey   %s  %s\n", w.name, w.path,
                 cold_addr ? cold_addr : "(no coldkeypub.txt)",
                 cov_keyfile_is_encrypted(cold) ? "  [encrypted]" : "", w.hotkey,
                 hot_addr ? hot_addr : cov_file_exists(hot) ? "(encrypted)" : "(none)");
        json_decref(coldkey);
        json_decref(hotkey);
        cli_emit(json, obj, human);
    }
    free(cold);
    free(coldpub);
    free(hot);
    free(hotpub);
    cov_wallet_free(&w);
    return rc;
}

int cli_wallet_list(const cli_args *a, bool json)
{
    cov_err err = {0};
    cov_wallet w;
    if (cli_wallet_open(&w, a, &err) != COV_OK)
        return cli_report(json, &err);
    cov_wallet_entry *entries;
    size_t n;
    if (cov_wallet_list(&entries, &n, w.path, &err) != COV_OK) {
        cov_wallet_free(&w);
        return cli_report(json, &err);
    }
    json_t *wallets = json_array();
    if (!json)
        printf("Wallets under %s\n", w.path);
    for (size_t i = 0; i < n; i++) {
        const cov_wallet_entry *e = &entries[i];
        json_t *hotkeys = json_array();
        if (!json)
            printf("%s %s  %s\n", i + 1 < n ? "├──" : "└──", e->name,
                   e->coldkey_ss58[0] ? e->coldkey_ss58 : "(no coldkeypub.txt)");
        for (size_t h = 0; h < e->n_hotkeys; h++) {
            const char *addr = e->hotkey_ss58[h];
            json_array_append_new(hotkeys, json_pack("{s:s,s:o}", "name", e->hotkey_names[h],
                                                     "ss58_address",
                                                     addr[0] ? json_string(addr) : json_null()));
            if (!json)
                printf("%s   %s %s  %s\n", i + 1 < n ? "│" : " ",
                       h + 1 < e->n_hotkeys ? "├──" : "└──", e->hotkey_names[h],
                       addr[0] ? addr : "(encrypted)");
        }
        json_array_append_new(
            wallets, json_pack("{s:s,s:b,s:o,s:o}", "name", e->name, "has_coldkey", e->has_coldkey,
                               "coldkey_ss58_address",
                               e->coldkey_ss58[0] ? json_string(e->coldkey_ss58) : json_null(),
                               "hotkeys", hotkeys));
    }
    if (!json && n == 0)
        printf("(none: create one with `covenant wallet new-coldkey`)\n");
    cli_emit(json, json_pack("{s:s,s:o}", "wallet_path", w.path, "wallets", wallets), NULL);
    cov_wallet_list_free(entries, n);
    cov_wallet_free(&w);
    return CLI_EXIT_OK;
}
