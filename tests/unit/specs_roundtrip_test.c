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

static struct oci_spec *parse_fixture(const char *name)
{
        _cleanup_free_ char *rel = xasprintf("fixtures/configs/%s", name);
        size_t len = 0;
        _cleanup_free_ char *buf = read_fixture(rel, &len);
        return buf ? parse_ok(buf) : NULL;
}

/* Change b, check a and b now differ, change it back, check they match:
 * the round trips above are only as good as spec_equal. */
#define DIFFERS(a, b, change, undo)                                                                \
        do {                                                                                       \
                CHECK(spec_equal(a, b));                                                           \
                change;                                                                            \
                CHECK(!spec_equal(a, b));                                                          \
                undo;                                                                              \
                CHECK(spec_equal(a, b));                                                           \
        } while (0)

UNIT_TEST(equality_sees_every_kind_of_difference)
{
        static const char *const names[] = { "process-full.json", "resources-full.json",
                                             "linux-misc.json", "vm-microvm.json" };
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                struct oci_spec *a = parse_fixture(names[i]), *b = parse_fixture(names[i]);
                CHECK(a && b);
                if (!a || !b)
                        return;
                char *saved = b->oci_version;
                DIFFERS(a, b, b->oci_version = "1.0.0", b->oci_version = saved);
                DIFFERS(a, b, b->root->readonly = !b->root->readonly, b->root->readonly = !b->root->readonly);
                struct oci_process *p = b->process;
                DIFFERS(a, b, b->process = NULL, b->process = p);
                if (i == 0) {
                        char *arg = p->args[0];
                        DIFFERS(a, b, p->args[0] = "/bin/other", p->args[0] = arg);
                        DIFFERS(a, b, p->env_len--, p->env_len++);
                        DIFFERS(a, b, p->user.additional_gids[1]++, p->user.additional_gids[1]--);
                        DIFFERS(a, b, p->user.additional_gids_len--, p->user.additional_gids_len++);
                        DIFFERS(a, b, p->oom_score_adj.set = false, p->oom_score_adj.set = true);
                        DIFFERS(a, b, p->oom_score_adj.value++, p->oom_score_adj.value--);
                        DIFFERS(a, b, p->io_priority->class = OCI_IOPRIO_CLASS_RT,
                                p->io_priority->class = OCI_IOPRIO_CLASS_BE);
                        DIFFERS(a, b, p->rlimits[2].soft++, p->rlimits[2].soft--);
                        DIFFERS(a, b, p->rlimits_len--, p->rlimits_len++);
                        DIFFERS(a, b, p->user.uid++, p->user.uid--);
                        char **amb = p->capabilities->ambient;
                        DIFFERS(a, b, p->capabilities->ambient = NULL, p->capabilities->ambient = amb);
                }
                if (i == 1) {
                        struct oci_linux_resources *r = b->linux_cfg->resources;
                        DIFFERS(a, b, r->memory->limit.value--, r->memory->limit.value++);
                        DIFFERS(a, b, r->memory->disable_oom_killer.value = true,
                                r->memory->disable_oom_killer.value = false);
                        DIFFERS(a, b, r->block_io->weight.value = 1, r->block_io->weight.value = 500);
                        DIFFERS(a, b, r->devices[1].allow = false, r->devices[1].allow = true);
                        char *dev = r->rdma[0].device;
                        DIFFERS(a, b, r->rdma[0].device = "mlx9", r->rdma[0].device = dev);
                        DIFFERS(a, b, r->rdma[0].hca_handles.value++, r->rdma[0].hca_handles.value--);
                        char *v = r->unified[1].value, *k = r->unified[1].key;
                        DIFFERS(a, b, r->unified[1].value = "1", r->unified[1].value = v);
                        DIFFERS(a, b, r->unified[1].key = "memory.low", r->unified[1].key = k);
                        DIFFERS(a, b, r->unified_len--, r->unified_len++);
                        DIFFERS(a, b, r->pids->limit = 1, r->pids->limit = 32771);
                }
                if (i == 2) {
                        struct oci_linux *l = b->linux_cfg;
                        DIFFERS(a, b, l->namespaces[0].type = OCI_NS_TIME, l->namespaces[0].type = OCI_NS_PID);
                        DIFFERS(a, b, l->time_offsets->boottime.set = false, l->time_offsets->boottime.set = true);
                        DIFFERS(a, b, l->uid_mappings[0].size--, l->uid_mappings[0].size++);
                        char *host = l->net_devices[0].host_name;
                        DIFFERS(a, b, l->net_devices[0].host_name = "eth9", l->net_devices[0].host_name = host);
                        DIFFERS(a, b, l->devices_len--, l->devices_len++);
                }
                if (i == 3) {
                        struct oci_vm_hw_config *hw = b->vm->hw_config;
                        DIFFERS(a, b, hw->irqs[0]++, hw->irqs[0]--);
                        DIFFERS(a, b, hw->vcpus.value++, hw->vcpus.value--);
                        DIFFERS(a, b, b->vm->hw_config = NULL, b->vm->hw_config = hw);
                        char *k = b->annotations[0].value;
                        DIFFERS(a, b, b->annotations[0].value = "krun", b->annotations[0].value = k);
                }
                spec_free(a);
                spec_free(b);
        }
}

UNIT_TEST(features_and_state_equality_see_differences)
{
        struct oci_features *a = features_new(), *b = features_new();

        CHECK(features_equal(a, b));
        b->linux_cfg->cgroup_v1.value = !b->linux_cfg->cgroup_v1.value;
        CHECK(!features_equal(a, b));
        b->linux_cfg->cgroup_v1.value = a->linux_cfg->cgroup_v1.value;
        b->mount_options_len--;
        CHECK(!features_equal(a, b));
        b->mount_options_len++;
        CHECK(features_equal(a, b));
        features_free(a);
        features_free(b);
        struct oci_state s1 = { .oci_version = "1.3.0", .id = "a", .status = "running", .pid = 1, .bundle = "/b" };
        struct oci_state s2 = s1;
        CHECK(state_equal(&s1, &s2));
        s2.pid = 2;
        CHECK(!state_equal(&s1, &s2));
        s2.pid = 1;
        s2.status = "stopped";
        CHECK(!state_equal(&s1, &s2));
}

UNIT_MAIN("specs_roundtrip", UNIT(every_fixture_round_trips), UNIT(default_configs_round_trip),
          UNIT(state_round_trips), UNIT(features_round_trip),
          UNIT(equality_sees_every_kind_of_difference), UNIT(features_and_state_equality_see_differences))
