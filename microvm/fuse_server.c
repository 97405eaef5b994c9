/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The FUSE server: session (INIT, DESTROY, FORGET), argument parsing and dispatch. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "fuse.h"

#define FUSE_MAX_WRITE_MIN 4096
#define FUSE_MINOR 31
#define FUSE_OPEN_MIN 16   /* inode fds kept open: at least, */
#define FUSE_OPEN_MAX 4096 /* at most, else half the RLIMIT_NOFILE soft limit */
/* What kago asks of the guest kernel when it offers it. */
#define FUSE_WANTED (FUSE_ASYNC_READ | FUSE_ATOMIC_O_TRUNC | FUSE_BIG_WRITES | FUSE_AUTO_INVAL_DATA | \
                     FUSE_PARALLEL_DIROPS | FUSE_MAX_PAGES | FUSE_DO_READDIRPLUS |                \
                     FUSE_READDIRPLUS_AUTO)

/* How many inode fds to keep: half the fd limit, the rest for open files
 * and the VMM itself. */
static size_t open_budget(void)
{
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
                return FUSE_OPEN_MAX;
        size_t n = (size_t)rl.rlim_cur / 2;
        return n < FUSE_OPEN_MIN ? FUSE_OPEN_MIN : n > FUSE_OPEN_MAX ? FUSE_OPEN_MAX : n;
}

int fuse_server_new(const char *root, bool readonly, uint32_t max_write, struct fuse_server **out,
                    struct kago_err *err)
{
        int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return kago_err_errno(err, errno, "open shared root %s", root);
        int proc = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (proc < 0) {
                int e = errno;
                close(fd);
                return kago_err_errno(err, e, "virtio-fs: open /proc/self/fd (the server "
                                      "reopens files through it; is /proc mounted?)");
        }
        struct fuse_server *s = xcalloc(1, sizeof *s);
        s->readonly = readonly;
        s->max_write = max_write < FUSE_MAX_WRITE_MIN ? FUSE_MAX_WRITE_MIN : max_write;
        s->open_max = open_budget();
        s->host_umask = umask(0);
        umask(s->host_umask);
        s->root_fd = fd;
        s->proc_fd = proc;
        if (fuse_inode_add_root(s, s->root_fd) < 0) {
                fuse_server_free(s);
                return kago_err_errno(err, errno, "virtio-fs: root %s", root);
        }
        *out = s;
        return 0;
}

void fuse_server_free(struct fuse_server *s)
{
        if (!s)
                return;
        fuse_inode_clear(s);
        for (size_t i = 0; i < s->n_fhs; i++)
                fuse_fh_close(s, i);
        free(s->fhs);
        free(s->inodes);
        close(s->root_fd);
        close(s->proc_fd);
        free(s);
}

uint32_t fuse_server_max_write(const struct fuse_server *s)
{
        return s->max_write;
}

const void *fuse_arg(struct fuse_req *r, size_t n)
{
        if (n > r->arg_len)
                return NULL;
        const void *p = r->arg;
        r->arg += n;
        r->arg_len -= n;
        return p;
}

const char *fuse_arg_str(struct fuse_req *r, size_t max)
{
        const uint8_t *nul = memchr(r->arg, 0, r->arg_len);
        if (!nul || (size_t)(nul - r->arg) > max || nul == r->arg)
                return NULL;
        return fuse_arg(r, (size_t)(nul - r->arg) + 1);
}

const char *fuse_arg_name(struct fuse_req *r)
{
        const char *name = fuse_arg_str(r, NAME_MAX);
        if (!name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
                return NULL;
        return name;
}

void *fuse_reply(struct fuse_req *r, size_t n)
{
        if (n > r->cap - r->out_len)
                return NULL;
        void *p = r->out + r->out_len;
        memset(p, 0, n);
        r->out_len += n;
        return p;
}

static int op_init(struct fuse_req *r)
{
        const struct fuse_init_in *in = fuse_arg(r, offsetof(struct fuse_init_in, flags2));
        struct fuse_init_out *o = fuse_reply(r, sizeof *o);
        if (!in || !o)
                return -EINVAL;
        o->major = FUSE_KERNEL_VERSION;
        o->minor = FUSE_MINOR;
        if (in->major < FUSE_KERNEL_VERSION)
                return -EPROTO;
        if (in->major > FUSE_KERNEL_VERSION)
                return 0; /* the guest retries with our major */
        fuse_inode_clear(r->s);
        if (fuse_inode_add_root(r->s, r->s->root_fd) < 0)
                return -errno;
        o->max_readahead = in->max_readahead;
        o->flags = in->flags & FUSE_WANTED;
        o->max_background = 16;
        o->congestion_threshold = 12;
        o->max_write = r->s->max_write;
        o->time_gran = 1;
        o->max_pages = (uint16_t)(r->s->max_write / 4096);
        return 0;
}

static int op_forget(struct fuse_req *r)
{
        const struct fuse_forget_in *in = fuse_arg(r, sizeof *in);
        if (in)
                fuse_inode_forget(r->s, r->h.nodeid, in->nlookup);
        return 1; /* no reply */
}

static int op_batch_forget(struct fuse_req *r)
{
        const struct fuse_batch_forget_in *in = fuse_arg(r, sizeof *in);
        for (uint32_t i = 0; in && i < in->count; i++) {
                const struct fuse_forget_one *one = fuse_arg(r, sizeof *one);
                if (!one)
                        break;
                fuse_inode_forget(r->s, one->nodeid, one->nlookup);
        }
        return 1;
}

static int op_ok(struct fuse_req *r)
{
        (void)r;
        return 0;
}

static fuse_op op_for(uint32_t opcode)
{
        switch (opcode) {
        case FUSE_INIT: return op_init;
        case FUSE_DESTROY: return op_ok;
        case FUSE_FORGET: return op_forget;
        case FUSE_BATCH_FORGET: return op_batch_forget;
        case FUSE_LOOKUP: return fuse_op_lookup;
        case FUSE_GETATTR: return fuse_op_getattr;
        case FUSE_SETATTR: return fuse_op_setattr;
        case FUSE_READLINK: return fuse_op_readlink;
        case FUSE_STATFS: return fuse_op_statfs;
        case FUSE_ACCESS: return fuse_op_access;
        case FUSE_OPEN: return fuse_op_open;
        case FUSE_CREATE: return fuse_op_create;
        case FUSE_READ: return fuse_op_read;
        case FUSE_WRITE: return fuse_op_write;
        case FUSE_RELEASE: return fuse_op_release;
        case FUSE_FLUSH: return fuse_op_flush;
        case FUSE_FSYNC: return fuse_op_fsync;
        case FUSE_OPENDIR: return fuse_op_opendir;
        case FUSE_READDIR: return fuse_op_readdir;
        case FUSE_READDIRPLUS: return fuse_op_readdirplus;
        case FUSE_RELEASEDIR: return fuse_op_releasedir;
        case FUSE_FSYNCDIR: return fuse_op_fsyncdir;
        case FUSE_MKNOD: return fuse_op_mknod;
        case FUSE_MKDIR: return fuse_op_mkdir;
        case FUSE_SYMLINK: return fuse_op_symlink;
        case FUSE_LINK: return fuse_op_link;
        case FUSE_UNLINK: return fuse_op_unlink;
        case FUSE_RMDIR: return fuse_op_rmdir;
        case FUSE_RENAME: return fuse_op_rename;
        case FUSE_RENAME2: return fuse_op_rename2;
        default: return NULL;
        }
}

static size_t reply_finish(uint8_t *resp, uint64_t unique, int error, size_t body)
{
        struct fuse_out_header h = { .len = (uint32_t)(sizeof h + body), .error = error,
                                     .unique = unique };
        memcpy(resp, &h, sizeof h);
        return h.len;
}

static bool takes_reply(uint32_t opcode)
{
        return opcode != FUSE_FORGET && opcode != FUSE_BATCH_FORGET;
}

size_t fuse_handle(struct fuse_server *s, const uint8_t *req, size_t len, uint8_t *resp, size_t cap)
{
        struct fuse_req r = { .s = s };
        const size_t oh = sizeof(struct fuse_out_header);
        if (len < sizeof r.h)
                return 0;
        memcpy(&r.h, req, sizeof r.h);
        if (cap < oh && takes_reply(r.h.opcode))
                return 0; /* nowhere to answer: do nothing */
        if (r.h.len < sizeof r.h || r.h.len > len)
                return cap < oh ? 0 : reply_finish(resp, r.h.unique, -EINVAL, 0);
        r.arg = req + sizeof r.h;
        r.arg_len = r.h.len - sizeof r.h;
        r.out = resp + (cap < oh ? 0 : oh);
        r.cap = cap < oh ? 0 : cap - oh;
        fuse_op op = op_for(r.h.opcode);
        int rc = op ? op(&r) : -ENOSYS;
        fuse_inode_trim(s);
        if (rc > 0 || !takes_reply(r.h.opcode))
                return 0;
        return reply_finish(resp, r.h.unique, rc, rc < 0 ? 0 : r.out_len);
}
