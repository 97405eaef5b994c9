/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Finding the cgroup2 hierarchy and what controllers it offers. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/vfs.h>

#include "internal.h"

static bool is_cgroup2(const char *path)
{
        struct statfs fs;

        return statfs(path, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

int cg_mount(const char **out, struct kago_err *err)
{
        if (is_cgroup2("/sys/fs/cgroup")) {
                *out = "/sys/fs/cgroup";
                return 0;
        }
        if (is_cgroup2("/sys/fs/cgroup/unified")) {
                *out = "/sys/fs/cgroup/unified";
                return 0;
        }
        return kago_err_set(err, "no cgroup2 filesystem at /sys/fs/cgroup or /sys/fs/cgroup/unified "
                                 "(run with --cgroup-manager disabled to run without a cgroup)");
}

int cgroup_mount_point(const char **out, struct kago_err *err)
{
        return cg_mount(out, err);
}

int cgroup_host_available(struct kago_err *err)
{
        const char *mount = NULL;
        struct cg_v1_mount *m = NULL;
        size_t n = 0;

        if (cg_mount(&mount, err) == 0)
                return 0;
        cg_v1_host_mounts(&m, &n);
        cg_v1_mounts_free(m, n);
        if (n == 0)
                return kago_err_wrap(err, "and no cgroup v1 hierarchy is mounted");
        kago_err_clear(err);
        return 0;
}

bool cg_controller_enabled(int dirfd, const char *controller)
{
        _cleanup_free_ char *list = NULL;
        struct kago_err err = { 0 };

        if (cg_read(dirfd, "cgroup.controllers", &list, &err) < 0)
                return false;
        return cg_list_has(list, controller);
}

bool cgroup_controller_available(const char *controller)
{
        const char *mount = NULL;
        struct kago_err err = { 0 };

        if (cg_mount(&mount, &err) < 0 || !mount)
                return false;
        _cleanup_close_ int fd = open(mount, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        return fd >= 0 && cg_controller_enabled(fd, controller);
}

const char *cgroup_driver_name(enum cgroup_driver d)
{
        switch (d) {
        case CGROUP_DRIVER_CGROUPFS: return "cgroupfs";
        case CGROUP_DRIVER_SYSTEMD: return "systemd";
        case CGROUP_DRIVER_NONE: return "none";
        }
        return "none";
}

int cgroup_driver_parse(const char *name, enum cgroup_driver *out)
{
        if (strcmp(name, "cgroupfs") == 0)
                *out = CGROUP_DRIVER_CGROUPFS;
        else if (strcmp(name, "systemd") == 0)
                *out = CGROUP_DRIVER_SYSTEMD;
        else if (strcmp(name, "none") == 0 || strcmp(name, "disabled") == 0)
                *out = CGROUP_DRIVER_NONE;
        else
                return -1;
        return 0;
}
