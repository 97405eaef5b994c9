/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The runtime's side of cgroups (see container.h). */
#include <errno.h>
#include <string.h>

#include "../../cgroups/cgroups.h"
#include "container.h"

static const struct oci_linux_resources *spec_resources(const struct oci_spec *spec)
{
        return spec->linux_cfg ? spec->linux_cfg->resources : NULL;
}

bool container_cgroup_asks_limits(const struct oci_spec *spec, bool devices)
{
        return cgroup_resources_limit_something(spec_resources(spec), devices);
}

bool container_has_cgroup(const struct container_state *st)
{
        return st->cgroup_path && *st->cgroup_path;
}

int container_cgroup_create(struct container_ctx *c, pid_t pid, struct kago_err *err)
{
        const struct oci_linux_resources *r = spec_resources(c->spec);
        const char *mnt;
        struct kago_err why = { 0 };

        if (c->g->cgroup_manager == CGROUP_MANAGER_DISABLED) {
                log_debug("container \"%s\": --cgroup-manager disabled: no cgroup", c->opts->id);
                if (container_cgroup_asks_limits(c->spec, true))
                        log_warning("container \"%s\": linux.resources ignored: "
                                    "--cgroup-manager disabled", c->opts->id);
                return 0;
        }
        if (cgroup_host_available(&why) < 0) {
                if (container_cgroup_asks_limits(c->spec, true))
                        return kago_err_set(err, "linux.resources: limits need a cgroup hierarchy, and "
                                                 "this host has none (%s)", kago_err_text(&why));
                log_debug("container \"%s\": no cgroup hierarchy here (%s): running without a cgroup",
                          c->opts->id, kago_err_text(&why));
                return 0;
        }
        struct cgroup_config cfg = {
                .driver = c->g->cgroup_manager == CGROUP_MANAGER_SYSTEMD ? CGROUP_DRIVER_SYSTEMD
                                                                         : CGROUP_DRIVER_CGROUPFS,
                .id = c->opts->id,
                .cgroups_path = c->spec->linux_cfg ? c->spec->linux_cfg->cgroups_path : NULL,
                .resources = r,
                .spec = c->spec, /* cgroupsPath, resources, systemd properties */
        };
        cfg.extra_devices = c->backend->device_rules;
        cfg.n_extra_devices = c->backend->n_device_rules;
        if (cgroup_mount_point(&mnt, &why) == 0 && !cgroup_controller_available("memory"))
                log_debug("container \"%s\": cgroup2 at %s has no controllers: placement only, "
                          "no limits", c->opts->id, mnt);
        if (cgroup_create(&cfg, pid, &c->cgroup, err) < 0)
                return kago_err_wrap(err, "cgroup");
        c->st.cgroup_path = xstrdup(cgroup_path(c->cgroup));
        c->st.cgroup_driver = xstrdup(cgroup_driver_name(cgroup_driver(c->cgroup)));
        return 0;
}

bool container_cgroup_before_clone(const struct container_ctx *c)
{
        return c->g->cgroup_manager != CGROUP_MANAGER_SYSTEMD;
}

int container_cgroup_clone_fd(const struct container_ctx *c)
{
        return c->cgroup && cgroup_driver(c->cgroup) == CGROUP_DRIVER_CGROUPFS
                       ? cgroup_dirfd(c->cgroup)
                       : -1;
}

int container_cgroup_enter(struct container_ctx *c, pid_t pid, struct kago_err *err)
{
        if (!c->cgroup || cgroup_enter(c->cgroup, pid, err) == 0)
                return 0;
        return kago_err_wrap(err, "cgroup");
}

void container_cgroup_abort(struct container_ctx *c)
{
        struct kago_err err = { 0 };

        if (!c->cgroup)
                return;
        if (cgroup_destroy(c->cgroup, &err) < 0)
                log_warning("container \"%s\": remove cgroup: %s", c->opts->id, kago_err_text(&err));
        cgroup_free(c->cgroup);
        c->cgroup = NULL;
}

void container_cgroup_release(struct container_ctx *c)
{
        if (c->cgroup)
                cgroup_free(c->cgroup);
        c->cgroup = NULL;
}

int container_cgroup_open(const struct container_state *st, struct cgroup **cg,
                          struct kago_err *err)
{
        enum cgroup_driver d;

        *cg = NULL;
        if (!container_has_cgroup(st) || !st->cgroup_driver)
                return 0;
        if (cgroup_driver_parse(st->cgroup_driver, &d) < 0)
                return kago_err_set(err, "state: unknown cgroup driver \"%s\"", st->cgroup_driver);
        return cgroup_open(d, st->cgroup_path, cg, err);
}

int container_cgroup_open_owned(const struct container_state *st, struct cgroup **cg,
                                struct kago_err *err)
{
        *cg = NULL;
        if (container_has_cgroup(st) && proc_in_cgroup(getpid(), st->cgroup_path))
                return kago_err_set(err, "container \"%s\": cgroup %s holds kago itself: refusing "
                                         "to kill what it holds", st->id, st->cgroup_path);
        return container_cgroup_open(st, cg, err);
}

bool container_cgroup_is_frozen(const struct container_state *st)
{
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct kago_err err = { 0 };
        bool frozen = false;

        if (container_cgroup_open(st, &cg, &err) < 0 || !cg)
                return false;
        return cgroup_is_frozen(cg, &frozen, &err) == 0 && frozen;
}

bool container_cgroup_is_populated(const struct container_state *st)
{
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct kago_err err = { 0 };
        bool populated = false;

        if (container_cgroup_open(st, &cg, &err) < 0 || !cg)
                return false;
        return cgroup_is_populated(cg, &populated, &err) == 0 && populated;
}

int container_cgroup_destroy(const struct container_state *st, struct kago_err *err)
{
        _cleanup_cgroup_ struct cgroup *cg = NULL;

        if (container_cgroup_open_owned(st, &cg, err) < 0)
                return err->errnum == ENOENT ? 0 : -1; /* already gone: nothing to remove */
        if (!cg)
                return 0;
        return cgroup_destroy(cg, err);
}

/* The path cgroup_create gives a config: "/kago/ID" by default, an absolute
 * cgroupsPath as it is, a relative one beside kago's own cgroup (right when
 * delete runs where create ran). */
static char *guess_path(const struct oci_spec *spec, const char *id)
{
        const char *p = spec && spec->linux_cfg ? spec->linux_cfg->cgroups_path : NULL;

        if (!p || !*p)
                return xasprintf("/kago/%s", id);
        if (p[0] == '/')
                return xstrdup(p);
        _cleanup_free_ char *own = proc_cgroup(getpid());
        char *slash = own ? strrchr(own, '/') : NULL;
        if (!slash)
                return NULL;
        *slash = '\0';
        return xasprintf("%s/%s", own, p);
}

void container_cgroup_guess(const struct kago_global *g, int dirfd, struct container_state *st)
{
        _cleanup_cgroup_ struct cgroup *cg = NULL;
        struct oci_spec *spec = NULL;
        struct kago_err err = { 0 };

        if (st->cgroup_path || g->cgroup_manager != CGROUP_MANAGER_CGROUPFS)
                return;
        if (container_load_config(dirfd, st->id, &spec, &err) < 0)
                log_debug("%s: looking for the default cgroup", kago_err_text(&err));
        _cleanup_free_ char *path = guess_path(spec, st->id);
        spec_free(spec);
        if (!path || cgroup_open(CGROUP_DRIVER_CGROUPFS, path, &cg, &err) < 0)
                return;
        st->cgroup_path = TAKE_PTR(path);
        st->cgroup_driver = xstrdup(cgroup_driver_name(CGROUP_DRIVER_CGROUPFS));
}
