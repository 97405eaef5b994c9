/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runtime/lifecycle/: the verbs that change a container's state: create
 * (the parent side in container_create.c, the init side in init.c and
 * init_security.c), start, kill, delete, checkpoint and restore. Each asks
 * the container's backend for what differs by mode.
 */
#ifndef KAGO_RUNTIME_LIFECYCLE_H
#define KAGO_RUNTIME_LIFECYCLE_H

#include "../backend/backend.h"

/* ---- create / start / kill / delete (parent side) ---------------------- */

/* Build the sandbox and leave init waiting on the exec fifo. On success the
 * state is saved and *pid is init's host pid; on error nothing is left. */
int container_create(struct kago_global *g, const struct create_opts *o, pid_t *pid,
                     struct kago_err *err);
/* The same, with a console socket already connected (run, foreground). */
int container_create_fd(struct kago_global *g, const struct create_opts *o, int console_fd,
                        pid_t *pid, struct kago_err *err);
/* Release a created container and run the poststart hooks. */
int container_start(struct kago_global *g, const char *id, struct kago_err *err);
/* Remove a stopped (or, with force, any) container: kill, poststop, cgroup, state. */
int container_delete(struct kago_global *g, const char *id, bool force, struct kago_err *err);
/* Signal init, or with all every process of the container. */
int container_kill(struct kago_global *g, const char *id, int signo, bool all,
                   struct kago_err *err);
/* The same for a container whose state st is loaded (kill, delete). */
int container_signal(const struct container_state *st, int signo, bool all, struct kago_err *err);

/* Check the id, load and check the bundle's config (raw: its text). */
int container_ctx_load(struct container_ctx *c, char **raw, size_t *len, struct kago_err *err);
/* Make the state directory (creating) with the config, and the exec fifo when asked. */
int container_ctx_make_dir(struct container_ctx *c, int rootfd, const char *raw, size_t len,
                           bool fifo, struct kago_err *err);
/* Undo a failed create: kill pid (when > 0), remove the cgroup and the state. */
void container_ctx_abort(struct container_ctx *c, int rootfd, pid_t pid);
void container_ctx_free(struct container_ctx *c);

/* The init process after clone: never returns. */
_Noreturn void init_main(struct container_ctx *c);

/* ---- init_security.c: the container's init ---------------------------- */

/* In init, in its namespaces, before the rootfs is built (host paths are
 * still reachable: the seccomp agent's socket is connected here): prepare
 * and apply the per-process settings. Errors reach kago create. */
int init_security_prepare(struct container_ctx *c, struct kago_err *err);
/* In init, right before the backend execs: security_finish(), then the
 * seccomp listener to the agent. */
int init_security_finish(struct container_ctx *c, struct kago_err *err);

/* ---- checkpoint and restore ------------------------------------------ */

/* kago checkpoint: through the container's backend; afterwards (unless
 * --leave-running or --pre-dump) the container is deleted, as runc does. */
int container_checkpoint(struct kago_global *g, const struct checkpoint_opts *o,
                         struct kago_err *err);
/* kago restore: a new container from an image; *pid is its init. The
 * image's manifest is checked first (restore_checks_run). */
int container_restore(struct kago_global *g, const struct restore_opts *o, pid_t *pid,
                      struct kago_err *err);
/* kago restore --check: every check for the image and the bundle's mode,
 * CRIU included, into *r; nothing is created. */
int container_restore_check(struct kago_global *g, const struct restore_opts *o,
                            struct restore_checks *r, struct kago_err *err);

/* ---- checkpoint images' manifest (checkpoint_manifest.c) ------------- */

/* Write kago-checkpoint.json into the image directory: format version,
 * mode (the backend's name), kago's version, architecture, CPU vendor, and
 * extra (JSON members, or NULL: the mode's own, image_manifest). */
int checkpoint_manifest_write(const char *image_path, const char *mode, const char *id,
                              const char *extra, struct kago_err *err);
/* The checks of an image against this host and mode (and, with criu,
 * whether CRIU works here). */
void restore_checks_run(const char *image_path, const char *mode, bool criu,
                        struct restore_checks *r);
/* An error naming the first check that failed, or 0. */
int restore_checks_verdict(const struct restore_checks *r, const char *image_path,
                           struct kago_err *err);
#endif
