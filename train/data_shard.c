/* The shard file format (data.h): encoding, validation, mapping, sample ids. */
#include "train/data.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, (uint32_t)v);
    wr32(p + 4, (uint32_t)(v >> 32));
}

/* XXH64 with seed 0: cov_twox64 writes it little-endian. */
static uint64_t xxh64(const uint8_t *p, size_t n)
{
    uint8_t h[8];
    cov_twox64(h, p, n);
    return rd64(h);
}

static cov_status check_format(const cov_shard_info *f, cov_err *err)
{
    if (f->token_width != 2 && f->token_width != 4)
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "shard: token width %u bytes; covenant reads 2 (uint16) or 4 (uint32)",
                        f->token_width);
    if (f->vocab_size == 0 || (f->token_width == 2 && f->vocab_size > 65536u))
        return cov_fail(err, COV_ERR_PARSE, "shard: vocab size %u does not fit %u-byte tokens",
                        f->vocab_size, f->token_width);
    if (f->eos_id >= f->vocab_size)
        return cov_fail(err, COV_ERR_PARSE, "shard: EOS id %u is not below the vocab size %u",
                        f->eos_id, f->vocab_size);
    if (f->seq_len == 0)
        return cov_fail(err, COV_ERR_PARSE, "shard: sequence length 0");
    return COV_OK;
}

/* Token bytes of a shard, or false when they overflow size_t. */
static bool payload_size(size_t *out, const cov_shard_info *f)
{
    uint64_t n = f->sample_count, per = (uint64_t)f->seq_len * f->token_width;
    if (n && per > (SIZE_MAX - COV_SHARD_HEADER_SIZE) / n)
        return false;
    *out = (size_t)(n * per);
    return true;
}

cov_status cov_shard_parse(cov_shard_info *info, const uint8_t **tokens, const uint8_t *data,
                           size_t len, cov_err *err)
{
    if (len < COV_SHARD_HEADER_SIZE)
        return cov_fail(err, COV_ERR_PARSE,
                        "shard: truncated: %zu bytes, shorter than the %u-byte header", len,
                        COV_SHARD_HEADER_SIZE);
    if (memcmp(data, COV_SHARD_MAGIC, 8) != 0)
        return cov_fail(err, COV_ERR_PARSE,
                        "shard: bad magic: not a covenant token shard (expected \"%s\")",
                        COV_SHARD_MAGIC);
    cov_shard_info f = {
        .version = rd32(data + 8),
        .token_width = rd32(data + 12),
        .vocab_size = rd32(data + 16),
        .eos_id = rd32(data + 20),
        .seq_len = rd32(data + 24),
        .sample_count = rd64(data + 32),
        .token_checksum = rd64(data + 48),
    };
    if (f.version != COV_SHARD_VERSION)
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "shard: version %u; this covenant reads version %u", f.version,
                        COV_SHARD_VERSION);
    if (xxh64(data, 56) != rd64(data + 56))
        return cov_fail(err, COV_ERR_CHECKSUM,
                        "shard: header checksum mismatch: the header is corrupt");
    if (rd32(data + 28) != 0 || rd64(data + 40) != 0)
        return cov_fail(err, COV_ERR_PARSE, "shard: reserved header fields are not zero");
    cov_status st = check_format(&f, err);
    if (st != COV_OK)
        return st;
    size_t want;
    if (!payload_size(&want, &f))
        return cov_fail(err, COV_ERR_TOO_BIG, "shard: %llu samples of %u tokens is too large",
                        (unsigned long long)f.sample_count, f.seq_len);
    size_t have = len - COV_SHARD_HEADER_SIZE;
    if (have < want)
        return cov_fail(err, COV_ERR_PARSE,
                        "shard: truncated: %zu token bytes of the %zu its header announces",
                        have, want);
    if (have > want)
        return cov_fail(err, COV_ERR_PARSE,
                        "shard: %zu bytes after the last sample (file longer than its header says)",
                        have - want);
    const uint8_t *tok = data + COV_SHARD_HEADER_SIZE;
    if (xxh64(tok, want) != f.token_checksum)
        return cov_fail(err, COV_ERR_CHECKSUM,
                        "shard: token checksum mismatch: the file is corrupt (re-create it)");
    size_t n = want / f.token_width;
    for (size_t i = 0; i < n; i++) {
        uint32_t t = f.token_width == 2 ? (uint32_t)tok[2 * i] | (uint32_t)tok[2 * i + 1] << 8
                                        : rd32(tok + 4 * i);
        if (t >= f.vocab_size)
            return cov_fail(err, COV_ERR_PARSE,
                            "shard: token %u at sample %zu, position %zu is not below the "
                            "vocab size %u",
                            t, i / f.seq_len, i % f.seq_len, f.vocab_size);
    }
    *info = f;
    if (tokens)
        *tokens = tok;
    return COV_OK;
}

cov_status cov_shard_open(cov_shard **out, const char *path, cov_err *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return cov_fail(err, errno == ENOENT ? COV_ERR_NOT_FOUND : COV_ERR_IO,
                        "cannot open shard %s: %s", path, strerror(errno));
    struct stat stbuf;
    if (fstat(fd, &stbuf) != 0 || !S_ISREG(stbuf.st_mode)) {
        close(fd);
        return cov_fail(err, COV_ERR_IO, "shard %s is not a regular file", path);
    }
    cov_shard *s = calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        return cov_fail(err, COV_ERR_NOMEM, "no memory to open shard %s", path);
    }
    s->map_len = (size_t)stbuf.st_size;
    if (s->map_len > 0) {
        s->map = mmap(NULL, s->map_len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (s->map == MAP_FAILED) {
            int e = errno;
            close(fd);
            free(s);
            return cov_fail(err, COV_ERR_IO, "cannot map shard %s: %s", path, strerror(e));
        }
    }
    close(fd);
    cov_status st = cov_shard_parse(&s->info, &s->tokens, s->map_len ? s->map : "", s->map_len,
                                    err);
    if (st != COV_OK) {
        cov_shard_close(s);
        return cov_err_context(err, "%s", path);
    }
    *out = s;
    return COV_OK;
}

void cov_shard_close(cov_shard *s)
{
    if (!s)
        return;
    if (s->map && s->map_len)
        munmap(s->map, s->map_len);
    free(s);
}

uint32_t cov_shard_token(const cov_shard *s, uint64_t i)
{
    const uint8_t *p = s->tokens + i * s->info.token_width;
    return s->info.token_width == 2 ? (uint32_t)p[0] | (uint32_t)p[1] << 8 : rd32(p);
}

cov_status cov_shard_encode(uint8_t **out, size_t *out_len, const cov_shard_info *info,
                            const uint32_t *tokens, cov_err *err)
{
    *out = NULL;
    *out_len = 0;
    cov_status st = check_format(info, err);
    if (st != COV_OK)
        return st;
    size_t payload;
    if (!payload_size(&payload, info))
        return cov_fail(err, COV_ERR_TOO_BIG, "shard: too many samples to encode");
    size_t n = payload / info->token_width;
    for (size_t i = 0; i < n; i++)
        if (tokens[i] >= info->vocab_size)
            return cov_fail(err, COV_ERR_ARG, "shard: token %u at %zu is not below vocab %u",
                            tokens[i], i, info->vocab_size);
    uint8_t *buf = malloc(COV_SHARD_HEADER_SIZE + payload);
    if (!buf)
        return cov_fail(err, COV_ERR_NOMEM, "shard: no memory for %zu bytes", payload);
    uint8_t *tok = buf + COV_SHARD_HEADER_SIZE;
    for (size_t i = 0; i < n; i++) {
        if (info->token_width == 2) {
            tok[2 * i] = (uint8_t)tokens[i];
            tok[2 * i + 1] = (uint8_t)(tokens[i] >> 8);
        } else {
            wr32(tok + 4 * i, tokens[i]);
        }
    }
    memset(buf, 0, COV_SHARD_HEADER_SIZE);
    memcpy(buf, COV_SHARD_MAGIC, 8);
    wr32(buf + 8, COV_SHARD_VERSION);
    wr32(buf + 12, info->token_width);
    wr32(buf + 16, info->vocab_size);
    wr32(buf + 20, info->eos_id);
    wr32(buf + 24, info->seq_len);
    wr64(buf + 32, info->sample_count);
    wr64(buf + 48, xxh64(tok, payload));
    wr64(buf + 56, xxh64(buf, 56));
    *out = buf;
    *out_len = COV_SHARD_HEADER_SIZE + payload;
    return COV_OK;
}

cov_status cov_shard_write(const char *path, const cov_shard_info *info, const uint32_t *tokens,
                           bool overwrite, cov_err *err)
{
    uint8_t *buf;
    size_t len;
    cov_status st = cov_shard_encode(&buf, &len, info, tokens, err);
    if (st != COV_OK)
        return st;
    st = cov_file_write_atomic(path, buf, len, 0644, overwrite, err);
    free(buf);
    return st;
}

uint64_t cov_sample_id(const uint8_t *sample_bytes, size_t len)
{
    uint8_t h[8];
    cov_blake2b(h, 8, sample_bytes, len);
    return rd64(h);
}

uint64_t cov_shard_sample_id(const cov_shard *s, uint64_t index)
{
    size_t bytes = (size_t)s->info.seq_len * s->info.token_width;
    return cov_sample_id(s->tokens + index * bytes, bytes);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

cov_status cov_sample_digest(uint8_t out[16], const uint64_t *ids, size_t n, cov_err *err)
{
    uint8_t *bytes = malloc(n ? n * 8 : 1);
    uint64_t *sorted = malloc(n ? n * sizeof *sorted : 1);
    if (!bytes || !sorted) {
        free(bytes);
        free(sorted);
        return cov_fail(err, COV_ERR_NOMEM, "sample digest: no memory for %zu ids", n);
    }
    if (n)
        memcpy(sorted, ids, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_u64);
    for (size_t i = 0; i < n; i++)
        wr64(bytes + 8 * i, sorted[i]);
    cov_blake2b_128(out, bytes, n * 8);
    free(bytes);
    free(sorted);
    return COV_OK;
}
