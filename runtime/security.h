/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What keeps a container's process in its box: seccomp, capabilities, user
 * namespaces and idmapped mounts, the rest of process security, hardened
 * mount targets, masked/readonly paths and the /proc/self/exe guard.
 * Internal to runtime/.
 *
 * The split between parent and child: everything that can fail because of
 * the config (names, operators, host capabilities) is checked in the parent
 * by security_prepare(), before any process exists; the child then only
 * applies what was prepared, in this order (as runc and crun do):
 *   security_apply_process()  oom, ioprio, scheduler, mempolicy, personality,
 *                             rlimits, LSM labels (still privileged);
 *   security_finish()         seccomp (when no_new_privs is off), bounding
 *                             set, keep caps across setuid, user switch,
 *                             capability sets, ambient set, no_new_privs,
 *                             seccomp (when no_new_privs is on);
 * then execve.
 */
#ifndef KAGO_RUNTIME_SECURITY_H
#define KAGO_RUNTIME_SECURITY_H

#include <linux/filter.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include "../base/base.h"
#include "../specs/specs.h"

/* ---- seccomp.c ------------------------------------------------------- */

/* A compiled linux.seccomp: a BPF program plus the seccomp(2) flags. */
struct kago_seccomp {
        struct sock_filter *prog;
        size_t len;         /* instructions */
        unsigned int flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
        bool notify;        /* a rule uses SCMP_ACT_NOTIFY: loading yields a listener */
        char *listener_path;
        char *listener_metadata;
        size_t skipped;     /* syscall names unknown to this libseccomp, skipped */
};

/* seccomp_enosys.c: put before f's program a check that answers ENOSYS to
 * native syscalls above the highest cfg names (unless cfg allows by default). */
int seccomp_prepend_enosys(const struct oci_seccomp *cfg, struct kago_seccomp *f,
                           struct kago_err *err);

/* The SECCOMP_FILTER_FLAG_* value of a linux.seccomp.flags name; -1 if unknown. */
int seccomp_flag(const char *name, unsigned int *out);

/* Compile cfg (with libseccomp) into a program; every bad value is an error
 * naming its JSON path. Unknown syscall names are skipped (they may exist on
 * another kernel), as runc does. */
int seccomp_filter_compile(const struct oci_seccomp *cfg, struct kago_seccomp **out, struct kago_err *err);
/* Load it into the calling thread. *listener_fd gets the notify fd (or -1). */
int seccomp_filter_load(const struct kago_seccomp *f, int *listener_fd, struct kago_err *err);
void seccomp_filter_free(struct kago_seccomp *f);

/* ---- seccomp_notify.c ------------------------------------------------ */

/* runc's containerProcessState JSON (what a seccomp agent reads). */
char *seccomp_notify_state_emit(const struct oci_state *state, pid_t pid, const char *metadata);
/* Connect to listener_path and send listener_fd with the state JSON. */
int seccomp_notify_send(const char *listener_path, int listener_fd, const char *state_json,
                        struct kago_err *err);

/* ---- capabilities.c -------------------------------------------------- */

/* The five sets as bit masks (bit n = capability n). */
struct kago_caps {
        bool set; /* process.capabilities present */
        uint64_t bounding, effective, inheritable, permitted, ambient;
};

/* Map the names of spec (NULL: keep the current sets) to bits; an unknown name
 * is an error naming it and its set. */
int caps_from_spec(const struct oci_capabilities *spec, struct kago_caps *out, struct kago_err *err);
/* Add one capability (by name: "CAP_NET_ADMIN" or "NET_ADMIN") to every set. */
int caps_add_name(struct kago_caps *caps, const char *name, struct kago_err *err);
/* Every capability asked for must be in this host's bounding set. */
int caps_check_host(const struct kago_caps *caps, struct kago_err *err);
/* Drop from the bounding set what caps does not keep (before the user switch). */
int caps_drop_bounding(const struct kago_caps *caps, struct kago_err *err);
/* Keep the permitted set across setuid (before the user switch) / stop keeping it. */
int caps_keep_on_setuid(bool keep, struct kago_err *err);
/* Set effective, permitted, inheritable, then the ambient set (after the user switch). */
int caps_apply(const struct kago_caps *caps, struct kago_err *err);
/* "CAP_CHOWN" for 0, ...; NULL when unknown. */
const char *caps_name(int cap);
int caps_from_name(const char *name);

/* ---- userns.c -------------------------------------------------------- */

/* "0 100000 65536\n..." for /proc/PID/uid_map. */
char *userns_format_map(const struct oci_id_mapping *maps, size_t n);
/* Write linux.uidMappings/gidMappings of the process pid (from its parent);
 * setgroups is denied first when the writer lacks CAP_SETGID. */
int userns_write_maps(pid_t pid, const struct oci_id_mapping *uids, size_t nuids,
                      const struct oci_id_mapping *gids, size_t ngids, struct kago_err *err);
/* A user namespace fd with these mappings (for MOUNT_ATTR_IDMAP). */
int userns_open_mapped(const struct oci_id_mapping *uids, size_t nuids,
                       const struct oci_id_mapping *gids, size_t ngids, int *nsfd,
                       struct kago_err *err);
/* Whether mount m is an idmapped mount, and whether recursively (ridmap). */
bool userns_mount_is_idmapped(const struct oci_mount *m, bool *recursive);
/* A detached clone of the source of m, idmapped with m's mappings, or with the
 * container's (l) for a bare idmap/ridmap option. Attach it with
 * mount_attach_tree(). Done in the parent: it needs the host's privileges. */
int userns_open_idmapped_tree(const struct oci_mount *m, const struct oci_linux *l, int *tree_fd,
                              struct kago_err *err);
/* The same with the user namespace nsfd (a container's own, for a bare
 * idmap/ridmap). m's checks are the caller's. */
int userns_open_idmapped_tree_in(const struct oci_mount *m, int nsfd, int *tree_fd,
                                 struct kago_err *err);
/* Whether a check of m for idmapping passes (a bind with a source, both maps
 * or neither, and the container's maps (l) for neither). */
int userns_check_idmapped(const struct oci_mount *m, const struct oci_linux *l,
                          struct kago_err *err);

/* ---- path_masks.c ---------------------------------------------------- */

/* Move a detached mount (open_tree / fsmount) onto the target fd. */
int mount_attach_tree(int tree_fd, int target_fd, struct kago_err *err);
/* Masked path: /dev/null over a file, an empty read-only tmpfs over a
 * directory; a missing path is fine. The container's /dev/null is checked
 * to be the real null device. */
int path_mask(int rootfd, const char *path, struct kago_err *err);
/* Readonly path: a recursive read-only bind of itself; missing is fine. */
int path_make_readonly(int rootfd, const char *path, struct kago_err *err);
/* All of linux.maskedPaths and linux.readonlyPaths. */
int path_masks_apply(int rootfd, const struct oci_linux *l, struct kago_err *err);

/* ---- exe_guard.c ----------------------------------------------------- */

/* Whether this process runs from a sealed memfd copy of kago. */
bool exe_guard_active(void);
/* Unless already, re-exec this kago (same argv, from /proc/self/cmdline)
 * from a sealed memfd copy, so no process in a container can write to or
 * reopen the host binary through /proc/PID/exe (CVE-2019-5736). Returns 0
 * when already guarded; on success otherwise it does not return. */
int exe_guard_ensure(struct kago_err *err);

/* ---- proc_security.c / proc_sched.c / proc_rlimits.c / proc_timens.c - */

int proc_set_no_new_privs(struct kago_err *err);
int proc_set_oom_score_adj(int value, struct kago_err *err);
/* Whether the LSM is enabled on this host. */
bool proc_apparmor_enabled(void);
bool proc_selinux_enabled(void);
/* Arrange for the profile / label to apply at the next execve. */
int proc_set_apparmor_profile(const char *profile, struct kago_err *err);
int proc_set_selinux_label(const char *label, struct kago_err *err);
int proc_set_personality(const struct oci_personality *p, struct kago_err *err);
int proc_set_io_priority(const struct oci_io_priority *io, struct kago_err *err);
int proc_set_scheduler(const struct oci_scheduler *s, struct kago_err *err);
/* Parse a cpu list ("0-3,7") into set; an error names the bad part. */
int proc_parse_cpu_list(const char *list, cpu_set_t *set, struct kago_err *err);
int proc_set_cpu_affinity(const char *list, struct kago_err *err);
int proc_set_memory_policy(const struct oci_memory_policy *mp, struct kago_err *err);
/* setrlimit of each entry of process.rlimits (pid 0: this process). */
int proc_set_rlimits(pid_t pid, const struct oci_rlimit *r, size_t n, struct kago_err *err);
int proc_rlimit_resource(const char *name);
/* unshare(CLONE_NEWTIME) and write the offsets: the next execve enters it. */
int proc_enter_time_offsets(const struct oci_time_offsets *t, struct kago_err *err);

/* ---- security.c: the whole sequence ---------------------------------- */

struct kago_security {
        struct kago_caps caps;
        struct kago_seccomp *seccomp; /* NULL: none */
        bool no_new_privs;
};

/* Check and compile everything about process proc of spec, in the parent. */
int security_prepare(const struct oci_spec *spec, const struct oci_process *proc,
                     struct kago_security *out, struct kago_err *err);
void security_release(struct kago_security *s);
/* In the child, still privileged: the per-process settings of proc and l. */
int security_apply_process(const struct oci_process *proc, const struct oci_linux *l,
                           struct kago_err *err);
/* In the child, last before execve: seccomp, caps, the user switch (umask,
 * groups, gid, uid), no_new_privs. *listener_fd gets the seccomp notify fd. */
int security_finish(const struct kago_security *s, const struct oci_user *user, int *listener_fd,
                    struct kago_err *err);

/* ---- security_features.c ------------------------------------------- */

/* The host-dependent parts of `kago features`: seccomp archs and flags,
 * whether AppArmor and SELinux are enabled. */
void security_features_refine(struct oci_features *f);

/* ---- init_security.c: the container's init ---------------------------- */

struct container_ctx;
/* In init, in its namespaces, before the rootfs is built (host paths are
 * still reachable: the seccomp agent's socket is connected here): prepare
 * and apply the per-process settings. Errors reach kago create. */
int init_security_prepare(struct container_ctx *c, struct kago_err *err);
/* In init, right before the backend execs: security_finish(), then the
 * seccomp listener to the agent. */
int init_security_finish(struct container_ctx *c, struct kago_err *err);

#endif
