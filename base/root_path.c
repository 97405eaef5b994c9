/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Paths inside a root (a container's rootfs, a microVM's shared directory),
 * resolved by the kernel as if rootfd were "/": openat2 with
 * RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS. A symlink or ".." in the root
 * never leads out of it and a magic link (/proc/self/fd/N) is refused.
 * Without openat2 (Linux < 5.6) every call fails with ENOSYS: there is no
 * unconfined fallback.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "base.h"

/*
 * With RESOLVE_IN_ROOT the kernel answers EAGAIN when a rename or mount
 * raced a ".." of the walk (it cannot prove the walk stayed inside), and
 * EXDEV when its final check finds the result outside the root (a directory
 * moved out during the walk). Both ask for a retry; the bound keeps a rootfs
 * whose owner renames in a loop from holding kago forever: after it the
 * error stands.
 */
#define ROOT_OPEN_TRIES 32

int root_openat2(int rootfd, const char *path, int flags, mode_t mode)
{
        struct open_how how = {
                .flags = (uint64_t)(flags | O_CLOEXEC),
                .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        long fd = -1;

        if (*path == '\0')
                path = ".";
        for (int tries = 0; tries < ROOT_OPEN_TRIES; tries++) {
                fd = syscall(SYS_openat2, rootfd, path, &how, sizeof how);
                if (fd >= 0 || (errno != EAGAIN && errno != EXDEV))
                        break;
        }
        return (int)fd;
}

/* An error for a failed root_openat2 of path (errno as it left it). */
static int root_open_failed(const char *path, struct kago_err *err)
{
        return kago_err_errno(err, errno, "open %s in the container%s", path,
                              errno == ENOSYS   ? " (openat2 needs Linux 5.6)"
                              : errno == ELOOP  ? " (a magic link or a symlink loop)"
                              : errno == EXDEV  ? " (moved out of the root while resolved)"
                              : errno == EAGAIN ? " (renamed while resolved, again and again)"
                                                : "");
}

int root_open(int rootfd, const char *path, int flags, int *fd, struct kago_err *err)
{
        int f = root_openat2(rootfd, path, flags, 0);
        if (f < 0)
                return root_open_failed(path, err);
        *fd = f;
        return 0;
}

void root_fd_path(int fd, char buf[static 32])
{
        snprintf(buf, 32, "/proc/self/fd/%d", fd);
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

/* Hand f to *fd, or close it when the caller wants none. */
static int give_fd(int f, int *fd)
{
        if (fd)
                *fd = f;
        else
                close(f);
        return 0;
}

/* How a missing last component gets made in its parent directory. */
typedef int (*make_fn)(int parent, const char *name, const char *path, mode_t mode,
                       struct kago_err *err);

static int make_dir(int parent, const char *name, const char *path, mode_t mode,
                    struct kago_err *err)
{
        if (mkdirat(parent, name, mode) < 0 && errno != EEXIST)
                return kago_err_errno(err, errno, "mkdir %s in the container", path);
        return 0;
}

/* An empty file name made in the directory parent (an O_PATH fd), without
 * following a symlink there (O_EXCL); one that exists is fine. */
static int make_file(int parent, const char *name, const char *path, mode_t mode,
                     struct kago_err *err)
{
        (void)mode;
        _cleanup_close_ int dfd = openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return kago_err_errno(err, errno, "open parent of %s in the container", path);
        int nf = openat(dfd, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0644);
        if (nf < 0 && errno != EEXIST)
                return kago_err_errno(err, errno, "create %s in the container", path);
        if (nf >= 0)
                close(nf);
        return 0;
}

/* Open path (oflags) inside rootfd; when it is missing, make its parents
 * (directories of mode) and then it (make), and open it again. */
static int root_open_or_make(int rootfd, const char *path, int oflags, mode_t mode, make_fn make,
                             int *fd, struct kago_err *err)
{
        int f = root_openat2(rootfd, path, oflags, 0);
        if (f >= 0)
                return give_fd(f, fd);
        if (errno != ENOENT)
                return root_open_failed(path, err);
        const char *last;
        _cleanup_free_ char *parent = path_parent(path, &last);
        _cleanup_close_ int pfd = -1;
        if (root_mkdir_p(rootfd, parent, mode, &pfd, err) < 0)
                return -1;
        _cleanup_free_ char *name = last_component(last);
        if (make(pfd, name, path, mode, err) < 0)
                return -1;
        /* Once, not again: EEXIST then ENOENT is a dangling symlink. */
        f = root_openat2(rootfd, path, oflags, 0);
        if (f < 0 && errno == ENOENT)
                return kago_err_errno(err, errno,
                                      "open %s in the container (a symlink to a path the "
                                      "rootfs does not have)",
                                      path);
        if (f < 0)
                return root_open_failed(path, err);
        return give_fd(f, fd);
}

int root_mkdir_p(int rootfd, const char *path, mode_t mode, int *fd, struct kago_err *err)
{
        return root_open_or_make(rootfd, path, O_PATH | O_DIRECTORY, mode, make_dir, fd, err);
}

int root_make_target(int rootfd, const char *path, bool dir, int *fd, struct kago_err *err)
{
        return root_open_or_make(rootfd, path, dir ? O_PATH | O_DIRECTORY : O_PATH, 0755,
                                 dir ? make_dir : make_file, fd, err);
}

int root_chdir(const char *path, struct kago_err *err)
{
        char cwd[PATH_MAX];
        _cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int fd = -1;

        if (rootfd < 0)
                return kago_err_errno(err, errno, "open the container's root");
        if (root_open(rootfd, path, O_PATH | O_DIRECTORY, &fd, err) < 0)
                return -1;
        if (fchdir(fd) < 0)
                return kago_err_errno(err, errno, "chdir %s", path);
        /* getcwd fails (ENOENT) for a directory the root cannot reach. */
        if (!getcwd(cwd, sizeof cwd) || cwd[0] != '/')
                return kago_err_set(err, "%s is outside the container's root", path);
        return 0;
}
