/* checkpoint_tool: covenant's checkpoints for tests/interop/checkpoint.py,
 * one JSON request per line:
 *
 *   {"op":"save","dir":D,"seed":S,"config":{"preset":"tiny", overrides...},
 *    "metadata":{...}}
 *      random weights (uniform, norms near 1) saved with cov_checkpoint_save
 *   {"op":"load","dir":D}
 *      cov_checkpoint_read_config + cov_checkpoint_load
 *
 * Both answer {"config":{...},"tensors":{name: blake2b-256 hex of the raw
 * little-endian fp32 bytes}} or {"error":{...}}. */
#include "tool_main.h"
#include "train/checkpoint.h"

typedef struct {
    cov_tensor_view *v;
    size_t n;
} weights;

static void weights_free(weights *w)
{
    for (size_t i = 0; w->v && i < w->n; i++)
        free(w->v[i].data);
    free(w->v);
    w->v = NULL;
}

static cov_status weights_alloc(weights *w, const cov_model_config *cfg, cov_err *err)
{
    cov_status st = cov_checkpoint_layout(NULL, 0, &w->n, cfg, err);
    if (st != COV_OK)
        return st;
    w->v = calloc(w->n, sizeof *w->v);
    if (!w->v)
        return cov_fail(err, COV_ERR_NOMEM, "no memory");
    st = cov_checkpoint_layout(w->v, w->n, &w->n, cfg, err);
    for (size_t i = 0; i < w->n && st == COV_OK; i++)
        if (!(w->v[i].data = malloc(w->v[i].numel * sizeof(float))))
            st = cov_fail(err, COV_ERR_NOMEM, "no memory");
    return st;
}

static void fill_random(weights *w, uint64_t seed)
{
    uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
    for (size_t i = 0; i < w->n; i++) {
        bool norm = w->v[i].ndim == 1;
        for (size_t k = 0; k < w->v[i].numel; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            float u = (float)(x >> 40) / (float)(1u << 24) - 0.5f; /* [-0.5, 0.5) */
            w->v[i].data[k] = norm ? 1.0f + 0.2f * u : 0.1f * u;
        }
    }
}

static json_t *describe(const cov_model_config *c, const weights *w)
{
    json_t *tensors = json_object();
    for (size_t i = 0; i < w->n; i++) {
        uint8_t h[32];
        char hex[65];
        cov_blake2b_256(h, (const uint8_t *)w->v[i].data, w->v[i].numel * sizeof(float));
        cov_hex_encode(hex, h, 32);
        json_object_set_new(tensors, w->v[i].name, json_string(hex));
    }
    return json_pack("{s:{s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:f, s:b}, s:o}", "config",
                     "name", c->name, "vocab_size", c->vocab_size, "dim", c->dim, "n_layers",
                     c->n_layers, "n_heads", c->n_heads, "n_kv_heads", c->n_kv_heads, "ffn_dim",
                     c->ffn_dim, "max_seq_len", c->max_seq_len, "norm_eps", (double)c->norm_eps,
                     "rope_theta", (double)c->rope_theta, "tie_embeddings", c->tie_embeddings,
                     "tensors", tensors);
}

static cov_status config_from(cov_model_config *c, json_t *j, cov_err *err)
{
    json_t *preset = json_object_get(j, "preset");
    cov_status st = cov_model_config_preset(c, json_is_string(preset) ? json_string_value(preset)
                                                                      : "tiny",
                                            err);
    if (st != COV_OK)
        return st;
    struct {
        const char *key;
        int *field;
    } ints[] = {{"vocab_size", &c->vocab_size}, {"dim", &c->dim},
                {"n_layers", &c->n_layers},     {"n_heads", &c->n_heads},
                {"n_kv_heads", &c->n_kv_heads}, {"ffn_dim", &c->ffn_dim},
                {"max_seq_len", &c->max_seq_len}};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        if (json_is_integer(json_object_get(j, ints[i].key)))
            *ints[i].field = (int)json_integer_value(json_object_get(j, ints[i].key));
    if (json_is_number(json_object_get(j, "norm_eps")))
        c->norm_eps = (float)json_number_value(json_object_get(j, "norm_eps"));
    if (json_is_number(json_object_get(j, "rope_theta")))
        c->rope_theta = (float)json_number_value(json_object_get(j, "rope_theta"));
    if (json_is_boolean(json_object_get(j, "tie_embeddings")))
        c->tie_embeddings = json_is_true(json_object_get(j, "tie_embeddings"));
    return cov_model_config_check(c, err);
}

static json_t *handle(const char *line)
{
    json_t *req = json_loads(line, 0, NULL);
    const char *op = json_string_value(json_object_get(req, "op"));
    const char *dir = json_string_value(json_object_get(req, "dir"));
    cov_err err = {0};
    cov_status st = COV_OK;
    cov_model_config cfg;
    weights w = {0};
    if (!op || !dir) {
        st = cov_fail(&err, COV_ERR_ARG, "op and dir are required");
    } else if (strcmp(op, "save") == 0) {
        st = config_from(&cfg, json_object_get(req, "config"), &err);
        if (st == COV_OK)
            st = weights_alloc(&w, &cfg, &err);
        if (st == COV_OK) {
            fill_random(&w, (uint64_t)json_integer_value(json_object_get(req, "seed")));
            json_t *md = json_object_get(req, "metadata");
            char *mtext = md ? cov_json_dumps(md, JSON_COMPACT) : NULL;
            st = cov_checkpoint_save(dir, &cfg, w.v, w.n, mtext, &err);
            free(mtext);
        }
    } else if (strcmp(op, "load") == 0) {
        st = cov_checkpoint_read_config(dir, &cfg, &err);
        if (st == COV_OK)
            st = weights_alloc(&w, &cfg, &err);
        if (st == COV_OK)
            st = cov_checkpoint_load(dir, &cfg, w.v, w.n, &err);
    } else {
        st = cov_fail(&err, COV_ERR_ARG, "unknown op");
    }
    json_t *resp = st == COV_OK ? describe(&cfg, &w) : cov_json_error(&err);
    weights_free(&w);
    json_decref(req);
    return resp;
}

int main(void) { return tool_run("checkpoint_tool", handle); }
