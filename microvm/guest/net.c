/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest's network, before the workload starts: loopback up, and each
 * NIC the VMM made for one of the container's interfaces found by its MAC,
 * given that interface's name and MTU, brought up and given its IPv4 and
 * IPv6 addresses (rtnetlink RTM_NEWADDR); then the routes (RTM_NEWROUTE),
 * whose gateways those addresses make reachable.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
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
        req->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
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
static int addr_add(int nl, int ifindex, const struct nic_addr *a)
{
        struct nl_req req;
        nl_begin(&req, sizeof req.ifa);
        req.ifa = (struct ifaddrmsg){ .ifa_family = a->family, .ifa_prefixlen = a->prefix,
                                      .ifa_flags = a->family == AF_INET6 ? IFA_F_NODAD : 0,
                                      .ifa_index = (unsigned)ifindex };
        nl_put(&req.h, IFA_LOCAL, a->ip, ip_len(a->family));
        nl_put(&req.h, IFA_ADDRESS, a->ip, ip_len(a->family));
        return nl_talk(nl, &req, RTM_NEWADDR);
}

/* A route the kernel made already (an address's subnet, fe80::/64) is no error. */
static int route_add(int nl, int ifindex, const struct nic_route *r)
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
        if (nl_talk(nl, &req, RTM_NEWROUTE) < 0 && errno != EEXIST)
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
