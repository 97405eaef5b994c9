/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Messages between kago create and the container's init over a SOCK_SEQPACKET
 * socketpair: a type, and for errors the message. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "container.h"

struct sync_msg {
        int type;
        char text[KAGO_ERR_MSG_MAX + 256];
};

int sync_send(int fd, enum sync_type type, const char *msg)
{
        struct sync_msg m = { .type = type };
        if (msg)
                snprintf(m.text, sizeof m.text, "%s", msg);
        size_t len = offsetof(struct sync_msg, text) + strlen(m.text) + 1;
        ssize_t n;
        do
                n = send(fd, &m, len, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        return n == (ssize_t)len ? 0 : -1;
}

int sync_recv(int fd, enum sync_type *type, struct kago_err *msg, struct kago_err *err)
{
        struct sync_msg m = { 0 };
        ssize_t n;

        do
                n = recv(fd, &m, sizeof m - 1, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return kago_err_errno(err, errno, "read from the container's init");
        if (n == 0)
                return kago_err_set(err, "the container's init process exited during setup");
        if ((size_t)n < offsetof(struct sync_msg, text) + 1)
                return kago_err_set(err, "short message from the container's init");
        ((char *)&m)[n] = '\0';
        *type = (enum sync_type)m.type;
        if (msg)
                kago_err_set(msg, "%s", m.text);
        return 0;
}

int sync_expect(int fd, enum sync_type want, struct kago_err *err)
{
        enum sync_type got = 0;
        struct kago_err msg = { 0 };

        if (sync_recv(fd, &got, &msg, err) < 0)
                return -1;
        if (got == SYNC_ERROR)
                return kago_err_set(err, "%s", msg.msg);
        if (got != want)
                return kago_err_set(err, "unexpected message %d from the container's init", got);
        return 0;
}
