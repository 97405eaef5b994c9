/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netns: container networks through rtnetlink (libmnl only, no `ip`
 * subprocess). Two layers: the netns_msg_* builders fill one request in a
 * caller's buffer and touch no socket (unit-tested byte for byte); the
 * netns_link_* / netns_addr_* / netns_route_* calls send such a request on a
 * socket bound to one network namespace and turn the kernel's ACK into a
 * kago_err naming the link and the operation.
 */
#ifndef KAGO_NETNS_H
#define KAGO_NETNS_H

#include <net/if.h>
#include <netinet/in.h>

#include "../base/base.h"

struct nlmsghdr;

/* Room for any one request kago builds. */
#define NETNS_MSG_BUF 1024

/* An IPv4 or IPv6 address with its prefix length. */
struct netns_addr {
        int family;        /* AF_INET or AF_INET6 */
        uint8_t prefixlen;
        uint8_t scope;     /* RT_SCOPE_*; 0 = universe */
        uint8_t local[16]; /* IFA_LOCAL (IPv4) / IFA_ADDRESS (IPv6) */
        uint8_t peer[16];  /* IFA_ADDRESS for IPv4 (the peer on point-to-point, else = local) */
};

/* A route in the main table: dst/dst_len (dst_len 0 = default) via gw (all
 * zero = directly connected) out of oif (0 = any). */
struct netns_route {
        int family;
        uint8_t dst[16];
        uint8_t dst_len;
        uint8_t gw[16];
        int oif;
};

/* A token bucket in the CNI bandwidth plugin's units: rate in bits per
 * second, burst in bits. */
struct netns_tbf {
        uint64_t rate;
        uint64_t burst;
};
/* Traffic a TBF queues beyond its burst, in time at its rate (as the CNI
 * bandwidth plugin's 25 ms). */
#define NETNS_TBF_LATENCY_MS 25
/* The queue limit in bytes of such a bucket. */
uint32_t netns_tbf_limit(const struct netns_tbf *t);

/* What RTM_GETLINK says about a link. */
struct netns_link_info {
        int ifindex;
        int master;          /* the bridge it is a port of; 0 = none */
        uint32_t mtu;
        char kind[16];       /* IFLA_INFO_KIND ("veth", "bridge", ...); "" for a plain device */
        bool vlan_filtering; /* a bridge that filters VLANs */
        char name[IFNAMSIZ];
        uint8_t mac[6];      /* all zero when the link has no Ethernet address */
        bool up, loopback;   /* IFF_UP, IFF_LOOPBACK */
};

/* ---- message builders (netns/msg_link.c, netns/msg_addr.c) ----------- */

/* Each fills buf (NETNS_MSG_BUF bytes) with one request, flags
 * NLM_F_REQUEST | NLM_F_ACK (| NLM_F_CREATE | NLM_F_EXCL for new objects),
 * sequence number seq, and returns it. */
struct nlmsghdr *netns_msg_veth_create(void *buf, uint32_t seq, const char *name,
                                       const char *peer, int peer_nsfd);
/* Move link ifindex into the namespace nsfd, renamed to new_name when not NULL. */
struct nlmsghdr *netns_msg_link_move(void *buf, uint32_t seq, int ifindex, int nsfd,
                                     const char *new_name);
struct nlmsghdr *netns_msg_link_rename(void *buf, uint32_t seq, int ifindex, const char *new_name);
struct nlmsghdr *netns_msg_link_updown(void *buf, uint32_t seq, int ifindex, bool up);
struct nlmsghdr *netns_msg_link_mtu(void *buf, uint32_t seq, int ifindex, uint32_t mtu);
struct nlmsghdr *netns_msg_link_mac(void *buf, uint32_t seq, int ifindex, const uint8_t mac[6]);
/* Enslave ifindex to the bridge master (0: release it from its master). */
struct nlmsghdr *netns_msg_link_master(void *buf, uint32_t seq, int ifindex, int master);
struct nlmsghdr *netns_msg_link_delete(void *buf, uint32_t seq, int ifindex);
/* A link of a kind that needs no data: "ifb", "dummy", "bridge". */
struct nlmsghdr *netns_msg_link_create(void *buf, uint32_t seq, const char *name, const char *kind);
/* Add (add = true, flags BRIDGE_VLAN_INFO_*) or remove VLAN vid on bridge port ifindex. */
struct nlmsghdr *netns_msg_bridge_vlan(void *buf, uint32_t seq, int ifindex, uint16_t vid,
                                       uint16_t flags, bool add);
/* RTM_GETLINK for one link by name, or a dump of every link. */
struct nlmsghdr *netns_msg_link_get(void *buf, uint32_t seq, const char *name);
struct nlmsghdr *netns_msg_link_dump(void *buf, uint32_t seq);
struct nlmsghdr *netns_msg_addr_add(void *buf, uint32_t seq, int ifindex,
                                    const struct netns_addr *a);
/* RTM_GETADDR dump of every address of family (AF_UNSPEC: all). */
struct nlmsghdr *netns_msg_addr_dump(void *buf, uint32_t seq, int family);
struct nlmsghdr *netns_msg_route_add(void *buf, uint32_t seq, const struct netns_route *r);
/* RTM_GETROUTE dump of family's routes. */
struct nlmsghdr *netns_msg_route_dump(void *buf, uint32_t seq, int family);

/* Traffic control (netns/msg_tc.c): a TBF as ifindex's root qdisc; the
 * ingress qdisc; on it, a u32 filter redirecting every packet out of target. */
struct nlmsghdr *netns_msg_qdisc_tbf(void *buf, uint32_t seq, int ifindex,
                                     const struct netns_tbf *t);
struct nlmsghdr *netns_msg_qdisc_ingress(void *buf, uint32_t seq, int ifindex);
struct nlmsghdr *netns_msg_qdisc_ingress_delete(void *buf, uint32_t seq, int ifindex);
struct nlmsghdr *netns_msg_filter_redirect(void *buf, uint32_t seq, int ifindex, int target);

/* Parse one RTM_NEWLINK reply; -1 when it is not a well-formed one. */
int netns_link_info_parse(const struct nlmsghdr *nlh, struct netns_link_info *info);
/* Parse one RTM_NEWADDR reply: its link index and address; -1 when it is not one. */
int netns_addr_parse(const struct nlmsghdr *nlh, int *ifindex, struct netns_addr *a);
/* Parse one RTM_NEWROUTE reply: -1 when it is not a unicast route of the
 * main table (local, broadcast and other tables' routes are left out). */
int netns_route_parse(const struct nlmsghdr *nlh, struct netns_route *r);

/* ---- sockets (netns/nl.c) ---------------------------------------------- */

struct netns_nl;

/* A route netlink socket in the network namespace nsfd (-1: the caller's own).
 * Joins nsfd for the socket() call only, then returns to the caller's. */
int netns_nl_open(int nsfd, struct netns_nl **nl, struct kago_err *err);
void netns_nl_close(struct netns_nl *nl);
/* A socket(domain, type) made in the network namespace nsfd (-1: kago's). */
int netns_socket_in(int nsfd, int domain, int type, struct kago_err *err);
static inline void netns_nl_closep(struct netns_nl **nl)
{
        if (*nl)
                netns_nl_close(*nl);
}
#define _cleanup_netns_nl_ __attribute__((cleanup(netns_nl_closep)))

/* ---- operations (netns/link.c, netns/addr.c, netns/route.c) ------------
 * Each names its link and operation in err: `link "eth9": move to network
 * namespace: File exists`. */

/* The index of a link by name; an error naming it when it does not exist. */
int netns_link_index(struct netns_nl *nl, const char *name, int *ifindex, struct kago_err *err);
/* Whether a link of that name exists (errors other than "no such device" are errors). */
int netns_link_exists(struct netns_nl *nl, const char *name, bool *exists, struct kago_err *err);
int netns_veth_create(struct netns_nl *nl, const char *name, const char *peer, int peer_nsfd,
                      struct kago_err *err);
int netns_link_move(struct netns_nl *nl, const char *name, int nsfd, const char *new_name,
                    struct kago_err *err);
int netns_link_rename(struct netns_nl *nl, const char *name, const char *new_name,
                      struct kago_err *err);
int netns_link_set_up(struct netns_nl *nl, const char *name, bool up, struct kago_err *err);
int netns_link_set_mtu(struct netns_nl *nl, const char *name, uint32_t mtu, struct kago_err *err);
int netns_link_set_mac(struct netns_nl *nl, const char *name, const uint8_t mac[6],
                       struct kago_err *err);
int netns_link_set_master(struct netns_nl *nl, const char *name, const char *bridge,
                          struct kago_err *err);
int netns_link_delete(struct netns_nl *nl, const char *name, struct kago_err *err);
/* Create a link of a kind that needs no data (see netns_msg_link_create). */
int netns_link_create(struct netns_nl *nl, const char *name, const char *kind,
                      struct kago_err *err);
/* Turn off transmit checksum offload of link name in the network namespace
 * nsfd (-1: kago's): what a switch that reads frames from a packet socket
 * (Open vSwitch's userspace datapath) needs to forward them intact. */
int netns_link_tx_csum_off(int nsfd, const char *name, struct kago_err *err);
int netns_link_info(struct netns_nl *nl, const char *name, struct netns_link_info *info,
                    struct kago_err *err);
/* Every link of the namespace (*links malloc'd). */
int netns_link_list(struct netns_nl *nl, struct netns_link_info **links, size_t *n,
                    struct kago_err *err);
/* A tap named name in the caller's network namespace, for a VMM:
 * IFF_TAP | IFF_NO_PI | IFF_VNET_HDR with the 12-byte virtio-net header;
 * it lives as long as *fd stays open. */
int netns_tap_open(const char *name, int *fd, struct kago_err *err);

/* Make bridge port name an access port of VLAN vid (its PVID, untagged) and
 * take it out of the default VLAN 1. The bridge must filter VLANs. */
int netns_bridge_port_vlan(struct netns_nl *nl, const char *name, uint16_t vid,
                           struct kago_err *err);

/* Bandwidth (netns/tc.c). Limit what leaves link name (its root qdisc). */
int netns_tc_limit(struct netns_nl *nl, const char *name, const struct netns_tbf *t,
                   struct kago_err *err);
/* Send everything that arrives on link name out of link target instead
 * (ingress qdisc + u32 match-all + mirred egress redirect). */
int netns_tc_redirect_ingress(struct netns_nl *nl, const char *name, const char *target,
                              struct kago_err *err);
/* Remove link name's ingress qdisc with its filters (none: nothing to do). */
int netns_tc_ingress_remove(struct netns_nl *nl, const char *name, struct kago_err *err);

int netns_addr_add(struct netns_nl *nl, const char *name, const struct netns_addr *a,
                   struct kago_err *err);
/* The addresses of a link to carry across namespaces: IPv6 link-local ones,
 * which the kernel makes itself, are left out. *addrs is malloc'd. */
int netns_addr_list(struct netns_nl *nl, const char *name, struct netns_addr **addrs, size_t *n,
                    struct kago_err *err);
int netns_route_add(struct netns_nl *nl, const struct netns_route *r, struct kago_err *err);
/* The main table's unicast routes of family, AF_UNSPEC: all (*routes malloc'd). */
int netns_route_list(struct netns_nl *nl, int family, struct netns_route **routes, size_t *n,
                     struct kago_err *err);

/* Move a link with its addresses from the namespace of from into nsfd (the
 * namespace that `to` is a socket of), renamed to new_name (NULL: keep). */
int netns_link_move_with_addrs(struct netns_nl *from, struct netns_nl *to, int nsfd,
                               const char *name, const char *new_name, struct kago_err *err);

/* ---- Open vSwitch (netns/ovsdb_msg.c, netns/ovsdb.c) -------------------
 * kago talks to ovsdb-server itself (RFC 7047 JSON-RPC over its unix
 * socket) rather than running ovs-vsctl: one connection, no subprocess. */

#define NETNS_OVSDB_DEFAULT "/var/run/openvswitch/db.sock"
/* The external_ids key naming a port's container on its Port and Interface. */
#define NETNS_OVS_OWNER_KEY "kago-container"

struct netns_ovs_port {
        const char *bridge;
        const char *name;      /* the port and its interface: a host link */
        const char *owner;     /* the container id */
        uint16_t tag;          /* access VLAN; 0 = none */
        const uint16_t *trunks; /* trunk VLANs */
        size_t n_trunks;
};

/* Requests (transact on Open_vSwitch) with JSON-RPC id; malloc'd text. */
char *netns_ovsdb_msg_bridge_get(unsigned id, const char *bridge);
char *netns_ovsdb_msg_port_get(unsigned id, const char *name);
char *netns_ovsdb_msg_port_add(unsigned id, const struct netns_ovs_port *p);
char *netns_ovsdb_msg_port_del(unsigned id, const char *uuid);
char *netns_ovsdb_msg_cfg_get(unsigned id);

enum netns_ovsdb_reply {
        NETNS_OVSDB_ROWS,     /* bridge_get: found, userspace; port_get: found, uuid */
        NETNS_OVSDB_CFG,      /* cfg_get: cfg = cur_cfg */
        NETNS_OVSDB_PORT_ADD, /* port_add: cfg = the next_cfg to wait for */
        NETNS_OVSDB_DONE,     /* port_del: no error */
};
struct netns_ovsdb_answer {
        bool found;
        bool userspace; /* a bridge on the userspace datapath (datapath_type netdev) */
        char uuid[40];
        int64_t cfg;
};
/* Read the reply to request id; an error names what the database refused. */
int netns_ovsdb_reply_parse(const char *text, unsigned id, enum netns_ovsdb_reply kind,
                            struct netns_ovsdb_answer *a, struct kago_err *err);

/* Whether the database at db has a bridge of that name, and whether it is on
 * the userspace datapath. */
int netns_ovs_bridge_exists(const char *db, const char *bridge, bool *exists, bool *userspace,
                            struct kago_err *err);
/* Add the port and wait (at most timeout_ms) until ovs-vswitchd has made it. */
int netns_ovs_port_add(const char *db, const struct netns_ovs_port *p, unsigned timeout_ms,
                       struct kago_err *err);
/* Remove port name from its bridge; nothing to do when there is none. */
int netns_ovs_port_del(const char *db, const char *name, struct kago_err *err);

/* ---- values (netns/parse.c) ---------------------------------------------
 * Each error says what the text should have been. */

/* An IPv4 or IPv6 address without prefix: family and 16 bytes (IPv4 in the first 4). */
int netns_parse_ip(const char *text, int *family, uint8_t out[16], struct kago_err *err);
/* ADDRESS/PREFIX: 10.0.0.2/24 or fd00::2/64. */
int netns_parse_cidr(const char *text, struct netns_addr *a, struct kago_err *err);
/* A unicast MAC address, six hex pairs joined by ':'. */
int netns_parse_mac(const char *text, uint8_t mac[6], struct kago_err *err);
/* A count of bits above 0, with an optional unit k, M or G (powers of
 * 1000, any case): 10M = 10000000. */
int netns_parse_bits(const char *text, uint64_t *bits, struct kago_err *err);

/* ---- names (netns/names.c) ----------------------------------------------- */

/* A host-side link name for a container's link number idx: "kg" + 10 hex
 * digits of a hash of the id + "-" + idx (at most 15 characters, never
 * truncated: idx above 99 is an error). */
int netns_host_ifname(const char *id, unsigned idx, char out[IFNAMSIZ], struct kago_err *err);
/* The host-side ifb that carries a container's egress for link idx: "kb" +
 * the same hash + "-" + idx. */
int netns_host_ifb_name(const char *id, unsigned idx, char out[IFNAMSIZ], struct kago_err *err);
/* Whether name is a valid interface name (1..15 chars, no '/', ':' nor space). */
bool netns_ifname_valid(const char *name);

#endif
