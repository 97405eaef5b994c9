/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The 9P server's fids saved with a checkpoint and loaded into the server of
 * the restored microVM, whose guest kernel still holds the old fids.
 *
 * Layout, little-endian, version 1:
 *   header:  u32 version, u32 fid count
 *   fid:     u32 fid, u32 uid, u32 open flags, u8 open (0 or 1),
 *            u16 path length, the path beneath the root ("." or "a/b")
 * Nothing may follow the last fid.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fs_entry.h"
#include "p9.h"
#include "snap.h"
#include "vm.h"

#define P9_SNAP_VERSION 1
#define P9_SNAP_FID_MIN 15 /* a fid record with an empty path */
/* The open flags a fid keeps across a restore: creation and truncation are done. */
#define P9_SNAP_FLAGS (O_ACCMODE | O_APPEND | O_DIRECTORY | O_NONBLOCK | O_SYNC | O_DSYNC)

static int save_fid(struct bytes *w, const struct p9_fid *f, struct kago_err *err)
{
        size_t pl = strlen(f->path);
        int flags = 0;
        if (f->fd >= 0 && (flags = fcntl(f->fd, F_GETFL)) < 0)
                return kago_err_errno(err, errno, "9p table: fid %u (%s)", f->fid, f->path);
        if (pl > PATH_MAX)
                return kago_err_set(err, "9p table: fid %u: path too long", f->fid);
        snap_put_le(w, f->fid, 4);
        snap_put_le(w, f->uid, 4);
        snap_put_le(w, (uint32_t)flags & P9_SNAP_FLAGS, 4);
        snap_put_le(w, f->fd >= 0, 1);
        snap_put_le(w, pl, 2);
        bytes_put(w, f->path, pl);
        return 0;
}

int p9_server_save(struct p9_server *s, uint8_t **data, size_t *len, struct kago_err *err)
{
        struct bytes w = { 0 };
        uint32_t n = 0;
        snap_put_le(&w, P9_SNAP_VERSION, 4);
        snap_put_le(&w, 0, 4); /* the count, filled in below */
        for (unsigned b = 0; b < P9_FID_BUCKETS; b++)
                for (const struct p9_fid *f = s->fids[b]; f; f = f->next, n++)
                        if (save_fid(&w, f, err) < 0) {
                                bytes_free(&w);
                                return -1;
                        }
        snap_patch_le(&w, 4, n, 4);
        *data = w.data;
        *len = w.len;
        return 0;
}

/* ---- load ---------------------------------------------------------------- */

struct sfid {
        uint32_t fid, uid, flags;
        bool open;
        char path[PATH_MAX + 1];
};

/* "." or components joined by single '/': none empty, "." or "..", no NUL. */
static bool valid_path(const uint8_t *p, size_t n)
{
        if (n == 1 && p[0] == '.')
                return true;
        if (n == 0 || memchr(p, 0, n))
                return false;
        for (size_t start = 0; start <= n;) {
                const uint8_t *slash = memchr(p + start, '/', n - start);
                size_t end = slash ? (size_t)(slash - p) : n, c = end - start;
                if (c == 0 || c > NAME_MAX || (c == 1 && p[start] == '.') ||
                    (c == 2 && p[start] == '.' && p[start + 1] == '.'))
                        return false;
                start = end + 1;
        }
        return true;
}

static int parse_fid(struct snap_cursor *r, size_t k, struct sfid *f, struct kago_err *err)
{
        uint64_t fid, uid, flags, open, pl;
        if (!snap_get_le(r, 4, &fid) || !snap_get_le(r, 4, &uid) || !snap_get_le(r, 4, &flags) ||
            !snap_get_le(r, 1, &open) || !snap_get_le(r, 2, &pl) || r->left < pl)
                return kago_err_set(err, "9p table: fid record %zu truncated", k);
        const uint8_t *path = r->p;
        r->p += pl;
        r->left -= pl;
        if (fid == P9_NOFID || open > 1)
                return kago_err_set(err, "9p table: fid %llu: invalid", (unsigned long long)fid);
        if (pl > PATH_MAX || !valid_path(path, pl))
                return kago_err_set(err, "9p table: fid %llu: invalid path",
                                    (unsigned long long)fid);
        *f = (struct sfid){ .fid = (uint32_t)fid,
                            .uid = (uint32_t)uid,
                            .flags = (uint32_t)flags & P9_SNAP_FLAGS,
                            .open = open };
        memcpy(f->path, path, pl);
        return 0;
}

static int by_fid(const void *a, const void *b)
{
        uint32_t x = ((const struct sfid *)a)->fid, y = ((const struct sfid *)b)->fid;
        return x < y ? -1 : x > y;
}

static int parse(const uint8_t *data, size_t len, struct sfid **out, size_t *n,
                 struct kago_err *err)
{
        struct snap_cursor r = { .p = data, .left = len };
        uint64_t version, count;
        if (!snap_get_le(&r, 4, &version) || !snap_get_le(&r, 4, &count))
                return kago_err_set(err, "9p table: truncated header");
        if (version != P9_SNAP_VERSION)
                return kago_err_set(err, "9p table: version %llu (kago reads %d)",
                                    (unsigned long long)version, P9_SNAP_VERSION);
        if (count > r.left / P9_SNAP_FID_MIN)
                return kago_err_set(err, "9p table: %llu fids in %zu bytes",
                                    (unsigned long long)count, r.left);
        struct sfid *f = xcalloc(count ? count : 1, sizeof *f);
        *out = f;
        *n = count;
        for (size_t k = 0; k < count; k++)
                if (parse_fid(&r, k, &f[k], err) < 0)
                        return -1;
        if (r.left)
                return kago_err_set(err, "9p table: %zu bytes after the last fid", r.left);
        qsort(f, count, sizeof *f, by_fid);
        for (size_t k = 1; k < count; k++)
                if (f[k].fid == f[k - 1].fid)
                        return kago_err_set(err, "9p table: fid %u twice", f[k].fid);
        return 0;
}

/* Reopen an open fid's file as the guest opened it. */
static int reopen(struct p9_server *s, struct p9_fid *f, uint32_t flags, struct kago_err *err)
{
        struct stat st;
        if (s->readonly && (flags & O_ACCMODE) != O_RDONLY)
                return kago_err_errno(err, EROFS, "9p table: fid %u: reopen %s for writing", f->fid,
                                      f->path);
        int fd = p9_open_beneath(s, f->path, (int)flags | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0);
        int rc = fd < 0 ? fd : fs_open_settle(fd, true, flags & O_NONBLOCK, &st);
        if (rc == -ENOENT)
                return kago_err_set(err, "9p table: fid %u: open file %s is gone", f->fid, f->path);
        if (rc < 0)
                return kago_err_errno(err, -rc, "9p table: fid %u: reopen %s", f->fid, f->path);
        f->fd = fd;
        return 0;
}

static bool fresh(const struct p9_server *s)
{
        for (unsigned b = 0; b < P9_FID_BUCKETS; b++)
                if (s->fids[b])
                        return false;
        return true;
}

int p9_server_load(struct p9_server *s, const uint8_t *data, size_t len, struct kago_err *err)
{
        struct sfid *fids = NULL;
        size_t n = 0;
        if (!fresh(s))
                return kago_err_set(err, "9p table: the server has served requests already");
        if (parse(data, len, &fids, &n, err) < 0) {
                free(fids);
                return -1;
        }
        for (size_t k = 0; k < n; k++) {
                struct p9_fid *f = p9_fid_new(s, fids[k].fid, xstrdup(fids[k].path), fids[k].uid);
                if (!f || (fids[k].open && reopen(s, f, fids[k].flags, err) < 0)) {
                        if (!f) /* unique: checked; a fid the server will not take */
                                kago_err_set(err, "9p table: fid %u refused", fids[k].fid);
                        p9_fid_clear(s);
                        free(fids);
                        return -1;
                }
        }
        free(fids);
        return 0;
}
