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

static void lru_unlink(struct fuse_server *s, struct fuse_inode *i)
{
        if (i->lru_prev)
                i->lru_prev->lru_next = i->lru_next;
        else
                s->lru_head = i->lru_next;
        if (i->lru_next)
                i->lru_next->lru_prev = i->lru_prev;
        else
                s->lru_tail = i->lru_prev;
        i->lru_prev = i->lru_next = NULL;
}

static void lru_push(struct fuse_server *s, struct fuse_inode *i)
{
        i->lru_next = s->lru_head;
        if (s->lru_head)
                s->lru_head->lru_prev = i;
        s->lru_head = i;
        if (!s->lru_tail)
                s->lru_tail = i;
}

/* Give i the fd (it had none) and count it as open. */
static void fd_attach(struct fuse_server *s, struct fuse_inode *i, int fd)
{
        i->fd = fd;
        s->n_open++;
        lru_push(s, i);
}

static void fd_detach(struct fuse_server *s, struct fuse_inode *i)
{
        if (i->fd < 0)
                return;
        lru_unlink(s, i);
        close(i->fd);
        i->fd = -1;
        s->n_open--;
}

void fuse_inode_trim(struct fuse_server *s)
{
        for (struct fuse_inode *i = s->lru_tail; i && s->n_open > s->open_max;) {
                struct fuse_inode *prev = i->lru_prev;
                if (i->nodeid != FUSE_ROOT_ID)
                        fd_detach(s, i);
                i = prev;
        }
}

static void drop_unused(struct fuse_server *s, struct fuse_inode *i);

static bool is_ancestor(const struct fuse_inode *a, const struct fuse_inode *i)
{
        for (; i; i = i->parent)
                if (i == a)
                        return true;
        return false;
}

/* i is now known as name in parent; a parent chain never loops (a directory
 * bind-mounted beneath itself keeps its first place). */
static void set_parent(struct fuse_server *s, struct fuse_inode *i, struct fuse_inode *parent,
                       const char *name)
{
        if (i->nodeid == FUSE_ROOT_ID || is_ancestor(i, parent))
                return;
        struct fuse_inode *old = i->parent;
        free(i->name);
        i->parent = parent;
        i->name = xstrdup(name);
        parent->children++;
        if (old) {
                old->children--;
                drop_unused(s, old);
        }
}

static void hash_in(struct fuse_server *s, struct fuse_inode *i)
{
        struct fuse_inode **b = bucket(s, i->dev, i->ino);
        i->hnext = *b;
        *b = i;
}

static struct fuse_inode *add(struct fuse_server *s, uint64_t nodeid, const struct stat *st)
{
        struct fuse_inode *i = xcalloc(1, sizeof *i);
        *i = (struct fuse_inode){ .nodeid = nodeid, .generation = ++s->generation, .fd = -1,
                                  .dev = st->st_dev, .ino = st->st_ino, .nlookup = 1 };
        hash_in(s, i);
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
        fd_attach(s, add(s, FUSE_ROOT_ID, &st), dup);
        return 0;
}

/* Open name beneath the directory fd as O_PATH, with its attributes. */
static int open_at(int dfd, const char *name, struct stat *st)
{
        int fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, st) < 0) {
                int e = errno;
                close(fd);
                return -e;
        }
        return fd;
}

/* Reopen i by name from its parent, which has an fd. */
static int reopen(struct fuse_server *s, struct fuse_inode *i)
{
        struct stat st = { 0 };
        int fd = open_at(i->parent->fd, i->name, &st);
        if (fd < 0)
                return fd == -ENOENT ? -ESTALE : fd;
        if (st.st_dev != i->dev || st.st_ino != i->ino) {
                close(fd);
                return -ESTALE; /* the name holds another file now */
        }
        fd_attach(s, i, fd);
        return 0;
}

/* Iterative, not recursive: the guest decides how deep a tree gets. */
int fuse_inode_fd(struct fuse_server *s, struct fuse_inode *i)
{
        while (i->fd < 0) {
                struct fuse_inode *a = i;
                while (a->parent && a->parent->fd < 0)
                        a = a->parent;
                if (!a->parent)
                        return -ESTALE;
                int rc = reopen(s, a);
                if (rc < 0)
                        return rc;
        }
        lru_unlink(s, i);
        lru_push(s, i);
        return i->fd;
}

int fuse_node_fd(struct fuse_server *s, uint64_t nodeid, struct fuse_inode **out)
{
        struct fuse_inode *i = fuse_inode_get(s, nodeid);
        int fd = i ? fuse_inode_fd(s, i) : -ESTALE;
        *out = fd < 0 ? NULL : i;
        return fd;
}

int fuse_inode_lookup(struct fuse_server *s, struct fuse_inode *parent, const char *name,
                      struct fuse_inode **out, struct stat *st)
{
        int pfd = fuse_inode_fd(s, parent);
        if (pfd < 0)
                return pfd;
        int fd = open_at(pfd, name, st);
        if (fd < 0)
                return fd;
        struct fuse_inode *i = find(s, st);
        if (i) {
                i->nlookup++;
                if (i->fd < 0)
                        fd_attach(s, i, fd);
                else
                        close(fd);
        } else {
                i = add(s, free_slot(s), st);
                fd_attach(s, i, fd);
        }
        set_parent(s, i, parent, name); /* the latest name is the likeliest to last */
        *out = i;
        return 0;
}

void fuse_inode_moved(struct fuse_server *s, const struct stat *st, struct fuse_inode *newparent,
                      const char *newname)
{
        struct fuse_inode *i = find(s, st);
        if (i)
                set_parent(s, i, newparent, newname);
}

static void unhash(struct fuse_server *s, struct fuse_inode *i)
{
        for (struct fuse_inode **pp = bucket(s, i->dev, i->ino); *pp; pp = &(*pp)->hnext)
                if (*pp == i) {
                        *pp = i->hnext;
                        break;
                }
}

static void free_inode(struct fuse_server *s, struct fuse_inode *i)
{
        unhash(s, i);
        s->inodes[i->nodeid] = NULL;
        if (i->nodeid < s->free_hint)
                s->free_hint = i->nodeid;
        fd_detach(s, i);
        free(i->name);
        free(i);
}

/* Free i once neither the guest nor a child refers to it, then its parent likewise. */
static void drop_unused(struct fuse_server *s, struct fuse_inode *i)
{
        while (i && i->nodeid != FUSE_ROOT_ID && i->nlookup == 0 && i->children == 0) {
                struct fuse_inode *parent = i->parent;
                free_inode(s, i);
                if (parent)
                        parent->children--;
                i = parent;
        }
}

void fuse_inode_forget(struct fuse_server *s, uint64_t nodeid, uint64_t nlookup)
{
        struct fuse_inode *i = fuse_inode_get(s, nodeid);
        if (!i || nodeid == FUSE_ROOT_ID)
                return;
        i->nlookup = nlookup < i->nlookup ? i->nlookup - nlookup : 0;
        drop_unused(s, i);
}

void fuse_inode_clear(struct fuse_server *s)
{
        for (size_t n = 0; n < s->n_inodes; n++)
                if (s->inodes[n])
                        free_inode(s, s->inodes[n]);
}

const char *fuse_fd_name(int fd, char *buf, size_t size)
{
        snprintf(buf, size, "%d", fd);
        return buf;
}

/* Room for handle number n in the table. */
static void fh_room(struct fuse_server *s, size_t n)
{
        if (n < s->n_fhs)
                return;
        size_t grown = s->n_fhs ? s->n_fhs * 2 : 16;
        while (grown <= n)
                grown *= 2;
        s->fhs = xrealloc(s->fhs, grown * sizeof *s->fhs);
        for (size_t k = s->n_fhs; k < grown; k++)
                s->fhs[k] = (struct fuse_fh){ .fd = -1 };
        s->n_fhs = grown;
}

uint64_t fuse_fh_new(struct fuse_server *s, uint64_t nodeid, int fd, DIR *dir)
{
        size_t n = 0;
        while (n < s->n_fhs && s->fhs[n].fd >= 0)
                n++;
        fh_room(s, n);
        s->fhs[n] = (struct fuse_fh){ .fd = fd, .dir = dir, .nodeid = nodeid };
        return n;
}

int fuse_fh_put(struct fuse_server *s, uint64_t fh, uint64_t nodeid, int fd, DIR *dir)
{
        fh_room(s, fh);
        if (s->fhs[fh].fd >= 0)
                return -1;
        s->fhs[fh] = (struct fuse_fh){ .fd = fd, .dir = dir, .nodeid = nodeid };
        return 0;
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

/* ---- restore (fuse_snapshot.c) ---------------------------------------- */

/* Room for node id n in the table. */
static void slot_room(struct fuse_server *s, uint64_t n)
{
        if (n < s->n_inodes)
                return;
        size_t old = s->n_inodes, grown = old < 64 ? 64 : old;
        while (grown <= n)
                grown *= 2;
        s->inodes = xrealloc(s->inodes, grown * sizeof(struct fuse_inode *));
        memset(s->inodes + old, 0, (grown - old) * sizeof(struct fuse_inode *));
        s->n_inodes = grown;
}

/* i no longer names a file: no file has inode 0, so reopening it gives ESTALE. */
static void make_stale(struct fuse_server *s, struct fuse_inode *i)
{
        unhash(s, i);
        fd_detach(s, i);
        i->dev = 0;
        i->ino = 0;
        hash_in(s, i);
}

struct fuse_inode *fuse_inode_restore(struct fuse_server *s, uint64_t nodeid,
                                      struct fuse_inode *parent, const char *name,
                                      uint64_t generation, uint64_t nlookup)
{
        struct stat st = { 0 };
        int pfd = fuse_inode_fd(s, parent);
        int fd = pfd < 0 ? pfd : open_at(pfd, name, &st);
        struct fuse_inode *twin = fd < 0 ? NULL : find(s, &st);
        if (twin && (twin->nodeid == FUSE_ROOT_ID || twin->generation > generation)) {
                close(fd); /* the twin is the later lookup of this file: this node is stale */
                fd = -ESTALE;
        } else if (twin) {
                make_stale(s, twin);
        }
        if (fd < 0)
                st.st_dev = 0, st.st_ino = 0;
        slot_room(s, nodeid);
        struct fuse_inode *i = add(s, nodeid, &st);
        i->generation = generation;
        i->nlookup = nlookup;
        i->parent = parent;
        i->name = xstrdup(name);
        parent->children++;
        if (fd >= 0)
                fd_attach(s, i, fd);
        return i;
}
