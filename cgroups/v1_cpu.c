/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.resources.cpu on a cgroup v1 cpu hierarchy: shares -> cpu.shares,
 * period -> cpu.cfs_period_us (written before the quota it bounds), quota ->
 * cpu.cfs_quota_us (0 or -1: unlimited), burst -> cpu.cfs_burst_us, idle ->
 * cpu.idle, realtimePeriod/realtimeRuntime -> cpu.rt_period_us /
 * cpu.rt_runtime_us. cpus and mems go to cpuset (cg_plan_cpuset).
 */
#include <inttypes.h>

#include "../specs/specs.h"
#include "internal.h"

#define F "linux.resources.cpu."

static void plan_cfs(struct cg_plan *p, const struct oci_cpu *c)
{
        if (c->period.set && c->period.value)
                (c->period.value == CG_CPU_DEFAULT_PERIOD ? cg_plan_add_default : cg_plan_add)(
                        p, F "period", "cpu.cfs_period_us", "%" PRIu64, c->period.value);
        if (c->quota.set)
                (c->quota.value <= 0 ? cg_plan_add_default : cg_plan_add)(
                        p, F "quota", "cpu.cfs_quota_us", "%" PRId64, c->quota.value <= 0 ? -1 : c->quota.value);
        if (c->burst.set)
                (c->burst.value ? cg_plan_add : cg_plan_add_default)(p, F "burst", "cpu.cfs_burst_us",
                                                                     "%" PRIu64, c->burst.value);
}

static void plan_rt(struct cg_plan *p, const struct oci_cpu *c)
{
        if (c->realtime_period.set && c->realtime_period.value)
                cg_plan_add(p, F "realtimePeriod", "cpu.rt_period_us", "%" PRIu64, c->realtime_period.value);
        if (c->realtime_runtime.set && c->realtime_runtime.value)
                cg_plan_add(p, F "realtimeRuntime", "cpu.rt_runtime_us", "%" PRId64, c->realtime_runtime.value);
}

int cg_plan_v1_cpu(struct cg_plan *p, const struct oci_cpu *c, struct kago_err *err)
{
        if (c->quota.set && c->quota.value < -1)
                return kago_err_set(err, F "quota: %" PRId64 " is not a time in microseconds "
                                         "(-1 means unlimited)", c->quota.value);
        if (c->shares.set && c->shares.value)
                (c->shares.value == CG_CPU_DEFAULT_SHARES ? cg_plan_add_default : cg_plan_add)(
                        p, F "shares", "cpu.shares", "%" PRIu64, c->shares.value);
        plan_cfs(p, c);
        if (c->idle.set)
                (c->idle.value ? cg_plan_add : cg_plan_add_default)(p, F "idle", "cpu.idle", "%" PRId64,
                                                                    c->idle.value);
        plan_rt(p, c);
        return 0;
}
