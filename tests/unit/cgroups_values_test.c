/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves the cgroups translations that need no cgroup: v1->v2 value
 * conversions, cgroupsPath resolution, the systemd path forms, the write
 * plan built from linux.resources, its errors, whether resources ask for
 * limits at all, and io.stat parsing. */
#include <linux/bpf.h>

#include "../../cgroups/internal.h"
#include "../../specs/specs.h"
#include "unit.h"

UNIT_TEST(cpu_shares_to_weight_matches_runc_and_crun)
{
        CHECK(cg_cpu_shares_to_weight(0) == 0);
        CHECK(cg_cpu_shares_to_weight(2) == 1);
        CHECK(cg_cpu_shares_to_weight(1024) == 39);
        CHECK(cg_cpu_shares_to_weight(512) == 20);
        CHECK(cg_cpu_shares_to_weight(262144) == 10000);
        CHECK(cg_cpu_shares_to_weight(1) == 1);
}

UNIT_TEST(blkio_weight_to_io_weight)
{
        CHECK(cg_blkio_weight_to_io_weight(0) == 0);
        CHECK(cg_blkio_weight_to_io_weight(10) == 1);
        CHECK(cg_blkio_weight_to_io_weight(500) == 4950);
        CHECK(cg_blkio_weight_to_io_weight(1000) == 10000);
}

UNIT_TEST(memory_swap_is_memory_plus_swap)
{
        struct kago_err err = { 0 };
        int64_t v = 0;

        CHECK(cg_memory_swap_to_v2(200, 100, &v, &err) == 0 && v == 100);
        CHECK(cg_memory_swap_to_v2(100, 100, &v, &err) == 0 && v == 0);
        CHECK(cg_memory_swap_to_v2(-1, 100, &v, &err) == 0 && v == -1);
        CHECK(cg_memory_swap_to_v2(0, -1, &v, &err) == 0 && v == -1);
        CHECK(cg_memory_swap_to_v2(50, 100, &v, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "is below memory.limit 100");
        CHECK(cg_memory_swap_to_v2(50, 0, &v, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "needs linux.resources.memory.limit");
        CHECK(cg_memory_swap_to_v2(-7, 100, &v, &err) < 0);
}

UNIT_TEST(cpu_max_format)
{
        char buf[64];

        cg_format_cpu_max(buf, sizeof buf, 10000, 100000);
        CHECK_STR(buf, "10000 100000");
        cg_format_cpu_max(buf, sizeof buf, -1, 100000);
        CHECK_STR(buf, "max 100000");
        cg_format_cpu_max(buf, sizeof buf, 5000, 0);
        CHECK_STR(buf, "5000");
        cg_format_limit(buf, sizeof buf, -1);
        CHECK_STR(buf, "max");
}

UNIT_TEST(io_max_line_has_only_the_keys_set)
{
        char keys[4][32] = { "rbps=1048576", "", "", "wiops=100" };
        char *line = cg_io_max_line(8, 16, keys);

        CHECK_STR(line, "8:16 rbps=1048576 wiops=100");
        free(line);
}

UNIT_TEST(cgroups_path_resolution)
{
        struct kago_err err = { 0 };
        char *p = NULL;

        CHECK(cg_path_resolve(NULL, "web", "/", &p, &err) == 0);
        CHECK_STR(p, "/kago/web");
        free(p);
        CHECK(cg_path_resolve("", "web", "/user.slice/x", &p, &err) == 0);
        CHECK_STR(p, "/kago/web");
        free(p);
        CHECK(cg_path_resolve("/a//b/./c/", "web", "/", &p, &err) == 0);
        CHECK_STR(p, "/a/b/c");
        free(p);
        /* Relative: beside our own cgroup, under its parent. */
        CHECK(cg_path_resolve("pods/web", "web", "/runtime/session", &p, &err) == 0);
        CHECK_STR(p, "/runtime/pods/web");
        free(p);
        CHECK(cg_path_resolve("web", "web", "/", &p, &err) == 0);
        CHECK_STR(p, "/web");
        free(p);
        p = NULL;
        CHECK(cg_path_resolve("/a/../../etc", "web", "/", &p, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "\"..\" is not allowed");
        CHECK(cg_path_resolve("/", "web", "/", &p, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "names the root cgroup");
        CHECK(cg_path_resolve(NULL, "../x", "/", &p, &err) < 0);
        CHECK(p == NULL);
}

UNIT_TEST(systemd_cgroups_path)
{
        struct kago_err err = { 0 };
        char *slice = NULL, *unit = NULL;

        CHECK(cg_systemd_parse_path("machine.slice:libpod:abc123", "abc123", &slice, &unit, &err) == 0);
        CHECK_STR(slice, "machine.slice");
        CHECK_STR(unit, "libpod-abc123.scope");
        free(slice);
        free(unit);
        CHECK(cg_systemd_parse_path(NULL, "web", &slice, &unit, &err) == 0);
        CHECK_STR(slice, "system.slice");
        CHECK_STR(unit, "kago-web.scope");
        free(slice);
        free(unit);
        CHECK(cg_systemd_parse_path(":kago:web", "web", &slice, &unit, &err) == 0);
        CHECK_STR(slice, "system.slice");
        free(slice);
        free(unit);
        slice = unit = NULL;
        CHECK(cg_systemd_parse_path("/kago/web", "web", &slice, &unit, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "expects \"slice:prefix:name\"");
        CHECK(cg_systemd_parse_path("machine:kago:web", "web", &slice, &unit, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "is not a slice name");
        CHECK(cg_systemd_parse_path("machine.slice:kago:w/b", "web", &slice, &unit, &err) < 0);
        CHECK(slice == NULL && unit == NULL);
}

UNIT_TEST(systemd_slice_path)
{
        struct kago_err err = { 0 };
        char *p = NULL;

        CHECK(cg_systemd_slice_path("machine.slice", &p, &err) == 0);
        CHECK_STR(p, "/machine.slice");
        free(p);
        CHECK(cg_systemd_parse_path != NULL);
        CHECK(cg_systemd_slice_path("a-b-c.slice", &p, &err) == 0);
        CHECK_STR(p, "/a.slice/a-b.slice/a-b-c.slice");
        free(p);
        CHECK(cg_systemd_slice_path("-.slice", &p, &err) == 0);
        CHECK_STR(p, "");
        free(p);
        CHECK(cg_systemd_slice_path("a--b.slice", &p, &err) < 0);
        CHECK(cg_systemd_slice_path("machine", &p, &err) < 0);
}

static int plan_from_json(const char *json, struct cg_plan *p, struct kago_err *err)
{
        struct oci_linux_resources *r = NULL;

        memset(p, 0, sizeof *p);
        if (spec_parse_resources(json, strlen(json), "resources.json", &r, err) < 0)
                return -1;
        int rc = cg_plan_build(r, -1, p, err);
        spec_resources_free(r);
        return rc;
}

/* The plan's writes as "file=value;" for easy comparison. */
static char *plan_text(const struct cg_plan *p)
{
        char *out = xstrdup("");

        for (size_t i = 0; i < p->n; i++) {
                char *next = xasprintf("%s%s=%s;", out, p->w[i].file, p->w[i].value);
                free(out);
                out = next;
        }
        return out;
}

UNIT_TEST(plan_translates_every_group)
{
        struct kago_err err = { 0 };
        struct cg_plan p;
        const char *json =
                "{\"memory\":{\"limit\":104857600,\"reservation\":52428800,\"swap\":209715200},"
                "\"cpu\":{\"shares\":1024,\"quota\":20000,\"period\":100000,\"burst\":1000,"
                "\"cpus\":\"0-1\",\"mems\":\"0\",\"idle\":0},"
                "\"pids\":{\"limit\":64},"
                "\"blockIO\":{\"weight\":500,\"throttleReadBpsDevice\":[{\"major\":7,\"minor\":0,\"rate\":1048576}],"
                "\"throttleWriteIOPSDevice\":[{\"major\":7,\"minor\":0,\"rate\":10},{\"major\":8,\"minor\":0,\"rate\":0}]},"
                "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}],"
                "\"rdma\":{\"mlx5_0\":{\"hcaHandles\":3,\"hcaObjects\":100}},"
                "\"unified\":{\"memory.high\":\"90000000\"}}";

        CHECK(plan_from_json(json, &p, &err) == 0);
        char *t = plan_text(&p);
        CHECK_STR(t, "memory.max=104857600;memory.low=52428800;memory.swap.max=104857600;"
                     "cpu.weight=39;cpu.max=20000 100000;cpu.max.burst=1000;cpu.idle=0;"
                     "cpuset.cpus=0-1;cpuset.mems=0;pids.max=64;io.weight=4950;"
                     "io.max=7:0 rbps=1048576 wiops=10;io.max=8:0 wiops=max;"
                     "hugetlb.2MB.max=4194304;rdma.max=mlx5_0 hca_handle=3 hca_object=100;"
                     "memory.high=90000000;");
        CHECK_STR(p.n ? p.w[0].field : NULL, "linux.resources.memory.limit");
        CHECK(!p.has_devices);
        free(t);
        cg_plan_free(&p);
}

/* cgroup_resources_limit_something of the resources in json. */
static bool limits(const char *json, bool devices)
{
        struct oci_linux_resources *r = NULL;
        struct kago_err err = { 0 };

        if (spec_parse_resources(json, strlen(json), "resources.json", &r, &err) < 0)
                return fprintf(stderr, "  %s\n", kago_err_text(&err)), false;
        bool l = cgroup_resources_limit_something(r, devices);
        spec_resources_free(r);
        return l;
}

/* The one test of "asks for limits": every group counts, values that ask
 * for nothing do not, device rules only where they can be enforced, and a
 * bad value counts (create then says why). */
UNIT_TEST(resources_that_ask_for_limits)
{
        static const char *const each_group[] = {
                "{\"memory\":{\"limit\":1048576}}",
                "{\"cpu\":{\"quota\":20000}}",
                "{\"pids\":{\"limit\":10}}",
                "{\"blockIO\":{\"weight\":500}}",
                "{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}]}",
                "{\"rdma\":{\"mlx5_0\":{\"hcaHandles\":3}}}",
                "{\"unified\":{\"memory.high\":\"90000000\"}}",
        };
        for (size_t i = 0; i < ARRAY_SIZE(each_group); i++) {
                if (!limits(each_group[i], false))
                        fprintf(stderr, "  %s limits nothing\n", each_group[i]);
                CHECK(limits(each_group[i], false));
        }
        CHECK(!cgroup_resources_limit_something(NULL, true));
        CHECK(!limits("{}", true));
        CHECK(!limits("{\"memory\":{\"limit\":-1},\"pids\":{\"limit\":0}}", true));
        CHECK(!limits("{\"cpu\":{\"shares\":1024}}", true));
        const char *deny_all = "{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}";
        CHECK(limits(deny_all, true));
        CHECK(!limits(deny_all, false));
        CHECK(limits("{\"cpu\":{\"realtimeRuntime\":950000}}", false));
}

UNIT_TEST(plan_unlimited_values_are_max)
{
        struct kago_err err = { 0 };
        struct cg_plan p;

        CHECK(plan_from_json("{\"memory\":{\"limit\":-1},\"cpu\":{\"quota\":-1,\"period\":50000},"
                             "\"pids\":{\"limit\":0}}", &p, &err) == 0);
        char *t = plan_text(&p);
        CHECK_STR(t, "memory.max=max;cpu.max=max 50000;pids.max=max;");
        free(t);
        cg_plan_free(&p);
}

UNIT_TEST(plan_refuses_bad_values_naming_the_field)
{
        struct kago_err err = { 0 };
        struct cg_plan p;

        CHECK(plan_from_json("{\"cpu\":{\"realtimeRuntime\":950000}}", &p, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "linux.resources.cpu.realtimeRuntime");
        CHECK(plan_from_json("{\"memory\":{\"limit\":100,\"swap\":50}}", &p, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "linux.resources.memory.swap");
        CHECK(plan_from_json("{\"memory\":{\"limit\":-5}}", &p, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "memory.limit: -5");
        CHECK(plan_from_json("{\"unified\":{\"../cgroup.procs\":\"1\"}}", &p, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "no path separators");
        CHECK(plan_from_json("{\"unified\":{\"cgroup.procs\":\"1\"}}", &p, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "managed by kago");
        CHECK(plan_from_json("{\"hugepageLimits\":[{\"pageSize\":\"2MB/../x\",\"limit\":1}]}", &p, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "hugepageLimits[0].pageSize");
        CHECK(plan_from_json("{\"devices\":[{\"allow\":true,\"type\":\"x\"}]}", &p, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "devices[0].type");
        CHECK(plan_from_json("{\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]}", &p, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "devices[0].access");
        CHECK(p.n == 0 && p.w == NULL);
}

UNIT_TEST(plan_devices_become_rules_after_deny_all)
{
        struct kago_err err = { 0 };
        struct cg_plan p;
        struct cgroup_device_rule *rules = NULL, extra = { true, 'c', 10, 232, "rwm" };
        size_t n = 0;

        CHECK(plan_from_json("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
                             "{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":200,\"access\":\"rw\"}]}",
                             &p, &err) == 0);
        CHECK(p.has_devices && p.n_dev == 2);
        cg_devices_rules(&p, &extra, 1, &rules, &n);
        CHECK(n == 1 + 2 + 11 + 1);
        CHECK(!rules[0].allow && rules[0].type == 'a');
        CHECK(rules[2].major == 10 && rules[2].minor == 200 && !strcmp(rules[2].access, "rw"));
        CHECK(rules[n - 1].major == 10 && rules[n - 1].minor == 232);
        free(rules);
        cg_plan_free(&p);
}

static size_t count_exits(const struct bpf_insn *p, size_t n)
{
        size_t k = 0;

        for (size_t i = 0; i < n; i++)
                k += p[i].code == (BPF_JMP | BPF_EXIT);
        return k;
}

UNIT_TEST(device_program_shape)
{
        struct kago_err err = { 0 };
        struct bpf_insn *p = NULL;
        size_t n = 0;
        struct cgroup_device_rule rules[] = {
                { false, 'a', -1, -1, "rwm" },
                { true, 'c', 1, 3, "rwm" },
                { true, 'c', 136, -1, "rw" },
        };

        CHECK(cg_devices_program(rules, 3, &p, &n, &err) == 0);
        /* 6 loads, pts rule (type, 3 access, major, r0, exit = 7), null (type,
         * major, minor, r0, exit = 5), deny all (r0, exit = 2). */
        CHECK(n == 6 + 7 + 5 + 2);
        CHECK(count_exits(p, n) == 3);
        CHECK(p[n - 1].code == (BPF_JMP | BPF_EXIT));
        CHECK(p[n - 2].imm == 0); /* ends denying */
        /* Every jump lands inside the program. */
        for (size_t i = 0; i < n; i++)
                if (BPF_CLASS(p[i].code) == BPF_JMP && BPF_OP(p[i].code) != BPF_EXIT)
                        CHECK(i + 1 + (size_t)p[i].off < n);
        free(p);
        /* An allow-all rule last: the program is a single "return 1". */
        struct cgroup_device_rule all[] = { { false, 'a', -1, -1, "rwm" }, { true, 'a', -1, -1, "" } };
        CHECK(cg_devices_program(all, 2, &p, &n, &err) == 0);
        CHECK(n == 6 + 2 && p[6].imm == 1);
        free(p);
        struct cgroup_device_rule bad = { true, 'q', -1, -1, "r" };
        p = NULL;
        CHECK(cg_devices_program(&bad, 1, &p, &n, &err) < 0 && p == NULL);
}

UNIT_TEST(io_stat_parsing)
{
        struct cgroup_stats st;

        memset(&st, 0, sizeof st);
        cg_parse_io_stat("8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n"
                         "7:3 rbytes=10 wbytes=0 rios=3 wios=0 dbytes=0 dios=0\n", &st);
        CHECK(st.n_io == 2);
        CHECK(st.io[0].major == 8 && st.io[0].rbytes == 4096 && st.io[0].wios == 2);
        CHECK(st.io[1].minor == 3 && st.io[1].rios == 3);
}

UNIT_TEST(stats_json_layout)
{
        struct cgroup_stats st;
        char *buf = NULL;
        size_t len = 0;

        memset(&st, 0, sizeof st);
        st.cpu_usage_usec = 5;
        st.mem_current = 4096;
        st.mem_max = UINT64_MAX;
        st.mem_ev_oom_kill = 2;
        st.pids_current = 3;
        st.have_memory = st.have_pids = true;
        FILE *f = open_memstream(&buf, &len);
        cgroup_stats_write_json(f, "web\"1", &st, NULL);
        fclose(f);
        CHECK(str_has_prefix(buf, "{\"type\":\"stats\",\"id\":\"web\\\"1\",\"data\":{\"cpu\":{\"usage\":{\"total\":5000,"));
        CHECK_CONTAINS(buf, "\"memory\":{\"usage\":{\"limit\":18446744073709551615,\"usage\":4096,");
        CHECK_CONTAINS(buf, "\"oom_kill\":2");
        CHECK_CONTAINS(buf, "\"pids\":{\"current\":3,");
        CHECK(buf[len - 1] == '\n');
        free(buf);
        /* Without the controllers: no memory or pids section, never zeros. */
        st.have_memory = st.have_pids = false;
        f = open_memstream(&buf, &len);
        cgroup_stats_write_json(f, "web", &st, NULL);
        fclose(f);
        CHECK(strstr(buf, "\"memory\"") == NULL && strstr(buf, "\"pids\"") == NULL);
        CHECK_CONTAINS(buf, "},\"blkio\":{");
        free(buf);
}

UNIT_TEST(driver_names)
{
        enum cgroup_driver d;

        CHECK(cgroup_driver_parse("systemd", &d) == 0 && d == CGROUP_DRIVER_SYSTEMD);
        CHECK_STR(cgroup_driver_name(CGROUP_DRIVER_CGROUPFS), "cgroupfs");
        CHECK(cgroup_driver_parse("bogus", &d) < 0);
}

UNIT_TEST(config_from_spec_reads_properties_and_adds_no_device_rule)
{
        struct kago_err err = { 0 };
        struct oci_spec *spec = NULL;
        const char *json = "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
                           "\"annotations\":{\"org.systemd.property.CollectMode\":\"'inactive-or-failed'\",\"x\":\"y\"},"
                           "\"linux\":{\"cgroupsPath\":\"/a/b\",\"devices\":[{\"path\":\"/dev/kvm\",\"type\":\"c\",\"major\":10,\"minor\":232},"
                           "{\"path\":\"/dev/p\",\"type\":\"p\"}]}}";
        struct cgroup_device_rule extra = { true, 'b', 7, 0, "r" };
        struct cgroup_config cfg = { .id = "x", .spec = NULL, .extra_devices = &extra, .n_extra_devices = 1 }, full;
        struct cg_config_storage s;

        CHECK(spec_parse(json, strlen(json), "config.json", &spec, &err) == 0);
        if (!spec) {
                fprintf(stderr, "  %s\n", kago_err_text(&err));
                return;
        }
        cfg.spec = spec;
        cg_config_from_spec(&cfg, &full, &s);
        CHECK_STR(full.cgroups_path, "/a/b");
        /* linux.devices adds no rule: only the caller's own extra device. */
        CHECK(full.n_extra_devices == 1);
        CHECK(full.extra_devices[0].type == 'b' && full.extra_devices[0].major == 7);
        CHECK_STR(full.systemd_properties[0], "org.systemd.property.CollectMode");
        CHECK_STR(full.systemd_properties[1], "'inactive-or-failed'");
        CHECK(full.systemd_properties[2] == NULL);
        cg_config_storage_free(&s);
        spec_free(spec);
}

UNIT_MAIN("cgroups_values", UNIT(cpu_shares_to_weight_matches_runc_and_crun),
          UNIT(blkio_weight_to_io_weight), UNIT(memory_swap_is_memory_plus_swap), UNIT(cpu_max_format),
          UNIT(io_max_line_has_only_the_keys_set), UNIT(cgroups_path_resolution),
          UNIT(systemd_cgroups_path), UNIT(systemd_slice_path), UNIT(plan_translates_every_group),
          UNIT(resources_that_ask_for_limits), UNIT(plan_unlimited_values_are_max), UNIT(plan_refuses_bad_values_naming_the_field),
          UNIT(plan_devices_become_rules_after_deny_all), UNIT(device_program_shape),
          UNIT(io_stat_parsing), UNIT(stats_json_layout), UNIT(driver_names),
          UNIT(config_from_spec_reads_properties_and_adds_no_device_rule))
