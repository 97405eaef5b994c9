/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kago exec into a microVM container. The guest agent starts the process in
 * the guest (microvm/agent_client.c talks to it through the VMM's control
 * socket); on the host a small process stands for it: a child of kago exec
 * placed in the container's cgroup, whose pid --pid-file names, which
 * passes the signals it gets to the guest process, relays its stdio (or its
 * terminal, sent over the console socket as a container's would be) and
 * exits with its status. Engines wait for it as for any exec'd process.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

#include "../../microvm/microvm.h"
#include "backend.h"

/* How long the guest agent may take to start a process. A guest under
 * nested emulation takes a second or two. */
#define VM_EXEC_START_TIMEOUT_MS 30000

static int vm_exec_refusals(const struct exec_ctx *x, struct kago_err *err)
{
        if (x->paused)
                return kago_err_set(err, "container \"%s\" is paused: its microVM's vCPUs are "
                                         "parked, so the guest cannot start a process "
                                         "(--ignore-paused cannot help): resume it first",
                                    x->o->id);
        if (x->created)
                return kago_err_set(err, "container \"%s\" is created, not started: its microVM "
                                         "boots at kago start", x->o->id);
        if (x->o->preserve_fds)
                return kago_err_set(err, "--preserve-fds %d: the process runs in the microVM's "
                                         "guest, where no host fd can follow it",
                                    x->o->preserve_fds);
        return 0;
}

/* The terminal of the stand-in: a host pty whose master goes over the
 * console socket, as a container's would; the guest has a pty of its own,
 * so this one passes bytes untouched (raw). */
static int vm_exec_pty(struct exec_ctx *x, int *slave, struct kago_err *err)
{
        char name[64];
        _cleanup_close_ int master = -1;
        if (console_open_pty(&master, name, sizeof name, err) < 0)
                return -1;
        *slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (*slave < 0)
                return kago_err_errno(err, errno, "open %s", name);
        struct termios t;
        if (tcgetattr(*slave, &t) == 0) {
                cfmakeraw(&t);
                tcsetattr(*slave, TCSANOW, &t);
        }
        return console_send_fd(x->console_fd, master, name, err);
}

/* The stand-in keeps its connection, its terminal (as its stdio too) or
 * kago exec's stdio, and nothing else of kago exec's: a caller waiting for
 * the end of kago exec's output must not wait for it. */
static _Noreturn void vm_exec_stand_in(int conn, int tty)
{
        struct kago_err ignored = { 0 };
        setsid();
        if (tty >= 0) {
                for (int fd = 0; fd < 3; fd++)
                        dup2(tty, fd);
                if (ioctl(0, TIOCSCTTY, 0) < 0)
                        log_debug("exec: no controlling terminal: resizes will not follow");
        }
        int keep[] = { conn };
        if (fd_close_all_except(keep, 1, &ignored) < 0)
                _exit(255);
        _exit(microvm_exec_relay(conn, 0, 1, tty >= 0 ? -1 : 2, tty >= 0 ? 0 : -1));
}

/* Start p in the guest, then the stand-in for it in the container's cgroup. */
static int vm_exec_start(struct exec_ctx *x, const struct microvm_process *p,
                         const char *sub_cgroup, pid_t *pid, struct kago_err *err)
{
        _cleanup_close_ int conn = -1, tty = -1;
        if (x->process->terminal && vm_exec_pty(x, &tty, err) < 0)
                return -1;
        if (microvm_exec_start(x->state_dirfd, x->o->id, p, VM_EXEC_START_TIMEOUT_MS, &conn,
                               err) < 0)
                return kago_err_wrap(err, "microVM");
        fflush(NULL);
        pid_t child = fork();
        if (child < 0)
                return kago_err_errno(err, errno, "fork the exec process");
        if (child == 0)
                vm_exec_stand_in(conn, tty);
        *pid = child;
        if (exec_place(x, child, sub_cgroup, err) < 0) {
                kill(child, SIGKILL); /* its connection closes: the VMM kills the guest process */
                while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
                        ;
                return -1;
        }
        return 0;
}

int vm_exec_spawn(struct exec_ctx *x, const char *sub_cgroup, pid_t *pid, struct kago_err *err)
{
        struct vm_process_store store = { 0 };
        _cleanup_free_ struct microvm_rlimit *rlimits = NULL; /* store's, freed on every return */
        struct microvm_process p;
        if (vm_exec_refusals(x, err) < 0)
                return -1;
        int rc = vm_process(x->process, x->spec->oci_version, x->process->env, &p, &store, err);
        rlimits = store.rlimits;
        return rc < 0 ? -1 : vm_exec_start(x, &p, sub_cgroup, pid, err);
}
