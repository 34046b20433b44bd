/* The scenario's events replayed without epochs: who holds which uid,
 * whose stake is what, when the epochs fall. Whatever the chain would
 * refuse, or the run would never reach, is reported here by field, so
 * cov_sim_run never meets a bad event. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incentive/scenario_internal.h"

void sc_event_path(char out[SC_PATH_MAX], const cov_scenario_event *ev)
{
    snprintf(out, SC_PATH_MAX, "%s[%u]", ev->from_neurons ? "neurons" : "timeline",
             ev->source_index);
}

static void fmt_tao(char out[32], uint64_t rao)
{
    snprintf(out, 32, "%llu.%09llu", (unsigned long long)(rao / 1000000000),
             (unsigned long long)(rao % 1000000000));
}

typedef struct {
    uint16_t count; /* SubnetworkN */
    char (*label)[COV_SCENARIO_LABEL_MAX + 1];
    uint64_t *alpha;
} registry;

static cov_status need_uid(const registry *r, const cov_scenario_event *ev, const char *path,
                           const char *field, uint32_t uid, cov_err *err)
{
    if (uid < r->count)
        return COV_OK;
    char fpath[SC_PATH_MAX];
    sc_path(fpath, path, field);
    if (r->count == 0)
        return sc_fail(err, COV_ERR_PARSE, fpath, "uid %u is not registered at block %llu (no uid is)",
                       uid, (unsigned long long)ev->block);
    return sc_fail(err, COV_ERR_PARSE, fpath,
                   "uid %u is not registered at block %llu (uids 0..%u are)", uid,
                   (unsigned long long)ev->block, r->count - 1u);
}

static cov_status check_register(registry *r, const cov_scenario *sc,
                                 const cov_scenario_event *ev, const char *path, cov_err *err)
{
    char fpath[SC_PATH_MAX];
    sc_path(fpath, path, "uid");
    if (ev->uid > r->count || ev->uid >= sc->n) {
        if (r->count == sc->n)
            return sc_fail(err, COV_ERR_PARSE, fpath,
                           "all n = %u uid slots are taken: register on a taken uid to replace "
                           "its hotkey, or raise \"n\"",
                           sc->n);
        return sc_fail(err, COV_ERR_PARSE, fpath,
                       "%u is not the next free uid (%u): the chain hands out uids in order",
                       ev->uid, r->count);
    }
    if (ev->uid < r->count && (int32_t)ev->uid == sc->owner_uid)
        return sc_fail(err, COV_ERR_PARSE, fpath,
                       "uid %u holds the subnet owner's hotkey (owner_uid), which the chain "
                       "never replaces",
                       ev->uid);
    for (uint16_t j = 0; j < r->count; j++)
        if (strcmp(r->label[j], ev->hotkey) == 0) {
            sc_path(fpath, path, "hotkey");
            return sc_fail(err, COV_ERR_PARSE, fpath,
                           "\"%s\" already holds uid %u (a hotkey registers once per subnet)",
                           ev->hotkey, j);
        }
    if (ev->uid == r->count)
        r->count++;
    memcpy(r->label[ev->uid], ev->hotkey, sizeof r->label[0]);
    r->alpha[ev->uid] = ev->alpha_stake;
    return COV_OK;
}

static cov_status check_stake(registry *r, const cov_scenario_event *ev, const char *path,
                              cov_err *err)
{
    cov_status st = need_uid(r, ev, path, "uid", ev->uid, err);
    if (st != COV_OK)
        return st;
    if (ev->set_alpha)
        r->alpha[ev->uid] = ev->alpha_stake;
    if (!ev->add)
        return COV_OK;
    char fpath[SC_PATH_MAX], have[32], change[32];
    sc_path(fpath, path, "add");
    uint64_t cur = r->alpha[ev->uid];
    if (ev->alpha_delta < 0 && (uint64_t)-ev->alpha_delta > cur) {
        fmt_tao(have, cur);
        fmt_tao(change, (uint64_t)-ev->alpha_delta);
        return sc_fail(err, COV_ERR_PARSE, fpath, "uid %u has %s staked; cannot remove %s",
                       ev->uid, have, change);
    }
    uint64_t next = cur + (uint64_t)ev->alpha_delta; /* wraps back for a negative delta */
    if (next > SC_MAX_RAO)
        return sc_fail(err, COV_ERR_PARSE, fpath, "uid %u would hold more than 1e9 TAO", ev->uid);
    r->alpha[ev->uid] = next;
    return COV_OK;
}

static cov_status check_weights(const registry *r, const cov_scenario_event *ev,
                                const char *path, cov_err *err)
{
    cov_status st = need_uid(r, ev, path, "uid", ev->uid, err);
    if (st == COV_OK && ev->copy_from >= 0)
        st = need_uid(r, ev, path, "copy", (uint32_t)ev->copy_from, err);
    for (uint32_t k = 0; st == COV_OK && k < ev->weights_len; k++) {
        char wpath[SC_PATH_MAX], key[8];
        snprintf(key, sizeof key, "%u", ev->weights[k].uid);
        sc_path(wpath, path, "weights");
        st = need_uid(r, ev, wpath, key, ev->weights[k].uid, err);
    }
    return st;
}

cov_status sc_check(const cov_scenario *sc, cov_err *err)
{
    registry r = {0};
    r.label = calloc(sc->n, sizeof *r.label);
    r.alpha = calloc(sc->n, sizeof *r.alpha);
    if (r.label == NULL || r.alpha == NULL) {
        free(r.label);
        free(r.alpha);
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    }
    uint32_t done = 0;
    uint64_t last_epoch = 0, prev_block = 0;
    cov_status st = COV_OK;
    for (size_t i = 0; i < sc->n_events && st == COV_OK; i++) {
        const cov_scenario_event *ev = &sc->events[i];
        char path[SC_PATH_MAX], fpath[SC_PATH_MAX];
        sc_event_path(path, ev);
        if (ev->block < prev_block) {
            sc_path(fpath, path, "block");
            st = sc_fail(err, COV_ERR_PARSE, fpath,
                         "%llu comes before the previous event's block %llu; list events in "
                         "block order",
                         (unsigned long long)ev->block, (unsigned long long)prev_block);
            break;
        }
        prev_block = ev->block;
        /* scheduled epochs run at the start of their block, before its events */
        while (sc->epoch_interval && done < sc->epochs &&
               last_epoch + sc->epoch_interval <= ev->block) {
            last_epoch += sc->epoch_interval;
            done++;
        }
        if (done >= sc->epochs) {
            st = sc_fail(err, COV_ERR_PARSE, path,
                         "block %llu is after the run's last epoch (block %llu): raise "
                         "\"epochs\" or drop the event",
                         (unsigned long long)ev->block, (unsigned long long)last_epoch);
            break;
        }
        switch (ev->kind) {
        case COV_SCENARIO_REGISTER: st = check_register(&r, sc, ev, path, err); break;
        case COV_SCENARIO_STAKE: st = check_stake(&r, ev, path, err); break;
        case COV_SCENARIO_WEIGHTS: st = check_weights(&r, ev, path, err); break;
        case COV_SCENARIO_EPOCH:
            done++;
            last_epoch = ev->block;
            break;
        }
    }
    free(r.label);
    free(r.alpha);
    return st;
}
