/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kago exec [options] ID [COMMAND [ARG...]]: run a process in a running
 * container — every namespace of its init (joined through a pidfd), its
 * cgroup, its root, and its seccomp, capabilities, rlimits and
 * no_new_privs unless --process FILE says otherwise. In the foreground kago
 * forwards signals, proxies the terminal (--tty without --console-socket)
 * and exits with the process's status; --detach returns once it runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>

#include "../../cgroups/cgroups.h"
#include "cli.h"

enum { OPT_CONSOLE_SOCKET = 256, OPT_PID_FILE, OPT_CWD, OPT_NO_NEW_PRIVS, OPT_PRESERVE_FDS,
       OPT_PROCESS_LABEL, OPT_APPARMOR, OPT_IGNORE_PAUSED, OPT_CGROUP };

static const struct option exec_options[] = {
        { "process", required_argument, NULL, 'p' },
        { "tty", no_argument, NULL, 't' },
        { "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
        { "detach", no_argument, NULL, 'd' },
        { "pid-file", required_argument, NULL, OPT_PID_FILE },
        { "cwd", required_argument, NULL, OPT_CWD },
        { "env", required_argument, NULL, 'e' },
        { "user", required_argument, NULL, 'u' },
        { "additional-gids", required_argument, NULL, 'g' },
        { "cap", required_argument, NULL, 'c' },
        { "no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS },
        { "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
        { "process-label", required_argument, NULL, OPT_PROCESS_LABEL },
        { "apparmor", required_argument, NULL, OPT_APPARMOR },
        { "ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED },
        { "cgroup", required_argument, NULL, OPT_CGROUP },
        { NULL, 0, NULL, 0 },
};

static void opts_free(struct exec_opts *o)
{
        free(o->env);
        free(o->caps);
        free(o->gids);
}

static void push(char ***v, size_t *n, char *s)
{
        *v = xrealloc(*v, (*n + 2) * sizeof **v);
        (*v)[(*n)++] = s;
        (*v)[*n] = NULL;
}

/* --additional-gids takes one gid or a comma-separated list, and repeats. */
static int parse_gids(struct exec_opts *o, const char *arg, struct kago_err *err)
{
        _cleanup_free_ char *copy = xstrdup(arg);
        char *save = NULL;

        for (char *g = strtok_r(copy, ",", &save); g; g = strtok_r(NULL, ",", &save)) {
                int64_t v;
                if (str_to_i64(g, 0, UINT32_MAX - 1, &v) < 0)
                        return cli_usage_error(err, "exec", "--additional-gids: \"%s\" is not a "
                                                            "gid", g);
                o->gids = xrealloc(o->gids, (o->gids_len + 1) * sizeof *o->gids);
                o->gids[o->gids_len++] = (uint32_t)v;
        }
        return 0;
}

/* No ".." among path's components: it stays below where it starts. */
static bool path_stays_below(const char *path)
{
        for (const char *c = path; *c; c += strcspn(c, "/"), c += strspn(c, "/"))
                if (strncmp(c, "..", 2) == 0 && (c[2] == '/' || c[2] == '\0'))
                        return false;
        return true;
}

/* --cgroup [CONTROLLER:]PATH (runc >= 1.1): an existing sub-cgroup of the
 * container's to run in. kago joins one cgroup directory per process, so a
 * per-controller path (runc's v1 form) is refused rather than half applied. */
static int parse_cgroup(const char *arg, const char **sub, struct kago_err *err)
{
        const char *colon = strchr(arg, ':');

        if (colon && colon != arg)
                return cli_usage_error(err, "exec", "--cgroup: \"%s\": a controller prefix is "
                                                    "not supported: give the sub-cgroup's path",
                                       arg);
        const char *path = colon ? colon + 1 : arg;
        path += strspn(path, "/");
        if (!*path || !path_stays_below(path))
                return cli_usage_error(err, "exec", "--cgroup: \"%s\" is not a path inside the "
                                                    "container's cgroup", arg);
        *sub = path;
        return 0;
}

static int parse_one(struct exec_opts *o, int opt, const char **sub_cgroup, struct kago_err *err)
{
        int64_t n;

        switch (opt) {
        case OPT_CGROUP: return parse_cgroup(optarg, sub_cgroup, err);
        case 'p': o->process_file = optarg; return 0;
        case 't': o->tty = true; return 0;
        case OPT_CONSOLE_SOCKET: o->console_socket = optarg; return 0;
        case 'd': o->detach = true; return 0;
        case OPT_PID_FILE: o->pid_file = optarg; return 0;
        case OPT_CWD: o->cwd = optarg; return 0;
        case 'u': o->user = optarg; return 0;
        case OPT_NO_NEW_PRIVS: o->no_new_privs = true; return 0;
        case OPT_PROCESS_LABEL: o->process_label = optarg; return 0;
        case OPT_APPARMOR: o->apparmor = optarg; return 0;
        case OPT_IGNORE_PAUSED: o->ignore_paused = true; return 0;
        case 'g': return parse_gids(o, optarg, err);
        case 'c': push(&o->caps, &o->caps_len, optarg); return 0;
        case 'e':
                if (!strchr(optarg, '=') || optarg[0] == '=')
                        return cli_usage_error(err, "exec", "--env: \"%s\" is not KEY=VALUE",
                                               optarg);
                push(&o->env, &o->env_len, optarg);
                return 0;
        case OPT_PRESERVE_FDS:
                if (str_to_i64(optarg, 0, 1024, &n) < 0)
                        return cli_usage_error(err, "exec", "--preserve-fds: \"%s\" is not a "
                                                            "count of 0 to 1024", optarg);
                o->preserve_fds = (int)n;
                return 0;
        }
        return 0;
}

static int exec_opts_parse(int argc, char **argv, struct exec_opts *o, const char **sub_cgroup,
                           struct kago_err *err)
{
        int opt;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, "+:p:tde:u:g:c:", exec_options, NULL)) != -1) {
                if (opt == '?' || opt == ':')
                        return cli_bad_option(err, "exec", opt, argv);
                if (parse_one(o, opt, sub_cgroup, err) < 0)
                        return -1;
        }
        if (optind >= argc)
                return cli_usage_error(err, "exec", "missing container id");
        o->id = argv[optind];
        o->args = argv + optind + 1;
        o->args_len = (size_t)(argc - optind - 1);
        if (o->tty && o->detach && !o->console_socket)
                return cli_usage_error(err, "exec", "--tty with --detach needs --console-socket");
        if (o->console_socket && !o->tty && !o->process_file)
                return cli_usage_error(err, "exec", "--console-socket without --tty: there is no "
                                                    "terminal to send (add --tty, or drop "
                                                    "--console-socket)");
        for (int fd = 3; fd < 3 + o->preserve_fds; fd++)
                if (fcntl(fd, F_GETFD) < 0)
                        return kago_err_set(err, "--preserve-fds %d: fd %d is not open",
                                            o->preserve_fds, fd);
        return 0;
}

/* ---- the container ---------------------------------------------------- */

static int exec_check_status(int dirfd, struct exec_ctx *x, struct kago_err *err)
{
        enum container_status s = container_status_get(dirfd, &x->st);

        if (s == STATUS_STOPPED)
                return kago_err_set(err, "container \"%s\" is not running (stopped): cannot exec "
                                         "in it", x->o->id);
        if (s == STATUS_CREATING)
                return kago_err_set(err, "container \"%s\" is still being created", x->o->id);
        x->paused = s == STATUS_PAUSED;
        x->created = s == STATUS_CREATED;
        if (s == STATUS_PAUSED && !x->o->ignore_paused)
                return kago_err_set(err, "container \"%s\" is paused: resume it, or pass "
                                         "--ignore-paused", x->o->id);
        return 0;
}

static int exec_open_init(struct exec_ctx *x, struct kago_err *err)
{
        char path[64];

        x->pidfd = proc_open_pidfd(x->st.pid, x->st.start_time);
        if (x->pidfd < 0)
                return kago_err_errno(err, ESRCH, "container \"%s\" is not running: its init "
                                                  "process %d is gone", x->o->id, (int)x->st.pid);
        snprintf(path, sizeof path, "/proc/%d/root", (int)x->st.pid);
        x->root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (x->root_fd < 0)
                return kago_err_errno(err, errno, "open %s", path);
        return exec_ns_flags(x->st.pid, &x->ns_flags, err);
}

static int exec_load(struct exec_ctx *x, struct kago_global *g, struct kago_err *err)
{
        _cleanup_close_ int rootfd = -1;

        if (container_id_validate(x->o->id, err) < 0 || store_open_root(g->root, &rootfd, err) < 0 ||
            store_open(rootfd, x->o->id, &x->state_dirfd, err) < 0 ||
            store_read_state(x->state_dirfd, x->o->id, &x->st, err) < 0 ||
            container_load_config(x->state_dirfd, x->o->id, &x->spec, err) < 0)
                return -1;
        if (exec_check_status(x->state_dirfd, x, err) < 0 || exec_open_init(x, err) < 0)
                return -1;
        return exec_build_process(x->o, x->spec, &x->process, err);
}

/* ---- the foreground ---------------------------------------------------- */

static void copy_once(int from, int to, bool *open)
{
        char buf[8192];
        ssize_t n = read(from, buf, sizeof buf);

        if (n <= 0 || fd_write_all(to, buf, (size_t)n) < 0)
                *open = false;
}

static bool exec_signal(int sfd, pid_t pid, int master, int *status)
{
        struct signalfd_siginfo si;

        if (read(sfd, &si, sizeof si) != sizeof si)
                return false;
        if (si.ssi_signo == SIGWINCH && master >= 0) {
                struct winsize ws;
                if (ioctl(0, TIOCGWINSZ, &ws) == 0)
                        ioctl(master, TIOCSWINSZ, &ws);
        } else if (si.ssi_signo != SIGCHLD) {
                kill(pid, (int)si.ssi_signo);
        }
        return waitpid(pid, status, WNOHANG) == pid;
}

/* Signals forwarded and the pty copied until the process exits. */
static int exec_wait(pid_t pid, int sfd, int master)
{
        bool in_open = master >= 0, out_open = master >= 0;
        int status = 0;

        if (waitpid(pid, &status, WNOHANG) == pid)
                goto drain;
        for (;;) {
                struct pollfd p[3] = { { sfd, POLLIN, 0 }, { in_open ? 0 : -1, POLLIN, 0 },
                                       { out_open ? master : -1, POLLIN, 0 } };
                if (poll(p, 3, -1) < 0 && errno != EINTR)
                        break;
                if (p[2].revents)
                        copy_once(master, 1, &out_open);
                if (p[1].revents)
                        copy_once(0, master, &in_open);
                if ((p[0].revents & POLLIN) && exec_signal(sfd, pid, master, &status))
                        break;
        }
drain:
        while (out_open) {
                struct pollfd p = { master, POLLIN, 0 };
                if (poll(&p, 1, 100) <= 0)
                        break;
                copy_once(master, 1, &out_open);
        }
        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static int exec_foreground(struct exec_ctx *x, int term_sock, pid_t pid)
{
        struct kago_err ignored = { 0 };
        struct termios saved;
        bool raw = false;
        int master = -1;
        sigset_t old;

        int sfd = signal_forwarding_fd(&old);
        if (term_sock >= 0 && console_recv_fd(term_sock, &master, &ignored) == 0 && isatty(0) &&
            tcgetattr(0, &saved) == 0) {
                struct termios r = saved;
                struct winsize ws;
                cfmakeraw(&r);
                raw = tcsetattr(0, TCSANOW, &r) == 0;
                if (ioctl(0, TIOCGWINSZ, &ws) == 0)
                        ioctl(master, TIOCSWINSZ, &ws);
        }
        int code = exec_wait(pid, sfd, master);
        if (raw)
                tcsetattr(0, TCSANOW, &saved);
        if (master >= 0)
                close(master);
        close(sfd);
        sigprocmask(SIG_SETMASK, &old, NULL);
        (void)x;
        return code;
}

/* ---- the command -------------------------------------------------------- */

static int exec_console(struct exec_ctx *x, int *term_sock, struct kago_err *err)
{
        int sp[2];

        *term_sock = -1;
        if (!x->process->terminal && x->o->console_socket)
                return kago_err_set(err, "--console-socket: the process has no terminal "
                                         "(process.terminal is false in --process %s)",
                                    x->o->process_file ? x->o->process_file : "");
        if (!x->process->terminal)
                return 0;
        if (x->o->console_socket)
                return console_connect(x->o->console_socket, &x->console_fd, err);
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
                return kago_err_errno(err, errno, "socketpair for the terminal");
        *term_sock = sp[0];
        x->console_fd = sp[1];
        return 0;
}

static void exec_ctx_free(struct exec_ctx *x)
{
        security_release(&x->sec);
        spec_process_free(x->process);
        spec_free(x->spec);
        container_state_free(&x->st);
        if (x->pidfd >= 0)
                close(x->pidfd);
        if (x->root_fd >= 0)
                close(x->root_fd);
        if (x->console_fd >= 0)
                close(x->console_fd);
        if (x->state_dirfd >= 0)
                close(x->state_dirfd);
}

static int exec_run(struct kago_global *g, struct exec_ctx *x, const char *sub_cgroup,
                    struct kago_err *err)
{
        _cleanup_close_ int term_sock = -1;
        pid_t pid = 0;

        if (exec_load(x, g, err) < 0 || exec_console(x, &term_sock, err) < 0)
                return -1;
        if (backend_of_state(&x->st)->exec_spawn(x, sub_cgroup, &pid, err) < 0)
                return -1;
        if (x->console_fd >= 0) {
                close(x->console_fd);
                x->console_fd = -1;
        }
        if (x->o->pid_file && pid_file_write(x->o->pid_file, pid, err) < 0) {
                kill(pid, SIGKILL); /* nobody would know of it */
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                return -1;
        }
        if (x->o->detach)
                return 0;
        return exec_foreground(x, term_sock, pid);
}

/* "exec in container X: ...", unless the message names X already. */
static void exec_err_context(struct kago_err *err, const char *id)
{
        _cleanup_free_ char *named = xasprintf("container \"%s\"", id);

        if (strstr(err->msg, named))
                kago_err_wrap(err, "exec");
        else
                kago_err_wrap(err, "exec in %s", named);
}

int cmd_exec(KAGO_COMMAND_ARGS)
{
        struct exec_opts o = { 0 };
        struct exec_ctx x = { .o = &o, .pidfd = -1, .root_fd = -1, .sync_fd = -1,
                              .console_fd = -1, .state_dirfd = -1 };
        const char *sub_cgroup = NULL;
        int rc = -1;

        if (exec_opts_parse(argc, argv, &o, &sub_cgroup, err) < 0)
                goto out;
        /* From here a failure is the runtime's, not the process's: runc exits
         * 255 then, and engines tell it from the process's own statuses. */
        g->error_exit = 255;
        if (exe_guard_ensure(err) < 0)
                goto out;
        rc = exec_run(g, &x, sub_cgroup, err);
        if (rc < 0)
                exec_err_context(err, o.id);
out:
        exec_ctx_free(&x);
        opts_free(&o);
        return rc;
}
