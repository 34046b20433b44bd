/* Signing with the metadata's transaction extensions, submitting, and
 * following a transaction into a block and through its events. */
#include "chain/client_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void cov_tx_options_default(cov_tx_options *o)
{
    memset(o, 0, sizeof *o);
    o->era_period = 64;
}

void cov_tx_result_free(cov_tx_result *r)
{
    json_decref(r->events);
    r->events = NULL;
}

/* A type that encodes to no bytes at all (unit structs, empty tuples). */
static bool zero_sized(const cov_metadata *m, uint32_t type, int depth)
{
    const cov_meta_type *t = cov_metadata_type(m, type);
    if (!t || depth > 16)
        return false;
    switch (t->kind) {
    case COV_TYPE_COMPOSITE:
        for (uint32_t i = 0; i < t->def.composite.n_fields; i++)
            if (!zero_sized(m, t->def.composite.fields[i].type, depth + 1))
                return false;
        return true;
    case COV_TYPE_TUPLE:
        for (uint32_t i = 0; i < t->def.tuple.n_types; i++)
            if (!zero_sized(m, t->def.tuple.types[i], depth + 1))
                return false;
        return true;
    case COV_TYPE_ARRAY:
        return t->def.array.len == 0 || zero_sized(m, t->def.array.type, depth + 1);
    default:
        return false;
    }
}

static bool extension_zero_sized(void *ctx, const char *identifier, size_t index)
{
    (void)identifier;
    const cov_metadata *m = ctx;
    const cov_meta_extrinsic *x = cov_metadata_extrinsic(m);
    if (index >= x->n_signed_exts)
        return false;
    return zero_sized(m, x->signed_exts[index].type, 0) &&
           zero_sized(m, x->signed_exts[index].additional_signed, 0);
}

/* Fills the era, its birth block's hash, and the nonce from the node where
 * the options leave them open. */
static cov_status tx_values(cov_chain *c, cov_tx_values *v, const cov_keypair *signer,
                            const cov_tx_options *o, cov_err *err)
{
    memset(v, 0, sizeof *v);
    v->spec_version = c->version.spec_version;
    v->tx_version = c->version.transaction_version;
    memcpy(v->genesis_hash, c->genesis, 32);
    v->tip = o->tip;
    cov_status st = COV_OK;
    uint64_t number = o->block_number;
    uint8_t hash[32];
    memcpy(hash, o->block_hash, 32);
    if (o->era_period && !o->have_block) {
        cov_rpc_header h;
        st = chain_need_rpc(c, err);
        if (st == COV_OK)
            st = cov_rpc_block_hash(c->rpc, hash, NULL, err);
        if (st == COV_OK)
            st = cov_rpc_header_get(c->rpc, &h, hash, err);
        number = h.number;
    }
    if (st != COV_OK)
        return st;
    if (o->era_period) {
        v->era = cov_era_mortal(number, o->era_period);
        uint64_t birth = cov_era_birth(&v->era, number);
        if (birth == number)
            memcpy(v->era_block_hash, hash, 32);
        else if ((st = chain_need_rpc(c, err)) == COV_OK)
            st = cov_rpc_block_hash(c->rpc, v->era_block_hash, &birth, err);
    } else {
        v->era = cov_era_immortal();
        memcpy(v->era_block_hash, c->genesis, 32);
    }
    if (st != COV_OK)
        return st;
    if (o->have_nonce) {
        v->nonce = o->nonce;
        return COV_OK;
    }
    char address[COV_SS58_MAX];
    st = chain_need_rpc(c, err);
    if (st == COV_OK)
        st = cov_keypair_ss58(signer, address, COV_SS58_BITTENSOR, err);
    if (st == COV_OK)
        st = cov_rpc_account_next_index(c->rpc, &v->nonce, address, err);
    return st;
}

cov_status cov_chain_sign(cov_chain *c, cov_buf *out, const cov_keypair *signer,
                          const uint8_t *call, size_t call_len, const cov_tx_options *opts,
                          cov_err *err)
{
    cov_tx_options defaults;
    if (!opts) {
        cov_tx_options_default(&defaults);
        opts = &defaults;
    }
    const cov_meta_extrinsic *x = cov_metadata_extrinsic(c->meta);
    if (x->version != 4)
        return cov_fail(err, COV_ERR_UNSUPPORTED, "the runtime's extrinsic version is %u; "
                        "covenant signs version 4", x->version);
    cov_tx_values values;
    cov_status st = tx_values(c, &values, signer, opts, err);
    if (st != COV_OK)
        return st;
    size_t n = x->n_signed_exts;
    const char **ids = malloc((n + 1) * sizeof *ids);
    cov_tx_extension *exts = calloc(n + 1, sizeof *exts);
    if (!ids || !exts)
        st = cov_fail(err, COV_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == COV_OK && i < n; i++)
        ids[i] = x->signed_exts[i].identifier;
    if (st == COV_OK)
        st = cov_tx_extensions_build(exts, ids, n, &values, extension_zero_sized,
                                     (void *)c->meta, err);
    if (st == COV_OK)
        st = cov_extrinsic_sign(out, signer, call, call_len, exts, n, err);
    free(ids);
    free(exts);
    return st;
}

/* "Pallet::Error" and its first doc line for DispatchError::Module. */
static void describe_module_error(cov_chain *c, cov_tx_result *out, const json_t *module)
{
    json_t *index = json_object_get(module, "index");
    const char *error_hex = json_string_value(json_object_get(module, "error"));
    uint8_t error[4] = {0};
    if (json_is_integer(index) && error_hex) {
        if (cov_hex_decode(error, 4, error_hex, NULL) != COV_OK)
            memset(error, 0, sizeof error); /* described as unknown below */
    } else if (json_is_integer(index) && json_is_integer(json_object_get(module, "error")))
        error[0] = (uint8_t)json_integer_value(json_object_get(module, "error"));
    const cov_meta_pallet *pallet;
    const cov_meta_variant *v;
    if (json_is_integer(index) &&
        cov_metadata_error(c->meta, &pallet, &v, (uint8_t)json_integer_value(index), error[0],
                           NULL) == COV_OK) {
        snprintf(out->error, sizeof out->error, "%s::%s", pallet->name, v->name);
        snprintf(out->error_doc, sizeof out->error_doc, "%s", v->docs.count ? v->docs.items[0] : "");
    } else {
        snprintf(out->error, sizeof out->error, "Module(index %lld, error %u)",
                 json_is_integer(index) ? (long long)json_integer_value(index) : -1LL, error[0]);
    }
}

static void describe_dispatch_error(cov_chain *c, cov_tx_result *out, const json_t *e)
{
    if (json_is_string(e)) {
        snprintf(out->error, sizeof out->error, "%s", json_string_value(e));
        return;
    }
    const char *kind = json_is_object(e) ? json_object_iter_key(json_object_iter((json_t *)e)) : NULL;
    json_t *inner = kind ? json_object_get(e, kind) : NULL;
    if (kind && strcmp(kind, "Module") == 0) {
        describe_module_error(c, out, inner);
        return;
    }
    char *text = inner ? cov_json_dumps(inner, JSON_COMPACT) : NULL;
    snprintf(out->error, sizeof out->error, "%s(%s)", kind ? kind : "DispatchError",
             text ? text : "");
    free(text);
}

cov_status cov_chain_extrinsic_outcome(cov_chain *c, cov_tx_result *out, const json_t *events,
                                       uint32_t index, cov_err *err)
{
    json_decref(out->events);
    out->events = json_array();
    bool decided = false;
    size_t i;
    json_t *record;
    json_array_foreach(events, i, record)
    {
        json_t *phase = json_object_get(record, "phase");
        json_t *applied = json_object_get(phase, "ApplyExtrinsic");
        if (!json_is_integer(applied) || json_integer_value(applied) != index)
            continue;
        json_t *event = json_object_get(record, "event");
        json_array_append(out->events, event);
        json_t *system = json_object_get(event, "System");
        if (!system)
            continue;
        if (json_object_get(system, "ExtrinsicSuccess")) {
            out->success = true;
            decided = true;
        }
        json_t *failed = json_object_get(system, "ExtrinsicFailed");
        if (failed) {
            out->success = false;
            decided = true;
            describe_dispatch_error(c, out, json_object_get(failed, "dispatch_error"));
        }
    }
    if (!decided)
        return cov_fail(err, COV_ERR_PARSE,
                        "extrinsic %u has neither ExtrinsicSuccess nor ExtrinsicFailed among "
                        "its events", index);
    return COV_OK;
}

/* Looks for the transaction in one block; *found says whether it is there. */
static cov_status find_in_block(cov_chain *c, cov_tx_result *out, const uint8_t hash[32],
                                bool *found, cov_err *err)
{
    cov_rpc_block block;
    *found = false;
    cov_status st = cov_rpc_block_get(c->rpc, &block, hash, err);
    if (st != COV_OK)
        return st;
    for (size_t i = 0; i < block.extrinsics.n && !*found; i++) {
        uint8_t h[32];
        cov_extrinsic_hash(h, block.extrinsics.items[i], block.extrinsics.lens[i]);
        if (memcmp(h, out->hash, 32) == 0) {
            *found = true;
            out->index = (uint32_t)i;
            out->block_number = block.header.number;
            memcpy(out->block_hash, hash, 32);
        }
    }
    cov_rpc_block_free(&block);
    return COV_OK;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Walks the blocks from `from` up to the head (best or finalized) until
 * the transaction turns up or time runs out. */
static cov_status follow(cov_chain *c, cov_tx_result *out, uint64_t from, cov_wait wait,
                         unsigned timeout_s, cov_err *err)
{
    time_t deadline = time(NULL) + (time_t)timeout_s;
    uint64_t next = from;
    while (time(NULL) <= deadline) {
        uint8_t head[32];
        cov_rpc_header h;
        cov_status st = wait == COV_WAIT_FINALIZED ? cov_rpc_finalized_head(c->rpc, head, err)
                                                   : cov_rpc_block_hash(c->rpc, head, NULL, err);
        if (st == COV_OK)
            st = cov_rpc_header_get(c->rpc, &h, head, err);
        if (st != COV_OK)
            return st;
        for (; next <= h.number; next++) {
            uint8_t hash[32];
            bool found;
            st = cov_rpc_block_hash(c->rpc, hash, &next, err);
            if (st == COV_OK)
                st = find_in_block(c, out, hash, &found, err);
            if (st != COV_OK)
                return st;
            if (found) {
                out->included = true;
                return COV_OK;
            }
        }
        sleep_ms(1000);
    }
    return cov_fail(err, COV_ERR_TIMEOUT,
                    "transaction 0x%02x%02x%02x%02x... not seen in a %s block within %u s; it may "
                    "still land: look it up by hash",
                    out->hash[0], out->hash[1], out->hash[2], out->hash[3],
                    wait == COV_WAIT_FINALIZED ? "finalized" : "new", timeout_s);
}

cov_status cov_chain_submit(cov_chain *c, cov_tx_result *out, const uint8_t *xt, size_t len,
                            cov_wait wait, unsigned timeout_s, cov_err *err)
{
    memset(out, 0, sizeof *out);
    cov_status st = chain_need_rpc(c, err);
    if (st != COV_OK)
        return st;
    cov_rpc_header start;
    uint8_t best[32];
    if (wait != COV_WAIT_NONE) {
        st = cov_rpc_block_hash(c->rpc, best, NULL, err);
        if (st == COV_OK)
            st = cov_rpc_header_get(c->rpc, &start, best, err);
        if (st != COV_OK)
            return st;
    }
    st = cov_rpc_submit_extrinsic(c->rpc, out->hash, xt, len, err);
    if (st != COV_OK || wait == COV_WAIT_NONE)
        return st;
    st = follow(c, out, start.number + 1, wait, timeout_s, err);
    json_t *events = NULL;
    json_t *no_keys = json_array();
    if (st == COV_OK)
        st = cov_chain_storage_read(c, &events, "System", "Events", no_keys, out->block_hash, err);
    json_decref(no_keys);
    if (st == COV_OK)
        st = cov_chain_extrinsic_outcome(c, out, events, out->index, err);
    json_decref(events);
    return st;
}
