/* Enumerates the wallets under a wallets folder for `wallet list`. Only
 * public files are opened: listing never asks for a password. */
#include "wallet/internal.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Names in a folder (skipping dot entries), sorted; NULL on error. */
static char **list_names(const char *dir, size_t *count)
{
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    size_t cap = 8, n = 0;
    char **names = malloc(cap * sizeof *names);
    struct dirent *e;
    while (names && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **grown = realloc(names, 2 * cap * sizeof *names);
            if (!grown)
                break;
            names = grown;
            cap *= 2;
        }
        names[n] = strdup(e->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    if (names)
        qsort(names, n, sizeof *names, compare_names);
    *count = n;
    return names;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* The SS58 of a public keyfile, or "" if it cannot be read without a
 * password. */
static void address_of(char out[COV_SS58_MAX], const char *path)
{
    out[0] = '\0';
    if (cov_keyfile_is_encrypted(path))
        return;
    cov_keypair *kp;
    if (cov_keyfile_load(&kp, path, NULL, NULL) != COV_OK)
        return;
    if (cov_keypair_ss58(kp, out, COV_SS58_BITTENSOR, NULL) != COV_OK)
        out[0] = '\0';
    cov_keypair_free(kp);
}

static char *join(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 3;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%s/%s%s%s", a, b, *c ? "/" : "", c);
    return out;
}

static void fill_hotkeys(cov_wallet_entry *e, const char *hotkeys_dir)
{
    size_t n;
    char **names = list_names(hotkeys_dir, &n);
    if (!names)
        return;
    /* Public twins (<name>pub.txt) and temp files are not hotkeys. */
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]);
        bool twin = len > 7 && strcmp(names[i] + len - 7, "pub.txt") == 0;
        bool temp = strstr(names[i], ".tmp.") != NULL;
        if (twin || temp)
            free(names[i]);
        else
            names[kept++] = names[i];
    }
    e->hotkey_names = names;
    e->n_hotkeys = kept;
    e->hotkey_ss58 = calloc(kept ? kept : 1, sizeof *e->hotkey_ss58);
    for (size_t i = 0; e->hotkey_ss58 && i < kept; i++) {
        char pubname[512];
        snprintf(pubname, sizeof pubname, "%spub.txt", names[i]);
        char *pub_path = join(hotkeys_dir, pubname, "");
        char *key_path = join(hotkeys_dir, names[i], "");
        if (pub_path && cov_file_exists(pub_path))
            address_of(e->hotkey_ss58[i], pub_path);
        else if (key_path)
            address_of(e->hotkey_ss58[i], key_path);
        free(pub_path);
        free(key_path);
    }
}

cov_status cov_wallet_list(cov_wallet_entry **out, size_t *count,
                           const char *path, cov_err *err)
{
    *out = NULL;
    *count = 0;
    size_t n;
    char **names = list_names(path, &n);
    if (!names)
        return COV_OK; /* no wallets folder yet: nothing to list */
    cov_wallet_entry *entries = calloc(n ? n : 1, sizeof *entries);
    if (!entries) {
        free_names(names, n);
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        char *dir = join(path, names[i], "");
        if (!dir || !is_dir(dir)) {
            free(dir);
            continue;
        }
        cov_wallet_entry *e = &entries[kept++];
        e->name = strdup(names[i]);
        char *cold = join(dir, "coldkey", "");
        char *coldpub = join(dir, "coldkeypub.txt", "");
        char *hot = join(dir, "hotkeys", "");
        e->has_coldkey = cold && cov_file_exists(cold);
        e->has_coldkeypub = coldpub && cov_file_exists(coldpub);
        if (e->has_coldkeypub)
            address_of(e->coldkey_ss58, coldpub);
        if (hot)
            fill_hotkeys(e, hot);
        free(cold);
        free(coldpub);
        free(hot);
        free(dir);
    }
    free_names(names, n);
    *out = entries;
    *count = kept;
    return COV_OK;
}

void cov_wallet_list_free(cov_wallet_entry *entries, size_t count)
{
    if (!entries)
        return;
    for (size_t i = 0; i < count; i++) {
        free(entries[i].name);
        free_names(entries[i].hotkey_names, entries[i].n_hotkeys);
        free(entries[i].hotkey_ss58);
    }
    free(entries);
}
