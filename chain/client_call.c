/* Calls and runtime APIs: indices and argument types from the metadata,
 * arguments from JSON. */
#include "chain/client_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cov_status chain_encode_args(const cov_metadata *m, cov_buf *out, const uint32_t *types,
                             const char *const *names, size_t n, const json_t *args,
                             const char *what, cov_err *err)
{
    bool none = !args || json_is_null(args);
    if (none && n == 0)
        return COV_OK;
    if (!none && !json_is_array(args) && !json_is_object(args))
        return cov_fail(err, COV_ERR_ARG, "%s: arguments must be a JSON object or array", what);
    size_t given = none ? 0 : json_is_array(args) ? json_array_size(args) : json_object_size(args);
    if (given != n)
        return cov_fail(err, COV_ERR_ARG, "%s takes %zu argument(s), got %zu", what, n, given);
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_is_array(args) ? json_array_get(args, i)
                                              : json_object_get(args, names[i] ? names[i] : "");
        if (!v)
            return cov_fail(err, COV_ERR_ARG, "%s: argument \"%s\" is missing", what,
                            names[i] ? names[i] : "?");
        cov_status st = cov_codec_encode(out, m, types[i], v, err);
        if (st != COV_OK)
            return cov_err_context(err, "%s argument %s", what, names[i] ? names[i] : "?");
    }
    return COV_OK;
}

cov_status cov_chain_encode_call(cov_chain *c, cov_buf *out, const char *pallet, const char *call,
                                 const json_t *args, cov_err *err)
{
    cov_meta_call mc;
    cov_status st = cov_metadata_call(c->meta, &mc, pallet, call, err);
    if (st != COV_OK)
        return st;
    const cov_meta_variant *v = mc.variant;
    uint32_t *types = malloc((v->n_fields + 1) * sizeof *types);
    const char **names = malloc((v->n_fields + 1) * sizeof *names);
    if (!types || !names) {
        free(types);
        free(names);
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < v->n_fields; i++) {
        types[i] = v->fields[i].type;
        names[i] = v->fields[i].name;
    }
    char what[160];
    snprintf(what, sizeof what, "%s.%s", pallet, call);
    st = cov_scale_put_u8(out, mc.pallet_index, err);
    if (st == COV_OK)
        st = cov_scale_put_u8(out, mc.call_index, err);
    if (st == COV_OK)
        st = chain_encode_args(c->meta, out, types, names, v->n_fields, args, what, err);
    free(types);
    free(names);
    return st;
}

cov_status cov_chain_runtime_call(cov_chain *c, json_t **result, const char *api,
                                  const char *method, const json_t *args, const uint8_t *at,
                                  cov_err *err)
{
    *result = NULL;
    const cov_meta_api_method *mm;
    cov_status st = cov_metadata_runtime_api(c->meta, NULL, &mm, api, method, err);
    if (st == COV_OK)
        st = chain_need_rpc(c, err);
    if (st != COV_OK)
        return st;
    uint32_t *types = malloc((mm->n_inputs + 1) * sizeof *types);
    const char **names = malloc((mm->n_inputs + 1) * sizeof *names);
    if (!types || !names) {
        free(types);
        free(names);
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < mm->n_inputs; i++) {
        types[i] = mm->inputs[i].type;
        names[i] = mm->inputs[i].name;
    }
    char name[256];
    snprintf(name, sizeof name, "%s_%s", api, method);
    cov_buf in;
    cov_buf_init(&in, 1u << 20);
    st = chain_encode_args(c->meta, &in, types, names, mm->n_inputs, args, name, err);
    uint8_t *out = NULL;
    size_t out_len = 0;
    if (st == COV_OK)
        st = cov_rpc_state_call(c->rpc, &out, &out_len, name, in.data, in.len, at, err);
    if (st == COV_OK)
        st = cov_codec_decode_all(result, c->meta, mm->output, out, out_len, NULL, err);
    if (st != COV_OK)
        cov_err_context(err, "%s", name);
    free(out);
    cov_buf_free(&in);
    free(types);
    free(names);
    return st;
}
