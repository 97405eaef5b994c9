/* SPDX-License-Identifier: GPL-2.0-or-later */
/* delete: stop what is left (--force for a running container), poststop
 * hooks, cgroup, state directory. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>

#include "container.h"
#include "container_cgroup.h"

#define DELETE_WAIT_MS 10000

int container_signal(const struct container_state *st, int signo, bool all, struct kago_err *err);

static int wait_exit(const struct container_state *st, struct kago_err *err)
{
        _cleanup_close_ int pfd = proc_open_pidfd(st->pid, st->start_time);
        struct pollfd p = { .fd = pfd, .events = POLLIN };

        if (pfd < 0)
                return 0;
        int r;
        do
                r = poll(&p, 1, DELETE_WAIT_MS);
        while (r < 0 && errno == EINTR);
        if (r == 0)
                return kago_err_set(err, "container \"%s\": init (pid %d) still alive %d s after "
                                         "SIGKILL", st->id, (int)st->pid, DELETE_WAIT_MS / 1000);
        return 0;
}

static int stop_container(const struct container_state *st, struct kago_err *err)
{
        if (container_signal(st, SIGKILL, true, err) < 0 &&
            proc_is_alive(st->pid, st->start_time))
                return -1;
        return wait_exit(st, err);
}

static void run_poststop(int dirfd, const struct container_state *st)
{
        struct oci_spec *spec = NULL;
        struct kago_err err = { 0 };

        if (container_load_config(dirfd, st->id, &spec, &err) < 0) {
                log_warning("%s: no poststop hooks run", kago_err_text(&err));
                return;
        }
        _cleanup_free_ char *state = container_state_json(st, STATUS_STOPPED, spec);
        hooks_run_logged(spec, OCI_HOOK_POSTSTOP, state, st->id);
        spec_free(spec);
}

static bool state_file_missing(int dirfd)
{
        struct stat sb;
        return fstatat(dirfd, STATE_FILE, &sb, 0) < 0 && errno == ENOENT;
}

static int delete_locked(int rootfd, int dirfd, const char *id, bool force, struct kago_err *err)
{
        struct container_state st = { 0 };
        int rc = -1;

        if (store_read_state(dirfd, id, &st, err) < 0) {
                /* We hold the lock, so no create is making it: a directory
                 * without its state is what a killed create left. */
                if (!state_file_missing(dirfd))
                        return -1;
                log_warning("container \"%s\": no state (an interrupted create): removing", id);
                return store_remove(rootfd, id, err);
        }
        enum container_status s = container_status_get(dirfd, &st);
        if ((s == STATUS_RUNNING || s == STATUS_PAUSED) && !force) {
                kago_err_set(err, "container \"%s\" is %s: stop it first, or use delete --force",
                             id, container_status_name(s));
                goto out;
        }
        if (s != STATUS_STOPPED && s != STATUS_CREATING && stop_container(&st, err) < 0)
                goto out;
        if (s != STATUS_CREATING)
                run_poststop(dirfd, &st);
        if (container_cgroup_destroy(&st, err) < 0)
                log_warning("container \"%s\": %s", id, kago_err_text(err));
        rc = store_remove(rootfd, id, err);
out:
        container_state_free(&st);
        return rc;
}

int container_delete(struct kago_global *g, const char *id, bool force, struct kago_err *err)
{
        _cleanup_close_ int rootfd = -1, dirfd = -1;

        if (store_open_root(g->root, &rootfd, err) < 0 ||
            store_open_locked(rootfd, id, &dirfd, err) < 0)
                return -1;
        return delete_locked(rootfd, dirfd, id, force, err);
}
