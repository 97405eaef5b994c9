/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves netns/'s message builders: each rtnetlink request kago sends (veth
 * with its peer in another namespace, move, rename, up, mtu, mac, enslave,
 * delete, address add, route add) has the bytes the kernel expects; the
 * RTM_NEWADDR parser reads a reply back; host link names stay within 15
 * characters. No kernel involved. */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/tc_act/tc_mirred.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "../../netns/netns.h"
#include "unit.h"

static const uint16_t ACK = NLM_F_REQUEST | NLM_F_ACK;
static const uint16_t NEW = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;

static const struct nlattr *attr_find(const struct nlmsghdr *nlh, size_t hdrlen, uint16_t type)
{
        const struct nlattr *a;

        mnl_attr_for_each(a, nlh, hdrlen)
                if (mnl_attr_get_type(a) == type)
                        return a;
        return NULL;
}

static const struct nlattr *nested_find(const struct nlattr *nest, uint16_t type)
{
        const struct nlattr *a;

        mnl_attr_for_each_nested(a, nest)
                if (mnl_attr_get_type(a) == type)
                        return a;
        return NULL;
}

static int attr_count(const struct nlmsghdr *nlh, size_t hdrlen)
{
        const struct nlattr *a;
        int n = 0;

        mnl_attr_for_each(a, nlh, hdrlen)
                n++;
        return n;
}

UNIT_TEST(link_move_bytes)
{
        char buf[NETNS_MSG_BUF];
        struct nlmsghdr *nlh = netns_msg_link_move(buf, 7, 12, 5, "net1");
        /* nlmsghdr | ifinfomsg (index 12) | IFLA_NET_NS_FD 5 | IFLA_IFNAME "net1\0" + pad */
        static const uint8_t want[] = {
                52, 0, 0, 0, RTM_NEWLINK, 0, NLM_F_REQUEST | NLM_F_ACK, 0, 7, 0, 0, 0, 0, 0, 0, 0,
                AF_UNSPEC, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                8, 0, IFLA_NET_NS_FD, 0, 5, 0, 0, 0,
                9, 0, IFLA_IFNAME, 0, 'n', 'e', 't', '1', 0, 0, 0, 0,
        };

        CHECK(nlh->nlmsg_len == sizeof want);
        CHECK(memcmp(nlh, want, sizeof want) == 0);
}

UNIT_TEST(link_move_keeps_name_without_new_name)
{
        char buf[NETNS_MSG_BUF];
        struct nlmsghdr *nlh = netns_msg_link_move(buf, 1, 3, 9, NULL);

        CHECK(attr_count(nlh, sizeof(struct ifinfomsg)) == 1);
        CHECK(mnl_attr_get_u32(attr_find(nlh, sizeof(struct ifinfomsg), IFLA_NET_NS_FD)) == 9);
}

UNIT_TEST(veth_peer_created_in_namespace)
{
        char buf[NETNS_MSG_BUF];
        struct nlmsghdr *nlh = netns_msg_veth_create(buf, 3, "kgabc-0", "eth0", 6);
        const size_t h = sizeof(struct ifinfomsg);

        CHECK(nlh->nlmsg_type == RTM_NEWLINK && nlh->nlmsg_flags == NEW && nlh->nlmsg_seq == 3);
        CHECK_STR(mnl_attr_get_str(attr_find(nlh, h, IFLA_IFNAME)), "kgabc-0");
        const struct nlattr *info = attr_find(nlh, h, IFLA_LINKINFO);
        CHECK(info != NULL);
        if (!info)
                return;
        CHECK_STR(mnl_attr_get_str(nested_find(info, IFLA_INFO_KIND)), "veth");
        const struct nlattr *data = nested_find(info, IFLA_INFO_DATA);
        const struct nlattr *peer = data ? nested_find(data, VETH_INFO_PEER) : NULL;
        CHECK(peer != NULL);
        if (!peer)
                return;
        /* The peer's payload: its own ifinfomsg, then its attributes. */
        CHECK(mnl_attr_get_payload_len(peer) == 16 + 12 + 8);
        const struct ifinfomsg *pifi = mnl_attr_get_payload(peer);
        CHECK(pifi->ifi_family == AF_UNSPEC && pifi->ifi_index == 0);
        const struct nlattr *pname = (const void *)((const char *)pifi + h);
        CHECK(mnl_attr_get_type(pname) == IFLA_IFNAME);
        CHECK_STR(mnl_attr_get_str(pname), "eth0");
        const struct nlattr *pns = mnl_attr_next(pname);
        CHECK(mnl_attr_get_type(pns) == IFLA_NET_NS_FD && mnl_attr_get_u32(pns) == 6);
        CHECK(mnl_attr_validate(pns, MNL_TYPE_U32) == 0);
}

UNIT_TEST(veth_without_namespace_has_no_fd)
{
        char buf[NETNS_MSG_BUF];
        struct nlmsghdr *nlh = netns_msg_veth_create(buf, 3, "a", "b", -1);
        const struct nlattr *info = attr_find(nlh, sizeof(struct ifinfomsg), IFLA_LINKINFO);
        const struct nlattr *peer = nested_find(nested_find(info, IFLA_INFO_DATA), VETH_INFO_PEER);

        CHECK(mnl_attr_get_payload_len(peer) == 16 + 8);
}

UNIT_TEST(rename_up_mtu_mac_master_delete)
{
        char buf[NETNS_MSG_BUF];
        const size_t h = sizeof(struct ifinfomsg);
        struct nlmsghdr *nlh = netns_msg_link_rename(buf, 1, 4, "net0");
        struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

        CHECK(nlh->nlmsg_flags == ACK && ifi->ifi_index == 4);
        CHECK_STR(mnl_attr_get_str(attr_find(nlh, h, IFLA_IFNAME)), "net0");

        nlh = netns_msg_link_updown(buf, 2, 4, true);
        ifi = mnl_nlmsg_get_payload(nlh);
        CHECK(ifi->ifi_flags == IFF_UP && ifi->ifi_change == IFF_UP && attr_count(nlh, h) == 0);
        nlh = netns_msg_link_updown(buf, 2, 4, false);
        ifi = mnl_nlmsg_get_payload(nlh);
        CHECK(ifi->ifi_flags == 0 && ifi->ifi_change == IFF_UP);

        nlh = netns_msg_link_mtu(buf, 3, 4, 9000);
        CHECK(mnl_attr_get_u32(attr_find(nlh, h, IFLA_MTU)) == 9000);

        static const uint8_t mac[6] = { 0x02, 0x42, 0xac, 0x11, 0, 2 };
        nlh = netns_msg_link_mac(buf, 4, 4, mac);
        const struct nlattr *a = attr_find(nlh, h, IFLA_ADDRESS);
        CHECK(mnl_attr_get_payload_len(a) == 6 && memcmp(mnl_attr_get_payload(a), mac, 6) == 0);

        nlh = netns_msg_link_master(buf, 5, 4, 17);
        CHECK(nlh->nlmsg_type == RTM_NEWLINK);
        CHECK(mnl_attr_get_u32(attr_find(nlh, h, IFLA_MASTER)) == 17);

        nlh = netns_msg_link_delete(buf, 6, 4);
        ifi = mnl_nlmsg_get_payload(nlh);
        CHECK(nlh->nlmsg_type == RTM_DELLINK && nlh->nlmsg_flags == ACK && ifi->ifi_index == 4);
        CHECK(nlh->nlmsg_len == 32);
}

UNIT_TEST(addr_add_ipv4_bytes)
{
        char buf[NETNS_MSG_BUF];
        struct netns_addr a = { .family = AF_INET, .prefixlen = 24 };

        inet_pton(AF_INET, "10.88.0.5", a.local);
        memcpy(a.peer, a.local, 4);
        struct nlmsghdr *nlh = netns_msg_addr_add(buf, 9, 3, &a);
        static const uint8_t want[] = {
                40, 0, 0, 0, RTM_NEWADDR, 0, 0x05, 0x06, 9, 0, 0, 0, 0, 0, 0, 0,
                AF_INET, 24, 0, 0, 3, 0, 0, 0,
                8, 0, IFA_LOCAL, 0, 10, 88, 0, 5,
                8, 0, IFA_ADDRESS, 0, 10, 88, 0, 5,
        };

        CHECK(nlh->nlmsg_flags == NEW); /* 0x0605 */
        CHECK(nlh->nlmsg_len == sizeof want);
        CHECK(memcmp(nlh, want, sizeof want) == 0);
}

UNIT_TEST(addr_add_ipv6_and_parse_back)
{
        char buf[NETNS_MSG_BUF];
        struct netns_addr a = { .family = AF_INET6, .prefixlen = 64 }, b;
        int ifindex = 0;

        inet_pton(AF_INET6, "fd00::5", a.local);
        struct nlmsghdr *nlh = netns_msg_addr_add(buf, 9, 3, &a);
        CHECK(attr_count(nlh, sizeof(struct ifaddrmsg)) == 1);
        /* The kernel's reply has the same layout as the request. */
        nlh->nlmsg_type = RTM_NEWADDR;
        CHECK(netns_addr_parse(nlh, &ifindex, &b) == 0);
        CHECK(ifindex == 3 && b.family == AF_INET6 && b.prefixlen == 64);
        CHECK(memcmp(b.local, a.local, 16) == 0);
}

UNIT_TEST(addr_parse_rejects_other_messages)
{
        char buf[NETNS_MSG_BUF];
        struct netns_addr a;
        int ifindex;

        CHECK(netns_addr_parse(netns_msg_link_delete(buf, 1, 2), &ifindex, &a) < 0);
        struct nlmsghdr *nlh = netns_msg_addr_dump(buf, 1, AF_UNSPEC);
        CHECK(nlh->nlmsg_flags == (NLM_F_REQUEST | NLM_F_DUMP) && nlh->nlmsg_type == RTM_GETADDR);
}

UNIT_TEST(route_add_default_via_gateway)
{
        char buf[NETNS_MSG_BUF];
        struct netns_route r = { .family = AF_INET, .oif = 3 };
        const size_t h = sizeof(struct rtmsg);

        inet_pton(AF_INET, "10.88.0.1", r.gw);
        struct nlmsghdr *nlh = netns_msg_route_add(buf, 2, &r);
        const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
        CHECK(nlh->nlmsg_type == RTM_NEWROUTE && nlh->nlmsg_flags == NEW);
        CHECK(rtm->rtm_family == AF_INET && rtm->rtm_dst_len == 0 && rtm->rtm_table == RT_TABLE_MAIN);
        CHECK(rtm->rtm_scope == RT_SCOPE_UNIVERSE && rtm->rtm_type == RTN_UNICAST);
        CHECK(attr_find(nlh, h, RTA_DST) == NULL);
        CHECK(memcmp(mnl_attr_get_payload(attr_find(nlh, h, RTA_GATEWAY)), r.gw, 4) == 0);
        CHECK(mnl_attr_get_u32(attr_find(nlh, h, RTA_OIF)) == 3);
        CHECK(nlh->nlmsg_len == 16 + 12 + 8 + 8);
}

UNIT_TEST(route_add_connected_subnet)
{
        char buf[NETNS_MSG_BUF];
        struct netns_route r = { .family = AF_INET6, .dst_len = 64, .oif = 2 };
        const size_t h = sizeof(struct rtmsg);

        inet_pton(AF_INET6, "fd00::", r.dst);
        struct nlmsghdr *nlh = netns_msg_route_add(buf, 2, &r);
        const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
        CHECK(rtm->rtm_scope == RT_SCOPE_LINK && rtm->rtm_dst_len == 64);
        CHECK(mnl_attr_get_payload_len(attr_find(nlh, h, RTA_DST)) == 16);
        CHECK(attr_find(nlh, h, RTA_GATEWAY) == NULL);
}

UNIT_TEST(host_names_fit_and_are_stable)
{
        char a[IFNAMSIZ], b[IFNAMSIZ];
        struct kago_err err = { 0 };
        char longid[256];

        memset(longid, 'x', sizeof longid - 1);
        longid[sizeof longid - 1] = '\0';
        CHECK(netns_host_ifname(longid, 99, a, &err) == 0);
        CHECK(strlen(a) == 15 && netns_ifname_valid(a));
        CHECK(netns_host_ifname("web", 0, a, &err) == 0 && netns_host_ifname("web", 0, b, &err) == 0);
        CHECK_STR(a, b);
        CHECK(str_has_prefix(a, "kg"));
        CHECK(netns_host_ifname("web2", 0, b, &err) == 0 && strcmp(a, b) != 0);
        CHECK(netns_host_ifname("web", 100, a, &err) < 0);
        CHECK_CONTAINS(err.msg, "link number 100");
}

UNIT_TEST(ifname_rules)
{
        CHECK(netns_ifname_valid("eth0"));
        CHECK(netns_ifname_valid("123456789012345"));
        CHECK(!netns_ifname_valid("1234567890123456"));
        CHECK(!netns_ifname_valid(""));
        CHECK(!netns_ifname_valid("a/b") && !netns_ifname_valid("a:1") && !netns_ifname_valid("a b"));
        CHECK(!netns_ifname_valid(".") && !netns_ifname_valid(".."));
}

UNIT_TEST(tbf_at_root_in_cni_units)
{
        char buf[NETNS_MSG_BUF];
        const struct netns_tbf t = { .rate = 10000000, .burst = 1000000 }; /* 10 Mbit/s, 1 Mbit */
        struct nlmsghdr *nlh = netns_msg_qdisc_tbf(buf, 5, 7, &t);
        const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
        const size_t h = sizeof *tcm;

        CHECK(nlh->nlmsg_type == RTM_NEWQDISC && nlh->nlmsg_flags == NEW);
        CHECK(tcm->tcm_ifindex == 7 && tcm->tcm_parent == TC_H_ROOT && tcm->tcm_handle == 0);
        CHECK_STR(mnl_attr_get_str(attr_find(nlh, h, TCA_KIND)), "tbf");
        const struct nlattr *opts = attr_find(nlh, h, TCA_OPTIONS);
        const struct nlattr *parms = opts ? nested_find(opts, TCA_TBF_PARMS) : NULL;
        CHECK(parms && mnl_attr_get_payload_len(parms) == sizeof(struct tc_tbf_qopt));
        if (!parms)
                return;
        const struct tc_tbf_qopt *q = mnl_attr_get_payload(parms);
        CHECK(q->rate.rate == 1250000 && q->rate.linklayer == TC_LINKLAYER_ETHERNET);
        /* 125000 bytes of burst + 25 ms at 1.25 MB/s */
        CHECK(q->limit == 125000 + 31250 && netns_tbf_limit(&t) == q->limit);
        /* 0.1 s in 64 ns ticks */
        CHECK(q->buffer == 1562500);
        CHECK(mnl_attr_get_u32(nested_find(opts, TCA_TBF_BURST)) == 125000);
        CHECK(nested_find(opts, TCA_TBF_RATE64) == NULL);
}

UNIT_TEST(tbf_above_32_bits_of_bytes_uses_rate64)
{
        char buf[NETNS_MSG_BUF];
        const struct netns_tbf t = { .rate = 40000000000ULL, .burst = 8000000 }; /* 40 Gbit/s */
        struct nlmsghdr *nlh = netns_msg_qdisc_tbf(buf, 5, 7, &t);
        const struct nlattr *opts = attr_find(nlh, sizeof(struct tcmsg), TCA_OPTIONS);
        const struct tc_tbf_qopt *q = mnl_attr_get_payload(nested_find(opts, TCA_TBF_PARMS));

        CHECK(q->rate.rate == UINT32_MAX);
        CHECK(mnl_attr_get_u64(nested_find(opts, TCA_TBF_RATE64)) == 5000000000ULL);
}

UNIT_TEST(ingress_qdisc_and_redirect_filter)
{
        char buf[NETNS_MSG_BUF];
        const size_t h = sizeof(struct tcmsg);
        struct nlmsghdr *nlh = netns_msg_qdisc_ingress(buf, 1, 4);
        const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);

        CHECK(tcm->tcm_parent == TC_H_INGRESS && tcm->tcm_handle == 0xffff0000);
        CHECK_STR(mnl_attr_get_str(attr_find(nlh, h, TCA_KIND)), "ingress");

        nlh = netns_msg_filter_redirect(buf, 2, 4, 9);
        tcm = mnl_nlmsg_get_payload(nlh);
        CHECK(nlh->nlmsg_type == RTM_NEWTFILTER && nlh->nlmsg_flags == NEW);
        CHECK(tcm->tcm_ifindex == 4 && tcm->tcm_parent == 0xffff0000);
        /* priority 1, protocol ETH_P_ALL in network order */
        CHECK(tcm->tcm_info == ((1u << 16) | htons(0x0003)));
        CHECK_STR(mnl_attr_get_str(attr_find(nlh, h, TCA_KIND)), "u32");
        const struct nlattr *opts = attr_find(nlh, h, TCA_OPTIONS);
        const struct nlattr *sel = nested_find(opts, TCA_U32_SEL);
        CHECK(mnl_attr_get_payload_len(sel) == sizeof(struct tc_u32_sel) + sizeof(struct tc_u32_key));
        const struct tc_u32_sel *u = mnl_attr_get_payload(sel);
        CHECK(u->nkeys == 1 && u->flags == TC_U32_TERMINAL && u->keys[0].mask == 0);
        const struct nlattr *act = nested_find(nested_find(opts, TCA_U32_ACT), 1);
        CHECK_STR(mnl_attr_get_str(nested_find(act, TCA_ACT_KIND)), "mirred");
        const struct nlattr *parms = nested_find(nested_find(act, TCA_ACT_OPTIONS), TCA_MIRRED_PARMS);
        const struct tc_mirred *m = mnl_attr_get_payload(parms);
        CHECK(mnl_attr_get_payload_len(parms) == sizeof *m);
        CHECK(m->eaction == TCA_EGRESS_REDIR && m->action == TC_ACT_STOLEN && m->ifindex == 9);
}

UNIT_TEST(ifb_create_and_bridge_vlan)
{
        char buf[NETNS_MSG_BUF];
        const size_t h = sizeof(struct ifinfomsg);
        struct nlmsghdr *nlh = netns_msg_link_create(buf, 1, "kb0123456789-0", "ifb");

        CHECK(nlh->nlmsg_type == RTM_NEWLINK && nlh->nlmsg_flags == NEW);
        CHECK_STR(mnl_attr_get_str(attr_find(nlh, h, IFLA_IFNAME)), "kb0123456789-0");
        CHECK_STR(mnl_attr_get_str(nested_find(attr_find(nlh, h, IFLA_LINKINFO), IFLA_INFO_KIND)),
                  "ifb");

        nlh = netns_msg_bridge_vlan(buf, 2, 6, 10, BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED,
                                    true);
        const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
        CHECK(nlh->nlmsg_type == RTM_SETLINK && ifi->ifi_family == AF_BRIDGE && ifi->ifi_index == 6);
        const struct nlattr *v = nested_find(attr_find(nlh, h, IFLA_AF_SPEC), IFLA_BRIDGE_VLAN_INFO);
        const struct bridge_vlan_info *vi = mnl_attr_get_payload(v);
        CHECK(vi->vid == 10 && vi->flags == (BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED));

        nlh = netns_msg_bridge_vlan(buf, 3, 6, 1, 0, false);
        CHECK(nlh->nlmsg_type == RTM_DELLINK);
}

/* A RTM_NEWLINK reply for a VLAN-filtering bridge, as the kernel sends it. */
UNIT_TEST(link_info_reads_kind_master_and_vlan_filtering)
{
        char buf[NETNS_MSG_BUF];
        struct netns_link_info info;
        struct nlmsghdr *nlh = netns_msg_link_create(buf, 1, "br0", "bridge");
        struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

        ifi->ifi_index = 12;
        nlh->nlmsg_type = RTM_DELLINK;
        CHECK(netns_link_info_parse(nlh, &info) < 0); /* not a link description */
        nlh->nlmsg_type = RTM_NEWLINK;
        mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
        mnl_attr_put_u32(nlh, IFLA_MASTER, 3);
        CHECK(netns_link_info_parse(nlh, &info) == 0);
        CHECK(info.ifindex == 12 && info.master == 3 && info.mtu == 1500);
        CHECK_STR(info.kind, "bridge");
        CHECK(!info.vlan_filtering);

        nlh = netns_msg_link_get(buf, 1, "br0");
        nlh->nlmsg_type = RTM_NEWLINK;
        struct nlattr *li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
        struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
        mnl_attr_put_u8(nlh, IFLA_BR_VLAN_FILTERING, 1);
        mnl_attr_nest_end(nlh, data);
        mnl_attr_nest_end(nlh, li);
        CHECK(netns_link_info_parse(nlh, &info) == 0 && info.vlan_filtering);

        /* A truncated one is refused, not read past. */
        nlh->nlmsg_len = 20;
        CHECK(netns_link_info_parse(nlh, &info) < 0);
}

int main(void)
{
        static const struct unit_test tests[] = {
                UNIT(link_move_bytes),
                UNIT(link_move_keeps_name_without_new_name),
                UNIT(veth_peer_created_in_namespace),
                UNIT(veth_without_namespace_has_no_fd),
                UNIT(rename_up_mtu_mac_master_delete),
                UNIT(addr_add_ipv4_bytes),
                UNIT(addr_add_ipv6_and_parse_back),
                UNIT(addr_parse_rejects_other_messages),
                UNIT(route_add_default_via_gateway),
                UNIT(route_add_connected_subnet),
                UNIT(host_names_fit_and_are_stable),
                UNIT(ifname_rules),
                UNIT(tbf_at_root_in_cni_units),
                UNIT(tbf_above_32_bits_of_bytes_uses_rate64),
                UNIT(ingress_qdisc_and_redirect_filter),
                UNIT(ifb_create_and_bridge_vlan),
                UNIT(link_info_reads_kind_master_and_vlan_filtering),
        };
        return unit_run("netns_msg", tests, ARRAY_SIZE(tests));
}
