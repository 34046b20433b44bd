/* covenant train --device cuda: the same steps as the CPU loop on one GPU
 * (kernels/model_cuda.h, bf16 matmuls with fp32 master weights), or data
 * parallel over several (one process per GPU, NCCL ZeRO-1, kernels/dist.h).
 *
 *   one GPU:   cov_cuda_model_train_step (train/window.c's inner step)
 *   several:   forward/backward per micro-batch on the rank's own samples,
 *              the mean over micro-batches, then cov_zero1_step: gradients
 *              reduce-scattered, clipped by the global norm, AdamW on the
 *              rank's slice, parameters all-gathered; bf16 copies refreshed.
 *
 * What is overlapped: nothing yet in this loop. The reduce-scatter runs after
 * the whole backward, because the GPU model's backward has no per-layer
 * callback to announce finished buckets (cov_zero1_grads_ready is ready for
 * one); the all-gather is waited for before the next forward.
 *
 * NOT RUN ON A GPU YET: compiled against the CUDA 13 / NCCL 2.32 headers on a
 * machine without one. */
#include "cli/train_cmd.h"

#ifdef COVENANT_HAVE_CUDA

#include "kernels/kernels.h"
#include "train/rendezvous.h"
#ifdef COVENANT_HAVE_NCCL
#include "kernels/dist.h"
#endif

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef COVENANT_HAVE_CUBLASLT
int train_run_cuda(const train_opts *o, const cov_model_config *cfg, train_corpus *corpus,
                   int64_t start_step, uint64_t tokens_before)
{
    (void)cfg;
    (void)corpus;
    (void)start_step;
    (void)tokens_before;
    cov_err err = {0};
    cov_fail(&err, COV_ERR_UNSUPPORTED,
             "train: this covenant was built with CUDA but without cuBLASLt, which the GPU "
             "model needs; run scripts/setup-cuda-deps.sh and rebuild, or use --device cpu");
    return cli_report(o->json, &err);
}
#else

enum { RENDEZVOUS_TIMEOUT_MS = 300000 }; /* ranks may start minutes apart */

typedef struct {
    const train_opts *o;
    const cov_model_config *cfg;
    const train_corpus *corpus;
    cov_cuda_ctx *ctx;
    cov_cuda_model *gm;
    cov_model *host; /* weights in and out: init, checkpoints */
#ifdef COVENANT_HAVE_NCCL
    cov_dist *dist;
    cov_zero1 *zero1;
#endif
    int32_t *tokens, *targets; /* grad_accum × batch × seq_len */
    int64_t *samples, *scratch;
    uint64_t pool_n;
    double peak; /* all GPUs together, FLOP/s; 0 unknown */
} gpu_run;

static void gpu_run_free(gpu_run *r)
{
#ifdef COVENANT_HAVE_NCCL
    cov_zero1_free(r->zero1);
    cov_dist_free(r->dist);
#endif
    cov_cuda_model_free(r->gm);
    cov_model_free(r->host);
    cov_cuda_ctx_free(r->ctx);
    free(r->tokens);
    free(r->targets);
    free(r->samples);
    free(r->scratch);
}

/* Rank 0 makes NCCL's id and hands it out; the others fetch it. */
static cov_status join_ranks(gpu_run *r, cov_err *err)
{
    const train_opts *o = r->o;
    if (o->world == 1)
        return COV_OK;
#ifndef COVENANT_HAVE_NCCL
    return cov_fail(err, COV_ERR_UNSUPPORTED,
                    "train: --world %d needs NCCL, and this covenant was built without it; run "
                    "scripts/setup-cuda-deps.sh and rebuild",
                    o->world);
#else
    char host[COV_RENDEZVOUS_HOST_MAX];
    uint16_t port = 0;
    uint8_t id[COV_DIST_ID_BYTES];
    cov_status st = cov_rendezvous_parse_addr(o->dist_addr, host, &port, 0, err);
    if (st == COV_OK && o->rank == 0) {
        cov_rendezvous_server *srv = NULL;
        st = cov_dist_unique_id(id, err);
        if (st == COV_OK)
            st = cov_rendezvous_listen(&srv, host, port, err);
        if (st == COV_OK)
            cov_log(COV_LOG_INFO, "train: rank 0 waiting for %d ranks at %s:%u", o->world - 1,
                    host, (unsigned)port);
        if (st == COV_OK)
            st = cov_rendezvous_serve(srv, o->world, id, sizeof id, RENDEZVOUS_TIMEOUT_MS, err);
        cov_rendezvous_server_free(srv);
    } else if (st == COV_OK) {
        st = cov_rendezvous_join(host, port, o->rank, o->world, id, sizeof id,
                                 RENDEZVOUS_TIMEOUT_MS, err);
    }
    if (st == COV_OK)
        st = cov_dist_new(&r->dist, r->ctx, id, o->rank, o->world, err);
    /* Every rank starts from rank 0's weights, whatever each loaded. */
    if (st == COV_OK)
        st = cov_dist_broadcast_f32(r->dist, cov_cuda_model_params(r->gm),
                                    cov_cuda_model_numel(r->gm), 0, err);
    if (st == COV_OK)
        st = cov_cuda_model_refresh_bf16(r->gm, err);
    if (st == COV_OK)
        st = cov_zero1_new(&r->zero1, r->dist, cov_cuda_model_numel(r->gm),
                           cov_cuda_model_adamw_config(r->gm), 0, err);
    return st;
#endif
}

static cov_status gpu_run_new(gpu_run *r, const train_opts *o, const cov_model_config *cfg,
                              const train_corpus *c, cov_err *err)
{
    memset(r, 0, sizeof *r);
    r->o = o;
    r->cfg = cfg;
    r->corpus = c;
    r->pool_n = c->samples - (o->eval_every ? train_eval_count(c->samples) : 0);
    int gpus = 0;
    cov_status st = cov_cuda_device_count(&gpus, err);
    if (st != COV_OK)
        return st;
    if (gpus == 0)
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "train: --device cuda, but no GPU is visible (driver, "
                        "CUDA_VISIBLE_DEVICES?); use --device cpu");
    /* The launcher's local rank picks the GPU; ranks given by --rank alone
     * (several nodes, no launcher) wrap around this node's GPUs. */
    int device = o->local_rank % gpus;
    size_t per_step = (size_t)o->batch * (size_t)o->grad_accum;
    size_t toks = per_step * c->seq_len;
    r->tokens = malloc(toks * sizeof *r->tokens);
    r->targets = malloc(toks * sizeof *r->targets);
    r->samples = malloc(per_step * sizeof *r->samples);
    r->scratch = malloc(per_step * (size_t)o->world * sizeof *r->scratch);
    if (!r->tokens || !r->targets || !r->samples || !r->scratch)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory for the batches");
    st = cov_cuda_ctx_new(&r->ctx, device, err);
    if (st == COV_OK)
        st = cov_model_new(&r->host, cfg, 1, 1, err);
    if (st == COV_OK)
        st = train_load_weights(r->host, o, err);
    if (st == COV_OK)
        st = cov_cuda_model_new(&r->gm, r->ctx, cfg, o->batch, (int)c->seq_len, COV_CUDA_BF16,
                                err);
    if (st == COV_OK)
        st = cov_cuda_model_upload(r->gm, r->host, err);
    if (st == COV_OK)
        st = join_ranks(r, err);
    if (st == COV_OK)
        r->peak = cov_cuda_peak_bf16_flops(cov_cuda_ctx_device_name(r->ctx)) * o->world;
    return st;
}

/* Held-out loss (rank 0's GPU): forward only, weighted by counted targets. */
static cov_status gpu_eval(gpu_run *r, double *loss, cov_err *err)
{
    const train_corpus *c = r->corpus;
    uint64_t n = c->samples - r->pool_n, b_max = (uint64_t)r->o->batch;
    double sum = 0.0, count = 0.0;
    for (uint64_t at = 0; at < n; at += b_max) {
        size_t b = (size_t)(n - at < b_max ? n - at : b_max);
        for (size_t i = 0; i < b; i++)
            r->samples[i] = (int64_t)(r->pool_n + at + i);
        float l = 0.0f;
        cov_status st = train_corpus_batch(r->tokens, r->targets, c, r->samples, b, err);
        if (st == COV_OK)
            st = cov_cuda_model_forward(r->gm, r->tokens, r->targets, (int)b, (int)c->seq_len,
                                        &l, err);
        if (st != COV_OK)
            return st;
        double counted = (double)cov_cuda_model_target_count(r->gm);
        sum += (double)l * counted;
        count += counted;
    }
    *loss = count > 0.0 ? sum / count : 0.0;
    return COV_OK;
}

#ifdef COVENANT_HAVE_NCCL
/* Data parallel: own micro-batches, then ZeRO-1. *loss is the mean over all
 * ranks' micro-batches. */
static cov_status dist_step(gpu_run *r, int64_t step, float lr, double *loss, float *norm,
                            cov_err *err)
{
    const train_opts *o = r->o;
    int T = (int)r->corpus->seq_len;
    size_t micro = (size_t)o->batch * (size_t)T;
    cov_status st = cov_cuda_model_zero_grad(r->gm, err);
    double sum = 0.0;
    for (int a = 0; a < o->grad_accum && st == COV_OK; a++) {
        float l = 0.0f;
        st = cov_cuda_model_forward(r->gm, r->tokens + (size_t)a * micro,
                                    r->targets + (size_t)a * micro, o->batch, T, &l, err);
        if (st == COV_OK && !isfinite(l))
            st = cov_fail(err, COV_ERR_ARG,
                          "step %" PRId64 ": the loss is not finite on rank %d; lower --lr",
                          step, o->rank);
        if (st == COV_OK)
            st = cov_cuda_model_backward(r->gm, err);
        sum += l;
    }
    float *grads = cov_cuda_model_grads(r->gm);
    size_t n = cov_cuda_model_numel(r->gm);
    if (st == COV_OK && o->grad_accum > 1)
        st = cov_cuda_scale(r->ctx, grads, n, 1.0f / (float)o->grad_accum, err);
    if (st == COV_OK)
        st = cov_zero1_step(r->zero1, cov_cuda_model_params(r->gm), grads, lr, 1.0f, norm, err);
    if (st == COV_OK)
        st = cov_cuda_model_refresh_bf16(r->gm, err);
    double mean = sum / o->grad_accum;
    if (st == COV_OK)
        st = cov_dist_sum_host_f64(r->dist, &mean, 1, err);
    *loss = mean / o->world;
    return st;
}
#endif

static cov_status gpu_step(gpu_run *r, int64_t step, float lr, double *loss, float *norm,
                           cov_err *err)
{
    const train_opts *o = r->o;
    size_t per_step = (size_t)o->batch * (size_t)o->grad_accum;
    cov_status st = train_step_samples(r->samples, r->scratch, r->pool_n, (uint64_t)step,
                                       per_step, o->rank, o->world, err);
    if (st == COV_OK)
        st = train_corpus_batch(r->tokens, r->targets, r->corpus, r->samples, per_step, err);
    if (st != COV_OK)
        return st;
#ifdef COVENANT_HAVE_NCCL
    if (r->dist)
        return dist_step(r, step, lr, loss, norm, err);
#endif
    float l = 0.0f;
    st = cov_cuda_model_train_step(r->gm, r->tokens, r->targets, o->batch,
                                   (int)r->corpus->seq_len, o->grad_accum, lr, 1.0f, &l, norm,
                                   err);
    *loss = l;
    return st;
}

static cov_status gpu_save(gpu_run *r, uint64_t tokens, cov_err *err)
{
    cov_status st = cov_cuda_model_download(r->gm, r->host, err);
    if (st != COV_OK)
        return st;
    return train_save(r->o->save, r->cfg, cov_model_params(r->host),
                      cov_model_tensor_count(r->host), r->o->steps, r->o->seed, tokens, err);
}

static cov_status gpu_step_cb(void *ctx, int64_t step, float lr, double *loss, float *norm,
                              cov_err *err)
{
    return gpu_step(ctx, step, lr, loss, norm, err);
}

static cov_status gpu_eval_cb(void *ctx, double *loss, cov_err *err)
{
    return gpu_eval(ctx, loss, err);
}

int train_run_cuda(const train_opts *o, const cov_model_config *cfg, train_corpus *corpus,
                   int64_t start, uint64_t tokens)
{
    cov_err err = {0};
    gpu_run r;
    cov_status st = gpu_run_new(&r, o, cfg, corpus, &err);
    if (st != COV_OK) {
        gpu_run_free(&r);
        if (o->world > 1)
            cov_err_context(&err, "rank %d", o->rank);
        return cli_report(o->json, &err);
    }
    uint64_t params = cov_model_config_param_count(cfg);
    uint64_t step_tokens =
        (uint64_t)o->batch * (uint64_t)o->grad_accum * corpus->seq_len * (uint64_t)o->world;
    train_report rep = {.json = o->json, .quiet = o->rank != 0, .steps = json_array(),
                        .evals = json_array()};
    cov_log(o->rank == 0 ? COV_LOG_INFO : COV_LOG_DEBUG,
            "train: \"%s\", %" PRIu64 " parameters, on %d GPU(s) (%s), bf16 matmuls; %" PRIu64
            " tokens per step",
            cfg->name, params, o->world, cov_cuda_ctx_device_name(r.ctx), step_tokens);
    struct timespec t_run;
    clock_gettime(CLOCK_MONOTONIC, &t_run);
    double last_loss = NAN;
    /* Only rank 0 scores the held-out samples. */
    train_loop_spec spec = {.step = gpu_step_cb, .eval = o->rank == 0 ? gpu_eval_cb : NULL,
                            .ctx = &r, .seq_len = corpus->seq_len, .step_tokens = step_tokens,
                            .peak = r.peak};
    st = train_loop(o, cfg, start, &spec, &rep, &tokens, &last_loss, &err);
    if (st == COV_OK && o->save)
        st = gpu_save(&r, tokens, &err);
    if (st != COV_OK && o->world > 1)
        cov_err_context(&err, "rank %d", o->rank);
    int rc = st == COV_OK ? train_finish(o, cfg, params, start, last_loss, tokens,
                                         train_seconds_since(&t_run), &rep)
                          : cli_report(o->json, &err);
    json_decref(rep.steps);
    json_decref(rep.evals);
    gpu_run_free(&r);
    return rc;
}

#endif /* COVENANT_HAVE_CUBLASLT */
#else
/* A CPU-only build: cmd_train.c refuses --device cuda itself. ISO C wants a
 * declaration in every translation unit. */
typedef int train_cuda_not_built;
#endif /* COVENANT_HAVE_CUDA */
