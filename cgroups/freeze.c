/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Freezing and thawing: cgroup.freeze, then wait for cgroup.events to say
 * so (the kernel notifies with POLLPRI on the file), never forever. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include "internal.h"

int64_t cg_now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The value of key ("frozen", "populated") in cgroup.events, via fd. */
static int events_key(int fd, const char *key, bool *value, struct kago_err *err)
{
        char buf[256];
        size_t klen = strlen(key);

        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        if (n < 0)
                return kago_err_errno(err, errno, "read cgroup.events");
        buf[n] = '\0';
        for (char *l = buf; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                if (strncmp(l, key, klen) == 0 && l[klen] == ' ') {
                        *value = l[klen + 1] == '1';
                        return 0;
                }
        }
        return kago_err_set(err, "cgroup.events: no \"%s\" key (kernel older than 5.2?)", key);
}

static int open_events(struct cgroup *cg, int *fd, struct kago_err *err)
{
        *fd = openat(cg->dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
        if (*fd < 0)
                return kago_err_errno(err, errno, "open %s/cgroup.events", cg->dir);
        return 0;
}

/* Wait until cgroup.events "frozen" equals want, up to timeout_ms. */
static int wait_frozen(int fd, bool want, int timeout_ms, struct kago_err *err)
{
        int64_t deadline = cg_now_ms() + timeout_ms;
        bool frozen;

        for (;;) {
                if (events_key(fd, "frozen", &frozen, err) < 0)
                        return -1;
                if (frozen == want)
                        return 0;
                int64_t left = deadline - cg_now_ms();
                if (left <= 0)
                        return kago_err_set(err, "timed out after %d ms waiting for \"frozen %d\" in "
                                                 "cgroup.events", timeout_ms, want);
                struct pollfd p = { .fd = fd, .events = POLLPRI };
                /* Wake at least every 100 ms: a missed notification only
                 * costs a re-read. */
                if (poll(&p, 1, left < 100 ? (int)left : 100) < 0 && errno != EINTR)
                        return kago_err_errno(err, errno, "poll cgroup.events");
        }
}

#define PF_KTHREAD 0x00200000

static bool is_kthread(pid_t tid)
{
        char path[64], buf[1024];
        unsigned long flags = 0;

        snprintf(path, sizeof path, "/proc/%d/stat", (int)tid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
        if (n <= 0)
                return false;
        buf[n] = '\0';
        /* Field 9 (flags), counted after the ")" that ends comm. */
        const char *p = strrchr(buf, ')');
        return p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) == 1 && (flags & PF_KTHREAD);
}

/* Kernel threads never reach the frozen state, so one inside the cgroup
 * keeps "frozen 1" from ever showing: KVM puts its nx-lpage-recovery worker
 * in the VMM's cgroup on kernels before 6.13. Move them to the root cgroup
 * (they only lose their CPU accounting to the container). */
static void evict_kthreads(struct cgroup *cg)
{
        _cleanup_free_ char *threads = NULL;
        struct kago_err err = { 0 };

        if (cg_read(cg->dirfd, "cgroup.threads", &threads, &err) < 0)
                return;
        _cleanup_close_ int rootfd = open(cg->mount, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        for (char *l = strtok(threads, "\n"); l && rootfd >= 0; l = strtok(NULL, "\n")) {
                int64_t tid;
                if (str_to_i64(l, 1, INT32_MAX, &tid) < 0 || !is_kthread((pid_t)tid))
                        continue;
                if (file_write_at(rootfd, "cgroup.procs", l, strlen(l), &err) < 0)
                        log_warning("kernel thread %s in %s cannot be frozen nor moved out: %s", l,
                                    cg->dir, kago_err_text(&err));
                else
                        log_debug("moved kernel thread %s out of %s so it can freeze", l, cg->dir);
        }
}

static int set_frozen(struct cgroup *cg, bool freeze, int timeout_ms, struct kago_err *err)
{
        _cleanup_close_ int fd = -1;

        if (cg_no_cgroup(cg, freeze ? "pause" : "resume", err))
                return -1;
        if (cg_uses_v1_freezer(cg))
                return cg_v1_set_frozen(cg, freeze, timeout_ms, err);
        if (freeze)
                evict_kthreads(cg);
        if (open_events(cg, &fd, err) < 0 || cg_write(cg, "cgroup.freeze", freeze ? "1" : "0", err) < 0)
                return -1;
        return wait_frozen(fd, freeze, timeout_ms, err);
}

bool cg_uses_v1_freezer(const struct cgroup *cg)
{
        return cg_v1_dir_for(cg, "freezer") && faccessat(cg->dirfd, "cgroup.freeze", F_OK, 0) < 0;
}

int cg_write_thawed(struct cgroup *cg, struct kago_err *err)
{
        if (cg_uses_v1_freezer(cg))
                return cg_write(cg, "freezer.state", "THAWED", err);
        return cg_write(cg, "cgroup.freeze", "0", err);
}

int cgroup_freeze(struct cgroup *cg, int timeout_ms, struct kago_err *err)
{
        struct kago_err thaw_err = { 0 };

        if (set_frozen(cg, true, timeout_ms, err) == 0)
                return 0;
        /* Never leave a half-frozen container behind. */
        if (cg->driver != CGROUP_DRIVER_NONE && cg_write_thawed(cg, &thaw_err) < 0)
                log_error("thaw after a failed freeze: %s", kago_err_text(&thaw_err));
        return kago_err_wrap(err, "freeze %s (thawed again)", cg->dir);
}

int cgroup_thaw(struct cgroup *cg, int timeout_ms, struct kago_err *err)
{
        if (set_frozen(cg, false, timeout_ms, err) < 0)
                return kago_err_wrap(err, "thaw %s", cg->dir);
        return 0;
}

static int read_events_key(struct cgroup *cg, const char *key, bool *value, struct kago_err *err)
{
        _cleanup_close_ int fd = -1;

        if (cg_no_cgroup(cg, "reading cgroup.events", err) || open_events(cg, &fd, err) < 0)
                return -1;
        return events_key(fd, key, value, err);
}

int cgroup_is_frozen(struct cgroup *cg, bool *frozen, struct kago_err *err)
{
        if (cg->driver == CGROUP_DRIVER_NONE) {
                *frozen = false;
                return 0;
        }
        if (cg_uses_v1_freezer(cg))
                return cg_v1_is_frozen(cg, frozen, err);
        return read_events_key(cg, "frozen", frozen, err);
}

int cgroup_is_populated(struct cgroup *cg, bool *populated, struct kago_err *err)
{
        if (cg->driver != CGROUP_DRIVER_NONE && cg->dirfd < 0 && cg->n_v1)
                return cg_v1_is_populated(cg, populated, err);
        return read_events_key(cg, "populated", populated, err);
}
