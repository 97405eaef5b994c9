/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 9P2000.L attributes: getattr, setattr, statfs, readlink. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "fs_entry.h"
#include "p9.h"

#define P9_GETATTR_BASIC 0x7ffull
#define P9_SETATTR_MODE 0x1
#define P9_SETATTR_UID 0x2
#define P9_SETATTR_GID 0x4
#define P9_SETATTR_SIZE 0x8
#define P9_SETATTR_ATIME 0x10
#define P9_SETATTR_MTIME 0x20
#define P9_SETATTR_ATIME_SET 0x80
#define P9_SETATTR_MTIME_SET 0x100

static int fid_stat(struct p9_server *s, struct p9_fid *f, struct stat *st)
{
        if (f->fd >= 0)
                return fstat(f->fd, st) < 0 ? -errno : 0;
        return p9_lstat(s, f->path, st);
}

int p9_op_getattr(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        uint32_t fid = p9_get32(in);
        p9_get64(in); /* request mask: the basic set is always returned */
        if (in->bad)
                return -EINVAL;
        struct p9_fid *f = p9_fid_get(s, fid);
        if (!f)
                return -EBADF;
        struct stat st;
        int rc = fid_stat(s, f, &st);
        if (rc < 0)
                return rc;
        p9_put64(out, P9_GETATTR_BASIC);
        p9_put_qid(out, &st);
        p9_put32(out, st.st_mode);
        p9_put32(out, st.st_uid);
        p9_put32(out, st.st_gid);
        p9_put64(out, st.st_nlink);
        p9_put64(out, st.st_rdev);
        p9_put64(out, (uint64_t)st.st_size);
        p9_put64(out, (uint64_t)st.st_blksize);
        p9_put64(out, (uint64_t)st.st_blocks);
        p9_put64(out, (uint64_t)st.st_atim.tv_sec);
        p9_put64(out, (uint64_t)st.st_atim.tv_nsec);
        p9_put64(out, (uint64_t)st.st_mtim.tv_sec);
        p9_put64(out, (uint64_t)st.st_mtim.tv_nsec);
        p9_put64(out, (uint64_t)st.st_ctim.tv_sec);
        p9_put64(out, (uint64_t)st.st_ctim.tv_nsec);
        for (int i = 0; i < 4; i++)
                p9_put64(out, 0); /* btime, gen, data_version: not reported */
        return 0;
}

struct setattr {
        uint32_t valid, mode, uid, gid;
        uint64_t size;
        struct timespec atime, mtime;
};

static int set_times(int dfd, const char *base, const struct setattr *a)
{
        struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_OMIT } };
        if (a->valid & P9_SETATTR_ATIME)
                ts[0] = a->valid & P9_SETATTR_ATIME_SET ? a->atime
                                                        : (struct timespec){ .tv_nsec = UTIME_NOW };
        if (a->valid & P9_SETATTR_MTIME)
                ts[1] = a->valid & P9_SETATTR_MTIME_SET ? a->mtime
                                                        : (struct timespec){ .tv_nsec = UTIME_NOW };
        if (!(a->valid & (P9_SETATTR_ATIME | P9_SETATTR_MTIME)))
                return 0;
        return utimensat(dfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static int set_size(struct p9_server *s, struct p9_fid *f, uint64_t size)
{
        if (f->fd >= 0 && ftruncate(f->fd, (off_t)size) == 0)
                return 0;
        struct stat st;
        int fd = p9_open_beneath(s, f->path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK, 0);
        int rc = fd < 0 ? fd : fs_open_settle(fd, false, false, &st);
        if (rc < 0)
                return rc == -EACCES ? -EINVAL : rc; /* ftruncate's word for a special file */
        rc = ftruncate(fd, (off_t)size) < 0 ? -errno : 0;
        close(fd);
        return rc;
}

static int apply_setattr(struct p9_server *s, struct p9_fid *f, const struct setattr *a)
{
        const char *base;
        int dfd = p9_open_parent(s, f->path, &base);
        if (dfd < 0)
                return dfd;
        int rc = 0;
        struct stat st;
        if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                rc = -errno;
        else if ((a->valid & P9_SETATTR_MODE) && S_ISLNK(st.st_mode))
                rc = -EOPNOTSUPP; /* never follow a guest symlink on the host */
        else if ((a->valid & P9_SETATTR_MODE) && fchmodat(dfd, base, a->mode & 07777, 0) < 0)
                rc = -errno;
        if (rc == 0 && (a->valid & (P9_SETATTR_UID | P9_SETATTR_GID)) &&
            fchownat(dfd, base, a->valid & P9_SETATTR_UID ? a->uid : (uid_t)-1,
                     a->valid & P9_SETATTR_GID ? a->gid : (gid_t)-1, AT_SYMLINK_NOFOLLOW) < 0)
                rc = -errno;
        if (rc == 0 && (a->valid & P9_SETATTR_SIZE))
                rc = set_size(s, f, a->size);
        if (rc == 0)
                rc = set_times(dfd, base, a);
        close(dfd);
        return rc;
}

int p9_op_setattr(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        (void)out;
        uint32_t fid = p9_get32(in);
        struct setattr a = { .valid = p9_get32(in), .mode = p9_get32(in), .uid = p9_get32(in),
                             .gid = p9_get32(in), .size = p9_get64(in) };
        a.atime.tv_sec = (time_t)p9_get64(in);
        a.atime.tv_nsec = (long)p9_get64(in);
        a.mtime.tv_sec = (time_t)p9_get64(in);
        a.mtime.tv_nsec = (long)p9_get64(in);
        if (in->bad)
                return -EINVAL;
        struct p9_fid *f = p9_fid_get(s, fid);
        if (!f)
                return -EBADF;
        if (s->readonly)
                return -EROFS;
        return apply_setattr(s, f, &a);
}

int p9_op_statfs(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        p9_get32(in);
        if (in->bad)
                return -EINVAL;
        struct statfs st;
        if (fstatfs(s->root_fd, &st) < 0)
                return -errno;
        p9_put32(out, (uint32_t)st.f_type);
        p9_put32(out, (uint32_t)st.f_bsize);
        p9_put64(out, st.f_blocks);
        p9_put64(out, st.f_bfree);
        p9_put64(out, st.f_bavail);
        p9_put64(out, st.f_files);
        p9_put64(out, st.f_ffree);
        uint64_t fsid;
        memcpy(&fsid, &st.f_fsid, sizeof fsid);
        p9_put64(out, fsid);
        p9_put32(out, (uint32_t)st.f_namelen);
        return 0;
}

int p9_op_readlink(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        uint32_t fid = p9_get32(in);
        if (in->bad)
                return -EINVAL;
        struct p9_fid *f = p9_fid_get(s, fid);
        if (!f)
                return -EBADF;
        const char *base;
        int dfd = p9_open_parent(s, f->path, &base);
        if (dfd < 0)
                return dfd;
        char buf[4097];
        ssize_t n = readlinkat(dfd, base, buf, sizeof buf - 1);
        int e = errno;
        close(dfd);
        if (n < 0)
                return -e;
        buf[n] = 0;
        p9_putstr(out, buf);
        return 0;
}
