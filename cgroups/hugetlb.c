/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.resources.hugepageLimits[] -> hugetlb.<pageSize>.max (cgroup v2) or
 * hugetlb.<pageSize>.limit_in_bytes (v1). */
#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include "../specs/specs.h"
#include "internal.h"

/* "2MB", "1GB", "64KB": digits then KB, MB or GB. */
static bool page_size_valid(const char *s)
{
        size_t digits = strspn(s, "0123456789");

        return digits > 0 && digits < 8 &&
               (strcmp(s + digits, "KB") == 0 || strcmp(s + digits, "MB") == 0 ||
                strcmp(s + digits, "GB") == 0);
}

static int plan_files(struct cg_plan *p, const struct oci_hugepage_limit *h, size_t n, const char *suffix,
                      struct kago_err *err)
{
        for (size_t i = 0; i < n; i++) {
                const char *size = h[i].page_size ? h[i].page_size : "";
                if (!page_size_valid(size))
                        return kago_err_set(err, "linux.resources.hugepageLimits[%zu].pageSize: \"%s\" "
                                                 "is not a page size like \"2MB\" or \"1GB\"", i, size);
                _cleanup_free_ char *field = xasprintf("linux.resources.hugepageLimits[%zu].limit", i);
                _cleanup_free_ char *file = xasprintf("hugetlb.%s.%s", size, suffix);
                cg_plan_add(p, field, file, "%" PRIu64, h[i].limit);
        }
        return 0;
}

int cg_plan_hugetlb(struct cg_plan *p, const struct oci_hugepage_limit *h, size_t n,
                    struct kago_err *err)
{
        return plan_files(p, h, n, "max", err);
}

int cg_plan_v1_hugetlb(struct cg_plan *p, const struct oci_hugepage_limit *h, size_t n,
                       struct kago_err *err)
{
        return plan_files(p, h, n, "limit_in_bytes", err);
}
