/* The local round's windows: miners train and upload, the validator reads,
 * evaluates and scores, everybody takes the outer step. */
#include "node/round_internal.h"
#include "incentive/scoring.h"
#include "train/checkpoint.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The demo's own choices (which samples a validator evaluates, the lazy
 * miner's noise) come from splitmix64: fixed, so a seed replays a round. */
static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double uniform01(uint64_t *s)
{
    return (double)(splitmix64(s) >> 11) * 0x1.0p-53;
}

typedef struct {
    const cov_round_config *cfg;
    cov_round_result *res;
    cov_round_progress progress;
    void *progress_ctx;
    int done, total;

    cov_model *model;
    cov_shard *shard;
    cov_trainer *trainers[COV_ROUND_MAX_MINERS + 1]; /* by uid; [0] unused */
    cov_evaluator *evaluator;
    cov_sparseloco *outer;
    cov_gauntlet gauntlet;
    cov_scoring_config scoring;
    char grad_dir[4096];
    size_t pool_size;
    int64_t *epochs;   /* a miner's pool repeated to fill its steps */
    size_t epochs_len;
    int64_t *pool;     /* one uid's pool for the current window */
    int64_t *eval_own; /* eval_samples drawn from it */
    int64_t *eval_rand;
    int64_t *held_out; /* a fixed set for the loss curve */
    uint64_t rng;
    double honest_delta_norm, honest_norm_sum; /* this window's honest ‖Δ‖ */
    int honest_count;
} round_state;

static void emit(round_state *s, cov_round_event_kind kind, int window, uint16_t uid,
                 double value)
{
    if (kind == COV_ROUND_TRAINED || kind == COV_ROUND_EVALUATED || kind == COV_ROUND_OUTER_STEP)
        s->done++;
    if (!s->progress)
        return;
    cov_round_event ev = {.kind = kind, .window = window, .uid = uid, .value = value,
                          .done = s->done, .total = s->total};
    s->progress(s->progress_ctx, &ev);
}

/* eval_samples picks, without repeats, from pool[0..n) (Templar draws a
 * validator's 8 from the miner's whole pool). */
static void pick(int64_t *out, size_t k, const int64_t *pool, size_t n, uint64_t *rng)
{
    for (size_t i = 0; i < k; i++) {
        size_t j;
        bool again;
        do {
            j = (size_t)(uniform01(rng) * (double)n);
            again = false;
            for (size_t q = 0; q < i; q++)
                again = again || out[q] == pool[j];
        } while (again && k <= n);
        out[i] = pool[j];
    }
}

static cov_status miner_window(round_state *s, int window, uint16_t uid, cov_err *err)
{
    cov_trainer *t = s->trainers[uid];
    cov_round_miner *m = &s->res->miners[uid - 1];
    cov_status st = cov_data_assign_pool(s->pool, uid, (uint64_t)window,
                                         (int64_t)s->shard->info.sample_count,
                                         (int64_t)s->pool_size, err);
    if (st != COV_OK)
        return st;
    cov_window_stats ws = {0};
    if (m->lazy) {
        /* Gaussian noise as large as this window's honest Δ (the miners run
         * honest first): it looks like work and carries nothing. */
        size_t numel = cov_model_numel(s->model);
        double norm = s->honest_delta_norm > 0.0 ? s->honest_delta_norm : 1.0;
        double sigma = norm / sqrt((double)numel);
        float *delta = cov_trainer_delta(t);
        for (size_t i = 0; i < numel; i++) {
            double u1 = uniform01(&s->rng), u2 = uniform01(&s->rng);
            delta[i] = (float)(sigma * sqrt(-2.0 * log(1.0 - u1)) * cos(6.283185307179586 * u2));
        }
    } else {
        for (size_t i = 0; i < s->epochs_len; i++)
            s->epochs[i] = s->pool[i % s->pool_size];
        st = cov_trainer_window(t, s->shard, s->epochs, s->epochs_len, &ws, err);
        if (st != COV_OK)
            return cov_err_context(err, "miner uid %u, window %d", uid, window);
        m->train_loss_first = ws.first_loss;
        m->train_loss_last = ws.last_loss;
        s->res->tokens_trained += ws.tokens;
        s->honest_norm_sum += ws.delta_norm;
        s->honest_count++;
        s->honest_delta_norm = s->honest_norm_sum / s->honest_count;
    }
    cov_pgrad *pg = NULL;
    st = cov_trainer_pgrad_new(&pg, t, (uint64_t)window, uid, err);
    if (st == COV_OK)
        st = cov_trainer_compress(t, pg, err);
    char path[4200];
    snprintf(path, sizeof path, "%s/gradient-%d-%u.cpg", s->grad_dir, window, uid);
    if (st == COV_OK)
        st = cov_pgrad_write_file(path, pg, false, err);
    if (st == COV_OK)
        m->upload_bytes = cov_pgrad_encoded_len(pg);
    cov_pgrad_free(pg);
    if (st == COV_OK)
        emit(s, COV_ROUND_TRAINED, window, uid, m->lazy ? NAN : ws.last_loss);
    return st;
}

/* The validator reads every miner's file back through the receiver's
 * checks, evaluates each against the median norms of the gather, rates the
 * window; then everybody applies the outer step over the gathered peers. */
static cov_status validator_window(round_state *s, int window, cov_err *err)
{
    const cov_round_config *c = s->cfg;
    size_t n_miners = (size_t)c->miners, n_tensors = cov_model_tensor_count(s->model);
    cov_pgrad *peers[COV_ROUND_MAX_MINERS] = {0};
    const cov_pgrad *gathered[COV_ROUND_MAX_MINERS];
    uint32_t gathered_uids[COV_ROUND_MAX_MINERS];
    size_t n_gathered = 0;
    float *median = calloc(n_tensors, sizeof(float));
    cov_status st = median ? COV_OK : cov_fail(err, COV_ERR_NOMEM, "round: out of memory");

    /* Who is gathered: everybody at first, then the uids the validator's
     * weights favour (Templar gathers its top peers by weight). */
    float weights[COV_ROUND_MAX_MINERS + 1] = {0};
    bool any_weight = false;
    if (st == COV_OK && window > 0) {
        st = cov_gauntlet_weights(&s->gauntlet, &s->scoring, weights, err);
        for (size_t u = 1; u <= n_miners; u++)
            any_weight = any_weight || weights[u] > 0.0f;
    }
    for (size_t i = 0; i < n_miners && st == COV_OK; i++) {
        uint16_t uid = (uint16_t)(i + 1);
        cov_pgrad_expect expect;
        char path[4200];
        snprintf(path, sizeof path, "%s/gradient-%d-%u.cpg", s->grad_dir, window, uid);
        cov_trainer_expect(&expect, s->trainers[uid], (uint64_t)window, uid);
        st = cov_pgrad_read_file(&peers[i], path, &expect, err);
        if (st == COV_OK && (!any_weight || weights[uid] > 0.0f)) {
            gathered[n_gathered] = peers[i];
            gathered_uids[n_gathered++] = uid;
        }
    }
    if (st == COV_OK)
        st = cov_pgrad_median_norms(median, gathered, n_gathered, err);

    /* Random data: the pool of a uid no miner has (Templar draws it from
     * 1000..10,000,000), measured once per window. */
    double rand_before = 0.0;
    if (st == COV_OK) {
        uint64_t rand_uid = 1000 + splitmix64(&s->rng) % (10000000 - 1000);
        st = cov_data_assign_pool(s->pool, rand_uid, (uint64_t)window,
                                  (int64_t)s->shard->info.sample_count, (int64_t)s->pool_size,
                                  err);
        pick(s->eval_rand, (size_t)c->eval_samples, s->pool, s->pool_size, &s->rng);
    }
    if (st == COV_OK)
        st = cov_eval_loss(s->evaluator, s->shard, s->eval_rand, (size_t)c->eval_samples,
                           &rand_before, err);
    for (size_t i = 0; i < n_miners && st == COV_OK; i++) {
        uint16_t uid = (uint16_t)(i + 1);
        cov_round_miner *m = &s->res->miners[i];
        st = cov_data_assign_pool(s->pool, uid, (uint64_t)window,
                                  (int64_t)s->shard->info.sample_count, (int64_t)s->pool_size,
                                  err);
        if (st != COV_OK)
            break;
        pick(s->eval_own, (size_t)c->eval_samples, s->pool, s->pool_size, &s->rng);
        cov_eval_losses l;
        size_t skipped = 0;
        st = cov_eval_peer(s->evaluator, s->shard, s->eval_own, (size_t)c->eval_samples,
                           s->eval_rand, (size_t)c->eval_samples, rand_before, peers[i], median,
                           c->outer_lr, c->eval_lr_factor, &l, &skipped, err);
        if (st != COV_OK)
            break;
        if (skipped) {
            st = cov_gauntlet_eval_invalid(&s->gauntlet, &s->scoring, uid, err);
        } else {
            cov_gauntlet_losses gl = {.own_before = l.own_before, .own_after = l.own_after,
                                      .rand_before = l.rand_before, .rand_after = l.rand_after};
            /* Every node applies the same steps here, so all are in sync. */
            st = cov_gauntlet_eval(&s->gauntlet, &s->scoring, uid, &gl, 1.0f, err);
        }
        m->loss_improvement += (l.rand_before - l.rand_after) / c->windows;
        m->own_improvement += (l.own_before - l.own_after) / c->windows;
        emit(s, COV_ROUND_EVALUATED, window, uid, s->gauntlet.peers[uid].gradient_score);
    }
    if (st == COV_OK)
        st = cov_gauntlet_gather(&s->gauntlet, &s->scoring, NULL, 0, gathered_uids, n_gathered,
                                 1.0, err);
    if (st == COV_OK) {
        cov_gauntlet_negative_penalties(&s->gauntlet, &s->scoring);
        st = cov_gauntlet_rate_window(&s->gauntlet, &s->scoring, (uint64_t)window, err);
    }
    cov_sparseloco_tensor_result *results = calloc(n_tensors, sizeof *results);
    if (st == COV_OK && !results)
        st = cov_fail(err, COV_ERR_NOMEM, "round: out of memory");
    if (st == COV_OK) {
        cov_pgrad_step_result step = {.tensors = results};
        st = cov_pgrad_outer_step(s->outer, cov_model_params(s->model), n_tensors, gathered,
                                  n_gathered, c->outer_lr, &step, err);
    }
    double after = 0.0;
    if (st == COV_OK)
        st = cov_eval_loss(s->evaluator, s->shard, s->held_out, (size_t)c->eval_samples * 2,
                           &after, err);
    if (st == COV_OK) {
        s->res->loss_curve[s->res->loss_points++] = after;
        emit(s, COV_ROUND_OUTER_STEP, window, 0, after);
    }
    free(results);
    free(median);
    for (size_t i = 0; i < n_miners; i++)
        cov_pgrad_free(peers[i]);
    return st;
}

static void state_free(round_state *s)
{
    for (int u = 0; u <= COV_ROUND_MAX_MINERS; u++)
        cov_trainer_free(s->trainers[u]);
    cov_evaluator_free(s->evaluator);
    cov_sparseloco_free(s->outer);
    cov_gauntlet_free(&s->gauntlet);
    cov_shard_close(s->shard);
    cov_model_free(s->model);
    free(s->pool);
    free(s->epochs);
    free(s->eval_own);
    free(s->eval_rand);
    free(s->held_out);
}

static cov_status setup(round_state *s, const char *workdir, cov_err *err)
{
    const cov_round_config *c = s->cfg;
    cov_round_result *r = s->res;
    char dir[4096], path[4200];
    cov_status st = round_mkdir(dir, sizeof dir, workdir, "wallets", err);
    if (st == COV_OK)
        st = round_make_wallet(r->validator_hotkey, dir, "validator", err);
    for (int u = 1; u <= c->miners && st == COV_OK; u++) {
        char name[32];
        snprintf(name, sizeof name, "miner%d", u);
        r->miners[u - 1].uid = (uint16_t)u;
        r->miners[u - 1].lazy = u == c->lazy_uid;
        st = round_make_wallet(r->miners[u - 1].hotkey, dir, name, err);
    }
    cov_model_config mc;
    if (st == COV_OK)
        st = cov_model_config_preset(&mc, c->model_preset, err);
    if (st == COV_OK)
        st = round_mkdir(dir, sizeof dir, workdir, "data", err);
    if (st == COV_OK)
        st = round_make_corpus(path, sizeof path, dir, (uint32_t)mc.max_seq_len,
                               c->corpus_samples, c->seed, err);
    if (st == COV_OK)
        st = cov_shard_open(&s->shard, path, err);
    if (st == COV_OK)
        st = round_mkdir(s->grad_dir, sizeof s->grad_dir, workdir, "gradients", err);
    int max_batch = c->window.micro_batch > c->eval_samples ? c->window.micro_batch
                                                             : c->eval_samples;
    if (st == COV_OK)
        st = cov_model_new(&s->model, &mc, max_batch, mc.max_seq_len, err);
    if (st != COV_OK)
        return st;
    cov_model_init_weights(s->model, c->seed);
    r->parameters = cov_model_numel(s->model);
    r->dense_bytes = r->parameters * sizeof(float);
    for (int u = 1; u <= c->miners && st == COV_OK; u++) {
        cov_window_config wc = c->window;
        if (c->miner_steps[u - 1] > 0)
            wc.inner_steps = c->miner_steps[u - 1];
        r->miners[u - 1].steps = wc.inner_steps;
        st = cov_trainer_new(&s->trainers[u], s->model, &wc, err);
    }
    if (st == COV_OK)
        st = cov_evaluator_new(&s->evaluator, s->model, c->eval_samples, &c->window.sparseloco,
                               err);
    if (st == COV_OK)
        st = cov_sparseloco_new(&s->outer, &c->window.sparseloco, err);
    if (st == COV_OK)
        st = cov_gauntlet_init(&s->gauntlet, (size_t)c->miners + 1, err);
    if (st != COV_OK)
        return st;
    /* The demo has no owner burn: uid 0 is the validator, and all of the
     * miners' share goes to the miners. */
    cov_scoring_config_defaults(&s->scoring);
    s->scoring.burn_uid = 0;
    s->scoring.burn_rate = 0.0;
    s->pool_size = (size_t)c->pool_samples;
    s->pool = malloc(s->pool_size * sizeof(int64_t));
    s->epochs_len = (size_t)c->window.inner_steps * cov_window_step_samples(&c->window);
    s->epochs = malloc(s->epochs_len * sizeof(int64_t));
    s->eval_own = malloc((size_t)c->eval_samples * sizeof(int64_t));
    s->eval_rand = malloc((size_t)c->eval_samples * sizeof(int64_t));
    s->held_out = malloc((size_t)c->eval_samples * 2 * sizeof(int64_t));
    if (!s->pool || !s->epochs || !s->eval_own || !s->eval_rand || !s->held_out)
        return cov_fail(err, COV_ERR_NOMEM, "round: out of memory");
    /* The loss curve's fixed held-out samples: a pool no node trains on. */
    return cov_data_assign_pool(s->held_out, 999999999, 0, (int64_t)s->shard->info.sample_count,
                                (int64_t)c->eval_samples * 2, err);
}

cov_status cov_round_run(cov_round_result *out, const cov_round_config *c, const char *workdir,
                         cov_round_progress progress, void *progress_ctx, cov_err *err)
{
    memset(out, 0, sizeof *out);
    cov_status st = cov_round_config_check(c, err);
    if (st != COV_OK)
        return st;
    round_state s;
    memset(&s, 0, sizeof s);
    s.cfg = c;
    s.res = out;
    s.progress = progress;
    s.progress_ctx = progress_ctx;
    s.rng = c->seed ^ 0xC0FFEE;
    s.total = c->windows * (2 * c->miners + 1);
    out->n_miners = (size_t)c->miners;
    out->windows = c->windows;
    st = setup(&s, workdir, err);
    if (st == COV_OK)
        emit(&s, COV_ROUND_SETUP, 0, 0, 0.0);
    double before = 0.0;
    if (st == COV_OK)
        st = cov_eval_loss(s.evaluator, s.shard, s.held_out, (size_t)c->eval_samples * 2,
                           &before, err);
    if (st == COV_OK)
        out->loss_curve[out->loss_points++] = before;
    for (int w = 0; w < c->windows && st == COV_OK; w++) {
        s.honest_delta_norm = s.honest_norm_sum = 0.0;
        s.honest_count = 0;
        for (int u = 1; u <= c->miners && st == COV_OK; u++)
            if (u != c->lazy_uid)
                st = miner_window(&s, w, (uint16_t)u, err);
        if (st == COV_OK && c->lazy_uid)
            st = miner_window(&s, w, (uint16_t)c->lazy_uid, err);
        if (st == COV_OK)
            st = validator_window(&s, w, err);
    }
    float weights[COV_ROUND_MAX_MINERS + 1] = {0};
    if (st == COV_OK)
        st = cov_gauntlet_weights(&s.gauntlet, &s.scoring, weights, err);
    for (int u = 1; u <= c->miners && st == COV_OK; u++) {
        const cov_gauntlet_peer *p = &s.gauntlet.peers[u];
        cov_round_miner *m = &out->miners[u - 1];
        m->gradient_score = p->gradient_score;
        m->bma = p->bma;
        m->ordinal = p->rated ? cov_rating_ordinal(p->rating) : 0.0;
        m->score = p->final_score;
    }
    if (st == COV_OK)
        st = round_pay_out(out, c, weights, err);
    if (st == COV_OK && c->save_dir) {
        char meta[128];
        snprintf(meta, sizeof meta, "{\"window\": %d, \"global_step\": %d, \"seed\": %llu}",
                 c->windows - 1, c->windows, (unsigned long long)c->seed);
        st = cov_checkpoint_save(c->save_dir, cov_model_config_of(s.model),
                                 cov_model_params(s.model), cov_model_tensor_count(s.model), meta,
                                 err);
    }
    if (st == COV_OK)
        emit(&s, COV_ROUND_EPOCH, c->windows, 0, 0.0);
    state_free(&s);
    return st;
}
