/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The FUSE server's tables saved with a checkpoint and loaded into the server
 * of the restored microVM, whose guest kernel still holds the old node ids
 * and handles.
 *
 * Layout, little-endian, version 1:
 *   header:  u32 version, u64 generation counter, u32 node count, u32 handle count
 *   node:    u64 node id, u64 parent's node id (0 for the root), u64 generation,
 *            u64 lookup count, u16 name length, the name (empty for the root)
 *   handle:  u64 number, u64 node id, u32 open flags, u8 kind (0 file,
 *            1 directory), u64 the offset a directory stream stands at
 * Nothing may follow the last handle.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fuse.h"
#include "snap.h"
#include "vm.h"

#define SNAP_VERSION  1
#define SNAP_NODE_MIN 34 /* a node record with an empty name */
#define SNAP_FH_SIZE  29
/* Node ids and handle numbers at or beyond are refused: the server hands out
 * the lowest free id, so an id this high means millions of live nodes (its
 * table then takes 32 MiB). */
#define SNAP_ID_MAX (1ull << 22)
#define SNAP_FH_MAX (1ull << 20)
/* The open flags a handle keeps across a restore: creation and truncation are done. */
#define SNAP_FLAGS (O_ACCMODE | O_APPEND | O_NONBLOCK | O_SYNC | O_DSYNC | O_DIRECT | O_NOATIME)

typedef unsigned long long ull;

/* ---- save -------------------------------------------------------------- */

static void save_node(struct bytes *w, const struct fuse_inode *i)
{
        size_t nl = i->name ? strlen(i->name) : 0;
        snap_put_le(w, i->nodeid, 8);
        snap_put_le(w, i->parent ? i->parent->nodeid : 0, 8);
        snap_put_le(w, i->generation, 8);
        snap_put_le(w, i->nlookup, 8);
        snap_put_le(w, nl, 2);
        if (nl)
                bytes_put(w, i->name, nl);
}

static int save_fh(struct fuse_server *s, struct bytes *w, size_t n, struct kago_err *err)
{
        const struct fuse_fh *f = &s->fhs[n];
        const struct fuse_inode *i = fuse_inode_get(s, f->nodeid);
        struct stat st;
        if (!i)
                return kago_err_set(err, "virtio-fs table: handle %zu: node %llu gone", n,
                                    (ull)f->nodeid);
        int flags = fcntl(f->fd, F_GETFL);
        if (flags < 0 || fstat(f->fd, &st) < 0)
                return kago_err_errno(err, errno, "virtio-fs table: handle %zu", n);
        if (st.st_dev != i->dev || st.st_ino != i->ino)
                return kago_err_set(err, "virtio-fs table: handle %zu: node %llu is another file",
                                    n, (ull)f->nodeid);
        snap_put_le(w, n, 8);
        snap_put_le(w, f->nodeid, 8);
        snap_put_le(w, (uint32_t)flags & SNAP_FLAGS, 4);
        snap_put_le(w, f->dir != NULL, 1);
        snap_put_le(w, f->dir ? f->dir_pos : 0, 8);
        return 0;
}

int fuse_server_save(struct fuse_server *s, uint8_t **data, size_t *len, struct kago_err *err)
{
        struct bytes w = { 0 };
        uint32_t n_nodes = 0, n_fhs = 0;
        snap_put_le(&w, SNAP_VERSION, 4);
        snap_put_le(&w, s->generation, 8);
        snap_put_le(&w, 0, 8); /* the counts, filled in below */
        for (size_t n = 0; n < s->n_inodes; n++)
                if (s->inodes[n]) {
                        save_node(&w, s->inodes[n]);
                        n_nodes++;
                }
        for (size_t n = 0; n < s->n_fhs; n++)
                if (s->fhs[n].fd >= 0) {
                        if (save_fh(s, &w, n, err) < 0) {
                                bytes_free(&w);
                                return -1;
                        }
                        n_fhs++;
                }
        snap_patch_le(&w, 12, n_nodes, 4);
        snap_patch_le(&w, 16, n_fhs, 4);
        *data = w.data;
        *len = w.len;
        return 0;
}

/* ---- load: parse and check ------------------------------------------- */

struct snode {
        uint64_t id, parent, generation, nlookup;
        char name[NAME_MAX + 1];
        size_t up;    /* the parent's record */
        uint8_t mark; /* ordering: 0 unseen, 1 on the walk, 2 placed */
};

struct sfh {
        uint64_t fh, nodeid, dir_pos;
        uint32_t flags;
        bool dir;
};

struct table {
        uint64_t generation;
        struct snode *nodes;
        size_t n_nodes;
        struct sfh *fhs;
        size_t n_fhs;
        size_t *order; /* node records, parents before children */
};

static bool valid_name(const uint8_t *p, size_t n)
{
        if (n == 0 || n > NAME_MAX || memchr(p, '/', n) || memchr(p, 0, n))
                return false;
        return !(n == 1 && p[0] == '.') && !(n == 2 && p[0] == '.' && p[1] == '.');
}

static int parse_header(struct snap_cursor *r, struct table *t, struct kago_err *err)
{
        uint64_t version, nn, nf;
        if (!snap_get_le(r, 4, &version) || !snap_get_le(r, 8, &t->generation) ||
            !snap_get_le(r, 4, &nn) || !snap_get_le(r, 4, &nf))
                return kago_err_set(err, "virtio-fs table: truncated header");
        if (version != SNAP_VERSION)
                return kago_err_set(err, "virtio-fs table: version %llu (kago reads %d)",
                                    (ull)version, SNAP_VERSION);
        if (nn > r->left / SNAP_NODE_MIN || nf > r->left / SNAP_FH_SIZE)
                return kago_err_set(err,
                                    "virtio-fs table: %llu nodes and %llu handles in %zu bytes",
                                    (ull)nn, (ull)nf, r->left);
        t->n_nodes = nn;
        t->n_fhs = nf;
        t->nodes = xcalloc(nn ? nn : 1, sizeof *t->nodes);
        t->fhs = xcalloc(nf ? nf : 1, sizeof *t->fhs);
        t->order = xcalloc(nn ? nn : 1, sizeof *t->order);
        return 0;
}

static int parse_node(struct snap_cursor *r, size_t k, struct snode *n, struct kago_err *err)
{
        uint64_t nl;
        if (!snap_get_le(r, 8, &n->id) || !snap_get_le(r, 8, &n->parent) ||
            !snap_get_le(r, 8, &n->generation) || !snap_get_le(r, 8, &n->nlookup) ||
            !snap_get_le(r, 2, &nl) || r->left < nl)
                return kago_err_set(err, "virtio-fs table: node record %zu truncated", k);
        const uint8_t *name = r->p;
        r->p += nl;
        r->left -= nl;
        if (n->id == 0 || n->id >= SNAP_ID_MAX)
                return kago_err_set(err, "virtio-fs table: node id %llu out of range", (ull)n->id);
        if (n->id == FUSE_ROOT_ID) {
                if (n->parent || nl)
                        return kago_err_set(err, "virtio-fs table: node 1 (the root) has a parent");
                return 0;
        }
        if (n->parent == 0)
                return kago_err_set(err, "virtio-fs table: node %llu: no parent", (ull)n->id);
        if (!valid_name(name, nl))
                return kago_err_set(err, "virtio-fs table: node %llu: invalid name", (ull)n->id);
        memcpy(n->name, name, nl);
        return 0;
}

static int parse_fh(struct snap_cursor *r, size_t k, struct sfh *f, struct kago_err *err)
{
        uint64_t flags, kind;
        if (!snap_get_le(r, 8, &f->fh) || !snap_get_le(r, 8, &f->nodeid) ||
            !snap_get_le(r, 4, &flags) || !snap_get_le(r, 1, &kind) ||
            !snap_get_le(r, 8, &f->dir_pos))
                return kago_err_set(err, "virtio-fs table: handle record %zu truncated", k);
        if (f->fh >= SNAP_FH_MAX)
                return kago_err_set(err, "virtio-fs table: handle %llu out of range", (ull)f->fh);
        if (kind > 1 || f->dir_pos > LONG_MAX)
                return kago_err_set(err, "virtio-fs table: handle %llu: invalid kind or offset",
                                    (ull)f->fh);
        f->flags = (uint32_t)flags & SNAP_FLAGS;
        f->dir = kind == 1;
        return 0;
}

static int by_node_id(const void *a, const void *b)
{
        uint64_t x = ((const struct snode *)a)->id, y = ((const struct snode *)b)->id;
        return x < y ? -1 : x > y;
}

static int by_fh(const void *a, const void *b)
{
        uint64_t x = ((const struct sfh *)a)->fh, y = ((const struct sfh *)b)->fh;
        return x < y ? -1 : x > y;
}

static const struct snode *find_node(const struct table *t, uint64_t id)
{
        struct snode key = { .id = id };
        return bsearch(&key, t->nodes, t->n_nodes, sizeof key, by_node_id);
}

/* Sort the records, refuse duplicates, find each node's parent record. */
static int link_nodes(struct table *t, struct kago_err *err)
{
        qsort(t->nodes, t->n_nodes, sizeof *t->nodes, by_node_id);
        qsort(t->fhs, t->n_fhs, sizeof *t->fhs, by_fh);
        if (!t->n_nodes || t->nodes[0].id != FUSE_ROOT_ID)
                return kago_err_set(err, "virtio-fs table: no root (node 1)");
        for (size_t k = 1; k < t->n_nodes; k++) {
                struct snode *n = &t->nodes[k];
                if (n->id == t->nodes[k - 1].id)
                        return kago_err_set(err, "virtio-fs table: node %llu twice", (ull)n->id);
                const struct snode *p = find_node(t, n->parent);
                if (!p)
                        return kago_err_set(err, "virtio-fs table: node %llu: parent %llu unknown",
                                            (ull)n->id, (ull)n->parent);
                n->up = (size_t)(p - t->nodes);
        }
        for (size_t k = 0; k < t->n_fhs; k++) {
                const struct sfh *f = &t->fhs[k];
                if (k && f->fh == t->fhs[k - 1].fh)
                        return kago_err_set(err, "virtio-fs table: handle %llu twice", (ull)f->fh);
                if (!find_node(t, f->nodeid))
                        return kago_err_set(err, "virtio-fs table: handle %llu: node %llu unknown",
                                            (ull)f->fh, (ull)f->nodeid);
        }
        return 0;
}

/* Order the nodes parents first (a child may have the lower id: slots are
 * reused); a parent chain that loops is an error. Iterative: the table
 * decides how deep a chain gets. */
static int order_nodes(struct table *t, struct kago_err *err)
{
        size_t *walk = xcalloc(t->n_nodes, sizeof *walk), placed = 0;
        t->nodes[0].mark = 2;
        t->order[placed++] = 0;
        for (size_t k = 1; k < t->n_nodes; k++) {
                size_t depth = 0, c = k;
                for (; t->nodes[c].mark == 0; c = t->nodes[c].up) {
                        t->nodes[c].mark = 1;
                        walk[depth++] = c;
                }
                if (t->nodes[c].mark == 1) {
                        free(walk);
                        return kago_err_set(err, "virtio-fs table: node %llu: its parents loop",
                                            (ull)t->nodes[c].id);
                }
                while (depth) {
                        c = walk[--depth];
                        t->nodes[c].mark = 2;
                        t->order[placed++] = c;
                }
        }
        free(walk);
        return 0;
}

static void table_free(struct table *t)
{
        free(t->nodes);
        free(t->fhs);
        free(t->order);
}

static int parse(const uint8_t *data, size_t len, struct table *t, struct kago_err *err)
{
        struct snap_cursor r = { .p = data, .left = len };
        if (parse_header(&r, t, err) < 0)
                return -1;
        for (size_t k = 0; k < t->n_nodes; k++)
                if (parse_node(&r, k, &t->nodes[k], err) < 0)
                        return -1;
        for (size_t k = 0; k < t->n_fhs; k++)
                if (parse_fh(&r, k, &t->fhs[k], err) < 0)
                        return -1;
        if (r.left)
                return kago_err_set(err, "virtio-fs table: %zu bytes after the last handle",
                                    r.left);
        if (link_nodes(t, err) < 0)
                return -1;
        return order_nodes(t, err);
}

/* ---- load: apply ------------------------------------------------------- */

/* Nothing served yet: the root alone, no handle. */
static bool fresh(const struct fuse_server *s)
{
        for (size_t n = 0; n < s->n_inodes; n++)
                if (s->inodes[n] && n != FUSE_ROOT_ID)
                        return false;
        for (size_t n = 0; n < s->n_fhs; n++)
                if (s->fhs[n].fd >= 0)
                        return false;
        return s->n_inodes > FUSE_ROOT_ID && s->inodes[FUSE_ROOT_ID];
}

/* Back to the tables fuse_server_new made. */
static void reset(struct fuse_server *s)
{
        for (size_t n = 0; n < s->n_fhs; n++)
                fuse_fh_close(s, n);
        fuse_inode_clear(s);
        s->generation = 0;
        s->free_hint = 0;
        (void)fuse_inode_add_root(s, s->root_fd); /* out of fds: no root; the caller frees s */
}

/* i's path beneath the root, "." for the root (malloc'd). */
static char *node_path(const struct fuse_inode *i)
{
        size_t len = 0;
        for (const struct fuse_inode *a = i; a->parent; a = a->parent)
                len += strlen(a->name) + 1;
        if (!len)
                return xstrdup(".");
        char *p = xmalloc(len);
        size_t end = len - 1;
        p[end] = 0;
        for (const struct fuse_inode *a = i; a->parent; a = a->parent) {
                size_t n = strlen(a->name);
                end -= n;
                memcpy(p + end, a->name, n);
                if (end)
                        p[--end] = '/';
        }
        return p;
}

static int fh_error(struct fuse_server *s, const struct sfh *h, int e, const char *why,
                    struct kago_err *err)
{
        char *path = node_path(fuse_inode_get(s, h->nodeid));
        if (e == ESTALE || e == ENOENT)
                kago_err_set(err, "virtio-fs table: handle %llu: open file %s is gone", (ull)h->fh,
                             path);
        else
                kago_err_errno(err, e, "virtio-fs table: handle %llu: reopen %s%s", (ull)h->fh,
                               path, why);
        free(path);
        return -1;
}

/* 0 when fd is what handle h needs (a directory's stream then in *d, or a
 * regular file, given back its blocking mode unless h asks for O_NONBLOCK),
 * else an errno. */
static int settle(int fd, const struct sfh *h, DIR **d)
{
        struct stat st;
        if (h->dir) {
                *d = fdopendir(fd);
                return *d ? 0 : errno;
        }
        if (fstat(fd, &st) < 0)
                return errno;
        if (!S_ISREG(st.st_mode))
                return EISDIR;
        if (!(h->flags & O_NONBLOCK) && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
                return errno;
        return 0;
}

/* Reopen handle h through its node as the guest opened it. */
static int open_fh(struct fuse_server *s, const struct sfh *h, struct kago_err *err)
{
        int ifd = fuse_inode_fd(s, fuse_inode_get(s, h->nodeid));
        char path[16];
        DIR *d = NULL;
        if (ifd < 0)
                return fh_error(s, h, -ifd, "", err);
        if (s->readonly && (h->flags & O_ACCMODE) != O_RDONLY)
                return fh_error(s, h, EROFS, " for writing", err);
        /* A file is opened O_NONBLOCK, as the guest's opens are: the node
         * may be a FIFO now (the table says what was a file), whose open
         * would block the VMM; settle refuses it. */
        int flags = h->dir ? O_RDONLY | O_DIRECTORY : (int)h->flags | O_NONBLOCK | O_NOCTTY;
        int fd = openat(s->proc_fd, fuse_fd_name(ifd, path, sizeof path), flags | O_CLOEXEC);
        if (fd < 0)
                return fh_error(s, h, errno, "", err);
        int e = settle(fd, h, &d);
        if (e) {
                close(fd);
                return fh_error(s, h, e, h->dir ? "" : " (no regular file now)", err);
        }
        if (d && h->dir_pos)
                seekdir(d, (long)h->dir_pos);
        fuse_fh_put(s, h->fh, h->nodeid, fd, d); /* numbers are unique: checked */
        if (d)
                s->fhs[h->fh].dir_pos = h->dir_pos;
        return 0;
}

static void apply_nodes(struct fuse_server *s, const struct table *t)
{
        struct fuse_inode *root = fuse_inode_get(s, FUSE_ROOT_ID);
        uint64_t generation = t->generation;
        root->generation = t->nodes[0].generation;
        root->nlookup = t->nodes[0].nlookup;
        for (size_t k = 0; k < t->n_nodes; k++) {
                const struct snode *n = &t->nodes[t->order[k]];
                if (n->generation > generation)
                        generation = n->generation;
                if (n->id == FUSE_ROOT_ID)
                        continue;
                fuse_inode_restore(s, n->id, fuse_inode_get(s, n->parent), n->name, n->generation,
                                   n->nlookup);
                fuse_inode_trim(s);
        }
        s->generation = generation;
        s->free_hint = 0;
}

int fuse_server_load(struct fuse_server *s, const uint8_t *data, size_t len, struct kago_err *err)
{
        struct table t = { 0 };
        if (!fresh(s))
                return kago_err_set(err, "virtio-fs table: the server has served requests already");
        if (parse(data, len, &t, err) < 0) {
                table_free(&t);
                return -1;
        }
        apply_nodes(s, &t);
        for (size_t k = 0; k < t.n_fhs; k++) {
                if (open_fh(s, &t.fhs[k], err) < 0) {
                        reset(s);
                        table_free(&t);
                        return -1;
                }
                fuse_inode_trim(s);
        }
        table_free(&t);
        return 0;
}
