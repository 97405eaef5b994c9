/* SPDX-License-Identifier: GPL-2.0-or-later */
/* FUSE file I/O: open, create, read, write, flush, fsync, release. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "fs_entry.h"
#include "fuse.h"

/* Open flags the guest may pass on; creation and symlink handling stay ours. */
#define OPEN_FLAGS_KEPT (O_ACCMODE | O_APPEND | O_TRUNC | O_NONBLOCK | O_SYNC | O_DSYNC)

static int reply_open(struct fuse_req *r, uint64_t fh)
{
        struct fuse_open_out *o = fuse_reply(r, sizeof *o);
        if (!o)
                return -EINVAL;
        o->fh = fh;
        o->open_flags = FOPEN_KEEP_CACHE;
        return 0;
}

static bool wants_write(uint32_t flags)
{
        return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

int fuse_op_open(struct fuse_req *r)
{
        const struct fuse_open_in *in = fuse_arg(r, sizeof *in);
        struct fuse_inode *i;
        struct stat st;
        if (!in)
                return -EINVAL;
        if (r->s->readonly && wants_write(in->flags))
                return -EROFS;
        int ifd = fuse_node_fd(r->s, r->h.nodeid, &i);
        if (ifd < 0)
                return ifd;
        if (fstat(ifd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return S_ISDIR(st.st_mode) ? -EISDIR : -EACCES; /* devices stay in the guest */
        char path[16];
        int fd = openat(r->s->proc_fd, fuse_fd_name(ifd, path, sizeof path),
                        (int)(in->flags & OPEN_FLAGS_KEPT) | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return reply_open(r, fuse_fh_new(r->s, i->nodeid, fd, NULL));
}

int fuse_op_create(struct fuse_req *r)
{
        const struct fuse_create_in *in = fuse_arg(r, sizeof *in);
        const char *name = fuse_arg_name(r);
        struct fuse_inode *parent, *i;
        struct stat st;
        if (!in || !name)
                return -EINVAL;
        if (r->s->readonly)
                return -EROFS;
        int pfd = fuse_node_fd(r->s, r->h.nodeid, &parent);
        if (pfd < 0)
                return pfd;
        int flags = (int)(in->flags & (OPEN_FLAGS_KEPT | O_EXCL)) | O_CREAT | O_NOFOLLOW | O_CLOEXEC;
        int fd = openat(pfd, name, flags | O_NONBLOCK, in->mode & 07777);
        if (fd < 0)
                return -errno;
        int rc = fs_open_settle(fd, false, flags & O_NONBLOCK, &st);
        if (rc < 0)
                return rc;
        fuse_own_new(r, pfd, name, in->mode, false);
        rc = fuse_inode_lookup(r->s, parent, name, &i, &st);
        if (rc < 0) {
                close(fd);
                return rc;
        }
        rc = fuse_reply_entry(r, i, &st);
        return rc < 0 ? rc : reply_open(r, fuse_fh_new(r->s, i->nodeid, fd, NULL));
}

static struct fuse_fh *file_fh(struct fuse_req *r, uint64_t fh)
{
        struct fuse_fh *f = fuse_fh_get(r->s, fh);
        return f && !f->dir ? f : NULL;
}

int fuse_op_read(struct fuse_req *r)
{
        const struct fuse_read_in *in = fuse_arg(r, sizeof *in);
        if (!in)
                return -EINVAL;
        struct fuse_fh *f = file_fh(r, in->fh);
        if (!f)
                return -EBADF;
        size_t room = r->cap - r->out_len, size = in->size < room ? in->size : room;
        ssize_t n = pread(f->fd, r->out + r->out_len, size, (off_t)in->offset);
        if (n < 0)
                return -errno;
        r->out_len += (size_t)n;
        return 0;
}

int fuse_op_write(struct fuse_req *r)
{
        const struct fuse_write_in *in = fuse_arg(r, sizeof *in);
        const void *data = in ? fuse_arg(r, in->size) : NULL;
        if (!data)
                return -EINVAL;
        struct fuse_fh *f = file_fh(r, in->fh);
        if (!f)
                return -EBADF;
        if (r->s->readonly)
                return -EROFS;
        ssize_t n = pwrite(f->fd, data, in->size, (off_t)in->offset);
        if (n < 0)
                return -errno;
        struct fuse_write_out *o = fuse_reply(r, sizeof *o);
        if (!o)
                return -EINVAL;
        o->size = (uint32_t)n;
        return 0;
}

int fuse_op_release(struct fuse_req *r)
{
        const struct fuse_release_in *in = fuse_arg(r, sizeof *in);
        if (!in)
                return -EINVAL;
        if (!file_fh(r, in->fh))
                return -EBADF;
        fuse_fh_close(r->s, in->fh);
        return 0;
}

int fuse_op_flush(struct fuse_req *r)
{
        const struct fuse_flush_in *in = fuse_arg(r, sizeof *in);
        if (!in)
                return -EINVAL;
        return file_fh(r, in->fh) ? 0 : -EBADF; /* writes went straight through: nothing held */
}

int fuse_op_fsync(struct fuse_req *r)
{
        const struct fuse_fsync_in *in = fuse_arg(r, sizeof *in);
        if (!in)
                return -EINVAL;
        struct fuse_fh *f = file_fh(r, in->fh);
        if (!f)
                return -EBADF;
        int rc = (in->fsync_flags & 1) ? fdatasync(f->fd) : fsync(f->fd);
        return rc < 0 ? -errno : 0;
}
