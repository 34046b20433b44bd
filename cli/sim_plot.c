/* An SVG line chart of emission per uid per epoch, written by hand (no
 * plotting library): axes with "nice" ticks (1, 2, 5 x 10^k), one line per
 * uid, a legend. A comparison gets two panels on the same scales, so the
 * eye can compare heights directly. With many uids only the 16 that
 * earned most are drawn (the legend says so): more lines are unreadable. */
#include "cli/sim_cmds.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLOT_MAX_SERIES 16
#define PLOT_W 960
#define PLOT_LEFT 80       /* room for the y labels */
#define PLOT_RIGHT 230     /* room for the legend */
#define PLOT_PANEL_H 320   /* one panel, title and x labels included */
#define PLOT_TOP 50        /* the chart's title */

static const char *const colors[8] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                      "#9467bd", "#8c564b", "#e377c2", "#17becf"};

/* Text for SVG: the five XML specials escaped. */
static void put_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:
            /* control characters are not allowed in XML 1.0 */
            fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
        }
    }
}

/* A step of 1, 2 or 5 x 10^k giving about `ticks` intervals over range. */
static double nice_step(double range, int ticks)
{
    double raw = range / ticks, mag = pow(10, floor(log10(raw))), f = raw / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

typedef struct {
    uint16_t uid;
    uint64_t total;
    const char *label;
} series;

static int by_total(const void *x, const void *y)
{
    const series *p = x, *q = y;
    if (p->total != q->total)
        return p->total > q->total ? -1 : 1;
    return (int)p->uid - (int)q->uid;
}

static int by_uid(const void *x, const void *y)
{
    return (int)((const series *)x)->uid - (int)((const series *)y)->uid;
}

typedef struct {
    FILE *f;
    double ymax, ystep;
    uint32_t xmax; /* epochs on the x axis */
    const series *s;
    int n_series;
} chart;

static double px(const chart *c, double epoch)
{
    return PLOT_LEFT + (epoch - 1) / (c->xmax - 1) * (PLOT_W - PLOT_LEFT - PLOT_RIGHT);
}

static void panel(const chart *c, const sim_run *run, const char *tag, int top)
{
    FILE *f = c->f;
    int y0 = top + 30, h = PLOT_PANEL_H - 80; /* plot area: y0 .. y0 + h */
    int x0 = PLOT_LEFT, x1 = PLOT_W - PLOT_RIGHT;
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"14\" font-weight=\"bold\">", x0, top + 18);
    put_text(f, tag);
    put_text(f, run->sc->name[0] ? run->sc->name : run->path);
    fputs("</text>\n", f);
    /* y grid and labels */
    for (double v = 0; v <= c->ymax + c->ystep / 2; v += c->ystep) {
        double y = y0 + h - v / c->ymax * h;
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>\n", x0, y,
                x1, y);
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%g</text>\n",
                x0 - 6, y + 4, v);
    }
    /* x ticks at every epoch, or at multiples of a nice step */
    double xs = c->xmax <= 12 ? 1 : nice_step(c->xmax - 1, 8);
    for (double e = xs; e <= c->xmax + 1e-9; e += xs) {
        double x = px(c, e);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#000\"/>\n", x,
                y0 + h, x, y0 + h + 5);
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%g</text>\n",
                x, y0 + h + 18, e);
    }
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>\n", x0, y0 + h, x1,
            y0 + h);
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>\n", x0, y0, x0,
            y0 + h);
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">epoch</text>\n",
            (x0 + x1) / 2, y0 + h + 36);
    fprintf(f,
            "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" "
            "transform=\"rotate(-90 %d %d)\">emission per epoch (alpha)</text>\n",
            22, y0 + h / 2, 22, y0 + h / 2);
    /* one line per uid; a uid's line starts when it first appears */
    const cov_sim_result *r = &run->res;
    for (int k = 0; k < c->n_series; k++) {
        uint16_t uid = c->s[k].uid;
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"%s points=\"",
                colors[k % 8], k >= 8 ? " stroke-dasharray=\"6 3\"" : "");
        for (uint32_t e = 0; e < r->n_epochs; e++) {
            if (uid >= r->epochs[e].n)
                continue;
            double v = (double)r->epochs[e].uids[uid].emission / 1e9;
            fprintf(f, "%.1f,%.1f ", px(c, e + 1.0), y0 + h - v / c->ymax * h);
        }
        fputs("\"/>\n", f);
    }
}

char *sim_plot_svg(const sim_run *a, const sim_run *b)
{
    const sim_run *runs[2] = {a, b};
    int n_runs = b ? 2 : 1;
    uint16_t max_n = 0;
    for (int k = 0; k < n_runs; k++)
        if (runs[k]->res.max_n > max_n)
            max_n = runs[k]->res.max_n;
    series *all = calloc(max_n ? max_n : 1, sizeof *all);
    sim_total *ta = sim_totals(&a->res), *tb = b ? sim_totals(&b->res) : NULL;
    if (all == NULL || ta == NULL || (b && tb == NULL)) {
        free(all);
        free(ta);
        free(tb);
        return NULL;
    }
    /* the lines to draw: the uids that earned most over both runs */
    chart c = {.xmax = 2, .ymax = 0};
    for (uint16_t i = 0; i < max_n; i++) {
        all[i].uid = i;
        all[i].total = (i < a->res.max_n ? ta[i].emission : 0) +
                       (b && i < b->res.max_n ? tb[i].emission : 0);
        all[i].label = i < a->res.max_n ? ta[i].label : tb[i].label;
    }
    int shown = max_n < PLOT_MAX_SERIES ? max_n : PLOT_MAX_SERIES;
    qsort(all, max_n, sizeof *all, by_total);
    qsort(all, (size_t)shown, sizeof *all, by_uid);
    c.s = all;
    c.n_series = shown;
    double ymax = 0;
    for (int k = 0; k < n_runs; k++) {
        const cov_sim_result *r = &runs[k]->res;
        if (r->n_epochs > c.xmax)
            c.xmax = r->n_epochs;
        for (uint32_t e = 0; e < r->n_epochs; e++)
            for (int s = 0; s < shown; s++)
                if (all[s].uid < r->epochs[e].n) {
                    double v = (double)r->epochs[e].uids[all[s].uid].emission / 1e9;
                    ymax = v > ymax ? v : ymax;
                }
    }
    c.ystep = nice_step(ymax > 0 ? ymax : 1, 5);
    c.ymax = ceil((ymax > 0 ? ymax : 1) / c.ystep) * c.ystep;

    char *buf = NULL;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    if (f != NULL) {
        c.f = f;
        /* tall enough for the panels and for the legend beside them */
        int height = PLOT_TOP + n_runs * PLOT_PANEL_H, legend_end = PLOT_TOP + 40 + shown * 18 + 24;
        if (legend_end > height)
            height = legend_end;
        fprintf(f,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n",
                PLOT_W, height, PLOT_W, height);
        fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", PLOT_W, height);
        fprintf(f, "<text x=\"%d\" y=\"28\" font-size=\"17\">Emission per uid per epoch%s</text>\n",
                PLOT_LEFT, b ? ": A above, B below" : "");
        for (int k = 0; k < n_runs; k++)
            panel(&c, runs[k], b ? (k ? "B: " : "A: ") : "", PLOT_TOP + k * PLOT_PANEL_H);
        /* legend */
        int lx = PLOT_W - PLOT_RIGHT + 20, ly = PLOT_TOP + 40;
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" font-weight=\"bold\">uid hotkey</text>\n",
                lx, ly - 14);
        for (int k = 0; k < shown; k++) {
            int y = ly + k * 18;
            fprintf(f,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                    "stroke-width=\"2.5\"%s/>\n",
                    lx, y, lx + 24, y, colors[k % 8], k >= 8 ? " stroke-dasharray=\"6 3\"" : "");
            fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\">%u ", lx + 30, y + 4, all[k].uid);
            put_text(f, all[k].label);
            fputs("</text>\n", f);
        }
        if (shown < max_n)
            fprintf(f,
                    "<text x=\"%d\" y=\"%d\" font-size=\"11\">top %d of %u uids by emission"
                    "</text>\n",
                    lx, ly + shown * 18 + 8, shown, max_n);
        fputs("</svg>\n", f);
        if (fclose(f) != 0) {
            free(buf);
            buf = NULL;
        }
    }
    free(all);
    free(ta);
    free(tb);
    return buf;
}
