/* STROBE-128 and Merlin transcripts, as the merlin crate (2.0) defines them.
 *
 * Only the subset of STROBE that Merlin uses is here: meta-AD, AD, PRF and
 * KEY, with R = 166. Byte access to the Keccak state goes through shifts on
 * the lanes so the code is right on any host byte order. */
#include <string.h>

#include <sodium.h>

#include "wallet/internal.h"

enum { STROBE_R = 166 };

enum {
    FLAG_I = 1,
    FLAG_A = 2,
    FLAG_C = 4,
    FLAG_T = 8,
    FLAG_M = 16,
    FLAG_K = 32,
};

/* ------------------------------------------------------- state bytes */

static unsigned lane_shift(size_t i)
{
    return (unsigned)(8 * (i % 8));
}

static uint8_t state_get(const cov_strobe *s, size_t i)
{
    return (uint8_t)(s->lanes[i / 8] >> lane_shift(i));
}

static void state_xor(cov_strobe *s, size_t i, uint8_t b)
{
    s->lanes[i / 8] ^= (uint64_t)b << lane_shift(i);
}

static void state_set(cov_strobe *s, size_t i, uint8_t b)
{
    uint64_t mask = (uint64_t)0xff << lane_shift(i);
    s->lanes[i / 8] = (s->lanes[i / 8] & ~mask) | ((uint64_t)b << lane_shift(i));
}

/* ------------------------------------------------------------ STROBE */

static void run_f(cov_strobe *s)
{
    state_xor(s, s->pos, s->pos_begin);
    state_xor(s, (size_t)s->pos + 1, 0x04);
    state_xor(s, STROBE_R + 1, 0x80);
    cov_keccak_f1600(s->lanes);
    s->pos = 0;
    s->pos_begin = 0;
}

static void advance(cov_strobe *s)
{
    s->pos++;
    if (s->pos == STROBE_R)
        run_f(s);
}

static void absorb(cov_strobe *s, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        state_xor(s, s->pos, data[i]);
        advance(s);
    }
}

/* KEY replaces state bytes instead of mixing them in: that is what makes
 * rekeying forward-secure. */
static void overwrite(cov_strobe *s, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        state_set(s, s->pos, data[i]);
        advance(s);
    }
}

static void squeeze(cov_strobe *s, uint8_t *out, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        out[i] = state_get(s, s->pos);
        state_set(s, s->pos, 0);
        advance(s);
    }
}

/* `more` continues the previous operation (same flags) without a new
 * header, as Merlin does for the length that follows a label. */
static void begin_op(cov_strobe *s, uint8_t flags, bool more)
{
    if (more)
        return;
    uint8_t header[2] = {s->pos_begin, flags};
    s->pos_begin = (uint8_t)(s->pos + 1);
    s->cur_flags = flags;
    absorb(s, header, sizeof header);
    if ((flags & (FLAG_C | FLAG_K)) != 0 && s->pos != 0)
        run_f(s);
}

static void meta_ad(cov_strobe *s, const uint8_t *data, size_t len, bool more)
{
    begin_op(s, FLAG_M | FLAG_A, more);
    absorb(s, data, len);
}

static void ad(cov_strobe *s, const uint8_t *data, size_t len)
{
    begin_op(s, FLAG_A, false);
    absorb(s, data, len);
}

static void prf(cov_strobe *s, uint8_t *out, size_t len)
{
    begin_op(s, FLAG_I | FLAG_A | FLAG_C, false);
    squeeze(s, out, len);
}

static void key(cov_strobe *s, const uint8_t *data, size_t len)
{
    begin_op(s, FLAG_A | FLAG_C, false);
    overwrite(s, data, len);
}

static void strobe_init(cov_strobe *s, const uint8_t *proto, size_t len)
{
    static const uint8_t domain[18] = {1,   168, 1,   0,   1,   96,
                                       'S', 'T', 'R', 'O', 'B', 'E',
                                       'v', '1', '.', '0', '.', '2'};
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < sizeof domain; i++)
        state_set(s, i, domain[i]);
    cov_keccak_f1600(s->lanes);
    meta_ad(s, proto, len, false);
}

/* ------------------------------------------------------------ Merlin */

/* Merlin frames every length as a u32; inputs here are bounded far below
 * 4 GiB by the callers (messages and keys), so truncation cannot occur in
 * practice and would only make a transcript differ, never overflow. */
static void le32(uint8_t out[4], size_t n)
{
    uint32_t v = (uint32_t)n;
    out[0] = (uint8_t)v;
    out[1] = (uint8_t)(v >> 8);
    out[2] = (uint8_t)(v >> 16);
    out[3] = (uint8_t)(v >> 24);
}

static void meta_label_len(cov_strobe *s, const char *label, size_t len)
{
    uint8_t n[4];
    le32(n, len);
    meta_ad(s, (const uint8_t *)label, strlen(label), false);
    meta_ad(s, n, sizeof n, true);
}

void cov_merlin_init(cov_merlin *t, const uint8_t *label, size_t label_len)
{
    static const char proto[] = "Merlin v1.0";
    strobe_init(&t->strobe, (const uint8_t *)proto, sizeof proto - 1);
    cov_merlin_append(t, "dom-sep", label, label_len);
}

void cov_merlin_append(cov_merlin *t, const char *label, const uint8_t *msg,
                       size_t len)
{
    meta_label_len(&t->strobe, label, len);
    ad(&t->strobe, msg, len);
}

void cov_merlin_challenge(cov_merlin *t, const char *label, uint8_t *out,
                          size_t len)
{
    meta_label_len(&t->strobe, label, len);
    prf(&t->strobe, out, len);
}

void cov_merlin_witness(const cov_merlin *t, const char *label,
                        const uint8_t *const *witnesses,
                        const size_t *witness_lens, size_t n_witnesses,
                        uint8_t *out, size_t len)
{
    cov_strobe rng = t->strobe;
    for (size_t i = 0; i < n_witnesses; i++) {
        meta_label_len(&rng, label, witness_lens[i]);
        key(&rng, witnesses[i], witness_lens[i]);
    }

    /* The OS randomness keeps nonces unpredictable even if the witness
     * repeats; the witness keeps them secret even if the OS source is
     * weak. */
    uint8_t random[32];
    randombytes_buf(random, sizeof random);
    meta_ad(&rng, (const uint8_t *)"rng", 3, false);
    key(&rng, random, sizeof random);
    sodium_memzero(random, sizeof random);

    uint8_t n[4];
    le32(n, len);
    meta_ad(&rng, n, sizeof n, false);
    prf(&rng, out, len);
    sodium_memzero(&rng, sizeof rng);
}

void cov_merlin_wipe(cov_merlin *t)
{
    sodium_memzero(t, sizeof *t);
}
