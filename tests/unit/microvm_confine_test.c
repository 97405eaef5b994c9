/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proves the VMM's self-confinement (microvm/confine.c) in child processes
 * that take a thread kind's seccomp allowlist: the calls of that kind still
 * work, and the first call outside it (a socket on a vCPU thread, KVM_RUN or
 * a prctl other than the thread's name on the host thread) ends the process
 * with 128 + SIGSYS and a message naming the thread and the call's number.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../microvm/vm.h"
#include "unit.h"

/* Exit without the sanitizers' exit handlers, which make calls of their own. */
static void quit(int status)
{
        syscall(SYS_exit_group, status);
}

struct outcome {
        int status;         /* exit status, -1: killed by a signal */
        char said[512];     /* what it wrote on stderr */
        char progress[64];  /* what it wrote on stdout */
};

/* Run step(kind) in a child confined as kind. */
static struct outcome confined(enum vmm_thread kind, void (*step)(void))
{
        struct outcome o = { .status = -1 };
        int out[2], err[2];
        CHECK(pipe(out) == 0 && pipe(err) == 0);
        pid_t pid = fork();
        if (pid == 0) {
                dup2(out[1], 1);
                dup2(err[1], 2);
                struct kago_err e = { 0 };
                if (vmm_confine(kind, &e) < 0) {
                        dprintf(2, "%s", kago_err_text(&e));
                        quit(2);
                }
                step();
                quit(0);
        }
        close(out[1]);
        close(err[1]);
        int ws;
        CHECK(waitpid(pid, &ws, 0) == pid);
        if (WIFEXITED(ws))
                o.status = WEXITSTATUS(ws);
        ssize_t n = read(err[0], o.said, sizeof o.said - 1);
        o.said[n > 0 ? n : 0] = 0;
        n = read(out[0], o.progress, sizeof o.progress - 1);
        o.progress[n > 0 ? n : 0] = 0;
        close(out[0]);
        close(err[0]);
        return o;
}

static void vcpu_work_then_socket(void)
{
        if (write(1, "a", 1) != 1 || syscall(SYS_getpid) < 0 || write(1, "b", 1) != 1)
                quit(3);
        socket(AF_UNIX, SOCK_STREAM, 0);
        if (write(1, "c", 1) != 1)
                quit(3);
}

static void host_name_then_kvm_run(void)
{
        struct winsize ws;
        prctl(PR_SET_NAME, "kago-vm-parked");
        ioctl(0, TIOCGWINSZ, &ws); /* allowed: ENOTTY on a pipe is an answer */
        if (write(1, "a", 1) != 1)
                quit(3);
        ioctl(0, KVM_RUN, 0);
        if (write(1, "b", 1) != 1)
                quit(3);
}

static void host_dumpable(void)
{
        prctl(PR_SET_DUMPABLE, 1);
}

static void vcpu_file_calls(void)
{
        int fd = openat(AT_FDCWD, "/proc/self/status", O_RDONLY | O_CLOEXEC);
        char buf[4096];
        ssize_t n = fd >= 0 ? pread(fd, buf, sizeof buf - 1, 0) : -1;
        if (n <= 0)
                quit(4);
        buf[n] = 0;
        /* this thread runs under a filter: the container's own would make it 2 as well */
        if (!strstr(buf, "Seccomp:\t2"))
                quit(5);
        close(fd);
}

UNIT_TEST(vcpu_thread_keeps_its_calls_and_dies_on_a_socket)
{
        struct outcome o = confined(VMM_THREAD_VCPU, vcpu_work_then_socket);
        CHECK(o.status == 128 + SIGSYS);
        CHECK_STR(o.progress, "ab");
        CHECK_CONTAINS(o.said, "kago: microVM: the VMM's vCPU thread made system call 41, which "
                               "its seccomp allowlist forbids (docs/vmm-seccomp.md); the VMM ends");
        o = confined(VMM_THREAD_VCPU, vcpu_file_calls);
        CHECK(o.status == 0);
        CHECK_STR(o.said, "");
}

UNIT_TEST(host_thread_may_name_itself_but_not_run_a_vcpu)
{
        struct outcome o = confined(VMM_THREAD_HOST, host_name_then_kvm_run);
        CHECK(o.status == 128 + SIGSYS);
        CHECK_STR(o.progress, "a");
        CHECK_CONTAINS(o.said, "the VMM's host thread made system call 16,"); /* ioctl */
        o = confined(VMM_THREAD_HOST, host_dumpable);
        CHECK(o.status == 128 + SIGSYS);
        CHECK_CONTAINS(o.said, "host thread made system call 157,"); /* prctl */
}

UNIT_MAIN("microvm_confine", UNIT(vcpu_thread_keeps_its_calls_and_dies_on_a_socket),
          UNIT(host_thread_may_name_itself_but_not_run_a_vcpu))
