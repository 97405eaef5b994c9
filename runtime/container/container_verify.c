/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Before kago signals a container's init it checks that the recorded pid is
 * the container's: a state file (forged, stale, or written by a kago that
 * was killed half-way) must never make kago signal the host's init, itself,
 * one of its ancestors, or any process outside the container's cgroup. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/syscall.h>

#include "container.h"

/* The parent pid from /proc/PID/stat ("pid (comm) S ppid ..."); 0 when unknown. */
static pid_t proc_parent(pid_t pid)
{
        char path[64];
        _cleanup_free_ char *buf = NULL;
        struct kago_err ignored = { 0 };
        int ppid = 0;

        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        if (file_read_at(AT_FDCWD, path, 4096, &buf, NULL, &ignored) < 0)
                return 0;
        const char *p = strrchr(buf, ')');
        if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
                return 0;
        return (pid_t)ppid;
}

/* Whether pid is kago itself or one of the processes it descends from. */
static bool proc_is_own_ancestor(pid_t pid)
{
        pid_t p = getpid();

        for (int depth = 0; p > 0 && depth < 4096; depth++) {
                if (p == pid)
                        return true;
                p = proc_parent(p);
        }
        return false;
}

/* The value of the first line of /proc/PID/FILE that starts with prefix. */
static char *proc_line(pid_t pid, const char *file, const char *prefix)
{
        char path[64];
        _cleanup_free_ char *buf = NULL;
        struct kago_err ignored = { 0 };
        size_t n = strlen(prefix);

        snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
        if (file_read_at(AT_FDCWD, path, 1 << 16, &buf, NULL, &ignored) < 0)
                return NULL;
        for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
                if (strncmp(l, prefix, n) == 0)
                        return xstrdup(l + n);
        return NULL;
}

/* cgroup is path itself or below it. */
static bool cgroup_within(const char *cgroup, const char *path)
{
        size_t n = strlen(path);

        while (n > 0 && path[n - 1] == '/')
                n--;
        return strncmp(cgroup, path, n) == 0 && (cgroup[n] == '\0' || cgroup[n] == '/');
}

char *proc_cgroup(pid_t pid)
{
        return proc_line(pid, "cgroup", "0::");
}

bool proc_in_cgroup(pid_t pid, const char *path)
{
        _cleanup_free_ char *cg = proc_cgroup(pid);
        return cg && cgroup_within(cg, path);
}

static int check_cgroup(const struct container_state *st, struct kago_err *err)
{
        _cleanup_free_ char *cg = proc_cgroup(st->pid);

        if (!cg)
                return kago_err_set(err, "container \"%s\": cannot read the cgroup of pid %d: "
                                         "refusing to signal it", st->id, (int)st->pid);
        if (!cgroup_within(cg, st->cgroup_path))
                return kago_err_set(err, "container \"%s\": pid %d is in cgroup %s, not in the "
                                         "container's %s: refusing to signal it",
                                    st->id, (int)st->pid, cg, st->cgroup_path);
        return 0;
}

/* Without a cgroup, an init of its own pid namespace is pid 1 there. */
static int check_pidns(const struct container_state *st, struct kago_err *err)
{
        _cleanup_free_ char *nspid = proc_line(st->pid, "status", "NSpid:");
        const char *last = nspid ? strrchr(nspid, '\t') : NULL;

        /* "\tHOSTPID\t...\t1": one pid per level, the innermost last. */
        if (!last || last == strchr(nspid, '\t') || strcmp(last + 1, "1") != 0)
                return kago_err_set(err, "container \"%s\": pid %d is not the init of a pid "
                                         "namespace of its own: refusing to signal it",
                                    st->id, (int)st->pid);
        return 0;
}

static int check_init(const struct container_state *st, struct kago_err *err)
{
        if (st->pid == 1)
                return kago_err_set(err, "container \"%s\": the state names pid 1, the host's "
                                         "init: refusing to signal it", st->id);
        if (proc_is_own_ancestor(st->pid))
                return kago_err_set(err, "container \"%s\": the state names pid %d, which is "
                                         "kago or one of its ancestors: refusing to signal it",
                                    st->id, (int)st->pid);
        if (container_has_cgroup(st))
                return check_cgroup(st, err);
        if (st->own_pidns)
                return check_pidns(st, err);
        return 0;
}

/* The process of pidfd has exited (a zombie, or reaped). */
static bool pidfd_exited(int pidfd)
{
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        return poll(&p, 1, 0) == 1;
}

int container_open_init(const struct container_state *st, int *pidfd, struct kago_err *err)
{
        *pidfd = -1;
        if (st->pid <= 0)
                return 0;
        _cleanup_close_ int fd = proc_open_pidfd(st->pid, st->start_time);
        if (fd < 0)
                return 0;
        /* The pidfd pins the process: what is checked now is what gets
         * signalled. An init that exits meanwhile (a delete's SIGKILL lands)
         * fails the check when its /proc entry goes: it is not running. */
        struct kago_err why = { 0 };
        if (check_init(st, &why) < 0) {
                if (pidfd_exited(fd))
                        return 0;
                *err = why;
                return -1;
        }
        *pidfd = TAKE_FD(fd);
        return 0;
}
