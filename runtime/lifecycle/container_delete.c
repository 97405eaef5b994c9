/* SPDX-License-Identifier: GPL-2.0-or-later */
/* delete: stop what is left (--force for a running container), poststop
 * hooks, cgroup, state directory. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>

#include "lifecycle.h"

#define DELETE_WAIT_MS 10000

static int wait_exit(const struct container_state *st, struct kago_err *err)
{
        _cleanup_close_ int pfd = -1;

        if (container_open_init(st, &pfd, err) < 0)
                return -1;
        if (pfd < 0)
                return 0;
        struct pollfd p = { .fd = pfd, .events = POLLIN };
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

/* The init of an interrupted create dies with its creator (it may not be in
 * its cgroup yet): signal it when it checks out; what it started is in the
 * cgroup, which destroy kills. */
static void stop_creating(const struct container_state *st)
{
        struct kago_err err = { 0 };

        if (st->pid > 0 && container_signal(st, SIGKILL, true, &err) < 0 &&
            proc_is_alive(st->pid, st->start_time))
                log_warning("%s", kago_err_text(&err));
}

/* The machine, what the backend changed outside the container, then the
 * poststop hooks: all from the stored config. */
static void release_and_poststop(int dirfd, const struct container_state *st, bool poststop)
{
        const struct kago_backend *b = backend_of_state(st);
        struct oci_spec *spec = NULL;
        struct kago_err err = { 0 };

        if (container_load_config(dirfd, st->id, &spec, &err) < 0) {
                if (poststop)
                        log_warning("%s: no poststop hooks run", kago_err_text(&err));
                return;
        }
        machine_unregister(st, spec);
        if (b->release)
                b->release(st, spec);
        if (poststop) {
                _cleanup_free_ char *state = container_state_json(st, STATUS_STOPPED, spec);
                hooks_run_logged(spec, OCI_HOOK_POSTSTOP, state, st->id);
        }
        spec_free(spec);
}

/* A state file that is missing or cannot be read: what the directory still
 * tells, the cgroup its stored config (or the default) names. */
static void state_fallback(const struct kago_global *g, int dirfd, const char *id,
                           struct kago_err *why, struct container_state *st)
{
        store_state_unreadable(dirfd, id, why);
        memset(st, 0, sizeof *st);
        st->id = xstrdup(id);
        st->creating = true;
        container_cgroup_guess(g, dirfd, st);
}

/* A create killed before it recorded its cgroup had cloned nothing into it
 * yet: a populated cgroup of that name is someone else's (the same id under
 * another --root) and stays. */
static void guess_unrecorded_cgroup(const struct kago_global *g, int dirfd,
                                    struct container_state *st)
{
        container_cgroup_guess(g, dirfd, st);
        if (!container_has_cgroup(st) || !container_cgroup_is_populated(st))
                return;
        log_warning("container \"%s\": cgroup %s holds processes its interrupted create never "
                    "made: left alone", st->id, st->cgroup_path);
        free(TAKE_PTR(st->cgroup_path));
        free(TAKE_PTR(st->cgroup_driver));
}

/* Without --force: a running container, or one whose record is lost while
 * its cgroup still holds processes, stays. */
static int check_stopped(const struct container_state *st, enum container_status s,
                         bool have_state, struct kago_err *err)
{
        if (s == STATUS_RUNNING || s == STATUS_PAUSED)
                return kago_err_set(err, "container \"%s\" is %s: stop it first, or use delete "
                                         "--force", st->id, container_status_name(s));
        if (!have_state && container_cgroup_is_populated(st))
                return kago_err_set(err, "container \"%s\": no usable state, and its cgroup %s "
                                         "still holds processes: delete --force kills them",
                                    st->id, st->cgroup_path);
        return 0;
}

/* Kill what is left, poststop hooks, cgroup, state directory. */
static int delete_remove(int rootfd, int dirfd, const struct container_state *st,
                         enum container_status s, struct kago_err *err)
{
        net_devices_detach(dirfd, st);
        net_managed_detach(st);
        if (s == STATUS_CREATING)
                stop_creating(st);
        else if (s != STATUS_STOPPED && stop_container(st, err) < 0)
                return -1;
        release_and_poststop(dirfd, st, s != STATUS_CREATING);
        if (container_cgroup_destroy(st, err) < 0)
                log_warning("container \"%s\": %s", st->id, kago_err_text(err));
        return store_remove(rootfd, st->id, err);
}

static int delete_locked(const struct kago_global *g, int rootfd, int dirfd, const char *id,
                         bool force, struct kago_err *err)
{
        struct container_state st = { 0 };
        struct kago_err why = { 0 };
        bool have_state = store_read_state(dirfd, id, &st, &why) == 0;
        int rc = -1;

        if (!have_state)
                state_fallback(g, dirfd, id, &why, &st);
        else if (st.creating && !st.cgroup_path)
                guess_unrecorded_cgroup(g, dirfd, &st);
        enum container_status s = have_state ? container_status_get(dirfd, &st) : STATUS_CREATING;
        if (force || check_stopped(&st, s, have_state, err) == 0) {
                if (!have_state)
                        log_warning("%s: removing it%s%s", kago_err_text(&why),
                                    st.cgroup_path ? " and the cgroup its config names, " : "",
                                    st.cgroup_path ? st.cgroup_path : "");
                rc = delete_remove(rootfd, dirfd, &st, s, err);
        }
        container_state_free(&st);
        return rc;
}

int container_delete(struct kago_global *g, const char *id, bool force, struct kago_err *err)
{
        _cleanup_close_ int rootfd = -1, dirfd = -1;

        if (store_open_root(g->root, &rootfd, err) < 0 || container_id_validate(id, err) < 0)
                return -1;
        /* As runc: --force of a container that is not there is done. */
        if (force && !store_exists(rootfd, id))
                return 0;
        if (store_open_locked(rootfd, id, &dirfd, err) < 0)
                return force && !store_exists(rootfd, id) ? 0 : -1;
        return delete_locked(g, rootfd, dirfd, id, force, err);
}
