/* scoring_tool: covenant's incentive scoring for JSON requests, so
 * tests/interop/scoring.py can hold it against the `openskill` package.
 * One JSON request per line on stdin, one JSON answer per line on stdout:
 *
 *   {"op":"rate", "config":{...incentive config, optional...},
 *    "matches":[{"ratings":[[mu,sigma],...], "scores":[...]}        higher wins
 *              |{"ratings":[[mu,sigma],...], "ranks":[int,...]}]}  lower wins
 *     -> {"results":[[[mu,sigma],...] | {"error":"..."}, ...]}
 *   {"op":"config", "config":{...}}
 *     -> {"scoring":{...every field...}} | {"error":{...}}
 *   {"op":"weights", "config":{...}, "scores":[...], "eligible":[bool,...]}
 *     -> {"weights":[...]} | {"error":{...}}
 *
 * Reals are written with 17 significant digits, so they round-trip exactly.
 * The OpenSkill parameters come from the config's "scoring.openskill"
 * (Templar's defaults when absent). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool_main.h"

#include "incentive/incentive.h"

static json_t *error_obj(const cov_err *err)
{
    return cov_json_error(err);
}

static cov_status load_config(const json_t *req, cov_incentive_config *cfg, cov_err *err)
{
    const json_t *c = json_object_get(req, "config");
    if (!c) {
        cov_incentive_config_defaults(cfg);
        return COV_OK;
    }
    return cov_incentive_config_from_json(c, cfg, err);
}

/* Rates one match; returns the new ratings or {"error": message}. */
static json_t *rate_one(const json_t *m, const cov_openskill_params *p)
{
    cov_err err = { 0 };
    const json_t *rs = json_object_get(m, "ratings");
    const json_t *scores = json_object_get(m, "scores");
    const json_t *ranks = json_object_get(m, "ranks");
    size_t n = json_array_size(rs);
    cov_rating *r = calloc(n ? n : 1, sizeof *r);
    double *s = calloc(n ? n : 1, sizeof *s);
    int64_t *k = calloc(n ? n : 1, sizeof *k);
    json_t *out = NULL;
    cov_status st = COV_OK;
    if (!r || !s || !k) {
        st = cov_fail(&err, COV_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (!json_is_array(rs) || (!scores) == (!ranks) ||
        json_array_size(scores ? scores : ranks) != n) {
        st = cov_fail(&err, COV_ERR_ARG, "a match needs ratings and one of scores/ranks, same length");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *pair = json_array_get(rs, i);
        r[i].mu = json_number_value(json_array_get(pair, 0));
        r[i].sigma = json_number_value(json_array_get(pair, 1));
        if (scores)
            s[i] = json_number_value(json_array_get(scores, i));
        else
            k[i] = (int64_t)json_integer_value(json_array_get(ranks, i));
    }
    st = scores ? cov_openskill_rate_scores(r, n, s, p, &err)
                : cov_openskill_rate_ranks(r, n, k, p, &err);
done:
    if (st == COV_OK) {
        out = json_array();
        for (size_t i = 0; out && i < n; i++)
            json_array_append_new(out, json_pack("[ff]", r[i].mu, r[i].sigma));
    } else {
        out = json_pack("{ss}", "error", err.msg);
    }
    free(r);
    free(s);
    free(k);
    return out;
}

static json_t *op_rate(const json_t *req)
{
    cov_incentive_config cfg;
    cov_err err = { 0 };
    if (load_config(req, &cfg, &err) != COV_OK)
        return error_obj(&err);
    json_t *results = json_array();
    const json_t *matches = json_object_get(req, "matches");
    for (size_t i = 0; results && i < json_array_size(matches); i++)
        json_array_append_new(results, rate_one(json_array_get(matches, i),
                                                &cfg.scoring.openskill));
    return json_pack("{so}", "results", results);
}

static json_t *op_config(const json_t *req)
{
    cov_incentive_config cfg;
    cov_err err = { 0 };
    if (load_config(req, &cfg, &err) != COV_OK)
        return error_obj(&err);
    return json_pack("{so}", "scoring", cov_scoring_config_to_json(&cfg.scoring));
}

static json_t *op_weights(const json_t *req)
{
    cov_incentive_config cfg;
    cov_err err = { 0 };
    if (load_config(req, &cfg, &err) != COV_OK)
        return error_obj(&err);
    const json_t *scores = json_object_get(req, "scores");
    const json_t *eligible = json_object_get(req, "eligible");
    size_t n = json_array_size(scores);
    float *s = calloc(n ? n : 1, sizeof *s);
    float *w = calloc(n ? n : 1, sizeof *w);
    bool *e = calloc(n ? n : 1, sizeof *e);
    json_t *out = NULL;
    if (s && w && e) {
        for (size_t i = 0; i < n; i++) {
            s[i] = (float)json_number_value(json_array_get(scores, i));
            e[i] = !eligible || json_is_true(json_array_get(eligible, i));
        }
        if (cov_weight_policy(w, s, e, n, &cfg.scoring, &err) == COV_OK) {
            json_t *a = json_array();
            for (size_t i = 0; a && i < n; i++)
                json_array_append_new(a, json_real(w[i]));
            out = json_pack("{so}", "weights", a);
        } else {
            out = error_obj(&err);
        }
    }
    free(s);
    free(w);
    free(e);
    return out;
}

static json_t *answer(const char *line)
{
    json_error_t jerr;
    json_t *req = json_loads(line, 0, &jerr);
    if (!req)
        return json_pack("{ss}", "error", jerr.text);
    const char *op = json_string_value(json_object_get(req, "op"));
    json_t *resp;
    if (op && strcmp(op, "rate") == 0)
        resp = op_rate(req);
    else if (op && strcmp(op, "config") == 0)
        resp = op_config(req);
    else if (op && strcmp(op, "weights") == 0)
        resp = op_weights(req);
    else
        resp = json_pack("{ss}", "error", "unknown op (rate, config, weights)");
    json_decref(req);
    return resp;
}

int main(void) { return tool_run("scoring_tool", answer); }
