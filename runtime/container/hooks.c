/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OCI hooks: each runs with the state JSON on stdin, its own args and env,
 * an optional timeout in seconds, and runc's working directory. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "container.h"

/* The hook's working directory, as runc gives it (the spec names none):
 * for createContainer the container's root (runc chdirs there before
 * running them, in the container's mount namespace before pivot_root), for
 * the runtime namespace's hooks the bundle (runc runs from it). NULL: where
 * we are, which for startContainer is init's, the process's cwd (runc too). */
static char *hook_cwd(enum oci_hook_kind kind, const char *state_json)
{
        struct oci_state *st = NULL;
        struct kago_err ignored = { 0 };
        char *dir = NULL;

        if (kind == OCI_HOOK_START_CONTAINER ||
            state_parse(state_json, strlen(state_json), "state", &st, &ignored) < 0)
                return NULL;
        if (kind == OCI_HOOK_CREATE_CONTAINER && st->rootfs)
                dir = xstrdup(st->rootfs);
        else if (kind != OCI_HOOK_CREATE_CONTAINER && st->bundle)
                dir = xstrdup(st->bundle);
        state_free(st);
        return dir;
}

static pid_t hook_spawn(const struct oci_hook *h, int in, const char *cwd, struct kago_err *err)
{
        char *default_argv[] = { h->path, NULL };
        char *empty_env[] = { NULL };
        pid_t pid = fork();

        if (pid < 0)
                return kago_err_errno(err, errno, "fork for hook %s", h->path);
        if (pid == 0) {
                if (dup2(in, 0) < 0)
                        _exit(127);
                if (cwd && chdir(cwd) < 0) {
                        dprintf(2, "kago: hook %s: chdir %s: %s\n", h->path, cwd, strerror(errno));
                        _exit(127);
                }
                /* Hooks print where kago's errors go; stdout is the engine's. */
                dup2(2, 1);
                sigset_t all;
                sigemptyset(&all);
                sigprocmask(SIG_SETMASK, &all, NULL);
                execve(h->path, h->args ? h->args : default_argv, h->env ? h->env : empty_env);
                dprintf(2, "kago: exec hook %s: %s\n", h->path, strerror(errno));
                _exit(127);
        }
        return pid;
}

static long long now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Wait for the hook, killing it after timeout_s (0: no limit). */
static int hook_wait(const struct oci_hook *h, pid_t pid, int *status, struct kago_err *err)
{
        _cleanup_close_ int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
        long long deadline = h->timeout.set ? now_ms() + h->timeout.value * 1000 : -1;

        while (pfd >= 0) {
                int wait_ms = deadline < 0 ? -1 : (int)(deadline - now_ms());
                if (deadline >= 0 && wait_ms <= 0) {
                        kill(pid, SIGKILL);
                        waitpid(pid, status, 0);
                        return kago_err_set(err, "hook %s timed out after %lld s", h->path,
                                            (long long)h->timeout.value);
                }
                struct pollfd p = { .fd = pfd, .events = POLLIN };
                int r = poll(&p, 1, wait_ms);
                if (r > 0)
                        break;
                if (r < 0 && errno != EINTR)
                        return kago_err_errno(err, errno, "wait for hook %s", h->path);
        }
        while (waitpid(pid, status, 0) < 0)
                if (errno != EINTR)
                        return kago_err_errno(err, errno, "wait for hook %s", h->path);
        return 0;
}

static int hook_run(const struct oci_hook *h, enum oci_hook_kind kind, const char *state_json,
                    struct kago_err *err)
{
        _cleanup_free_ char *cwd = hook_cwd(kind, state_json);
        int pipefd[2];
        int status = 0;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return kago_err_errno(err, errno, "pipe for hook %s", h->path);
        pid_t pid = hook_spawn(h, pipefd[0], cwd, err);
        close(pipefd[0]);
        if (pid < 0) {
                close(pipefd[1]);
                return -1;
        }
        /* A hook that ignores stdin must not block us: the state is small
         * and a closed pipe just ends the write. */
        sigset_t pipe_set, old;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        sigprocmask(SIG_BLOCK, &pipe_set, &old);
        fcntl(pipefd[1], F_SETFL, O_NONBLOCK);
        fd_write_all(pipefd[1], state_json, strlen(state_json));
        close(pipefd[1]);
        struct timespec zero = { 0, 0 };
        sigtimedwait(&pipe_set, NULL, &zero);
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (hook_wait(h, pid, &status, err) < 0)
                return -1;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFSIGNALED(status))
                return kago_err_set(err, "hook %s killed by signal %d", h->path, WTERMSIG(status));
        return kago_err_set(err, "hook %s exited with status %d", h->path, WEXITSTATUS(status));
}

bool spec_has_runtime_hooks(const struct oci_spec *spec)
{
        return spec->hooks && (spec->hooks->len[OCI_HOOK_PRESTART] ||
                               spec->hooks->len[OCI_HOOK_CREATE_RUNTIME]);
}

int hooks_run(const struct oci_spec *spec, enum oci_hook_kind kind, const char *state_json,
              struct kago_err *err)
{
        if (!spec->hooks)
                return 0;
        for (size_t i = 0; i < spec->hooks->len[kind]; i++)
                if (hook_run(&spec->hooks->list[kind][i], kind, state_json, err) < 0)
                        return kago_err_wrap(err, "%s hook %zu", oci_hook_kind_name(kind), i);
        return 0;
}

void hooks_run_logged(const struct oci_spec *spec, enum oci_hook_kind kind, const char *state_json,
                      const char *id)
{
        if (!spec->hooks)
                return;
        for (size_t i = 0; i < spec->hooks->len[kind]; i++) {
                struct kago_err err = { 0 };
                if (hook_run(&spec->hooks->list[kind][i], kind, state_json, &err) < 0)
                        log_warning("container \"%s\": %s hook %zu: %s", id,
                                    oci_hook_kind_name(kind), i, kago_err_text(&err));
        }
}
