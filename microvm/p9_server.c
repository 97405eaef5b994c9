/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The 9P2000.L server: session (version, attach, walk, clunk) and dispatch. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "p9.h"

#define P9_MSIZE_MIN 4096

/* Every guest path is opened inside root (openat2 RESOLVE_IN_ROOT): without
 * openat2 the guest could follow a symlink out of it, so 9p is refused. */
static int p9_check_confined(int rootfd, const char *root, struct kago_err *err)
{
        _cleanup_close_ int fd = root_openat2(rootfd, ".", O_PATH | O_DIRECTORY, 0);
        if (fd >= 0)
                return 0;
        if (errno == ENOSYS)
                return kago_err_errno(err, errno,
                                      "virtio-9p: shared root %s: openat2 (Linux 5.6) is "
                                      "needed to keep the guest's paths inside it",
                                      root);
        return kago_err_errno(err, errno, "virtio-9p: open shared root %s", root);
}

int p9_server_new(const char *root, bool readonly, uint32_t msize, struct p9_server **out,
                  struct kago_err *err)
{
        _cleanup_close_ int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return kago_err_errno(err, errno, "open shared root %s", root);
        if (p9_check_confined(fd, root, err) < 0)
                return -1;
        struct p9_server *s = xcalloc(1, sizeof *s);
        s->root_fd = TAKE_FD(fd);
        s->readonly = readonly;
        s->msize = msize < P9_MSIZE_MIN ? P9_MSIZE_MIN : msize;
        *out = s;
        return 0;
}

void p9_server_free(struct p9_server *s)
{
        if (!s)
                return;
        p9_fid_clear(s);
        close(s->root_fd);
        free(s);
}

uint32_t p9_server_msize(const struct p9_server *s)
{
        return s->msize;
}

static int op_version(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        uint32_t msize = p9_get32(in);
        _cleanup_free_ char *version = p9_getstr(in);
        if (in->bad)
                return -EINVAL;
        if (msize < P9_MSIZE_MIN)
                return -EINVAL;
        p9_fid_clear(s);
        if (msize < s->msize)
                s->msize = msize;
        p9_put32(out, s->msize);
        p9_putstr(out, str_has_prefix(version, "9P2000.L") ? "9P2000.L" : "unknown");
        return 0;
}

static int op_attach(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        uint32_t fid = p9_get32(in);
        p9_get32(in); /* afid: no authentication */
        free(p9_getstr(in)); /* uname and aname: one tree, ids come as numbers */
        free(p9_getstr(in));
        uint32_t uid = p9_get32(in);
        if (in->bad)
                return -EINVAL;
        struct stat st;
        if (fstat(s->root_fd, &st) < 0)
                return -errno;
        if (!p9_fid_new(s, fid, xstrdup("."), uid))
                return -EBADF;
        p9_put_qid(out, &st);
        return 0;
}

static int walk_names(struct p9_server *s, struct p9_in *in, char **path, struct p9_out *out)
{
        uint16_t n = p9_get16(in);
        uint8_t *count = p9_reserve(out, 2);
        uint16_t done = 0;
        for (uint16_t i = 0; i < n && !in->bad; i++) {
                _cleanup_free_ char *name = p9_getstr(in);
                char *next = name ? p9_path_join(*path, name) : NULL;
                struct stat st;
                int rc = next ? p9_lstat(s, next, &st) : -EINVAL;
                if (rc < 0) {
                        free(next);
                        if (i == 0)
                                return rc;
                        break;
                }
                free(*path);
                *path = next;
                p9_put_qid(out, &st);
                done++;
        }
        if (in->bad)
                return -EINVAL;
        if (count)
                count[0] = (uint8_t)done, count[1] = (uint8_t)(done >> 8);
        return done == n ? 1 : 0;
}

static int op_walk(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        uint32_t fid = p9_get32(in), newfid = p9_get32(in);
        struct p9_fid *f = p9_fid_get(s, fid);
        if (in->bad)
                return -EINVAL;
        if (!f)
                return -EBADF;
        if (newfid != fid && p9_fid_get(s, newfid))
                return -EBADF;
        char *path = xstrdup(f->path);
        uint32_t uid = f->uid;
        int rc = walk_names(s, in, &path, out);
        if (rc <= 0) {
                free(path);
                return rc;
        }
        if (newfid == fid)
                p9_fid_del(s, fid);
        p9_fid_new(s, newfid, path, uid);
        return 0;
}

static int op_clunk(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        (void)out;
        uint32_t fid = p9_get32(in);
        if (in->bad)
                return -EINVAL;
        if (!p9_fid_get(s, fid))
                return -EBADF;
        p9_fid_del(s, fid);
        return 0;
}

static int op_flush(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        (void)s, (void)out;
        p9_get16(in); /* requests are served synchronously: nothing to cancel */
        return in->bad ? -EINVAL : 0;
}

static int op_unsupported(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        (void)s, (void)in, (void)out;
        return -EOPNOTSUPP;
}

static int op_lock(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        (void)s, (void)in;
        p9_put8(out, 0); /* P9_LOCK_SUCCESS: locks are local to the one guest */
        return 0;
}

static int op_getlock(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        (void)s;
        p9_get32(in);
        p9_get8(in);
        uint64_t start = p9_get64(in), length = p9_get64(in);
        uint32_t proc = p9_get32(in);
        _cleanup_free_ char *client = p9_getstr(in);
        if (in->bad)
                return -EINVAL;
        p9_put8(out, F_UNLCK);
        p9_put64(out, start);
        p9_put64(out, length);
        p9_put32(out, proc);
        p9_putstr(out, client);
        return 0;
}

static p9_op op_for(uint8_t type)
{
        switch (type) {
        case P9_TVERSION: return op_version;
        case P9_TATTACH: return op_attach;
        case P9_TWALK: return op_walk;
        case P9_TCLUNK: return op_clunk;
        case P9_TFLUSH: return op_flush;
        case P9_TLOCK: return op_lock;
        case P9_TGETLOCK: return op_getlock;
        case P9_TLOPEN: return p9_op_lopen;
        case P9_TLCREATE: return p9_op_lcreate;
        case P9_TREAD: return p9_op_read;
        case P9_TWRITE: return p9_op_write;
        case P9_TREADDIR: return p9_op_readdir;
        case P9_TFSYNC: return p9_op_fsync;
        case P9_TGETATTR: return p9_op_getattr;
        case P9_TSETATTR: return p9_op_setattr;
        case P9_TSTATFS: return p9_op_statfs;
        case P9_TREADLINK: return p9_op_readlink;
        case P9_TMKDIR: return p9_op_mkdir;
        case P9_TSYMLINK: return p9_op_symlink;
        case P9_TMKNOD: return p9_op_mknod;
        case P9_TLINK: return p9_op_link;
        case P9_TRENAME: return p9_op_rename;
        case P9_TRENAMEAT: return p9_op_renameat;
        case P9_TUNLINKAT: return p9_op_unlinkat;
        case P9_TREMOVE: return p9_op_remove;
        default: return op_unsupported;
        }
}

static size_t reply_finish(struct p9_out *o, uint8_t type, uint16_t tag)
{
        uint32_t size = (uint32_t)o->len;
        uint8_t h[P9_HDR] = { (uint8_t)size, (uint8_t)(size >> 8), (uint8_t)(size >> 16),
                              (uint8_t)(size >> 24), type, (uint8_t)tag, (uint8_t)(tag >> 8) };
        memcpy(o->p, h, P9_HDR);
        return size;
}

static size_t reply_error(uint8_t *resp, size_t cap, uint16_t tag, int errnum)
{
        struct p9_out o = { .p = resp, .cap = cap, .len = P9_HDR };
        p9_put32(&o, (uint32_t)errnum);
        return o.overflow ? 0 : reply_finish(&o, P9_RLERROR, tag);
}

size_t p9_handle(struct p9_server *s, const uint8_t *req, size_t len, uint8_t *resp, size_t cap)
{
        if (cap < P9_HDR + 4 || len < P9_HDR)
                return 0;
        struct p9_in in = { .p = req, .len = len, .off = 0 };
        uint32_t size = p9_get32(&in);
        uint8_t type = p9_get8(&in);
        uint16_t tag = p9_get16(&in);
        if (size < P9_HDR || size > len)
                return reply_error(resp, cap, tag, EINVAL);
        in.len = size;
        if (cap > s->msize)
                cap = s->msize;
        struct p9_out out = { .p = resp, .cap = cap, .len = P9_HDR };
        int rc = op_for(type)(s, &in, &out);
        if (rc == 0 && out.overflow)
                rc = -EMSGSIZE;
        if (rc < 0)
                return reply_error(resp, cap, tag, -rc);
        return reply_finish(&out, (uint8_t)(type + 1), tag);
}
