/* Password input: a file, btwallet's BT_PW_ variable, or a no-echo prompt on
 * the controlling terminal. Passwords never pass through argv (visible in
 * ps) and live only in sodium_malloc'd memory. */
#include "cli/cli.h"
#include "wallet/wallet.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

enum { PASSWORD_MAX = 1024 };

static void strip_newline(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

cov_status cli_password_from_file(char **out, const char *path, cov_err *err)
{
    uint8_t *data;
    size_t len;
    cov_status st = cov_file_read(&data, &len, path, PASSWORD_MAX, true, err);
    if (st != COV_OK)
        return cov_err_context(err, "password file");
    char *nl = memchr(data, '\n', len);
    if (nl)
        *nl = '\0';
    strip_newline((char *)data);
    *out = (char *)data;
    return COV_OK;
}

/* Prompts on /dev/tty with echo off, so it works even when stdout is piped. */
cov_status cli_password_prompt(char **out, const char *prompt, cov_err *err)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return cov_fail(err, COV_ERR_PASSWORD,
                        "a password is needed but there is no terminal to ask "
                        "on; use --password-file FILE or btwallet's BT_PW_ "
                        "variable");
    char *buf = sodium_malloc(PASSWORD_MAX);
    if (!buf) {
        close(fd);
        return cov_fail(err, COV_ERR_NOMEM, "out of secure memory");
    }
    struct termios saved, quiet;
    bool have_termios = tcgetattr(fd, &saved) == 0;
    if (have_termios) {
        quiet = saved;
        quiet.c_lflag &= (tcflag_t)~(ECHO | ECHONL);
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    if (write(fd, prompt, strlen(prompt)) < 0) {
        /* the prompt is a courtesy; reading still works */
    }
    size_t n = 0;
    char c;
    while (n + 1 < PASSWORD_MAX && read(fd, &c, 1) == 1 && c != '\n')
        buf[n++] = c;
    buf[n] = '\0';
    if (have_termios)
        tcsetattr(fd, TCSAFLUSH, &saved);
    if (write(fd, "\n", 1) < 0) {
        /* ignore */
    }
    close(fd);
    strip_newline(buf);
    *out = buf;
    return COV_OK;
}

cov_status cli_password_for_file(char **out, const cli_args *a,
                                 const char *keyfile_path, cov_err *err)
{
    *out = NULL;
    if (cli_has(a, OPT_PASSWORD_FILE))
        return cli_password_from_file(out, cli_get(a, OPT_PASSWORD_FILE), err);
    cov_status st = cov_password_from_env(out, keyfile_path, err);
    if (st != COV_ERR_NOT_FOUND)
        return st;
    char prompt[512];
    snprintf(prompt, sizeof prompt, "Enter password to unlock %s: ", keyfile_path);
    return cli_password_prompt(out, prompt, err);
}

cov_status cli_password_new(char **out, const cli_args *a, const char *what,
                            cov_err *err)
{
    *out = NULL;
    cov_status st;
    if (cli_has(a, OPT_PASSWORD_FILE)) {
        st = cli_password_from_file(out, cli_get(a, OPT_PASSWORD_FILE), err);
    } else {
        char prompt[256];
        snprintf(prompt, sizeof prompt, "Specify password for %s: ", what);
        st = cli_password_prompt(out, prompt, err);
        char *again = NULL;
        if (st == COV_OK)
            st = cli_password_prompt(&again, "Retype your password: ", err);
        if (st == COV_OK && strcmp(*out, again) != 0)
            st = cov_fail(err, COV_ERR_PASSWORD, "the two passwords differ; nothing was written");
        if (again)
            sodium_free(again);
    }
    if (st == COV_OK)
        st = cov_password_check_new(*out, err);
    if (st != COV_OK && *out) {
        sodium_free(*out);
        *out = NULL;
    }
    return st;
}
