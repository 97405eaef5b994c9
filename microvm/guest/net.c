/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest's network, before the workload starts: loopback up, and each
 * NIC the VMM made for one of the container's interfaces found by its MAC,
 * given that interface's name and MTU, brought up and given its IPv4 and
 * IPv6 addresses (rtnetlink RTM_NEWADDR); then the routes (RTM_NEWROUTE),
 * whose gateways those addresses make reachable. After a restore, each NIC
 * takes the restoring container's MAC, addresses and routes, and announces
 * itself.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest.h"

struct nl_req {
        struct nlmsghdr h;
        union {
                struct ifaddrmsg ifa;
                struct rtmsg rtm;
        };
        char attrs[96];
};

static void nl_put(struct nlmsghdr *h, unsigned short type, const void *data, size_t len)
{
        struct rtattr *rta = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));
        rta->rta_type = type;
        rta->rta_len = (unsigned short)RTA_LENGTH(len);
        memcpy(RTA_DATA(rta), data, len);
        h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Send one request and read its ACK: 0, or -1 with errno the kernel's. */
static int nl_talk(int fd, struct nl_req *req, uint16_t type)
{
        static uint32_t seq;
        req->h.nlmsg_type = type;
        req->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        if (type == RTM_NEWADDR || type == RTM_NEWROUTE)
                req->h.nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
        req->h.nlmsg_seq = ++seq;
        if (send(fd, req, req->h.nlmsg_len, 0) < 0)
                return -1;
        char buf[512];
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        struct nlmsghdr *h = (struct nlmsghdr *)buf;
        if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) || h->nlmsg_type != NLMSG_ERROR) {
                errno = EPROTO;
                return -1;
        }
        int e = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
        errno = -e;
        return e ? -1 : 0;
}

static void nl_begin(struct nl_req *req, size_t body)
{
        memset(req, 0, sizeof *req);
        req->h.nlmsg_len = (uint32_t)NLMSG_LENGTH(body);
}

static size_t ip_len(int family)
{
        return family == AF_INET6 ? 16 : 4;
}

/* An IPv6 address skips duplicate address detection: the engine gave it to
 * the container's interface, which the guest's NIC stands for. */
static int addr_talk(int nl, int ifindex, const struct nic_addr *a, uint16_t type)
{
        struct nl_req req;
        nl_begin(&req, sizeof req.ifa);
        req.ifa = (struct ifaddrmsg){ .ifa_family = a->family, .ifa_prefixlen = a->prefix,
                                      .ifa_flags = a->family == AF_INET6 ? IFA_F_NODAD : 0,
                                      .ifa_index = (unsigned)ifindex };
        nl_put(&req.h, IFA_LOCAL, a->ip, ip_len(a->family));
        nl_put(&req.h, IFA_ADDRESS, a->ip, ip_len(a->family));
        return nl_talk(nl, &req, type);
}

static int addr_add(int nl, int ifindex, const struct nic_addr *a)
{
        return addr_talk(nl, ifindex, a, RTM_NEWADDR);
}

static int route_talk(int nl, int ifindex, const struct nic_route *r, uint16_t type)
{
        static const uint8_t zero[16];
        size_t len = ip_len(r->family);
        bool via = memcmp(r->gw, zero, len) != 0;
        struct nl_req req;
        nl_begin(&req, sizeof req.rtm);
        req.rtm = (struct rtmsg){ .rtm_family = r->family, .rtm_dst_len = r->dst_len,
                                  .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT,
                                  .rtm_scope = via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
                                  .rtm_type = RTN_UNICAST };
        if (r->dst_len)
                nl_put(&req.h, RTA_DST, r->dst, len);
        if (via)
                nl_put(&req.h, RTA_GATEWAY, r->gw, len);
        uint32_t oif = (uint32_t)ifindex;
        nl_put(&req.h, RTA_OIF, &oif, 4);
        return nl_talk(nl, &req, type);
}

/* A route the kernel made already (an address's subnet, fe80::/64) is no error. */
static int route_add(int nl, int ifindex, const struct nic_route *r)
{
        if (route_talk(nl, ifindex, r, RTM_NEWROUTE) < 0 && errno != EEXIST)
                return -1;
        return 0;
}

/* The kernel numbers the guest's few interfaces from 1. */
#define IFINDEX_MAX 64

/* The name of the interface whose MAC is mac, into name; -1 when none has it. */
static int find_by_mac(int fd, const uint8_t mac[6], char name[IF_NAMESIZE])
{
        for (int i = 1; i <= IFINDEX_MAX; i++) {
                struct ifreq ifr = { .ifr_ifindex = i };
                if (ioctl(fd, SIOCGIFNAME, &ifr) < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0 ||
                    memcmp(ifr.ifr_hwaddr.sa_data, mac, 6) != 0)
                        continue;
                memcpy(name, ifr.ifr_name, IF_NAMESIZE);
                return 0;
        }
        return -1;
}

static int if_index(int fd, const char *name)
{
        struct ifreq ifr = { 0 };
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
        return ioctl(fd, SIOCGIFINDEX, &ifr) < 0 ? 0 : ifr.ifr_ifindex;
}

static int set_name(int fd, const char *from, const char *to)
{
        struct ifreq ifr = { 0 };
        if (strcmp(from, to) == 0)
                return 0;
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", from);
        snprintf(ifr.ifr_newname, sizeof ifr.ifr_newname, "%s", to);
        return ioctl(fd, SIOCSIFNAME, &ifr);
}

static int set_up(int fd, const char *name, unsigned mtu)
{
        struct ifreq ifr = { 0 };
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
        if (mtu) {
                ifr.ifr_mtu = (int)mtu;
                if (ioctl(fd, SIOCSIFMTU, &ifr) < 0)
                        return -1;
        }
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                return -1;
        ifr.ifr_flags |= IFF_UP;
        return ioctl(fd, SIOCSIFFLAGS, &ifr);
}

/* Every NIC under a name of its own first, so that no wanted name is taken. */
static const char *nics_rename(int fd, const struct conf *c)
{
        char name[IF_NAMESIZE], tmp[IF_NAMESIZE];
        for (int i = 0; i < c->nnics; i++) {
                snprintf(tmp, sizeof tmp, "kagonic%u", (unsigned)i % MAX_NICS);
                if (find_by_mac(fd, c->nics[i].mac, name) < 0) {
                        errno = ENODEV;
                        return "find the NIC with the container interface's MAC";
                }
                if (set_name(fd, name, tmp) < 0)
                        return "rename a NIC";
        }
        for (int i = 0; i < c->nnics; i++) {
                snprintf(tmp, sizeof tmp, "kagonic%u", (unsigned)i % MAX_NICS);
                if (set_name(fd, tmp, c->nics[i].name) < 0)
                        return "give a NIC its container interface's name";
        }
        return NULL;
}

static const char *nics_configure(int fd, int nl, const struct conf *c)
{
        for (int i = 0; i < c->nnics; i++) {
                const struct nic *n = &c->nics[i];
                int ifindex = if_index(fd, n->name);
                if (!ifindex || set_up(fd, n->name, n->mtu) < 0)
                        return "bring a NIC up";
                for (int k = 0; k < c->naddrs; k++)
                        if (memcmp(c->addrs[k].mac, n->mac, 6) == 0 &&
                            addr_add(nl, ifindex, &c->addrs[k]) < 0)
                                return "add a NIC's address";
        }
        for (int i = 0; i < c->nnics; i++) {
                int ifindex = if_index(fd, c->nics[i].name);
                for (int k = 0; k < c->nroutes; k++)
                        if (memcmp(c->routes[k].mac, c->nics[i].mac, 6) == 0 &&
                            route_add(nl, ifindex, &c->routes[k]) < 0)
                                return "add a route";
        }
        return NULL;
}

const char *net_setup(const struct conf *c)
{
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return "socket for the network setup";
        const char *failed = set_up(fd, "lo", 0) < 0 ? "bring loopback up" : NULL;
        if (!failed && c->nnics) {
                int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
                failed = nl < 0 ? "netlink socket" : nics_rename(fd, c);
                if (!failed)
                        failed = nics_configure(fd, nl, c);
                if (nl >= 0)
                        close(nl);
        }
        close(fd);
        return failed;
}

static bool same_addr(const struct nic_addr *a, const struct nic_addr *b)
{
        return a->family == b->family && a->prefix == b->prefix && !memcmp(a->ip, b->ip, 16);
}

static bool same_route(const struct nic_route *a, const struct nic_route *b)
{
        return a->family == b->family && a->dst_len == b->dst_len && !memcmp(a->dst, b->dst, 16) &&
               !memcmp(a->gw, b->gw, 16);
}

/* Whether NIC mac of c has an address (a route) equal to x. */
static bool has_addr(const struct conf *c, const uint8_t mac[6], const struct nic_addr *x)
{
        for (int k = 0; k < c->naddrs; k++)
                if (!memcmp(c->addrs[k].mac, mac, 6) && same_addr(&c->addrs[k], x))
                        return true;
        return false;
}

static bool has_route(const struct conf *c, const uint8_t mac[6], const struct nic_route *x)
{
        for (int k = 0; k < c->nroutes; k++)
                if (!memcmp(c->routes[k].mac, mac, 6) && same_route(&c->routes[k], x))
                        return true;
        return false;
}

/* The NIC's routes and addresses the restoring container no longer has go
 * (routes first: their gateways need the addresses). */
static const char *nic_forget(int nl, int ifindex, const struct conf *cur, const struct nic *was,
                              const struct conf *now, const struct nic *is)
{
        for (int k = 0; k < cur->nroutes; k++) {
                const struct nic_route *r = &cur->routes[k];
                if (!memcmp(r->mac, was->mac, 6) && !has_route(now, is->mac, r) &&
                    route_talk(nl, ifindex, r, RTM_DELROUTE) < 0 && errno != ESRCH)
                        return "remove a route the restoring container lacks";
        }
        for (int k = 0; k < cur->naddrs; k++) {
                const struct nic_addr *a = &cur->addrs[k];
                if (!memcmp(a->mac, was->mac, 6) && !has_addr(now, is->mac, a) &&
                    addr_talk(nl, ifindex, a, RTM_DELADDR) < 0 && errno != EADDRNOTAVAIL)
                        return "remove an address the restoring container lacks";
        }
        return NULL;
}

/* Setting the MAC, even the same, announces the NIC's addresses. */
static void announce_on_change(const char *name)
{
        static const char *const knobs[] = { "/proc/sys/net/ipv4/conf/%s/arp_notify",
                                             "/proc/sys/net/ipv6/conf/%s/ndisc_notify" };
        for (size_t i = 0; i < sizeof knobs / sizeof *knobs; i++) {
                char path[96];
                snprintf(path, sizeof path, knobs[i], name);
                FILE *f = fopen(path, "we");
                if (f) {
                        fputs("1", f);
                        fclose(f);
                }
        }
}

static int set_mac(int fd, const char *name, const uint8_t mac[6])
{
        struct ifreq ifr = { 0 };
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
        ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
        memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
        return ioctl(fd, SIOCSIFHWADDR, &ifr);
}

static const char *nic_renew(int fd, int nl, const struct conf *cur, const struct nic *was,
                             const struct conf *now, const struct nic *is)
{
        int ifindex = if_index(fd, is->name);
        if (!ifindex)
                return "find a restored NIC by its interface name";
        const char *failed = nic_forget(nl, ifindex, cur, was, now, is);
        if (failed)
                return failed;
        if (set_up(fd, is->name, is->mtu) < 0)
                return "set a restored NIC's MTU";
        for (int k = 0; k < now->naddrs; k++)
                if (!memcmp(now->addrs[k].mac, is->mac, 6) &&
                    addr_add(nl, ifindex, &now->addrs[k]) < 0 && errno != EEXIST)
                        return "add a restored NIC's address";
        announce_on_change(is->name);
        if (set_mac(fd, is->name, is->mac) < 0)
                return "give a restored NIC its container interface's MAC";
        for (int k = 0; k < now->nroutes; k++)
                if (!memcmp(now->routes[k].mac, is->mac, 6) &&
                    route_add(nl, ifindex, &now->routes[k]) < 0)
                        return "add a restored NIC's route";
        return NULL;
}

static const struct nic *nic_named(const struct conf *c, const char *name)
{
        for (int i = 0; i < c->nnics; i++)
                if (strcmp(c->nics[i].name, name) == 0)
                        return &c->nics[i];
        return NULL;
}

static void net_keep(struct conf *cur, const struct conf *now)
{
        memcpy(cur->nics, now->nics, sizeof cur->nics);
        memcpy(cur->addrs, now->addrs, sizeof cur->addrs);
        memcpy(cur->routes, now->routes, sizeof cur->routes);
        cur->nnics = now->nnics;
        cur->naddrs = now->naddrs;
        cur->nroutes = now->nroutes;
}

const char *net_renew(struct conf *cur, const struct conf *now)
{
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        const char *failed = fd < 0 || nl < 0 ? "socket for the network" : NULL;
        for (int i = 0; !failed && i < now->nnics; i++) {
                const struct nic *was = nic_named(cur, now->nics[i].name);
                if (!was) {
                        errno = ENODEV;
                        failed = "find a restored NIC by its interface name";
                        break;
                }
                failed = nic_renew(fd, nl, cur, was, now, &now->nics[i]);
        }
        if (!failed)
                net_keep(cur, now);
        if (fd >= 0)
                close(fd);
        if (nl >= 0)
                close(nl);
        return failed;
}
