/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proves the cgroup v1 driver without touching the host: the hierarchies it
 * finds in a mountinfo text, the write plan in v1 files for every group
 * (memory with its memsw ordering, cpu, cpuset, pids, blkio, hugetlb), that
 * values asking for nothing are marked so and request no cgroup, and, on a
 * fake hierarchy in a temp dir, every file it writes: the cgroupsPath made
 * in each hierarchy with cpuset's cpus and mems copied down, each limit,
 * cgroup.procs in every hierarchy, freezer.state for freeze and thaw, the
 * device allow-list in devices.deny/devices.allow, and the stats read back
 * from the v1 files. net_cls/net_prio are planned too.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "../../cgroups/internal.h"
#include "../../specs/specs.h"
#include "unit.h"

static const char mountinfo[] =
        "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:8 - cgroup cgroup rw,cpu,cpuacct\n"
        "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        "35 30 0:31 / /mnt/again rw,relatime - cgroup cgroup rw,memory\n"
        "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
        "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
        "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
        "41 30 0:38 / /sys/fs/cgroup/net_cls,net_prio rw,relatime - cgroup cgroup rw,net_cls,net_prio\n";

UNIT_TEST(mountinfo_gives_the_v1_hierarchies)
{
        struct cg_v1_mount *m = NULL;
        size_t n = 0;

        cg_v1_parse_mountinfo(mountinfo, &m, &n);
        CHECK(n == 4);
        if (n == 4) {
                CHECK_STR(m[0].controllers, "cpu cpuacct");
                CHECK_STR(m[0].mount, "/sys/fs/cgroup/cpu,cpuacct");
                CHECK_STR(m[1].controllers, "memory");
                CHECK_STR(m[1].mount, "/sys/fs/cgroup/memory");
                CHECK_STR(m[2].controllers, "pids");
                CHECK_STR(m[3].controllers, "net_cls net_prio");
        }
        char *all = cg_v1_controllers(m, n);
        CHECK_STR(all, "cpu cpuacct memory pids net_cls net_prio");
        free(all);
        cg_v1_mounts_free(m, n);
        cg_v1_parse_mountinfo("40 30 0:37 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", &m, &n);
        CHECK(n == 0 && m == NULL);
}

#define V1_ALL "cpu cpuacct cpuset memory pids blkio hugetlb freezer"

static int plan_v1(const char *json, const char *v1, struct cg_plan *p, struct kago_err *err)
{
        struct oci_linux_resources *r = NULL;

        memset(p, 0, sizeof *p);
        p->v1 = v1;
        if (spec_parse_resources(json, strlen(json), "resources.json", &r, err) < 0)
                return -1;
        int rc = cg_plan_build(r, -1, p, err);
        spec_resources_free(r);
        return rc;
}

/* "file=value;" per write, "*" after the value of a default. */
static char *plan_text(const struct cg_plan *p)
{
        char *out = xstrdup("");

        for (size_t i = 0; i < p->n; i++) {
                char *next = xasprintf("%s%s=%s%s;", out, p->w[i].file, p->w[i].value,
                                       p->w[i].is_default ? "*" : "");
                free(out);
                out = next;
        }
        return out;
}

static void check_plan(const char *json, const char *v1, const char *want)
{
        struct kago_err err = { 0 };
        struct cg_plan p;

        CHECK(plan_v1(json, v1, &p, &err) == 0);
        char *t = plan_text(&p);
        CHECK_STR(t, want);
        free(t);
        cg_plan_free(&p);
}

UNIT_TEST(plan_in_v1_files)
{
        check_plan("{\"memory\":{\"limit\":104857600,\"reservation\":52428800,\"swap\":209715200,"
                   "\"kernelTCP\":1048576,\"swappiness\":10,\"disableOOMKiller\":true},"
                   "\"cpu\":{\"shares\":512,\"quota\":20000,\"period\":50000,\"burst\":1000,\"idle\":1,"
                   "\"realtimePeriod\":1000000,\"realtimeRuntime\":950000,\"cpus\":\"0-1\",\"mems\":\"0\"},"
                   "\"pids\":{\"limit\":64},"
                   "\"blockIO\":{\"weight\":500,\"leafWeight\":300,"
                   "\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":600}],"
                   "\"throttleReadBpsDevice\":[{\"major\":7,\"minor\":0,\"rate\":1048576}],"
                   "\"throttleWriteBpsDevice\":[{\"major\":7,\"minor\":0,\"rate\":2097152}],"
                   "\"throttleReadIOPSDevice\":[{\"major\":7,\"minor\":0,\"rate\":100}],"
                   "\"throttleWriteIOPSDevice\":[{\"major\":7,\"minor\":0,\"rate\":0}]},"
                   "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}]}",
                   V1_ALL,
                   "memory.limit_in_bytes=104857600;memory.memsw.limit_in_bytes=209715200;"
                   "memory.soft_limit_in_bytes=52428800;memory.kmem.tcp.limit_in_bytes=1048576;"
                   "memory.swappiness=10;memory.oom_control=1;"
                   "cpu.shares=512;cpu.cfs_period_us=50000;cpu.cfs_quota_us=20000;cpu.cfs_burst_us=1000;"
                   "cpu.idle=1;cpu.rt_period_us=1000000;cpu.rt_runtime_us=950000;"
                   "cpuset.cpus=0-1;cpuset.mems=0;pids.max=64;"
                   "blkio.weight=500;blkio.leaf_weight=300;blkio.weight_device=8:0 600;"
                   "blkio.throttle.read_bps_device=7:0 1048576;blkio.throttle.write_bps_device=7:0 2097152;"
                   "blkio.throttle.read_iops_device=7:0 100;blkio.throttle.write_iops_device=7:0 0;"
                   "hugetlb.2MB.limit_in_bytes=4194304;");
        /* Unlimited swap goes first: memsw must never be below the limit. */
        check_plan("{\"memory\":{\"limit\":104857600,\"swap\":-1}}", V1_ALL,
                   "memory.memsw.limit_in_bytes=-1*;memory.limit_in_bytes=104857600;");
        /* Hybrid: memory in v1, cpu in v2 (cpu.weight), pids either way. */
        check_plan("{\"memory\":{\"limit\":1048576},\"cpu\":{\"shares\":512},\"pids\":{\"limit\":5}}", "memory",
                   "memory.limit_in_bytes=1048576;cpu.weight=20;pids.max=5;");
}

UNIT_TEST(plan_network_in_net_cls_and_net_prio)
{
        check_plan("{\"network\":{\"classID\":1048577,\"priorities\":[{\"name\":\"eth0\",\"priority\":5},"
                   "{\"name\":\"lo\",\"priority\":2}]}}",
                   "net_cls net_prio", "net_cls.classid=1048577;net_prio.ifpriomap=eth0 5;net_prio.ifpriomap=lo 2;");
        /* Without those hierarchies (cgroup v2): ignored with a warning. */
        check_plan("{\"network\":{\"classID\":1048577}}", "memory", "");
}

UNIT_TEST(device_rules_as_v1_lines)
{
        static const struct {
                struct cgroup_device_rule r;
                const char *want;
        } cases[] = {
                { { false, 'a', -1, -1, "rwm" }, "a" },
                { { true, 'c', 1, 3, "rwm" }, "c 1:3 rwm" },
                { { true, 'b', -1, -1, "r" }, "b *:* r" },
                { { true, 'c', 10, -1, "rw" }, "c 10:* rw" },
        };
        char line[80];

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                cg_v1_device_line(&cases[i].r, line, sizeof line);
                CHECK_STR(line, cases[i].want);
        }
}

UNIT_TEST(plan_v1_refuses_bad_values)
{
        struct kago_err err = { 0 };
        struct cg_plan p;

        CHECK(plan_v1("{\"memory\":{\"limit\":104857600,\"swap\":1048576}}", V1_ALL, &p, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "linux.resources.memory.swap: 1048576 is below memory.limit");
        CHECK(plan_v1("{\"memory\":{\"swappiness\":101}}", V1_ALL, &p, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "memory.swappiness: 101 is out of range");
        CHECK(plan_v1("{\"cpu\":{\"quota\":-5}}", V1_ALL, &p, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "cpu.quota: -5 is out of range");
        CHECK(plan_v1("{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":-1,\"minor\":0,\"rate\":1}]}}", V1_ALL,
                      &p, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "throttleReadBpsDevice[0]: device -1:0 out of range");
}

/* Values that ask for nothing, in v1 and in v2 terms: all marked default,
 * and together they limit nothing. */
UNIT_TEST(values_that_ask_for_nothing_limit_nothing)
{
        static const char *const asks_nothing[] = {
                "{\"pids\":{\"limit\":0}}",
                "{\"pids\":{\"limit\":-1}}",
                "{\"memory\":{\"limit\":-1}}",
                "{\"memory\":{\"limit\":-1,\"swap\":-1,\"reservation\":-1}}",
                "{\"cpu\":{\"shares\":1024}}",
                "{\"cpu\":{\"shares\":1024,\"quota\":-1,\"period\":100000}}",
                "{\"cpu\":{\"quota\":0,\"burst\":0,\"idle\":0,\"cpus\":\"\",\"mems\":\"\"}}",
                "{\"memory\":{\"disableOOMKiller\":false}}",
        };
        for (size_t i = 0; i < ARRAY_SIZE(asks_nothing); i++) {
                for (int v = 0; v < 2; v++) {
                        struct kago_err err = { 0 };
                        struct cg_plan p;
                        CHECK(plan_v1(asks_nothing[i], v ? V1_ALL : NULL, &p, &err) == 0);
                        if (cg_plan_limits_something(&p, true))
                                fprintf(stderr, "  %s (%s) limits something\n", asks_nothing[i], v ? "v1" : "v2");
                        CHECK(!cg_plan_limits_something(&p, true));
                        cg_plan_free(&p);
                }
        }
        struct kago_err err = { 0 };
        struct cg_plan p;
        CHECK(plan_v1("{\"pids\":{\"limit\":2048},\"cpu\":{\"shares\":1024}}", NULL, &p, &err) == 0);
        CHECK(cg_plan_limits_something(&p, true));
        cg_plan_free(&p);
}

/* ---- a fake hierarchy in a temp dir ---- */

static char root[64];

static void put(const char *rel, const char *content)
{
        char *path = xasprintf("%s/%s", root, rel);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        CHECK(fd >= 0);
        if (fd >= 0) {
                CHECK(write(fd, content, strlen(content)) == (ssize_t)strlen(content));
                close(fd);
        }
        free(path);
}

static char *get(const char *rel)
{
        char *path = xasprintf("%s/%s", root, rel), *buf = NULL;
        struct kago_err err = { 0 };

        if (file_read_at(AT_FDCWD, path, 1 << 16, &buf, NULL, &err) < 0)
                buf = xstrdup("(missing)");
        free(path);
        buf[strcspn(buf, "\n")] = '\0';
        return buf;
}

#define CHECK_FILE(rel, want)                                                                      \
        do {                                                                                       \
                char *_v = get(rel);                                                               \
                CHECK_STR(_v, want);                                                               \
                free(_v);                                                                          \
        } while (0)

static void mkdirs(const char *rel)
{
        char *path = xasprintf("%s/%s", root, rel);

        for (char *p = path + strlen(root) + 1;; p++) {
                if (*p != '/' && *p != '\0')
                        continue;
                char saved = *p;
                *p = '\0';
                mkdir(path, 0755);
                *p = saved;
                if (!saved)
                        break;
        }
        free(path);
}

static const char *const v1_files[] = {
        "memory/kago/x/memory.limit_in_bytes", "memory/kago/x/memory.memsw.limit_in_bytes",
        "memory/kago/x/memory.soft_limit_in_bytes", "memory/kago/x/memory.swappiness",
        "memory/kago/x/memory.oom_control", "memory/kago/x/cgroup.procs",
        "cpu,cpuacct/kago/x/cpu.shares", "cpu,cpuacct/kago/x/cpu.cfs_period_us",
        "cpu,cpuacct/kago/x/cpu.cfs_quota_us", "cpu,cpuacct/kago/x/cgroup.procs",
        "pids/kago/x/pids.max", "pids/kago/x/cgroup.procs",
        "blkio/kago/x/blkio.weight", "blkio/kago/x/blkio.throttle.read_bps_device", "blkio/kago/x/cgroup.procs",
        "freezer/kago/x/freezer.state", "freezer/kago/x/cgroup.procs",
        "cpuset/kago/x/cpuset.cpus", "cpuset/kago/x/cpuset.mems", "cpuset/kago/x/cgroup.procs",
        "devices/kago/x/devices.allow", "devices/kago/x/devices.deny", "devices/kago/x/cgroup.procs",
        "cpuset/kago/cpuset.cpus", "cpuset/kago/cpuset.mems", "v2/kago/x/cgroup.procs",
};

/* Each hierarchy with kago/x made and its files present, empty (a real
 * cgroup makes them itself); the cpuset root has cpus and mems. */
static void make_fake_tree(struct cg_v1_mount *m, size_t *n)
{
        static const char *const hier[] = { "memory", "cpu,cpuacct", "pids", "blkio", "freezer", "cpuset", "devices" };
        static const char *const ctrls[] = { "memory", "cpu cpuacct", "pids", "blkio", "freezer", "cpuset", "devices" };

        snprintf(root, sizeof root, "/tmp/kago-cgv1-XXXXXX");
        CHECK(mkdtemp(root) != NULL);
        for (size_t i = 0; i < ARRAY_SIZE(hier); i++) {
                char *rel = xasprintf("%s/kago/x", hier[i]);
                mkdirs(rel);
                free(rel);
                m[i] = (struct cg_v1_mount){ (char *)ctrls[i], xasprintf("%s/%s", root, hier[i]) };
        }
        *n = ARRAY_SIZE(hier);
        mkdirs("v2/kago/x");
        for (size_t i = 0; i < ARRAY_SIZE(v1_files); i++)
                put(v1_files[i], "");
        put("cpuset/cpuset.cpus", "0-3\n");
        put("cpuset/cpuset.mems", "0\n");
}

static void remove_fake_tree(struct cg_v1_mount *m, size_t n)
{
        char cmd[128];

        for (size_t i = 0; i < n; i++)
                free(m[i].mount);
        snprintf(cmd, sizeof cmd, "rm -rf %s", root);
        CHECK(system(cmd) == 0);
}

static struct cgroup *fake_cgroup(void)
{
        struct cgroup *cg = xcalloc(1, sizeof *cg);

        cg->driver = CGROUP_DRIVER_CGROUPFS;
        cg->path = xstrdup("/kago/x");
        cg->dir = xasprintf("%s/v2/kago/x", root);
        cg->mount = "/nonexistent-cgroup2";
        cg->dirfd = open(cg->dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        CHECK(cg->dirfd >= 0);
        return cg;
}

static void apply_json(struct cgroup *cg, const char *json)
{
        struct kago_err err = { 0 };
        struct cg_plan p;
        char *v1 = cg_v1_dirs_controllers(cg);

        CHECK(plan_v1(json, v1, &p, &err) == 0);
        if (cg_plan_apply(cg, &p, false, &err) < 0)
                fprintf(stderr, "  apply: %s\n", kago_err_text(&err));
        cg_plan_free(&p);
        free(v1);
}

static void check_limits_written(struct cgroup *cg)
{
        apply_json(cg, "{\"memory\":{\"limit\":67108864,\"reservation\":33554432,\"swap\":134217728,"
                       "\"swappiness\":5,\"disableOOMKiller\":true},"
                       "\"cpu\":{\"shares\":512,\"quota\":20000,\"period\":100000,\"cpus\":\"1\",\"mems\":\"0\"},"
                       "\"pids\":{\"limit\":42},"
                       "\"blockIO\":{\"weight\":300,\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":4096}]}}");
        CHECK_FILE("memory/kago/x/memory.limit_in_bytes", "67108864");
        CHECK_FILE("memory/kago/x/memory.memsw.limit_in_bytes", "134217728");
        CHECK_FILE("memory/kago/x/memory.soft_limit_in_bytes", "33554432");
        CHECK_FILE("memory/kago/x/memory.swappiness", "5");
        CHECK_FILE("memory/kago/x/memory.oom_control", "1");
        CHECK_FILE("cpu,cpuacct/kago/x/cpu.shares", "512");
        CHECK_FILE("cpu,cpuacct/kago/x/cpu.cfs_period_us", "100000");
        CHECK_FILE("cpu,cpuacct/kago/x/cpu.cfs_quota_us", "20000");
        CHECK_FILE("cpuset/kago/x/cpuset.cpus", "1");
        CHECK_FILE("cpuset/kago/x/cpuset.mems", "0");
        CHECK_FILE("pids/kago/x/pids.max", "42");
        CHECK_FILE("blkio/kago/x/blkio.weight", "300");
        CHECK_FILE("blkio/kago/x/blkio.throttle.read_bps_device", "8:0 4096");
}

static void check_enter_and_freeze(struct cgroup *cg)
{
        struct kago_err err = { 0 };
        bool frozen = true;

        CHECK(cgroup_enter(cg, 4242, &err) == 0);
        CHECK_FILE("v2/kago/x/cgroup.procs", "4242");
        CHECK_FILE("memory/kago/x/cgroup.procs", "4242");
        CHECK_FILE("cpu,cpuacct/kago/x/cgroup.procs", "4242");
        CHECK_FILE("pids/kago/x/cgroup.procs", "4242");
        CHECK_FILE("freezer/kago/x/cgroup.procs", "4242");
        CHECK_FILE("cpuset/kago/x/cgroup.procs", "4242");
        CHECK(cgroup_freeze(cg, 200, &err) == 0);
        CHECK_FILE("freezer/kago/x/freezer.state", "FROZEN");
        CHECK(cgroup_is_frozen(cg, &frozen, &err) == 0 && frozen);
        CHECK(cgroup_thaw(cg, 200, &err) == 0);
        CHECK_FILE("freezer/kago/x/freezer.state", "THAWED");
        CHECK(cgroup_is_frozen(cg, &frozen, &err) == 0 && !frozen);
}

static void check_stats(struct cgroup *cg)
{
        struct cgroup_stats st;

        memset(&st, 0, sizeof st);
        put("memory/kago/x/memory.usage_in_bytes", "1048576\n");
        put("memory/kago/x/memory.limit_in_bytes", "9223372036854771712\n");
        put("memory/kago/x/memory.max_usage_in_bytes", "2097152\n");
        put("memory/kago/x/memory.memsw.usage_in_bytes", "1572864\n");
        put("memory/kago/x/memory.stat", "cache 4096\nrss 8192\ntotal_cache 40960\ntotal_rss 81920\n");
        put("memory/kago/x/memory.failcnt", "3\n");
        put("memory/kago/x/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        put("cpu,cpuacct/kago/x/cpuacct.usage", "5000000\n");
        put("cpu,cpuacct/kago/x/cpuacct.usage_user", "3000000\n");
        put("cpu,cpuacct/kago/x/cpuacct.usage_sys", "2000000\n");
        put("cpu,cpuacct/kago/x/cpu.stat", "nr_periods 10\nnr_throttled 4\nthrottled_time 7000\n");
        put("pids/kago/x/pids.current", "3\n");
        put("pids/kago/x/pids.max", "max\n");
        put("blkio/kago/x/blkio.throttle.io_service_bytes_recursive",
            "8:0 Read 4096\n8:0 Write 8192\n8:0 Total 12288\nTotal 12288\n");
        put("blkio/kago/x/blkio.throttle.io_serviced_recursive", "8:0 Read 1\n8:0 Write 2\n");
        cg_v1_stats_read(cg, &st);
        CHECK(st.mem_current == 1048576 && st.mem_max == UINT64_MAX && st.mem_peak == 2097152);
        CHECK(st.mem_swap_current == 524288 && st.mem_anon == 81920 && st.mem_file == 40960);
        CHECK(st.mem_ev_max == 3 && st.mem_ev_oom_kill == 2);
        CHECK(st.cpu_usage_usec == 5000 && st.cpu_user_usec == 3000 && st.cpu_system_usec == 2000);
        CHECK(st.cpu_nr_periods == 10 && st.cpu_nr_throttled == 4 && st.cpu_throttled_usec == 7);
        CHECK(st.pids_current == 3 && st.pids_max == UINT64_MAX);
        CHECK(st.n_io == 1 && st.io[0].major == 8 && st.io[0].rbytes == 4096 && st.io[0].wbytes == 8192);
        CHECK(st.io[0].rios == 1 && st.io[0].wios == 2);
}

/* Deny all, then each rule: the last write of each file shows. */
static void check_devices(struct cgroup *cg)
{
        const struct cgroup_device_rule rules[] = {
                { false, 'a', -1, -1, "rwm" },
                { true, 'c', 10, 229, "rwm" },
        };
        struct kago_err err = { 0 };

        CHECK(cg_v1_devices_apply(cg, rules, ARRAY_SIZE(rules), &err) == 0);
        CHECK_FILE("devices/kago/x/devices.deny", "a");
        CHECK_FILE("devices/kago/x/devices.allow", "c 10:229 rwm");
}

UNIT_TEST(fake_hierarchy_every_file_written)
{
        struct cg_v1_mount m[7];
        size_t n = 0;
        struct kago_err err = { 0 };

        make_fake_tree(m, &n);
        struct cgroup *cg = fake_cgroup();
        if (cg_v1_create(cg, m, n, "/kago/x", &err) < 0)
                fprintf(stderr, "  create: %s\n", kago_err_text(&err));
        CHECK(cg->n_v1 == n);
        /* A fresh v1 cpuset gets cpus and mems from its parent, top down. */
        CHECK_FILE("cpuset/kago/cpuset.cpus", "0-3");
        CHECK_FILE("cpuset/kago/x/cpuset.mems", "0");
        CHECK(cgroup_dirfd(cg) == -1); /* no CLONE_INTO_CGROUP: cgroup_enter moves it everywhere */
        check_limits_written(cg);
        check_enter_and_freeze(cg);
        check_stats(cg);
        check_devices(cg);
        cgroup_free(cg);
        remove_fake_tree(m, n);
}

/* A hierarchy that fails (a cpuset without cpuset.cpus to copy): what
 * create made is removed, in every hierarchy, and what was there stays. */
UNIT_TEST(failed_create_removes_only_what_it_made)
{
        struct kago_err err = { 0 };
        struct stat st;

        snprintf(root, sizeof root, "/tmp/kago-cgv1-XXXXXX");
        CHECK(mkdtemp(root) != NULL);
        mkdirs("memory/kago");
        mkdirs("cpuset");
        mkdirs("v2/kago/x");
        struct cg_v1_mount m[2] = {
                { (char *)"memory", xasprintf("%s/memory", root) },
                { (char *)"cpuset", xasprintf("%s/cpuset", root) },
        };
        struct cgroup *cg = fake_cgroup();
        CHECK(cg_v1_create(cg, m, 2, "/kago/x", &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "cgroup v1 cpuset");
        CHECK(cg->n_v1 == 0);
        char *p = xasprintf("%s/memory/kago/x", root);
        CHECK(stat(p, &st) < 0);
        free(p);
        p = xasprintf("%s/memory/kago", root);
        CHECK(stat(p, &st) == 0); /* there before */
        free(p);
        p = xasprintf("%s/cpuset/kago", root);
        CHECK(stat(p, &st) < 0);
        free(p);
        cgroup_free(cg);
        remove_fake_tree(m, 2);
}

UNIT_MAIN("cgroups_v1", UNIT(mountinfo_gives_the_v1_hierarchies), UNIT(plan_in_v1_files),
          UNIT(plan_network_in_net_cls_and_net_prio), UNIT(device_rules_as_v1_lines),
          UNIT(plan_v1_refuses_bad_values), UNIT(values_that_ask_for_nothing_limit_nothing),
          UNIT(fake_hierarchy_every_file_written), UNIT(failed_create_removes_only_what_it_made))
