/* Small helpers so every command's --json output looks the same. */
#include "common/common.h"

#include <stdlib.h>

json_t *cov_json_hex(const uint8_t *bytes, size_t len)
{
    char *text = malloc(2 * len + 3);
    if (!text)
        return NULL;
    text[0] = '0';
    text[1] = 'x';
    cov_hex_encode(text + 2, bytes, len);
    json_t *s = json_string(text);
    free(text);
    return s;
}

char *cov_json_dumps(const json_t *value, size_t flags)
{
    size_t n = json_dumpb(value, NULL, 0, flags);
    if (n == 0)
        return NULL;
    char *text = malloc(n + 1);
    if (text && json_dumpb(value, text, n, flags) != n) {
        free(text);
        return NULL;
    }
    if (text)
        text[n] = '\0';
    return text;
}

json_t *cov_json_error(const cov_err *err)
{
    return json_pack("{s:{s:s,s:s}}", "error", "code",
                     cov_status_name(err->code), "message", err->msg);
}

int cov_json_write(FILE *f, const json_t *value)
{
    if (json_dumpf(value, f, JSON_COMPACT | JSON_SORT_KEYS) != 0)
        return -1;
    return fputc('\n', f) == EOF ? -1 : 0;
}
