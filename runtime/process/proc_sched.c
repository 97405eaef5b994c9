/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where and how a process runs: process.ioPriority (ioprio_set),
 * process.scheduler (sched_setattr), process.execCPUAffinity
 * (sched_setaffinity) and linux.memoryPolicy (set_mempolicy).
 */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>

#include "process.h"

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_SHIFT 13

int proc_set_io_priority(const struct oci_io_priority *io, struct kago_err *err)
{
        int prio = io->priority.set ? io->priority.value : 4;
        int class;

        switch (io->class) {
        case OCI_IOPRIO_CLASS_RT: class = 1; break;
        case OCI_IOPRIO_CLASS_BE: class = 2; break;
        case OCI_IOPRIO_CLASS_IDLE: class = 3; prio = 0; break;
        default: return kago_err_set(err, "process.ioPriority.class: unknown class %d", io->class);
        }
        if (prio < 0 || prio > 7)
                return kago_err_set(err, "process.ioPriority.priority: %d is out of range (0..7)",
                                    prio);
        if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, (class << IOPRIO_CLASS_SHIFT) | prio) < 0)
                return kago_err_errno(err, errno, "process.ioPriority: ioprio_set%s",
                                      errno == EPERM ? " (the realtime class needs "
                                                       "CAP_SYS_ADMIN)" : "");
        return 0;
}

struct kago_sched_attr {
        uint32_t size;
        uint32_t sched_policy;
        uint64_t sched_flags;
        int32_t sched_nice;
        uint32_t sched_priority;
        uint64_t sched_runtime;
        uint64_t sched_deadline;
        uint64_t sched_period;
        uint32_t sched_util_min;
        uint32_t sched_util_max;
};

static int lookup(const char *const *names, const int *values, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(names[i], name) == 0)
                        return values[i];
        return -1;
}

static int sched_policy(const char *name)
{
        static const char *const names[] = { "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",
                                             "SCHED_BATCH", "SCHED_IDLE", "SCHED_DEADLINE" };
        static const int values[] = { 0, 1, 2, 3, 5, 6 };

        return lookup(names, values, ARRAY_SIZE(names), name);
}

static int sched_flag(const char *name)
{
        static const char *const names[] = {
                "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN",
                "SCHED_FLAG_KEEP_POLICY", "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
                "SCHED_FLAG_UTIL_CLAMP_MAX",
        };
        static const int values[] = { 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40 };

        return lookup(names, values, ARRAY_SIZE(names), name);
}

int proc_set_scheduler(const struct oci_scheduler *s, struct kago_err *err)
{
        struct kago_sched_attr a = { .size = sizeof a };
        int policy = sched_policy(s->policy);

        if (policy < 0)
                return kago_err_set(err, "process.scheduler.policy: \"%s\" is not supported by "
                                         "Linux", s->policy);
        a.sched_policy = (uint32_t)policy;
        for (size_t i = 0; i < s->flags_len; i++) {
                int f = sched_flag(s->flags[i]);
                if (f < 0)
                        return kago_err_set(err, "process.scheduler.flags[%zu]: unknown flag "
                                                 "\"%s\"", i, s->flags[i]);
                a.sched_flags |= (uint64_t)f;
        }
        a.sched_nice = s->nice.set ? s->nice.value : 0;
        a.sched_priority = s->priority.set ? (uint32_t)s->priority.value : 0;
        a.sched_runtime = s->runtime.set ? s->runtime.value : 0;
        a.sched_deadline = s->deadline.set ? s->deadline.value : 0;
        a.sched_period = s->period.set ? s->period.value : 0;
        if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
                return kago_err_errno(err, errno, "process.scheduler: sched_setattr %s%s",
                                      s->policy,
                                      errno == EPERM ? " (realtime and deadline policies, or a "
                                                       "lower nice value, need CAP_SYS_NICE)"
                                      : errno == EINVAL ? " (a priority, nice value or period "
                                                          "this policy does not take)" : "");
        return 0;
}

/* "0-3,7" -> set_bit(i) for each; max bits. */
static int parse_list(const char *list, const char *what, void (*set_bit)(void *, unsigned),
                      void *ctx, unsigned max, struct kago_err *err)
{
        const char *p = list;

        while (*p) {
                char *end;
                unsigned long lo = strtoul(p, &end, 10), hi = lo;
                if (end == p)
                        return kago_err_set(err, "%s \"%s\": expected a number at \"%s\"", what,
                                            list, p);
                p = end;
                if (*p == '-') {
                        hi = strtoul(p + 1, &end, 10);
                        if (end == p + 1)
                                return kago_err_set(err, "%s \"%s\": expected a number at \"%s\"",
                                                    what, list, p + 1);
                        p = end;
                }
                if (hi < lo || hi >= max)
                        return kago_err_set(err, "%s \"%s\": range %lu-%lu is empty or beyond %u",
                                            what, list, lo, hi, max - 1);
                for (unsigned long i = lo; i <= hi; i++)
                        set_bit(ctx, (unsigned)i);
                if (*p == ',')
                        p++;
                else if (*p)
                        return kago_err_set(err, "%s \"%s\": unexpected \"%s\"", what, list, p);
        }
        return 0;
}

static void cpu_set_bit(void *ctx, unsigned i)
{
        CPU_SET(i, (cpu_set_t *)ctx);
}

int proc_parse_cpu_list(const char *list, cpu_set_t *set, struct kago_err *err)
{
        CPU_ZERO(set);
        if (!*list)
                return kago_err_set(err, "cpu list \"\": empty");
        return parse_list(list, "cpu list", cpu_set_bit, set, CPU_SETSIZE, err);
}

int proc_set_cpu_affinity(const char *list, struct kago_err *err)
{
        cpu_set_t set;

        if (proc_parse_cpu_list(list, &set, err) < 0)
                return -1;
        if (sched_setaffinity(0, sizeof set, &set) < 0)
                return kago_err_errno(err, errno, "sched_setaffinity %s%s", list,
                                      errno == EINVAL ? " (none of these CPUs is online or "
                                                        "allowed by the cpuset)" : "");
        return 0;
}

#define MPOL_MAX_NODES 1024

static void node_set_bit(void *ctx, unsigned i)
{
        unsigned long *mask = ctx;

        mask[i / (8 * sizeof(long))] |= 1ul << (i % (8 * sizeof(long)));
}

static int mpol_mode(const char *name)
{
        static const char *const names[] = {
                "MPOL_DEFAULT", "MPOL_PREFERRED", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_LOCAL",
                "MPOL_PREFERRED_MANY", "MPOL_WEIGHTED_INTERLEAVE",
        };
        static const int values[] = { 0, 1, 2, 3, 4, 5, 6 };

        return lookup(names, values, ARRAY_SIZE(names), name);
}

static int mpol_flag(const char *name)
{
        static const char *const names[] = { "MPOL_F_STATIC_NODES", "MPOL_F_RELATIVE_NODES",
                                             "MPOL_F_NUMA_BALANCING" };
        static const int values[] = { 1 << 15, 1 << 14, 1 << 13 };

        return lookup(names, values, ARRAY_SIZE(names), name);
}

int proc_set_memory_policy(const struct oci_memory_policy *mp, struct kago_err *err)
{
        unsigned long mask[MPOL_MAX_NODES / (8 * sizeof(long))] = { 0 };
        int mode = mp->mode ? mpol_mode(mp->mode) : -1;

        if (mode < 0)
                return kago_err_set(err, "linux.memoryPolicy.mode: unknown mode \"%s\"",
                                    mp->mode ? mp->mode : "");
        for (size_t i = 0; i < mp->flags_len; i++) {
                int f = mpol_flag(mp->flags[i]);
                if (f < 0)
                        return kago_err_set(err, "linux.memoryPolicy.flags[%zu]: unknown flag "
                                                 "\"%s\"", i, mp->flags[i]);
                mode |= f;
        }
        if (mp->nodes && *mp->nodes &&
            parse_list(mp->nodes, "linux.memoryPolicy.nodes", node_set_bit, mask, MPOL_MAX_NODES,
                       err) < 0)
                return -1;
        bool any = mp->nodes && *mp->nodes;
        if (syscall(SYS_set_mempolicy, mode, any ? mask : NULL, any ? MPOL_MAX_NODES + 1 : 0) < 0)
                return kago_err_errno(err, errno, "linux.memoryPolicy: set_mempolicy %s nodes "
                                                  "\"%s\"%s", mp->mode, mp->nodes ? mp->nodes : "",
                                      errno == EINVAL ? " (nodes offline, missing for this mode, "
                                                        "or given where the mode takes none)"
                                                      : "");
        return 0;
}
