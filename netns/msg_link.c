/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtnetlink requests about links (RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK):
 * built in the caller's buffer, never sent here. */
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <string.h>

#include "netns.h"

static struct nlmsghdr *link_header(void *buf, uint32_t seq, uint16_t type, uint16_t flags,
                                    int ifindex)
{
        memset(buf, 0, NETNS_MSG_BUF);
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = NLM_F_REQUEST | flags;
        nlh->nlmsg_seq = seq;
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof *ifi);
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = ifindex;
        return nlh;
}

/* A veth pair in one message: the peer's own ifinfomsg and attributes nest
 * in IFLA_LINKINFO / IFLA_INFO_DATA / VETH_INFO_PEER, and IFLA_NET_NS_FD
 * there creates it straight in the other namespace. */
struct nlmsghdr *netns_msg_veth_create(void *buf, uint32_t seq, const char *name,
                                       const char *peer, int peer_nsfd)
{
        struct nlmsghdr *nlh =
                link_header(buf, seq, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 0);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        struct nlattr *linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
        struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
        struct nlattr *peer_attr = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
        struct ifinfomsg *pifi = mnl_nlmsg_put_extra_header(nlh, sizeof *pifi);
        pifi->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
        if (peer_nsfd >= 0)
                mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_nsfd);
        mnl_attr_nest_end(nlh, peer_attr);
        mnl_attr_nest_end(nlh, data);
        mnl_attr_nest_end(nlh, linkinfo);
        return nlh;
}

struct nlmsghdr *netns_msg_link_move(void *buf, uint32_t seq, int ifindex, int nsfd,
                                     const char *new_name)
{
        struct nlmsghdr *nlh = link_header(buf, seq, RTM_NEWLINK, NLM_F_ACK, ifindex);
        mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)nsfd);
        if (new_name)
                mnl_attr_put_strz(nlh, IFLA_IFNAME, new_name);
        return nlh;
}

struct nlmsghdr *netns_msg_link_rename(void *buf, uint32_t seq, int ifindex, const char *new_name)
{
        struct nlmsghdr *nlh = link_header(buf, seq, RTM_NEWLINK, NLM_F_ACK, ifindex);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, new_name);
        return nlh;
}

struct nlmsghdr *netns_msg_link_updown(void *buf, uint32_t seq, int ifindex, bool up)
{
        struct nlmsghdr *nlh = link_header(buf, seq, RTM_NEWLINK, NLM_F_ACK, ifindex);
        struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
        ifi->ifi_change = IFF_UP;
        ifi->ifi_flags = up ? IFF_UP : 0;
        return nlh;
}

struct nlmsghdr *netns_msg_link_mtu(void *buf, uint32_t seq, int ifindex, uint32_t mtu)
{
        struct nlmsghdr *nlh = link_header(buf, seq, RTM_NEWLINK, NLM_F_ACK, ifindex);
        mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
        return nlh;
}

struct nlmsghdr *netns_msg_link_mac(void *buf, uint32_t seq, int ifindex, const uint8_t mac[6])
{
        struct nlmsghdr *nlh = link_header(buf, seq, RTM_NEWLINK, NLM_F_ACK, ifindex);
        mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
        return nlh;
}

struct nlmsghdr *netns_msg_link_master(void *buf, uint32_t seq, int ifindex, int master)
{
        struct nlmsghdr *nlh = link_header(buf, seq, RTM_NEWLINK, NLM_F_ACK, ifindex);
        mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
        return nlh;
}

struct nlmsghdr *netns_msg_link_delete(void *buf, uint32_t seq, int ifindex)
{
        return link_header(buf, seq, RTM_DELLINK, NLM_F_ACK, ifindex);
}

struct nlmsghdr *netns_msg_link_get(void *buf, uint32_t seq, const char *name)
{
        struct nlmsghdr *nlh = link_header(buf, seq, RTM_GETLINK, NLM_F_ACK, 0);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        return nlh;
}
