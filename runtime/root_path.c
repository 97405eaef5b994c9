/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Path resolution confined to the container's root (see root_path.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "root_path.h"

void root_fd_path(int fd, char buf[static 32])
{
        snprintf(buf, 32, "/proc/self/fd/%d", fd);
}

static int openat2_in_root(int rootfd, const char *path, int flags)
{
        struct open_how how = {
                .flags = (uint64_t)(flags | O_CLOEXEC),
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        while (*path == '/')
                path++;
        if (*path == '\0')
                path = ".";
        int fd;
        do
                fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
        while (fd < 0 && errno == EAGAIN);
        return fd;
}

int root_open(int rootfd, const char *path, int flags, int *fd, struct kago_err *err)
{
        int f = openat2_in_root(rootfd, path, flags);
        if (f < 0)
                return kago_err_errno(err, errno, "open %s in the container", path);
        *fd = f;
        return 0;
}

/* Split path into its parent (in a fresh string) and last component. */
static char *path_parent(const char *path, const char **last)
{
        char *parent = xstrdup(path);
        size_t n = strlen(parent);

        while (n > 1 && parent[n - 1] == '/')
                parent[--n] = '\0';
        char *slash = strrchr(parent, '/');
        if (!slash) {
                *last = path;
                free(parent);
                return xstrdup(".");
        }
        *last = path + (slash - parent) + 1;
        if (slash == parent)
                slash[1] = '\0';
        else
                *slash = '\0';
        return parent;
}

/* The last component without trailing slashes; "." when there is none. */
static char *last_component(const char *last)
{
        size_t n = strcspn(last, "/");
        char *name = xmalloc(n + 2);

        memcpy(name, last, n);
        name[n] = '\0';
        if (n == 0)
                strcpy(name, ".");
        return name;
}

int root_mkdir_p(int rootfd, const char *path, mode_t mode, int *fd, struct kago_err *err)
{
        int f = openat2_in_root(rootfd, path, O_PATH | O_DIRECTORY);
        if (f >= 0) {
                if (fd)
                        *fd = f;
                else
                        close(f);
                return 0;
        }
        if (errno != ENOENT)
                return kago_err_errno(err, errno, "open %s in the container", path);
        const char *last;
        _cleanup_free_ char *parent = path_parent(path, &last);
        _cleanup_close_ int pfd = -1;
        if (root_mkdir_p(rootfd, parent, mode, &pfd, err) < 0)
                return -1;
        _cleanup_free_ char *name = last_component(last);
        if (mkdirat(pfd, name, mode) < 0 && errno != EEXIST)
                return kago_err_errno(err, errno, "mkdir %s in the container", path);
        /* Once, not again: EEXIST then ENOENT is a dangling symlink. */
        f = openat2_in_root(rootfd, path, O_PATH | O_DIRECTORY);
        if (f < 0)
                return kago_err_errno(err, errno, "open %s in the container%s", path,
                                      errno == ENOENT ? " (a symlink to a path the rootfs "
                                                        "does not have)" : "");
        if (fd)
                *fd = f;
        else
                close(f);
        return 0;
}

int root_make_target(int rootfd, const char *path, bool dir, int *fd, struct kago_err *err)
{
        if (dir)
                return root_mkdir_p(rootfd, path, 0755, fd, err);
        int f = openat2_in_root(rootfd, path, O_PATH);
        if (f >= 0) {
                *fd = f;
                return 0;
        }
        if (errno != ENOENT)
                return kago_err_errno(err, errno, "open %s in the container", path);
        const char *last;
        _cleanup_free_ char *parent = path_parent(path, &last);
        _cleanup_close_ int pfd = -1;
        if (root_mkdir_p(rootfd, parent, 0755, &pfd, err) < 0)
                return -1;
        _cleanup_free_ char *name = last_component(last);
        /* pfd is O_PATH: reopen it to create in it, without following a
         * symlink at the last component (O_EXCL). */
        _cleanup_close_ int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return kago_err_errno(err, errno, "open parent of %s in the container", path);
        int nf = openat(dfd, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0644);
        if (nf < 0 && errno != EEXIST)
                return kago_err_errno(err, errno, "create %s in the container", path);
        if (nf >= 0)
                close(nf);
        return root_open(rootfd, path, O_PATH, fd, err);
}
