/* SparseLoCo on the GPU (kernels/sparseloco_cuda.h) against the CPU
 * reference (train/sparseloco.h, train/pgrad.h) on fresh random tensors of
 * the shapes the CPU tests use: 2-D divisible by 64 and not, a prime row
 * count over 64, 1-D divisible, 1-D prime over 64 (k = 1) and under it, and
 * a tensor full of ties. Checks, with the tolerance next to each:
 *   - compression, two windows (the EF carried): indices, codes and packed
 *     bytes IDENTICAL; shift, scale, lookup within 1 ulp (double sums in
 *     another order, rounded to float once: identical unless a sum lies
 *     within ~1e-16 relative of a float rounding boundary); the EF after
 *     the window within 1 ulp + 1e-7·max|e| (identical when the statistics
 *     are);
 *   - the model-level compressor's file encodes to the CPU's bytes;
 *   - the outer step over 4 decoded peers and the validator's single-peer
 *     step give θ within 1 ulp of the CPU's (the same float operations in
 *     the same order: 0 expected where the CPU build does not contract
 *     a·b + c into an FMA);
 *   - a NaN in Δ fails and zeroes the EF; a non-finite Δ̄ is skipped with
 *     θ untouched; an index outside its chunk is refused with θ untouched;
 *   - a failure in the middle of a model-level call (one GPU batch) stops
 *     there: the tensors before it done, the ones after it untouched.
 * Outputs are poisoned before every GPU run: the host results (0xAB bytes,
 * NaN floats) and every device workspace (0xFF bytes: NaN, index 0xFFFF,
 * code 255).
 * Without a GPU: "skipped: no GPU", exit 77. */
#include "kernels/sparseloco_cuda.h"
#include "tests/gpu/gpu_test.h"
#include "train/pgrad.h"
#include "train/sparseloco.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cov_cuda_ctx *ctx;
static uint64_t rng = 0x5EED5EEDull;

static double unit(void) /* (0, 1) */
{
    return ((double)(gpu_test_next(&rng) >> 11) + 0.5) * 0x1p-53;
}
static float normal(void)
{
    return (float)(sqrt(-2.0 * log(unit())) * cos(6.283185307179586 * unit()));
}

/* Standard normal, or (ties) quarter steps in −2..2 so |e| repeats a lot. */
static void fill(float *x, size_t n, int ties)
{
    for (size_t i = 0; i < n; i++)
        x[i] = ties ? (float)((int)(unit() * 17.0) - 8) * 0.25f : normal();
}

/* Distance in representable floats (both finite). */
static uint32_t ulps(float a, float b)
{
    int32_t ia, ib;
    memcpy(&ia, &a, 4);
    memcpy(&ib, &b, 4);
    if (ia < 0)
        ia = (int32_t)(0x80000000u - (uint32_t)ia);
    if (ib < 0)
        ib = (int32_t)(0x80000000u - (uint32_t)ib);
    return ia > ib ? (uint32_t)(ia - ib) : (uint32_t)(ib - ia);
}

static float *dev_upload(const float *h, size_t n)
{
    return gpu_test_dev(ctx, h, n);
}

static void dev_download(float *h, const float *d, size_t n)
{
    GPU_OK(cov_cuda_download(ctx, h, d, n * sizeof *h, &gpu_err));
}

static void poison(cov_sparseloco_tensor *t)
{
    memset(t->idx, 0xAB, t->geom.n_kept * sizeof *t->idx);
    memset(t->codes, 0xAB, t->geom.n_kept);
    memset(t->packed, 0xAB, t->geom.packed_len);
    t->shift = t->scale = NAN;
    for (int b = 0; b < COV_SPARSELOCO_MAX_BINS; b++)
        t->lookup[b] = NAN;
}

typedef struct {
    const char *name;
    int ndim;
    int64_t r, c;
    int ties;
} shape_case;

static const shape_case cases[] = {
    {"w64", 2, 256, 320, 0},       /* 64x64 chunks */
    {"odd", 2, 100, 70, 0},        /* 50x35 chunks */
    {"prime_rows", 2, 67, 130, 0}, /* 1x26 chunks */
    {"tiny", 2, 5, 7, 0},          /* one 5x7 chunk, k = 34 */
    {"vec", 1, 4096, 0, 0},        /* 64 chunks of 64 */
    {"vec_prime", 1, 97, 0, 0},    /* chunks of 1, k = 1 */
    {"vec_small", 1, 37, 0, 0},    /* one chunk of 37, k = 36 */
    {"ties", 2, 128, 192, 1},
};
#define N_CASES (sizeof cases / sizeof cases[0])

static size_t numel_of(const shape_case *c)
{
    return (size_t)c->r * (size_t)(c->ndim == 2 ? c->c : 1);
}

static void view_of(cov_tensor_view *v, const shape_case *c, float *data)
{
    memset(v, 0, sizeof *v);
    snprintf(v->name, sizeof v->name, "%s.weight", c->name);
    v->ndim = c->ndim;
    v->shape[0] = c->r;
    v->shape[1] = c->ndim == 2 ? c->c : 0;
    v->numel = numel_of(c);
    v->data = data;
}

/* CPU and GPU outputs of one tensor compared as the header says. */
static void compare_tensor(const char *what, const cov_sparseloco_tensor *cpu,
                           const cov_sparseloco_tensor *gpu)
{
    const cov_sparseloco_geom *g = &cpu->geom;
    GPU_CHECK(memcmp(cpu->idx, gpu->idx, g->n_kept * sizeof *cpu->idx) == 0,
              "%s: indices differ", what);
    GPU_CHECK(memcmp(cpu->codes, gpu->codes, g->n_kept) == 0, "%s: codes differ", what);
    GPU_CHECK(memcmp(cpu->packed, gpu->packed, g->packed_len) == 0, "%s: packed bytes differ",
              what);
    GPU_CHECK(ulps(cpu->shift, gpu->shift) <= 1, "%s: shift %.9g vs %.9g", what,
              (double)cpu->shift, (double)gpu->shift);
    GPU_CHECK(ulps(cpu->scale, gpu->scale) <= 1, "%s: scale %.9g vs %.9g", what,
              (double)cpu->scale, (double)gpu->scale);
    for (int b = 0; b < cpu->n_bins; b++)
        GPU_CHECK(ulps(cpu->lookup[b], gpu->lookup[b]) <= 1, "%s: lookup[%d] %.9g vs %.9g", what,
                  b, (double)cpu->lookup[b], (double)gpu->lookup[b]);
}

static void compare_floats(const char *what, const float *cpu, const float *gpu, size_t n,
                           float abs_tol)
{
    size_t bad = 0, differ = 0;
    for (size_t i = 0; i < n; i++) {
        if (memcmp(&cpu[i], &gpu[i], sizeof(float)) != 0)
            differ++;
        /* written so that a NaN (a poisoned, unwritten element) fails */
        if (ulps(cpu[i], gpu[i]) > 1 && !(fabsf(cpu[i] - gpu[i]) <= abs_tol)) {
            if (bad++ < 3)
                fprintf(stderr, "  %s[%zu]: cpu %.9g gpu %.9g\n", what, i, (double)cpu[i],
                        (double)gpu[i]);
        }
    }
    GPU_CHECK(bad == 0, "%s: %zu of %zu elements out of tolerance", what, bad, n);
    printf("  %-28s %zu elements, %zu not bit-identical\n", what, n, differ);
}

static float max_abs(const float *x, size_t n)
{
    float m = 0.0f;
    for (size_t i = 0; i < n; i++)
        m = fabsf(x[i]) > m ? fabsf(x[i]) : m;
    return m;
}

/* Two windows of one tensor on both sides, the EF carried. */
static void compress_case(cov_sparseloco *cpu, cov_sparseloco_cuda *gpu,
                          const cov_sparseloco_config *cfg, const shape_case *c)
{
    size_t n = numel_of(c);
    int64_t shape[2] = {c->r, c->c};
    cov_sparseloco_geom g;
    GPU_OK(cov_sparseloco_geom_init(&g, c->ndim, shape, cfg, &gpu_err));
    cov_sparseloco_tensor tc, tg;
    GPU_OK(cov_sparseloco_tensor_alloc(&tc, c->name, &g, cfg->quant_bins, &gpu_err));
    GPU_OK(cov_sparseloco_tensor_alloc(&tg, c->name, &g, cfg->quant_bins, &gpu_err));
    float *ef = gpu_test_host(n), *delta = gpu_test_host(n), *back = gpu_test_host(n);
    fill(ef, n, c->ties); /* a non-zero EF from an earlier window */
    float *d_ef = dev_upload(ef, n), *d_delta = NULL;
    for (int window = 0; window < 2; window++) {
        fill(delta, n, c->ties);
        if (d_delta)
            cov_cuda_free(d_delta);
        d_delta = dev_upload(delta, n);
        GPU_OK(cov_sparseloco_compress(cpu, &tc, ef, delta, &gpu_err));
        poison(&tg);
        GPU_OK(cov_sparseloco_cuda_poison(gpu, &gpu_err));
        GPU_OK(cov_sparseloco_cuda_compress(gpu, &tg, d_ef, d_delta, &gpu_err));
        char what[96];
        snprintf(what, sizeof what, "%s window %d", c->name, window);
        compare_tensor(what, &tc, &tg);
        dev_download(back, d_ef, n);
        snprintf(what, sizeof what, "%s EF after window %d", c->name, window);
        compare_floats(what, ef, back, n, 1e-7f * max_abs(ef, n));
    }
    cov_cuda_free(d_ef);
    cov_cuda_free(d_delta);
    free(ef);
    free(delta);
    free(back);
    cov_sparseloco_tensor_free(&tc);
    cov_sparseloco_tensor_free(&tg);
}

/* Host and device copies of one random tensor per case. */
typedef struct {
    cov_tensor_view host[N_CASES], dev[N_CASES];
} model_views;

static void model_new(model_views *m, int fill_ties)
{
    for (size_t i = 0; i < N_CASES; i++) {
        size_t n = numel_of(&cases[i]);
        float *h = gpu_test_host(n);
        fill(h, n, fill_ties && cases[i].ties);
        view_of(&m->host[i], &cases[i], h);
        view_of(&m->dev[i], &cases[i], dev_upload(h, n));
    }
}

static void model_free(model_views *m)
{
    for (size_t i = 0; i < N_CASES; i++) {
        free(m->host[i].data);
        cov_cuda_free(m->dev[i].data);
    }
}

static const uint8_t hash[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

/* The model-level compressor's file on both sides; returns the CPU's
 * pgrad decoded back from its bytes (what a receiver holds). */
static cov_pgrad *pgrad_case(cov_sparseloco *cpu, cov_sparseloco_cuda *gpu,
                             const cov_sparseloco_config *cfg, uint16_t uid)
{
    model_views ef, delta;
    model_new(&ef, 1);
    model_new(&delta, 1);
    cov_pgrad *pc, *pg;
    GPU_OK(cov_pgrad_new(&pc, hash, 7, uid, ef.host, N_CASES, cfg, &gpu_err));
    GPU_OK(cov_pgrad_new(&pg, hash, 7, uid, ef.host, N_CASES, cfg, &gpu_err));
    for (size_t i = 0; i < N_CASES; i++)
        poison(&pg->tensors[i]);
    GPU_OK(cov_pgrad_compress(cpu, pc, ef.host, delta.host, &gpu_err));
    GPU_OK(cov_sparseloco_cuda_poison(gpu, &gpu_err));
    GPU_OK(cov_pgrad_cuda_compress(gpu, pg, ef.dev, delta.dev, &gpu_err));
    uint8_t *bc, *bg;
    size_t lc, lg;
    GPU_OK(cov_pgrad_encode(&bc, &lc, pc, &gpu_err));
    GPU_OK(cov_pgrad_encode(&bg, &lg, pg, &gpu_err));
    GPU_CHECK(lc == lg && memcmp(bc, bg, lc) == 0,
              "uid %u: the GPU's file differs from the CPU's", (unsigned)uid);
    printf("  pgrad uid %u: %zu bytes, %s\n", (unsigned)uid, lc,
           lc == lg && memcmp(bc, bg, lc) == 0 ? "identical" : "DIFFERENT");
    cov_pgrad_expect expect = {.model_hash = hash, .window = 7, .uid = uid,
                               .tensors = ef.host, .n_tensors = N_CASES, .cfg = cfg};
    cov_pgrad *decoded;
    GPU_OK(cov_pgrad_decode(&decoded, bc, lc, &expect, &gpu_err));
    free(bc);
    free(bg);
    cov_pgrad_free(pc);
    cov_pgrad_free(pg);
    model_free(&ef);
    model_free(&delta);
    return decoded;
}

/* A NaN in one tensor's Δ stops the model-level compressor there on both
 * sides: the earlier tensors compressed (their EFs agree), that EF zeroed,
 * the later EFs untouched. The GPU queues the whole model as one batch, so
 * this checks that the later tensors' kernels skip. */
static void model_nan_stops(cov_sparseloco *cpu, cov_sparseloco_cuda *gpu,
                            const cov_sparseloco_config *cfg)
{
    enum { BAD = 3 };
    model_views ef, delta;
    model_new(&ef, 0);
    model_new(&delta, 0);
    delta.host[BAD].data[1] = NAN;
    GPU_OK(cov_cuda_upload(ctx, delta.dev[BAD].data, delta.host[BAD].data,
                           delta.host[BAD].numel * sizeof(float), &gpu_err));
    float *before[N_CASES];
    for (size_t i = 0; i < N_CASES; i++) {
        before[i] = gpu_test_host(ef.host[i].numel);
        memcpy(before[i], ef.host[i].data, ef.host[i].numel * sizeof(float));
    }
    cov_pgrad *pc, *pg;
    GPU_OK(cov_pgrad_new(&pc, hash, 7, 1, ef.host, N_CASES, cfg, &gpu_err));
    GPU_OK(cov_pgrad_new(&pg, hash, 7, 1, ef.host, N_CASES, cfg, &gpu_err));
    GPU_CHECK(cov_pgrad_compress(cpu, pc, ef.host, delta.host, &gpu_err) == COV_ERR_ARG,
              "the CPU compressed a NaN");
    GPU_CHECK(cov_pgrad_cuda_compress(gpu, pg, ef.dev, delta.dev, &gpu_err) == COV_ERR_ARG,
              "the GPU compressed a NaN");
    for (size_t i = 0; i < N_CASES; i++) {
        const size_t n = ef.host[i].numel;
        float *back = gpu_test_get(ctx, ef.dev[i].data, n);
        if (i < BAD) {
            compare_floats("EF before the NaN tensor", ef.host[i].data, back, n,
                           1e-7f * max_abs(ef.host[i].data, n));
        } else if (i == BAD) {
            size_t nonzero = 0;
            for (size_t j = 0; j < n; j++)
                nonzero += back[j] != 0.0f || ef.host[i].data[j] != 0.0f;
            GPU_CHECK(nonzero == 0, "the NaN tensor's EF was not zeroed");
        } else {
            GPU_CHECK(memcmp(back, before[i], n * sizeof(float)) == 0,
                      "tensor %zu after the NaN tensor was changed on the GPU", i);
            GPU_CHECK(memcmp(ef.host[i].data, before[i], n * sizeof(float)) == 0,
                      "tensor %zu after the NaN tensor was changed on the CPU", i);
        }
        free(back);
        free(before[i]);
    }
    cov_pgrad_free(pc);
    cov_pgrad_free(pg);
    model_free(&ef);
    model_free(&delta);
}

static void outer_steps(cov_sparseloco *cpu, cov_sparseloco_cuda *gpu,
                        const cov_sparseloco_config *cfg)
{
    enum { PEERS = 4 };
    cov_pgrad *peers[PEERS];
    for (int p = 0; p < PEERS; p++)
        peers[p] = pgrad_case(cpu, gpu, cfg, (uint16_t)(p + 1));
    const cov_pgrad *const *pp = (const cov_pgrad *const *)peers;

    model_views theta;
    model_new(&theta, 0);
    cov_sparseloco_tensor_result rc[N_CASES], rg[N_CASES];
    cov_pgrad_step_result resc = {.tensors = rc}, resg = {.tensors = rg};
    GPU_OK(cov_pgrad_outer_step(cpu, theta.host, N_CASES, pp, PEERS, 0.7f, &resc, &gpu_err));
    GPU_OK(cov_sparseloco_cuda_poison(gpu, &gpu_err));
    GPU_OK(cov_pgrad_cuda_outer_step(gpu, theta.dev, N_CASES, pp, PEERS, 0.7f, &resg, &gpu_err));
    GPU_CHECK(resc.n_applied == N_CASES && resg.n_applied == N_CASES,
              "outer step: %zu / %zu applied", resc.n_applied, resg.n_applied);
    float *back[N_CASES];
    for (size_t i = 0; i < N_CASES; i++) {
        back[i] = gpu_test_host(theta.host[i].numel);
        dev_download(back[i], theta.dev[i].data, theta.host[i].numel);
        GPU_CHECK(rc[i].median_norm == rg[i].median_norm, "%s: median norms differ",
                  cases[i].name);
        char what[96];
        snprintf(what, sizeof what, "outer step %s", cases[i].name);
        compare_floats(what, theta.host[i].data, back[i], theta.host[i].numel, 0.0f);
    }

    /* The validator: peer 2 alone at lr·factor, clipped by the medians. */
    float medians[N_CASES];
    GPU_OK(cov_pgrad_median_norms(medians, pp, PEERS, &gpu_err));
    GPU_OK(cov_pgrad_apply_one(cpu, theta.host, N_CASES, peers[2], medians, 0.5, 0.8, &resc,
                               &gpu_err));
    GPU_OK(cov_sparseloco_cuda_poison(gpu, &gpu_err));
    GPU_OK(cov_pgrad_cuda_apply_one(gpu, theta.dev, N_CASES, peers[2], medians, 0.5, 0.8, &resg,
                                     &gpu_err));
    for (size_t i = 0; i < N_CASES; i++) {
        dev_download(back[i], theta.dev[i].data, theta.host[i].numel);
        char what[96];
        snprintf(what, sizeof what, "apply one %s", cases[i].name);
        compare_floats(what, theta.host[i].data, back[i], theta.host[i].numel, 0.0f);
    }

    /* Non-finite Δ̄: every peer's values at 3e38 overflow (the norms turn
     * Inf, the clip NaN): skipped on both sides, θ untouched. */
    cov_sparseloco_tensor *t = &peers[0]->tensors[0];
    cov_sparseloco_tensor *same[2] = {t, t};
    float saved_shift = t->shift;
    t->shift = 3e38f;
    cov_sparseloco_tensor_result r1, r2;
    const size_t n0 = theta.host[0].numel;
    float *before = gpu_test_get(ctx, theta.dev[0].data, n0);
    GPU_OK(cov_sparseloco_outer_step_tensor(cpu, theta.host[0].data,
                                             (const cov_sparseloco_tensor *const *)same, 2, 1.0f,
                                             &r1, &gpu_err));
    GPU_OK(cov_sparseloco_cuda_outer_step_tensor(gpu, theta.dev[0].data,
                                                  (const cov_sparseloco_tensor *const *)same, 2,
                                                  1.0f, &r2, &gpu_err));
    GPU_CHECK(!r1.applied && r1.nonfinite, "CPU applied a non-finite update");
    GPU_CHECK(!r2.applied && r2.nonfinite, "GPU applied a non-finite update");
    dev_download(back[0], theta.dev[0].data, n0);
    GPU_CHECK(memcmp(back[0], before, n0 * sizeof(float)) == 0, "a skipped tensor changed θ");
    t->shift = saved_shift;

    /* An index past the chunk (a hostile peer not decoded by
     * cov_pgrad_decode) is refused and θ stays. */
    uint16_t saved_idx = t->idx[0];
    t->idx[0] = (uint16_t)t->geom.chunk_len;
    cov_status st = cov_sparseloco_cuda_apply_one_tensor(gpu, theta.dev[0].data, t, 1.0f, 1.0, 1.0,
                                                         &r2, &gpu_err);
    GPU_CHECK(st == COV_ERR_ARG, "an index outside its chunk was accepted");
    dev_download(back[0], theta.dev[0].data, n0);
    GPU_CHECK(memcmp(back[0], before, n0 * sizeof(float)) == 0, "a refused peer changed θ");
    t->idx[0] = saved_idx;
    free(before);

    /* The same in the model-level step, at tensor 2 of peer 1: tensors 0
     * and 1 are stepped, 2 and later untouched (one batch on the GPU). */
    enum { AT = 2 };
    float *was[N_CASES];
    for (size_t i = 0; i < N_CASES; i++)
        was[i] = gpu_test_get(ctx, theta.dev[i].data, theta.host[i].numel);
    cov_sparseloco_tensor *bad = &peers[1]->tensors[AT];
    saved_idx = bad->idx[bad->geom.n_kept - 1];
    bad->idx[bad->geom.n_kept - 1] = (uint16_t)bad->geom.chunk_len;
    st = cov_pgrad_cuda_outer_step(gpu, theta.dev, N_CASES, pp, PEERS, 0.7f, &resg, &gpu_err);
    GPU_CHECK(st == COV_ERR_ARG, "the model-level step accepted an index outside its chunk");
    bad->idx[bad->geom.n_kept - 1] = saved_idx;
    for (size_t i = 0; i < N_CASES; i++) {
        const size_t n = theta.host[i].numel;
        dev_download(back[i], theta.dev[i].data, n);
        int unchanged = memcmp(back[i], was[i], n * sizeof(float)) == 0;
        GPU_CHECK(i < AT ? !unchanged : unchanged, "tensor %zu was %s", i,
                  i < AT ? "not stepped before the bad one" : "changed at or after the bad one");
        free(was[i]);
    }

    for (size_t i = 0; i < N_CASES; i++)
        free(back[i]);
    model_free(&theta);
    for (int p = 0; p < PEERS; p++)
        cov_pgrad_free(peers[p]);
}

/* A NaN in Δ: the call fails, the EF is zeroed, as on the CPU. */
static void nonfinite_delta(cov_sparseloco_cuda *gpu, const cov_sparseloco_config *cfg)
{
    int64_t shape[2] = {128, 128};
    cov_sparseloco_geom g;
    GPU_OK(cov_sparseloco_geom_init(&g, 2, shape, cfg, &gpu_err));
    cov_sparseloco_tensor t;
    GPU_OK(cov_sparseloco_tensor_alloc(&t, "nan", &g, cfg->quant_bins, &gpu_err));
    enum { N = 128 * 128 };
    float *h = gpu_test_host(N);
    fill(h, N, 0);
    float *d_ef = dev_upload(h, N);
    h[5000] = NAN;
    float *d_delta = dev_upload(h, N);
    cov_status st = cov_sparseloco_cuda_compress(gpu, &t, d_ef, d_delta, &gpu_err);
    GPU_CHECK(st == COV_ERR_ARG, "a NaN pseudo-gradient was compressed");
    dev_download(h, d_ef, N);
    size_t nonzero = 0;
    for (size_t i = 0; i < N; i++)
        nonzero += h[i] != 0.0f;
    GPU_CHECK(nonzero == 0, "the EF was not zeroed (%zu non-zero)", nonzero);
    cov_cuda_free(d_ef);
    cov_cuda_free(d_delta);
    free(h);
    cov_sparseloco_tensor_free(&t);
}

int main(void)
{
    ctx = gpu_test_ctx_or_skip();
    cov_sparseloco_config cfg;
    cov_sparseloco_config_defaults(&cfg);
    cov_sparseloco *cpu;
    cov_sparseloco_cuda *gpu;
    GPU_OK(cov_sparseloco_new(&cpu, &cfg, &gpu_err));
    GPU_OK(cov_sparseloco_cuda_new(&gpu, &cfg, ctx, &gpu_err));
    printf("compression, CPU vs GPU:\n");
    for (size_t i = 0; i < N_CASES; i++)
        compress_case(cpu, gpu, &cfg, &cases[i]);
    /* 16 bins and k = 8 of chunks of 16: other constants, same rules. */
    cov_sparseloco_config other = cfg;
    other.quant_bins = 16;
    other.topk = 8;
    other.chunk = 16;
    cov_sparseloco *cpu2;
    cov_sparseloco_cuda *gpu2;
    GPU_OK(cov_sparseloco_new(&cpu2, &other, &gpu_err));
    GPU_OK(cov_sparseloco_cuda_new(&gpu2, &other, ctx, &gpu_err));
    for (size_t i = 0; i < N_CASES; i++)
        compress_case(cpu2, gpu2, &other, &cases[i]);
    printf("files and outer steps:\n");
    outer_steps(cpu, gpu, &cfg);
    model_nan_stops(cpu, gpu, &cfg);
    nonfinite_delta(gpu, &cfg);

    cov_sparseloco_config dct = cfg;
    dct.use_dct = true;
    cov_sparseloco_cuda *none = NULL;
    GPU_CHECK(cov_sparseloco_cuda_new(&none, &dct, ctx, &gpu_err) == COV_ERR_UNSUPPORTED && !none,
              "the DCT variant was accepted on the GPU");

    cov_sparseloco_cuda_free(gpu2);
    cov_sparseloco_free(cpu2);
    cov_sparseloco_cuda_free(gpu);
    cov_sparseloco_free(cpu);
    cov_cuda_ctx_free(ctx);
    return gpu_test_finish("test_sparseloco_cuda");
}
