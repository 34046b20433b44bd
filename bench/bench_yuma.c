/* Microseconds per Yuma epoch (incentive/yuma.h) on one thread.
 *   bench_yuma [--seconds S] [--json] [--n N] [--mode original|yuma3] [--cpu]
 * --cpu times with the thread's CPU clock instead of the wall clock: on a
 * shared machine the time the thread waits for a core then does not count
 * (cache interference from the other jobs still does). 
 * Each case: n uids, the top V by stake validate, every validator has a
 * full weight row (all n uids, random values, stored max-upscaled), every
 * uid has some stake. Bonds carry over from epoch to epoch (a few warm-up
 * epochs fill them), as on chain. Original Yuma, and Yuma 3 with liquid
 * alpha (the chain's default for new subnets is Yuma 3). */
#include "incentive/incentive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static clockid_t bench_clock = CLOCK_MONOTONIC;

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(bench_clock, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static uint64_t rng = 0x853c49e6748fea9bull;
static uint32_t next_u32(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng >> 33);
}

typedef struct {
    uint16_t n, v;
    uint64_t *last_update, *bar, *alpha;
    bool *permit;
    cov_yuma_entry *wentries;
    cov_yuma_row *weights;
    cov_yuma_output out[2];
    int cur;
} net;

static int net_init(net *t, uint16_t n, uint16_t v)
{
    memset(t, 0, sizeof *t);
    t->n = n;
    t->v = v;
    t->last_update = calloc(n, sizeof *t->last_update);
    t->bar = calloc(n, sizeof *t->bar);
    t->alpha = calloc(n, sizeof *t->alpha);
    t->permit = calloc(n, sizeof *t->permit);
    t->weights = calloc(n, sizeof *t->weights);
    t->wentries = calloc((size_t)v * n, sizeof *t->wentries);
    uint16_t *raw = calloc(n, sizeof *raw), *up = calloc(n, sizeof *up);
    if (!t->last_update || !t->bar || !t->alpha || !t->permit || !t->weights || !t->wentries ||
        !raw || !up)
        return -1;
    for (uint16_t i = 0; i < n; i++) {
        /* validators hold most stake; every uid has some */
        t->alpha[i] = i < v ? 1000000000000ull + (uint64_t)next_u32() * 1000 : 1000000 + next_u32() % 1000000;
        t->last_update[i] = 900;
        t->bar[i] = 10;
        t->permit[i] = i < v;
    }
    for (uint16_t i = 0; i < v; i++) {
        for (uint16_t j = 0; j < n; j++)
            raw[j] = (uint16_t)(next_u32() % 65536);
        cov_yuma_max_upscale_u16(up, raw, n);
        cov_yuma_entry *row = t->wentries + (size_t)i * n;
        for (uint16_t j = 0; j < n; j++) {
            row[j].uid = j;
            row[j].value = up[j];
        }
        t->weights[i].entries = row;
        t->weights[i].len = n;
    }
    free(raw);
    free(up);
    cov_yuma_output_init(&t->out[0]);
    cov_yuma_output_init(&t->out[1]);
    return 0;
}

static void net_free(net *t)
{
    free(t->last_update);
    free(t->bar);
    free(t->alpha);
    free(t->permit);
    free(t->weights);
    free(t->wentries);
    cov_yuma_output_free(&t->out[0]);
    cov_yuma_output_free(&t->out[1]);
}

/* One epoch; its bonds and permits feed the next. */
static int net_epoch(net *t, bool yuma3, uint64_t block)
{
    const cov_yuma_output *prev = &t->out[t->cur];
    cov_yuma_output *out = &t->out[1 - t->cur];
    cov_yuma_input in = {
        .n = t->n,
        .current_block = block,
        .tempo = 360,
        .activity_cutoff = cov_yuma_activity_cutoff_blocks(13889, 360),
        .last_update = t->last_update,
        .last_update_len = t->n,
        .block_at_registration = t->bar,
        .alpha_stake = t->alpha,
        .owner_uid = COV_YUMA_NO_OWNER,
        .validator_permit = t->permit,
        .validator_permit_len = t->n,
        .max_allowed_validators = t->v,
        .weights = t->weights,
        .bonds = prev->n == t->n ? prev->bonds : NULL,
        .kappa = 32767,
        .bonds_penalty = 65535,
        .bonds_moving_average = 900000,
        .yuma3 = yuma3,
        .liquid_alpha = yuma3,
        .alpha_low = 45875,
        .alpha_high = 58982,
        .alpha_sigmoid_steepness = 1000,
        .rao_emission = 1000000000,
    };
    if (cov_yuma_epoch(out, &in, NULL) != COV_OK)
        return -1;
    memcpy(t->permit, out->new_validator_permit, t->n * sizeof *t->permit);
    t->cur = 1 - t->cur;
    return 0;
}

static double measure(uint16_t n, uint16_t v, bool yuma3, double seconds, long *epochs)
{
    net t;
    if (net_init(&t, n, v) != 0) {
        fprintf(stderr, "bench_yuma: out of memory\n");
        exit(1);
    }
    uint64_t block = 1000;
    for (int w = 0; w < 3; w++) /* fill the bonds */
        if (net_epoch(&t, yuma3, block++) != 0)
            exit(1);
    long count = 0;
    double t0 = now_seconds(), elapsed;
    do {
        if (net_epoch(&t, yuma3, block++) != 0)
            exit(1);
        count++;
        elapsed = now_seconds() - t0;
    } while (elapsed < seconds || count < 3);
    net_free(&t);
    *epochs = count;
    return elapsed / (double)count * 1e6;
}

int main(int argc, char **argv)
{
    double seconds = 1.0;
    bool json = false;
    long only_n = 0;
    int only_mode = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "--n") == 0 && i + 1 < argc)
            only_n = atol(argv[++i]);
        else if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc)
            only_mode = strcmp(argv[++i], "yuma3") == 0;
        else if (strcmp(argv[i], "--cpu") == 0)
            bench_clock = CLOCK_THREAD_CPUTIME_ID;
        else {
            fprintf(stderr, "usage: bench_yuma [--seconds S] [--json] [--n N] "
                            "[--mode original|yuma3] [--cpu]\n");
            return 2;
        }
    }
    static const struct {
        uint16_t n, v;
    } sizes[] = {{256, 64}, {1024, 128}, {4096, 256}};
    if (json)
        printf("{\"yuma_epoch_us\":[");
    else
        printf("%-6s %-5s %-22s %12s %8s\n", "n", "val", "mode", "us/epoch", "epochs");
    bool first = true;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int y = 0; y < 2; y++) {
            if ((only_n && only_n != sizes[s].n) || (only_mode >= 0 && only_mode != y))
                continue;
            long epochs;
            double us = measure(sizes[s].n, sizes[s].v, y == 1, seconds, &epochs);
            const char *mode = y ? "yuma3+liquid_alpha" : "original";
            if (json)
                printf("%s{\"n\":%u,\"validators\":%u,\"mode\":\"%s\",\"us\":%.1f}",
                       first ? "" : ",", sizes[s].n, sizes[s].v, mode, us);
            else
                printf("%-6u %-5u %-22s %12.1f %8ld\n", sizes[s].n, sizes[s].v, mode, us, epochs);
            first = false;
            fflush(stdout);
        }
    if (json)
        printf("]}\n");
    return 0;
}
