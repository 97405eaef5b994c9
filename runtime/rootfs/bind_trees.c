/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bind mounts of a container with a user namespace of its own. Init has
 * given up the host's privileges with that namespace: it may not be able to
 * reach a source (a directory its root cannot traverse), and it cannot
 * idmap a mount. So kago create, once init's maps are written, clones each
 * bind source (open_tree) with the host's rights, as runc opens its mount
 * sources before joining the user namespace; an idmapped one is idmapped
 * too (mount_setattr with the mount's own uidMappings/gidMappings in a
 * short-lived namespace, or init's user namespace for a bare idmap/ridmap).
 * The detached mounts go over the sync socket (SCM_RIGHTS), one message per
 * mount in config.json's order; init attaches each where rootfs_mount.c
 * reaches its target. A rootless kago cannot clone mounts: its init binds
 * plain sources itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>

#include "rootfs.h"

/* One message: the index of the mount in config.json's mounts, its fd attached. */
struct bind_tree_wire {
        uint32_t index;
};

/* init: the received mounts, by mount index (-1: none). */
static int *tree_fds;
static size_t tree_fds_len;

static bool own_userns(const struct oci_spec *spec)
{
        const struct oci_namespace *user = spec_namespace(spec, OCI_NS_USER);
        return user && !user->path;
}

bool mount_is_bind(const struct oci_mount *m, bool *rec)
{
        struct mount_opts o;
        struct kago_err ignored;

        if (mount_opts_parse(m->options, m->options_len, &o, &ignored) < 0)
                return false; /* init reports the bad option */
        bool bind = o.bind || (m->type && strcmp(m->type, "bind") == 0);
        *rec = o.recursive;
        mount_opts_free(&o);
        return bind && m->source;
}

bool bind_tree_from_parent(const struct container_ctx *c, const struct oci_mount *m)
{
        bool rec;

        if (!own_userns(c->spec))
                return false;
        if (userns_mount_is_idmapped(m, NULL))
                return true;
        return !c->rootless && mount_is_bind(m, &rec);
}

static bool any_from_parent(const struct container_ctx *c)
{
        for (size_t i = 0; i < c->spec->mounts_len; i++)
                if (bind_tree_from_parent(c, &c->spec->mounts[i]))
                        return true;
        return false;
}

/* The detached clone of mount m's source (absolute), idmapped if asked. */
static int bind_tree_build(const struct oci_spec *spec, const struct oci_mount *m,
                           int init_userns, int *tree, struct kago_err *err)
{
        bool rec = false;

        if (userns_mount_is_idmapped(m, NULL)) {
                if (userns_check_idmapped(m, spec->linux_cfg, err) < 0)
                        return -1;
                if (m->uid_mappings_len)
                        return userns_open_idmapped_tree(m, spec->linux_cfg, tree, err);
                return userns_open_idmapped_tree_in(m, init_userns, tree, err);
        }
        mount_is_bind(m, &rec);
        *tree = open_tree(AT_FDCWD, m->source,
                          OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0));
        if (*tree < 0)
                return kago_err_errno(err, errno, "bind source %s", m->source);
        return 0;
}

static int bind_tree_send_one(const struct oci_spec *spec, size_t i, const char *bundle,
                              int userns, int sock, struct kago_err *err)
{
        struct oci_mount abs = spec->mounts[i];
        _cleanup_free_ char *src = abs.source[0] == '/' ? xstrdup(abs.source)
                                                        : xasprintf("%s/%s", bundle, abs.source);
        _cleanup_close_ int tree = -1;
        struct bind_tree_wire w = { .index = (uint32_t)i };

        abs.source = src;
        if (bind_tree_build(spec, &abs, userns, &tree, err) < 0 ||
            fd_send(sock, &tree, 1, &w, sizeof w, err) < 0)
                return kago_err_wrap(err, "mounts[%zu] (%sbind of %s)", i,
                                     userns_mount_is_idmapped(&abs, NULL) ? "idmapped " : "", src);
        return 0;
}

int bind_trees_send(const struct container_ctx *c, pid_t init_pid, struct kago_err *err)
{
        char path[64];

        if (!any_from_parent(c))
                return 0;
        snprintf(path, sizeof path, "/proc/%d/ns/user", (int)init_pid);
        _cleanup_close_ int userns = open(path, O_RDONLY | O_CLOEXEC);
        if (userns < 0)
                return kago_err_errno(err, errno, "open the container's user namespace %s", path);
        for (size_t i = 0; i < c->spec->mounts_len; i++)
                if (bind_tree_from_parent(c, &c->spec->mounts[i]) &&
                    bind_tree_send_one(c->spec, i, c->bundle, userns, c->parent_sync_fd, err) < 0)
                        return -1;
        return 0;
}

static int bind_tree_receive_one(size_t index, int sock, struct kago_err *err)
{
        struct bind_tree_wire w = { 0 };
        size_t nfds = 0;
        int fd = -1;

        ssize_t n = fd_recv(sock, &fd, 1, &nfds, &w, sizeof w, err);
        if (n < 0)
                return kago_err_wrap(err, "receive the bind mount mounts[%zu]", index);
        if (n != (ssize_t)sizeof w || nfds != 1 || w.index != index) {
                if (nfds)
                        close(fd);
                return kago_err_set(err, "receive the bind mount mounts[%zu]: kago create "
                                         "sent something else", index);
        }
        tree_fds[index] = fd;
        return 0;
}

int bind_trees_receive(const struct container_ctx *c, struct kago_err *err)
{
        const struct oci_spec *spec = c->spec;

        if (!any_from_parent(c))
                return 0;
        tree_fds_len = spec->mounts_len;
        tree_fds = xmalloc(tree_fds_len * sizeof *tree_fds);
        for (size_t i = 0; i < tree_fds_len; i++)
                tree_fds[i] = -1;
        for (size_t i = 0; i < spec->mounts_len; i++)
                if (bind_tree_from_parent(c, &spec->mounts[i]) &&
                    bind_tree_receive_one(i, c->sync_fd, err) < 0)
                        return -1;
        return 0;
}

int bind_trees_take(size_t index, int *tree_fd, struct kago_err *err)
{
        if (index >= tree_fds_len || tree_fds[index] < 0)
                return kago_err_set(err, "no bind mount came from kago create for mounts[%zu]",
                                    index);
        *tree_fd = tree_fds[index];
        tree_fds[index] = -1;
        return 0;
}
