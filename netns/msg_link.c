/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtnetlink requests about links (RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK):
 * built in the caller's buffer, never sent here. */
#include <libmnl/libmnl.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <string.h>

#include "internal.h"

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

struct nlmsghdr *netns_msg_link_dump(void *buf, uint32_t seq)
{
        return link_header(buf, seq, RTM_GETLINK, NLM_F_DUMP, 0);
}

/* A link of a kind that needs no data (ifb, dummy, bridge). */
struct nlmsghdr *netns_msg_link_create(void *buf, uint32_t seq, const char *name, const char *kind)
{
        struct nlmsghdr *nlh =
                link_header(buf, seq, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 0);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        struct nlattr *linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
        mnl_attr_nest_end(nlh, linkinfo);
        return nlh;
}

/* A VLAN on a bridge port (family AF_BRIDGE): RTM_SETLINK adds it with
 * flags (BRIDGE_VLAN_INFO_PVID | _UNTAGGED for an access port), RTM_DELLINK
 * removes it. */
struct nlmsghdr *netns_msg_bridge_vlan(void *buf, uint32_t seq, int ifindex, uint16_t vid,
                                       uint16_t flags, bool add)
{
        struct nlmsghdr *nlh =
                link_header(buf, seq, add ? RTM_SETLINK : RTM_DELLINK, NLM_F_ACK, ifindex);
        struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
        struct bridge_vlan_info v = { .flags = flags, .vid = vid };

        ifi->ifi_family = AF_BRIDGE;
        struct nlattr *spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
        mnl_attr_put(nlh, IFLA_BRIDGE_VLAN_INFO, sizeof v, &v);
        mnl_attr_nest_end(nlh, spec);
        return nlh;
}

static int attr_keep(const struct nlattr *attr, uint16_t max, const struct nlattr **tb)
{
        uint16_t type = mnl_attr_get_type(attr);

        if (type <= max)
                tb[type] = attr;
        return MNL_CB_OK;
}

static int link_attr(const struct nlattr *attr, void *data)
{
        return attr_keep(attr, IFLA_MAX, data);
}

static int info_attr(const struct nlattr *attr, void *data)
{
        return attr_keep(attr, IFLA_INFO_MAX, data);
}

static int bridge_attr(const struct nlattr *attr, void *data)
{
        return attr_keep(attr, IFLA_BR_MAX, data);
}

/* IFLA_LINKINFO: the kind, and for a bridge whether it filters VLANs. */
static int parse_linkinfo(const struct nlattr *linkinfo, struct netns_link_info *info)
{
        const struct nlattr *tb[IFLA_INFO_MAX + 1] = { 0 };
        const struct nlattr *br[IFLA_BR_MAX + 1] = { 0 };

        if (mnl_attr_parse_nested(linkinfo, info_attr, tb) < 0)
                return -1;
        if (tb[IFLA_INFO_KIND] && mnl_attr_validate(tb[IFLA_INFO_KIND], MNL_TYPE_NUL_STRING) == 0)
                snprintf(info->kind, sizeof info->kind, "%s", mnl_attr_get_str(tb[IFLA_INFO_KIND]));
        if (strcmp(info->kind, "bridge") != 0 || !tb[IFLA_INFO_DATA])
                return 0;
        if (mnl_attr_parse_nested(tb[IFLA_INFO_DATA], bridge_attr, br) < 0)
                return -1;
        if (br[IFLA_BR_VLAN_FILTERING] && mnl_attr_validate(br[IFLA_BR_VLAN_FILTERING], MNL_TYPE_U8) == 0)
                info->vlan_filtering = mnl_attr_get_u8(br[IFLA_BR_VLAN_FILTERING]) != 0;
        return 0;
}

int netns_link_info_parse(const struct nlmsghdr *nlh, struct netns_link_info *info)
{
        const struct nlattr *tb[IFLA_MAX + 1] = { 0 };

        memset(info, 0, sizeof *info);
        if (!netns_reply_ok(nlh, RTM_NEWLINK, sizeof(struct ifinfomsg)))
                return -1;
        const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
        if (mnl_attr_parse(nlh, sizeof *ifi, link_attr, tb) < 0)
                return -1;
        info->ifindex = ifi->ifi_index;
        info->up = ifi->ifi_flags & IFF_UP;
        info->loopback = ifi->ifi_flags & IFF_LOOPBACK;
        if (tb[IFLA_IFNAME] && mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING) == 0)
                snprintf(info->name, sizeof info->name, "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
        if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == sizeof info->mac)
                memcpy(info->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), sizeof info->mac);
        if (tb[IFLA_MASTER] && mnl_attr_validate(tb[IFLA_MASTER], MNL_TYPE_U32) == 0)
                info->master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
        if (tb[IFLA_MTU] && mnl_attr_validate(tb[IFLA_MTU], MNL_TYPE_U32) == 0)
                info->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
        return tb[IFLA_LINKINFO] ? parse_linkinfo(tb[IFLA_LINKINFO], info) : 0;
}
