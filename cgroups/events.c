/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OOM notifications: inotify on memory.events (the kernel raises IN_MODIFY
 * when a counter changes), so an OOM kill is seen the moment it happens; on
 * a cgroup v1 memory hierarchy an eventfd registered for memory.oom_control
 * in cgroup.event_control. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>

#include "internal.h"

static int oom_watch_open_v1(const struct cg_v1_dir *d, int *fd, struct kago_err *err)
{
        _cleanup_close_ int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        _cleanup_close_ int ofd = openat(d->dirfd, "memory.oom_control", O_RDONLY | O_CLOEXEC);
        char line[32];

        if (efd < 0 || ofd < 0)
                return kago_err_errno(err, errno, "watch %s/memory.oom_control", d->dir);
        int len = snprintf(line, sizeof line, "%d %d", efd, ofd);
        if (file_write_at(d->dirfd, "cgroup.event_control", line, (size_t)len, err) < 0)
                return kago_err_wrap(err, "register an OOM eventfd in %s", d->dir);
        *fd = TAKE_FD(efd);
        return 0;
}

/* The oom_kill count of memory.events (v2) or memory.oom_control (v1). */
static int oom_kills(struct cgroup *cg, uint64_t *out, struct kago_err *err)
{
        if (cg_v1_dir_for(cg, "memory"))
                return cg_v1_oom_kills(cg, out, err);
        return cg_read_key(cg->dirfd, "memory.events", "oom_kill", out, err);
}

int cgroup_oom_watch_open(struct cgroup *cg, int *fd, struct kago_err *err)
{
        if (cg_no_cgroup(cg, "watching for OOM kills", err))
                return -1;
        if (cg_v1_dir_for(cg, "memory"))
                return oom_watch_open_v1(cg_v1_dir_for(cg, "memory"), fd, err);
        _cleanup_close_ int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (in < 0)
                return kago_err_errno(err, errno, "inotify_init1");
        _cleanup_free_ char *file = xasprintf("%s/memory.events", cg->dir);
        if (inotify_add_watch(in, file, IN_MODIFY) < 0)
                return kago_err_errno(err, errno, "watch %s%s", file,
                                      errno == ENOENT ? " (is the memory controller enabled?)" : "");
        *fd = TAKE_FD(in);
        return 0;
}

int cgroup_oom_watch_read(struct cgroup *cg, int fd, uint64_t *kills, struct kago_err *err)
{
        char buf[4096];

        while (read(fd, buf, sizeof buf) > 0)
                ;
        if (oom_kills(cg, kills, err) < 0)
                return kago_err_wrap(err, "cgroup %s", cg->dir);
        return 0;
}

static void write_oom(FILE *out, const char *id)
{
        fputs("{\"type\":\"oom\",\"id\":", out);
        json_fputs_escaped(out, id);
        fputs("}\n", out);
        fflush(out);
}

static int write_stats(struct cgroup *cg, const char *id, FILE *out, struct kago_err *err)
{
        struct cgroup_stats st;

        if (cgroup_stats_read(cg, &st, err) < 0)
                return -1;
        cgroup_stats_write_json(out, id, &st, NULL);
        fflush(out);
        return 0;
}

/* One oom line per new oom_kill; *seen is the count reported so far. */
static int report_ooms(struct cgroup *cg, const char *id, int fd, uint64_t *seen, FILE *out,
                       struct kago_err *err)
{
        uint64_t now = 0;

        if (cgroup_oom_watch_read(cg, fd, &now, err) < 0)
                return -1;
        for (; *seen < now; (*seen)++)
                write_oom(out, id);
        return 0;
}

static bool still_populated(struct cgroup *cg)
{
        struct kago_err err = { 0 };
        bool populated = false;

        return cgroup_is_populated(cg, &populated, &err) == 0 && populated;
}

int cgroup_events_stream(struct cgroup *cg, const char *id, int interval_ms, FILE *out,
                         struct kago_err *err)
{
        _cleanup_close_ int oom_fd = -1;
        _cleanup_close_ int ev_fd = -1;
        uint64_t seen = 0;
        struct kago_err no_memory = { 0 };

        if (cg_no_cgroup(cg, "events", err))
                return -1;
        /* Without the memory controller there is nothing to watch for OOM. */
        if (cgroup_oom_watch_open(cg, &oom_fd, &no_memory) == 0 &&
            oom_kills(cg, &seen, err) < 0)
                return -1;
        /* A v1-only cgroup has no cgroup.events: the interval's poll wakes it. */
        ev_fd = cg->dirfd >= 0 ? openat(cg->dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC) : -1;
        if (ev_fd < 0 && cg->dirfd >= 0)
                return kago_err_errno(err, errno, "open %s/cgroup.events", cg->dir);
        while (still_populated(cg)) {
                if (write_stats(cg, id, out, err) < 0)
                        return -1;
                struct pollfd p[2] = { { .fd = ev_fd, .events = POLLPRI }, { .fd = oom_fd, .events = POLLIN } };
                int64_t deadline = cg_now_ms() + interval_ms;
                for (int64_t left = interval_ms; left > 0 && still_populated(cg); left = deadline - cg_now_ms()) {
                        if (poll(p, oom_fd >= 0 ? 2 : 1, (int)left) < 0 && errno != EINTR)
                                return kago_err_errno(err, errno, "poll the cgroup's event files");
                        /* Reading cgroup.events re-arms its notification. */
                        char buf[256];
                        if (p[0].revents && pread(ev_fd, buf, sizeof buf, 0) < 0)
                                return kago_err_errno(err, errno, "read %s/cgroup.events", cg->dir);
                        if (oom_fd >= 0 && report_ooms(cg, id, oom_fd, &seen, out, err) < 0)
                                return -1;
                }
        }
        /* An OOM kill that emptied the cgroup is still reported. */
        if (oom_fd >= 0 && report_ooms(cg, id, oom_fd, &seen, out, err) < 0)
                return -1;
        return 0;
}
