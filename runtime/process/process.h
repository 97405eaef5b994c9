/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runtime/process/: what a container's process is given and kept in:
 * namespaces joined or made, its console, user, environment and
 * executable, and its security — seccomp, capabilities, the rest of the
 * per-process settings (proc_*.c), and the /proc/self/exe guard. Shared by
 * init and by kago exec's child.
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
#ifndef KAGO_RUNTIME_PROCESS_H
#define KAGO_RUNTIME_PROCESS_H

#include <linux/filter.h>
#include <sched.h>
#include <sys/types.h>

#include "../container/container.h"

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

/* ---- seccomp_probe.c ------------------------------------------------- */

/* Load f in a short-lived child and try execve and exit_group under it: an
 * error naming linux.seccomp when the filter denies either (the process
 * could never start, or never exit: init would die with no word). 0 when
 * both pass or the child cannot tell (the real load then reports why). */
int seccomp_probe_exec(const struct kago_seccomp *f, struct kago_err *err);

/* ---- namespaces.c ---------------------------------------------------- */

int ns_clone_flags(const struct oci_spec *spec, unsigned long *flags, struct kago_err *err);
int ns_join_for_children(const struct oci_spec *spec, struct kago_err *err);
int ns_join_in_init(const struct oci_spec *spec, struct kago_err *err);
bool ns_joins_user(const struct oci_spec *spec);
int ns_join_user_then_fork(const struct oci_spec *spec, struct kago_err *err);
int ns_become_root(const struct oci_spec *spec, struct kago_err *err);
int ns_write_id_maps(const struct oci_spec *spec, pid_t pid, struct kago_err *err);
int ns_validate(const struct oci_spec *spec, struct kago_err *err);
int ns_type_flag(enum oci_ns_type type);

/* ---- console.c, process.c -------------------------------------------- */

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

/* HOME for a process whose env sets none, as runc and crun choose it:
 * process.user.uid's home in the container's /etc/passwd, else "/".
 * process_find_executable reads it (inside the container's root, before
 * the security sequence: a seccomp profile may forbid reading it later). */
const char *process_default_home(void);

/* console.c: give the pty (fd, named pts) to uid, keeping devpts' group. */
int console_chown_pty(int fd, const char *pts, uid_t uid, struct kago_err *err);

/* capabilities.c: caps_from_spec, with unknown names a warning (and left
 * out) for an ociVersion of 1.1.0 or later, as that version of the spec says. */
int caps_from_config(const char *oci_version, const struct oci_capabilities *spec,
                     struct kago_caps *out, struct kago_err *err);

#endif
