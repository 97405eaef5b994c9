/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.netDevices: check, move in at create, return at delete. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/vfs.h>

#include "../../netns/netns.h"
#include "container.h"

static const char *dev_name_inside(const struct oci_net_device *d)
{
        return d->name ? d->name : d->host_name;
}

static int check_names(const struct oci_linux *l, size_t i, struct kago_err *err)
{
        const struct oci_net_device *d = &l->net_devices[i];

        if (!netns_ifname_valid(d->host_name))
                return kago_err_set(err, "not a valid interface name (1 to 15 characters, no '/', "
                                         "':' or space)");
        if (!netns_ifname_valid(dev_name_inside(d)))
                return kago_err_set(err, "name: \"%s\" is not a valid interface name (1 to 15 "
                                         "characters, no '/', ':' or space)", dev_name_inside(d));
        for (size_t j = 0; j < i; j++)
                if (strcmp(dev_name_inside(&l->net_devices[j]), dev_name_inside(d)) == 0)
                        return kago_err_set(err, "name \"%s\" is also the name of "
                                                 "linux.netDevices[\"%s\"] in the container",
                                            dev_name_inside(d), l->net_devices[j].host_name);
        return 0;
}

static int check_on_host(struct netns_nl *host, const char *name, struct kago_err *err)
{
        bool exists;

        if (netns_link_exists(host, name, &exists, err) < 0)
                return -1;
        if (!exists)
                return kago_err_set(err, "no link of that name on the host");
        return 0;
}

int net_devices_check(const struct oci_spec *s, struct kago_err *err)
{
        const struct oci_linux *l = s->linux_cfg;
        _cleanup_netns_nl_ struct netns_nl *host = NULL;

        if (!l || l->net_devices_len == 0)
                return 0;
        if (!spec_namespace(s, OCI_NS_NETWORK))
                return kago_err_set(err, "config.json: linux.netDevices: the container has no "
                                         "network namespace of its own (linux.namespaces has no "
                                         "\"network\" entry) to move links into");
        if (netns_nl_open(-1, &host, err) < 0)
                return kago_err_wrap(err, "config.json: linux.netDevices");
        for (size_t i = 0; i < l->net_devices_len; i++)
                if (check_names(l, i, err) < 0 || check_on_host(host, l->net_devices[i].host_name, err) < 0)
                        return kago_err_wrap(err, "config.json: linux.netDevices[\"%s\"]",
                                             l->net_devices[i].host_name);
        return 0;
}

/* Record device i as moved: st->net_devices has room for every device. */
static int record_moved(int dirfd, struct container_state *st, const struct oci_net_device *d,
                        size_t i, struct kago_err *err)
{
        st->net_devices[2 * i] = xstrdup(d->host_name);
        st->net_devices[2 * i + 1] = xstrdup(dev_name_inside(d));
        return store_write_state(dirfd, st, err);
}

/* A joined namespace (linux.namespaces path) may not hold init yet. */
int net_open_container_ns(const struct oci_spec *s, pid_t pid, struct kago_err *err)
{
        const struct oci_namespace *ns = spec_namespace(s, OCI_NS_NETWORK);
        _cleanup_free_ char *path = ns && ns->path ? xstrdup(ns->path) : xasprintf("/proc/%d/ns/net", (int)pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return kago_err_errno(err, errno, "open the container's network namespace %s", path);
        return fd;
}

static int netns_pin(int dirfd, int nsfd, struct kago_err *err)
{
        _cleanup_close_ int f = openat(dirfd, STATE_NETNS_PIN, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        char target[64], source[64];

        if (f < 0)
                return kago_err_errno(err, errno, "create %s in the state directory", STATE_NETNS_PIN);
        snprintf(target, sizeof target, "/proc/self/fd/%d/%s", dirfd, STATE_NETNS_PIN);
        snprintf(source, sizeof source, "/proc/self/fd/%d", nsfd);
        if (mount(source, target, NULL, MS_BIND, NULL) < 0)
                return kago_err_errno(err, errno, "bind the container's network namespace to the "
                                                  "state directory");
        return 0;
}

static void netns_unpin(int dirfd)
{
        char target[64];

        snprintf(target, sizeof target, "/proc/self/fd/%d/%s", dirfd, STATE_NETNS_PIN);
        if (umount2(target, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                log_warning("unmount the container's network namespace (%s): %s", STATE_NETNS_PIN,
                            strerror(errno));
        unlinkat(dirfd, STATE_NETNS_PIN, 0);
}

static int move_in(struct netns_nl *host, struct netns_nl *in, int nsfd,
                   const struct oci_net_device *d, struct kago_err *err)
{
        const char *name = dev_name_inside(d);
        const char *rename = strcmp(name, d->host_name) != 0 ? name : NULL;
        bool taken;

        if (netns_link_exists(in, name, &taken, err) < 0)
                return kago_err_wrap(err, "linux.netDevices[\"%s\"]", d->host_name);
        if (taken)
                return kago_err_set(err, "linux.netDevices[\"%s\"]: name: the container's network "
                                         "namespace already has a link \"%s\"", d->host_name, name);
        if (netns_link_move_with_addrs(host, in, nsfd, d->host_name, rename, err) < 0)
                return kago_err_wrap(err, "linux.netDevices[\"%s\"]", d->host_name);
        return 0;
}

int net_devices_attach(int dirfd, struct container_state *st, const struct oci_spec *s, pid_t pid,
                       struct kago_err *err)
{
        const struct oci_linux *l = s->linux_cfg;
        _cleanup_netns_nl_ struct netns_nl *host = NULL, *in = NULL;
        _cleanup_close_ int nsfd = -1;

        if (!l || l->net_devices_len == 0)
                return 0;
        /* Recorded one by one as they move: delete returns only what moved
         * (a link of the same name may already be in a joined namespace). */
        st->net_devices = xcalloc(2 * l->net_devices_len + 1, sizeof *st->net_devices);
        if (store_write_state(dirfd, st, err) < 0)
                return -1;
        nsfd = net_open_container_ns(s, pid, err);
        if (nsfd < 0 || netns_pin(dirfd, nsfd, err) < 0 || netns_nl_open(-1, &host, err) < 0 ||
            netns_nl_open(nsfd, &in, err) < 0)
                return kago_err_wrap(err, "linux.netDevices");
        for (size_t i = 0; i < l->net_devices_len; i++)
                if (move_in(host, in, nsfd, &l->net_devices[i], err) < 0 ||
                    record_moved(dirfd, st, &l->net_devices[i], i, err) < 0)
                        return -1;
        return 0;
}

static bool is_netns(int fd)
{
        struct statfs sf;

        return fstatfs(fd, &sf) == 0 && sf.f_type == NSFS_MAGIC;
}

/* The pinned namespace, or init's while it lives; -1 when both are gone. */
static int open_pinned_netns(int dirfd, const struct container_state *st)
{
        int fd = openat(dirfd, STATE_NETNS_PIN, O_RDONLY | O_CLOEXEC);
        char path[64];

        if (fd >= 0 && is_netns(fd))
                return fd;
        if (fd >= 0)
                close(fd);
        if (st->pid <= 0 || !proc_is_alive(st->pid, st->start_time))
                return -1;
        snprintf(path, sizeof path, "/proc/%d/ns/net", (int)st->pid);
        return open(path, O_RDONLY | O_CLOEXEC);
}

static void move_out(struct netns_nl *in, struct netns_nl *host, int hostfd, const char *host_name,
                     const char *name)
{
        struct kago_err err = { 0 };
        bool there = false;

        if (netns_link_exists(in, name, &there, &err) < 0 || !there) {
                if (err.msg[0])
                        log_warning("linux.netDevices[\"%s\"]: %s", host_name, kago_err_text(&err));
                return;
        }
        if (netns_link_move_with_addrs(in, host, hostfd, name,
                                       strcmp(name, host_name) != 0 ? host_name : NULL, &err) < 0)
                log_warning("linux.netDevices[\"%s\"]: return to the host: %s", host_name,
                            kago_err_text(&err));
}

static void return_devices(int nsfd, char *const *pairs)
{
        _cleanup_netns_nl_ struct netns_nl *host = NULL, *in = NULL;
        _cleanup_close_ int hostfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        struct kago_err err = { 0 };

        if (hostfd < 0 || netns_nl_open(-1, &host, &err) < 0 || netns_nl_open(nsfd, &in, &err) < 0) {
                log_warning("linux.netDevices: return links to the host: %s",
                            hostfd < 0 ? strerror(errno) : kago_err_text(&err));
                return;
        }
        for (; pairs[0] && pairs[1]; pairs += 2)
                move_out(in, host, hostfd, pairs[0], pairs[1]);
}

void net_devices_detach(int dirfd, const struct container_state *st)
{
        if (!st->net_devices)
                return;
        _cleanup_close_ int nsfd = open_pinned_netns(dirfd, st);
        if (nsfd >= 0)
                return_devices(nsfd, st->net_devices);
        netns_unpin(dirfd);
}
