/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proves runtime/process/seccomp.c and seccomp_notify.c against the real kernel:
 * each action does what it says in a child that loads the filter (the
 * configured errno comes back, KILL/TRAP end the child with SIGSYS, TRACE
 * without a tracer is ENOSYS), argument comparisons (ANDed, ORed on a
 * repeated index, masked), defaultErrnoRet, flags, skipped unknown syscall
 * names, the errors for bad actions/operators/architectures, and NOTIFY: a
 * listener fd handed over a socket, answered by a small agent.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "../../runtime/process/process.h"
#include "unit.h"

static struct oci_spec *parse_seccomp(const char *seccomp_json)
{
        _cleanup_free_ char *doc = xasprintf("{\"ociVersion\":\"1.0.0\",\"linux\":{\"seccomp\":%s}}",
                                             seccomp_json);
        struct oci_spec *s = NULL;
        struct kago_err err = { 0 };

        if (spec_parse(doc, strlen(doc), "config.json", &s, &err) < 0) {
                fprintf(stderr, "  parse: %s\n", kago_err_text(&err));
                return NULL;
        }
        return s;
}

static struct kago_seccomp *compile(const char *seccomp_json, struct kago_err *err)
{
        struct oci_spec *s = parse_seccomp(seccomp_json);
        struct kago_seccomp *f = NULL;

        if (!s)
                return NULL;
        if (seccomp_filter_compile(s->linux_cfg->seccomp, &f, err) < 0)
                f = NULL;
        spec_free(s);
        return f;
}

/* Fork; the child loads f then runs probe, whose return is its exit status. */
static int run_filtered(const struct kago_seccomp *f, int (*probe)(void))
{
        pid_t pid = fork();
        int status = 0;

        if (pid == 0) {
                struct kago_err err = { 0 };
                int lfd;
                prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
                if (seccomp_filter_load(f, &lfd, &err) < 0)
                        _exit(200);
                _exit(probe());
        }
        waitpid(pid, &status, 0);
        return status;
}

static int probe_getpid_errno(void)
{
        return syscall(SYS_getpid) < 0 ? errno : 0;
}

static int probe_personality(void)
{
        /* 0xffffffff only queries the persona: harmless. */
        long a = syscall(SYS_personality, 0xffffffffUL);
        int ea = a < 0 ? errno : 0;
        long b = syscall(SYS_personality, 0xfffffffeUL);
        (void)b;
        return ea;
}

UNIT_TEST(errno_action_returns_configured_errno)
{
        struct kago_err err = { 0 };
        struct kago_seccomp *f = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                                         "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\","
                                         "\"errnoRet\":42}]}", &err);
        CHECK(f != NULL);
        if (!f)
                return;
        int st = run_filtered(f, probe_getpid_errno);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42);
        seccomp_filter_free(f);
}

UNIT_TEST(errno_action_defaults_to_eperm)
{
        struct kago_err err = { 0 };
        struct kago_seccomp *f = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                                         "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
                                         &err);
        CHECK(f != NULL);
        if (!f)
                return;
        int st = run_filtered(f, probe_getpid_errno);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == EPERM);
        seccomp_filter_free(f);
}

static int probe_default_errno(void)
{
        long r = syscall(SYS_getppid);
        int e = r < 0 ? errno : 0;
        syscall(SYS_exit_group, e);
        return 99;
}

UNIT_TEST(default_errno_ret_applies_to_the_default_action)
{
        struct kago_err err = { 0 };
        struct kago_seccomp *f = compile("{\"defaultAction\":\"SCMP_ACT_ERRNO\","
                                         "\"defaultErrnoRet\":38,\"syscalls\":["
                                         "{\"names\":[\"exit_group\",\"exit\"],"
                                         "\"action\":\"SCMP_ACT_ALLOW\"}]}", &err);
        CHECK(f != NULL);
        if (!f)
                return;
        int st = run_filtered(f, probe_default_errno);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 38);
        seccomp_filter_free(f);
}

UNIT_TEST(kill_actions_end_the_process_with_sigsys)
{
        static const char *const actions[] = { "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
                                               "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP" };

        for (size_t i = 0; i < ARRAY_SIZE(actions); i++) {
                struct kago_err err = { 0 };
                _cleanup_free_ char *j = xasprintf("{\"defaultAction\":\"SCMP_ACT_ALLOW\","
                                                   "\"syscalls\":[{\"names\":[\"getpid\"],"
                                                   "\"action\":\"%s\"}]}", actions[i]);
                struct kago_seccomp *f = compile(j, &err);
                CHECK(f != NULL);
                if (!f)
                        continue;
                int st = run_filtered(f, probe_getpid_errno);
                if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS))
                        fprintf(stderr, "  %s: status 0x%x\n", actions[i], st);
                CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
                seccomp_filter_free(f);
        }
}

UNIT_TEST(trace_without_tracer_is_enosys_and_log_allows)
{
        struct kago_err err = { 0 };
        struct kago_seccomp *f = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                                         "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_TRACE\"}]}",
                                         &err);
        CHECK(f != NULL);
        if (f) {
                int st = run_filtered(f, probe_getpid_errno);
                CHECK(WIFEXITED(st) && WEXITSTATUS(st) == ENOSYS);
                seccomp_filter_free(f);
        }
        f = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                    "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_LOG\"}]}", &err);
        CHECK(f != NULL);
        if (f) {
                int st = run_filtered(f, probe_getpid_errno);
                CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
                seccomp_filter_free(f);
        }
}

UNIT_TEST(argument_comparisons)
{
        struct kago_err err = { 0 };
        /* EQ on arg 0: only 0xffffffff is refused (probe returns its errno). */
        struct kago_seccomp *f = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                                         "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\","
                                         "\"errnoRet\":7,\"args\":[{\"index\":0,"
                                         "\"value\":4294967295,\"op\":\"SCMP_CMP_EQ\"}]}]}", &err);
        CHECK(f != NULL);
        if (f) {
                int st = run_filtered(f, probe_personality);
                CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
                seccomp_filter_free(f);
        }
        /* MASKED_EQ: (arg0 & 0xff) == 0xfe does not match 0xffffffff. */
        f = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                    "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":7,"
                    "\"args\":[{\"index\":0,\"value\":255,\"valueTwo\":254,"
                    "\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}", &err);
        CHECK(f != NULL);
        if (f) {
                int st = run_filtered(f, probe_personality);
                CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
                seccomp_filter_free(f);
        }
        /* The same index twice: either comparison matching refuses (OR). */
        f = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                    "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":9,"
                    "\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"},"
                    "{\"index\":0,\"value\":4294967295,\"op\":\"SCMP_CMP_EQ\"}]}]}", &err);
        CHECK(f != NULL);
        if (f) {
                int st = run_filtered(f, probe_personality);
                CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 9);
                seccomp_filter_free(f);
        }
        /* Different indexes are ANDed: arg1 never equals 5 here, so no match. */
        f = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                    "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":9,"
                    "\"args\":[{\"index\":0,\"value\":4294967295,\"op\":\"SCMP_CMP_EQ\"},"
                    "{\"index\":1,\"value\":5,\"op\":\"SCMP_CMP_EQ\"}]}]}", &err);
        CHECK(f != NULL);
        if (f) {
                int st = run_filtered(f, probe_personality);
                CHECK(WIFEXITED(st) && WEXITSTATUS(st) != 9);
                seccomp_filter_free(f);
        }
}

UNIT_TEST(unknown_syscall_names_are_skipped)
{
        struct kago_err err = { 0 };
        struct kago_seccomp *f = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                                         "{\"names\":[\"no_such_syscall_kago\",\"getpid\"],"
                                         "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":3}]}", &err);
        CHECK(f != NULL);
        if (!f)
                return;
        CHECK(f->skipped == 1);
        int st = run_filtered(f, probe_getpid_errno);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
        seccomp_filter_free(f);
}

UNIT_TEST(flags_map_to_seccomp_flags)
{
        struct kago_err err = { 0 };
        struct kago_seccomp *f = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":["
                                         "\"SECCOMP_FILTER_FLAG_LOG\","
                                         "\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\","
                                         "\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]}", &err);
        CHECK(f != NULL);
        if (!f)
                return;
        /* WAIT_KILLABLE_RECV only with a listener: dropped here. */
        CHECK(f->flags == (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW));
        int st = run_filtered(f, probe_getpid_errno);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        seccomp_filter_free(f);
        f = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/x\","
                    "\"flags\":[\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],\"syscalls\":["
                    "{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}", &err);
        CHECK(f != NULL);
        if (f) {
                CHECK(f->notify);
                CHECK(f->flags == (SECCOMP_FILTER_FLAG_NEW_LISTENER | (1u << 5)));
                seccomp_filter_free(f);
        }
}

UNIT_TEST(architectures)
{
        struct kago_err err = { 0 };
        struct kago_seccomp *f = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":["
                                         "\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],"
                                         "\"syscalls\":[{\"names\":[\"getpid\"],"
                                         "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5}]}", &err);
        CHECK(f != NULL);
        if (f) {
                int st = run_filtered(f, probe_getpid_errno);
                CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5);
                seccomp_filter_free(f);
        }
}

UNIT_TEST(bad_values_are_errors_naming_them)
{
        struct kago_err err = { 0 };
        struct oci_spec *s = parse_seccomp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                                           "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\","
                                           "\"args\":[{\"index\":0,\"value\":1,"
                                           "\"op\":\"SCMP_CMP_EQ\"}]}]}");
        struct kago_seccomp *f = NULL;

        CHECK(s != NULL);
        if (!s)
                return;
        s->linux_cfg->seccomp->syscalls[0].action = (enum oci_seccomp_action)99;
        CHECK(seccomp_filter_compile(s->linux_cfg->seccomp, &f, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "linux.seccomp.syscalls[0].action: unknown action 99");
        s->linux_cfg->seccomp->syscalls[0].action = OCI_SCMP_ACT_ERRNO;
        s->linux_cfg->seccomp->syscalls[0].args[0].op = (enum oci_seccomp_op)77;
        CHECK(seccomp_filter_compile(s->linux_cfg->seccomp, &f, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "syscalls[0].args[0]: unknown operator 77");
        s->linux_cfg->seccomp->syscalls[0].args[0].op = OCI_SCMP_CMP_EQ;
        s->linux_cfg->seccomp->syscalls[0].args[0].index = 6;
        CHECK(seccomp_filter_compile(s->linux_cfg->seccomp, &f, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "args[0].index: 6 is out of range");
        spec_free(s);

        f = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":["
                    "\"SCMP_ARCH_SHEB\"]}", &err);
        if (!f) /* libseccomp before 2.6 lacks SuperH */
                CHECK_CONTAINS(kago_err_text(&err), "architecture \"SCMP_ARCH_SHEB\" is unknown");
        seccomp_filter_free(f);
        CHECK(compile("{\"defaultAction\":\"SCMP_ACT_NOTIFY\",\"listenerPath\":\"/x\"}", &err) ==
              NULL);
        CHECK_CONTAINS(kago_err_text(&err), "SCMP_ACT_NOTIFY cannot be the default action");
        CHECK(compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mknod\"],"
                      "\"action\":\"SCMP_ACT_NOTIFY\"}]}", &err) == NULL);
        CHECK_CONTAINS(kago_err_text(&err), "SCMP_ACT_NOTIFY needs listenerPath");
        CHECK(compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/x\",\"syscalls\":["
                      "{\"names\":[\"write\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}", &err) == NULL);
        CHECK_CONTAINS(kago_err_text(&err), "SCMP_ACT_NOTIFY cannot be used for write");
}

/* The notify child: load, hand the listener to the parent, then ask getppid,
 * whose answer the agent makes up. */
static int notify_sock = -1;
static const struct kago_seccomp *notify_filter;

static int notify_child(void)
{
        struct kago_err err = { 0 };
        int lfd;

        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        if (seccomp_filter_load(notify_filter, &lfd, &err) < 0 || lfd < 0)
                return 200;
        if (fd_send(notify_sock, &lfd, 1, "f", 1, &err) < 0)
                return 201;
        close(lfd);
        long r = syscall(SYS_getppid);
        return r == 4242 ? 0 : 202;
}

static void agent_answer(int lfd)
{
        struct seccomp_notif req;
        struct seccomp_notif_resp resp;

        memset(&req, 0, sizeof req);
        if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
                return;
        CHECK(req.data.nr == SYS_getppid);
        memset(&resp, 0, sizeof resp);
        resp.id = req.id;
        resp.val = 4242;
        CHECK(ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0);
}

UNIT_TEST(notify_listener_is_handed_over_and_answered)
{
        struct kago_err err = { 0 };
        struct kago_seccomp *f = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\","
                                         "\"listenerPath\":\"/unused\",\"syscalls\":["
                                         "{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
                                         &err);
        int sv[2], status = 0, lfd = -1;

        CHECK(f != NULL);
        if (!f)
                return;
        CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
        notify_sock = sv[1];
        notify_filter = f;
        pid_t pid = fork();
        if (pid == 0)
                _exit(notify_child());
        close(sv[1]);
        char byte;
        size_t nfds = 0;
        CHECK(fd_recv(sv[0], &lfd, 1, &nfds, &byte, 1, &err) == 1);
        CHECK(nfds == 1);
        if (lfd >= 0) {
                agent_answer(lfd);
                close(lfd);
        }
        waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        close(sv[0]);
        seccomp_filter_free(f);
}

UNIT_TEST(notify_send_delivers_fd_and_process_state)
{
        char dir[] = "/tmp/kago-unit-XXXXXX";
        struct kago_err err = { 0 };
        struct oci_kv ann = { "a", "b\"c" };
        struct oci_state st = { .id = "ctr", .status = "creating", .pid = 77, .bundle = "/b",
                                .annotations = &ann, .annotations_len = 1 };

        CHECK(mkdtemp(dir) != NULL);
        _cleanup_free_ char *path = xasprintf("%s/agent.sock", dir);
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        strcpy(addr.sun_path, path);
        int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        CHECK(bind(ls, (struct sockaddr *)&addr, sizeof addr) == 0);
        CHECK(listen(ls, 1) == 0);
        _cleanup_free_ char *json = seccomp_notify_state_emit(&st, 77, "MKNOD=/dev/null");
        CHECK_STR(json, "{\"ociVersion\":\"1.3.0\",\"fds\":[\"seccompFd\"],\"pid\":77,"
                        "\"metadata\":\"MKNOD=/dev/null\",\"state\":{\"ociVersion\":\"1.3.0\","
                        "\"id\":\"ctr\",\"status\":\"creating\",\"pid\":77,\"bundle\":\"/b\","
                        "\"annotations\":{\"a\":\"b\\\"c\"}}}");
        int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        CHECK(seccomp_notify_send(path, devnull, json, &err) == 0);
        int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
        char buf[1024] = { 0 };
        union {
                char b[CMSG_SPACE(sizeof(int))];
                struct cmsghdr a;
        } ctl;
        struct iovec iov = { buf, sizeof buf - 1 };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
                              .msg_controllen = sizeof ctl.b };
        ssize_t n = recvmsg(c, &msg, MSG_CMSG_CLOEXEC);
        CHECK(n == (ssize_t)strlen(json));
        CHECK_STR(buf, json);
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        CHECK(cm && cm->cmsg_type == SCM_RIGHTS);
        if (cm) {
                int got;
                memcpy(&got, CMSG_DATA(cm), sizeof got);
                close(got);
        }
        /* Nobody listening: the error names the path. */
        close(c);
        close(ls);
        unlink(path);
        CHECK(seccomp_notify_send(path, devnull, json, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "connect to the seccomp agent at /tmp/kago-unit-");
        close(devnull);
        rmdir(dir);
}

UNIT_MAIN("security_seccomp", UNIT(errno_action_returns_configured_errno),
          UNIT(errno_action_defaults_to_eperm), UNIT(default_errno_ret_applies_to_the_default_action),
          UNIT(kill_actions_end_the_process_with_sigsys),
          UNIT(trace_without_tracer_is_enosys_and_log_allows), UNIT(argument_comparisons),
          UNIT(unknown_syscall_names_are_skipped), UNIT(flags_map_to_seccomp_flags),
          UNIT(architectures), UNIT(bad_values_are_errors_naming_them),
          UNIT(notify_listener_is_handed_over_and_answered),
          UNIT(notify_send_delivers_fd_and_process_state))
