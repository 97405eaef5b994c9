/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A 9P2000.L file server over a host directory: the guest's root filesystem.
 * Transport-independent (virtio_9p.c carries it); private to microvm/.
 * Paths never leave the served directory: every lookup resolves beneath it
 * (openat2 RESOLVE_IN_ROOT) and symlinks are returned, never followed.
 */
#ifndef KAGO_MICROVM_P9_H
#define KAGO_MICROVM_P9_H

#include <dirent.h>
#include <sys/stat.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"

struct p9_server;

int p9_server_new(const char *root, bool readonly, uint32_t msize, struct p9_server **out,
                  struct kago_err *err);
void p9_server_free(struct p9_server *s);
uint32_t p9_server_msize(const struct p9_server *s);
/* Serve one request (req[0..len)); the reply goes to resp (at most cap
 * bytes). Returns the reply's length. */
size_t p9_handle(struct p9_server *s, const uint8_t *req, size_t len, uint8_t *resp, size_t cap);
/* The server's fids as bytes (malloc'd *data, *len), for a checkpoint: each
 * fid's number, uid, path beneath the root, whether it is open and its open
 * flags. Never file data. A directory's read position is the guest's offset
 * (a telldir cookie), valid again on the same directory. */
int p9_server_save(struct p9_server *s, uint8_t **data, size_t *len, struct kago_err *err);
/* Into a server fresh from p9_server_new (no fid yet): the same fids, open
 * ones reopened with their flags (without O_CREAT/O_EXCL/O_TRUNC); an open
 * fid whose file is gone or cannot be reopened is an error naming its path.
 * The bytes are untrusted (a checkpoint image) and all checked first (paths:
 * "." or single components joined by '/', never "." or ".." inside). On
 * error the server has no fid again, as p9_server_new left it; the caller
 * frees it. */
int p9_server_load(struct p9_server *s, const uint8_t *data, size_t len, struct kago_err *err);

/* ---- internals shared by the p9_*.c files ---------------------------- */

enum {
        P9_RLERROR = 7, P9_TSTATFS = 8, P9_TLOPEN = 12, P9_TLCREATE = 14, P9_TSYMLINK = 16,
        P9_TMKNOD = 18, P9_TRENAME = 20, P9_TREADLINK = 22, P9_TGETATTR = 24, P9_TSETATTR = 26,
        P9_TXATTRWALK = 30, P9_TXATTRCREATE = 32, P9_TREADDIR = 40, P9_TFSYNC = 50,
        P9_TLOCK = 52, P9_TGETLOCK = 54, P9_TLINK = 70, P9_TMKDIR = 72, P9_TRENAMEAT = 74,
        P9_TUNLINKAT = 76, P9_TVERSION = 100, P9_TAUTH = 102, P9_TATTACH = 104, P9_TFLUSH = 108,
        P9_TWALK = 110, P9_TREAD = 116, P9_TWRITE = 118, P9_TCLUNK = 120, P9_TREMOVE = 122,
};
#define P9_HDR 7
#define P9_NOFID 0xffffffffu
#define P9_NONUNAME 0xffffffffu
#define P9_QTDIR 0x80
#define P9_QTSYMLINK 0x02

struct p9_in {
        const uint8_t *p;
        size_t len, off;
        bool bad;
};
struct p9_out {
        uint8_t *p;
        size_t cap, len;
        bool overflow;
};

uint8_t p9_get8(struct p9_in *in);
uint16_t p9_get16(struct p9_in *in);
uint32_t p9_get32(struct p9_in *in);
uint64_t p9_get64(struct p9_in *in);
/* A string as a fresh NUL-terminated copy (NULL on bad input or embedded NUL). */
char *p9_getstr(struct p9_in *in);
const uint8_t *p9_getbytes(struct p9_in *in, size_t n);
void p9_put8(struct p9_out *o, uint8_t v);
void p9_put16(struct p9_out *o, uint16_t v);
void p9_put32(struct p9_out *o, uint32_t v);
void p9_put64(struct p9_out *o, uint64_t v);
void p9_putstr(struct p9_out *o, const char *s);
/* Reserve n bytes in the reply; NULL when they do not fit. */
uint8_t *p9_reserve(struct p9_out *o, size_t n);
void p9_put_qid(struct p9_out *o, const struct stat *st);
void p9_put_qid_raw(struct p9_out *o, uint8_t type, uint64_t path);
uint64_t p9_qid_path(uint64_t dev, uint64_t ino);

struct p9_fid {
        uint32_t fid;
        char *path; /* relative to the root: "." or "a/b" */
        int fd;     /* opened by lopen/lcreate, else -1 */
        DIR *dir;
        uint32_t uid;
        struct p9_fid *next;
};

#define P9_FID_BUCKETS 256
struct p9_server {
        int root_fd;
        bool readonly;
        uint32_t msize;
        struct p9_fid *fids[P9_FID_BUCKETS];
};

struct p9_fid *p9_fid_get(struct p9_server *s, uint32_t fid);
/* A new fid (error when in use); takes path. */
struct p9_fid *p9_fid_new(struct p9_server *s, uint32_t fid, char *path, uint32_t uid);
void p9_fid_close(struct p9_fid *f);
void p9_fid_del(struct p9_server *s, uint32_t fid);
void p9_fid_clear(struct p9_server *s);

/* fid path + name ("." and ".." handled lexically, ".." stops at the root);
 * NULL for a name holding '/' or empty. */
char *p9_path_join(const char *dir, const char *name);
/* Open path inside the root with flags (O_PATH etc.), never unconfined
 * (base/root_path.c); -errno on failure. */
int p9_open_beneath(struct p9_server *s, const char *path, int flags, mode_t mode);
/* Open the parent directory of path (O_PATH) and point *base at its last
 * component ("." for the root). */
int p9_open_parent(struct p9_server *s, const char *path, const char **base);
int p9_lstat(struct p9_server *s, const char *path, struct stat *st);

typedef int (*p9_op)(struct p9_server *s, struct p9_in *in, struct p9_out *out);
int p9_op_lopen(struct p9_server *s, struct p9_in *in, struct p9_out *out);
int p9_op_lcreate(struct p9_server *s, struct p9_in *in, struct p9_out *out);
int p9_op_read(struct p9_server *s, struct p9_in *in, struct p9_out *out);
int p9_op_write(struct p9_server *s, struct p9_in *in, struct p9_out *out);
int p9_op_readdir(struct p9_server *s, struct p9_in *in, struct p9_out *out);
int p9_op_fsync(struct p9_server *s, struct p9_in *in, struct p9_out *out);
int p9_op_getattr(struct p9_server *s, struct p9_in *in, struct p9_out *out);
int p9_op_setattr(struct p9_server *s, struct p9_in *in, struct p9_out *out);
int p9_op_statfs(struct p9_server *s, struct p9_in *in, struct p9_out *out);
int p9_op_readlink(struct p9_server *s, struct p9_in *in, struct p9_out *out);
int p9_op_mkdir(struct p9_server *s, struct p9_in *in, struct p9_out *out);
int p9_op_symlink(struct p9_server *s, struct p9_in *in, struct p9_out *out);
int p9_op_mknod(struct p9_server *s, struct p9_in *in, struct p9_out *out);
int p9_op_link(struct p9_server *s, struct p9_in *in, struct p9_out *out);
int p9_op_rename(struct p9_server *s, struct p9_in *in, struct p9_out *out);
int p9_op_renameat(struct p9_server *s, struct p9_in *in, struct p9_out *out);
int p9_op_unlinkat(struct p9_server *s, struct p9_in *in, struct p9_out *out);
int p9_op_remove(struct p9_server *s, struct p9_in *in, struct p9_out *out);

#endif
