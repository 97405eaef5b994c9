/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kago pause [--timeout DURATION] ID: freeze every process of the container
 * (its cgroup; for a microVM that is the VMM and so the guest). */
#include "cgroup_cmd.h"
#include "commands.h"

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
                        rc = cgroup_freeze(c.cg, timeout_ms, err);
        }
        cgroup_cmd_close(&c);
        return rc < 0 ? kago_err_wrap(err, "pause") : 0;
}
