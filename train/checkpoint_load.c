/* cov_checkpoint_load: config.json, then model.safetensors mapped and
 * checked against the layout that config implies, then copied by name. */
#include "train/checkpoint_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    void *map;
    size_t len;
} mapped_file;

static cov_status map_file(mapped_file *m, const char *path, cov_err *err)
{
    m->map = NULL;
    m->len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return cov_fail(err, errno == ENOENT ? COV_ERR_NOT_FOUND : COV_ERR_IO,
                        "cannot open %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return cov_fail(err, COV_ERR_IO, "%s is not a regular file", path);
    }
    m->len = (size_t)sb.st_size;
    if (m->len) {
        m->map = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m->map == MAP_FAILED) {
            int e = errno;
            close(fd);
            m->map = NULL;
            return cov_fail(err, COV_ERR_IO, "cannot map %s: %s", path, strerror(e));
        }
    }
    close(fd);
    return COV_OK;
}

static void unmap_file(mapped_file *m)
{
    if (m->map)
        munmap(m->map, m->len);
    m->map = NULL;
}

/* Opens dir/model.safetensors and checks it holds exactly cfg's layout. */
static cov_status open_weights(mapped_file *m, cov_safetensors *st, const char *dir,
                               const cov_model_config *cfg, cov_err *err)
{
    char path[4096];
    if (!ckpt_path(path, sizeof path, dir, COV_CHECKPOINT_WEIGHTS))
        return cov_fail(err, COV_ERR_ARG, "checkpoint: folder path too long");
    cov_status rc = map_file(m, path, err);
    if (rc != COV_OK)
        return rc;
    rc = cov_safetensors_parse(st, m->map ? m->map : (const void *)"", m->len, err);
    if (rc == COV_OK && cfg) {
        cov_tensor_view *views = calloc(st->n + 1, sizeof *views);
        if (!views)
            rc = cov_fail(err, COV_ERR_NOMEM, "checkpoint: no memory");
        for (size_t i = 0; i < st->n && rc == COV_OK; i++) {
            memcpy(views[i].name, st->entries[i].name, sizeof views[i].name);
            views[i].ndim = st->entries[i].ndim;
            memcpy(views[i].shape, st->entries[i].shape, sizeof views[i].shape);
        }
        if (rc == COV_OK)
            rc = ckpt_match_layout(cfg, views, st->n, "model.safetensors against config.json",
                                   err);
        free(views);
        if (rc != COV_OK)
            cov_safetensors_free(st);
    }
    if (rc != COV_OK) {
        unmap_file(m);
        cov_err_context(err, "%s", path);
    }
    return rc;
}

cov_status cov_checkpoint_load(const char *dir, cov_model_config *cfg_out, cov_tensor_view *dest,
                               size_t n, cov_err *err)
{
    if (!dir || !cfg_out || (!dest && n))
        return cov_fail(err, COV_ERR_ARG, "checkpoint load: a folder, a config and views");
    cov_status rc = cov_checkpoint_read_config(dir, cfg_out, err);
    if (rc != COV_OK)
        return rc;

    mapped_file m;
    cov_safetensors st;
    rc = open_weights(&m, &st, dir, cfg_out, err);
    if (rc != COV_OK)
        return rc;
    /* The file first (its errors matter whatever the caller holds), then
     * the destination: the same layout, or the caller's model was built for
     * another config. */
    for (size_t i = 0; i < n && rc == COV_OK; i++)
        if (!dest[i].data)
            rc = cov_fail(err, COV_ERR_ARG, "checkpoint load: view %s has no memory",
                          dest[i].name);
    if (rc == COV_OK)
        rc = ckpt_match_layout(cfg_out, dest, n,
                               "checkpoint load: the model's tensors against config.json", err);
    if (rc != COV_OK) {
        cov_safetensors_free(&st);
        unmap_file(&m);
        return rc;
    }

    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (strcmp(st.entries[j].name, dest[i].name) != 0)
            j++; /* present: the layouts matched */
        memcpy(dest[i].data, st.data + st.entries[j].begin, st.entries[j].numel * sizeof(float));
    }
    cov_safetensors_free(&st);
    unmap_file(&m);
    return COV_OK;
}

cov_status cov_checkpoint_read_metadata(const char *dir, json_t **out, cov_err *err)
{
    *out = NULL;
    mapped_file m;
    cov_safetensors st;
    cov_status rc = open_weights(&m, &st, dir, NULL, err);
    if (rc != COV_OK)
        return rc;
    *out = json_incref(st.metadata);
    cov_safetensors_free(&st);
    unmap_file(&m);
    return COV_OK;
}
