/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Translating OCI (cgroup v1 style) values into cgroup v2 ones, with the
 * conversions runc and crun use so a container gets the same limits. */
#include <inttypes.h>

#include "internal.h"

uint64_t cg_cpu_shares_to_weight(uint64_t shares)
{
        /* [2, 262144] onto [1, 10000] linearly. */
        if (shares == 0)
                return 0;
        if (shares < 2)
                return 1;
        return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cg_blkio_weight_to_io_weight(uint64_t weight)
{
        /* [10, 1000] onto [1, 10000] linearly. */
        if (weight == 0)
                return 0;
        if (weight < 10)
                return 1;
        return 1 + ((weight - 10) * 9999) / 990;
}

int cg_memory_swap_to_v2(int64_t swap, int64_t limit, int64_t *out, struct kago_err *err)
{
        /* An unlimited memory limit with swap unset means both unlimited. */
        if (limit == -1 && swap == 0) {
                *out = -1;
                return 0;
        }
        if (swap == -1 || swap == 0) {
                *out = swap;
                return 0;
        }
        if (swap < 0)
                return kago_err_set(err, "linux.resources.memory.swap: %" PRId64 " is not a size "
                                         "(-1 means unlimited)", swap);
        if (limit <= 0)
                return kago_err_set(err, "linux.resources.memory.swap: %" PRId64 " needs "
                                         "linux.resources.memory.limit (swap is memory+swap)", swap);
        if (swap < limit)
                return kago_err_set(err, "linux.resources.memory.swap: %" PRId64 " is below "
                                         "memory.limit %" PRId64 " (swap is memory+swap, so it must "
                                         "be at least the limit)", swap, limit);
        *out = swap - limit;
        return 0;
}

void cg_format_limit(char *buf, size_t size, int64_t v)
{
        if (v < 0)
                snprintf(buf, size, "max");
        else
                snprintf(buf, size, "%" PRId64, v);
}

void cg_format_cpu_max(char *buf, size_t size, int64_t quota, uint64_t period)
{
        char q[32];

        cg_format_limit(q, sizeof q, quota <= 0 ? -1 : quota);
        if (period)
                snprintf(buf, size, "%s %" PRIu64, q, period);
        else
                snprintf(buf, size, "%s", q);
}
