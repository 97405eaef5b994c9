/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtnetlink requests about addresses and routes, and the parser of the
 * kernel's RTM_NEWADDR replies. */
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"

static size_t addr_len(int family)
{
        return family == AF_INET ? 4 : 16;
}

static struct nlmsghdr *msg_header(void *buf, uint32_t seq, uint16_t type, uint16_t flags)
{
        memset(buf, 0, NETNS_MSG_BUF);
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = NLM_F_REQUEST | flags;
        nlh->nlmsg_seq = seq;
        return nlh;
}

/* IPv4 carries IFA_LOCAL (the address) and IFA_ADDRESS (the peer, equal on
 * a broadcast link); IPv6 only IFA_ADDRESS. */
struct nlmsghdr *netns_msg_addr_add(void *buf, uint32_t seq, int ifindex,
                                    const struct netns_addr *a)
{
        struct nlmsghdr *nlh =
                msg_header(buf, seq, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
        struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof *ifa);
        ifa->ifa_family = (uint8_t)a->family;
        ifa->ifa_prefixlen = a->prefixlen;
        ifa->ifa_scope = a->scope;
        ifa->ifa_index = (uint32_t)ifindex;
        if (a->family == AF_INET) {
                mnl_attr_put(nlh, IFA_LOCAL, 4, a->local);
                mnl_attr_put(nlh, IFA_ADDRESS, 4, a->peer);
        } else {
                mnl_attr_put(nlh, IFA_ADDRESS, 16, a->local);
        }
        return nlh;
}

struct nlmsghdr *netns_msg_addr_dump(void *buf, uint32_t seq, int family)
{
        struct nlmsghdr *nlh = msg_header(buf, seq, RTM_GETADDR, NLM_F_DUMP);
        struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof *ifa);
        ifa->ifa_family = (uint8_t)family;
        return nlh;
}

struct nlmsghdr *netns_msg_route_add(void *buf, uint32_t seq, const struct netns_route *r)
{
        static const uint8_t zero[16];
        struct nlmsghdr *nlh =
                msg_header(buf, seq, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
        struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof *rtm);
        bool via = memcmp(r->gw, zero, addr_len(r->family)) != 0;

        rtm->rtm_family = (uint8_t)r->family;
        rtm->rtm_dst_len = r->dst_len;
        rtm->rtm_table = RT_TABLE_MAIN;
        rtm->rtm_protocol = RTPROT_STATIC;
        rtm->rtm_scope = via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
        rtm->rtm_type = RTN_UNICAST;
        if (r->dst_len)
                mnl_attr_put(nlh, RTA_DST, addr_len(r->family), r->dst);
        if (via)
                mnl_attr_put(nlh, RTA_GATEWAY, addr_len(r->family), r->gw);
        if (r->oif)
                mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)r->oif);
        return nlh;
}

static int addr_attr(const struct nlattr *attr, void *data)
{
        const struct nlattr **tb = data;
        uint16_t type = mnl_attr_get_type(attr);

        if (mnl_attr_type_valid(attr, IFA_MAX) > 0)
                tb[type] = attr;
        return MNL_CB_OK;
}

static void addr_copy(uint8_t *dst, const struct nlattr *attr, size_t len)
{
        if (attr && mnl_attr_get_payload_len(attr) == len)
                memcpy(dst, mnl_attr_get_payload(attr), len);
}

int netns_addr_parse(const struct nlmsghdr *nlh, int *ifindex, struct netns_addr *a)
{
        const struct nlattr *tb[IFA_MAX + 1] = { 0 };

        if (!netns_reply_ok(nlh, RTM_NEWADDR, sizeof(struct ifaddrmsg)))
                return -1;
        const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
        if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
                return -1;
        if (mnl_attr_parse(nlh, sizeof *ifa, addr_attr, tb) < 0)
                return -1;
        memset(a, 0, sizeof *a);
        a->family = ifa->ifa_family;
        a->prefixlen = ifa->ifa_prefixlen;
        a->scope = ifa->ifa_scope;
        size_t len = addr_len(a->family);
        addr_copy(a->local, tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS], len);
        addr_copy(a->peer, tb[IFA_ADDRESS] ? tb[IFA_ADDRESS] : tb[IFA_LOCAL], len);
        *ifindex = (int)ifa->ifa_index;
        return 0;
}

struct nlmsghdr *netns_msg_route_dump(void *buf, uint32_t seq, int family)
{
        struct nlmsghdr *nlh = msg_header(buf, seq, RTM_GETROUTE, NLM_F_DUMP);
        struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof *rtm);
        rtm->rtm_family = (uint8_t)family;
        return nlh;
}

static int route_attr(const struct nlattr *attr, void *data)
{
        const struct nlattr **tb = data;

        if (mnl_attr_type_valid(attr, RTA_MAX) > 0)
                tb[mnl_attr_get_type(attr)] = attr;
        return MNL_CB_OK;
}

static uint32_t route_table(const struct rtmsg *rtm, const struct nlattr *const *tb)
{
        if (tb[RTA_TABLE] && mnl_attr_validate(tb[RTA_TABLE], MNL_TYPE_U32) == 0)
                return mnl_attr_get_u32(tb[RTA_TABLE]);
        return rtm->rtm_table;
}

int netns_route_parse(const struct nlmsghdr *nlh, struct netns_route *r)
{
        const struct nlattr *tb[RTA_MAX + 1] = { 0 };

        if (!netns_reply_ok(nlh, RTM_NEWROUTE, sizeof(struct rtmsg)))
                return -1;
        const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
        if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
            rtm->rtm_type != RTN_UNICAST || mnl_attr_parse(nlh, sizeof *rtm, route_attr, tb) < 0 ||
            route_table(rtm, tb) != RT_TABLE_MAIN)
                return -1;
        size_t len = addr_len(rtm->rtm_family);
        if (rtm->rtm_dst_len > 8 * len)
                return -1;
        memset(r, 0, sizeof *r);
        r->family = rtm->rtm_family;
        r->dst_len = rtm->rtm_dst_len;
        addr_copy(r->dst, tb[RTA_DST], len);
        addr_copy(r->gw, tb[RTA_GATEWAY], len);
        if (tb[RTA_OIF] && mnl_attr_validate(tb[RTA_OIF], MNL_TYPE_U32) == 0)
                r->oif = (int)mnl_attr_get_u32(tb[RTA_OIF]);
        return 0;
}
