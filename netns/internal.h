/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to netns/: one request/reply exchange on a netlink socket. */
#ifndef KAGO_NETNS_INTERNAL_H
#define KAGO_NETNS_INTERNAL_H

#include <libmnl/libmnl.h>

#include "netns.h"

/* Whether nlh is a reply of type with room for its fixed header hdrlen,
 * and a length the kernel gives it (a multiple of 4: libmnl walks the
 * attributes up to the aligned end). */
static inline bool netns_reply_ok(const struct nlmsghdr *nlh, uint16_t type, size_t hdrlen)
{
        return nlh->nlmsg_type == type && nlh->nlmsg_len >= mnl_nlmsg_size(hdrlen) &&
               nlh->nlmsg_len == MNL_ALIGN(nlh->nlmsg_len);
}

/* The next sequence number for a request on nl. */
uint32_t netns_nl_seq(struct netns_nl *nl);
/* Send nlh and read replies until the ACK, NLMSG_DONE or an error; cb (may
 * be NULL) sees each data message. -1 with errno (the kernel's) on failure. */
int netns_nl_request(struct netns_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

#endif
