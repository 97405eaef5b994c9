/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A kago-managed network link (kago.net=veth|bridge:BR|ovs:BR): a veth
 * pair whose container end is made straight in the container's network
 * namespace, given its MAC, MTU, addresses and default routes; the host end
 * (deterministic name from the id) optionally a port of a Linux bridge
 * (with a VLAN) or of an Open vSwitch bridge (tag or trunks, external_ids
 * naming the container); bandwidth as the CNI bandwidth plugin limits it:
 * ingress (towards the container) by a TBF on the host end, egress by
 * redirecting what the host end receives to an ifb with a TBF. Deleting
 * the host end takes the pair, its qdiscs and filters with it; the ifb goes
 * by name, the OVS port through the database recorded in the state.
 */
#include <errno.h>
#include <string.h>

#include "../../netns/netns.h"
#include "container.h"

struct net_names {
        char host[IFNAMSIZ];
        char ifb[IFNAMSIZ];
};

static int net_names(const char *id, struct net_names *n, struct kago_err *err)
{
        if (netns_host_ifname(id, 0, n->host, err) < 0 ||
            netns_host_ifb_name(id, 0, n->ifb, err) < 0)
                return -1;
        return 0;
}

static int check_linux_bridge(const char *bridge, struct kago_err *err)
{
        _cleanup_netns_nl_ struct netns_nl *host = NULL;
        struct netns_link_info br = {0};

        if (netns_nl_open(-1, &host, err) < 0 || netns_link_info(host, bridge, &br, err) < 0)
                return kago_err_wrap(err, "config.json: annotation kago.net: bridge");
        if (strcmp(br.kind, "bridge") != 0)
                return kago_err_set(err,
                                    "config.json: annotation kago.net: link \"%s\" is not a "
                                    "Linux bridge (its kind is \"%s\")",
                                    bridge, br.kind);
        return 0;
}

static int check_ovs_bridge(const struct net_config *c, struct kago_err *err)
{
        bool exists, userspace;

        if (netns_ovs_bridge_exists(c->ovsdb, c->bridge, &exists, &userspace, err) < 0)
                return kago_err_wrap(err, "config.json: annotation kago.net");
        if (!exists)
                return kago_err_set(err,
                                    "config.json: annotation kago.net: the Open vSwitch "
                                    "database %s has no bridge \"%s\"",
                                    c->ovsdb, c->bridge);
        return 0;
}

int net_managed_check(const struct oci_spec *s, struct kago_err *err)
{
        struct net_config c;

        if (net_config_from_spec(s, &c, err) < 0)
                return kago_err_wrap(err, "config.json");
        if (c.mode == NET_MODE_BRIDGE)
                return check_linux_bridge(c.bridge, err);
        if (c.mode == NET_MODE_OVS)
                return check_ovs_bridge(&c, err);
        return 0;
}

static int setup_inside(struct netns_nl *in, const struct net_config *c, struct kago_err *err)
{
        int ifindex;

        if ((c->has_mac && netns_link_set_mac(in, c->ifname, c->mac, err) < 0) ||
            (c->mtu && netns_link_set_mtu(in, c->ifname, c->mtu, err) < 0) ||
            netns_link_set_up(in, c->ifname, true, err) < 0 ||
            netns_link_index(in, c->ifname, &ifindex, err) < 0)
                return -1;
        for (size_t i = 0; i < c->n_addrs; i++)
                if (netns_addr_add(in, c->ifname, &c->addrs[i], err) < 0)
                        return -1;
        for (size_t i = 0; i < c->n_routes; i++) {
                struct netns_route r = c->routes[i];
                r.oif = ifindex;
                if (netns_route_add(in, &r, err) < 0)
                        return -1;
        }
        return 0;
}

/* Open vSwitch waits at most this long for ovs-vswitchd to make the port. */
#define OVS_PORT_WAIT_MS 10000

/* Open vSwitch's userspace datapath reads the host end through a packet
 * socket and forwards frames as they are: the container must not leave
 * their checksums to an offload that never happens. */
static int join_ovs(const struct net_config *c, const char *name, const char *id, int nsfd,
                    struct kago_err *err)
{
        const struct netns_ovs_port port = {c->bridge, name, id, c->vlan, c->trunks, c->n_trunks};
        bool exists, userspace;

        if (netns_ovs_bridge_exists(c->ovsdb, c->bridge, &exists, &userspace, err) < 0 ||
            (userspace && netns_link_tx_csum_off(nsfd, c->ifname, err) < 0))
                return -1;
        return netns_ovs_port_add(c->ovsdb, &port, OVS_PORT_WAIT_MS, err);
}

static int join_switch(struct netns_nl *host, const struct net_config *c, const char *name,
                       const char *id, int nsfd, struct kago_err *err)
{

        switch (c->mode) {
        case NET_MODE_BRIDGE:
                if (netns_link_set_master(host, name, c->bridge, err) < 0 ||
                    (c->vlan && netns_bridge_port_vlan(host, name, c->vlan, err) < 0))
                        return -1;
                return 0;
        case NET_MODE_OVS: return join_ovs(c, name, id, nsfd, err);
        default: return 0;
        }
}

static int setup_host_end(struct netns_nl *host, const struct net_config *c, const char *name,
                          const char *id, int nsfd, struct kago_err *err)
{
        if ((c->mtu && netns_link_set_mtu(host, name, c->mtu, err) < 0) ||
            netns_link_set_up(host, name, true, err) < 0)
                return -1;
        return join_switch(host, c, name, id, nsfd, err);
}

static int setup_bandwidth(struct netns_nl *host, const struct net_config *c,
                           const struct net_names *n, struct kago_err *err)
{
        if (c->ingress.rate && netns_tc_limit(host, n->host, &c->ingress, err) < 0)
                return -1;
        if (!c->egress.rate)
                return 0;
        if (netns_link_create(host, n->ifb, "ifb", err) < 0 ||
            netns_link_set_up(host, n->ifb, true, err) < 0 ||
            netns_tc_limit(host, n->ifb, &c->egress, err) < 0 ||
            netns_tc_redirect_ingress(host, n->host, n->ifb, err) < 0)
                return -1;
        return 0;
}

static int attach_link(const struct oci_spec *s, const struct net_config *c,
                       const struct net_names *n, const char *id, pid_t pid, struct kago_err *err)
{
        _cleanup_netns_nl_ struct netns_nl *host = NULL, *in = NULL;
        _cleanup_close_ int nsfd = net_open_container_ns(s, pid, err);

        if (nsfd < 0 || netns_nl_open(-1, &host, err) < 0 || netns_nl_open(nsfd, &in, err) < 0 ||
            netns_veth_create(host, n->host, c->ifname, nsfd, err) < 0 ||
            setup_inside(in, c, err) < 0 || setup_host_end(host, c, n->host, id, nsfd, err) < 0 ||
            setup_bandwidth(host, c, n, err) < 0)
                return -1;
        return 0;
}

int net_managed_attach(int dirfd, struct container_state *st, const struct oci_spec *s, pid_t pid,
                       struct kago_err *err)
{
        struct net_config c;
        struct net_names n;

        if (net_config_from_spec(s, &c, err) < 0)
                return -1;
        if (!net_config_has_link(&c))
                return 0;
        if (net_names(st->id, &n, err) < 0)
                return -1;
        /* Recorded before anything is made: a delete after a crash here
         * still removes what was. */
        st->net_managed = true;
        if (c.mode == NET_MODE_OVS)
                st->net_ovsdb = xstrdup(c.ovsdb);
        if (store_write_state(dirfd, st, err) < 0)
                return -1;
        if (attach_link(s, &c, &n, st->id, pid, err) < 0)
                return kago_err_wrap(err, "kago.net");
        return 0;
}

static void delete_if_there(struct netns_nl *host, const char *name)
{
        struct kago_err err = {0};
        bool there;

        if (netns_link_exists(host, name, &there, &err) == 0 && there)
                netns_link_delete(host, name, &err);
        if (err.msg[0])
                log_warning("kago.net: %s", kago_err_text(&err));
}

void net_managed_detach(const struct container_state *st)
{
        _cleanup_netns_nl_ struct netns_nl *host = NULL;
        struct kago_err err = {0};
        struct net_names n;

        if (!st->net_managed)
                return;
        if (net_names(st->id, &n, &err) < 0 || netns_nl_open(-1, &host, &err) < 0) {
                log_warning("kago.net: remove the container's links: %s", kago_err_text(&err));
                return;
        }
        if (st->net_ovsdb && netns_ovs_port_del(st->net_ovsdb, n.host, &err) < 0) {
                log_warning("kago.net: %s", kago_err_text(&err));
                kago_err_clear(&err);
        }
        delete_if_there(host, n.host);
        delete_if_there(host, n.ifb);
}

char *net_managed_host_link(const struct container_state *st)
{
        struct kago_err err = {0};
        struct net_names n;

        if (!st->net_managed || net_names(st->id, &n, &err) < 0)
                return NULL;
        return xstrdup(n.host);
}
