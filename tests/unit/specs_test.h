/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the specs_*_test.c unit tests. */
#ifndef KAGO_SPECS_TEST_H
#define KAGO_SPECS_TEST_H

#include <fcntl.h>
#include <string.h>

#include "../../specs/specs.h"
#include "unit.h"

/* The repository's tests/ directory, from where this file was compiled. */
static inline char *specs_test_path(const char *rel)
{
        const char *file = __FILE__; /* .../tests/unit/specs_test.h */
        const char *cut = strstr(file, "unit/specs_test.h");
        return xasprintf("%.*s%s", (int)(cut - file), file, rel);
}

/* Parse json as config.json; NULL on error with err filled. */
static inline struct oci_spec *parse_ok(const char *json)
{
        struct kago_err err = { 0 };
        struct oci_spec *spec = NULL;

        if (spec_parse(json, strlen(json), "config.json", &spec, &err) < 0) {
                fprintf(stderr, "  unexpected error: %s\n", kago_err_text(&err));
                unit_failed_checks++;
                return NULL;
        }
        return spec;
}

/* CHECK that json fails to parse with a message equal to want. */
#define CHECK_PARSE_ERROR(json, want)                                                              \
        do {                                                                                       \
                struct kago_err _err = { 0 };                                                      \
                struct oci_spec *_s = NULL;                                                        \
                const char *_j = (json);                                                           \
                CHECK(spec_parse(_j, strlen(_j), "config.json", &_s, &_err) < 0);                  \
                CHECK(_s == NULL);                                                                 \
                CHECK_STR(kago_err_text(&_err), want);                                             \
                spec_free(_s);                                                                     \
        } while (0)

/* A config.json with ociVersion 1.0.0 and the given members after it. */
#define CONFIG(members) "{\"ociVersion\": \"1.0.0\", " members "}"
/* ... with a valid process whose extra members follow. */
#define PROCESS(members) CONFIG("\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"" members "}")
#define LINUX(members) CONFIG("\"linux\": {" members "}")
#define RESOURCES(members) LINUX("\"resources\": {" members "}")

static inline char *read_fixture(const char *rel, size_t *len)
{
        _cleanup_free_ char *path = specs_test_path(rel);
        struct kago_err err = { 0 };
        char *buf = NULL;

        if (file_read_at(AT_FDCWD, path, 16u << 20, &buf, len, &err) < 0) {
                fprintf(stderr, "  %s\n", kago_err_text(&err));
                unit_failed_checks++;
        }
        return buf;
}

#endif
