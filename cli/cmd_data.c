/* covenant data: token shards and Templar's sample assignment.
 *
 *   covenant data prepare TEXT... --out DIR [--seq-len N] [--shard-samples N]
 *   covenant data synth --out DIR --tokens N [--seed S] [--seq-len N] [--shard-samples N]
 *   covenant data info SHARD
 *   covenant data assign --uid U --window W --samples N [--pool P]
 *                        [--rank R --world-size K] [--shard FILE]
 *
 * Every command takes --json. The options are local to this group (parsed
 * here, not in args.c), as none of them is shared with other commands. */
#include "cli/cli.h"
#include "train/data.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int cli_data_main(int argc, char **argv, bool json);

enum { DATA_MAX_POSITIONAL = 256 };

typedef struct {
    const char *out, *seq_len, *shard_samples, *tokens, *seed, *uid, *window, *samples, *pool,
        *rank, *world_size, *shard;
    bool overwrite, help;
    const char *positional[DATA_MAX_POSITIONAL];
    int n_positional;
} data_args;

typedef struct {
    const char *name;
    size_t offset; /* of the const char * in data_args */
} data_opt;

#define OPT(n, f) {n, offsetof(data_args, f)}
static const data_opt data_opts[] = {
    OPT("--out", out),       OPT("--seq-len", seq_len), OPT("--shard-samples", shard_samples),
    OPT("--tokens", tokens), OPT("--seed", seed),       OPT("--uid", uid),
    OPT("--window", window), OPT("--samples", samples), OPT("--pool", pool),
    OPT("--rank", rank),     OPT("--world-size", world_size), OPT("--shard", shard),
};

static int parse_args(data_args *a, int argc, char **argv, bool *json, cov_err *err)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--json") == 0) {
            *json = true;
            continue;
        }
        if (strcmp(arg, "--overwrite") == 0) {
            a->overwrite = true;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            a->help = true;
            continue;
        }
        if (arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (a->n_positional == DATA_MAX_POSITIONAL) {
                cov_fail(err, COV_ERR_ARG, "at most %d input files", DATA_MAX_POSITIONAL);
                return CLI_EXIT_USAGE;
            }
            a->positional[a->n_positional++] = arg;
            continue;
        }
        const char *eq = strchr(arg, '=');
        size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
        size_t k = 0;
        while (k < sizeof data_opts / sizeof data_opts[0] &&
               !(strlen(data_opts[k].name) == name_len &&
                 strncmp(data_opts[k].name, arg, name_len) == 0))
            k++;
        if (k == sizeof data_opts / sizeof data_opts[0]) {
            cov_fail(err, COV_ERR_ARG, "unknown option %s (see covenant data --help)", arg);
            return CLI_EXIT_USAGE;
        }
        const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!value) {
            cov_fail(err, COV_ERR_ARG, "%s needs a value", data_opts[k].name);
            return CLI_EXIT_USAGE;
        }
        *(const char **)((char *)a + data_opts[k].offset) = value;
    }
    return CLI_EXIT_OK;
}

/* A decimal integer in [min, max], or the default when absent. */
static bool get_u64(uint64_t *out, const char *text, const char *name, uint64_t dflt,
                    uint64_t min, uint64_t max, cov_err *err)
{
    if (!text) {
        *out = dflt;
        return true;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (!*text || *end || errno || text[0] == '-' || v < min || v > max) {
        cov_fail(err, COV_ERR_ARG, "%s must be an integer from %" PRIu64 " to %" PRIu64, name,
                 min, max);
        return false;
    }
    *out = v;
    return true;
}

static void print_help(FILE *f)
{
    fprintf(f,
            "usage: covenant data <command> [options]\n\n"
            "commands:\n"
            "  prepare TEXT... --out DIR   byte-level tokens (EOS 0, vocab 256) of each file\n"
            "                              (one document per file, - for stdin) into shards\n"
            "  synth --out DIR --tokens N  a learnable synthetic corpus, deterministic from --seed\n"
            "  info SHARD                  a shard's header, checked in full\n"
            "  assign --uid U --window W --samples N\n"
            "                              Templar's pool for (uid, window): NumPy's\n"
            "                              default_rng(seed).choice(N, P, replace=False)\n\n"
            "options:\n"
            "  --out DIR            folder for train_000000.bin, train_000001.bin, ...\n"
            "  --seq-len N          tokens per sample [256]\n"
            "  --shard-samples N    samples per shard file [65536]\n"
            "  --overwrite          replace existing shards\n"
            "  --tokens N           synth: how many tokens to generate\n"
            "  --seed S             synth: generator seed [0]\n"
            "  --uid U, --window W  assign: the miner and the window\n"
            "  --samples N          assign: samples in the shard (or give --shard)\n"
            "  --pool P             assign: pool size [30720 = 30 x 1024, Templar's]\n"
            "  --rank R --world-size K  assign: rank R's share, pool[R::K]\n"
            "  --shard FILE         assign: also the sample ids and Templar's sample_digest\n"
            "  --json               one JSON object on stdout\n");
}

/* ------------------------------------------------------------ writing */

typedef struct {
    cov_shard_writer *w;
    struct timespec last;
} progress;

static void maybe_progress(progress *p, const char *what)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec - p->last.tv_sec < 1)
        return;
    p->last = now;
    cov_shard_writer_stats s;
    cov_shard_writer_stats_get(p->w, &s);
    cov_log(COV_LOG_INFO, "%s: %" PRIu64 " tokens, %" PRIu64 " shards written", what,
            s.tokens_in, s.shards);
}

/* Starts the clock and the writer for prepare and synth. */
static int writer_open(progress *p, struct timespec *t0, const data_args *a, bool json)
{
    clock_gettime(CLOCK_MONOTONIC, t0);
    memset(p, 0, sizeof *p);
    p->last = *t0;
    cov_shard_writer **w = &p->w;
    cov_err err = {0};
    uint64_t seq, per;
    if (!a->out)
        return cli_usage_error(json, "--out DIR is required");
    if (!get_u64(&seq, a->seq_len, "--seq-len", 256, 2, 1u << 24, &err) ||
        !get_u64(&per, a->shard_samples, "--shard-samples", 65536, 1, (uint64_t)1 << 32, &err))
        return cli_report(json, &err);
    cov_shard_info fmt = {.token_width = 2, .vocab_size = COV_BYTE_VOCAB,
                          .eos_id = COV_BYTE_EOS, .seq_len = (uint32_t)seq};
    if (cov_shard_writer_new(w, a->out, "train", &fmt, per, a->overwrite, &err) != COV_OK)
        return cli_report(json, &err);
    return CLI_EXIT_OK;
}

static int writer_done(cov_shard_writer *w, const data_args *a, bool json, double seconds)
{
    cov_err err = {0};
    if (cov_shard_writer_finish(w, &err) != COV_OK) {
        cov_shard_writer_free(w);
        return cli_report(json, &err);
    }
    cov_shard_writer_stats s;
    cov_shard_writer_stats_get(w, &s);
    cov_shard_writer_free(w);
    char text[512];
    snprintf(text, sizeof text,
             "%" PRIu64 " documents, %" PRIu64 " tokens -> %" PRIu64 " samples in %" PRIu64
             " shards under %s (%" PRIu64 " tokens of a partial last sample dropped)\n",
             s.documents, s.tokens_in, s.samples, s.shards, a->out, s.tokens_dropped);
    cli_emit(json,
             json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:f}", "out", a->out, "documents",
                       (json_int_t)s.documents, "tokens", (json_int_t)s.tokens_in, "samples",
                       (json_int_t)s.samples, "shards", (json_int_t)s.shards, "tokens_dropped",
                       (json_int_t)s.tokens_dropped, "vocab_size", COV_BYTE_VOCAB, "eos_id",
                       COV_BYTE_EOS, "seconds", seconds),
             text);
    return CLI_EXIT_OK;
}

static double elapsed(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) * 1e-9;
}

static int cmd_prepare(const data_args *a, bool json)
{
    if (a->n_positional < 1)
        return cli_usage_error(json, "covenant data prepare needs TEXT files (or - for stdin)");
    struct timespec t0;
    progress p;
    int rc = writer_open(&p, &t0, a, json);
    if (rc != CLI_EXIT_OK)
        return rc;
    enum { CHUNK = 1 << 20 };
    uint8_t *buf = malloc(CHUNK);
    cov_err err = {0};
    cov_status st = buf ? COV_OK : cov_fail(&err, COV_ERR_NOMEM, "no memory");
    for (int i = 0; i < a->n_positional && st == COV_OK; i++) {
        const char *path = a->positional[i];
        FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
        if (!f) {
            st = cov_fail(&err, COV_ERR_IO, "cannot open %s: %s", path, strerror(errno));
            break;
        }
        size_t got;
        while (st == COV_OK && (got = fread(buf, 1, CHUNK, f)) > 0) {
            st = cov_shard_writer_add_bytes(p.w, buf, got, &err);
            maybe_progress(&p, "prepare");
        }
        if (st == COV_OK && ferror(f))
            st = cov_fail(&err, COV_ERR_IO, "cannot read %s", path);
        if (st == COV_OK)
            st = cov_shard_writer_end_document(p.w, &err);
        else
            cov_err_context(&err, "%s", path);
        if (f != stdin)
            fclose(f);
    }
    free(buf);
    if (st != COV_OK) {
        cov_shard_writer_free(p.w);
        return cli_report(json, &err);
    }
    return writer_done(p.w, a, json, elapsed(&t0));
}

static int cmd_synth(const data_args *a, bool json)
{
    cov_err err = {0};
    uint64_t tokens, seed;
    if (!a->tokens)
        return cli_usage_error(json, "--tokens N is required");
    if (!get_u64(&tokens, a->tokens, "--tokens", 0, 1, (uint64_t)1 << 40, &err) ||
        !get_u64(&seed, a->seed, "--seed", 0, 0, UINT64_MAX, &err))
        return cli_report(json, &err);
    struct timespec t0;
    progress p;
    int rc = writer_open(&p, &t0, a, json);
    if (rc != CLI_EXIT_OK)
        return rc;
    cov_synth g;
    cov_synth_init(&g, seed);
    char doc[COV_SYNTH_DOC_MAX];
    cov_status st = COV_OK;
    for (;;) {
        cov_shard_writer_stats s;
        cov_shard_writer_stats_get(p.w, &s);
        if (s.tokens_in >= tokens)
            break;
        size_t len;
        cov_synth_document(&g, doc, &len);
        uint64_t room = tokens - s.tokens_in;
        if (len + 1 > room) /* the corpus ends mid-document: cut it, keep the EOS */
            len = room > 1 ? (size_t)room - 1 : 0;
        st = cov_shard_writer_add_text(p.w, (const uint8_t *)doc, len, &err);
        if (st != COV_OK)
            break;
        if ((s.documents & 1023) == 0)
            maybe_progress(&p, "synth");
    }
    if (st != COV_OK) {
        cov_shard_writer_free(p.w);
        return cli_report(json, &err);
    }
    return writer_done(p.w, a, json, elapsed(&t0));
}

/* --------------------------------------------------------------- info */

static int cmd_info(const data_args *a, bool json)
{
    if (a->n_positional != 1)
        return cli_usage_error(json, "covenant data info needs one SHARD file");
    cov_err err = {0};
    cov_shard *s;
    if (cov_shard_open(&s, a->positional[0], &err) != COV_OK)
        return cli_report(json, &err);
    const cov_shard_info *i = &s->info;
    uint64_t tokens = i->sample_count * i->seq_len;
    uint64_t first_id = i->sample_count ? cov_shard_sample_id(s, 0) : 0;
    char text[1024];
    snprintf(text, sizeof text,
             "%s: covenant token shard, version %u\n"
             "  tokens:    %" PRIu64 " (uint%u), vocab %u, EOS %u\n"
             "  samples:   %" PRIu64 " of %u tokens\n"
             "  checksum:  xxh64 %016" PRIx64 " (verified)\n"
             "  sample 0:  id %" PRIu64 "\n",
             a->positional[0], i->version, tokens, i->token_width * 8, i->vocab_size, i->eos_id,
             i->sample_count, i->seq_len, i->token_checksum, first_id);
    char sum[17], first_id_text[24];
    snprintf(sum, sizeof sum, "%016" PRIx64, i->token_checksum);
    snprintf(first_id_text, sizeof first_id_text, "%" PRIu64, first_id);
    cli_emit(json,
             json_pack("{s:s, s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:s, s:s}", "path",
                       a->positional[0], "version", (int)i->version, "token_bits",
                       (int)i->token_width * 8, "vocab_size", (json_int_t)i->vocab_size, "eos_id",
                       (json_int_t)i->eos_id, "seq_len", (json_int_t)i->seq_len, "samples",
                       (json_int_t)i->sample_count, "tokens", (json_int_t)tokens, "xxh64", sum,
                       "first_sample_id", first_id_text),
             text);
    cov_shard_close(s);
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------- assign */

/* u64 values as decimal strings: JSON numbers lose them past 2^53. */
static json_t *u64_string(uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRIu64, v);
    return json_string(buf);
}

static int cmd_assign(const data_args *a, bool json)
{
    cov_err err = {0};
    uint64_t uid, window, samples = 0, pool_size, rank, world;
    if (!a->uid || !a->window || (!a->samples && !a->shard))
        return cli_usage_error(json, "--uid, --window and --samples (or --shard) are required");
    if (!get_u64(&uid, a->uid, "--uid", 0, 0, UINT32_MAX, &err) ||
        !get_u64(&window, a->window, "--window", 0, 0, UINT32_MAX, &err) ||
        !get_u64(&pool_size, a->pool, "--pool", COV_DATA_TEMPLAR_POOL, 0, (uint64_t)1 << 32,
                 &err) ||
        !get_u64(&world, a->world_size, "--world-size", 1, 1, 1u << 20, &err) ||
        !get_u64(&rank, a->rank, "--rank", 0, 0, world - 1, &err))
        return cli_report(json, &err);
    cov_shard *s = NULL;
    if (a->shard && cov_shard_open(&s, a->shard, &err) != COV_OK)
        return cli_report(json, &err);
    if (s && a->samples && !get_u64(&samples, a->samples, "--samples", 0, 0, INT64_MAX, &err)) {
        cov_shard_close(s);
        return cli_report(json, &err);
    }
    if (s && a->samples && samples != s->info.sample_count) {
        cov_shard_close(s);
        return cli_usage_error(json, "--samples %" PRIu64 " but the shard holds %" PRIu64,
                               samples, s->info.sample_count);
    }
    if (s)
        samples = s->info.sample_count;
    else if (!get_u64(&samples, a->samples, "--samples", 0, 0, (uint64_t)1 << 40, &err))
        return cli_report(json, &err);

    int64_t *pool = malloc((pool_size ? pool_size : 1) * sizeof *pool);
    int64_t *mine = malloc((pool_size ? pool_size : 1) * sizeof *mine);
    if (!pool || !mine) {
        free(pool);
        free(mine);
        cov_shard_close(s);
        cov_fail(&err, COV_ERR_NOMEM, "no memory for a pool of %" PRIu64, pool_size);
        return cli_report(json, &err);
    }
    cov_status st = cov_data_assign_pool(pool, uid, window, (int64_t)samples, (int64_t)pool_size,
                                         &err);
    size_t n = st == COV_OK ? cov_data_rank_slice(mine, pool, pool_size, rank, world) : 0;
    json_t *out = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "uid", (json_int_t)uid,
                            "window", (json_int_t)window, "seed",
                            (json_int_t)cov_data_window_seed(uid, window), "samples",
                            (json_int_t)samples, "pool_size", (json_int_t)pool_size, "rank",
                            (json_int_t)rank, "world_size", (json_int_t)world);
    json_t *idx = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(idx, json_integer(mine[i]));
    json_object_set_new(out, "indices", idx);
    if (st == COV_OK && s) {
        /* Templar's receipt covers the whole pool (rank 0, world 1). */
        uint64_t *ids = malloc((pool_size ? pool_size : 1) * sizeof *ids);
        uint8_t digest[16];
        if (!ids) {
            st = cov_fail(&err, COV_ERR_NOMEM, "no memory");
        } else {
            json_t *jids = json_array();
            for (size_t i = 0; i < pool_size; i++)
                ids[i] = cov_shard_sample_id(s, (uint64_t)pool[i]);
            for (size_t i = 0; i < n; i++)
                json_array_append_new(jids, u64_string(cov_shard_sample_id(s, (uint64_t)mine[i])));
            json_object_set_new(out, "sample_ids", jids);
            st = cov_sample_digest(digest, ids, pool_size, &err);
            if (st == COV_OK) {
                char hex[33];
                cov_hex_encode(hex, digest, 16);
                json_object_set_new(out, "sample_digest", json_string(hex));
                json_object_set_new(out, "sample_count", json_integer((json_int_t)pool_size));
            }
            free(ids);
        }
    }
    if (st != COV_OK) {
        json_decref(out);
        free(pool);
        free(mine);
        cov_shard_close(s);
        return cli_report(json, &err);
    }
    if (json) {
        cli_emit(true, out, NULL);
    } else {
        printf("uid %" PRIu64 ", window %" PRIu64 ": seed %u, %zu of %" PRIu64
               " samples (rank %" PRIu64 " of %" PRIu64 ")\n",
               uid, window, cov_data_window_seed(uid, window), n, samples, rank, world);
        for (size_t i = 0; i < n; i++)
            printf("%" PRId64 "%c", mine[i], (i + 1) % 16 == 0 || i + 1 == n ? '\n' : ' ');
        json_t *d = json_object_get(out, "sample_digest");
        if (d)
            printf("sample_digest %s (%" PRIu64 " samples)\n", json_string_value(d), pool_size);
        json_decref(out);
    }
    free(pool);
    free(mine);
    cov_shard_close(s);
    return CLI_EXIT_OK;
}

int cli_data_main(int argc, char **argv, bool json)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        print_help(argc < 1 ? stderr : stdout);
        return argc < 1 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    data_args a;
    cov_err err = {0};
    int rc = parse_args(&a, argc - 1, argv + 1, &json, &err);
    if (rc != CLI_EXIT_OK)
        return cli_report(json, &err);
    if (a.help) {
        print_help(stdout);
        return CLI_EXIT_OK;
    }
    const char *cmd = argv[0];
    if (strcmp(cmd, "prepare") == 0)
        return cmd_prepare(&a, json);
    if (strcmp(cmd, "synth") == 0)
        return cmd_synth(&a, json);
    if (strcmp(cmd, "info") == 0)
        return cmd_info(&a, json);
    if (strcmp(cmd, "assign") == 0)
        return cmd_assign(&a, json);
    return cli_usage_error(json, "unknown data command \"%s\" (see covenant data --help)", cmd);
}
