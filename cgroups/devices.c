/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.resources.devices[] -> the rules of the eBPF allow-list. */
#include <inttypes.h>
#include <string.h>

#include "../specs/specs.h"
#include "internal.h"

static int to_rule(const struct oci_device_cgroup *d, size_t i, struct cgroup_device_rule *r,
                   struct kago_err *err)
{
        const char *type = d->type && *d->type ? d->type : "a";
        const char *access = d->access && *d->access ? d->access : "rwm";

        if (strlen(type) != 1)
                return kago_err_set(err, "linux.resources.devices[%zu].type: \"%s\" is not a, b or c", i,
                                    type);
        if (strlen(access) > 3)
                return kago_err_set(err, "linux.resources.devices[%zu].access: \"%s\" is not a subset "
                                         "of \"rwm\"", i, access);
        r->allow = d->allow;
        r->type = type[0];
        r->major = d->major.set ? d->major.value : -1;
        r->minor = d->minor.set ? d->minor.value : -1;
        snprintf(r->access, sizeof r->access, "%s", access);
        return cg_device_rule_check(r, i, err);
}

int cg_plan_devices(struct cg_plan *p, const struct oci_device_cgroup *d, size_t n,
                    struct kago_err *err)
{
        p->has_devices = true;
        for (size_t i = 0; i < n; i++) {
                struct cgroup_device_rule r;
                if (to_rule(&d[i], i, &r, err) < 0)
                        return -1;
                cg_plan_add_device(p, &r);
        }
        return 0;
}

void cg_plan_network(const struct oci_network *n)
{
        if (n->class_id.set || n->priorities_len)
                log_warning("linux.resources.network: classID/priorities need the cgroup v1 net_cls and "
                            "net_prio controllers, which cgroup v2 lacks; ignored");
}

