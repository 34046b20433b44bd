/* Loads tests/reference/fixtures/model_*.{json,bin} (written by
 * tests/reference/make_model_fixtures.py) for test_model*.c. Include after
 * <cmocka.h>. */
#ifndef COVENANT_TEST_MODEL_FIXTURE_H
#define COVENANT_TEST_MODEL_FIXTURE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/common.h"

typedef struct {
    json_t *manifest;
    float *data; /* the .bin as floats */
    size_t count;
} model_fixture;

static inline void fixture_path(char *out, size_t len, const char *file)
{
    const char *vectors = getenv("COVENANT_TEST_VECTORS");
    snprintf(out, len, "%s/../reference/fixtures/%s", vectors ? vectors : "tests/vectors", file);
}

static inline void fixture_load(model_fixture *fx, const char *stem)
{
    char path[1200], file[128];
    snprintf(file, sizeof file, "%s.json", stem);
    fixture_path(path, sizeof path, file);
    json_error_t jerr;
    fx->manifest = json_load_file(path, 0, &jerr);
    if (!fx->manifest)
        fail_msg("cannot read %s: %s", path, jerr.text);
    snprintf(file, sizeof file, "%s.bin", stem);
    fixture_path(path, sizeof path, file);
    uint8_t *bytes = NULL;
    size_t len = 0;
    assert_int_equal(cov_file_read(&bytes, &len, path, (size_t)16 << 20, false, NULL), COV_OK);
    assert_int_equal(len % 4, 0);
    fx->count = len / 4;
    fx->data = malloc(len + 1);
    assert_non_null(fx->data);
    /* little-endian fp32 on disk; the tests run on little-endian hosts */
    memcpy(fx->data, bytes, len);
    free(bytes);
}

static inline void fixture_free(model_fixture *fx)
{
    json_decref(fx->manifest);
    free(fx->data);
}

static inline double fixture_num(const model_fixture *fx, const char *path1, const char *path2)
{
    json_t *v = json_object_get(fx->manifest, path1);
    if (path2)
        v = json_object_get(v, path2);
    assert_non_null(v);
    return json_number_value(v);
}

/* The floats of section name ("weights", "logits", ...), checked to be
 * `count` long. */
static inline const float *fixture_section(const model_fixture *fx, const char *name,
                                           size_t count)
{
    json_t *s = json_object_get(json_object_get(fx->manifest, "sections"), name);
    assert_non_null(s);
    size_t off = (size_t)json_integer_value(json_object_get(s, "offset"));
    assert_int_equal((size_t)json_integer_value(json_object_get(s, "count")), count);
    assert_true(off + count <= fx->count);
    return fx->data + off;
}

/* Every got[i] within abs + rel·|want[i]| of want[i]; reports the worst. */
static inline void expect_close(const float *got, const float *want, size_t n, double abs_tol,
                                double rel_tol, const char *what)
{
    size_t worst = 0;
    double worst_excess = 0.0;
    for (size_t i = 0; i < n; i++) {
        double diff = fabs((double)got[i] - (double)want[i]);
        double excess = isnan(diff) ? INFINITY : diff - (abs_tol + rel_tol * fabs((double)want[i]));
        if (excess > worst_excess) {
            worst = i;
            worst_excess = excess;
        }
    }
    if (worst_excess > 0.0)
        fail_msg("%s: element %zu is %.9g, want %.9g (tolerance %g abs + %g rel)", what, worst,
                 (double)got[worst], (double)want[worst], abs_tol, rel_tol);
}

#endif
