/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Choosing a backend, and the container backend: exec process.args. */
#include <errno.h>
#include <string.h>

#include "../../cgroups/cgroups.h"
#include "backend.h"

bool backend_wants_vm(const struct kago_global *g, const struct oci_spec *spec, bool vm_flag)
{
        const char *handler = spec_annotation(spec, "run.oci.handler");

        return spec->vm != NULL || (handler && strcmp(handler, "microvm") == 0) || g->vm ||
               vm_flag;
}

int backend_select(const struct kago_global *g, const struct oci_spec *spec, bool vm_flag,
                   const struct kago_backend **out, struct kago_err *err)
{
        (void)err;
        *out = backend_wants_vm(g, spec, vm_flag) ? &backend_microvm : &backend_container;
        return 0;
}

void backend_record(const struct kago_backend *b, struct container_state *st)
{
        st->vm = b->state_vm;
}

const struct kago_backend *backend_of_state(const struct container_state *st)
{
        return st->vm ? &backend_microvm : &backend_container;
}

void backend_device_rules_append(const struct kago_backend *b, struct cgroup_device_rule **rules,
                                 size_t *n)
{
        if (!b->n_device_rules)
                return;
        *rules = xrealloc(*rules, (*n + b->n_device_rules) * sizeof **rules);
        memcpy(*rules + *n, b->device_rules, b->n_device_rules * sizeof **rules);
        *n += b->n_device_rules;
}

static int container_exec(struct container_ctx *c, const char *exe, char **argv, char **envp,
                          struct kago_err *err)
{
        (void)c;
        execve(exe, argv, envp);
        return kago_err_errno(err, errno, "exec %s", argv[0]);
}

const struct kago_backend backend_container = {
        .name = "container",
        .exec = container_exec,
        .exec_spawn = exec_in_namespaces,
        .checkpoint = criu_dump_container,
        .restore = criu_restore_container,
};
