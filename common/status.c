/* Status names and the error-message helpers every module returns through. */
#include "common/common.h"

#include <stdio.h>
#include <string.h>

static const char *const status_names[COV_STATUS_COUNT] = {
    [COV_OK] = "ok",
    [COV_ERR_ARG] = "invalid argument",
    [COV_ERR_PARSE] = "parse error",
    [COV_ERR_CHECKSUM] = "checksum mismatch",
    [COV_ERR_CRYPTO] = "crypto error",
    [COV_ERR_BAD_SIGNATURE] = "bad signature",
    [COV_ERR_PASSWORD] = "wrong password",
    [COV_ERR_NOMEM] = "out of memory",
    [COV_ERR_TOO_BIG] = "too big",
    [COV_ERR_IO] = "i/o error",
    [COV_ERR_EXISTS] = "already exists",
    [COV_ERR_NOT_FOUND] = "not found",
    [COV_ERR_UNSUPPORTED] = "unsupported",
    [COV_ERR_PERMISSION] = "permission denied",
    [COV_ERR_RPC] = "rpc error",
    [COV_ERR_TIMEOUT] = "timed out",
    [COV_ERR_NETWORK] = "network error",
};

const char *cov_status_name(cov_status s)
{
    if ((unsigned)s >= COV_STATUS_COUNT)
        return "unknown status";
    return status_names[s];
}

cov_status cov_fail(cov_err *err, cov_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void cov_err_clear(cov_err *err)
{
    if (err) {
        err->code = COV_OK;
        err->msg[0] = '\0';
    }
}

cov_status cov_err_context(cov_err *err, const char *fmt, ...)
{
    if (!err)
        return COV_ERR_ARG;
    char prefix[COV_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* "prefix: message", cut to fit: the start of each is what matters. */
    char joined[COV_ERR_MSG_MAX];
    size_t plen = strlen(prefix), mlen = strlen(err->msg), cap = sizeof joined - 1;
    if (plen > cap)
        plen = cap;
    memcpy(joined, prefix, plen);
    size_t n = plen;
    for (const char *sep = ": "; *sep && n < cap; sep++)
        joined[n++] = *sep;
    if (mlen > cap - n)
        mlen = cap - n;
    memcpy(joined + n, err->msg, mlen);
    joined[n + mlen] = '\0';
    memcpy(err->msg, joined, sizeof joined);
    return err->code;
}
