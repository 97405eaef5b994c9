/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state store: directories under --root, locks, removal, listing. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "container.h"

/* A user denied the state directory (/run/kago by default) is told the two
 * ways out. */
static int store_root_denied(struct kago_err *err)
{
        char text[sizeof err->msg];

        if (geteuid() == 0 || (err->errnum != EACCES && err->errnum != EPERM && err->errnum != EROFS))
                return -1;
        snprintf(text, sizeof text, "%s", kago_err_text(err));
        return kago_err_set(err, "%s (not root: set XDG_RUNTIME_DIR to keep the state in "
                                 "$XDG_RUNTIME_DIR/kago, or pass --root DIR, a directory you may write)",
                            text);
}

int store_open_root(const char *root, int *rootfd, struct kago_err *err)
{
        if (root[0] == '\0')
                return kago_err_set(err, "--root: empty path");
        if (dir_make_parents(root, 0700, err) < 0) {
                kago_err_wrap(err, "state directory");
                return store_root_denied(err);
        }
        int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                kago_err_errno(err, errno, "open state directory %s", root);
                return store_root_denied(err);
        }
        *rootfd = fd;
        return 0;
}

static int store_lock(int dirfd, const char *id, struct kago_err *err)
{
        while (flock(dirfd, LOCK_EX) < 0) {
                if (errno != EINTR)
                        return kago_err_errno(err, errno, "lock container \"%s\"", id);
        }
        return 0;
}

/* A delete that locked the directory between our mkdir and our lock may have
 * removed it: then it is no longer ours. */
static bool store_dir_removed(int dirfd)
{
        struct stat sb;
        return fstat(dirfd, &sb) < 0 || sb.st_nlink == 0;
}

static int store_make_dir(int rootfd, const char *id, int *dirfd, struct kago_err *err)
{
        if (mkdirat(rootfd, id, 0700) < 0) {
                if (errno == EEXIST)
                        return kago_err_set(err, "container \"%s\" already exists", id);
                return kago_err_errno(err, errno, "mkdir state directory of \"%s\"", id);
        }
        _cleanup_close_ int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return kago_err_errno(err, errno, "open state directory of \"%s\"", id);
        if (store_lock(fd, id, err) < 0)
                return -1;
        *dirfd = TAKE_FD(fd);
        return 0;
}

int store_create_dir(int rootfd, const char *id, int *dirfd, struct kago_err *err)
{
        for (int tries = 0; tries < 3; tries++) {
                if (store_make_dir(rootfd, id, dirfd, err) < 0)
                        return -1;
                if (!store_dir_removed(*dirfd))
                        return 0;
                close(*dirfd);
                *dirfd = -1;
        }
        return kago_err_set(err, "container \"%s\": its new state directory keeps being removed", id);
}

bool store_busy(int dirfd)
{
        if (flock(dirfd, LOCK_SH | LOCK_NB) < 0)
                return errno == EWOULDBLOCK;
        flock(dirfd, LOCK_UN);
        return store_dir_removed(dirfd);
}

bool store_exists(int rootfd, const char *id)
{
        struct stat sb;
        return fstatat(rootfd, id, &sb, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT;
}

int store_open(int rootfd, const char *id, int *dirfd, struct kago_err *err)
{
        if (container_id_validate(id, err) < 0)
                return -1;
        int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                if (errno == ENOENT)
                        return kago_err_set(err, "container \"%s\" does not exist", id);
                return kago_err_errno(err, errno, "open state directory of \"%s\"", id);
        }
        *dirfd = fd;
        return 0;
}

int store_open_locked(int rootfd, const char *id, int *dirfd, struct kago_err *err)
{
        _cleanup_close_ int fd = -1;

        if (store_open(rootfd, id, &fd, err) < 0 || store_lock(fd, id, err) < 0)
                return -1;
        /* A delete that held the lock before us removed the directory. */
        if (store_dir_removed(fd))
                return kago_err_set(err, "container \"%s\" does not exist", id);
        *dirfd = TAKE_FD(fd);
        return 0;
}

/* A directory in the state directory is the mount point a restore binds
 * the rootfs on (criu-root), left by a restore that was killed: detach what
 * is mounted there and remove the directory, never what is under it. */
static int remove_subdir(int dirfd, const char *name)
{
        _cleanup_free_ char *path = xasprintf("/proc/self/fd/%d/%s", dirfd, name);

        umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
        return unlinkat(dirfd, name, AT_REMOVEDIR);
}

int store_remove(int rootfd, const char *id, struct kago_err *err)
{
        _cleanup_close_ int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? 0 : kago_err_errno(err, errno, "open state directory of \"%s\"", id);
        DIR *d = fdopendir(TAKE_FD(fd));
        if (!d)
                return kago_err_errno(err, errno, "read state directory of \"%s\"", id);
        struct dirent *de;
        int rc = 0;
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                int r = unlinkat(dirfd(d), de->d_name, 0);
                if (r < 0 && errno == EISDIR)
                        r = remove_subdir(dirfd(d), de->d_name);
                if (r < 0 && errno != ENOENT)
                        rc = kago_err_errno(err, errno, "remove %s/%s", id, de->d_name);
        }
        closedir(d);
        if (rc < 0)
                return rc;
        if (unlinkat(rootfd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return kago_err_errno(err, errno, "remove state directory of \"%s\"", id);
        return 0;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int store_list_ids(int rootfd, char ***ids, struct kago_err *err)
{
        int fd = dup(rootfd);
        if (fd < 0)
                return kago_err_errno(err, errno, "dup state directory");
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return kago_err_errno(err, errno, "read state directory");
        }
        rewinddir(d);
        size_t n = 0;
        char **v = xcalloc(1, sizeof *v);
        struct dirent *de;
        struct kago_err ignored;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || container_id_validate(de->d_name, &ignored) < 0)
                        continue;
                v = xrealloc(v, (n + 2) * sizeof *v);
                v[n++] = xstrdup(de->d_name);
                v[n] = NULL;
        }
        closedir(d);
        qsort(v, n, sizeof *v, cmp_str);
        *ids = v;
        return 0;
}
