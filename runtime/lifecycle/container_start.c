/* SPDX-License-Identifier: GPL-2.0-or-later */
/* start: release init from the exec fifo, then the poststart hooks. */
#include "lifecycle.h"

int container_start(struct kago_global *g, const char *id, struct kago_err *err)
{
        _cleanup_close_ int rootfd = -1, dirfd = -1;
        struct container_state st = { 0 };
        struct oci_spec *spec = NULL;
        _cleanup_free_ char *state = NULL;
        int rc = -1;

        if (store_open_root(g->root, &rootfd, err) < 0 ||
            store_open_locked(rootfd, id, &dirfd, err) < 0 ||
            store_read_state(dirfd, id, &st, err) < 0)
                return -1;
        enum container_status s = container_status_get(dirfd, &st);
        if (s != STATUS_CREATED) {
                kago_err_set(err, "container \"%s\" is %s: only a created container can be "
                                  "started", id, container_status_name(s));
                goto out;
        }
        if (container_load_config(dirfd, id, &spec, err) < 0)
                goto out;
        if (exec_fifo_release(dirfd, err) < 0) {
                kago_err_wrap(err, "start container \"%s\"", id);
                goto out;
        }
        state = container_state_json(&st, STATUS_RUNNING, spec);
        hooks_run_logged(spec, OCI_HOOK_POSTSTART, state, id);
        rc = 0;
out:
        spec_free(spec);
        container_state_free(&st);
        return rc;
}
