/* Signatures per second on one thread for sr25519, ed25519 and ecdsa.
 *   bench_sign [--seconds S] [--json]
 * scripts/bench.sh runs it beside schnorrkel-in-WASM for comparison. */
#include "wallet/wallet.h"

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

typedef struct {
    double sign_per_s;
    double verify_per_s;
} rates;

/* Runs batches until `seconds` pass, so the clock is read rarely. */
static int measure(rates *out, cov_key_type type, double seconds)
{
    cov_keypair *kp;
    if (cov_keypair_from_suri(&kp, "//Alice", type, NULL) != COV_OK)
        return -1;
    uint8_t msg[32], pub[COV_PUBKEY_MAX], sig[COV_SIGNATURE_MAX];
    memset(msg, 0x42, sizeof msg);
    size_t pub_len = cov_keypair_public(kp, pub), sig_len = 0;
    enum { BATCH = 64 };

    long n = 0;
    double t0 = now_seconds(), elapsed;
    do {
        for (int i = 0; i < BATCH; i++) {
            msg[0] = (uint8_t)i;
            if (cov_keypair_sign(kp, sig, &sig_len, msg, sizeof msg, NULL) != COV_OK)
                return -1;
        }
        n += BATCH;
        elapsed = now_seconds() - t0;
    } while (elapsed < seconds);
    out->sign_per_s = (double)n / elapsed;

    msg[0] = BATCH - 1; /* the last signature's message */
    n = 0;
    t0 = now_seconds();
    do {
        for (int i = 0; i < BATCH; i++)
            if (cov_verify(type, pub, pub_len, sig, sig_len, msg, sizeof msg, NULL) != COV_OK)
                return -1;
        n += BATCH;
        elapsed = now_seconds() - t0;
    } while (elapsed < seconds);
    out->verify_per_s = (double)n / elapsed;
    cov_keypair_free(kp);
    return 0;
}

int main(int argc, char **argv)
{
    double seconds = 2.0;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_sign [--seconds S] [--json]\n");
            return 2;
        }
    }
    if (cov_crypto_init(NULL) != COV_OK)
        return 1;
    if (!json)
        printf("%-8s %14s %14s   (one thread, 32-byte message)\n", "crypto", "sign/s", "verify/s");
    for (int t = COV_KEY_SR25519; t <= COV_KEY_ECDSA; t++) {
        rates r;
        if (measure(&r, (cov_key_type)t, seconds) != 0) {
            fprintf(stderr, "bench_sign: %s failed\n", cov_key_type_name((cov_key_type)t));
            return 1;
        }
        if (json)
            printf("{\"impl\":\"covenant\",\"crypto\":\"%s\",\"sign_per_s\":%.0f,\"verify_per_s\":%.0f}\n",
                   cov_key_type_name((cov_key_type)t), r.sign_per_s, r.verify_per_s);
        else
            printf("%-8s %14.0f %14.0f\n", cov_key_type_name((cov_key_type)t), r.sign_per_s,
                   r.verify_per_s);
    }
    return 0;
}
