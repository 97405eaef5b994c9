/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A route netlink socket, opened in a chosen network namespace, and the
 * request/ACK exchange every operation goes through. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <time.h>

#include "internal.h"

struct netns_nl {
        struct mnl_socket *sock;
        uint32_t portid;
        uint32_t seq;
};

static int nl_socket_in(struct netns_nl *nl, int nsfd, struct kago_err *err)
{
        int fd = netns_socket_in(nsfd, AF_NETLINK, SOCK_RAW, err);

        if (fd < 0)
                return kago_err_wrap(err, "route netlink");
        nl->sock = mnl_socket_fdopen(fd);
        if (!nl->sock) {
                close(fd);
                return kago_err_errno(err, errno, "open a route netlink socket");
        }
        if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
                return kago_err_errno(err, errno, "bind a route netlink socket");
        nl->portid = mnl_socket_get_portid(nl->sock);
        return 0;
}

/* A socket belongs to the namespace it was made in: join nsfd for the
 * socket() call, then come back. */
int netns_socket_in(int nsfd, int domain, int type, struct kago_err *err)
{
        _cleanup_close_ int self = -1;
        int fd;

        if (nsfd < 0) {
                fd = socket(domain, type | SOCK_CLOEXEC, 0);
                return fd < 0 ? kago_err_errno(err, errno, "open a socket") : fd;
        }
        self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (self < 0)
                return kago_err_errno(err, errno, "open /proc/thread-self/ns/net");
        if (setns(nsfd, CLONE_NEWNET) < 0)
                return kago_err_errno(err, errno, "join network namespace (fd %d)", nsfd);
        fd = socket(domain, type | SOCK_CLOEXEC, 0);
        int e = errno;
        if (setns(self, CLONE_NEWNET) < 0) {
                if (fd >= 0)
                        close(fd);
                return kago_err_errno(err, errno, "return to kago's network namespace");
        }
        return fd < 0 ? kago_err_errno(err, e, "open a socket in network namespace (fd %d)", nsfd)
                      : fd;
}

int netns_nl_open(int nsfd, struct netns_nl **out, struct kago_err *err)
{
        struct netns_nl *nl = xcalloc(1, sizeof *nl);
        int rc = nl_socket_in(nl, nsfd, err);

        if (rc < 0) {
                netns_nl_close(nl);
                return -1;
        }
        nl->seq = (uint32_t)time(NULL);
        *out = nl;
        return 0;
}

void netns_nl_close(struct netns_nl *nl)
{
        if (nl->sock)
                mnl_socket_close(nl->sock);
        free(nl);
}

uint32_t netns_nl_seq(struct netns_nl *nl)
{
        return ++nl->seq;
}

int netns_nl_request(struct netns_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
        _cleanup_free_ char *buf = xmalloc(MNL_SOCKET_BUFFER_SIZE);
        int rc = MNL_CB_OK;

        if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
                return -1;
        do {
                ssize_t n = mnl_socket_recvfrom(nl->sock, buf, MNL_SOCKET_BUFFER_SIZE);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -1;
                }
                rc = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, nl->portid, cb, data);
        } while (rc > MNL_CB_STOP);
        return rc < 0 ? -1 : 0;
}
