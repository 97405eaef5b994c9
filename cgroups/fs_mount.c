/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /sys/fs/cgroup inside a container: its own subtree only. */
#include <errno.h>
#include <sys/mount.h>

#include "internal.h"

static int bind_dir(const char *dir, const char *target, unsigned long flags, struct kago_err *err)
{
        if (mount(dir, target, NULL, MS_BIND | MS_REC, NULL) < 0)
                return kago_err_errno(err, errno, "bind %s on %s", dir, target);
        if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | flags, NULL) < 0)
                return kago_err_errno(err, errno, "remount %s with the cgroup mount's options", target);
        return 0;
}

int cgroup_mount_fs(const struct cgroup *cg, const char *target, unsigned long flags,
                    bool in_cgroupns, struct kago_err *err)
{
        const char *mount_point = NULL;

        flags &= MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME | MS_NOATIME;
        if (in_cgroupns) {
                /* A fresh cgroup2 mount shows the namespace's root: the
                 * container's own cgroup. */
                if (mount("cgroup2", target, "cgroup2", flags, NULL) < 0)
                        return kago_err_errno(err, errno, "mount cgroup2 on %s", target);
                return 0;
        }
        if (cg->driver != CGROUP_DRIVER_NONE)
                return bind_dir(cg->dir, target, flags, err);
        /* No cgroup of its own: the host's hierarchy, read-only. */
        if (cg_mount(&mount_point, err) < 0)
                return -1;
        return bind_dir(mount_point, target, flags | MS_RDONLY, err);
}
