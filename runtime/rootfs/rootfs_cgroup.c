/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The `cgroup` mount of config.json: the container sees its own cgroups and
 * nothing of the others', as with runc.
 *
 * cgroup v2 host: in a cgroup namespace a fresh cgroup2 mount (its root is
 * the namespace's: the container's cgroup); without one, a bind of the
 * directory init is in.
 *
 * v1 or hybrid host: a tmpfs, and in it one entry per hierarchy the host
 * mounts under /sys/fs/cgroup, with the host's names (symlinks such as
 * cpu -> cpu,cpuacct copied): in a cgroup namespace a fresh mount of that
 * hierarchy (rooted at the namespace's root), else a bind of the directory
 * init is in per /proc/self/cgroup (the container's own where it has one).
 * A hierarchy that cannot be shown that way (a fresh v1 mount refused in a
 * user namespace, init above the namespace's root) stays an empty directory:
 * nothing beyond the container.
 * Read-only unless the mount says rw. Only new mounts are made, in the
 * container's mount namespace; the host's cgroup mounts are never touched.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#include "rootfs.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define HOST_CGROUP "/sys/fs/cgroup"
#define CG_MAX_HIER 32

/* One cgroup hierarchy the host mounts at /sys/fs/cgroup or just below. */
struct cg_hier {
        char name[NAME_MAX + 1]; /* "" for /sys/fs/cgroup itself */
        char root[PATH_MAX];     /* the mount's root in the hierarchy */
        char opts[256];          /* controllers and name=: what a fresh mount names */
        char init_path[PATH_MAX]; /* init's cgroup in it, per /proc/self/cgroup; "" unknown */
        bool v2;
};

struct cg_hiers {
        struct cg_hier h[CG_MAX_HIER];
        size_t n;
};

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
        char *w = s;
        for (char *r = s; *r; w++) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
                    r[3] >= '0' && r[3] <= '7') {
                        *w = (char)((r[1] - '0') << 6 | (r[2] - '0') << 3 | (r[3] - '0'));
                        r += 4;
                } else {
                        *w = *r++;
                }
        }
        *w = '\0';
}

/* Of a v1 mount's super options, what selects the hierarchy: controllers and
 * name=; the flags (rw, xattr, release_agent=...) are left out. */
static void hier_opts(const char *super, char *out, size_t size)
{
        static const char *const flags[] = { "rw", "ro", "xattr", "noprefix", "clone_children",
                                             "cpuset_v2_mode", "favordynmods", "none" };
        _cleanup_free_ char *copy = xstrdup(super);
        char *save = NULL;
        size_t len = 0;

        out[0] = '\0';
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                bool flag = str_has_prefix(t, "release_agent=");
                for (size_t i = 0; i < ARRAY_SIZE(flags) && !flag; i++)
                        flag = strcmp(t, flags[i]) == 0;
                if (!flag && len + strlen(t) + 2 < size)
                        len += (size_t)snprintf(out + len, size - len, "%s%s", len ? "," : "", t);
        }
}

/* One mountinfo line: a cgroup mount at /sys/fs/cgroup or one level below
 * replaces (an overmount) or adds its hierarchy. */
static void hier_from_mountinfo_line(char *line, struct cg_hiers *hs)
{
        char *f[6], *save = NULL, *dash = strstr(line, " - ");
        size_t n = 0;

        if (!dash)
                return;
        *dash = '\0';
        for (char *t = strtok_r(line, " ", &save); t && n < 5; t = strtok_r(NULL, " ", &save))
                f[n++] = t;
        char *fstype = strtok_r(dash + 3, " ", &save);
        strtok_r(NULL, " ", &save); /* source */
        char *super = strtok_r(NULL, " \n", &save);
        if (n < 5 || !fstype || !super || (strcmp(fstype, "cgroup") && strcmp(fstype, "cgroup2")))
                return;
        unescape_octal(f[3]);
        unescape_octal(f[4]);
        const char *name = strcmp(f[4], HOST_CGROUP) == 0 ? "" : f[4] + strlen(HOST_CGROUP) + 1;
        if (name[0] && (!str_has_prefix(f[4], HOST_CGROUP "/") || strchr(name, '/')))
                return;
        size_t i = 0;
        while (i < hs->n && strcmp(hs->h[i].name, name) != 0)
                i++;
        if (i == CG_MAX_HIER || strlen(name) > NAME_MAX || strlen(f[3]) >= PATH_MAX)
                return;
        hs->n += i == hs->n;
        struct cg_hier *h = &hs->h[i];
        snprintf(h->name, sizeof h->name, "%s", name);
        snprintf(h->root, sizeof h->root, "%s", f[3]);
        h->v2 = strcmp(fstype, "cgroup2") == 0;
        hier_opts(super, h->opts, sizeof h->opts);
}

static int hiers_read(struct cg_hiers *hs, struct kago_err *err)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;

        hs->n = 0;
        if (!f)
                return kago_err_errno(err, errno, "open /proc/self/mountinfo");
        while (getline(&line, &cap, f) > 0)
                hier_from_mountinfo_line(line, hs);
        return 0;
}

/* Whether the controller list ctrls ("cpu,cpuacct", "name=systemd") of a
 * /proc/self/cgroup line names one of the hierarchy's. */
static bool hier_matches(const struct cg_hier *h, const char *id, const char *ctrls)
{
        if (h->v2)
                return strcmp(id, "0") == 0 && ctrls[0] == '\0';
        _cleanup_free_ char *copy = xstrdup(h->opts);
        char *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                size_t len = strlen(t);
                for (const char *p = ctrls; (p = strstr(p, t)); p += len)
                        if ((p == ctrls || p[-1] == ',') && (p[len] == ',' || p[len] == '\0'))
                                return true;
        }
        return false;
}

/* Each hierarchy's cgroup that init is in, from one read of
 * /proc/self/cgroup: like the mount's root in mountinfo, relative to init's
 * cgroup namespace ("/../../kago/web" when the namespace's root is elsewhere). */
static void hiers_init_paths(struct cg_hiers *hs)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;

        while (f && getline(&line, &cap, f) > 0) {
                line[strcspn(line, "\n")] = '\0';
                char *ctrls = strchr(line, ':'), *p = ctrls ? strchr(ctrls + 1, ':') : NULL;
                if (!p)
                        continue;
                *ctrls++ = '\0';
                *p++ = '\0';
                for (size_t i = 0; i < hs->n; i++)
                        if (!hs->h[i].init_path[0] && hier_matches(&hs->h[i], line, ctrls))
                                snprintf(hs->h[i].init_path, sizeof hs->h[i].init_path, "%s", p);
        }
}

/* Where init's cgroup of h lies below the mount's root: 0 with rel set ("" for
 * the root itself), -1 when it does not (init's cgroup is above the root, or
 * at a namespace root whose names the kernel does not show). */
static int hier_init_rel(const struct cg_hier *h, char *rel, size_t size)
{
        const char *path = h->init_path;
        size_t rl = strcmp(h->root, "/") == 0 ? 0 : strlen(h->root);

        if (!path[0] || strncmp(path, h->root, rl) != 0 ||
            (path[rl] != '/' && path[rl] != '\0'))
                return -1;
        const char *r = path + rl + (path[rl] == '/');
        if (strcmp(r, "..") == 0 || str_has_prefix(r, "../"))
                return -1;
        snprintf(rel, size, "%s", r);
        return 0;
}

static int set_attrs(int fd, uint64_t attrs, const char *what, struct kago_err *err)
{
        struct mount_attr a = { .attr_set = attrs };
        if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &a, sizeof a) < 0)
                return kago_err_errno(err, errno, "set the mount flags of %s", what);
        return 0;
}

/* Bind the directory of h that init is in on target (an O_PATH fd); 0 when
 * it cannot be named below the host's mount. */
static int hier_bind(const struct cg_hier *h, int target, struct kago_err *err)
{
        char rel[PATH_MAX], p[32];
        if (hier_init_rel(h, rel, sizeof rel) < 0)
                return 0;
        _cleanup_free_ char *src = xasprintf(HOST_CGROUP "%s%s%s%s", h->name[0] ? "/" : "",
                                             h->name, rel[0] ? "/" : "", rel);
        root_fd_path(target, p);
        if (mount(src, p, NULL, MS_BIND, NULL) < 0)
                return kago_err_errno(err, errno, "bind %s", src);
        return 1;
}

/* A fresh mount of h on target: rooted at the cgroup namespace's root, which
 * must be init's own cgroup of h. 0 (nothing mounted) when it is not, or
 * when the kernel refuses a v1 hierarchy (in a user namespace, for one). */
static int hier_mount_fresh(const struct cg_hier *h, int target, struct kago_err *err)
{
        char p[32];
        if (strcmp(h->init_path, "/") != 0)
                return 0;
        root_fd_path(target, p);
        if (mount("cgroup", p, h->v2 ? "cgroup2" : "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  h->v2 ? NULL : h->opts) == 0)
                return 1;
        if (!h->v2)
                return 0; /* a user namespace may not, say; nothing shown is safe */
        return kago_err_errno(err, errno, "mount %s (%s)", h->v2 ? "cgroup2" : "cgroup",
                              h->v2 ? "unified" : h->opts);
}

/* h on target (an O_PATH fd of path inside rootfd), then its flags on the
 * new mount, reopened by path: an fd taken before the mount refers to what
 * the mount covers. */
static int hier_mount(const struct cg_hier *h, int target, int rootfd, const char *path,
                      bool in_cgroupns, bool rdonly, struct kago_err *err)
{
        _cleanup_close_ int fd = -1;
        int r = hier_bind(h, target, err);
        if (r == 0 && in_cgroupns)
                r = hier_mount_fresh(h, target, err);
        if (r <= 0)
                return r;
        if (root_open(rootfd, path, O_PATH, &fd, err) < 0)
                return -1;
        return set_attrs(fd, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                                     (rdonly ? MOUNT_ATTR_RDONLY : 0), path, err);
}

/* The host's symlinks in /sys/fs/cgroup (cpu -> cpu,cpuacct), in dir. */
static int copy_symlinks(int dir, struct kago_err *err)
{
        DIR *d = opendir(HOST_CGROUP);
        char target[PATH_MAX];

        if (!d)
                return kago_err_errno(err, errno, "open " HOST_CGROUP);
        for (struct dirent *e; (e = readdir(d));) {
                if (e->d_type != DT_LNK)
                        continue;
                ssize_t n = readlinkat(dirfd(d), e->d_name, target, sizeof target - 1);
                if (n < 0)
                        continue;
                target[n] = '\0';
                if (symlinkat(target, dir, e->d_name) < 0 && errno != EEXIST) {
                        int e2 = errno;
                        closedir(d);
                        return kago_err_errno(err, e2, "symlink %s -> %s", e->d_name, target);
                }
        }
        closedir(d);
        return 0;
}

/* The tmpfs mounted at dest: its hierarchies and symlinks. */
static int v1_fill(int rootfd, const char *dest, const struct cg_hiers *hs, bool in_cgroupns,
                   bool rdonly, struct kago_err *err)
{
        _cleanup_close_ int dir = -1;
        if (root_open(rootfd, dest, O_RDONLY | O_DIRECTORY, &dir, err) < 0)
                return -1;
        for (size_t i = 0; i < hs->n; i++) {
                const struct cg_hier *h = &hs->h[i];
                if (!h->name[0])
                        continue;
                if (mkdirat(dir, h->name, 0555) < 0)
                        return kago_err_errno(err, errno, "mkdir %s/%s", dest, h->name);
                _cleanup_close_ int fd = openat(dir, h->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return kago_err_errno(err, errno, "open %s/%s", dest, h->name);
                _cleanup_free_ char *path = xasprintf("%s/%s", dest, h->name);
                if (hier_mount(h, fd, rootfd, path, in_cgroupns, rdonly, err) < 0)
                        return kago_err_wrap(err, "%s", path);
        }
        if (copy_symlinks(dir, err) < 0)
                return -1;
        return rdonly ? set_attrs(dir, MOUNT_ATTR_RDONLY, dest, err) : 0;
}

static bool host_cgroup_is_v2(void)
{
        struct statfs sf;
        return statfs(HOST_CGROUP, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

/* v2 host: the one hierarchy at /sys/fs/cgroup itself. */
static int mount_v2(int rootfd, int target, const char *dest, const struct cg_hiers *hs,
                    bool in_cgroupns, bool rdonly, struct kago_err *err)
{
        for (size_t i = 0; i < hs->n; i++)
                if (!hs->h[i].name[0] && hs->h[i].v2)
                        return hier_mount(&hs->h[i], target, rootfd, dest, in_cgroupns, rdonly,
                                          err);
        return kago_err_set(err, "no cgroup2 mount found at " HOST_CGROUP);
}

int rootfs_mount_cgroup(int rootfd, const char *dest, unsigned long flags, unsigned long clear,
                        bool in_cgroupns, struct kago_err *err)
{
        _cleanup_close_ int fd = -1;
        struct cg_hiers *hs = xcalloc(1, sizeof *hs);
        char p[32];
        int rc = -1;

        if (hiers_read(hs, err) < 0 || root_make_target(rootfd, dest, true, &fd, err) < 0)
                goto out;
        hiers_init_paths(hs);
        root_fd_path(fd, p);
        if (host_cgroup_is_v2()) {
                rc = mount_v2(rootfd, fd, dest, hs, in_cgroupns, flags & MS_RDONLY, err);
                goto out;
        }
        if (mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0) {
                kago_err_errno(err, errno, "mount tmpfs on %s", dest);
                goto out;
        }
        rc = v1_fill(rootfd, dest, hs, in_cgroupns, (flags & MS_RDONLY) || !(clear & MS_RDONLY), err);
out:
        free(hs);
        return rc;
}
