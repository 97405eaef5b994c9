/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.resources.network on the cgroup v1 net_cls and net_prio
 * hierarchies: classID -> net_cls.classid, priorities[] ->
 * net_prio.ifpriomap ("IFNAME PRIO", one write each). cgroup v2 has
 * neither: there the values are ignored with a warning (devices.c). */
#include <inttypes.h>
#include <string.h>

#include "../specs/specs.h"
#include "internal.h"

#define F "linux.resources.network."

static int plan_priorities(struct cg_plan *p, const struct oci_network *n, struct kago_err *err)
{
        for (size_t i = 0; i < n->priorities_len; i++) {
                const char *name = n->priorities[i].name ? n->priorities[i].name : "";
                if (!*name || strpbrk(name, " \n/"))
                        return kago_err_set(err, F "priorities[%zu].name: \"%s\" is not an interface name", i,
                                            name);
                _cleanup_free_ char *field = xasprintf(F "priorities[%zu]", i);
                cg_plan_add(p, field, "net_prio.ifpriomap", "%s %" PRIu32, name, n->priorities[i].priority);
        }
        return 0;
}

int cg_plan_v1_network(struct cg_plan *p, const struct oci_network *n, struct kago_err *err)
{
        if (n->class_id.set) {
                if (cg_plan_is_v1(p, "net_cls"))
                        cg_plan_add(p, F "classID", "net_cls.classid", "%" PRIu32, n->class_id.value);
                else
                        log_warning(F "classID: needs the cgroup v1 net_cls controller, not mounted here; ignored");
        }
        if (!n->priorities_len)
                return 0;
        if (!cg_plan_is_v1(p, "net_prio")) {
                log_warning(F "priorities: need the cgroup v1 net_prio controller, not mounted here; ignored");
                return 0;
        }
        return plan_priorities(p, n, err);
}
