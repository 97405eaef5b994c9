/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The exec fifo in the container's state directory. The init process opens it
 * read-write (so it never sees end-of-file) while kago create runs, then blocks
 * reading one byte once the sandbox is ready. kago start opens it write-only
 * without blocking — which fails with ENXIO when no init holds it any more —
 * writes the byte, removes the fifo and waits for init's exec; "created"
 * means the fifo exists.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>

#include "container.h"

#define EXEC_WAIT_MS 10000

int exec_fifo_make(int dirfd, struct kago_err *err)
{
        if (mkfifoat(dirfd, STATE_EXEC_FIFO, 0600) < 0)
                return kago_err_errno(err, errno, "mkfifo %s", STATE_EXEC_FIFO);
        return 0;
}

int exec_fifo_open_for_init(int dirfd, int *fd, struct kago_err *err)
{
        int f = openat(dirfd, STATE_EXEC_FIFO, O_RDWR | O_CLOEXEC);
        if (f < 0)
                return kago_err_errno(err, errno, "open %s", STATE_EXEC_FIFO);
        *fd = f;
        return 0;
}

int exec_fifo_wait(int fd, struct kago_err *err)
{
        char c;
        ssize_t n;

        do
                n = read(fd, &c, 1);
        while (n < 0 && errno == EINTR);
        if (n != 1)
                return kago_err_errno(err, n < 0 ? errno : EPIPE, "wait for start on exec fifo");
        return 0;
}

bool exec_fifo_exists(int dirfd)
{
        struct stat sb;
        return fstatat(dirfd, STATE_EXEC_FIFO, &sb, AT_SYMLINK_NOFOLLOW) == 0;
}

/* init's fifo fd closes when it execs the workload (O_CLOEXEC) or dies: then
 * our write end reports POLLERR (no reader left). Waiting for that puts the
 * startContainer hooks before start returns and before the poststart hooks. */
static void exec_fifo_wait_exec(int fd)
{
        struct pollfd p = { .fd = fd, .events = 0 };
        int r;

        do
                r = poll(&p, 1, EXEC_WAIT_MS);
        while (r < 0 && errno == EINTR);
        if (r == 0)
                log_warning("init did not start the workload within %d s", EXEC_WAIT_MS / 1000);
}

int exec_fifo_release(int dirfd, struct kago_err *err)
{
        _cleanup_close_ int fd = openat(dirfd, STATE_EXEC_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENXIO)
                        return kago_err_set(err, "the container's init process is gone");
                return kago_err_errno(err, errno, "open %s", STATE_EXEC_FIFO);
        }
        if (write(fd, "0", 1) != 1)
                return kago_err_errno(err, errno, "write %s", STATE_EXEC_FIFO);
        if (unlinkat(dirfd, STATE_EXEC_FIFO, 0) < 0)
                return kago_err_errno(err, errno, "remove %s", STATE_EXEC_FIFO);
        exec_fifo_wait_exec(fd);
        return 0;
}
