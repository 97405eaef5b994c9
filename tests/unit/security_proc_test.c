/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proves the per-process settings of runtime/proc_*.c in children, read back
 * from the kernel: rlimits (and the EPERM explanation when a hard limit may
 * not rise), oomScoreAdj, personality, ioPriority, scheduler, cpu lists and
 * affinity, memoryPolicy, time-namespace offsets, no_new_privs, and the clear
 * errors for LSM labels on a host without the LSM.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/capability.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "../../runtime/process/process.h"
#include "unit.h"

static char child_msg[1024];

/* Run fn in a child; its return is the status; child_msg gets its error. */
static int in_child(int (*fn)(struct kago_err *))
{
        int pfd[2], st = 0;

        if (pipe(pfd) < 0)
                return -1;
        pid_t pid = fork();
        if (pid == 0) {
                struct kago_err err = { 0 };
                close(pfd[0]);
                int r = fn(&err);
                dprintf(pfd[1], "%s", err.msg[0] ? kago_err_text(&err) : "");
                _exit(r);
        }
        close(pfd[1]);
        memset(child_msg, 0, sizeof child_msg);
        fd_read_all(pfd[0], child_msg, sizeof child_msg - 1);
        close(pfd[0]);
        waitpid(pid, &st, 0);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void drop_effective(cap_value_t v)
{
        cap_t c = cap_get_proc();
        cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_CLEAR);
        cap_set_proc(c);
        cap_free(c);
}

static int rlimits_child(struct kago_err *err)
{
        struct oci_rlimit r[] = { { "RLIMIT_NOFILE", 200, 100 } };
        struct rlimit got;

        if (proc_set_rlimits(0, r, 1, err) < 0 || getrlimit(RLIMIT_NOFILE, &got) < 0)
                return 1;
        if (got.rlim_cur != 100 || got.rlim_max != 200)
                return 2;
        drop_effective(CAP_SYS_RESOURCE);
        r[0].hard = 300;
        return proc_set_rlimits(0, r, 1, err) < 0 ? 0 : 3;
}

UNIT_TEST(rlimits_set_and_eperm_explained)
{
        struct kago_err err = { 0 };
        struct oci_rlimit bad[] = { { "RLIMIT_BOGUS", 1, 1 } };

        CHECK(in_child(rlimits_child) == 0);
        CHECK_CONTAINS(child_msg, "process.rlimits[0]: RLIMIT_NOFILE: raising the hard limit "
                                  "from 200 to 300 needs CAP_SYS_RESOURCE");
        CHECK(proc_set_rlimits(0, bad, 1, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "unknown limit \"RLIMIT_BOGUS\"");
}

static int oom_child(struct kago_err *err)
{
        char *buf = NULL;
        size_t len;

        if (proc_set_oom_score_adj(500, err) < 0)
                return 1;
        if (file_read_at(AT_FDCWD, "/proc/self/oom_score_adj", 64, &buf, &len, err) < 0)
                return 2;
        int ok = strcmp(buf, "500\n") == 0;
        free(buf);
        if (!ok)
                return 3;
        drop_effective(CAP_SYS_RESOURCE);
        return proc_set_oom_score_adj(-1000, err) < 0 ? 0 : 4;
}

UNIT_TEST(oom_score_adj)
{
        struct kago_err err = { 0 };

        CHECK(in_child(oom_child) == 0);
        CHECK_CONTAINS(child_msg, "needs CAP_SYS_RESOURCE");
        CHECK(proc_set_oom_score_adj(1001, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "1001 is out of range");
}

static int personality_child(struct kago_err *err)
{
        struct oci_personality p = { .domain = "LINUX32" };

        if (proc_set_personality(&p, err) < 0)
                return 1;
        return personality(0xffffffff) == PER_LINUX32 ? 0 : 2;
}

UNIT_TEST(personality_domains_and_errors)
{
        struct kago_err err = { 0 };
        char *flags[] = { "SOMEFLAG", NULL };
        struct oci_personality p = { .domain = "LINUX64" };

        CHECK(in_child(personality_child) == 0);
        CHECK(proc_set_personality(&p, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "unknown domain \"LINUX64\"");
        p = (struct oci_personality){ .domain = "LINUX", .flags = flags, .flags_len = 1 };
        CHECK(proc_set_personality(&p, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "unknown flag \"SOMEFLAG\"");
}

static int ioprio_child(struct kago_err *err)
{
        struct oci_io_priority io = { .class = OCI_IOPRIO_CLASS_BE, .priority = { true, 3 } };

        if (proc_set_io_priority(&io, err) < 0)
                return 1;
        long v = syscall(SYS_ioprio_get, 1, 0);
        return v == ((2 << 13) | 3) ? 0 : 2;
}

UNIT_TEST(io_priority)
{
        struct kago_err err = { 0 };
        struct oci_io_priority io = { .class = OCI_IOPRIO_CLASS_BE, .priority = { true, 9 } };

        CHECK(in_child(ioprio_child) == 0);
        CHECK(proc_set_io_priority(&io, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "9 is out of range (0..7)");
}

static int sched_child(struct kago_err *err)
{
        struct oci_scheduler s = { .policy = "SCHED_BATCH", .nice = { true, 5 } };

        if (proc_set_scheduler(&s, err) < 0)
                return 1;
        if (sched_getscheduler(0) != SCHED_BATCH || getpriority(PRIO_PROCESS, 0) != 5)
                return 2;
        drop_effective(CAP_SYS_NICE);
        s = (struct oci_scheduler){ .policy = "SCHED_FIFO", .priority = { true, 10 } };
        return proc_set_scheduler(&s, err) < 0 ? 0 : 3;
}

UNIT_TEST(scheduler)
{
        struct kago_err err = { 0 };
        struct oci_scheduler s = { .policy = "SCHED_ISO" };
        char *flags[] = { "SCHED_FLAG_NOPE", NULL };

        CHECK(in_child(sched_child) == 0);
        CHECK_CONTAINS(child_msg, "need CAP_SYS_NICE");
        CHECK(proc_set_scheduler(&s, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "\"SCHED_ISO\" is not supported by Linux");
        s = (struct oci_scheduler){ .policy = "SCHED_OTHER", .flags = flags, .flags_len = 1 };
        CHECK(proc_set_scheduler(&s, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "unknown flag \"SCHED_FLAG_NOPE\"");
}

static int affinity_child(struct kago_err *err)
{
        cpu_set_t set;

        if (proc_set_cpu_affinity("0", err) < 0)
                return 1;
        if (sched_getaffinity(0, sizeof set, &set) < 0)
                return 2;
        return CPU_COUNT(&set) == 1 && CPU_ISSET(0, &set) ? 0 : 3;
}

UNIT_TEST(cpu_lists_and_affinity)
{
        struct kago_err err = { 0 };
        cpu_set_t set;

        CHECK(proc_parse_cpu_list("0-3,7", &set, &err) == 0 && CPU_COUNT(&set) == 5 &&
              CPU_ISSET(7, &set));
        CHECK(proc_parse_cpu_list("3-1", &set, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "range 3-1 is empty");
        CHECK(proc_parse_cpu_list("1;2", &set, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "unexpected \";2\"");
        CHECK(proc_parse_cpu_list("x", &set, &err) < 0);
        CHECK(in_child(affinity_child) == 0);
}

static int mempolicy_child(struct kago_err *err)
{
        struct oci_memory_policy mp = { .mode = "MPOL_BIND", .nodes = "0" };
        int mode = -1;

        if (proc_set_memory_policy(&mp, err) < 0)
                return 1;
        if (syscall(SYS_get_mempolicy, &mode, NULL, 0, NULL, 0) < 0)
                return 2;
        return mode == 2 ? 0 : 3; /* MPOL_BIND */
}

UNIT_TEST(memory_policy)
{
        struct kago_err err = { 0 };
        struct oci_memory_policy mp = { .mode = "MPOL_NOPE" };

        CHECK(in_child(mempolicy_child) == 0);
        CHECK(proc_set_memory_policy(&mp, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "unknown mode \"MPOL_NOPE\"");
        mp = (struct oci_memory_policy){ .mode = "MPOL_BIND", .nodes = "5-2" };
        CHECK(proc_set_memory_policy(&mp, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "linux.memoryPolicy.nodes");
}

static int timens_child(struct kago_err *err)
{
        struct oci_time_offsets t = { .monotonic = { true, 86400 * 10, 0 } };
        struct timespec outer, inner;
        int pfd[2];

        clock_gettime(CLOCK_MONOTONIC, &outer);
        if (proc_enter_time_offsets(&t, err) < 0)
                return 1;
        if (pipe(pfd) < 0)
                return 2;
        pid_t pid = fork(); /* children enter the new namespace */
        if (pid == 0) {
                clock_gettime(CLOCK_MONOTONIC, &inner);
                _exit(write(pfd[1], &inner, sizeof inner) == sizeof inner ? 0 : 1);
        }
        if (read(pfd[0], &inner, sizeof inner) != sizeof inner)
                return 3;
        waitpid(pid, NULL, 0);
        long d = inner.tv_sec - outer.tv_sec;
        return d >= 86400 * 10 && d < 86400 * 10 + 60 ? 0 : 4;
}

UNIT_TEST(time_namespace_offsets)
{
        CHECK(in_child(timens_child) == 0);
        if (child_msg[0])
                fprintf(stderr, "  %s\n", child_msg);
}

static int nnp_child(struct kago_err *err)
{
        if (proc_set_no_new_privs(err) < 0)
                return 1;
        return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : 2;
}

UNIT_TEST(no_new_privs_and_absent_lsms)
{
        struct kago_err err = { 0 };

        CHECK(in_child(nnp_child) == 0);
        if (!proc_apparmor_enabled()) {
                CHECK(proc_set_apparmor_profile("p", &err) < 0);
                CHECK_CONTAINS(kago_err_text(&err), "AppArmor is not enabled on this host");
        }
        if (!proc_selinux_enabled()) {
                CHECK(proc_set_selinux_label("system_u:system_r:container_t:s0", &err) < 0);
                CHECK_CONTAINS(kago_err_text(&err), "SELinux is not enabled on this host");
        }
}

UNIT_MAIN("security_proc", UNIT(rlimits_set_and_eperm_explained), UNIT(oom_score_adj),
          UNIT(personality_domains_and_errors), UNIT(io_priority), UNIT(scheduler),
          UNIT(cpu_lists_and_affinity), UNIT(memory_policy), UNIT(time_namespace_offsets),
          UNIT(no_new_privs_and_absent_lsms))
