/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The order in which a process gets its security settings (see process.h):
 * checked and compiled in the parent, applied in the child right before
 * execve, with seccomp placed where it can still load (before the user
 * switch when no_new_privs is off, last when it is on) and the capability
 * sets placed around the user switch.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/stat.h>

#include "process.h"

static int security_check_lsm(const struct oci_spec *spec, const struct oci_process *proc,
                              struct kago_err *err)
{
        if (proc->apparmor_profile && !proc_apparmor_enabled())
                return kago_err_set(err, "process.apparmorProfile \"%s\": AppArmor is not enabled "
                                         "on this host", proc->apparmor_profile);
        if (proc->selinux_label && !proc_selinux_enabled())
                return kago_err_set(err, "process.selinuxLabel \"%s\": SELinux is not enabled on "
                                         "this host", proc->selinux_label);
        if (spec && spec->linux_cfg && spec->linux_cfg->mount_label && !proc_selinux_enabled())
                return kago_err_set(err, "linux.mountLabel \"%s\": SELinux is not enabled on this "
                                         "host", spec->linux_cfg->mount_label);
        return 0;
}

static int security_check_rlimits(const struct oci_process *proc, struct kago_err *err)
{
        for (size_t i = 0; i < proc->rlimits_len; i++) {
                const struct oci_rlimit *r = &proc->rlimits[i];
                if (proc_rlimit_resource(r->type ? r->type : "") < 0)
                        return kago_err_set(err, "process.rlimits[%zu].type: unknown limit \"%s\"",
                                            i, r->type ? r->type : "");
                if (r->soft > r->hard)
                        return kago_err_set(err, "process.rlimits[%zu]: %s soft limit %llu is "
                                                 "above the hard limit %llu", i, r->type,
                                            (unsigned long long)r->soft,
                                            (unsigned long long)r->hard);
        }
        return 0;
}

int security_prepare(const struct oci_spec *spec, const struct oci_process *proc,
                     struct kago_security *out, struct kago_err *err)
{
        *out = (struct kago_security){ 0 };
        out->no_new_privs = proc->no_new_privileges;
        if (caps_from_config(spec ? spec->oci_version : NULL, proc->capabilities, &out->caps,
                             err) < 0 ||
            caps_check_host(&out->caps, err) < 0 || security_check_lsm(spec, proc, err) < 0 ||
            security_check_rlimits(proc, err) < 0)
                return -1;
        if (spec && spec->linux_cfg && spec->linux_cfg->seccomp &&
            (seccomp_filter_compile(spec->linux_cfg->seccomp, &out->seccomp, err) < 0 ||
             seccomp_probe_exec(out->seccomp, err) < 0))
                return -1;
        return 0;
}

void security_release(struct kago_security *s)
{
        seccomp_filter_free(s->seccomp);
        s->seccomp = NULL;
}

int security_apply_process(const struct oci_process *proc, const struct oci_linux *l,
                           struct kago_err *err)
{
        if (proc_set_rlimits(0, proc->rlimits, proc->rlimits_len, err) < 0)
                return -1;
        if (proc->oom_score_adj.set && proc_set_oom_score_adj(proc->oom_score_adj.value, err) < 0)
                return -1;
        if (proc->io_priority && proc_set_io_priority(proc->io_priority, err) < 0)
                return -1;
        if (proc->scheduler && proc_set_scheduler(proc->scheduler, err) < 0)
                return -1;
        if (l && l->memory_policy && proc_set_memory_policy(l->memory_policy, err) < 0)
                return -1;
        if (l && l->personality && proc_set_personality(l->personality, err) < 0)
                return -1;
        if (proc->apparmor_profile && proc_set_apparmor_profile(proc->apparmor_profile, err) < 0)
                return -1;
        if (proc->selinux_label && proc_set_selinux_label(proc->selinux_label, err) < 0)
                return -1;
        return 0;
}

/* setgroups(2) is refused in a user namespace whose setgroups file says deny. */
static bool security_setgroups_denied(void)
{
        _cleanup_free_ char *buf = NULL;
        size_t len;
        struct kago_err ignored = { 0 };

        return file_read_at(AT_FDCWD, "/proc/self/setgroups", 64, &buf, &len, &ignored) == 0 &&
               str_has_prefix(buf, "deny");
}

static int security_switch_user(const struct oci_user *u, struct kago_err *err)
{
        if (u->umask.set)
                umask((mode_t)u->umask.value);
        if (security_setgroups_denied()) {
                if (u->additional_gids_len)
                        return kago_err_set(err, "process.user.additionalGids: setgroups is "
                                                 "denied in this user namespace");
        } else if (setgroups(u->additional_gids_len, (const gid_t *)u->additional_gids) < 0) {
                return kago_err_errno(err, errno, "setgroups (process.user.additionalGids)");
        }
        if (setresgid(u->gid, u->gid, u->gid) < 0)
                return kago_err_errno(err, errno, "setresgid %u%s", u->gid,
                                      errno == EINVAL ? " (not mapped in the user namespace)" : "");
        if (setresuid(u->uid, u->uid, u->uid) < 0)
                return kago_err_errno(err, errno, "setresuid %u%s", u->uid,
                                      errno == EINVAL ? " (not mapped in the user namespace)" : "");
        return 0;
}

static int security_caps_and_user(const struct kago_security *s, const struct oci_user *user,
                                  struct kago_err *err)
{
        if (s->caps.set && (caps_drop_bounding(&s->caps, err) < 0 ||
                            caps_keep_on_setuid(true, err) < 0))
                return -1;
        if (security_switch_user(user, err) < 0)
                return -1;
        if (s->caps.set && (caps_keep_on_setuid(false, err) < 0 || caps_apply(&s->caps, err) < 0))
                return -1;
        return 0;
}

int security_finish(const struct kago_security *s, const struct oci_user *user, int *listener_fd,
                    struct kago_err *err)
{
        *listener_fd = -1;
        if (s->seccomp && !s->no_new_privs && seccomp_filter_load(s->seccomp, listener_fd, err) < 0)
                return -1;
        if (security_caps_and_user(s, user, err) < 0)
                goto fail;
        if (s->no_new_privs && proc_set_no_new_privs(err) < 0)
                goto fail;
        if (s->seccomp && s->no_new_privs && seccomp_filter_load(s->seccomp, listener_fd, err) < 0)
                goto fail;
        return 0;
fail:
        if (*listener_fd >= 0)
                close(*listener_fd);
        *listener_fd = -1;
        return -1;
}
