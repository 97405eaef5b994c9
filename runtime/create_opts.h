/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Option parsing shared by create and run. Internal to runtime/. */
#ifndef KAGO_RUNTIME_CREATE_OPTS_H
#define KAGO_RUNTIME_CREATE_OPTS_H

#include "container.h"

struct run_opts {
        bool detach;
        bool keep;
};

/* r is NULL for create (no run-only flags). */
int create_opts_parse(const char *cmd, int argc, char **argv, struct create_opts *o,
                      struct run_opts *r, struct kago_err *err);

/* Forward signals to pid, a child of kago, until it exits: its exit code
 * (128+N when killed by signal N). cmd_run.c */
int run_wait_child(pid_t pid);

#define CREATE_USAGE_OPTIONS                                                                      \
        "  -b, --bundle DIR         the bundle (default: the current directory)\n"                \
        "  --pid-file FILE          write the init process's pid to FILE\n"                      \
        "  --console-socket SOCK    send the terminal's pty master to the unix socket SOCK\n"   \
        "  --no-pivot               chroot instead of pivot_root (root on ramfs)\n"             \
        "  --no-new-keyring         keep the caller's session keyring\n"                         \
        "  --preserve-fds N         pass fds 3..3+N-1 to the container\n"

#define RUN_USAGE_OPTIONS                                                                         \
        "  -d, --detach             return once the container is started\n"                      \
        "  --keep                   keep the container when it stops (no delete)\n"              \
        "  --vm                     run the container as a microVM\n"

#endif
