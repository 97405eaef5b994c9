/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for netns/'s readers of the kernel's rtnetlink replies
 * (netns_addr_parse, netns_link_info_parse, netns_route_parse): an input is a stream of
 * netlink messages as a recvmsg would return it. Each whole message is
 * copied into a heap block of exactly its length, so ASan sees any read
 * beyond it, and goes through every parser; what they accept must be sane
 * (a family kago asked for, NUL-terminated kind and name, a route prefix
 * no longer than its address).
 * Crashes, leaks and sanitizer reports are findings; each one is kept in
 * tests/fuzz/regressions/netlink/.
 */
#include <libmnl/libmnl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../netns/netns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_one(const struct nlmsghdr *nlh)
{
        struct netns_link_info info;
        struct netns_addr a;
        struct netns_route r;
        int ifindex;

        if (netns_addr_parse(nlh, &ifindex, &a) == 0 && a.family != AF_INET && a.family != AF_INET6)
                abort();
        if (netns_link_info_parse(nlh, &info) == 0 &&
            (strnlen(info.kind, sizeof info.kind) == sizeof info.kind ||
             strnlen(info.name, sizeof info.name) == sizeof info.name))
                abort();
        if (netns_route_parse(nlh, &r) == 0 &&
            ((r.family != AF_INET && r.family != AF_INET6) || r.dst_len > (r.family == AF_INET ? 32 : 128)))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* Aligned as a receive buffer is. */
        uint32_t *stream = malloc(size + 4);
        memcpy(stream, data, size);
        const struct nlmsghdr *nlh = (const void *)stream;
        int left = (int)size;

        /* mnl_nlmsg_ok compares nlmsg_len as an int: a length above 2^31
         * would pass it. The kernel never sends one; the harness skips it. */
        while (mnl_nlmsg_ok(nlh, left) && nlh->nlmsg_len <= (uint32_t)left) {
                struct nlmsghdr *copy = malloc(nlh->nlmsg_len);
                memcpy(copy, nlh, nlh->nlmsg_len);
                parse_one(copy);
                free(copy);
                nlh = mnl_nlmsg_next(nlh, &left);
        }
        free(stream);
        return 0;
}
