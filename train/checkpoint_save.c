/* cov_checkpoint_save: a new folder, written and synced in full, then put
 * in place by rename, so a crash leaves the old checkpoint or the new one. */
#include "train/checkpoint_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "checkpoints store floats little-endian; this host is not"
#endif

static void wr64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The safetensors header for tensors laid out back to back in the given
 * order, padded with spaces so the data starts 8-byte aligned. */
static cov_status build_header(char **out, size_t *out_len, const cov_tensor_view *t, size_t n,
                               json_t *metadata, cov_err *err)
{
    json_t *root = json_object();
    if (!root)
        return cov_fail(err, COV_ERR_NOMEM, "checkpoint: no memory");
    json_object_set(root, "__metadata__", metadata);
    uint64_t at = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *shape = t[i].ndim == 2 ? json_pack("[I,I]", (json_int_t)t[i].shape[0],
                                                   (json_int_t)t[i].shape[1])
                                       : json_pack("[I]", (json_int_t)t[i].shape[0]);
        uint64_t end = at + (uint64_t)t[i].numel * 4;
        json_object_set_new(root, t[i].name,
                            json_pack("{s:s, s:o, s:[I,I]}", "dtype", "F32", "shape", shape,
                                      "data_offsets", (json_int_t)at, (json_int_t)end));
        at = end;
    }
    char *text = cov_json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (!text)
        return cov_fail(err, COV_ERR_NOMEM, "checkpoint: no memory for the header");
    size_t len = strlen(text), padded = (len + 7) & ~(size_t)7;
    char *buf = realloc(text, padded + 1);
    if (!buf) {
        free(text);
        return cov_fail(err, COV_ERR_NOMEM, "checkpoint: no memory for the header");
    }
    memset(buf + len, ' ', padded - len);
    buf[padded] = '\0';
    *out = buf;
    *out_len = padded;
    return COV_OK;
}

static cov_status write_all(int fd, const void *p, size_t len, const char *path, cov_err *err)
{
    const uint8_t *b = p;
    while (len > 0) {
        ssize_t w = write(fd, b, len > ((size_t)1 << 30) ? ((size_t)1 << 30) : len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return cov_fail(err, COV_ERR_IO, "cannot write %s: %s", path,
                            w < 0 ? strerror(errno) : "short write");
        b += w;
        len -= (size_t)w;
    }
    return COV_OK;
}

static cov_status write_weights(const char *path, const cov_tensor_view *t, size_t n,
                                json_t *metadata, cov_err *err)
{
    char *header = NULL;
    size_t hlen = 0;
    cov_status st = build_header(&header, &hlen, t, n, metadata, err);
    if (st != COV_OK)
        return st;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        free(header);
        return cov_fail(err, COV_ERR_IO, "cannot create %s: %s", path, strerror(errno));
    }
    uint8_t len8[8];
    wr64(len8, hlen);
    st = write_all(fd, len8, 8, path, err);
    if (st == COV_OK)
        st = write_all(fd, header, hlen, path, err);
    for (size_t i = 0; i < n && st == COV_OK; i++)
        st = write_all(fd, t[i].data, t[i].numel * sizeof(float), path, err);
    if (st == COV_OK && fsync(fd) != 0)
        st = cov_fail(err, COV_ERR_IO, "cannot sync %s: %s", path, strerror(errno));
    close(fd);
    free(header);
    return st;
}

static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Removes a checkpoint folder covenant wrote: its two files, then it. */
static void remove_checkpoint_dir(const char *dir)
{
    char path[4096];
    if (ckpt_path(path, sizeof path, dir, COV_CHECKPOINT_WEIGHTS))
        unlink(path);
    if (ckpt_path(path, sizeof path, dir, COV_CHECKPOINT_CONFIG))
        unlink(path);
    rmdir(dir);
}

/* An existing dir may be replaced only if it holds nothing but a
 * checkpoint's files (never someone's other data). */
static cov_status check_replaceable(const char *dir, bool *exists, cov_err *err)
{
    *exists = false;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT)
            return COV_OK;
        return cov_fail(err, errno == ENOTDIR ? COV_ERR_EXISTS : COV_ERR_IO,
                        "checkpoint: %s exists and is not a folder covenant can replace", dir);
    }
    *exists = true;
    struct dirent *e;
    cov_status st = COV_OK;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            strcmp(e->d_name, COV_CHECKPOINT_WEIGHTS) == 0 ||
            strcmp(e->d_name, COV_CHECKPOINT_CONFIG) == 0)
            continue;
        st = cov_fail(err, COV_ERR_EXISTS,
                      "checkpoint: %s holds %s, so it is not a checkpoint covenant may replace; "
                      "choose another folder",
                      dir, e->d_name);
        break;
    }
    closedir(d);
    return st;
}

static cov_status parse_metadata(json_t **out, long long *bos, long long *eos,
                                 const char *metadata_json, cov_err *err)
{
    *bos = *eos = 0;
    json_t *md = json_object();
    if (!md)
        return cov_fail(err, COV_ERR_NOMEM, "checkpoint: no memory");
    json_object_set_new(md, "format", json_string("pt"));
    if (metadata_json) {
        json_error_t jerr;
        json_t *in = json_loads(metadata_json, JSON_REJECT_DUPLICATES, &jerr);
        if (!json_is_object(in)) {
            json_decref(in);
            json_decref(md);
            return cov_fail(err, COV_ERR_ARG, "checkpoint: metadata is not a JSON object%s%s",
                            in ? "" : ": ", in ? "" : jerr.text);
        }
        const char *k;
        json_t *v;
        json_object_foreach(in, k, v) {
            if (strcmp(k, "bos_token_id") == 0 && json_is_integer(v))
                *bos = json_integer_value(v);
            if (strcmp(k, "eos_token_id") == 0 && json_is_integer(v))
                *eos = json_integer_value(v);
            if (json_is_string(v)) {
                json_object_set(md, k, v);
            } else {
                char *text = cov_json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
                if (text)
                    json_object_set_new(md, k, json_string(text));
                free(text);
            }
        }
        json_decref(in);
    }
    *out = md;
    return COV_OK;
}

cov_status cov_checkpoint_save(const char *dir, const cov_model_config *cfg,
                               const cov_tensor_view *tensors, size_t n,
                               const char *metadata_json, cov_err *err)
{
    if (!dir || !*dir || !cfg || (!tensors && n))
        return cov_fail(err, COV_ERR_ARG, "checkpoint save: a folder, a config and tensors");
    cov_status st = COV_OK;
    for (size_t i = 0; i < n && st == COV_OK; i++) {
        uint64_t numel = (uint64_t)tensors[i].shape[0] *
                         (uint64_t)(tensors[i].ndim == 2 ? tensors[i].shape[1] : 1);
        if (!tensors[i].data || numel != tensors[i].numel)
            st = cov_fail(err, COV_ERR_ARG, "checkpoint save: tensor %s has no data or a numel "
                                            "that does not match its shape",
                          tensors[i].name);
    }
    if (st == COV_OK)
        st = ckpt_match_layout(cfg, tensors, n, "checkpoint save", err);
    if (st != COV_OK)
        return st;

    json_t *metadata = NULL;
    long long bos, eos;
    st = parse_metadata(&metadata, &bos, &eos, metadata_json, err);
    if (st != COV_OK)
        return st;
    char *config = NULL;
    st = ckpt_config_json(&config, cfg, bos, eos, err);

    bool exists = false;
    if (st == COV_OK)
        st = check_replaceable(dir, &exists, err);
    /* the parent must exist for the sibling temp folder */
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    if (st == COV_OK && slash && slash != parent) {
        *slash = '\0';
        st = cov_mkdir_p(parent, 0755, err);
    } else {
        snprintf(parent, sizeof parent, "%s", slash ? "/" : ".");
    }
    char tmp[4096], old[4096], path[4096];
    int tl = snprintf(tmp, sizeof tmp, "%s.tmp-%ld", dir, (long)getpid());
    int ol = snprintf(old, sizeof old, "%s.old-%ld", dir, (long)getpid());
    if (st == COV_OK && (tl < 0 || ol < 0 || (size_t)tl >= sizeof tmp - 32 ||
                         (size_t)ol >= sizeof old))
        st = cov_fail(err, COV_ERR_ARG, "checkpoint: folder path too long");
    if (st == COV_OK) {
        remove_checkpoint_dir(tmp); /* a leftover of an earlier crash of this pid */
        if (mkdir(tmp, 0755) != 0)
            st = cov_fail(err, COV_ERR_IO, "checkpoint: cannot create %s: %s", tmp,
                          strerror(errno));
    }
    if (st == COV_OK) {
        ckpt_path(path, sizeof path, tmp, COV_CHECKPOINT_WEIGHTS);
        st = write_weights(path, tensors, n, metadata, err);
    }
    if (st == COV_OK) {
        ckpt_path(path, sizeof path, tmp, COV_CHECKPOINT_CONFIG);
        st = cov_file_write_atomic(path, config, strlen(config), 0644, false, err);
    }
    if (st == COV_OK) {
        sync_dir(tmp);
        if (exists && rename(dir, old) != 0)
            st = cov_fail(err, COV_ERR_IO, "checkpoint: cannot move the old %s aside: %s", dir,
                          strerror(errno));
    }
    if (st == COV_OK) {
        if (rename(tmp, dir) != 0) {
            st = cov_fail(err, COV_ERR_IO, "checkpoint: cannot rename %s to %s: %s", tmp, dir,
                          strerror(errno));
            if (exists)
                rename(old, dir); /* put the old checkpoint back */
        } else {
            sync_dir(parent);
            if (exists)
                remove_checkpoint_dir(old);
        }
    }
    if (st != COV_OK)
        remove_checkpoint_dir(tmp);
    json_decref(metadata);
    free(config);
    return st;
}
