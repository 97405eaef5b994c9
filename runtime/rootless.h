/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kago run by an unprivileged user ("rootless"), with runc's conventions: the
 * state under $XDG_RUNTIME_DIR/kago unless --root says otherwise; a cgroup
 * only where one the user may write was delegated (otherwise none, with a
 * warning, unless linux.resources asks for limits); only the ids the user
 * owns mapped, setgroups denied. Internal to runtime/.
 */
#ifndef KAGO_RUNTIME_ROOTLESS_H
#define KAGO_RUNTIME_ROOTLESS_H

#include "container.h"

/* Whether kago runs without root's privileges (euid not 0). */
bool rootless_active(void);
/* The default --root: KAGO_DEFAULT_ROOT for root, $XDG_RUNTIME_DIR/kago for
 * an unprivileged user who has one. The caller frees. */
char *rootless_default_root(void);
/* container_cgroup_create(), except that an unprivileged kago without a
 * writable cgroup goes on without one (a warning), unless limits are set. */
int rootless_cgroup_create(struct container_ctx *c, pid_t pid, struct kago_err *err);
/* With a user namespace of the container's own: process.user's uid, gid and
 * additionalGids must be inside linux.uidMappings / linux.gidMappings. */
int rootless_check_user(const struct oci_spec *spec, struct kago_err *err);

#endif
