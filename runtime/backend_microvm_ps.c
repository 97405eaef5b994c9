/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kago ps of a microVM container: the guest's processes, from its agent
 * (the host sees only the VMM). The table has the columns PID PPID UID CMD;
 * --format json is the array of guest pids. ps(1) options belong to the
 * host's ps and are refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../microvm/microvm.h"
#include "backend.h"

#define VM_PS_TIMEOUT_MS 30000

static void vm_ps_print(char *text, bool json)
{
        char *save = NULL;
        bool first = true;
        if (json)
                fputc('[', stdout);
        else
                printf("%7s %7s %7s  %s\n", "PID", "PPID", "UID", "CMD");
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                long pid, ppid, uid;
                int cmd = 0;
                if (sscanf(line, "%ld %ld %ld %n", &pid, &ppid, &uid, &cmd) < 3 || !cmd)
                        continue;
                if (json)
                        printf("%s%ld", first ? "" : ",", pid);
                else
                        printf("%7ld %7ld %7ld  %s\n", pid, ppid, uid, line + cmd);
                first = false;
        }
        if (json)
                fputs("]\n", stdout);
}

int vm_ps(const struct container_state *st, int dirfd, bool json, char **args, int n_args,
          struct kago_err *err)
{
        if (n_args)
                return kago_err_set(err, "ps: container \"%s\" runs as a microVM: its guest's "
                                         "list has fixed columns (PID PPID UID CMD) and takes no "
                                         "ps(1) options (got \"%s\")", st->id, args[0]);
        _cleanup_free_ char *text = NULL;
        if (microvm_ps(dirfd, st->id, VM_PS_TIMEOUT_MS, &text, err) < 0)
                return kago_err_wrap(err, "ps: microVM");
        vm_ps_print(text, json);
        return 0;
}
