/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container backend's restore: CRIU brings the image's process tree
 * back as a sibling of itself (so as kago's child), in the container's new
 * cgroup (the swrk process is placed there first, and the image's cgroup
 * root is mapped onto the new one), with new bind-mount sources, joined
 * namespaces and stdio pipes put where the image had the old ones. CRIU's
 * notifications run the prestart and createRuntime hooks and hand back the
 * terminal's pty master.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "../rootfs/rootfs.h"
#include "../../cgroups/cgroups.h"
#include "backend.h"

struct restore_call {
        struct container_ctx *c;
        struct criu_opts *co;
};

#define CRIU_ROOT_DIR "criu-root"

/* CRIU's root must be a mount point: the rootfs bound on the state
 * directory's criu-root (as runc does) for the time of the restore. */
static char *criu_root_mount(struct container_ctx *c, struct kago_err *err)
{
        char link[64], dir[PATH_MAX];

        snprintf(link, sizeof link, "/proc/self/fd/%d", c->state_dirfd);
        ssize_t n = readlink(link, dir, sizeof dir - 1);
        if (n < 0)
                return kago_err_errno(err, errno, "readlink %s", link), NULL;
        dir[n] = '\0';
        char *root = xasprintf("%s/%s", dir, CRIU_ROOT_DIR);
        if (mkdirat(c->state_dirfd, CRIU_ROOT_DIR, 0700) < 0 ||
            mount(c->rootfs, root, NULL, MS_BIND | MS_REC, NULL) < 0) {
                kago_err_errno(err, errno, "bind %s on %s for CRIU", c->rootfs, root);
                unlinkat(c->state_dirfd, CRIU_ROOT_DIR, AT_REMOVEDIR);
                free(root);
                return NULL;
        }
        return root;
}

static void criu_root_unmount(struct container_ctx *c, char *root)
{
        if (umount2(root, MNT_DETACH) < 0)
                log_warning("unmount %s: %s", root, strerror(errno));
        unlinkat(c->state_dirfd, CRIU_ROOT_DIR, AT_REMOVEDIR);
        free(root);
}

/* Each bind mount's destination must exist in the root CRIU restores onto
 * (podman restore --import brings a fresh rootfs): made as create makes it. */
static int make_bind_targets(struct container_ctx *c, struct kago_err *err)
{
        _cleanup_close_ int rootfd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        struct stat sb;
        bool rec;

        if (rootfd < 0)
                return kago_err_errno(err, errno, "open %s", c->rootfs);
        for (size_t i = 0; i < c->spec->mounts_len; i++) {
                const struct oci_mount *m = &c->spec->mounts[i];
                if (!mount_is_bind(m, &rec))
                        continue;
                _cleanup_free_ char *src = m->source[0] == '/'
                                                   ? xstrdup(m->source)
                                                   : xasprintf("%s/%s", c->bundle, m->source);
                if (stat(src, &sb) < 0)
                        return kago_err_errno(err, errno, "mounts[%zu].source %s", i, src);
                int fd;
                if (root_make_target(rootfd, m->destination, S_ISDIR(sb.st_mode), &fd, err) < 0)
                        return kago_err_wrap(err, "mounts[%zu].destination", i);
                close(fd);
        }
        return 0;
}

/* In kago, before CRIU reads the request: CRIU goes into the container's
 * cgroup (made now by the systemd driver, which needs a process), so that
 * what it restores starts there, and the image's cgroup root maps onto it. */
static int criu_started(void *data, pid_t criu, struct kago_err *err)
{
        struct restore_call *r = data;
        struct container_ctx *c = r->c;

        if (!container_cgroup_before_clone(c)) {
                if (rootless_cgroup_create(c, criu, err) < 0 ||
                    (c->cgroup && store_write_state(c->state_dirfd, &c->st, err) < 0))
                        return -1;
        } else if (c->cgroup && container_cgroup_enter(c, criu, err) < 0) {
                return -1;
        }
        if (c->cgroup && *cgroup_path(c->cgroup))
                criu_opts_add_cg_root(r->co, NULL, cgroup_path(c->cgroup));
        return 0;
}

static int run_restore_hooks(struct container_ctx *c, pid_t pid, struct kago_err *err)
{
        c->st.pid = pid;
        _cleanup_free_ char *state = container_state_json(&c->st, STATUS_CREATING, c->spec);
        if (hooks_run(c->spec, OCI_HOOK_PRESTART, state, err) < 0 ||
            hooks_run(c->spec, OCI_HOOK_CREATE_RUNTIME, state, err) < 0)
                return -1;
        return 0;
}

static int criu_notified(void *data, const char *script, pid_t pid, int fd, struct kago_err *err)
{
        struct restore_call *r = data;
        int rc = 0;

        if (strcmp(script, "setup-namespaces") == 0)
                rc = run_restore_hooks(r->c, pid, err);
        else if (strcmp(script, "orphan-pts-master") == 0 && fd >= 0 && r->c->console_fd >= 0)
                rc = console_send_fd(r->c->console_fd, fd, "/dev/pts/restored", err);
        if (fd >= 0)
                close(fd);
        return rc;
}

/* A joined network or pid namespace goes back in the image's place. */
static int inherit_namespaces(struct criu_opts *co, const struct oci_spec *spec, int *fds,
                              struct kago_err *err)
{
        static const struct {
                enum oci_ns_type type;
                const char *key;
        } ext[] = { { OCI_NS_NETWORK, "extRootNetNS" }, { OCI_NS_PID, "extRootPidNS" } };

        for (size_t i = 0; i < ARRAY_SIZE(ext); i++) {
                const struct oci_namespace *ns = spec_namespace(spec, ext[i].type);
                if (!ns || !ns->path)
                        continue;
                fds[i] = open(ns->path, O_RDONLY | O_CLOEXEC);
                if (fds[i] < 0)
                        return kago_err_errno(err, errno, "namespace %s", ns->path);
                criu_opts_add_inherit(co, ext[i].key, fds[i]);
        }
        return 0;
}

static void fill_opts(struct criu_opts *co, struct container_ctx *c, const struct restore_opts *o)
{
        criu_apply_flags(co, &o->f);
        co->log_file = "restore.log";
        co->rst_sibling = true;
        co->tcp_close = o->tcp_close;
        co->orphan_pts_master = c->spec->process && c->spec->process->terminal;
        co->config_file = criu_config_file(c->spec);
        co->lsm_profile = o->lsm_profile;
        co->lsm_mount_context = o->lsm_mount_context;
}

/* The restored tree must have landed in the new cgroup. */
static int check_cgroup(struct container_ctx *c, pid_t pid, struct kago_err *err)
{
        if (!c->cgroup || !*cgroup_path(c->cgroup) || proc_in_cgroup(pid, cgroup_path(c->cgroup)))
                return 0;
        _cleanup_free_ char *got = proc_cgroup(pid);
        return kago_err_set(err, "the restored process %d is in cgroup %s, not in the "
                                 "container's %s",
                            (int)pid, got ? got : "(unknown)", cgroup_path(c->cgroup));
}

static int criu_restore_call(struct container_ctx *c, const struct restore_opts *o,
                             struct criu_opts *co, pid_t *pid, struct kago_err *err)
{
        struct restore_call r = { .c = c, .co = co };
        struct criu_call call = { .type = CRIU_REQ_RESTORE, .opts = co, .notify = criu_notified,
                                  .started = criu_started, .data = &r };
        struct criu_result res;

        if (criu_run_logged(&call, &o->f, &res, err) < 0)
                return -1;
        *pid = res.restored_pid;
        criu_result_free(&res);
        if (*pid <= 0)
                return kago_err_set(err, "criu restored nothing (no pid in its answer)");
        return check_cgroup(c, *pid, err);
}

int criu_restore_container(struct container_ctx *c, const struct restore_opts *o, pid_t *pid,
                           struct kago_err *err)
{
        _cleanup_strv_ char **owned = NULL;
        int nsfds[2] = { -1, -1 };
        struct criu_opts co;
        int rc = -1;

        *pid = 0;
        if (criu_opts_begin(&o->f, false, &co, err) < 0)
                return -1;
        fill_opts(&co, c, o);
        criu_add_external_mounts(&co, c->spec, c->bundle, 0, &owned);
        if (criu_descriptors_inherit(co.images_dir_fd, &co, &owned, err) == 0 &&
            inherit_namespaces(&co, c->spec, nsfds, err) == 0 && make_bind_targets(c, err) == 0) {
                char *root = criu_root_mount(c, err);
                co.root = root;
                if (root)
                        rc = criu_restore_call(c, o, &co, pid, err);
                if (root)
                        criu_root_unmount(c, root);
        }
        for (size_t i = 0; i < ARRAY_SIZE(nsfds); i++)
                if (nsfds[i] >= 0)
                        close(nsfds[i]);
        criu_opts_end(&co);
        return rc;
}
