/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /dev in the container: the default device nodes, the backend's own
 * (a microVM's /dev/kvm), linux.devices, and the usual symlinks (fd, stdin,
 * stdout, stderr, ptmx). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include "rootfs.h"

static const struct dev_node default_devices[] = {
        { "/dev/null", S_IFCHR, 1, 3, 0666, 0, 0 },
        { "/dev/zero", S_IFCHR, 1, 5, 0666, 0, 0 },
        { "/dev/full", S_IFCHR, 1, 7, 0666, 0, 0 },
        { "/dev/random", S_IFCHR, 1, 8, 0666, 0, 0 },
        { "/dev/urandom", S_IFCHR, 1, 9, 0666, 0, 0 },
        { "/dev/tty", S_IFCHR, 5, 0, 0666, 0, 0 },
};

/* In a user namespace mknod is refused: bind the host's node instead. */
static int dev_bind_host(int rootfd, const struct dev_node *d, struct kago_err *err)
{
        _cleanup_close_ int fd = -1;
        char p[32];

        if (root_make_target(rootfd, d->path, false, &fd, err) < 0)
                return -1;
        root_fd_path(fd, p);
        if (mount(d->path, p, NULL, MS_BIND, NULL) < 0)
                return kago_err_errno(err, errno, "bind host device %s", d->path);
        return 0;
}

int dev_make(int rootfd, const struct dev_node *d, struct kago_err *err)
{
        const char *slash = strrchr(d->path, '/');
        _cleanup_free_ char *parent = xasprintf("%.*s", (int)(slash - d->path), d->path);
        _cleanup_close_ int dir = -1;

        if (root_mkdir_p(rootfd, parent[0] ? parent : "/", 0755, &dir, err) < 0)
                return -1;
        if (mknodat(dir, slash + 1, d->type | (d->mode & 07777), makedev(d->major, d->minor)) < 0) {
                if (errno == EEXIST)
                        return 0;
                if (errno == EPERM && d->type != S_IFIFO)
                        return dev_bind_host(rootfd, d, err);
                return kago_err_errno(err, errno, "mknod %s", d->path);
        }
        /* mknod obeys the umask: set the mode and owner explicitly. */
        if (fchmodat(dir, slash + 1, d->mode & 07777, 0) < 0 ||
            fchownat(dir, slash + 1, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
                return kago_err_errno(err, errno, "chmod/chown %s", d->path);
        return 0;
}

static int dev_from_spec(const struct oci_device *s, struct dev_node *d, struct kago_err *err)
{
        memset(d, 0, sizeof *d);
        d->path = s->path;
        switch (s->type[0]) {
        case 'c': case 'u': d->type = S_IFCHR; break;
        case 'b': d->type = S_IFBLK; break;
        case 'p': d->type = S_IFIFO; break;
        default: return kago_err_set(err, "type \"%s\": expected c, b, u or p", s->type);
        }
        if (d->type != S_IFIFO && (!s->major.set || !s->minor.set))
                return kago_err_set(err, "major and minor are required for type %s", s->type);
        if (s->path[0] != '/' || strstr(s->path, "/../") || str_has_prefix(s->path, "/.."))
                return kago_err_set(err, "path \"%s\": must be absolute, without \"..\"", s->path);
        d->major = (unsigned)s->major.value;
        d->minor = (unsigned)s->minor.value;
        d->mode = s->file_mode.set ? s->file_mode.value : 0666;
        d->uid = s->uid.set ? s->uid.value : 0;
        d->gid = s->gid.set ? s->gid.value : 0;
        return 0;
}

int devices_create(struct container_ctx *c, int rootfd, struct kago_err *err)
{
        const struct oci_linux *l = c->spec->linux_cfg;
        mode_t old = umask(0);
        int rc = 0;

        for (size_t i = 0; rc == 0 && i < ARRAY_SIZE(default_devices); i++)
                rc = dev_make(rootfd, &default_devices[i], err);
        if (rc == 0 && c->backend->make_devices)
                rc = c->backend->make_devices(c, rootfd, err);
        for (size_t i = 0; rc == 0 && l && i < l->devices_len; i++) {
                struct dev_node d;
                rc = dev_from_spec(&l->devices[i], &d, err);
                if (rc == 0)
                        rc = dev_make(rootfd, &d, err);
                if (rc < 0)
                        kago_err_wrap(err, "linux.devices[%zu]", i);
        }
        umask(old);
        return rc;
}

int devices_symlinks(int rootfd, struct kago_err *err)
{
        static const char *const links[][2] = {
                { "/proc/self/fd", "fd" },      { "/proc/self/fd/0", "stdin" },
                { "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
        };
        _cleanup_close_ int dev = -1;
        struct stat sb;

        if (root_mkdir_p(rootfd, "/dev", 0755, &dev, err) < 0)
                return -1;
        for (size_t i = 0; i < ARRAY_SIZE(links); i++)
                if (symlinkat(links[i][0], dev, links[i][1]) < 0 && errno != EEXIST)
                        return kago_err_errno(err, errno, "symlink /dev/%s", links[i][1]);
        /* With a devpts instance of its own, /dev/ptmx must be its ptmx. Only
         * on a /dev of the container's own (tmpfs), never a bound host /dev. */
        struct statfs sf;
        if (fstatfs(dev, &sf) == 0 && sf.f_type == TMPFS_MAGIC &&
            fstatat(dev, "pts/ptmx", &sb, 0) == 0) {
                if (unlinkat(dev, "ptmx", 0) < 0 && errno != ENOENT)
                        return kago_err_errno(err, errno, "remove /dev/ptmx");
                if (symlinkat("pts/ptmx", dev, "ptmx") < 0)
                        return kago_err_errno(err, errno, "symlink /dev/ptmx");
        }
        return 0;
}
