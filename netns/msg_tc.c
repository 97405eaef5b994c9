/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtnetlink requests about traffic control (RTM_NEWQDISC, RTM_NEWTFILTER):
 * a token bucket as a link's root qdisc, the ingress qdisc, and a u32
 * match-all filter whose mirred action redirects every packet to another
 * link. Built in the caller's buffer, never sent here. */
#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>
#include <arpa/inet.h>
#include <string.h>

#include "netns.h"

/* The kernel's packet scheduler clock: 1 tick = 64 ns (PSCHED_SHIFT 6). */
#define PSCHED_NS_PER_TICK 64
#define U32_PRIO           1

static struct nlmsghdr *tc_header(void *buf, uint32_t seq, uint16_t type, int ifindex,
                                  uint32_t handle, uint32_t parent, uint32_t info)
{
        memset(buf, 0, NETNS_MSG_BUF);
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
        nlh->nlmsg_seq = seq;
        struct tcmsg *tcm = mnl_nlmsg_put_extra_header(nlh, sizeof *tcm);
        tcm->tcm_family = AF_UNSPEC;
        tcm->tcm_ifindex = ifindex;
        tcm->tcm_handle = handle;
        tcm->tcm_parent = parent;
        tcm->tcm_info = info;
        return nlh;
}

uint32_t netns_tbf_limit(const struct netns_tbf *t)
{
        uint64_t bytes = t->rate / 8 * NETNS_TBF_LATENCY_MS / 1000 + t->burst / 8;
        return bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes;
}

/* The time to send the burst at the rate, in scheduler ticks. */
static uint32_t tbf_buffer_ticks(const struct netns_tbf *t)
{
        uint64_t ns = t->burst * 1000000000ULL / t->rate;
        uint64_t ticks = ns / PSCHED_NS_PER_TICK;
        return ticks > UINT32_MAX ? UINT32_MAX : (uint32_t)ticks;
}

/* A token bucket filter at the root of ifindex: rate in bits/s and burst in
 * bits (the CNI bandwidth plugin's units), queueing at most
 * NETNS_TBF_LATENCY_MS worth of traffic beyond the burst. A rate above
 * 2^32 bytes/s travels in TCA_TBF_RATE64; TCA_TBF_BURST gives the bucket in
 * bytes, the ticks in the legacy buffer field say the same. */
struct nlmsghdr *netns_msg_qdisc_tbf(void *buf, uint32_t seq, int ifindex,
                                     const struct netns_tbf *t)
{
        struct nlmsghdr *nlh = tc_header(buf, seq, RTM_NEWQDISC, ifindex, 0, TC_H_ROOT, 0);
        uint64_t bytes_per_s = t->rate / 8;
        struct tc_tbf_qopt q = {
                .rate = {.linklayer = TC_LINKLAYER_ETHERNET,
                         .rate = bytes_per_s > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes_per_s},
                .limit = netns_tbf_limit(t),
                .buffer = tbf_buffer_ticks(t),
        };

        mnl_attr_put_strz(nlh, TCA_KIND, "tbf");
        struct nlattr *opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
        mnl_attr_put(nlh, TCA_TBF_PARMS, sizeof q, &q);
        if (bytes_per_s > UINT32_MAX)
                mnl_attr_put_u64(nlh, TCA_TBF_RATE64, bytes_per_s);
        mnl_attr_put_u32(nlh, TCA_TBF_BURST, (uint32_t)(t->burst / 8));
        mnl_attr_nest_end(nlh, opts);
        return nlh;
}

struct nlmsghdr *netns_msg_qdisc_ingress(void *buf, uint32_t seq, int ifindex)
{
        struct nlmsghdr *nlh = tc_header(buf, seq, RTM_NEWQDISC, ifindex,
                                         TC_H_MAKE(TC_H_INGRESS, 0), TC_H_INGRESS, 0);
        mnl_attr_put_strz(nlh, TCA_KIND, "ingress");
        return nlh;
}

/* Remove ifindex's ingress qdisc, and its filters with it. */
struct nlmsghdr *netns_msg_qdisc_ingress_delete(void *buf, uint32_t seq, int ifindex)
{
        struct nlmsghdr *nlh = tc_header(buf, seq, RTM_DELQDISC, ifindex,
                                         TC_H_MAKE(TC_H_INGRESS, 0), TC_H_INGRESS, 0);
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        return nlh;
}

/* A selector with one u32 key that matches every packet: mask 0 at offset 0. */
union u32_match_all {
        struct tc_u32_sel sel;
        uint8_t bytes[sizeof(struct tc_u32_sel) + sizeof(struct tc_u32_key)];
};

/* On the ingress qdisc of ifindex: every packet (any protocol) is taken
 * (TC_ACT_STOLEN) and sent out of target (mirred egress redirect). */
struct nlmsghdr *netns_msg_filter_redirect(void *buf, uint32_t seq, int ifindex, int target)
{
        struct nlmsghdr *nlh =
                tc_header(buf, seq, RTM_NEWTFILTER, ifindex, 0, TC_H_MAKE(TC_H_INGRESS, 0),
                          TC_H_MAKE(U32_PRIO << 16, htons(ETH_P_ALL)));
        union u32_match_all m;
        struct tc_mirred mirred = {
                .action = TC_ACT_STOLEN,
                .eaction = TCA_EGRESS_REDIR,
                .ifindex = (uint32_t)target,
        };

        memset(&m, 0, sizeof m);
        m.sel.flags = TC_U32_TERMINAL;
        m.sel.nkeys = 1;
        mnl_attr_put_strz(nlh, TCA_KIND, "u32");
        struct nlattr *opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
        mnl_attr_put(nlh, TCA_U32_SEL, sizeof m.bytes, m.bytes);
        struct nlattr *acts = mnl_attr_nest_start(nlh, TCA_U32_ACT);
        struct nlattr *act = mnl_attr_nest_start(nlh, 1);
        mnl_attr_put_strz(nlh, TCA_ACT_KIND, "mirred");
        struct nlattr *aopts = mnl_attr_nest_start(nlh, TCA_ACT_OPTIONS);
        mnl_attr_put(nlh, TCA_MIRRED_PARMS, sizeof mirred, &mirred);
        mnl_attr_nest_end(nlh, aopts);
        mnl_attr_nest_end(nlh, act);
        mnl_attr_nest_end(nlh, acts);
        mnl_attr_nest_end(nlh, opts);
        return nlh;
}
