/* btcli's wallet layout: <path>/<name>/coldkey, coldkeypub.txt,
 * hotkeys/<hotkey>, hotkeys/<hotkey>pub.txt. */
#include "wallet/internal.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_WALLET_PATH "~/.bittensor/wallets"
#define DEFAULT_NAME "default"

/* A value the caller gave is used as given (so an explicit "" is refused
 * below rather than silently replaced by the default); an empty variable
 * counts as unset. */
static const char *pick(const char *given, const char *env, const char *fallback)
{
    if (given)
        return given;
    const char *v = getenv(env);
    return v && *v ? v : fallback;
}

static char *expand_home(const char *path)
{
    if (path[0] != '~' || (path[1] != '/' && path[1] != '\0'))
        return strdup(path);
    const char *home = getenv("HOME");
    if (!home)
        home = "";
    size_t n = strlen(home) + strlen(path);
    char *out = malloc(n + 1);
    if (out)
        snprintf(out, n + 1, "%s%s", home, path + 1);
    return out;
}

static cov_status check_name(const char *what, const char *name, cov_err *err)
{
    if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
        strchr(name, '/'))
        return cov_fail(err, COV_ERR_ARG,
                        "%s name \"%s\" is not usable: it must be non-empty, "
                        "without '/', and not \".\" or \"..\"",
                        what, name);
    if (strlen(name) > 200)
        return cov_fail(err, COV_ERR_ARG, "%s name is too long", what);
    return COV_OK;
}

cov_status cov_wallet_init(cov_wallet *w, const char *path, const char *name,
                           const char *hotkey, cov_err *err)
{
    memset(w, 0, sizeof *w);
    const char *p = pick(path, "BT_WALLET_PATH", DEFAULT_WALLET_PATH);
    const char *n = pick(name, "BT_WALLET_NAME", DEFAULT_NAME);
    const char *h = pick(hotkey, "BT_WALLET_HOTKEY", DEFAULT_NAME);
    if (!*p)
        return cov_fail(err, COV_ERR_ARG,
                        "the wallets folder path is empty; give a folder or "
                        "leave it unset for ~/.bittensor/wallets");
    cov_status st = check_name("wallet", n, err);
    if (st == COV_OK)
        st = check_name("hotkey", h, err);
    if (st != COV_OK)
        return st;
    w->path = expand_home(p);
    w->name = strdup(n);
    w->hotkey = strdup(h);
    if (!w->path || !w->name || !w->hotkey) {
        cov_wallet_free(w);
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    }
    /* Trailing slashes would double up in the paths we build. */
    size_t len = strlen(w->path);
    while (len > 1 && w->path[len - 1] == '/')
        w->path[--len] = '\0';
    return COV_OK;
}

void cov_wallet_free(cov_wallet *w)
{
    free(w->path);
    free(w->name);
    free(w->hotkey);
    memset(w, 0, sizeof *w);
}

char *cov_wallet_file_path(const cov_wallet *w, cov_wallet_file which)
{
    size_t n = strlen(w->path) + strlen(w->name) + strlen(w->hotkey) + 32;
    char *out = malloc(n);
    if (!out)
        return NULL;
    switch (which) {
    case COV_WALLET_COLDKEY:
        snprintf(out, n, "%s/%s/coldkey", w->path, w->name);
        break;
    case COV_WALLET_COLDKEYPUB:
        snprintf(out, n, "%s/%s/coldkeypub.txt", w->path, w->name);
        break;
    case COV_WALLET_HOTKEY:
        snprintf(out, n, "%s/%s/hotkeys/%s", w->path, w->name, w->hotkey);
        break;
    case COV_WALLET_HOTKEYPUB:
        snprintf(out, n, "%s/%s/hotkeys/%spub.txt", w->path, w->name, w->hotkey);
        break;
    }
    return out;
}

/* Writes the secret file then its public twin. The public file is checked
 * first, so that a refusal to overwrite leaves both untouched. */
static cov_status store_pair(const cov_wallet *w, cov_wallet_file secret_file,
                             cov_wallet_file public_file, const cov_keypair *kp,
                             const char *password, bool overwrite, cov_err *err)
{
    char *secret_path = cov_wallet_file_path(w, secret_file);
    char *public_path = cov_wallet_file_path(w, public_file);
    cov_status st = COV_OK;
    if (!secret_path || !public_path)
        st = cov_fail(err, COV_ERR_NOMEM, "out of memory");
    else if (!overwrite && cov_file_exists(public_path))
        st = cov_fail(err, COV_ERR_EXISTS,
                      "%s already exists; pass --overwrite to replace it",
                      public_path);
    if (st == COV_OK)
        st = cov_keyfile_store(secret_path, kp, false, password, overwrite, err);
    if (st == COV_OK)
        st = cov_keyfile_store(public_path, kp, true, NULL, overwrite, err);
    free(secret_path);
    free(public_path);
    return st;
}

cov_status cov_wallet_store_coldkey(const cov_wallet *w, const cov_keypair *kp,
                                    const char *password, bool overwrite,
                                    cov_err *err)
{
    return store_pair(w, COV_WALLET_COLDKEY, COV_WALLET_COLDKEYPUB, kp,
                      password, overwrite, err);
}

cov_status cov_wallet_store_hotkey(const cov_wallet *w, const cov_keypair *kp,
                                   const char *password, bool overwrite,
                                   cov_err *err)
{
    return store_pair(w, COV_WALLET_HOTKEY, COV_WALLET_HOTKEYPUB, kp, password,
                      overwrite, err);
}

cov_status cov_wallet_store_coldkeypub(const cov_wallet *w,
                                       const cov_keypair *kp, bool overwrite,
                                       cov_err *err)
{
    char *path = cov_wallet_file_path(w, COV_WALLET_COLDKEYPUB);
    if (!path)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    cov_status st = cov_keyfile_store(path, kp, true, NULL, overwrite, err);
    free(path);
    return st;
}
