/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Routes in the main table. */
#include <arpa/inet.h>
#include <errno.h>

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
