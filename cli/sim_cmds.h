/* Shared pieces of `covenant sim` (cmd_sim.c): one run's report
 * (sim_report.c), two runs side by side (sim_compare.c), the SVG chart
 * (sim_plot.c). */
#ifndef COVENANT_CLI_SIM_CMDS_H
#define COVENANT_CLI_SIM_CMDS_H

#include "cli/cli.h"
#include "incentive/incentive.h"

/* One scenario file and its results. */
typedef struct {
    const char *path;
    cov_scenario *sc;
    cov_sim_result res;
} sim_run;

/* One uid over a whole run. A uid whose hotkey was replaced is labelled
 * with its hotkeys in order, "miner-11>miner-11b". */
typedef struct {
    bool present;
    char label[2 * COV_SCENARIO_LABEL_MAX + 8];
    uint64_t emission, server, validator;
} sim_total;

/* totals[r->max_n] (calloc'd, free() it), or NULL without memory. */
sim_total *sim_totals(const cov_sim_result *r);

/* rao as alpha with `decimals` (0..9) decimals, rounded: "295.2016". */
void sim_fmt_alpha(char out[48], uint64_t rao, int decimals);
/* The same with a sign: "+88.8890", "-3.0000", "0.0000". */
void sim_fmt_alpha_signed(char out[48], int64_t rao, int decimals);

/* Reports of one run. Text and CSV are malloc'd strings (free()), NULL
 * without memory; JSON is a new reference. */
char *sim_report_text(const sim_run *run);
char *sim_report_csv(const sim_run *run);
json_t *sim_report_json(const sim_run *run);
/* The scenario's settings as JSON (also the "a"/"b" of a comparison). */
json_t *sim_scenario_json(const sim_run *run);

/* Two runs side by side: per uid totals, B - A, sorted from the largest
 * gain to the largest loss, then totals. */
char *sim_compare_text(const sim_run *a, const sim_run *b);
char *sim_compare_csv(const sim_run *a, const sim_run *b);
json_t *sim_compare_json(const sim_run *a, const sim_run *b);

/* An SVG line chart of emission per uid per epoch (malloc'd, NULL without
 * memory). With b, two panels on one scale: A above, B below. */
char *sim_plot_svg(const sim_run *a, const sim_run *b);

#endif
