/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command table: one line per command, each implemented in its cmd_*.c. */
#include "commands.h"

const struct kago_command kago_commands[] = {
        { "help", "show the commands, or one command's options", "[COMMAND]\n", cmd_help },
        { NULL, NULL, NULL, NULL },
};
