/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers of the workload process (process.c, console.c) shared by init and
 * kago exec's child. Internal to runtime/. */
#ifndef KAGO_RUNTIME_PROCESS_H
#define KAGO_RUNTIME_PROCESS_H

#include <sys/types.h>

#include "../base/base.h"

/* HOME for a process whose env sets none, as runc and crun choose it:
 * process.user.uid's home in the container's /etc/passwd, else "/".
 * process_find_executable reads it (inside the container's root, before
 * the security sequence: a seccomp profile may forbid reading it later). */
const char *process_default_home(void);

/* console.c: give the pty (fd, named pts) to uid, keeping devpts' group. */
int console_chown_pty(int fd, const char *pts, uid_t uid, struct kago_err *err);

/* capabilities.c: caps_from_spec, with unknown names a warning (and left
 * out) for an ociVersion of 1.1.0 or later, as that version of the spec says. */
struct oci_capabilities;
struct kago_caps;
int caps_from_config(const char *oci_version, const struct oci_capabilities *spec,
                     struct kago_caps *out, struct kago_err *err);

#endif
