/* common: what every covenant module shares.
 *
 * - status codes and error messages (cov_status, cov_err),
 * - leveled logging to stderr (the program chooses the level; the library
 *   only logs at debug level and never logs secrets),
 * - hex, growable byte buffers with a size cap,
 * - hashes: blake2b (libsodium), twox (xxhash), keccak-256, sha256/sha512,
 *   PBKDF2-HMAC-SHA512/SHA256,
 * - helpers for --json output (jansson).
 *
 * Conventions used by every module:
 * - Fallible functions return cov_status and, when `err` is non-NULL, fill it
 *   with a message that says what went wrong and what to do about it.
 * - Outputs come before inputs; a length follows its pointer.
 * - Caller owns what it passes in; a function that allocates says so, and
 *   names the _free that releases it.
 */
#ifndef COVENANT_COMMON_H
#define COVENANT_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define COV_WARN_UNUSED __attribute__((warn_unused_result))
#define COV_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define COV_WARN_UNUSED
#define COV_PRINTF(f, a)
#endif

/* ---------------------------------------------------------------- status */

typedef enum {
    COV_OK = 0,
    COV_ERR_ARG,         /* a caller passed something impossible */
    COV_ERR_PARSE,       /* malformed input text or bytes */
    COV_ERR_CHECKSUM,    /* input well-formed but its checksum is wrong */
    COV_ERR_CRYPTO,      /* a key or point is invalid, a primitive failed */
    COV_ERR_BAD_SIGNATURE, /* a signature did not verify */
    COV_ERR_PASSWORD,    /* wrong password or decryption failure */
    COV_ERR_NOMEM,       /* allocation failed */
    COV_ERR_TOO_BIG,     /* input over a size cap */
    COV_ERR_IO,          /* a file or directory operation failed */
    COV_ERR_EXISTS,      /* refusing to overwrite */
    COV_ERR_NOT_FOUND,   /* a file, key or entry does not exist */
    COV_ERR_UNSUPPORTED, /* valid input covenant does not handle */
    COV_ERR_PERMISSION,  /* file modes or ownership forbid the operation */
    COV_ERR_RPC,         /* a node answered with a JSON-RPC error object */
    COV_ERR_TIMEOUT,     /* a node did not answer in time */
    COV_ERR_NETWORK,     /* no connection, a broken transfer, an HTTP error */
    COV_STATUS_COUNT
} cov_status;

#define COV_ERR_MSG_MAX 320

typedef struct {
    cov_status code;
    char msg[COV_ERR_MSG_MAX];
} cov_err;

/* A short fixed name for a status ("ok", "parse error", ...). Never NULL. */
const char *cov_status_name(cov_status s);

/* Sets err (if non-NULL) to code and the formatted message; returns code so
 * callers can write `return cov_fail(err, COV_ERR_PARSE, "...");`. */
cov_status cov_fail(cov_err *err, cov_status code, const char *fmt, ...)
    COV_PRINTF(3, 4);

/* Clears err to COV_OK with an empty message. NULL is allowed. */
void cov_err_clear(cov_err *err);

/* Prefixes err->msg with "context: ", keeping code; returns code. */
cov_status cov_err_context(cov_err *err, const char *fmt, ...) COV_PRINTF(2, 3);

/* --------------------------------------------------------------- logging */

typedef enum {
    COV_LOG_ERROR = 0,
    COV_LOG_WARN,
    COV_LOG_INFO,
    COV_LOG_DEBUG,
    COV_LOG_TRACE
} cov_log_level;

/* The level starts at WARN, or at COVENANT_LOG if that names a level. */
void cov_log_set_level(cov_log_level level);
cov_log_level cov_log_get_level(void);
/* Parses "error|warn|info|debug|trace"; returns false if unknown. */
bool cov_log_parse_level(const char *name, cov_log_level *out);
/* Reads COVENANT_LOG, if set and valid. */
void cov_log_init_from_env(void);
void cov_log(cov_log_level level, const char *fmt, ...) COV_PRINTF(2, 3);

#define COV_DEBUG(...) cov_log(COV_LOG_DEBUG, __VA_ARGS__)
#define COV_INFO(...) cov_log(COV_LOG_INFO, __VA_ARGS__)
#define COV_WARN(...) cov_log(COV_LOG_WARN, __VA_ARGS__)

/* ------------------------------------------------------------------- hex */

/* The value 0..15 of one hex digit (either case), or -1. */
int cov_hex_digit(char c);

/* Writes 2*len lowercase hex digits and a NUL into out (size >= 2*len+1). */
void cov_hex_encode(char *out, const uint8_t *in, size_t len);

/* Decodes hex (optional "0x" prefix, either case) into exactly `len` bytes.
 * Fails with COV_ERR_PARSE if the digit count is not 2*len or a digit is
 * bad. */
cov_status cov_hex_decode(uint8_t *out, size_t len, const char *hex,
                          cov_err *err) COV_WARN_UNUSED;

/* Decodes hex of any even length into a new malloc'd buffer (*out, *out_len);
 * the caller frees it with free(). An empty string gives out_len 0. */
cov_status cov_hex_decode_alloc(uint8_t **out, size_t *out_len,
                                const char *hex, size_t max_len,
                                cov_err *err) COV_WARN_UNUSED;

/* --------------------------------------------------------------- buffers */

/* A growable byte buffer that refuses to grow past `cap` bytes.
 * cov_buf_init cannot fail; cov_buf_free releases the storage. */
typedef struct {
    uint8_t *data;
    size_t len;
    size_t alloc;
    size_t cap;
} cov_buf;

void cov_buf_init(cov_buf *b, size_t cap);
void cov_buf_free(cov_buf *b);
void cov_buf_reset(cov_buf *b);
cov_status cov_buf_append(cov_buf *b, const void *data, size_t len,
                          cov_err *err) COV_WARN_UNUSED;
cov_status cov_buf_append_byte(cov_buf *b, uint8_t byte,
                               cov_err *err) COV_WARN_UNUSED;

/* ---------------------------------------------------------------- hashes */

/* blake2b with an output of 1..64 bytes (unkeyed), e.g. 16, 32, 64. */
void cov_blake2b(uint8_t *out, size_t out_len, const uint8_t *in, size_t len);
void cov_blake2b_128(uint8_t out[16], const uint8_t *in, size_t len);
void cov_blake2b_256(uint8_t out[32], const uint8_t *in, size_t len);
void cov_blake2b_512(uint8_t out[64], const uint8_t *in, size_t len);

/* Substrate's twox: XXH64 with seeds 0,1,.. concatenated little-endian. */
void cov_twox64(uint8_t out[8], const uint8_t *in, size_t len);
void cov_twox128(uint8_t out[16], const uint8_t *in, size_t len);
void cov_twox256(uint8_t out[32], const uint8_t *in, size_t len);

/* Keccak-256 (the original padding 0x01, as Ethereum uses). */
void cov_keccak256(uint8_t out[32], const uint8_t *in, size_t len);
/* The Keccak-f[1600] permutation on 25 little-endian lanes. */
void cov_keccak_f1600(uint64_t state[25]);

void cov_sha256(uint8_t out[32], const uint8_t *in, size_t len);
void cov_sha512(uint8_t out[64], const uint8_t *in, size_t len);
void cov_hmac_sha256(uint8_t out[32], const uint8_t *key, size_t key_len,
                     const uint8_t *msg, size_t msg_len);

/* PBKDF2 with HMAC-SHA512 / HMAC-SHA256 (RFC 8018), any output length. */
void cov_pbkdf2_sha512(uint8_t *out, size_t out_len, const uint8_t *pass,
                       size_t pass_len, const uint8_t *salt, size_t salt_len,
                       uint32_t iterations);
void cov_pbkdf2_sha256(uint8_t *out, size_t out_len, const uint8_t *pass,
                       size_t pass_len, const uint8_t *salt, size_t salt_len,
                       uint32_t iterations);

/* ------------------------------------------------------------------ misc */

/* Initialises libsodium once and makes jansson wipe the memory it frees
 * (parsed keyfiles hold secrets). Call it before any other covenant
 * function, as libsodium asks of sodium_init; safe to call many times. */
cov_status cov_crypto_init(cov_err *err) COV_WARN_UNUSED;

/* Constant-time equality of two byte strings of the same length. */
bool cov_ct_equal(const void *a, const void *b, size_t len);

/* Wipes memory so the compiler cannot elide it. */
void cov_wipe(void *p, size_t len);

/* ----------------------------------------------------------------- files */

/* Creates a directory and its missing parents with `mode` (0700 for wallets).
 * Existing directories are left as they are. */
cov_status cov_mkdir_p(const char *path, unsigned mode,
                       cov_err *err) COV_WARN_UNUSED;

/* Writes data to path atomically: a temp file in the same folder, chmod
 * `mode`, fsync, then rename (overwrite) or link (no overwrite, so an
 * existing file is never replaced: COV_ERR_EXISTS). A crash leaves either
 * the old file or the new one, never a mix. */
cov_status cov_file_write_atomic(const char *path, const void *data,
                                 size_t len, unsigned mode, bool overwrite,
                                 cov_err *err) COV_WARN_UNUSED;

/* Reads a whole regular file of at most max_len bytes. With secure, the
 * buffer is sodium_malloc'd (sodium_free it), else malloc'd (free it). It is
 * NUL-terminated (not counted in *len). */
cov_status cov_file_read(uint8_t **out, size_t *len, const char *path,
                         size_t max_len, bool secure,
                         cov_err *err) COV_WARN_UNUSED;

bool cov_file_exists(const char *path);

/* ------------------------------------------------------------------ json */

/* Helpers for --json output on jansson's json_t. */
#include <jansson.h>
#include <stdio.h>

/* New JSON string "0x<hex>" of the bytes; NULL on allocation failure.
 * The caller owns the reference. */
json_t *cov_json_hex(const uint8_t *bytes, size_t len);

/* json_dumps into plain malloc'd memory (free() it), or NULL. jansson's
 * own json_dumps result must not be passed to free(): cov_crypto_init gives
 * jansson an allocator that wipes, and only it can release that memory. */
char *cov_json_dumps(const json_t *value, size_t flags);

/* New object {"error": {"code": "<status name>", "message": "..."}}. */
json_t *cov_json_error(const cov_err *err);

/* Writes `value` compactly with sorted keys and a newline; steals nothing.
 * Returns 0 on success, -1 on a write error. */
int cov_json_write(FILE *f, const json_t *value);

#endif /* COVENANT_COMMON_H */
