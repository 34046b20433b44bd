/* One timeline entry from JSON: its kind, block, uid and payload, with
 * shapes and ranges checked. Weights given as fractions become the u16s
 * the bittensor SDK would submit for them (convert_weights_and_uids_for_emit:
 * largest = 65535, round half to even, zeros dropped). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "incentive/scenario_internal.h"
#include "incentive/weights.h"

#define SC_MAX_BLOCK 1000000000000ull /* ~380,000 years of 12 s blocks */

typedef struct {
    uint16_t uid;
    double value;
} pair;

static int cmp_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    return (int)x->uid - (int)y->uid;
}

/* "7" -> 7: plain decimal uid, no sign, no leading zeros. */
static bool parse_uid_key(uint16_t *out, const char *key)
{
    size_t len = strlen(key);
    if (len == 0 || len > 5 || strspn(key, "0123456789") != len || (key[0] == '0' && len > 1))
        return false;
    long v = strtol(key, NULL, 10);
    if (v > 65535)
        return false;
    *out = (uint16_t)v;
    return true;
}

static cov_status parse_weights(cov_scenario_event *ev, const json_t *w, const char *prefix,
                                cov_err *err)
{
    char path[SC_PATH_MAX];
    sc_path(path, prefix, "weights");
    if (!json_is_object(w))
        return sc_fail(err, COV_ERR_PARSE, path, "must be an object {\"uid\": weight, ...}, got %s",
                       sc_json_kind(w));
    size_t n = json_object_size(w);
    pair *pairs = malloc((n ? n : 1) * sizeof *pairs);
    if (pairs == NULL)
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    /* Fractions if any value has one: {"4": 0.25, "5": 1} means 0.25 and 1. */
    bool fractions = false;
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)w, key, value)
        fractions = fractions || json_is_real(value);
    size_t k = 0;
    cov_status st = COV_OK;
    json_object_foreach((json_t *)w, key, value) {
        char wpath[SC_PATH_MAX];
        sc_path(wpath, path, key);
        if (!parse_uid_key(&pairs[k].uid, key)) {
            st = sc_fail(err, COV_ERR_PARSE, wpath, "keys are uids 0..65535, got \"%s\"", key);
            break;
        }
        if (!json_is_number(value)) {
            st = sc_fail(err, COV_ERR_PARSE, wpath, "weight must be a number, got %s",
                         sc_json_kind(value));
            break;
        }
        double d = json_number_value(value);
        if (!fractions && (d < 0 || d > 65535)) {
            st = sc_fail(err, COV_ERR_PARSE, wpath, "weight must be 0..65535, got %lld",
                         (long long)json_integer_value(value));
            break;
        }
        if (fractions && !(isfinite(d) && d >= 0)) {
            st = sc_fail(err, COV_ERR_PARSE, wpath, "weight must be a number >= 0, got %g", d);
            break;
        }
        pairs[k].value = d;
        k++;
    }
    if (st != COV_OK) {
        free(pairs);
        return st;
    }
    /* The SDK submits weights in uid order (process_weights works on
     * arange(n)); sorted rows are also what liquid alpha reads right. */
    qsort(pairs, n, sizeof *pairs, cmp_pair);
    ev->weights = malloc((n ? n : 1) * sizeof *ev->weights);
    if (ev->weights == NULL) {
        free(pairs);
        return cov_fail(err, COV_ERR_NOMEM, "out of memory");
    }
    if (!fractions || n == 0) {
        for (size_t i = 0; i < n; i++)
            ev->weights[i] = (cov_yuma_entry){pairs[i].uid, (uint16_t)pairs[i].value};
        ev->weights_len = (uint32_t)n;
        free(pairs);
        return COV_OK;
    }
    int64_t *uids = malloc(n * sizeof *uids);
    double *vals = malloc(n * sizeof *vals);
    uint16_t *out_uids = malloc(n * sizeof *out_uids), *out_vals = malloc(n * sizeof *out_vals);
    if (!uids || !vals || !out_uids || !out_vals) {
        st = cov_fail(err, COV_ERR_NOMEM, "out of memory");
    } else {
        for (size_t i = 0; i < n; i++) {
            uids[i] = pairs[i].uid;
            vals[i] = pairs[i].value;
        }
        size_t len = 0;
        st = cov_weights_emit(out_uids, out_vals, &len, uids, n, vals, n, err);
        if (st != COV_OK) { /* a bad value in the file, not a bad call */
            cov_err_context(err, "%s", path);
            if (err)
                err->code = COV_ERR_PARSE;
            st = COV_ERR_PARSE;
        }
        for (size_t i = 0; st == COV_OK && i < len; i++)
            ev->weights[i] = (cov_yuma_entry){out_uids[i], out_vals[i]};
        ev->weights_len = (uint32_t)len;
    }
    free(uids);
    free(vals);
    free(out_uids);
    free(out_vals);
    free(pairs);
    return st;
}

static const char *const known_register[] = {"block", "event", "uid", "hotkey", "stake",
                                              "root_stake", NULL};
static const char *const known_stake[] = {"block", "event", "uid", "stake", "add", "root_stake",
                                          NULL};
static const char *const known_weights[] = {"block", "event", "uid", "weights", "copy", "every",
                                            NULL};
static const char *const known_epoch[] = {"block", "event", NULL};

static cov_status required_uid(cov_scenario_event *ev, const json_t *v, const char *prefix,
                               const char *kind, cov_err *err)
{
    uint64_t uid = 0;
    bool have;
    cov_status st = sc_uint(&uid, &have, v, prefix, "uid", 0, 65535, err);
    if (st == COV_OK && !have) {
        char path[SC_PATH_MAX];
        sc_path(path, prefix, "uid");
        return sc_fail(err, COV_ERR_PARSE, path, "missing (a \"%s\" event needs the uid)", kind);
    }
    ev->uid = (uint16_t)uid;
    return st;
}

static cov_status parse_register(cov_scenario_event *ev, const json_t *v, const char *prefix,
                                 cov_err *err)
{
    cov_status st = sc_known_fields(v, prefix, known_register, err);
    if (st == COV_OK)
        st = required_uid(ev, v, prefix, "register", err);
    if (st == COV_OK)
        st = sc_label(ev->hotkey, v, prefix, "hotkey", err);
    ev->set_alpha = ev->set_root = true; /* a new hotkey has what it says, else 0 */
    if (st == COV_OK)
        st = sc_tao(&ev->alpha_stake, NULL, v, prefix, "stake", err);
    if (st == COV_OK)
        st = sc_tao(&ev->root_stake, NULL, v, prefix, "root_stake", err);
    return st;
}

static cov_status parse_stake(cov_scenario_event *ev, const json_t *v, const char *prefix,
                              cov_err *err)
{
    cov_status st = sc_known_fields(v, prefix, known_stake, err);
    if (st == COV_OK)
        st = required_uid(ev, v, prefix, "stake", err);
    if (st == COV_OK)
        st = sc_tao(&ev->alpha_stake, &ev->set_alpha, v, prefix, "stake", err);
    if (st == COV_OK)
        st = sc_tao_delta(&ev->alpha_delta, &ev->add, v, prefix, "add", err);
    if (st == COV_OK)
        st = sc_tao(&ev->root_stake, &ev->set_root, v, prefix, "root_stake", err);
    if (st != COV_OK)
        return st;
    if (ev->set_alpha && ev->add)
        return sc_fail(err, COV_ERR_PARSE, prefix,
                       "give \"stake\" (the new amount) or \"add\" (a change), not both");
    if (!ev->set_alpha && !ev->add && !ev->set_root)
        return sc_fail(err, COV_ERR_PARSE, prefix,
                       "a \"stake\" event needs \"stake\", \"add\" or \"root_stake\"");
    return COV_OK;
}

static cov_status parse_weights_event(cov_scenario_event *ev, const json_t *v, const char *prefix,
                                      cov_err *err)
{
    cov_status st = sc_known_fields(v, prefix, known_weights, err);
    if (st == COV_OK)
        st = required_uid(ev, v, prefix, "weights", err);
    uint64_t copy = 0;
    bool have_copy = false;
    if (st == COV_OK)
        st = sc_uint(&copy, &have_copy, v, prefix, "copy", 0, 65535, err);
    bool have_every = false;
    if (st == COV_OK)
        st = sc_uint(&ev->every, &have_every, v, prefix, "every", 1, SC_MAX_BLOCK, err);
    if (st != COV_OK)
        return st;
    const json_t *w = json_object_get(v, "weights");
    if ((w != NULL) == have_copy)
        return sc_fail(err, COV_ERR_PARSE, prefix,
                       "a \"weights\" event needs \"weights\" {uid: weight} or \"copy\" "
                       "(a uid whose weights to copy), one of the two");
    ev->copy_from = have_copy ? (int32_t)copy : -1;
    return w ? parse_weights(ev, w, prefix, err) : COV_OK;
}

cov_status sc_parse_event(cov_scenario_event *ev, const json_t *v, const char *prefix,
                          cov_err *err)
{
    memset(ev, 0, sizeof *ev);
    ev->copy_from = -1;
    if (!json_is_object(v))
        return sc_fail(err, COV_ERR_PARSE, prefix, "must be an object, got %s", sc_json_kind(v));
    const char *kind = NULL;
    bool have;
    char path[SC_PATH_MAX];
    cov_status st = sc_string(&kind, &have, v, prefix, "event", 16, err);
    if (st != COV_OK)
        return st;
    sc_path(path, prefix, "event");
    if (!have)
        return sc_fail(err, COV_ERR_PARSE, path,
                       "missing (one of register, stake, weights, epoch)");
    st = sc_uint(&ev->block, &have, v, prefix, "block", 0, SC_MAX_BLOCK, err);
    if (st == COV_OK && !have) {
        sc_path(path, prefix, "block");
        return sc_fail(err, COV_ERR_PARSE, path, "missing (the block the event happens in)");
    }
    if (st != COV_OK)
        return st;
    if (strcmp(kind, "register") == 0) {
        ev->kind = COV_SCENARIO_REGISTER;
        return parse_register(ev, v, prefix, err);
    }
    if (strcmp(kind, "stake") == 0) {
        ev->kind = COV_SCENARIO_STAKE;
        return parse_stake(ev, v, prefix, err);
    }
    if (strcmp(kind, "weights") == 0) {
        ev->kind = COV_SCENARIO_WEIGHTS;
        return parse_weights_event(ev, v, prefix, err);
    }
    if (strcmp(kind, "epoch") == 0) {
        ev->kind = COV_SCENARIO_EPOCH;
        return sc_known_fields(v, prefix, known_epoch, err);
    }
    return sc_fail(err, COV_ERR_PARSE, path,
                   "must be register, stake, weights or epoch, got \"%s\"", kind);
}
