/* Two runs side by side: what each uid earned over the whole run in A and
 * in B, the difference, sorted from the largest gain in B to the largest
 * loss, and the split between validators (dividends) and miners
 * (incentive). uids present in only one run count 0 in the other. */
#include "cli/sim_cmds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint16_t uid;
    const sim_total *a, *b; /* NULL where the run had no such uid */
    int64_t diff;           /* B - A, rao */
} cmp_row;

static int cmp_rows(const void *x, const void *y)
{
    const cmp_row *p = x, *q = y;
    if (p->diff != q->diff)
        return p->diff > q->diff ? -1 : 1;
    return (int)p->uid - (int)q->uid;
}

typedef struct {
    sim_total *ta, *tb;
    cmp_row *rows;
    uint16_t n;
    uint64_t sum_a[3], sum_b[3]; /* incentive, dividends, all */
} comparison;

static void cmp_free(comparison *c)
{
    free(c->ta);
    free(c->tb);
    free(c->rows);
}

static const sim_total *at(const sim_total *t, uint16_t n, uint16_t i)
{
    return i < n && t[i].present ? &t[i] : NULL;
}

static bool cmp_build(comparison *c, const sim_run *a, const sim_run *b)
{
    memset(c, 0, sizeof *c);
    uint16_t na = a->res.max_n, nb = b->res.max_n;
    c->n = na > nb ? na : nb;
    c->ta = sim_totals(&a->res);
    c->tb = sim_totals(&b->res);
    c->rows = calloc(c->n ? c->n : 1, sizeof *c->rows);
    if (!c->ta || !c->tb || !c->rows) {
        cmp_free(c);
        return false;
    }
    for (uint16_t i = 0; i < c->n; i++) {
        cmp_row *r = &c->rows[i];
        r->uid = i;
        r->a = at(c->ta, na, i);
        r->b = at(c->tb, nb, i);
        uint64_t ea = r->a ? r->a->emission : 0, eb = r->b ? r->b->emission : 0;
        /* totals are capped at 1e18 rao (scenario.h), so this fits */
        r->diff = (int64_t)eb - (int64_t)ea;
        if (r->a) {
            c->sum_a[0] += r->a->server;
            c->sum_a[1] += r->a->validator;
            c->sum_a[2] += r->a->emission;
        }
        if (r->b) {
            c->sum_b[0] += r->b->server;
            c->sum_b[1] += r->b->validator;
            c->sum_b[2] += r->b->emission;
        }
    }
    qsort(c->rows, c->n, sizeof *c->rows, cmp_rows);
    return true;
}

static const char *verdict(int64_t diff) { return diff > 0 ? "gains" : diff < 0 ? "loses" : "same"; }

/* "val-A", or "miner-1 | miner-1b" when A and B name the uid differently. */
static void row_label(char *out, size_t size, const cmp_row *r)
{
    const char *la = r->a ? r->a->label : "", *lb = r->b ? r->b->label : "";
    if (strcmp(la, lb) == 0 || !r->b)
        snprintf(out, size, "%s", la);
    else if (!r->a)
        snprintf(out, size, "%s", lb);
    else
        snprintf(out, size, "%s | %s", la, lb);
}

static void percent(char out[16], int64_t diff, uint64_t base)
{
    if (diff == 0 || base == 0)
        snprintf(out, 16, "%s", diff ? "new" : "");
    else
        snprintf(out, 16, "%+.1f%%", 100.0 * (double)diff / (double)base);
}

char *sim_compare_text(const sim_run *a, const sim_run *b)
{
    comparison c;
    if (!cmp_build(&c, a, b))
        return NULL;
    char *buf = NULL;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL) {
        cmp_free(&c);
        return NULL;
    }
    const sim_run *runs[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        char all[48];
        sim_fmt_alpha(all, k ? c.sum_b[2] : c.sum_a[2], 4);
        fprintf(f, "%c: %s (%s)\n   %s, %u epochs, %s alpha emitted\n", k ? 'B' : 'A',
                runs[k]->path, runs[k]->sc->name[0] ? runs[k]->sc->name : "unnamed",
                runs[k]->sc->yuma3 ? (runs[k]->sc->liquid_alpha ? "Yuma 3, liquid alpha"
                                                                : "Yuma 3")
                                   : "Yuma 2",
                runs[k]->sc->epochs, all);
    }
    fprintf(f, "\nemission per uid over the run (alpha), from the largest gain in B to the "
               "largest loss\n");
    fprintf(f, " uid  %-24s %12s %12s %12s\n", "hotkey", "A", "B", "B - A");
    for (uint16_t i = 0; i < c.n; i++) {
        const cmp_row *r = &c.rows[i];
        char label[2 * sizeof r->a->label + 4], ea[48], eb[48], d[48], pc[16];
        row_label(label, sizeof label, r);
        sim_fmt_alpha(ea, r->a ? r->a->emission : 0, 4);
        sim_fmt_alpha(eb, r->b ? r->b->emission : 0, 4);
        sim_fmt_alpha_signed(d, r->diff, 4);
        percent(pc, r->diff, r->a ? r->a->emission : 0);
        fprintf(f, "%4u  %-24s %12s %12s %12s %8s  %s\n", r->uid, label, ea, eb, d, pc,
                verdict(r->diff));
    }
    static const char *const what[3] = {"miners (incentive)", "validators (dividends)",
                                        "all"};
    fprintf(f, "\ntotals (alpha)\n");
    for (int k = 0; k < 3; k++) {
        char ea[48], eb[48], d[48];
        sim_fmt_alpha(ea, c.sum_a[k], 4);
        sim_fmt_alpha(eb, c.sum_b[k], 4);
        sim_fmt_alpha_signed(d, (int64_t)c.sum_b[k] - (int64_t)c.sum_a[k], 4);
        fprintf(f, "      %-24s %12s %12s %12s\n", what[k], ea, eb, d);
    }
    cmp_free(&c);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

char *sim_compare_csv(const sim_run *a, const sim_run *b)
{
    comparison c;
    if (!cmp_build(&c, a, b))
        return NULL;
    char *buf = NULL;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL) {
        cmp_free(&c);
        return NULL;
    }
    fprintf(f, "uid,hotkey_a,hotkey_b,emission_a_rao,emission_b_rao,difference_rao,change\n");
    for (uint16_t i = 0; i < c.n; i++) {
        const cmp_row *r = &c.rows[i];
        fprintf(f, "%u,%s,%s,%llu,%llu,%lld,%s\n", r->uid, r->a ? r->a->label : "",
                r->b ? r->b->label : "", (unsigned long long)(r->a ? r->a->emission : 0),
                (unsigned long long)(r->b ? r->b->emission : 0), (long long)r->diff,
                verdict(r->diff));
    }
    cmp_free(&c);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

#define JI(x) ((json_int_t)(x))

static json_t *sums_json(const uint64_t s[3])
{
    return json_pack("{s:I,s:I,s:I}", "miners_rao", JI(s[0]), "validators_rao", JI(s[1]),
                     "total_rao", JI(s[2]));
}

json_t *sim_compare_json(const sim_run *a, const sim_run *b)
{
    comparison c;
    if (!cmp_build(&c, a, b))
        return NULL;
    json_t *uids = json_array();
    for (uint16_t i = 0; uids && i < c.n; i++) {
        const cmp_row *r = &c.rows[i];
        json_array_append_new(
            uids, json_pack("{s:i,s:o,s:o,s:I,s:I,s:I,s:s}", "uid", r->uid, "hotkey_a",
                            r->a ? json_string(r->a->label) : json_null(), "hotkey_b",
                            r->b ? json_string(r->b->label) : json_null(), "emission_a_rao",
                            JI(r->a ? r->a->emission : 0), "emission_b_rao",
                            JI(r->b ? r->b->emission : 0), "difference_rao", JI(r->diff),
                            "change", verdict(r->diff)));
    }
    json_t *obj = json_pack("{s:o,s:o,s:o,s:{s:o,s:o}}", "a", sim_scenario_json(a), "b",
                            sim_scenario_json(b), "uids", uids, "totals", "a",
                            sums_json(c.sum_a), "b", sums_json(c.sum_b));
    cmp_free(&c);
    return obj;
}
