/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The `cgroup` mount of config.json (rootfs_cgroup.c). Internal to runtime/. */
#ifndef KAGO_RUNTIME_ROOTFS_CGROUP_H
#define KAGO_RUNTIME_ROOTFS_CGROUP_H

#include <stdbool.h>

#include "../base/base.h"

/* Mount the container's own cgroups at dest inside rootfd: flags and clear
 * are the mount's MS_* set and explicitly cleared (an explicit rw keeps a v1
 * tree writable); in_cgroupns when init has a cgroup namespace. */
int rootfs_mount_cgroup(int rootfd, const char *dest, unsigned long flags, unsigned long clear,
                        bool in_cgroupns, struct kago_err *err);

#endif
