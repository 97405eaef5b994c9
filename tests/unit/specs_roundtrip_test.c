/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves parse -> emit -> parse gives equal structures (and emit is a fixed
 * point) for every config in tests/fixtures/configs and every document kago
 * emits: the default configs, state and features. */
#include <dirent.h>

#include "specs_test.h"

/* Round-trip one config.json text; returns the number of configs checked. */
static int round_trip_config(const char *name, const char *buf, size_t len)
{
        struct kago_err err = { 0 };
        struct oci_spec *a = NULL, *b = NULL;

        if (spec_parse(buf, len, name, &a, &err) < 0) {
                fprintf(stderr, "  %s\n", kago_err_text(&err));
                unit_failed_checks++;
                return 0;
        }
        _cleanup_free_ char *first = spec_emit(a);
        CHECK(spec_parse(first, strlen(first), "emitted.json", &b, &err) == 0);
        CHECK(b && spec_equal(a, b));
        if (b) {
                _cleanup_free_ char *second = spec_emit(b);
                CHECK_STR(second, first);
        }
        if (!b || !spec_equal(a, b))
                fprintf(stderr, "  round trip of %s differs\n", name);
        spec_free(a);
        spec_free(b);
        return 1;
}

UNIT_TEST(every_fixture_round_trips)
{
        _cleanup_free_ char *dir = specs_test_path("fixtures/configs");
        DIR *d = opendir(dir);
        int checked = 0;

        CHECK(d != NULL);
        for (struct dirent *e; d && (e = readdir(d));) {
                if (e->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *rel = xasprintf("fixtures/configs/%s", e->d_name);
                size_t len = 0;
                _cleanup_free_ char *buf = read_fixture(rel, &len);
                if (buf)
                        checked += round_trip_config(e->d_name, buf, len);
        }
        if (d)
                closedir(d);
        CHECK(checked >= 12);
}

UNIT_TEST(default_configs_round_trip)
{
        for (int rootless = 0; rootless <= 1; rootless++) {
                _cleanup_free_ char *json = spec_emit_default(rootless, 1000, 1000);
                struct oci_spec *built = spec_new_default(rootless, 1000, 1000);
                struct oci_spec *parsed = parse_ok(json);
                CHECK(parsed && spec_equal(built, parsed));
                round_trip_config("default", json, strlen(json));
                spec_free(built);
                spec_free(parsed);
        }
}

UNIT_TEST(state_round_trips)
{
        struct oci_kv ann[] = { { "io.kubernetes.pod", "web" }, { "x", "" } };
        struct oci_state st = {
                .oci_version = "1.3.0", .id = "web", .status = "running", .pid = 4242,
                .bundle = "/srv/web", .annotations = ann, .annotations_len = 2,
                .rootfs = "/srv/web/rootfs", .created = "2026-11-26T15:00:00.5Z", .owner = "",
        };
        struct kago_err err = { 0 };
        struct oci_state *back = NULL;
        _cleanup_free_ char *json = state_emit(&st);

        CHECK(state_parse(json, strlen(json), "state.json", &back, &err) == 0);
        CHECK(back && state_equal(&st, back));
        state_free(back);
        back = NULL;
        st.status = "paused";
        st.pid = 0;
        st.annotations = NULL;
        st.annotations_len = 0;
        _cleanup_free_ char *json2 = state_emit(&st);
        CHECK_CONTAINS(json2, "\"pid\": 0");
        CHECK(state_parse(json2, strlen(json2), "state.json", &back, &err) == 0);
        CHECK(back && state_equal(&st, back) && back->annotations == NULL);
        state_free(back);
}

UNIT_TEST(features_round_trip)
{
        struct oci_features *f = features_new();
        _cleanup_free_ char *json = features_emit();
        struct kago_err err = { 0 };
        struct oci_features *back = NULL;

        CHECK(features_parse(json, strlen(json), "features.json", &back, &err) == 0);
        CHECK(back && features_equal(f, back));
        _cleanup_free_ char *again = back ? features_emit_struct(back) : NULL;
        CHECK_STR(again, json);
        features_free(f);
        features_free(back);
}

UNIT_MAIN("specs_roundtrip", UNIT(every_fixture_round_trips), UNIT(default_configs_round_trip),
          UNIT(state_round_trips), UNIT(features_round_trip))
