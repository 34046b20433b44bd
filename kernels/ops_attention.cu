/* Causal grouped-query attention on the GPU, flash-style (train/ops_attention.c's
 * math, without its [T, T] scratch).
 *
 * Forward: one thread per query row, a block per QT query rows of one head;
 * keys and values stream through shared memory in tiles of KT rows, and each
 * thread keeps an online softmax (running max m, running sum l, the weighted
 * sum of values acc[hd]) that it rescales once per tile. The row's
 * log-sum-exp m + log(l) is saved for the backward.
 *
 * Backward (FlashAttention-2's recomputation, without atomics):
 *   1. Drow[t] = Σ dO[t]⊙O[t] per query row,
 *   2. dq: one thread per query row walks its keys j ≤ t:
 *        p = exp(s − lse), ds = p·(dO·v_j − Drow)·scale, dq += ds·k_j,
 *   3. dk, dv: one thread per key row of a kv head walks the query rows
 *      t ≥ j of each query head of its group, in head order:
 *        dk += ds·q_t, dv += p·dO_t.
 * Every sum has one order, so results repeat run to run; the order is not
 * the CPU's sgemm order, so they agree with the CPU to fp32 rounding.
 *
 * Simple rather than fast: scalar fp32 FMAs, no tensor cores, registers of
 * hd floats per thread (spilling at hd = 128). Correctness first; written
 * without a GPU to run it. */
#include "kernels/ops_cuda.h"

#include <math.h>

#define QT 64 /* query rows per block (forward, dq) */
#define KT 32 /* key rows per shared-memory tile */

/* Rows r0 .. r0+KT-1 of two [T, ·] head slices (row stride `stride`) into
 * shared tiles, zeros past T. Waits for the block before (the previous
 * tiles may still be read) and after (the new ones are complete). */
template <int HD>
static __device__ inline void load_tiles(float (*A)[HD], float (*Bt)[HD], const float *a,
                                         const float *b, int r0, int T, size_t stride)
{
    __syncthreads();
    for (int e = threadIdx.x; e < KT * HD; e += blockDim.x) {
        int r = e / HD, c = e % HD, j = r0 + r;
        A[r][c] = j < T ? a[(size_t)j * stride + c] : 0.0f;
        Bt[r][c] = j < T ? b[(size_t)j * stride + c] : 0.0f;
    }
    __syncthreads();
}

template <int HD>
static __global__ void attention_forward_kernel(float *out, float *lse, const float *q,
                                                const float *k, const float *v, int T, int H,
                                                int KVH, float scale)
{
    __shared__ float Ks[KT][HD];
    __shared__ float Vs[KT][HD];
    const int b = blockIdx.z, h = blockIdx.y, kvh = h / (H / KVH);
    const int q0 = blockIdx.x * QT, t = q0 + threadIdx.x;
    const bool valid = t < T;
    const size_t qrow = (size_t)H * HD, kvrow = (size_t)KVH * HD;
    const float *kb = k + (size_t)b * T * kvrow + (size_t)kvh * HD;
    const float *vb = v + (size_t)b * T * kvrow + (size_t)kvh * HD;

    float qr[HD], acc[HD];
    const float *qt = q + ((size_t)b * T + (valid ? t : 0)) * qrow + (size_t)h * HD;
#pragma unroll
    for (int i = 0; i < HD; i++) {
        qr[i] = qt[i];
        acc[i] = 0.0f;
    }
    float m = -INFINITY, l = 0.0f;
    int last = min(T - 1, q0 + QT - 1); /* the last key any row of this block reads */
    for (int k0 = 0; k0 <= last; k0 += KT) {
        load_tiles<HD>(Ks, Vs, kb, vb, k0, T, kvrow);
        if (!valid || k0 > t)
            continue;
        float s[KT];
        float tile_max = -INFINITY;
#pragma unroll
        for (int r = 0; r < KT; r++) {
            float dot = 0.0f;
#pragma unroll
            for (int i = 0; i < HD; i++)
                dot += qr[i] * Ks[r][i];
            s[r] = dot * scale;
            if (k0 + r <= t)
                tile_max = fmaxf(tile_max, s[r]);
        }
        float m_new = fmaxf(m, tile_max);   /* finite: key k0 ≤ t is in the tile */
        float corr = expf(m - m_new);       /* 0 on the first tile (m = −inf) */
        l *= corr;
#pragma unroll
        for (int i = 0; i < HD; i++)
            acc[i] *= corr;
#pragma unroll
        for (int r = 0; r < KT; r++) {
            float p = k0 + r <= t ? expf(s[r] - m_new) : 0.0f;
            l += p;
#pragma unroll
            for (int i = 0; i < HD; i++)
                acc[i] += p * Vs[r][i];
        }
        m = m_new;
    }
    if (!valid)
        return;
    float *ot = out + ((size_t)b * T + t) * qrow + (size_t)h * HD;
    float inv = 1.0f / l;
#pragma unroll
    for (int i = 0; i < HD; i++)
        ot[i] = acc[i] * inv;
    lse[((size_t)b * H + h) * T + t] = m + logf(l);
}

/* Drow[b,h,t] = Σ_i dO[b,t,h,i]·O[b,t,h,i], summed in order in fp32 as the CPU does. */
static __global__ void attention_rowdot_kernel(float *drow, const float *dout, const float *out,
                                               int B, int T, int H, int hd)
{
    size_t rows = (size_t)B * H * T;
    for (size_t r = blockIdx.x * (size_t)blockDim.x + threadIdx.x; r < rows;
         r += (size_t)gridDim.x * blockDim.x) {
        int t = (int)(r % T);
        size_t bh = r / T;
        int h = (int)(bh % H), b = (int)(bh / H);
        size_t off = ((size_t)b * T + t) * (size_t)H * hd + (size_t)h * hd;
        float s = 0.0f;
        for (int i = 0; i < hd; i++)
            s = __fadd_rn(s, __fmul_rn(dout[off + i], out[off + i]));
        drow[r] = s;
    }
}

template <int HD>
static __global__ void attention_dq_kernel(float *dq, const float *dout, const float *lse,
                                           const float *drow, const float *q, const float *k,
                                           const float *v, int T, int H, int KVH, float scale)
{
    __shared__ float Ks[KT][HD];
    __shared__ float Vs[KT][HD];
    const int b = blockIdx.z, h = blockIdx.y, kvh = h / (H / KVH);
    const int q0 = blockIdx.x * QT, t = q0 + threadIdx.x;
    const bool valid = t < T;
    const size_t qrow = (size_t)H * HD, kvrow = (size_t)KVH * HD;
    const float *kb = k + (size_t)b * T * kvrow + (size_t)kvh * HD;
    const float *vb = v + (size_t)b * T * kvrow + (size_t)kvh * HD;
    size_t qoff = ((size_t)b * T + (valid ? t : 0)) * qrow + (size_t)h * HD;
    size_t roff = ((size_t)b * H + h) * T + (valid ? t : 0);

    float qr[HD], dor[HD], acc[HD];
#pragma unroll
    for (int i = 0; i < HD; i++) {
        qr[i] = q[qoff + i];
        dor[i] = dout[qoff + i];
        acc[i] = 0.0f;
    }
    float row_lse = lse[roff], D = drow[roff];
    int last = min(T - 1, q0 + QT - 1);
    for (int k0 = 0; k0 <= last; k0 += KT) {
        load_tiles<HD>(Ks, Vs, kb, vb, k0, T, kvrow);
        if (!valid || k0 > t)
            continue;
        for (int r = 0; r < KT && k0 + r <= t; r++) {
            float s = 0.0f, dp = 0.0f;
#pragma unroll
            for (int i = 0; i < HD; i++) {
                s += qr[i] * Ks[r][i];
                dp += dor[i] * Vs[r][i];
            }
            float p = expf(s * scale - row_lse);
            float ds = p * (dp - D) * scale;
#pragma unroll
            for (int i = 0; i < HD; i++)
                acc[i] += ds * Ks[r][i];
        }
    }
    if (!valid)
        return;
#pragma unroll
    for (int i = 0; i < HD; i++)
        dq[qoff + i] = acc[i];
}

/* One thread per key row j of kv head kvh; blocks of KT keys. */
template <int HD>
static __global__ void attention_dkdv_kernel(float *dk, float *dv, const float *dout,
                                             const float *lse, const float *drow,
                                             const float *q, const float *k, const float *v,
                                             int T, int H, int KVH, float scale)
{
    __shared__ float Qs[KT][HD];
    __shared__ float dOs[KT][HD];
    __shared__ float Ls[KT], Ds[KT];
    const int b = blockIdx.z, kvh = blockIdx.y, group = H / KVH;
    const int j0 = blockIdx.x * KT, j = j0 + threadIdx.x;
    const bool valid = j < T;
    const size_t qrow = (size_t)H * HD, kvrow = (size_t)KVH * HD;
    size_t kvoff = ((size_t)b * T + (valid ? j : 0)) * kvrow + (size_t)kvh * HD;

    float kr[HD], vr[HD], dkr[HD], dvr[HD];
#pragma unroll
    for (int i = 0; i < HD; i++) {
        kr[i] = k[kvoff + i];
        vr[i] = v[kvoff + i];
        dkr[i] = 0.0f;
        dvr[i] = 0.0f;
    }
    for (int h = kvh * group; h < (kvh + 1) * group; h++) {
        const float *qb = q + (size_t)b * T * qrow + (size_t)h * HD;
        const float *db = dout + (size_t)b * T * qrow + (size_t)h * HD;
        const float *lb = lse + ((size_t)b * H + h) * T;
        const float *rb = drow + ((size_t)b * H + h) * T;
        for (int t0 = j0; t0 < T; t0 += KT) { /* only queries t ≥ j0 see these keys */
            __syncthreads(); /* Ls, Ds of the previous tile are no longer read */
            for (int r = threadIdx.x; r < KT; r += blockDim.x) {
                Ls[r] = t0 + r < T ? lb[t0 + r] : 0.0f;
                Ds[r] = t0 + r < T ? rb[t0 + r] : 0.0f;
            }
            load_tiles<HD>(Qs, dOs, qb, db, t0, T, qrow);
            if (!valid)
                continue;
            for (int r = 0; r < KT && t0 + r < T; r++) {
                if (t0 + r < j)
                    continue; /* causal: query t sees keys ≤ t */
                float s = 0.0f, dp = 0.0f;
#pragma unroll
                for (int i = 0; i < HD; i++) {
                    s += Qs[r][i] * kr[i];
                    dp += dOs[r][i] * vr[i];
                }
                float p = expf(s * scale - Ls[r]);
                float ds = p * (dp - Ds[r]) * scale;
#pragma unroll
                for (int i = 0; i < HD; i++) {
                    dkr[i] += ds * Qs[r][i];
                    dvr[i] += p * dOs[r][i];
                }
            }
        }
    }
    if (!valid)
        return;
#pragma unroll
    for (int i = 0; i < HD; i++) {
        dk[kvoff + i] = dkr[i];
        dv[kvoff + i] = dvr[i];
    }
}

static cov_status check_shape(const char *what, int B, int T, int H, int KVH, int hd,
                              cov_err *err)
{
    if (B <= 0 || T <= 0 || H <= 0 || KVH <= 0 || H % KVH)
        return cov_fail(err, COV_ERR_ARG,
                        "%s: B %d, T %d, H %d, KVH %d must be positive with KVH dividing H",
                        what, B, T, H, KVH);
    if (hd != 8 && hd != 16 && hd != 32 && hd != 64 && hd != 96 && hd != 128)
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "%s: head dimension %d has no kernel (8, 16, 32, 64, 96 or 128); add "
                        "an instantiation in kernels/ops_attention.cu",
                        what, hd);
    if ((size_t)B * H > 65535u * 65535u || H > 65535 || B > 65535)
        return cov_fail(err, COV_ERR_TOO_BIG, "%s: B %d or H %d too large for the grid", what,
                        B, H);
    return COV_OK;
}

template <int HD>
static void launch_forward(cov_cuda_ctx *ctx, float *out, float *lse, const float *q,
                           const float *k, const float *v, int B, int T, int H, int KVH)
{
    dim3 grid((T + QT - 1) / QT, H, B);
    attention_forward_kernel<HD><<<grid, QT, 0, ctx->stream>>>(out, lse, q, k, v, T, H, KVH,
                                                               1.0f / sqrtf((float)HD));
}

template <int HD>
static void launch_backward(cov_cuda_ctx *ctx, float *dq, float *dk, float *dv,
                            const float *drow, const float *dout, const float *lse,
                            const float *q, const float *k, const float *v, int B, int T,
                            int H, int KVH)
{
    float scale = 1.0f / sqrtf((float)HD);
    dim3 gq((T + QT - 1) / QT, H, B);
    attention_dq_kernel<HD><<<gq, QT, 0, ctx->stream>>>(dq, dout, lse, drow, q, k, v, T, H, KVH,
                                                        scale);
    dim3 gk((T + KT - 1) / KT, KVH, B);
    attention_dkdv_kernel<HD><<<gk, KT, 0, ctx->stream>>>(dk, dv, dout, lse, drow, q, k, v, T, H,
                                                          KVH, scale);
}

extern "C" cov_status cov_cuda_attention_forward(cov_cuda_ctx *ctx, float *out, float *lse,
                                                 const float *q, const float *k, const float *v,
                                                 int B, int T, int H, int KVH, int head_dim,
                                                 cov_err *err)
{
    cov_status st = check_shape("GPU attention forward", B, T, H, KVH, head_dim, err);
    if (st != COV_OK)
        return st;
    switch (head_dim) {
    case 8: launch_forward<8>(ctx, out, lse, q, k, v, B, T, H, KVH); break;
    case 16: launch_forward<16>(ctx, out, lse, q, k, v, B, T, H, KVH); break;
    case 32: launch_forward<32>(ctx, out, lse, q, k, v, B, T, H, KVH); break;
    case 64: launch_forward<64>(ctx, out, lse, q, k, v, B, T, H, KVH); break;
    case 96: launch_forward<96>(ctx, out, lse, q, k, v, B, T, H, KVH); break;
    default: launch_forward<128>(ctx, out, lse, q, k, v, B, T, H, KVH); break;
    }
    COV_CUDA_LAUNCHED(err, "GPU attention forward");
    return COV_OK;
}

extern "C" cov_status cov_cuda_attention_backward(cov_cuda_ctx *ctx, float *dq, float *dk,
                                                  float *dv, float *scratch, const float *dout,
                                                  const float *out, const float *lse,
                                                  const float *q, const float *k,
                                                  const float *v, int B, int T, int H, int KVH,
                                                  int head_dim, cov_err *err)
{
    cov_status st = check_shape("GPU attention backward", B, T, H, KVH, head_dim, err);
    if (st != COV_OK)
        return st;
    size_t rows = (size_t)B * H * T;
    attention_rowdot_kernel<<<cov_cuda_blocks(rows, 256), 256, 0, ctx->stream>>>(
        scratch, dout, out, B, T, H, head_dim);
    COV_CUDA_LAUNCHED(err, "GPU attention backward (row dots)");
    switch (head_dim) {
    case 8: launch_backward<8>(ctx, dq, dk, dv, scratch, dout, lse, q, k, v, B, T, H, KVH); break;
    case 16: launch_backward<16>(ctx, dq, dk, dv, scratch, dout, lse, q, k, v, B, T, H, KVH); break;
    case 32: launch_backward<32>(ctx, dq, dk, dv, scratch, dout, lse, q, k, v, B, T, H, KVH); break;
    case 64: launch_backward<64>(ctx, dq, dk, dv, scratch, dout, lse, q, k, v, B, T, H, KVH); break;
    case 96: launch_backward<96>(ctx, dq, dk, dv, scratch, dout, lse, q, k, v, B, T, H, KVH); break;
    default: launch_backward<128>(ctx, dq, dk, dv, scratch, dout, lse, q, k, v, B, T, H, KVH); break;
    }
    COV_CUDA_LAUNCHED(err, "GPU attention backward");
    return COV_OK;
}
