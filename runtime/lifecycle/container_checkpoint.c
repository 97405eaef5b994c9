/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kago checkpoint and kago restore, the lifecycle side: which containers
 * may be saved, which options go together, the state record of a restored
 * container and its cleanup when the restore fails. What is saved and how
 * is the backend's.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "lifecycle.h"

/* A microVM image restored once already makes an identical clone when
 * restored again: the same memory (keys, caches, whatever the guest holds)
 * under two names. That takes --clone; each restore gets a fresh seed for
 * its random pool either way. The first restore's id is kept in the image. */
#define RESTORED_FILE "kago-restored"

/* A new image in a directory an engine reuses: no restore of it yet. */
static void restored_forget(const char *image)
{
        _cleanup_close_ int dfd = open(image, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0)
                unlinkat(dfd, RESTORED_FILE, 0);
}

/* Combinations refused before CRIU runs. */
static int checkpoint_check_opts(const struct checkpoint_opts *o, struct kago_err *err)
{
        if (o->pre_dump && o->f.lazy_pages)
                return kago_err_set(err, "--pre-dump and --lazy-pages: a pre-dump saves memory "
                                         "now, lazy pages send it later; choose one");
        if (o->status_fd >= 0 && !o->f.lazy_pages)
                return kago_err_set(err, "--status-fd is only for --lazy-pages");
        if (o->status_fd >= 0 && fcntl(o->status_fd, F_GETFD) < 0)
                return kago_err_set(err, "--status-fd %d: not an open fd", o->status_fd);
        if (o->f.lazy_pages && !o->page_server)
                return kago_err_set(err, "--lazy-pages needs --page-server ADDRESS:PORT, "
                                         "where the restoring side fetches the pages");
        return 0;
}

static int need_root(struct kago_err *err)
{
        if (geteuid() == 0)
                return 0;
        return kago_err_set(err, "CRIU needs root: run kago checkpoint and restore as root");
}

static int checkpoint_locked(int dirfd, const struct checkpoint_opts *o, struct kago_err *err)
{
        struct container_state st = { 0 };
        struct oci_spec *spec = NULL;
        int rc = -1;

        if (store_read_state(dirfd, o->id, &st, err) < 0)
                return -1;
        enum container_status status = container_status_get(dirfd, &st);
        const struct kago_backend *b = backend_of_state(&st);
        struct checkpoint_opts bo = *o;
        bo.paused = status == STATUS_PAUSED;
        if (status != STATUS_RUNNING && status != STATUS_PAUSED)
                kago_err_set(err, "container \"%s\" is %s: only a running or paused container "
                                  "can be checkpointed", o->id, container_status_name(status));
        else if (!b->checkpoint)
                kago_err_set(err, "container \"%s\" runs as a %s: kago cannot checkpoint that "
                                  "mode yet", o->id, b->name);
        else if (container_load_config(dirfd, o->id, &spec, err) == 0 &&
                 b->checkpoint(&st, dirfd, spec, &bo, err) == 0) {
                _cleanup_free_ char *extra = b->image_manifest ? b->image_manifest(o->f.image_path)
                                                               : NULL;
                rc = checkpoint_manifest_write(o->f.image_path, b->name, o->id, extra, err);
                restored_forget(o->f.image_path);
        }
        spec_free(spec);
        container_state_free(&st);
        return rc;
}

int container_checkpoint(struct kago_global *g, const struct checkpoint_opts *o,
                         struct kago_err *err)
{
        _cleanup_close_ int rootfd = -1, dirfd = -1;

        if (checkpoint_check_opts(o, err) < 0 || need_root(err) < 0)
                return -1;
        if (store_open_root(g->root, &rootfd, err) < 0 ||
            store_open_locked(rootfd, o->id, &dirfd, err) < 0)
                return -1;
        if (checkpoint_locked(dirfd, o, err) < 0)
                return -1;
        close(dirfd);
        dirfd = -1;
        /* Its processes are gone with the dump: the container goes too. */
        if (o->leave_running || o->pre_dump)
                return 0;
        return container_delete(g, o->id, true, err);
}

/* The restored init recorded: the state a create commits. */
static int restore_commit(struct container_ctx *c, pid_t pid, struct kago_err *err)
{
        c->st.pid = pid;
        if (proc_start_time(pid, &c->st.start_time) < 0)
                return kago_err_set(err, "the restored process %d exited at once", (int)pid);
        free(c->st.created);
        c->st.created = time_now_rfc3339();
        c->st.creating = false;
        if (store_write_state(c->state_dirfd, &c->st, err) < 0)
                return -1;
        if (c->opts->pid_file && pid_file_write(c->opts->pid_file, pid, err) < 0)
                return -1;
        return 0;
}

static int restore_in_store(struct container_ctx *c, int rootfd, const struct restore_opts *o,
                            const char *raw, size_t len, pid_t *pid, struct kago_err *err)
{
        *pid = 0;
        if (container_ctx_make_dir(c, rootfd, raw, len, false, err) < 0)
                goto fail;
        if (o->c.console_socket && c->spec->process->terminal &&
            console_connect(o->c.console_socket, &c->console_fd, err) < 0)
                goto fail;
        /* The systemd driver's needs a process: CRIU's (criu_restore.c). */
        if (container_cgroup_before_clone(c) &&
            (rootless_cgroup_create(c, 0, err) < 0 ||
             (c->cgroup && store_write_state(c->state_dirfd, &c->st, err) < 0)))
                goto fail;
        if (c->backend->restore(c, o, pid, err) < 0 || restore_commit(c, *pid, err) < 0)
                goto fail;
        return 0;
fail:
        container_ctx_abort(c, rootfd, *pid);
        return kago_err_wrap(err, "restore container \"%s\"", o->c.id);
}

/* The manifest's checks (with_criu: CRIU's usability too, for a mode that
 * restores through it), then the mode's own. */
static void image_checks(const struct container_ctx *c, const char *image, bool with_criu,
                         struct restore_checks *r)
{
        restore_checks_run(image, c->backend->name, with_criu && !c->backend->restore_resumed, r);
        if (c->backend->image_checks)
                c->backend->image_checks(c, image, r);
}

int container_restore_check(struct kago_global *g, const struct restore_opts *o,
                            struct restore_checks *r, struct kago_err *err)
{
        struct container_ctx c = CONTAINER_CTX_INIT(g, &o->c, -1);
        _cleanup_free_ char *raw = NULL;
        size_t len = 0;
        int rc = container_ctx_load(&c, &raw, &len, err);

        if (rc == 0)
                image_checks(&c, o->f.image_path, true, r);
        container_ctx_free(&c);
        return rc;
}

static int restore_resumed(struct kago_global *g, const struct kago_backend *b, const char *id,
                           struct kago_err *err)
{
        _cleanup_close_ int rootfd = -1, dirfd = -1;
        struct container_state st = { 0 };
        int rc = -1;
        if (store_open_root(g->root, &rootfd, err) == 0 &&
            store_open_locked(rootfd, id, &dirfd, err) == 0 &&
            store_read_state(dirfd, id, &st, err) == 0)
                rc = b->restore_resumed(&st, dirfd, err);
        container_state_free(&st);
        return rc;
}

static int restore_once(const char *image, const struct restore_opts *o, struct kago_err *err)
{
        _cleanup_close_ int dfd = open(image, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_free_ char *first = NULL;
        struct kago_err none = { 0 };
        if (o->clone || dfd < 0 || file_read_at(dfd, RESTORED_FILE, 256, &first, NULL, &none) < 0)
                return 0;
        return kago_err_set(err, "image %s was restored before, as \"%.*s\": another restore "
                                 "makes an identical clone of it; say --clone to have one",
                            image, (int)strcspn(first, "\n"), first);
}

static void restore_record(const char *image, const char *id)
{
        _cleanup_close_ int dfd = open(image, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_free_ char *line = xasprintf("%s\n", id);
        struct kago_err e = { 0 };
        if (dfd < 0 || file_write_atomic_at(dfd, RESTORED_FILE, line, strlen(line), 0644, &e) < 0)
                log_debug("restore: the image's first restore not recorded: %s",
                          dfd < 0 ? strerror(errno) : kago_err_text(&e));
}

/* A mode that restores in init: create with the image, start, and see it run. */
static int restore_by_create(struct kago_global *g, const struct kago_backend *b,
                             const struct restore_opts *o, pid_t *pid, struct kago_err *err)
{
        struct create_opts co = o->c;
        struct kago_err ignored = { 0 };
        _cleanup_free_ char *image = realpath(o->f.image_path, NULL);
        if (!image)
                return kago_err_errno(err, errno, "--image-path %s", o->f.image_path);
        if (o->f.lazy_pages)
                return kago_err_set(err, "--lazy-pages is CRIU's: a microVM's memory comes in "
                                         "from its image file as the guest touches it anyway");
        co.restore_image = image;
        if (restore_once(image, o, err) < 0 || container_create(g, &co, pid, err) < 0)
                return -1;
        if (container_start(g, co.id, err) == 0 && restore_resumed(g, b, co.id, err) == 0) {
                if (!o->clone)
                        restore_record(image, co.id);
                return 0;
        }
        container_delete(g, co.id, true, &ignored);
        return -1;
}

int container_restore(struct kago_global *g, const struct restore_opts *o, pid_t *pid,
                      struct kago_err *err)
{
        struct container_ctx c = CONTAINER_CTX_INIT(g, &o->c, -1);
        _cleanup_close_ int rootfd = -1;
        _cleanup_free_ char *raw = NULL;
        size_t len = 0;
        int rc = -1;

        if (need_root(err) < 0 || container_ctx_load(&c, &raw, &len, err) < 0)
                goto out;
        if (!c.backend->restore && !c.backend->restore_resumed) {
                kago_err_set(err, "the config asks for a %s: kago cannot restore that mode yet",
                             c.backend->name);
                goto out;
        }
        struct restore_checks checks;
        image_checks(&c, o->f.image_path, false, &checks);
        if (restore_checks_verdict(&checks, o->f.image_path, err) < 0)
                goto out;
        if ((o->c.restore_prefault || o->clone) && !c.backend->restore_resumed) {
                kago_err_set(err, "%s is for a microVM's image: CRIU restores a container's "
                                  "image as often as asked, its memory whole",
                             o->clone ? "--clone" : "--prefault");
                goto out;
        }
        if (c.backend->restore_resumed) {
                rc = restore_by_create(g, c.backend, o, pid, err);
                goto out;
        }
        if (c.spec->process->terminal && !o->c.console_socket)
                kago_err_set(err, "process.terminal is true: --console-socket is required");
        else if (store_open_root(g->root, &rootfd, err) == 0)
                rc = restore_in_store(&c, rootfd, o, raw, len, pid, err);
out:
        container_ctx_free(&c);
        return rc;
}
