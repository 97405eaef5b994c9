/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.resources.memory on a cgroup v1 memory hierarchy: limit ->
 * memory.limit_in_bytes, reservation -> memory.soft_limit_in_bytes, swap
 * (memory+swap, as v1 counts it) -> memory.memsw.limit_in_bytes, kernelTCP
 * -> memory.kmem.tcp.limit_in_bytes, swappiness -> memory.swappiness,
 * disableOOMKiller -> memory.oom_control. kernel (kmem) is deprecated by the
 * kernel: ignored with a warning. -1 means unlimited throughout.
 *
 * The kernel keeps memsw >= limit at every moment, so the order depends on
 * the direction: raising swap above the current limit writes memsw first.
 */
#include <inttypes.h>

#include "../specs/specs.h"
#include "internal.h"

#define F "linux.resources.memory."

static void add_size(struct cg_plan *p, const char *field, const char *file, int64_t v)
{
        (v < 0 ? cg_plan_add_default : cg_plan_add)(p, field, file, "%" PRId64, v < 0 ? -1 : v);
}

/* The limit in the live cgroup (update), or unlimited (create). */
static int64_t current_limit(const struct cg_plan *p)
{
        const struct cg_v1_dir *d = p->cg ? cg_v1_dir_for(p->cg, "memory") : NULL;
        struct kago_err err = { 0 };
        uint64_t cur = 0;

        if (!d || cg_read_u64(d->dirfd, "memory.limit_in_bytes", &cur, &err) < 0 || cur > INT64_MAX)
                return INT64_MAX;
        return (int64_t)cur;
}

/* Swap before the limit when the new memsw would not fit under the current
 * limit otherwise (runc's order). */
static void plan_limit_and_swap(struct cg_plan *p, const struct oci_memory *m)
{
        bool swap_first = m->swap.set && (m->swap.value == -1 || current_limit(p) < m->swap.value);

        if (swap_first)
                add_size(p, F "swap", "memory.memsw.limit_in_bytes", m->swap.value);
        if (m->limit.set)
                add_size(p, F "limit", "memory.limit_in_bytes", m->limit.value);
        if (m->swap.set && !swap_first && m->swap.value != 0)
                add_size(p, F "swap", "memory.memsw.limit_in_bytes", m->swap.value);
}

static int check_swap(const struct oci_memory *m, struct kago_err *err)
{
        if (!m->swap.set || m->swap.value <= 0 || !m->limit.set || m->limit.value < 0 ||
            m->swap.value >= m->limit.value)
                return 0;
        return kago_err_set(err, F "swap: %" PRId64 " is below memory.limit %" PRId64 " (swap is "
                                 "memory+swap, so it must be at least the limit)", m->swap.value,
                            m->limit.value);
}

static void plan_others(struct cg_plan *p, const struct oci_memory *m)
{
        if (m->reservation.set)
                add_size(p, F "reservation", "memory.soft_limit_in_bytes", m->reservation.value);
        if (m->kernel_tcp.set)
                add_size(p, F "kernelTCP", "memory.kmem.tcp.limit_in_bytes", m->kernel_tcp.value);
        if (m->swappiness.set)
                cg_plan_add(p, F "swappiness", "memory.swappiness", "%" PRIu64, m->swappiness.value);
        if (m->disable_oom_killer.set)
                (m->disable_oom_killer.value ? cg_plan_add : cg_plan_add_default)(
                        p, F "disableOOMKiller", "memory.oom_control", "%d", m->disable_oom_killer.value ? 1 : 0);
        if (m->kernel.set)
                log_warning(F "kernel: kernel memory limits are deprecated by Linux; ignored");
}

int cg_plan_v1_memory(struct cg_plan *p, const struct oci_memory *m, struct kago_err *err)
{
        if (cg_memory_check_size("limit", &m->limit, err) < 0 ||
            cg_memory_check_size("reservation", &m->reservation, err) < 0 ||
            cg_memory_check_size("swap", &m->swap, err) < 0 ||
            cg_memory_check_size("kernelTCP", &m->kernel_tcp, err) < 0 || check_swap(m, err) < 0)
                return -1;
        if (m->swappiness.set && m->swappiness.value > 100)
                return kago_err_set(err, F "swappiness: %" PRIu64 " is not in 0..100", m->swappiness.value);
        plan_limit_and_swap(p, m);
        plan_others(p, m);
        return 0;
}
