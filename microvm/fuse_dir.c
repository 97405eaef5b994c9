/* SPDX-License-Identifier: GPL-2.0-or-later */
/* FUSE directories: opendir, readdir(plus), releasedir, fsyncdir. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "fuse.h"

int fuse_op_opendir(struct fuse_req *r)
{
        const struct fuse_open_in *in = fuse_arg(r, sizeof *in);
        struct fuse_inode *i;
        if (!in)
                return -EINVAL;
        int ifd = fuse_node_fd(r->s, r->h.nodeid, &i);
        if (ifd < 0)
                return ifd;
        char path[16];
        int fd = openat(r->s->proc_fd, fuse_fd_name(ifd, path, sizeof path),
                        O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        DIR *d = fdopendir(fd);
        if (!d) {
                int e = errno;
                close(fd);
                return -e;
        }
        struct fuse_open_out *o = fuse_reply(r, sizeof *o);
        if (!o) {
                closedir(d);
                return -EINVAL;
        }
        o->fh = fuse_fh_new(r->s, i->nodeid, fd, d);
        o->open_flags = FOPEN_KEEP_CACHE | FOPEN_CACHE_DIR;
        return 0;
}

static struct fuse_fh *dir_fh(struct fuse_req *r, uint64_t fh)
{
        struct fuse_fh *f = fuse_fh_get(r->s, fh);
        return f && f->dir ? f : NULL;
}

static bool is_dot(const char *name)
{
        return !strcmp(name, ".") || !strcmp(name, "..");
}

/* One readdirplus entry: a lookup (counted) unless it is "." or "..". */
static int put_plus(struct fuse_req *r, struct fuse_inode *dir, const struct dirent *de,
                    struct fuse_direntplus *p)
{
        struct fuse_inode *i = NULL;
        struct stat st = { .st_ino = de->d_ino, .st_mode = (mode_t)DTTOIF(de->d_type) };
        if (!is_dot(de->d_name) && fuse_inode_lookup(r->s, dir, de->d_name, &i, &st) < 0)
                i = NULL; /* gone meanwhile: a plain entry */
        if (i) {
                p->entry_out.nodeid = i->nodeid;
                p->entry_out.generation = i->generation;
                p->entry_out.entry_valid = p->entry_out.attr_valid = FUSE_TTL_S;
                fuse_fill_attr(&p->entry_out.attr, &st);
        }
        p->dirent.ino = st.st_ino;
        p->dirent.type = (uint32_t)IFTODT(st.st_mode);
        return 0;
}

/* Put the stream at the guest's offset unless it stands there already. */
static void dir_seek(struct fuse_fh *f, uint64_t off)
{
        if (off == f->dir_pos)
                return;
        if (off == 0)
                rewinddir(f->dir);
        else
                seekdir(f->dir, (long)off);
        f->dir_pos = off;
        f->has_pending = false;
}

/* The next entry: the one held back last time, else the stream's next. */
static const struct dirent *dir_next(struct fuse_fh *f)
{
        if (f->has_pending)
                return &f->pending;
        errno = 0;
        return readdir(f->dir);
}

static void dir_hold(struct fuse_fh *f, const struct dirent *de)
{
        if (de == &f->pending)
                return;
        f->pending.d_ino = de->d_ino;
        f->pending.d_off = de->d_off;
        f->pending.d_type = de->d_type;
        snprintf(f->pending.d_name, sizeof f->pending.d_name, "%s", de->d_name);
        f->has_pending = true;
}

/* Fill entries from the guest's offset until size bytes are used. */
static int read_dir(struct fuse_req *r, bool plus)
{
        const struct fuse_read_in *in = fuse_arg(r, sizeof *in);
        if (!in)
                return -EINVAL;
        struct fuse_fh *f = dir_fh(r, in->fh);
        struct fuse_inode *dir = fuse_inode_get(r->s, r->h.nodeid);
        if (!f || !dir)
                return f ? -ESTALE : -EBADF;
        size_t room = r->cap - r->out_len, limit = in->size < room ? in->size : room;
        dir_seek(f, in->offset);
        for (size_t used = 0;;) {
                const struct dirent *de = dir_next(f);
                if (!de)
                        return errno && !used ? -errno : 0;
                size_t nl = strlen(de->d_name);
                size_t sz = plus ? FUSE_DIRENTPLUS_SIZE(&(struct fuse_direntplus){ .dirent.namelen = (uint32_t)nl })
                                 : FUSE_DIRENT_SIZE(&(struct fuse_dirent){ .namelen = (uint32_t)nl });
                if (used + sz > limit) {
                        dir_hold(f, de);
                        return 0;
                }
                uint8_t *p = fuse_reply(r, sz);
                struct fuse_dirent *d = plus ? &((struct fuse_direntplus *)(void *)p)->dirent
                                             : (struct fuse_dirent *)(void *)p;
                d->ino = de->d_ino;
                d->type = de->d_type;
                if (plus) /* attributes, and the type and ino they give */
                        put_plus(r, dir, de, (struct fuse_direntplus *)(void *)p);
                d->off = (uint64_t)de->d_off;
                d->namelen = (uint32_t)nl;
                memcpy(d->name, de->d_name, nl);
                f->dir_pos = (uint64_t)de->d_off;
                f->has_pending = false;
                used += sz;
        }
}

int fuse_op_readdir(struct fuse_req *r)
{
        return read_dir(r, false);
}

int fuse_op_readdirplus(struct fuse_req *r)
{
        return read_dir(r, true);
}

int fuse_op_releasedir(struct fuse_req *r)
{
        const struct fuse_release_in *in = fuse_arg(r, sizeof *in);
        if (!in)
                return -EINVAL;
        if (!dir_fh(r, in->fh))
                return -EBADF;
        fuse_fh_close(r->s, in->fh);
        return 0;
}

int fuse_op_fsyncdir(struct fuse_req *r)
{
        const struct fuse_fsync_in *in = fuse_arg(r, sizeof *in);
        if (!in)
                return -EINVAL;
        struct fuse_fh *f = dir_fh(r, in->fh);
        if (!f)
                return -EBADF;
        return fsync(f->fd) < 0 ? -errno : 0;
}
