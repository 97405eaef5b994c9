/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Paths inside a container's root, resolved so that nothing the rootfs holds
 * (a symlinked /proc, /dev or mount target, "..", a /proc/self/fd magic
 * link) can make kago open or mount over a host path: openat2 with
 * RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, then mounts placed on the
 * resolved fd (move_mount), never on a path string. Masked and read-only
 * paths are built the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "security.h"

#define SAFE_RESOLVE (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

static int openat2_in_root(int rootfd, const char *path, int flags, mode_t mode)
{
        struct open_how how = {
                .flags = (uint64_t)(flags | O_CLOEXEC),
                .mode = (flags & O_CREAT) ? mode : 0,
                .resolve = SAFE_RESOLVE,
        };
        long fd;

        /* EAGAIN: a rename raced the walk; the kernel asks for a retry. */
        for (int tries = 0; tries < 32; tries++) {
                fd = syscall(SYS_openat2, rootfd, path, &how, sizeof how);
                if (fd >= 0 || errno != EAGAIN)
                        break;
        }
        return (int)fd;
}

static int open_in_root_failed(const char *path, struct kago_err *err)
{
        return kago_err_errno(err, errno, "open %s in the container root%s", path,
                              errno == ENOSYS ? " (openat2 needs Linux 5.6)"
                              : errno == ELOOP ? " (a magic link or a symlink loop)"
                                               : "");
}

int safe_path_open(int rootfd, const char *path, int flags, struct kago_err *err)
{
        int fd = openat2_in_root(rootfd, path, flags, 0);

        return fd >= 0 ? fd : open_in_root_failed(path, err);
}

int safe_path_chdir(const char *path, struct kago_err *err)
{
        char cwd[PATH_MAX];
        _cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

        if (rootfd < 0)
                return kago_err_errno(err, errno, "open the container's root");
        _cleanup_close_ int fd = safe_path_open(rootfd, path, O_PATH | O_DIRECTORY, err);
        if (fd < 0)
                return -1;
        if (fchdir(fd) < 0)
                return kago_err_errno(err, errno, "chdir %s", path);
        /* getcwd fails (ENOENT) for a directory the root cannot reach. */
        if (!getcwd(cwd, sizeof cwd) || cwd[0] != '/')
                return kago_err_set(err, "%s is outside the container's root", path);
        return 0;
}

/* One path component after another: prefix i is path up to its i-th "/". */
static int safe_path_mkdir_one(int rootfd, const char *prefix, mode_t mode, struct kago_err *err)
{
        int fd = openat2_in_root(rootfd, prefix, O_PATH | O_DIRECTORY, 0);

        if (fd >= 0 || errno != ENOENT)
                return fd >= 0 ? fd : open_in_root_failed(prefix, err);
        _cleanup_free_ char *dcopy = xstrdup(prefix), *bcopy = xstrdup(prefix);
        const char *parent = dirname(dcopy), *name = basename(bcopy);
        _cleanup_close_ int pfd = openat2_in_root(rootfd, parent, O_PATH | O_DIRECTORY, 0);
        if (pfd < 0)
                return open_in_root_failed(parent, err);
        if (mkdirat(pfd, name, mode) < 0 && errno != EEXIST)
                return kago_err_errno(err, errno, "mkdir %s in the container root", prefix);
        fd = openat2_in_root(rootfd, prefix, O_PATH | O_DIRECTORY, 0);
        if (fd < 0)
                return kago_err_errno(err, errno, "open %s in the container root%s", prefix,
                                      errno == ENOENT ? " (a dangling symlink?)" : "");
        return fd;
}

int safe_path_mkdir_all(int rootfd, const char *path, mode_t mode, struct kago_err *err)
{
        _cleanup_free_ char *p = xstrdup(path);
        int fd = -1;
        size_t len = strlen(p);

        for (size_t i = 1; i <= len; i++) {
                if (p[i] != '/' && p[i] != '\0')
                        continue;
                if (p[i - 1] == '/')
                        continue; /* "//" or a trailing "/" */
                char saved = p[i];
                p[i] = '\0';
                if (fd >= 0)
                        close(fd);
                fd = safe_path_mkdir_one(rootfd, p, mode, err);
                p[i] = saved;
                if (fd < 0)
                        return -1;
        }
        return fd >= 0 ? fd : openat2_in_root(rootfd, "/", O_PATH | O_DIRECTORY, 0);
}

static int safe_path_create_file(int rootfd, const char *path, struct kago_err *err)
{
        _cleanup_free_ char *dcopy = xstrdup(path), *bcopy = xstrdup(path);
        _cleanup_close_ int pfd = safe_path_mkdir_all(rootfd, dirname(dcopy), 0755, err);

        if (pfd < 0)
                return -1;
        _cleanup_close_ int f = openat(pfd, basename(bcopy),
                                       O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (f < 0 && errno != EEXIST)
                return kago_err_errno(err, errno, "create %s in the container root", path);
        return 0;
}

int safe_path_mount_target(int rootfd, const char *path, bool is_dir, struct kago_err *err)
{
        int fd = openat2_in_root(rootfd, path, O_PATH, 0);

        if (fd >= 0 || errno != ENOENT) {
                if (fd < 0)
                        return kago_err_errno(err, errno, "open mount target %s in the container "
                                                          "root", path);
                return fd;
        }
        if (is_dir)
                return safe_path_mkdir_all(rootfd, path, 0755, err);
        if (safe_path_create_file(rootfd, path, err) < 0)
                return -1;
        return safe_path_open(rootfd, path, O_PATH, err);
}

const char *safe_path_fd_path(int fd, char buf[static 32])
{
        snprintf(buf, 32, "/proc/self/fd/%d", fd);
        return buf;
}

int safe_path_attach_tree(int tree_fd, int target_fd, struct kago_err *err)
{
        if (move_mount(tree_fd, "", target_fd, "",
                       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return kago_err_errno(err, errno, "move_mount");
        return 0;
}

/* The container's /dev/null, refused unless it is the real null device (a
 * file or symlink there would turn the mask into a bind of anything). */
static int safe_path_open_null(int rootfd, struct kago_err *err)
{
        struct stat st;
        _cleanup_close_ int fd = openat2_in_root(rootfd, "/dev/null", O_PATH, 0);

        if (fd < 0)
                return kago_err_errno(err, errno, "open /dev/null in the container root");
        if (fstat(fd, &st) < 0)
                return kago_err_errno(err, errno, "stat /dev/null in the container root");
        if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
                return kago_err_set(err, "/dev/null in the container root is not the null device "
                                         "(char 1:3): refusing to use it to mask paths");
        return TAKE_FD(fd);
}

static int safe_path_mask_file(int rootfd, int target, struct kago_err *err)
{
        _cleanup_close_ int null = safe_path_open_null(rootfd, err);

        if (null < 0)
                return -1;
        _cleanup_close_ int tree = open_tree(null, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
                                                               AT_EMPTY_PATH);
        if (tree < 0)
                return kago_err_errno(err, errno, "open_tree /dev/null");
        return safe_path_attach_tree(tree, target, err);
}

static int safe_path_mask_dir(int target, struct kago_err *err)
{
        _cleanup_close_ int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);

        if (fs < 0)
                return kago_err_errno(err, errno, "fsopen tmpfs");
        if (fsconfig(fs, FSCONFIG_SET_STRING, "source", "tmpfs", 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0 ||
            fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return kago_err_errno(err, errno, "create a read-only tmpfs");
        _cleanup_close_ int mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
        if (mnt < 0)
                return kago_err_errno(err, errno, "fsmount tmpfs");
        return safe_path_attach_tree(mnt, target, err);
}

int safe_path_mask(int rootfd, const char *path, struct kago_err *err)
{
        struct stat st;
        _cleanup_close_ int fd = openat2_in_root(rootfd, path, O_PATH, 0);

        if (fd < 0 && errno == ENOENT)
                return 0;
        if (fd < 0)
                return kago_err_errno(err, errno, "masked path %s: open in the container root",
                                      path);
        if (fstat(fd, &st) < 0)
                return kago_err_errno(err, errno, "masked path %s: stat", path);
        int r = S_ISDIR(st.st_mode) ? safe_path_mask_dir(fd, err)
                                    : safe_path_mask_file(rootfd, fd, err);
        return r < 0 ? kago_err_wrap(err, "masked path %s", path) : 0;
}

int safe_path_readonly(int rootfd, const char *path, struct kago_err *err)
{
        _cleanup_close_ int fd = openat2_in_root(rootfd, path, O_PATH, 0);

        if (fd < 0 && errno == ENOENT)
                return 0;
        if (fd < 0)
                return kago_err_errno(err, errno, "readonly path %s: open in the container root",
                                      path);
        _cleanup_close_ int tree = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
                                                             AT_RECURSIVE | AT_EMPTY_PATH);
        if (tree < 0)
                return kago_err_errno(err, errno, "readonly path %s: open_tree", path);
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
        if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
                return kago_err_errno(err, errno, "readonly path %s: make it read-only", path);
        if (safe_path_attach_tree(tree, fd, err) < 0)
                return kago_err_wrap(err, "readonly path %s", path);
        return 0;
}

int safe_path_apply_linux(int rootfd, const struct oci_linux *l, struct kago_err *err)
{
        if (!l)
                return 0;
        for (size_t i = 0; i < l->readonly_paths_len; i++)
                if (safe_path_readonly(rootfd, l->readonly_paths[i], err) < 0)
                        return kago_err_wrap(err, "linux.readonlyPaths[%zu]", i);
        for (size_t i = 0; i < l->masked_paths_len; i++)
                if (safe_path_mask(rootfd, l->masked_paths[i], err) < 0)
                        return kago_err_wrap(err, "linux.maskedPaths[%zu]", i);
        return 0;
}
