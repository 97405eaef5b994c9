/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * systemd-machined registration, opt-in (registered machines are visible to
 * every machinectl user, and machined may be absent): the annotation
 * kago.machined=true, which kago run --register sets. At create, once init
 * runs, the container becomes a machine named by its id: class "container",
 * or "vm" for a microVM, its init (the VMM in a microVM) the leader, its
 * root directory and kago.net's host link given. machined registers the
 * unit the leader runs in, so the systemd cgroup driver is required. kago
 * delete unregisters it; machined also forgets it when that unit stops.
 */
#include <net/if.h>
#include <string.h>

#include "../../cgroups/cgroups.h"
#include "container.h"

static int machine_wanted(const struct oci_spec *spec, bool *wanted, struct kago_err *err)
{
        const char *v = spec_annotation(spec, MACHINE_ANNOTATION);
        *wanted = v && !strcmp(v, "true");
        if (v && !*wanted && strcmp(v, "false") != 0)
                return kago_err_set(err, "annotation %s '%s': must be true or false",
                                    MACHINE_ANNOTATION, v);
        return 0;
}

int machine_check(const struct oci_spec *spec, enum cgroup_manager manager, struct kago_err *err)
{
        bool wanted;
        if (machine_wanted(spec, &wanted, err) < 0)
                return -1;
        if (wanted && manager != CGROUP_MANAGER_SYSTEMD)
                return kago_err_set(err, "annotation %s: systemd-machined registers the systemd "
                                         "unit the container runs in: use the systemd cgroup "
                                         "driver (kago --systemd-cgroup)", MACHINE_ANNOTATION);
        return 0;
}

int machine_register(const struct container_state *st, const struct oci_spec *spec,
                     struct kago_err *err)
{
        bool wanted;
        if (machine_wanted(spec, &wanted, err) < 0)
                return -1;
        if (!wanted)
                return 0;
        _cleanup_free_ char *link = net_managed_host_link(st);
        int ifindex = link ? (int)if_nametoindex(link) : 0;
        const struct cgroup_machine m = { .name = st->id, .vm = st->vm, .leader = st->pid,
                                          .root = st->rootfs, .ifindices = &ifindex,
                                          .n_ifindices = ifindex ? 1 : 0 };
        return cgroup_machine_register(&m, err);
}

void machine_unregister(const struct container_state *st, const struct oci_spec *spec)
{
        struct kago_err err = { 0 };
        bool wanted;
        if (machine_wanted(spec, &wanted, &err) < 0 || !wanted)
                return;
        if (cgroup_machine_unregister(st->id, &err) < 0)
                log_warning("container \"%s\": %s", st->id, kago_err_text(&err));
}
