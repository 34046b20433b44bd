/* Leveled logging to stderr. The program sets the level (--log-level or
 * COVENANT_LOG); library code logs only diagnostics, never secrets. */
#include "common/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static cov_log_level current_level = COV_LOG_WARN;

static const char *const level_names[] = {"error", "warn", "info", "debug",
                                          "trace"};

void cov_log_set_level(cov_log_level level) { current_level = level; }

cov_log_level cov_log_get_level(void) { return current_level; }

bool cov_log_parse_level(const char *name, cov_log_level *out)
{
    if (!name)
        return false;
    for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
        if (strcasecmp(name, level_names[i]) == 0) {
            *out = (cov_log_level)i;
            return true;
        }
    }
    if (strcasecmp(name, "warning") == 0) {
        *out = COV_LOG_WARN;
        return true;
    }
    return false;
}

void cov_log_init_from_env(void)
{
    cov_log_level level;
    if (cov_log_parse_level(getenv("COVENANT_LOG"), &level))
        current_level = level;
}

void cov_log(cov_log_level level, const char *fmt, ...)
{
    if (level > current_level)
        return;
    char stamp[32] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(stderr, "%s %-5s ", stamp, level_names[level]);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
