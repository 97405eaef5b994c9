/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The child of kago exec. The parent has already joined the container's pid
 * namespace (it applies to children) and placed this process in the
 * container's cgroup; here it joins the other namespaces through the init's
 * pidfd (one setns, user namespace first, as the kernel orders it), takes the
 * init's root, cwd, terminal, rlimits and per-process settings, then the
 * security sequence (seccomp, capabilities, user, no_new_privs), hands a
 * seccomp listener to the parent, and execs.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>

#include "backend.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct exec_wire {
        int type;
        char text[KAGO_ERR_MSG_MAX];
};

int exec_msg_send(int sock, enum exec_msg type, const char *text, int fd)
{
        struct exec_wire w = { .type = (int)type };
        struct kago_err err = { 0 };

        if (text)
                snprintf(w.text, sizeof w.text, "%s", text);
        return fd_send(sock, &fd, fd >= 0 ? 1 : 0, &w, sizeof w, &err);
}

int exec_msg_recv(int sock, enum exec_msg *type, char *text, size_t cap, int *fd)
{
        struct exec_wire w = { 0 };
        struct kago_err err = { 0 };
        size_t nfds = 0;

        *fd = -1;
        ssize_t n = fd_recv(sock, fd, 1, &nfds, &w, sizeof w, &err);
        if (n < 0)
                return -1;
        *type = n == 0 ? 0 : (enum exec_msg)w.type;
        w.text[sizeof w.text - 1] = '\0';
        if (text && cap)
                snprintf(text, cap, "%s", w.text);
        return 0;
}

int exec_ns_flags(pid_t pid, int *flags, struct kago_err *err)
{
        static const struct {
                const char *name;
                int flag;
        } types[] = {
                { "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },      { "pid", CLONE_NEWPID },
                { "net", CLONE_NEWNET },   { "uts", CLONE_NEWUTS },     { "ipc", CLONE_NEWIPC },
                { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
        };

        *flags = 0;
        for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
                char theirs[64], ours[64];
                struct stat a, b;
                snprintf(theirs, sizeof theirs, "/proc/%d/ns/%s", (int)pid, types[i].name);
                snprintf(ours, sizeof ours, "/proc/self/ns/%s", types[i].name);
                if (stat(theirs, &a) < 0) {
                        if (errno == ENOENT && stat(ours, &b) < 0)
                                continue; /* this kernel lacks the type */
                        return kago_err_errno(err, errno, "stat %s", theirs);
                }
                if (stat(ours, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev)
                        *flags |= types[i].flag;
        }
        return 0;
}

static _Noreturn void child_fail(struct exec_ctx *x, struct kago_err *err)
{
        exec_msg_send(x->sync_fd, EXEC_ERROR, kago_err_text(err), -1);
        _exit(1);
}

/* Kernels before 5.8 take no pidfd in setns: one /proc/PID/ns file after
 * another, the user namespace first (it owns the others). */
static int child_join_by_path(struct exec_ctx *x, int flags, struct kago_err *err)
{
        static const struct {
                const char *name;
                int flag;
        } order[] = {
                { "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },   { "net", CLONE_NEWNET },
                { "uts", CLONE_NEWUTS },   { "ipc", CLONE_NEWIPC },  { "cgroup", CLONE_NEWCGROUP },
                { "time", CLONE_NEWTIME },
        };
        int fds[ARRAY_SIZE(order)];

        /* Open all first: after the mount namespace, the host's /proc is gone. */
        for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
                char path[64];
                fds[i] = -1;
                if (!(flags & order[i].flag))
                        continue;
                snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)x->st.pid, order[i].name);
                fds[i] = open(path, O_RDONLY | O_CLOEXEC);
        }
        int r = 0;
        for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
                if (!(flags & order[i].flag))
                        continue;
                if (r == 0 && (fds[i] < 0 || setns(fds[i], order[i].flag) < 0))
                        r = kago_err_errno(err, errno, "join the container's %s namespace",
                                           order[i].name);
                if (fds[i] >= 0)
                        close(fds[i]);
        }
        return r;
}

static int child_join(struct exec_ctx *x, struct kago_err *err)
{
        int flags = x->ns_flags & ~CLONE_NEWPID; /* the parent joined that one for us */

        if (flags && setns(x->pidfd, flags) < 0) {
                if (errno != EINVAL || child_join_by_path(x, flags, err) < 0)
                        return errno == EINVAL ? -1
                                               : kago_err_errno(err, errno, "join the container's "
                                                                "namespaces (setns through its "
                                                                "init's pidfd, flags 0x%x)", flags);
        }
        /* The init's root, whether it pivoted or chrooted (--no-pivot). */
        if (fchdir(x->root_fd) < 0 || chroot(".") < 0)
                return kago_err_errno(err, errno, "enter the container's root");
        close(x->root_fd);
        x->root_fd = -1;
        /* Resolved inside the root: kago exec's own fds refer to the host. */
        if (root_chdir(x->process->cwd, err) < 0)
                return kago_err_wrap(err, "process.cwd %s", x->process->cwd);
        return 0;
}

/* A pty in the container's devpts; the master goes to console_fd. */
static int child_terminal(struct exec_ctx *x, struct kago_err *err)
{
        char pts[64];

        if (!x->process->terminal)
                return 0;
        _cleanup_close_ int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0)
                return kago_err_errno(err, errno, "--tty: open /dev/ptmx in the container");
        if (unlockpt(m) < 0 || ptsname_r(m, pts, sizeof pts) != 0)
                return kago_err_errno(err, errno, "--tty: set up the pty");
        const struct oci_console_size *sz = x->process->console_size;
        if (sz) {
                struct winsize ws = { .ws_row = (unsigned short)sz->height,
                                      .ws_col = (unsigned short)sz->width };
                ioctl(m, TIOCSWINSZ, &ws);
        }
        if (console_send_fd(x->console_fd, m, pts, err) < 0)
                return -1;
        close(x->console_fd);
        x->console_fd = -1;
        _cleanup_close_ int s = open(pts, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (s < 0)
                return kago_err_errno(err, errno, "--tty: open %s", pts);
        if (console_chown_pty(s, pts, x->process->user.uid, err) < 0)
                return kago_err_wrap(err, "--tty");
        if (setsid() < 0 || ioctl(s, TIOCSCTTY, 0) < 0)
                return kago_err_errno(err, errno, "--tty: make %s the controlling terminal", pts);
        for (int i = 0; i < 3; i++)
                if (dup2(s, i) < 0)
                        return kago_err_errno(err, errno, "--tty: dup2");
        return 0;
}

/* process.env plus a default PATH and HOME (process_default_home: read with
 * args[0]'s lookup); the strings are p's or static, the array is ours. */
static char **child_env(const struct oci_process *p, char **home)
{
        char **env = xcalloc(p->env_len + 3, sizeof *env);
        bool path = false, has_home = false;
        size_t k = 0;

        for (size_t i = 0; i < p->env_len; i++) {
                path |= str_has_prefix(p->env[i], "PATH=");
                has_home |= str_has_prefix(p->env[i], "HOME=");
                env[k++] = p->env[i];
        }
        if (!path)
                env[k++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        if (!has_home)
                env[k++] = *home = xasprintf("HOME=%s", process_default_home());
        return env;
}

/* The listener goes to the parent, which hands it to the agent. */
static int child_send_listener(struct exec_ctx *x, int lfd, struct kago_err *err)
{
        enum exec_msg t;
        int none;

        if (lfd < 0)
                return 0;
        if (exec_msg_send(x->sync_fd, EXEC_LISTENER, NULL, lfd) < 0)
                return kago_err_errno(err, errno, "send the seccomp listener to kago exec");
        close(lfd);
        if (exec_msg_recv(x->sync_fd, &t, NULL, 0, &none) < 0 || t != EXEC_GO)
                return kago_err_set(err, "kago exec did not hand the seccomp listener over");
        return 0;
}

static int child_setup(struct exec_ctx *x, char **exe, struct kago_err *err)
{
        const struct oci_process *p = x->process;
        const struct oci_linux *l = x->spec->linux_cfg;

        if (child_join(x, err) < 0 || child_terminal(x, err) < 0)
                return -1;
        if (security_apply_process(p, l, err) < 0)
                return -1;
        if (process_find_executable(p, exe, err) < 0 || process_keep_fds(x->o->preserve_fds, err) < 0)
                return -1;
        if (p->exec_cpu_affinity && p->exec_cpu_affinity->final &&
            proc_set_cpu_affinity(p->exec_cpu_affinity->final, err) < 0)
                return kago_err_wrap(err, "process.execCPUAffinity.final");
        return 0;
}

/* Seccomp, capabilities, the user switch, the listener to the parent. In a
 * paused container also whether the exec will be allowed: the process stops
 * in the frozen cgroup, past the point where kago exec can still report. */
static int child_finish(struct exec_ctx *x, const char *exe, struct kago_err *err)
{
        int lfd = -1;

        if (security_finish(&x->sec, &x->process->user, &lfd, err) < 0 ||
            child_send_listener(x, lfd, err) < 0)
                return -1;
        if (x->paused && faccessat(AT_FDCWD, exe, X_OK, AT_EACCESS) < 0)
                return kago_err_errno(err, errno, "exec %s as uid %u", exe,
                                      (unsigned)x->process->user.uid);
        return 0;
}

/* The parent moves us into the container's cgroup between READY and GO. */
static int child_enter_cgroup(struct exec_ctx *x)
{
        enum exec_msg t;
        int none;

        if (exec_msg_send(x->sync_fd, EXEC_READY, NULL, -1) < 0 ||
            exec_msg_recv(x->sync_fd, &t, NULL, 0, &none) < 0 || t != EXEC_GO)
                return -1;
        return 0;
}

_Noreturn void exec_child_main(struct exec_ctx *x)
{
        struct kago_err err = { 0 };
        _cleanup_free_ char *exe = NULL;
        enum exec_msg t;
        int none;

        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (exec_msg_recv(x->sync_fd, &t, NULL, 0, &none) < 0 || t != EXEC_GO)
                _exit(1);
        if (child_setup(x, &exe, &err) < 0)
                child_fail(x, &err);
        _cleanup_free_ char *home = NULL;
        _cleanup_free_ char **env = child_env(x->process, &home);
        /* From here a parent that dies shows as EOF; the workload outlives a
         * detached kago exec (and a paused container's resume). */
        prctl(PR_SET_PDEATHSIG, 0);
        /* As few system calls as possible after the filter: only a listener
         * hand-off, then execve. A frozen cgroup (--ignore-paused) stops us
         * once we are in it: then everything that can fail comes first, and
         * the filter must let the READY/GO exchange through. */
        if (!x->paused && child_enter_cgroup(x) < 0)
                _exit(1);
        if (child_finish(x, exe, &err) < 0)
                child_fail(x, &err);
        if (x->paused && child_enter_cgroup(x) < 0)
                _exit(1);
        execve(exe, x->process->args, env);
        kago_err_errno(&err, errno, "exec %s", x->process->args[0]);
        child_fail(x, &err);
}
