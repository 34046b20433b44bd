/* covenant sim SCENARIO.json [--json|--csv] [--plot FILE.svg]
 * covenant sim --compare A.json B.json [--json|--csv] [--plot FILE.svg]
 *
 * Loads scenario files, runs them (incentive/scenario.h) and reports. The
 * chart is written before anything is printed, so a plot that cannot be
 * written leaves neither a file nor a half report. */
#include "cli/sim_cmds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SIM_FILE_MAX ((size_t)64 << 20)

static cov_status load_scenario(sim_run *run, cov_err *err)
{
    uint8_t *text;
    size_t len;
    cov_status st = cov_file_read(&text, &len, run->path, SIM_FILE_MAX, false, err);
    if (st != COV_OK)
        return st;
    json_error_t jerr;
    /* a repeated key would silently win in jansson: refuse it */
    json_t *root = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &jerr);
    free(text);
    if (root == NULL)
        return cov_fail(err, COV_ERR_PARSE, "%s: not valid JSON: line %d, column %d: %s",
                        run->path, jerr.line, jerr.column, jerr.text);
    st = cov_scenario_parse(&run->sc, root, err);
    json_decref(root);
    if (st != COV_OK)
        cov_err_context(err, "%s", run->path);
    return st;
}

typedef struct {
    const char *path;
    struct timespec last;
} progress;

/* At most one line a second, and none for runs that end within it. */
static void on_epoch(void *ctx, uint32_t done, uint32_t total, uint64_t block)
{
    progress *p = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec - p->last.tv_sec < 1 && done != total)
        return;
    if (now.tv_sec - p->last.tv_sec >= 1)
        cov_log(COV_LOG_INFO, "sim %s: epoch %u of %u (block %llu)", p->path, done, total,
                (unsigned long long)block);
    p->last = now;
}

static cov_status run_scenario(sim_run *run, bool keep_bonds, bool show_progress, cov_err *err)
{
    cov_status st = load_scenario(run, err);
    if (st != COV_OK)
        return st;
    progress p = {.path = run->path};
    clock_gettime(CLOCK_MONOTONIC, &p.last);
    cov_sim_options opt = {.keep_bonds = keep_bonds,
                           .progress = show_progress ? on_epoch : NULL,
                           .progress_ctx = &p};
    st = cov_sim_run(&run->res, run->sc, &opt, err);
    if (st != COV_OK)
        cov_err_context(err, "%s", run->path);
    return st;
}

static void run_free(sim_run *run)
{
    cov_sim_result_free(&run->res);
    cov_scenario_free(run->sc);
}

static void print_help(void)
{
    printf("usage: covenant sim SCENARIO.json [--json|--csv] [--plot FILE.svg]\n"
           "       covenant sim --compare A.json B.json [--json|--csv] [--plot FILE.svg]\n"
           "Replays a subnet scenario (hyperparameters, registrations, stake, weights) through\n"
           "the chain's Yuma consensus and prints what every uid earns, epoch by epoch.\n"
           "--compare runs two scenarios and shows who gains and who loses in B.\n"
           "The scenario format is in docs/incentives.md; examples in docs/examples/.\n\n"
           "options:\n");
    cli_print_options(stdout, OPTBIT(OPT_CSV) | OPTBIT(OPT_PLOT) | OPTBIT(OPT_COMPARE));
}

/* The report in the chosen format, printed (text and CSV via cli_emit). */
static int print_report(bool json, bool csv, const sim_run *a, const sim_run *b)
{
    if (json) {
        json_t *obj = b ? sim_compare_json(a, b) : sim_report_json(a);
        if (obj == NULL) {
            cov_err err = {.code = COV_ERR_NOMEM, .msg = "out of memory"};
            return cli_report(true, &err);
        }
        cli_emit(true, obj, NULL);
        return CLI_EXIT_OK;
    }
    char *text = csv ? (b ? sim_compare_csv(a, b) : sim_report_csv(a))
                     : (b ? sim_compare_text(a, b) : sim_report_text(a));
    if (text == NULL) {
        cov_err err = {.code = COV_ERR_NOMEM, .msg = "out of memory"};
        return cli_report(false, &err);
    }
    cli_emit(false, NULL, text);
    free(text);
    return CLI_EXIT_OK;
}

int cli_sim_main(int argc, char **argv, bool json)
{
    cli_args a;
    cov_err err = {0};
    if (cli_parse(&a, argc, argv, OPTBIT(OPT_CSV) | OPTBIT(OPT_PLOT) | OPTBIT(OPT_COMPARE),
                  &err) != CLI_EXIT_OK)
        return cli_report(json, &err);
    json = json || cli_has(&a, OPT_JSON);
    if (cli_has(&a, OPT_HELP)) {
        print_help();
        return CLI_EXIT_OK;
    }
    if (cli_has(&a, OPT_LOG_LEVEL)) {
        cov_log_level level;
        if (!cov_log_parse_level(cli_get(&a, OPT_LOG_LEVEL), &level))
            return cli_usage_error(json, "--log-level must be error, warn, info, debug or trace");
        cov_log_set_level(level);
    }
    bool csv = cli_has(&a, OPT_CSV), compare = cli_has(&a, OPT_COMPARE);
    if (json && csv)
        return cli_usage_error(json, "--json and --csv: choose one");
    int want = compare ? 2 : 1;
    if (a.n_positional != want)
        return cli_usage_error(json, compare ? "covenant sim --compare needs two scenario files, "
                                               "A.json B.json (see covenant sim --help)"
                                             : "covenant sim needs one scenario file (see "
                                               "covenant sim --help)");
    const char *plot = cli_get(&a, OPT_PLOT);
    if (plot && plot[0] == '\0')
        return cli_usage_error(json, "--plot needs a file name");

    sim_run runs[2] = {{.path = a.positional[0]}, {.path = compare ? a.positional[1] : NULL}};
    /* only the single-run JSON and CSV reports show bonds */
    bool keep_bonds = !compare && (json || csv);
    cov_status st = COV_OK;
    for (int i = 0; i < want && st == COV_OK; i++)
        st = run_scenario(&runs[i], keep_bonds, !json && !csv, &err);
    if (st == COV_OK && plot) {
        char *svg = sim_plot_svg(&runs[0], compare ? &runs[1] : NULL);
        st = svg ? cov_file_write_atomic(plot, svg, strlen(svg), 0644, true, &err)
                 : cov_fail(&err, COV_ERR_NOMEM, "out of memory");
        if (st != COV_OK && svg)
            cov_err_context(&err, "--plot %s", plot);
        free(svg);
    }
    int rc = st == COV_OK ? print_report(json, csv, &runs[0], compare ? &runs[1] : NULL)
                          : cli_report(json, &err);
    for (int i = 0; i < want; i++)
        run_free(&runs[i]);
    return rc;
}
