/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Idmapped bind mounts of a container with a user namespace of its own.
 * Idmapping a mount takes the host's privileges, which init gave up with its
 * user namespace; so kago create, once init's maps are written, clones each
 * source (open_tree), idmaps the clone (mount_setattr with the mount's own
 * uidMappings/gidMappings in a short-lived namespace, or init's user
 * namespace for a bare idmap/ridmap) and sends the detached mounts over the
 * sync socket (SCM_RIGHTS), one message per mount in config.json's order.
 * Init keeps them and attaches each where rootfs_mount.c reaches its target.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "security.h"

/* One message: the index of the mount in config.json's mounts, its fd attached. */
struct idmap_wire {
        uint32_t index;
};

/* init: the received mounts, by mount index (-1: none). */
static int *idmap_fds;
static size_t idmap_fds_len;

static bool idmap_own_userns(const struct oci_spec *spec)
{
        const struct oci_namespace *user = spec_namespace(spec, OCI_NS_USER);
        return user && !user->path;
}

bool idmap_mounts_from_parent(const struct oci_spec *spec)
{
        if (!idmap_own_userns(spec))
                return false;
        for (size_t i = 0; i < spec->mounts_len; i++)
                if (userns_mount_is_idmapped(&spec->mounts[i], NULL))
                        return true;
        return false;
}

/* The detached, idmapped clone of mount m's source. */
static int idmap_build(const struct oci_spec *spec, const struct oci_mount *m, const char *bundle,
                       int init_userns, int *tree, struct kago_err *err)
{
        struct oci_mount abs = *m;
        _cleanup_free_ char *src = NULL;

        if (userns_check_idmapped(m, spec->linux_cfg, err) < 0)
                return -1;
        src = m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", bundle, m->source);
        abs.source = src;
        if (m->uid_mappings_len)
                return userns_open_idmapped_tree(&abs, spec->linux_cfg, tree, err);
        return userns_open_idmapped_tree_in(&abs, init_userns, tree, err);
}

int idmap_mounts_send(const struct oci_spec *spec, const char *bundle, pid_t init_pid, int sock,
                      struct kago_err *err)
{
        char path[64];

        snprintf(path, sizeof path, "/proc/%d/ns/user", (int)init_pid);
        _cleanup_close_ int userns = open(path, O_RDONLY | O_CLOEXEC);
        if (userns < 0)
                return kago_err_errno(err, errno, "open the container's user namespace %s", path);
        for (size_t i = 0; i < spec->mounts_len; i++) {
                const struct oci_mount *m = &spec->mounts[i];
                _cleanup_close_ int tree = -1;
                struct idmap_wire w = { .index = (uint32_t)i };

                if (!userns_mount_is_idmapped(m, NULL))
                        continue;
                if (idmap_build(spec, m, bundle, userns, &tree, err) < 0 ||
                    fd_send(sock, &tree, 1, &w, sizeof w, err) < 0)
                        return kago_err_wrap(err, "mounts[%zu] (idmapped bind of %s)", i,
                                             m->source);
        }
        return 0;
}

static int idmap_receive_one(size_t index, int sock, struct kago_err *err)
{
        struct idmap_wire w = { 0 };
        size_t nfds = 0;
        int fd = -1;

        ssize_t n = fd_recv(sock, &fd, 1, &nfds, &w, sizeof w, err);
        if (n < 0)
                return kago_err_wrap(err, "receive the idmapped mount mounts[%zu]", index);
        if (n != (ssize_t)sizeof w || nfds != 1 || w.index != index) {
                if (nfds)
                        close(fd);
                return kago_err_set(err, "receive the idmapped mount mounts[%zu]: kago create "
                                         "sent something else", index);
        }
        idmap_fds[index] = fd;
        return 0;
}

int idmap_mounts_receive(const struct oci_spec *spec, int sock, struct kago_err *err)
{
        if (!idmap_mounts_from_parent(spec))
                return 0;
        idmap_fds_len = spec->mounts_len;
        idmap_fds = xmalloc(idmap_fds_len * sizeof *idmap_fds);
        for (size_t i = 0; i < idmap_fds_len; i++)
                idmap_fds[i] = -1;
        for (size_t i = 0; i < spec->mounts_len; i++)
                if (userns_mount_is_idmapped(&spec->mounts[i], NULL) &&
                    idmap_receive_one(i, sock, err) < 0)
                        return -1;
        return 0;
}

int idmap_mounts_take(size_t index, int *tree_fd, struct kago_err *err)
{
        if (index >= idmap_fds_len || idmap_fds[index] < 0)
                return kago_err_set(err, "no idmapped mount came from kago create for mounts[%zu]",
                                    index);
        *tree_fd = idmap_fds[index];
        idmap_fds[index] = -1;
        return 0;
}
