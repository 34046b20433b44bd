/* SparseLoCo's configuration, chunk geometry, compressed-tensor storage and
 * 12-bit index packing (templar.md §2.2 steps 2, 3, 5). */
#include "train/sparseloco_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cov_sparseloco_config_defaults(cov_sparseloco_config *cfg)
{
    cfg->topk = 64;
    cfg->chunk = 64;
    cfg->ef_decay = 0.95f;
    cfg->quant_bins = 4;
    cfg->quant_range = 6.0f;
    cfg->use_dct = false;
}

cov_status cov_sparseloco_config_check(const cov_sparseloco_config *cfg, cov_err *err)
{
    if (!cfg)
        return cov_fail(err, COV_ERR_ARG, "sparseloco: no config given");
    if (cfg->topk < 1)
        return cov_fail(err, COV_ERR_ARG, "sparseloco: topk is %d; it must be at least 1", cfg->topk);
    if (cfg->chunk < 1 || cfg->chunk > COV_SPARSELOCO_MAX_CHUNK)
        return cov_fail(err, COV_ERR_ARG,
                        "sparseloco: chunk is %d; it must be 1..%d (indices are 12-bit)",
                        cfg->chunk, COV_SPARSELOCO_MAX_CHUNK);
    if (!isfinite(cfg->ef_decay) || cfg->ef_decay < 0.0f || cfg->ef_decay > 1.0f)
        return cov_fail(err, COV_ERR_ARG, "sparseloco: ef_decay %g is not in [0, 1]",
                        (double)cfg->ef_decay);
    if (cfg->quant_bins < 2 || cfg->quant_bins > COV_SPARSELOCO_MAX_BINS)
        return cov_fail(err, COV_ERR_ARG, "sparseloco: quant_bins %d is not in 2..%d",
                        cfg->quant_bins, COV_SPARSELOCO_MAX_BINS);
    if (!isfinite(cfg->quant_range) || cfg->quant_range <= 0.0f)
        return cov_fail(err, COV_ERR_ARG, "sparseloco: quant_range %g must be positive",
                        (double)cfg->quant_range);
    return COV_OK;
}

int64_t cov_sparseloco_maxdiv(int64_t n, int limit)
{
    if (n <= limit)
        return n;
    for (int64_t d = limit; d > 1; d--)
        if (n % d == 0)
            return d;
    return 1;
}

int cov_sparseloco_chunk_k(int chunk_len, int topk)
{
    if (chunk_len < 2)
        return chunk_len; /* one element: keep it (Templar would ask for 2) */
    int k = topk < chunk_len ? topk : chunk_len;
    if (k < 2)
        k = 2;
    return k - (k % 2);
}

cov_status cov_sparseloco_geom_init(cov_sparseloco_geom *g, int ndim, const int64_t shape[2],
                                    const cov_sparseloco_config *cfg, cov_err *err)
{
    memset(g, 0, sizeof *g);
    if (ndim != 1 && ndim != 2)
        return cov_fail(err, COV_ERR_ARG, "sparseloco: a tensor has %d dimensions; 1 or 2 are supported", ndim);
    int64_t r = shape[0], c = ndim == 2 ? shape[1] : 1;
    /* 2^40 elements is far past any model here and keeps products in range. */
    if (r < 1 || c < 1 || r > ((int64_t)1 << 40) || c > ((int64_t)1 << 40) || r * c > ((int64_t)1 << 40))
        return cov_fail(err, COV_ERR_ARG, "sparseloco: tensor shape %lld x %lld is empty or too large",
                        (long long)r, (long long)c);
    g->ndim = ndim;
    g->shape[0] = r;
    g->shape[1] = c;
    if (ndim == 2) {
        g->h = (int)cov_sparseloco_maxdiv(r, cfg->chunk);
        g->w = (int)cov_sparseloco_maxdiv(c, cfg->chunk);
    } else {
        g->h = 1;
        g->w = (int)cov_sparseloco_maxdiv(r, cfg->chunk);
    }
    if (ndim == 2) {
        g->y = r / g->h;
        g->x = c / g->w;
        g->stride = c;
    } else {
        /* [n] is viewed as [n/w, w]: chunks of one row, one per view row. */
        g->y = r / g->w;
        g->x = 1;
        g->stride = g->w;
    }
    g->chunk_len = g->h * g->w;
    g->k = cov_sparseloco_chunk_k(g->chunk_len, cfg->topk);
    g->n_chunks = g->y * g->x;
    g->n_kept = (size_t)g->n_chunks * (size_t)g->k;
    g->packed_len = 3 * ((g->n_kept + 1) / 2);
    return COV_OK;
}

cov_status cov_sparseloco_tensor_alloc(cov_sparseloco_tensor *t, const char *name,
                                       const cov_sparseloco_geom *g, int n_bins, cov_err *err)
{
    memset(t, 0, sizeof *t);
    if (!name || strlen(name) >= COV_TENSOR_NAME_MAX)
        return cov_fail(err, COV_ERR_ARG, "sparseloco: tensor name missing or longer than %d bytes",
                        COV_TENSOR_NAME_MAX - 1);
    if (n_bins < 2 || n_bins > COV_SPARSELOCO_MAX_BINS)
        return cov_fail(err, COV_ERR_ARG, "sparseloco: %d quantization bins; 2..%d are supported",
                        n_bins, COV_SPARSELOCO_MAX_BINS);
    strcpy(t->name, name);
    t->geom = *g;
    t->n_bins = n_bins;
    size_t n = g->n_kept ? g->n_kept : 1;
    t->idx = malloc(n * sizeof *t->idx);
    t->codes = malloc(n);
    t->packed = malloc(g->packed_len ? g->packed_len : 1);
    if (!t->idx || !t->codes || !t->packed) {
        cov_sparseloco_tensor_free(t);
        return cov_fail(err, COV_ERR_NOMEM, "sparseloco: out of memory for tensor %s (%zu values)",
                        name, g->n_kept);
    }
    return COV_OK;
}

void cov_sparseloco_tensor_free(cov_sparseloco_tensor *t)
{
    if (!t)
        return;
    free(t->idx);
    free(t->codes);
    free(t->packed);
    t->idx = NULL;
    t->codes = NULL;
    t->packed = NULL;
}

void cov_sparseloco_pack12(uint8_t *out, const uint16_t *idx, size_t n)
{
    size_t pairs = n / 2;
    for (size_t p = 0; p < pairs; p++) {
        unsigned i0 = idx[2 * p], i1 = idx[2 * p + 1];
        out[3 * p] = (uint8_t)(i0 & 0xFF);
        out[3 * p + 1] = (uint8_t)(((i0 >> 8) & 0x0F) | ((i1 & 0x0F) << 4));
        out[3 * p + 2] = (uint8_t)((i1 >> 4) & 0xFF);
    }
    if (n % 2) {
        unsigned i0 = idx[n - 1];
        out[3 * pairs] = (uint8_t)(i0 & 0xFF);
        out[3 * pairs + 1] = (uint8_t)((i0 >> 8) & 0x0F);
        out[3 * pairs + 2] = 0;
    }
}

void cov_sparseloco_unpack12(uint16_t *out, const uint8_t *in, size_t n)
{
    size_t pairs = n / 2;
    for (size_t p = 0; p < pairs; p++) {
        unsigned b0 = in[3 * p], b1 = in[3 * p + 1], b2 = in[3 * p + 2];
        out[2 * p] = (uint16_t)(b0 | (b1 & 0x0F) << 8);
        out[2 * p + 1] = (uint16_t)((b1 >> 4) | b2 << 4);
    }
    if (n % 2)
        out[n - 1] = (uint16_t)(in[3 * pairs] | (in[3 * pairs + 1] & 0x0F) << 8);
}
