/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.seccomp: compiled with libseccomp into a BPF program in the parent
 * (so every config mistake is reported before a process exists), loaded with
 * seccomp(2) in the child, which lets kago pass any filter flag the kernel
 * knows (WAIT_KILLABLE_RECV included) whatever libseccomp's version.
 */
#include <ctype.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "process.h"

static void seccomp_ctx_releasep(scmp_filter_ctx *ctx)
{
        if (*ctx)
                seccomp_release(*ctx);
}
#define _cleanup_seccomp_ __attribute__((cleanup(seccomp_ctx_releasep)))

/* The libseccomp action for an OCI action; errno_ret applies to ERRNO and TRACE. */
static int seccomp_action(enum oci_seccomp_action a, const struct oci_opt_u32 *errno_ret,
                          uint32_t *out)
{
        uint32_t data = errno_ret && errno_ret->set ? errno_ret->value : EPERM;

        switch (a) {
        case OCI_SCMP_ACT_KILL:
        case OCI_SCMP_ACT_KILL_THREAD: *out = SCMP_ACT_KILL_THREAD; return 0;
        case OCI_SCMP_ACT_KILL_PROCESS: *out = SCMP_ACT_KILL_PROCESS; return 0;
        case OCI_SCMP_ACT_TRAP: *out = SCMP_ACT_TRAP; return 0;
        case OCI_SCMP_ACT_ERRNO: *out = SCMP_ACT_ERRNO(data); return 0;
        case OCI_SCMP_ACT_TRACE: *out = SCMP_ACT_TRACE(data); return 0;
        case OCI_SCMP_ACT_ALLOW: *out = SCMP_ACT_ALLOW; return 0;
        case OCI_SCMP_ACT_LOG: *out = SCMP_ACT_LOG; return 0;
        case OCI_SCMP_ACT_NOTIFY: *out = SCMP_ACT_NOTIFY; return 0;
        default: return -1;
        }
}

static int seccomp_operator(enum oci_seccomp_op op, enum scmp_compare *out)
{
        switch (op) {
        case OCI_SCMP_CMP_NE: *out = SCMP_CMP_NE; return 0;
        case OCI_SCMP_CMP_LT: *out = SCMP_CMP_LT; return 0;
        case OCI_SCMP_CMP_LE: *out = SCMP_CMP_LE; return 0;
        case OCI_SCMP_CMP_EQ: *out = SCMP_CMP_EQ; return 0;
        case OCI_SCMP_CMP_GE: *out = SCMP_CMP_GE; return 0;
        case OCI_SCMP_CMP_GT: *out = SCMP_CMP_GT; return 0;
        case OCI_SCMP_CMP_MASKED_EQ: *out = SCMP_CMP_MASKED_EQ; return 0;
        default: return -1;
        }
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token for "x86_64"; 0 when unknown. */
static uint32_t seccomp_arch_token(const char *name)
{
        char lower[32];
        size_t i;

        if (!str_has_prefix(name, "SCMP_ARCH_") || strlen(name) - 10 >= sizeof lower)
                return 0;
        for (i = 0; name[10 + i]; i++)
                lower[i] = (char)tolower((unsigned char)name[10 + i]);
        lower[i] = '\0';
        return seccomp_arch_resolve_name(lower);
}

int seccomp_flag(const char *name, unsigned int *out)
{
        static const struct {
                const char *name;
                unsigned int flag;
        } flags[] = {
                { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
                { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
                { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
                { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
        };

        for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
                if (strcmp(name, flags[i].name) == 0) {
                        *out = flags[i].flag;
                        return 0;
                }
        return -1;
}

static int seccomp_add_archs(scmp_filter_ctx ctx, const struct oci_seccomp *cfg,
                             struct kago_err *err)
{
        for (size_t i = 0; i < cfg->architectures_len; i++) {
                const char *name = cfg->architectures[i];
                uint32_t token = seccomp_arch_token(name);
                if (token == 0)
                        return kago_err_set(err, "linux.seccomp.architectures[%zu]: architecture "
                                                 "\"%s\" is unknown to libseccomp %u.%u.%u",
                                            i, name, seccomp_version()->major,
                                            seccomp_version()->minor, seccomp_version()->micro);
                int r = seccomp_arch_add(ctx, token);
                if (r < 0 && r != -EEXIST)
                        return kago_err_errno(err, -r, "linux.seccomp.architectures[%zu]: add %s",
                                              i, name);
        }
        return 0;
}

static int seccomp_add_flags(struct kago_seccomp *f, const struct oci_seccomp *cfg,
                             struct kago_err *err)
{
        for (size_t i = 0; i < cfg->flags_len; i++) {
                unsigned int flag;
                if (seccomp_flag(cfg->flags[i], &flag) < 0)
                        return kago_err_set(err, "linux.seccomp.flags[%zu]: unknown flag \"%s\"", i,
                                            cfg->flags[i]);
                f->flags |= flag;
        }
        return 0;
}

/* Conditions of one rule; each arg gets its scmp_arg_cmp. */
static int seccomp_conditions(const struct oci_syscall *sc, size_t idx, struct scmp_arg_cmp *cmps,
                              struct kago_err *err)
{
        for (size_t a = 0; a < sc->args_len; a++) {
                const struct oci_seccomp_arg *arg = &sc->args[a];
                enum scmp_compare op;
                if (seccomp_operator(arg->op, &op) < 0)
                        return kago_err_set(err, "linux.seccomp.syscalls[%zu].args[%zu]: unknown "
                                                 "operator %d", idx, a, (int)arg->op);
                if (arg->index > 5)
                        return kago_err_set(err, "linux.seccomp.syscalls[%zu].args[%zu].index: "
                                                 "%u is out of range (0..5)", idx, a, arg->index);
                cmps[a] = (struct scmp_arg_cmp){
                        .arg = arg->index,
                        .op = op,
                        .datum_a = arg->value,
                        .datum_b = arg->value_two.set ? arg->value_two.value : 0,
                };
        }
        return 0;
}

/* Two comparisons of the same argument cannot be ANDed in one rule: then
 * each becomes a rule of its own (ORed), the way runc reads such a list. */
static bool seccomp_args_repeat_index(const struct oci_syscall *sc)
{
        for (size_t a = 0; a < sc->args_len; a++)
                for (size_t b = a + 1; b < sc->args_len; b++)
                        if (sc->args[a].index == sc->args[b].index)
                                return true;
        return false;
}

static int seccomp_add_rule(scmp_filter_ctx ctx, uint32_t action, int nr,
                            const struct scmp_arg_cmp *cmps, size_t n, const char *name,
                            size_t idx, struct kago_err *err)
{
        int r = seccomp_rule_add_array(ctx, action, nr, (unsigned int)n, cmps);
        if (r < 0)
                return kago_err_errno(err, -r, "linux.seccomp.syscalls[%zu]: add the rule for %s",
                                      idx, name);
        return 0;
}

static int seccomp_add_name(scmp_filter_ctx ctx, const struct oci_syscall *sc, uint32_t action,
                            const char *name, const struct scmp_arg_cmp *cmps, size_t idx,
                            struct kago_err *err)
{
        int nr = seccomp_syscall_resolve_name(name);

        if (nr == __NR_SCMP_ERROR)
                return 1; /* unknown here: skipped */
        if (!seccomp_args_repeat_index(sc))
                return seccomp_add_rule(ctx, action, nr, cmps, sc->args_len, name, idx, err);
        for (size_t a = 0; a < sc->args_len; a++)
                if (seccomp_add_rule(ctx, action, nr, &cmps[a], 1, name, idx, err) < 0)
                        return -1;
        return 0;
}

/* A notified syscall that kago itself needs between loading the filter and
 * execve would wait for an agent that has not got the fd yet: sendmsg hands
 * the listener over, write reports a late failure (runc refuses write only:
 * its parent sends the listener). */
static bool seccomp_notify_forbidden(const char *name)
{
        static const char *const used[] = { "write", "sendmsg" };

        for (size_t i = 0; i < ARRAY_SIZE(used); i++)
                if (strcmp(name, used[i]) == 0)
                        return true;
        return false;
}

static int seccomp_add_syscall(scmp_filter_ctx ctx, struct kago_seccomp *f,
                               const struct oci_seccomp *cfg, size_t idx, uint32_t def_action,
                               struct kago_err *err)
{
        const struct oci_syscall *sc = &cfg->syscalls[idx];
        struct scmp_arg_cmp cmps[6];
        uint32_t action;

        if (seccomp_action(sc->action, &sc->errno_ret, &action) < 0)
                return kago_err_set(err, "linux.seccomp.syscalls[%zu].action: unknown action %d",
                                    idx, (int)sc->action);
        if (sc->args_len > ARRAY_SIZE(cmps))
                return kago_err_set(err, "linux.seccomp.syscalls[%zu].args: %zu comparisons, at "
                                         "most 6 (one per argument)", idx, sc->args_len);
        if (seccomp_conditions(sc, idx, cmps, err) < 0)
                return -1;
        if (action == def_action)
                return 0; /* the default does it already; libseccomp refuses such rules */
        for (size_t n = 0; n < sc->names_len; n++) {
                if (sc->action == OCI_SCMP_ACT_NOTIFY && seccomp_notify_forbidden(sc->names[n]))
                        return kago_err_set(err, "linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY "
                                                 "cannot be used for %s: kago needs it to hand "
                                                 "the listener to the agent", idx, sc->names[n]);
                int r = seccomp_add_name(ctx, sc, action, sc->names[n], cmps, idx, err);
                if (r < 0)
                        return -1;
                if (r > 0) {
                        log_debug("seccomp: syscall %s is unknown here, skipped", sc->names[n]);
                        f->skipped++;
                }
        }
        if (sc->action == OCI_SCMP_ACT_NOTIFY)
                f->notify = true;
        return 0;
}

/* libseccomp writes the program to an fd: a memfd, read back. */
static int seccomp_export(scmp_filter_ctx ctx, struct kago_seccomp *f, struct kago_err *err)
{
        _cleanup_close_ int fd = memfd_create("kago-seccomp", MFD_CLOEXEC);
        struct stat st;

        if (fd < 0)
                return kago_err_errno(err, errno, "memfd_create for the seccomp program");
        int r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return kago_err_errno(err, -r, "export the seccomp program");
        if (fstat(fd, &st) < 0)
                return kago_err_errno(err, errno, "stat the seccomp program");
        if (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) != 0 ||
            st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS)
                return kago_err_set(err, "the seccomp program has %lld bytes: not 1..%d "
                                         "instructions", (long long)st.st_size, BPF_MAXINSNS);
        f->len = (size_t)st.st_size / sizeof(struct sock_filter);
        f->prog = xmalloc((size_t)st.st_size);
        if (pread(fd, f->prog, (size_t)st.st_size, 0) != st.st_size)
                return kago_err_errno(err, errno, "read the seccomp program back");
        return 0;
}

static int seccomp_build(const struct oci_seccomp *cfg, struct kago_seccomp *f,
                         struct kago_err *err)
{
        uint32_t def;

        if (cfg->default_action == OCI_SCMP_ACT_NOTIFY)
                return kago_err_set(err, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be "
                                         "the default action");
        if (seccomp_action(cfg->default_action, &cfg->default_errno_ret, &def) < 0)
                return kago_err_set(err, "linux.seccomp.defaultAction: unknown action %d",
                                    (int)cfg->default_action);
        _cleanup_seccomp_ scmp_filter_ctx ctx = seccomp_init(def);
        if (!ctx)
                return kago_err_set(err, "linux.seccomp: libseccomp refused the default action");
        if (seccomp_add_archs(ctx, cfg, err) < 0 || seccomp_add_flags(f, cfg, err) < 0)
                return -1;
        for (size_t i = 0; i < cfg->syscalls_len; i++)
                if (seccomp_add_syscall(ctx, f, cfg, i, def, err) < 0)
                        return -1;
        if (seccomp_export(ctx, f, err) < 0)
                return -1;
        return seccomp_prepend_enosys(cfg, f, err);
}

int seccomp_filter_compile(const struct oci_seccomp *cfg, struct kago_seccomp **out, struct kago_err *err)
{
        struct kago_seccomp *f = xcalloc(1, sizeof *f);

        if (seccomp_build(cfg, f, err) < 0) {
                seccomp_filter_free(f);
                return -1;
        }
        if (f->notify) {
                f->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
                if (f->flags & SECCOMP_FILTER_FLAG_TSYNC)
                        f->flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
        } else {
                /* WAIT_KILLABLE_RECV only means something with a listener */
                f->flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
        }
        if (f->notify && !cfg->listener_path) {
                seccomp_filter_free(f);
                return kago_err_set(err, "linux.seccomp: SCMP_ACT_NOTIFY needs listenerPath");
        }
        f->listener_path = cfg->listener_path ? xstrdup(cfg->listener_path) : NULL;
        f->listener_metadata = cfg->listener_metadata ? xstrdup(cfg->listener_metadata) : NULL;
        *out = f;
        return 0;
}

static const char *seccomp_filter_load_hint(int e, unsigned int flags)
{
        if (e == EACCES)
                return " (loading a filter needs CAP_SYS_ADMIN or no_new_privs)";
        if (e == EINVAL && (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV))
                return " (this kernel may lack SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, Linux 5.19)";
        if (e == EINVAL)
                return " (a flag this kernel does not know?)";
        return "";
}

int seccomp_filter_load(const struct kago_seccomp *f, int *listener_fd, struct kago_err *err)
{
        struct sock_fprog prog = { .len = (unsigned short)f->len, .filter = f->prog };

        *listener_fd = -1;
        long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->flags, &prog);
        if (r < 0)
                return kago_err_errno(err, errno, "load the seccomp filter (flags 0x%x)%s",
                                      f->flags, seccomp_filter_load_hint(errno, f->flags));
        if (f->notify)
                *listener_fd = (int)r;
        return 0;
}

void seccomp_filter_free(struct kago_seccomp *f)
{
        if (!f)
                return;
        free(f->prog);
        free(f->listener_path);
        free(f->listener_metadata);
        free(f);
}
