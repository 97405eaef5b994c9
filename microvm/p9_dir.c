/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 9P2000.L directory changes: mkdir, symlink, mknod, link, rename, unlink, remove. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fs_entry.h"
#include "p9.h"

/* The directory fid's O_PATH fd and a validated entry name in it. */
static int dir_entry(struct p9_server *s, uint32_t dfid, const char *name, int *dfd)
{
        struct p9_fid *d = p9_fid_get(s, dfid);
        if (!d)
                return -EBADF;
        if (!name || !*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
                return -EINVAL;
        if (s->readonly)
                return -EROFS;
        *dfd = p9_open_beneath(s, d->path, O_PATH | O_DIRECTORY, 0);
        return *dfd < 0 ? *dfd : 0;
}

/* Give a new entry the creating user's ids; best effort, as in a container
 * ids the host cannot represent keep the server's. */
static void chown_new(struct p9_server *s, uint32_t dfid, int dfd, const char *name, uint32_t gid)
{
        struct p9_fid *d = p9_fid_get(s, dfid);
        uid_t uid = d && d->uid != P9_NONUNAME ? d->uid : (uid_t)-1;
        if (fchownat(dfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                errno = 0;
}

static int reply_new(int dfd, const char *name, struct p9_out *out)
{
        struct stat st = { 0 };
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        p9_put_qid(out, &st);
        return 0;
}

/* Create name in directory fid dfid, owned by the fid's user and gid,
 * and reply with its qid. */
static int create_entry(struct p9_server *s, uint32_t dfid, const char *name, uint32_t gid,
                        const struct fs_new_entry *e, struct p9_out *out)
{
        _cleanup_close_ int dfd = -1;
        int rc = dir_entry(s, dfid, name, &dfd);
        if (rc == 0)
                rc = fs_make_entry(dfd, name, e);
        if (rc < 0)
                return rc;
        chown_new(s, dfid, dfd, name, gid);
        return reply_new(dfd, name, out);
}

int p9_op_mkdir(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        uint32_t dfid = p9_get32(in);
        _cleanup_free_ char *name = p9_getstr(in);
        struct fs_new_entry e = { .kind = FS_NEW_DIR, .mode = p9_get32(in) };
        uint32_t gid = p9_get32(in);
        return in->bad ? -EINVAL : create_entry(s, dfid, name, gid, &e, out);
}

int p9_op_symlink(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        uint32_t dfid = p9_get32(in);
        _cleanup_free_ char *name = p9_getstr(in);
        _cleanup_free_ char *target = p9_getstr(in);
        struct fs_new_entry e = { .kind = FS_NEW_SYMLINK, .target = target };
        uint32_t gid = p9_get32(in);
        return in->bad ? -EINVAL : create_entry(s, dfid, name, gid, &e, out);
}

int p9_op_mknod(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        uint32_t dfid = p9_get32(in);
        _cleanup_free_ char *name = p9_getstr(in);
        struct fs_new_entry e = { .kind = FS_NEW_NODE, .mode = p9_get32(in) };
        uint32_t major = p9_get32(in), minor = p9_get32(in);
        uint32_t gid = p9_get32(in);
        e.dev = makedev(major, minor);
        return in->bad ? -EINVAL : create_entry(s, dfid, name, gid, &e, out);
}

int p9_op_link(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        (void)out;
        uint32_t dfid = p9_get32(in), fid = p9_get32(in);
        _cleanup_free_ char *name = p9_getstr(in);
        _cleanup_close_ int dfd = -1, sfd = -1;
        if (in->bad)
                return -EINVAL;
        struct p9_fid *f = p9_fid_get(s, fid);
        if (!f)
                return -EBADF;
        int rc = dir_entry(s, dfid, name, &dfd);
        if (rc < 0)
                return rc;
        const char *base;
        sfd = p9_open_parent(s, f->path, &base);
        if (sfd < 0)
                return sfd;
        return linkat(sfd, base, dfd, name, 0) < 0 ? -errno : 0;
}

static int rename_entries(struct p9_server *s, int ofd, const char *oname, uint32_t ndfid,
                          const char *nname)
{
        _cleanup_close_ int nfd = -1;
        int rc = dir_entry(s, ndfid, nname, &nfd);
        if (rc < 0)
                return rc;
        return renameat(ofd, oname, nfd, nname) < 0 ? -errno : 0;
}

int p9_op_renameat(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        (void)out;
        uint32_t odfid = p9_get32(in);
        _cleanup_free_ char *oname = p9_getstr(in);
        uint32_t ndfid = p9_get32(in);
        _cleanup_free_ char *nname = p9_getstr(in);
        _cleanup_close_ int ofd = -1;
        if (in->bad)
                return -EINVAL;
        int rc = dir_entry(s, odfid, oname, &ofd);
        if (rc < 0)
                return rc;
        return rename_entries(s, ofd, oname, ndfid, nname);
}

int p9_op_rename(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        (void)out;
        uint32_t fid = p9_get32(in), dfid = p9_get32(in);
        _cleanup_free_ char *name = p9_getstr(in);
        _cleanup_close_ int ofd = -1;
        if (in->bad)
                return -EINVAL;
        struct p9_fid *f = p9_fid_get(s, fid), *d = p9_fid_get(s, dfid);
        if (!f || !d)
                return -EBADF;
        if (s->readonly)
                return -EROFS;
        const char *base;
        ofd = p9_open_parent(s, f->path, &base);
        if (ofd < 0)
                return ofd;
        int rc = rename_entries(s, ofd, base, dfid, name);
        if (rc == 0) {
                char *np = p9_path_join(d->path, name);
                free(f->path);
                f->path = np;
        }
        return rc;
}

int p9_op_unlinkat(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        (void)out;
        uint32_t dfid = p9_get32(in);
        _cleanup_free_ char *name = p9_getstr(in);
        uint32_t flags = p9_get32(in);
        _cleanup_close_ int dfd = -1;
        if (in->bad)
                return -EINVAL;
        int rc = dir_entry(s, dfid, name, &dfd);
        if (rc < 0)
                return rc;
        return unlinkat(dfd, name, flags & AT_REMOVEDIR) < 0 ? -errno : 0;
}

int p9_op_remove(struct p9_server *s, struct p9_in *in, struct p9_out *out)
{
        (void)out;
        uint32_t fid = p9_get32(in);
        if (in->bad)
                return -EINVAL;
        struct p9_fid *f = p9_fid_get(s, fid);
        if (!f)
                return -EBADF;
        int rc = s->readonly ? -EROFS : 0;
        struct stat st = { 0 };
        if (rc == 0)
                rc = p9_lstat(s, f->path, &st);
        const char *base = NULL;
        int dfd = rc == 0 ? p9_open_parent(s, f->path, &base) : rc;
        if (dfd >= 0) {
                rc = !base ? -EINVAL
                     : unlinkat(dfd, base, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0 ? -errno : 0;
                close(dfd);
        } else {
                rc = dfd;
        }
        p9_fid_del(s, fid); /* remove clunks the fid even when it fails */
        return rc;
}
