/* sparseloco_tool: covenant's SparseLoCo on raw arrays, so
 * tests/interop/sparseloco.py can hold it against the PyTorch reference
 * (tests/reference/sparseloco_ref.py). One JSON request per line on stdin,
 * one JSON answer per line on stdout. Arrays are raw little-endian files
 * (f32, u16, u8) in the folder a request names.
 *
 *   {"op":"compress", "dir":D, "shape":[R,C]|[n], "cfg":{...}, "pgrad":{"path":P,"window":w,"uid":u}?}
 *     reads D/ef.f32 D/delta.f32; writes D/ef_out.f32 D/idx.u16 D/codes.u8
 *     D/packed.u8 D/deq.f32 (and the pgrad file P of a one-tensor model "t")
 *     -> {"shift":s, "scale":s, "lookup":[...]} | {"error":{...}}
 *   {"op":"outer", "shape":..., "cfg":..., "theta_in":F, "theta_out":F, "lr":a,
 *    "peers":[{"path":P,"window":w,"uid":u}, ...]}
 *     -> {"applied":bool, "median_norm":m}
 *   {"op":"apply_one", ... as outer with one peer, "median_norm":m, "eval_lr_factor":f}
 *     -> {"applied":bool}
 *
 * cfg fields (all optional, Covenant-72B's defaults): topk, chunk, ef_decay,
 * bins, range, dct. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool_main.h"

#include "train/pgrad.h"

static cov_status read_raw(void *out, size_t bytes, const char *dir, const char *name, cov_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", dir, dir[0] ? "/" : "", name);
    uint8_t *buf;
    size_t len;
    cov_status st = cov_file_read(&buf, &len, path, bytes + 1, false, err);
    if (st != COV_OK)
        return st;
    if (len != bytes) {
        free(buf);
        return cov_fail(err, COV_ERR_PARSE, "%s has %zu bytes, expected %zu", path, len, bytes);
    }
    memcpy(out, buf, bytes);
    free(buf);
    return COV_OK;
}

static cov_status write_raw(const void *data, size_t bytes, const char *dir, const char *name, cov_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", dir, dir[0] ? "/" : "", name);
    return cov_file_write_atomic(path, data, bytes, 0644, true, err);
}

static void load_cfg(const json_t *req, cov_sparseloco_config *cfg)
{
    cov_sparseloco_config_defaults(cfg);
    const json_t *c = json_object_get(req, "cfg");
    const json_t *v;
    if ((v = json_object_get(c, "topk")))
        cfg->topk = (int)json_integer_value(v);
    if ((v = json_object_get(c, "chunk")))
        cfg->chunk = (int)json_integer_value(v);
    if ((v = json_object_get(c, "ef_decay")))
        cfg->ef_decay = (float)json_number_value(v);
    if ((v = json_object_get(c, "bins")))
        cfg->quant_bins = (int)json_integer_value(v);
    if ((v = json_object_get(c, "range")))
        cfg->quant_range = (float)json_number_value(v);
    if ((v = json_object_get(c, "dct")))
        cfg->use_dct = json_is_true(v);
}

/* The one-tensor model "t" of the request's shape. */
static cov_status load_view(const json_t *req, cov_tensor_view *v, cov_err *err)
{
    memset(v, 0, sizeof *v);
    strcpy(v->name, "t");
    const json_t *shape = json_object_get(req, "shape");
    v->ndim = (int)json_array_size(shape);
    if (v->ndim != 1 && v->ndim != 2)
        return cov_fail(err, COV_ERR_ARG, "shape must have 1 or 2 dimensions");
    v->numel = 1;
    for (int d = 0; d < v->ndim; d++) {
        v->shape[d] = json_integer_value(json_array_get(shape, (size_t)d));
        v->numel *= (size_t)v->shape[d];
    }
    return COV_OK;
}

static cov_status model_hash(uint8_t hash[32], const cov_tensor_view *v, cov_err *err)
{
    cov_model_config mc;
    cov_status st = cov_model_config_preset(&mc, "tiny", err);
    return st == COV_OK ? cov_pgrad_model_hash(hash, &mc, v, 1, err) : st;
}

static json_t *lookup_json(const cov_sparseloco_tensor *t)
{
    json_t *a = json_array();
    for (int b = 0; b < t->n_bins; b++)
        json_array_append_new(a, json_real(t->lookup[b]));
    return a;
}

static json_t *op_compress(const json_t *req, cov_sparseloco *s, cov_err *err)
{
    cov_tensor_view v;
    cov_status st = load_view(req, &v, err);
    if (st != COV_OK)
        return NULL;
    const char *dir = json_string_value(json_object_get(req, "dir"));
    const json_t *pj = json_object_get(req, "pgrad");
    uint8_t hash[32];
    cov_pgrad *pg = NULL;
    float *ef = malloc(v.numel * sizeof *ef), *delta = malloc(v.numel * sizeof *delta), *deq = NULL;
    json_t *out = NULL;
    if (!dir || !ef || !delta) {
        cov_fail(err, COV_ERR_ARG, "compress needs dir (or memory)");
        goto done;
    }
    if ((st = read_raw(ef, v.numel * 4, dir, "ef.f32", err)) != COV_OK ||
        (st = read_raw(delta, v.numel * 4, dir, "delta.f32", err)) != COV_OK ||
        (st = model_hash(hash, &v, err)) != COV_OK ||
        (st = cov_pgrad_new(&pg, hash, (uint64_t)json_integer_value(json_object_get(pj, "window")),
                            (uint16_t)json_integer_value(json_object_get(pj, "uid")), &v, 1,
                            cov_sparseloco_get_config(s), err)) != COV_OK)
        goto done;
    cov_sparseloco_tensor *t = &pg->tensors[0];
    if ((st = cov_sparseloco_compress(s, t, ef, delta, err)) != COV_OK)
        goto done;
    size_t n = t->geom.n_kept;
    if (!(deq = malloc((n ? n : 1) * sizeof *deq))) {
        cov_fail(err, COV_ERR_NOMEM, "out of memory");
        goto done;
    }
    cov_sparseloco_dequantize(deq, t);
    if ((st = write_raw(ef, v.numel * 4, dir, "ef_out.f32", err)) != COV_OK ||
        (st = write_raw(t->idx, n * 2, dir, "idx.u16", err)) != COV_OK ||
        (st = write_raw(t->codes, n, dir, "codes.u8", err)) != COV_OK ||
        (st = write_raw(t->packed, t->geom.packed_len, dir, "packed.u8", err)) != COV_OK ||
        (st = write_raw(deq, n * 4, dir, "deq.f32", err)) != COV_OK)
        goto done;
    if (pj && (st = cov_pgrad_write_file(json_string_value(json_object_get(pj, "path")), pg, true,
                                         err)) != COV_OK)
        goto done;
    out = json_pack("{sfsfso}", "shift", (double)t->shift, "scale", (double)t->scale, "lookup",
                    lookup_json(t));
done:
    cov_pgrad_free(pg);
    free(ef);
    free(delta);
    free(deq);
    return out;
}

/* Reads each peer's pgrad as a receiver would. */
static cov_status read_peers(cov_pgrad **peers, const json_t *list, const cov_tensor_view *v,
                             const cov_sparseloco_config *cfg, cov_err *err)
{
    uint8_t hash[32];
    cov_status st = model_hash(hash, v, err);
    for (size_t p = 0; st == COV_OK && p < json_array_size(list); p++) {
        const json_t *e = json_array_get(list, p);
        cov_pgrad_expect ex = {
            .model_hash = hash,
            .window = (uint64_t)json_integer_value(json_object_get(e, "window")),
            .uid = (uint16_t)json_integer_value(json_object_get(e, "uid")),
            .tensors = v,
            .n_tensors = 1,
            .cfg = cfg,
        };
        st = cov_pgrad_read_file(&peers[p], json_string_value(json_object_get(e, "path")), &ex, err);
    }
    return st;
}

static json_t *op_step(const json_t *req, cov_sparseloco *s, bool one, cov_err *err)
{
    cov_tensor_view v;
    if (load_view(req, &v, err) != COV_OK)
        return NULL;
    const json_t *list = json_object_get(req, "peers");
    size_t n_peers = json_array_size(list);
    cov_pgrad **peers = calloc(n_peers ? n_peers : 1, sizeof *peers);
    v.data = malloc(v.numel * sizeof *v.data);
    json_t *out = NULL;
    cov_sparseloco_tensor_result tr;
    cov_pgrad_step_result res = {.tensors = &tr};
    cov_status st;
    if (!peers || !v.data || (one && n_peers != 1)) {
        cov_fail(err, COV_ERR_ARG, "a step needs peers (apply_one: exactly one) and memory");
        goto done;
    }
    if ((st = read_raw(v.data, v.numel * 4, "", json_string_value(json_object_get(req, "theta_in")),
                       err)) != COV_OK ||
        (st = read_peers(peers, list, &v, cov_sparseloco_get_config(s), err)) != COV_OK)
        goto done;
    double lr = json_number_value(json_object_get(req, "lr"));
    if (one) {
        float m = (float)json_number_value(json_object_get(req, "median_norm"));
        st = cov_pgrad_apply_one(s, &v, 1, peers[0], &m, lr,
                                 json_number_value(json_object_get(req, "eval_lr_factor")), &res, err);
    } else {
        st = cov_pgrad_outer_step(s, &v, 1, (const cov_pgrad *const *)peers, n_peers, (float)lr, &res, err);
    }
    if (st != COV_OK ||
        (st = write_raw(v.data, v.numel * 4, "", json_string_value(json_object_get(req, "theta_out")),
                        err)) != COV_OK)
        goto done;
    out = json_pack("{sbsf}", "applied", tr.applied, "median_norm", (double)tr.median_norm);
done:
    for (size_t p = 0; peers && p < n_peers; p++)
        cov_pgrad_free(peers[p]);
    free(peers);
    free(v.data);
    return out;
}

static json_t *answer(const char *line)
{
    json_error_t jerr;
    json_t *req = json_loads(line, 0, &jerr);
    if (!req)
        return json_pack("{ss}", "error", jerr.text);
    cov_err err;
    cov_err_clear(&err);
    cov_sparseloco_config cfg;
    load_cfg(req, &cfg);
    cov_sparseloco *s = NULL;
    json_t *out = NULL;
    const char *op = json_string_value(json_object_get(req, "op"));
    if (cov_sparseloco_new(&s, &cfg, &err) == COV_OK) {
        if (op && strcmp(op, "compress") == 0)
            out = op_compress(req, s, &err);
        else if (op && strcmp(op, "outer") == 0)
            out = op_step(req, s, false, &err);
        else if (op && strcmp(op, "apply_one") == 0)
            out = op_step(req, s, true, &err);
        else
            cov_fail(&err, COV_ERR_ARG, "unknown op");
    }
    cov_sparseloco_free(s);
    json_decref(req);
    return out ? out : json_pack("{so}", "error", cov_json_error(&err));
}

int main(void)
{
    return tool_run("sparseloco_tool", answer);
}
