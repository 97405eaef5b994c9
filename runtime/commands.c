/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command table: one line per command, each implemented in its cmd_*.c. */
#include "commands.h"

const struct kago_command kago_commands[] = {
        { "help", "show the commands, or one command's options", "[COMMAND]\n", cmd_help },
        { "spec", "write a default config.json into a bundle", "[--bundle DIR] [--rootless]\n\n  -b, --bundle DIR  the bundle directory (default: the current directory)\n  --rootless        a config for an unprivileged user: user namespace, host network\n", cmd_spec },
        { "features", "print the runtime-spec features document (JSON)", "\n", cmd_features },
        { NULL, NULL, NULL, NULL },
};
