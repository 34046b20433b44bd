/* The SwiGLU feed-forward's gate: silu(gate) ⊙ up. */
#include "train/ops.h"
#include "train/ops_parallel.h"

#include <math.h>

static inline float sigmoid(float g)
{
    return 1.0f / (1.0f + expf(-g));
}

void cov_op_swiglu_forward(float *out, const float *gate, const float *up, size_t n)
{
    COV_PARALLEL_FOR
    for (size_t i = 0; i < n; i++)
        out[i] = gate[i] * sigmoid(gate[i]) * up[i];
}

void cov_op_swiglu_backward(float *dgate, float *dup, const float *dout, const float *gate,
                            const float *up, size_t n)
{
    COV_PARALLEL_FOR
    for (size_t i = 0; i < n; i++) {
        float g = gate[i], s = sigmoid(g);
        dup[i] = dout[i] * g * s;
        /* d silu/dg = σ(g) + g·σ(g)(1 − σ(g)) */
        dgate[i] = dout[i] * up[i] * (s * (1.0f + g * (1.0f - s)));
    }
}
