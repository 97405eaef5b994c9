/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.maskedPaths and linux.readonlyPaths: each path resolved inside the
 * container's root (base/root_path.c), then the mount placed on the
 * resolved fd (move_mount), never on a path string. A mask is /dev/null
 * over a file (the container's own, checked to be the null device) or an
 * empty read-only tmpfs over a directory; a read-only path is a recursive
 * read-only bind of itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "rootfs.h"

int mount_attach_tree(int tree_fd, int target_fd, struct kago_err *err)
{
        if (move_mount(tree_fd, "", target_fd, "",
                       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return kago_err_errno(err, errno, "move_mount");
        return 0;
}

/* The container's /dev/null, refused unless it is the real null device (a
 * file or symlink there would turn the mask into a bind of anything). */
static int path_open_null(int rootfd, struct kago_err *err)
{
        struct stat st;
        _cleanup_close_ int fd = root_openat2(rootfd, "/dev/null", O_PATH, 0);

        if (fd < 0)
                return kago_err_errno(err, errno, "open /dev/null in the container root");
        if (fstat(fd, &st) < 0)
                return kago_err_errno(err, errno, "stat /dev/null in the container root");
        if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
                return kago_err_set(err, "/dev/null in the container root is not the null device "
                                         "(char 1:3): refusing to use it to mask paths");
        return TAKE_FD(fd);
}

static int path_mask_file(int rootfd, int target, struct kago_err *err)
{
        _cleanup_close_ int null = path_open_null(rootfd, err);

        if (null < 0)
                return -1;
        _cleanup_close_ int tree =
                open_tree(null, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
        if (tree < 0)
                return kago_err_errno(err, errno, "open_tree /dev/null");
        return mount_attach_tree(tree, target, err);
}

static int path_mask_dir(int target, struct kago_err *err)
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
        return mount_attach_tree(mnt, target, err);
}

int path_mask(int rootfd, const char *path, struct kago_err *err)
{
        struct stat st;
        _cleanup_close_ int fd = root_openat2(rootfd, path, O_PATH, 0);

        if (fd < 0 && errno == ENOENT)
                return 0;
        if (fd < 0)
                return kago_err_errno(err, errno, "masked path %s: open in the container root",
                                      path);
        if (fstat(fd, &st) < 0)
                return kago_err_errno(err, errno, "masked path %s: stat", path);
        int r = S_ISDIR(st.st_mode) ? path_mask_dir(fd, err) : path_mask_file(rootfd, fd, err);
        return r < 0 ? kago_err_wrap(err, "masked path %s", path) : 0;
}

int path_make_readonly(int rootfd, const char *path, struct kago_err *err)
{
        _cleanup_close_ int fd = root_openat2(rootfd, path, O_PATH, 0);

        if (fd < 0 && errno == ENOENT)
                return 0;
        if (fd < 0)
                return kago_err_errno(err, errno, "readonly path %s: open in the container root",
                                      path);
        _cleanup_close_ int tree = open_tree(
                fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
        if (tree < 0)
                return kago_err_errno(err, errno, "readonly path %s: open_tree", path);
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
        if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
                return kago_err_errno(err, errno, "readonly path %s: make it read-only", path);
        if (mount_attach_tree(tree, fd, err) < 0)
                return kago_err_wrap(err, "readonly path %s", path);
        return 0;
}

int path_masks_apply(int rootfd, const struct oci_linux *l, struct kago_err *err)
{
        if (!l)
                return 0;
        for (size_t i = 0; i < l->readonly_paths_len; i++)
                if (path_make_readonly(rootfd, l->readonly_paths[i], err) < 0)
                        return kago_err_wrap(err, "linux.readonlyPaths[%zu]", i);
        for (size_t i = 0; i < l->masked_paths_len; i++)
                if (path_mask(rootfd, l->masked_paths[i], err) < 0)
                        return kago_err_wrap(err, "linux.maskedPaths[%zu]", i);
        return 0;
}
