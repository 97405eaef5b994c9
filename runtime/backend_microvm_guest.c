/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a microVM container's guest agent tells about the guest (the host
 * sees only the VMM). kago ps: the guest's processes, a table with the
 * columns PID PPID UID CMD, or with --format json the array of guest pids;
 * ps(1) options belong to the host's ps and are refused. kago events
 * --stats: the guest's own memory and CPU view, as the member "kago.guest"
 * of runc's data object: memory {total, free, available} in bytes, cpu
 * {user, system, idle} in nanoseconds, and tasks.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../microvm/microvm.h"
#include "backend.h"

#define VM_AGENT_TIMEOUT_MS 30000
#define USER_HZ_NS UINT64_C(10000000) /* the guest kernel counts CPU time in 1/100 s */

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
        if (microvm_query(dirfd, st->id, MICROVM_QUERY_PS, VM_AGENT_TIMEOUT_MS, &text, err) < 0)
                return kago_err_wrap(err, "ps: microVM");
        vm_ps_print(text, json);
        return 0;
}

/* The value of key in "KEY VALUE" lines (0 when missing). */
static uint64_t stat_value(const char *text, const char *key)
{
        size_t n = strlen(key);
        for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
                if (strncmp(l, key, n) == 0 && l[n] == ' ')
                        return strtoull(l + n + 1, NULL, 10);
        return 0;
}

int vm_stats_extra(const struct container_state *st, int dirfd, char **json, struct kago_err *err)
{
        _cleanup_free_ char *t = NULL;
        if (microvm_query(dirfd, st->id, MICROVM_QUERY_STATS, VM_AGENT_TIMEOUT_MS, &t, err) < 0)
                return kago_err_wrap(err, "stats: microVM");
        *json = xasprintf("\"kago.guest\":{\"memory\":{\"total\":%" PRIu64 ",\"free\":%" PRIu64
                          ",\"available\":%" PRIu64 "},\"cpu\":{\"user\":%" PRIu64
                          ",\"system\":%" PRIu64 ",\"idle\":%" PRIu64 "},\"tasks\":%" PRIu64 "}",
                          stat_value(t, "memory_total"), stat_value(t, "memory_free"),
                          stat_value(t, "memory_available"), stat_value(t, "cpu_user") * USER_HZ_NS,
                          stat_value(t, "cpu_system") * USER_HZ_NS,
                          stat_value(t, "cpu_idle") * USER_HZ_NS, stat_value(t, "tasks"));
        return 0;
}
