/* Rotary position embeddings, Hugging Face Llama's convention (rotate_half).
 * Note the pairing: element i rotates with element i + hd/2 of the same
 * head, not with its neighbour (Meta's original interleaved layout). */
#include "train/ops.h"
#include "train/ops_parallel.h"

#include <math.h>

void cov_op_rope_table(float *cos_t, float *sin_t, int T, int head_dim, float theta)
{
    int half = head_dim / 2;
    for (int i = 0; i < half; i++) {
        /* The same fp32 steps as transformers' default rope init and
         * forward: inv_freq = 1/theta^(2i/hd), angle = pos·inv_freq, both
         * rounded to fp32, so long positions match it too. */
        float inv = 1.0f / powf(theta, (float)(2 * i) / (float)head_dim);
        for (int t = 0; t < T; t++) {
            float angle = (float)t * inv;
            cos_t[(size_t)t * half + i] = (float)cos((double)angle);
            sin_t[(size_t)t * half + i] = (float)sin((double)angle);
        }
    }
}

/* sign = +1 rotates by +angle (forward), -1 by -angle (the transpose). */
static void rotate(float *x, const float *cos_t, const float *sin_t, int B, int T, int H,
                   int head_dim, float sign)
{
    int half = head_dim / 2;
    COV_PARALLEL_FOR_2D
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            const float *c = cos_t + (size_t)t * half, *s = sin_t + (size_t)t * half;
            for (int h = 0; h < H; h++) {
                float *v = x + (((size_t)b * T + t) * H + h) * head_dim;
                for (int i = 0; i < half; i++) {
                    float a = v[i], z = v[i + half], si = sign * s[i];
                    v[i] = a * c[i] - z * si;
                    v[i + half] = z * c[i] + a * si;
                }
            }
        }
}

void cov_op_rope_forward(float *x, const float *cos_t, const float *sin_t, int B, int T,
                         int H, int head_dim)
{
    rotate(x, cos_t, sin_t, B, T, H, head_dim, 1.0f);
}

void cov_op_rope_backward(float *dx, const float *cos_t, const float *sin_t, int B, int T,
                          int H, int head_dim)
{
    /* A rotation's transpose is the rotation by the opposite angle. */
    rotate(dx, cos_t, sin_t, B, T, H, head_dim, -1.0f);
}
