/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Open vSwitch ports through ovsdb-server's unix socket: one connection per
 * operation, a request, its reply (JSON text, read until it parses), and
 * for a new port the wait until ovs-vswitchd's cur_cfg reaches the
 * next_cfg the transaction set, as ovs-vsctl waits.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <yajl/yajl_tree.h>

#include "netns.h"

#define REPLY_MAX     (1u << 20)
#define REPLY_WAIT_MS 5000
#define CFG_POLL_MS   5

struct ovsdb {
        int fd;
        const char *path;
        unsigned id;
};

static int ovsdb_connect(struct ovsdb *db, const char *path, struct kago_err *err)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};

        db->path = path;
        db->id = 0;
        if (strlen(path) >= sizeof sa.sun_path)
                return kago_err_set(err, "Open vSwitch database %s: path too long", path);
        strcpy(sa.sun_path, path);
        db->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (db->fd < 0 || connect(db->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
                int e = errno;
                if (db->fd >= 0)
                        close(db->fd);
                return kago_err_errno(err, e, "Open vSwitch database %s (is ovsdb-server running?)",
                                      path);
        }
        return 0;
}

static bool parses(const char *text)
{
        yajl_val v = yajl_tree_parse(text, NULL, 0);

        yajl_tree_free(v);
        return v != NULL;
}

static int send_all(int fd, const char *text)
{
        for (size_t off = 0, len = strlen(text); off < len;) {
                ssize_t n = send(fd, text + off, len - off, MSG_NOSIGNAL);
                if (n < 0 && errno != EINTR)
                        return -1;
                off += n > 0 ? (size_t)n : 0;
        }
        return 0;
}

/* Read one JSON reply: more bytes until the text parses. */
static char *read_reply(int fd, struct kago_err *err)
{
        size_t len = 0, cap = 4096;
        char *buf = xmalloc(cap);

        for (;;) {
                struct pollfd p = {.fd = fd, .events = POLLIN};
                int r = poll(&p, 1, REPLY_WAIT_MS);
                if (r == 0) {
                        kago_err_set(err, "no answer within %d ms", REPLY_WAIT_MS);
                        break;
                }
                ssize_t n = r < 0 ? -1 : recv(fd, buf + len, cap - len - 1, 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        kago_err_errno(err, n < 0 ? errno : EPIPE, "read the answer");
                        break;
                }
                len += (size_t)n;
                buf[len] = '\0';
                if (parses(buf))
                        return buf;
                if (len + 1 == cap && (cap *= 2) > REPLY_MAX) {
                        kago_err_set(err, "an answer above %u bytes", REPLY_MAX);
                        break;
                }
                buf = xrealloc(buf, cap);
        }
        free(buf);
        return NULL;
}

/* Send the request built for id db->id + 1 and read its answer. */
static int transact(struct ovsdb *db, char *(*build)(unsigned, const void *), const void *arg,
                    enum netns_ovsdb_reply kind, struct netns_ovsdb_answer *a, struct kago_err *err)
{
        unsigned id = ++db->id;
        _cleanup_free_ char *req = build(id, arg);
        _cleanup_free_ char *reply = NULL;

        if (send_all(db->fd, req) < 0)
                return kago_err_errno(err, errno, "Open vSwitch database %s: send", db->path);
        reply = read_reply(db->fd, err);
        if (!reply || netns_ovsdb_reply_parse(reply, id, kind, a, err) < 0)
                return kago_err_wrap(err, "Open vSwitch database %s", db->path);
        return 0;
}

static char *build_bridge_get(unsigned id, const void *arg)
{
        return netns_ovsdb_msg_bridge_get(id, arg);
}

static char *build_port_get(unsigned id, const void *arg)
{
        return netns_ovsdb_msg_port_get(id, arg);
}

static char *build_port_add(unsigned id, const void *arg)
{
        return netns_ovsdb_msg_port_add(id, arg);
}

static char *build_port_del(unsigned id, const void *arg)
{
        return netns_ovsdb_msg_port_del(id, arg);
}

static char *build_cfg_get(unsigned id, const void *arg)
{
        (void)arg;
        return netns_ovsdb_msg_cfg_get(id);
}

int netns_ovs_bridge_exists(const char *path, const char *bridge, bool *exists, bool *userspace,
                            struct kago_err *err)
{
        struct netns_ovsdb_answer a;
        struct ovsdb db;

        if (ovsdb_connect(&db, path, err) < 0)
                return -1;
        int rc = transact(&db, build_bridge_get, bridge, NETNS_OVSDB_ROWS, &a, err);
        close(db.fd);
        *exists = rc == 0 && a.found;
        *userspace = rc == 0 && a.userspace;
        return rc;
}

static int64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Until ovs-vswitchd has applied configuration cfg. */
static int wait_cfg(struct ovsdb *db, int64_t cfg, unsigned timeout_ms, struct kago_err *err)
{
        int64_t end = now_ms() + timeout_ms;
        struct netns_ovsdb_answer a;

        for (;;) {
                if (transact(db, build_cfg_get, NULL, NETNS_OVSDB_CFG, &a, err) < 0)
                        return -1;
                if (a.cfg >= cfg)
                        return 0;
                if (now_ms() >= end)
                        return kago_err_set(err,
                                            "ovs-vswitchd has not made the port within %u ms "
                                            "(is it running?)",
                                            timeout_ms);
                nanosleep(&(struct timespec){0, CFG_POLL_MS * 1000000L}, NULL);
        }
}

int netns_ovs_port_add(const char *path, const struct netns_ovs_port *p, unsigned timeout_ms,
                       struct kago_err *err)
{
        struct netns_ovsdb_answer a;
        struct ovsdb db;

        if (ovsdb_connect(&db, path, err) < 0)
                return kago_err_wrap(err, "link \"%s\": join OVS bridge \"%s\"", p->name,
                                     p->bridge);
        int rc = transact(&db, build_port_add, p, NETNS_OVSDB_PORT_ADD, &a, err);
        if (rc == 0)
                rc = wait_cfg(&db, a.cfg, timeout_ms, err);
        close(db.fd);
        return rc < 0 ? kago_err_wrap(err, "link \"%s\": join OVS bridge \"%s\"", p->name,
                                      p->bridge)
                      : 0;
}

int netns_ovs_port_del(const char *path, const char *name, struct kago_err *err)
{
        struct netns_ovsdb_answer port, done;
        struct ovsdb db;

        if (ovsdb_connect(&db, path, err) < 0)
                return kago_err_wrap(err, "OVS port \"%s\": remove", name);
        int rc = transact(&db, build_port_get, name, NETNS_OVSDB_ROWS, &port, err);
        if (rc == 0 && port.found)
                rc = transact(&db, build_port_del, port.uuid, NETNS_OVSDB_DONE, &done, err);
        close(db.fd);
        return rc < 0 ? kago_err_wrap(err, "OVS port \"%s\": remove", name) : 0;
}
