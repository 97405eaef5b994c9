/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kill: a signal to init through a pidfd, or to every process of the container. */
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>

#include "lifecycle.h"
#include "../../cgroups/cgroups.h"

static int kill_init(const struct container_state *st, int signo, struct kago_err *err)
{
        _cleanup_close_ int pfd = -1;

        if (container_open_init(st, &pfd, err) < 0)
                return -1;
        if (pfd < 0)
                return kago_err_set(err, "container \"%s\": container not running", st->id);
        if (syscall(SYS_pidfd_send_signal, pfd, signo, NULL, 0) < 0)
                return kago_err_errno(err, errno, "container \"%s\": signal %d to init (pid %d)",
                                      st->id, signo, (int)st->pid);
        return 0;
}

static int kill_all(const struct container_state *st, int signo, struct kago_err *err)
{
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        _cleanup_close_ int pfd = -1;
        size_t n;

        /* A recorded init that is not the container's means a bad record:
         * then nothing it names is signalled. */
        if (container_open_init(st, &pfd, err) < 0 || container_cgroup_open_owned(st, &cg, err) < 0)
                return -1;
        if (cg)
                return cgroup_kill_all(cg, signo, err);
        /* A pid namespace dies with its init: SIGKILL to init is enough. */
        if (st->own_pidns && signo == SIGKILL)
                return kill_init(st, signo, err);
        if (container_pids(st, &pids, &n, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++)
                if (kill(pids[i], signo) < 0 && errno != ESRCH)
                        return kago_err_errno(err, errno, "signal %d to pid %d", signo,
                                              (int)pids[i]);
        return 0;
}

int container_signal(const struct container_state *st, int signo, bool all, struct kago_err *err)
{
        return all ? kill_all(st, signo, err) : kill_init(st, signo, err);
}

int container_kill(struct kago_global *g, const char *id, int signo, bool all,
                   struct kago_err *err)
{
        _cleanup_close_ int rootfd = -1, dirfd = -1;
        struct container_state st = { 0 };

        if (store_open_root(g->root, &rootfd, err) < 0 || store_open(rootfd, id, &dirfd, err) < 0 ||
            store_read_state(dirfd, id, &st, err) < 0)
                return -1;
        enum container_status s = container_status_get(dirfd, &st);
        int rc;
        if (s == STATUS_STOPPED || s == STATUS_CREATING)
                rc = kago_err_set(err, "container \"%s\": container not running", id);
        else
                rc = container_signal(&st, signo, all, err);
        container_state_free(&st);
        return rc;
}
