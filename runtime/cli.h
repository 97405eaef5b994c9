/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command table and the options every command shares. Internal to runtime/. */
#ifndef KAGO_RUNTIME_CLI_H
#define KAGO_RUNTIME_CLI_H

#include "../base/base.h"

#define KAGO_DEFAULT_ROOT "/run/kago"

enum cgroup_manager { CGROUP_MANAGER_CGROUPFS, CGROUP_MANAGER_SYSTEMD, CGROUP_MANAGER_DISABLED };

/* Global options, given before the command name. */
struct kago_global {
        const char *root;
        const char *log_path;
        enum kago_log_format log_format;
        enum kago_log_level log_level;
        enum cgroup_manager cgroup_manager;
        bool vm;      /* invoked as kago-vm */
        const char *argv0;
        int error_exit; /* the exit status of a failed command: 0 means 1; exec sets 255 */
};

struct kago_command {
        const char *name;
        const char *summary;
        const char *usage; /* full --help text after the "Usage:" line */
        int (*run)(struct kago_global *g, int argc, char **argv, struct kago_err *err);
};

/* All commands, NULL-terminated by name. */
extern const struct kago_command kago_commands[];
const struct kago_command *cli_find_command(const char *name);
void cli_print_command_help(FILE *f, const struct kago_command *cmd);
void cli_print_help(FILE *f);
void cli_print_version(FILE *f);
/* An error for a usage mistake; the message names the bad word. */
int cli_usage_error(struct kago_err *err, const char *cmd, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* After getopt: the one container id left at argv[optind] (missing or
 * followed by more words: a usage error). */
int cli_take_id(const char *cmd, int argc, char **argv, const char **id, struct kago_err *err);
/* True when argv holds -h/--help before any "--". */
bool cli_wants_help(int argc, char **argv);
/* Standard getopt error handling: turns '?'/':' into a usage error naming the flag. */
int cli_bad_option(struct kago_err *err, const char *cmd, int opt, char **argv);

#endif
