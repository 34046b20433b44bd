/* The receiver's side of SparseLoCo: the outer step over the gathered peers
 * (templar.md §3.5) and the validator's single-peer application (§4.3).
 *
 * Δ̄ is built chunk by chunk in a per-thread buffer: each peer's clipped
 * values are added in peer order, then divided by how many peers chose the
 * coordinate (scatter_reduce "mean", include_self=False). The whole Δ̄ is
 * checked for NaN/Inf before θ is touched, so a skipped tensor is left
 * exactly as it was. */
#include "train/sparseloco_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static cov_status same_geometry(const cov_sparseloco_tensor *const *peers, size_t n_peers, cov_err *err)
{
    if (n_peers == 0 || !peers)
        return cov_fail(err, COV_ERR_ARG, "sparseloco: no peers to aggregate");
    if (n_peers > 65535)
        return cov_fail(err, COV_ERR_ARG, "sparseloco: %zu peers; at most 65535 are aggregated", n_peers);
    const cov_sparseloco_geom *a = &peers[0]->geom;
    for (size_t p = 1; p < n_peers; p++) {
        const cov_sparseloco_geom *b = &peers[p]->geom;
        if (b->ndim != a->ndim || b->shape[0] != a->shape[0] || b->shape[1] != a->shape[1] ||
            b->h != a->h || b->w != a->w || b->k != a->k)
            return cov_fail(err, COV_ERR_ARG,
                            "sparseloco: peers disagree on tensor %s's geometry (peer %zu)",
                            peers[0]->name, p);
    }
    return COV_OK;
}

cov_status cov_sparseloco_median_norm(float *out, const cov_sparseloco_tensor *const *peers,
                                      size_t n_peers, cov_err *err)
{
    cov_status st = same_geometry(peers, n_peers, err);
    if (st != COV_OK)
        return st;
    float *norms = malloc(2 * n_peers * sizeof *norms);
    if (!norms)
        return cov_fail(err, COV_ERR_NOMEM, "sparseloco: out of memory");
    for (size_t p = 0; p < n_peers; p++)
        norms[p] = cov_sparseloco_norm(peers[p]);
    *out = cov_sparseloco_lower_median(norms, norms + n_peers, n_peers);
    free(norms);
    return COV_OK;
}

/* Δ̄ into s->dense (row-major, numel) from peers with clip factors; returns
 * false if any element is NaN or Inf. */
static bool build_update(cov_sparseloco *s, const cov_sparseloco_tensor *const *peers,
                         const float *clip, size_t n_peers)
{
    const cov_sparseloco_geom *g = &peers[0]->geom;
    const int k = g->k, w = g->w, L = g->chunk_len;
    const bool dct = s->cfg.use_dct;
    float *dense = s->dense;
    int bad = 0;
    const bool par = (size_t)g->shape[0] * (size_t)g->shape[1] >= COV_SPARSELOCO_PARALLEL_MIN;
#pragma omp parallel for schedule(static) reduction(| : bad) num_threads(s->n_threads) if (par)
    for (int64_t c = 0; c < g->n_chunks; c++) {
        cov_sparseloco_scratch *sc = &s->scratch[cov_sparseloco_thread()];
        float *sum = sc->coef;
        memset(sum, 0, (size_t)L * sizeof *sum);
        for (size_t p = 0; p < n_peers; p++) {
            const cov_sparseloco_tensor *t = peers[p];
            const uint16_t *idx = t->idx + (size_t)c * (size_t)k;
            const uint8_t *codes = t->codes + (size_t)c * (size_t)k;
            for (int j = 0; j < k; j++) {
                float v = (t->lookup[codes[j]] + t->shift) * clip[p];
                sum[idx[j]] += v;
                sc->count[idx[j]]++;
            }
        }
        for (int l = 0; l < L; l++) {
            if (sc->count[l]) {
                sum[l] /= (float)sc->count[l];
                sc->count[l] = 0;
            }
        }
        const float *chunk = sum;
        if (dct) {
            cov_dct_inverse(sc->chunk, sum, g->h, w, s->basis_h, s->basis_w, sc->tmp);
            chunk = sc->chunk;
        }
        size_t base = cov_sparseloco_pos(g, c, 0);
        for (int hh = 0; hh < g->h; hh++) {
            float *d = dense + base + (size_t)hh * (size_t)g->stride;
            for (int ww = 0; ww < w; ww++) {
                float v = chunk[hh * w + ww];
                bad |= !isfinite(v);
                d[ww] = v;
            }
        }
    }
    return !bad;
}

/* The shared path: clip factors given, θ ← θ − lr·Δ̄ unless non-finite. */
static cov_status step(cov_sparseloco *s, float *theta, const cov_sparseloco_tensor *const *peers,
                       const float *clip, size_t n_peers, float lr,
                       cov_sparseloco_tensor_result *res, cov_err *err)
{
    const cov_sparseloco_geom *g = &peers[0]->geom;
    size_t numel = (size_t)g->shape[0] * (size_t)g->shape[1];
    cov_status st = cov_sparseloco_reserve(s, 0, numel, 0, 0, 0, err);
    if (st != COV_OK)
        return st;
    if (s->cfg.use_dct)
        cov_sparseloco_bases(s, g);
    if (!build_update(s, peers, clip, n_peers)) {
        res->applied = false;
        res->nonfinite = true;
        return COV_OK;
    }
    const float *dense = s->dense;
#pragma omp parallel for schedule(static) num_threads(s->n_threads) if (numel >= COV_SPARSELOCO_PARALLEL_MIN)
    for (size_t i = 0; i < numel; i++)
        theta[i] = theta[i] - lr * dense[i];
    res->applied = true;
    res->nonfinite = false;
    return COV_OK;
}

/* min(1, m / (n + 1e-8)) in float, as torch.clamp(m / (n + 1e-8), max=1):
 * a NaN stays NaN (and the tensor is then skipped). */
static float clip_factor(float median, float norm)
{
    float f = median / (norm + 1e-8f);
    return f > 1.0f ? 1.0f : f;
}

cov_status cov_sparseloco_outer_step_tensor(cov_sparseloco *s, float *theta,
                                            const cov_sparseloco_tensor *const *peers,
                                            size_t n_peers, float lr,
                                            cov_sparseloco_tensor_result *res, cov_err *err)
{
    memset(res, 0, sizeof *res);
    cov_status st = same_geometry(peers, n_peers, err);
    if (st != COV_OK)
        return st;
    float *norms = malloc(3 * n_peers * sizeof *norms);
    if (!norms)
        return cov_fail(err, COV_ERR_NOMEM, "sparseloco: out of memory");
    float *clip = norms + n_peers, *scratch = norms + 2 * n_peers;
    for (size_t p = 0; p < n_peers; p++)
        norms[p] = cov_sparseloco_norm(peers[p]);
    float m = cov_sparseloco_lower_median(norms, scratch, n_peers);
    for (size_t p = 0; p < n_peers; p++)
        clip[p] = clip_factor(m, norms[p]);
    res->median_norm = m;
    st = step(s, theta, peers, clip, n_peers, lr, res, err);
    free(norms);
    return st;
}

cov_status cov_sparseloco_apply_one_tensor(cov_sparseloco *s, float *theta,
                                           const cov_sparseloco_tensor *peer, float median_norm,
                                           double lr, double eval_lr_factor,
                                           cov_sparseloco_tensor_result *res, cov_err *err)
{
    memset(res, 0, sizeof *res);
    if (!peer || !peer->idx)
        return cov_fail(err, COV_ERR_ARG, "sparseloco: no peer update to apply");
    float clip = clip_factor(median_norm, cov_sparseloco_norm(peer));
    res->median_norm = median_norm;
    const cov_sparseloco_tensor *peers[1] = {peer};
    return step(s, theta, peers, &clip, 1, (float)(lr * eval_lr_factor), res, err);
}
