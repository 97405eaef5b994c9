/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VMM confines itself: once a thread is set up, it installs a seccomp
 * allowlist of the system calls (and, for ioctl, the request numbers) its
 * work needs, on top of the container's own profile. A vCPU thread runs the
 * guest and everything its exits reach: the device models and the file
 * servers. The host thread serves stdio, signals, the control socket and the
 * guest agent. A call outside the list raises SIGSYS: the VMM says which
 * thread made which call on stderr (the container's log) and exits with
 * 128 + SIGSYS. docs/vmm-seccomp.md lists the allowlists.
 */
#include <errno.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vm.h"

/* What every VMM thread may do: memory, locks, time, signals, its own exit. */
static const char *const common_calls[] = {
        "read", "write", "readv", "writev", "close", "futex", "mmap", "munmap", "mprotect",
        "madvise", "brk", "mremap", "rt_sigreturn", "rt_sigprocmask", "clock_gettime",
        "clock_nanosleep", "nanosleep", "gettid", "getpid", "tgkill", "sched_yield",
        "restart_syscall", "exit", "exit_group", "newfstatat", "fstat", "fcntl", "lseek",
};

/* The device models and the file servers (virtio-fs, 9P), on vCPU threads. */
static const char *const vcpu_calls[] = {
        "pread64", "pwrite64", "preadv", "pwritev", "fsync", "fdatasync",
        "fallocate", "ftruncate", "openat", "openat2", "mkdirat", "mknodat", "unlinkat",
        "renameat", "renameat2", "linkat", "symlinkat", "readlinkat", "fchmod", "fchmodat",
        "fchown", "fchownat", "utimensat", "getdents64", "fstatfs", "statfs", "statx",
        "faccessat", "faccessat2", "umask", "geteuid", "getegid", "getuid", "getgid",
};

/* The host loop: stdio, signalfd, timerfd, the control socket, the agent;
 * a checkpoint's files (written sparse, guest RAM's residency asked first)
 * and its disks (flushed, read through for their fingerprints). */
static const char *const host_calls[] = {
        "poll", "ppoll", "accept4", "recvfrom", "recvmsg", "sendto", "sendmsg", "setsockopt",
        "getsockopt", "shutdown", "openat", "pwrite64", "ftruncate", "mincore", "pread64",
        "fdatasync",
};

/* TUNSETOFFLOAD: the NIC's offloads, once the guest's driver is ready. */
static const unsigned long vcpu_ioctls[] = { KVM_RUN, KVM_KVMCLOCK_CTRL, TUNSETOFFLOAD };
/* A checkpoint reads what KVM holds of the VM and its parked vCPUs. */
static const unsigned long host_ioctls[] = {
        TIOCGWINSZ,         KVM_GET_MSR_INDEX_LIST, KVM_GET_CLOCK,   KVM_GET_IRQCHIP,
        KVM_GET_PIT2,       KVM_GET_MP_STATE,       KVM_GET_REGS,    KVM_GET_SREGS,
        KVM_GET_XSAVE,      KVM_GET_XCRS,           KVM_GET_DEBUGREGS, KVM_GET_LAPIC,
        KVM_GET_VCPU_EVENTS, KVM_GET_MSRS,          KVM_GET_CPUID2,  KVM_GET_TSC_KHZ,
};

static __thread const char *confined_as; /* the thread's kind, for the message */

/* Async-signal-safe: the thread, the call's number, and the end. */
static void vmm_sigsys(int sig, siginfo_t *si, void *uc)
{
        (void)uc;
        char num[16], *p = num + sizeof num;
        unsigned n = (unsigned)si->si_syscall;
        *--p = 0;
        do
                *--p = (char)('0' + n % 10);
        while ((n /= 10) && p > num);
        const char *parts[] = { "kago: microVM: the VMM's ", confined_as ? confined_as : "?",
                                " thread made system call ", p,
                                ", which its seccomp allowlist forbids (docs/vmm-seccomp.md); "
                                "the VMM ends\n" };
        for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
                if (write(2, parts[i], strlen(parts[i])) < 0)
                        break;
        syscall(SYS_exit_group, 128 + sig); /* no exit handlers: they may call anything */
}

static int allow_names(scmp_filter_ctx ctx, const char *const *names, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                int nr = seccomp_syscall_resolve_name(names[i]);
                if (nr == __NR_SCMP_ERROR)
                        continue; /* a call this libseccomp does not know: not needed here */
                int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
                if (rc < 0)
                        return rc;
        }
        return 0;
}

static int allow_ioctls(scmp_filter_ctx ctx, const unsigned long *reqs, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
                                          SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, reqs[i]));
                if (rc < 0)
                        return rc;
        }
        return 0;
}

/* prctl for the thread's name alone (a parked VMM renames its host thread). */
static int allow_naming(scmp_filter_ctx ctx)
{
        int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
                                  SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, PR_SET_NAME));
        if (rc == 0)
                rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
                                      SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, PR_GET_NAME));
        return rc;
}

static int build_and_load(enum vmm_thread kind)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
        if (!ctx)
                return -ENOMEM;
        int rc = allow_names(ctx, common_calls, ARRAY_SIZE(common_calls));
        if (rc == 0 && kind == VMM_THREAD_VCPU)
                rc = allow_names(ctx, vcpu_calls, ARRAY_SIZE(vcpu_calls));
        if (rc == 0 && kind == VMM_THREAD_VCPU)
                rc = allow_ioctls(ctx, vcpu_ioctls, ARRAY_SIZE(vcpu_ioctls));
        if (rc == 0 && kind == VMM_THREAD_HOST)
                rc = allow_names(ctx, host_calls, ARRAY_SIZE(host_calls));
        if (rc == 0 && kind == VMM_THREAD_HOST)
                rc = allow_ioctls(ctx, host_ioctls, ARRAY_SIZE(host_ioctls));
        if (rc == 0)
                rc = allow_naming(ctx);
        if (rc == 0)
                rc = seccomp_load(ctx); /* this thread only (no TSYNC), no_new_privs first */
        seccomp_release(ctx);
        return rc;
}

int vmm_confine(enum vmm_thread kind, struct kago_err *err)
{
        const char *what = kind == VMM_THREAD_VCPU ? "vCPU" : "host";
        struct sigaction sa = { .sa_sigaction = vmm_sigsys, .sa_flags = SA_SIGINFO };
        sigset_t sys;
        sigemptyset(&sys);
        sigaddset(&sys, SIGSYS);
        /* A blocked SIGSYS would kill without a word. */
        if (sigaction(SIGSYS, &sa, NULL) < 0 || pthread_sigmask(SIG_UNBLOCK, &sys, NULL) != 0)
                return kago_err_errno(err, errno, "VMM %s thread: SIGSYS handler", what);
        confined_as = what;
        int rc = build_and_load(kind);
        if (rc < 0)
                return kago_err_errno(err, -rc, "VMM %s thread: install its seccomp allowlist",
                                      what);
        return 0;
}
