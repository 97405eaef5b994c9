/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The FUSE inode table (node id -> O_PATH fd, lookup counts) and open handles. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "fuse.h"

static struct fuse_inode **bucket(struct fuse_server *s, dev_t dev, ino_t ino)
{
        uint64_t h = ((uint64_t)ino * 0x9e3779b97f4a7c15ull) ^ (uint64_t)dev;
        return &s->hash[(h >> 40) & (FUSE_INODE_BUCKETS - 1)];
}

struct fuse_inode *fuse_inode_get(struct fuse_server *s, uint64_t nodeid)
{
        return nodeid < s->n_inodes ? s->inodes[nodeid] : NULL;
}

static struct fuse_inode *find(struct fuse_server *s, const struct stat *st)
{
        for (struct fuse_inode *i = *bucket(s, st->st_dev, st->st_ino); i; i = i->hnext)
                if (i->dev == st->st_dev && i->ino == st->st_ino)
                        return i;
        return NULL;
}

/* The lowest free node id above the root's (slot 0 never holds one). */
static uint64_t free_slot(struct fuse_server *s)
{
        if (s->free_hint <= FUSE_ROOT_ID)
                s->free_hint = FUSE_ROOT_ID + 1;
        for (size_t n = s->free_hint; n < s->n_inodes; n++)
                if (!s->inodes[n]) {
                        s->free_hint = n + 1;
                        return n;
                }
        size_t old = s->n_inodes, grown = old < 64 ? 64 : old * 2;
        s->inodes = xrealloc(s->inodes, grown * sizeof(struct fuse_inode *));
        memset(s->inodes + old, 0, (grown - old) * sizeof(struct fuse_inode *));
        s->n_inodes = grown;
        uint64_t n = old > FUSE_ROOT_ID + 1 ? old : FUSE_ROOT_ID + 1;
        s->free_hint = n + 1;
        return n;
}

static struct fuse_inode *add(struct fuse_server *s, uint64_t nodeid, int fd, const struct stat *st)
{
        struct fuse_inode *i = xcalloc(1, sizeof *i);
        *i = (struct fuse_inode){ .nodeid = nodeid, .generation = ++s->generation, .fd = fd,
                                  .dev = st->st_dev, .ino = st->st_ino, .nlookup = 1 };
        struct fuse_inode **b = bucket(s, st->st_dev, st->st_ino);
        i->hnext = *b;
        *b = i;
        s->inodes[nodeid] = i;
        return i;
}

int fuse_inode_add_root(struct fuse_server *s, int fd)
{
        struct stat st;
        int dup = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (dup < 0 || fstat(dup, &st) < 0) {
                int e = errno;
                if (dup >= 0)
                        close(dup);
                errno = e;
                return -1;
        }
        if (s->n_inodes <= FUSE_ROOT_ID)
                free_slot(s);
        add(s, FUSE_ROOT_ID, dup, &st);
        return 0;
}

int fuse_inode_lookup(struct fuse_server *s, struct fuse_inode *parent, const char *name,
                      struct fuse_inode **out, struct stat *st)
{
        int fd = openat(parent->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, st) < 0) {
                int e = errno;
                close(fd);
                return -e;
        }
        struct fuse_inode *i = find(s, st);
        if (i) {
                close(fd);
                i->nlookup++;
        } else {
                i = add(s, free_slot(s), fd, st);
        }
        *out = i;
        return 0;
}

static void drop(struct fuse_server *s, struct fuse_inode *i)
{
        for (struct fuse_inode **pp = bucket(s, i->dev, i->ino); *pp; pp = &(*pp)->hnext)
                if (*pp == i) {
                        *pp = i->hnext;
                        break;
                }
        s->inodes[i->nodeid] = NULL;
        if (i->nodeid < s->free_hint)
                s->free_hint = i->nodeid;
        close(i->fd);
        free(i);
}

void fuse_inode_forget(struct fuse_server *s, uint64_t nodeid, uint64_t nlookup)
{
        struct fuse_inode *i = fuse_inode_get(s, nodeid);
        if (!i || nodeid == FUSE_ROOT_ID)
                return;
        i->nlookup = nlookup < i->nlookup ? i->nlookup - nlookup : 0;
        if (i->nlookup == 0)
                drop(s, i);
}

void fuse_inode_clear(struct fuse_server *s)
{
        for (size_t n = 0; n < s->n_inodes; n++)
                if (s->inodes[n])
                        drop(s, s->inodes[n]);
}

const char *fuse_fd_name(int fd, char *buf, size_t size)
{
        snprintf(buf, size, "%d", fd);
        return buf;
}

uint64_t fuse_fh_new(struct fuse_server *s, int fd, DIR *dir)
{
        size_t n = 0;
        while (n < s->n_fhs && s->fhs[n].fd >= 0)
                n++;
        if (n == s->n_fhs) {
                size_t grown = s->n_fhs ? s->n_fhs * 2 : 16;
                s->fhs = xrealloc(s->fhs, grown * sizeof *s->fhs);
                for (size_t k = s->n_fhs; k < grown; k++)
                        s->fhs[k] = (struct fuse_fh){ .fd = -1 };
                s->n_fhs = grown;
        }
        s->fhs[n] = (struct fuse_fh){ .fd = fd, .dir = dir };
        return n;
}

struct fuse_fh *fuse_fh_get(struct fuse_server *s, uint64_t fh)
{
        return fh < s->n_fhs && s->fhs[fh].fd >= 0 ? &s->fhs[fh] : NULL;
}

void fuse_fh_close(struct fuse_server *s, uint64_t fh)
{
        struct fuse_fh *f = fuse_fh_get(s, fh);
        if (!f)
                return;
        if (f->dir)
                closedir(f->dir);
        else
                close(f->fd);
        *f = (struct fuse_fh){ .fd = -1 };
}
