/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What pause, resume, update and events share: finding a container's
 * cgroup, durations, saving updated limits. Internal to runtime/. */
#ifndef KAGO_RUNTIME_CGROUP_CMD_H
#define KAGO_RUNTIME_CGROUP_CMD_H

#include "../cgroups/cgroups.h"
#include "../specs/specs.h"
#include "state.h"

struct cgroup_cmd {
        int rootfd;
        int dirfd;
        struct container_state st;
        enum container_status status;
        struct cgroup *cg;
};

/* Open container id (locked unless lock is false), read its state and open
 * its cgroup; an error naming the container when it has none. */
int cgroup_cmd_open(const char *root, const char *id, bool lock, struct cgroup_cmd *c,
                    struct kago_err *err);
void cgroup_cmd_close(struct cgroup_cmd *c);

/* pause/resume: [--timeout DURATION] ID (default 10 s). */
int cgroup_cmd_parse_args(const char *name, int argc, char **argv, int *timeout_ms, const char **id,
                          struct kago_err *err);

/* "5s", "250ms", "2m", "1.5s" or plain seconds, into milliseconds (> 0). */
int cgroup_cmd_parse_duration(const char *s, int *ms);

/* Fold the limits set in update into the saved config's linux.resources and
 * write the config back (atomically). */
int cgroup_cmd_save_resources(int dirfd, const char *id, struct oci_linux_resources *update,
                              struct kago_err *err);

#endif
