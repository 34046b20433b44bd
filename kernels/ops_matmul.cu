/* Linear layers through cuBLASLt (train/ops_matmul.c's contract).
 *
 * cuBLASLt is column-major; a row-major [R, C] matrix is the column-major
 * [C, R] one with the same bytes. So, for y[M,N] = x[M,K]·w[N,K]ᵀ:
 *   forward   yᶜ[N,M]  = op(wᶜ[K,N])ᵀ · xᶜ[K,M]        (m=N, n=M, k=K)
 *   dx        dxᶜ[K,M] = wᶜ[K,N] · dyᶜ[N,M]             (m=K, n=M, k=N)
 *   dw        dwᶜ[K,N] += xᶜ[K,M] · op(dyᶜ[N,M])ᵀ       (m=K, n=N, k=M)
 * Compute type CUBLAS_COMPUTE_32F (fp32 accumulation, never TF32), fp32
 * output; operands fp32 or bf16. Descriptors are made per call (cheap,
 * host-side); the heuristic's algorithm is cached per shape. Not yet run
 * on a GPU. */
#include "kernels/ops_cuda.h"

#include <cublasLt.h>

#include <stdlib.h>
#include <string.h>

#define LT_TRY(call, what)                                                                 \
    do {                                                                                   \
        cublasStatus_t s_ = (call);                                                        \
        if (s_ != CUBLAS_STATUS_SUCCESS) {                                                 \
            st = cov_fail(err, COV_ERR_UNSUPPORTED, "%s: %s failed (%s)", what, #call,    \
                          cublasLtGetStatusName(s_));                                      \
            goto done;                                                                     \
        }                                                                                  \
    } while (0)

/* The largest power of two (≤ 256) that divides the address: what the
 * heuristic may assume about a pointer. */
static uint32_t alignment_of(const void *p)
{
    uintptr_t a = (uintptr_t)p;
    uint32_t al = 256;
    while (al > 1 && (a % al) != 0)
        al >>= 1;
    return al;
}

/* The heuristic's choice for one product shape, kept per context: asking
 * cuBLASLt again on every call costs more than small matmuls do. The key
 * is everything the choice depends on; a full cache is simply not added to. */
typedef struct {
    int type, ta, tb, m, n, k, lda, ldb, ldc;
    uint32_t al_a, al_b, al_c;
} algo_key;

typedef struct {
    algo_key key;
    cublasLtMatmulAlgo_t algo;
} algo_entry;

#define ALGO_CACHE 256
typedef struct {
    int count;
    algo_entry e[ALGO_CACHE];
} algo_cache;

static const cublasLtMatmulAlgo_t *cache_find(cov_cuda_ctx *ctx, const algo_key *k)
{
    algo_cache *c = (algo_cache *)ctx->lt_cache;
    for (int i = 0; c && i < c->count; i++)
        if (memcmp(&c->e[i].key, k, sizeof *k) == 0)
            return &c->e[i].algo;
    return NULL;
}

static void cache_add(cov_cuda_ctx *ctx, const algo_key *k, const cublasLtMatmulAlgo_t *algo)
{
    if (!ctx->lt_cache)
        ctx->lt_cache = calloc(1, sizeof(algo_cache));
    algo_cache *c = (algo_cache *)ctx->lt_cache;
    if (!c || c->count == ALGO_CACHE)
        return;
    c->e[c->count].key = *k;
    c->e[c->count].algo = *algo;
    c->count++;
}

typedef struct {
    bool trans;      /* op(X) = Xᵀ */
    const void *ptr; /* stored column-major, rows × cols, leading dimension ld */
    int rows, cols, ld;
} lt_operand;

/* C[m,n] = alpha·op(A)·op(B) + beta·C, fp32 C. */
static cov_status lt_gemm(cov_cuda_ctx *ctx, cudaDataType_t ab_type, lt_operand A, lt_operand B,
                          float *C, int m, int n, int ldc, float beta, const char *what,
                          cov_err *err)
{
    cov_status st = COV_OK;
    cublasLtMatmulDesc_t op = NULL;
    cublasLtMatrixLayout_t la = NULL, lb = NULL, lc = NULL;
    cublasLtMatmulPreference_t pref = NULL;
    cublasLtMatmulHeuristicResult_t result;
    int returned = 0;
    float alpha = 1.0f;
    cublasOperation_t ta = A.trans ? CUBLAS_OP_T : CUBLAS_OP_N;
    cublasOperation_t tb = B.trans ? CUBLAS_OP_T : CUBLAS_OP_N;
    uint64_t ws = ctx->workspace_bytes;
    uint32_t al_a = alignment_of(A.ptr), al_b = alignment_of(B.ptr), al_c = alignment_of(C);
    algo_key key;
    const cublasLtMatmulAlgo_t *cached = NULL;

    if (!ctx->lt)
        return cov_fail(err, COV_ERR_UNSUPPORTED, "%s: the context has no cuBLASLt handle", what);
    LT_TRY(cublasLtMatmulDescCreate(&op, CUBLAS_COMPUTE_32F, CUDA_R_32F), what);
    LT_TRY(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta), what);
    LT_TRY(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb), what);
    LT_TRY(cublasLtMatrixLayoutCreate(&la, ab_type, A.rows, A.cols, A.ld), what);
    LT_TRY(cublasLtMatrixLayoutCreate(&lb, ab_type, B.rows, B.cols, B.ld), what);
    LT_TRY(cublasLtMatrixLayoutCreate(&lc, CUDA_R_32F, m, n, ldc), what);
    memset(&key, 0, sizeof key); /* compared with memcmp: no stray padding bytes */
    key.type = (int)ab_type;
    key.ta = A.trans;
    key.tb = B.trans;
    key.m = m;
    key.n = n;
    key.k = A.trans ? A.rows : A.cols;
    key.lda = A.ld;
    key.ldb = B.ld;
    key.ldc = ldc;
    key.al_a = al_a;
    key.al_b = al_b;
    key.al_c = al_c;
    cached = cache_find(ctx, &key);
    if (cached) {
        result.algo = *cached;
        goto run;
    }
    LT_TRY(cublasLtMatmulPreferenceCreate(&pref), what);
    LT_TRY(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                &ws, sizeof ws),
           what);
    LT_TRY(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES,
                                                &al_a, sizeof al_a),
           what);
    LT_TRY(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
                                                &al_b, sizeof al_b),
           what);
    LT_TRY(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES,
                                                &al_c, sizeof al_c),
           what);
    LT_TRY(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES,
                                                &al_c, sizeof al_c),
           what);
    LT_TRY(cublasLtMatmulAlgoGetHeuristic((cublasLtHandle_t)ctx->lt, op, la, lb, lc, lc, pref, 1,
                                          &result, &returned),
           what);
    if (returned == 0) {
        st = cov_fail(err, COV_ERR_UNSUPPORTED,
                      "%s: cuBLASLt has no algorithm for this %d x %d x %d product", what, m, n,
                      A.trans ? A.rows : A.cols);
        goto done;
    }
    cache_add(ctx, &key, &result.algo);
run:
    LT_TRY(cublasLtMatmul((cublasLtHandle_t)ctx->lt, op, &alpha, A.ptr, la, B.ptr, lb, &beta, C,
                          lc, C, lc, &result.algo, ctx->workspace, ctx->workspace_bytes,
                          ctx->stream),
           what);
done:
    if (pref)
        cublasLtMatmulPreferenceDestroy(pref);
    if (lc)
        cublasLtMatrixLayoutDestroy(lc);
    if (lb)
        cublasLtMatrixLayoutDestroy(lb);
    if (la)
        cublasLtMatrixLayoutDestroy(la);
    if (op)
        cublasLtMatmulDescDestroy(op);
    return st;
}

static cov_status check_shape(const char *what, int M, int K, int N, cov_err *err)
{
    if (M <= 0 || K <= 0 || N <= 0)
        return cov_fail(err, COV_ERR_ARG, "%s: M %d, K %d, N %d must be positive", what, M, K, N);
    return COV_OK;
}

static cov_status forward(cov_cuda_ctx *ctx, cudaDataType_t type, float *y, const void *x,
                          const void *w, int M, int K, int N, bool accumulate, cov_err *err)
{
    cov_status st = check_shape("GPU matmul forward", M, K, N, err);
    if (st != COV_OK)
        return st;
    lt_operand A = {true, w, K, N, K};  /* wᶜ [K,N], transposed */
    lt_operand B = {false, x, K, M, K}; /* xᶜ [K,M] */
    return lt_gemm(ctx, type, A, B, y, N, M, N, accumulate ? 1.0f : 0.0f, "GPU matmul forward",
                   err);
}

static cov_status backward(cov_cuda_ctx *ctx, cudaDataType_t type, float *dx, float *dw,
                           const void *dy, const void *x, const void *w, int M, int K, int N,
                           bool accumulate_dx, cov_err *err)
{
    cov_status st = check_shape("GPU matmul backward", M, K, N, err);
    if (st != COV_OK)
        return st;
    if (dx) {
        lt_operand A = {false, w, K, N, K};  /* wᶜ [K,N] */
        lt_operand B = {false, dy, N, M, N}; /* dyᶜ [N,M] */
        st = lt_gemm(ctx, type, A, B, dx, K, M, K, accumulate_dx ? 1.0f : 0.0f,
                     "GPU matmul backward (dx)", err);
        if (st != COV_OK)
            return st;
    }
    lt_operand A = {false, x, K, M, K}; /* xᶜ [K,M] */
    lt_operand B = {true, dy, N, M, N}; /* dyᶜ [N,M], transposed */
    return lt_gemm(ctx, type, A, B, dw, K, N, K, 1.0f, "GPU matmul backward (dw)", err);
}

extern "C" cov_status cov_cuda_matmul_forward(cov_cuda_ctx *ctx, float *y, const float *x,
                                              const float *w, int M, int K, int N,
                                              bool accumulate, cov_err *err)
{
    return forward(ctx, CUDA_R_32F, y, x, w, M, K, N, accumulate, err);
}

extern "C" cov_status cov_cuda_matmul_backward(cov_cuda_ctx *ctx, float *dx, float *dw,
                                               const float *dy, const float *x, const float *w,
                                               int M, int K, int N, bool accumulate_dx,
                                               cov_err *err)
{
    return backward(ctx, CUDA_R_32F, dx, dw, dy, x, w, M, K, N, accumulate_dx, err);
}

extern "C" cov_status cov_cuda_matmul_forward_bf16(cov_cuda_ctx *ctx, float *y,
                                                   const cov_bf16 *x, const cov_bf16 *w, int M,
                                                   int K, int N, bool accumulate, cov_err *err)
{
    return forward(ctx, CUDA_R_16BF, y, x, w, M, K, N, accumulate, err);
}

extern "C" cov_status cov_cuda_matmul_backward_bf16(cov_cuda_ctx *ctx, float *dx, float *dw,
                                                    const cov_bf16 *dy, const cov_bf16 *x,
                                                    const cov_bf16 *w, int M, int K, int N,
                                                    bool accumulate_dx, cov_err *err)
{
    return backward(ctx, CUDA_R_16BF, dx, dw, dy, x, w, M, K, N, accumulate_dx, err);
}
