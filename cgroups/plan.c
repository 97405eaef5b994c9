/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The write plan: a list of (file, value) writes with the field each came
 * from, applied in order, with rollback for live updates. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>

#include "internal.h"

static void plan_vadd(struct cg_plan *p, bool is_default, const char *field, const char *file,
                      const char *fmt, va_list ap)
{
        char *value = NULL;

        if (vasprintf(&value, fmt, ap) < 0 || !value)
                value = xstrdup("");
        if (p->n == p->cap) {
                p->cap = p->cap ? p->cap * 2 : 16;
                p->w = xrealloc(p->w, p->cap * sizeof *p->w);
        }
        p->w[p->n++] = (struct cg_write){ xstrdup(field), xstrdup(file), value, is_default };
}

void cg_plan_add(struct cg_plan *p, const char *field, const char *file, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        plan_vadd(p, false, field, file, fmt, ap);
        va_end(ap);
}

void cg_plan_add_default(struct cg_plan *p, const char *field, const char *file, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        plan_vadd(p, true, field, file, fmt, ap);
        va_end(ap);
}

bool cg_plan_is_v1(const struct cg_plan *p, const char *controller)
{
        return p->v1 && cg_list_has(p->v1, controller);
}

bool cg_plan_limits_something(const struct cg_plan *p, bool devices)
{
        for (size_t i = 0; i < p->n; i++)
                if (!p->w[i].is_default)
                        return true;
        return devices && p->n_dev > 0;
}

bool cgroup_resources_limit_something(const struct oci_linux_resources *r, bool devices)
{
        struct cg_plan plan = { 0 };
        struct kago_err err = { 0 };

        if (!r)
                return false;
        if (cg_plan_build(r, -1, &plan, &err) < 0)
                return true;
        bool limits = cg_plan_limits_something(&plan, devices);
        cg_plan_free(&plan);
        return limits;
}

void cg_plan_add_device(struct cg_plan *p, const struct cgroup_device_rule *r)
{
        p->dev = xrealloc(p->dev, (p->n_dev + 1) * sizeof *p->dev);
        p->dev[p->n_dev++] = *r;
        p->has_devices = true;
}

void cg_plan_free(struct cg_plan *p)
{
        for (size_t i = 0; i < p->n; i++) {
                free(p->w[i].field);
                free(p->w[i].file);
                free(p->w[i].value);
        }
        free(p->w);
        free(p->dev);
        memset(p, 0, sizeof *p);
}

const char *cg_file_controller(const char *file, char *buf, size_t size)
{
        size_t n = strcspn(file, ".");

        if (n >= size)
                n = size - 1;
        memcpy(buf, file, n);
        buf[n] = '\0';
        return buf;
}

/* The controller the file needs is enabled in the cgroup, or is made so;
 * 1 when it is missing and the write asks for nothing: skip it. */
static int ensure_controller(struct cgroup *cg, const struct cg_write *w, struct kago_err *err)
{
        char ctrl[32];
        _cleanup_free_ char *offered = NULL;

        cg_file_controller(w->file, ctrl, sizeof ctrl);
        if (strcmp(ctrl, "cgroup") == 0 || cg_v1_dir_for(cg, ctrl) || cg_controller_enabled(cg->dirfd, ctrl))
                return 0;
        _cleanup_close_ int rootfd = cg->mount ? open(cg->mount, O_DIRECTORY | O_RDONLY | O_CLOEXEC) : -1;
        if (rootfd < 0 || cg_read(rootfd, "cgroup.controllers", &offered, err) < 0)
                offered = xstrdup("");
        offered[strcspn(offered, "\n")] = '\0';
        if (!cg_list_has(offered, ctrl) && w->is_default) {
                log_debug("%s: no %s controller here; the value asks for nothing, so nothing is written",
                          w->field, ctrl);
                return 1;
        }
        if (!cg_list_has(offered, ctrl))
                return kago_err_set(err, "%s: needs the cgroup v2 %s controller, which this host does "
                                    "not offer (cgroup2 at %s has: %s)%s", w->field, ctrl,
                                    cg->mount ? cg->mount : "(none)", *offered ? offered : "none",
                                    !cg->mount || strcmp(cg->mount, "/sys/fs/cgroup")
                                            ? "; nor does any cgroup v1 hierarchy mounted here: mount "
                                              "it, or boot with systemd.unified_cgroup_hierarchy=1 (or "
                                              "cgroup_no_v1=all), or run with --cgroup-manager disabled to "
                                              "ignore limits"
                                            : "");
        if (!cg->mount)
                return kago_err_set(err, "%s: no cgroup2 here for the %s controller", w->field, ctrl);
        if (cg_controller_enable(cg->mount, cg->path, ctrl, err) < 0)
                return kago_err_wrap(err, "%s", w->field);
        return 0;
}

/* A line that undoes a keyed entry that did not exist before. */
static const char *reset_suffix(const char *file)
{
        if (strcmp(file, "io.max") == 0)
                return "rbps=max wbps=max riops=max wiops=max";
        if (strcmp(file, "rdma.max") == 0)
                return "hca_handle=max hca_object=max";
        if (strcmp(file, "io.weight") == 0 || strcmp(file, "io.bfq.weight") == 0)
                return "default";
        return NULL;
}

static bool old_has_key(const char *old, const char *value)
{
        size_t klen = strcspn(value, " ");
        _cleanup_free_ char *key = cg_strndup(value, klen);

        return cg_list_has(old, key);
}

/* Put a file back as it was: each line of its old content, one write each. */
static void restore_one(struct cgroup *cg, const struct cg_write *w, const char *old)
{
        struct kago_err err = { 0 };
        const char *reset = reset_suffix(w->file);

        if (reset && !old_has_key(old, w->value)) {
                _cleanup_free_ char *line = xasprintf("%.*s %s", (int)strcspn(w->value, " "), w->value, reset);
                if (cg_write(cg, w->file, line, &err) < 0)
                        log_warning("roll back %s: %s", w->file, kago_err_text(&err));
                return;
        }
        _cleanup_free_ char *copy = xstrdup(old);
        for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n"))
                if (cg_write(cg, w->file, line, &err) < 0)
                        log_warning("roll back %s: %s", w->file, kago_err_text(&err));
}

static void free_olds(char **old, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(old[i]);
        free(old);
}

/* Check every controller (marking the writes to skip) and, for rollback,
 * read every file's old content, before anything is written. */
static int plan_prepare(struct cgroup *cg, const struct cg_plan *p, bool rollback, char **old,
                        bool *skip, struct kago_err *err)
{
        for (size_t i = 0; i < p->n; i++) {
                int rc = ensure_controller(cg, &p->w[i], err);
                if (rc < 0)
                        return -1;
                skip[i] = rc > 0;
                if (!skip[i] && rollback && cg_read(cg_fd_for(cg, p->w[i].file), p->w[i].file, &old[i], err) < 0)
                        return kago_err_wrap(err, "%s", p->w[i].field);
        }
        return 0;
}

int cg_plan_apply(struct cgroup *cg, const struct cg_plan *p, bool rollback, struct kago_err *err)
{
        char **old = xcalloc(p->n + 1, sizeof *old);
        _cleanup_free_ bool *skip = xcalloc(p->n + 1, sizeof *skip);
        int rc = plan_prepare(cg, p, rollback, old, skip, err);
        size_t written = 0;

        for (; written < p->n && rc == 0; written++) {
                if (!skip[written] && cg_write(cg, p->w[written].file, p->w[written].value, err) < 0) {
                        rc = kago_err_wrap(err, "%s", p->w[written].field);
                        break;
                }
        }
        /* Undo what was written, newest first. */
        for (size_t j = written; rc < 0 && rollback && j-- > 0;)
                if (!skip[j])
                        restore_one(cg, &p->w[j], old[j]);
        free_olds(old, p->n);
        return rc;
}
