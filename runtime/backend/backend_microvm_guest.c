/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a microVM container's guest agent tells about the guest (the host
 * sees only the VMM). kago ps: the guest's processes, a table with the
 * columns PID PPID UID CMD (--format json stays the host pids engines
 * expect); ps(1) options belong to the host's ps and are refused. kago events
 * --stats: the guest's own memory and CPU view, as the member "kago.guest"
 * of runc's data object: memory {total, free, available} in bytes, cpu
 * {user, system, idle} in nanoseconds, and tasks. kago update --memory:
 * the guest keeps to the new limit less the VMM's overhead (as at create)
 * through its balloon, shrinking before the cgroup limit falls and growing
 * after it rose; a guest that could
 * not give that much back without starving is refused, and a guest never
 * grows beyond the RAM it booted with (no memory hotplug).
 */
#include <inttypes.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../microvm/microvm.h"
#include "backend.h"

#define VM_AGENT_TIMEOUT_MS 30000
#define USER_HZ_NS UINT64_C(10000000) /* the guest kernel counts CPU time in 1/100 s */

static void vm_ps_print(char *text)
{
        char *save = NULL;
        printf("%7s %7s %7s  %s\n", "PID", "PPID", "UID", "CMD");
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                long pid, ppid, uid;
                int cmd = 0;
                if (sscanf(line, "%ld %ld %ld %n", &pid, &ppid, &uid, &cmd) >= 3 && cmd)
                        printf("%7ld %7ld %7ld  %s\n", pid, ppid, uid, line + cmd);
        }
}

int vm_ps(const struct container_state *st, int dirfd, char **args, int n_args,
          struct kago_err *err)
{
        if (n_args)
                return kago_err_set(err, "ps: container \"%s\" runs as a microVM: its guest's "
                                         "list has fixed columns (PID PPID UID CMD) and takes no "
                                         "ps(1) options (got \"%s\")", st->id, args[0]);
        _cleanup_free_ char *text = NULL;
        if (microvm_query(dirfd, st->id, MICROVM_QUERY_PS, VM_AGENT_TIMEOUT_MS, &text, err) < 0)
                return kago_err_wrap(err, "ps: microVM");
        vm_ps_print(text);
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

/* What the guest must keep free besides what it gives back: its kernel's
 * own needs when memory runs short. */
#define VM_BALLOON_RESERVE (16ull << 20)
#define VM_BALLOON_WAIT_MS 30000

/* Whether the guest can give `more` bytes back without starving. */
static int vm_balloon_fits(const struct container_state *st, int dirfd, uint64_t more,
                           uint64_t keep, struct kago_err *err)
{
        _cleanup_free_ char *t = NULL;
        if (microvm_query(dirfd, st->id, MICROVM_QUERY_STATS, VM_AGENT_TIMEOUT_MS, &t, err) < 0)
                return -1;
        uint64_t avail = stat_value(t, "memory_available");
        if (more + VM_BALLOON_RESERVE <= avail)
                return 0;
        return kago_err_set(err, "--memory: the guest would keep %" PRIu64 " MiB, but it uses more: "
                                 "only %" PRIu64 " MiB of it is available (refused rather than "
                                 "starving the guest)", keep >> 20, avail >> 20);
}

/* Until the guest has given back (or taken back) what it was asked. */
static int vm_balloon_wait(const struct container_state *st, int dirfd, bool shrink,
                           struct kago_err *err)
{
        struct microvm_balloon b;
        for (int ms = 0;; ms += 50) {
                if (microvm_balloon(dirfd, st->id, 0, &b, err) < 0)
                        return -1;
                if (b.given == b.target || (shrink && b.given > b.target))
                        return 0;
                if (ms >= VM_BALLOON_WAIT_MS)
                        return kago_err_set(err, "--memory: the guest gave back %" PRIu64 " of %" PRIu64
                                                 " MiB within %d s", b.given >> 20, b.target >> 20,
                                            VM_BALLOON_WAIT_MS / 1000);
                nanosleep(&(struct timespec){ 0, 50 * 1000000L }, NULL);
        }
}

int vm_update(const struct container_state *st, enum container_status status, int dirfd,
              const struct oci_linux_resources *r, bool after_cgroup, struct kago_err *err)
{
        if (!r->memory || !r->memory->limit.set || status == STATUS_CREATED)
                return 0; /* not booted yet: nothing to give back */
        if (status == STATUS_PAUSED)
                return kago_err_set(err, "--memory: container \"%s\" is paused: its guest cannot "
                                         "give memory back until kago resume", st->id);
        struct microvm_balloon now;
        if (microvm_balloon(dirfd, st->id, 0, &now, err) < 0)
                return kago_err_wrap(err, "microVM");
        int64_t limit = r->memory->limit.value;
        uint64_t keep = now.ram;
        if (limit > 0 && microvm_memory_from_limit(limit, &keep, err) < 0)
                return kago_err_wrap(err, "--memory %" PRId64, limit);
        keep = keep < now.ram ? keep : now.ram;
        uint64_t give = now.ram - keep;
        /* Shrink before the cgroup limit falls, grow once it has risen: a
         * failed cgroup update then leaves a guest within both limits. */
        if ((give < now.target) != after_cgroup)
                return 0;
        if (give > now.given && vm_balloon_fits(st, dirfd, give - now.given, keep, err) < 0)
                return -1;
        struct microvm_balloon was = now;
        if (microvm_balloon(dirfd, st->id, keep, &now, err) < 0)
                return kago_err_wrap(err, "microVM");
        if (vm_balloon_wait(st, dirfd, give > was.given, err) == 0)
                return 0;
        struct kago_err ignored = { 0 };
        microvm_balloon(dirfd, st->id, was.ram - was.target, &now, &ignored); /* as it was */
        return -1;
}
