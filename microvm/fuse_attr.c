/* SPDX-License-Identifier: GPL-2.0-or-later */
/* FUSE lookups and attributes: lookup, getattr, setattr, readlink, statfs, access. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/statfs.h>

#include "fuse.h"

void fuse_fill_attr(struct fuse_attr *a, const struct stat *st)
{
        *a = (struct fuse_attr){
                .ino = st->st_ino, .size = (uint64_t)st->st_size, .blocks = (uint64_t)st->st_blocks,
                .atime = (uint64_t)st->st_atim.tv_sec, .mtime = (uint64_t)st->st_mtim.tv_sec,
                .ctime = (uint64_t)st->st_ctim.tv_sec, .atimensec = (uint32_t)st->st_atim.tv_nsec,
                .mtimensec = (uint32_t)st->st_mtim.tv_nsec, .ctimensec = (uint32_t)st->st_ctim.tv_nsec,
                .mode = st->st_mode, .nlink = (uint32_t)st->st_nlink, .uid = st->st_uid,
                .gid = st->st_gid, .rdev = (uint32_t)st->st_rdev, .blksize = (uint32_t)st->st_blksize,
        };
}

int fuse_reply_entry(struct fuse_req *r, const struct fuse_inode *i, const struct stat *st)
{
        struct fuse_entry_out *e = fuse_reply(r, sizeof *e);
        if (!e)
                return -EINVAL;
        e->nodeid = i ? i->nodeid : 0;
        e->generation = i ? i->generation : 0;
        e->entry_valid = e->attr_valid = FUSE_TTL_S;
        if (st)
                fuse_fill_attr(&e->attr, st);
        return 0;
}

int fuse_op_lookup(struct fuse_req *r)
{
        struct fuse_inode *parent = fuse_inode_get(r->s, r->h.nodeid), *i;
        const char *name = fuse_arg_name(r);
        struct stat st;
        if (!parent || !name)
                return parent ? -EINVAL : -ESTALE;
        int rc = fuse_inode_lookup(r->s, parent, name, &i, &st);
        if (rc == -ENOENT)
                return fuse_reply_entry(r, NULL, NULL); /* a negative entry the guest may cache */
        return rc < 0 ? rc : fuse_reply_entry(r, i, &st);
}

static int reply_attr(struct fuse_req *r, int fd)
{
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        struct fuse_attr_out *o = fuse_reply(r, sizeof *o);
        if (!o)
                return -EINVAL;
        o->attr_valid = FUSE_TTL_S;
        fuse_fill_attr(&o->attr, &st);
        return 0;
}

int fuse_op_getattr(struct fuse_req *r)
{
        const struct fuse_getattr_in *in = fuse_arg(r, sizeof *in);
        if (!in)
                return -EINVAL;
        struct fuse_fh *f = (in->getattr_flags & FUSE_GETATTR_FH) ? fuse_fh_get(r->s, in->fh) : NULL;
        if (f)
                return reply_attr(r, f->fd);
        struct fuse_inode *i;
        int fd = fuse_node_fd(r->s, r->h.nodeid, &i);
        return fd < 0 ? fd : reply_attr(r, fd);
}

/* One utimensat time: unchanged, now, or the given one. */
static struct timespec time_arg(uint32_t valid, uint32_t set, uint32_t now, uint64_t sec, uint32_t nsec)
{
        struct timespec t = { .tv_sec = (time_t)sec, .tv_nsec = nsec };
        if (!(valid & set))
                t.tv_nsec = UTIME_OMIT;
        else if (valid & now)
                t.tv_nsec = UTIME_NOW;
        return t;
}

static int set_times(struct fuse_req *r, const char *path, const struct fuse_setattr_in *in)
{
        struct timespec ts[2] = {
                time_arg(in->valid, FATTR_ATIME, FATTR_ATIME_NOW, in->atime, in->atimensec),
                time_arg(in->valid, FATTR_MTIME, FATTR_MTIME_NOW, in->mtime, in->mtimensec),
        };
        if (!(in->valid & (FATTR_ATIME | FATTR_MTIME)))
                return 0;
        return utimensat(r->s->proc_fd, path, ts, 0) < 0 ? -errno : 0;
}

static int set_size(struct fuse_req *r, int ifd, const char *path, const struct fuse_setattr_in *in)
{
        struct fuse_fh *f = (in->valid & FATTR_FH) ? fuse_fh_get(r->s, in->fh) : NULL;
        if (f && !f->dir)
                return ftruncate(f->fd, (off_t)in->size) < 0 ? -errno : 0;
        struct stat st;
        if (fstat(ifd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        _cleanup_close_ int fd = openat(r->s->proc_fd, path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return ftruncate(fd, (off_t)in->size) < 0 ? -errno : 0;
}

static int apply_setattr(struct fuse_req *r, int ifd, const struct fuse_setattr_in *in)
{
        char path[16];
        fuse_fd_name(ifd, path, sizeof path);
        struct stat st;
        if (fstat(ifd, &st) < 0)
                return -errno;
        if ((in->valid & FATTR_MODE) && S_ISLNK(st.st_mode))
                return -EOPNOTSUPP;
        if ((in->valid & FATTR_MODE) && fchmodat(r->s->proc_fd, path, in->mode & 07777, 0) < 0)
                return -errno;
        if ((in->valid & (FATTR_UID | FATTR_GID)) &&
            fchownat(ifd, "", in->valid & FATTR_UID ? in->uid : (uid_t)-1,
                     in->valid & FATTR_GID ? in->gid : (gid_t)-1, AT_EMPTY_PATH) < 0)
                return -errno;
        int rc = (in->valid & FATTR_SIZE) ? set_size(r, ifd, path, in) : 0;
        return rc < 0 ? rc : set_times(r, path, in);
}

int fuse_op_setattr(struct fuse_req *r)
{
        const struct fuse_setattr_in *in = fuse_arg(r, sizeof *in);
        struct fuse_inode *i;
        if (!in)
                return -EINVAL;
        if (r->s->readonly)
                return -EROFS;
        int fd = fuse_node_fd(r->s, r->h.nodeid, &i);
        int rc = fd < 0 ? fd : apply_setattr(r, fd, in);
        return rc < 0 ? rc : reply_attr(r, fd);
}

int fuse_op_readlink(struct fuse_req *r)
{
        struct fuse_inode *i;
        int fd = fuse_node_fd(r->s, r->h.nodeid, &i);
        if (fd < 0)
                return fd;
        size_t room = r->cap - r->out_len;
        ssize_t n = readlinkat(fd, "", (char *)r->out + r->out_len, room);
        if (n < 0)
                return -errno;
        if ((size_t)n == room)
                return -ENAMETOOLONG;
        r->out_len += (size_t)n;
        return 0;
}

int fuse_op_statfs(struct fuse_req *r)
{
        struct fuse_inode *i;
        struct statfs sf;
        int fd = fuse_node_fd(r->s, r->h.nodeid, &i);
        if (fd < 0)
                return fd;
        if (fstatfs(fd, &sf) < 0)
                return -errno;
        struct fuse_statfs_out *o = fuse_reply(r, sizeof *o);
        if (!o)
                return -EINVAL;
        o->st = (struct fuse_kstatfs){
                .blocks = sf.f_blocks, .bfree = sf.f_bfree, .bavail = sf.f_bavail,
                .files = sf.f_files, .ffree = sf.f_ffree, .bsize = (uint32_t)sf.f_bsize,
                .namelen = (uint32_t)sf.f_namelen, .frsize = (uint32_t)sf.f_frsize,
        };
        return 0;
}

int fuse_op_access(struct fuse_req *r)
{
        const struct fuse_access_in *in = fuse_arg(r, sizeof *in);
        struct fuse_inode *i;
        if (!in)
                return -EINVAL;
        if ((in->mask & W_OK) && r->s->readonly)
                return -EROFS;
        int fd = fuse_node_fd(r->s, r->h.nodeid, &i);
        if (fd < 0)
                return fd;
        char path[16];
        return faccessat(r->s->proc_fd, fuse_fd_name(fd, path, sizeof path),
                         (int)(in->mask & (R_OK | W_OK | X_OK)), 0) < 0 ? -errno : 0;
}
