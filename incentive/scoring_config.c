/* The "scoring" section of the incentive JSON file: defaults, parsing,
 * checks and the dump. One table lists every field with its range, so the
 * parser, the check of configs built in code, the dump and the documentation
 * (docs/incentives-scoring.md) cannot drift apart field by field. */
#include "incentive/scoring.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cov_scoring_config_defaults(cov_scoring_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cov_openskill_templar(&cfg->openskill);
    /* hparams/hparams.json and neurons/validator.py of one-covenant/templar */
    cfg->bma_alpha = 0.05;
    cfg->bma_threshold = 0.10;
    cfg->bma_warmup_windows = 10;
    cfg->missing_score = -99.0;
    cfg->zero_threshold = 1e-4;
    cfg->sync_max_steps_behind = 2.0;
    cfg->sync_slash = 0.75;
    cfg->missing_eval_slash = 0.75;
    cfg->missing_gather_slash[0] = 0.75;
    cfg->missing_gather_slash[1] = 0.5;
    cfg->missing_gather_slash[2] = 0.0;
    cfg->missing_gather_slash_len = 3;
    cfg->gather_success_threshold = 0.4;
    cfg->mega_window = 8;
    cfg->mega_ratio = 0.5;
    cfg->naughty_windows = 20;
    cfg->negative_window = 8;
    cfg->negative_ratio = 0.5;
    cfg->negative_slash = 0.25;
    cfg->negative_skip_rank = 5;
    cfg->exclude_negative = true;
    cfg->consecutive_negative = 3;
    cfg->overlap_slash_high = 0.5;
    cfg->inactivity_slash = 0.75;
    cfg->inactivity_reset_windows = 3;
    cfg->burn_uid = 1;
    cfg->burn_rate = 0.5;
    cfg->top_n = 20;
    cfg->top_share = 0.75;
    cfg->top_ratio = 2.0;
    cfg->tail_n = 10;
    cfg->tail_decay = 0.5;
}

void cov_incentive_config_defaults(cov_incentive_config *cfg)
{
    cov_scoring_config_defaults(&cfg->scoring);
}

typedef enum { K_NUM, K_UINT, K_BOOL, K_LIST } field_kind;

typedef struct {
    const char *key;  /* under "scoring."; "openskill.x" is in the sub-object */
    field_kind kind;
    size_t off;       /* offset in cov_scoring_config */
    double lo, hi;    /* allowed range, hi inclusive */
    bool lo_open;     /* lo excluded */
    const char *rule; /* what the error says the value must be */
} field;

#define OFF(m) offsetof(cov_scoring_config, m)
#define UNIT 0.0, 1.0, false, "a number in [0, 1]"
#define ANY -HUGE_VAL, HUGE_VAL, false, "a finite number"
#define POS 0.0, HUGE_VAL, true, "a number > 0"
#define NONNEG 0.0, HUGE_VAL, false, "a number >= 0"
#define U32_NONNEG 0.0, 4294967295.0, false, "a non-negative integer"
#define U32_POS 1.0, 4294967295.0, false, "a positive integer"
#define HISTORY 1.0, 64.0, false, "an integer in [1, 64]"

static const field FIELDS[] = {
    { "openskill.mu", K_NUM, OFF(openskill.mu), ANY },
    { "openskill.sigma", K_NUM, OFF(openskill.sigma), POS },
    { "openskill.beta", K_NUM, OFF(openskill.beta), POS },
    { "openskill.tau", K_NUM, OFF(openskill.tau), NONNEG },
    { "openskill.kappa", K_NUM, OFF(openskill.kappa), 0.0, 1.0, true, "a number in (0, 1]" },
    { "openskill.limit_sigma", K_BOOL, OFF(openskill.limit_sigma), 0, 0, false, "true or false" },
    { "bma_alpha", K_NUM, OFF(bma_alpha), 0.0, 1.0, true, "a number in (0, 1]" },
    { "bma_threshold", K_NUM, OFF(bma_threshold), UNIT },
    { "bma_warmup_windows", K_UINT, OFF(bma_warmup_windows), U32_NONNEG },
    { "missing_score", K_NUM, OFF(missing_score), ANY },
    { "zero_threshold", K_NUM, OFF(zero_threshold), NONNEG },
    { "sync_max_steps_behind", K_NUM, OFF(sync_max_steps_behind), NONNEG },
    { "sync_slash", K_NUM, OFF(sync_slash), UNIT },
    { "missing_eval_slash", K_NUM, OFF(missing_eval_slash), UNIT },
    { "missing_gather_slash", K_LIST, OFF(missing_gather_slash), UNIT },
    { "gather_success_threshold", K_NUM, OFF(gather_success_threshold), UNIT },
    { "mega_window", K_UINT, OFF(mega_window), HISTORY },
    { "mega_ratio", K_NUM, OFF(mega_ratio), UNIT },
    { "naughty_windows", K_UINT, OFF(naughty_windows), U32_NONNEG },
    { "negative_window", K_UINT, OFF(negative_window), HISTORY },
    { "negative_ratio", K_NUM, OFF(negative_ratio), UNIT },
    { "negative_slash", K_NUM, OFF(negative_slash), UNIT },
    { "negative_skip_rank", K_UINT, OFF(negative_skip_rank), U32_POS },
    { "exclude_negative", K_BOOL, OFF(exclude_negative), 0, 0, false, "true or false" },
    { "consecutive_negative", K_UINT, OFF(consecutive_negative), U32_POS },
    { "overlap_slash_high", K_NUM, OFF(overlap_slash_high), UNIT },
    { "inactivity_slash", K_NUM, OFF(inactivity_slash), UNIT },
    { "inactivity_reset_windows", K_UINT, OFF(inactivity_reset_windows), U32_NONNEG },
    /* uids are u16 on chain */
    { "burn_uid", K_UINT, OFF(burn_uid), 0.0, 65535.0, false, "an integer in [0, 65535]" },
    { "burn_rate", K_NUM, OFF(burn_rate), UNIT },
    { "top_n", K_UINT, OFF(top_n), 1.0, 65536.0, false, "a positive integer" },
    { "top_share", K_NUM, OFF(top_share), UNIT },
    /* below 1 the best would get less than the Nth */
    { "top_ratio", K_NUM, OFF(top_ratio), 1.0, HUGE_VAL, false, "a number >= 1" },
    { "tail_n", K_UINT, OFF(tail_n), 0.0, 65536.0, false, "a non-negative integer" },
    { "tail_decay", K_NUM, OFF(tail_decay), 0.0, 1.0, true, "a number in (0, 1]" },
};
#define N_FIELDS (sizeof FIELDS / sizeof FIELDS[0])
#define LIST_MAX (sizeof ((cov_scoring_config *)0)->missing_gather_slash / sizeof(double))

static bool in_range(const field *f, double x)
{
    return isfinite(x) && (f->lo_open ? x > f->lo : x >= f->lo) && x <= f->hi;
}

/* The field's storage; the table's offsets and kinds come from OFF() on
 * the member of that type, so the casts are to the member's own type. */
static double *num_at(cov_scoring_config *cfg, const field *f)
{
    return (double *)(void *)((char *)cfg + f->off);
}

static uint32_t *uint_at(cov_scoring_config *cfg, const field *f)
{
    return (uint32_t *)(void *)((char *)cfg + f->off);
}

static bool *bool_at(cov_scoring_config *cfg, const field *f)
{
    return (bool *)(void *)((char *)cfg + f->off);
}

static const double *num_get(const cov_scoring_config *cfg, const field *f)
{
    return (const double *)(const void *)((const char *)cfg + f->off);
}

static uint32_t uint_get(const cov_scoring_config *cfg, const field *f)
{
    return *(const uint32_t *)(const void *)((const char *)cfg + f->off);
}

static bool bool_get(const cov_scoring_config *cfg, const field *f)
{
    return *(const bool *)(const void *)((const char *)cfg + f->off);
}

/* ------------------------------------------------------------- checking */

cov_status cov_scoring_config_check(const cov_scoring_config *cfg, cov_err *err)
{
    for (size_t i = 0; i < N_FIELDS; i++) {
        const field *f = &FIELDS[i];
        switch (f->kind) {
        case K_NUM: {
            double x = *num_get(cfg, f);
            if (!in_range(f, x))
                return cov_fail(err, COV_ERR_ARG, "scoring.%s: must be %s, got %g",
                                f->key, f->rule, x);
            break;
        }
        case K_UINT: {
            uint32_t x = uint_get(cfg, f);
            if (!in_range(f, (double)x))
                return cov_fail(err, COV_ERR_ARG, "scoring.%s: must be %s, got %u",
                                f->key, f->rule, (unsigned)x);
            break;
        }
        case K_BOOL:
            break;
        case K_LIST: {
            uint32_t len = cfg->missing_gather_slash_len;
            if (len < 1 || len > LIST_MAX)
                return cov_fail(err, COV_ERR_ARG,
                                "scoring.%s: must have 1 to %zu entries, got %u",
                                f->key, (size_t)LIST_MAX, (unsigned)len);
            for (uint32_t k = 0; k < len; k++)
                if (!in_range(f, num_get(cfg, f)[k]))
                    return cov_fail(err, COV_ERR_ARG, "scoring.%s[%u]: must be %s, got %g",
                                    f->key, (unsigned)k, f->rule, num_get(cfg, f)[k]);
            break;
        }
        }
    }
    return COV_OK;
}

/* -------------------------------------------------------------- parsing */

/* A short rendering of a JSON value for an error message. */
static void describe(const json_t *v, char *buf, size_t len)
{
    if (json_is_real(v)) {
        double x = json_real_value(v);
        snprintf(buf, len, "%.15g", x);
        /* "2" would hide why an integer field refused it */
        if (!strpbrk(buf, ".eEn"))
            snprintf(buf, len, "%.15g.0", x);
        return;
    }
    char *text = cov_json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!text) {
        snprintf(buf, len, "(a JSON value)");
        return;
    }
    if (strlen(text) > 40)
        snprintf(buf, len, "%.37s...", text);
    else
        snprintf(buf, len, "%s", text);
    free(text);
}

static cov_status bad(cov_err *err, const char *path, const char *rule,
                      const json_t *v)
{
    char got[64];
    describe(v, got, sizeof got);
    return cov_fail(err, COV_ERR_PARSE, "%s: must be %s, got %s", path, rule, got);
}

static cov_status parse_list(cov_scoring_config *cfg, const field *f,
                             const json_t *v, const char *path, cov_err *err)
{
    char rule[96];
    snprintf(rule, sizeof rule, "an array of 1 to %zu numbers in [0, 1]",
             (size_t)LIST_MAX);
    size_t len = json_is_array(v) ? json_array_size(v) : 0;
    if (len < 1 || len > LIST_MAX)
        return bad(err, path, rule, v);
    for (size_t k = 0; k < len; k++) {
        const json_t *e = json_array_get(v, k);
        if (!json_is_number(e) || !in_range(f, json_number_value(e))) {
            char at[128]; /* path (< 96) + "[k]" */
            snprintf(at, sizeof at, "%s[%zu]", path, k);
            return bad(err, at, f->rule, e);
        }
        num_at(cfg, f)[k] = json_number_value(e);
    }
    cfg->missing_gather_slash_len = (uint32_t)len;
    return COV_OK;
}

static cov_status parse_field(cov_scoring_config *cfg, const field *f,
                              const json_t *v, cov_err *err)
{
    char path[96];
    snprintf(path, sizeof path, "scoring.%s", f->key);
    switch (f->kind) {
    case K_NUM:
        if (!json_is_number(v) || !in_range(f, json_number_value(v)))
            return bad(err, path, f->rule, v);
        *num_at(cfg, f) = json_number_value(v);
        return COV_OK;
    case K_UINT:
        /* 20.0 is refused: a count written as a real is likely a mistake */
        if (!json_is_integer(v) || !in_range(f, (double)json_integer_value(v)))
            return bad(err, path, f->rule, v);
        *uint_at(cfg, f) = (uint32_t)json_integer_value(v);
        return COV_OK;
    case K_BOOL:
        if (!json_is_boolean(v))
            return bad(err, path, f->rule, v);
        *bool_at(cfg, f) = json_is_true(v);
        return COV_OK;
    case K_LIST:
        return parse_list(cfg, f, v, path, err);
    }
    return cov_fail(err, COV_ERR_ARG, "%s: unknown field kind", path);
}

static const field *find_field(const char *prefix, const char *key)
{
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < N_FIELDS; i++) {
        const char *k = FIELDS[i].key;
        if (strncmp(k, prefix, plen) == 0 && strcmp(k + plen, key) == 0 &&
            (plen > 0 || !strchr(k, '.')))
            return &FIELDS[i];
    }
    return NULL;
}

/* Parses the keys of one object: "scoring" (prefix "") or
 * "scoring.openskill" (prefix "openskill."). */
static cov_status parse_object(cov_scoring_config *cfg, const json_t *obj,
                               const char *prefix, cov_err *err)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        if (prefix[0] == '\0' && strcmp(key, "openskill") == 0) {
            if (!json_is_object(v))
                return bad(err, "scoring.openskill", "an object", v);
            cov_status st = parse_object(cfg, v, "openskill.", err);
            if (st != COV_OK)
                return st;
            continue;
        }
        const field *f = find_field(prefix, key);
        if (!f)
            return cov_fail(err, COV_ERR_PARSE,
                            "scoring.%s%.100s: unknown field (the fields are listed "
                            "in docs/incentives-scoring.md)",
                            prefix, key);
        cov_status st = parse_field(cfg, f, v, err);
        if (st != COV_OK)
            return st;
    }
    return COV_OK;
}

cov_status cov_incentive_config_from_json(const json_t *root,
                                          cov_incentive_config *cfg,
                                          cov_err *err)
{
    cov_incentive_config_defaults(cfg);
    if (!json_is_object(root))
        return bad(err, "incentive config", "a JSON object", root);
    const json_t *scoring = json_object_get(root, "scoring");
    if (!scoring)
        return COV_OK;
    if (!json_is_object(scoring))
        return bad(err, "scoring", "an object", scoring);
    cov_incentive_config work;
    cov_incentive_config_defaults(&work);
    cov_status st = parse_object(&work.scoring, scoring, "", err);
    if (st != COV_OK)
        return st;
    *cfg = work;
    return COV_OK;
}

/* ----------------------------------------------------------------- dump */

static int set_new(json_t *obj, const char *key, json_t *v)
{
    return v ? json_object_set_new(obj, key, v) : -1;
}

json_t *cov_scoring_config_to_json(const cov_scoring_config *cfg)
{
    json_t *root = json_object();
    json_t *os = json_object();
    if (!root || !os || json_object_set_new(root, "openskill", os) != 0) {
        json_decref(root);
        return NULL;
    }
    int rc = 0;
    for (size_t i = 0; i < N_FIELDS && rc == 0; i++) {
        const field *f = &FIELDS[i];
        bool sub = strncmp(f->key, "openskill.", 10) == 0;
        json_t *obj = sub ? os : root;
        const char *key = sub ? f->key + 10 : f->key;
        switch (f->kind) {
        case K_NUM:
            rc = set_new(obj, key, json_real(*num_get(cfg, f)));
            break;
        case K_UINT:
            rc = set_new(obj, key, json_integer(uint_get(cfg, f)));
            break;
        case K_BOOL:
            rc = set_new(obj, key, json_boolean(bool_get(cfg, f)));
            break;
        case K_LIST: {
            json_t *a = json_array();
            rc = set_new(obj, key, a);
            for (uint32_t k = 0; rc == 0 && k < cfg->missing_gather_slash_len &&
                                 k < LIST_MAX; k++)
                rc = json_array_append_new(a, json_real(num_get(cfg, f)[k]));
            break;
        }
        }
    }
    if (rc != 0) {
        json_decref(root);
        return NULL;
    }
    return root;
}
