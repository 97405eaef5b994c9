/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kago help [COMMAND] */
#include "cli.h"

int cmd_help(KAGO_COMMAND_ARGS)
{
        (void)g;
        if (argc > 2)
                return cli_usage_error(err, "help", "unexpected argument \"%s\"", argv[2]);
        if (argc == 1) {
                cli_print_help(stdout);
                return 0;
        }
        const struct kago_command *cmd = cli_find_command(argv[1]);
        if (!cmd)
                return cli_usage_error(err, "help", "unknown command \"%s\"", argv[1]);
        cli_print_command_help(stdout, cmd);
        return 0;
}
