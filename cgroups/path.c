/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Placement: cgroupsPath resolution, creating the directories, enabling
 * controllers down the tree, removing a cgroup. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "internal.h"

static int read_cgroup_line(const char *file, char **out, struct kago_err *err)
{
        _cleanup_free_ char *buf = NULL;

        if (file_read_at(AT_FDCWD, file, 1 << 16, &buf, NULL, err) < 0)
                return -1;
        for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
                if (str_has_prefix(line, "0::")) {
                        *out = xstrdup(line + 3);
                        return 0;
                }
        }
        return kago_err_set(err, "%s: no cgroup2 (\"0::\") line", file);
}

int cg_own_cgroup(char **out, struct kago_err *err)
{
        return read_cgroup_line("/proc/self/cgroup", out, err);
}

/* A v1-only host: the path in the first hierarchy with a controller
 * ("4:memory:/a/b"), not a named one ("1:name=systemd:/"). */
static int read_v1_line(char **out, struct kago_err *err)
{
        _cleanup_free_ char *buf = NULL;

        if (file_read_at(AT_FDCWD, "/proc/self/cgroup", 1 << 16, &buf, NULL, err) < 0)
                return -1;
        for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
                char *ctrls = strchr(line, ':'), *path = ctrls ? strchr(ctrls + 1, ':') : NULL;
                if (path && path > ctrls + 1 && !str_has_prefix(ctrls + 1, "name=")) {
                        *out = xstrdup(path + 1);
                        return 0;
                }
        }
        return kago_err_set(err, "/proc/self/cgroup: no cgroup line");
}

int cg_own_cgroup_any(char **out, struct kago_err *err)
{
        struct kago_err ignored = { 0 };

        if (read_cgroup_line("/proc/self/cgroup", out, &ignored) == 0)
                return 0;
        return read_v1_line(out, err);
}

int cg_pid_cgroup(pid_t pid, char **out, struct kago_err *err)
{
        char file[64];

        snprintf(file, sizeof file, "/proc/%d/cgroup", (int)pid);
        return read_cgroup_line(file, out, err);
}

/* Append path's components to out (which ends without '/'), dropping empty
 * and "." ones; ".." is refused rather than resolved. */
static int append_clean(char *out, size_t size, const char *path, struct kago_err *err)
{
        _cleanup_free_ char *copy = xstrdup(path);
        char *save = NULL;

        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (strcmp(c, ".") == 0)
                        continue;
                if (strcmp(c, "..") == 0)
                        return kago_err_set(err, "linux.cgroupsPath \"%s\": \"..\" is not allowed", path);
                size_t len = strlen(out);
                if (len + 1 + strlen(c) + 1 > size)
                        return kago_err_set(err, "linux.cgroupsPath \"%.64s...\": too long", path);
                out[len] = '/';
                strcpy(out + len + 1, c);
        }
        return 0;
}

int cg_path_resolve(const char *cgroups_path, const char *id, const char *own, char **out,
                    struct kago_err *err)
{
        char buf[4096] = "";

        if (!cgroups_path || !*cgroups_path) {
                if (!id || !*id || strchr(id, '/') || strcmp(id, "..") == 0 || strcmp(id, ".") == 0)
                        return kago_err_set(err, "container id \"%s\": not usable as a cgroup name",
                                            id ? id : "");
                snprintf(buf, sizeof buf, "/kago/%s", id);
                *out = xstrdup(buf);
                return 0;
        }
        if (cgroups_path[0] != '/') {
                /* Beside our own cgroup: that one usually holds processes, so
                 * its parent is where children can get controllers. */
                _cleanup_free_ char *parent = xstrdup(own ? own : "/");
                char *slash = strrchr(parent, '/');
                if (slash)
                        *slash = '\0';
                if (append_clean(buf, sizeof buf, parent, err) < 0)
                        return -1;
        }
        if (append_clean(buf, sizeof buf, cgroups_path, err) < 0)
                return -1;
        if (!buf[0])
                return kago_err_set(err, "linux.cgroupsPath \"%s\": names the root cgroup, which "
                                         "cannot hold a container", cgroups_path);
        *out = xstrdup(buf);
        return 0;
}

int cg_path_make(const char *mount, const char *path, char **created_from, struct kago_err *err)
{
        _cleanup_free_ char *full = xasprintf("%s%s", mount, path);
        size_t mlen = strlen(mount);

        *created_from = NULL;
        for (char *p = full + mlen + 1;; p++) {
                if (*p != '/' && *p != '\0')
                        continue;
                char saved = *p;
                *p = '\0';
                if (mkdir(full, 0755) == 0) {
                        if (!*created_from)
                                *created_from = xstrdup(full + mlen);
                } else if (errno != EEXIST) {
                        int e = errno;
                        free(TAKE_PTR(*created_from));
                        return kago_err_errno(err, e, "create cgroup %s", full);
                }
                *p = saved;
                if (!saved)
                        break;
        }
        return 0;
}

void cg_path_remove_created(const char *mount, const char *path, const char *created_from)
{
        _cleanup_free_ char *full = xasprintf("%s%s", mount, path);
        size_t limit = strlen(mount) + strlen(created_from);

        while (strlen(full) >= limit && rmdir(full) == 0) {
                char *slash = strrchr(full, '/');
                if (!slash)
                        break;
                *slash = '\0';
        }
}

static int enable_at(const char *dir, const char *controller, struct kago_err *err)
{
        _cleanup_free_ char *line = xasprintf("+%s", controller);
        _cleanup_close_ int fd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *have = NULL;

        if (fd < 0)
                return kago_err_errno(err, errno, "open %s", dir);
        if (cg_read(fd, "cgroup.subtree_control", &have, err) < 0)
                return -1;
        if (cg_list_has(have, controller))
                return 0;
        if (file_write_at(fd, "cgroup.subtree_control", line, strlen(line), err) < 0)
                return kago_err_wrap(err, "enable the %s controller in %s", controller, dir);
        return 0;
}

int cg_controller_enable(const char *mount, const char *path, const char *controller,
                         struct kago_err *err)
{
        _cleanup_free_ char *full = xasprintf("%s%s", mount, path);
        size_t mlen = strlen(mount);

        /* Every ancestor of the leaf, from the mount down, gets +controller. */
        for (char *p = full + mlen;; p++) {
                if (*p != '/' && *p != '\0')
                        continue;
                if (*p == '\0')
                        break;
                *p = '\0';
                int rc = enable_at(full, controller, err);
                *p = '/';
                if (rc < 0)
                        return -1;
        }
        return 0;
}

void cg_controllers_enable_all(const char *mount, const char *path)
{
        _cleanup_close_ int fd = open(mount, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *list = NULL;
        struct kago_err err = { 0 };

        if (fd < 0 || cg_read(fd, "cgroup.controllers", &list, &err) < 0)
                return;
        for (char *c = strtok(list, " \n"); c; c = strtok(NULL, " \n")) {
                if (cg_controller_enable(mount, path, c, &err) < 0)
                        log_debug("cgroup %s: %s", path, kago_err_text(&err));
        }
}

static void sleep_ms(int ms)
{
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

        nanosleep(&ts, NULL);
}

/* Remove the child cgroups of dir, depth first (a container with a cgroup
 * namespace may have made its own). */
static int rmdir_children(const char *dir, struct kago_err *err)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        int rc = 0;

        if (!d)
                return errno == ENOENT ? 0 : kago_err_errno(err, errno, "open %s", dir);
        while (rc == 0 && (e = readdir(d))) {
                if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                _cleanup_free_ char *sub = xasprintf("%s/%s", dir, e->d_name);
                if (rmdir_children(sub, err) < 0 || (rmdir(sub) < 0 && errno != ENOENT))
                        rc = kago_err_errno(err, errno, "remove cgroup %s", sub);
        }
        closedir(d);
        return rc;
}

int cg_rmdir_tree(const char *dir, int timeout_ms, struct kago_err *err)
{
        for (int waited = 0;; waited += 10) {
                kago_err_clear(err);
                if (rmdir_children(dir, err) == 0) {
                        if (rmdir(dir) == 0 || errno == ENOENT)
                                return 0;
                        kago_err_errno(err, errno, "remove cgroup %s", dir);
                }
                if (err->errnum != EBUSY || waited >= timeout_ms)
                        return kago_err_wrap(err, "after %d ms", waited);
                sleep_ms(10);
        }
}
