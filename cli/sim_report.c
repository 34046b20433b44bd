/* One run's report: per-epoch, per-uid tables as text, CSV rows, or one
 * JSON object. Text shows proportions (the stored u16 / 65535) and alpha;
 * CSV and JSON keep the chain's exact units (u16, rao) for analysis. */
#include "cli/sim_cmds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sim_fmt_alpha(char out[48], uint64_t rao, int decimals)
{
    uint64_t unit = 1;
    for (int i = decimals; i < 9; i++)
        unit *= 10;
    uint64_t scaled = rao / unit + (rao % unit >= (unit + 1) / 2 && unit > 1); /* half up */
    uint64_t pow = 1;
    for (int i = 0; i < decimals; i++)
        pow *= 10;
    if (decimals == 0)
        snprintf(out, 48, "%llu", (unsigned long long)scaled);
    else
        snprintf(out, 48, "%llu.%0*llu", (unsigned long long)(scaled / pow), decimals,
                 (unsigned long long)(scaled % pow));
}

void sim_fmt_alpha_signed(char out[48], int64_t rao, int decimals)
{
    char mag[48];
    uint64_t m = rao < 0 ? (uint64_t)0 - (uint64_t)rao : (uint64_t)rao;
    sim_fmt_alpha(mag, m, decimals);
    /* a difference that rounds to zero prints without a sign */
    bool zero = strspn(mag, "0.") == strlen(mag);
    snprintf(out, 48, "%s%.40s", zero ? "" : rao < 0 ? "-" : "+", mag); /* mag < 32 chars */
}

sim_total *sim_totals(const cov_sim_result *r)
{
    sim_total *t = calloc(r->max_n ? r->max_n : 1, sizeof *t);
    if (t == NULL)
        return NULL;
    const char **last = calloc(r->max_n ? r->max_n : 1, sizeof *last);
    if (last == NULL) {
        free(t);
        return NULL;
    }
    for (uint32_t e = 0; e < r->n_epochs; e++) {
        const cov_sim_epoch *ep = &r->epochs[e];
        for (uint16_t i = 0; i < ep->n; i++) {
            const cov_sim_uid *u = &ep->uids[i];
            sim_total *s = &t[i];
            s->present = true;
            s->emission += u->emission;
            s->server += u->server_emission;
            s->validator += u->validator_emission;
            if (last[i] == NULL || strcmp(last[i], u->hotkey) != 0) {
                size_t used = strlen(s->label);
                snprintf(s->label + used, sizeof s->label - used, "%s%s", used ? ">" : "",
                         u->hotkey);
                last[i] = u->hotkey;
            }
        }
    }
    free(last);
    return t;
}

/* ------------------------------------------------------------- text */

static double prop(uint16_t v) { return v / 65535.0; }

static void text_settings(FILE *f, const sim_run *run)
{
    const cov_scenario *sc = run->sc;
    char em[48];
    sim_fmt_alpha(em, sc->emission, 4);
    fprintf(f, "%s%s%s\n", sc->name[0] ? sc->name : "scenario", " -- ", run->path);
    fprintf(f, "  %s%s, kappa %.4f, bonds penalty %.4f, bonds moving average %llu ppm\n",
            sc->yuma3 ? "Yuma 3" : "Yuma 2 (original Yuma)",
            sc->yuma3 && sc->liquid_alpha ? " with liquid alpha" : "", prop(sc->kappa),
            prop(sc->bonds_penalty), (unsigned long long)sc->bonds_moving_average);
    if (sc->yuma3 && sc->liquid_alpha)
        fprintf(f, "  liquid alpha: low %.4f, high %.4f, steepness %d\n", prop(sc->alpha_low),
                prop(sc->alpha_high), sc->alpha_sigmoid_steepness);
    fprintf(f, "  tempo %u, activity cutoff %llu blocks, %u validator permits, %u uid slots\n",
            sc->tempo, (unsigned long long)sc->activity_cutoff, sc->max_allowed_validators, sc->n);
    fprintf(f, "  %u epochs, %s alpha per epoch", sc->epochs, em);
    if (sc->epoch_interval)
        fprintf(f, ", one every %llu blocks", (unsigned long long)sc->epoch_interval);
    fprintf(f, "\n");
}

static void text_epoch(FILE *f, const cov_sim_epoch *ep)
{
    fprintf(f, "\nepoch %u at block %llu (%u uids)\n", ep->index + 1,
            (unsigned long long)ep->block, ep->n);
    fprintf(f, " uid  %-16s %12s  vp act  vtrust consensus incentive dividends %12s\n", "hotkey",
            "stake", "emission");
    for (uint16_t i = 0; i < ep->n; i++) {
        const cov_sim_uid *u = &ep->uids[i];
        char stake[48], em[48];
        sim_fmt_alpha(stake, u->stake, 3);
        sim_fmt_alpha(em, u->emission, 4);
        fprintf(f, "%4u  %-16s %12s  %2s %3s  %6.4f    %6.4f    %6.4f    %6.4f %12s\n", i,
                u->hotkey, stake, u->validator_permit ? "Y" : "-", u->active ? "Y" : "-",
                prop(u->validator_trust), prop(u->consensus), prop(u->incentive),
                prop(u->dividends), em);
    }
}

static void text_totals(FILE *f, const cov_sim_result *r, const sim_total *t)
{
    uint64_t all = 0;
    for (uint16_t i = 0; i < r->max_n; i++)
        all += t[i].emission;
    char sum[48];
    sim_fmt_alpha(sum, all, 4);
    fprintf(f, "\ntotals over %u epochs (%s alpha)\n", r->n_epochs, sum);
    fprintf(f, " uid  %-24s %12s %12s %12s  %6s\n", "hotkey", "incentive", "dividends",
            "emission", "share");
    for (uint16_t i = 0; i < r->max_n; i++) {
        char inc[48], div[48], em[48];
        sim_fmt_alpha(inc, t[i].server, 4);
        sim_fmt_alpha(div, t[i].validator, 4);
        sim_fmt_alpha(em, t[i].emission, 4);
        fprintf(f, "%4u  %-24s %12s %12s %12s  %5.1f%%\n", i, t[i].label, inc, div, em,
                all ? 100.0 * (double)t[i].emission / (double)all : 0.0);
    }
}

/* Text through a memory stream: cli_emit prints it in one go. */
static FILE *open_text(char **buf, size_t *len)
{
    *buf = NULL;
    return open_memstream(buf, len);
}

/* The stream sets *buf only when it is flushed or closed. */
static char *close_text(FILE *f, char **buf, bool ok)
{
    if (fclose(f) != 0 || !ok) {
        free(*buf);
        return NULL;
    }
    return *buf;
}

char *sim_report_text(const sim_run *run)
{
    char *buf;
    size_t len;
    FILE *f = open_text(&buf, &len);
    if (f == NULL)
        return NULL;
    sim_total *t = sim_totals(&run->res);
    text_settings(f, run);
    for (uint32_t e = 0; e < run->res.n_epochs; e++)
        text_epoch(f, &run->res.epochs[e]);
    if (t)
        text_totals(f, &run->res, t);
    free(t);
    return close_text(f, &buf, t != NULL);
}

/* -------------------------------------------------------------- CSV */

char *sim_report_csv(const sim_run *run)
{
    char *buf;
    size_t len;
    FILE *f = open_text(&buf, &len);
    if (f == NULL)
        return NULL;
    const cov_sim_result *r = &run->res;
    fprintf(f, "epoch,block,uid,hotkey,alpha_stake_rao,root_stake_rao,stake_rao,stake_weight,"
               "validator_permit,active,validator_trust,consensus,incentive,dividends,"
               "emission_rao,server_emission_rao,validator_emission_rao,last_update,"
               "registered_at,bonds\n");
    for (uint32_t e = 0; e < r->n_epochs; e++) {
        const cov_sim_epoch *ep = &r->epochs[e];
        for (uint16_t i = 0; i < ep->n; i++) {
            const cov_sim_uid *u = &ep->uids[i];
            fprintf(f, "%u,%llu,%u,%s,%llu,%llu,%llu,%u,%d,%d,%u,%u,%u,%u,%llu,%llu,%llu,%llu,%llu,",
                    ep->index + 1, (unsigned long long)ep->block, i, u->hotkey,
                    (unsigned long long)u->alpha_stake, (unsigned long long)u->root_stake,
                    (unsigned long long)u->stake, u->stake_weight, u->validator_permit,
                    u->active, u->validator_trust, u->consensus, u->incentive, u->dividends,
                    (unsigned long long)u->emission, (unsigned long long)u->server_emission,
                    (unsigned long long)u->validator_emission,
                    (unsigned long long)u->last_update, (unsigned long long)u->registered_at);
            /* "uid:bond uid:bond": no commas, so no quoting */
            const cov_yuma_entry *b = cov_sim_bonds(r, u);
            for (uint32_t k = 0; k < u->bonds_len; k++)
                fprintf(f, "%s%u:%u", k ? " " : "", b[k].uid, b[k].value);
            fputc('\n', f);
        }
    }
    return close_text(f, &buf, true);
}

/* ------------------------------------------------------------- JSON */

#define JI(x) ((json_int_t)(x))

json_t *sim_scenario_json(const sim_run *run)
{
    const cov_scenario *sc = run->sc;
    json_t *hyper = json_pack(
        "{s:i,s:i,s:i,s:I,s:b,s:b,s:i,s:i,s:i,s:i,s:I,s:I,s:f}", "tempo", sc->tempo, "kappa",
        sc->kappa, "bonds_penalty", sc->bonds_penalty, "bonds_moving_average",
        JI(sc->bonds_moving_average), "yuma3", sc->yuma3, "liquid_alpha", sc->liquid_alpha,
        "alpha_low", sc->alpha_low, "alpha_high", sc->alpha_high, "alpha_sigmoid_steepness",
        sc->alpha_sigmoid_steepness, "max_allowed_validators", sc->max_allowed_validators,
        "activity_cutoff", JI(sc->activity_cutoff), "stake_threshold_rao",
        JI(sc->stake_threshold), "tao_weight", (double)sc->tao_weight / 18446744073709551615.0);
    if (hyper && sc->activity_cutoff_factor_milli)
        json_object_set_new(hyper, "activity_cutoff_factor_milli",
                            json_integer(sc->activity_cutoff_factor_milli));
    return json_pack("{s:s,s:s,s:s,s:i,s:i,s:I,s:I,s:o,s:o}", "file", run->path, "name",
                     sc->name, "description", sc->description, "n", sc->n, "epochs",
                     sc->epochs, "epoch_interval", JI(sc->epoch_interval),
                     "emission_per_epoch_rao", JI(sc->emission), "owner_uid",
                     sc->owner_uid >= 0 ? json_integer(sc->owner_uid) : json_null(),
                     "hyperparameters", hyper);
}

static json_t *uid_json(const cov_sim_result *r, const cov_sim_uid *u, uint16_t uid)
{
    json_t *bonds = json_array();
    const cov_yuma_entry *b = cov_sim_bonds(r, u);
    for (uint32_t k = 0; bonds && k < u->bonds_len; k++)
        json_array_append_new(bonds, json_pack("[i,i]", b[k].uid, b[k].value));
    return json_pack(
        "{s:i,s:s,s:I,s:I,s:I,s:i,s:b,s:b,s:b,s:i,s:i,s:i,s:i,s:I,s:I,s:I,s:I,s:I,s:o}", "uid",
        uid, "hotkey", u->hotkey, "alpha_stake_rao", JI(u->alpha_stake), "root_stake_rao",
        JI(u->root_stake), "stake_rao", JI(u->stake), "stake_weight", u->stake_weight,
        "validator_permit", u->validator_permit, "active", u->active, "owner", u->owner,
        "validator_trust", u->validator_trust, "consensus", u->consensus, "incentive",
        u->incentive, "dividends", u->dividends, "emission_rao", JI(u->emission),
        "server_emission_rao", JI(u->server_emission), "validator_emission_rao",
        JI(u->validator_emission), "last_update", JI(u->last_update), "registered_at",
        JI(u->registered_at), "bonds", bonds);
}

json_t *sim_report_json(const sim_run *run)
{
    const cov_sim_result *r = &run->res;
    sim_total *t = sim_totals(r);
    json_t *epochs = json_array(), *totals = json_array();
    uint64_t all = 0;
    for (uint32_t e = 0; epochs && e < r->n_epochs; e++) {
        const cov_sim_epoch *ep = &r->epochs[e];
        json_t *uids = json_array();
        for (uint16_t i = 0; uids && i < ep->n; i++)
            json_array_append_new(uids, uid_json(r, &ep->uids[i], i));
        json_array_append_new(epochs, json_pack("{s:i,s:I,s:i,s:o}", "epoch", ep->index + 1,
                                                "block", JI(ep->block), "n", ep->n, "uids",
                                                uids));
    }
    for (uint16_t i = 0; t && totals && i < r->max_n; i++) {
        all += t[i].emission;
        json_array_append_new(totals, json_pack("{s:i,s:s,s:I,s:I,s:I}", "uid", i, "hotkey",
                                                t[i].label, "emission_rao", JI(t[i].emission),
                                                "server_emission_rao", JI(t[i].server),
                                                "validator_emission_rao",
                                                JI(t[i].validator)));
    }
    json_t *obj = t ? json_pack("{s:o,s:o,s:o,s:I}", "scenario", sim_scenario_json(run),
                                "epochs", epochs, "totals", totals, "total_emission_rao", JI(all))
                    : NULL;
    if (t == NULL) {
        json_decref(epochs);
        json_decref(totals);
    }
    free(t);
    return obj;
}
