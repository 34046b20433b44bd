#include "train/config.h"

#include <stdio.h>
#include <string.h>

const char *const cov_model_presets[] = {"tiny", "demo", "10m", "124m", "70b", NULL};

int cov_model_ffn_dim(int dim, double ffn_dim_multiplier, int multiple_of)
{
    int hidden = (int)(2.0 * (4.0 * dim) / 3.0);
    if (ffn_dim_multiplier > 0)
        hidden = (int)(ffn_dim_multiplier * hidden);
    return multiple_of * ((hidden + multiple_of - 1) / multiple_of);
}

static void set(cov_model_config *c, const char *name, int vocab, int dim, int layers,
                int heads, int kv_heads, int ffn, int seq, float theta, bool tie)
{
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->vocab_size = vocab;
    c->dim = dim;
    c->n_layers = layers;
    c->n_heads = heads;
    c->n_kv_heads = kv_heads;
    c->ffn_dim = ffn;
    c->max_seq_len = seq;
    c->norm_eps = 1e-5f;
    c->rope_theta = theta;
    c->tie_embeddings = tie;
}

cov_status cov_model_config_preset(cov_model_config *cfg, const char *name, cov_err *err)
{
    if (!cfg || !name)
        return cov_fail(err, COV_ERR_ARG, "model preset: no name given");
    /* tiny: every feature (GQA, untied head, odd-sized FFN) at a size a
     * PyTorch fixture stays small for. */
    if (strcmp(name, "tiny") == 0)
        set(cfg, "tiny", 64, 32, 2, 4, 2, 48, 16, 10000.0f, false);
    /* demo: ~0.8M parameters, byte-level, so `covenant demo` trains five
     * nodes for several windows in about a minute on two cores. */
    else if (strcmp(name, "demo") == 0)
        set(cfg, "demo", 256, 128, 4, 4, 2, cov_model_ffn_dim(128, 1.0, 64), 128, 10000.0f,
            true);
    /* 10m and 124m: byte-level vocab (256), sized for a CPU. */
    else if (strcmp(name, "10m") == 0)
        set(cfg, "10m", 256, 384, 6, 6, 2, cov_model_ffn_dim(384, 1.0, 64), 256,
            10000.0f, true);
    else if (strcmp(name, "124m") == 0)
        set(cfg, "124m", 256, 768, 16, 12, 4, cov_model_ffn_dim(768, 1.3, 256), 512,
            10000.0f, true);
    /* Covenant-72B: TorchTitan's Llama-3 70B preset with Templar's overrides. */
    else if (strcmp(name, "70b") == 0)
        set(cfg, "70b", 262144, 8192, 80, 64, 8, cov_model_ffn_dim(8192, 1.3, 4096), 2048,
            500000.0f, true);
    else
        return cov_fail(err, COV_ERR_NOT_FOUND,
                        "no model preset '%s': use tiny, demo, 10m, 124m or 70b", name);
    return cov_model_config_check(cfg, err);
}

cov_status cov_model_config_check(const cov_model_config *c, cov_err *err)
{
    if (!c)
        return cov_fail(err, COV_ERR_ARG, "model config: none given");
    if (c->vocab_size <= 0 || c->dim <= 0 || c->n_layers <= 0 || c->n_heads <= 0 ||
        c->n_kv_heads <= 0 || c->ffn_dim <= 0 || c->max_seq_len <= 0)
        return cov_fail(err, COV_ERR_ARG,
                        "model config: vocab_size, dim, n_layers, n_heads, n_kv_heads, "
                        "ffn_dim and max_seq_len must all be positive");
    if (c->dim % c->n_heads != 0)
        return cov_fail(err, COV_ERR_ARG, "model config: dim %d is not a multiple of n_heads %d",
                        c->dim, c->n_heads);
    if (c->n_heads % c->n_kv_heads != 0)
        return cov_fail(err, COV_ERR_ARG,
                        "model config: n_heads %d is not a multiple of n_kv_heads %d",
                        c->n_heads, c->n_kv_heads);
    if ((c->dim / c->n_heads) % 2 != 0)
        return cov_fail(err, COV_ERR_ARG,
                        "model config: head dimension %d is odd; RoPE rotates pairs",
                        c->dim / c->n_heads);
    if (!(c->norm_eps > 0.0f) || !(c->rope_theta > 0.0f))
        return cov_fail(err, COV_ERR_ARG, "model config: norm_eps and rope_theta must be > 0");
    return COV_OK;
}

uint64_t cov_model_config_param_count(const cov_model_config *c)
{
    uint64_t d = (uint64_t)c->dim, hd = d / (uint64_t)c->n_heads;
    uint64_t kv = hd * (uint64_t)c->n_kv_heads;
    uint64_t attn = d * d * 2 + d * kv * 2;
    uint64_t ffn = 3 * d * (uint64_t)c->ffn_dim;
    uint64_t layer = attn + ffn + 2 * d;
    uint64_t emb = (uint64_t)c->vocab_size * d;
    return layer * (uint64_t)c->n_layers + d + emb * (c->tie_embeddings ? 1 : 2);
}
