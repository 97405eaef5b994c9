/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The `mounts` of config.json, each on a target resolved inside the rootfs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#include "rootfs.h"

/* Mount flags that map onto per-mount attributes (mount_setattr). */
static void flags_to_attrs(unsigned long set, unsigned long clear, struct mount_attr *a)
{
        static const struct { unsigned long ms; uint64_t attr; } map[] = {
                { MS_RDONLY, MOUNT_ATTR_RDONLY },     { MS_NOSUID, MOUNT_ATTR_NOSUID },
                { MS_NODEV, MOUNT_ATTR_NODEV },       { MS_NOEXEC, MOUNT_ATTR_NOEXEC },
                { MS_NODIRATIME, MOUNT_ATTR_NODIRATIME },
                { MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
        };
        for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
                if (set & map[i].ms)
                        a->attr_set |= map[i].attr;
                if (clear & map[i].ms)
                        a->attr_clr |= map[i].attr;
        }
        unsigned long atime = set & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME);
        if (atime) {
                a->attr_clr |= MOUNT_ATTR__ATIME;
                a->attr_set |= atime & MS_NOATIME    ? MOUNT_ATTR_NOATIME
                               : atime & MS_STRICTATIME ? MOUNT_ATTR_STRICTATIME
                                                        : MOUNT_ATTR_RELATIME;
        }
}

static int setattr(int fd, const struct mount_attr *a, bool recursive, const char *dest,
                   struct kago_err *err)
{
        if (!a->attr_set && !a->attr_clr)
                return 0;
        struct mount_attr attr = *a;
        unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
        if (syscall(SYS_mount_setattr, fd, "", flags, &attr, sizeof attr) < 0)
                return kago_err_errno(err, errno, "set mount flags of %s", dest);
        return 0;
}

/* After a mount: propagation, then the per-mount and recursive attributes. */
static int mount_finish(int rootfd, const char *dest, const struct mount_opts *o, bool bind,
                        struct kago_err *err)
{
        _cleanup_close_ int fd = -1;
        char p[32];

        if (root_open(rootfd, dest, O_PATH, &fd, err) < 0)
                return -1;
        root_fd_path(fd, p);
        if (o->propagation && mount(NULL, p, NULL, o->propagation, NULL) < 0)
                return kago_err_errno(err, errno, "set propagation of %s", dest);
        if (bind) {
                struct mount_attr a = { 0 };
                flags_to_attrs(o->flags, o->clear, &a);
                if (setattr(fd, &a, false, dest, err) < 0)
                        return -1;
        }
        struct mount_attr r = { .attr_set = o->attr_set, .attr_clr = o->attr_clr };
        return setattr(fd, &r, true, dest, err);
}

static char *bind_source(const struct container_ctx *c, const char *src)
{
        return src[0] == '/' ? xstrdup(src) : xasprintf("%s/%s", c->bundle, src);
}

/* mounts[].uidMappings/gidMappings, idmap, ridmap (userns.c), made by init
 * when the container has no user namespace of its own. */
static int mount_bind_idmapped(struct container_ctx *c, int target, const struct oci_mount *m,
                               const char *src, struct kago_err *err)
{
        struct oci_mount abs = *m;
        _cleanup_close_ int tree = -1;

        abs.source = (char *)src;
        if (userns_open_idmapped_tree(&abs, c->spec->linux_cfg, &tree, err) < 0 ||
            mount_attach_tree(tree, target, err) < 0)
                return kago_err_wrap(err, "idmapped bind of %s", src);
        return 0;
}

/* A bind mount kago create cloned for init (bind_trees.c): attached on its
 * target, made a directory or a file as the source is. */
static int mount_bind_from_parent(struct container_ctx *c, int rootfd, const struct oci_mount *m,
                                  const struct mount_opts *o, struct kago_err *err)
{
        _cleanup_close_ int tree = -1, fd = -1;
        struct stat sb;

        if (bind_trees_take((size_t)(m - c->spec->mounts), &tree, err) < 0)
                return -1;
        if (fstat(tree, &sb) < 0)
                return kago_err_errno(err, errno, "bind source %s", m->source);
        if (root_make_target(rootfd, m->destination, S_ISDIR(sb.st_mode), &fd, err) < 0 ||
            mount_attach_tree(tree, fd, err) < 0)
                return kago_err_wrap(err, "bind of %s", m->source);
        /* An idmapped clone came with its attributes set. */
        if (userns_mount_is_idmapped(m, NULL))
                return 0;
        return mount_finish(rootfd, m->destination, o, true, err);
}

static int mount_bind(struct container_ctx *c, int rootfd, const struct oci_mount *m,
                      const struct mount_opts *o, struct kago_err *err)
{
        _cleanup_free_ char *src = bind_source(c, m->source ? m->source : "");
        _cleanup_close_ int fd = -1;
        struct stat sb;
        char p[32];

        if (!m->source)
                return kago_err_set(err, "bind mount needs a source");
        if (bind_tree_from_parent(c, m))
                return mount_bind_from_parent(c, rootfd, m, o, err);
        if (stat(src, &sb) < 0)
                return kago_err_errno(err, errno, "bind source %s", src);
        if (root_make_target(rootfd, m->destination, S_ISDIR(sb.st_mode), &fd, err) < 0)
                return -1;
        if (userns_mount_is_idmapped(m, NULL))
                return mount_bind_idmapped(c, fd, m, src, err);
        root_fd_path(fd, p);
        if (mount(src, p, NULL, MS_BIND | (o->recursive ? MS_REC : 0), NULL) < 0)
                return kago_err_errno(err, errno, "bind %s on %s", src, m->destination);
        return mount_finish(rootfd, m->destination, o, true, err);
}

static int tmpfs_copy_up(int fromfd, const char *dest, int rootfd, struct kago_err *err);

/* A read-only tmpfs (a /dev with "ro") is mounted writable: what kago makes
 * in it (pts, shm, device nodes) comes first, rootfs_readonly_tmpfs after. */
static unsigned long tmpfs_late_flags(const struct oci_mount *m)
{
        return strcmp(m->type, "tmpfs") == 0 ? MS_RDONLY : 0;
}

/* proc and sysfs go on a directory, never through a symlink in the rootfs
 * (a /proc -> / link would put procfs over the container's root), as runc. */
static int kernfs_target_check(int rootfd, const struct oci_mount *m, struct kago_err *err)
{
        _cleanup_close_ int fd = -1;
        struct stat sb;

        if (strcmp(m->type, "proc") != 0 && strcmp(m->type, "sysfs") != 0)
                return 0;
        if (root_open(rootfd, m->destination, O_PATH | O_NOFOLLOW, &fd, err) < 0) {
                if (err->errnum != ENOENT)
                        return -1;
                kago_err_clear(err);
                return 0; /* made as a directory */
        }
        if (fstat(fd, &sb) == 0 && !S_ISDIR(sb.st_mode))
                return kago_err_set(err, "%s must be mounted on a directory, and %s in the rootfs "
                                         "is %s", m->type, m->destination,
                                    S_ISLNK(sb.st_mode) ? "a symlink" : "not a directory");
        return 0;
}

static int mount_fs(int rootfd, const struct oci_mount *m, const struct mount_opts *o,
                    struct kago_err *err)
{
        _cleanup_close_ int fd = -1, below = -1;
        char p[32];

        if (kernfs_target_check(rootfd, m, err) < 0 ||
            root_make_target(rootfd, m->destination, true, &fd, err) < 0)
                return -1;
        if (o->tmpcopyup) {
                if (strcmp(m->type, "tmpfs") != 0)
                        return kago_err_set(err, "tmpcopyup is for tmpfs mounts only");
                below = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (below < 0)
                        return kago_err_errno(err, errno, "open %s", m->destination);
        }
        root_fd_path(fd, p);
        const char *src = m->source ? m->source : m->type;
        if (mount(src, p, m->type, o->flags & ~tmpfs_late_flags(m), o->data) < 0)
                return kago_err_errno(err, errno, "mount %s (type %s, options \"%s\") on %s", src,
                                      m->type, o->data ? o->data : "", m->destination);
        if (below >= 0 && tmpfs_copy_up(below, m->destination, rootfd, err) < 0)
                return -1;
        return mount_finish(rootfd, m->destination, o, false, err);
}

static int mount_one(struct container_ctx *c, int rootfd, const struct oci_mount *m,
                     struct kago_err *err)
{
        struct mount_opts o;

        if (mount_opts_parse(m->options, m->options_len, &o, err) < 0)
                return -1;
        int rc;
        if (o.bind || (m->type && strcmp(m->type, "bind") == 0))
                rc = mount_bind(c, rootfd, m, &o, err);
        else if (!m->type)
                rc = kago_err_set(err, "no type and no bind option");
        else if (userns_mount_is_idmapped(m, NULL))
                rc = kago_err_set(err, "idmap, ridmap and uid/gidMappings are for bind mounts, "
                                       "not type %s", m->type);
        else if (strcmp(m->type, "cgroup") == 0)
                rc = rootfs_mount_cgroup(rootfd, m->destination, o.flags, o.clear,
                                         spec_namespace(c->spec, OCI_NS_CGROUP) != NULL, err) < 0
                             ? -1
                             : mount_finish(rootfd, m->destination, &o, false, err);
        else
                rc = mount_fs(rootfd, m, &o, err);
        mount_opts_free(&o);
        return rc;
}

int rootfs_mount_all(struct container_ctx *c, int rootfd, struct kago_err *err)
{
        for (size_t i = 0; i < c->spec->mounts_len; i++) {
                const struct oci_mount *m = &c->spec->mounts[i];
                if (m->destination[0] != '/')
                        return kago_err_set(err, "mounts[%zu].destination: \"%s\" is not "
                                                 "absolute", i, m->destination);
                if (c->backend->own_mount && c->backend->own_mount(m))
                        continue;
                if (mount_one(c, rootfd, m, err) < 0)
                        return kago_err_wrap(err, "mounts[%zu] (%s)", i, m->destination);
        }
        return 0;
}

static int readonly_tmpfs_one(int rootfd, const struct oci_mount *m, struct kago_err *err)
{
        _cleanup_close_ int fd = -1;
        struct mount_opts o;

        if (!m->type || strcmp(m->type, "tmpfs") != 0 ||
            mount_opts_parse(m->options, m->options_len, &o, err) < 0)
                return 0; /* a bad option was reported when it was mounted */
        bool ro = !o.bind && (o.flags & MS_RDONLY);
        mount_opts_free(&o);
        if (!ro)
                return 0;
        struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
        if (root_open(rootfd, m->destination, O_PATH, &fd, err) < 0)
                return -1;
        return setattr(fd, &a, false, m->destination, err);
}

int rootfs_readonly_tmpfs(struct container_ctx *c, int rootfd, struct kago_err *err)
{
        for (size_t i = 0; i < c->spec->mounts_len; i++)
                if (readonly_tmpfs_one(rootfd, &c->spec->mounts[i], err) < 0)
                        return kago_err_wrap(err, "mounts[%zu] (%s): ro", i,
                                             c->spec->mounts[i].destination);
        return 0;
}

/* ---- tmpcopyup: what the directory held, copied into the new tmpfs ---- */

static int copy_entry(int from, int to, const char *name, struct kago_err *err);

static int copy_dir(int from, int to, struct kago_err *err)
{
        int dup_fd = dup(from);
        if (dup_fd < 0)
                return kago_err_errno(err, errno, "dup");
        DIR *d = fdopendir(dup_fd);
        if (!d) {
                close(dup_fd);
                return kago_err_errno(err, errno, "read directory");
        }
        struct dirent *de;
        int rc = 0;
        while (rc == 0 && (de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        rc = copy_entry(from, to, de->d_name, err);
        closedir(d);
        return rc;
}

static int copy_file(int from, int to, const char *name, const struct stat *sb,
                     struct kago_err *err)
{
        _cleanup_close_ int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_close_ int out = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                                         sb->st_mode & 07777);
        char buf[65536];
        ssize_t n;

        if (in < 0 || out < 0)
                return kago_err_errno(err, errno, "copy %s", name);
        while ((n = read(in, buf, sizeof buf)) > 0)
                if (fd_write_all(out, buf, (size_t)n) < 0)
                        return kago_err_errno(err, errno, "copy %s", name);
        if (n < 0)
                return kago_err_errno(err, errno, "copy %s", name);
        return 0;
}

static int copy_entry(int from, int to, const char *name, struct kago_err *err)
{
        struct stat sb;
        char target[4096];

        if (fstatat(from, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
                return kago_err_errno(err, errno, "stat %s", name);
        if (S_ISDIR(sb.st_mode)) {
                if (mkdirat(to, name, sb.st_mode & 07777) < 0)
                        return kago_err_errno(err, errno, "mkdir %s", name);
                _cleanup_close_ int f = openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                _cleanup_close_ int t = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (f < 0 || t < 0)
                        return kago_err_errno(err, errno, "open %s", name);
                if (copy_dir(f, t, err) < 0)
                        return -1;
        } else if (S_ISLNK(sb.st_mode)) {
                ssize_t n = readlinkat(from, name, target, sizeof target - 1);
                if (n < 0)
                        return kago_err_errno(err, errno, "readlink %s", name);
                target[n] = '\0';
                if (symlinkat(target, to, name) < 0)
                        return kago_err_errno(err, errno, "symlink %s", name);
        } else if (S_ISREG(sb.st_mode)) {
                if (copy_file(from, to, name, &sb, err) < 0)
                        return -1;
        } else if (mknodat(to, name, sb.st_mode, sb.st_rdev) < 0) {
                return kago_err_errno(err, errno, "mknod %s", name);
        }
        if (fchownat(to, name, sb.st_uid, sb.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                return kago_err_errno(err, errno, "chown %s", name);
        return 0;
}

static int tmpfs_copy_up(int fromfd, const char *dest, int rootfd, struct kago_err *err)
{
        _cleanup_close_ int to = -1;

        if (root_open(rootfd, dest, O_RDONLY | O_DIRECTORY, &to, err) < 0)
                return -1;
        if (copy_dir(fromfd, to, err) < 0)
                return kago_err_wrap(err, "tmpcopyup into %s", dest);
        return 0;
}
