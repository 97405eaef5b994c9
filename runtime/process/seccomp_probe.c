/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one check of linux.seccomp that only the kernel can answer: what the
 * compiled filter does to the calls that start and end a process. Init loads
 * the filter right before execve; when the filter denies execve, init can
 * neither report the failure (write) nor exit (exit_group) under it, and
 * dies of a fault in libc with no message. So a child loads the filter
 * first and tries both: execve with a NULL path (EFAULT when the filter lets
 * it through: nothing is executed), then exit_group.
 */
#include <errno.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.h"

/* What the child saw, in memory it shares with the parent: under a filter
 * that denies write, memory is the one channel left. */
struct probe_result {
        bool loaded;    /* the filter loaded in the child */
        bool exec_done; /* execve came back (it did not kill the child) */
        int exec_errno;
};

/* Flags the probe can load with: no listener (a notify rule then answers
 * ENOSYS), one thread. */
#define PROBE_FLAGS_DROPPED (SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC |   \
                             SECCOMP_FILTER_FLAG_TSYNC_ESRCH |                                \
                             SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)

/* In the child: load the filter, try execve, end. With exit_group and exit
 * denied, a trap ends it (SIGILL: a fault needs no syscall). */
static _Noreturn void probe_child(const struct kago_seccomp *f, struct probe_result *res)
{
        struct sock_fprog prog = { .len = (unsigned short)f->len, .filter = f->prog };

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
            syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->flags & ~PROBE_FLAGS_DROPPED, &prog) == 0) {
                res->loaded = true;
                long r = syscall(SYS_execve, NULL, NULL, NULL);
                res->exec_errno = r < 0 ? errno : 0;
                res->exec_done = true;
        }
        syscall(SYS_exit_group, 0);
        syscall(SYS_exit, 0);
        __builtin_trap();
}

/* execve with a NULL path fails with EFAULT when the filter lets it through
 * (with ENOSYS for a notify rule: the probe has no listener). */
static bool probe_exec_passed(const struct kago_seccomp *f, const struct probe_result *res)
{
        return res->exec_errno == EFAULT || (res->exec_errno == ENOSYS && f->notify);
}

/* The verdict from what the child saw and its wait status. */
static int probe_verdict(const struct kago_seccomp *f, const struct probe_result *res, int status,
                         struct kago_err *err)
{
        bool exits_denied = WIFSIGNALED(status) && WTERMSIG(status) == SIGILL;

        if (!res->loaded)
                return 0;
        if (!res->exec_done)
                return kago_err_set(err, "linux.seccomp denies execve (the filter kills the "
                                         "caller): the container process could not start");
        if (!probe_exec_passed(f, res))
                return kago_err_set(err, "linux.seccomp denies execve (it fails with %s)%s: the "
                                         "container process could not start",
                                    strerror(res->exec_errno),
                                    exits_denied ? ", and exit_group and exit" : "");
        if (exits_denied)
                return kago_err_set(err, "linux.seccomp denies exit_group and exit: the "
                                         "container process could never end");
        return 0;
}

int seccomp_probe_exec(const struct kago_seccomp *f, struct kago_err *err)
{
        int status = 0;
        struct probe_result *res = mmap(NULL, sizeof *res, PROT_READ | PROT_WRITE,
                                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);

        if (res == MAP_FAILED)
                return kago_err_errno(err, errno, "linux.seccomp: memory for the filter probe");
        pid_t pid = fork();
        if (pid == 0)
                probe_child(f, res);
        int e = errno;
        while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        int rc = pid < 0 ? kago_err_errno(err, e, "linux.seccomp: fork the filter probe")
                         : probe_verdict(f, res, status, err);
        munmap(res, sizeof *res);
        return rc;
}
