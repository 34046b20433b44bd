/* File helpers that never lose data: atomic replace, no-clobber create,
 * size-capped reads. */
#include "common/common.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool cov_file_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

cov_status cov_mkdir_p(const char *path, unsigned mode, cov_err *err)
{
    size_t len = strlen(path);
    if (len == 0) /* the loop below starts at copy + 1 */
        return cov_fail(err, COV_ERR_ARG, "cannot create a folder with an empty name");
    char *copy = malloc(len + 1);
    if (!copy)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    memcpy(copy, path, len + 1);
    for (char *p = copy + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(copy, (mode_t)mode) != 0 && errno != EEXIST) {
            cov_status st = cov_fail(err, errno == EACCES ? COV_ERR_PERMISSION : COV_ERR_IO,
                                     "cannot create folder %s: %s", copy,
                                     strerror(errno));
            free(copy);
            return st;
        }
        *p = saved;
        if (saved == '\0')
            break;
    }
    struct stat st;
    bool is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    free(copy);
    if (!is_dir)
        return cov_fail(err, COV_ERR_IO, "%s exists but is not a folder", path);
    return COV_OK;
}

static cov_status write_all(int fd, const uint8_t *p, size_t len,
                            const char *path, cov_err *err)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return cov_fail(err, COV_ERR_IO, "cannot write %s: %s", path,
                            strerror(errno));
        p += n;
        len -= (size_t)n;
    }
    return COV_OK;
}

/* Makes the rename durable: without this a power cut can lose the entry. */
static void sync_parent(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

cov_status cov_file_write_atomic(const char *path, const void *data,
                                 size_t len, unsigned mode, bool overwrite,
                                 cov_err *err)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        cov_status st = cov_fail(err, errno == EACCES ? COV_ERR_PERMISSION : COV_ERR_IO,
                                 "cannot create a file next to %s: %s", path,
                                 strerror(errno));
        free(tmp);
        return st;
    }
    cov_status st = COV_OK;
    if (fchmod(fd, (mode_t)mode) != 0)
        st = cov_fail(err, COV_ERR_IO, "cannot set mode of %s: %s", tmp,
                      strerror(errno));
    if (st == COV_OK)
        st = write_all(fd, data, len, tmp, err);
    if (st == COV_OK && fsync(fd) != 0)
        st = cov_fail(err, COV_ERR_IO, "cannot flush %s: %s", tmp, strerror(errno));
    if (close(fd) != 0 && st == COV_OK)
        st = cov_fail(err, COV_ERR_IO, "cannot close %s: %s", tmp, strerror(errno));
    if (st == COV_OK) {
        if (overwrite) {
            if (rename(tmp, path) != 0)
                st = cov_fail(err, COV_ERR_IO, "cannot move %s into place: %s",
                              path, strerror(errno));
        } else if (link(tmp, path) != 0) {
            /* link() refuses an existing target atomically, unlike rename. */
            st = errno == EEXIST
                     ? cov_fail(err, COV_ERR_EXISTS,
                                "%s already exists; pass --overwrite to replace it",
                                path)
                     : cov_fail(err, COV_ERR_IO, "cannot create %s: %s", path,
                                strerror(errno));
        }
    }
    if (st != COV_OK || !overwrite)
        unlink(tmp);
    if (st == COV_OK)
        sync_parent(path);
    free(tmp);
    return st;
}

cov_status cov_file_read(uint8_t **out, size_t *len, const char *path,
                         size_t max_len, bool secure, cov_err *err)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        cov_status code = errno == ENOENT   ? COV_ERR_NOT_FOUND
                          : errno == EACCES ? COV_ERR_PERMISSION
                                            : COV_ERR_IO;
        return cov_fail(err, code, "cannot open %s: %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return cov_fail(err, COV_ERR_IO, "%s is not a regular file", path);
    }
    if ((uint64_t)st.st_size > max_len) {
        close(fd);
        return cov_fail(err, COV_ERR_TOO_BIG,
                        "%s is %lld bytes, more than the %zu expected; is it "
                        "the right file?",
                        path, (long long)st.st_size, max_len);
    }
    size_t size = (size_t)st.st_size;
    uint8_t *buf = secure ? sodium_malloc(size + 1) : malloc(size + 1);
    if (!buf) {
        close(fd);
        return cov_fail(err, COV_ERR_NOMEM, "out of memory reading %s", path);
    }
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (got != size) {
        if (secure)
            sodium_free(buf);
        else
            free(buf);
        return cov_fail(err, COV_ERR_IO, "short read on %s", path);
    }
    buf[size] = '\0';
    *out = buf;
    *len = size;
    return COV_OK;
}
