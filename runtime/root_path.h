/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Paths inside the container's root, resolved by the kernel as if rootfd were
 * "/" (openat2 RESOLVE_IN_ROOT): a symlink in the rootfs never leads out of
 * it. Internal to runtime/. */
#ifndef KAGO_RUNTIME_ROOT_PATH_H
#define KAGO_RUNTIME_ROOT_PATH_H

#include "../base/base.h"

/* Open path (absolute or not, taken inside rootfd) with flags. */
int root_open(int rootfd, const char *path, int flags, int *fd, struct kago_err *err);
/* mkdir -p inside rootfd; *fd (when not NULL) is an O_PATH fd of the directory. */
int root_mkdir_p(int rootfd, const char *path, mode_t mode, int *fd, struct kago_err *err);
/* An O_PATH fd of a mount point at path, made (directory or empty file) when missing. */
int root_make_target(int rootfd, const char *path, bool dir, int *fd, struct kago_err *err);
/* "/proc/self/fd/N" for fd, usable as a path to mount on. */
void root_fd_path(int fd, char buf[static 32]);

#endif
