/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An unprivileged kago (see container.h). */
#include <errno.h>
#include <string.h>

#include "container.h"

bool rootless_active(void)
{
        return geteuid() != 0;
}

char *rootless_default_root(void)
{
        const char *xdg = getenv("XDG_RUNTIME_DIR");

        if (rootless_active() && xdg && xdg[0] == '/')
                return xasprintf("%s/kago", xdg);
        return xstrdup(KAGO_DEFAULT_ROOT);
}

static bool rootless_denied(int errnum)
{
        return errnum == EACCES || errnum == EPERM || errnum == EROFS;
}

int rootless_cgroup_create(struct container_ctx *c, pid_t pid, struct kago_err *err)
{
        struct kago_err why = { 0 };

        if (!rootless_active())
                return container_cgroup_create(c, pid, err);
        if (container_cgroup_create(c, pid, &why) == 0)
                return 0;
        if (!rootless_denied(why.errnum)) {
                *err = why;
                return -1;
        }
        /* Device rules do not count: without privileges they cannot be
         * enforced anyway. */
        if (container_cgroup_asks_limits(c->spec, false))
                return kago_err_set(err, "linux.resources: limits need a cgroup, and kago (uid "
                                         "%u) may not write one: %s; delegate a cgroup to this "
                                         "user and point linux.cgroupsPath into it",
                                    (unsigned)geteuid(), kago_err_text(&why));
        log_warning("container \"%s\": no cgroup: kago (uid %u) may not write one (%s)",
                    c->opts->id, (unsigned)geteuid(), kago_err_text(&why));
        return 0;
}

static bool rootless_id_mapped(const struct oci_id_mapping *m, size_t n, uint32_t id)
{
        for (size_t i = 0; i < n; i++)
                if (id >= m[i].container_id && id - m[i].container_id < m[i].size)
                        return true;
        return false;
}

int rootless_check_user(const struct oci_spec *spec, struct kago_err *err)
{
        const struct oci_namespace *user = spec_namespace(spec, OCI_NS_USER);
        const struct oci_linux *l = spec->linux_cfg;
        const struct oci_user *u = &spec->process->user;

        if (!user || user->path || !l || !l->uid_mappings_len || !l->gid_mappings_len)
                return 0;
        if (!rootless_id_mapped(l->uid_mappings, l->uid_mappings_len, u->uid))
                return kago_err_set(err, "process.user.uid: %u is not in linux.uidMappings",
                                    u->uid);
        if (!rootless_id_mapped(l->gid_mappings, l->gid_mappings_len, u->gid))
                return kago_err_set(err, "process.user.gid: %u is not in linux.gidMappings",
                                    u->gid);
        for (size_t i = 0; i < u->additional_gids_len; i++)
                if (!rootless_id_mapped(l->gid_mappings, l->gid_mappings_len,
                                        u->additional_gids[i]))
                        return kago_err_set(err, "process.user.additionalGids[%zu]: %u is not in "
                                                 "linux.gidMappings", i, u->additional_gids[i]);
        if (u->additional_gids_len && rootless_active())
                return kago_err_set(err, "process.user.additionalGids: an unprivileged kago "
                                         "(uid %u) must deny setgroups in the container's user "
                                         "namespace, so it cannot set additional groups",
                                    (unsigned)geteuid());
        return 0;
}
