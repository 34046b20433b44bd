/* Packing documents into shards (data.h, cov_shard_writer). Tokens gather
 * in one shard-sized buffer; a full buffer is written atomically and
 * reused, so memory stays at one shard whatever the corpus size. */
#include "train/data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cov_shard_writer {
    char *dir, *prefix;
    cov_shard_info format;
    uint64_t samples_per_shard;
    bool overwrite, finished;
    uint32_t *buf; /* samples_per_shard * seq_len tokens */
    size_t cap, used;
    cov_shard_writer_stats stats;
};

cov_status cov_shard_writer_new(cov_shard_writer **out, const char *dir, const char *prefix,
                                const cov_shard_info *format, uint64_t samples_per_shard,
                                bool overwrite, cov_err *err)
{
    *out = NULL;
    if (!dir || !prefix || !format || samples_per_shard == 0)
        return cov_fail(err, COV_ERR_ARG, "shard writer: a folder, a prefix, a format and at "
                                          "least one sample per shard are needed");
    if (format->seq_len == 0 || format->vocab_size == 0 || format->eos_id >= format->vocab_size ||
        (format->token_width != 2 && format->token_width != 4))
        return cov_fail(err, COV_ERR_ARG,
                        "shard writer: impossible format (width 2 or 4, seq_len > 0, "
                        "EOS < vocab)");
    if (samples_per_shard > SIZE_MAX / sizeof(uint32_t) / format->seq_len)
        return cov_fail(err, COV_ERR_TOO_BIG, "shard writer: shards of %llu samples are too big",
                        (unsigned long long)samples_per_shard);
    cov_status st = cov_mkdir_p(dir, 0755, err);
    if (st != COV_OK)
        return st;
    cov_shard_writer *w = calloc(1, sizeof *w);
    if (!w)
        return cov_fail(err, COV_ERR_NOMEM, "shard writer: no memory");
    w->dir = strdup(dir);
    w->prefix = strdup(prefix);
    w->format = *format;
    w->samples_per_shard = samples_per_shard;
    w->overwrite = overwrite;
    w->cap = (size_t)samples_per_shard * format->seq_len;
    w->buf = malloc(w->cap * sizeof *w->buf);
    if (!w->dir || !w->prefix || !w->buf) {
        cov_shard_writer_free(w);
        return cov_fail(err, COV_ERR_NOMEM, "shard writer: no memory for a shard of %zu tokens",
                        (size_t)samples_per_shard * format->seq_len);
    }
    *out = w;
    return COV_OK;
}

/* Writes the whole samples in the buffer as the next shard. */
static cov_status flush(cov_shard_writer *w, cov_err *err)
{
    size_t samples = w->used / w->format.seq_len;
    if (samples == 0)
        return COV_OK;
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s_%06llu.bin", w->dir, w->prefix,
                     (unsigned long long)w->stats.shards);
    if (n < 0 || (size_t)n >= sizeof path)
        return cov_fail(err, COV_ERR_ARG, "shard writer: folder path too long");
    cov_shard_info info = w->format;
    info.sample_count = samples;
    cov_status st = cov_shard_write(path, &info, w->buf, w->overwrite, err);
    if (st != COV_OK)
        return cov_err_context(err, "%s", path);
    size_t done = samples * w->format.seq_len;
    memmove(w->buf, w->buf + done, (w->used - done) * sizeof *w->buf);
    w->used -= done;
    w->stats.shards++;
    w->stats.samples += samples;
    return COV_OK;
}

cov_status cov_shard_writer_add(cov_shard_writer *w, const uint32_t *tokens, size_t n,
                                cov_err *err)
{
    if (w->finished)
        return cov_fail(err, COV_ERR_ARG, "shard writer: already finished");
    while (n > 0) {
        size_t take = w->cap - w->used < n ? w->cap - w->used : n;
        for (size_t i = 0; i < take; i++) {
            if (tokens[i] >= w->format.vocab_size)
                return cov_fail(err, COV_ERR_ARG, "shard writer: token %u is not below vocab %u",
                                tokens[i], w->format.vocab_size);
            w->buf[w->used + i] = tokens[i];
        }
        w->used += take;
        w->stats.tokens_in += take;
        tokens += take;
        n -= take;
        if (w->used == w->cap) {
            cov_status st = flush(w, err);
            if (st != COV_OK)
                return st;
        }
    }
    return COV_OK;
}

static cov_status need_bytes_format(const cov_shard_writer *w, cov_err *err)
{
    if (w->format.vocab_size != COV_BYTE_VOCAB || w->format.eos_id != COV_BYTE_EOS)
        return cov_fail(err, COV_ERR_ARG,
                        "shard writer: byte-level text needs vocab 256 and EOS 0");
    return COV_OK;
}

cov_status cov_shard_writer_add_bytes(cov_shard_writer *w, const uint8_t *bytes, size_t len,
                                      cov_err *err)
{
    cov_status st = need_bytes_format(w, err);
    if (st != COV_OK)
        return st;
    const uint8_t *nul = memchr(bytes, 0, len);
    if (nul)
        return cov_fail(err, COV_ERR_PARSE,
                        "text contains a NUL byte (at %zu of this piece): the byte tokenizer "
                        "reserves 0 for end-of-document (is this a binary file?)",
                        (size_t)(nul - bytes));
    uint32_t chunk[1024];
    while (len > 0) {
        size_t k = len < 1024 ? len : 1024;
        for (size_t i = 0; i < k; i++)
            chunk[i] = bytes[i];
        st = cov_shard_writer_add(w, chunk, k, err);
        if (st != COV_OK)
            return st;
        bytes += k;
        len -= k;
    }
    return COV_OK;
}

cov_status cov_shard_writer_end_document(cov_shard_writer *w, cov_err *err)
{
    uint32_t eos = w->format.eos_id;
    cov_status st = cov_shard_writer_add(w, &eos, 1, err);
    if (st == COV_OK)
        w->stats.documents++;
    return st;
}

cov_status cov_shard_writer_add_text(cov_shard_writer *w, const uint8_t *text, size_t len,
                                     cov_err *err)
{
    cov_status st = cov_shard_writer_add_bytes(w, text, len, err);
    return st != COV_OK ? st : cov_shard_writer_end_document(w, err);
}

cov_status cov_shard_writer_finish(cov_shard_writer *w, cov_err *err)
{
    if (w->finished)
        return COV_OK;
    cov_status st = flush(w, err);
    if (st != COV_OK)
        return st;
    w->stats.tokens_dropped = w->used;
    w->used = 0;
    w->finished = true;
    return COV_OK;
}

void cov_shard_writer_stats_get(const cov_shard_writer *w, cov_shard_writer_stats *out)
{
    *out = w->stats;
}

void cov_shard_writer_free(cov_shard_writer *w)
{
    if (!w)
        return;
    free(w->buf);
    free(w->dir);
    free(w->prefix);
    free(w);
}
