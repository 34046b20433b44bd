/* covenant train: trains a model on token shards, one line per step.
 *
 *   covenant train --model PRESET --data DIR|SHARD --steps N [--batch B]
 *                  [--grad-accum A] [--lr LR] [--warmup W] [--seed S]
 *                  [--save DIR] [--resume DIR] [--eval-every K]
 *                  [--device cpu|cuda] [--dist-addr HOST:PORT --rank R
 *                  --world W] [--json]
 *
 * The CPU loop is here; the GPU one (one or several GPUs, NCCL ZeRO-1) is
 * cmd_train_cuda.c. Options are local to this command, as in cmd_data.c. */
#include "cli/train_cmd.h"
#include "train/model.h"
#include "train/rendezvous.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int cli_train_main(int argc, char **argv, bool json);

typedef struct {
    const char *model, *data, *steps, *batch, *grad_accum, *lr, *warmup, *seed, *save, *resume,
        *eval_every, *device, *dist_addr, *rank, *world;
    bool help;
} raw_args;

typedef struct {
    const char *name;
    size_t offset;
} train_flag;

#define FLAG(n, f) {n, offsetof(raw_args, f)}
static const train_flag flags[] = {
    FLAG("--model", model),   FLAG("--data", data),         FLAG("--steps", steps),
    FLAG("--batch", batch),   FLAG("--grad-accum", grad_accum), FLAG("--lr", lr),
    FLAG("--warmup", warmup), FLAG("--seed", seed),         FLAG("--save", save),
    FLAG("--resume", resume), FLAG("--eval-every", eval_every), FLAG("--device", device),
    FLAG("--dist-addr", dist_addr), FLAG("--rank", rank),   FLAG("--world", world),
};

static void print_help(FILE *f)
{
    fprintf(f,
            "usage: covenant train --model PRESET --data DIR|SHARD --steps N [options]\n\n"
            "Trains a model with AdamW on token shards (covenant data prepare/synth) and\n"
            "prints one line per step: loss, learning rate, gradient norm, time, tokens/s,\n"
            "achieved FLOP/s (and MFU on a GPU).\n\n"
            "options:\n"
            "  --model PRESET       tiny, demo, 10m, 124m or 70b (optional with --resume)\n"
            "  --data DIR|SHARD     a folder of *.bin shards, or one shard\n"
            "  --steps N            train until step N (a resumed run continues to N)\n"
            "  --batch B            sequences per micro-batch, per GPU/process [8]\n"
            "  --grad-accum A       micro-batches per step [1]\n"
            "  --lr LR              peak learning rate [3e-3]\n"
            "  --warmup W           linear warmup steps from 0.1 x LR, then cosine to\n"
            "                       0.1 x LR at step N [0]\n"
            "  --seed S             weight initialisation [0]\n"
            "  --save DIR           write a Hugging Face checkpoint there at the end\n"
            "  --resume DIR         continue from a checkpoint --save wrote (the weights,\n"
            "                       the step and the data order; AdamW restarts)\n"
            "  --eval-every K       held-out loss every K steps (the corpus' last\n"
            "                       samples, never trained on) [0: never]\n"
            "  --device cpu|cuda    [cpu]\n"
            "  --dist-addr H:P      data parallel over GPUs: rank 0 listens at H:P and\n"
            "  --rank R --world W   hands out NCCL's id (or OMPI_COMM_WORLD_* / RANK,\n"
            "                       WORLD_SIZE from the launcher; scripts/launch-train.sh)\n"
            "  --json               one JSON object on stdout (step lines go to stderr)\n");
}

static int parse_raw(raw_args *a, int argc, char **argv, bool *json, cov_err *err)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--json") == 0) {
            *json = true;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            a->help = true;
            continue;
        }
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        size_t k = 0, nf = sizeof flags / sizeof flags[0];
        while (k < nf && !(strlen(flags[k].name) == len && strncmp(flags[k].name, arg, len) == 0))
            k++;
        if (k == nf) {
            cov_fail(err, COV_ERR_ARG, "train: bad argument '%s' (see covenant train --help)",
                     arg);
            return CLI_EXIT_USAGE;
        }
        const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!value) {
            cov_fail(err, COV_ERR_ARG, "train: bad argument: %s needs a value", flags[k].name);
            return CLI_EXIT_USAGE;
        }
        *(const char **)((char *)a + flags[k].offset) = value;
    }
    return CLI_EXIT_OK;
}

/* An integer in [min, max] (the default when absent). */
static bool get_int(int64_t *out, const char *text, const char *name, int64_t dflt, int64_t min,
                    int64_t max, cov_err *err)
{
    if (!text) {
        *out = dflt;
        return true;
    }
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end || errno || v < min || v > max) {
        cov_fail(err, COV_ERR_ARG, "train: bad argument: %s must be an integer from %" PRId64
                 " to %" PRId64, name, min, max);
        return false;
    }
    *out = v;
    return true;
}

static int check_opts(train_opts *o, const raw_args *a, bool json)
{
    cov_err err = {0};
    memset(o, 0, sizeof *o);
    o->json = json;
    o->model = a->model;
    o->data = a->data;
    o->save = a->save;
    o->resume = a->resume;
    o->dist_addr = a->dist_addr;
    int64_t batch, accum, seed = 0, rank, world;
    if (!a->data || !a->steps || (!a->model && !a->resume))
        return cli_usage_error(json, "train: bad argument: --data, --steps and --model (or "
                                     "--resume) are required (see covenant train --help)");
    if (!get_int(&o->steps, a->steps, "--steps", 0, 1, INT32_MAX, &err) ||
        !get_int(&batch, a->batch, "--batch", 8, 1, 1 << 16, &err) ||
        !get_int(&accum, a->grad_accum, "--grad-accum", 1, 1, 1 << 16, &err) ||
        !get_int(&o->warmup, a->warmup, "--warmup", 0, 0, INT32_MAX, &err) ||
        !get_int(&o->eval_every, a->eval_every, "--eval-every", 0, 0, INT32_MAX, &err) ||
        !get_int(&world, a->world, "--world", 1, 1, 65536, &err) ||
        !get_int(&rank, a->rank, "--rank", 0, 0, world - 1, &err))
        return cli_report(json, &err);
    if (a->seed) {
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(a->seed, &end, 10);
        if (!*a->seed || *end || errno || a->seed[0] == '-')
            return cli_usage_error(json, "train: bad argument: --seed must be an integer from 0 "
                                         "to 18446744073709551615");
        seed = (int64_t)v;
        o->seed_given = true;
    }
    o->seed = (uint64_t)seed;
    o->batch = (int)batch;
    o->grad_accum = (int)accum;
    o->lr = 3e-3f;
    if (a->lr) {
        char *end = NULL;
        float lr = strtof(a->lr, &end);
        if (!*a->lr || *end || !(lr > 0.0f) || !isfinite(lr) || lr > 10.0f)
            return cli_usage_error(json, "train: bad argument: --lr must be a number in (0, 10]");
        o->lr = lr;
    }
    if (a->device && strcmp(a->device, "cpu") != 0 && strcmp(a->device, "cuda") != 0)
        return cli_usage_error(json, "train: bad argument: --device must be cpu or cuda");
    o->cuda = a->device && strcmp(a->device, "cuda") == 0;
    /* Rank and world: the flags, else the launcher's environment. */
    int env_rank = 0, env_world = 1, env_local = 0, found = 0;
    if (cov_rendezvous_env_rank(&env_rank, &env_world, &env_local, &found, &err) != COV_OK)
        return cli_report(json, &err);
    bool from_flags = a->rank || a->world || !found;
    o->rank = from_flags ? (int)rank : env_rank;
    o->world = from_flags ? (int)world : env_world;
    o->local_rank = from_flags ? o->rank : env_local;
    if (o->world > 1 && !o->cuda)
        return cli_usage_error(json, "train: bad argument: data parallel (--world %d) needs "
                                     "--device cuda; the CPU trains in one process",
                               o->world);
    if (o->world > 1 && !o->dist_addr && !getenv("COVENANT_DIST_ADDR"))
        return cli_usage_error(json, "train: bad argument: --world %d needs --dist-addr "
                                     "HOST:PORT (or COVENANT_DIST_ADDR), where rank 0 listens",
                               o->world);
    if (!o->dist_addr)
        o->dist_addr = getenv("COVENANT_DIST_ADDR");
    char host[COV_RENDEZVOUS_HOST_MAX];
    uint16_t port = 0;
    if (o->world > 1 && cov_rendezvous_parse_addr(o->dist_addr, host, &port, 0, &err) != COV_OK)
        return cli_usage_error(json, "train: bad argument: %s", err.msg);
    if (o->save && o->rank != 0)
        o->save = NULL; /* every rank has the same weights: rank 0 writes them */
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------ reporting */

void train_report_step(train_report *r, const train_step_record *s, int64_t last_step)
{
    if (r->quiet)
        return;
    char line[256];
    int n = snprintf(line, sizeof line,
                     "step %5" PRId64 "/%" PRId64 " | loss %.4f | lr %.2e | norm %.4f | %8.1f ms"
                     " | %9.0f tok/s | %8.2f GFLOP/s",
                     s->step, last_step, s->loss, s->lr, s->grad_norm, s->rate.ms,
                     s->rate.tokens_per_s, s->rate.flops_per_s * 1e-9);
    if (s->has_mfu && n > 0 && (size_t)n < sizeof line)
        snprintf(line + n, sizeof line - (size_t)n, " | MFU %5.1f%%", 100.0 * s->rate.mfu);
    fprintf(r->json ? stderr : stdout, "%s\n", line);
    fflush(r->json ? stderr : stdout);
    if (!r->json)
        return;
    json_t *rec = json_pack("{s:I,s:f,s:f,s:f,s:f,s:f,s:f}", "step", (json_int_t)s->step, "loss",
                            s->loss, "lr", s->lr, "grad_norm", s->grad_norm, "ms", s->rate.ms,
                            "tokens_per_s", s->rate.tokens_per_s, "flops_per_s",
                            s->rate.flops_per_s);
    if (s->has_mfu)
        json_object_set_new(rec, "mfu", json_real(s->rate.mfu));
    json_array_append_new(r->steps, rec);
}

void train_report_eval(train_report *r, int64_t step, double loss)
{
    if (r->quiet)
        return;
    fprintf(r->json ? stderr : stdout, "eval %5" PRId64 " | held-out loss %.4f\n", step, loss);
    if (r->json)
        json_array_append_new(r->evals, json_pack("{s:I,s:f}", "step", (json_int_t)step,
                                                  "loss", loss));
}

double train_seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

/* --------------------------------------------------------------- CPU loop */

typedef struct {
    const train_opts *o;
    const train_corpus *corpus;
    cov_model *model;
    cov_adamw *opt;
    int32_t *tokens, *targets;
    int64_t *samples, *scratch;
    uint64_t pool_n; /* samples training draws from */
} cpu_run;

/* Mean loss over the held-out samples, micro-batch by micro-batch,
 * weighted by counted targets. */
static cov_status cpu_eval(cpu_run *r, double *loss, cov_err *err)
{
    const train_corpus *c = r->corpus;
    uint64_t first = r->pool_n, n = c->samples - r->pool_n;
    double sum = 0.0, count = 0.0;
    int64_t *idx = r->samples; /* room for batch × grad_accum */
    for (uint64_t at = 0; at < n; at += (uint64_t)r->o->batch) {
        size_t b = (size_t)(n - at < (uint64_t)r->o->batch ? n - at : (uint64_t)r->o->batch);
        for (size_t i = 0; i < b; i++)
            idx[i] = (int64_t)(first + at + i);
        float l = 0.0f;
        cov_status st = train_corpus_batch(r->tokens, r->targets, c, idx, b, err);
        if (st == COV_OK)
            st = cov_model_forward(r->model, r->tokens, r->targets, (int)b, (int)c->seq_len, &l,
                                   err);
        if (st != COV_OK)
            return st;
        double counted = (double)cov_model_target_count(r->model);
        sum += (double)l * counted;
        count += counted;
    }
    *loss = count > 0.0 ? sum / count : 0.0;
    return COV_OK;
}

/* One optimizer step: grad_accum micro-batches, the mean of their
 * gradients, clip to 1.0, AdamW. */
static cov_status cpu_step(cpu_run *r, int64_t step, float lr, double *loss, float *norm,
                           cov_err *err)
{
    const train_opts *o = r->o;
    size_t per_step = (size_t)o->batch * (size_t)o->grad_accum;
    cov_status st = train_step_samples(r->samples, r->scratch, r->pool_n, (uint64_t)step,
                                       per_step, 0, 1, err);
    if (st != COV_OK)
        return st;
    cov_model_zero_grad(r->model);
    double sum = 0.0;
    for (int a = 0; a < o->grad_accum && st == COV_OK; a++) {
        float l = 0.0f;
        st = train_corpus_batch(r->tokens, r->targets, r->corpus,
                                r->samples + (size_t)a * (size_t)o->batch, (size_t)o->batch, err);
        if (st == COV_OK)
            st = cov_model_forward(r->model, r->tokens, r->targets, o->batch,
                                   (int)r->corpus->seq_len, &l, err);
        if (st == COV_OK && !isfinite(l))
            st = cov_fail(err, COV_ERR_ARG, "step %" PRId64 ": the loss is not finite; lower "
                          "--lr", step);
        if (st == COV_OK)
            st = cov_model_backward(r->model, err);
        sum += l;
    }
    if (st != COV_OK)
        return st;
    size_t n = cov_model_numel(r->model);
    float *grads = cov_model_grad_data(r->model);
    if (o->grad_accum > 1) {
        float inv = 1.0f / (float)o->grad_accum;
        for (size_t i = 0; i < n; i++)
            grads[i] *= inv;
    }
    *norm = cov_grad_clip_norm(grads, n, 1.0f);
    if (!isfinite(*norm))
        return cov_fail(err, COV_ERR_ARG,
                        "step %" PRId64 ": the gradient norm is not finite; lower --lr", step);
    *loss = sum / o->grad_accum;
    return cov_adamw_step(r->opt, cov_model_param_data(r->model), grads, n, lr, err);
}

static void cpu_run_free(cpu_run *r)
{
    cov_model_free(r->model);
    cov_adamw_free(r->opt);
    free(r->tokens);
    free(r->targets);
    free(r->samples);
    free(r->scratch);
}

static cov_status cpu_run_new(cpu_run *r, const train_opts *o, const cov_model_config *cfg,
                              const train_corpus *c, cov_err *err)
{
    memset(r, 0, sizeof *r);
    r->o = o;
    r->corpus = c;
    r->pool_n = c->samples - (o->eval_every ? train_eval_count(c->samples) : 0);
    size_t per_step = (size_t)o->batch * (size_t)o->grad_accum;
    size_t toks = (size_t)o->batch * c->seq_len;
    cov_adamw_config ac = cov_adamw_templar_defaults();
    cov_status st = cov_model_new(&r->model, cfg, o->batch, (int)c->seq_len, err);
    if (st == COV_OK)
        st = cov_adamw_new(&r->opt, cov_model_numel(r->model), &ac, err);
    if (st != COV_OK)
        return st;
    r->tokens = malloc(toks * sizeof *r->tokens);
    r->targets = malloc(toks * sizeof *r->targets);
    r->samples = malloc(per_step * sizeof *r->samples);
    r->scratch = malloc(per_step * sizeof *r->scratch);
    if (!r->tokens || !r->targets || !r->samples || !r->scratch)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory for a batch of %d", o->batch);
    return COV_OK;
}

/* The initial weights: the seed's, or the checkpoint's. */
cov_status train_load_weights(cov_model *m, const train_opts *o, cov_err *err)
{
    if (!o->resume) {
        cov_model_init_weights(m, o->seed);
        return COV_OK;
    }
    cov_model_config got;
    size_t n = cov_model_tensor_count(m);
    cov_tensor_view *views = malloc(n * sizeof *views);
    if (!views)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    memcpy(views, cov_model_params(m), n * sizeof *views);
    cov_status st = cov_checkpoint_load(o->resume, &got, views, n, err);
    free(views);
    return st;
}

static json_t *summary(const train_opts *o, const cov_model_config *cfg, uint64_t params,
                       int64_t start, double last_loss, uint64_t tokens, double secs)
{
    return json_pack("{s:s,s:I,s:s,s:i,s:I,s:I,s:f,s:I,s:I,s:f,s:s?,s:s?}", "model", cfg->name,
                     "parameters", (json_int_t)params, "device", o->cuda ? "cuda" : "cpu",
                     "world", o->world, "first_step", (json_int_t)(start + 1), "last_step",
                     (json_int_t)o->steps, "final_loss", last_loss, "seed", (json_int_t)o->seed,
                     "tokens", (json_int_t)tokens, "seconds", secs, "saved", o->save, "resumed_from",
                     o->resume);
}

int train_finish(const train_opts *o, const cov_model_config *cfg, uint64_t params, int64_t start,
                 double last_loss, uint64_t tokens, double secs, train_report *rep)
{
    if (rep->quiet)
        return CLI_EXIT_OK;
    if (o->json) {
        json_t *s = summary(o, cfg, params, start, last_loss, tokens, secs);
        json_object_set_new(s, "steps", rep->steps);
        json_object_set_new(s, "evals", rep->evals);
        rep->steps = rep->evals = NULL;
        cli_emit(true, s, NULL);
    } else {
        printf("trained \"%s\" (%" PRIu64 " parameters) to step %" PRId64 ": loss %.4f, %" PRIu64
               " tokens in total, %.1f s%s%s\n",
               cfg->name, params, o->steps, last_loss, tokens, secs, o->save ? ", saved to " : "",
               o->save ? o->save : "");
    }
    return CLI_EXIT_OK;
}

cov_status train_loop(const train_opts *o, const cov_model_config *cfg, int64_t start,
                      const train_loop_spec *spec, train_report *rep, uint64_t *tokens,
                      double *last_loss, cov_err *err)
{
    cov_lr_schedule sched = train_schedule(o);
    cov_status st = COV_OK;
    for (int64_t s = start; s < o->steps && st == COV_OK; s++) {
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        float lr = cov_lr_at(&sched, s), norm = 0.0f;
        double loss = 0.0;
        st = spec->step(spec->ctx, s, lr, &loss, &norm, err);
        if (st != COV_OK)
            break;
        *tokens += spec->step_tokens;
        *last_loss = loss;
        train_step_record rec = {.step = s + 1, .loss = loss, .lr = lr, .grad_norm = norm,
                                 .rate = cov_step_rate_of(cfg, (int)spec->seq_len,
                                                          spec->step_tokens,
                                                          train_seconds_since(&t0), spec->peak),
                                 .has_mfu = spec->peak > 0.0};
        train_report_step(rep, &rec, o->steps);
        if (spec->eval && o->eval_every && ((s + 1) % o->eval_every == 0 || s + 1 == o->steps)) {
            double el = 0.0;
            st = spec->eval(spec->ctx, &el, err);
            if (st == COV_OK)
                train_report_eval(rep, s + 1, el);
        }
    }
    return st;
}

static cov_status cpu_step_cb(void *ctx, int64_t step, float lr, double *loss, float *norm,
                              cov_err *err)
{
    return cpu_step(ctx, step, lr, loss, norm, err);
}

static cov_status cpu_eval_cb(void *ctx, double *loss, cov_err *err)
{
    return cpu_eval(ctx, loss, err);
}

static int train_cpu(const train_opts *o, const cov_model_config *cfg, const train_corpus *c,
                     int64_t start, uint64_t tokens)
{
    cov_err err = {0};
    cpu_run r;
    cov_status st = cpu_run_new(&r, o, cfg, c, &err);
    if (st == COV_OK)
        st = train_load_weights(r.model, o, &err);
    if (st != COV_OK) {
        cpu_run_free(&r);
        return cli_report(o->json, &err);
    }
    uint64_t params = cov_model_config_param_count(cfg);
    uint64_t step_tokens = (uint64_t)o->batch * (uint64_t)o->grad_accum * c->seq_len;
    train_report rep = {.json = o->json, .steps = json_array(), .evals = json_array()};
    cov_log(COV_LOG_INFO, "train: \"%s\", %" PRIu64 " parameters, on the CPU; %" PRIu64
            " samples of %u tokens (%" PRIu64 " held out), %" PRIu64 " tokens per step",
            cfg->name, params, c->samples, c->seq_len, c->samples - r.pool_n, step_tokens);
    struct timespec t_run;
    clock_gettime(CLOCK_MONOTONIC, &t_run);
    double last_loss = NAN;
    train_loop_spec spec = {.step = cpu_step_cb, .eval = cpu_eval_cb, .ctx = &r,
                            .seq_len = c->seq_len, .step_tokens = step_tokens, .peak = 0.0};
    st = train_loop(o, cfg, start, &spec, &rep, &tokens, &last_loss, &err);
    if (st == COV_OK && o->save)
        st = train_save(o->save, cfg, cov_model_params(r.model), cov_model_tensor_count(r.model),
                        o->steps, o->seed, tokens, &err);
    int rc = st == COV_OK ? train_finish(o, cfg, params, start, last_loss, tokens,
                                         train_seconds_since(&t_run), &rep)
                          : cli_report(o->json, &err);
    json_decref(rep.steps);
    json_decref(rep.evals);
    cpu_run_free(&r);
    return rc;
}

/* ------------------------------------------------------------------ main */

static bool same_shapes(const cov_model_config *a, const cov_model_config *b)
{
    return a->vocab_size == b->vocab_size && a->dim == b->dim && a->n_layers == b->n_layers &&
           a->n_heads == b->n_heads && a->n_kv_heads == b->n_kv_heads &&
           a->ffn_dim == b->ffn_dim && a->tie_embeddings == b->tie_embeddings;
}

/* The model's shapes: the preset, or the checkpoint's (which must then be
 * the preset's when both are given). */
static int resolve_config(cov_model_config *cfg, const train_opts *o)
{
    cov_err err = {0};
    if (o->resume) {
        if (cov_checkpoint_read_config(o->resume, cfg, &err) != COV_OK)
            return cli_report(o->json, &err);
        cov_model_config want;
        if (o->model) {
            if (cov_model_config_preset(&want, o->model, &err) != COV_OK)
                return cli_usage_error(o->json, "train: bad argument: %s", err.msg);
            if (!same_shapes(&want, cfg))
                return cli_usage_error(o->json, "train: bad argument: the checkpoint in %s is "
                                                "not a \"%s\" model; drop --model to use its "
                                                "shapes",
                                       o->resume, o->model);
        }
        snprintf(cfg->name, sizeof cfg->name, "%s", o->model ? o->model : "checkpoint");
        return CLI_EXIT_OK;
    }
    if (cov_model_config_preset(cfg, o->model, &err) != COV_OK)
        return cli_usage_error(o->json, "train: bad argument: %s", err.msg);
    return CLI_EXIT_OK;
}

static int check_fit(const train_opts *o, const cov_model_config *cfg, const train_corpus *c,
                     int64_t start)
{
    if ((int)c->seq_len > cfg->max_seq_len)
        return cli_usage_error(o->json, "train: bad argument: the data's samples are %u tokens, "
                                        "the model takes at most %d (covenant data synth "
                                        "--seq-len %d)",
                               c->seq_len, cfg->max_seq_len, cfg->max_seq_len);
    if (c->vocab_size > (uint32_t)cfg->vocab_size)
        return cli_usage_error(o->json, "train: bad argument: the data's vocabulary (%u) is "
                                        "larger than the model's (%d); pick another --model",
                               c->vocab_size, cfg->vocab_size);
    uint64_t held = o->eval_every ? train_eval_count(c->samples) : 0;
    uint64_t need = (uint64_t)o->batch * (uint64_t)o->grad_accum * (uint64_t)o->world;
    if (c->samples <= held || c->samples - held < need)
        return cli_usage_error(o->json, "train: bad argument: a step needs %" PRIu64 " samples "
                                        "(batch x grad-accum x world), the data has %" PRIu64
                                        "%s",
                               need, c->samples - (c->samples > held ? held : 0),
                               held ? " besides the held-out ones" : "");
    if (start >= o->steps)
        return cli_usage_error(o->json, "train: bad argument: the checkpoint is at step %" PRId64
                                        ", --steps %" PRId64 " leaves nothing to do",
                               start, o->steps);
    return CLI_EXIT_OK;
}

int cli_train_main(int argc, char **argv, bool json)
{
    raw_args a;
    cov_err err = {0};
    if (parse_raw(&a, argc, argv, &json, &err) != CLI_EXIT_OK)
        return cli_report(json, &err);
    if (a.help) {
        print_help(stdout);
        return CLI_EXIT_OK;
    }
    train_opts o;
    int rc = check_opts(&o, &a, json);
    if (rc != CLI_EXIT_OK)
        return rc;
#ifndef COVENANT_HAVE_CUDA
    if (o.cuda) {
        cov_fail(&err, COV_ERR_UNSUPPORTED,
                 "train: --device cuda, but this covenant was built without CUDA; rebuild "
                 "where nvcc is found (cmake -DCOVENANT_CUDA=ON), or use --device cpu");
        return cli_report(json, &err);
    }
#endif
    int64_t start = 0;
    uint64_t tokens = 0, seed = 0;
    if (o.resume) {
        if (train_resume_meta(o.resume, &start, &seed, &tokens, &err) != COV_OK)
            return cli_report(json, &err);
        if (o.seed_given && seed != o.seed)
            cov_log(COV_LOG_WARN, "train: --seed %" PRIu64 " ignored: the checkpoint was "
                    "trained from seed %" PRIu64, o.seed, seed);
        o.seed = seed;
    }
    cov_model_config cfg;
    if ((rc = resolve_config(&cfg, &o)) != CLI_EXIT_OK)
        return rc;
    train_corpus corpus;
    if (train_corpus_open(&corpus, o.data, &err) != COV_OK)
        return cli_report(json, &err);
    rc = check_fit(&o, &cfg, &corpus, start);
    if (rc == CLI_EXIT_OK) {
#ifdef COVENANT_HAVE_CUDA
        if (o.cuda)
            rc = train_run_cuda(&o, &cfg, &corpus, start, tokens);
        else
#endif
            rc = train_cpu(&o, &cfg, &corpus, start, tokens);
    }
    train_corpus_close(&corpus);
    return rc;
}
