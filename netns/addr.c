/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Addresses: add one, list a link's, and carry a link with its addresses
 * into another namespace (which drops them). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "internal.h"

static void addr_text(const struct netns_addr *a, char *out, size_t cap)
{
        char ip[INET6_ADDRSTRLEN] = "?";

        inet_ntop(a->family, a->local, ip, sizeof ip);
        snprintf(out, cap, "%s/%u", ip, a->prefixlen);
}

int netns_addr_add(struct netns_nl *nl, const char *name, const struct netns_addr *a,
                   struct kago_err *err)
{
        char buf[NETNS_MSG_BUF], text[INET6_ADDRSTRLEN + 8];
        int ifindex;

        if (netns_link_index(nl, name, &ifindex, err) < 0)
                return -1;
        if (netns_nl_request(nl, netns_msg_addr_add(buf, netns_nl_seq(nl), ifindex, a), NULL, NULL) < 0) {
                addr_text(a, text, sizeof text);
                return kago_err_errno(err, errno, "link \"%s\": add address %s", name, text);
        }
        return 0;
}

struct addr_list {
        int ifindex;
        struct netns_addr *v;
        size_t n;
};

static bool addr_is_link_local6(const struct netns_addr *a)
{
        return a->family == AF_INET6 && a->local[0] == 0xfe && (a->local[1] & 0xc0) == 0x80;
}

static int addr_list_cb(const struct nlmsghdr *nlh, void *data)
{
        struct addr_list *l = data;
        struct netns_addr a;
        int ifindex;

        if (netns_addr_parse(nlh, &ifindex, &a) < 0 || ifindex != l->ifindex || addr_is_link_local6(&a))
                return MNL_CB_OK;
        l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
        l->v[l->n++] = a;
        return MNL_CB_OK;
}

int netns_addr_list(struct netns_nl *nl, const char *name, struct netns_addr **addrs, size_t *n,
                    struct kago_err *err)
{
        struct addr_list l = { 0 };
        char buf[NETNS_MSG_BUF];

        if (netns_link_index(nl, name, &l.ifindex, err) < 0)
                return -1;
        if (netns_nl_request(nl, netns_msg_addr_dump(buf, netns_nl_seq(nl), AF_UNSPEC), addr_list_cb,
                             &l) < 0) {
                free(l.v);
                return kago_err_errno(err, errno, "link \"%s\": list addresses", name);
        }
        *addrs = l.v;
        *n = l.n;
        return 0;
}

int netns_link_move_with_addrs(struct netns_nl *from, struct netns_nl *to, int nsfd,
                               const char *name, const char *new_name, struct kago_err *err)
{
        _cleanup_free_ struct netns_addr *addrs = NULL;
        const char *there = new_name ? new_name : name;
        size_t n = 0;

        if (netns_addr_list(from, name, &addrs, &n, err) < 0 ||
            netns_link_move(from, name, nsfd, new_name, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++)
                if (netns_addr_add(to, there, &addrs[i], err) < 0)
                        return -1;
        return 0;
}
