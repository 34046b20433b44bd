/* covenant demo: a local training round (node/round.h) — four miners, one
 * of them lazy, a validator that scores them, and what a Yuma epoch pays
 * each. Progress on stderr, the table (or --json) on stdout. */
#include "cli/cli.h"
#include "node/node.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    bool show;
    struct timespec t0;
} demo_progress;

static double elapsed(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

static void on_progress(void *ctx, const cov_round_event *ev)
{
    demo_progress *p = ctx;
    if (!p->show)
        return;
    double pct = ev->total ? 100.0 * ev->done / ev->total : 0.0;
    switch (ev->kind) {
    case COV_ROUND_SETUP:
        fprintf(stderr, "[%5.1fs] wallets and synthetic corpus ready\n", elapsed(&p->t0));
        break;
    case COV_ROUND_TRAINED:
        if (ev->value == ev->value)
            fprintf(stderr, "[%5.1fs] %3.0f%% window %d  miner uid %u trained, loss %.3f\n",
                    elapsed(&p->t0), pct, ev->window, ev->uid, ev->value);
        else
            fprintf(stderr, "[%5.1fs] %3.0f%% window %d  miner uid %u uploaded noise\n",
                    elapsed(&p->t0), pct, ev->window, ev->uid);
        break;
    case COV_ROUND_EVALUATED:
        fprintf(stderr, "[%5.1fs] %3.0f%% window %d  validator scored uid %u: %+.5f\n",
                elapsed(&p->t0), pct, ev->window, ev->uid, ev->value);
        break;
    case COV_ROUND_OUTER_STEP:
        fprintf(stderr, "[%5.1fs] %3.0f%% window %d  outer step applied, held-out loss %.4f\n",
                elapsed(&p->t0), pct, ev->window, ev->value);
        break;
    case COV_ROUND_EPOCH:
        fprintf(stderr, "[%5.1fs] weights set, Yuma epoch run\n", elapsed(&p->t0));
        break;
    }
}

/* Removes the throwaway folder the round filled (ours: made by mkdtemp). */
static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char child[4096];
            int n = snprintf(child, sizeof child, "%s/%s", path, e->d_name);
            if (n < 0 || (size_t)n >= sizeof child)
                continue;
            struct stat st;
            if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
                remove_tree(child);
            else
                unlink(child);
        }
        closedir(d);
    }
    rmdir(path);
}

static json_t *result_json(const cov_round_result *r, const cov_round_config *c, double secs)
{
    json_t *miners = json_array(), *curve = json_array();
    for (size_t i = 0; i < r->n_miners; i++) {
        const cov_round_miner *m = &r->miners[i];
        json_array_append_new(
            miners,
            json_pack("{s:i,s:s,s:b,s:i,s:f,s:f,s:f,s:f,s:f,s:f,s:i,s:f,s:i,s:I,s:I}", "uid",
                      m->uid, "hotkey", m->hotkey, "lazy", m->lazy, "inner_steps", m->steps,
                      "loss_improvement",
                      m->loss_improvement, "own_loss_improvement", m->own_improvement,
                      "gradient_score", (double)m->gradient_score, "bma", (double)m->bma,
                      "score", (double)m->score, "weight", m->weight, "weight_u16",
                      m->weight_u16, "emission_share", m->emission_share, "incentive_u16",
                      m->incentive_u16, "emission_rao", (json_int_t)m->emission_rao,
                      "upload_bytes", (json_int_t)m->upload_bytes));
    }
    for (size_t i = 0; i < r->loss_points; i++)
        json_array_append_new(curve, json_real(r->loss_curve[i]));
    return json_pack("{s:o,s:{s:s,s:I},s:o,s:i,s:i,s:s,s:I,s:I,s:I,s:f}", "miners", miners,
                     "model", "preset", c->model_preset, "parameters", (json_int_t)r->parameters,
                     "held_out_loss", curve, "windows", r->windows, "inner_steps",
                     c->window.inner_steps, "validator_hotkey", r->validator_hotkey,
                     "validator_emission_rao", (json_int_t)r->validator_emission_rao,
                     "tokens_trained", (json_int_t)r->tokens_trained, "dense_update_bytes",
                     (json_int_t)r->dense_bytes, "seconds", secs);
}

static void print_table(const cov_round_result *r, const cov_round_config *c, double secs)
{
    printf("\ncovenant demo: %d windows of SparseLoCo on the \"%s\" model (%llu parameters), "
           "%llu tokens trained, %.0f s\n\n",
           r->windows, c->model_preset, (unsigned long long)r->parameters,
           (unsigned long long)r->tokens_trained, secs);
    printf("held-out loss by window: ");
    for (size_t i = 0; i < r->loss_points; i++)
        printf("%s%.3f", i ? " -> " : "", r->loss_curve[i]);
    printf("\n\n uid  hotkey            kind         loss improvement   score     weight  "
           "emission share\n");
    for (size_t i = 0; i < r->n_miners; i++) {
        const cov_round_miner *m = &r->miners[i];
        char kind[16];
        if (m->lazy)
            snprintf(kind, sizeof kind, "lazy");
        else
            snprintf(kind, sizeof kind, "%d steps", m->steps);
        printf(" %3u  %.8s…%.6s  %-11s  %+16.5f  %7.3f  %8.4f  %6.2f%%  ", m->uid, m->hotkey,
               m->hotkey + strlen(m->hotkey) - 6, kind, m->loss_improvement, (double)m->score,
               m->weight, 100.0 * m->emission_share);
        int bar = (int)(m->emission_share * 30.0 + 0.5);
        for (int b = 0; b < bar; b++)
            fputs("█", stdout);
        putchar('\n');
    }
    printf("\nloss improvement: the validator's random-data loss before minus after applying "
           "only that\nminer's update (nats, mean over windows). score: OpenSkill ordinal × "
           "BMA × sync.\nsteps: inner steps a miner fits into each window (a slower GPU "
           "fits fewer).\nEach upload: %llu bytes, against %llu for a dense fp32 update.\n",
           (unsigned long long)r->miners[0].upload_bytes, (unsigned long long)r->dense_bytes);
}

static bool parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

int cli_demo_main(int argc, char **argv, bool json)
{
    cov_round_config cfg;
    cov_round_config_defaults(&cfg);
    bool keep = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (strcmp(a, "--keep") == 0) {
            keep = true;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("usage: covenant demo [--windows N] [--inner-steps H] [--miners N] "
                   "[--seed S] [--save DIR] [--keep] [--json]\n"
                   "A local training round with no chain: N miners (the last one lazy, "
                   "uploading noise)\ntrain a small model with SparseLoCo on a synthetic "
                   "corpus; a validator scores their\nupdates (Gauntlet) and one Yuma epoch "
                   "pays them. Defaults: 4 windows, 8 inner steps,\n4 miners. --keep "
                   "leaves the wallets, shards and gradient files in place;\n--save DIR "
                   "writes the trained model as a Hugging Face checkpoint.\n"
                   "docs/training.md explains the output.\n");
            return CLI_EXIT_OK;
        } else if (strcmp(a, "--windows") == 0 && v && parse_int(v, 1, 62, &n)) {
            cfg.windows = (int)n;
            i++;
        } else if (strcmp(a, "--inner-steps") == 0 && v && parse_int(v, 1, 1000, &n)) {
            cov_round_config_set_inner_steps(&cfg, (int)n);
            i++;
        } else if (strcmp(a, "--miners") == 0 && v && parse_int(v, 2, COV_ROUND_MAX_MINERS, &n)) {
            cfg.miners = (int)n;
            cfg.lazy_uid = (int)n;
            i++;
        } else if (strcmp(a, "--save") == 0 && v) {
            cfg.save_dir = v;
            i++;
        } else if (strcmp(a, "--seed") == 0 && v && parse_int(v, 0, 2147483647L, &n)) {
            cfg.seed = (uint64_t)n;
            i++;
        } else {
            return cli_usage_error(json,
                                   "demo: bad argument '%s'%s (--windows 1..62, --inner-steps "
                                   "1..1000, --miners 2..%d, --seed N)",
                                   a, v ? "" : " or a missing value", COV_ROUND_MAX_MINERS);
        }
    }

    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/covenant-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    cov_err err = {0};
    if (!mkdtemp(dir)) {
        cov_fail(&err, COV_ERR_IO, "cannot make a temporary folder under %s; set TMPDIR",
                 tmp && *tmp ? tmp : "/tmp");
        return cli_report(json, &err);
    }
    demo_progress p = {.show = isatty(STDERR_FILENO) || !json};
    clock_gettime(CLOCK_MONOTONIC, &p.t0);
    if (p.show)
        fprintf(stderr, "covenant demo: %d miners (uid %d lazy), 1 validator, %d windows of %d "
                        "inner steps, in %s\n",
                cfg.miners, cfg.lazy_uid, cfg.windows, cfg.window.inner_steps, dir);
    cov_round_result *r = malloc(sizeof *r);
    cov_status st = r ? cov_round_run(r, &cfg, dir, on_progress, &p, &err)
                      : cov_fail(&err, COV_ERR_NOMEM, "out of memory");
    double secs = elapsed(&p.t0);
    if (!keep)
        remove_tree(dir);
    if (st != COV_OK) {
        free(r);
        return cli_report(json, &err);
    }
    if (json) {
        json_t *o = result_json(r, &cfg, secs);
        json_object_set_new(o, "kept", keep ? json_string(dir) : json_null());
        json_object_set_new(o, "saved", cfg.save_dir ? json_string(cfg.save_dir) : json_null());
        cli_emit(true, o, NULL);
    } else {
        print_table(r, &cfg, secs);
        if (cfg.save_dir)
            printf("Model saved to %s (model.safetensors + config.json, opens in "
                   "transformers).\n",
                   cfg.save_dir);
        printf("%s\n", keep ? dir : "Throwaway wallets, shards and gradients removed.");
    }
    free(r);
    return CLI_EXIT_OK;
}
