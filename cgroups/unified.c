/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.resources.unified: cgroup v2 files written as given, after every
 * other limit (so they win). A key must be a plain file name of the cgroup;
 * the files kago itself manages are refused. Whether the file exists is
 * checked when it is written (the error names the file).
 */
#include <string.h>

#include "../specs/specs.h"
#include "internal.h"

static const char *const managed[] = {
        "cgroup.procs", "cgroup.threads", "cgroup.subtree_control", "cgroup.freeze", "cgroup.kill",
};

static int check_key(const char *key, struct kago_err *err)
{
        if (!*key || key[0] == '.' || strchr(key, '/') || strchr(key, '\n'))
                return kago_err_set(err, "linux.resources.unified: key \"%s\" is not a cgroup file name "
                                         "(no path separators, not starting with '.')", key);
        if (!strchr(key, '.'))
                return kago_err_set(err, "linux.resources.unified: key \"%s\" is not a cgroup file name "
                                         "(expected CONTROLLER.FILE, e.g. memory.high)", key);
        for (size_t i = 0; i < ARRAY_SIZE(managed); i++)
                if (strcmp(key, managed[i]) == 0)
                        return kago_err_set(err, "linux.resources.unified: \"%s\" is managed by kago and "
                                                 "cannot be set here", key);
        return 0;
}

int cg_plan_unified(struct cg_plan *p, const struct oci_kv *kv, size_t n, struct kago_err *err)
{
        for (size_t i = 0; i < n; i++) {
                const char *key = kv[i].key ? kv[i].key : "";
                if (check_key(key, err) < 0)
                        return -1;
                _cleanup_free_ char *field = xasprintf("linux.resources.unified[\"%s\"]", key);
                cg_plan_add(p, field, key, "%s", kv[i].value ? kv[i].value : "");
        }
        return 0;
}
