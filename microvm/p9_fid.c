/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 9P fids (the client's handles) and path resolution beneath the root. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "p9.h"

static struct p9_fid **bucket(struct p9_server *s, uint32_t fid)
{
        return &s->fids[(fid * 2654435761u) >> 24 & (P9_FID_BUCKETS - 1)];
}

struct p9_fid *p9_fid_get(struct p9_server *s, uint32_t fid)
{
        for (struct p9_fid *f = *bucket(s, fid); f; f = f->next)
                if (f->fid == fid)
                        return f;
        return NULL;
}

struct p9_fid *p9_fid_new(struct p9_server *s, uint32_t fid, char *path, uint32_t uid)
{
        if (fid == P9_NOFID || p9_fid_get(s, fid)) {
                free(path);
                return NULL;
        }
        struct p9_fid *f = xcalloc(1, sizeof *f);
        *f = (struct p9_fid){ .fid = fid, .path = path, .fd = -1, .uid = uid };
        struct p9_fid **b = bucket(s, fid);
        f->next = *b;
        *b = f;
        return f;
}

void p9_fid_close(struct p9_fid *f)
{
        if (f->dir)
                closedir(f->dir);
        if (f->fd >= 0)
                close(f->fd);
        f->dir = NULL;
        f->fd = -1;
}

void p9_fid_del(struct p9_server *s, uint32_t fid)
{
        for (struct p9_fid **pp = bucket(s, fid); *pp; pp = &(*pp)->next) {
                struct p9_fid *f = *pp;
                if (f->fid != fid)
                        continue;
                *pp = f->next;
                p9_fid_close(f);
                free(f->path);
                free(f);
                return;
        }
}

void p9_fid_clear(struct p9_server *s)
{
        for (unsigned i = 0; i < P9_FID_BUCKETS; i++)
                while (s->fids[i])
                        p9_fid_del(s, s->fids[i]->fid);
}

char *p9_path_join(const char *dir, const char *name)
{
        if (!*name || strchr(name, '/'))
                return NULL;
        if (strcmp(name, ".") == 0)
                return xstrdup(dir);
        if (strcmp(name, "..") == 0) {
                const char *slash = strrchr(dir, '/');
                return slash ? xasprintf("%.*s", (int)(slash - dir), dir) : xstrdup(".");
        }
        return strcmp(dir, ".") == 0 ? xstrdup(name) : xasprintf("%s/%s", dir, name);
}

int p9_open_beneath(struct p9_server *s, const char *path, int flags, mode_t mode)
{
        int fd = root_openat2(s->root_fd, path, flags, mode);
        return fd < 0 ? -errno : fd;
}

int p9_open_parent(struct p9_server *s, const char *path, const char **base)
{
        const char *slash = strrchr(path, '/');
        if (!slash) {
                *base = path;
                return p9_open_beneath(s, ".", O_PATH | O_DIRECTORY, 0);
        }
        *base = slash + 1;
        char *dir = xasprintf("%.*s", (int)(slash - path), path);
        int fd = p9_open_beneath(s, dir, O_PATH | O_DIRECTORY, 0);
        free(dir);
        return fd;
}

int p9_lstat(struct p9_server *s, const char *path, struct stat *st)
{
        const char *base;
        int dfd = p9_open_parent(s, path, &base);
        if (dfd < 0)
                return dfd;
        int rc = fstatat(dfd, base, st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
        close(dfd);
        return rc;
}
