/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Routes in the main table. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

int netns_route_add(struct netns_nl *nl, const struct netns_route *r, struct kago_err *err)
{
        char buf[NETNS_MSG_BUF], dst[INET6_ADDRSTRLEN] = "?", gw[INET6_ADDRSTRLEN] = "?";

        if (netns_nl_request(nl, netns_msg_route_add(buf, netns_nl_seq(nl), r), NULL, NULL) == 0)
                return 0;
        int e = errno;
        inet_ntop(r->family, r->dst, dst, sizeof dst);
        inet_ntop(r->family, r->gw, gw, sizeof gw);
        return kago_err_errno(err, e, "link index %d: add route %s/%u via %s", r->oif, dst,
                              r->dst_len, gw);
}

struct route_list {
        int family;
        struct netns_route *v;
        size_t n;
};

static int route_list_cb(const struct nlmsghdr *nlh, void *data)
{
        struct route_list *l = data;
        struct netns_route r;

        if (netns_route_parse(nlh, &r) < 0 || (l->family != AF_UNSPEC && r.family != l->family))
                return MNL_CB_OK;
        l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
        l->v[l->n++] = r;
        return MNL_CB_OK;
}

int netns_route_list(struct netns_nl *nl, int family, struct netns_route **routes, size_t *n,
                     struct kago_err *err)
{
        struct route_list l = { family, NULL, 0 };
        char buf[NETNS_MSG_BUF];

        if (netns_nl_request(nl, netns_msg_route_dump(buf, netns_nl_seq(nl), family), route_list_cb,
                             &l) < 0) {
                free(l.v);
                return kago_err_errno(err, errno, "list routes");
        }
        *routes = l.v;
        *n = l.n;
        return 0;
}
