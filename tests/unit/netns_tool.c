/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small driver of netns/netns.h for tests/bats/netns.bats (not a unit
 * test: it needs root and a kernel). Usage:
 *   netns_tool [-n NSPATH] veth NAME PEER PEER_NSPATH
 *   netns_tool [-n NSPATH] up|down NAME
 *   netns_tool [-n NSPATH] mtu NAME N
 *   netns_tool [-n NSPATH] mac NAME aa:bb:cc:dd:ee:ff
 *   netns_tool [-n NSPATH] addr NAME ADDR/LEN
 *   netns_tool [-n NSPATH] route NAME DST/LEN [GATEWAY]
 *   netns_tool [-n NSPATH] master NAME BRIDGE
 *   netns_tool [-n NSPATH] move NAME NSPATH [NEWNAME]
 *   netns_tool [-n NSPATH] del NAME
 *   netns_tool hostname ID N
 * -n runs the operation in that network namespace.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <string.h>

#include "../../netns/netns.h"

static int parse_cidr(const char *s, int *family, uint8_t *addr, uint8_t *len)
{
        char buf[64];
        char *slash;

        snprintf(buf, sizeof buf, "%s", s);
        slash = strchr(buf, '/');
        if (!slash)
                return -1;
        *slash = '\0';
        *family = strchr(buf, ':') ? AF_INET6 : AF_INET;
        *len = (uint8_t)atoi(slash + 1);
        return inet_pton(*family, buf, addr) == 1 ? 0 : -1;
}

static int open_ns(const char *path)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                perror(path);
        return fd;
}

static int do_addr(struct netns_nl *nl, char **a, struct kago_err *err)
{
        struct netns_addr addr = { 0 };

        if (parse_cidr(a[1], &addr.family, addr.local, &addr.prefixlen) < 0)
                return kago_err_set(err, "bad address %s", a[1]);
        memcpy(addr.peer, addr.local, sizeof addr.peer);
        return netns_addr_add(nl, a[0], &addr, err);
}

static int do_route(struct netns_nl *nl, int argc, char **a, struct kago_err *err)
{
        struct netns_route r = { 0 };

        if (parse_cidr(a[1], &r.family, r.dst, &r.dst_len) < 0 ||
            (argc > 2 && inet_pton(r.family, a[2], r.gw) != 1))
                return kago_err_set(err, "bad route");
        if (netns_link_index(nl, a[0], &r.oif, err) < 0)
                return -1;
        return netns_route_add(nl, &r, err);
}

static int do_mac(struct netns_nl *nl, char **a, struct kago_err *err)
{
        unsigned m[6];
        uint8_t mac[6];

        if (sscanf(a[1], "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
                return kago_err_set(err, "bad mac %s", a[1]);
        for (int i = 0; i < 6; i++)
                mac[i] = (uint8_t)m[i];
        return netns_link_set_mac(nl, a[0], mac, err);
}

static int do_ns_op(struct netns_nl *nl, const char *op, int argc, char **a, struct kago_err *err)
{
        int fd = -1, rc;

        if (strcmp(op, "veth") == 0 && argc == 3) {
                if ((fd = open_ns(a[2])) < 0)
                        return -1;
                rc = netns_veth_create(nl, a[0], a[1], fd, err);
        } else if (strcmp(op, "move") == 0 && argc >= 2) {
                if ((fd = open_ns(a[1])) < 0)
                        return -1;
                rc = netns_link_move(nl, a[0], fd, argc > 2 ? a[2] : NULL, err);
        } else {
                return kago_err_set(err, "unknown operation %s", op);
        }
        close(fd);
        return rc;
}

static int do_op(struct netns_nl *nl, const char *op, int argc, char **a, struct kago_err *err)
{
        if (argc < 1)
                return kago_err_set(err, "%s: missing link name", op);
        if (strcmp(op, "up") == 0 || strcmp(op, "down") == 0)
                return netns_link_set_up(nl, a[0], op[0] == 'u', err);
        if (strcmp(op, "mtu") == 0 && argc == 2)
                return netns_link_set_mtu(nl, a[0], (uint32_t)atoi(a[1]), err);
        if (strcmp(op, "mac") == 0 && argc == 2)
                return do_mac(nl, a, err);
        if (strcmp(op, "addr") == 0 && argc == 2)
                return do_addr(nl, a, err);
        if (strcmp(op, "route") == 0 && argc >= 2)
                return do_route(nl, argc, a, err);
        if (strcmp(op, "master") == 0 && argc == 2)
                return netns_link_set_master(nl, a[0], a[1], err);
        if (strcmp(op, "del") == 0)
                return netns_link_delete(nl, a[0], err);
        return do_ns_op(nl, op, argc, a, err);
}

int main(int argc, char **argv)
{
        struct kago_err err = { 0 };
        struct netns_nl *nl = NULL;
        int nsfd = -1, rc;

        if (argc == 4 && strcmp(argv[1], "hostname") == 0) {
                char name[IFNAMSIZ];
                if (netns_host_ifname(argv[2], (unsigned)atoi(argv[3]), name, &err) < 0)
                        goto fail;
                puts(name);
                return 0;
        }
        if (argc > 2 && strcmp(argv[1], "-n") == 0) {
                if ((nsfd = open_ns(argv[2])) < 0)
                        return 1;
                argc -= 2;
                argv += 2;
        }
        if (argc < 2) {
                fprintf(stderr, "usage: netns_tool [-n NSPATH] OP ARGS...\n");
                return 2;
        }
        if (netns_nl_open(nsfd, &nl, &err) < 0)
                goto fail;
        rc = do_op(nl, argv[1], argc - 2, argv + 2, &err);
        netns_nl_close(nl);
        if (rc == 0)
                return 0;
fail:
        fprintf(stderr, "netns_tool: %s\n", kago_err_text(&err));
        return 1;
}
