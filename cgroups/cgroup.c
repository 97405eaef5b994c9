/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cgroup handle: create (place + limit + enter), open, enter, destroy. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>

#include "../specs/specs.h"
#include "internal.h"

#define DESTROY_TIMEOUT_MS 5000

static struct cgroup *cg_new(enum cgroup_driver driver, const char *mount, const char *path)
{
        struct cgroup *cg = xcalloc(1, sizeof *cg);

        cg->driver = driver;
        cg->mount = mount;
        cg->path = xstrdup(path ? path : "");
        cg->dir = mount && path ? xasprintf("%s%s", mount, path) : xstrdup("");
        cg->dirfd = -1;
        return cg;
}

void cgroup_free(struct cgroup *cg)
{
        if (!cg)
                return;
        if (cg->dirfd >= 0)
                close(cg->dirfd);
        cg_v1_dirs_free(cg);
        free(cg->path);
        free(cg->dir);
        free(cg->unit);
        free(cg);
}

const char *cgroup_path(const struct cgroup *cg) { return cg->path; }
const char *cgroup_dir(const struct cgroup *cg) { return cg->dir; }
enum cgroup_driver cgroup_driver(const struct cgroup *cg) { return cg->driver; }
/* CLONE_INTO_CGROUP places in the cgroup2 hierarchy only: with v1
 * directories the process is moved in by cgroup_enter. */
int cgroup_dirfd(const struct cgroup *cg) { return cg->n_v1 ? -1 : cg->dirfd; }

static int cg_open_dir(struct cgroup *cg, struct kago_err *err)
{
        if (!cg->mount)
                return 0; /* a v1-only host: the v1 directories are all */
        cg->dirfd = open(cg->dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (cg->dirfd < 0)
                return kago_err_errno(err, errno, "open cgroup %s", cg->dir);
        return 0;
}

int cgroup_enter(struct cgroup *cg, pid_t pid, struct kago_err *err)
{
        char buf[24];

        if (cg->driver == CGROUP_DRIVER_NONE)
                return 0;
        snprintf(buf, sizeof buf, "%d", (int)pid);
        if ((cg->dirfd >= 0 && cg_write(cg, "cgroup.procs", buf, err) < 0) || cg_v1_enter(cg, pid, err) < 0)
                return kago_err_wrap(err, "move process %d into the cgroup", (int)pid);
        return 0;
}

/* Load and attach the allow-list for plan p (with the spec's rules if any). */
static int apply_devices(struct cgroup *cg, const struct cg_plan *p, const struct cgroup_config *cfg,
                         struct kago_err *err)
{
        _cleanup_free_ struct cgroup_device_rule *rules = NULL;
        _cleanup_free_ struct bpf_insn *insns = NULL;
        size_t n = 0, n_insns = 0;

        cg_devices_rules(p, cfg->extra_devices, cfg->n_extra_devices, &rules, &n);
        if (cg->dirfd >= 0 && (cg_devices_program(rules, n, &insns, &n_insns, err) < 0 ||
                               cg_devices_attach(cg->dirfd, insns, n_insns, err) < 0))
                return kago_err_wrap(err, "linux.resources.devices");
        if (cg_v1_devices_apply(cg, rules, n, err) < 0)
                return kago_err_wrap(err, "linux.resources.devices");
        return 0;
}

/* Limits, devices and the first process, into an existing cgroup. */
static int cg_setup(struct cgroup *cg, const struct cgroup_config *cfg, const struct cg_plan *p,
                    pid_t pid, struct kago_err *err)
{
        if (cg_open_dir(cg, err) < 0)
                return -1;
        if (cg->mount)
                cg_controllers_enable_all(cg->mount, cg->path);
        if (cg_plan_apply(cg, p, false, err) < 0)
                return -1;
        if (!cfg->no_devices && apply_devices(cg, p, cfg, err) < 0)
                return -1;
        if (pid > 0 && cgroup_enter(cg, pid, err) < 0)
                return -1;
        return 0;
}

static int create_none(const struct cgroup_config *cfg, const struct cg_plan *p,
                       struct cgroup **out)
{
        if (cg_plan_limits_something(p, !cfg->no_devices))
                log_warning("running without a cgroup (--cgroup-manager disabled): linux.resources "
                            "limits are not applied");
        *out = cg_new(CGROUP_DRIVER_NONE, NULL, NULL);
        return 0;
}

/* The hierarchies a cgroupfs container spans besides cgroup2. */
struct v1_host {
        struct cg_v1_mount *m;
        size_t n;
};

static int create_cgroupfs(const struct cgroup_config *cfg, const struct cg_plan *p,
                           const struct v1_host *v1, pid_t pid, struct cgroup **out, struct kago_err *err)
{
        const char *mount = NULL;
        _cleanup_free_ char *own = NULL, *path = NULL, *created = NULL;

        if (cg_mount(&mount, err) < 0 && v1->n == 0) {
                if (cg_plan_limits_something(p, !cfg->no_devices))
                        return kago_err_wrap(err, "linux.resources needs a cgroup hierarchy");
                log_debug("no cgroup2 mount nor v1 hierarchy: the container runs without a cgroup");
                return create_none(cfg, p, out);
        }
        kago_err_clear(err);
        if (cg_own_cgroup_any(&own, err) < 0 || cg_path_resolve(cfg->cgroups_path, cfg->id, own, &path, err) < 0)
                return -1;
        if (mount && cg_path_make(mount, path, &created, err) < 0)
                return -1;
        struct cgroup *cg = cg_new(CGROUP_DRIVER_CGROUPFS, mount, path);
        if (cg_v1_create(cg, v1->m, v1->n, path, err) < 0 || cg_setup(cg, cfg, p, pid, err) < 0) {
                cg_v1_undo_create(cg);
                if (mount && created)
                        cg_path_remove_created(mount, path, created);
                cgroup_free(cg);
                return kago_err_wrap(err, "cgroup %s", path);
        }
        *out = cg;
        return 0;
}

static int create_systemd(const struct cgroup_config *cfg, const struct cg_plan *p, pid_t pid,
                          struct cgroup **out, struct kago_err *err)
{
        const char *mount = NULL;
        _cleanup_free_ char *slice = NULL, *unit = NULL, *path = NULL;

        if (pid <= 0)
                return kago_err_set(err, "systemd cgroup driver: a scope needs a process to hold");
        if (cg_mount(&mount, err) < 0 ||
            cg_systemd_parse_path(cfg->cgroups_path, cfg->id, &slice, &unit, err) < 0)
                return -1;
        if (cg_systemd_start_scope(slice, unit, pid, cfg->systemd_properties, err) < 0)
                return -1;
        if (cg_pid_cgroup(pid, &path, err) < 0) {
                cg_systemd_stop_scope(unit, err);
                return -1;
        }
        struct cgroup *cg = cg_new(CGROUP_DRIVER_SYSTEMD, mount, path);
        cg->unit = TAKE_PTR(unit);
        if (cg_setup(cg, cfg, p, 0, err) < 0) {
                struct kago_err ignored = { 0 };
                cg_systemd_stop_scope(cg->unit, &ignored);
                cgroup_free(cg);
                return kago_err_wrap(err, "systemd scope %s", path);
        }
        *out = cg;
        return 0;
}

static int cg_create(const struct cgroup_config *cfg, pid_t pid, struct cgroup **out,
                     struct kago_err *err)
{
        struct cg_plan plan = { 0 };
        struct v1_host v1 = { 0 };
        int rc;

        /* v1 hierarchies are never delegated: a rootless kago keeps to cgroup2. */
        if (cfg->driver == CGROUP_DRIVER_CGROUPFS && geteuid() == 0)
                cg_v1_host_mounts(&v1.m, &v1.n);
        _cleanup_free_ char *v1_list = cg_v1_controllers(v1.m, v1.n);
        plan.v1 = v1_list;
        /* Translate (and so validate) everything before touching the host. */
        if (cg_plan_build(cfg->resources, -1, &plan, err) < 0) {
                cg_v1_mounts_free(v1.m, v1.n);
                return -1;
        }
        switch (cfg->driver) {
        case CGROUP_DRIVER_NONE: rc = create_none(cfg, &plan, out); break;
        case CGROUP_DRIVER_SYSTEMD: rc = create_systemd(cfg, &plan, pid, out, err); break;
        default: rc = create_cgroupfs(cfg, &plan, &v1, pid, out, err); break;
        }
        cg_plan_free(&plan);
        cg_v1_mounts_free(v1.m, v1.n);
        return rc;
}

int cgroup_create(const struct cgroup_config *cfg, pid_t pid, struct cgroup **out,
                  struct kago_err *err)
{
        struct cgroup_config full;
        struct cg_config_storage storage;

        if (!cfg->spec)
                return cg_create(cfg, pid, out, err);
        cg_config_from_spec(cfg, &full, &storage);
        int rc = cg_create(&full, pid, out, err);
        cg_config_storage_free(&storage);
        return rc;
}

/* A host with v1 hierarchies and no cgroup2. */
static int open_v1_only(const char *path, struct cgroup **out, struct kago_err *err)
{
        struct cgroup *cg = cg_new(CGROUP_DRIVER_CGROUPFS, NULL, path);

        kago_err_clear(err);
        cg_v1_open(cg, path, err);
        if (cg->n_v1 == 0) {
                cgroup_free(cg);
                return kago_err_errno(err, ENOENT, "open cgroup %s in any hierarchy of this host", path);
        }
        *out = cg;
        return 0;
}

int cgroup_open(enum cgroup_driver driver, const char *path, struct cgroup **out,
                struct kago_err *err)
{
        const char *mount = NULL;

        if (driver == CGROUP_DRIVER_NONE || !path || !*path) {
                *out = cg_new(CGROUP_DRIVER_NONE, NULL, NULL);
                return 0;
        }
        if (path[0] != '/' || strstr(path, "/../") || str_has_prefix(path, "/.."))
                return kago_err_set(err, "cgroup path \"%s\": not a clean absolute path", path);
        if (cg_mount(&mount, err) < 0 && driver == CGROUP_DRIVER_CGROUPFS)
                return open_v1_only(path, out, err);
        if (!mount)
                return -1;
        struct cgroup *cg = cg_new(driver, mount, path);
        if (cg_open_dir(cg, err) < 0) {
                cgroup_free(cg);
                /* Made where cgroup2 was not visible (a v1-only view)? */
                if (err->errnum == ENOENT && driver == CGROUP_DRIVER_CGROUPFS)
                        return open_v1_only(path, out, err);
                return -1;
        }
        if (driver == CGROUP_DRIVER_CGROUPFS)
                cg_v1_open(cg, path, err);
        const char *base = strrchr(path, '/') + 1;
        if (driver == CGROUP_DRIVER_SYSTEMD && strlen(base) > 6 && !strcmp(base + strlen(base) - 6, ".scope"))
                cg->unit = xstrdup(base);
        *out = cg;
        return 0;
}

int cgroup_destroy(struct cgroup *cg, struct kago_err *err)
{
        bool populated = false;

        if (cg->driver == CGROUP_DRIVER_NONE)
                return 0;
        if (cgroup_is_populated(cg, &populated, err) == 0 && populated &&
            cgroup_kill_all(cg, SIGKILL, err) < 0)
                return kago_err_wrap(err, "remove cgroup %s", cg->path);
        if (cg->unit && cg_systemd_stop_scope(cg->unit, err) < 0)
                log_warning("%s", kago_err_text(err));
        if (cg->dirfd >= 0) {
                close(cg->dirfd);
                cg->dirfd = -1;
        }
        /* Every hierarchy is tried; the first error is the one reported. */
        struct kago_err v1_err = { 0 };
        int rc = cg->mount ? cg_rmdir_tree(cg->dir, DESTROY_TIMEOUT_MS, err) : 0;
        if (cg_v1_destroy(cg, DESTROY_TIMEOUT_MS, rc < 0 ? &v1_err : err) < 0)
                rc = -1;
        return rc;
}

bool cg_no_cgroup(struct cgroup *cg, const char *what, struct kago_err *err)
{
        if (cg->driver != CGROUP_DRIVER_NONE)
                return false;
        kago_err_set(err, "%s needs a cgroup, and this container has none (created with "
                          "--cgroup-manager disabled or on a host without cgroup2)", what);
        return true;
}

int cgroup_update(struct cgroup *cg, const struct oci_linux_resources *r,
                  const struct cgroup_device_rule *extra_devices, size_t n_extra_devices,
                  struct kago_err *err)
{
        struct cgroup_config cfg = { .extra_devices = extra_devices, .n_extra_devices = n_extra_devices };
        struct cg_plan plan = { 0 };
        int rc = 0;

        if (cg_no_cgroup(cg, "update", err))
                return -1;
        _cleanup_free_ char *v1_list = cg_v1_dirs_controllers(cg);
        plan.v1 = v1_list;
        plan.cg = cg;
        if (cg_plan_build(r, cg->dirfd, &plan, err) < 0)
                return -1;
        if (r && r->memory && cg_check_before_update(cg, r->memory, err) < 0)
                rc = -1;
        if (rc == 0)
                rc = cg_plan_apply(cg, &plan, true, err);
        if (rc == 0 && plan.has_devices)
                rc = apply_devices(cg, &plan, &cfg, err);
        cg_plan_free(&plan);
        return rc;
}
