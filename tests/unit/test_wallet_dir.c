/* wallet/wallet_dir.c, wallet_list.c, keyfile_io.c, password.c and
 * common/file.c on a real folder: btcli's wallet layout, defaults and
 * environment, file and folder modes, no-clobber and overwrite, listing,
 * BT_PW_ passwords and the file helpers.
 *
 * Everything happens under a mkdtemp folder that the group teardown
 * removes. Keys are stored unencrypted except once: one encrypted coldkey
 * costs three argon2i runs (store, right and wrong password), ~3 s each.
 *
 * The BT_PW_ values were made by bittensor-wallet 4.1.1 (PyPI):
 *   k = bittensor_wallet.Keyfile("/home/ubuntu/.bittensor/wallets/test/coldkey")
 *   k.save_password_to_env(pw); libc getenv(k.env_var_name())
 * (the variable is set in the Rust side's environment, so read through
 * ctypes), and bittensor_wallet.keyfile.get_password_from_environment gave
 * every password back.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wallet/wallet.h"

#define OLD_LEOPARD \
    "old leopard transfer rib spatial phone calm indicate online fire caution review"
#define OL_SS58 "5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX"
#define ALICE_SS58 "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
#define BOB_SS58 "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"

static char root[256]; /* the mkdtemp folder */

static int make_root(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/covenant-wallet-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(root))
        return -1;
    /* Nothing from the caller's environment may leak in. */
    unsetenv("BT_WALLET_PATH");
    unsetenv("BT_WALLET_NAME");
    unsetenv("BT_WALLET_HOTKEY");
    return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int flag,
                        struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int remove_root(void **state)
{
    (void)state;
    return nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* root/rel in one of a few rotating static buffers. */
static char *path_in(const char *rel)
{
    static char buf[4][512];
    static int next;
    char *out = buf[next++ % 4];
    snprintf(out, 512, "%s/%s", root, rel);
    return out;
}

static unsigned mode_of(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        fail_msg("stat %s failed", path);
    return (unsigned)(st.st_mode & 07777);
}

static uint8_t *slurp(const char *path, size_t *len)
{
    uint8_t *data = NULL;
    cov_err err;
    if (cov_file_read(&data, len, path, 1 << 20, false, &err) != COV_OK)
        fail_msg("read %s: %s", path, err.msg);
    return data;
}

/* True if any name in dir contains ".tmp.". */
static bool has_temp_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool found = false;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".tmp."))
            found = true;
    closedir(d);
    return found;
}

static bool contains(const uint8_t *data, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(data + i, needle, n) == 0)
            return true;
    return false;
}

static cov_keypair *key(const char *uri)
{
    cov_keypair *kp = NULL;
    assert_int_equal(cov_keypair_from_suri(&kp, uri, COV_KEY_SR25519, NULL), COV_OK);
    return kp;
}

/* ---------------------------------------------------------- wallet_init */

static void test_wallet_init_defaults_and_env(void **state)
{
    (void)state;
    cov_wallet w;
    cov_err err;
    char *saved_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

    setenv("HOME", "/home/tester", 1);
    assert_int_equal(cov_wallet_init(&w, NULL, NULL, NULL, &err), COV_OK);
    assert_string_equal(w.path, "/home/tester/.bittensor/wallets");
    assert_string_equal(w.name, "default");
    assert_string_equal(w.hotkey, "default");
    char *p = cov_wallet_file_path(&w, COV_WALLET_COLDKEY);
    assert_string_equal(p, "/home/tester/.bittensor/wallets/default/coldkey");
    free(p);
    p = cov_wallet_file_path(&w, COV_WALLET_COLDKEYPUB);
    assert_string_equal(p, "/home/tester/.bittensor/wallets/default/coldkeypub.txt");
    free(p);
    p = cov_wallet_file_path(&w, COV_WALLET_HOTKEY);
    assert_string_equal(p, "/home/tester/.bittensor/wallets/default/hotkeys/default");
    free(p);
    p = cov_wallet_file_path(&w, COV_WALLET_HOTKEYPUB);
    assert_string_equal(p,
                        "/home/tester/.bittensor/wallets/default/hotkeys/defaultpub.txt");
    free(p);
    cov_wallet_free(&w);

    /* The environment replaces the defaults; '~' expands. */
    setenv("BT_WALLET_PATH", "~/my wallets/", 1);
    setenv("BT_WALLET_NAME", "cold1", 1);
    setenv("BT_WALLET_HOTKEY", "hot1", 1);
    assert_int_equal(cov_wallet_init(&w, NULL, NULL, NULL, &err), COV_OK);
    assert_string_equal(w.path, "/home/tester/my wallets");
    assert_string_equal(w.name, "cold1");
    assert_string_equal(w.hotkey, "hot1");
    cov_wallet_free(&w);
    /* Arguments replace the environment. */
    assert_int_equal(cov_wallet_init(&w, "/srv/w//", "cold2", "hot2", &err), COV_OK);
    assert_string_equal(w.path, "/srv/w");
    assert_string_equal(w.name, "cold2");
    assert_string_equal(w.hotkey, "hot2");
    cov_wallet_free(&w);
    /* An empty variable is as good as unset. */
    setenv("BT_WALLET_NAME", "", 1);
    assert_int_equal(cov_wallet_init(&w, "~", NULL, NULL, &err), COV_OK);
    assert_string_equal(w.path, "/home/tester");
    assert_string_equal(w.name, "default");
    assert_string_equal(w.hotkey, "hot1");
    cov_wallet_free(&w);
    /* "~user" is not this user's home; relative paths stay relative. */
    assert_int_equal(cov_wallet_init(&w, "~other/w", "a", "b", &err), COV_OK);
    assert_string_equal(w.path, "~other/w");
    cov_wallet_free(&w);
    assert_int_equal(cov_wallet_init(&w, "rel/w", "a", "b", &err), COV_OK);
    assert_string_equal(w.path, "rel/w");
    cov_wallet_free(&w);
    assert_int_equal(cov_wallet_init(&w, "/", "a", "b", &err), COV_OK);
    assert_string_equal(w.path, "/");
    cov_wallet_free(&w);

    unsetenv("BT_WALLET_PATH");
    unsetenv("BT_WALLET_NAME");
    unsetenv("BT_WALLET_HOTKEY");
    if (saved_home) {
        setenv("HOME", saved_home, 1);
        free(saved_home);
    } else {
        unsetenv("HOME");
    }
}

static void test_wallet_init_bad_names(void **state)
{
    (void)state;
    static const char *const bad[] = {"", ".", "..", "a/b", "/abs", "x/"};
    cov_wallet w;
    cov_err err;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(cov_wallet_init(&w, root, bad[i], "ok", &err), COV_ERR_ARG);
        assert_int_equal(err.code, COV_ERR_ARG);
        assert_null(w.path);
        assert_int_equal(cov_wallet_init(&w, root, "ok", bad[i], &err), COV_ERR_ARG);
    }
    /* Through the environment too. */
    setenv("BT_WALLET_NAME", "../escape", 1);
    assert_int_equal(cov_wallet_init(&w, root, NULL, NULL, &err), COV_ERR_ARG);
    unsetenv("BT_WALLET_NAME");
    /* An empty wallets path is refused rather than read as "/". */
    assert_int_equal(cov_wallet_init(&w, "", "a", "b", &err), COV_ERR_ARG);
    /* Names that only look odd are fine. */
    static const char *const good[] = {"...", ".hidden", "a b", "name.with.dots",
                                       "UPPER", "x-y_z"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(cov_wallet_init(&w, root, good[i], good[i], &err), COV_OK);
        cov_wallet_free(&w);
    }
    char longname[300];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(cov_wallet_init(&w, root, longname, "h", &err), COV_ERR_ARG);
}

/* ------------------------------------------------------------- storing */

static void test_store_modes_and_no_clobber(void **state)
{
    (void)state;
    cov_wallet w;
    cov_err err;
    char wallets[512];
    snprintf(wallets, sizeof wallets, "%s", path_in("wallets"));
    assert_int_equal(cov_wallet_init(&w, wallets, "alice", "hot", &err), COV_OK);
    cov_keypair *cold = key(OLD_LEOPARD);
    cov_keypair *hot = key("//Alice");
    assert_int_equal(cov_wallet_store_coldkey(&w, cold, NULL, false, &err), COV_OK);
    assert_int_equal(cov_wallet_store_hotkey(&w, hot, NULL, false, &err), COV_OK);

    char *coldkey = cov_wallet_file_path(&w, COV_WALLET_COLDKEY);
    char *coldpub = cov_wallet_file_path(&w, COV_WALLET_COLDKEYPUB);
    char *hotkey = cov_wallet_file_path(&w, COV_WALLET_HOTKEY);
    char *hotpub = cov_wallet_file_path(&w, COV_WALLET_HOTKEYPUB);

    /* Modes: 0600 files, 0700 folders (whatever the umask). */
    assert_int_equal(mode_of(coldkey), 0600);
    assert_int_equal(mode_of(coldpub), 0600);
    assert_int_equal(mode_of(hotkey), 0600);
    assert_int_equal(mode_of(hotpub), 0600);
    assert_int_equal(mode_of(wallets), 0700);
    assert_int_equal(mode_of(path_in("wallets/alice")), 0700);
    assert_int_equal(mode_of(path_in("wallets/alice/hotkeys")), 0700);

    /* Contents: the full keyfile and the public twin. */
    size_t len;
    uint8_t *data = slurp(coldkey, &len);
    assert_int_equal(len, 553);
    assert_non_null(strstr((char *)data, "\"secretPhrase\":\"" OLD_LEOPARD "\""));
    free(data);
    data = slurp(coldpub, &len);
    assert_null(strstr((char *)data, "privateKey"));
    assert_non_null(strstr((char *)data, "\"ss58Address\":\"" OL_SS58 "\""));
    free(data);
    assert_false(cov_keyfile_is_encrypted(coldkey));
    assert_false(cov_keyfile_is_encrypted(coldpub));

    /* They load back. */
    cov_keypair *back = NULL;
    char ss58[COV_SS58_MAX];
    assert_int_equal(cov_keyfile_load(&back, hotkey, NULL, &err), COV_OK);
    assert_true(cov_keypair_has_secret(back));
    assert_int_equal(cov_keypair_ss58(back, ss58, 42, NULL), COV_OK);
    assert_string_equal(ss58, ALICE_SS58);
    cov_keypair_free(back);
    assert_int_equal(cov_keyfile_load(&back, hotpub, NULL, &err), COV_OK);
    assert_false(cov_keypair_has_secret(back));
    cov_keypair_free(back);

    /* Storing again without overwrite: refused, files byte-identical. */
    size_t cold_len, pub_len;
    uint8_t *cold_before = slurp(coldkey, &cold_len);
    uint8_t *pub_before = slurp(coldpub, &pub_len);
    cov_keypair *other = key("//Bob");
    assert_int_equal(cov_wallet_store_coldkey(&w, other, NULL, false, &err),
                     COV_ERR_EXISTS);
    assert_int_equal(err.code, COV_ERR_EXISTS);
    assert_int_equal(cov_wallet_store_coldkeypub(&w, other, false, &err),
                     COV_ERR_EXISTS);
    assert_int_equal(cov_wallet_store_hotkey(&w, other, NULL, false, &err),
                     COV_ERR_EXISTS);
    assert_int_equal(cov_keyfile_store(coldkey, other, false, NULL, false, &err),
                     COV_ERR_EXISTS);
    data = slurp(coldkey, &len);
    assert_int_equal(len, cold_len);
    assert_memory_equal(data, cold_before, len);
    free(data);
    data = slurp(coldpub, &len);
    assert_int_equal(len, pub_len);
    assert_memory_equal(data, pub_before, len);
    free(data);
    /* Only the public twin missing: still nothing overwritten. */
    assert_int_equal(unlink(coldpub), 0);
    assert_int_equal(cov_wallet_store_coldkey(&w, other, NULL, false, &err),
                     COV_ERR_EXISTS);
    data = slurp(coldkey, &len);
    assert_memory_equal(data, cold_before, cold_len);
    free(data);
    assert_int_equal(cov_wallet_store_coldkeypub(&w, cold, false, &err), COV_OK);
    /* Only the secret file missing: the public twin is checked first, so
     * nothing is half-written. */
    assert_int_equal(unlink(coldkey), 0);
    assert_int_equal(cov_wallet_store_coldkey(&w, other, NULL, false, &err),
                     COV_ERR_EXISTS);
    assert_false(cov_file_exists(coldkey));
    assert_int_equal(cov_keyfile_store(coldkey, cold, false, NULL, false, &err), COV_OK);
    data = slurp(coldkey, &len);
    assert_int_equal(len, cold_len);
    assert_memory_equal(data, cold_before, cold_len);
    free(data);

    /* With overwrite: replaced, still 0600. */
    assert_int_equal(cov_wallet_store_coldkey(&w, other, NULL, true, &err), COV_OK);
    assert_int_equal(cov_keyfile_load(&back, coldkey, NULL, &err), COV_OK);
    assert_int_equal(cov_keypair_ss58(back, ss58, 42, NULL), COV_OK);
    assert_string_equal(ss58, BOB_SS58);
    cov_keypair_free(back);
    assert_int_equal(cov_keyfile_load(&back, coldpub, NULL, &err), COV_OK);
    assert_int_equal(cov_keypair_ss58(back, ss58, 42, NULL), COV_OK);
    assert_string_equal(ss58, BOB_SS58);
    cov_keypair_free(back);
    assert_int_equal(mode_of(coldkey), 0600);
    assert_int_equal(mode_of(coldpub), 0600);
    /* And back again, so the listing test sees the old-leopard coldkey. */
    assert_int_equal(cov_wallet_store_coldkey(&w, cold, NULL, true, &err), COV_OK);

    /* No temp files are left behind. */
    assert_false(has_temp_files(path_in("wallets/alice")));
    assert_false(has_temp_files(path_in("wallets/alice/hotkeys")));

    /* Only sr25519 keys go into btcli wallets. */
    cov_keypair *ed = NULL;
    assert_int_equal(cov_keypair_from_suri(&ed, "//Eve", COV_KEY_ED25519, NULL), COV_OK);
    assert_int_equal(cov_keyfile_store(path_in("wallets/ed"), ed, false, NULL,
                                       false, &err),
                     COV_ERR_UNSUPPORTED);
    assert_false(cov_file_exists(path_in("wallets/ed")));
    cov_keypair_free(ed);

    free(cold_before);
    free(pub_before);
    free(coldkey);
    free(coldpub);
    free(hotkey);
    free(hotpub);
    cov_keypair_free(other);
    cov_keypair_free(cold);
    cov_keypair_free(hot);
    cov_wallet_free(&w);
}

/* The only KDF runs of this file: store with a password, open it with the
 * right one and with a wrong one. */
static void test_store_encrypted(void **state)
{
    (void)state;
    cov_wallet w;
    cov_err err;
    assert_int_equal(cov_wallet_init(&w, path_in("wallets"), "locked", "h", &err),
                     COV_OK);
    cov_keypair *cold = key(OLD_LEOPARD);
    assert_int_equal(cov_wallet_store_coldkey(&w, cold, "correct horse", false, &err),
                     COV_OK);
    char *coldkey = cov_wallet_file_path(&w, COV_WALLET_COLDKEY);
    char *coldpub = cov_wallet_file_path(&w, COV_WALLET_COLDKEYPUB);
    assert_int_equal(mode_of(coldkey), 0600);
    assert_true(cov_keyfile_is_encrypted(coldkey));
    assert_false(cov_keyfile_is_encrypted(coldpub));
    size_t len;
    uint8_t *data = slurp(coldkey, &len);
    assert_int_equal(cov_keyfile_detect(data, len), COV_KEYFILE_NACL);
    assert_int_equal(len, 5 + 24 + 16 + 553);
    assert_false(contains(data, len, "leopard"));
    free(data);

    cov_keypair *back = (cov_keypair *)1;
    /* No password: refused before any KDF. */
    assert_int_equal(cov_keyfile_load(&back, coldkey, NULL, &err), COV_ERR_PASSWORD);
    assert_null(back);
    assert_non_null(strstr(err.msg, coldkey)); /* the path is in the message */
    /* Right password. */
    assert_int_equal(cov_keyfile_load(&back, coldkey, "correct horse", &err), COV_OK);
    assert_string_equal(cov_keypair_mnemonic(back), OLD_LEOPARD);
    char ss58[COV_SS58_MAX];
    assert_int_equal(cov_keypair_ss58(back, ss58, 42, NULL), COV_OK);
    assert_string_equal(ss58, OL_SS58);
    cov_keypair_free(back);
    /* Wrong password. */
    back = (cov_keypair *)1;
    assert_int_equal(cov_keyfile_load(&back, coldkey, "correct horsf", &err),
                     COV_ERR_PASSWORD);
    assert_null(back);
    /* The public twin needs none. */
    assert_int_equal(cov_keyfile_load(&back, coldpub, NULL, &err), COV_OK);
    cov_keypair_free(back);
    /* Refusing to overwrite does not spend a KDF and keeps the file. */
    uint8_t *before = slurp(coldkey, &len);
    assert_int_equal(cov_keyfile_store(coldkey, cold, false, "pw-unused", false, &err),
                     COV_ERR_EXISTS);
    size_t len2;
    data = slurp(coldkey, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(data, before, len);
    free(data);
    free(before);
    free(coldkey);
    free(coldpub);
    cov_keypair_free(cold);
    cov_wallet_free(&w);
}

static void test_load_errors(void **state)
{
    (void)state;
    cov_keypair *kp = (cov_keypair *)1;
    cov_err err;
    assert_int_equal(cov_keyfile_load(&kp, path_in("no/such/file"), NULL, &err),
                     COV_ERR_NOT_FOUND);
    assert_null(kp);
    assert_false(cov_keyfile_is_encrypted(path_in("no/such/file")));
    /* A folder is not a keyfile. */
    assert_int_not_equal(cov_keyfile_load(&kp, root, NULL, &err), COV_OK);
    /* Garbage and an oversized file. */
    char junk[512];
    snprintf(junk, sizeof junk, "%s", path_in("junk"));
    assert_int_equal(cov_file_write_atomic(junk, "not json", 8, 0600, true, &err), COV_OK);
    assert_int_equal(cov_keyfile_load(&kp, junk, NULL, &err), COV_ERR_PARSE);
    static uint8_t big[70 * 1024];
    memset(big, ' ', sizeof big);
    assert_int_equal(cov_file_write_atomic(junk, big, sizeof big, 0600, true, &err),
                     COV_OK);
    assert_int_equal(cov_keyfile_load(&kp, junk, NULL, &err), COV_ERR_TOO_BIG);
    /* A Fernet file. */
    assert_int_equal(cov_file_write_atomic(junk, "gAAAAABxyz", 10, 0600, true, &err),
                     COV_OK);
    assert_true(cov_keyfile_is_encrypted(junk));
    assert_int_equal(cov_keyfile_load(&kp, junk, "pw", &err), COV_ERR_UNSUPPORTED);
    assert_int_equal(unlink(junk), 0);
}

/* -------------------------------------------------------------- listing */

static void test_wallet_list(void **state)
{
    (void)state;
    cov_err err;
    cov_wallet w;
    char wallets[512];
    snprintf(wallets, sizeof wallets, "%s", path_in("listing"));
    /* A missing folder is an empty list. */
    cov_wallet_entry *entries = (cov_wallet_entry *)1;
    size_t count = 99;
    assert_int_equal(cov_wallet_list(&entries, &count, wallets, &err), COV_OK);
    assert_int_equal(count, 0);
    cov_wallet_list_free(entries, count);

    /* "zeta": coldkey + two hotkeys; "alpha": a coldkeypub only, and a
     * hotkey without its public twin; a stray file at the top level. */
    cov_keypair *ol = key(OLD_LEOPARD), *alice = key("//Alice"), *bob = key("//Bob");
    assert_int_equal(cov_wallet_init(&w, wallets, "zeta", "miner2", &err), COV_OK);
    assert_int_equal(cov_wallet_store_coldkey(&w, ol, NULL, false, &err), COV_OK);
    assert_int_equal(cov_wallet_store_hotkey(&w, bob, NULL, false, &err), COV_OK);
    cov_wallet_free(&w);
    assert_int_equal(cov_wallet_init(&w, wallets, "zeta", "miner1", &err), COV_OK);
    assert_int_equal(cov_wallet_store_hotkey(&w, alice, NULL, false, &err), COV_OK);
    cov_wallet_free(&w);
    assert_int_equal(cov_wallet_init(&w, wallets, "alpha", "solo", &err), COV_OK);
    assert_int_equal(cov_wallet_store_coldkeypub(&w, alice, false, &err), COV_OK);
    char *solo = cov_wallet_file_path(&w, COV_WALLET_HOTKEY);
    assert_int_equal(cov_keyfile_store(solo, bob, false, NULL, false, &err), COV_OK);
    free(solo);
    cov_wallet_free(&w);
    assert_int_equal(cov_file_write_atomic(path_in("listing/README"), "x", 1, 0600,
                                           false, &err),
                     COV_OK);

    assert_int_equal(cov_wallet_list(&entries, &count, wallets, &err), COV_OK);
    assert_int_equal(count, 2);
    /* sorted by name */
    assert_string_equal(entries[0].name, "alpha");
    assert_false(entries[0].has_coldkey);
    assert_true(entries[0].has_coldkeypub);
    assert_string_equal(entries[0].coldkey_ss58, ALICE_SS58);
    assert_int_equal(entries[0].n_hotkeys, 1);
    assert_string_equal(entries[0].hotkey_names[0], "solo");
    assert_string_equal(entries[0].hotkey_ss58[0], BOB_SS58); /* from the key */

    assert_string_equal(entries[1].name, "zeta");
    assert_true(entries[1].has_coldkey);
    assert_true(entries[1].has_coldkeypub);
    assert_string_equal(entries[1].coldkey_ss58, OL_SS58);
    assert_int_equal(entries[1].n_hotkeys, 2); /* the pub.txt twins are not hotkeys */
    assert_string_equal(entries[1].hotkey_names[0], "miner1");
    assert_string_equal(entries[1].hotkey_names[1], "miner2");
    assert_string_equal(entries[1].hotkey_ss58[0], ALICE_SS58);
    assert_string_equal(entries[1].hotkey_ss58[1], BOB_SS58);
    cov_wallet_list_free(entries, count);
    cov_wallet_list_free(NULL, 0);

    /* An encrypted hotkey without a twin lists with an empty address, and
     * leftover temp files are not hotkeys. */
    uint8_t fake_nacl[64];
    memcpy(fake_nacl, "$NACL", 5);
    memset(fake_nacl + 5, 0x5A, sizeof fake_nacl - 5);
    assert_int_equal(cov_file_write_atomic(path_in("listing/alpha/hotkeys/locked"),
                                           fake_nacl, sizeof fake_nacl, 0600, false,
                                           &err),
                     COV_OK);
    assert_int_equal(cov_file_write_atomic(
                         path_in("listing/alpha/hotkeys/solo.tmp.AbC123"), "{", 1,
                         0600, false, &err),
                     COV_OK);
    assert_int_equal(cov_wallet_list(&entries, &count, wallets, &err), COV_OK);
    assert_int_equal(count, 2);
    assert_int_equal(entries[0].n_hotkeys, 2);
    assert_string_equal(entries[0].hotkey_names[0], "locked");
    assert_string_equal(entries[0].hotkey_ss58[0], "");
    assert_string_equal(entries[0].hotkey_names[1], "solo");
    cov_wallet_list_free(entries, count);

    cov_keypair_free(ol);
    cov_keypair_free(alice);
    cov_keypair_free(bob);
}

/* ------------------------------------------------------------ passwords */

static void test_password_env(void **state)
{
    (void)state;
    static const char path[] = "/home/ubuntu/.bittensor/wallets/test/coldkey";
    char *name = cov_password_env_name(path);
    assert_string_equal(name, "BT_PW__HOME_UBUNTU__BITTENSOR_WALLETS_TEST_COLDKEY");
    static const struct {
        const char *password, *value;
    } cases[] = {
        {"123456", "c2ZsZGJp"},
        /* longer than the variable name: the name repeats */
        {"correct horse battery staple 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ",
         "ITstIjI8K2gnIjcsMGI3LyAhOi07aScgJD4/KnJvZnN/eHBiZGdtZTI2PCcqKiMjLDMpODI+"
         "OC8uOjw5MCkiOiw0dBQdHAYMEhMNBxk="},
        /* UTF-8: XOR runs over bytes */
        {"p\xc3\xa4ssw\xc3\xb6rd", "Mpf7IyQonP49KQ=="},
        {"\xe5\xaf\x86\xe7\xa0\x81\xe5\xaf\x86\xe7\xa0\x81", "p/vZt/feuufJquXe"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *value = cov_password_env_value(path, cases[i].password);
        assert_non_null(value);
        assert_string_equal(value, cases[i].value);
        free(value);
        /* Reading it back from the environment. */
        assert_int_equal(setenv(name, cases[i].value, 1), 0);
        char *pw = NULL;
        cov_err err;
        assert_int_equal(cov_password_from_env(&pw, path, &err), COV_OK);
        assert_string_equal(pw, cases[i].password);
        sodium_free(pw);
    }
    /* Other punctuation stays as it is; letters go upper-case. */
    char *other = cov_password_env_name("~/w-1/My.Wallet/hot_keys/a");
    assert_string_equal(other, "BT_PW_~_W-1_MY_WALLET_HOT_KEYS_A");
    free(other);

    /* Unset and malformed. */
    char *pw = (char *)1;
    cov_err err;
    unsetenv(name);
    assert_int_equal(cov_password_from_env(&pw, path, &err), COV_ERR_NOT_FOUND);
    assert_null(pw);
    setenv(name, "", 1);
    assert_int_equal(cov_password_from_env(&pw, path, &err), COV_ERR_NOT_FOUND);
    setenv(name, "not base64!", 1);
    assert_int_equal(cov_password_from_env(&pw, path, &err), COV_ERR_PARSE);
    assert_null(pw);
    /* The error names the variable, never the value. */
    assert_non_null(strstr(err.msg, name));
    assert_null(strstr(err.msg, "not base64!"));
    unsetenv(name);
    free(name);

    /* A round trip for a wallet path of this test's own. */
    char kf[512];
    snprintf(kf, sizeof kf, "%s", path_in("wallets/alice/coldkey"));
    char *value = cov_password_env_value(kf, "s3cret pass");
    char *var = cov_password_env_name(kf);
    setenv(var, value, 1);
    assert_int_equal(cov_password_from_env(&pw, kf, &err), COV_OK);
    assert_string_equal(pw, "s3cret pass");
    sodium_free(pw);
    unsetenv(var);
    free(var);
    free(value);
}

static void test_password_policy(void **state)
{
    (void)state;
    cov_err err;
    static const char *const weak[] = {"", "abc", "abcde", "aaaaaaaa", "ababababab",
                                       "111111"};
    for (size_t i = 0; i < sizeof weak / sizeof weak[0]; i++) {
        assert_int_equal(cov_password_check_new(weak[i], &err), COV_ERR_ARG);
        assert_int_equal(err.code, COV_ERR_ARG);
    }
    static const char *const ok[] = {"correct horse", "abcdef", "Tr0ub4dor&3",
                                     "p\xc3\xa4ssw\xc3\xb6rd"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_int_equal(cov_password_check_new(ok[i], &err), COV_OK);
}

/* ------------------------------------------------------------ file helpers */

static void test_file_helpers(void **state)
{
    (void)state;
    cov_err err;
    /* mkdir -p: nested, existing, and a file in the way. */
    char deep[512];
    snprintf(deep, sizeof deep, "%s", path_in("files/a/b/c"));
    assert_int_equal(cov_mkdir_p(deep, 0700, &err), COV_OK);
    assert_int_equal(mode_of(deep), 0700);
    assert_int_equal(mode_of(path_in("files/a")), 0700);
    assert_int_equal(cov_mkdir_p(deep, 0700, &err), COV_OK);
    char trailing[512];
    snprintf(trailing, sizeof trailing, "%s", path_in("files/t/"));
    assert_int_equal(cov_mkdir_p(trailing, 0700, &err), COV_OK);
    char file[512];
    snprintf(file, sizeof file, "%s", path_in("files/f"));
    assert_int_equal(cov_file_write_atomic(file, "hello", 5, 0640, false, &err), COV_OK);
    assert_int_equal(mode_of(file), 0640);
    assert_int_not_equal(cov_mkdir_p(file, 0700, &err), COV_OK);
    assert_int_not_equal(cov_mkdir_p(path_in("files/f/sub"), 0700, &err), COV_OK);
    assert_int_equal(cov_mkdir_p("", 0700, &err), COV_ERR_ARG);
    assert_true(cov_file_exists(file));
    assert_true(cov_file_exists(deep));
    assert_false(cov_file_exists(path_in("files/nope")));

    /* Atomic write: no clobber, then overwrite, no temp files. */
    assert_int_equal(cov_file_write_atomic(file, "other", 5, 0600, false, &err),
                     COV_ERR_EXISTS);
    uint8_t *data;
    size_t len;
    assert_int_equal(cov_file_read(&data, &len, file, 100, false, &err), COV_OK);
    assert_int_equal(len, 5);
    assert_memory_equal(data, "hello", 5);
    assert_int_equal(data[5], '\0');
    free(data);
    assert_int_equal(cov_file_write_atomic(file, "replaced!", 9, 0600, true, &err), COV_OK);
    assert_int_equal(mode_of(file), 0600);
    assert_int_equal(cov_file_read(&data, &len, file, 100, true, &err), COV_OK);
    assert_int_equal(len, 9);
    assert_string_equal((char *)data, "replaced!");
    sodium_free(data);
    assert_false(has_temp_files(path_in("files")));
    /* An empty file. */
    char empty[512];
    snprintf(empty, sizeof empty, "%s", path_in("files/empty"));
    assert_int_equal(cov_file_write_atomic(empty, "", 0, 0600, false, &err), COV_OK);
    assert_int_equal(cov_file_read(&data, &len, empty, 0, false, &err), COV_OK);
    assert_int_equal(len, 0);
    assert_int_equal(data[0], '\0');
    free(data);

    /* Size cap, missing file, folder. */
    data = (uint8_t *)1;
    assert_int_equal(cov_file_read(&data, &len, file, 8, false, &err), COV_ERR_TOO_BIG);
    assert_null(data);
    assert_int_equal(cov_file_read(&data, &len, file, 9, false, &err), COV_OK);
    free(data);
    assert_int_equal(cov_file_read(&data, &len, path_in("files/nope"), 8, false,
                                   &err),
                     COV_ERR_NOT_FOUND);
    assert_int_equal(err.code, COV_ERR_NOT_FOUND);
    assert_int_equal(cov_file_read(&data, &len, deep, 8, false, &err), COV_ERR_IO);
    /* Writing into a missing folder fails cleanly. */
    assert_int_not_equal(cov_file_write_atomic(path_in("files/nope/x"), "x", 1,
                                               0600, false, &err),
                         COV_OK);
    assert_false(has_temp_files(path_in("files")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wallet_init_defaults_and_env),
        cmocka_unit_test(test_wallet_init_bad_names),
        cmocka_unit_test(test_store_modes_and_no_clobber),
        cmocka_unit_test(test_store_encrypted),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_wallet_list),
        cmocka_unit_test(test_password_env),
        cmocka_unit_test(test_password_policy),
        cmocka_unit_test(test_file_helpers),
    };
    if (cov_crypto_init(NULL) != COV_OK)
        return 1;
    return cmocka_run_group_tests(tests, make_root, remove_root);
}
