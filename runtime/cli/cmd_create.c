/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kago create [options] ID */
#include "cli.h"

int cmd_create(KAGO_COMMAND_ARGS)
{
        struct create_opts o;
        pid_t pid;

        if (create_opts_parse("create", argc, argv, &o, NULL, err) < 0)
                return -1;
        /* init runs kago's code in the container until start: from a sealed copy. */
        if (exe_guard_ensure(err) < 0)
                return -1;
        return container_create(g, &o, &pid, err) < 0 ? -1 : 0;
}
