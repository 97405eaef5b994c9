/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-process settings that need no scheduler or limit knowledge:
 * no_new_privs, oomScoreAdj, the LSM labels (AppArmor, SELinux: applied at
 * the next execve, a clear error when the LSM is absent) and personality.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "process.h"

int proc_set_no_new_privs(struct kago_err *err)
{
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return kago_err_errno(err, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
        return 0;
}

int proc_set_oom_score_adj(int value, struct kago_err *err)
{
        char buf[16];
        int n = snprintf(buf, sizeof buf, "%d", value);
        _cleanup_close_ int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

        if (value < -1000 || value > 1000)
                return kago_err_set(err, "process.oomScoreAdj: %d is out of range (-1000..1000)",
                                    value);
        if (fd < 0)
                return kago_err_errno(err, errno, "open /proc/self/oom_score_adj");
        if (write(fd, buf, (size_t)n) != n)
                return kago_err_errno(err, errno, "process.oomScoreAdj: write %d%s", value,
                                      errno == EACCES ? " (a value below the current minimum "
                                                        "needs CAP_SYS_RESOURCE, which kago does "
                                                        "not hold here)"
                                                      : "");
        return 0;
}

static bool file_starts_with(const char *path, const char *prefix)
{
        _cleanup_free_ char *buf = NULL;
        size_t len;
        struct kago_err ignored = { 0 };

        return file_read_at(AT_FDCWD, path, 4096, &buf, &len, &ignored) == 0 &&
               str_has_prefix(buf, prefix);
}

bool proc_apparmor_enabled(void)
{
        return access("/sys/kernel/security/apparmor", F_OK) == 0 &&
               file_starts_with("/sys/module/apparmor/parameters/enabled", "Y");
}

bool proc_selinux_enabled(void)
{
        return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

static int proc_write_attr(const char *path, const char *text, struct kago_err *err)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);

        if (fd < 0)
                return kago_err_errno(err, errno, "open %s", path);
        if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
                return kago_err_errno(err, errno, "write \"%s\" to %s", text, path);
        return 0;
}

int proc_set_apparmor_profile(const char *profile, struct kago_err *err)
{
        if (!proc_apparmor_enabled())
                return kago_err_set(err, "process.apparmorProfile \"%s\": AppArmor is not enabled "
                                         "on this host", profile);
        _cleanup_free_ char *text = xasprintf("exec %s", profile);
        const char *path = access("/proc/thread-self/attr/apparmor/exec", F_OK) == 0
                                   ? "/proc/thread-self/attr/apparmor/exec"
                                   : "/proc/thread-self/attr/exec";
        if (proc_write_attr(path, text, err) < 0)
                return kago_err_wrap(err, "process.apparmorProfile");
        return 0;
}

int proc_set_selinux_label(const char *label, struct kago_err *err)
{
        if (!proc_selinux_enabled())
                return kago_err_set(err, "process.selinuxLabel \"%s\": SELinux is not enabled on "
                                         "this host", label);
        if (proc_write_attr("/proc/thread-self/attr/exec", label, err) < 0)
                return kago_err_wrap(err, "process.selinuxLabel");
        return 0;
}

int proc_set_personality(const struct oci_personality *p, struct kago_err *err)
{
        unsigned long persona;

        if (!p->domain || strcmp(p->domain, "LINUX") == 0)
                persona = PER_LINUX;
        else if (strcmp(p->domain, "LINUX32") == 0)
                persona = PER_LINUX32;
        else
                return kago_err_set(err, "linux.personality.domain: unknown domain \"%s\" (LINUX "
                                         "or LINUX32)", p->domain);
        if (p->flags_len)
                return kago_err_set(err, "linux.personality.flags[0]: unknown flag \"%s\" (the "
                                         "runtime-spec defines none)", p->flags[0]);
        if (personality(persona) < 0)
                return kago_err_errno(err, errno, "personality(%s)", p->domain ? p->domain : "LINUX");
        return 0;
}
