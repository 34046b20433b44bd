/* Model checkpoints a Hugging Face stack opens as they are: a folder with
 *
 *   model.safetensors  every parameter, F32, Llama names (tensor.h)
 *   config.json        a LlamaConfig (LlamaForCausalLM) for the shapes
 *
 * safetensors: an 8-byte little-endian header length N, N bytes of JSON
 * (padded with spaces to a multiple of 8) mapping each name to
 * {"dtype","shape","data_offsets":[begin,end]} relative to the data that
 * follows, plus "__metadata__", a string-to-string map ("format": "pt" and
 * whatever the caller adds). docs/training.md "Checkpoints" has more. */
#ifndef COVENANT_TRAIN_CHECKPOINT_H
#define COVENANT_TRAIN_CHECKPOINT_H

#include "common/common.h"
#include "train/config.h"
#include "train/tensor.h"

#define COV_CHECKPOINT_WEIGHTS "model.safetensors"
#define COV_CHECKPOINT_CONFIG "config.json"
/* Refuse safetensors headers larger than this (the safetensors package's
 * own limit is 100 MB; a 70B Llama's header is about 100 KB). */
#define COV_SAFETENSORS_HEADER_MAX ((size_t)100 << 20)

/* Saves tensors[0..n) and cfg into the folder dir, atomically: everything
 * is written and synced in a new sibling folder that is then renamed to
 * dir; an existing checkpoint at dir is replaced only once the new one is
 * complete (a folder holding anything else is refused). metadata_json, if
 * not NULL, is a JSON object whose members go into "__metadata__" (values
 * that are not strings are stored as their compact JSON text), e.g.
 * {"window": 1234, "global_step": 56}; "bos_token_id"/"eos_token_id" there
 * also set config.json's (default 0, the byte-level EOS). The tensors must
 * be exactly the Llama layout of cfg (cov_checkpoint_layout). */
cov_status cov_checkpoint_save(const char *dir, const cov_model_config *cfg,
                               const cov_tensor_view *tensors, size_t n,
                               const char *metadata_json, cov_err *err) COV_WARN_UNUSED;

/* Reads dir/config.json into *cfg_out, checks that model.safetensors holds
 * exactly the tensors that config implies (no missing, no extra, the same
 * shapes, all F32, offsets in range and not overlapping) and that dest[0..n)
 * is that same set, then copies each tensor into the view of its name,
 * bit-exactly. dest's data must point at numel floats each. On failure the
 * views may be partly filled. */
cov_status cov_checkpoint_load(const char *dir, cov_model_config *cfg_out, cov_tensor_view *dest,
                               size_t n, cov_err *err) COV_WARN_UNUSED;

/* Reads only dir/config.json (a LlamaConfig; covenant's own or one that
 * transformers wrote). */
cov_status cov_checkpoint_read_config(const char *dir, cov_model_config *cfg,
                                      cov_err *err) COV_WARN_UNUSED;

/* The "__metadata__" map of dir/model.safetensors as a new JSON object
 * (json_decref it). */
cov_status cov_checkpoint_read_metadata(const char *dir, json_t **out,
                                        cov_err *err) COV_WARN_UNUSED;

/* The Hugging Face Llama parameters of cfg, in the order transformers
 * lists them: names and shapes filled, data NULL. *n is set to how many
 * there are; COV_ERR_ARG when cap is smaller (call with cap 0 to count). */
cov_status cov_checkpoint_layout(cov_tensor_view *out, size_t cap, size_t *n,
                                 const cov_model_config *cfg, cov_err *err) COV_WARN_UNUSED;

/* ------------------------------------------------- safetensors, in memory */

typedef struct {
    char name[COV_TENSOR_NAME_MAX];
    int ndim;
    int64_t shape[2];
    size_t numel;
    uint64_t begin, end; /* byte offsets into the data section */
} cov_safetensors_entry;

typedef struct {
    cov_safetensors_entry *entries; /* sorted by begin */
    size_t n;
    json_t *metadata;       /* "__metadata__" object (may be empty) */
    const uint8_t *data;    /* the data section, inside the parsed buffer */
    size_t data_len;
} cov_safetensors;

/* Parses and validates a whole safetensors file held in memory: header
 * length and cap, JSON syntax, F32 only, 1-D or 2-D shapes, offsets that
 * fit, match the shape, do not overlap and cover the data exactly. *st
 * borrows `file` (keep it alive); free with cov_safetensors_free. */
cov_status cov_safetensors_parse(cov_safetensors *st, const uint8_t *file, size_t len,
                                 cov_err *err) COV_WARN_UNUSED;
void cov_safetensors_free(cov_safetensors *st);

#endif
