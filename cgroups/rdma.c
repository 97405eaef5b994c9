/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.resources.rdma -> rdma.max: "DEVICE hca_handle=N hca_object=M". */
#include <inttypes.h>
#include <string.h>

#include "../specs/specs.h"
#include "internal.h"

int cg_plan_rdma(struct cg_plan *p, const struct oci_rdma *r, size_t n, struct kago_err *err)
{
        for (size_t i = 0; i < n; i++) {
                const char *dev = r[i].device ? r[i].device : "";
                if (!*dev || strpbrk(dev, " \t\n=/"))
                        return kago_err_set(err, "linux.resources.rdma: device name \"%s\" is not valid",
                                            dev);
                if (!r[i].hca_handles.set && !r[i].hca_objects.set)
                        continue;
                char handles[32] = "", objects[32] = "";
                if (r[i].hca_handles.set)
                        snprintf(handles, sizeof handles, " hca_handle=%" PRIu32, r[i].hca_handles.value);
                if (r[i].hca_objects.set)
                        snprintf(objects, sizeof objects, " hca_object=%" PRIu32, r[i].hca_objects.value);
                _cleanup_free_ char *field = xasprintf("linux.resources.rdma.%s", dev);
                cg_plan_add(p, field, "rdma.max", "%s%s%s", dev, handles, objects);
        }
        return 0;
}
