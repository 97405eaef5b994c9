/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process.terminal: init makes a pty in the container's devpts, sends the
 * master over --console-socket (one fd with SCM_RIGHTS, the pty name as the
 * data, as conmon and runc expect) and takes the slave as its controlling
 * terminal and stdio.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>

#include "process.h"

int console_connect(const char *path, int *fd, struct kago_err *err)
{
        struct sockaddr_un addr = { .sun_family = AF_UNIX };

        if (strlen(path) >= sizeof addr.sun_path)
                return kago_err_set(err, "--console-socket: path too long: %s", path);
        strcpy(addr.sun_path, path);
        _cleanup_close_ int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return kago_err_errno(err, errno, "--console-socket: socket");
        if (connect(s, (struct sockaddr *)&addr, sizeof addr) < 0)
                return kago_err_errno(err, errno, "--console-socket: connect %s", path);
        *fd = TAKE_FD(s);
        return 0;
}

int console_send_fd(int sock, int fd, const char *name, struct kago_err *err)
{
        if (fd_send(sock, &fd, 1, name, strlen(name), err) < 0)
                return kago_err_wrap(err, "send the pty master over --console-socket");
        return 0;
}

int console_recv_fd(int sock, int *fd, struct kago_err *err)
{
        char data[256];
        size_t n = 0;

        if (fd_recv(sock, fd, 1, &n, data, sizeof data, err) < 0)
                return kago_err_wrap(err, "receive the pty master");
        if (n != 1)
                return kago_err_set(err, "receive the pty master: no file descriptor came");
        return 0;
}

int console_open_pty(int *master, char *name, size_t len, struct kago_err *err)
{
        _cleanup_close_ int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);

        if (m < 0)
                return kago_err_errno(err, errno, "open /dev/ptmx");
        if (unlockpt(m) < 0 || ptsname_r(m, name, len) != 0)
                return kago_err_errno(err, errno, "set up the pty");
        *master = TAKE_FD(m);
        return 0;
}

static int console_size(int fd, const struct oci_console_size *sz, struct kago_err *err)
{
        if (!sz)
                return 0;
        struct winsize ws = { .ws_row = (unsigned short)sz->height,
                              .ws_col = (unsigned short)sz->width };
        if (ioctl(fd, TIOCSWINSZ, &ws) < 0)
                return kago_err_errno(err, errno, "process.consoleSize");
        return 0;
}

/* /dev/console in the container is the pty (when the container has a /dev). */
static void console_bind_dev(const char *pts)
{
        struct stat sb;
        if (stat("/dev", &sb) < 0)
                return;
        int fd = open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0)
                close(fd);
        if (mount(pts, "/dev/console", NULL, MS_BIND, NULL) < 0)
                log_debug("bind %s on /dev/console: %s", pts, strerror(errno));
}

/* The pty belongs to the user the process runs as, so that it can control
 * its own terminal; the group stays what devpts gave (gid=5, tty). runc does
 * the same (fixStdioPermissions) for run and exec. */
int console_chown_pty(int fd, const char *pts, uid_t uid, struct kago_err *err)
{
        struct stat sb;

        if (fstat(fd, &sb) < 0)
                return kago_err_errno(err, errno, "stat %s", pts);
        if (sb.st_uid != uid && fchown(fd, uid, (gid_t)-1) < 0)
                return kago_err_errno(err, errno, "chown %s to process.user.uid %u", pts,
                                      (unsigned)uid);
        return 0;
}

static int console_take_slave(const char *pts, uid_t uid, struct kago_err *err)
{
        _cleanup_close_ int s = open(pts, O_RDWR | O_NOCTTY | O_CLOEXEC);

        if (s < 0)
                return kago_err_errno(err, errno, "open %s", pts);
        if (console_chown_pty(s, pts, uid, err) < 0)
                return -1;
        if (setsid() < 0 && errno != EPERM)
                return kago_err_errno(err, errno, "setsid");
        if (ioctl(s, TIOCSCTTY, 0) < 0)
                return kago_err_errno(err, errno, "make %s the controlling terminal", pts);
        for (int i = 0; i < 3; i++)
                if (dup2(s, i) < 0)
                        return kago_err_errno(err, errno, "dup2 %s", pts);
        return 0;
}

/* runc refuses a --console-socket that would get nothing ("cannot use
 * console socket if runc will not detach or allocate tty"): an engine that
 * waits on it would wait forever. */
static int console_check_no_socket(const struct container_ctx *c, struct kago_err *err)
{
        if (c->opts->console_socket)
                return kago_err_set(err, "--console-socket %s: process.terminal is false, so "
                                         "there is no terminal to send (set process.terminal, or "
                                         "drop --console-socket)", c->opts->console_socket);
        return 0;
}

/* In init, after pivot_root. */
int console_setup(struct container_ctx *c, struct kago_err *err)
{
        _cleanup_close_ int master = -1;
        char pts[64];

        if (!c->spec->process->terminal)
                return console_check_no_socket(c, err);
        if (console_open_pty(&master, pts, sizeof pts, err) < 0 ||
            console_size(master, c->spec->process->console_size, err) < 0)
                return kago_err_wrap(err, "process.terminal");
        console_bind_dev(pts);
        if (console_send_fd(c->console_fd, master, pts, err) < 0)
                return -1;
        close(c->console_fd);
        c->console_fd = -1;
        return console_take_slave(pts, c->spec->process->user.uid, err);
}
