/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container backend's kago exec, the parent's side: join the
 * container's pid namespace, fork the child (exec_process.c), follow it
 * through its setup (its errors, its seccomp listener), put it in the
 * container's cgroup (or --cgroup's sub-cgroup) and let it exec.
 * exec_place also serves the microVM backend's stand-in.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "../../cgroups/cgroups.h"
#include "backend.h"

/* Join namespace type (CLONE_NEW*) of the container's init by its
 * /proc/PID/ns file (kernels before 5.8 take no pidfd in setns). */
static int exec_join_by_path(struct exec_ctx *x, const char *name, int type,
                             struct kago_err *err)
{
        char path[64];

        snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)x->st.pid, name);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, type) < 0)
                return kago_err_errno(err, errno, "join the container's %s namespace", name);
        return 0;
}

/* The container's pid namespace applies to our children: join it first. An
 * unprivileged kago may join it only from inside the container's user
 * namespace, which owns it: then it joins that one first (and the child
 * need not). */
static int exec_join_pidns(struct exec_ctx *x, struct kago_err *err)
{
        bool user = rootless_active() && (x->ns_flags & CLONE_NEWUSER);

        if (!(x->ns_flags & CLONE_NEWPID))
                return 0;
        if (setns(x->pidfd, CLONE_NEWPID | (user ? CLONE_NEWUSER : 0)) < 0 &&
            ((user && exec_join_by_path(x, "user", CLONE_NEWUSER, err) < 0) ||
             exec_join_by_path(x, "pid", CLONE_NEWPID, err) < 0))
                return -1;
        if (user)
                x->ns_flags &= ~CLONE_NEWUSER;
        return 0;
}

/* The container's cgroup, or its existing sub-cgroup sub (--cgroup). */
static int exec_open_cgroup(struct exec_ctx *x, const char *sub, struct cgroup **cg,
                            struct kago_err *err)
{
        if (!sub)
                return container_cgroup_open(&x->st, cg, err);
        if (!container_has_cgroup(&x->st))
                return kago_err_set(err, "--cgroup %s: the container has no cgroup", sub);
        _cleanup_free_ char *path = xasprintf("%s/%s", x->st.cgroup_path, sub);
        struct container_state st = x->st; /* a view with the sub-cgroup's path */
        st.cgroup_path = path;
        if (container_cgroup_open(&st, cg, err) < 0)
                return kago_err_wrap(err, "--cgroup %s: the container's sub-cgroup %s", sub, path);
        return 0;
}

/* The cgroup of the container's init below the container's own ("init.scope"
 * under a booted systemd), or NULL when init is in the container's cgroup. */
static char *exec_init_subcgroup(const struct exec_ctx *x)
{
        _cleanup_free_ char *cg = proc_cgroup(x->st.pid);
        size_t base = strlen(x->st.cgroup_path);

        if (!cg || strncmp(cg, x->st.cgroup_path, base) != 0 || cg[base] != '/' || !cg[base + 1])
                return NULL;
        return xstrdup(cg + base + 1);
}

int exec_place(struct exec_ctx *x, pid_t pid, const char *sub, struct kago_err *err)
{
        _cleanup_cgroup_ struct cgroup *cg = NULL;

        if (exec_open_cgroup(x, sub, &cg, err) < 0)
                return -1;
        if (!cg || cgroup_enter(cg, pid, err) == 0)
                return 0;
        /* A cgroup that hands controllers to children of its own (systemd as
         * the container's init manages its tree) takes no process: join
         * init's, as crun does. */
        _cleanup_free_ char *init_sub = sub || err->errnum != EBUSY ? NULL : exec_init_subcgroup(x);
        if (init_sub) {
                cgroup_free(cg);
                cg = NULL;
                if (exec_open_cgroup(x, init_sub, &cg, err) == 0 && cgroup_enter(cg, pid, err) == 0)
                        return 0;
        }
        return kago_err_wrap(err, "put the exec process in the container's cgroup%s%s",
                             sub ? " " : "", sub ? sub : "");
}

/* Hand the seccomp listener to the agent at listenerPath. */
static int exec_forward_listener(struct exec_ctx *x, pid_t pid, int lfd, struct kago_err *err)
{
        struct oci_state st = { .oci_version = SPEC_OCI_VERSION, .id = x->st.id,
                                .status = "running", .pid = x->st.pid, .bundle = x->st.bundle };
        const struct oci_spec *s = x->spec;

        st.annotations = s->annotations;
        st.annotations_len = s->annotations_len;
        _cleanup_free_ char *json = seccomp_notify_state_emit(&st, pid,
                                                              x->sec.seccomp->listener_metadata);
        int r = seccomp_notify_send(x->sec.seccomp->listener_path, lfd, json, err);
        close(lfd);
        return r;
}

/* Messages of the child until READY (until_ready) or EOF (the socket closed
 * at execve): its errors, its seccomp listener. */
static int exec_follow_child(struct exec_ctx *x, int sock, pid_t pid, bool until_ready,
                             struct kago_err *err)
{
        char text[KAGO_ERR_MSG_MAX];
        enum exec_msg t;
        int fd;

        for (;;) {
                if (exec_msg_recv(sock, &t, text, sizeof text, &fd) < 0)
                        return kago_err_errno(err, errno, "talk to the exec process");
                if (t == 0)
                        return until_ready ? kago_err_set(err, "the exec process died before it "
                                                               "ran")
                                           : 0;
                if (t == EXEC_ERROR)
                        return kago_err_set(err, "%s", text);
                if (t == EXEC_READY && until_ready)
                        return 0;
                if (t == EXEC_LISTENER && (exec_forward_listener(x, pid, fd, err) < 0 ||
                                           exec_msg_send(sock, EXEC_GO, NULL, -1) < 0))
                        return -1;
        }
}

/* Until the child execs. In a paused container (--ignore-paused) the child
 * finishes its setup before it joins the frozen cgroup, so that every
 * failure still reaches us; after that only its execve is left. */
static int exec_drive_child(struct exec_ctx *x, int sock, pid_t pid, const char *sub_cgroup,
                            struct kago_err *err)
{
        if (exec_msg_send(sock, EXEC_GO, NULL, -1) < 0)
                return kago_err_errno(err, errno, "start the exec process");
        if (exec_follow_child(x, sock, pid, true, err) < 0)
                return -1;
        if (exec_place(x, pid, sub_cgroup, err) < 0 || exec_msg_send(sock, EXEC_GO, NULL, -1) < 0)
                return -1;
        if (x->paused)
                return 0; /* it runs once the container is resumed */
        return exec_follow_child(x, sock, pid, false, err);
}

int exec_in_namespaces(struct exec_ctx *x, const char *sub_cgroup, pid_t *pid,
                       struct kago_err *err)
{
        int sp[2];

        if (security_prepare(x->spec, x->process, &x->sec, err) < 0)
                return -1;
        const struct oci_exec_cpu_affinity *aff = x->process->exec_cpu_affinity;
        if (aff && aff->initial && proc_set_cpu_affinity(aff->initial, err) < 0)
                return kago_err_wrap(err, "process.execCPUAffinity.initial");
        if (exec_join_pidns(x, err) < 0)
                return -1;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                return kago_err_errno(err, errno, "socketpair");
        fflush(NULL);
        pid_t p = fork();
        if (p < 0) {
                close(sp[0]);
                close(sp[1]);
                return kago_err_errno(err, errno, "fork the exec process");
        }
        if (p == 0) {
                close(sp[0]);
                x->sync_fd = sp[1];
                exec_child_main(x);
        }
        close(sp[1]);
        *pid = p;
        int r = exec_drive_child(x, sp[0], p, sub_cgroup, err);
        close(sp[0]);
        if (r < 0) {
                kill(p, SIGKILL);
                waitpid(p, NULL, 0);
        }
        return r;
}
