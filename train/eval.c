#include "train/eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct cov_evaluator {
    cov_model *model; /* borrowed */
    cov_sparseloco *sl;
    int micro_batch;
    size_t numel;
    float *theta_saved;
    cov_sparseloco_tensor_result *results; /* one per tensor */
    int32_t *tokens, *targets;
};

void cov_evaluator_free(cov_evaluator *e)
{
    if (!e)
        return;
    cov_sparseloco_free(e->sl);
    free(e->theta_saved);
    free(e->results);
    free(e->tokens);
    free(e->targets);
    free(e);
}

cov_status cov_evaluator_new(cov_evaluator **out, cov_model *m, int micro_batch,
                             const cov_sparseloco_config *sc, cov_err *err)
{
    *out = NULL;
    if (!m || micro_batch <= 0)
        return cov_fail(err, COV_ERR_ARG, "evaluator: needs a model and micro_batch > 0");
    cov_evaluator *e = calloc(1, sizeof *e);
    if (!e)
        return cov_fail(err, COV_ERR_NOMEM, "evaluator: out of memory");
    e->model = m;
    e->micro_batch = micro_batch;
    e->numel = cov_model_numel(m);
    size_t batch = (size_t)micro_batch * (size_t)cov_model_config_of(m)->max_seq_len;
    e->theta_saved = malloc(e->numel * sizeof(float));
    e->tokens = malloc(batch * sizeof(int32_t));
    e->targets = malloc(batch * sizeof(int32_t));
    e->results = calloc(cov_model_tensor_count(m), sizeof *e->results);
    if (!e->theta_saved || !e->tokens || !e->targets || !e->results) {
        cov_evaluator_free(e);
        return cov_fail(err, COV_ERR_NOMEM, "evaluator: out of memory");
    }
    cov_status st = cov_sparseloco_new(&e->sl, sc, err);
    if (st != COV_OK) {
        cov_evaluator_free(e);
        return st;
    }
    *out = e;
    return COV_OK;
}

cov_status cov_eval_loss(cov_evaluator *e, const cov_shard *shard, const int64_t *samples,
                         size_t n, double *loss, cov_err *err)
{
    if ((int)shard->info.seq_len > cov_model_config_of(e->model)->max_seq_len)
        return cov_fail(err, COV_ERR_ARG, "eval: the shard's samples (%u tokens) are longer "
                        "than the model's context (%d)", shard->info.seq_len,
                        cov_model_config_of(e->model)->max_seq_len);
    double sum = 0.0;
    int64_t count = 0;
    for (size_t at = 0; at < n; at += (size_t)e->micro_batch) {
        size_t b = n - at < (size_t)e->micro_batch ? n - at : (size_t)e->micro_batch;
        float mean = 0.0f;
        cov_status st = cov_data_batch(e->tokens, e->targets, shard, samples + at, b, err);
        if (st == COV_OK)
            st = cov_model_forward(e->model, e->tokens, e->targets, (int)b,
                                   (int)shard->info.seq_len, &mean, err);
        if (st != COV_OK)
            return st;
        int64_t c = cov_model_target_count(e->model);
        sum += (double)mean * (double)c;
        count += c;
    }
    if (count == 0)
        return cov_fail(err, COV_ERR_ARG, "eval: the %zu samples have no targets to score", n);
    *loss = sum / (double)count;
    return COV_OK;
}

cov_status cov_eval_peer(cov_evaluator *e, const cov_shard *shard, const int64_t *own,
                         size_t n_own, const int64_t *rnd, size_t n_rand, double rand_before,
                         const cov_pgrad *peer, const float *median_norms,
                         double outer_lr, double eval_lr_factor, cov_eval_losses *out,
                         size_t *skipped, cov_err *err)
{
    memset(out, 0, sizeof *out);
    out->rand_before = rand_before;
    size_t skip = 0;
    cov_status st = cov_eval_loss(e, shard, own, n_own, &out->own_before, err);
    if (st != COV_OK)
        return st;
    float *params = cov_model_param_data(e->model);
    memcpy(e->theta_saved, params, e->numel * sizeof(float));
    cov_pgrad_step_result res = {.tensors = e->results};
    st = cov_pgrad_apply_one(e->sl, cov_model_params(e->model), cov_model_tensor_count(e->model),
                             peer, median_norms, outer_lr, eval_lr_factor, &res, err);
    skip = res.n_skipped;
    if (st == COV_OK)
        st = cov_eval_loss(e, shard, own, n_own, &out->own_after, err);
    if (st == COV_OK)
        st = cov_eval_loss(e, shard, rnd, n_rand, &out->rand_after, err);
    memcpy(params, e->theta_saved, e->numel * sizeof(float));
    if (skipped)
        *skipped = skip;
    return st;
}
