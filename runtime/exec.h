/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kago exec: a new process in a running container. cmd_exec.c reads the
 * options and builds the process (from --process FILE, or the container's
 * own process with the flags applied); exec_process.c builds the child: it
 * joins every namespace of the container and its cgroup and gets the
 * container's security settings. Internal to runtime/.
 */
#ifndef KAGO_RUNTIME_EXEC_H
#define KAGO_RUNTIME_EXEC_H

#include "container.h"
#include "security.h"

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

/* Build the process to run from the options and the container's config. */
int exec_build_process(const struct exec_opts *o, const struct oci_spec *spec,
                       struct oci_process **out, struct kago_err *err);

#endif
