/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `kago features` can only know at run time: the seccomp architectures
 * this libseccomp knows, the filter flags this kernel takes, and whether
 * AppArmor and SELinux are enabled on this host (kago applies their labels
 * when they are, and refuses them when not).
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/syscall.h>

#include "process.h"

static void strv_filter(char **v, size_t *n, bool (*keep)(const char *))
{
        size_t k = 0;

        for (size_t i = 0; i < *n; i++) {
                if (keep(v[i]))
                        v[k++] = v[i];
                else
                        free(v[i]);
        }
        v[k] = NULL;
        *n = k;
}

static bool arch_known(const char *name)
{
        struct oci_seccomp cfg = { .default_action = OCI_SCMP_ACT_ALLOW,
                                   .architectures = (char *[]){ (char *)name, NULL },
                                   .architectures_len = 1 };
        struct kago_seccomp *f = NULL;
        struct kago_err err = { 0 };
        bool ok = seccomp_filter_compile(&cfg, &f, &err) == 0;

        seccomp_filter_free(f);
        return ok;
}

/* The kernel answers EFAULT (the NULL program) for a flag it knows.
 * WAIT_KILLABLE_RECV is only valid together with NEW_LISTENER. */
static bool flag_supported(const char *name)
{
        unsigned int flag;

        if (seccomp_flag(name, &flag) < 0)
                return false;
        if (flag & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
                flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 && errno == EFAULT;
}

static char **strv_copy(char **v, size_t n)
{
        char **c = xcalloc(n + 1, sizeof *c);

        for (size_t i = 0; i < n; i++)
                c[i] = xstrdup(v[i]);
        return c;
}

void security_features_refine(struct oci_features *f)
{
        struct oci_features_linux *l = f->linux_cfg;

        if (!l)
                return;
        if (l->seccomp_archs)
                strv_filter(l->seccomp_archs, &l->seccomp_archs_len, arch_known);
        if (l->seccomp_known_flags && !l->seccomp_supported_flags) {
                l->seccomp_supported_flags = strv_copy(l->seccomp_known_flags,
                                                       l->seccomp_known_flags_len);
                l->seccomp_supported_flags_len = l->seccomp_known_flags_len;
                strv_filter(l->seccomp_supported_flags, &l->seccomp_supported_flags_len,
                            flag_supported);
        }
        l->apparmor_enabled = (struct oci_opt_bool){ true, proc_apparmor_enabled() };
        l->selinux_enabled = (struct oci_opt_bool){ true, proc_selinux_enabled() };
}
