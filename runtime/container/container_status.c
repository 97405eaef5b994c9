/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The status of a container, derived from its live init process. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "container.h"

enum container_status container_status_get(int dirfd, const struct container_state *st)
{
        if (st->creating || st->pid <= 0)
                return STATUS_CREATING;
        if (!proc_is_alive(st->pid, st->start_time))
                return STATUS_STOPPED;
        if (exec_fifo_exists(dirfd))
                return STATUS_CREATED;
        if (container_cgroup_is_frozen(st))
                return STATUS_PAUSED;
        return STATUS_RUNNING;
}

int pid_file_write(const char *path, pid_t pid, struct kago_err *err)
{
        char buf[32];
        int n = snprintf(buf, sizeof buf, "%d", (int)pid);

        if (file_write_atomic_at(AT_FDCWD, path, buf, (size_t)n, 0644, err) < 0)
                return kago_err_wrap(err, "--pid-file");
        return 0;
}
