/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kago run [options] ID: create + start; in the foreground (the default) kago
 * forwards signals to the container, proxies its terminal when it has one,
 * exits with the workload's status (128+N when killed by signal N) and then
 * deletes the container unless --keep. kago run --rootfs DIR (a tree without
 * a bundle) is run_rootfs.c's, which ends in run_container() here.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>

#include "cli.h"

struct run_io {
        int master;      /* pty master, -1 without a terminal */
        bool raw;        /* stdin switched to raw mode */
        struct termios saved;
        bool boot;       /* init is the tree's own (run_opts.boot) */
};

static int exit_code(int status)
{
        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* What a booted init hears for the signal kago got: systemd halts on
 * SIGRTMIN+3 (SIGTERM would make it re-execute itself), as under nspawn. */
static int forwarded_signal(const struct run_io *io, int sig)
{
        return io->boot && (sig == SIGTERM || sig == SIGINT) ? SIGRTMIN + 3 : sig;
}

static void copy_fd(int from, int to, bool *open)
{
        char buf[8192];
        ssize_t n = read(from, buf, sizeof buf);
        if (n <= 0 || fd_write_all(to, buf, (size_t)n) < 0)
                *open = false;
}

static void sync_winsize(int master)
{
        struct winsize ws;
        if (master >= 0 && ioctl(0, TIOCGWINSZ, &ws) == 0)
                ioctl(master, TIOCSWINSZ, &ws);
}

/* Signals forwarded, pty copied, until init exits; returns its wait status. */
static int run_wait(pid_t pid, int sfd, struct run_io *io)
{
        bool in_open = io->master >= 0, out_open = io->master >= 0;
        int status = 0;

        for (;;) {
                struct pollfd p[3] = { { sfd, POLLIN, 0 }, { in_open ? 0 : -1, POLLIN, 0 },
                                       { out_open ? io->master : -1, POLLIN, 0 } };
                if (poll(p, 3, -1) < 0 && errno != EINTR)
                        break;
                if (p[2].revents)
                        copy_fd(io->master, 1, &out_open);
                if (p[1].revents)
                        copy_fd(0, io->master, &in_open);
                if (!(p[0].revents & POLLIN))
                        continue;
                struct signalfd_siginfo si;
                if (read(sfd, &si, sizeof si) != sizeof si)
                        continue;
                if (si.ssi_signo == SIGWINCH)
                        sync_winsize(io->master);
                else if (si.ssi_signo != SIGCHLD)
                        kill(pid, forwarded_signal(io, (int)si.ssi_signo));
                pid_t w;
                while ((w = waitpid(-1, &status, WNOHANG)) > 0)
                        if (w == pid)
                                goto done;
        }
done:
        while (out_open && io->master >= 0) {
                struct pollfd p = { io->master, POLLIN, 0 };
                if (poll(&p, 1, 100) <= 0)
                        break;
                copy_fd(io->master, 1, &out_open);
        }
        return status;
}

int run_wait_child(pid_t pid)
{
        struct run_io io = { .master = -1 };
        sigset_t old;
        _cleanup_close_ int sfd = signal_forwarding_fd(&old);
        int status = run_wait(pid, sfd, &io);

        sigprocmask(SIG_SETMASK, &old, NULL);
        return exit_code(status);
}

static void run_terminal(int sock, struct run_io *io)
{
        struct kago_err ignored;
        char probe;

        io->master = -1;
        /* init sent the pty master before it reported ready, if it has one. */
        if (recv(sock, &probe, 1, MSG_PEEK | MSG_DONTWAIT) <= 0 ||
            console_recv_fd(sock, &io->master, &ignored) < 0)
                return;
        sync_winsize(io->master);
        if (isatty(0) && tcgetattr(0, &io->saved) == 0) {
                struct termios raw = io->saved;
                cfmakeraw(&raw);
                io->raw = tcsetattr(0, TCSANOW, &raw) == 0;
        }
}

static void run_restore_terminal(struct run_io *io)
{
        if (io->raw)
                tcsetattr(0, TCSANOW, &io->saved);
        if (io->master >= 0)
                close(io->master);
        io->master = -1;
        io->raw = false;
}

/* Whether the bundle's config asks for a terminal; false when it cannot be
 * read or parsed (create then says why). */
static bool run_wants_terminal(const struct create_opts *o)
{
        struct kago_err ignored = { 0 };
        struct oci_spec *s = NULL;

        if (o->config ? spec_parse(o->config, o->config_len, "config", &s, &ignored) < 0
                      : spec_load_bundle(o->bundle ? o->bundle : ".", &s, &ignored) < 0)
                return false;
        bool terminal = s->process && s->process->terminal;
        spec_free(s);
        return terminal;
}

/* A foreground run proxies its own stdin to the container's pty: with no
 * terminal there, the workload would wait on a pty nobody types into. */
static int run_check_terminal(const struct create_opts *o, struct kago_err *err)
{
        if (o->console_socket || isatty(0) || !run_wants_terminal(o))
                return 0;
        return kago_err_set(err,
                            "process.terminal is true but stdin is not a terminal: run kago from a "
                            "terminal, pass --console-socket SOCK, or set process.terminal to false "
                            "in config.json (after kago spec: jq '.process.terminal = false' config.json "
                            ">c && mv c config.json)");
}

/* One run in the foreground: init's wait status in *status. */
static int run_foreground_once(struct kago_global *g, struct create_opts *o,
                               const struct run_opts *r, int *status, struct kago_err *err)
{
        int sp[2] = { -1, -1 };
        pid_t pid;
        sigset_t old;

        if (!o->console_socket && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
                return kago_err_errno(err, errno, "socketpair for the terminal");
        _cleanup_close_ int sock = sp[0];
        if (container_create_fd(g, o, sp[1], &pid, err) < 0)
                return -1;
        _cleanup_close_ int sfd = signal_forwarding_fd(&old);
        /* The terminal's size is set before the workload can ask for it. */
        struct run_io io = { .master = -1, .boot = r->boot };
        if (sock >= 0)
                run_terminal(sock, &io);
        if (container_start(g, o->id, err) < 0) {
                struct kago_err ignored = { 0 };
                run_restore_terminal(&io);
                container_delete(g, o->id, true, &ignored);
                return -1;
        }
        *status = run_wait(pid, sfd, &io);
        run_restore_terminal(&io);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return r->keep ? 0 : container_delete(g, o->id, true, err);
}

/* A booted init that calls reboot(2) in its PID namespace is killed by
 * SIGHUP (restart) or SIGINT (power off, halt): whether it ended by sig so. */
static bool boot_ended_by(const struct run_opts *r, int status, int sig)
{
        return r->boot && WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

static int run_foreground(struct kago_global *g, struct create_opts *o, const struct run_opts *r,
                          struct kago_err *err)
{
        int status;

        if (run_check_terminal(o, err) < 0)
                return -1;
        /* init may be a grandchild (a joined user namespace forks once
         * more): it must still come back to us to be waited for. */
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
                return kago_err_errno(err, errno, "become a child subreaper");
        for (;;) {
                if (run_foreground_once(g, o, r, &status, err) < 0)
                        return -1;
                if (r->keep || !boot_ended_by(r, status, SIGHUP))
                        break;
                log_info("%s rebooted: starting it again", o->id);
        }
        return boot_ended_by(r, status, SIGINT) ? 0 : exit_code(status);
}

int run_container(struct kago_global *g, struct create_opts *o, const struct run_opts *r,
                  struct kago_err *err)
{
        pid_t pid;

        if (!r->detach)
                return run_foreground(g, o, r, err);
        if (container_create(g, o, &pid, err) < 0)
                return -1;
        if (container_start(g, o->id, err) < 0) {
                struct kago_err ignored = { 0 };
                container_delete(g, o->id, true, &ignored);
                return -1;
        }
        return 0;
}

int cmd_run(KAGO_COMMAND_ARGS)
{
        struct create_opts o;
        struct run_opts r = { 0 };

        if (run_rootfs_wanted(argc, argv))
                return run_rootfs_main(g, argc, argv, err);
        if (create_opts_parse("run", argc, argv, &o, &r, err) < 0)
                return -1;
        /* init runs kago's code in the container until start: from a sealed copy. */
        if (exe_guard_ensure(err) < 0)
                return -1;
        return run_container(g, &o, &r, err);
}
