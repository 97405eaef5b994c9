/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container's init process, from the clone to the workload:
 * namespaces joined, hostname, rootfs mounts and devices, createRuntime
 * hooks (run by the parent), createContainer hooks, pivot_root, /proc
 * settings, console, rlimits; then it reports ready, blocks on the exec
 * fifo until start, runs startContainer hooks, switches user, and the
 * backend takes over (exec of process.args, or the VMM).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "../rootfs/rootfs.h"
#include "lifecycle.h"

static int init_hostname(const struct oci_spec *spec, struct kago_err *err)
{
        if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
                return kago_err_errno(err, errno, "hostname \"%s\"", spec->hostname);
        if (spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
                return kago_err_errno(err, errno, "domainname \"%s\"", spec->domainname);
        return 0;
}

/* Our pid as the host sees it: the host's /proc is still mounted here. */
static pid_t init_host_pid(void)
{
        char buf[32];
        ssize_t n = readlink("/proc/self", buf, sizeof buf - 1);
        if (n <= 0)
                return 0;
        buf[n] = '\0';
        return (pid_t)atoi(buf);
}

/* A user namespace given by path: join it, make the other namespaces inside
 * it, and go on as the forked child; the parent learns our pid. */
static int init_join_user(struct container_ctx *c, struct kago_err *err)
{
        char buf[32];

        if (!ns_joins_user(c->spec))
                return 0;
        if (ns_join_user_then_fork(c->spec, err) < 0)
                return -1;
        c->st.pid = init_host_pid();
        snprintf(buf, sizeof buf, "%d", (int)c->st.pid);
        if (sync_send(c->sync_fd, SYNC_PID, buf) < 0)
                return kago_err_errno(err, errno, "report the forked init's pid");
        return 0;
}

/* Everything before pivot_root, in the new mount namespace. */
static int init_build_rootfs(struct container_ctx *c, struct kago_err *err)
{
        _cleanup_close_ int rootfd = -1;
        bool mounts = spec_namespace(c->spec, OCI_NS_MOUNT) != NULL; /* else a chroot */

        if (mounts && rootfs_prepare(c, err) < 0)
                return -1;
        rootfd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return kago_err_errno(err, errno, "open rootfs %s", c->rootfs);
        if (mounts && (rootfs_mount_all(c, rootfd, err) < 0 || devices_create(c, rootfd, err) < 0 ||
                       devices_symlinks(rootfd, err) < 0))
                return -1;
        /* The cwd is made while the root is still writable (root.readonly,
         * read-only tmpfs mounts). */
        if (root_mkdir_p(rootfd, c->spec->process->cwd, 0755, NULL, err) < 0)
                return kago_err_wrap(err, "process.cwd %s", c->spec->process->cwd);
        return rootfs_readonly_tmpfs(c, rootfd, err);
}

static int init_new_keyring(struct container_ctx *c, struct kago_err *err)
{
        if (c->opts->no_new_keyring)
                return 0;
        _cleanup_free_ char *name = xasprintf("_ses.%s", c->opts->id);
        if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0 && errno != ENOSYS)
                return kago_err_errno(err, errno, "join a new session keyring");
        return 0;
}

/* Resolved inside the root: a magic link (/proc/self/fd/N) is refused. */
static int init_cwd(const struct oci_process *p, struct kago_err *err)
{
        if (root_chdir(p->cwd, err) < 0)
                return kago_err_wrap(err, "process.cwd %s", p->cwd);
        return 0;
}

/* The runtime's part up to "created"; errors go back to kago create. */
static int init_setup(struct container_ctx *c, char **exe, struct kago_err *err)
{
        if (ns_become_root(c->spec, err) < 0 ||
            (!ns_joins_user(c->spec) && ns_join_in_init(c->spec, err) < 0) ||
            init_security_prepare(c, err) < 0 || init_hostname(c->spec, err) < 0 ||
            net_loopback_up(c->spec, err) < 0 ||
            init_new_keyring(c, err) < 0 || init_build_rootfs(c, err) < 0)
                return -1;
        if (c->init_waits_runtime) {
                if (sync_send(c->sync_fd, SYNC_CREATE_RUNTIME, NULL) < 0)
                        return kago_err_errno(err, errno, "tell kago create about createRuntime");
                if (sync_expect(c->sync_fd, SYNC_GO, err) < 0)
                        return -1;
        }
        if (c->backend->prepare && c->backend->prepare(c, err) < 0)
                return kago_err_wrap(err, "%s backend", c->backend->name);
        _cleanup_free_ char *state = container_state_json(&c->st, STATUS_CREATING, c->spec);
        if (hooks_run(c->spec, OCI_HOOK_CREATE_CONTAINER, state, err) < 0)
                return -1;
        /* sysctl before the read-only paths (/proc/sys usually is one). */
        if (rootfs_pivot(c, err) < 0 || sysctl_apply(c->spec, err) < 0 || rootfs_finish(c, err) < 0)
                return -1;
        /* A session of its own (with a terminal, console_setup makes it and
         * takes the controlling tty). */
        if (!c->spec->process->terminal && setsid() < 0)
                return kago_err_errno(err, errno, "setsid");
        if (console_setup(c, err) < 0)
                return -1;
        /* A workload whose root is not root.path finds its cwd and program there. */
        if (!(c->backend->own_root && c->backend->own_root(c->spec)) &&
            (init_cwd(c->spec->process, err) < 0 ||
             process_find_executable(c->spec->process, exe, err) < 0))
                return -1;
        return process_keep_fds(c->listen_fds + c->opts->preserve_fds, err);
}

/* Placed in its cgroup by now: the namespace's root is the container's. */
static int init_cgroupns(const struct container_ctx *c, struct kago_err *err)
{
        if (c->init_makes_cgroupns && unshare(CLONE_NEWCGROUP) < 0)
                return kago_err_errno(err, errno, "make the cgroup namespace");
        return 0;
}

/* What init keeps of its creator's fds: the sync socket, the exec fifo, the
 * console socket, the backend's control socket, the log file and the fds
 * passed to the workload. The
 * rest (the state root, the cgroup directory, whatever the caller leaked)
 * refer to the host and must not be reachable from the container. */
static int init_close_inherited_fds(const struct container_ctx *c, struct kago_err *err)
{
        int passed = c->listen_fds + c->opts->preserve_fds;
        size_t n = 0;
        _cleanup_free_ int *keep = xcalloc((size_t)passed + 5, sizeof *keep);

        keep[n++] = c->sync_fd;
        keep[n++] = c->fifo_fd;
        keep[n++] = c->console_fd;
        keep[n++] = c->control_fd;
        keep[n++] = kago_log_fd();
        for (int fd = 3; fd < 3 + passed; fd++)
                keep[n++] = fd;
        return fd_close_all_except(keep, n, err);
}

/* After start: a failure can only be reported on the container's stderr. */
static _Noreturn void init_fail_late(struct kago_err *err)
{
        dprintf(2, "kago: %s\n", kago_err_text(err));
        _exit(127);
}

_Noreturn void init_main(struct container_ctx *c)
{
        struct kago_err err = { 0 };
        _cleanup_free_ char *exe = NULL;

        close(c->parent_sync_fd);
        close(c->state_dirfd);
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* until create is done */
        c->st.pid = init_host_pid();
        if (init_close_inherited_fds(c, &err) < 0 ||
            (c->init_waits_go && sync_expect(c->sync_fd, SYNC_GO, &err) < 0) ||
            init_cgroupns(c, &err) < 0 ||
            init_join_user(c, &err) < 0 ||
            bind_trees_receive(c, &err) < 0 ||
            init_setup(c, &exe, &err) < 0) {
                sync_send(c->sync_fd, SYNC_ERROR, kago_err_text(&err));
                _exit(1);
        }
        prctl(PR_SET_PDEATHSIG, 0); /* kago create exits after its last GO */
        /* Until create has saved the state init still dies with it: create's
         * end of the socket closes and the GO never comes. */
        if (sync_send(c->sync_fd, SYNC_READY, NULL) < 0 || sync_expect(c->sync_fd, SYNC_GO, &err) < 0)
                _exit(1);
        close(c->sync_fd);
        if (exec_fifo_wait(c->fifo_fd, &err) < 0)
                init_fail_late(&err);
        /* The fifo fd stays open (O_CLOEXEC) until the workload's exec: start
         * waits for that before its poststart hooks. */
        _cleanup_free_ char *state = container_state_json(&c->st, STATUS_CREATED, c->spec);
        if (hooks_run(c->spec, OCI_HOOK_START_CONTAINER, state, &err) < 0)
                init_fail_late(&err);
        /* Seccomp, capabilities around the user switch, no_new_privileges. */
        if (init_security_finish(c, &err) < 0)
                init_fail_late(&err);
        char **env = process_build_env(c);
        c->backend->exec(c, exe, c->spec->process->args, env, &err);
        init_fail_late(&err);
}
