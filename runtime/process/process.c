/* SPDX-License-Identifier: GPL-2.0-or-later */
/* process: environment, executable lookup, user and fds of the workload. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <linux/close_range.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "process.h"

static bool env_has(char **env, size_t n, const char *name)
{
        size_t len = strlen(name);
        for (size_t i = 0; i < n; i++)
                if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
                        return true;
        return false;
}

/* process.env, plus LISTEN_FDS/LISTEN_PID for fds passed through, plus a
 * default PATH and HOME when the config gives none. */
char **process_build_env(struct container_ctx *c)
{
        const struct oci_process *p = c->spec->process;
        size_t n = p->env_len;
        char **env = xcalloc(n + 5, sizeof *env);
        size_t k = 0;

        for (size_t i = 0; i < n; i++)
                if (!(c->listen_fds && (str_has_prefix(p->env[i], "LISTEN_FDS=") ||
                                        str_has_prefix(p->env[i], "LISTEN_PID="))))
                        env[k++] = xstrdup(p->env[i]);
        if (c->listen_fds) {
                env[k++] = xasprintf("LISTEN_FDS=%d", c->listen_fds);
                env[k++] = xasprintf("LISTEN_PID=%d", (int)getpid());
        }
        if (!env_has(env, k, "PATH"))
                env[k++] = xstrdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        if (!env_has(env, k, "HOME"))
                env[k++] = xasprintf("HOME=%s", process_default_home());
        env[k] = NULL;
        return env;
}

static const char *env_path(const struct oci_process *p)
{
        for (size_t i = 0; i < p->env_len; i++)
                if (str_has_prefix(p->env[i], "PATH="))
                        return p->env[i] + 5;
        return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

/* 0 when path is a regular file we may execute, else why not as execve
 * would say it (a directory is EACCES, as runc reports it). */
static int executable_errno(const char *path)
{
        struct stat sb;

        if (stat(path, &sb) < 0)
                return errno;
        if (!S_ISREG(sb.st_mode))
                return EACCES;
        return access(path, X_OK) == 0 ? 0 : errno;
}

/* strerror's words the way engines match them (docker: 127 on "no such
 * file or directory", 126 on "permission denied", lower case as Go prints). */
static const char *errno_words(int e)
{
        switch (e) {
        case ENOENT: return "no such file or directory";
        case EACCES: return "permission denied";
        case ENOTDIR: return "not a directory";
        default: return strerror(e);
        }
}

static char *default_home;

const char *process_default_home(void)
{
        return default_home ? default_home : "/";
}

/* uid's home in /etc/passwd (of the root we are in), or NULL. Only a
 * regular file is read: a FIFO planted there must not block us. */
static char *passwd_home(uid_t uid)
{
        _cleanup_close_ int fd = open("/etc/passwd", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        struct stat sb;

        if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode))
                return NULL;
        _cleanup_fclose_ FILE *f = fdopen(fd, "r");
        if (!f)
                return NULL;
        fd = -1; /* f owns it */
        struct passwd *pw;
        while ((pw = fgetpwent(f)))
                if (pw->pw_uid == uid && pw->pw_dir && *pw->pw_dir)
                        return xstrdup(pw->pw_dir);
        return NULL;
}

static void process_note_home(const struct oci_process *p)
{
        free(default_home);
        default_home = passwd_home(p->user.uid);
}

/* args[0] on the container's PATH (after pivot_root), as execvp would;
 * the reason in the words runc uses and docker matches. */
int process_find_executable(const struct oci_process *p, char **out, struct kago_err *err)
{
        const char *name = p->args[0];

        process_note_home(p);
        if (strchr(name, '/')) {
                int e = executable_errno(name);
                if (e)
                        return kago_err_set(err, "process.args[0]: %s: %s", name, errno_words(e));
                *out = xstrdup(name);
                return 0;
        }
        _cleanup_free_ char *path = xstrdup(env_path(p));
        char *save = NULL;
        for (char *dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *cand = xasprintf("%s/%s", *dir ? dir : ".", name);
                if (executable_errno(cand) == 0) {
                        *out = TAKE_PTR(cand);
                        return 0;
                }
        }
        return kago_err_set(err, "process.args[0]: exec: \"%s\": executable file not found in $PATH",
                            name);
}

/* process.user: groups, gid, uid, umask. */
int process_set_user(const struct oci_process *p, struct kago_err *err)
{
        const struct oci_user *u = &p->user;
        gid_t *groups = xcalloc(u->additional_gids_len + 1, sizeof *groups);

        for (size_t i = 0; i < u->additional_gids_len; i++)
                groups[i] = u->additional_gids[i];
        int rc = setgroups(u->additional_gids_len, groups);
        free(groups);
        if (rc < 0 && !(errno == EPERM && u->additional_gids_len == 0))
                return kago_err_errno(err, errno, "process.user.additionalGids: setgroups");
        if (setresgid(u->gid, u->gid, u->gid) < 0)
                return kago_err_errno(err, errno, "process.user.gid: setgid %u", u->gid);
        if (setresuid(u->uid, u->uid, u->uid) < 0)
                return kago_err_errno(err, errno, "process.user.uid: setuid %u", u->uid);
        if (u->umask.set)
                umask(u->umask.value & 0777);
        return 0;
}

/* Fds 3..3+n-1 pass to the workload; every other one closes at exec. */
int process_keep_fds(int n, struct kago_err *err)
{
        if (syscall(SYS_close_range, 3 + n, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                return kago_err_errno(err, errno, "close_range");
        for (int fd = 3; fd < 3 + n; fd++) {
                int flags = fcntl(fd, F_GETFD);
                if (flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
                        return kago_err_errno(err, errno, "pass fd %d to the container", fd);
        }
        return 0;
}

static bool sysctl_needs(const char *key, const char *prefix)
{
        return str_has_prefix(key, prefix);
}

static int sysctl_check(const struct oci_spec *spec, const char *key, struct kago_err *err)
{
        const struct oci_namespace *net = spec_namespace(spec, OCI_NS_NETWORK);
        const struct oci_namespace *ipc = spec_namespace(spec, OCI_NS_IPC);
        const struct oci_namespace *uts = spec_namespace(spec, OCI_NS_UTS);

        if (sysctl_needs(key, "net.") && net)
                return 0;
        if ((sysctl_needs(key, "kernel.shm") || sysctl_needs(key, "kernel.msg") ||
             sysctl_needs(key, "kernel.sem") || sysctl_needs(key, "fs.mqueue.")) && ipc)
                return 0;
        if ((strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0) && uts)
                return 0;
        return kago_err_set(err, "linux.sysctl: \"%s\" is not namespaced by any namespace the "
                                 "container has; it would change the host", key);
}

/* After pivot_root, through the container's /proc. */
int sysctl_apply(const struct oci_spec *spec, struct kago_err *err)
{
        const struct oci_linux *l = spec->linux_cfg;

        for (size_t i = 0; l && i < l->sysctl_len; i++) {
                const char *key = l->sysctl[i].key, *val = l->sysctl[i].value;
                if (strstr(key, "..") || strchr(key, '/') != NULL)
                        return kago_err_set(err, "linux.sysctl: invalid key \"%s\"", key);
                if (sysctl_check(spec, key, err) < 0)
                        return -1;
                _cleanup_free_ char *path = xasprintf("/proc/sys/%s", key);
                for (char *p = path + 10; *p; p++)
                        if (*p == '.')
                                *p = '/';
                if (file_write_at(AT_FDCWD, path, val, strlen(val), err) < 0)
                        return kago_err_wrap(err, "linux.sysctl \"%s\"", key);
        }
        return 0;
}
