/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container backend's checkpoint: CRIU dumps the container's process
 * tree (freezing its cgroup first) into the image directory, with the
 * container's bind mounts and joined namespaces declared external so that a
 * restore can put new ones in their place. --pre-dump saves only memory, for
 * a later dump with --parent-path.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../../cgroups/cgroups.h"
#include "backend.h"

/* The path from directory `from` to `to` (both absolute, canonical). */
static char *path_relative(const char *from, const char *to)
{
        size_t common = 0;

        for (size_t i = 0;; i++) {
                bool from_end = from[i] == '/' || !from[i], to_end = to[i] == '/' || !to[i];
                if (from_end && to_end)
                        common = i;
                if (!from[i] || !to[i] || from[i] != to[i])
                        break;
        }
        char *rel = xstrdup("");
        for (const char *p = from + common; *p; p++) {
                if (*p != '/')
                        continue;
                char *up = xasprintf("%s../", rel);
                free(rel);
                rel = up;
        }
        const char *rest = to + common + (to[common] == '/');
        char *out = xasprintf("%s%s", rel, *rest ? rest : ".");
        free(rel);
        return out;
}

/* --parent-path as CRIU wants it: relative to the image directory (runc
 * takes either; crun refuses absolute paths). */
static int parent_relative(const char *image, const char *parent, char **out,
                           struct kago_err *err)
{
        _cleanup_free_ char *joined = parent[0] == '/' ? xstrdup(parent)
                                                       : xasprintf("%s/%s", image, parent);
        _cleanup_free_ char *img = realpath(image, NULL), *par = realpath(joined, NULL);

        if (!img || !par)
                return kago_err_errno(err, errno, "--parent-path %s", parent);
        *out = path_relative(img, par);
        return 0;
}

static int add_external_namespaces(struct criu_opts *co, const struct oci_spec *spec,
                                   struct kago_err *err)
{
        static const struct {
                enum oci_ns_type type;
                const char *fmt;
        } ext[] = { { OCI_NS_NETWORK, "net[%lu]:extRootNetNS" },
                    { OCI_NS_PID, "pid[%lu]:extRootPidNS" } };
        struct stat sb;

        for (size_t i = 0; i < ARRAY_SIZE(ext); i++) {
                const struct oci_namespace *ns = spec_namespace(spec, ext[i].type);
                if (!ns || !ns->path)
                        continue;
                if (stat(ns->path, &sb) < 0)
                        return kago_err_errno(err, errno, "namespace %s", ns->path);
                criu_opts_add_external(co, ext[i].fmt, (unsigned long)sb.st_ino);
        }
        return 0;
}

static int page_server(struct criu_opts *co, const char *arg, char ***owned,
                       struct kago_err *err)
{
        const char *colon = strrchr(arg, ':');
        int64_t port;

        if (!colon || colon == arg || str_to_i64(colon + 1, 1, 65535, &port) < 0)
                return kago_err_set(err, "--page-server %s: want ADDRESS:PORT", arg);
        co->ps_address = criu_own(owned, xasprintf("%.*s", (int)(colon - arg), arg));
        co->ps_port = (int)port;
        return 0;
}

/* CRIU freezes the container through its cgroup (the v2 freezer). */
static void freeze_cgroup(struct criu_opts *co, const struct container_state *st, char ***owned)
{
        struct kago_err ignored = { 0 };
        _cleanup_cgroup_ struct cgroup *cg = NULL;

        if (container_cgroup_open(st, &cg, &ignored) == 0 && cg && *cgroup_dir(cg))
                co->freeze_cgroup = criu_own(owned, xstrdup(cgroup_dir(cg)));
}

static int fill_opts(struct criu_opts *co, const struct container_state *st,
                     const struct oci_spec *spec, const struct checkpoint_opts *o,
                     char ***owned, struct kago_err *err)
{
        criu_apply_flags(co, &o->f);
        co->pid = st->pid;
        co->root = st->rootfs;
        co->log_file = "dump.log";
        co->leave_running = o->leave_running || o->pre_dump;
        co->auto_dedup = o->auto_dedup;
        co->link_remap = o->link_remap;
        co->tcp_skip_in_flight = o->tcp_skip_in_flight;
        co->status_fd = o->status_fd;
        co->orphan_pts_master = spec->process && spec->process->terminal;
        co->config_file = criu_config_file(spec);
        co->track_mem = o->pre_dump || o->parent_path;
        freeze_cgroup(co, st, owned);
        criu_add_external_mounts(co, spec, st->bundle, st->pid, owned);
        if (add_external_namespaces(co, spec, err) < 0)
                return -1;
        if (o->page_server && page_server(co, o->page_server, owned, err) < 0)
                return -1;
        if (o->parent_path) {
                char *rel = NULL;
                if (parent_relative(o->f.image_path, o->parent_path, &rel, err) < 0)
                        return -1;
                co->parent_img = criu_own(owned, rel);
        }
        return 0;
}

int criu_dump_container(const struct container_state *st, int dirfd, const struct oci_spec *spec,
                        const struct checkpoint_opts *o, struct kago_err *err)
{
        (void)dirfd;
        _cleanup_strv_ char **owned = NULL;
        struct criu_opts co;
        struct criu_result res;
        int rc = -1;

        if (criu_opts_begin(&o->f, true, &co, err) < 0)
                return -1;
        if (fill_opts(&co, st, spec, o, &owned, err) == 0 &&
            (o->pre_dump || criu_descriptors_write(co.images_dir_fd, st->pid, err) == 0)) {
                struct criu_call call = { .type = o->pre_dump ? CRIU_REQ_PRE_DUMP : CRIU_REQ_DUMP,
                                          .opts = &co };
                rc = criu_run_logged(&call, &o->f, &res, err);
                if (rc == 0)
                        criu_result_free(&res);
        }
        criu_opts_end(&co);
        return rc;
}
