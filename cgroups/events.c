/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OOM notifications: inotify on memory.events (the kernel raises IN_MODIFY
 * when a counter changes), so an OOM kill is seen the moment it happens. */
#include <errno.h>
#include <sys/inotify.h>

#include "internal.h"

int cgroup_oom_watch_open(struct cgroup *cg, int *fd, struct kago_err *err)
{
        if (cg_no_cgroup(cg, "watching for OOM kills", err))
                return -1;
        _cleanup_close_ int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (in < 0)
                return kago_err_errno(err, errno, "inotify_init1");
        _cleanup_free_ char *file = xasprintf("%s/memory.events", cg->dir);
        if (inotify_add_watch(in, file, IN_MODIFY) < 0)
                return kago_err_errno(err, errno, "watch %s%s", file,
                                      errno == ENOENT ? " (is the memory controller enabled?)" : "");
        *fd = TAKE_FD(in);
        return 0;
}

int cgroup_oom_watch_read(struct cgroup *cg, int fd, uint64_t *oom_kills, struct kago_err *err)
{
        char buf[4096];

        while (read(fd, buf, sizeof buf) > 0)
                ;
        if (cg_read_key(cg->dirfd, "memory.events", "oom_kill", oom_kills, err) < 0)
                return kago_err_wrap(err, "cgroup %s", cg->dir);
        return 0;
}
