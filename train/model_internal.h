/* Private to train/model*.c: the layout of a cov_model. */
#ifndef COVENANT_TRAIN_MODEL_INTERNAL_H
#define COVENANT_TRAIN_MODEL_INTERNAL_H

#include "train/model.h"

#include <stdbool.h>

/* Pointers into the parameter buffer, or the same places in the gradient
 * buffer (the two share one layout). */
typedef struct {
    float *input_norm;        /* [dim] */
    float *wq, *wk, *wv, *wo; /* [dim,dim] [kv,dim] [kv,dim] [dim,dim] */
    float *post_norm;         /* [dim] */
    float *wg, *wu, *wd;      /* [ffn,dim] [ffn,dim] [dim,ffn] */
} cov_layer_weights;

typedef struct {
    float *embed, *final_norm, *lm_head; /* lm_head == embed when tied */
} cov_outer_weights;

/* What one layer's forward keeps for its backward ([N, …] with N = B·T). */
typedef struct {
    float *x;           /* layer input (the residual stream) [N,dim] */
    float *rstd1;       /* [N] */
    float *xn1;         /* input_layernorm output [N,dim] */
    float *q, *k, *v;   /* after RoPE (q, k): [N,dim] [N,kv] [N,kv] */
    float *lse;         /* attention log-sum-exp [B,H,T] */
    float *att;         /* attention output, o_proj's input [N,dim] */
    float *h;           /* x + o_proj(att) [N,dim] */
    float *rstd2;       /* [N] */
    float *xn2;         /* post_attention_layernorm output [N,dim] */
    float *gate, *up;   /* [N,ffn] */
    float *act;         /* silu(gate)⊙up, down_proj's input [N,ffn] */
} cov_layer_acts;

struct cov_model {
    cov_model_config cfg;
    int max_batch, max_seq;
    int head_dim, kv_dim;

    size_t n_tensors, numel;
    cov_tensor_view *params, *grads;
    float *param_buf, *grad_buf;
    cov_layer_weights *lw, *lg; /* per layer: parameters, gradients */
    cov_outer_weights ow, og;

    float *act_buf; /* every activation below lives in this one block */
    cov_layer_acts *acts;
    float *x_final, *rstd_f, *xn_f; /* final norm's input, rstd, output */
    float *logits, *dlogits;        /* [N,V] */
    float *lse_ce;                  /* cross entropy's log-sum-exp [N] */
    float *rope_cos, *rope_sin;     /* [max_seq, head_dim/2] */
    float *att_scratch;             /* the attention ops' [T,T] scratch */
    /* gradient scratch, reused by every layer */
    float *dres, *dxn, *dq, *dk, *dv, *datt, *dgate, *dup, *dact;
    int32_t *tokens, *targets; /* copies of the last forward's inputs */

    /* the last forward */
    int B, T;
    bool have_targets;
    int64_t target_count;
};

#endif
