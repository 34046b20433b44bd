/* Causal grouped-query attention, computed row by row. The softmax is the
 * textbook one (subtract the row max, exp, divide by the sum) done in two
 * passes over the keys, so no [T, T] buffer is needed and the backward
 * recomputes the probabilities from the saved log-sum-exp. */
#include "train/ops.h"
#include "train/ops_parallel.h"

#include <math.h>
#include <string.h>

/* A dot product in 8 interleaved partial sums, added up in a fixed order:
 * the compiler can vectorize it (a single running sum it may not reorder),
 * and the result is still the same every run. */
#define DOT_LANES 8
static inline float dot(const float *a, const float *b, int n)
{
    float lane[DOT_LANES] = {0};
    int i = 0;
    for (; i + DOT_LANES <= n; i += DOT_LANES)
        for (int l = 0; l < DOT_LANES; l++)
            lane[l] += a[i + l] * b[i + l];
    float s = 0.0f;
    for (int l = 0; l < DOT_LANES; l++)
        s += lane[l];
    for (; i < n; i++)
        s += a[i] * b[i];
    return s;
}

void cov_op_attention_forward(float *out, float *lse, const float *q, const float *k,
                              const float *v, int B, int T, int H, int KVH, int head_dim)
{
    int group = H / KVH;
    float scale = 1.0f / sqrtf((float)head_dim);
    size_t qrow = (size_t)H * head_dim, kvrow = (size_t)KVH * head_dim;
    COV_PARALLEL_FOR_2D
    for (int b = 0; b < B; b++)
        for (int h = 0; h < H; h++) {
            int kvh = h / group;
            const float *kb = k + (size_t)b * T * kvrow + (size_t)kvh * head_dim;
            const float *vb = v + (size_t)b * T * kvrow + (size_t)kvh * head_dim;
            for (int t = 0; t < T; t++) {
                const float *qt = q + ((size_t)b * T + t) * qrow + (size_t)h * head_dim;
                float *ot = out + ((size_t)b * T + t) * qrow + (size_t)h * head_dim;
                float max = -INFINITY;
                for (int j = 0; j <= t; j++) {
                    float s = dot(qt, kb + j * kvrow, head_dim) * scale;
                    if (s > max)
                        max = s;
                }
                memset(ot, 0, sizeof(float) * (size_t)head_dim);
                float sum = 0.0f;
                for (int j = 0; j <= t; j++) {
                    float p = expf(dot(qt, kb + j * kvrow, head_dim) * scale - max);
                    sum += p;
                    const float *vj = vb + j * kvrow;
                    for (int i = 0; i < head_dim; i++)
                        ot[i] += p * vj[i];
                }
                float inv = 1.0f / sum;
                for (int i = 0; i < head_dim; i++)
                    ot[i] *= inv;
                lse[((size_t)b * H + h) * T + t] = max + logf(sum);
            }
        }
}

void cov_op_attention_backward(float *dq, float *dk, float *dv, const float *dout,
                               const float *out, const float *lse, const float *q,
                               const float *k, const float *v, int B, int T, int H, int KVH,
                               int head_dim)
{
    int group = H / KVH;
    float scale = 1.0f / sqrtf((float)head_dim);
    size_t qrow = (size_t)H * head_dim, kvrow = (size_t)KVH * head_dim;
    /* One (batch, kv head) per iteration: its dk and dv rows belong to that
     * iteration alone, and its query heads add into them in a fixed order. */
    COV_PARALLEL_FOR_2D
    for (int b = 0; b < B; b++)
        for (int kvh = 0; kvh < KVH; kvh++) {
            const float *kb = k + (size_t)b * T * kvrow + (size_t)kvh * head_dim;
            const float *vb = v + (size_t)b * T * kvrow + (size_t)kvh * head_dim;
            float *dkb = dk + (size_t)b * T * kvrow + (size_t)kvh * head_dim;
            float *dvb = dv + (size_t)b * T * kvrow + (size_t)kvh * head_dim;
            for (int j = 0; j < T; j++) {
                memset(dkb + j * kvrow, 0, sizeof(float) * (size_t)head_dim);
                memset(dvb + j * kvrow, 0, sizeof(float) * (size_t)head_dim);
            }
            for (int h = kvh * group; h < (kvh + 1) * group; h++)
                for (int t = 0; t < T; t++) {
                    size_t at = ((size_t)b * T + t) * qrow + (size_t)h * head_dim;
                    const float *qt = q + at, *dot_ = dout + at, *ot = out + at;
                    float *dqt = dq + at;
                    float l = lse[((size_t)b * H + h) * T + t];
                    /* rowsum(P ⊙ dP) = dout · out */
                    float rowsum = dot(dot_, ot, head_dim);
                    memset(dqt, 0, sizeof(float) * (size_t)head_dim);
                    for (int j = 0; j <= t; j++) {
                        const float *kj = kb + j * kvrow, *vj = vb + j * kvrow;
                        float p = expf(dot(qt, kj, head_dim) * scale - l);
                        float ds = p * (dot(dot_, vj, head_dim) - rowsum) * scale;
                        float *dkj = dkb + j * kvrow, *dvj = dvb + j * kvrow;
                        for (int i = 0; i < head_dim; i++) {
                            dqt[i] += ds * kj[i];
                            dkj[i] += ds * qt[i];
                            dvj[i] += p * dot_[i];
                        }
                    }
                }
        }
}
