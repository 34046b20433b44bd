/* Part of chain/chain.h: type-directed SCALE <-> JSON.
 *
 * Any value the metadata can describe (storage values, events, runtime API
 * results, call arguments) is decoded to JSON by walking its type in the
 * registry, and encoded back from JSON the same way. The JSON shapes:
 *   bool, str             JSON bool / string
 *   u8..u32, i8..i32      JSON integer
 *   u64..u256, i64..i256  JSON integer when it fits in int64, else a decimal
 *                         string (encoding also takes decimal strings and
 *                         0x big-endian hex)
 *   Compact<T>            as T
 *   Vec<u8>, [u8; N]      "0x..." (encoding also takes a JSON array of
 *                         numbers, and for Vec<u8> plain text as UTF-8)
 *   AccountId32           SS58 text with options.ss58_accounts, else 0x hex
 *                         (encoding takes either)
 *   struct                object by field name; a single unnamed field is
 *                         the field itself; several unnamed ones an array
 *   enum                  "Variant" when it has no fields, else
 *                         {"Variant": <fields as for a struct>}
 *   Option<T>             null or the value
 *   tuple, Vec, array     JSON array; () is null
 *   bit sequence          array of booleans
 */
#ifndef COVENANT_CHAIN_CODEC_H
#define COVENANT_CHAIN_CODEC_H

#include "chain/metadata.h"
#include "chain/scale.h"

typedef struct {
    bool ss58_accounts;   /* AccountId32 as SS58 text (else 0x hex) */
    uint16_t ss58_prefix; /* 42 for bittensor */
} cov_codec_options;

/* Bittensor's defaults: SS58 accounts with prefix 42. */
cov_codec_options cov_codec_defaults(void);

/* Decodes one value of `type` from r into a new JSON value (*out, caller
 * owns the reference). options may be NULL for the defaults. Errors name
 * the byte offset and the path to the bad part ("Weights[3].1"). */
cov_status cov_codec_decode(json_t **out, const cov_metadata *m, uint32_t type,
                            cov_scale_reader *r, const cov_codec_options *options,
                            cov_err *err) COV_WARN_UNUSED;

/* The same for a whole buffer: every byte must belong to the value. */
cov_status cov_codec_decode_all(json_t **out, const cov_metadata *m, uint32_t type,
                                const uint8_t *data, size_t len,
                                const cov_codec_options *options,
                                cov_err *err) COV_WARN_UNUSED;

/* Appends the SCALE encoding of `value` as `type` to b. Errors name the
 * path to the part that does not fit the type and what was expected. */
cov_status cov_codec_encode(cov_buf *b, const cov_metadata *m, uint32_t type,
                            const json_t *value, cov_err *err) COV_WARN_UNUSED;

/* The fewest bytes any value of the type encodes to (used to bound
 * sequence lengths against the input). */
size_t cov_codec_min_size(const cov_metadata *m, uint32_t type);

/* Decimal text of an unsigned little-endian integer of n bytes (n <= 32);
 * out needs 80 bytes. */
void cov_codec_le_to_decimal(char out[80], const uint8_t *le, size_t n);
/* Parses decimal digits (or 0x big-endian hex) into n little-endian bytes;
 * false if it is not a number or does not fit. */
bool cov_codec_parse_unsigned(uint8_t *le, size_t n, const char *text);

#endif
