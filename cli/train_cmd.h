/* `covenant train` (cli/cmd_train.c), split in three: the command line and
 * the CPU loop (cmd_train.c), the token corpus and the sample order
 * (train_corpus.c), and the GPU loop (cmd_train_cuda.c, only with CUDA).
 * docs/training.md "Training a model: `covenant train`" is the user's
 * description. */
#ifndef COVENANT_CLI_TRAIN_CMD_H
#define COVENANT_CLI_TRAIN_CMD_H

#include "cli/cli.h"
#include "train/checkpoint.h"
#include "train/config.h"
#include "train/data.h"
#include "train/model.h"
#include "train/optim.h"
#include "train/steplog.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* ------------------------------------------------------------ options */

typedef struct {
    const char *model, *data, *save, *resume, *dist_addr;
    int64_t steps;      /* the last step to reach (a resumed run continues to it) */
    int batch;          /* sequences per micro-batch, per rank */
    int grad_accum;     /* micro-batches per step */
    float lr;           /* peak learning rate */
    int64_t warmup;     /* linear warmup steps */
    uint64_t seed;      /* weight init */
    bool seed_given;
    int64_t eval_every; /* 0: no held-out evaluation */
    bool cuda;          /* --device cuda */
    int rank, world, local_rank;
    bool json;
} train_opts;

/* ------------------------------------------------------------- corpus */

/* Every shard of --data (a folder's *.bin sorted by name, or one file),
 * with one sample numbering across them. */
typedef struct {
    cov_shard **shards;
    uint64_t *first; /* first global sample index of each shard */
    size_t n_shards;
    uint64_t samples;
    uint32_t seq_len, vocab_size;
} train_corpus;

cov_status train_corpus_open(train_corpus *c, const char *path, cov_err *err) COV_WARN_UNUSED;
void train_corpus_close(train_corpus *c);

/* tokens/targets [n, seq_len] for global sample indices idx[0..n)
 * (cov_data_batch's labels). */
cov_status train_corpus_batch(int32_t *tokens, int32_t *targets, const train_corpus *c,
                              const int64_t *idx, size_t n, cov_err *err) COV_WARN_UNUSED;

/* The samples step `step` trains on, this rank's share: Templar's pool for
 * uid 0 and window `step` — NumPy's default_rng(step).choice(pool_n,
 * per_step · world, replace=False) — then pool[rank::world]. out holds
 * per_step entries. */
cov_status train_step_samples(int64_t *out, int64_t *scratch, uint64_t pool_n, uint64_t step,
                              size_t per_step, int rank, int world, cov_err *err) COV_WARN_UNUSED;

/* The held-out samples --eval-every scores: the corpus' last
 * train_eval_count() samples, which training then never draws. */
uint64_t train_eval_count(uint64_t samples);

/* ----------------------------------------------------------- reporting */

/* One step's record, printed as a text line (stdout) or kept for --json
 * (with the text line on stderr as progress). */
typedef struct {
    int64_t step;
    double loss, lr, grad_norm;
    cov_step_rate rate;
    bool has_mfu;
} train_step_record;

typedef struct {
    bool json;
    bool quiet;            /* ranks other than 0 print nothing */
    json_t *steps, *evals; /* --json: arrays of records */
} train_report;

void train_report_step(train_report *r, const train_step_record *s, int64_t last_step);
void train_report_eval(train_report *r, int64_t step, double loss);

/* Prints the run's summary (text, or the --json object with rep's steps and
 * evals) on stdout. */
int train_finish(const train_opts *o, const cov_model_config *cfg, uint64_t params, int64_t start,
                 double last_loss, uint64_t tokens, double secs, train_report *rep);

/* The step loop both devices share: steps start..o->steps through
 * spec->step, one report line each, --eval-every through spec->eval (NULL:
 * never, as on ranks other than 0); adds each step's tokens to *tokens and
 * leaves the last loss in *last_loss. */
typedef struct {
    cov_status (*step)(void *ctx, int64_t step, float lr, double *loss, float *norm,
                       cov_err *err);
    cov_status (*eval)(void *ctx, double *loss, cov_err *err);
    void *ctx;
    uint32_t seq_len;
    uint64_t step_tokens; /* tokens one step trains on, all ranks together */
    double peak;          /* the device's peak FLOP/s for MFU; 0 = none */
} train_loop_spec;

cov_status train_loop(const train_opts *o, const cov_model_config *cfg, int64_t start,
                      const train_loop_spec *spec, train_report *rep, uint64_t *tokens,
                      double *last_loss, cov_err *err) COV_WARN_UNUSED;

/* A run's starting weights into m (a CPU model): the seed's, or --resume's. */
cov_status train_load_weights(cov_model *m, const train_opts *o, cov_err *err) COV_WARN_UNUSED;

/* Seconds since t0 (CLOCK_MONOTONIC). */
double train_seconds_since(const struct timespec *t0);

/* The checkpoint's metadata: {"step", "seed", "tokens", "data_order"}. */
cov_status train_save(const char *dir, const cov_model_config *cfg, const cov_tensor_view *views,
                      size_t n, int64_t step, uint64_t seed, uint64_t tokens,
                      cov_err *err) COV_WARN_UNUSED;

/* Reads step, seed and tokens back from a checkpoint train_save wrote. */
cov_status train_resume_meta(const char *dir, int64_t *step, uint64_t *seed, uint64_t *tokens,
                             cov_err *err) COV_WARN_UNUSED;

/* The learning-rate schedule of a run: linear warmup from 0.1·lr over
 * --warmup steps, then cosine to 0.1·lr at --steps (train/optim.h). */
cov_lr_schedule train_schedule(const train_opts *o);

#ifdef COVENANT_HAVE_CUDA
/* The GPU loop (cmd_train_cuda.c): the same steps on one or several GPUs. */
int train_run_cuda(const train_opts *o, const cov_model_config *cfg, train_corpus *corpus,
                   int64_t start_step, uint64_t tokens_before);
#endif

#endif
