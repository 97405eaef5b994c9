/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Namespaces: new ones come from the clone flags; existing ones are joined by
 * path. pid and time namespaces apply to children only, so the parent joins
 * (or, for time, creates) them before the clone; init joins the rest, the
 * user namespace first.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>

#include "../rootfs/rootfs.h"
#include "process.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int ns_type_flag(enum oci_ns_type type)
{
        switch (type) {
        case OCI_NS_MOUNT: return CLONE_NEWNS;
        case OCI_NS_PID: return CLONE_NEWPID;
        case OCI_NS_NETWORK: return CLONE_NEWNET;
        case OCI_NS_UTS: return CLONE_NEWUTS;
        case OCI_NS_IPC: return CLONE_NEWIPC;
        case OCI_NS_USER: return CLONE_NEWUSER;
        case OCI_NS_CGROUP: return CLONE_NEWCGROUP;
        case OCI_NS_TIME: return CLONE_NEWTIME;
        default: return 0;
        }
}

static size_t ns_count(const struct oci_spec *spec)
{
        return spec->linux_cfg ? spec->linux_cfg->namespaces_len : 0;
}

static const struct oci_namespace *ns_at(const struct oci_spec *spec, size_t i)
{
        return &spec->linux_cfg->namespaces[i];
}

/* Without a mount namespace of its own the process runs chrooted into
 * root.path and kago mounts nothing: runc would make the config's mounts in
 * the host's namespace and leave them there. What needs a mount is refused. */
static int ns_check_no_mounts(const struct oci_spec *spec, struct kago_err *err)
{
        const struct oci_linux *l = spec->linux_cfg;
        const char *field = spec->mounts_len                       ? "mounts"
                            : l && l->masked_paths_len             ? "linux.maskedPaths"
                            : l && l->readonly_paths_len           ? "linux.readonlyPaths"
                            : l && l->devices_len                  ? "linux.devices"
                            : l && l->rootfs_propagation           ? "linux.rootfsPropagation"
                            : spec->root && spec->root->readonly   ? "root.readonly"
                                                                   : NULL;
        if (field)
                return kago_err_set(err, "%s: needs a mount namespace, and linux.namespaces has "
                                         "none (without one kago only chroots into root.path)",
                                    field);
        return 0;
}

int ns_validate(const struct oci_spec *spec, struct kago_err *err)
{
        const struct oci_namespace *mnt = spec_namespace(spec, OCI_NS_MOUNT);
        const struct oci_namespace *uts = spec_namespace(spec, OCI_NS_UTS);

        if (!mnt && ns_check_no_mounts(spec, err) < 0)
                return -1;
        /* A uts namespace joined by path gets the name too, as with runc. */
        if ((spec->hostname || spec->domainname) && !uts)
                return kago_err_set(err, "%s is set but linux.namespaces has no uts namespace",
                                    spec->hostname ? "hostname" : "domainname");
        const struct oci_namespace *user = spec_namespace(spec, OCI_NS_USER);
        bool maps = spec->linux_cfg && (spec->linux_cfg->uid_mappings_len ||
                                        spec->linux_cfg->gid_mappings_len);
        if (user && !user->path && !maps)
                return kago_err_set(err, "linux.uidMappings/gidMappings: a new user namespace "
                                         "needs them");
        if (maps && (!user || user->path))
                return kago_err_set(err, "linux.uidMappings: set, but linux.namespaces has no "
                                         "new user namespace");
        const struct oci_namespace *tns = spec_namespace(spec, OCI_NS_TIME);
        if (spec->linux_cfg && spec->linux_cfg->time_offsets && (!tns || tns->path))
                return kago_err_set(err, "linux.timeOffsets: set, but linux.namespaces has no "
                                         "new time namespace");
        return 0;
}

bool ns_joins_user(const struct oci_spec *spec)
{
        const struct oci_namespace *user = spec_namespace(spec, OCI_NS_USER);
        return user && user->path;
}

int ns_clone_flags(const struct oci_spec *spec, unsigned long *flags, struct kago_err *err)
{
        unsigned long f = 0;

        for (size_t i = 0; i < ns_count(spec); i++) {
                const struct oci_namespace *ns = ns_at(spec, i);
                int flag = ns_type_flag(ns->type);
                if (!flag)
                        return kago_err_set(err, "linux.namespaces[%zu]: unknown type", i);
                /* Time namespaces are made by the parent with unshare. */
                if (!ns->path && ns->type != OCI_NS_TIME)
                        f |= (unsigned long)flag;
        }
        /* Joining a user namespace: init makes the others once inside it. */
        *flags = ns_joins_user(spec) ? 0 : f;
        return 0;
}

static int ns_join(const struct oci_namespace *ns, struct kago_err *err)
{
        _cleanup_close_ int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
        const char *name = oci_ns_type_name(ns->type);

        if (fd < 0)
                return kago_err_errno(err, errno, "open %s namespace %s", name, ns->path);
        if (setns(fd, ns_type_flag(ns->type)) < 0)
                return kago_err_errno(err, errno, "join %s namespace %s", name, ns->path);
        return 0;
}

static int time_offsets_write(const struct oci_time_offsets *t, struct kago_err *err)
{
        char buf[128];
        int n = 0;

        if (t->monotonic.set)
                n += snprintf(buf + n, sizeof buf - n, "monotonic %lld %u\n",
                              (long long)t->monotonic.secs, t->monotonic.nanosecs);
        if (t->boottime.set)
                n += snprintf(buf + n, sizeof buf - n, "boottime %lld %u\n",
                              (long long)t->boottime.secs, t->boottime.nanosecs);
        if (n == 0)
                return 0;
        _cleanup_close_ int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || fd_write_all(fd, buf, (size_t)n) < 0)
                return kago_err_errno(err, errno, "linux.timeOffsets: write timens_offsets");
        return 0;
}

/* In the parent, before the clone: pid and time namespaces apply to the
 * children of the caller. The parent is a short-lived kago process. */
int ns_join_for_children(const struct oci_spec *spec, struct kago_err *err)
{
        for (size_t i = 0; i < ns_count(spec); i++) {
                const struct oci_namespace *ns = ns_at(spec, i);
                if (ns->type != OCI_NS_PID && ns->type != OCI_NS_TIME)
                        continue;
                if (ns->path) {
                        if (ns_join(ns, err) < 0)
                                return -1;
                } else if (ns->type == OCI_NS_TIME) {
                        if (unshare(CLONE_NEWTIME) < 0)
                                return kago_err_errno(err, errno, "unshare time namespace");
                        if (spec->linux_cfg->time_offsets &&
                            time_offsets_write(spec->linux_cfg->time_offsets, err) < 0)
                                return -1;
                }
        }
        return 0;
}

/* In init: the user namespace first (it owns the others), then the rest. */
int ns_join_in_init(const struct oci_spec *spec, struct kago_err *err)
{
        const struct oci_namespace *user = spec_namespace(spec, OCI_NS_USER);

        if (user && user->path && ns_join(user, err) < 0)
                return -1;
        for (size_t i = 0; i < ns_count(spec); i++) {
                const struct oci_namespace *ns = ns_at(spec, i);
                if (!ns->path || ns->type == OCI_NS_USER || ns->type == OCI_NS_PID ||
                    ns->type == OCI_NS_TIME)
                        continue;
                if (ns_join(ns, err) < 0)
                        return -1;
        }
        return 0;
}

/* In the parent, once init exists in its new user namespace (setgroups
 * denied first where kago lacks CAP_SETGID, as an unprivileged user must). */
int ns_write_id_maps(const struct oci_spec *spec, pid_t pid, struct kago_err *err)
{
        const struct oci_linux *l = spec->linux_cfg;

        return userns_write_maps(pid, l->uid_mappings, l->uid_mappings_len, l->gid_mappings,
                                 l->gid_mappings_len, err);
}

/* In a new user namespace, once the parent wrote the maps: become its root
 * (until then our ids are unmapped, and files made on the container's own
 * mounts would fail with EOVERFLOW). */
int ns_become_root(const struct oci_spec *spec, struct kago_err *err)
{
        const struct oci_namespace *user = spec_namespace(spec, OCI_NS_USER);

        if (!user || user->path)
                return 0;
        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                return kago_err_errno(err, errno, "become root in the new user namespace "
                                                  "(is uid/gid 0 mapped?)");
        return 0;
}

/* Joining a user namespace by path: the namespaces the container makes must
 * belong to it, so the first process joins it (and the other namespaces
 * given by path), unshares the new ones, and forks, since a new pid
 * namespace applies to children only. The child returns and carries on as
 * init; the first process exits. */
int ns_join_user_then_fork(const struct oci_spec *spec, struct kago_err *err)
{
        unsigned long flags = 0;

        if (ns_join_in_init(spec, err) < 0)
                return -1;
        for (size_t i = 0; i < ns_count(spec); i++) {
                const struct oci_namespace *ns = ns_at(spec, i);
                if (!ns->path && ns->type != OCI_NS_TIME && ns->type != OCI_NS_USER)
                        flags |= (unsigned long)ns_type_flag(ns->type);
        }
        if (flags && unshare((int)flags) < 0)
                return kago_err_errno(err, errno, "unshare namespaces (flags 0x%lx) in user "
                                                  "namespace %s", flags,
                                      spec_namespace(spec, OCI_NS_USER)->path);
        pid_t p = fork();
        if (p < 0)
                return kago_err_errno(err, errno, "fork the container's init");
        if (p > 0)
                _exit(0);
        return 0;
}
