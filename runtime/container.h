/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container lifecycle inside runtime/: create (the parent side in
 * container_create.c, the init side in init_*.c), start, kill, delete, and the
 * pieces they share. Internal to runtime/.
 */
#ifndef KAGO_RUNTIME_CONTAINER_H
#define KAGO_RUNTIME_CONTAINER_H

#include <signal.h>

#include "../specs/specs.h"
#include "cli.h"
#include "state.h"

struct kago_backend;
struct cgroup;
struct cgroup_device_rule;

/* What `create` (and `run`) were asked for on the command line. */
struct create_opts {
        const char *id;
        const char *bundle;
        const char *pid_file;
        const char *console_socket;
        int preserve_fds;
        bool no_pivot;
        bool no_new_keyring;
        bool vm; /* run --vm */
        /* The config as JSON, instead of bundle/config.json (run --rootfs);
         * bundle is then the directory recorded as the container's bundle. */
        const char *config;
        size_t config_len;
};

/* Everything the parent and the init process share across the clone. */
struct container_ctx {
        struct kago_global *g;
        const struct create_opts *opts;
        struct oci_spec *spec;
        char *bundle;       /* absolute */
        char *rootfs;       /* absolute */
        int state_dirfd;    /* locked by the parent; closed in init */
        int sync_fd;        /* init's end of the socketpair */
        int parent_sync_fd; /* the parent's end */
        int console_fd;     /* connected --console-socket, or -1 */
        int fifo_fd;        /* exec fifo, read end held by init */
        int listen_fds;     /* LISTEN_FDS passed through */
        int control_fd;     /* the backend's listening socket init serves (prepare_host), or -1 */
        const struct kago_backend *backend;
        void *backend_data; /* the backend's own, from its prepare step */
        struct container_state st;
        struct cgroup *cgroup;
        bool cgroup_entered; /* init was cloned into it (or there is none) */
        bool init_waits_go;  /* init waits for SYNC_GO before its setup */
        bool init_makes_cgroupns; /* init unshares its cgroup namespace after SYNC_GO */
        bool rootless; /* kago create is unprivileged (known before init's user
                        * namespace, where its euid says nothing) */
};

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

/* create's steps that restore shares (container_create.c). */
#define CONTAINER_CTX_INIT(g_, o_, console_fd_)                                                   \
        { .g = (g_), .opts = (o_), .rootless = rootless_active(), .state_dirfd = -1,              \
          .sync_fd = -1, .parent_sync_fd = -1, .console_fd = (console_fd_), .fifo_fd = -1,       \
          .control_fd = -1 }
/* Check the id, load and check the bundle's config (raw: its text). */
int container_ctx_load(struct container_ctx *c, char **raw, size_t *len, struct kago_err *err);
/* Make the state directory (creating) with the config, and the exec fifo when asked. */
int container_ctx_make_dir(struct container_ctx *c, int rootfd, const char *raw, size_t len,
                           bool fifo, struct kago_err *err);
/* Undo a failed create: kill pid (when > 0), remove the cgroup and the state. */
void container_ctx_abort(struct container_ctx *c, int rootfd, pid_t pid);
void container_ctx_free(struct container_ctx *c);

/* Load the container's saved config (from its state directory). */
int container_load_config(int dirfd, const char *id, struct oci_spec **spec, struct kago_err *err);
/* The user name of uid, or the number when it has none. */
char *container_owner_name(uid_t uid);
/* The OCI state document for st with status; the caller frees. */
char *container_state_json(const struct container_state *st, enum container_status status,
                           const struct oci_spec *spec);
/* The pids of the container: its cgroup's, else its pid namespace's, else init. */
int container_pids(const struct container_state *st, pid_t **pids, size_t *n, struct kago_err *err);

/* ---- sync between the parent and init --------------------------------- */

enum sync_type {
        SYNC_GO = 1,           /* parent -> init: carry on */
        SYNC_CREATE_RUNTIME,   /* init -> parent: namespaces and mounts ready, run hooks */
        SYNC_READY,            /* init -> parent: waiting on the exec fifo */
        SYNC_PID,              /* init -> parent: its host pid (after a fork, msg) */
        SYNC_ERROR,            /* init -> parent: failed, msg says why */
};

int sync_send(int fd, enum sync_type type, const char *msg);
/* Receive one message; EOF (init died) is an error. msg gets its text. */
int sync_recv(int fd, enum sync_type *type, struct kago_err *msg, struct kago_err *err);
int sync_expect(int fd, enum sync_type want, struct kago_err *err);

/* ---- init side ------------------------------------------------------- */

/* The init process after clone: never returns. */
_Noreturn void init_main(struct container_ctx *c);

int ns_clone_flags(const struct oci_spec *spec, unsigned long *flags, struct kago_err *err);
int ns_join_for_children(const struct oci_spec *spec, struct kago_err *err);
int ns_join_in_init(const struct oci_spec *spec, struct kago_err *err);
bool ns_joins_user(const struct oci_spec *spec);
int ns_join_user_then_fork(const struct oci_spec *spec, struct kago_err *err);
int ns_become_root(const struct oci_spec *spec, struct kago_err *err);
int ns_write_id_maps(const struct oci_spec *spec, pid_t pid, struct kago_err *err);
int ns_validate(const struct oci_spec *spec, struct kago_err *err);
int ns_type_flag(enum oci_ns_type type);

int rootfs_prepare(struct container_ctx *c, struct kago_err *err);
int rootfs_mount_all(struct container_ctx *c, int rootfd, struct kago_err *err);
/* After /dev is filled: the tmpfs mounts asked read-only become so. */
int rootfs_readonly_tmpfs(struct container_ctx *c, int rootfd, struct kago_err *err);
int rootfs_pivot(struct container_ctx *c, struct kago_err *err);
/* --no-pivot: detach (or cover) the host's proc and sysfs mounts outside rootfs. */
int rootfs_hide_host_kernfs(const char *rootfs, struct kago_err *err);
int rootfs_finish(struct container_ctx *c, struct kago_err *err);
int devices_create(struct container_ctx *c, int rootfd, struct kago_err *err);
int devices_symlinks(int rootfd, struct kago_err *err);
/* A device node to make in the container's /dev. */
struct dev_node {
        const char *path;
        mode_t type; /* S_IFCHR, S_IFBLK, S_IFIFO */
        unsigned major, minor;
        mode_t mode;
        uid_t uid;
        gid_t gid;
};
/* mknod d inside rootfd (EEXIST is fine); in a user namespace, a bind of the
 * host's node. */
int dev_make(int rootfd, const struct dev_node *d, struct kago_err *err);

/* ---- bind_trees.c: bind mounts of a container with a user namespace of its
 * own, cloned by kago create with the host's rights (and idmapped when
 * asked): init may not reach their sources and cannot idmap. */
/* A bind mount (type "bind", or a bind/rbind option); *rec: rbind. */
bool mount_is_bind(const struct oci_mount *m, bool *rec);
/* Whether mount m of c comes from kago create that way. */
bool bind_tree_from_parent(const struct container_ctx *c, const struct oci_mount *m);
/* kago create, once init's maps are written: clone each such mount (sources
 * relative to the bundle) and send it to init over the sync socket. */
int bind_trees_send(const struct container_ctx *c, pid_t init_pid, struct kago_err *err);
/* init: receive them (before its rootfs is built). */
int bind_trees_receive(const struct container_ctx *c, struct kago_err *err);
/* init: the detached mount received for spec->mounts[index]; the caller
 * closes it. */
int bind_trees_take(size_t index, int *tree_fd, struct kago_err *err);

/* Parse mount options into flags, propagation, recursive attributes and data. */
struct mount_opts {
        unsigned long flags;      /* MS_* to set */
        unsigned long clear;      /* MS_* cleared explicitly (rw, suid, ...) */
        unsigned long propagation;
        uint64_t attr_set, attr_clr; /* MOUNT_ATTR_* applied recursively */
        bool bind, recursive;
        bool tmpcopyup; /* tmpfs: copy what the directory held into it */
        char *data; /* comma-separated filesystem options */
};
int mount_opts_parse(char *const *options, size_t n, struct mount_opts *o, struct kago_err *err);
void mount_opts_free(struct mount_opts *o);

int console_setup(struct container_ctx *c, struct kago_err *err);
int console_connect(const char *path, int *fd, struct kago_err *err);
int console_send_fd(int sock, int fd, const char *name, struct kago_err *err);
/* A new pty: *master (close-on-exec) and the slave's path in name. */
int console_open_pty(int *master, char *name, size_t len, struct kago_err *err);
int console_recv_fd(int sock, int *fd, struct kago_err *err);

int process_prepare(struct container_ctx *c, struct kago_err *err);
int process_set_user(const struct oci_process *p, struct kago_err *err);
char **process_build_env(struct container_ctx *c);
int process_find_executable(const struct oci_process *p, char **path, struct kago_err *err);
int process_keep_fds(int n, struct kago_err *err);
int sysctl_apply(const struct oci_spec *spec, struct kago_err *err);

/* ---- hooks ----------------------------------------------------------- */

/* Whether prestart or createRuntime hooks exist (init then pauses for them). */
bool spec_has_runtime_hooks(const struct oci_spec *spec);
/* Run every hook of kind with state_json on its stdin; the first failure is
 * the error (a failing hook, a timeout). */
int hooks_run(const struct oci_spec *spec, enum oci_hook_kind kind, const char *state_json,
              struct kago_err *err);
/* Run them, logging failures as warnings (poststart, poststop). */
void hooks_run_logged(const struct oci_spec *spec, enum oci_hook_kind kind, const char *state_json,
                      const char *id);

/* ---- signals --------------------------------------------------------- */

/* "KILL", "SIGKILL", "kill", "9" -> 9. */
int signal_parse(const char *s, int *signo, struct kago_err *err);
/* Block SIGCHLD and the signals a foreground run/exec forwards to the
 * container (saving the old mask in old); returns a signalfd for them. */
int signal_forwarding_fd(sigset_t *old);

#endif
