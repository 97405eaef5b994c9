/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which cgroup v1 hierarchies the host has mounted, and what they own. */
#include <fcntl.h>
#include <string.h>

#include "internal.h"

static const char *const v1_controllers[] = {
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "net_prio",
        "blkio", "perf_event", "hugetlb", "pids", "rdma", "misc",
};

static bool is_v1_controller(const char *opt)
{
        for (size_t i = 0; i < ARRAY_SIZE(v1_controllers); i++)
                if (strcmp(opt, v1_controllers[i]) == 0)
                        return true;
        return false;
}

/* "rw,cpu,cpuacct" -> "cpu cpuacct": the controllers among the options. */
static char *controllers_of(const char *super_opts)
{
        _cleanup_free_ char *copy = xstrdup(super_opts);
        char *out = xstrdup(""), *save = NULL;

        for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
                if (!is_v1_controller(o))
                        continue;
                char *next = xasprintf("%s%s%s", out, *out ? " " : "", o);
                free(out);
                out = next;
        }
        return out;
}

static bool have_controllers(const struct cg_v1_mount *m, size_t n, const char *controllers)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(m[i].controllers, controllers) == 0)
                        return true;
        return false;
}

/* One mountinfo line: "ID PARENT DEV ROOT MOUNTPOINT OPTS [OPTIONAL...] -
 * FSTYPE SOURCE SUPEROPTS"; the mount point, when it is a v1 cgroup. */
static bool parse_line(char *line, char **mount_point, char **super_opts)
{
        char *sep = strstr(line, " - ");
        char fstype[32], source[256], opts[512], point[4096];

        if (!sep || sscanf(sep + 3, "%31s %255s %511s", fstype, source, opts) != 3 ||
            strcmp(fstype, "cgroup") != 0)
                return false;
        *sep = '\0';
        if (sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1)
                return false;
        *mount_point = xstrdup(point);
        *super_opts = xstrdup(opts);
        return true;
}

void cg_v1_parse_mountinfo(const char *buf, struct cg_v1_mount **out, size_t *n)
{
        _cleanup_free_ char *copy = xstrdup(buf);
        char *save = NULL;

        *out = NULL;
        *n = 0;
        for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                _cleanup_free_ char *point = NULL, *opts = NULL;
                if (!parse_line(l, &point, &opts))
                        continue;
                _cleanup_free_ char *ctrls = controllers_of(opts);
                /* name=systemd and the like own no controller; a hierarchy
                 * mounted twice is used once. */
                if (!*ctrls || have_controllers(*out, *n, ctrls))
                        continue;
                *out = xrealloc(*out, (*n + 1) * sizeof **out);
                (*out)[(*n)++] = (struct cg_v1_mount){ TAKE_PTR(ctrls), TAKE_PTR(point) };
        }
}

void cg_v1_host_mounts(struct cg_v1_mount **out, size_t *n)
{
        _cleanup_free_ char *buf = NULL;
        struct kago_err err = { 0 };

        *out = NULL;
        *n = 0;
        if (file_read_at(AT_FDCWD, "/proc/self/mountinfo", 1 << 22, &buf, NULL, &err) < 0) {
                log_debug("cgroup v1 hierarchies: %s", kago_err_text(&err));
                return;
        }
        cg_v1_parse_mountinfo(buf, out, n);
}

void cg_v1_mounts_free(struct cg_v1_mount *m, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(m[i].controllers);
                free(m[i].mount);
        }
        free(m);
}

char *cg_v1_controllers(const struct cg_v1_mount *m, size_t n)
{
        char *out = xstrdup("");

        for (size_t i = 0; i < n; i++) {
                char *next = xasprintf("%s%s%s", out, *out ? " " : "", m[i].controllers);
                free(out);
                out = next;
        }
        return out;
}
