/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kago pause [--timeout DURATION] ID: freeze every process of the container
 * (its cgroup; for a microVM that is the VMM, whose vCPUs park first). */
#include "cli.h"

/* The backend first (a microVM parks its vCPUs), then the freeze; a failed
 * freeze resumes the backend. */
static int pause_container(struct cgroup_cmd *c, int timeout_ms, struct kago_err *err)
{
        const struct kago_backend *b = backend_of_state(&c->st);
        if (b->pause && b->pause(&c->st, timeout_ms, err) < 0)
                return -1;
        if (cgroup_freeze(c->cg, timeout_ms, err) == 0)
                return 0;
        if (b->resume) {
                struct kago_err ignored = { 0 };
                b->resume(&c->st, &ignored);
        }
        return -1;
}

int cmd_pause(KAGO_COMMAND_ARGS)
{
        struct cgroup_cmd c;
        const char *id = NULL;
        int timeout_ms, rc = -1;

        if (cgroup_cmd_parse_args("pause", argc, argv, &timeout_ms, &id, err) < 0)
                return -1;
        if (cgroup_cmd_open(g->root, id, true, &c, err) == 0) {
                if (c.status == STATUS_PAUSED)
                        kago_err_set(err, "container \"%s\" is already paused", id);
                else if (c.status != STATUS_RUNNING)
                        kago_err_set(err, "container \"%s\" is not running (it is %s)", id,
                                     container_status_name(c.status));
                else
                        rc = pause_container(&c, timeout_ms, err);
        }
        cgroup_cmd_close(&c);
        return rc < 0 ? kago_err_wrap(err, "pause") : 0;
}
