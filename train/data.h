/* Token data: shards on disk, Templar's deterministic assignment of samples
 * to (uid, window), batches with Templar's labels, and a synthetic corpus.
 * docs/training.md "Data and assignment" is the user-facing description.
 *
 * Shard file format, version 1 (all integers little-endian):
 *
 *   offset size  field
 *        0    8  magic "COVTOKNS"
 *        8    4  version (1)
 *       12    4  token width in bytes: 2 (uint16) or 4 (uint32)
 *       16    4  vocab_size (every token < vocab_size; <= 2^(8*width))
 *       20    4  eos_id (< vocab_size; ends every document)
 *       24    4  seq_len (tokens per sample, > 0)
 *       28    4  reserved, 0
 *       32    8  sample_count
 *       40    8  reserved, 0
 *       48    8  XXH64 (seed 0) of the token bytes
 *       56    8  XXH64 (seed 0) of header bytes 0..55
 *       64       sample_count * seq_len tokens of `width` bytes
 *
 * Documents are EOS-terminated and concatenated, then cut into samples of
 * seq_len tokens, as Templar's pre-tokenizer does (a document may span two
 * samples; the tail that does not fill a sample is dropped). A sample's id
 * is Templar's: blake2b with an 8-byte digest of the sample's token bytes,
 * read as a little-endian u64. */
#ifndef COVENANT_TRAIN_DATA_H
#define COVENANT_TRAIN_DATA_H

#include "common/common.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COV_SHARD_MAGIC "COVTOKNS"
#define COV_SHARD_VERSION 1u
#define COV_SHARD_HEADER_SIZE 64u

/* Templar's window: H = 30 inner steps of target_batch_size = 1024. */
#define COV_DATA_TEMPLAR_POOL (30 * 1024)

/* The byte-level tokenizer: a token per byte, EOS = 0. Text never contains
 * NUL, so byte 0 is free to end documents; input with a NUL is refused. */
#define COV_BYTE_VOCAB 256u
#define COV_BYTE_EOS 0u

/* The label of a position that is not trained on (PyTorch ignore_index). */
#define COV_LABEL_IGNORE (-100)

/* --------------------------------------------------------------- shards */

typedef struct {
    uint32_t version;
    uint32_t token_width; /* 2 or 4 */
    uint32_t vocab_size;
    uint32_t eos_id;
    uint32_t seq_len;
    uint64_t sample_count;
    uint64_t token_checksum; /* XXH64 of the token bytes */
} cov_shard_info;

/* Validates a whole shard held in memory: magic, version, header checksum,
 * sizes (truncated or trailing bytes), the token checksum and that every
 * token is below vocab_size. On success fills *info and, if tokens is not
 * NULL, points *tokens at the first token inside `data`. */
cov_status cov_shard_parse(cov_shard_info *info, const uint8_t **tokens, const uint8_t *data,
                           size_t len, cov_err *err) COV_WARN_UNUSED;

/* An open shard: the file mapped read-only and validated. */
typedef struct {
    cov_shard_info info;
    const uint8_t *tokens; /* inside the mapping */
    void *map;
    size_t map_len;
} cov_shard;

/* Maps and validates path (cov_shard_parse's checks; errors name the file).
 * Free with cov_shard_close. */
cov_status cov_shard_open(cov_shard **out, const char *path, cov_err *err) COV_WARN_UNUSED;
void cov_shard_close(cov_shard *s);

/* Token i of the shard (i < sample_count * seq_len). */
uint32_t cov_shard_token(const cov_shard *s, uint64_t i);

/* Writes a shard atomically (cov_file_write_atomic, mode 0644). `tokens`
 * holds sample_count * seq_len tokens as uint32 whatever the width; the
 * header's version and token_checksum are computed here. Refuses a token
 * >= vocab_size or a vocab that does not fit the width. */
cov_status cov_shard_write(const char *path, const cov_shard_info *info, const uint32_t *tokens,
                           bool overwrite, cov_err *err) COV_WARN_UNUSED;

/* The header and token bytes of a shard in a new malloc'd buffer (free()
 * it), as cov_shard_write would write them. */
cov_status cov_shard_encode(uint8_t **out, size_t *out_len, const cov_shard_info *info,
                            const uint32_t *tokens, cov_err *err) COV_WARN_UNUSED;

/* Templar's sample id of sample `index` (blake2b-64 of its token bytes). */
uint64_t cov_shard_sample_id(const cov_shard *s, uint64_t index);
uint64_t cov_sample_id(const uint8_t *sample_bytes, size_t len);

/* Templar's "sample_digest": blake2b-128 of the ids sorted ascending, as
 * little-endian u64s. ids is not modified. */
cov_status cov_sample_digest(uint8_t out[16], const uint64_t *ids, size_t n,
                             cov_err *err) COV_WARN_UNUSED;

/* ---------------------------------------------------- writing a corpus */

/* Packs documents into shards DIR/PREFIX_000000.bin, PREFIX_000001.bin, ...
 * each of samples_per_shard samples (the last one may hold fewer; the tail
 * that does not fill a sample is dropped and counted). */
typedef struct cov_shard_writer cov_shard_writer;

typedef struct {
    uint64_t documents;
    uint64_t tokens_in;      /* every token added, EOS included */
    uint64_t samples;        /* written */
    uint64_t shards;         /* written */
    uint64_t tokens_dropped; /* the last partial sample */
} cov_shard_writer_stats;

/* dir is created if missing; existing shards of the same name are
 * refused (COV_ERR_EXISTS) unless overwrite. Free with
 * cov_shard_writer_free (which discards what is not yet written). */
cov_status cov_shard_writer_new(cov_shard_writer **out, const char *dir, const char *prefix,
                                const cov_shard_info *format, uint64_t samples_per_shard,
                                bool overwrite, cov_err *err) COV_WARN_UNUSED;
/* Appends tokens (each < vocab_size) as they come; no EOS is added. */
cov_status cov_shard_writer_add(cov_shard_writer *w, const uint32_t *tokens, size_t n,
                                cov_err *err) COV_WARN_UNUSED;
/* The byte-level tokenizer, streaming: bytes of the current document
 * (NUL refused), then cov_shard_writer_end_document appends EOS. */
cov_status cov_shard_writer_add_bytes(cov_shard_writer *w, const uint8_t *bytes, size_t len,
                                      cov_err *err) COV_WARN_UNUSED;
cov_status cov_shard_writer_end_document(cov_shard_writer *w, cov_err *err) COV_WARN_UNUSED;
/* The byte-level tokenizer: one document of UTF-8 (any bytes but NUL),
 * followed by EOS. Needs a writer with vocab 256 and EOS 0. */
cov_status cov_shard_writer_add_text(cov_shard_writer *w, const uint8_t *text, size_t len,
                                     cov_err *err) COV_WARN_UNUSED;
/* Writes the last (partial) shard; afterwards only _stats and _free. */
cov_status cov_shard_writer_finish(cov_shard_writer *w, cov_err *err) COV_WARN_UNUSED;
void cov_shard_writer_stats_get(const cov_shard_writer *w, cov_shard_writer_stats *out);
void cov_shard_writer_free(cov_shard_writer *w);

/* --------------------------------------------------------- assignment */

/* Templar's seed for (uid, window): (uid * 1_000_003 XOR window) & 0xFFFFFFFF. */
uint32_t cov_data_window_seed(uint64_t uid, uint64_t window);

/* The window's pool: default_rng(seed).choice(n_samples, pool_size,
 * replace=False), bit-exact with NumPy. pool has pool_size entries. */
cov_status cov_data_assign_pool(int64_t *pool, uint64_t uid, uint64_t window, int64_t n_samples,
                                int64_t pool_size, cov_err *err) COV_WARN_UNUSED;

/* Rank r's share, pool[r :: world_size], into out; returns how many. */
size_t cov_data_rank_slice(int64_t *out, const int64_t *pool, size_t pool_size, size_t rank,
                           size_t world_size);

/* ------------------------------------------------------------ batches */

/* Fills tokens[B*T] and targets[B*T] (T = the shard's seq_len) with the
 * samples at indices[0..B): targets[t] = tokens[t+1], the last position and
 * every target equal to EOS get COV_LABEL_IGNORE (Templar's labels, with
 * pad = EOS). COV_ERR_ARG for an index out of range. */
cov_status cov_data_batch(int32_t *tokens, int32_t *targets, const cov_shard *s,
                          const int64_t *indices, size_t batch, cov_err *err) COV_WARN_UNUSED;

/* ---------------------------------------------------------- synthetic */

/* A learnable synthetic corpus, deterministic from a seed: documents of
 * sentences from a small grammar (subject-verb agreement, adjectives,
 * counting sequences, refrains that repeat within a document). ASCII, no
 * NUL; for the byte-level tokenizer. */
typedef struct {
    uint64_t s[4]; /* xoshiro256** */
} cov_synth;

void cov_synth_init(cov_synth *g, uint64_t seed);
/* Appends one document (no terminator) to buf; its length is returned in
 * *len. buf must hold COV_SYNTH_DOC_MAX bytes. */
#define COV_SYNTH_DOC_MAX 4096
void cov_synth_document(cov_synth *g, char *buf, size_t *len);

#endif
