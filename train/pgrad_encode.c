/* Writing the pseudo-gradient wire format (layout in pgrad.h). */
#include "train/pgrad.h"

#include <stdlib.h>
#include <string.h>

static size_t tensor_len(const cov_sparseloco_tensor *t, int n_bins)
{
    size_t name = strnlen(t->name, COV_TENSOR_NAME_MAX);
    return 2 + name + 2 + 8 * (size_t)t->geom.ndim + 6 + 8 + 8 + 4 * (size_t)n_bins +
           t->geom.packed_len + t->geom.n_kept;
}

size_t cov_pgrad_encoded_len(const cov_pgrad *pg)
{
    size_t n = COV_PGRAD_HEADER_LEN + COV_PGRAD_CHECKSUM_LEN;
    for (size_t i = 0; i < pg->n_tensors; i++)
        n += tensor_len(&pg->tensors[i], pg->n_bins);
    return n;
}

static uint8_t *le(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    return p + bytes;
}

static uint8_t *le_f32(uint8_t *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return le(p, u, 4);
}

cov_status cov_pgrad_encode(uint8_t **out, size_t *out_len, const cov_pgrad *pg, cov_err *err)
{
    *out = NULL;
    *out_len = 0;
    if (pg->n_bins < 2 || pg->n_bins > COV_SPARSELOCO_MAX_BINS || pg->n_tensors > UINT32_MAX)
        return cov_fail(err, COV_ERR_ARG, "pgrad: %d bins or %zu tensors cannot be encoded",
                        pg->n_bins, pg->n_tensors);
    size_t len = cov_pgrad_encoded_len(pg);
    uint8_t *buf = malloc(len), *p = buf;
    if (!buf)
        return cov_fail(err, COV_ERR_NOMEM, "pgrad: out of memory for a %zu-byte encoding", len);
    memcpy(p, COV_PGRAD_MAGIC, 8);
    p = le(p + 8, COV_PGRAD_VERSION, 2);
    p = le(p, pg->use_dct ? COV_PGRAD_FLAG_DCT : 0, 2);
    memcpy(p, pg->model_hash, 32);
    p = le(p + 32, pg->window, 8);
    p = le(p, pg->uid, 2);
    p = le(p, (uint64_t)pg->n_bins, 2);
    p = le(p, pg->n_tensors, 4);
    for (size_t i = 0; i < pg->n_tensors; i++) {
        const cov_sparseloco_tensor *t = &pg->tensors[i];
        const cov_sparseloco_geom *g = &t->geom;
        if (t->n_bins != pg->n_bins) {
            free(buf);
            return cov_fail(err, COV_ERR_ARG, "pgrad: tensor %s has %d bins, the file %d",
                            t->name, t->n_bins, pg->n_bins);
        }
        size_t name = strnlen(t->name, COV_TENSOR_NAME_MAX);
        p = le(p, name, 2);
        memcpy(p, t->name, name);
        p += name;
        *p++ = (uint8_t)g->ndim;
        *p++ = 0;
        for (int d = 0; d < g->ndim; d++)
            p = le(p, (uint64_t)g->shape[d], 8);
        p = le(p, (uint64_t)g->h, 2);
        p = le(p, (uint64_t)g->w, 2);
        p = le(p, (uint64_t)g->k, 2);
        p = le(p, g->n_kept, 8);
        p = le_f32(p, t->shift);
        p = le_f32(p, t->scale);
        for (int b = 0; b < pg->n_bins; b++)
            p = le_f32(p, t->lookup[b]);
        memcpy(p, t->packed, g->packed_len);
        p += g->packed_len;
        memcpy(p, t->codes, g->n_kept);
        p += g->n_kept;
    }
    cov_blake2b_256(p, buf, (size_t)(p - buf));
    *out = buf;
    *out_len = len;
    return COV_OK;
}

cov_status cov_pgrad_write_file(const char *path, const cov_pgrad *pg, bool overwrite, cov_err *err)
{
    uint8_t *buf;
    size_t len;
    cov_status st = cov_pgrad_encode(&buf, &len, pg, err);
    if (st != COV_OK)
        return st;
    st = cov_file_write_atomic(path, buf, len, 0644, overwrite, err);
    free(buf);
    return st;
}
