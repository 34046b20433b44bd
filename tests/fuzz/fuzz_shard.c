/* cov_shard_parse on arbitrary bytes.
 *
 * Byte 0 picks the mode: even, the rest is parsed as it is; odd, both XXH64
 * checksums are recomputed first ("resealed"), so that fuzzing reaches the
 * structural checks behind them instead of stopping at the checksums.
 *
 * Properties checked on every input:
 * - a refusal comes with its status and a message;
 * - an accepted shard has width 2 or 4, EOS < vocab, seq_len > 0, exactly
 *   64 + samples * seq_len * width bytes, every token below the vocab;
 * - encoding the accepted header and tokens gives back the input bytes
 *   exactly (the format has one spelling per shard);
 * - flipping the last byte makes a valid shard invalid. */
#include "fuzz_common.h"

#include "train/data.h"

static void reseal(uint8_t *buf, size_t len)
{
    if (len < COV_SHARD_HEADER_SIZE)
        return;
    uint8_t h[8];
    cov_twox64(h, buf + COV_SHARD_HEADER_SIZE, len - COV_SHARD_HEADER_SIZE);
    memcpy(buf + 48, h, 8);
    cov_twox64(h, buf, 56);
    memcpy(buf + 56, h, 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    if (size < 1)
        return 0;
    size_t len = size - 1;
    uint8_t *buf = malloc(len ? len : 1);
    FUZZ_CHECK(buf != NULL);
    memcpy(buf, data + 1, len);
    if (data[0] & 1)
        reseal(buf, len);

    cov_shard_info info;
    const uint8_t *tokens = NULL;
    cov_err err;
    cov_err_clear(&err);
    cov_status st = cov_shard_parse(&info, &tokens, buf, len, &err);
    if (st != COV_OK) {
        FUZZ_CHECK(err.code == st && err.msg[0] != '\0');
        free(buf);
        return 0;
    }
    FUZZ_CHECK(info.token_width == 2 || info.token_width == 4);
    FUZZ_CHECK(info.eos_id < info.vocab_size && info.seq_len > 0);
    size_t n = (size_t)(info.sample_count * info.seq_len);
    FUZZ_CHECK(len == COV_SHARD_HEADER_SIZE + n * info.token_width);
    FUZZ_CHECK(tokens == buf + COV_SHARD_HEADER_SIZE);

    uint32_t *values = malloc((n ? n : 1) * sizeof *values);
    FUZZ_CHECK(values != NULL);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = tokens + i * info.token_width;
        values[i] = info.token_width == 2
                        ? (uint32_t)p[0] | (uint32_t)p[1] << 8
                        : (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                              (uint32_t)p[3] << 24;
        FUZZ_CHECK(values[i] < info.vocab_size);
    }
    uint8_t *again;
    size_t again_len;
    FUZZ_CHECK(cov_shard_encode(&again, &again_len, &info, values, &err) == COV_OK);
    FUZZ_CHECK(again_len == len && memcmp(again, buf, len) == 0);
    free(again);
    free(values);

    buf[len - 1] ^= 0x80;
    FUZZ_CHECK(cov_shard_parse(&info, NULL, buf, len, &err) != COV_OK);
    free(buf);
    return 0;
}
