/* train/data: the shard format (round trips, every corruption refused),
 * Templar's sample ids and digest (vectors from Python's hashlib, the
 * calls Templar makes), the shard writer and byte tokenizer, the window
 * seed, batches with Templar's labels and the synthetic corpus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_helpers.h"
#include "train/data.h"

#include <unistd.h>

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/covenant-test-data-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static cov_shard_info format(uint32_t width, uint32_t vocab, uint32_t eos, uint32_t seq,
                             uint64_t count)
{
    cov_shard_info f = {.token_width = width, .vocab_size = vocab, .eos_id = eos,
                        .seq_len = seq, .sample_count = count};
    return f;
}

static void test_shard_round_trip(void **state)
{
    (void)state;
    for (uint32_t width = 2; width <= 4; width += 2) {
        uint32_t vocab = width == 2 ? 65536 : 262144;
        uint32_t tokens[3 * 5];
        for (int i = 0; i < 15; i++)
            tokens[i] = (uint32_t)(i * 4099u) % vocab;
        cov_shard_info f = format(width, vocab, 1, 5, 3);
        uint8_t *buf;
        size_t len;
        assert_int_equal(cov_shard_encode(&buf, &len, &f, tokens, NULL), COV_OK);
        assert_int_equal(len, 64 + 15 * width);
        assert_memory_equal(buf, "COVTOKNS", 8);
        cov_shard_info got;
        const uint8_t *tok;
        assert_int_equal(cov_shard_parse(&got, &tok, buf, len, NULL), COV_OK);
        assert_int_equal(got.version, 1);
        assert_int_equal(got.token_width, width);
        assert_int_equal(got.vocab_size, vocab);
        assert_int_equal(got.seq_len, 5);
        assert_int_equal(got.sample_count, 3);
        assert_ptr_equal(tok, buf + 64);

        char path[400];
        snprintf(path, sizeof path, "%s/w%u.bin", tmpdir, width);
        assert_int_equal(cov_shard_write(path, &f, tokens, false, NULL), COV_OK);
        cov_err err;
        assert_int_equal(cov_shard_write(path, &f, tokens, false, &err), COV_ERR_EXISTS);
        cov_shard *s;
        assert_int_equal(cov_shard_open(&s, path, NULL), COV_OK);
        for (int i = 0; i < 15; i++)
            assert_int_equal(cov_shard_token(s, (uint64_t)i), tokens[i]);
        /* the file is what encode produced */
        assert_int_equal(s->map_len, len);
        assert_memory_equal(s->map, buf, len);
        cov_shard_close(s);
        free(buf);
    }
}

static void expect_refused(const uint8_t *buf, size_t len, cov_status code, const char *words)
{
    cov_shard_info info;
    cov_err err;
    cov_err_clear(&err);
    cov_status st = cov_shard_parse(&info, NULL, buf, len, &err);
    if (st != code || !strstr(err.msg, words))
        fail_msg("expected %s with \"%s\", got %s: %s", cov_status_name(code), words,
                 cov_status_name(st), err.msg);
}

/* Rewrites the header checksum after a deliberate header edit, so the
 * check under test is the one that fires. */
static void reseal(uint8_t *buf)
{
    uint8_t h[8];
    cov_twox64(h, buf, 56);
    memcpy(buf + 56, h, 8);
}

static void test_shard_corruption(void **state)
{
    (void)state;
    uint32_t tokens[4 * 8];
    for (int i = 0; i < 32; i++)
        tokens[i] = (uint32_t)i % 200;
    tokens[9] = 199;
    cov_shard_info f = format(2, 256, 0, 8, 4);
    uint8_t *good;
    size_t len;
    assert_int_equal(cov_shard_encode(&good, &len, &f, tokens, NULL), COV_OK);
    uint8_t *buf = malloc(len + 8);
    assert_non_null(buf);

    /* every truncation */
    for (size_t cut = 0; cut < len; cut++)
        expect_refused(good, cut, COV_ERR_PARSE, "truncated");
    /* trailing bytes */
    memcpy(buf, good, len);
    buf[len] = 7;
    expect_refused(buf, len + 2, COV_ERR_PARSE, "after the last sample");
    /* any flipped bit anywhere is caught */
    for (size_t i = 0; i < len; i++) {
        memcpy(buf, good, len);
        buf[i] ^= (uint8_t)(1u << (i % 8));
        cov_shard_info info;
        assert_int_not_equal(cov_shard_parse(&info, NULL, buf, len, NULL), COV_OK);
    }
    memcpy(buf, good, len);
    buf[0] = 'X';
    expect_refused(buf, len, COV_ERR_PARSE, "bad magic");
    memcpy(buf, good, len);
    buf[8] = 2;
    reseal(buf);
    expect_refused(buf, len, COV_ERR_UNSUPPORTED, "version 2");
    memcpy(buf, good, len);
    buf[20] = 9;
    expect_refused(buf, len, COV_ERR_CHECKSUM, "header checksum");
    memcpy(buf, good, len);
    buf[64 + 3] ^= 1;
    expect_refused(buf, len, COV_ERR_CHECKSUM, "token checksum");
    memcpy(buf, good, len);
    buf[12] = 3;
    reseal(buf);
    expect_refused(buf, len, COV_ERR_UNSUPPORTED, "token width 3");
    /* a token at or above the vocab: shrink the vocab to 100 (token 199 exists) */
    memcpy(buf, good, len);
    buf[16] = 100;
    buf[17] = 0;
    reseal(buf);
    expect_refused(buf, len, COV_ERR_PARSE, "not below the vocab size 100");
    memcpy(buf, good, len);
    buf[20] = 0;
    buf[21] = 1; /* EOS 256 */
    reseal(buf);
    expect_refused(buf, len, COV_ERR_PARSE, "EOS id 256");
    free(good);
    /* the writer refuses what the reader would */
    tokens[5] = 256;
    cov_err err;
    assert_int_equal(cov_shard_encode(&good, &len, &f, tokens, &err), COV_ERR_ARG);
    f = format(2, 70000, 0, 8, 4);
    assert_int_equal(cov_shard_encode(&good, &len, &f, tokens, &err), COV_ERR_PARSE);
    free(buf);

    /* a missing file names itself */
    cov_shard *s;
    assert_int_equal(cov_shard_open(&s, "/nonexistent/x.bin", &err), COV_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "/nonexistent/x.bin"));
}

/* Python: struct.unpack("<Q", hashlib.blake2b(b, digest_size=8).digest()) and
 * blake2b(np.asarray(sorted(ids), np.uint64).tobytes(), digest_size=16). */
static void test_sample_ids(void **state)
{
    (void)state;
    uint8_t b[16];
    unhex(b, 16, "01000200030004000500060007000800");
    assert_true(cov_sample_id(b, 16) == 3872987028931226398ull);
    unhex(b, 16, "07000000000000002c010000ffff0000");
    assert_true(cov_sample_id(b, 16) == 11079236879803757417ull);

    uint64_t ids[] = {5, UINT64_MAX, 3, 1ull << 40};
    uint8_t d[16];
    assert_int_equal(cov_sample_digest(d, ids, 4, NULL), COV_OK);
    expect_hex(d, 16, "afcc3ec4f2e9a6c90eefb2b30ec27b17");
    assert_true(ids[0] == 5 && ids[1] == UINT64_MAX); /* input untouched */
    assert_int_equal(cov_sample_digest(d, ids, 0, NULL), COV_OK);
    expect_hex(d, 16, "cae66941d9efbd404e4d88758ea67670");

    /* a shard's sample id hashes that sample's token bytes (uint16 LE) */
    uint32_t tokens[16];
    for (int i = 0; i < 16; i++)
        tokens[i] = (uint32_t)(i % 8 + 1);
    cov_shard_info f = format(2, 256, 0, 8, 2);
    char path[400];
    snprintf(path, sizeof path, "%s/ids.bin", tmpdir);
    assert_int_equal(cov_shard_write(path, &f, tokens, true, NULL), COV_OK);
    cov_shard *s;
    assert_int_equal(cov_shard_open(&s, path, NULL), COV_OK);
    assert_true(cov_shard_sample_id(s, 1) == 3872987028931226398ull);
    cov_shard_close(s);
}

static void test_writer(void **state)
{
    (void)state;
    char dir[400];
    snprintf(dir, sizeof dir, "%s/corpus", tmpdir);
    cov_shard_info f = format(2, 256, 0, 4, 0);
    cov_shard_writer *w;
    assert_int_equal(cov_shard_writer_new(&w, dir, "train", &f, 2, false, NULL), COV_OK);
    /* 3 documents: "abc" "" "defghij" -> a b c 0 | 0 d e f | g h i j | 0 (dropped) */
    assert_int_equal(cov_shard_writer_add_text(w, (const uint8_t *)"abc", 3, NULL), COV_OK);
    assert_int_equal(cov_shard_writer_add_text(w, (const uint8_t *)"", 0, NULL), COV_OK);
    assert_int_equal(cov_shard_writer_add_bytes(w, (const uint8_t *)"defg", 4, NULL), COV_OK);
    assert_int_equal(cov_shard_writer_add_bytes(w, (const uint8_t *)"hij", 3, NULL), COV_OK);
    assert_int_equal(cov_shard_writer_end_document(w, NULL), COV_OK);
    cov_err err;
    assert_int_equal(cov_shard_writer_add_text(w, (const uint8_t *)"a\0b", 3, &err),
                     COV_ERR_PARSE);
    assert_non_null(strstr(err.msg, "NUL"));
    assert_int_equal(cov_shard_writer_finish(w, NULL), COV_OK);
    cov_shard_writer_stats st;
    cov_shard_writer_stats_get(w, &st);
    cov_shard_writer_free(w);
    assert_int_equal(st.documents, 3);
    assert_int_equal(st.tokens_in, 13);
    assert_int_equal(st.samples, 3);
    assert_int_equal(st.shards, 2);
    assert_int_equal(st.tokens_dropped, 1);

    const char *want = "abc\0\0defghij";
    char path[500];
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/train_%06d.bin", dir, k);
        cov_shard *s;
        assert_int_equal(cov_shard_open(&s, path, NULL), COV_OK);
        assert_int_equal(s->info.sample_count, k == 0 ? 2 : 1);
        for (uint64_t i = 0; i < s->info.sample_count * 4; i++)
            assert_int_equal(cov_shard_token(s, i), (uint8_t)want[8 * k + (int)i]);
        cov_shard_close(s);
    }
    /* existing shards are not replaced without overwrite */
    assert_int_equal(cov_shard_writer_new(&w, dir, "train", &f, 1, false, NULL), COV_OK);
    assert_int_equal(cov_shard_writer_add_text(w, (const uint8_t *)"xyz", 3, &err),
                     COV_ERR_EXISTS);
    cov_shard_writer_free(w);
    /* the byte tokenizer needs the byte vocabulary */
    f = format(4, 1000, 5, 4, 0);
    assert_int_equal(cov_shard_writer_new(&w, dir, "other", &f, 1, false, NULL), COV_OK);
    assert_int_equal(cov_shard_writer_add_text(w, (const uint8_t *)"x", 1, &err), COV_ERR_ARG);
    uint32_t t[4] = {999, 5, 1, 2};
    assert_int_equal(cov_shard_writer_add(w, t, 4, NULL), COV_OK);
    t[0] = 1000;
    assert_int_equal(cov_shard_writer_add(w, t, 1, &err), COV_ERR_ARG);
    cov_shard_writer_free(w);
}

/* (uid * 1_000_003 ^ window) & 0xFFFFFFFF, computed in Python. */
static void test_window_seed(void **state)
{
    (void)state;
    assert_int_equal(cov_data_window_seed(0, 0), 0);
    assert_int_equal(cov_data_window_seed(5, 77), 4999938u);
    assert_int_equal(cov_data_window_seed(255, 987654), 255595195u);
    /* 5000 * 1000003 = 5000015000 wraps past 2^32 */
    assert_int_equal(cov_data_window_seed(5000, 4294967295u), 3589919591u);
    int64_t pool[8] = {0, 1, 2, 3, 4, 5, 6, 7}, out[8];
    assert_int_equal(cov_data_rank_slice(out, pool, 8, 1, 3), 3);
    assert_true(out[0] == 1 && out[1] == 4 && out[2] == 7);
    assert_int_equal(cov_data_rank_slice(out, pool, 8, 2, 3), 2);
    assert_true(out[0] == 2 && out[1] == 5);
    cov_err err;
    assert_int_equal(cov_data_assign_pool(pool, 1, 1, 5, 6, &err), COV_ERR_ARG);
}

static void test_batch(void **state)
{
    (void)state;
    /* eos = 2; samples of 5 */
    uint32_t tokens[3 * 5] = {10, 11, 2, 12, 13, /**/ 2, 2, 14, 15, 2, /**/ 20, 21, 22, 23, 24};
    cov_shard_info f = format(4, 100, 2, 5, 3);
    char path[400];
    snprintf(path, sizeof path, "%s/batch.bin", tmpdir);
    assert_int_equal(cov_shard_write(path, &f, tokens, true, NULL), COV_OK);
    cov_shard *s;
    assert_int_equal(cov_shard_open(&s, path, NULL), COV_OK);
    int64_t idx[2] = {1, 0};
    int32_t tok[10], tgt[10];
    assert_int_equal(cov_data_batch(tok, tgt, s, idx, 2, NULL), COV_OK);
    const int32_t want_tok[10] = {2, 2, 14, 15, 2, 10, 11, 2, 12, 13};
    const int32_t want_tgt[10] = {-100, 14, 15, -100, -100, 11, -100, 12, 13, -100};
    assert_memory_equal(tok, want_tok, sizeof tok);
    assert_memory_equal(tgt, want_tgt, sizeof tgt);
    idx[1] = 3;
    cov_err err;
    assert_int_equal(cov_data_batch(tok, tgt, s, idx, 2, &err), COV_ERR_ARG);
    cov_shard_close(s);
}

static void test_synth(void **state)
{
    (void)state;
    cov_synth a, b, c;
    cov_synth_init(&a, 1);
    cov_synth_init(&b, 1);
    cov_synth_init(&c, 2);
    char da[COV_SYNTH_DOC_MAX], db[COV_SYNTH_DOC_MAX], dc[COV_SYNTH_DOC_MAX];
    size_t la, lb, lc, differ = 0;
    for (int i = 0; i < 200; i++) {
        cov_synth_document(&a, da, &la);
        cov_synth_document(&b, db, &lb);
        cov_synth_document(&c, dc, &lc);
        assert_int_equal(la, lb);
        assert_memory_equal(da, db, la);
        differ += la != lc || memcmp(da, dc, la) != 0;
        assert_true(la > 20 && la < COV_SYNTH_DOC_MAX);
        for (size_t k = 0; k < la; k++)
            assert_true(da[k] >= '\n' && (unsigned char)da[k] < 128);
        assert_int_equal(da[la - 1], '\n');
    }
    assert_true(differ > 190);
    /* a document repeats its refrain: some "says: " sentence appears twice */
    int repeats = 0;
    cov_synth_init(&a, 3);
    for (int i = 0; i < 50; i++) {
        cov_synth_document(&a, da, &la);
        da[la] = '\0';
        char *first = strstr(da, " says: ");
        if (first && strstr(first + 1, " says: ")) {
            char *end = strchr(first, '.');
            assert_non_null(end);
            size_t n = (size_t)(end - first);
            repeats += memcmp(first, strstr(first + 1, " says: "), n) == 0;
        }
    }
    assert_true(repeats > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shard_round_trip), cmocka_unit_test(test_shard_corruption),
        cmocka_unit_test(test_sample_ids),       cmocka_unit_test(test_writer),
        cmocka_unit_test(test_window_seed),      cmocka_unit_test(test_batch),
        cmocka_unit_test(test_synth),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
