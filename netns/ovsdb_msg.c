/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Open vSwitch database requests (RFC 7047 "transact" on the Open_vSwitch
 * database) and the reading of their replies, as text: no socket here.
 * A port is an Interface row and a Port row, each with external_ids naming
 * the container, inserted into a Bridge's ports in one transaction that
 * also bumps next_cfg, so that ovs-vswitchd's cur_cfg says when it has
 * made the port.
 */
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "netns.h"

static void str(yajl_gen g, const char *s)
{
        yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

/* ["TAG", VALUE] where VALUE is a string. */
static void pair(yajl_gen g, const char *tag, const char *value)
{
        yajl_gen_array_open(g);
        str(g, tag);
        str(g, value);
        yajl_gen_array_close(g);
}

/* Open an operation's object: {"op": OP, "table": TABLE, ... */
static void op_open(yajl_gen g, const char *op, const char *table)
{
        yajl_gen_map_open(g);
        str(g, "op");
        str(g, op);
        str(g, "table");
        str(g, table);
}

/* [COLUMN, "==", VALUE] (a condition; where = [cond]). */
static void where_eq(yajl_gen g, const char *column, const char *value)
{
        str(g, "where");
        yajl_gen_array_open(g);
        yajl_gen_array_open(g);
        str(g, column);
        str(g, "==");
        str(g, value);
        yajl_gen_array_close(g);
        yajl_gen_array_close(g);
}

static yajl_gen transact_open(void)
{
        yajl_gen g = yajl_gen_alloc(NULL);

        yajl_gen_map_open(g);
        str(g, "method");
        str(g, "transact");
        str(g, "params");
        yajl_gen_array_open(g);
        str(g, "Open_vSwitch");
        return g;
}

static char *transact_close(yajl_gen g, unsigned id)
{
        const unsigned char *buf;
        size_t len;

        yajl_gen_array_close(g);
        str(g, "id");
        yajl_gen_integer(g, id);
        yajl_gen_map_close(g);
        yajl_gen_get_buf(g, &buf, &len);
        char *out = xasprintf("%.*s", (int)len, (const char *)buf);
        yajl_gen_free(g);
        return out;
}

/* {"op": "select", "table": T, "where": [...], "columns": [C]} */
static void select_op(yajl_gen g, const char *table, const char *where_col, const char *where_val,
                      const char *column)
{
        op_open(g, "select", table);
        if (where_col) {
                where_eq(g, where_col, where_val);
        } else {
                str(g, "where");
                yajl_gen_array_open(g);
                yajl_gen_array_close(g);
        }
        str(g, "columns");
        yajl_gen_array_open(g);
        str(g, column);
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
}

char *netns_ovsdb_msg_bridge_get(unsigned id, const char *bridge)
{
        yajl_gen g = transact_open();
        select_op(g, "Bridge", "name", bridge, "datapath_type");
        return transact_close(g, id);
}

char *netns_ovsdb_msg_cfg_get(unsigned id)
{
        yajl_gen g = transact_open();
        select_op(g, "Open_vSwitch", NULL, NULL, "cur_cfg");
        return transact_close(g, id);
}

char *netns_ovsdb_msg_port_get(unsigned id, const char *name)
{
        yajl_gen g = transact_open();
        select_op(g, "Port", "name", name, "_uuid");
        return transact_close(g, id);
}

static void external_ids(yajl_gen g, const char *owner)
{
        str(g, "external_ids");
        yajl_gen_array_open(g);
        str(g, "map");
        yajl_gen_array_open(g);
        pair(g, NETNS_OVS_OWNER_KEY, owner);
        yajl_gen_array_close(g);
        yajl_gen_array_close(g);
}

static void insert_interface(yajl_gen g, const struct netns_ovs_port *p)
{
        op_open(g, "insert", "Interface");
        str(g, "uuid-name");
        str(g, "iface");
        str(g, "row");
        yajl_gen_map_open(g);
        str(g, "name");
        str(g, p->name);
        external_ids(g, p->owner);
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);
}

/* VLAN: an access port (tag) or a trunk (trunks, a set). */
static void port_vlans(yajl_gen g, const struct netns_ovs_port *p)
{
        if (p->tag) {
                str(g, "tag");
                yajl_gen_integer(g, p->tag);
        }
        if (p->n_trunks) {
                str(g, "trunks");
                yajl_gen_array_open(g);
                str(g, "set");
                yajl_gen_array_open(g);
                for (size_t i = 0; i < p->n_trunks; i++)
                        yajl_gen_integer(g, p->trunks[i]);
                yajl_gen_array_close(g);
                yajl_gen_array_close(g);
        }
}

static void insert_port(yajl_gen g, const struct netns_ovs_port *p)
{
        op_open(g, "insert", "Port");
        str(g, "uuid-name");
        str(g, "port");
        str(g, "row");
        yajl_gen_map_open(g);
        str(g, "name");
        str(g, p->name);
        str(g, "interfaces");
        pair(g, "named-uuid", "iface");
        port_vlans(g, p);
        external_ids(g, p->owner);
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);
}

/* One mutation of a set of references: [COLUMN, OP, ["TAG", ID]] (a uuid
 * or named-uuid). */
static void mutation(yajl_gen g, const char *column, const char *op, const char *tag,
                     const char *value)
{
        yajl_gen_array_open(g);
        str(g, column);
        str(g, op);
        pair(g, tag, value);
        yajl_gen_array_close(g);
}

static void bump_next_cfg(yajl_gen g)
{
        op_open(g, "mutate", "Open_vSwitch");
        str(g, "where");
        yajl_gen_array_open(g);
        yajl_gen_array_close(g);
        str(g, "mutations");
        yajl_gen_array_open(g);
        yajl_gen_array_open(g);
        str(g, "next_cfg");
        str(g, "+=");
        yajl_gen_integer(g, 1);
        yajl_gen_array_close(g);
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
}

char *netns_ovsdb_msg_port_add(unsigned id, const struct netns_ovs_port *p)
{
        yajl_gen g = transact_open();

        insert_interface(g, p);
        insert_port(g, p);
        op_open(g, "mutate", "Bridge");
        where_eq(g, "name", p->bridge);
        str(g, "mutations");
        yajl_gen_array_open(g);
        mutation(g, "ports", "insert", "named-uuid", "port");
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
        bump_next_cfg(g);
        select_op(g, "Open_vSwitch", NULL, NULL, "next_cfg");
        return transact_close(g, id);
}

char *netns_ovsdb_msg_port_del(unsigned id, const char *uuid)
{
        yajl_gen g = transact_open();

        op_open(g, "mutate", "Bridge");
        str(g, "where");
        yajl_gen_array_open(g);
        yajl_gen_array_open(g);
        str(g, "ports");
        str(g, "includes");
        pair(g, "uuid", uuid);
        yajl_gen_array_close(g);
        yajl_gen_array_close(g);
        str(g, "mutations");
        yajl_gen_array_open(g);
        mutation(g, "ports", "delete", "uuid", uuid);
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
        bump_next_cfg(g);
        return transact_close(g, id);
}

/* ---- replies ------------------------------------------------------------ */

/* The reply's result array, or NULL with err saying why (an RPC error, an
 * operation's error, a commit error after the operations). */
static yajl_val reply_result(yajl_val root, unsigned id, struct kago_err *err)
{
        const char *id_path[] = {"id", NULL}, *res_path[] = {"result", NULL},
                   *err_path[] = {"error", NULL};
        yajl_val rid = yajl_tree_get(root, id_path, yajl_t_number);
        yajl_val res = yajl_tree_get(root, res_path, yajl_t_array);
        yajl_val rerr = yajl_tree_get(root, err_path, yajl_t_any);

        if (!rid || !YAJL_IS_INTEGER(rid) || YAJL_GET_INTEGER(rid) != (long long)id) {
                kago_err_set(err, "the database answered another request");
                return NULL;
        }
        if (rerr && !YAJL_IS_NULL(rerr)) {
                kago_err_set(err, "the database refused the request: %s",
                             YAJL_IS_STRING(rerr) ? YAJL_GET_STRING(rerr) : "an error");
                return NULL;
        }
        if (!res) {
                kago_err_set(err, "the database's answer has no result");
                return NULL;
        }
        for (size_t i = 0; i < res->u.array.len; i++) {
                const char *e_path[] = {"error", NULL}, *d_path[] = {"details", NULL};
                yajl_val e = yajl_tree_get(res->u.array.values[i], e_path, yajl_t_string);
                yajl_val d = yajl_tree_get(res->u.array.values[i], d_path, yajl_t_string);
                if (e) {
                        kago_err_set(err, "the database refused operation %zu: %s%s%s", i + 1,
                                     YAJL_GET_STRING(e), d ? ": " : "",
                                     d ? YAJL_GET_STRING(d) : "");
                        return NULL;
                }
        }
        return res;
}

/* result[op] as an object, or NULL. */
static yajl_val op_result(yajl_val res, size_t op)
{
        return op < res->u.array.len && YAJL_IS_OBJECT(res->u.array.values[op])
                       ? res->u.array.values[op]
                       : NULL;
}

/* result[op].rows, or NULL. */
static yajl_val op_rows(yajl_val res, size_t op)
{
        const char *path[] = {"rows", NULL};
        yajl_val o = op_result(res, op);

        return o ? yajl_tree_get(o, path, yajl_t_array) : NULL;
}

/* result[op].rows[0][column]: a number or a ["uuid", S] pair. */
static yajl_val first_row_value(yajl_val res, size_t op, const char *column)
{
        const char *path[] = {column, NULL};
        yajl_val rows = op_rows(res, op);

        if (!rows || rows->u.array.len == 0)
                return NULL;
        return yajl_tree_get(rows->u.array.values[0], path, yajl_t_any);
}

static int64_t op_count(yajl_val res, size_t op)
{
        const char *path[] = {"count", NULL};
        yajl_val o = op_result(res, op);
        yajl_val c = o ? yajl_tree_get(o, path, yajl_t_number) : NULL;

        return c && YAJL_IS_INTEGER(c) ? YAJL_GET_INTEGER(c) : -1;
}

int netns_ovsdb_reply_parse(const char *text, unsigned id, enum netns_ovsdb_reply kind,
                            struct netns_ovsdb_answer *a, struct kago_err *err)
{
        char why[128] = "";
        yajl_val root = yajl_tree_parse(text, why, sizeof why);
        yajl_val res = root ? reply_result(root, id, err) : NULL;
        const char *dp;
        yajl_val v;
        int rc = -1;

        memset(a, 0, sizeof *a);
        if (!root) {
                kago_err_set(err, "the database's answer is not JSON: %s", why);
                goto out;
        }
        if (!res)
                goto out;
        switch (kind) {
        case NETNS_OVSDB_ROWS:
                a->found = op_rows(res, 0) && op_rows(res, 0)->u.array.len > 0;
                v = first_row_value(res, 0, "_uuid");
                if (v && YAJL_IS_ARRAY(v) && v->u.array.len == 2 &&
                    YAJL_IS_STRING(v->u.array.values[1]))
                        snprintf(a->uuid, sizeof a->uuid, "%s",
                                 YAJL_GET_STRING(v->u.array.values[1]));
                v = first_row_value(res, 0, "datapath_type");
                dp = v && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
                a->userspace = dp && strcmp(dp, "netdev") == 0;
                break;
        case NETNS_OVSDB_CFG:
                v = first_row_value(res, 0, "cur_cfg");
                if (!v || !YAJL_IS_INTEGER(v)) {
                        kago_err_set(err, "the database has no cur_cfg");
                        goto out;
                }
                a->cfg = YAJL_GET_INTEGER(v);
                break;
        case NETNS_OVSDB_PORT_ADD:
                v = first_row_value(res, 4, "next_cfg");
                if (op_count(res, 2) != 1 || !v || !YAJL_IS_INTEGER(v)) {
                        kago_err_set(err, "the port did not join its bridge");
                        goto out;
                }
                a->cfg = YAJL_GET_INTEGER(v);
                break;
        case NETNS_OVSDB_DONE: break;
        }
        rc = 0;
out:
        yajl_tree_free(root);
        return rc;
}
