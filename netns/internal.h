/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to netns/: one request/reply exchange on a netlink socket. */
#ifndef KAGO_NETNS_INTERNAL_H
#define KAGO_NETNS_INTERNAL_H

#include <libmnl/libmnl.h>

#include "netns.h"

/* The next sequence number for a request on nl. */
uint32_t netns_nl_seq(struct netns_nl *nl);
/* Send nlh and read replies until the ACK, NLMSG_DONE or an error; cb (may
 * be NULL) sees each data message. -1 with errno (the kernel's) on failure. */
int netns_nl_request(struct netns_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

#endif
