/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A syscall newer than the profile: ENOSYS, not the default action. A
 * profile written before a syscall existed cannot name it, and its default
 * (EPERM, say) would tell glibc the call exists but is refused, where ENOSYS
 * makes it fall back to the older call (clone3 to clone, faccessat2 to
 * faccessat, ...), as runc does. kago puts a short prefix before the program
 * libseccomp exported: on the native architecture, a number above the
 * highest the profile names (x32's numbers aside) returns ENOSYS.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <string.h>

#include "process.h"

#define X32_SYSCALL_BIT 0x40000000u

/* The highest native syscall number profile cfg names; -1 when none. */
static int seccomp_max_named(const struct oci_seccomp *cfg)
{
        int max = -1;

        for (size_t i = 0; i < cfg->syscalls_len; i++)
                for (size_t n = 0; n < cfg->syscalls[i].names_len; n++) {
                        int nr = seccomp_syscall_resolve_name(cfg->syscalls[i].names[n]);
                        if (nr != __NR_SCMP_ERROR && nr > max)
                                max = nr;
                }
        return max;
}

int seccomp_prepend_enosys(const struct oci_seccomp *cfg, struct kago_seccomp *f,
                           struct kago_err *err)
{
        int max = seccomp_max_named(cfg);

        if (max < 0 || cfg->default_action == OCI_SCMP_ACT_ALLOW)
                return 0;
        const struct sock_filter prefix[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, seccomp_arch_native(), 0, 4),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 2, 0),
                BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (unsigned)max, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        };
        size_t n = ARRAY_SIZE(prefix);

        if (f->len + n > BPF_MAXINSNS)
                return kago_err_set(err, "linux.seccomp: the program has %zu instructions, too "
                                         "many to add the ENOSYS check (at most %d)",
                                    f->len, BPF_MAXINSNS);
        struct sock_filter *prog = xmalloc((f->len + n) * sizeof *prog);
        memcpy(prog, prefix, sizeof prefix);
        memcpy(prog + n, f->prog, f->len * sizeof *prog);
        free(f->prog);
        f->prog = prog;
        f->len += n;
        return 0;
}
