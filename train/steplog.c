#include "train/steplog.h"

uint64_t cov_train_matmul_params(const cov_model_config *cfg)
{
    uint64_t d = (uint64_t)cfg->dim, head_dim = d / (uint64_t)cfg->n_heads;
    uint64_t kv = head_dim * (uint64_t)cfg->n_kv_heads, f = (uint64_t)cfg->ffn_dim;
    uint64_t per_layer = d * d      /* q_proj */
                         + 2 * kv * d /* k_proj, v_proj */
                         + d * d      /* o_proj */
                         + 3 * f * d; /* gate, up, down */
    return per_layer * (uint64_t)cfg->n_layers + (uint64_t)cfg->vocab_size * d;
}

double cov_train_flops_per_token(const cov_model_config *cfg, int seq_len)
{
    double head_dim = (double)cfg->dim / (double)cfg->n_heads;
    double attention = 12.0 * cfg->n_layers * cfg->n_heads * head_dim * (double)seq_len;
    return 6.0 * (double)cov_train_matmul_params(cfg) + attention;
}

cov_step_rate cov_step_rate_of(const cov_model_config *cfg, int seq_len, uint64_t tokens,
                               double seconds, double peak_flops)
{
    cov_step_rate r = {.ms = seconds * 1e3, .tokens_per_s = 0.0, .flops_per_s = 0.0,
                       .mfu = 0.0};
    if (!(seconds > 0.0))
        return r;
    r.tokens_per_s = (double)tokens / seconds;
    r.flops_per_s = r.tokens_per_s * cov_train_flops_per_token(cfg, seq_len);
    if (peak_flops > 0.0)
        r.mfu = r.flops_per_s / peak_flops;
    return r;
}
