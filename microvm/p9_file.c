/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 9P2000.L open files: lopen, lcreate, read, write, readdir, fsync. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "fs_entry.h"
#include "p9.h"

/* The open flags a guest may pass through (Linux x86 values, as 9P2000.L uses). */
#define P9_OPEN_FLAGS (O_ACCMODE | O_TRUNC | O_APPEND | O_DIRECTORY | O_NOFOLLOW | O_EXCL | O_SYNC | O_DSYNC)

static bool writes(int flags)
{
        return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | O_CREAT));
}

static int open_fid(struct p9_server *s, struct p9_fid *f, int flags, struct p9_out *out)
{
        if (f->fd >= 0)
                return -EBADF;
        if (s->readonly && writes(flags))
                return -EROFS;
        int fd = p9_open_beneath(s, f->path,
                                 (flags & P9_OPEN_FLAGS) | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0);
        if (fd < 0)
                return fd;
        struct stat st;
        int rc = fs_open_settle(fd, true, false, &st);
        if (rc < 0)
                return rc;
        f->fd = fd;
        p9_put_qid(out, &st);
        p9_put32(out, s->msize - 24);
        return 0;
}

int p9_op_lopen(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        uint32_t fid = p9_get32(in), flags = p9_get32(in);
        if (in->bad)
                return -EINVAL;
        struct p9_fid *f = p9_fid_get(s, fid);
        if (!f)
                return -EBADF;
        return open_fid(s, f, (int)flags, out);
}

int p9_op_lcreate(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        uint32_t fid = p9_get32(in);
        _cleanup_free_ char *name = p9_getstr(in);
        uint32_t flags = p9_get32(in), mode = p9_get32(in), gid = p9_get32(in);
        if (in->bad)
                return -EINVAL;
        struct p9_fid *f = p9_fid_get(s, fid);
        if (!f || f->fd >= 0)
                return -EBADF;
        if (s->readonly)
                return -EROFS;
        char *path = p9_path_join(f->path, name);
        if (!path || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
                free(path);
                return -EINVAL;
        }
        int fd = p9_open_beneath(s, path,
                                 ((int)flags & P9_OPEN_FLAGS) | O_CREAT | O_NOFOLLOW | O_NONBLOCK,
                                 mode & 07777);
        struct stat st;
        int rc = fd < 0 ? fd : fs_open_settle(fd, false, false, &st);
        if (rc < 0) {
                free(path);
                return rc;
        }
        if (fchown(fd, f->uid == P9_NONUNAME ? (uid_t)-1 : f->uid, gid) < 0)
                errno = 0; /* best effort, as p9_chown_new */
        free(f->path);
        f->path = path;
        f->fd = fd;
        p9_put_qid(out, &st);
        p9_put32(out, s->msize - 24);
        return 0;
}

int p9_op_read(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        uint32_t fid = p9_get32(in);
        uint64_t off = p9_get64(in);
        uint32_t count = p9_get32(in);
        if (in->bad)
                return -EINVAL;
        struct p9_fid *f = p9_fid_get(s, fid);
        if (!f || f->fd < 0)
                return -EBADF;
        if (out->cap - out->len < 4)
                return -EMSGSIZE;
        size_t room = out->cap - out->len - 4;
        if (count > room)
                count = (uint32_t)room;
        uint8_t *n = p9_reserve(out, 4);
        ssize_t got = pread(f->fd, out->p + out->len, count, (off_t)off);
        if (got < 0)
                return -errno;
        out->len += (size_t)got;
        uint32_t g = (uint32_t)got;
        memcpy(n, &g, 4);
        return 0;
}

int p9_op_write(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        uint32_t fid = p9_get32(in);
        uint64_t off = p9_get64(in);
        uint32_t count = p9_get32(in);
        const uint8_t *data = p9_getbytes(in, count);
        if (in->bad)
                return -EINVAL;
        struct p9_fid *f = p9_fid_get(s, fid);
        if (!f || f->fd < 0)
                return -EBADF;
        ssize_t n = pwrite(f->fd, data, count, (off_t)off);
        if (n < 0)
                return -errno;
        p9_put32(out, (uint32_t)n);
        return 0;
}

int p9_op_fsync(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        (void)out;
        uint32_t fid = p9_get32(in), datasync = p9_get32(in);
        if (in->bad)
                return -EINVAL;
        struct p9_fid *f = p9_fid_get(s, fid);
        if (!f || f->fd < 0)
                return -EBADF;
        return (datasync ? fdatasync(f->fd) : fsync(f->fd)) < 0 ? -errno : 0;
}

static uint8_t dirent_qtype(unsigned char t)
{
        return t == DT_DIR ? P9_QTDIR : t == DT_LNK ? P9_QTSYMLINK : 0;
}

static int readdir_open(struct p9_fid *f)
{
        if (f->dir)
                return 0;
        if (f->fd < 0)
                return -EBADF;
        int fd = openat(f->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        f->dir = fdopendir(fd);
        if (!f->dir) {
                int e = -errno;
                close(fd);
                return e;
        }
        return 0;
}

int p9_op_readdir(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        uint32_t fid = p9_get32(in);
        uint64_t offset = p9_get64(in);
        uint32_t count = p9_get32(in);
        if (in->bad)
                return -EINVAL;
        struct p9_fid *f = p9_fid_get(s, fid);
        if (!f)
                return -EBADF;
        int rc = readdir_open(f);
        if (rc < 0)
                return rc;
        struct stat dst;
        if (fstat(dirfd(f->dir), &dst) < 0)
                return -errno;
        if (offset == 0)
                rewinddir(f->dir);
        else
                seekdir(f->dir, (long)offset);
        uint8_t *cnt = p9_reserve(out, 4);
        size_t start = out->len, room = out->cap - out->len;
        if (count < room)
                room = count;
        for (;;) {
                long pos = telldir(f->dir);
                errno = 0;
                struct dirent *d = readdir(f->dir);
                if (!d)
                        break;
                size_t need = 13 + 8 + 1 + 2 + strlen(d->d_name);
                if (out->len - start + need > room) {
                        seekdir(f->dir, pos);
                        break;
                }
                p9_put_qid_raw(out, dirent_qtype(d->d_type), p9_qid_path(dst.st_dev, d->d_ino));
                p9_put64(out, (uint64_t)telldir(f->dir));
                p9_put8(out, d->d_type);
                p9_putstr(out, d->d_name);
        }
        uint32_t n = (uint32_t)(out->len - start);
        memcpy(cnt, &n, 4);
        return 0;
}
