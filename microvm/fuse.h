/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A FUSE file server over a host directory, the virtio-fs alternative to the
 * 9P server (p9_*.c) for the guest's root filesystem. Transport-independent
 * (virtio_fs.c carries it); private to microvm/.
 *
 * Node ids name entries of an inode table: each knows its parent and name,
 * the host file's identity (device, inode) and the guest's lookup count, and
 * holds an O_PATH fd of the file while it is among the most recently used
 * (at most open_max fds, a share of RLIMIT_NOFILE: the guest may keep far
 * more inodes than the VMM may keep fds). A node without an fd is reopened
 * from its parent by name and must still be the same file, else ESTALE.
 * Every name the guest sends is one
 * path component (no '/', not "." or "..") resolved with *at() calls from a
 * node's fd and O_NOFOLLOW, so no request reaches outside the served root;
 * files are reopened through /proc/self/fd, which never follows a symlink
 * further. Every request is bounds-checked: a short or malformed one gets
 * EINVAL (or no reply), never a read past its end.
 */
#ifndef KAGO_MICROVM_FUSE_H
#define KAGO_MICROVM_FUSE_H

#include <dirent.h>
#include <linux/fuse.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "../base/base.h"

struct fuse_server;

/* Serve root (a directory); max_write bounds WRITE and READ payloads. */
int fuse_server_new(const char *root, bool readonly, uint32_t max_write, struct fuse_server **out,
                    struct kago_err *err);
void fuse_server_free(struct fuse_server *s);
uint32_t fuse_server_max_write(const struct fuse_server *s);
/* The server's tables as bytes (malloc'd *data, *len), for a checkpoint:
 * every node (node id, generation, parent's node id, name, lookup count),
 * every open handle (its number, its node, its open flags; for a directory,
 * the offset its stream stands at) and the generation counter. Never file
 * data, nor inode numbers: a restored server finds each node by parent and
 * name (it may serve a copy of the tree). Fails when a handle's node is gone. */
int fuse_server_save(struct fuse_server *s, uint8_t **data, size_t *len, struct kago_err *err);
/* Into a server fresh from fuse_server_new (no request served yet): the same
 * node ids, generations and lookup counts, each node on the file now at its
 * (parent, name) (a node whose file is gone stays and answers ESTALE); each
 * handle reopened under its number with its flags through its node. A handle
 * that cannot be reopened is an error naming its path beneath the root: a
 * restore must not lose an open file. The bytes are untrusted (a checkpoint
 * image): all is checked before the server is touched. On error the server
 * is reset to the state fuse_server_new left it in; the caller frees it (or
 * serves a fresh guest with it). */
int fuse_server_load(struct fuse_server *s, const uint8_t *data, size_t len, struct kago_err *err);
/* Serve one request (req[0..len)); the reply goes to resp (at most cap
 * bytes). Returns the reply's length, 0 when the request takes no reply
 * (FORGET, BATCH_FORGET) or is too malformed to answer. */
size_t fuse_handle(struct fuse_server *s, const uint8_t *req, size_t len, uint8_t *resp, size_t cap);

/* ---- internals shared by the fuse_*.c files -------------------------- */

#define FUSE_TTL_S 3600 /* entry and attribute validity: the guest owns the tree */

struct fuse_inode {
        uint64_t nodeid;
        uint64_t generation;
        int fd; /* O_PATH | O_NOFOLLOW, or -1 while closed */
        dev_t dev;
        ino_t ino;
        uint64_t nlookup;  /* the guest's references */
        uint64_t children; /* nodes whose parent this is */
        struct fuse_inode *parent; /* NULL for the root */
        char *name;                /* in parent; NULL for the root */
        struct fuse_inode *hnext, *lru_prev, *lru_next;
};

struct fuse_fh {
        int fd;   /* -1: slot free */
        DIR *dir; /* directories: owns fd */
        uint64_t nodeid; /* the node it was opened on */
        /* Directories: the offset the stream stands at, and the entry read
         * but not sent (it did not fit). Reading on from there needs no
         * seek: a seek by offset counts entries on some filesystems (tmpfs)
         * and would skip as many as the guest removed meanwhile. */
        uint64_t dir_pos;
        bool has_pending;
        struct dirent pending;
};

#define FUSE_INODE_BUCKETS 4096
struct fuse_server {
        int root_fd, proc_fd; /* proc_fd: /proc/self/fd */
        bool readonly;
        uint32_t max_write;
        mode_t host_umask;
        struct fuse_inode **inodes; /* by nodeid; [0] unused, [1] the root */
        size_t n_inodes, free_hint;
        struct fuse_inode *lru_head, *lru_tail; /* nodes holding an fd, most recent first */
        size_t n_open, open_max;
        uint64_t generation;
        struct fuse_inode *hash[FUSE_INODE_BUCKETS];
        struct fuse_fh *fhs;
        size_t n_fhs;
};

/* One request being served: its header, its arguments (consumed in order)
 * and the reply body being built. */
struct fuse_req {
        struct fuse_server *s;
        struct fuse_in_header h;
        const uint8_t *arg;
        size_t arg_len;
        uint8_t *out;
        size_t cap, out_len;
};

/* The next n bytes of the arguments, NULL when fewer remain. */
const void *fuse_arg(struct fuse_req *r, size_t n);
/* The next NUL-terminated name: one path component (no '/', not "." or
 * ".."), at most NAME_MAX bytes; NULL otherwise. */
const char *fuse_arg_name(struct fuse_req *r);
/* The next NUL-terminated string of at most max bytes (a symlink target). */
const char *fuse_arg_str(struct fuse_req *r, size_t max);
/* Reserve n zeroed bytes of the reply body; NULL when they do not fit. */
void *fuse_reply(struct fuse_req *r, size_t n);

/* The inode table (fuse_inode.c). */
struct fuse_inode *fuse_inode_get(struct fuse_server *s, uint64_t nodeid);
/* The node's O_PATH fd, reopened from its parent when closed: >= 0, or
 * -errno (ESTALE when the name now holds another file). Valid until the end
 * of the request (fuse_inode_trim). */
int fuse_inode_fd(struct fuse_server *s, struct fuse_inode *i);
/* The node nodeid and its fd: the fd, or -ESTALE / -errno (*out NULL then). */
int fuse_node_fd(struct fuse_server *s, uint64_t nodeid, struct fuse_inode **out);
/* Close the least recently used fds beyond open_max. */
void fuse_inode_trim(struct fuse_server *s);
/* After a rename: the node known at (parent, name) as st now lives at
 * (newparent, newname). */
void fuse_inode_moved(struct fuse_server *s, const struct stat *st, struct fuse_inode *newparent,
                      const char *newname);
/* Look name up beneath parent and count one guest reference to it. */
int fuse_inode_lookup(struct fuse_server *s, struct fuse_inode *parent, const char *name,
                      struct fuse_inode **out, struct stat *st);
void fuse_inode_forget(struct fuse_server *s, uint64_t nodeid, uint64_t nlookup);
int fuse_inode_add_root(struct fuse_server *s, int fd);
void fuse_inode_clear(struct fuse_server *s);
/* "N" for /proc/self/fd/N of an inode's fd (buf: at least 16 bytes). */
const char *fuse_fd_name(int fd, char *buf, size_t size);

/* For a restore (fuse_snapshot.c): add node nodeid (its slot free) as name
 * beneath parent, with the saved generation and lookup count, on the file
 * now there. A node whose file is gone, or whose file a node of a later
 * generation holds (one of them was replaced on the host before the save),
 * is kept with no file: it answers ESTALE. */
struct fuse_inode *fuse_inode_restore(struct fuse_server *s, uint64_t nodeid,
                                      struct fuse_inode *parent, const char *name,
                                      uint64_t generation, uint64_t nlookup);

/* Open file and directory handles (fuse_inode.c), each on node nodeid. */
uint64_t fuse_fh_new(struct fuse_server *s, uint64_t nodeid, int fd, DIR *dir);
/* Place a handle under the number fh (a restore): -1 when fh is taken. */
int fuse_fh_put(struct fuse_server *s, uint64_t fh, uint64_t nodeid, int fd, DIR *dir);
struct fuse_fh *fuse_fh_get(struct fuse_server *s, uint64_t fh);
void fuse_fh_close(struct fuse_server *s, uint64_t fh);

/* Attributes as the guest sees them (fuse_attr.c). */
void fuse_fill_attr(struct fuse_attr *a, const struct stat *st);
/* Reply a fuse_entry_out for inode i (st: its attributes). */
int fuse_reply_entry(struct fuse_req *r, const struct fuse_inode *i, const struct stat *st);

/* A new entry belongs to the guest's caller (the request's uid and gid), with
 * the mode it asked for: the host's umask must not narrow it. Best effort. */
void fuse_own_new(struct fuse_req *r, int dfd, const char *name, uint32_t mode, bool is_link);

typedef int (*fuse_op)(struct fuse_req *r);
int fuse_op_lookup(struct fuse_req *r);
int fuse_op_getattr(struct fuse_req *r);
int fuse_op_setattr(struct fuse_req *r);
int fuse_op_readlink(struct fuse_req *r);
int fuse_op_statfs(struct fuse_req *r);
int fuse_op_access(struct fuse_req *r);
int fuse_op_open(struct fuse_req *r);
int fuse_op_create(struct fuse_req *r);
int fuse_op_read(struct fuse_req *r);
int fuse_op_write(struct fuse_req *r);
int fuse_op_release(struct fuse_req *r);
int fuse_op_flush(struct fuse_req *r);
int fuse_op_fsync(struct fuse_req *r);
int fuse_op_opendir(struct fuse_req *r);
int fuse_op_readdir(struct fuse_req *r);
int fuse_op_readdirplus(struct fuse_req *r);
int fuse_op_releasedir(struct fuse_req *r);
int fuse_op_fsyncdir(struct fuse_req *r);
int fuse_op_mknod(struct fuse_req *r);
int fuse_op_mkdir(struct fuse_req *r);
int fuse_op_symlink(struct fuse_req *r);
int fuse_op_link(struct fuse_req *r);
int fuse_op_unlink(struct fuse_req *r);
int fuse_op_rmdir(struct fuse_req *r);
int fuse_op_rename(struct fuse_req *r);
int fuse_op_rename2(struct fuse_req *r);

#endif
