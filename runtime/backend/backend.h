/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runtime/backend/: the two implementations of the backend interface
 * (declared in container/container.h). The container backend execs
 * process.args, starts kago exec's processes in the container's namespaces
 * (exec_container.c, exec_process.c) and checkpoints through CRIU
 * (criu_*.c); the microVM backend runs the VMM in the init process (inside
 * the container's namespaces, cgroup and root filesystem, so the pid in
 * --pid-file is the VMM) and reaches the guest through the VMM's control
 * socket (backend_microvm_*.c). Also what kago exec and checkpoint hand
 * to a backend.
 */
#ifndef KAGO_RUNTIME_BACKEND_H
#define KAGO_RUNTIME_BACKEND_H

#include "../../cgroups/cgroups.h"
#include "../../criu/criu.h"
#include "../../microvm/microvm.h"
#include "../process/process.h"

/* ---- kago exec: what a backend's exec_spawn is given ------------------ */

struct exec_opts {
        const char *id;
        const char *process_file;
        const char *console_socket;
        const char *pid_file;
        const char *cwd;
        const char *user;
        const char *process_label;
        const char *apparmor;
        bool tty, detach, no_new_privs, ignore_paused;
        char **env; /* --env, NULL-terminated */
        size_t env_len;
        char **caps; /* --cap */
        size_t caps_len;
        uint32_t *gids; /* --additional-gids */
        size_t gids_len;
        int preserve_fds;
        char **args; /* the command after the id (points into argv) */
        size_t args_len;
};

/* Everything the child needs, prepared by the parent. */
struct exec_ctx {
        const struct exec_opts *o;
        struct oci_spec *spec;       /* the container's config */
        struct oci_process *process; /* what to run */
        struct kago_security sec;
        struct container_state st;
        int pidfd;     /* the container's init */
        int root_fd;   /* /proc/INIT/root: the container's root directory */
        int sync_fd;   /* the child's end */
        int console_fd; /* --console-socket, or the foreground's socketpair; -1 */
        int state_dirfd; /* the container's state directory */
        int ns_flags;  /* CLONE_NEW* of the namespaces that differ from ours */
        bool paused;   /* the container is paused (--ignore-paused) */
        bool created;  /* the container is created, not started yet */
};

/* Messages between kago exec and its child (SOCK_SEQPACKET). */
enum exec_msg {
        EXEC_GO = 1,     /* parent -> child: carry on */
        EXEC_LISTENER,   /* child -> parent: the seccomp listener fd comes with it */
        EXEC_READY,      /* child -> parent: about to execve */
        EXEC_ERROR,      /* child -> parent: failed, the text says why */
};

int exec_msg_send(int sock, enum exec_msg type, const char *text, int fd);
/* *type 0 at EOF; *fd (or -1) when the message carried one. */
int exec_msg_recv(int sock, enum exec_msg *type, char *text, size_t cap, int *fd);

/* The CLONE_NEW* flags of the namespaces of pid that are not ours. */
int exec_ns_flags(pid_t pid, int *flags, struct kago_err *err);
/* The container backend's exec_spawn: a child that joins every namespace
 * of the container's init and its cgroup, with the container's security. */
int exec_in_namespaces(struct exec_ctx *x, const char *sub_cgroup, pid_t *pid,
                       struct kago_err *err);
/* Put pid in the container's cgroup, or its sub-cgroup sub (--cgroup). */
int exec_place(struct exec_ctx *x, pid_t pid, const char *sub, struct kago_err *err);
/* In the child: never returns. */
_Noreturn void exec_child_main(struct exec_ctx *x);

/* ---- kago checkpoint and restore: what a backend is given ------------ */

/* The flags checkpoint and restore share. */
struct criu_flags {
        const char *image_path; /* default "checkpoint" */
        const char *work_path;  /* default: the image path */
        bool tcp_established, ext_unix_sk, shell_job, file_locks, lazy_pages;
        enum criu_cg_mode cg_mode;
        uint32_t empty_ns; /* CLONE_NEWNET: --empty-ns network */
};

struct checkpoint_opts {
        const char *id;
        struct criu_flags f;
        const char *parent_path;
        const char *page_server; /* ADDRESS:PORT */
        bool leave_running, pre_dump, auto_dedup, link_remap, tcp_skip_in_flight;
        int status_fd; /* -1: none */
        bool paused;   /* the container is paused (set by kago checkpoint, not a flag) */
};

struct restore_opts {
        struct create_opts c;
        struct criu_flags f;
        bool detach, no_subreaper, tcp_close;
        bool check; /* --check: only the image's compatibility checks */
        bool clone; /* --clone: a microVM image restored before, restored again */
        const char *lsm_profile, *lsm_mount_context;
};

/* ---- the backends ----------------------------------------------------- */

extern const struct kago_backend backend_container;
extern const struct kago_backend backend_microvm; /* backend_microvm.c */

/* Record in st which backend runs it (the inverse of backend_of_state). */
void backend_record(const struct kago_backend *b, struct container_state *st);
/* The backend a container was created with, from its saved state. */
const struct kago_backend *backend_of_state(const struct container_state *st);
/* b's device rules appended to a malloc'd list. */
void backend_device_rules_append(const struct kago_backend *b, struct cgroup_device_rule **rules,
                                 size_t *n);

/* The microVM backend's exec (backend_microvm_exec.c), and the process
 * description both it and the VM's workload use (p's rlimits in *rl). */
int vm_exec_spawn(struct exec_ctx *x, const char *sub_cgroup, pid_t *pid, struct kago_err *err);
/* kago ps, events --stats and update of a microVM: the guest's processes
 * and figures from its agent, its memory through the balloon
 * (backend_microvm_guest.c). */
int vm_ps(const struct container_state *st, int dirfd, char **args, int n_args,
          struct kago_err *err);
int vm_stats_extra(const struct container_state *st, int dirfd, char **json, struct kago_err *err);
int vm_update(const struct container_state *st, enum container_status status, int dirfd,
              const struct oci_linux_resources *r, bool after_cgroup, struct kago_err *err);
struct vm_process_store { /* what a microvm_process from vm_process points at */
        struct microvm_rlimit *rlimits; /* the caller frees it */
        uint64_t caps[MICROVM_CAP_SETS];
};
int vm_process(const struct oci_process *p, const char *oci_version, char **envp,
               struct microvm_process *out, struct vm_process_store *store, struct kago_err *err);

/* The microVM backend's devices (backend_microvm_devices.c): /dev/kvm, and
 * /dev/net/tun for the NICs' taps. */
extern const struct cgroup_device_rule vm_device_rules[2];
int vm_make_devices(struct container_ctx *c, int rootfd, struct kago_err *err);

/* The guest's NICs (backend_microvm_net.c): in init, in the container's
 * network namespace, a tap VM_TAP_PREFIX<n> for each interface that is up,
 * redirected both ways to it. */
#define VM_TAP_PREFIX "kagotap"
struct vm_nics {
        struct microvm_nic v[MICROVM_NICS_MAX];
        size_t n;
};
int vm_nics_prepare(const struct oci_spec *spec, struct vm_nics *nics, struct kago_err *err);
/* kago delete: the redirects off the interfaces of a namespace the engine keeps. */
void vm_nics_release(const struct container_state *st, const struct oci_spec *spec);

/* kago checkpoint of a microVM, and restore's part in init: the image's
 * two files opened (backend_microvm_snapshot.c). */
int vm_checkpoint(const struct container_state *st, int dirfd, const struct oci_spec *spec,
                  const struct checkpoint_opts *o, struct kago_err *err);
int vm_snapshot_open(const char *image, int *state_fd, int *mem_fd, struct kago_err *err);
int vm_restore_resumed(const struct container_state *st, int dirfd, struct kago_err *err);
void vm_image_checks(const struct container_ctx *c, const char *image, struct restore_checks *r);
char *vm_image_manifest(const char *image);
/* The guest kernel the config names (vm.kernel.path, else kago's own), and
 * its disks (s's; each fd -1 until opened, closed by the caller). */
int vm_open_kernel(const struct container_ctx *c, int *fd, struct kago_err *err);
int vm_open_disks(const struct container_ctx *c, const struct microvm_settings *s,
                  struct microvm_disk *disks, struct kago_err *err);

/* Whether the container runs as a microVM: the config's `vm` object, the
 * annotation run.oci.handler=microvm, kago invoked as kago-vm, or run --vm. */
bool backend_wants_vm(const struct kago_global *g, const struct oci_spec *spec, bool vm_flag);
/* The backend for this container, or an error when the chosen one is missing. */
int backend_select(const struct kago_global *g, const struct oci_spec *spec, bool vm_flag,
                   const struct kago_backend **out, struct kago_err *err);

/* ---- the container backend's CRIU side -------------------------------- */

int criu_dump_container(const struct container_state *st, int dirfd, const struct oci_spec *spec,
                        const struct checkpoint_opts *o, struct kago_err *err);
int criu_restore_container(struct container_ctx *c, const struct restore_opts *o, pid_t *pid,
                           struct kago_err *err);

/* criu_spec.c: what dump and restore derive alike from the config. */
/* Start co with the image and work directories open (made, for a dump);
 * criu_opts_end closes them and frees co. */
int criu_opts_begin(const struct criu_flags *f, bool make, struct criu_opts *co,
                    struct kago_err *err);
void criu_opts_end(struct criu_opts *co);
/* criu_call; a request CRIU failed is an error explained from its log
 * (call->opts->log_file in the work directory). res is the caller's to free
 * on success. */
int criu_run_logged(const struct criu_call *call, const struct criu_flags *f,
                    struct criu_result *res, struct kago_err *err);
/* Keep s in the NULL-terminated list *owned (freed with it); returns s. */
char *criu_own(char ***owned, char *s);
/* The log's path as the user will find it. */
char *criu_log_path(const struct criu_flags *f, const char *name);
/* Bind mounts and masked files as CRIU external mounts: key the destination,
 * value the destination (a dump of the container whose init is dump_pid) or
 * the source (a restore: dump_pid 0; sources relative to bundle). */
void criu_add_external_mounts(struct criu_opts *co, const struct oci_spec *spec,
                              const char *bundle, pid_t dump_pid, char ***owned);
/* The CRIU config file: the org.criu.config annotation ("" for none), else
 * /etc/criu/kago.conf, else /etc/criu/runc.conf when they exist; or NULL. */
const char *criu_config_file(const struct oci_spec *spec);
/* The shared flags into CRIU's options. */
void criu_apply_flags(struct criu_opts *co, const struct criu_flags *f);
/* descriptors.json: the targets of init's fds 0-2 (runc's and crun's file). */
int criu_descriptors_write(int imgfd, pid_t pid, struct kago_err *err);
/* Each pipe in it becomes an inherit_fd of our own fd 0-2 (keys owned). */
int criu_descriptors_inherit(int imgfd, struct criu_opts *co, char ***owned,
                             struct kago_err *err);
#endif
