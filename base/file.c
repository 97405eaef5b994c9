/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Safe file helpers: bounded reads, single writes, atomic replacement. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "base.h"

int fd_write_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;

        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -1;
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

ssize_t fd_read_all(int fd, void *buf, size_t len)
{
        size_t got = 0;

        while (got < len) {
                ssize_t n = read(fd, (char *)buf + got, len - got);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -1;
                if (n == 0)
                        break;
                got += (size_t)n;
        }
        return (ssize_t)got;
}

int file_read_at(int dirfd, const char *path, size_t max, char **out, size_t *len,
                 struct kago_err *err)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
        size_t cap = 4096, n = 0;

        if (fd < 0)
                return kago_err_errno(err, errno, "open %s", path);
        _cleanup_free_ char *buf = xmalloc(cap + 1);
        for (;;) {
                if (n == cap) {
                        if (cap > max)
                                break;
                        cap *= 2;
                        buf = xrealloc(buf, cap + 1);
                }
                ssize_t r = read(fd, buf + n, cap - n);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return kago_err_errno(err, errno, "read %s", path);
                if (r == 0)
                        break;
                n += (size_t)r;
        }
        if (n > max)
                return kago_err_set(err, "%s: file larger than the limit of %zu bytes", path, max);
        buf[n] = '\0';
        if (len)
                *len = n;
        *out = TAKE_PTR(buf);
        return 0;
}

int file_write_at(int dirfd, const char *path, const char *buf, size_t len, struct kago_err *err)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);

        if (fd < 0)
                return kago_err_errno(err, errno, "open %s", path);
        ssize_t n = write(fd, buf, len);
        if (n < 0)
                return kago_err_errno(err, errno, "write %s = %.*s", path, (int)len, buf);
        if ((size_t)n != len)
                return kago_err_set(err, "write %s: short write", path);
        return 0;
}

int file_write_atomic_at(int dirfd, const char *path, const char *buf, size_t len, mode_t mode,
                         struct kago_err *err)
{
        _cleanup_free_ char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
        _cleanup_close_ int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

        if (fd < 0)
                return kago_err_errno(err, errno, "create %s", tmp);
        if (fd_write_all(fd, buf, len) < 0 || fsync(fd) < 0) {
                int e = errno;
                unlinkat(dirfd, tmp, 0);
                return kago_err_errno(err, e, "write %s", tmp);
        }
        if (renameat(dirfd, tmp, dirfd, path) < 0) {
                int e = errno;
                unlinkat(dirfd, tmp, 0);
                return kago_err_errno(err, e, "rename %s to %s", tmp, path);
        }
        return 0;
}

int dir_make_parents(const char *path, mode_t mode, struct kago_err *err)
{
        _cleanup_free_ char *copy = xstrdup(path);

        for (char *p = copy + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(copy, mode) < 0 && errno != EEXIST)
                        return kago_err_errno(err, errno, "mkdir %s", copy);
                *p = '/';
        }
        if (mkdir(copy, mode) < 0 && errno != EEXIST)
                return kago_err_errno(err, errno, "mkdir %s", copy);
        return 0;
}
