/* Causal grouped-query attention, one (batch, head) at a time: the scores
 * S = Q·Kᵀ/√hd and the products P·V, dS·K, dSᵀ·Q, Pᵀ·dO are cblas_sgemm
 * calls on a [T, T] scratch, the softmax and its gradient are row loops.
 * The probabilities are not kept: the forward saves each row's log-sum-exp
 * and the backward recomputes P = exp(S − lse) from it.
 *
 * The sgemms compute the masked upper triangle too (twice the causal
 * FLOPs); the softmax sets it to exactly zero, so it never reaches a
 * result. Heads run in order, one after another, each sgemm using
 * OpenBLAS's threads and each row loop OpenMP's, so every sum has one
 * order. */
#include "train/ops.h"
#include "train/ops_parallel.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

typedef struct {
    int T, head_dim;
    size_t qrow, kvrow; /* row strides of q/out and k/v: H·hd, KVH·hd */
} att_shape;

/* S[T,T] = scale · Q·Kᵀ for one head (rows strided in the [B,T,H,hd] layout). */
static void scores(float *S, const float *Q, const float *K, const att_shape *a, float scale)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, a->T, a->T, a->head_dim, scale, Q,
                (int)a->qrow, K, (int)a->kvrow, 0.0f, S, a->T);
}

void cov_op_attention_forward(float *out, float *lse, float *scratch, const float *q,
                              const float *k, const float *v, int B, int T, int H, int KVH,
                              int head_dim)
{
    att_shape a = {T, head_dim, (size_t)H * head_dim, (size_t)KVH * head_dim};
    float scale = 1.0f / sqrtf((float)head_dim);
    float *P = scratch;
    for (int b = 0; b < B; b++)
        for (int h = 0; h < H; h++) {
            int kvh = h / (H / KVH);
            const float *Q = q + (size_t)b * T * a.qrow + (size_t)h * head_dim;
            const float *K = k + (size_t)b * T * a.kvrow + (size_t)kvh * head_dim;
            const float *V = v + (size_t)b * T * a.kvrow + (size_t)kvh * head_dim;
            float *row_lse = lse + ((size_t)b * H + h) * T;
            scores(P, Q, K, &a, scale);
            /* softmax over j ≤ t: subtract the max, exp, divide by the sum */
            COV_PARALLEL_FOR
            for (int t = 0; t < T; t++) {
                float *p = P + (size_t)t * T;
                float max = p[0];
                for (int j = 1; j <= t; j++)
                    if (p[j] > max)
                        max = p[j];
                float sum = 0.0f;
                for (int j = 0; j <= t; j++) {
                    p[j] = expf(p[j] - max);
                    sum += p[j];
                }
                float inv = 1.0f / sum;
                for (int j = 0; j <= t; j++)
                    p[j] *= inv;
                memset(p + t + 1, 0, sizeof(float) * (size_t)(T - t - 1));
                row_lse[t] = max + logf(sum);
            }
            /* O = P·V */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, head_dim, T, 1.0f, P, T,
                        V, (int)a.kvrow, 0.0f, out + (size_t)b * T * a.qrow + (size_t)h * head_dim,
                        (int)a.qrow);
        }
}

void cov_op_attention_backward(float *dq, float *dk, float *dv, float *scratch,
                               const float *dout, const float *out, const float *lse,
                               const float *q, const float *k, const float *v, int B, int T,
                               int H, int KVH, int head_dim)
{
    att_shape a = {T, head_dim, (size_t)H * head_dim, (size_t)KVH * head_dim};
    float scale = 1.0f / sqrtf((float)head_dim);
    float *P = scratch, *dS = scratch + (size_t)T * T;
    memset(dk, 0, sizeof(float) * (size_t)B * T * a.kvrow);
    memset(dv, 0, sizeof(float) * (size_t)B * T * a.kvrow);
    for (int b = 0; b < B; b++)
        for (int h = 0; h < H; h++) {
            int kvh = h / (H / KVH);
            size_t qoff = (size_t)b * T * a.qrow + (size_t)h * head_dim;
            size_t kvoff = (size_t)b * T * a.kvrow + (size_t)kvh * head_dim;
            const float *Q = q + qoff, *O = out + qoff, *dO = dout + qoff;
            const float *K = k + kvoff, *V = v + kvoff;
            const float *row_lse = lse + ((size_t)b * H + h) * T;
            scores(P, Q, K, &a, scale);
            /* dP = dO·Vᵀ */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, head_dim, 1.0f, dO,
                        (int)a.qrow, V, (int)a.kvrow, 0.0f, dS, T);
            /* P = exp(S − lse) (0 above the diagonal);
             * dS = P ⊙ (dP − rowsum(dO⊙O)) · scale, the softmax's gradient
             * with the score scale folded in */
            COV_PARALLEL_FOR
            for (int t = 0; t < T; t++) {
                float *p = P + (size_t)t * T, *ds = dS + (size_t)t * T;
                const float *dot_ = dO + (size_t)t * a.qrow, *ot = O + (size_t)t * a.qrow;
                float rowsum = 0.0f;
                for (int i = 0; i < head_dim; i++)
                    rowsum += dot_[i] * ot[i];
                for (int j = 0; j <= t; j++) {
                    p[j] = expf(p[j] - row_lse[t]);
                    ds[j] = p[j] * (ds[j] - rowsum) * scale;
                }
                memset(p + t + 1, 0, sizeof(float) * (size_t)(T - t - 1));
                memset(ds + t + 1, 0, sizeof(float) * (size_t)(T - t - 1));
            }
            /* dQ = dS·K; dK += dSᵀ·Q; dV += Pᵀ·dO (query heads of one kv
             * head add up in head order) */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, head_dim, T, 1.0f, dS, T,
                        K, (int)a.kvrow, 0.0f, dq + qoff, (int)a.qrow);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, head_dim, T, 1.0f, dS, T, Q,
                        (int)a.qrow, 1.0f, dk + kvoff, (int)a.kvrow);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, head_dim, T, 1.0f, P, T, dO,
                        (int)a.qrow, 1.0f, dv + kvoff, (int)a.kvrow);
        }
}
