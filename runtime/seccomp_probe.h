/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whether a compiled linux.seccomp lets a process start and end (seccomp_probe.c). */
#ifndef KAGO_RUNTIME_SECCOMP_PROBE_H
#define KAGO_RUNTIME_SECCOMP_PROBE_H

#include "security.h"

/* Load f in a short-lived child and try execve and exit_group under it: an
 * error naming linux.seccomp when the filter denies either (the process
 * could never start, or never exit: init would die with no word). 0 when
 * both pass or the child cannot tell (the real load then reports why). */
int seccomp_probe_exec(const struct kago_seccomp *f, struct kago_err *err);

#endif
