/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Signalling every process of a cgroup, and listing them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

#define KILL_ROUNDS 100

static int append_procs(int dirfd, const char *rel, pid_t **pids, size_t *n, struct kago_err *err)
{
        _cleanup_free_ char *file = xasprintf("%s%scgroup.procs", rel, *rel ? "/" : "");
        _cleanup_free_ char *buf = NULL;

        if (cg_read(dirfd, file, &buf, err) < 0)
                return -1;
        for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
                int64_t v;
                if (str_to_i64(l, 1, INT32_MAX, &v) < 0)
                        continue;
                *pids = xrealloc(*pids, (*n + 1) * sizeof **pids);
                (*pids)[(*n)++] = (pid_t)v;
        }
        return 0;
}

/* The pids of the cgroup at rel (relative to dirfd) and its descendants. */
static int collect_pids(int dirfd, const char *rel, int depth, pid_t **pids, size_t *n,
                        struct kago_err *err)
{
        _cleanup_close_ int fd = openat(dirfd, *rel ? rel : ".", O_DIRECTORY | O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return errno == ENOENT ? 0 : kago_err_errno(err, errno, "open cgroup %s", rel);
        if (depth > 64)
                return kago_err_set(err, "cgroup tree deeper than 64 levels");
        if (append_procs(fd, "", pids, n, err) < 0)
                return -1;
        DIR *d = fdopendir(dup(fd));
        if (!d)
                return kago_err_errno(err, errno, "list cgroup %s", rel);
        struct dirent *e;
        int rc = 0;
        while (rc == 0 && (e = readdir(d)))
                if (e->d_type == DT_DIR && strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                        rc = collect_pids(fd, e->d_name, depth + 1, pids, n, err);
        closedir(d);
        return rc;
}

static int cmp_pid(const void *a, const void *b)
{
        pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

        return (x > y) - (x < y);
}

int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n, struct kago_err *err)
{
        *pids = NULL;
        *n = 0;
        if (cg_no_cgroup(cg, "listing the processes", err))
                return -1;
        if (collect_pids(cg_procs_fd(cg), "", 0, pids, n, err) < 0) {
                free(TAKE_PTR(*pids));
                return -1;
        }
        if (*n > 1)
                qsort(*pids, *n, sizeof **pids, cmp_pid);
        return 0;
}

/* Other signals: to each process; the cgroup is frozen meanwhile so that
 * no process forks away unsignalled (runc does the same). */
static int signal_each(struct cgroup *cg, int signo, struct kago_err *err)
{
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        bool frozen = false;
        struct kago_err ignored = { 0 };

        cgroup_is_frozen(cg, &frozen, &ignored);
        if (!frozen && cgroup_freeze(cg, 1000, &ignored) < 0)
                log_debug("signal %d: freeze first failed: %s", signo, kago_err_text(&ignored));
        int rc = cgroup_pids(cg, &pids, &n, err);
        for (size_t i = 0; rc == 0 && i < n; i++)
                if (kill(pids[i], signo) < 0 && errno != ESRCH)
                        rc = kago_err_errno(err, errno, "send signal %d to process %d", signo, (int)pids[i]);
        if (!frozen)
                cgroup_thaw(cg, 1000, &ignored);
        return rc;
}

/* A task frozen by the v1 freezer dies only once thawed (cgroup v2's
 * freezer lets SIGKILL through). */
static int thaw_v1_frozen(struct cgroup *cg, struct kago_err *err)
{
        struct kago_err ignored = { 0 };
        bool frozen = false;

        if (!cg_v1_dir_for(cg, "freezer") || cg_v1_is_frozen(cg, &frozen, &ignored) < 0 || !frozen)
                return 0;
        return cg_write(cg, "freezer.state", "THAWED", err);
}

/* SIGKILL without cgroup.kill (kernels before 5.14): repeat until empty. */
static int kill_loop(struct cgroup *cg, struct kago_err *err)
{
        for (int round = 0; round < KILL_ROUNDS; round++) {
                _cleanup_free_ pid_t *pids = NULL;
                size_t n = 0;
                if (cgroup_pids(cg, &pids, &n, err) < 0)
                        return -1;
                if (n == 0)
                        return 0;
                for (size_t i = 0; i < n; i++)
                        kill(pids[i], SIGKILL);
                usleep(10000);
        }
        return kago_err_set(err, "processes of %s survive SIGKILL", cg->dir);
}

int cgroup_kill_all(struct cgroup *cg, int signo, struct kago_err *err)
{
        if (cg_no_cgroup(cg, "signalling all processes", err))
                return -1;
        if (signo != SIGKILL)
                return signal_each(cg, signo, err);
        if (faccessat(cg->dirfd, "cgroup.kill", F_OK, 0) == 0) {
                if (cg_write(cg, "cgroup.kill", "1", err) < 0)
                        return -1;
                return thaw_v1_frozen(cg, err);
        }
        if (thaw_v1_frozen(cg, err) < 0)
                return -1;
        return kill_loop(cg, err);
}
