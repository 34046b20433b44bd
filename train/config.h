/* Model shapes of the Llama-style decoder: presets from a tiny one for tests
 * to the 70B shapes of Covenant-72B (templar.md §1.1). */
#ifndef COVENANT_TRAIN_CONFIG_H
#define COVENANT_TRAIN_CONFIG_H

#include "common/common.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char name[32];
    int vocab_size;
    int dim;           /* hidden size */
    int n_layers;
    int n_heads;       /* query heads */
    int n_kv_heads;    /* key/value heads (grouped-query attention) */
    int ffn_dim;       /* SwiGLU hidden size */
    int max_seq_len;
    float norm_eps;    /* RMSNorm epsilon */
    float rope_theta;
    bool tie_embeddings; /* lm_head shares embed_tokens */
} cov_model_config;

/* Fills cfg with a named preset: "tiny", "demo", "10m", "124m" or "70b".
 * COV_ERR_NOT_FOUND names the presets that exist. */
cov_status cov_model_config_preset(cov_model_config *cfg, const char *name, cov_err *err);

/* Checks that the shapes are possible (heads divide dim, kv heads divide
 * heads, an even head dimension for RoPE, everything positive). */
cov_status cov_model_config_check(const cov_model_config *cfg, cov_err *err);

/* Trained parameters (a tied lm_head counted once). */
uint64_t cov_model_config_param_count(const cov_model_config *cfg);

/* TorchTitan's FFN size rule: multiple_of-rounded int(m * int(2*4*dim/3)). */
int cov_model_ffn_dim(int dim, double ffn_dim_multiplier, int multiple_of);

/* The preset names, NULL-terminated, for help texts. */
extern const char *const cov_model_presets[];

#endif
