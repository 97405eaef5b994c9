/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kago start ID */
#include "cli.h"

int cmd_start(KAGO_COMMAND_ARGS)
{
        if (argc != 2)
                return cli_usage_error(err, "start", argc < 2 ? "missing container id"
                                                              : "expected one container id");
        if (argv[1][0] == '-')
                return cli_usage_error(err, "start", "unknown flag: %s", argv[1]);
        return container_start(g, argv[1], err) < 0 ? -1 : 0;
}
