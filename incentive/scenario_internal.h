/* What the scenario files share: typed JSON field readers whose errors
 * name the field by its path ("timeline[3].weights.7"), and the steps of
 * parsing. Not part of the public API. */
#ifndef COVENANT_INCENTIVE_SCENARIO_INTERNAL_H
#define COVENANT_INCENTIVE_SCENARIO_INTERNAL_H

#include "incentive/scenario.h"

#define SC_PATH_MAX 96

/* "prefix.name", or "name" when prefix is empty. */
void sc_path(char out[SC_PATH_MAX], const char *prefix, const char *name);

/* Fails with "path: <message>". */
cov_status sc_fail(cov_err *err, cov_status code, const char *path, const char *fmt, ...)
    COV_PRINTF(4, 5);

/* "a string", "an object", ... for "got ..." messages. */
const char *sc_json_kind(const json_t *v);

/* Refuses fields of obj that are not in `known` (NULL-terminated): a typo
 * such as "kapa" would otherwise silently keep the default. */
cov_status sc_known_fields(const json_t *obj, const char *prefix, const char *const *known,
                           cov_err *err) COV_WARN_UNUSED;

/* Readers of obj[name]. When the field is absent they leave *out as it
 * is (the default) and set *present (if non-NULL) to false; when it is
 * present but wrong they fail naming prefix.name. */
cov_status sc_uint(uint64_t *out, bool *present, const json_t *obj, const char *prefix,
                   const char *name, uint64_t min, uint64_t max, cov_err *err) COV_WARN_UNUSED;
cov_status sc_int(int64_t *out, bool *present, const json_t *obj, const char *prefix,
                  const char *name, int64_t min, int64_t max, cov_err *err) COV_WARN_UNUSED;
cov_status sc_bool(bool *out, bool *present, const json_t *obj, const char *prefix,
                   const char *name, cov_err *err) COV_WARN_UNUSED;
/* A number of TAO (or alpha), >= 0, into rao (nearest; integers exact). */
cov_status sc_tao(uint64_t *rao, bool *present, const json_t *obj, const char *prefix,
                  const char *name, cov_err *err) COV_WARN_UNUSED;
/* A signed number of TAO into signed rao. */
cov_status sc_tao_delta(int64_t *rao, bool *present, const json_t *obj, const char *prefix,
                        const char *name, cov_err *err) COV_WARN_UNUSED;
/* A number in [0, 1]. */
cov_status sc_fraction(double *out, bool *present, const json_t *obj, const char *prefix,
                       const char *name, cov_err *err) COV_WARN_UNUSED;
/* A string of at most max_len bytes (borrowed from obj). */
cov_status sc_string(const char **out, bool *present, const json_t *obj, const char *prefix,
                     const char *name, size_t max_len, cov_err *err) COV_WARN_UNUSED;

/* A hotkey label: 1..COV_SCENARIO_LABEL_MAX of [A-Za-z0-9._-], so that it
 * prints safely in text, CSV and SVG. */
cov_status sc_label(char out[COV_SCENARIO_LABEL_MAX + 1], const json_t *obj, const char *prefix,
                    const char *name, cov_err *err) COV_WARN_UNUSED;

/* One "timeline" entry (prefix "timeline[i]") into *ev (zeroed first;
 * ev->weights is malloc'd). Checks shape and ranges only; what depends on
 * the events before it is sc_check's job. */
cov_status sc_parse_event(cov_scenario_event *ev, const json_t *v, const char *prefix,
                          cov_err *err) COV_WARN_UNUSED;

/* Walks the events in order as the chain would see them (uids taken,
 * hotkeys, stake, the epoch schedule) and refuses what cannot happen:
 * blocks going backwards, a uid that is not the next free one, a weight on
 * an unregistered uid, events after the last epoch, ... */
cov_status sc_check(const cov_scenario *sc, cov_err *err) COV_WARN_UNUSED;

/* The message prefix of event ev: "timeline[3]" or "neurons[2]". */
void sc_event_path(char out[SC_PATH_MAX], const cov_scenario_event *ev);

/* Largest amount a scenario may hold, in rao (1e9 TAO): sums of a few
 * thousand of them stay far from u64 overflow. */
#define SC_MAX_RAO 1000000000000000000ull

#endif
