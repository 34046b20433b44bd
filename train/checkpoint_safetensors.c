/* safetensors, the format (checkpoint.h): parsing and validating a file held
 * in memory. Every check a hostile file could need is here, so that the
 * loader can trust what it gets. */
#include "train/checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

void cov_safetensors_free(cov_safetensors *st)
{
    if (!st)
        return;
    free(st->entries);
    json_decref(st->metadata);
    memset(st, 0, sizeof *st);
}

static cov_status parse_metadata(cov_safetensors *st, json_t *value, cov_err *err)
{
    if (!json_is_object(value))
        return cov_fail(err, COV_ERR_PARSE, "safetensors: \"__metadata__\" is not an object");
    const char *k;
    json_t *v;
    json_object_foreach(value, k, v) {
        if (!json_is_string(v))
            return cov_fail(err, COV_ERR_PARSE,
                            "safetensors: metadata \"%s\" is not a string", k);
    }
    st->metadata = json_incref(value);
    return COV_OK;
}

static cov_status parse_entry(cov_safetensors_entry *e, const char *name, json_t *value,
                              size_t data_len, cov_err *err)
{
    if (strlen(name) >= COV_TENSOR_NAME_MAX || name[0] == '\0')
        return cov_fail(err, COV_ERR_PARSE, "safetensors: a tensor name is empty or over %d bytes",
                        COV_TENSOR_NAME_MAX - 1);
    snprintf(e->name, sizeof e->name, "%s", name);
    if (!json_is_object(value))
        return cov_fail(err, COV_ERR_PARSE, "safetensors: tensor %s: not an object", name);
    json_t *dtype = json_object_get(value, "dtype"), *shape = json_object_get(value, "shape"),
           *offs = json_object_get(value, "data_offsets");
    if (!json_is_string(dtype) || !json_is_array(shape) || !json_is_array(offs))
        return cov_fail(err, COV_ERR_PARSE,
                        "safetensors: tensor %s needs dtype, shape and data_offsets", name);
    if (json_object_size(value) != 3)
        return cov_fail(err, COV_ERR_PARSE, "safetensors: tensor %s has unknown fields", name);
    if (strcmp(json_string_value(dtype), "F32") != 0)
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "safetensors: tensor %s is %s; covenant loads F32 checkpoints only "
                        "(convert with torch_dtype=float32)",
                        name, json_string_value(dtype));
    size_t nd = json_array_size(shape);
    if (nd < 1 || nd > 2)
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "safetensors: tensor %s has %zu dimensions; Llama parameters have 1 or 2",
                        name, nd);
    e->ndim = (int)nd;
    uint64_t numel = 1;
    for (size_t i = 0; i < nd; i++) {
        json_t *d = json_array_get(shape, i);
        if (!json_is_integer(d) || json_integer_value(d) < 0 ||
            json_integer_value(d) > (json_int_t)1 << 40)
            return cov_fail(err, COV_ERR_PARSE, "safetensors: tensor %s: bad shape", name);
        e->shape[i] = (int64_t)json_integer_value(d);
        numel *= (uint64_t)e->shape[i];
        if (numel > data_len)
            return cov_fail(err, COV_ERR_PARSE,
                            "safetensors: tensor %s is larger than the file's data", name);
    }
    e->numel = (size_t)numel;
    json_t *b = json_array_get(offs, 0), *en = json_array_get(offs, 1);
    if (json_array_size(offs) != 2 || !json_is_integer(b) || !json_is_integer(en) ||
        json_integer_value(b) < 0 || json_integer_value(en) < json_integer_value(b))
        return cov_fail(err, COV_ERR_PARSE, "safetensors: tensor %s: bad data_offsets", name);
    e->begin = (uint64_t)json_integer_value(b);
    e->end = (uint64_t)json_integer_value(en);
    if (e->end > data_len)
        return cov_fail(err, COV_ERR_PARSE,
                        "safetensors: tensor %s: data_offsets end %llu is past the data (%zu "
                        "bytes): the file is truncated",
                        name, (unsigned long long)e->end, data_len);
    if (e->end - e->begin != numel * 4)
        return cov_fail(err, COV_ERR_PARSE,
                        "safetensors: tensor %s: %llu bytes for %llu F32 values", name,
                        (unsigned long long)(e->end - e->begin), (unsigned long long)numel);
    return COV_OK;
}

static int by_begin(const void *a, const void *b)
{
    const cov_safetensors_entry *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}

cov_status cov_safetensors_parse(cov_safetensors *st, const uint8_t *file, size_t len,
                                 cov_err *err)
{
    memset(st, 0, sizeof *st);
    if (len < 8)
        return cov_fail(err, COV_ERR_PARSE, "safetensors: truncated: %zu bytes", len);
    uint64_t hlen = rd64(file);
    if (hlen > COV_SAFETENSORS_HEADER_MAX)
        return cov_fail(err, COV_ERR_TOO_BIG,
                        "safetensors: header of %llu bytes is over the %zu-byte cap",
                        (unsigned long long)hlen, COV_SAFETENSORS_HEADER_MAX);
    if (hlen > len - 8)
        return cov_fail(err, COV_ERR_PARSE,
                        "safetensors: truncated: the header needs %llu bytes, %zu remain",
                        (unsigned long long)hlen, len - 8);
    if (hlen < 2 || file[8] != '{')
        return cov_fail(err, COV_ERR_PARSE, "safetensors: the header is not a JSON object");
    json_error_t jerr;
    json_t *root = json_loadb((const char *)file + 8, (size_t)hlen, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return cov_fail(err, COV_ERR_PARSE, "safetensors: header JSON: %s (byte %d)", jerr.text,
                        jerr.position);
    if (!json_is_object(root)) {
        json_decref(root);
        return cov_fail(err, COV_ERR_PARSE, "safetensors: the header is not a JSON object");
    }
    st->data = file + 8 + hlen;
    st->data_len = len - 8 - (size_t)hlen;
    st->entries = calloc(json_object_size(root) + 1, sizeof *st->entries);
    if (!st->entries) {
        json_decref(root);
        return cov_fail(err, COV_ERR_NOMEM, "safetensors: no memory");
    }
    cov_status rc = COV_OK;
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value) {
        if (strcmp(key, "__metadata__") == 0)
            rc = parse_metadata(st, value, err);
        else
            rc = parse_entry(&st->entries[st->n++], key, value, st->data_len, err);
        if (rc != COV_OK)
            break;
    }
    json_decref(root);
    if (rc == COV_OK && !st->metadata)
        st->metadata = json_object();
    if (rc == COV_OK) {
        /* Sorted by offset, the tensors must tile the data: no overlap (two
         * names for one memory), no gap (bytes nobody accounts for). */
        qsort(st->entries, st->n, sizeof *st->entries, by_begin);
        uint64_t at = 0;
        for (size_t i = 0; i < st->n && rc == COV_OK; i++) {
            if (st->entries[i].begin < at)
                rc = cov_fail(err, COV_ERR_PARSE, "safetensors: tensors %s and %s overlap",
                              st->entries[i - 1].name, st->entries[i].name);
            else if (st->entries[i].begin > at)
                rc = cov_fail(err, COV_ERR_PARSE,
                              "safetensors: %llu unused bytes before tensor %s",
                              (unsigned long long)(st->entries[i].begin - at),
                              st->entries[i].name);
            at = st->entries[i].end;
        }
        if (rc == COV_OK && at != st->data_len)
            rc = cov_fail(err, COV_ERR_PARSE,
                          "safetensors: %llu bytes after the last tensor",
                          (unsigned long long)(st->data_len - at));
    }
    if (rc != COV_OK)
        cov_safetensors_free(st);
    return rc;
}
