/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The backend interface (design.md §1). The runtime core owns everything the
 * two modes share — state store, namespaces, rootfs, hooks, console, pid-file,
 * cgroup. A backend owns what differs: the process the container's init
 * becomes. The container backend execs process.args; the microVM backend runs
 * the VMM in the init process (inside the container's namespaces, cgroup and
 * root filesystem), so the pid in --pid-file is the VMM.
 */
#ifndef KAGO_RUNTIME_BACKEND_H
#define KAGO_RUNTIME_BACKEND_H

#include "container.h"

struct checkpoint_opts;
struct restore_opts;
struct exec_ctx;
struct microvm_process;
struct microvm_rlimit;

struct kago_backend {
        const char *name; /* "container", "microvm" */
        /* What state.json records as "vm" for this backend (backend_of_state
         * maps it back). */
        bool state_vm;
        /* Check the config before any sandbox is built (create fails early and
         * leaves nothing behind). May be NULL. */
        int (*validate)(const struct oci_spec *spec, struct kago_err *err);
        /* In kago create, once the state directory (c->state_dirfd) exists
         * and before init is cloned: what init inherits from the host side
         * (c->control_fd). Undone with the state directory. May be NULL. */
        int (*prepare_host)(struct container_ctx *c, struct kago_err *err);
        /* In init, in the container's mount namespace before pivot_root: host
         * paths (a kernel image, say) are still reachable; open what is needed
         * and keep it in c->backend_data. May be NULL. */
        int (*prepare)(struct container_ctx *c, struct kago_err *err);
        /* In init, after the start signal, the user switch and the security
         * setup: become the workload. argv/envp are process.args (the
         * executable resolved on PATH in argv[0]'s place: exe) and the
         * environment. Returns only on error. */
        int (*exec)(struct container_ctx *c, const char *exe, char **argv, char **envp,
                    struct kago_err *err);
        /* In init, after the default nodes and before linux.devices: the
         * device nodes this mode needs in /dev (rootfd). May be NULL. */
        int (*make_devices)(struct container_ctx *c, int rootfd, struct kago_err *err);
        /* Device cgroup rules this mode adds after linux.resources.devices, at
         * create and at every update. */
        const struct cgroup_device_rule *device_rules;
        size_t n_device_rules;
        /* kago exec: start x->process in the running container x->st; *pid
         * gets the host process kago exec waits for, whose pid --pid-file
         * names and whose status is the process's (sub_cgroup: --cgroup). */
        int (*exec_spawn)(struct exec_ctx *x, const char *sub_cgroup, pid_t *pid,
                          struct kago_err *err);
        /* kago ps of the running container st (dirfd: its state directory):
         * print its processes as a table (args: ps's options, if the mode
         * takes any). NULL: the host's processes in the container's cgroup,
         * through ps(1) (cmd_ps.c). --format json is always the latter's
         * pids: engines take them for host processes. */
        int (*ps_table)(const struct container_state *st, int dirfd, char **args, int n_args,
                        struct kago_err *err);
        /* kago events --stats: a JSON member ("name":value, malloc'd in
         * *json) added to the cgroup's figures. May be NULL. */
        int (*stats_extra)(const struct container_state *st, int dirfd, char **json,
                           struct kago_err *err);
        /* kago update: what the mode's process must do for the new
         * resources r, before the cgroup takes them and after (a microVM's
         * guest gives memory back first, takes it back after); status: the
         * container's. May be NULL. */
        int (*update)(const struct container_state *st, enum container_status status, int dirfd,
                      const struct oci_linux_resources *r, bool after_cgroup,
                      struct kago_err *err);
        /* kago pause: what the mode's process must do before its cgroup is
         * frozen (timeout_ms: pause's --timeout). kago resume: what it does
         * after the thaw, and what undoes pause when the freeze fails. May
         * be NULL. */
        int (*pause)(const struct container_state *st, int timeout_ms, struct kago_err *err);
        int (*resume)(const struct container_state *st, struct kago_err *err);
        /* kago checkpoint: save the running (or paused) container st into
         * o's image directory. NULL: this mode has no checkpoint yet, and
         * kago checkpoint says so. */
        int (*checkpoint)(const struct container_state *st, const struct oci_spec *spec,
                          const struct checkpoint_opts *o, struct kago_err *err);
        /* kago restore: bring o's image back as the container c, whose state
         * directory and cgroup exist; *pid gets its init. NULL as above. */
        int (*restore)(struct container_ctx *c, const struct restore_opts *o, pid_t *pid,
                       struct kago_err *err);
};

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
int vm_process(const struct oci_process *p, char **envp, struct microvm_process *out,
               struct microvm_rlimit **rl, struct kago_err *err);

/* The microVM backend's devices (backend_microvm_devices.c). */
extern const struct cgroup_device_rule vm_kvm_rule;
int vm_make_devices(struct container_ctx *c, int rootfd, struct kago_err *err);

/* Whether the container runs as a microVM: the config's `vm` object, the
 * annotation run.oci.handler=microvm, kago invoked as kago-vm, or run --vm. */
bool backend_wants_vm(const struct kago_global *g, const struct oci_spec *spec, bool vm_flag);
/* The backend for this container, or an error when the chosen one is missing. */
int backend_select(const struct kago_global *g, const struct oci_spec *spec, bool vm_flag,
                   const struct kago_backend **out, struct kago_err *err);

#endif
