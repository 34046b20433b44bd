/* cov_pgrad_decode on arbitrary bytes, against a small fixed model.
 *
 * The first input byte is a mode: with bit 0 set, the target re-signs the
 * rest (writes the right blake2b-256 over its last 32 bytes) before
 * decoding, so the fuzzer reaches the field checks behind the checksum.
 *
 * Properties checked on every input:
 * - a refusal comes with its status and a message;
 * - an accepted file re-encodes to exactly its bytes (one encoding per
 *   pseudo-gradient: nothing the decoder accepts is ignored);
 * - what it holds is in range: indices below the chunk length and strictly
 *   ascending in a chunk, codes below the bins, finite quantization
 *   parameters with 1e-12 < |scale| < 1e4;
 * - the outer step on it runs and either applies or reports a skip. */
#include "fuzz_common.h"

#include <math.h>

#include "train/pgrad.h"

enum { N_TENSORS = 3 };

typedef struct {
    cov_sparseloco_config cfg;
    cov_tensor_view views[N_TENSORS];
    uint8_t hash[32];
    cov_sparseloco *s;
} fuzz_model;

/* [8,6] in 4x3 chunks keeping 4, [5] in one-element chunks (an odd index
 * count), [4] kept whole. */
static const fuzz_model *model(void)
{
    static fuzz_model m;
    static int ready;
    if (ready)
        return &m;
    fuzz_init();
    cov_sparseloco_config_defaults(&m.cfg);
    m.cfg.topk = 4;
    m.cfg.chunk = 4;
    const char *names[N_TENSORS] = {"a.weight", "b.weight", "c.weight"};
    const int64_t shapes[N_TENSORS][2] = {{8, 6}, {5, 0}, {4, 0}};
    for (int i = 0; i < N_TENSORS; i++) {
        cov_tensor_view *v = &m.views[i];
        memset(v, 0, sizeof *v);
        strcpy(v->name, names[i]);
        v->ndim = shapes[i][1] ? 2 : 1;
        v->shape[0] = shapes[i][0];
        v->shape[1] = shapes[i][1];
        v->numel = (size_t)(shapes[i][0] * (shapes[i][1] ? shapes[i][1] : 1));
    }
    cov_model_config mc;
    cov_err err;
    FUZZ_CHECK(cov_model_config_preset(&mc, "tiny", &err) == COV_OK);
    FUZZ_CHECK(cov_pgrad_model_hash(m.hash, &mc, m.views, N_TENSORS, &err) == COV_OK);
    FUZZ_CHECK(cov_sparseloco_new(&m.s, &m.cfg, &err) == COV_OK);
    ready = 1;
    return &m;
}

static cov_pgrad_expect expect(const fuzz_model *m)
{
    cov_pgrad_expect e = {
        .model_hash = m->hash, .window = 77, .uid = 5,
        .tensors = m->views, .n_tensors = N_TENSORS, .cfg = &m->cfg, .max_bytes = 4096,
    };
    return e;
}

static void check_accepted(const fuzz_model *m, const cov_pgrad *pg, const uint8_t *file, size_t len)
{
    uint8_t *again;
    size_t again_len;
    cov_err err;
    FUZZ_CHECK(cov_pgrad_encode(&again, &again_len, pg, &err) == COV_OK);
    FUZZ_CHECK(again_len == len && memcmp(again, file, len) == 0);
    free(again);
    for (size_t i = 0; i < pg->n_tensors; i++) {
        const cov_sparseloco_tensor *t = &pg->tensors[i];
        FUZZ_CHECK(isfinite(t->shift) && isfinite(t->scale));
        FUZZ_CHECK(fabsf(t->scale) > 1e-12f && fabsf(t->scale) < 1e4f);
        for (size_t j = 0; j < t->geom.n_kept; j++) {
            FUZZ_CHECK(t->idx[j] < t->geom.chunk_len);
            FUZZ_CHECK(j % (size_t)t->geom.k == 0 || t->idx[j] > t->idx[j - 1]);
            FUZZ_CHECK(t->codes[j] < m->cfg.quant_bins);
        }
    }
    float theta[8 * 6 + 5 + 4] = {0};
    cov_tensor_view params[N_TENSORS];
    memcpy(params, m->views, sizeof params);
    float *data = theta;
    for (int i = 0; i < N_TENSORS; i++) {
        params[i].data = data;
        data += params[i].numel;
    }
    cov_sparseloco_tensor_result tr[N_TENSORS];
    cov_pgrad_step_result res = {.tensors = tr};
    const cov_pgrad *peers[1] = {pg};
    FUZZ_CHECK(cov_pgrad_outer_step(m->s, params, N_TENSORS, peers, 1, 1.0f, &res, &err) == COV_OK);
    FUZZ_CHECK(res.n_applied + res.n_skipped == N_TENSORS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const fuzz_model *m = model();
    if (size < 1)
        return 0;
    size_t len = size - 1;
    uint8_t *file = malloc(len ? len : 1);
    FUZZ_CHECK(file != NULL);
    memcpy(file, data + 1, len);
    if ((data[0] & 1) && len >= COV_PGRAD_CHECKSUM_LEN)
        cov_blake2b_256(file + len - COV_PGRAD_CHECKSUM_LEN, file, len - COV_PGRAD_CHECKSUM_LEN);

    cov_pgrad_expect e = expect(m);
    cov_pgrad *pg = NULL;
    cov_err err;
    cov_err_clear(&err);
    cov_status st = cov_pgrad_decode(&pg, file, len, &e, &err);
    if (st != COV_OK) {
        FUZZ_CHECK(pg == NULL && err.code == st && err.msg[0] != '\0');
    } else {
        check_accepted(m, pg, file, len);
        cov_pgrad_free(pg);
    }
    free(file);
    return 0;
}
