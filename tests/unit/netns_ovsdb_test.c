/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves netns/'s Open vSwitch database requests and the reading of their
 * replies (RFC 7047): a new port is an Interface and a Port row with
 * external_ids naming the container, its tag or trunks, inserted into the
 * named Bridge with next_cfg bumped and read back in the same transaction;
 * removal mutates whichever bridge holds the port; replies give rows,
 * uuids and cfg numbers, and every refusal (an RPC error, an operation's
 * error, a commit error after the operations, another request's id, no
 * bridge) is an error naming it. No database involved. */
#include <yajl/yajl_tree.h>

#include "../../netns/netns.h"
#include "unit.h"

static yajl_val get(yajl_val v, const char *const *path, yajl_type t)
{
        return v ? yajl_tree_get(v, (const char **)path, t) : NULL;
}

static yajl_val at(yajl_val arr, size_t i)
{
        return arr && YAJL_IS_ARRAY(arr) && i < arr->u.array.len ? arr->u.array.values[i] : NULL;
}

static const char *str_at(yajl_val arr, size_t i)
{
        yajl_val v = at(arr, i);
        return v && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : "";
}

static const char *field(yajl_val obj, const char *key)
{
        const char *path[] = {key, NULL};
        yajl_val v = get(obj, path, yajl_t_string);
        return v ? YAJL_GET_STRING(v) : "";
}

UNIT_TEST(port_add_is_one_transaction)
{
        static const uint16_t trunks[] = {10, 20};
        const struct netns_ovs_port p = {"sw0", "kg0123456789-0", "web", 0, trunks, 2};
        _cleanup_free_ char *text = netns_ovsdb_msg_port_add(7, &p);
        yajl_val root = yajl_tree_parse(text, NULL, 0);
        const char *params_path[] = {"params", NULL}, *row[] = {"row", NULL},
                   *ids[] = {"row", "external_ids", NULL}, *trunks_path[] = {"row", "trunks", NULL},
                   *ifaces[] = {"row", "interfaces", NULL}, *muts[] = {"mutations", NULL},
                   *id_path[] = {"id", NULL};
        yajl_val params = get(root, params_path, yajl_t_array);

        CHECK(root != NULL);
        CHECK_STR(field(root, "method"), "transact");
        CHECK(YAJL_GET_INTEGER(get(root, id_path, yajl_t_number)) == 7);
        CHECK(params && params->u.array.len == 6);
        CHECK_STR(str_at(params, 0), "Open_vSwitch");
        yajl_val iface = at(params, 1), port = at(params, 2), bridge = at(params, 3);
        CHECK_STR(field(iface, "op"), "insert");
        CHECK_STR(field(iface, "table"), "Interface");
        CHECK_STR(field(iface, "uuid-name"), "iface");
        CHECK_STR(field(get(iface, row, yajl_t_object), "name"), "kg0123456789-0");
        yajl_val map = get(iface, ids, yajl_t_array);
        CHECK_STR(str_at(map, 0), "map");
        CHECK_STR(str_at(at(at(map, 1), 0), 0), NETNS_OVS_OWNER_KEY);
        CHECK_STR(str_at(at(at(map, 1), 0), 1), "web");
        CHECK_STR(field(port, "table"), "Port");
        CHECK_STR(str_at(get(port, ifaces, yajl_t_array), 0), "named-uuid");
        CHECK_STR(str_at(get(port, ifaces, yajl_t_array), 1), "iface");
        yajl_val t = get(port, trunks_path, yajl_t_array);
        CHECK_STR(str_at(t, 0), "set");
        CHECK(YAJL_GET_INTEGER(at(at(t, 1), 0)) == 10 && YAJL_GET_INTEGER(at(at(t, 1), 1)) == 20);
        CHECK_STR(field(bridge, "op"), "mutate");
        CHECK_STR(field(bridge, "table"), "Bridge");
        CHECK_STR(str_at(at(get(bridge, (const char *const[]){"where", NULL}, yajl_t_array), 0), 2),
                  "sw0");
        yajl_val m = at(get(bridge, muts, yajl_t_array), 0);
        CHECK_STR(str_at(m, 0), "ports");
        CHECK_STR(str_at(m, 1), "insert");
        CHECK_STR(str_at(at(m, 2), 0), "named-uuid");
        CHECK_STR(field(at(params, 4), "table"), "Open_vSwitch");
        CHECK_STR(str_at(at(get(at(params, 4), muts, yajl_t_array), 0), 1), "+=");
        CHECK_STR(field(at(params, 5), "op"), "select");
        yajl_tree_free(root);
}

UNIT_TEST(access_port_has_a_tag_and_no_trunks)
{
        const struct netns_ovs_port p = {"sw0", "kg0-0", "web", 10, NULL, 0};
        _cleanup_free_ char *text = netns_ovsdb_msg_port_add(1, &p);

        CHECK_CONTAINS(text, "\"tag\":10");
        CHECK(!strstr(text, "trunks"));
}

UNIT_TEST(port_del_mutates_the_bridge_that_holds_it)
{
        _cleanup_free_ char *text =
                netns_ovsdb_msg_port_del(3, "5b2e8f70-0000-4000-8000-000000000001");

        CHECK_CONTAINS(
                text,
                "[\"ports\",\"includes\",[\"uuid\",\"5b2e8f70-0000-4000-8000-000000000001\"]]");
        CHECK_CONTAINS(
                text, "[\"ports\",\"delete\",[\"uuid\",\"5b2e8f70-0000-4000-8000-000000000001\"]]");
        _cleanup_free_ char *get = netns_ovsdb_msg_port_get(4, "kg0-0");
        CHECK_CONTAINS(get, "\"table\":\"Port\",\"where\":[[\"name\",\"==\",\"kg0-0\"]],"
                            "\"columns\":[\"_uuid\"]");
}

static int parse(const char *reply, unsigned id, enum netns_ovsdb_reply kind,
                 struct netns_ovsdb_answer *a, struct kago_err *err)
{
        kago_err_clear(err);
        return netns_ovsdb_reply_parse(reply, id, kind, a, err);
}

UNIT_TEST(replies_give_rows_uuid_and_cfg)
{
        struct kago_err err = {0};
        struct netns_ovsdb_answer a;

        CHECK(parse("{\"id\":2,\"result\":[{\"rows\":[{\"_uuid\":[\"uuid\",\"abc-1\"]}]}],"
                    "\"error\":null}",
                    2, NETNS_OVSDB_ROWS, &a, &err) == 0);
        CHECK(a.found);
        CHECK_STR(a.uuid, "abc-1");
        CHECK(parse("{\"id\":2,\"result\":[{\"rows\":[]}],\"error\":null}", 2, NETNS_OVSDB_ROWS, &a,
                    &err) == 0);
        CHECK(!a.found);
        CHECK(parse("{\"id\":3,\"result\":[{\"rows\":[{\"datapath_type\":\"netdev\"}]}],\"error\":"
                    "null}",
                    3, NETNS_OVSDB_ROWS, &a, &err) == 0);
        CHECK(a.found && a.userspace);
        CHECK(parse("{\"id\":3,\"result\":[{\"rows\":[{\"datapath_type\":\"\"}]}],\"error\":null}",
                    3, NETNS_OVSDB_ROWS, &a, &err) == 0);
        CHECK(a.found && !a.userspace);
        CHECK(parse("{\"id\":9,\"result\":[{\"rows\":[{\"cur_cfg\":41}]}],\"error\":null}", 9,
                    NETNS_OVSDB_CFG, &a, &err) == 0);
        CHECK(a.cfg == 41);
        CHECK(parse("{\"id\":1,\"result\":[{\"uuid\":[\"uuid\",\"i\"]},{\"uuid\":[\"uuid\",\"p\"]},"
                    "{\"count\":1},{\"count\":1},{\"rows\":[{\"next_cfg\":42}]}],\"error\":null}",
                    1, NETNS_OVSDB_PORT_ADD, &a, &err) == 0);
        CHECK(a.cfg == 42);
}

UNIT_TEST(refusals_are_errors_that_say_why)
{
        struct kago_err err = {0};
        struct netns_ovsdb_answer a;

        CHECK(parse("{\"id\":1,\"result\":[{\"uuid\":[\"uuid\",\"i\"]},{\"uuid\":[\"uuid\",\"p\"]},"
                    "{\"count\":0},{\"count\":1},{\"rows\":[{\"next_cfg\":42}]}],\"error\":null}",
                    1, NETNS_OVSDB_PORT_ADD, &a, &err) < 0);
        CHECK_STR(kago_err_text(&err), "the port did not join its bridge");
        CHECK(parse("{\"id\":1,\"result\":[{},{\"error\":\"constraint violation\",\"details\":"
                    "\"name kg0-0 is taken\"}],\"error\":null}",
                    1, NETNS_OVSDB_PORT_ADD, &a, &err) < 0);
        CHECK_STR(kago_err_text(&err),
                  "the database refused operation 2: constraint violation: name kg0-0 is taken");
        CHECK(parse("{\"id\":1,\"result\":null,\"error\":\"unknown database\"}", 1,
                    NETNS_OVSDB_DONE, &a, &err) < 0);
        CHECK_STR(kago_err_text(&err), "the database refused the request: unknown database");
        CHECK(parse("{\"id\":5,\"result\":[],\"error\":null}", 1, NETNS_OVSDB_DONE, &a, &err) < 0);
        CHECK_STR(kago_err_text(&err), "the database answered another request");
        CHECK(parse("{\"id\":1,\"result\":[{\"rows\":[]}]", 1, NETNS_OVSDB_CFG, &a, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "the database's answer is not JSON");
        CHECK(parse("{\"id\":1,\"result\":[{\"rows\":[]}],\"error\":null}", 1, NETNS_OVSDB_CFG, &a,
                    &err) < 0);
        CHECK_STR(kago_err_text(&err), "the database has no cur_cfg");
}

int main(void)
{
        static const struct unit_test tests[] = {
                UNIT(port_add_is_one_transaction),
                UNIT(access_port_has_a_tag_and_no_trunks),
                UNIT(port_del_mutates_the_bridge_that_holds_it),
                UNIT(replies_give_rows_uuid_and_cfg),
                UNIT(refusals_are_errors_that_say_why),
        };
        return unit_run("netns_ovsdb", tests, ARRAY_SIZE(tests));
}
