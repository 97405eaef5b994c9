/* SPDX-License-Identifier: GPL-2.0-or-later */
/* FUSE namespace changes: mknod, mkdir, symlink, link, unlink, rmdir, rename. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "fs_entry.h"
#include "fuse.h"

/* The parent directory of a request that changes the namespace: its fd. */
static int writable_parent(struct fuse_req *r, struct fuse_inode **parent)
{
        if (r->s->readonly)
                return -EROFS;
        return fuse_node_fd(r->s, r->h.nodeid, parent);
}

void fuse_own_new(struct fuse_req *r, int dfd, const char *name, uint32_t mode, bool is_link)
{
        if ((r->h.uid != geteuid() || r->h.gid != getegid()) &&
            fchownat(dfd, name, r->h.uid, r->h.gid, AT_SYMLINK_NOFOLLOW) < 0)
                errno = 0; /* best effort, as in the 9P server */
        if (!is_link && (mode & 07777 & r->s->host_umask) && fchmodat(dfd, name, mode & 07777, 0) < 0)
                errno = 0;
}

/* After creating name in parent: give it to the caller and reply its entry. */
static int reply_new(struct fuse_req *r, struct fuse_inode *parent, int pfd, const char *name,
                     uint32_t mode, bool is_link)
{
        fuse_own_new(r, pfd, name, mode, is_link);
        struct fuse_inode *i;
        struct stat st;
        int rc = fuse_inode_lookup(r->s, parent, name, &i, &st);
        return rc < 0 ? rc : fuse_reply_entry(r, i, &st);
}

/* Create name in the request's directory and reply with its entry. */
static int create_entry(struct fuse_req *r, const char *name, const struct fs_new_entry *e)
{
        struct fuse_inode *parent;
        int pfd = writable_parent(r, &parent);
        if (pfd < 0)
                return pfd;
        int rc = fs_make_entry(pfd, name, e);
        return rc < 0 ? rc : reply_new(r, parent, pfd, name, e->mode, e->kind == FS_NEW_SYMLINK);
}

int fuse_op_mknod(struct fuse_req *r)
{
        const struct fuse_mknod_in *in = fuse_arg(r, sizeof *in);
        const char *name = fuse_arg_name(r);
        if (!in || !name)
                return -EINVAL;
        struct fs_new_entry e = { .kind = FS_NEW_NODE, .mode = in->mode, .dev = in->rdev };
        return create_entry(r, name, &e);
}

int fuse_op_mkdir(struct fuse_req *r)
{
        const struct fuse_mkdir_in *in = fuse_arg(r, sizeof *in);
        const char *name = fuse_arg_name(r);
        if (!in || !name)
                return -EINVAL;
        struct fs_new_entry e = { .kind = FS_NEW_DIR, .mode = in->mode };
        return create_entry(r, name, &e);
}

int fuse_op_symlink(struct fuse_req *r)
{
        const char *name = fuse_arg_name(r);
        const char *target = fuse_arg_str(r, PATH_MAX - 1);
        if (!name || !target)
                return -EINVAL;
        struct fs_new_entry e = { .kind = FS_NEW_SYMLINK, .target = target };
        return create_entry(r, name, &e);
}

int fuse_op_link(struct fuse_req *r)
{
        const struct fuse_link_in *in = fuse_arg(r, sizeof *in);
        const char *name = fuse_arg_name(r);
        struct fuse_inode *parent, *old;
        if (!in || !name)
                return -EINVAL;
        int pfd = writable_parent(r, &parent);
        if (pfd < 0)
                return pfd;
        int ofd = fuse_node_fd(r->s, in->oldnodeid, &old);
        if (ofd < 0)
                return ofd;
        char path[16];
        if (linkat(r->s->proc_fd, fuse_fd_name(ofd, path, sizeof path), pfd, name,
                   AT_SYMLINK_FOLLOW) < 0)
                return -errno;
        struct stat st;
        struct fuse_inode *i;
        int rc = fuse_inode_lookup(r->s, parent, name, &i, &st);
        return rc < 0 ? rc : fuse_reply_entry(r, i, &st);
}

static int remove_entry(struct fuse_req *r, int flags)
{
        const char *name = fuse_arg_name(r);
        struct fuse_inode *parent;
        if (!name)
                return -EINVAL;
        int pfd = writable_parent(r, &parent);
        if (pfd < 0)
                return pfd;
        return unlinkat(pfd, name, flags) < 0 ? -errno : 0;
}

int fuse_op_unlink(struct fuse_req *r)
{
        return remove_entry(r, 0);
}

int fuse_op_rmdir(struct fuse_req *r)
{
        return remove_entry(r, AT_REMOVEDIR);
}

/* Rename, then tell the inode table where the moved nodes live now. */
static int rename_at(struct fuse_req *r, struct fuse_inode *from, int ffd, const char *old,
                     struct fuse_inode *to, int tfd, const char *new, uint32_t flags)
{
        struct stat moved, other;
        bool have_moved = fstatat(ffd, old, &moved, AT_SYMLINK_NOFOLLOW) == 0;
        bool have_other = (flags & RENAME_EXCHANGE) && fstatat(tfd, new, &other, AT_SYMLINK_NOFOLLOW) == 0;
        if (renameat2(ffd, old, tfd, new, flags) < 0)
                return -errno;
        if (have_moved)
                fuse_inode_moved(r->s, &moved, to, new);
        if (have_other)
                fuse_inode_moved(r->s, &other, from, old);
        return 0;
}

static int do_rename(struct fuse_req *r, uint64_t newdir, uint32_t flags)
{
        const char *old = fuse_arg_name(r), *new = old ? fuse_arg_name(r) : NULL;
        struct fuse_inode *parent, *dst;
        if (!new)
                return -EINVAL;
        if (flags & ~(uint32_t)(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
                return -EINVAL;
        int pfd = writable_parent(r, &parent);
        if (pfd < 0)
                return pfd;
        int dfd = fuse_node_fd(r->s, newdir, &dst);
        if (dfd < 0)
                return dfd;
        return rename_at(r, parent, pfd, old, dst, dfd, new, flags);
}

int fuse_op_rename(struct fuse_req *r)
{
        const struct fuse_rename_in *in = fuse_arg(r, sizeof *in);
        return in ? do_rename(r, in->newdir, 0) : -EINVAL;
}

int fuse_op_rename2(struct fuse_req *r)
{
        const struct fuse_rename2_in *in = fuse_arg(r, sizeof *in);
        return in ? do_rename(r, in->newdir, in->flags) : -EINVAL;
}
