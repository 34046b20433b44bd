/* Shared by codec_decode.c and codec_encode.c. */
#ifndef COVENANT_CHAIN_CODEC_INTERNAL_H
#define COVENANT_CHAIN_CODEC_INTERNAL_H

#include "chain/codec.h"

/* Where in a value the walk is, for error messages ("args.dest[2].who").
 * Pushing and popping only record the segment (a name from the metadata, or
 * an index); the text is built by codec_path_str when a message needs it,
 * so a walk that succeeds formats nothing. */
enum { CODEC_PATH_SEGS = 64 };
typedef struct {
    struct {
        const char *name; /* NULL for an index; must outlive the segment */
        size_t index;
    } seg[CODEC_PATH_SEGS];
    size_t n;       /* segments pushed; those past CODEC_PATH_SEGS are not kept */
    char text[256]; /* codec_path_str's output */
} codec_path;

/* Appends ".name" (or "name" at the start) / "[i]"; returns the old depth
 * for codec_path_pop. Segments past CODEC_PATH_SEGS are left out of the
 * text (it ends in "..."), and the text is truncated to fit: the path is
 * only for messages. */
size_t codec_path_push_name(codec_path *p, const char *name);
size_t codec_path_push_index(codec_path *p, size_t index);
void codec_path_pop(codec_path *p, size_t old_len);
/* The path for a message: "value" at the top. Valid until the next call. */
const char *codec_path_str(codec_path *p);

/* The last path segment of a type ("Option", "AccountId32"), or "". */
const char *codec_type_ident(const cov_meta_type *t);
/* True for AccountId32-like types: a 32-byte array, or a struct wrapping
 * one, named AccountId32. */
bool codec_is_account(const cov_metadata *m, const cov_meta_type *t);
/* True for Option<T> as the registry describes it (variants None, Some). */
bool codec_is_option(const cov_meta_type *t);
/* True if the type is u8 (so a sequence or array of it is bytes). */
bool codec_is_u8(const cov_metadata *m, uint32_t type);

/* Byte width of a fixed-size primitive (0 for bool/char/str). */
size_t codec_primitive_size(cov_primitive p);

/* How a bit sequence packs its bits: store word size and order. */
cov_status codec_bitseq_layout(const cov_metadata *m, const cov_meta_type *t,
                               size_t *word_bytes, bool *msb_first, cov_err *err);

#endif
