/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Link operations: each sends one request and names its link and what it
 * did when the kernel refuses. */
#include <errno.h>
#include <linux/rtnetlink.h>

#include "internal.h"

static int link_index_cb(const struct nlmsghdr *nlh, void *data)
{
        if (nlh->nlmsg_type == RTM_NEWLINK) {
                const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
                *(int *)data = ifi->ifi_index;
        }
        return MNL_CB_OK;
}

static int link_lookup(struct netns_nl *nl, const char *name, int *ifindex)
{
        char buf[NETNS_MSG_BUF];

        *ifindex = 0;
        if (netns_nl_request(nl, netns_msg_link_get(buf, netns_nl_seq(nl), name), link_index_cb,
                             ifindex) < 0)
                return -1;
        if (*ifindex <= 0) {
                errno = ENODEV;
                return -1;
        }
        return 0;
}

int netns_link_index(struct netns_nl *nl, const char *name, int *ifindex, struct kago_err *err)
{
        if (link_lookup(nl, name, ifindex) < 0)
                return kago_err_errno(err, errno, "link \"%s\"", name);
        return 0;
}

int netns_link_exists(struct netns_nl *nl, const char *name, bool *exists, struct kago_err *err)
{
        int ifindex;

        *exists = link_lookup(nl, name, &ifindex) == 0;
        if (!*exists && errno != ENODEV)
                return kago_err_errno(err, errno, "link \"%s\"", name);
        return 0;
}

/* Look name up, build the request for its index, send it. */
typedef struct nlmsghdr *(*link_msg_fn)(void *buf, uint32_t seq, int ifindex, const void *arg);

static int link_do(struct netns_nl *nl, const char *name, const char *what, link_msg_fn build,
                   const void *arg, struct kago_err *err)
{
        char buf[NETNS_MSG_BUF];
        int ifindex;

        if (netns_link_index(nl, name, &ifindex, err) < 0)
                return -1;
        if (netns_nl_request(nl, build(buf, netns_nl_seq(nl), ifindex, arg), NULL, NULL) < 0)
                return kago_err_errno(err, errno, "link \"%s\": %s", name, what);
        return 0;
}

int netns_veth_create(struct netns_nl *nl, const char *name, const char *peer, int peer_nsfd,
                      struct kago_err *err)
{
        char buf[NETNS_MSG_BUF];

        if (netns_nl_request(nl, netns_msg_veth_create(buf, netns_nl_seq(nl), name, peer, peer_nsfd),
                             NULL, NULL) < 0)
                return kago_err_errno(err, errno, "link \"%s\": create veth with peer \"%s\"%s", name,
                                      peer, peer_nsfd >= 0 ? " in another network namespace" : "");
        return 0;
}

struct move_arg {
        int nsfd;
        const char *new_name;
};

static struct nlmsghdr *build_move(void *buf, uint32_t seq, int ifindex, const void *arg)
{
        const struct move_arg *m = arg;
        return netns_msg_link_move(buf, seq, ifindex, m->nsfd, m->new_name);
}

int netns_link_move(struct netns_nl *nl, const char *name, int nsfd, const char *new_name,
                    struct kago_err *err)
{
        struct move_arg m = { nsfd, new_name };
        _cleanup_free_ char *what = new_name ? xasprintf("move to network namespace as \"%s\"", new_name)
                                             : xstrdup("move to network namespace");
        return link_do(nl, name, what, build_move, &m, err);
}

static struct nlmsghdr *build_rename(void *buf, uint32_t seq, int ifindex, const void *arg)
{
        return netns_msg_link_rename(buf, seq, ifindex, arg);
}

int netns_link_rename(struct netns_nl *nl, const char *name, const char *new_name,
                      struct kago_err *err)
{
        _cleanup_free_ char *what = xasprintf("rename to \"%s\"", new_name);
        return link_do(nl, name, what, build_rename, new_name, err);
}

static struct nlmsghdr *build_updown(void *buf, uint32_t seq, int ifindex, const void *arg)
{
        return netns_msg_link_updown(buf, seq, ifindex, *(const bool *)arg);
}

int netns_link_set_up(struct netns_nl *nl, const char *name, bool up, struct kago_err *err)
{
        return link_do(nl, name, up ? "set up" : "set down", build_updown, &up, err);
}

static struct nlmsghdr *build_mtu(void *buf, uint32_t seq, int ifindex, const void *arg)
{
        return netns_msg_link_mtu(buf, seq, ifindex, *(const uint32_t *)arg);
}

int netns_link_set_mtu(struct netns_nl *nl, const char *name, uint32_t mtu, struct kago_err *err)
{
        _cleanup_free_ char *what = xasprintf("set mtu %u", mtu);
        return link_do(nl, name, what, build_mtu, &mtu, err);
}

static struct nlmsghdr *build_mac(void *buf, uint32_t seq, int ifindex, const void *arg)
{
        return netns_msg_link_mac(buf, seq, ifindex, arg);
}

int netns_link_set_mac(struct netns_nl *nl, const char *name, const uint8_t mac[6],
                       struct kago_err *err)
{
        _cleanup_free_ char *what = xasprintf("set address %02x:%02x:%02x:%02x:%02x:%02x", mac[0],
                                              mac[1], mac[2], mac[3], mac[4], mac[5]);
        return link_do(nl, name, what, build_mac, mac, err);
}

static struct nlmsghdr *build_master(void *buf, uint32_t seq, int ifindex, const void *arg)
{
        return netns_msg_link_master(buf, seq, ifindex, *(const int *)arg);
}

int netns_link_set_master(struct netns_nl *nl, const char *name, const char *bridge,
                          struct kago_err *err)
{
        int master = 0;

        if (bridge && netns_link_index(nl, bridge, &master, err) < 0)
                return kago_err_wrap(err, "link \"%s\": enslave to bridge", name);
        _cleanup_free_ char *what = bridge ? xasprintf("enslave to bridge \"%s\"", bridge)
                                           : xstrdup("release from its master");
        return link_do(nl, name, what, build_master, &master, err);
}

static struct nlmsghdr *build_delete(void *buf, uint32_t seq, int ifindex, const void *arg)
{
        (void)arg;
        return netns_msg_link_delete(buf, seq, ifindex);
}

int netns_link_delete(struct netns_nl *nl, const char *name, struct kago_err *err)
{
        return link_do(nl, name, "delete", build_delete, NULL, err);
}

int netns_link_create(struct netns_nl *nl, const char *name, const char *kind,
                      struct kago_err *err)
{
        char buf[NETNS_MSG_BUF];

        if (netns_nl_request(nl, netns_msg_link_create(buf, netns_nl_seq(nl), name, kind), NULL,
                             NULL) < 0)
                return kago_err_errno(err, errno, "link \"%s\": create (%s)", name, kind);
        return 0;
}

struct info_reply {
        struct netns_link_info *info;
        bool seen;
};

static int link_info_cb(const struct nlmsghdr *nlh, void *data)
{
        struct info_reply *r = data;

        if (netns_link_info_parse(nlh, r->info) == 0)
                r->seen = true;
        return MNL_CB_OK;
}

int netns_link_info(struct netns_nl *nl, const char *name, struct netns_link_info *info,
                    struct kago_err *err)
{
        char buf[NETNS_MSG_BUF];
        struct info_reply r = { info, false };

        if (netns_nl_request(nl, netns_msg_link_get(buf, netns_nl_seq(nl), name), link_info_cb,
                             &r) < 0)
                return kago_err_errno(err, errno, "link \"%s\"", name);
        if (!r.seen)
                return kago_err_set(err, "link \"%s\": the kernel's answer does not describe it",
                                    name);
        return 0;
}

struct link_list {
        struct netns_link_info *v;
        size_t n;
};

static int link_list_cb(const struct nlmsghdr *nlh, void *data)
{
        struct link_list *l = data;
        struct netns_link_info info;

        if (netns_link_info_parse(nlh, &info) < 0)
                return MNL_CB_OK;
        l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
        l->v[l->n++] = info;
        return MNL_CB_OK;
}

int netns_link_list(struct netns_nl *nl, struct netns_link_info **links, size_t *n,
                    struct kago_err *err)
{
        struct link_list l = { 0 };
        char buf[NETNS_MSG_BUF];

        if (netns_nl_request(nl, netns_msg_link_dump(buf, netns_nl_seq(nl)), link_list_cb, &l) < 0) {
                free(l.v);
                return kago_err_errno(err, errno, "list links");
        }
        *links = l.v;
        *n = l.n;
        return 0;
}
