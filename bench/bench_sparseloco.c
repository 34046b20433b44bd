/* Milliseconds per SparseLoCo compression (train/sparseloco.h): EF update,
 * per-chunk top-k, quantization, 12-bit packing and the EF subtraction, as
 * a miner runs it once per tensor per window.
 *
 *   bench_sparseloco [--threads N] [--reps R] [--json]
 *
 * Cases: one 4096x4096 tensor, each tensor kind of the "124m" preset in the
 * Hugging Face Llama layout (embedding, q/k/v/o, gate/up/down, the norms),
 * and the whole 124m model (every tensor once, in order). Each figure is
 * the median of R timed runs after one untimed run; data are standard
 * normal, the EF carried from run to run. scripts/bench-sparseloco.sh runs
 * this beside PyTorch at the same thread count. */
#include "train/config.h"
#include "train/sparseloco.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return 1e3 * (double)t.tv_sec + 1e-6 * (double)t.tv_nsec;
}

static uint64_t rng = 0x853c49e6748fea9bull;
static double next_unit(void) /* (0, 1) */
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}

/* Standard normal (Box-Muller): pseudo-gradients look more like this than
 * like uniform noise, and the top-k's cost depends on the shape. */
static float next_float(void)
{
    return (float)(sqrt(-2.0 * log(next_unit())) * cos(6.283185307179586 * next_unit()));
}

typedef struct {
    const char *name;
    int64_t rows, cols; /* cols 0: 1-D */
    int count;          /* how many such tensors the model has */
    float *ef, *delta;
    size_t numel;
    cov_sparseloco_tensor out;
} tensor_case;

static int case_init(tensor_case *c, const cov_sparseloco_config *cfg)
{
    int64_t shape[2] = {c->rows, c->cols};
    int ndim = c->cols ? 2 : 1;
    c->numel = (size_t)(c->rows * (c->cols ? c->cols : 1));
    c->ef = calloc(c->numel, sizeof *c->ef);
    c->delta = malloc(c->numel * sizeof *c->delta);
    if (!c->ef || !c->delta)
        return -1;
    for (size_t i = 0; i < c->numel; i++)
        c->delta[i] = next_float();
    cov_sparseloco_geom g;
    cov_err err;
    if (cov_sparseloco_geom_init(&g, ndim, shape, cfg, &err) != COV_OK ||
        cov_sparseloco_tensor_alloc(&c->out, c->name, &g, cfg->quant_bins, &err) != COV_OK) {
        fprintf(stderr, "bench_sparseloco: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static void case_free(tensor_case *c)
{
    free(c->ef);
    free(c->delta);
    cov_sparseloco_tensor_free(&c->out);
}

static int compress(cov_sparseloco *s, tensor_case *c)
{
    cov_err err;
    if (cov_sparseloco_compress(s, &c->out, c->ef, c->delta, &err) != COV_OK) {
        fprintf(stderr, "bench_sparseloco: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median ms of reps runs of compressing cases[0..n) once each (times count
 * when all_counts, for the whole model). */
static double time_cases(cov_sparseloco *s, tensor_case *cases, int n, bool all_counts, int reps)
{
    double *t = malloc((size_t)reps * sizeof *t);
    if (!t)
        return -1;
    for (int r = -1; r < reps; r++) {
        double start = now_ms();
        for (int i = 0; i < n; i++)
            for (int k = 0; k < (all_counts ? cases[i].count : 1); k++)
                if (compress(s, &cases[i]) != 0) {
                    free(t);
                    return -1;
                }
        if (r >= 0)
            t[r] = now_ms() - start;
    }
    qsort(t, (size_t)reps, sizeof *t, cmp_double);
    double m = t[reps / 2];
    free(t);
    return m;
}

static void report(bool json, const char *name, const char *shape, double ms, int threads)
{
    if (json)
        printf("{\"case\":\"%s\",\"shape\":\"%s\",\"ms\":%.4f,\"threads\":%d}\n", name, shape, ms, threads);
    else
        printf("%-22s %-12s %10.3f ms\n", name, shape, ms);
}

int main(int argc, char **argv)
{
    int reps = 5, threads = 0;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--json") == 0)
            json = true;
        else {
            fprintf(stderr, "usage: bench_sparseloco [--threads N] [--reps R] [--json]\n");
            return 2;
        }
    }
    if (reps < 1)
        reps = 1;
#ifdef _OPENMP
    if (threads > 0)
        omp_set_num_threads(threads);
    threads = omp_get_max_threads();
#else
    threads = 1;
#endif
    cov_sparseloco_config cfg;
    cov_sparseloco_config_defaults(&cfg);
    cov_sparseloco *s;
    cov_err err;
    cov_model_config mc;
    if (cov_sparseloco_new(&s, &cfg, &err) != COV_OK ||
        cov_model_config_preset(&mc, "124m", &err) != COV_OK) {
        fprintf(stderr, "bench_sparseloco: %s\n", err.msg);
        return 1;
    }
    int64_t d = mc.dim, kv = (int64_t)mc.n_kv_heads * (mc.dim / mc.n_heads), f = mc.ffn_dim;
    tensor_case big = {.name = "4096x4096", .rows = 4096, .cols = 4096, .count = 1};
    /* The 124m preset's tensors by kind (tied embedding: no lm_head). */
    tensor_case kinds[] = {
        {.name = "embed_tokens", .rows = mc.vocab_size, .cols = d, .count = 1},
        {.name = "q_proj", .rows = d, .cols = d, .count = mc.n_layers},
        {.name = "k_proj", .rows = kv, .cols = d, .count = mc.n_layers},
        {.name = "v_proj", .rows = kv, .cols = d, .count = mc.n_layers},
        {.name = "o_proj", .rows = d, .cols = d, .count = mc.n_layers},
        {.name = "gate_proj", .rows = f, .cols = d, .count = mc.n_layers},
        {.name = "up_proj", .rows = f, .cols = d, .count = mc.n_layers},
        {.name = "down_proj", .rows = d, .cols = f, .count = mc.n_layers},
        {.name = "norms", .rows = d, .cols = 0, .count = 2 * mc.n_layers + 1},
    };
    int n_kinds = (int)(sizeof kinds / sizeof kinds[0]);
    if (case_init(&big, &cfg) != 0)
        return 1;
    for (int i = 0; i < n_kinds; i++)
        if (case_init(&kinds[i], &cfg) != 0)
            return 1;
    if (!json)
        printf("SparseLoCo compression, %d thread(s), median of %d\n", threads, reps);
    char shape[48];
    double ms = time_cases(s, &big, 1, false, reps);
    if (ms < 0)
        return 1;
    report(json, big.name, "4096x4096", ms, threads);
    for (int i = 0; i < n_kinds; i++) {
        if (kinds[i].cols)
            snprintf(shape, sizeof shape, "%lldx%lld", (long long)kinds[i].rows, (long long)kinds[i].cols);
        else
            snprintf(shape, sizeof shape, "%lld", (long long)kinds[i].rows);
        if ((ms = time_cases(s, &kinds[i], 1, false, reps)) < 0)
            return 1;
        report(json, kinds[i].name, shape, ms, threads);
    }
    int n_tensors = 0;
    for (int i = 0; i < n_kinds; i++)
        n_tensors += kinds[i].count;
    snprintf(shape, sizeof shape, "%d tensors", n_tensors);
    if ((ms = time_cases(s, kinds, n_kinds, true, reps)) < 0)
        return 1;
    report(json, "124m model", shape, ms, threads);
    case_free(&big);
    for (int i = 0; i < n_kinds; i++)
        case_free(&kinds[i]);
    cov_sparseloco_free(s);
    return 0;
}
