/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proves the cgroups module on the real cgroup2 hierarchy of the machine it
 * runs on (the host's hybrid /sys/fs/cgroup/unified, or the test VM's pure
 * /sys/fs/cgroup): placement, entering, freeze/thaw stopping a counter, a
 * freeze that cannot complete timing out and thawing, kill of a whole tree,
 * the device allow-list, limits (applied where the controller exists, in
 * the v1 hierarchies on a hybrid host, a clear error and nothing left
 * behind where neither has it), update rollback,
 * stats, /sys/fs/cgroup inside showing only the container's own subtree,
 * and removal. Everything lives under /kago-unit-PID, removed at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <linux/bpf.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "../../cgroups/internal.h"
#include "../../specs/specs.h"
#include "unit.h"

static char base[64];
static const char *mount_point;

static void sleep_ms(int ms)
{
        struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
}

static bool have_cgroup2(void)
{
        struct kago_err err = { 0 };

        if (cg_mount(&mount_point, &err) < 0 || geteuid() != 0) {
                printf("  no cgroup2 mount or not root: %s\n", kago_err_text(&err));
                return false;
        }
        return true;
}

static char *path_of(const char *name)
{
        return xasprintf("%s/%s", base, name);
}

static bool dir_exists(const char *cgpath)
{
        struct stat st;
        char *full = xasprintf("%s%s", mount_point, cgpath);
        bool r = stat(full, &st) == 0;

        free(full);
        return r;
}

/* A child that waits for one byte on fd, then runs fn, then pauses. */
static pid_t spawn(int *go, int (*fn)(void))
{
        int p[2];

        if (pipe(p) < 0)
                return -1;
        pid_t pid = fork();
        if (pid == 0) {
                char c;
                close(p[1]);
                if (read(p[0], &c, 1) != 1)
                        _exit(100);
                int rc = fn ? fn() : 0;
                if (fn)
                        _exit(rc);
                for (;;)
                        pause();
        }
        close(p[0]);
        *go = p[1];
        return pid;
}

static void go(int fd)
{
        if (write(fd, "x", 1) != 1)
                fprintf(stderr, "write go: %s\n", strerror(errno));
        close(fd);
}

static int reap(pid_t pid)
{
        int status = 0;

        waitpid(pid, &status, 0);
        return status;
}

static struct cgroup *create(const char *name, const char *resources_json, pid_t pid,
                             struct kago_err *err)
{
        struct oci_linux_resources *r = NULL;
        struct cgroup *cg = NULL;
        char *path = path_of(name);
        struct cgroup_config cfg = { .driver = CGROUP_DRIVER_CGROUPFS, .id = name, .cgroups_path = path };

        if (resources_json &&
            spec_parse_resources(resources_json, strlen(resources_json), "r.json", &r, err) < 0) {
                free(path);
                return NULL;
        }
        cfg.resources = r;
        if (cgroup_create(&cfg, pid, &cg, err) < 0)
                cg = NULL;
        spec_resources_free(r);
        free(path);
        return cg;
}

UNIT_TEST(create_enter_and_destroy)
{
        struct kago_err err = { 0 };
        int fd = -1;
        pid_t child = spawn(&fd, NULL);
        struct cgroup *cg = create("place", NULL, child, &err);
        pid_t *pids = NULL;
        size_t n = 0;
        bool populated = false;

        CHECK(cg != NULL);
        if (!cg) {
                fprintf(stderr, "  %s\n", kago_err_text(&err));
                kill(child, SIGKILL);
                reap(child);
                return;
        }
        CHECK_STR(cgroup_path(cg), strrchr(cgroup_dir(cg), '/') - strlen(base));
        CHECK(cgroup_pids(cg, &pids, &n, &err) == 0 && n == 1 && pids[0] == child);
        free(pids);
        CHECK(cgroup_is_populated(cg, &populated, &err) == 0 && populated);
        char *mine = NULL;
        CHECK(cg_pid_cgroup(child, &mine, &err) == 0);
        CHECK_STR(mine, cgroup_path(cg));
        free(mine);
        go(fd);
        /* destroy kills what is left, then removes the directory. */
        CHECK(cgroup_destroy(cg, &err) == 0);
        CHECK(WIFSIGNALED(reap(child)));
        CHECK(!dir_exists(cgroup_path(cg)));
        cgroup_free(cg);
        /* Opening it again says what is missing. */
        char *p = path_of("place");
        CHECK(cgroup_open(CGROUP_DRIVER_CGROUPFS, p, &cg, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "No such file");
        free(p);
}

static volatile uint64_t *counter;

static int count_forever(void)
{
        for (;;)
                (*counter)++;
        return 0;
}

UNIT_TEST(freeze_stops_a_counter_and_thaw_restarts_it)
{
        struct kago_err err = { 0 };
        int fd = -1;
        bool frozen = true;

        counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        pid_t child = spawn(&fd, count_forever);
        struct cgroup *cg = create("freeze", NULL, child, &err);
        CHECK(cg != NULL);
        go(fd);
        sleep_ms(50);
        if (cg) {
                CHECK(cgroup_freeze(cg, 5000, &err) == 0);
                CHECK(cgroup_is_frozen(cg, &frozen, &err) == 0 && frozen);
                uint64_t a = *counter;
                sleep_ms(200);
                CHECK(*counter == a);
                CHECK(cgroup_thaw(cg, 5000, &err) == 0);
                CHECK(cgroup_is_frozen(cg, &frozen, &err) == 0 && !frozen);
                sleep_ms(100);
                CHECK(*counter != a);
                /* SIGKILL works on a frozen cgroup too. */
                CHECK(cgroup_freeze(cg, 5000, &err) == 0);
                CHECK(cgroup_kill_all(cg, SIGKILL, &err) == 0);
                CHECK(WIFSIGNALED(reap(child)));
                CHECK(cgroup_destroy(cg, &err) == 0);
                cgroup_free(cg);
        } else {
                kill(child, SIGKILL);
                reap(child);
        }
        munmap((void *)counter, 4096);
}

/* The v1 freezer of a hybrid host, for real: freezer.state stops the
 * counter and thaws it; SIGKILL through cgroup_kill_all lands on a task the
 * v1 freezer holds (it thaws after the kill). */
UNIT_TEST(v1_freezer_stops_a_counter_and_kill_gets_through)
{
        struct kago_err err = { 0 };
        int fd = -1;
        bool frozen = false;

        counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        pid_t child = spawn(&fd, count_forever);
        struct cgroup *cg = create("freeze-v1", NULL, child, &err);
        CHECK(cg != NULL);
        go(fd);
        if (cg && !cg_v1_dir_for(cg, "freezer")) {
                printf("  no cgroup v1 freezer hierarchy here: covered by the fake hierarchy in cgroups_v1\n");
        } else if (cg) {
                sleep_ms(50);
                CHECK(cg_v1_set_frozen(cg, true, 5000, &err) == 0);
                CHECK(cg_v1_is_frozen(cg, &frozen, &err) == 0 && frozen);
                uint64_t a = *counter;
                sleep_ms(200);
                CHECK(*counter == a);
                CHECK(cg_v1_set_frozen(cg, false, 5000, &err) == 0);
                CHECK(cg_v1_is_frozen(cg, &frozen, &err) == 0 && !frozen);
                sleep_ms(100);
                CHECK(*counter != a);
                CHECK(cg_v1_set_frozen(cg, true, 5000, &err) == 0);
        }
        if (cg) {
                CHECK(cgroup_kill_all(cg, SIGKILL, &err) == 0);
                CHECK(WIFSIGNALED(reap(child)));
                CHECK(cgroup_destroy(cg, &err) == 0);
                cgroup_free(cg);
        } else {
                kill(child, SIGKILL);
                reap(child);
        }
        munmap((void *)counter, 4096);
}

/* A freeze that cannot complete, made on demand: a FUSE mount whose server
 * never answers. A lookup on it waits (killable, not freezable) for the
 * server's INIT reply, so the process never reaches the frozen state. */
static char stall_dir[64];

static int stall_mount(int *fusefd)
{
        char opts[128];

        *fusefd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (*fusefd < 0 && errno == ENOENT && system("modprobe fuse 2>/dev/null") == 0)
                *fusefd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (*fusefd < 0)
                return -1;
        snprintf(stall_dir, sizeof stall_dir, "/tmp/kago-unit-fuse-XXXXXX");
        if (!mkdtemp(stall_dir))
                return -1;
        snprintf(opts, sizeof opts, "fd=%d,rootmode=40000,user_id=0,group_id=0", *fusefd);
        return mount("kago-stall", stall_dir, "fuse", MS_NOSUID | MS_NODEV, opts);
}

static int stat_stalled(void)
{
        struct stat st;
        char *p = xasprintf("%s/x", stall_dir);

        return stat(p, &st) == 0 ? 0 : 1;
}

UNIT_TEST(freeze_that_cannot_complete_times_out_and_thaws)
{
        struct kago_err err = { 0 };
        int fd = -1, fusefd = -1;
        bool frozen = true;

        CHECK(stall_mount(&fusefd) == 0);
        pid_t child = spawn(&fd, stat_stalled);
        struct cgroup *cg = create("stuck", NULL, child, &err);
        CHECK(cg != NULL);
        go(fd);
        sleep_ms(100);
        if (cg && cg_uses_v1_freezer(cg)) {
                /* The v1 freezer counts a task blocked in FUSE as frozen:
                 * no stall to time out on; thaw so the kill below lands. */
                printf("  v1 freezer: a task waiting on FUSE freezes; no timeout to prove here\n");
                CHECK(cgroup_freeze(cg, 1000, &err) == 0);
                CHECK(cgroup_thaw(cg, 1000, &err) == 0);
        } else if (cg) {
                CHECK(cgroup_freeze(cg, 300, &err) < 0);
                CHECK_CONTAINS(kago_err_text(&err), "timed out after 300 ms");
                CHECK_CONTAINS(kago_err_text(&err), "thawed again");
                CHECK(cgroup_is_frozen(cg, &frozen, &err) == 0 && !frozen);
                _cleanup_free_ char *want = NULL;
                CHECK(cg_read(cg->dirfd, "cgroup.freeze", &want, &err) == 0 && want[0] == '0');
        }
        kill(child, SIGKILL);
        reap(child);
        umount2(stall_dir, MNT_DETACH);
        close(fusefd);
        rmdir(stall_dir);
        if (cg) {
                CHECK(cgroup_destroy(cg, &err) == 0);
                cgroup_free(cg);
        }
}

static int fork_tree(void)
{
        if (fork() == 0)
                for (;;)
                        pause();
        for (;;)
                pause();
        return 0;
}

UNIT_TEST(kill_all_reaches_every_process)
{
        struct kago_err err = { 0 };
        int fd = -1;
        pid_t *pids = NULL;
        size_t n = 0;
        pid_t child = spawn(&fd, fork_tree);
        struct cgroup *cg = create("kill", NULL, child, &err);

        CHECK(cg != NULL);
        go(fd);
        sleep_ms(100);
        if (!cg) {
                kill(child, SIGKILL);
                reap(child);
                return;
        }
        CHECK(cgroup_pids(cg, &pids, &n, &err) == 0 && n == 2);
        free(pids);
        /* A catchable signal goes to each pid. */
        CHECK(cgroup_kill_all(cg, SIGTERM, &err) == 0);
        int status = reap(child);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
        sleep_ms(100);
        CHECK(cgroup_pids(cg, &pids, &n, &err) == 0 && n == 0);
        free(pids);
        CHECK(cgroup_destroy(cg, &err) == 0);
        cgroup_free(cg);
}

static int open_kmsg(void)
{
        int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
        if (fd >= 0)
                return 0;
        return errno == EPERM ? 1 : 2;
}

static int open_null(void)
{
        int fd = open("/dev/null", O_RDWR);
        return fd >= 0 ? 0 : errno == EPERM ? 1 : 2;
}

/* Run fn in a new child placed in cg; its exit status. */
static int run_in(struct cgroup *cg, int (*fn)(void))
{
        struct kago_err err = { 0 };
        int fd = -1;
        pid_t child = spawn(&fd, fn);

        if (cgroup_enter(cg, child, &err) < 0)
                fprintf(stderr, "  %s\n", kago_err_text(&err));
        go(fd);
        int status = reap(child);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}

UNIT_TEST(device_allow_list_is_enforced_and_replaced_on_update)
{
        struct kago_err err = { 0 };
        struct cgroup *cg = create("devices", NULL, 0, &err);
        struct oci_linux_resources *r = NULL;
        const char *allow_kmsg = "{\"devices\":[{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":11,\"access\":\"r\"}]}";

        CHECK(cg != NULL);
        if (!cg) {
                fprintf(stderr, "  %s\n", kago_err_text(&err));
                return;
        }
        CHECK(run_in(cg, open_null) == 0);
        CHECK(run_in(cg, open_kmsg) == 1); /* EPERM: not in the list */
        CHECK(spec_parse_resources(allow_kmsg, strlen(allow_kmsg), "r.json", &r, &err) == 0);
        CHECK(cgroup_update(cg, r, NULL, 0, &err) == 0);
        spec_resources_free(r);
        CHECK(run_in(cg, open_kmsg) == 0);
        CHECK(run_in(cg, open_null) == 0);
        /* Exactly one program stays attached. */
        uint32_t ids[8], n = 8;
        union bpf_attr attr;
        memset(&attr, 0, sizeof attr);
        attr.query.target_fd = (uint32_t)cg->dirfd;
        attr.query.attach_type = BPF_CGROUP_DEVICE;
        attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
        attr.query.prog_cnt = n;
        CHECK(syscall(SYS_bpf, BPF_PROG_QUERY, &attr, sizeof attr) == 0 && attr.query.prog_cnt == 1);
        CHECK(cgroup_destroy(cg, &err) == 0);
        cgroup_free(cg);
}

/* In the child: enter cg, new mount (+ cgroup) namespace, mount the cgroup
 * fs read-only on a fresh directory; 0 when it shows exactly our cgroup. */
static int check_own_subtree(struct cgroup *cg, bool cgroupns)
{
        struct kago_err err = { 0 };
        char target[] = "/tmp/kago-unit-cgfs-XXXXXX";
        char *procs = NULL, *self = NULL, pid[24];

        if (cgroup_enter(cg, getpid(), &err) < 0 ||
            unshare(CLONE_NEWNS | (cgroupns ? CLONE_NEWCGROUP : 0)) < 0 ||
            mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 || !mkdtemp(target))
                return 10;
        if (cgroup_mount_fs(cg, target, MS_RDONLY | MS_NOSUID, cgroupns, &err) < 0) {
                fprintf(stderr, "  %s\n", kago_err_text(&err));
                return 11;
        }
        int dfd = open(target, O_DIRECTORY | O_RDONLY);
        snprintf(pid, sizeof pid, "%d\n", (int)getpid());
        int rc = cg_read(dfd, "cgroup.procs", &procs, &err) < 0 ? 12
               : strcmp(procs, pid) != 0                           ? 13
               : file_write_at(dfd, "cgroup.freeze", "1", 1, &err) == 0 ? 14
               : err.errnum != EROFS                               ? 15
               : 0;
        /* In a cgroup namespace the container's cgroup is "/". */
        if (rc == 0 && cgroupns && (cg_own_cgroup(&self, &err) < 0 || strcmp(self, "/") != 0))
                rc = 16;
        umount2(target, MNT_DETACH);
        rmdir(target);
        return rc;
}

static struct cgroup *fs_cg;
static int own_subtree_ns(void) { return check_own_subtree(fs_cg, true); }
static int own_subtree_bind(void) { return check_own_subtree(fs_cg, false); }

UNIT_TEST(container_sees_only_its_own_cgroup)
{
        struct kago_err err = { 0 };

        fs_cg = create("cgfs", NULL, 0, &err);
        CHECK(fs_cg != NULL);
        if (!fs_cg)
                return;
        /* run_in also enters the child: harmless, the child enters again. */
        CHECK(run_in(fs_cg, own_subtree_ns) == 0);
        CHECK(run_in(fs_cg, own_subtree_bind) == 0);
        CHECK(cgroup_destroy(fs_cg, &err) == 0);
        cgroup_free(fs_cg);
}

UNIT_TEST(limits_apply_or_fail_clearly_leaving_nothing)
{
        struct kago_err err = { 0 };
        struct cgroup *cg = create("limits", "{\"memory\":{\"limit\":67108864},\"pids\":{\"limit\":32}}", 0, &err);

        if (cgroup_controller_available("memory") && cgroup_controller_available("pids")) {
                CHECK(cg != NULL);
                uint64_t v = 0;
                CHECK(cg && cg_read_u64(cg->dirfd, "memory.max", &v, &err) == 0 && v == 67108864);
                CHECK(cg && cg_read_u64(cg->dirfd, "pids.max", &v, &err) == 0 && v == 32);
                if (cg) {
                        CHECK(cgroup_destroy(cg, &err) == 0);
                        cgroup_free(cg);
                }
        } else if (cg && cg_v1_dir_for(cg, "memory") && cg_v1_dir_for(cg, "pids")) {
                /* Hybrid host: the limits land in the v1 hierarchies. */
                uint64_t v = 0;
                CHECK(cg_read_u64(cg_v1_dir_for(cg, "memory")->dirfd, "memory.limit_in_bytes", &v, &err) == 0 &&
                      v == 67108864);
                CHECK(cg_read_u64(cg_v1_dir_for(cg, "pids")->dirfd, "pids.max", &v, &err) == 0 && v == 32);
                CHECK(cgroup_destroy(cg, &err) == 0);
                cgroup_free(cg);
                char *p = path_of("limits");
                CHECK(!dir_exists(p));
                free(p);
        } else {
                CHECK(cg == NULL);
                CHECK_CONTAINS(kago_err_text(&err), "linux.resources.memory.limit: needs the cgroup v2 "
                                                   "memory controller");
                char *p = path_of("limits");
                CHECK(!dir_exists(p));
                free(p);
        }
        /* A bad cgroupsPath creates nothing. */
        struct cgroup_config cfg = { .driver = CGROUP_DRIVER_CGROUPFS, .id = "x", .cgroups_path = "/kago-unit/../x" };
        CHECK(cgroup_create(&cfg, 0, &cg, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "\"..\" is not allowed");
}

/* memory + cpu (VM) or hugetlb (host): a later value the kernel rejects
 * puts the earlier ones back. */
UNIT_TEST(update_rejected_by_kernel_changes_nothing)
{
        struct kago_err err = { 0 };
        struct cgroup *cg = create("update", NULL, 0, &err);
        struct oci_linux_resources *r = NULL;
        bool mem = cgroup_controller_available("memory") && cgroup_controller_available("cpu");
        const char *file = mem ? "memory.max" : "hugetlb.2MB.max";
        const char *json = mem ? "{\"memory\":{\"limit\":33554432},\"cpu\":{\"quota\":500,\"period\":100000}}"
                               : "{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}],"
                                 "\"unified\":{\"hugetlb.2MB.max\":\"bogus\"}}";
        _cleanup_free_ char *before = NULL, *after = NULL;

        CHECK(cg != NULL);
        if (!cg)
                return;
        if (!mem && !cgroup_controller_available("hugetlb")) {
                printf("  neither memory+cpu nor hugetlb in cgroup v2 here\n");
                cgroup_destroy(cg, &err);
                cgroup_free(cg);
                return;
        }
        CHECK(spec_parse_resources(json, strlen(json), "r.json", &r, &err) == 0);
        /* The first update enables the controller; read the value after. */
        CHECK(cgroup_update(cg, r, NULL, 0, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), mem ? "linux.resources.cpu.quota: write" : "unified[\"hugetlb.2MB.max\"]");
        CHECK_CONTAINS(kago_err_text(&err), "Invalid argument");
        CHECK(cg_read(cg->dirfd, file, &before, &err) == 0);
        CHECK_STR(before, "max\n");
        CHECK(cgroup_update(cg, r, NULL, 0, &err) < 0);
        CHECK(cg_read(cg->dirfd, file, &after, &err) == 0);
        CHECK_STR(after, "max\n");
        spec_resources_free(r);
        CHECK(cgroup_destroy(cg, &err) == 0);
        cgroup_free(cg);
}

static int burn(void)
{
        struct timespec a, b;
        /* 100 ms of CPU time, however busy the machine is. */
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
        do
                clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
        while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 100);
        return 0;
}

UNIT_TEST(stats_count_cpu_time)
{
        struct kago_err err = { 0 };
        struct cgroup *cg = create("stats", NULL, 0, &err);
        struct cgroup_stats st;

        CHECK(cg != NULL);
        if (!cg)
                return;
        CHECK(run_in(cg, burn) == 0);
        CHECK(cgroup_stats_read(cg, &st, &err) == 0);
        CHECK(st.cpu_usage_usec >= 90000);
        CHECK(cgroup_destroy(cg, &err) == 0);
        CHECK(cgroup_stats_read(cg, &st, &err) < 0);
        cgroup_free(cg);
}

static int live_300ms(void)
{
        sleep_ms(300);
        return 0;
}

static int eat_memory(void)
{
        for (size_t i = 0; i < 256; i++) {
                char *p = malloc(1 << 20);
                if (p)
                        memset(p, 1, 1 << 20);
        }
        return 0;
}

/* Run cgroup_events_stream on cg (fn running in it) into a string. */
static char *stream_events(struct cgroup *cg, int (*fn)(void), int *rc)
{
        struct kago_err err = { 0 };
        char *buf = NULL;
        size_t len = 0;
        int fd = -1;
        pid_t child = spawn(&fd, fn);
        FILE *f = open_memstream(&buf, &len);

        if (cgroup_enter(cg, child, &err) < 0)
                fprintf(stderr, "  %s\n", kago_err_text(&err));
        go(fd);
        *rc = cgroup_events_stream(cg, "ev", 100, f, &err);
        if (*rc < 0)
                fprintf(stderr, "  %s\n", kago_err_text(&err));
        reap(child);
        fclose(f);
        return buf;
}

static size_t count_lines(const char *s, const char *needle)
{
        size_t n = 0;

        for (const char *p = s; (p = strstr(p, needle)); p++)
                n++;
        return n;
}

UNIT_TEST(events_stream_stats_until_the_cgroup_empties)
{
        struct kago_err err = { 0 };
        struct cgroup *cg = create("events", NULL, 0, &err);
        int rc = -1;

        CHECK(cg != NULL);
        if (!cg)
                return;
        char *out = stream_events(cg, live_300ms, &rc);
        CHECK(rc == 0);
        CHECK(count_lines(out, "{\"type\":\"stats\",\"id\":\"ev\"") >= 2);
        CHECK(count_lines(out, "{\"type\":\"oom\"") == 0);
        free(out);
        CHECK(cgroup_destroy(cg, &err) == 0);
        cgroup_free(cg);
}

UNIT_TEST(events_report_an_oom_kill)
{
        struct kago_err err = { 0 };
        struct cgroup *cg = NULL;
        int rc = -1;

        cg = create("oom", "{\"memory\":{\"limit\":33554432,\"swap\":33554432}}", 0, &err);
        if (!cg && !cgroup_controller_available("memory")) {
                printf("  no memory controller in any hierarchy here: runs in the test VM\n");
                return;
        }
        CHECK(cg != NULL);
        if (!cg)
                return;
        if (cg_v1_dir_for(cg, "memory"))
                printf("  the v1 memory hierarchy: memory.oom_control through an eventfd\n");
        char *out = stream_events(cg, eat_memory, &rc);
        CHECK(rc == 0);
        CHECK_CONTAINS(out, "{\"type\":\"oom\",\"id\":\"ev\"}\n");
        struct cgroup_stats st;
        CHECK(cgroup_stats_read(cg, &st, &err) == 0 && st.mem_ev_oom_kill >= 1);
        free(out);
        CHECK(cgroup_destroy(cg, &err) == 0);
        cgroup_free(cg);
}

UNIT_TEST(none_driver_places_nothing_and_says_so)
{
        struct kago_err err = { 0 };
        struct cgroup_config cfg = { .driver = CGROUP_DRIVER_NONE, .id = "x" };
        struct cgroup *cg = NULL;

        CHECK(cgroup_create(&cfg, getpid(), &cg, &err) == 0);
        CHECK_STR(cgroup_path(cg), "");
        CHECK(cgroup_freeze(cg, 100, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "pause needs a cgroup");
        CHECK(cgroup_destroy(cg, &err) == 0);
        cgroup_free(cg);
}

int main(void)
{
        static const struct unit_test tests[] = {
                UNIT(create_enter_and_destroy), UNIT(freeze_stops_a_counter_and_thaw_restarts_it),
                UNIT(v1_freezer_stops_a_counter_and_kill_gets_through),
                UNIT(freeze_that_cannot_complete_times_out_and_thaws), UNIT(kill_all_reaches_every_process),
                UNIT(device_allow_list_is_enforced_and_replaced_on_update),
                UNIT(container_sees_only_its_own_cgroup),
                UNIT(limits_apply_or_fail_clearly_leaving_nothing),
                UNIT(update_rejected_by_kernel_changes_nothing), UNIT(stats_count_cpu_time),
                UNIT(events_stream_stats_until_the_cgroup_empties), UNIT(events_report_an_oom_kill),
                UNIT(none_driver_places_nothing_and_says_so),
        };
        struct kago_err err = { 0 };

        if (!have_cgroup2())
                return unit_run("cgroups_live", tests + ARRAY_SIZE(tests) - 1, 1);
        snprintf(base, sizeof base, "/kago-unit-%d", (int)getpid());
        int rc = unit_run("cgroups_live", tests, ARRAY_SIZE(tests));
        char *dir = xasprintf("%s%s", mount_point, base);
        if (cg_rmdir_tree(dir, 2000, &err) < 0) {
                fprintf(stderr, "  cleanup: %s\n", kago_err_text(&err));
                rc = 1;
        }
        free(dir);
        /* The v1 hierarchies (hybrid host) got the same base. */
        struct cg_v1_mount *m = NULL;
        size_t n = 0;
        cg_v1_host_mounts(&m, &n);
        for (size_t i = 0; i < n; i++) {
                dir = xasprintf("%s%s", m[i].mount, base);
                if (cg_rmdir_tree(dir, 2000, &err) < 0) {
                        fprintf(stderr, "  cleanup: %s\n", kago_err_text(&err));
                        rc = 1;
                }
                free(dir);
        }
        cg_v1_mounts_free(m, n);
        return rc;
}
