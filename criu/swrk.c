/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One request through `criu swrk FD`: CRIU runs as kago's child and talks on
 * the SOCK_SEQPACKET socket FD (one message per request and answer). The fds
 * a request names (images and work directory, inherited fds) reach CRIU under
 * the same numbers.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "criu.h"

#define CRIU_MSG_MAX (64 * 1024)
#define CRIU_EXEC_FAILED 127

static bool is_executable(const char *path)
{
        struct stat sb;
        return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) == 0;
}

const char *criu_binary(void)
{
        static char found[PATH_MAX];
        const char *env = getenv("KAGO_CRIU"), *path = getenv("PATH");

        if (env && *env)
                return env;
        for (const char *p = path ? path : ""; *p;) {
                size_t n = strcspn(p, ":");
                if (n > 0 && n + 6 < sizeof found) {
                        snprintf(found, sizeof found, "%.*s/criu", (int)n, p);
                        if (is_executable(found))
                                return found;
                }
                p += n + (p[n] == ':');
        }
        return "/usr/sbin/criu";
}

static void keep_open(int fd)
{
        if (fd >= 0)
                fcntl(fd, F_SETFD, 0);
}

static void keep_request_fds(const struct criu_opts *o)
{
        if (!o)
                return;
        keep_open(o->images_dir_fd);
        keep_open(o->work_dir_fd);
        keep_open(o->status_fd);
        for (size_t i = 0; i < o->n_inherit; i++)
                keep_open(o->inherit[i].fd);
}

static _Noreturn void swrk_child(const struct criu_call *call, int sock)
{
        char fdarg[16];

        keep_open(sock);
        keep_request_fds(call->opts);
        snprintf(fdarg, sizeof fdarg, "%d", sock);
        const char *bin = criu_binary();
        execl(bin, "criu", "swrk", fdarg, (char *)NULL);
        _exit(CRIU_EXEC_FAILED);
}

static int send_msg(int sock, const uint8_t *buf, size_t len, struct kago_err *err)
{
        ssize_t n;

        do
                n = send(sock, buf, len, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0 || (size_t)n != len)
                return kago_err_errno(err, n < 0 ? errno : EIO, "send a request to criu");
        return 0;
}

static int ack_notify(const struct criu_call *call, int sock, const char *script, pid_t pid,
                      int fd, struct kago_err *err)
{
        uint8_t *buf;
        size_t len;
        int rc = call->notify ? call->notify(call->data, script ? script : "", pid, fd, err) : 0;

        if (!call->notify && fd >= 0)
                close(fd);
        criu_encode_notify_ack(rc == 0, &buf, &len);
        int sent = send_msg(sock, buf, len, rc == 0 ? err : &(struct kago_err){ 0 });
        free(buf);
        return rc < 0 ? -1 : sent;
}

/* Answers notifications until the final answer to the request. */
static int converse(const struct criu_call *call, int sock, struct criu_result *res,
                    struct kago_err *err)
{
        _cleanup_free_ uint8_t *buf = xmalloc(CRIU_MSG_MAX);

        for (;;) {
                int fds[1] = { -1 }, type;
                size_t nfds = 0;
                char *script = NULL;
                pid_t pid = 0;
                ssize_t n = fd_recv(sock, fds, 1, &nfds, buf, CRIU_MSG_MAX, err);
                if (n <= 0)
                        return n < 0 ? -1 : 1; /* 1: CRIU went away */
                criu_result_free(res);
                if (criu_decode_response(buf, (size_t)n, &type, &script, &pid, res) < 0) {
                        free(script);
                        if (nfds)
                                close(fds[0]);
                        return kago_err_set(err, "criu sent a malformed answer (%zd bytes)", n);
                }
                if (type != CRIU_REQ_NOTIFY) {
                        free(script);
                        if (nfds)
                                close(fds[0]);
                        return 0;
                }
                int rc = ack_notify(call, sock, script, pid, nfds ? fds[0] : -1, err);
                free(script);
                if (rc < 0)
                        return -1;
        }
}

static int reap(pid_t child, int *status)
{
        while (waitpid(child, status, 0) < 0)
                if (errno != EINTR)
                        return -1;
        return 0;
}

static int criu_gone(int status, struct kago_err *err)
{
        if (WIFEXITED(status) && WEXITSTATUS(status) == CRIU_EXEC_FAILED)
                return kago_err_set(err, "cannot run %s: CRIU is not installed or not "
                                         "executable (apt-get install criu, or set KAGO_CRIU)",
                                    criu_binary());
        if (WIFSIGNALED(status))
                return kago_err_set(err, "criu was killed by signal %d before it answered",
                                    WTERMSIG(status));
        return kago_err_set(err, "criu exited with status %d before it answered",
                            WEXITSTATUS(status));
}

int criu_call(const struct criu_call *call, struct criu_result *res, struct kago_err *err)
{
        int sp[2], status = 0;
        uint8_t *req;
        size_t len;

        *res = (struct criu_result){ 0 };
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                return kago_err_errno(err, errno, "socketpair for criu");
        fflush(NULL);
        pid_t child = fork();
        if (child < 0) {
                close(sp[0]);
                close(sp[1]);
                return kago_err_errno(err, errno, "fork criu");
        }
        if (child == 0) {
                close(sp[0]);
                swrk_child(call, sp[1]);
        }
        close(sp[1]);
        if (call->started && call->started(call->data, child, err) < 0) {
                close(sp[0]);
                kill(child, SIGKILL);
                reap(child, &status);
                return -1;
        }
        criu_encode_request(call, &req, &len);
        int rc = send_msg(sp[0], req, len, err);
        free(req);
        if (rc == 0)
                rc = converse(call, sp[0], res, err);
        close(sp[0]);
        if (reap(child, &status) < 0)
                return rc == 0 ? kago_err_errno(err, errno, "wait for criu") : -1;
        /* CRIU that never ran says so, whatever the socket saw first. */
        bool never_ran = WIFEXITED(status) && WEXITSTATUS(status) == CRIU_EXEC_FAILED;
        return rc > 0 || (rc < 0 && never_ran) ? criu_gone(status, err) : rc;
}

int criu_version(int *version, struct kago_err *err)
{
        struct criu_call call = { .type = CRIU_REQ_VERSION };
        struct criu_result res;

        if (criu_call(&call, &res, err) < 0)
                return -1;
        bool ok = res.success;
        *version = res.version_major * 10000 + res.version_minor * 100 + res.version_sublevel;
        criu_result_free(&res);
        if (!ok)
                return kago_err_set(err, "criu did not answer its version request");
        return 0;
}

/* `criu check`, quietly: its exit status. */
static int run_criu_check(void)
{
        int status = -1;
        fflush(NULL);
        pid_t pid = fork();

        if (pid < 0)
                return -1;
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR);
                if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
                        _exit(CRIU_EXEC_FAILED);
                execl(criu_binary(), "criu", "check", (char *)NULL);
                _exit(CRIU_EXEC_FAILED);
        }
        if (reap(pid, &status) < 0)
                return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool criu_usable(void)
{
        struct kago_err ignored = { 0 };
        int version;

        return criu_version(&version, &ignored) == 0 && version >= CRIU_VERSION_MIN &&
               run_criu_check() == 0;
}
