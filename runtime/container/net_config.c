/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kago-managed networks: the kago.net* annotations read into a net_config,
 * for `kago run`/`create` without an engine (engines bring their own
 * network and set none of these). One table of keys; every value goes
 * through netns/'s parsers, and a refusal names the annotation and value.
 */
#include <stddef.h>
#include <string.h>

#include "../../netns/netns.h"
#include "container.h"

#define MTU_MIN  68
#define MTU_MAX  65535
#define VLAN_MAX 4094
/* Without kago.net.*-burst: 100 ms at the rate, at least 64 KiB (a GSO packet). */
#define BURST_MIN_BITS (64 * 1024 * 8)

static int bad(const char *key, const char *v, struct kago_err *err)
{
        return kago_err_wrap(err, "annotation %s '%s'", key, v);
}

static int parse_ifname(const char *text, char out[IFNAMSIZ], struct kago_err *err)
{
        if (!netns_ifname_valid(text))
                return kago_err_set(err, "not a valid interface name (1 to 15 characters, no '/', "
                                         "':' or space)");
        snprintf(out, IFNAMSIZ, "%s", text);
        return 0;
}

static int parse_vid(const char *text, uint16_t *vid, struct kago_err *err)
{
        int64_t n;

        if (str_to_i64(text, 1, VLAN_MAX, &n) < 0)
                return kago_err_set(err, "VLAN '%s': expected 1 to %d", text, VLAN_MAX);
        *vid = (uint16_t)n;
        return 0;
}

static int parse_trunks(const char *list, struct net_config *c, struct kago_err *err)
{
        _cleanup_free_ char *copy = xstrdup(list);
        char *save = NULL;

        for (char *v = strtok_r(copy, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
                if (c->n_trunks == NET_TRUNKS_MAX)
                        return kago_err_set(err, "at most %d trunk VLANs", NET_TRUNKS_MAX);
                if (parse_vid(v, &c->trunks[c->n_trunks++], err) < 0)
                        return -1;
        }
        return c->n_trunks ? 0 : kago_err_set(err, "trunks= names no VLAN");
}

/* BR, BR:vlan=N, and for Open vSwitch BR:trunks=N,M,... */
static int parse_switch(const char *spec, struct net_config *c, struct kago_err *err)
{
        _cleanup_free_ char *copy = xstrdup(spec);
        char *opt = strchr(copy, ':');
        bool ovs = c->mode == NET_MODE_OVS;

        if (opt) {
                *opt++ = '\0';
                if (str_has_prefix(opt, "vlan=")) {
                        if (parse_vid(opt + 5, &c->vlan, err) < 0)
                                return -1;
                } else if (ovs && str_has_prefix(opt, "trunks=")) {
                        if (parse_trunks(opt + 7, c, err) < 0)
                                return -1;
                } else {
                        return kago_err_set(err, "'%s': expected vlan=N%s", opt,
                                            ovs ? " or trunks=N,M,..." : "");
                }
        }
        if (parse_ifname(copy, c->bridge, err) < 0)
                return kago_err_wrap(err, "bridge '%s'", copy);
        return 0;
}

static int parse_mode(const char *v, struct net_config *c, struct kago_err *err)
{
        if (strcmp(v, "none") == 0)
                c->mode = NET_MODE_NONE;
        else if (strcmp(v, "loopback") == 0)
                c->mode = NET_MODE_LOOPBACK;
        else if (strcmp(v, "veth") == 0)
                c->mode = NET_MODE_VETH;
        else if (str_has_prefix(v, "bridge:")) {
                c->mode = NET_MODE_BRIDGE;
                return parse_switch(v + 7, c, err);
        } else if (str_has_prefix(v, "ovs:")) {
                c->mode = NET_MODE_OVS;
                return parse_switch(v + 4, c, err);
        } else
                return kago_err_set(err, "expected none, loopback, veth, bridge:BRIDGE[:vlan=N] "
                                         "or ovs:BRIDGE[:vlan=N|:trunks=N,M,...]");
        return 0;
}

/* A comma-separated list; each item through one parser. */
static int each_item(const char *list,
                     int (*one)(const char *, struct net_config *, struct kago_err *),
                     struct net_config *c, struct kago_err *err)
{
        _cleanup_free_ char *copy = xstrdup(list);
        char *save = NULL;

        for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save))
                if (one(item, c, err) < 0)
                        return -1;
        return 0;
}

static int one_address(const char *text, struct net_config *c, struct kago_err *err)
{
        if (c->n_addrs == NET_ADDRS_MAX)
                return kago_err_set(err, "at most %d addresses", NET_ADDRS_MAX);
        return netns_parse_cidr(text, &c->addrs[c->n_addrs++], err);
}

static bool has_family(const struct net_config *c, int family)
{
        for (size_t i = 0; i < c->n_addrs; i++)
                if (c->addrs[i].family == family)
                        return true;
        return false;
}

static int one_gateway(const char *text, struct net_config *c, struct kago_err *err)
{
        struct netns_route *r = &c->routes[c->n_routes];

        if (c->n_routes == 2)
                return kago_err_set(err, "one IPv4 and one IPv6 gateway at most");
        memset(r, 0, sizeof *r);
        if (netns_parse_ip(text, &r->family, r->gw, err) < 0)
                return -1;
        for (size_t i = 0; i < c->n_routes; i++)
                if (c->routes[i].family == r->family)
                        return kago_err_set(err, "'%s': a second gateway of the same family", text);
        if (!has_family(c, r->family))
                return kago_err_set(err,
                                    "'%s': kago.net.address has no address of its family to "
                                    "reach it from",
                                    text);
        c->n_routes++;
        return 0;
}

static int parse_mtu(const char *v, struct net_config *c, struct kago_err *err)
{
        int64_t n;

        if (str_to_i64(v, MTU_MIN, MTU_MAX, &n) < 0)
                return kago_err_set(err, "expected %d to %d", MTU_MIN, MTU_MAX);
        c->mtu = (uint32_t)n;
        return 0;
}

static int parse_mac(const char *v, struct net_config *c, struct kago_err *err)
{
        c->has_mac = true;
        return netns_parse_mac(v, c->mac, err);
}

static int parse_ovsdb(const char *v, struct net_config *c, struct kago_err *err)
{
        if (v[0] != '/' || strlen(v) >= sizeof c->ovsdb)
                return kago_err_set(err,
                                    "expected the absolute path of ovsdb-server's unix socket "
                                    "(at most %zu characters)",
                                    sizeof c->ovsdb - 1);
        snprintf(c->ovsdb, sizeof c->ovsdb, "%s", v);
        return 0;
}

static int parse_ifname_key(const char *v, struct net_config *c, struct kago_err *err)
{
        return parse_ifname(v, c->ifname, err);
}

static int parse_addresses(const char *v, struct net_config *c, struct kago_err *err)
{
        return each_item(v, one_address, c, err);
}

static int parse_gateways(const char *v, struct net_config *c, struct kago_err *err)
{
        return each_item(v, one_gateway, c, err);
}

/* In order: the gateways are checked against the addresses before them. A
 * key without a parser is a count of bits (netns_parse_bits) at bits_at. */
static const struct net_key {
        const char *key;
        int (*parse)(const char *v, struct net_config *c, struct kago_err *err);
        size_t bits_at;
} net_keys[] = {
        {"kago.net", parse_mode, 0},
        {"kago.net.ifname", parse_ifname_key, 0},
        {"kago.net.address", parse_addresses, 0},
        {"kago.net.gateway", parse_gateways, 0},
        {"kago.net.mac", parse_mac, 0},
        {"kago.net.mtu", parse_mtu, 0},
        {"kago.net.ingress-rate", NULL, offsetof(struct net_config, ingress.rate)},
        {"kago.net.ingress-burst", NULL, offsetof(struct net_config, ingress.burst)},
        {"kago.net.egress-rate", NULL, offsetof(struct net_config, egress.rate)},
        {"kago.net.egress-burst", NULL, offsetof(struct net_config, egress.burst)},
        {"kago.net.ovsdb", parse_ovsdb, 0},
};

static const struct net_key *net_key_find(const char *key)
{
        for (size_t i = 0; i < sizeof net_keys / sizeof net_keys[0]; i++)
                if (strcmp(net_keys[i].key, key) == 0)
                        return &net_keys[i];
        return NULL;
}

static int check_unknown(const struct oci_spec *s, struct kago_err *err)
{
        for (size_t i = 0; i < s->annotations_len; i++) {
                const char *k = s->annotations[i].key;
                if (str_has_prefix(k, "kago.net.") && !net_key_find(k))
                        return kago_err_set(err,
                                            "annotation %s: unknown; kago.net takes "
                                            "kago.net.ifname, .address, .gateway, .mac, .mtu, "
                                            ".ingress-rate, .ingress-burst, .egress-rate, "
                                            ".egress-burst and .ovsdb",
                                            k);
        }
        return 0;
}

/* A rate alone gets a burst of 100 ms; a burst needs its rate. */
static int check_bucket(struct netns_tbf *t, const char *dir, struct kago_err *err)
{
        if (t->burst && !t->rate)
                return kago_err_set(err, "annotation kago.net.%s-burst: needs kago.net.%s-rate",
                                    dir, dir);
        if (t->rate && !t->burst)
                t->burst = t->rate / 10 > BURST_MIN_BITS ? t->rate / 10 : BURST_MIN_BITS;
        return 0;
}

/* The settings that need a link of kago's own. */
static const char *first_link_setting(const struct oci_spec *s)
{
        for (size_t i = 1; i < sizeof net_keys / sizeof net_keys[0]; i++)
                if (spec_annotation(s, net_keys[i].key))
                        return net_keys[i].key;
        return NULL;
}

static int check_mode(const struct oci_spec *s, struct net_config *c, struct kago_err *err)
{
        const char *key = first_link_setting(s);

        if (!net_config_has_link(c)) {
                if (key)
                        return kago_err_set(err,
                                            "annotation %s: needs kago.net=veth, "
                                            "bridge:BRIDGE or ovs:BRIDGE",
                                            key);
                return 0;
        }
        if (c->ovsdb[0] && c->mode != NET_MODE_OVS)
                return kago_err_set(err, "annotation kago.net.ovsdb: needs kago.net=ovs:BRIDGE");
        if (c->mode == NET_MODE_OVS && !c->ovsdb[0])
                snprintf(c->ovsdb, sizeof c->ovsdb, "%s", NETNS_OVSDB_DEFAULT);
        if (!spec_namespace(s, OCI_NS_NETWORK))
                return kago_err_set(err, "annotation kago.net: the container has no network "
                                         "namespace of its own (linux.namespaces has no "
                                         "\"network\" entry) to put a link in");
        return 0;
}

int net_config_from_spec(const struct oci_spec *s, struct net_config *c, struct kago_err *err)
{
        memset(c, 0, sizeof *c);
        snprintf(c->ifname, sizeof c->ifname, "eth0");
        if (check_unknown(s, err) < 0)
                return -1;
        for (size_t i = 0; i < sizeof net_keys / sizeof net_keys[0]; i++) {
                const struct net_key *k = &net_keys[i];
                const char *v = spec_annotation(s, k->key);
                if (v && (k->parse ? k->parse(v, c, err)
                                   : netns_parse_bits(v, (uint64_t *)((char *)c + k->bits_at), err)) < 0)
                        return bad(k->key, v, err);
        }
        if (check_bucket(&c->ingress, "ingress", err) < 0 ||
            check_bucket(&c->egress, "egress", err) < 0)
                return -1;
        return check_mode(s, c, err);
}

bool net_config_has_link(const struct net_config *c)
{
        return c->mode == NET_MODE_VETH || c->mode == NET_MODE_BRIDGE || c->mode == NET_MODE_OVS;
}
