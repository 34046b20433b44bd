/* Everything covenant prints goes through here, so text and --json modes
 * stay consistent: results on stdout, diagnostics on stderr. */
#include "cli/cli.h"

#include <stdio.h>

void cli_emit(bool json, json_t *obj, const char *human)
{
    if (json) {
        if (obj)
            cov_json_write(stdout, obj);
    } else if (human) {
        fputs(human, stdout);
    }
    json_decref(obj);
    fflush(stdout);
}

int cli_report(bool json, const cov_err *err)
{
    if (json) {
        json_t *obj = cov_json_error(err);
        cov_json_write(stdout, obj);
        json_decref(obj);
    } else {
        fprintf(stderr, "error: %s\n", err->msg[0] ? err->msg : cov_status_name(err->code));
    }
    return err->code == COV_ERR_ARG ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
}

int cli_usage_error(bool json, const char *fmt, ...)
{
    cov_err err = {.code = COV_ERR_ARG};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err.msg, sizeof err.msg, fmt, ap);
    va_end(ap);
    cli_report(json, &err);
    return CLI_EXIT_USAGE;
}
