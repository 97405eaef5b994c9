/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.resources.cpu: shares -> cpu.weight (converted), quota/period ->
 * cpu.max, burst -> cpu.max.burst, idle -> cpu.idle, cpus/mems -> cpuset.
 * The realtime fields have no cgroup v2 equivalent: an error when set.
 */
#include <inttypes.h>
#include <string.h>

#include "../specs/specs.h"
#include "internal.h"

#define F "linux.resources.cpu."

/* The quota now in cpu.max, for an update that changes only the period. */
static int64_t current_quota(int dirfd)
{
        _cleanup_free_ char *buf = NULL;
        struct kago_err err = { 0 };
        int64_t q;

        if (dirfd < 0 || cg_read(dirfd, "cpu.max", &buf, &err) < 0)
                return -1;
        buf[strcspn(buf, " \n")] = '\0';
        return str_to_i64(buf, 1, INT64_MAX, &q) == 0 ? q : -1;
}

static int plan_max(struct cg_plan *p, const struct oci_cpu *c, int dirfd, struct kago_err *err)
{
        char buf[64];

        if (!c->quota.set && !c->period.set)
                return 0;
        if (c->quota.set && c->quota.value < -1)
                return kago_err_set(err, F "quota: %" PRId64 " is not a time in microseconds "
                                         "(-1 means unlimited)", c->quota.value);
        int64_t quota = c->quota.set ? c->quota.value : current_quota(dirfd);
        uint64_t period = c->period.set ? c->period.value : 0;
        /* quota 0 means "no limit" in the spec. */
        cg_format_cpu_max(buf, sizeof buf, quota == 0 ? -1 : quota, period);
        bool no_limit = quota <= 0 && (period == 0 || period == CG_CPU_DEFAULT_PERIOD);
        (no_limit ? cg_plan_add_default : cg_plan_add)(p, c->quota.set ? F "quota" : F "period", "cpu.max",
                                                       "%s", buf);
        return 0;
}

/* "" resets a v2 cpuset to its parent's; a v1 cpuset it would empty
 * (refusing every process), so there it is not written. */
static void plan_cpuset_file(struct cg_plan *p, const char *field, const char *file, const char *value)
{
        if (!value || (!*value && cg_plan_is_v1(p, "cpuset")))
                return;
        (*value ? cg_plan_add : cg_plan_add_default)(p, field, file, "%s", value);
}

void cg_plan_cpuset(struct cg_plan *p, const struct oci_cpu *c)
{
        plan_cpuset_file(p, F "cpus", "cpuset.cpus", c->cpus);
        plan_cpuset_file(p, F "mems", "cpuset.mems", c->mems);
}

int cg_plan_cpu(struct cg_plan *p, const struct oci_cpu *c, int dirfd, struct kago_err *err)
{
        if ((c->realtime_runtime.set && c->realtime_runtime.value) ||
            (c->realtime_period.set && c->realtime_period.value))
                return kago_err_set(err, F "realtimeRuntime/realtimePeriod: not supported with "
                                         "cgroup v2 (the cpu controller has no realtime budget)");
        /* 1024, the kernel's default (ctr sends it on every run), asks for nothing. */
        if (c->shares.set && c->shares.value)
                (c->shares.value == CG_CPU_DEFAULT_SHARES ? cg_plan_add_default : cg_plan_add)(
                        p, F "shares", "cpu.weight", "%" PRIu64, cg_cpu_shares_to_weight(c->shares.value));
        if (plan_max(p, c, dirfd, err) < 0)
                return -1;
        if (c->burst.set)
                (c->burst.value ? cg_plan_add : cg_plan_add_default)(p, F "burst", "cpu.max.burst",
                                                                     "%" PRIu64, c->burst.value);
        if (c->idle.set)
                (c->idle.value ? cg_plan_add : cg_plan_add_default)(p, F "idle", "cpu.idle", "%" PRId64,
                                                                    c->idle.value);
        cg_plan_cpuset(p, c);
        return 0;
}
