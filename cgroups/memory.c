/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.resources.memory: limit -> memory.max, reservation -> memory.low,
 * swap (memory+swap) -> memory.swap.max = swap - limit.
 * cgroup v2 has no equivalent for kernel, kernelTCP, swappiness and
 * disableOOMKiller: kago logs a warning and ignores them (as crun does);
 * useHierarchy is always true in v2.
 */
#include <inttypes.h>

#include "../specs/specs.h"
#include "internal.h"

#define F "linux.resources.memory."

int cg_memory_check_size(const char *field, const struct oci_opt_i64 *v, struct kago_err *err)
{
        if (v->set && v->value < -1)
                return kago_err_set(err, F "%s: %" PRId64 " is not a size in bytes (-1 means "
                                         "unlimited)", field, v->value);
        return 0;
}

static void warn_ignored(const struct oci_memory *m)
{
        if (m->kernel.set || m->kernel_tcp.set)
                log_warning(F "kernel/kernelTCP: no cgroup v2 equivalent, ignored");
        if (m->swappiness.set)
                log_warning(F "swappiness: no cgroup v2 equivalent, ignored");
        if (m->disable_oom_killer.set && m->disable_oom_killer.value)
                log_warning(F "disableOOMKiller: no cgroup v2 equivalent, ignored");
}

/* The memory limit swap is relative to: the new one, else the current one. */
static int64_t limit_for_swap(const struct oci_memory *m, int dirfd)
{
        uint64_t cur = 0;
        struct kago_err err = { 0 };

        if (m->limit.set)
                return m->limit.value;
        if (dirfd >= 0 && cg_read_u64(dirfd, "memory.max", &cur, &err) == 0)
                return cur == UINT64_MAX ? -1 : (int64_t)cur;
        return 0;
}

int cg_plan_memory(struct cg_plan *p, const struct oci_memory *m, int dirfd, struct kago_err *err)
{
        char buf[32];

        if (cg_memory_check_size("limit", &m->limit, err) < 0 ||
            cg_memory_check_size("reservation", &m->reservation, err) < 0)
                return -1;
        warn_ignored(m);
        if (m->limit.set) {
                cg_format_limit(buf, sizeof buf, m->limit.value);
                (m->limit.value < 0 ? cg_plan_add_default : cg_plan_add)(p, F "limit", "memory.max", "%s", buf);
        }
        if (m->reservation.set) {
                cg_format_limit(buf, sizeof buf, m->reservation.value);
                (m->reservation.value <= 0 ? cg_plan_add_default : cg_plan_add)(p, F "reservation",
                                                                                 "memory.low", "%s", buf);
        }
        if (m->swap.set) {
                int64_t v2;
                if (cg_memory_swap_to_v2(m->swap.value, limit_for_swap(m, dirfd), &v2, err) < 0)
                        return -1;
                if (v2 != 0 || m->swap.value != 0) {
                        cg_format_limit(buf, sizeof buf, v2);
                        (v2 < 0 ? cg_plan_add_default : cg_plan_add)(p, F "swap", "memory.swap.max", "%s", buf);
                }
        }
        return 0;
}

int cg_check_before_update(struct cgroup *cg, const struct oci_memory *m, struct kago_err *err)
{
        uint64_t current = 0;

        if (!m->check_before_update.set || !m->check_before_update.value || !m->limit.set ||
            m->limit.value < 0)
                return 0;
        const struct cg_v1_dir *v1 = cg_v1_dir_for(cg, "memory");
        if (cg_read_u64(v1 ? v1->dirfd : cg->dirfd, v1 ? "memory.usage_in_bytes" : "memory.current", &current,
                        err) < 0)
                return kago_err_wrap(err, F "checkBeforeUpdate");
        if ((uint64_t)m->limit.value < current)
                return kago_err_set(err, F "limit: %" PRId64 " is below the current usage %" PRIu64
                                         " (checkBeforeUpdate is set)", m->limit.value, current);
        return 0;
}
