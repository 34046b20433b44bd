/* v4 extrinsics as sp_runtime's UncheckedExtrinsic encodes them:
 *
 *   Compact(len) || 0x84 || 0x00 account(32) || sig type || sig(64|65)
 *                || extras || call                              (signed)
 *   Compact(len) || 0x04 || call                                (unsigned)
 *
 * The signer signs call || extras || implicits, or its blake2b-256 when
 * that is longer than 256 bytes (SignedPayload::using_encoded). Signing
 * goes through cov_keypair_sign, so secrets stay inside wallet/. */
#include "chain/extrinsic.h"
#include "chain/scale.h"

#include <string.h>

/* Reads a canonical compact that fits in 64 bits; *used gets its size.
 * Non-canonical forms (a value that a shorter form could hold) are refused
 * as parity-scale-codec refuses them. */
static cov_status compact_get(uint64_t *v, size_t *used, const uint8_t *in,
                              size_t len, cov_err *err)
{
    if (len < 1)
        return cov_fail(err, COV_ERR_PARSE, "compact: no bytes");
    switch (in[0] & 3) {
    case 0:
        *v = in[0] >> 2;
        *used = 1;
        return COV_OK;
    case 1:
        if (len < 2)
            return cov_fail(err, COV_ERR_PARSE, "compact: truncated");
        *v = ((uint64_t)in[0] | (uint64_t)in[1] << 8) >> 2;
        *used = 2;
        if (*v < 64)
            break;
        return COV_OK;
    case 2:
        if (len < 4)
            return cov_fail(err, COV_ERR_PARSE, "compact: truncated");
        *v = ((uint64_t)in[0] | (uint64_t)in[1] << 8 |
              (uint64_t)in[2] << 16 | (uint64_t)in[3] << 24) >> 2;
        *used = 4;
        if (*v < 16384)
            break;
        return COV_OK;
    default: {
        size_t n = (size_t)(in[0] >> 2) + 4;
        if (n > 8)
            return cov_fail(err, COV_ERR_TOO_BIG,
                            "compact: %zu-byte value does not fit 64 bits",
                            n);
        if (len < 1 + n)
            return cov_fail(err, COV_ERR_PARSE, "compact: truncated");
        uint64_t x = 0;
        for (size_t i = 0; i < n; i++)
            x |= (uint64_t)in[1 + i] << (8 * i);
        *v = x;
        *used = 1 + n;
        if (x < (UINT64_C(1) << 30) || (n > 4 && (x >> (8 * (n - 1))) == 0))
            break;
        return COV_OK;
    }
    }
    return cov_fail(err, COV_ERR_PARSE, "compact: non-canonical encoding");
}

static uint8_t sig_variant(cov_key_type t)
{
    /* MultiSignature: Ed25519 = 0, Sr25519 = 1, Ecdsa = 2. */
    switch (t) {
    case COV_KEY_ED25519:
        return 0;
    case COV_KEY_SR25519:
        return 1;
    case COV_KEY_ECDSA:
        return 2;
    }
    return 0xff;
}

static size_t sig_len_of(cov_key_type t)
{
    return t == COV_KEY_ECDSA ? 65 : 64;
}

/* Appends Compact(body_len) || body. */
static cov_status put_prefixed(cov_buf *out, const cov_buf *body,
                               cov_err *err)
{
    uint8_t c[9];
    size_t cl = cov_scale_compact_encode(c, body->len);
    cov_status st = cov_buf_append(out, c, cl, err);
    if (st == COV_OK)
        st = cov_buf_append(out, body->data, body->len, err);
    return st;
}

cov_status cov_extrinsic_payload(cov_buf *out, const uint8_t *call,
                                 size_t call_len,
                                 const cov_tx_extension *exts, size_t n,
                                 cov_err *err)
{
    cov_status st = cov_buf_append(out, call, call_len, err);
    for (size_t i = 0; st == COV_OK && i < n; i++)
        st = cov_buf_append(out, exts[i].extra, exts[i].extra_len, err);
    for (size_t i = 0; st == COV_OK && i < n; i++)
        st = cov_buf_append(out, exts[i].implicit, exts[i].implicit_len,
                            err);
    return st;
}

const uint8_t *cov_extrinsic_signing_message(uint8_t scratch[32],
                                             size_t *msg_len,
                                             const uint8_t *payload,
                                             size_t len)
{
    if (len > COV_SIGNING_PAYLOAD_HASH_OVER) {
        cov_blake2b_256(scratch, payload, len);
        *msg_len = 32;
        return scratch;
    }
    *msg_len = len;
    return payload;
}

cov_status cov_extrinsic_assemble_signed(
    cov_buf *out, cov_key_type sig_type, const uint8_t account[32],
    const uint8_t *sig, size_t sig_len, const cov_tx_extension *exts,
    size_t n, const uint8_t *call, size_t call_len, cov_err *err)
{
    uint8_t variant = sig_variant(sig_type);
    if (variant == 0xff)
        return cov_fail(err, COV_ERR_ARG, "unknown signature type %d",
                        (int)sig_type);
    if (sig_len != sig_len_of(sig_type))
        return cov_fail(err, COV_ERR_ARG,
                        "a %s signature has %zu bytes, not %zu",
                        cov_key_type_name(sig_type), sig_len_of(sig_type),
                        sig_len);
    cov_buf body;
    cov_buf_init(&body, out->cap);
    const uint8_t head[2] = {COV_EXTRINSIC_V4_SIGNED, 0x00 /* Id */};
    cov_status st = cov_buf_append(&body, head, 2, err);
    if (st == COV_OK)
        st = cov_buf_append(&body, account, 32, err);
    if (st == COV_OK)
        st = cov_buf_append_byte(&body, variant, err);
    if (st == COV_OK)
        st = cov_buf_append(&body, sig, sig_len, err);
    for (size_t i = 0; st == COV_OK && i < n; i++)
        st = cov_buf_append(&body, exts[i].extra, exts[i].extra_len, err);
    if (st == COV_OK)
        st = cov_buf_append(&body, call, call_len, err);
    if (st == COV_OK)
        st = put_prefixed(out, &body, err);
    cov_buf_free(&body);
    return st;
}

cov_status cov_extrinsic_sign(cov_buf *out, const cov_keypair *signer,
                              const uint8_t *call, size_t call_len,
                              const cov_tx_extension *exts, size_t n,
                              cov_err *err)
{
    if (!cov_keypair_has_secret(signer))
        return cov_fail(err, COV_ERR_ARG,
                        "cannot sign an extrinsic with a public-only key");
    cov_buf payload;
    cov_buf_init(&payload, out->cap);
    cov_status st = cov_extrinsic_payload(&payload, call, call_len, exts, n,
                                          err);
    uint8_t sig[COV_SIGNATURE_MAX];
    size_t sig_len = 0;
    if (st == COV_OK) {
        uint8_t scratch[32];
        size_t msg_len;
        const uint8_t *msg = cov_extrinsic_signing_message(
            scratch, &msg_len, payload.data, payload.len);
        st = cov_keypair_sign(signer, sig, &sig_len, msg, msg_len, err);
    }
    cov_buf_free(&payload);
    if (st != COV_OK)
        return st;
    uint8_t account[32];
    cov_keypair_account_id(signer, account);
    return cov_extrinsic_assemble_signed(out, cov_keypair_type(signer),
                                         account, sig, sig_len, exts, n,
                                         call, call_len, err);
}

cov_status cov_extrinsic_unsigned(cov_buf *out, const uint8_t *call,
                                  size_t call_len, cov_err *err)
{
    if (call_len == SIZE_MAX)
        return cov_fail(err, COV_ERR_TOO_BIG, "call too long");
    uint8_t c[9];
    size_t cl = cov_scale_compact_encode(c, (uint64_t)call_len + 1);
    cov_status st = cov_buf_append(out, c, cl, err);
    if (st == COV_OK)
        st = cov_buf_append_byte(out, COV_EXTRINSIC_V4_UNSIGNED, err);
    if (st == COV_OK)
        st = cov_buf_append(out, call, call_len, err);
    return st;
}

cov_status cov_extrinsic_decode(cov_extrinsic_parts *out, size_t *consumed,
                                const uint8_t *xt, size_t len,
                                size_t extra_len, cov_err *err)
{
    memset(out, 0, sizeof *out);
    uint64_t body_len = 0;
    size_t pl = 0;
    if (compact_get(&body_len, &pl, xt, len, err) != COV_OK)
        return cov_err_context(err, "extrinsic length prefix");
    if (body_len > len - pl)
        return cov_fail(err, COV_ERR_PARSE,
                        "extrinsic truncated: its prefix says %llu bytes, "
                        "%zu follow",
                        (unsigned long long)body_len, len - pl);
    if (!consumed && body_len != len - pl)
        return cov_fail(err, COV_ERR_PARSE,
                        "extrinsic of %llu bytes followed by %zu more",
                        (unsigned long long)body_len,
                        len - pl - (size_t)body_len);
    const uint8_t *p = xt + pl;
    size_t left = (size_t)body_len;
    if (left < 1)
        return cov_fail(err, COV_ERR_PARSE, "empty extrinsic");
    uint8_t version = p[0];
    p++;
    left--;
    if (version == COV_EXTRINSIC_V4_UNSIGNED) {
        out->is_signed = false;
    } else if (version == COV_EXTRINSIC_V4_SIGNED) {
        out->is_signed = true;
        if (left < 1 + 32 + 1)
            return cov_fail(err, COV_ERR_PARSE,
                            "signed extrinsic truncated in its address");
        if (p[0] != 0x00)
            return cov_fail(err, COV_ERR_UNSUPPORTED,
                            "extrinsic signer is MultiAddress variant %u; "
                            "only Id (0) is supported",
                            (unsigned)p[0]);
        memcpy(out->account, p + 1, 32);
        uint8_t variant = p[33];
        p += 34;
        left -= 34;
        static const cov_key_type BY_VARIANT[] = {
            COV_KEY_ED25519, COV_KEY_SR25519, COV_KEY_ECDSA};
        if (variant > 2)
            return cov_fail(err, COV_ERR_UNSUPPORTED,
                            "MultiSignature variant %u (0 ed25519, "
                            "1 sr25519, 2 ecdsa are supported)",
                            (unsigned)variant);
        out->sig_type = BY_VARIANT[variant];
        out->sig_len = sig_len_of(out->sig_type);
        if (left < out->sig_len)
            return cov_fail(err, COV_ERR_PARSE,
                            "signed extrinsic truncated in its signature");
        memcpy(out->signature, p, out->sig_len);
        p += out->sig_len;
        left -= out->sig_len;
        if (left < extra_len)
            return cov_fail(err, COV_ERR_PARSE,
                            "signed extrinsic truncated: %zu bytes of "
                            "extensions expected, %zu remain",
                            extra_len, left);
        out->extra = p;
        out->extra_len = extra_len;
        p += extra_len;
        left -= extra_len;
    } else {
        return cov_fail(err, COV_ERR_UNSUPPORTED,
                        "extrinsic version byte 0x%02x (only v4: 0x84 "
                        "signed, 0x04 unsigned)",
                        (unsigned)version);
    }
    /* Every call starts with its pallet and call indices. */
    if (left == 0)
        return cov_fail(err, COV_ERR_PARSE, "extrinsic has no call");
    out->call = p;
    out->call_len = left;
    if (consumed)
        *consumed = pl + (size_t)body_len;
    return COV_OK;
}

void cov_extrinsic_hash(uint8_t out[32], const uint8_t *xt, size_t len)
{
    cov_blake2b_256(out, xt, len);
}
