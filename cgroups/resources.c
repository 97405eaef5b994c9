/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.resources as a whole: every group into one write plan, in a fixed
 * order (unified last, so its values win); a controller that a cgroup v1
 * hierarchy owns (p->v1) is planned in its v1 files. */
#include "../specs/specs.h"
#include "internal.h"

static int plan_memory(struct cg_plan *p, const struct oci_memory *m, int dirfd, struct kago_err *err)
{
        return cg_plan_is_v1(p, "memory") ? cg_plan_v1_memory(p, m, err) : cg_plan_memory(p, m, dirfd, err);
}

static int plan_cpu(struct cg_plan *p, const struct oci_cpu *c, int dirfd, struct kago_err *err)
{
        if (!cg_plan_is_v1(p, "cpu"))
                return cg_plan_cpu(p, c, dirfd, err);
        if (cg_plan_v1_cpu(p, c, err) < 0)
                return -1;
        cg_plan_cpuset(p, c);
        return 0;
}

static int plan_io(struct cg_plan *p, const struct oci_block_io *b, int dirfd, struct kago_err *err)
{
        return cg_plan_is_v1(p, "blkio") ? cg_plan_v1_blkio(p, b, err) : cg_plan_io(p, b, dirfd, err);
}

static int plan_hugetlb(struct cg_plan *p, const struct oci_linux_resources *r, struct kago_err *err)
{
        if (cg_plan_is_v1(p, "hugetlb"))
                return cg_plan_v1_hugetlb(p, r->hugepage_limits, r->hugepage_limits_len, err);
        return cg_plan_hugetlb(p, r->hugepage_limits, r->hugepage_limits_len, err);
}

static int plan_network(struct cg_plan *p, const struct oci_network *n, struct kago_err *err)
{
        if (!cg_plan_is_v1(p, "net_cls") && !cg_plan_is_v1(p, "net_prio")) {
                cg_plan_network(n);
                return 0;
        }
        return cg_plan_v1_network(p, n, err);
}

int cg_plan_build(const struct oci_linux_resources *r, int dirfd, struct cg_plan *p,
                  struct kago_err *err)
{
        if (!r)
                return 0;
        if (r->devices && cg_plan_devices(p, r->devices, r->devices_len, err) < 0)
                goto fail;
        if (r->memory && plan_memory(p, r->memory, dirfd, err) < 0)
                goto fail;
        if (r->cpu && plan_cpu(p, r->cpu, dirfd, err) < 0)
                goto fail;
        /* pids.max is the same file in v1 and v2. */
        if (r->pids && cg_plan_pids(p, r->pids, err) < 0)
                goto fail;
        if (r->block_io && plan_io(p, r->block_io, dirfd, err) < 0)
                goto fail;
        if (plan_hugetlb(p, r, err) < 0 || cg_plan_rdma(p, r->rdma, r->rdma_len, err) < 0)
                goto fail;
        if (r->network && plan_network(p, r->network, err) < 0)
                goto fail;
        if (cg_plan_unified(p, r->unified, r->unified_len, err) < 0)
                goto fail;
        return 0;
fail:
        cg_plan_free(p);
        return -1;
}
