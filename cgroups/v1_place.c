/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container's directories in the cgroup v1 hierarchies: made beside
 * its cgroup2 one (same path), entered, opened again, removed. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "internal.h"

static void add_dir(struct cgroup *cg, const char *controllers, const char *dir, int dirfd)
{
        cg->v1 = xrealloc(cg->v1, (cg->n_v1 + 1) * sizeof *cg->v1);
        cg->v1[cg->n_v1++] = (struct cg_v1_dir){ xstrdup(controllers), xstrdup(dir), dirfd, NULL, NULL };
}

void cg_v1_dirs_free(struct cgroup *cg)
{
        for (size_t i = 0; i < cg->n_v1; i++) {
                if (cg->v1[i].dirfd >= 0)
                        close(cg->v1[i].dirfd);
                free(cg->v1[i].controllers);
                free(cg->v1[i].dir);
                free(cg->v1[i].mount);
                free(cg->v1[i].created);
        }
        free(cg->v1);
        cg->v1 = NULL;
        cg->n_v1 = 0;
}

char *cg_v1_dirs_controllers(const struct cgroup *cg)
{
        char *out = xstrdup("");

        for (size_t i = 0; i < cg->n_v1; i++) {
                char *next = xasprintf("%s%s%s", out, *out ? " " : "", cg->v1[i].controllers);
                free(out);
                out = next;
        }
        return out;
}

/* On a v1-only host the cgroup's "directory" (cgroup_dir, messages) is its
 * first v1 one. */
static void name_v1_only_dir(struct cgroup *cg)
{
        if (cg->mount || cg->n_v1 == 0)
                return;
        free(cg->dir);
        cg->dir = xstrdup(cg->v1[0].dir);
}

/* A fresh v1 cpuset has no cpus and no mems, and refuses processes until it
 * has: copy each empty one from the parent, top down. */
static int cpuset_copy_from_parent(const char *dir, const char *file, struct kago_err *err)
{
        _cleanup_free_ char *mine = NULL, *parent = NULL, *up = xasprintf("%s/..", dir);
        _cleanup_close_ int fd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int upfd = open(up, O_DIRECTORY | O_RDONLY | O_CLOEXEC);

        if (fd < 0 || upfd < 0)
                return kago_err_errno(err, errno, "open cpuset %s", dir);
        if (cg_read(fd, file, &mine, err) < 0)
                return -1;
        if (mine[strspn(mine, " \n")] != '\0')
                return 0;
        if (cg_read(upfd, file, &parent, err) < 0)
                return -1;
        if (file_write_at(fd, file, parent, strlen(parent), err) < 0)
                return kago_err_wrap(err, "copy %s from the parent cpuset into %s", file, dir);
        return 0;
}

static int cpuset_inherit(const char *mount, const char *path, struct kago_err *err)
{
        _cleanup_free_ char *full = xasprintf("%s%s", mount, path);

        for (char *p = full + strlen(mount) + 1;; p++) {
                if (*p != '/' && *p != '\0')
                        continue;
                char saved = *p;
                *p = '\0';
                int rc = cpuset_copy_from_parent(full, "cpuset.cpus", err);
                if (rc == 0)
                        rc = cpuset_copy_from_parent(full, "cpuset.mems", err);
                *p = saved;
                if (rc < 0 || !saved)
                        return rc;
        }
}

/* path in one hierarchy, recorded in cg with what was made (for undo). */
static int make_one(struct cgroup *cg, const struct cg_v1_mount *m, const char *path, struct kago_err *err)
{
        _cleanup_free_ char *created = NULL, *dir = xasprintf("%s%s", m->mount, path);
        int fd = -1;

        if (cg_path_make(m->mount, path, &created, err) < 0)
                return -1;
        if (cg_list_has(m->controllers, "cpuset") && cpuset_inherit(m->mount, path, err) < 0)
                goto undo;
        fd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                kago_err_errno(err, errno, "open cgroup %s", dir);
                goto undo;
        }
        add_dir(cg, m->controllers, dir, fd);
        cg->v1[cg->n_v1 - 1].mount = xstrdup(m->mount);
        cg->v1[cg->n_v1 - 1].created = TAKE_PTR(created);
        return 0;
undo:
        if (created)
                cg_path_remove_created(m->mount, path, created);
        return -1;
}

void cg_v1_undo_create(struct cgroup *cg)
{
        for (size_t i = 0; i < cg->n_v1; i++) {
                struct cg_v1_dir *d = &cg->v1[i];
                if (d->dirfd >= 0)
                        close(d->dirfd);
                d->dirfd = -1;
                if (d->created && d->mount)
                        cg_path_remove_created(d->mount, d->dir + strlen(d->mount), d->created);
        }
        cg_v1_dirs_free(cg);
}

int cg_v1_create(struct cgroup *cg, const struct cg_v1_mount *m, size_t n, const char *path,
                 struct kago_err *err)
{
        for (size_t i = 0; i < n; i++) {
                if (make_one(cg, &m[i], path, err) < 0) {
                        cg_v1_undo_create(cg);
                        return kago_err_wrap(err, "cgroup v1 %s", m[i].controllers);
                }
        }
        name_v1_only_dir(cg);
        return 0;
}

int cg_v1_open(struct cgroup *cg, const char *path, struct kago_err *err)
{
        struct cg_v1_mount *m = NULL;
        size_t n = 0;

        (void)err;
        cg_v1_host_mounts(&m, &n);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *dir = xasprintf("%s%s", m[i].mount, path);
                int fd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
                if (fd >= 0)
                        add_dir(cg, m[i].controllers, dir, fd);
        }
        cg_v1_mounts_free(m, n);
        name_v1_only_dir(cg);
        return 0;
}

int cg_procs_fd(const struct cgroup *cg)
{
        const struct cg_v1_dir *d;

        if (cg->dirfd >= 0 || cg->n_v1 == 0)
                return cg->dirfd;
        if ((d = cg_v1_dir_for(cg, "pids")) || (d = cg_v1_dir_for(cg, "memory")))
                return d->dirfd;
        return cg->v1[0].dirfd;
}

int cg_v1_enter(struct cgroup *cg, pid_t pid, struct kago_err *err)
{
        char buf[24];
        int len = snprintf(buf, sizeof buf, "%d", (int)pid);

        for (size_t i = 0; i < cg->n_v1; i++)
                if (file_write_at(cg->v1[i].dirfd, "cgroup.procs", buf, (size_t)len, err) < 0)
                        return kago_err_wrap(err, "cgroup %s", cg->v1[i].dir);
        return 0;
}

int cg_v1_is_populated(struct cgroup *cg, bool *populated, struct kago_err *err)
{
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;

        if (cgroup_pids(cg, &pids, &n, err) < 0)
                return -1;
        *populated = n > 0;
        return 0;
}

int cg_v1_destroy(struct cgroup *cg, int timeout_ms, struct kago_err *err)
{
        struct kago_err one = { 0 };
        int rc = 0;

        for (size_t i = 0; i < cg->n_v1; i++) {
                if (cg->v1[i].dirfd >= 0)
                        close(cg->v1[i].dirfd);
                cg->v1[i].dirfd = -1;
                if (cg_rmdir_tree(cg->v1[i].dir, timeout_ms, &one) < 0 && rc == 0) {
                        *err = one;
                        rc = -1;
                }
                kago_err_clear(&one);
        }
        return rc;
}
