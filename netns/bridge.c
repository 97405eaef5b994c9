/* SPDX-License-Identifier: GPL-2.0-or-later */
/* VLANs on Linux bridge ports. */
#include <errno.h>
#include <linux/if_bridge.h>

#include "internal.h"

#define DEFAULT_VLAN 1

static int port_vlan(struct netns_nl *nl, const char *name, int ifindex, uint16_t vid,
                     uint16_t flags, bool add, struct kago_err *err)
{
        char buf[NETNS_MSG_BUF];

        if (netns_nl_request(nl,
                             netns_msg_bridge_vlan(buf, netns_nl_seq(nl), ifindex, vid, flags, add),
                             NULL, NULL) < 0)
                return kago_err_errno(err, errno, "link \"%s\": %s VLAN %u", name,
                                      add ? "join" : "leave", vid);
        return 0;
}

/* The port's bridge must filter VLANs: without it a tag is recorded and
 * never enforced, and the port would still see every VLAN. */
static int check_filtering(struct netns_nl *nl, const char *name,
                           const struct netns_link_info *port, struct kago_err *err)
{
        struct netns_link_info br = {0};
        char bridge[IF_NAMESIZE] = "";

        if (port->master <= 0)
                return kago_err_set(err, "link \"%s\": VLAN: not a bridge port", name);
        if (!if_indextoname((unsigned)port->master, bridge))
                return kago_err_errno(err, errno, "link \"%s\": its bridge (index %d)", name,
                                      port->master);
        if (netns_link_info(nl, bridge, &br, err) < 0)
                return -1;
        if (!br.vlan_filtering)
                return kago_err_set(err,
                                    "bridge \"%s\" does not filter VLANs: turn it on with "
                                    "`ip link set %s type bridge vlan_filtering 1`",
                                    bridge, bridge);
        return 0;
}

int netns_bridge_port_vlan(struct netns_nl *nl, const char *name, uint16_t vid,
                           struct kago_err *err)
{
        struct netns_link_info port = {0};

        if (netns_link_info(nl, name, &port, err) < 0 || check_filtering(nl, name, &port, err) < 0)
                return -1;
        if (port_vlan(nl, name, port.ifindex, vid,
                      BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED, true, err) < 0)
                return -1;
        if (vid != DEFAULT_VLAN &&
            port_vlan(nl, name, port.ifindex, DEFAULT_VLAN, 0, false, err) < 0)
                return -1;
        return 0;
}
