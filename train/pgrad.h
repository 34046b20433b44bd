/* One peer's compressed pseudo-gradient for one window: the object a miner
 * uploads and every peer downloads (templar.md §3.2 keeps it in a torch
 * .pt pickle; covenant uses the flat, versioned format below).
 *
 * Wire format, version 1. Little-endian throughout; f32 is IEEE-754 binary32.
 *
 *   offset size  field
 *   0      8     magic "COVPGRAD"
 *   8      2     u16 version = 1
 *   10     2     u16 flags: bit 0 = chunks are DCT coefficients; others 0
 *   12     32    model hash (cov_pgrad_model_hash)
 *   44     8     u64 window
 *   52     2     u16 uid
 *   54     2     u16 quantization bins B (2..256)
 *   56     4     u32 tensor count T
 *   60     ...   T tensors, in the model's order, each:
 *                  u16 name length n (1..95), n bytes of name (no NUL)
 *                  u8  ndim (1|2), u8 0
 *                  u64 × ndim shape
 *                  u16 h, u16 w (chunk sides), u16 k (kept per chunk)
 *                  u64 N = chunks·k (values kept)
 *                  f32 shift, f32 scale, f32 × B lookup
 *                  3·⌈N/2⌉ bytes: chunk-local indices, 12-bit packed
 *                       (sparseloco.h), chunk by chunk, ascending in a chunk
 *                  N bytes: codes, in the indices' order
 *   end−32 32    blake2b-256 of every byte before it
 *
 * A receiver (cov_pgrad_decode) refuses, with a message naming the field:
 * a file over its size cap or shorter than a header, a wrong checksum
 * (COV_ERR_CHECKSUM), a wrong magic, an unknown version or flag
 * (COV_ERR_UNSUPPORTED), another model hash, window or uid than expected
 * (COV_ERR_ARG), and (COV_ERR_PARSE) tensors that are not the expected
 * model's in name, order, shape, chunk geometry, k or N, a non-finite shift,
 * scale or lookup entry, |scale| outside (1e-12, 1e4), an index ≥ the chunk
 * length or not strictly ascending inside its chunk, a non-zero padding
 * nibble, a code ≥ B, and bytes left over. templar.md §3.3 lists Templar's
 * checks; these include them. */
#ifndef COVENANT_TRAIN_PGRAD_H
#define COVENANT_TRAIN_PGRAD_H

#include "common/common.h"
#include "train/config.h"
#include "train/sparseloco.h"
#include "train/tensor.h"

#define COV_PGRAD_MAGIC "COVPGRAD"
#define COV_PGRAD_VERSION 1
#define COV_PGRAD_FLAG_DCT 1u
#define COV_PGRAD_HEADER_LEN 60
#define COV_PGRAD_CHECKSUM_LEN 32
/* The default cap on a file: 70B's upload is about 2.8 GB. */
#define COV_PGRAD_DEFAULT_MAX_BYTES ((size_t)8 << 30)

typedef struct {
    uint8_t model_hash[32];
    uint64_t window;
    uint16_t uid;
    bool use_dct;
    int n_bins;
    size_t n_tensors;
    cov_sparseloco_tensor *tensors; /* owned, [n_tensors] */
} cov_pgrad;

/* blake2b-256 of "covenant/model/v1", the config's shape fields (vocab,
 * dim, layers, heads, kv heads, ffn, max_seq_len as u32; norm_eps and
 * rope_theta as f32 bits; tie as u8; the preset name is a label and not
 * hashed) and the tensor table (u32 count; per tensor u16 name length,
 * name, u8 ndim, u64 × ndim shape). */
cov_status cov_pgrad_model_hash(uint8_t out[32], const cov_model_config *cfg,
                                const cov_tensor_view *tensors, size_t n_tensors, cov_err *err);

/* A new pgrad with one allocated compressed tensor per view (names and
 * shapes from the views; data is not read). Free with cov_pgrad_free. */
cov_status cov_pgrad_new(cov_pgrad **out, const uint8_t model_hash[32], uint64_t window,
                         uint16_t uid, const cov_tensor_view *tensors, size_t n_tensors,
                         const cov_sparseloco_config *cfg, cov_err *err);
void cov_pgrad_free(cov_pgrad *pg);

/* Compresses every tensor: ef[i] (updated in place) and delta[i] match
 * pg->tensors[i]'s name and shape. Stops at the first failure. */
cov_status cov_pgrad_compress(cov_sparseloco *s, cov_pgrad *pg, const cov_tensor_view *ef,
                              const cov_tensor_view *delta, cov_err *err);

/* ---------------------------------------------------------------- wire */

/* The exact encoded size. */
size_t cov_pgrad_encoded_len(const cov_pgrad *pg);

/* Encodes into a new malloc'd buffer (*out, *out_len); free() it. */
cov_status cov_pgrad_encode(uint8_t **out, size_t *out_len, const cov_pgrad *pg, cov_err *err);

/* Encodes to path atomically (cov_file_write_atomic, mode 0644). */
cov_status cov_pgrad_write_file(const char *path, const cov_pgrad *pg, bool overwrite, cov_err *err);

/* What a receiver expects of a file: all fields are checked. */
typedef struct {
    const uint8_t *model_hash;         /* 32 bytes */
    uint64_t window;
    uint16_t uid;
    const cov_tensor_view *tensors;    /* the model's names and shapes, in order */
    size_t n_tensors;
    const cov_sparseloco_config *cfg;  /* topk, chunk, bins, use_dct */
    size_t max_bytes;                  /* 0: COV_PGRAD_DEFAULT_MAX_BYTES */
} cov_pgrad_expect;

/* Decodes and validates (see the list above) into a new pgrad with the
 * indices unpacked; free with cov_pgrad_free. Nothing is returned on error. */
cov_status cov_pgrad_decode(cov_pgrad **out, const uint8_t *buf, size_t len,
                            const cov_pgrad_expect *expect, cov_err *err);
cov_status cov_pgrad_read_file(cov_pgrad **out, const char *path, const cov_pgrad_expect *expect,
                               cov_err *err);

/* ---------------------------------------------------- model-level steps */

typedef struct {
    size_t n_applied, n_skipped;
    cov_sparseloco_tensor_result *tensors; /* caller's array, one per tensor */
} cov_pgrad_step_result;

/* The outer step over every tensor of params (views matching the peers'
 * tensors in order, updated in place): cov_sparseloco_outer_step_tensor per
 * tensor. A non-finite tensor is skipped and counted, not an error. */
cov_status cov_pgrad_outer_step(cov_sparseloco *s, const cov_tensor_view *params, size_t n_params,
                                const cov_pgrad *const *peers, size_t n_peers, float lr,
                                cov_pgrad_step_result *res, cov_err *err);

/* Per-tensor lower-median norms over a window's gathered peers into
 * out[n_tensors] (the validator clips a single peer by these). */
cov_status cov_pgrad_median_norms(float *out, const cov_pgrad *const *peers, size_t n_peers,
                                  cov_err *err);

/* The validator's evaluation step (§4.3): one peer's update at
 * lr·eval_lr_factor, each tensor clipped by median_norms[i]. */
cov_status cov_pgrad_apply_one(cov_sparseloco *s, const cov_tensor_view *params, size_t n_params,
                               const cov_pgrad *peer, const float *median_norms, double lr,
                               double eval_lr_factor, cov_pgrad_step_result *res, cov_err *err);

#endif
