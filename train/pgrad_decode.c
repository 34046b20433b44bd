/* Reading the pseudo-gradient wire format (layout in pgrad.h) and refusing
 * anything a peer should not be able to slip into an outer step. The file
 * is checked against the model the receiver runs: every size comes from the
 * expected tensors, never from the file, so a hostile length cannot make it
 * allocate or read more than that model needs. */
#include "train/pgrad.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const uint8_t *p;
    size_t left;
} reader;

static bool take(reader *r, const uint8_t **out, size_t n)
{
    if (r->left < n)
        return false;
    *out = r->p;
    r->p += n;
    r->left -= n;
    return true;
}

static bool take_le(reader *r, uint64_t *v, int bytes)
{
    const uint8_t *b;
    if (!take(r, &b, (size_t)bytes))
        return false;
    *v = 0;
    for (int i = 0; i < bytes; i++)
        *v |= (uint64_t)b[i] << (8 * i);
    return true;
}

static bool take_f32(reader *r, float *f)
{
    uint64_t v;
    if (!take_le(r, &v, 4))
        return false;
    uint32_t u = (uint32_t)v;
    memcpy(f, &u, sizeof *f);
    return true;
}

#define TRUNCATED(what) \
    cov_fail(err, COV_ERR_PARSE, "pgrad: file truncated in %s of tensor %zu (%s)", what, i, name)

/* One tensor's record into t (allocated here), checked against view v. */
static cov_status decode_tensor(cov_sparseloco_tensor *t, reader *r, size_t i,
                                const cov_tensor_view *v, const cov_sparseloco_config *cfg,
                                cov_err *err)
{
    const char *name = v->name;
    uint64_t name_len, ndim, shape[2] = {0, 1}, h, w, k, n_kept;
    const uint8_t *bytes;
    if (!take_le(r, &name_len, 2) || !take(r, &bytes, name_len))
        return TRUNCATED("the name");
    if (name_len != strnlen(v->name, COV_TENSOR_NAME_MAX) || memcmp(bytes, v->name, name_len) != 0)
        return cov_fail(err, COV_ERR_PARSE,
                        "pgrad: tensor %zu is named '%.*s' but the model's is %s (another model "
                        "or order)", i, (int)(name_len > 95 ? 95 : name_len), (const char *)bytes, name);
    if (!take_le(r, &ndim, 1) || !take(r, &bytes, 1))
        return TRUNCATED("ndim");
    if (ndim != (uint64_t)v->ndim || bytes[0] != 0)
        return cov_fail(err, COV_ERR_PARSE, "pgrad: tensor %s has %u dimensions in the file, %d in the model",
                        name, (unsigned)ndim, v->ndim);
    for (uint64_t d = 0; d < ndim; d++)
        if (!take_le(r, &shape[d], 8))
            return TRUNCATED("the shape");
    int64_t want_c = v->ndim == 2 ? v->shape[1] : 1;
    if (shape[0] != (uint64_t)v->shape[0] || shape[1] != (uint64_t)want_c)
        return cov_fail(err, COV_ERR_PARSE, "pgrad: tensor %s is %llu x %llu in the file, %lld x %lld in the model",
                        name, (unsigned long long)shape[0], (unsigned long long)shape[1],
                        (long long)v->shape[0], (long long)want_c);
    cov_sparseloco_geom g;
    cov_status st = cov_sparseloco_geom_init(&g, v->ndim, v->shape, cfg, err);
    if (st != COV_OK)
        return st;
    if (!take_le(r, &h, 2) || !take_le(r, &w, 2) || !take_le(r, &k, 2) || !take_le(r, &n_kept, 8))
        return TRUNCATED("the chunk geometry");
    if (h != (uint64_t)g.h || w != (uint64_t)g.w || k != (uint64_t)g.k || n_kept != g.n_kept)
        return cov_fail(err, COV_ERR_PARSE,
                        "pgrad: tensor %s has chunks %llux%llu, k %llu, %llu values; this model "
                        "and config give %dx%d, k %d, %zu",
                        name, (unsigned long long)h, (unsigned long long)w, (unsigned long long)k,
                        (unsigned long long)n_kept, g.h, g.w, g.k, g.n_kept);
    float shift, scale, lookup[COV_SPARSELOCO_MAX_BINS];
    if (!take_f32(r, &shift) || !take_f32(r, &scale))
        return TRUNCATED("the quantization parameters");
    for (int b = 0; b < cfg->quant_bins; b++)
        if (!take_f32(r, &lookup[b]))
            return TRUNCATED("the lookup table");
    if (!isfinite(shift) || !isfinite(scale))
        return cov_fail(err, COV_ERR_PARSE, "pgrad: tensor %s has a non-finite shift or scale", name);
    if (!(fabsf(scale) > 1e-12f && fabsf(scale) < 1e4f))
        return cov_fail(err, COV_ERR_PARSE, "pgrad: tensor %s's scale %g is outside (1e-12, 1e4)",
                        name, (double)scale);
    for (int b = 0; b < cfg->quant_bins; b++)
        if (!isfinite(lookup[b]))
            return cov_fail(err, COV_ERR_PARSE, "pgrad: tensor %s's lookup[%d] is not finite", name, b);
    const uint8_t *packed, *codes;
    if (!take(r, &packed, g.packed_len))
        return TRUNCATED("the indices");
    if (!take(r, &codes, g.n_kept))
        return TRUNCATED("the codes");

    st = cov_sparseloco_tensor_alloc(t, name, &g, cfg->quant_bins, err);
    if (st != COV_OK)
        return st;
    t->shift = shift;
    t->scale = scale;
    memcpy(t->lookup, lookup, (size_t)cfg->quant_bins * sizeof *lookup);
    memcpy(t->packed, packed, g.packed_len);
    memcpy(t->codes, codes, g.n_kept);
    cov_sparseloco_unpack12(t->idx, packed, g.n_kept);
    if (g.n_kept % 2 && (packed[g.packed_len - 2] >> 4 || packed[g.packed_len - 1]))
        return cov_fail(err, COV_ERR_PARSE, "pgrad: tensor %s's index padding is not zero", name);
    for (int64_t c = 0; c < g.n_chunks; c++) {
        const uint16_t *idx = t->idx + (size_t)c * (size_t)g.k;
        for (int j = 0; j < g.k; j++) {
            if (idx[j] >= g.chunk_len)
                return cov_fail(err, COV_ERR_PARSE, "pgrad: tensor %s chunk %lld has index %u, "
                                "past its %d elements", name, (long long)c, idx[j], g.chunk_len);
            if (j > 0 && idx[j] <= idx[j - 1])
                return cov_fail(err, COV_ERR_PARSE, "pgrad: tensor %s chunk %lld's indices are not "
                                "strictly ascending", name, (long long)c);
        }
    }
    for (size_t j = 0; j < g.n_kept; j++)
        if (codes[j] >= cfg->quant_bins)
            return cov_fail(err, COV_ERR_PARSE, "pgrad: tensor %s has code %u; codes are below %d",
                            name, codes[j], cfg->quant_bins);
    return COV_OK;
}

static cov_status check_header(reader *r, const cov_pgrad_expect *e, uint64_t *n_tensors, cov_err *err)
{
    const uint8_t *magic, *hash;
    uint64_t version, flags, window, uid, bins;
    take(r, &magic, 8); /* the caller checked the header length */
    take_le(r, &version, 2);
    take_le(r, &flags, 2);
    take(r, &hash, 32);
    take_le(r, &window, 8);
    take_le(r, &uid, 2);
    take_le(r, &bins, 2);
    take_le(r, n_tensors, 4);
    if (memcmp(magic, COV_PGRAD_MAGIC, 8) != 0)
        return cov_fail(err, COV_ERR_UNSUPPORTED, "pgrad: not a covenant pseudo-gradient (bad magic)");
    if (version != COV_PGRAD_VERSION)
        return cov_fail(err, COV_ERR_UNSUPPORTED, "pgrad: format version %u; this build reads version %d",
                        (unsigned)version, COV_PGRAD_VERSION);
    if (flags & ~(uint64_t)COV_PGRAD_FLAG_DCT)
        return cov_fail(err, COV_ERR_UNSUPPORTED, "pgrad: unknown flags 0x%04x", (unsigned)flags);
    if (!!(flags & COV_PGRAD_FLAG_DCT) != e->cfg->use_dct)
        return cov_fail(err, COV_ERR_PARSE, "pgrad: the file is %s, this node runs %s",
                        flags & COV_PGRAD_FLAG_DCT ? "DCT-compressed" : "without DCT",
                        e->cfg->use_dct ? "with DCT" : "without DCT");
    if (memcmp(hash, e->model_hash, 32) != 0)
        return cov_fail(err, COV_ERR_ARG, "pgrad: the file is for another model (model hash differs)");
    if (window != e->window)
        return cov_fail(err, COV_ERR_ARG, "pgrad: the file is for window %llu, expected %llu",
                        (unsigned long long)window, (unsigned long long)e->window);
    if (uid != e->uid)
        return cov_fail(err, COV_ERR_ARG, "pgrad: the file is from uid %u, expected %u",
                        (unsigned)uid, (unsigned)e->uid);
    if (bins != (uint64_t)e->cfg->quant_bins)
        return cov_fail(err, COV_ERR_PARSE, "pgrad: %u quantization bins in the file, %d expected",
                        (unsigned)bins, e->cfg->quant_bins);
    if (*n_tensors != e->n_tensors)
        return cov_fail(err, COV_ERR_PARSE, "pgrad: %llu tensors in the file, the model has %zu",
                        (unsigned long long)*n_tensors, e->n_tensors);
    return COV_OK;
}

cov_status cov_pgrad_decode(cov_pgrad **out, const uint8_t *buf, size_t len,
                            const cov_pgrad_expect *e, cov_err *err)
{
    *out = NULL;
    if (!e || !e->model_hash || !e->cfg || (e->n_tensors && !e->tensors))
        return cov_fail(err, COV_ERR_ARG, "pgrad: decode needs the expected model, window, uid and config");
    cov_status st = cov_sparseloco_config_check(e->cfg, err);
    if (st != COV_OK)
        return st;
    size_t cap = e->max_bytes ? e->max_bytes : COV_PGRAD_DEFAULT_MAX_BYTES;
    if (len > cap)
        return cov_fail(err, COV_ERR_TOO_BIG, "pgrad: %zu bytes is over the %zu-byte cap", len, cap);
    if (len < COV_PGRAD_HEADER_LEN + COV_PGRAD_CHECKSUM_LEN)
        return cov_fail(err, COV_ERR_PARSE, "pgrad: %zu bytes is shorter than a header (truncated?)", len);
    uint8_t sum[32];
    size_t body = len - COV_PGRAD_CHECKSUM_LEN;
    cov_blake2b_256(sum, buf, body);
    if (!cov_ct_equal(sum, buf + body, 32))
        return cov_fail(err, COV_ERR_CHECKSUM,
                        "pgrad: checksum mismatch: the file is corrupt or truncated; fetch it again");
    reader r = {buf, body};
    uint64_t n_tensors;
    st = check_header(&r, e, &n_tensors, err);
    if (st != COV_OK)
        return st;
    cov_pgrad *pg = calloc(1, sizeof *pg);
    if (!pg || !(pg->tensors = calloc(n_tensors ? n_tensors : 1, sizeof *pg->tensors))) {
        free(pg);
        return cov_fail(err, COV_ERR_NOMEM, "pgrad: out of memory");
    }
    memcpy(pg->model_hash, e->model_hash, 32);
    pg->window = e->window;
    pg->uid = e->uid;
    pg->use_dct = e->cfg->use_dct;
    pg->n_bins = e->cfg->quant_bins;
    for (size_t i = 0; i < n_tensors; i++) {
        pg->n_tensors = i + 1;
        st = decode_tensor(&pg->tensors[i], &r, i, &e->tensors[i], e->cfg, err);
        if (st != COV_OK) {
            cov_pgrad_free(pg);
            return st;
        }
    }
    if (r.left != 0) {
        cov_pgrad_free(pg);
        return cov_fail(err, COV_ERR_PARSE, "pgrad: %zu unexpected bytes after the last tensor", r.left);
    }
    *out = pg;
    return COV_OK;
}

cov_status cov_pgrad_read_file(cov_pgrad **out, const char *path, const cov_pgrad_expect *e,
                               cov_err *err)
{
    *out = NULL;
    size_t cap = e && e->max_bytes ? e->max_bytes : COV_PGRAD_DEFAULT_MAX_BYTES;
    uint8_t *buf;
    size_t len;
    cov_status st = cov_file_read(&buf, &len, path, cap, false, err);
    if (st != COV_OK)
        return cov_err_context(err, "pgrad %s", path);
    st = cov_pgrad_decode(out, buf, len, e, err);
    free(buf);
    if (st != COV_OK)
        cov_err_context(err, "%s", path);
    return st;
}
