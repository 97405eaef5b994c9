/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Entry points of the commands in the table. Internal to runtime/. */
#ifndef KAGO_RUNTIME_COMMANDS_H
#define KAGO_RUNTIME_COMMANDS_H

#include "cli.h"

#define KAGO_COMMAND_ARGS struct kago_global *g, int argc, char **argv, struct kago_err *err

int cmd_help(KAGO_COMMAND_ARGS);
int cmd_exec(KAGO_COMMAND_ARGS);
int cmd_pause(KAGO_COMMAND_ARGS);
int cmd_resume(KAGO_COMMAND_ARGS);
int cmd_update(KAGO_COMMAND_ARGS);
int cmd_events(KAGO_COMMAND_ARGS);
int cmd_ps(KAGO_COMMAND_ARGS);
int cmd_list(KAGO_COMMAND_ARGS);
int cmd_run(KAGO_COMMAND_ARGS);
int cmd_delete(KAGO_COMMAND_ARGS);
int cmd_kill(KAGO_COMMAND_ARGS);
int cmd_state(KAGO_COMMAND_ARGS);
int cmd_start(KAGO_COMMAND_ARGS);
int cmd_create(KAGO_COMMAND_ARGS);
int cmd_spec(KAGO_COMMAND_ARGS);
int cmd_features(KAGO_COMMAND_ARGS);
int cmd_checkpoint(KAGO_COMMAND_ARGS);
int cmd_restore(KAGO_COMMAND_ARGS);

#endif
