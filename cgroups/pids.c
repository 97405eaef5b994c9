/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.resources.pids.limit -> pids.max ("max" for 0 or less, a value that
 * asks for nothing). The file is the same in cgroup v1 and v2. */
#include <inttypes.h>

#include "../specs/specs.h"
#include "internal.h"

int cg_plan_pids(struct cg_plan *p, const struct oci_pids *pids, struct kago_err *err)
{
        (void)err;
        if (pids->limit > 0)
                cg_plan_add(p, "linux.resources.pids.limit", "pids.max", "%" PRId64, pids->limit);
        else
                cg_plan_add_default(p, "linux.resources.pids.limit", "pids.max", "max");
        return 0;
}
