/* config.json (a Hugging Face LlamaConfig) and the Llama parameter layout. */
#include "train/checkpoint_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ckpt_path(char *out, size_t cap, const char *dir, const char *leaf)
{
    int n = snprintf(out, cap, "%s/%s", dir, leaf);
    return n > 0 && (size_t)n < cap;
}

static void set_view(cov_tensor_view *v, const char *name, int64_t rows, int64_t cols)
{
    memset(v, 0, sizeof *v);
    snprintf(v->name, sizeof v->name, "%s", name);
    v->ndim = cols ? 2 : 1;
    v->shape[0] = rows;
    v->shape[1] = cols;
    v->numel = (size_t)(rows * (cols ? cols : 1));
}

cov_status cov_checkpoint_layout(cov_tensor_view *out, size_t cap, size_t *n,
                                 const cov_model_config *cfg, cov_err *err)
{
    cov_status st = cov_model_config_check(cfg, err);
    if (st != COV_OK)
        return st;
    size_t count = 2 + 9 * (size_t)cfg->n_layers + (cfg->tie_embeddings ? 0 : 1);
    *n = count;
    if (cap == 0 && !out)
        return COV_OK;
    if (cap < count)
        return cov_fail(err, COV_ERR_ARG, "checkpoint layout: %zu tensors, room for %zu", count,
                        cap);
    const int64_t d = cfg->dim, hd = cfg->dim / cfg->n_heads, f = cfg->ffn_dim;
    const int64_t q = hd * cfg->n_heads, kv = hd * cfg->n_kv_heads;
    size_t i = 0;
    char name[COV_TENSOR_NAME_MAX];
    set_view(&out[i++], "model.embed_tokens.weight", cfg->vocab_size, d);
    for (int l = 0; l < cfg->n_layers; l++) {
        static const char *const part[] = {
            "self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight",
            "self_attn.o_proj.weight", "mlp.gate_proj.weight",    "mlp.up_proj.weight",
            "mlp.down_proj.weight",    "input_layernorm.weight",  "post_attention_layernorm.weight"};
        const int64_t rows[] = {q, kv, kv, d, f, f, d, d, d};
        const int64_t cols[] = {d, d, d, q, d, d, f, 0, 0};
        for (int k = 0; k < 9; k++) {
            snprintf(name, sizeof name, "model.layers.%d.%s", l, part[k]);
            set_view(&out[i++], name, rows[k], cols[k]);
        }
    }
    set_view(&out[i++], "model.norm.weight", d, 0);
    if (!cfg->tie_embeddings)
        set_view(&out[i++], "lm_head.weight", cfg->vocab_size, d);
    return COV_OK;
}

cov_status ckpt_match_layout(const cov_model_config *cfg, const cov_tensor_view *views, size_t n,
                             const char *what, cov_err *err)
{
    size_t want_n;
    cov_status st = cov_checkpoint_layout(NULL, 0, &want_n, cfg, err);
    if (st != COV_OK)
        return st;
    cov_tensor_view *want = calloc(want_n, sizeof *want);
    bool *seen = calloc(want_n, sizeof *seen);
    if (!want || !seen) {
        free(want);
        free(seen);
        return cov_fail(err, COV_ERR_NOMEM, "checkpoint: no memory");
    }
    st = cov_checkpoint_layout(want, want_n, &want_n, cfg, err);
    for (size_t i = 0; i < n && st == COV_OK; i++) {
        size_t j = 0;
        const char *name = views[i].name;
        const int64_t *shape = views[i].shape;
        while (j < want_n && strcmp(want[j].name, name) != 0)
            j++;
        if (j == want_n) {
            st = cov_fail(err, COV_ERR_PARSE,
                          "%s: unexpected tensor %s (not a parameter of this Llama config)", what,
                          name);
        } else if (seen[j]) {
            st = cov_fail(err, COV_ERR_PARSE, "%s: tensor %s appears twice", what, name);
        } else if (views[i].ndim != want[j].ndim || shape[0] != want[j].shape[0] ||
                   (want[j].ndim == 2 && shape[1] != want[j].shape[1])) {
            st = cov_fail(err, COV_ERR_PARSE,
                          "%s: tensor %s has shape [%lld%s%lld], the config implies "
                          "[%lld%s%lld]",
                          what, name, (long long)shape[0], views[i].ndim == 2 ? ", " : "",
                          views[i].ndim == 2 ? (long long)shape[1] : 0LL,
                          (long long)want[j].shape[0], want[j].ndim == 2 ? ", " : "",
                          want[j].ndim == 2 ? (long long)want[j].shape[1] : 0LL);
        } else {
            seen[j] = true;
        }
    }
    for (size_t j = 0; j < want_n && st == COV_OK; j++)
        if (!seen[j])
            st = cov_fail(err, COV_ERR_PARSE, "%s: tensor %s is missing", what, want[j].name);
    free(want);
    free(seen);
    return st;
}

/* The shortest decimal that reads back as the same float (1e-05, not
 * 9.99999975e-06), as a double for jansson. */
static double shortest_float(float v)
{
    char buf[32];
    for (int p = 1; p <= 9; p++) {
        snprintf(buf, sizeof buf, "%.*g", p, (double)v);
        if ((float)strtod(buf, NULL) == v)
            return strtod(buf, NULL);
    }
    return (double)v;
}

cov_status ckpt_config_json(char **out, const cov_model_config *c, long long bos_id,
                            long long eos_id, cov_err *err)
{
    *out = NULL;
    double theta = shortest_float(c->rope_theta);
    json_t *o = json_object(), *arch = json_array(), *rope = json_object();
    if (!o || !arch || !rope) {
        json_decref(o);
        json_decref(arch);
        json_decref(rope);
        return cov_fail(err, COV_ERR_NOMEM, "config.json: no memory");
    }
    json_array_append_new(arch, json_string("LlamaForCausalLM"));
    json_object_set_new(o, "architectures", arch);
    json_object_set_new(o, "model_type", json_string("llama"));
    json_object_set_new(o, "vocab_size", json_integer(c->vocab_size));
    json_object_set_new(o, "hidden_size", json_integer(c->dim));
    json_object_set_new(o, "intermediate_size", json_integer(c->ffn_dim));
    json_object_set_new(o, "num_hidden_layers", json_integer(c->n_layers));
    json_object_set_new(o, "num_attention_heads", json_integer(c->n_heads));
    json_object_set_new(o, "num_key_value_heads", json_integer(c->n_kv_heads));
    json_object_set_new(o, "head_dim", json_integer(c->dim / c->n_heads));
    json_object_set_new(o, "max_position_embeddings", json_integer(c->max_seq_len));
    json_object_set_new(o, "rms_norm_eps", json_real(shortest_float(c->norm_eps)));
    /* transformers 4 reads rope_theta, 5 reads rope_parameters; both agree. */
    json_object_set_new(o, "rope_theta", json_real(theta));
    json_object_set_new(rope, "rope_type", json_string("default"));
    json_object_set_new(rope, "rope_theta", json_real(theta));
    json_object_set_new(o, "rope_parameters", rope);
    json_object_set_new(o, "tie_word_embeddings", json_boolean(c->tie_embeddings));
    json_object_set_new(o, "torch_dtype", json_string("float32"));
    json_object_set_new(o, "dtype", json_string("float32"));
    json_object_set_new(o, "bos_token_id", json_integer(bos_id));
    json_object_set_new(o, "eos_token_id", json_integer(eos_id));
    json_object_set_new(o, "hidden_act", json_string("silu"));
    json_object_set_new(o, "attention_bias", json_false());
    json_object_set_new(o, "attention_dropout", json_real(0.0));
    json_object_set_new(o, "mlp_bias", json_false());
    json_object_set_new(o, "initializer_range", json_real(0.02));
    json_object_set_new(o, "use_cache", json_true());
    json_object_set_new(o, "covenant_preset", json_string(c->name));
    char *text = cov_json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(9));
    json_decref(o);
    if (!text)
        return cov_fail(err, COV_ERR_NOMEM, "config.json: no memory");
    *out = text;
    return COV_OK;
}

static cov_status get_int(int *out, json_t *root, const char *key, bool required, int dflt,
                          cov_err *err)
{
    json_t *v = json_object_get(root, key);
    if (!v || json_is_null(v)) {
        if (required)
            return cov_fail(err, COV_ERR_PARSE, "config.json: \"%s\" is missing", key);
        *out = dflt;
        return COV_OK;
    }
    if (!json_is_integer(v) || json_integer_value(v) <= 0 || json_integer_value(v) > INT32_MAX)
        return cov_fail(err, COV_ERR_PARSE, "config.json: \"%s\" is not a positive integer", key);
    *out = (int)json_integer_value(v);
    return COV_OK;
}

static cov_status get_float(float *out, json_t *obj, const char *key, float dflt, cov_err *err)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (!v || json_is_null(v)) {
        *out = dflt;
        return COV_OK;
    }
    if (!json_is_number(v))
        return cov_fail(err, COV_ERR_PARSE, "config.json: \"%s\" is not a number", key);
    *out = (float)json_number_value(v);
    return COV_OK;
}

/* A field covenant's model cannot honour must have the value it assumes. */
static cov_status expect(json_t *root, const char *key, json_t *want, cov_err *err)
{
    json_t *v = json_object_get(root, key);
    bool ok = !v || json_is_null(v) || json_equal(v, want);
    json_decref(want);
    if (!ok)
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "config.json: \"%s\" has a value covenant's Llama does not support", key);
    return COV_OK;
}

static cov_status parse_config(cov_model_config *cfg, json_t *root, cov_err *err)
{
    memset(cfg, 0, sizeof *cfg);
    if (!json_is_object(root))
        return cov_fail(err, COV_ERR_PARSE, "config.json: not a JSON object");
    json_t *mt = json_object_get(root, "model_type");
    if (!json_is_string(mt) || strcmp(json_string_value(mt), "llama") != 0)
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "config.json: model_type is not \"llama\" (covenant trains Llama models)");
    cov_status st = COV_OK;
    if (st == COV_OK) st = get_int(&cfg->vocab_size, root, "vocab_size", true, 0, err);
    if (st == COV_OK) st = get_int(&cfg->dim, root, "hidden_size", true, 0, err);
    if (st == COV_OK) st = get_int(&cfg->ffn_dim, root, "intermediate_size", true, 0, err);
    if (st == COV_OK) st = get_int(&cfg->n_layers, root, "num_hidden_layers", true, 0, err);
    if (st == COV_OK) st = get_int(&cfg->n_heads, root, "num_attention_heads", true, 0, err);
    if (st == COV_OK)
        st = get_int(&cfg->n_kv_heads, root, "num_key_value_heads", false, cfg->n_heads, err);
    if (st == COV_OK)
        st = get_int(&cfg->max_seq_len, root, "max_position_embeddings", false, 2048, err);
    if (st == COV_OK) st = get_float(&cfg->norm_eps, root, "rms_norm_eps", 1e-6f, err);
    if (st == COV_OK) {
        /* transformers 5 keeps theta in rope_parameters; 4 at the top. */
        json_t *rp = json_object_get(root, "rope_parameters");
        float top = 0.0f;
        st = get_float(&top, root, "rope_theta", 10000.0f, err);
        if (st == COV_OK)
            st = get_float(&cfg->rope_theta, json_is_object(rp) ? rp : NULL, "rope_theta", top,
                           err);
        json_t *type = json_is_object(rp) ? json_object_get(rp, "rope_type") : NULL;
        if (st == COV_OK && type && !(json_is_string(type) &&
                                      strcmp(json_string_value(type), "default") == 0))
            st = cov_fail(err, COV_ERR_UNSUPPORTED,
                          "config.json: rope_type is not \"default\" (no RoPE scaling in covenant)");
    }
    if (st == COV_OK) {
        int hd = 0;
        st = get_int(&hd, root, "head_dim", false, cfg->dim / cfg->n_heads, err);
        if (st == COV_OK && hd * cfg->n_heads != cfg->dim)
            st = cov_fail(err, COV_ERR_UNSUPPORTED,
                          "config.json: head_dim %d times %d heads is not hidden_size %d", hd,
                          cfg->n_heads, cfg->dim);
    }
    if (st == COV_OK) {
        json_t *tie = json_object_get(root, "tie_word_embeddings");
        if (tie && !json_is_boolean(tie))
            st = cov_fail(err, COV_ERR_PARSE, "config.json: tie_word_embeddings is not a boolean");
        cfg->tie_embeddings = tie && json_is_true(tie); /* LlamaConfig's default: false */
    }
    if (st == COV_OK) st = expect(root, "hidden_act", json_string("silu"), err);
    if (st == COV_OK) st = expect(root, "attention_bias", json_false(), err);
    if (st == COV_OK) st = expect(root, "mlp_bias", json_false(), err);
    if (st == COV_OK) {
        /* an old-style rope_scaling must be absent, null or the default */
        json_t *rs = json_object_get(root, "rope_scaling");
        json_t *type = json_is_object(rs) ? json_object_get(rs, "rope_type") : NULL;
        if (rs && !json_is_null(rs) &&
            !(json_is_string(type) && strcmp(json_string_value(type), "default") == 0))
            st = cov_fail(err, COV_ERR_UNSUPPORTED,
                          "config.json: rope_scaling is set (no RoPE scaling in covenant)");
    }
    if (st == COV_OK) {
        json_t *tp = json_object_get(root, "pretraining_tp");
        if (tp && !json_is_null(tp) && !(json_is_integer(tp) && json_integer_value(tp) == 1))
            st = cov_fail(err, COV_ERR_UNSUPPORTED, "config.json: pretraining_tp is not 1");
    }
    if (st != COV_OK)
        return st;
    json_t *preset = json_object_get(root, "covenant_preset");
    snprintf(cfg->name, sizeof cfg->name, "%s",
             json_is_string(preset) ? json_string_value(preset) : "hf");
    return cov_model_config_check(cfg, err);
}

cov_status cov_checkpoint_read_config(const char *dir, cov_model_config *cfg, cov_err *err)
{
    char path[4096];
    if (!ckpt_path(path, sizeof path, dir, COV_CHECKPOINT_CONFIG))
        return cov_fail(err, COV_ERR_ARG, "checkpoint: folder path too long");
    uint8_t *text;
    size_t len;
    cov_status st = cov_file_read(&text, &len, path, (size_t)1 << 20, false, err);
    if (st != COV_OK)
        return st;
    json_error_t jerr;
    json_t *root = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &jerr);
    free(text);
    if (!root)
        return cov_fail(err, COV_ERR_PARSE, "%s: not valid JSON: line %d: %s", path, jerr.line,
                        jerr.text);
    st = parse_config(cfg, root, err);
    json_decref(root);
    if (st != COV_OK)
        cov_err_context(err, "%s", path);
    return st;
}
