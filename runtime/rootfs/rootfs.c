/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container's root: propagation, the rootfs bind, pivot_root (or the
 * --no-pivot move + chroot), a read-only root, masked and read-only paths. */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "rootfs.h"

static int propagation_flags(const char *name, unsigned long *flags, struct kago_err *err)
{
        static const struct { const char *name; unsigned long flags; } map[] = {
                { "private", MS_PRIVATE },   { "rprivate", MS_PRIVATE | MS_REC },
                { "slave", MS_SLAVE },       { "rslave", MS_SLAVE | MS_REC },
                { "shared", MS_SHARED },     { "rshared", MS_SHARED | MS_REC },
                { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
        };
        if (!name || !*name) {
                *flags = MS_SLAVE | MS_REC; /* host mounts reach us, ours stay here */
                return 0;
        }
        for (size_t i = 0; i < ARRAY_SIZE(map); i++)
                if (strcmp(map[i].name, name) == 0) {
                        *flags = map[i].flags | MS_REC;
                        return 0;
                }
        return kago_err_set(err, "linux.rootfsPropagation: unknown value \"%s\"", name);
}

/* The mount point under which path lives: the longest mount point in
 * mountinfo that is a prefix of it. */
static char *mount_point_of(const char *path)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        char *line = NULL, *best = NULL;
        size_t cap = 0, best_len = 0;

        while (f && getline(&line, &cap, f) > 0) {
                char mp[4096];
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
                        continue;
                size_t n = strlen(mp);
                bool under = strcmp(mp, "/") == 0 ||
                             (strncmp(path, mp, n) == 0 && (path[n] == '/' || path[n] == '\0'));
                if (under && (n > best_len || !best)) {
                        free(best);
                        best = xstrdup(mp);
                        best_len = n;
                }
        }
        free(line);
        return best;
}

/* With rootfsPropagation shared, "/" is shared: make the mount holding the
 * rootfs directory private, or pivot_root fails with EINVAL. */
static int rootfs_parent_private(const char *rootfs, struct kago_err *err)
{
        _cleanup_free_ char *parent = xstrdup(rootfs);
        char *slash = strrchr(parent, '/');

        if (slash)
                *(slash == parent ? slash + 1 : slash) = '\0';
        _cleanup_free_ char *mp = mount_point_of(parent);
        if (mp && mount(NULL, mp, NULL, MS_PRIVATE, NULL) < 0)
                return kago_err_errno(err, errno, "make %s (holding the rootfs) private", mp);
        return 0;
}

/* In the new mount namespace: cut propagation back to the host as the
 * config asks, and make the rootfs a mount point of its own. */
int rootfs_prepare(struct container_ctx *c, struct kago_err *err)
{
        unsigned long prop;
        const char *want = c->spec->linux_cfg ? c->spec->linux_cfg->rootfs_propagation : NULL;

        if (propagation_flags(want, &prop, err) < 0)
                return -1;
        /* An unbindable tree cannot give us the rootfs bind: private now,
         * unbindable once the root is ours (rootfs_finish). */
        if (prop & MS_UNBINDABLE)
                prop = MS_PRIVATE | MS_REC;
        if (mount(NULL, "/", NULL, prop, NULL) < 0)
                return kago_err_errno(err, errno, "set propagation of / (rootfsPropagation)");
        if (mount(c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
                return kago_err_errno(err, errno, "bind rootfs %s", c->rootfs);
        /* pivot_root refuses a new root, or a parent of it, that is shared. */
        if (prop & MS_SHARED) {
                if (mount(NULL, c->rootfs, NULL, MS_PRIVATE, NULL) < 0)
                        return kago_err_errno(err, errno, "make rootfs %s private", c->rootfs);
                if (rootfs_parent_private(c->rootfs, err) < 0)
                        return -1;
        }
        return 0;
}

static int pivot(const char *rootfs, struct kago_err *err)
{
        _cleanup_close_ int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int newroot = open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);

        if (oldroot < 0 || newroot < 0)
                return kago_err_errno(err, errno, "open %s for pivot_root", rootfs);
        if (fchdir(newroot) < 0)
                return kago_err_errno(err, errno, "chdir %s", rootfs);
        /* Old and new root on the same directory: the old one is stacked
         * under ".", then detached. */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return kago_err_errno(err, errno, "pivot_root %s", rootfs);
        if (fchdir(oldroot) < 0)
                return kago_err_errno(err, errno, "chdir to the old root");
        if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return kago_err_errno(err, errno, "make the old root a slave");
        if (umount2(".", MNT_DETACH) < 0)
                return kago_err_errno(err, errno, "detach the old root");
        if (chdir("/") < 0)
                return kago_err_errno(err, errno, "chdir /");
        return 0;
}

/* --no-pivot (a root on ramfs, where pivot_root fails): move the rootfs
 * mount over / and chroot into it. */
static int move_root(const char *rootfs, struct kago_err *err)
{
        if (rootfs_hide_host_kernfs(rootfs, err) < 0)
                return -1;
        if (chdir(rootfs) < 0)
                return kago_err_errno(err, errno, "chdir %s", rootfs);
        if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
                return kago_err_errno(err, errno, "move %s to / (--no-pivot)", rootfs);
        if (chroot(".") < 0)
                return kago_err_errno(err, errno, "chroot %s", rootfs);
        if (chdir("/") < 0)
                return kago_err_errno(err, errno, "chdir /");
        return 0;
}

/* No mount namespace of its own: nothing was mounted, the root is a chroot. */
static int chroot_root(const char *rootfs, struct kago_err *err)
{
        if (chroot(rootfs) < 0)
                return kago_err_errno(err, errno, "chroot %s", rootfs);
        if (chdir("/") < 0)
                return kago_err_errno(err, errno, "chdir /");
        return 0;
}

int rootfs_pivot(struct container_ctx *c, struct kago_err *err)
{
        if (!spec_namespace(c->spec, OCI_NS_MOUNT))
                return chroot_root(c->rootfs, err);
        return c->opts->no_pivot ? move_root(c->rootfs, err) : pivot(c->rootfs, err);
}

static int mount_readonly(const char *path, bool recursive, struct kago_err *err)
{
        struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
        unsigned flags = recursive ? AT_RECURSIVE : 0;
        if (syscall(SYS_mount_setattr, AT_FDCWD, path, flags, &a, sizeof a) < 0)
                return kago_err_errno(err, errno, "make %s read-only", path);
        return 0;
}

/* After pivot_root: paths are the container's own. */
/* stdio on the host's /dev/null moves to the container's (runc does the
 * same): a file on a mount outside the container is one CRIU cannot dump,
 * and engines (conmon) give a detached container the host's /dev/null. */
static int rootfs_reopen_dev_null(struct kago_err *err)
{
        struct stat sb, own;
        int null = -1;

        for (int fd = 0; fd < 3; fd++) {
                if (fstat(fd, &sb) < 0 || !S_ISCHR(sb.st_mode) || sb.st_rdev != makedev(1, 3))
                        continue;
                if (null < 0) {
                        null = open("/dev/null", O_RDWR | O_CLOEXEC);
                        if (null < 0 || fstat(null, &own) < 0)
                                return kago_err_errno(err, errno, "open the container's /dev/null");
                        if (!S_ISCHR(own.st_mode) || own.st_rdev != makedev(1, 3)) {
                                close(null);
                                return kago_err_set(err, "the container's /dev/null is not the "
                                                         "null device");
                        }
                }
                if ((sb.st_dev != own.st_dev || sb.st_ino != own.st_ino) && dup2(null, fd) < 0) {
                        close(null);
                        return kago_err_errno(err, errno, "reopen fd %d on /dev/null", fd);
                }
        }
        if (null >= 0)
                close(null);
        return 0;
}

int rootfs_finish(struct container_ctx *c, struct kago_err *err)
{
        if (!spec_namespace(c->spec, OCI_NS_MOUNT))
                return 0; /* no paths to mask: ns_validate saw to it */
        _cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

        if (rootfd < 0)
                return kago_err_errno(err, errno, "open the container's root");
        /* Resolved inside the root; /dev/null checked to be the null device. */
        if (path_masks_apply(rootfd, c->spec->linux_cfg, err) < 0 ||
            rootfs_reopen_dev_null(err) < 0)
                return -1;
        const struct oci_linux *l = c->spec->linux_cfg;
        bool unbindable = l && l->rootfs_propagation &&
                          (strcmp(l->rootfs_propagation, "unbindable") == 0 ||
                           strcmp(l->rootfs_propagation, "runbindable") == 0);
        if (unbindable &&
            mount(NULL, "/", NULL, MS_UNBINDABLE | MS_REC, NULL) < 0)
                return kago_err_errno(err, errno, "make / unbindable (rootfsPropagation)");
        if (c->spec->root && c->spec->root->readonly && mount_readonly("/", false, err) < 0)
                return kago_err_wrap(err, "root.readonly");
        return 0;
}
