/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kago resume [--timeout DURATION] ID: thaw a paused container. */
#include "cli.h"

/* The thaw, then the backend (a microVM releases its vCPUs). */
static int resume_container(struct cgroup_cmd *c, int timeout_ms, struct kago_err *err)
{
        const struct kago_backend *b = backend_of_state(&c->st);
        if (cgroup_thaw(c->cg, timeout_ms, err) < 0)
                return -1;
        return b->resume ? b->resume(&c->st, err) : 0;
}

int cmd_resume(KAGO_COMMAND_ARGS)
{
        struct cgroup_cmd c;
        const char *id = NULL;
        int timeout_ms, rc = -1;

        if (cgroup_cmd_parse_args("resume", argc, argv, &timeout_ms, &id, err) < 0)
                return -1;
        if (cgroup_cmd_open(g->root, id, true, &c, err) == 0) {
                if (c.status != STATUS_PAUSED)
                        kago_err_set(err, "container \"%s\" is not paused (it is %s)", id,
                                     container_status_name(c.status));
                else
                        rc = resume_container(&c, timeout_ms, err);
        }
        cgroup_cmd_close(&c);
        return rc < 0 ? kago_err_wrap(err, "resume") : 0;
}
