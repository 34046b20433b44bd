/* Metadata and events decoding speed on one thread.
 *   bench_chain_decode METADATA.scale EVENTS.scale [--seconds S] [--json]
 * (a) cov_metadata_decode + cov_metadata_free of the metadata bytes;
 * (b) cov_codec_decode_all of the events bytes as the System.Events value
 *     type of that metadata (Vec<EventRecord>) to a JSON tree, with the
 *     default options (SS58 accounts), + json_decref.
 * Each runs for about S seconds (default 2). MB/s counts 10^6 input bytes.
 * scripts/bench-chain.sh builds the inputs (bench/events_fixture.mjs) and
 * runs this beside polkadot-js (bench/polkadot_decode.mjs). */
#include "chain/chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int fail(const char *what, const cov_err *err)
{
    fprintf(stderr, "bench_chain_decode: %s: %s\n", what, err->msg);
    return 1;
}

/* Decodes per second of the metadata bytes. */
static int bench_metadata(double *per_s, const uint8_t *bytes, size_t len, double seconds)
{
    cov_err err = {0};
    long n = 0;
    double t0 = now_seconds(), elapsed;
    do {
        cov_metadata *m;
        if (cov_metadata_decode(&m, bytes, len, &err) != COV_OK)
            return fail("metadata", &err);
        cov_metadata_free(m);
        n++;
        elapsed = now_seconds() - t0;
    } while (elapsed < seconds);
    *per_s = (double)n / elapsed;
    return 0;
}

/* Decodes per second of the events bytes as `type`. */
static int bench_events(double *per_s, const cov_metadata *m, uint32_t type, const uint8_t *bytes,
                        size_t len, double seconds)
{
    cov_err err = {0};
    long n = 0;
    double t0 = now_seconds(), elapsed;
    do {
        json_t *value;
        if (cov_codec_decode_all(&value, m, type, bytes, len, NULL, &err) != COV_OK)
            return fail("events", &err);
        json_decref(value);
        n++;
        elapsed = now_seconds() - t0;
    } while (elapsed < seconds);
    *per_s = (double)n / elapsed;
    return 0;
}

int main(int argc, char **argv)
{
    const char *files[2] = {NULL, NULL};
    int n_files = 0;
    double seconds = 2.0;
    bool json = false, usage = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (argv[i][0] != '-' && n_files < 2)
            files[n_files++] = argv[i];
        else
            usage = true;
    }
    if (usage || n_files != 2 || !(seconds > 0)) {
        fprintf(stderr,
                "usage: bench_chain_decode METADATA.scale EVENTS.scale [--seconds S] [--json]\n");
        return 2;
    }

    cov_err err = {0};
    if (cov_crypto_init(&err) != COV_OK)
        return fail("init", &err);
    uint8_t *meta_bytes, *event_bytes;
    size_t meta_len, event_len;
    if (cov_file_read(&meta_bytes, &meta_len, files[0], COV_METADATA_MAX_BYTES, false, &err) !=
        COV_OK)
        return fail(files[0], &err);
    if (cov_file_read(&event_bytes, &event_len, files[1], (size_t)256 << 20, false, &err) !=
        COV_OK)
        return fail(files[1], &err);

    /* One decode first: it checks the inputs and gives the type and the
     * number of records. */
    cov_metadata *m;
    if (cov_metadata_decode(&m, meta_bytes, meta_len, &err) != COV_OK)
        return fail("metadata", &err);
    const cov_meta_storage_entry *entry;
    if (cov_metadata_storage(m, NULL, &entry, "System", "Events", &err) != COV_OK)
        return fail("System.Events", &err);
    uint32_t type = entry->value_type;
    json_t *value;
    if (cov_codec_decode_all(&value, m, type, event_bytes, event_len, NULL, &err) != COV_OK)
        return fail("events", &err);
    size_t n_events = json_is_array(value) ? json_array_size(value) : 0;
    json_decref(value);
    char type_name[128];
    cov_metadata_type_name(m, type, type_name, sizeof type_name);

    double meta_per_s, events_per_s;
    if (bench_metadata(&meta_per_s, meta_bytes, meta_len, seconds) != 0 ||
        bench_events(&events_per_s, m, type, event_bytes, event_len, seconds) != 0)
        return 1;
    double meta_mb = meta_per_s * (double)meta_len / 1e6;
    double events_mb = events_per_s * (double)event_len / 1e6;

    if (json) {
        printf("{\"impl\":\"covenant\",\"work\":\"metadata\",\"bytes\":%zu,\"version\":%u,"
               "\"decodes_per_s\":%.2f,\"mb_per_s\":%.2f}\n",
               meta_len, cov_metadata_version(m), meta_per_s, meta_mb);
        printf("{\"impl\":\"covenant\",\"work\":\"events\",\"bytes\":%zu,\"events\":%zu,"
               "\"type\":%u,\"decodes_per_s\":%.2f,\"mb_per_s\":%.2f,\"events_per_s\":%.0f}\n",
               event_len, n_events, type, events_per_s, events_mb,
               events_per_s * (double)n_events);
    } else {
        printf("one thread, about %.1f s each\n", seconds);
        printf("metadata V%u, %zu bytes: %10.2f decodes/s %10.2f MB/s\n", cov_metadata_version(m),
               meta_len, meta_per_s, meta_mb);
        printf("events %s (type %u), %zu records, %zu bytes:\n", type_name, type, n_events,
               event_len);
        printf("  %10.2f decodes/s %10.2f MB/s %12.0f events/s\n", events_per_s, events_mb,
               events_per_s * (double)n_events);
    }
    cov_metadata_free(m);
    free(meta_bytes);
    free(event_bytes);
    return 0;
}
