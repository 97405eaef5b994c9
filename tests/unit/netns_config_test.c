/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves the kago.net* annotations: each mode, addresses, gateways, MAC,
 * MTU and bandwidth read into a net_config, a rate alone gets its burst,
 * and every bad value, unknown key, setting without a link and link
 * without a network namespace is refused with the annotation named. And
 * netns/'s value parsers (addresses, MAC, bits) on their own. */
#include <arpa/inet.h>

#include "../../runtime/container/container.h"
#include "specs_test.h"

#define NET_NS           "\"linux\": {\"namespaces\": [{\"type\": \"network\"}]}"
#define NET(annotations) CONFIG(NET_NS ", \"annotations\": {" annotations "}")

static bool read_config(const char *json, struct net_config *c, struct kago_err *err)
{
        struct oci_spec *s = parse_ok(json);
        bool ok = s && net_config_from_spec(s, c, err) == 0;

        spec_free(s);
        return ok;
}

static void check_refused(const char *json, const char *want)
{
        struct kago_err err = {0};
        struct net_config c;

        CHECK(!read_config(json, &c, &err));
        CHECK_STR(kago_err_text(&err), want);
}

UNIT_TEST(no_annotations_no_link)
{
        struct kago_err err = {0};
        struct net_config c;

        CHECK(read_config(CONFIG("\"linux\": {}"), &c, &err));
        CHECK(c.mode == NET_MODE_NONE && !net_config_has_link(&c));
        CHECK(read_config(NET("\"kago.net\": \"loopback\""), &c, &err));
        CHECK(c.mode == NET_MODE_LOOPBACK && !net_config_has_link(&c));
}

UNIT_TEST(bridge_with_everything)
{
        struct kago_err err = {0};
        struct net_config c;
        uint8_t gw[4];

        CHECK(read_config(
                NET("\"kago.net\": \"bridge:br0:vlan=10\", \"kago.net.ifname\": \"net1\", "
                    "\"kago.net.address\": \"10.1.2.3/24,fd00::3/64\", "
                    "\"kago.net.gateway\": \"10.1.2.1\", \"kago.net.mac\": "
                    "\"02:42:ac:11:00:02\", \"kago.net.mtu\": \"1400\", "
                    "\"kago.net.ingress-rate\": \"10M\", \"kago.net.ingress-burst\": "
                    "\"2M\", \"kago.net.egress-rate\": \"1g\""),
                &c, &err));
        CHECK(c.mode == NET_MODE_BRIDGE && net_config_has_link(&c));
        CHECK_STR(c.bridge, "br0");
        CHECK(c.vlan == 10);
        CHECK_STR(c.ifname, "net1");
        CHECK(c.n_addrs == 2 && c.addrs[0].family == AF_INET && c.addrs[0].prefixlen == 24);
        CHECK(c.addrs[1].family == AF_INET6 && c.addrs[1].prefixlen == 64);
        inet_pton(AF_INET, "10.1.2.1", gw);
        CHECK(c.n_routes == 1 && memcmp(c.routes[0].gw, gw, 4) == 0 && c.routes[0].dst_len == 0);
        CHECK(c.has_mac && c.mac[0] == 0x02 && c.mac[5] == 0x02);
        CHECK(c.mtu == 1400);
        CHECK(c.ingress.rate == 10000000 && c.ingress.burst == 2000000);
        /* A rate alone: 100 ms of it. */
        CHECK(c.egress.rate == 1000000000 && c.egress.burst == 100000000);
}

UNIT_TEST(small_rate_gets_a_burst_of_at_least_64k)
{
        struct kago_err err = {0};
        struct net_config c;

        CHECK(read_config(NET("\"kago.net\": \"veth\", \"kago.net.ingress-rate\": \"1M\""), &c,
                          &err));
        CHECK(c.mode == NET_MODE_VETH && c.ifname[0] == 'e');
        CHECK(c.ingress.burst == 64 * 1024 * 8);
        CHECK(c.egress.rate == 0);
}

UNIT_TEST(bad_values_name_the_annotation)
{
        check_refused(NET("\"kago.net\": \"ovs\""),
                      "annotation kago.net 'ovs': expected none, loopback, veth, "
                      "bridge:BRIDGE[:vlan=N] or ovs:BRIDGE[:vlan=N|:trunks=N,M,...]");
        check_refused(NET("\"kago.net\": \"bridge:br0:trunks=10\""),
                      "annotation kago.net 'bridge:br0:trunks=10': 'trunks=10': expected vlan=N");
        check_refused(NET("\"kago.net\": \"ovs:br0:trunks=10,0\""),
                      "annotation kago.net 'ovs:br0:trunks=10,0': VLAN '0': expected 1 to 4094");
        check_refused(NET("\"kago.net\": \"bridge:br0:vlan=4095\""),
                      "annotation kago.net 'bridge:br0:vlan=4095': VLAN '4095': expected 1 to "
                      "4094");
        check_refused(NET("\"kago.net\": \"bridge:\""),
                      "annotation kago.net 'bridge:': bridge '': not a valid interface name (1 to "
                      "15 characters, no '/', ':' or space)");
        check_refused(NET("\"kago.net\": \"veth\", \"kago.net.address\": \"10.0.0.300/24\""),
                      "annotation kago.net.address '10.0.0.300/24': '10.0.0.300/24': "
                      "'10.0.0.300' is not an IPv4 or IPv6 address");
        check_refused(NET("\"kago.net\": \"veth\", \"kago.net.address\": \"10.0.0.3/33\""),
                      "annotation kago.net.address '10.0.0.3/33': '10.0.0.3/33': prefix length "
                      "'33' is not 0 to 32");
        check_refused(NET("\"kago.net\": \"veth\", \"kago.net.address\": \"10.0.0.3\""),
                      "annotation kago.net.address '10.0.0.3': '10.0.0.3': expected "
                      "ADDRESS/PREFIX (10.0.0.2/24, fd00::2/64)");
        check_refused(NET("\"kago.net\": \"veth\", \"kago.net.mtu\": \"67\""),
                      "annotation kago.net.mtu '67': expected 68 to 65535");
        check_refused(NET("\"kago.net\": \"veth\", \"kago.net.mac\": \"03:00:00:00:00:01\""),
                      "annotation kago.net.mac '03:00:00:00:00:01': '03:00:00:00:00:01' is a "
                      "multicast address: a link needs a unicast one (the first byte even)");
        check_refused(NET("\"kago.net\": \"veth\", \"kago.net.egress-rate\": \"10Mbps\""),
                      "annotation kago.net.egress-rate '10Mbps': '10Mbps': expected a count of "
                      "bits above 0, with an optional unit k, M or G (powers of 1000): 10M");
        check_refused(NET("\"kago.net\": \"veth\", \"kago.net.ifname\": \"a/b\""),
                      "annotation kago.net.ifname 'a/b': not a valid interface name (1 to 15 "
                      "characters, no '/', ':' or space)");
}

UNIT_TEST(gateways_need_an_address_of_their_family)
{
        check_refused(NET("\"kago.net\": \"veth\", \"kago.net.address\": \"10.0.0.2/24\", "
                          "\"kago.net.gateway\": \"fd00::1\""),
                      "annotation kago.net.gateway 'fd00::1': 'fd00::1': kago.net.address has no "
                      "address of its family to reach it from");
        check_refused(NET("\"kago.net\": \"veth\", \"kago.net.address\": \"10.0.0.2/24\", "
                          "\"kago.net.gateway\": \"10.0.0.1,10.0.0.254\""),
                      "annotation kago.net.gateway '10.0.0.1,10.0.0.254': '10.0.0.254': a second "
                      "gateway of the same family");
}

UNIT_TEST(settings_need_a_link_and_a_namespace)
{
        check_refused(NET("\"kago.net.address\": \"10.0.0.2/24\""),
                      "annotation kago.net.address: needs kago.net=veth, bridge:BRIDGE or ovs:BRIDGE");
        check_refused(NET("\"kago.net\": \"none\", \"kago.net.mtu\": \"1400\""),
                      "annotation kago.net.mtu: needs kago.net=veth, bridge:BRIDGE or ovs:BRIDGE");
        check_refused(CONFIG("\"linux\": {}, \"annotations\": {\"kago.net\": \"veth\"}"),
                      "annotation kago.net: the container has no network namespace of its own "
                      "(linux.namespaces has no \"network\" entry) to put a link in");
        check_refused(NET("\"kago.net\": \"veth\", \"kago.net.egress-burst\": \"1M\""),
                      "annotation kago.net.egress-burst: needs kago.net.egress-rate");
        check_refused(NET("\"kago.net\": \"veth\", \"kago.net.adress\": \"10.0.0.2/24\""),
                      "annotation kago.net.adress: unknown; kago.net takes kago.net.ifname, "
                      ".address, .gateway, .mac, .mtu, .ingress-rate, .ingress-burst, "
                      ".egress-rate, .egress-burst and .ovsdb");
}

UNIT_TEST(ovs_with_tag_trunks_and_database)
{
        struct kago_err err = { 0 };
        struct net_config c;

        CHECK(read_config(NET("\"kago.net\": \"ovs:sw0:trunks=10,20,4094\", "
                              "\"kago.net.ovsdb\": \"/tmp/ovs/db.sock\""),
                          &c, &err));
        CHECK(c.mode == NET_MODE_OVS && net_config_has_link(&c));
        CHECK_STR(c.bridge, "sw0");
        CHECK(c.vlan == 0 && c.n_trunks == 3 && c.trunks[0] == 10 && c.trunks[2] == 4094);
        CHECK_STR(c.ovsdb, "/tmp/ovs/db.sock");
        CHECK(read_config(NET("\"kago.net\": \"ovs:sw0:vlan=7\""), &c, &err));
        CHECK(c.vlan == 7 && c.n_trunks == 0);
        CHECK_STR(c.ovsdb, NETNS_OVSDB_DEFAULT);
        check_refused(NET("\"kago.net\": \"veth\", \"kago.net.ovsdb\": \"/x.sock\""),
                      "annotation kago.net.ovsdb: needs kago.net=ovs:BRIDGE");
        check_refused(NET("\"kago.net\": \"ovs:sw0\", \"kago.net.ovsdb\": \"db.sock\""),
                      "annotation kago.net.ovsdb 'db.sock': expected the absolute path of "
                      "ovsdb-server's unix socket (at most 107 characters)");
}

UNIT_TEST(value_parsers)
{
        struct kago_err err = {0};
        struct netns_addr a;
        uint8_t mac[6], ip[16];
        uint64_t bits;
        int family;

        CHECK(netns_parse_cidr("0.0.0.0/0", &a, &err) == 0 && a.prefixlen == 0);
        CHECK(netns_parse_cidr("fd00::1/128", &a, &err) == 0 && a.prefixlen == 128);
        CHECK(netns_parse_cidr("fd00::1/129", &a, &err) < 0);
        CHECK(netns_parse_cidr("10.0.0.1/", &a, &err) < 0);
        CHECK(netns_parse_ip("::ffff:10.0.0.1", &family, ip, &err) == 0 && family == AF_INET6);
        CHECK(netns_parse_ip("10.0.0.1 ", &family, ip, &err) < 0);
        CHECK(netns_parse_mac("02:AB:cd:00:00:01", mac, &err) == 0 && mac[1] == 0xab);
        CHECK(netns_parse_mac("02:ab:cd:00:00:01:", mac, &err) < 0);
        CHECK(netns_parse_mac("02:ab:cd:00:00", mac, &err) < 0);
        CHECK(netns_parse_mac("00:00:00:00:00:00", mac, &err) < 0);
        CHECK(netns_parse_bits("1", &bits, &err) == 0 && bits == 1);
        CHECK(netns_parse_bits("5k", &bits, &err) == 0 && bits == 5000);
        CHECK(netns_parse_bits("2G", &bits, &err) == 0 && bits == 2000000000ULL);
        CHECK(netns_parse_bits("0", &bits, &err) < 0 && netns_parse_bits("-1M", &bits, &err) < 0);
        CHECK(netns_parse_bits("99999999999999999999", &bits, &err) < 0);
        CHECK(netns_parse_bits("18446744073709551615G", &bits, &err) < 0);
        CHECK(netns_parse_bits("M", &bits, &err) < 0 && netns_parse_bits("", &bits, &err) < 0);
}

int main(void)
{
        static const struct unit_test tests[] = {
                UNIT(no_annotations_no_link),
                UNIT(bridge_with_everything),
                UNIT(small_rate_gets_a_burst_of_at_least_64k),
                UNIT(bad_values_name_the_annotation),
                UNIT(gateways_need_an_address_of_their_family),
                UNIT(settings_need_a_link_and_a_namespace),
                UNIT(ovs_with_tag_trunks_and_database),
                UNIT(value_parsers),
        };
        return unit_run("netns_config", tests, ARRAY_SIZE(tests));
}
