/* The loop every JSON-lines test tool runs: one request per input line, one
 * answer line per request, flushed so the oracle script can read it at
 * once. Header-only: each tool is its own small program. */
#ifndef COVENANT_TOOL_MAIN_H
#define COVENANT_TOOL_MAIN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "common/common.h"

/* Answers lines from stdin with handle() (a new JSON value, or NULL on a
 * failure that should stop the tool). Returns the process exit status. */
static inline int tool_run(const char *name, json_t *(*handle)(const char *line))
{
    cov_err err;
    if (cov_crypto_init(&err) != COV_OK) {
        fprintf(stderr, "%s: %s\n", name, err.msg);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int rc = 0;
    while (rc == 0 && (got = getline(&line, &cap, stdin)) > 0) {
        if (strspn(line, " \t\r\n") == (size_t)got)
            continue;
        json_t *resp = handle(line);
        if (!resp || cov_json_write(stdout, resp) != 0 || fflush(stdout)) {
            fprintf(stderr, "%s: could not answer a request\n", name);
            rc = 1;
        }
        json_decref(resp);
    }
    free(line);
    return rc;
}

#endif
