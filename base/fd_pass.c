/* SPDX-License-Identifier: GPL-2.0-or-later */
/* File descriptors over a unix socket: one sendmsg / recvmsg carrying data
 * and SCM_RIGHTS. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "base.h"

/* Control buffer for FD_PASS_MAX fds, aligned for cmsghdr. */
union fd_pass_control {
        char buf[CMSG_SPACE(sizeof(int) * FD_PASS_MAX)];
        struct cmsghdr align;
};

int fd_send(int sock, const int *fds, size_t n, const void *data, size_t len, struct kago_err *err)
{
        union fd_pass_control u;
        struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
        ssize_t r;

        if (n > FD_PASS_MAX)
                return kago_err_set(err, "send %zu fds: at most %d go in one message", n,
                                    FD_PASS_MAX);
        if (len == 0)
                return kago_err_set(err, "send fds: a message needs at least one byte of data");
        if (n > 0) {
                memset(&u, 0, sizeof u);
                msg.msg_control = u.buf;
                msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
                struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * n);
                memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
        }
        do
                r = sendmsg(sock, &msg, MSG_NOSIGNAL);
        while (r < 0 && errno == EINTR);
        if (r < 0)
                return kago_err_errno(err, errno, "send %zu fd%s", n, n == 1 ? "" : "s");
        if ((size_t)r != len)
                return kago_err_set(err, "send %zu fd%s: short write (%zd of %zu bytes)", n,
                                    n == 1 ? "" : "s", r, len);
        return 0;
}

/* Take the fds of every SCM_RIGHTS header; those beyond max are closed. */
static size_t fd_pass_collect(struct msghdr *msg, int *fds, size_t max, size_t *extra)
{
        size_t got = 0;

        *extra = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < k; i++) {
                        int fd;
                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                        if (got < max)
                                fds[got++] = fd;
                        else {
                                close(fd);
                                (*extra)++;
                        }
                }
        }
        return got;
}

static void fd_pass_close_all(int *fds, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                close(fds[i]);
                fds[i] = -1;
        }
}

ssize_t fd_recv(int sock, int *fds, size_t max, size_t *nfds, void *data, size_t cap,
                struct kago_err *err)
{
        union fd_pass_control u;
        struct iovec iov = { .iov_base = data, .iov_len = cap };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                              .msg_controllen = sizeof u.buf };
        size_t extra;
        ssize_t r;

        *nfds = 0;
        do
                r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        while (r < 0 && errno == EINTR);
        if (r < 0)
                return kago_err_errno(err, errno, "receive fds");
        size_t got = fd_pass_collect(&msg, fds, max, &extra);
        if (extra || (msg.msg_flags & MSG_CTRUNC)) {
                fd_pass_close_all(fds, got);
                return kago_err_set(err, "receive fds: more came than the %zu expected", max);
        }
        *nfds = got;
        return r;
}
