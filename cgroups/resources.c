/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.resources as a whole: every group into one write plan, in a fixed
 * order (unified last, so its values win). */
#include "../specs/specs.h"
#include "internal.h"

int cg_plan_build(const struct oci_linux_resources *r, int dirfd, struct cg_plan *p,
                  struct kago_err *err)
{
        if (!r)
                return 0;
        if (r->devices && cg_plan_devices(p, r->devices, r->devices_len, err) < 0)
                goto fail;
        if (r->memory && cg_plan_memory(p, r->memory, dirfd, err) < 0)
                goto fail;
        if (r->cpu && cg_plan_cpu(p, r->cpu, dirfd, err) < 0)
                goto fail;
        if (r->pids && cg_plan_pids(p, r->pids, err) < 0)
                goto fail;
        if (r->block_io && cg_plan_io(p, r->block_io, dirfd, err) < 0)
                goto fail;
        if (cg_plan_hugetlb(p, r->hugepage_limits, r->hugepage_limits_len, err) < 0 ||
            cg_plan_rdma(p, r->rdma, r->rdma_len, err) < 0)
                goto fail;
        if (r->network)
                cg_plan_network(r->network);
        if (cg_plan_unified(p, r->unified, r->unified_len, err) < 0)
                goto fail;
        return 0;
fail:
        cg_plan_free(p);
        return -1;
}
