/* `covenant train`'s data: the shards of --data with one sample numbering,
 * the deterministic sample order, the held-out samples, and the checkpoint
 * metadata that lets a run resume where it stopped. */
#include "cli/train_cmd.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { MAX_SHARDS = 65536 };

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_shard_name(const char *name)
{
    size_t len = strlen(name);
    return name[0] != '.' && len > 4 && strcmp(name + len - 4, ".bin") == 0;
}

/* The *.bin files of dir, sorted, as full paths (free each and the array). */
static cov_status list_shards(char ***out, size_t *n, const char *dir, cov_err *err)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return cov_fail(err, COV_ERR_IO, "cannot open the data folder %s: %s", dir,
                        strerror(errno));
    char **paths = NULL;
    size_t count = 0, cap = 0;
    cov_status st = COV_OK;
    struct dirent *e;
    while ((e = readdir(d)) && st == COV_OK) {
        if (!is_shard_name(e->d_name))
            continue;
        if (count == MAX_SHARDS) {
            st = cov_fail(err, COV_ERR_TOO_BIG, "%s holds more than %d shards", dir, MAX_SHARDS);
            break;
        }
        if (count == cap) {
            cap = cap ? 2 * cap : 16;
            char **grown = realloc(paths, cap * sizeof *grown);
            if (!grown) {
                st = cov_fail(err, COV_ERR_NOMEM, "out of memory listing %s", dir);
                break;
            }
            paths = grown;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        paths[count] = malloc(len);
        if (!paths[count]) {
            st = cov_fail(err, COV_ERR_NOMEM, "out of memory listing %s", dir);
            break;
        }
        snprintf(paths[count], len, "%s/%s", dir, e->d_name);
        count++;
    }
    closedir(d);
    if (st == COV_OK && count == 0)
        st = cov_fail(err, COV_ERR_NOT_FOUND,
                      "no shards (*.bin) in %s; make some with covenant data prepare or synth",
                      dir);
    if (st != COV_OK) {
        for (size_t i = 0; i < count; i++)
            free(paths[i]);
        free(paths);
        return st;
    }
    qsort(paths, count, sizeof *paths, by_name);
    *out = paths;
    *n = count;
    return COV_OK;
}

void train_corpus_close(train_corpus *c)
{
    for (size_t i = 0; i < c->n_shards; i++)
        cov_shard_close(c->shards[i]);
    free(c->shards);
    free(c->first);
    memset(c, 0, sizeof *c);
}

static cov_status add_shards(train_corpus *c, char **paths, size_t n, cov_err *err)
{
    c->shards = calloc(n, sizeof *c->shards);
    c->first = calloc(n, sizeof *c->first);
    if (!c->shards || !c->first)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory for %zu shards", n);
    for (size_t i = 0; i < n; i++) {
        cov_status st = cov_shard_open(&c->shards[i], paths[i], err);
        if (st != COV_OK)
            return st;
        c->n_shards++;
        const cov_shard_info *info = &c->shards[i]->info;
        if (i == 0) {
            c->seq_len = info->seq_len;
            c->vocab_size = info->vocab_size;
        } else if (info->seq_len != c->seq_len || info->vocab_size != c->vocab_size) {
            return cov_fail(err, COV_ERR_ARG,
                            "%s has samples of %u tokens and vocab %u, %s %u and %u: one "
                            "run needs one format",
                            paths[i], info->seq_len, info->vocab_size, paths[0], c->seq_len,
                            c->vocab_size);
        }
        c->first[i] = c->samples;
        c->samples += info->sample_count;
    }
    return COV_OK;
}

cov_status train_corpus_open(train_corpus *c, const char *path, cov_err *err)
{
    memset(c, 0, sizeof *c);
    struct stat sb;
    if (stat(path, &sb) != 0)
        return cov_fail(err, COV_ERR_NOT_FOUND, "--data %s: %s", path, strerror(errno));
    char **paths = NULL;
    size_t n = 0;
    char *single[1] = {(char *)path};
    cov_status st = COV_OK;
    if (S_ISDIR(sb.st_mode))
        st = list_shards(&paths, &n, path, err);
    if (st != COV_OK)
        return st;
    st = add_shards(c, paths ? paths : single, paths ? n : 1, err);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    if (st == COV_OK && c->samples == 0)
        st = cov_fail(err, COV_ERR_ARG, "--data %s holds no samples", path);
    if (st != COV_OK)
        train_corpus_close(c);
    return st;
}

cov_status train_corpus_batch(int32_t *tokens, int32_t *targets, const train_corpus *c,
                              const int64_t *idx, size_t n, cov_err *err)
{
    for (size_t i = 0; i < n; i++) {
        if (idx[i] < 0 || (uint64_t)idx[i] >= c->samples)
            return cov_fail(err, COV_ERR_ARG, "sample %" PRId64 " is not in the corpus",
                            idx[i]);
        /* The last shard whose first sample is <= idx[i]. */
        size_t lo = 0, hi = c->n_shards;
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (c->first[mid] <= (uint64_t)idx[i])
                lo = mid;
            else
                hi = mid;
        }
        int64_t local = idx[i] - (int64_t)c->first[lo];
        size_t off = i * c->seq_len;
        cov_status st = cov_data_batch(tokens + off, targets + off, c->shards[lo], &local, 1, err);
        if (st != COV_OK)
            return st;
    }
    return COV_OK;
}

cov_status train_step_samples(int64_t *out, int64_t *scratch, uint64_t pool_n, uint64_t step,
                              size_t per_step, int rank, int world, cov_err *err)
{
    size_t pool = per_step * (size_t)world;
    cov_status st = cov_data_assign_pool(scratch, 0, step, (int64_t)pool_n, (int64_t)pool, err);
    if (st != COV_OK)
        return st;
    size_t got = cov_data_rank_slice(out, scratch, pool, (size_t)rank, (size_t)world);
    if (got != per_step)
        return cov_fail(err, COV_ERR_ARG, "rank %d got %zu samples, wanted %zu", rank, got,
                        per_step);
    return COV_OK;
}

uint64_t train_eval_count(uint64_t samples)
{
    uint64_t n = samples / 20;
    return n < 1 ? 1 : n > 256 ? 256 : n;
}

/* ----------------------------------------------------------- checkpoints */

cov_status train_save(const char *dir, const cov_model_config *cfg, const cov_tensor_view *views,
                      size_t n, int64_t step, uint64_t seed, uint64_t tokens, cov_err *err)
{
    char meta[256];
    /* u64s as strings: JSON numbers lose them past 2^53. */
    snprintf(meta, sizeof meta,
             "{\"step\": %" PRId64 ", \"seed\": \"%" PRIu64 "\", \"tokens\": \"%" PRIu64
             "\", \"data_order\": \"templar-uid0\", \"trainer\": \"covenant train\"}",
             step, seed, tokens);
    return cov_checkpoint_save(dir, cfg, views, n, meta, err);
}

static bool meta_u64(json_t *meta, const char *key, uint64_t *out)
{
    const char *text = json_string_value(json_object_get(meta, key));
    if (!text || !*text || text[0] == '-')
        return false;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (*end || errno)
        return false;
    *out = v;
    return true;
}

cov_status train_resume_meta(const char *dir, int64_t *step, uint64_t *seed, uint64_t *tokens,
                             cov_err *err)
{
    json_t *meta = NULL;
    cov_status st = cov_checkpoint_read_metadata(dir, &meta, err);
    if (st != COV_OK)
        return st;
    uint64_t s = 0;
    if (!meta_u64(meta, "step", &s) || s > INT64_MAX || !meta_u64(meta, "seed", seed) ||
        !meta_u64(meta, "tokens", tokens)) {
        json_decref(meta);
        return cov_fail(err, COV_ERR_PARSE,
                        "%s was not written by covenant train (no step, seed and tokens in "
                        "its metadata), so it cannot be resumed",
                        dir);
    }
    *step = (int64_t)s;
    json_decref(meta);
    return COV_OK;
}

cov_lr_schedule train_schedule(const train_opts *o)
{
    cov_lr_schedule s = {.base_lr = o->lr,
                         .warmup_start_factor = 0.1f,
                         .warmup_steps = o->warmup,
                         .cosine_steps = o->steps - o->warmup > 0 ? o->steps - o->warmup : 1,
                         .min_ratio = 0.1f};
    return s;
}
