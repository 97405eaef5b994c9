/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * User namespaces: linux.uidMappings/gidMappings written from the parent
 * (any number of ranges), and idmapped mounts: a detached clone of a bind
 * source with MOUNT_ATTR_IDMAP set to a user namespace carrying the mount's
 * mappings (mounts[].uidMappings/gidMappings, or the container's for a bare
 * idmap/ridmap option).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include "rootfs.h"

char *userns_format_map(const struct oci_id_mapping *maps, size_t n)
{
        size_t cap = 1 + n * 40, off = 0;
        char *s = xmalloc(cap);

        s[0] = '\0';
        for (size_t i = 0; i < n; i++)
                off += (size_t)snprintf(s + off, cap - off, "%u %u %u\n", maps[i].container_id,
                                        maps[i].host_id, maps[i].size);
        return s;
}

static bool userns_has_setgid(void)
{
        cap_t c = cap_get_proc();
        cap_flag_value_t v = CAP_CLEAR;

        if (c) {
                cap_get_flag(c, CAP_SETGID, CAP_EFFECTIVE, &v);
                cap_free(c);
        }
        return v == CAP_SET;
}

static int userns_write_file(pid_t pid, const char *name, const char *text, struct kago_err *err)
{
        char path[64];

        snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return kago_err_errno(err, errno, "open %s", path);
        /* The kernel takes the whole map in one write. */
        ssize_t n = write(fd, text, strlen(text));
        if (n < 0)
                return kago_err_errno(err, errno, "write %s \"%.*s\"%s", path,
                                      (int)strcspn(text, "\n") + 0, text,
                                      errno == EINVAL ? " (overlapping or empty ranges, or more "
                                                        "than 340 lines?)"
                                                      : errno == EPERM ? " (a host id this "
                                                                         "process may not map)"
                                                                       : "");
        if ((size_t)n != strlen(text))
                return kago_err_set(err, "write %s: short write", path);
        return 0;
}

static int userns_check_maps(const struct oci_id_mapping *m, size_t n, const char *what,
                             struct kago_err *err)
{
        for (size_t i = 0; i < n; i++)
                if (m[i].size == 0)
                        return kago_err_set(err, "%s[%zu].size: must be at least 1", what, i);
        return 0;
}

/* The maps of pid, uids then gids; uwhat / gwhat name them in errors. */
static int userns_write_maps_as(pid_t pid, const struct oci_id_mapping *uids, size_t nuids,
                                const struct oci_id_mapping *gids, size_t ngids, const char *uwhat,
                                const char *gwhat, struct kago_err *err)
{
        if (userns_check_maps(uids, nuids, uwhat, err) < 0 ||
            userns_check_maps(gids, ngids, gwhat, err) < 0)
                return -1;
        if (nuids) {
                _cleanup_free_ char *u = userns_format_map(uids, nuids);
                if (userns_write_file(pid, "uid_map", u, err) < 0)
                        return kago_err_wrap(err, "%s", uwhat);
        }
        if (ngids) {
                /* Without CAP_SETGID the kernel takes a gid map only once
                 * setgroups(2) is denied in the namespace. */
                if (!userns_has_setgid() && userns_write_file(pid, "setgroups", "deny", err) < 0)
                        return -1;
                _cleanup_free_ char *g = userns_format_map(gids, ngids);
                if (userns_write_file(pid, "gid_map", g, err) < 0)
                        return kago_err_wrap(err, "%s", gwhat);
        }
        return 0;
}

int userns_write_maps(pid_t pid, const struct oci_id_mapping *uids, size_t nuids,
                      const struct oci_id_mapping *gids, size_t ngids, struct kago_err *err)
{
        return userns_write_maps_as(pid, uids, nuids, gids, ngids, "linux.uidMappings",
                                    "linux.gidMappings", err);
}

/* A child that unshares a user namespace and waits for the pipe to close. */
static pid_t userns_spawn_holder(const int ready[2], const int hold[2])
{
        pid_t pid = fork();

        if (pid != 0)
                return pid;
        close(ready[0]);
        close(hold[1]); /* else the child would hold its own pipe open */
        int ready_w = ready[1], hold_r = hold[0];
        /* Our pid as the mounted /proc knows it (it may belong to another
         * pid namespace than ours): the parent writes the maps there. */
        char buf[32] = "n", c;
        ssize_t n = 1;
        if (unshare(CLONE_NEWUSER) == 0) {
                n = readlink("/proc/self", buf, sizeof buf - 1);
                if (n <= 0)
                        n = 1, buf[0] = 'n';
        }
        if (write(ready_w, buf, (size_t)n) != n)
                _exit(1);
        while (read(hold_r, &c, 1) < 0 && errno == EINTR)
                ;
        _exit(0);
}

struct userns_maps {
        const struct oci_id_mapping *uids, *gids;
        size_t nuids, ngids;
        const char *uwhat, *gwhat; /* their names in errors */
};

static int userns_open_holder(int ready_r, const struct userns_maps *m, int *nsfd,
                              struct kago_err *err)
{
        char buf[32] = "", path[64];
        int64_t pid;

        if (read(ready_r, buf, sizeof buf - 1) <= 0 || str_to_i64(buf, 1, INT32_MAX, &pid) < 0)
                return kago_err_set(err, "create a user namespace for the mappings: unshare "
                                         "failed");
        if (userns_write_maps_as((pid_t)pid, m->uids, m->nuids, m->gids, m->ngids, m->uwhat,
                                 m->gwhat, err) < 0)
                return -1;
        snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
        *nsfd = open(path, O_RDONLY | O_CLOEXEC);
        if (*nsfd < 0)
                return kago_err_errno(err, errno, "open %s", path);
        return 0;
}

static int userns_open_maps(const struct userns_maps *m, int *nsfd, struct kago_err *err)
{
        int ready[2], hold[2];

        *nsfd = -1;
        if (pipe2(ready, O_CLOEXEC) < 0)
                return kago_err_errno(err, errno, "pipe");
        if (pipe2(hold, O_CLOEXEC) < 0) {
                close(ready[0]);
                close(ready[1]);
                return kago_err_errno(err, errno, "pipe");
        }
        pid_t pid = userns_spawn_holder(ready, hold);
        close(ready[1]);
        close(hold[0]);
        int r = pid < 0 ? kago_err_errno(err, errno, "fork")
                        : userns_open_holder(ready[0], m, nsfd, err);
        close(ready[0]);
        close(hold[1]); /* lets the holder exit */
        if (pid > 0)
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        return r;
}

int userns_open_mapped(const struct oci_id_mapping *uids, size_t nuids,
                       const struct oci_id_mapping *gids, size_t ngids, int *nsfd,
                       struct kago_err *err)
{
        struct userns_maps m = { uids, gids, nuids, ngids, "linux.uidMappings",
                                 "linux.gidMappings" };
        return userns_open_maps(&m, nsfd, err);
}

static bool mount_has_option(const struct oci_mount *m, const char *opt)
{
        for (size_t i = 0; i < m->options_len; i++)
                if (strcmp(m->options[i], opt) == 0)
                        return true;
        return false;
}

bool userns_mount_is_idmapped(const struct oci_mount *m, bool *recursive)
{
        bool r = mount_has_option(m, "ridmap");
        bool idmap = r || mount_has_option(m, "idmap") || m->uid_mappings_len ||
                     m->gid_mappings_len;

        if (recursive)
                *recursive = r || (idmap && mount_has_option(m, "rbind"));
        return idmap;
}

/* The MOUNT_ATTR_* flags the mount's own options ask for. */
static uint64_t userns_mount_attrs(const struct oci_mount *m)
{
        static const struct {
                const char *opt;
                uint64_t attr;
        } map[] = {
                { "ro", MOUNT_ATTR_RDONLY },       { "nosuid", MOUNT_ATTR_NOSUID },
                { "nodev", MOUNT_ATTR_NODEV },     { "noexec", MOUNT_ATTR_NOEXEC },
                { "rro", MOUNT_ATTR_RDONLY },      { "rnosuid", MOUNT_ATTR_NOSUID },
                { "rnodev", MOUNT_ATTR_NODEV },    { "rnoexec", MOUNT_ATTR_NOEXEC },
                { "noatime", MOUNT_ATTR_NOATIME }, { "nodiratime", MOUNT_ATTR_NODIRATIME },
        };
        uint64_t attrs = 0;

        for (size_t i = 0; i < ARRAY_SIZE(map); i++)
                if (mount_has_option(m, map[i].opt))
                        attrs |= map[i].attr;
        return attrs;
}

int userns_check_idmapped(const struct oci_mount *m, const struct oci_linux *l,
                          struct kago_err *err)
{
        bool bind = (m->type && strcmp(m->type, "bind") == 0) || mount_has_option(m, "bind") ||
                    mount_has_option(m, "rbind");

        if (!bind)
                return kago_err_set(err, "mount %s: idmapped mounts must be bind mounts",
                                    m->destination);
        if (!m->source)
                return kago_err_set(err, "mount %s: an idmapped mount needs a source",
                                    m->destination);
        if (!m->uid_mappings_len != !m->gid_mappings_len)
                return kago_err_set(err, "mount %s: give both uidMappings and gidMappings, or "
                                         "neither", m->destination);
        if (!m->uid_mappings_len && (!l || !l->uid_mappings_len || !l->gid_mappings_len))
                return kago_err_set(err, "mount %s: idmap without mappings uses the container's "
                                         "user namespace, but linux.uidMappings/gidMappings are "
                                         "not set", m->destination);
        return 0;
}

int userns_open_idmapped_tree_in(const struct oci_mount *m, int nsfd, int *tree_fd,
                                 struct kago_err *err)
{
        bool rec = false;

        *tree_fd = -1;
        userns_mount_is_idmapped(m, &rec);
        _cleanup_close_ int fd = open_tree(AT_FDCWD, m->source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
                                                                        (rec ? AT_RECURSIVE : 0));
        if (fd < 0)
                return kago_err_errno(err, errno, "mount %s: open_tree %s", m->destination,
                                      m->source);
        struct mount_attr attr = {
                .attr_set = MOUNT_ATTR_IDMAP | userns_mount_attrs(m),
                .userns_fd = (uint64_t)nsfd,
        };
        if (mount_setattr(fd, "", AT_EMPTY_PATH | (rec ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0)
                return kago_err_errno(err, errno, "mount %s: idmap %s%s", m->destination,
                                      m->source,
                                      errno == EINVAL ? " (the filesystem may not support "
                                                        "idmapped mounts)"
                                                      : "");
        *tree_fd = TAKE_FD(fd);
        return 0;
}

int userns_open_idmapped_tree(const struct oci_mount *m, const struct oci_linux *l, int *tree_fd,
                              struct kago_err *err)
{
        _cleanup_close_ int nsfd = -1;

        *tree_fd = -1;
        if (userns_check_idmapped(m, l, err) < 0)
                return -1;
        bool own = m->uid_mappings_len > 0;
        struct userns_maps maps = {
                own ? m->uid_mappings : l->uid_mappings,
                own ? m->gid_mappings : l->gid_mappings,
                own ? m->uid_mappings_len : l->uid_mappings_len,
                own ? m->gid_mappings_len : l->gid_mappings_len,
                own ? "uidMappings" : "linux.uidMappings",
                own ? "gidMappings" : "linux.gidMappings",
        };
        if (userns_open_maps(&maps, &nsfd, err) < 0)
                return kago_err_wrap(err, "mount %s", m->destination);
        return userns_open_idmapped_tree_in(m, nsfd, tree_fd, err);
}
