/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a CRIU dump and restore of a container derive alike from its config
 * and its image directory: external mounts, the config file, the shared
 * flags, and descriptors.json (the fd 0-2 contract runc, crun and podman
 * rely on, so their checkpoints and kago's restore each other).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <yajl/yajl_tree.h>

#include "../rootfs/rootfs.h"
#include "backend.h"

#define DESCRIPTORS_FILE "descriptors.json"
#define DESCRIPTORS_MAX (64 * 1024)

static int open_dir(const char *flag, const char *path, bool make, int *fd, struct kago_err *err)
{
        *fd = -1;
        if (make && dir_make_parents(path, 0700, err) < 0)
                return kago_err_wrap(err, "%s %s", flag, path);
        *fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (*fd < 0)
                return kago_err_errno(err, errno, "%s %s", flag, path);
        return 0;
}

int criu_opts_begin(const struct criu_flags *f, bool make, struct criu_opts *co,
                    struct kago_err *err)
{
        criu_opts_init(co);
        if (open_dir("--image-path", f->image_path, make, &co->images_dir_fd, err) < 0)
                return -1;
        if (f->work_path && open_dir("--work-path", f->work_path, true, &co->work_dir_fd, err) < 0) {
                criu_opts_end(co);
                return -1;
        }
        return 0;
}

void criu_opts_end(struct criu_opts *co)
{
        if (co->images_dir_fd >= 0)
                close(co->images_dir_fd);
        if (co->work_dir_fd >= 0)
                close(co->work_dir_fd);
        criu_opts_free(co);
}

int criu_run_logged(const struct criu_call *call, const struct criu_flags *f,
                    struct criu_result *res, struct kago_err *err)
{
        const struct criu_opts *co = call->opts;

        if (criu_call(call, res, err) < 0)
                return -1;
        if (res->success)
                return 0;
        _cleanup_free_ char *log = criu_log_path(f, co->log_file);
        criu_explain_failure(co->work_dir_fd >= 0 ? co->work_dir_fd : co->images_dir_fd,
                             co->log_file, log, res, err);
        criu_result_free(res);
        return -1;
}

char *criu_log_path(const struct criu_flags *f, const char *name)
{
        return xasprintf("%s/%s", f->work_path ? f->work_path : f->image_path, name);
}

char *criu_own(char ***owned, char *s)
{
        size_t n = strv_length(*owned);
        *owned = xrealloc(*owned, (n + 2) * sizeof **owned);
        (*owned)[n] = s;
        (*owned)[n + 1] = NULL;
        return s;
}

/* A masked path that is a file in the running container is covered with a
 * bind of /dev/null. */
static bool masked_file(pid_t pid, const char *path)
{
        struct stat sb;
        char buf[PATH_MAX];

        snprintf(buf, sizeof buf, "/proc/%d/root%s", (int)pid, path);
        return lstat(buf, &sb) == 0 && !S_ISDIR(sb.st_mode);
}

/* Masked files: dumped under the name "/dev/null" (what runc writes), which
 * a restore maps back to /dev/null. */
static void add_masked_files(struct criu_opts *co, const struct oci_linux *l, pid_t dump_pid)
{
        if (!l || !l->masked_paths_len)
                return;
        if (!dump_pid) {
                criu_opts_add_ext_mnt(co, "/dev/null", "/dev/null");
                return;
        }
        for (size_t i = 0; i < l->masked_paths_len; i++)
                if (masked_file(dump_pid, l->masked_paths[i]))
                        criu_opts_add_ext_mnt(co, l->masked_paths[i], "/dev/null");
}

void criu_add_external_mounts(struct criu_opts *co, const struct oci_spec *spec,
                              const char *bundle, pid_t dump_pid, char ***owned)
{
        bool rec;

        for (size_t i = 0; i < spec->mounts_len; i++) {
                const struct oci_mount *m = &spec->mounts[i];
                if (!mount_is_bind(m, &rec))
                        continue;
                const char *val = m->destination;
                if (!dump_pid)
                        val = m->source[0] == '/'
                                      ? m->source
                                      : criu_own(owned, xasprintf("%s/%s", bundle, m->source));
                criu_opts_add_ext_mnt(co, m->destination, val);
        }
        add_masked_files(co, spec->linux_cfg, dump_pid);
}

const char *criu_config_file(const struct oci_spec *spec)
{
        static const char *const defaults[] = { "/etc/criu/kago.conf", "/etc/criu/runc.conf" };
        const char *annotated = spec_annotation(spec, "org.criu.config");

        if (annotated)
                return *annotated ? annotated : NULL;
        for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
                if (access(defaults[i], R_OK) == 0)
                        return defaults[i];
        return NULL;
}

void criu_apply_flags(struct criu_opts *co, const struct criu_flags *f)
{
        co->tcp_established = f->tcp_established;
        co->ext_unix_sk = f->ext_unix_sk;
        co->shell_job = f->shell_job;
        co->file_locks = f->file_locks;
        co->lazy_pages = f->lazy_pages;
        co->cg_mode = f->cg_mode;
        co->empty_ns = f->empty_ns;
        co->manage_cgroups = true;
        co->notify_scripts = true;
}

int criu_descriptors_write(int imgfd, pid_t pid, struct kago_err *err)
{
        _cleanup_free_ char *json = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&json, &len);

        if (!f)
                return kago_err_errno(err, errno, "open_memstream");
        fputc('[', f);
        for (int fd = 0; fd < 3; fd++) {
                char link[64], target[PATH_MAX];
                snprintf(link, sizeof link, "/proc/%d/fd/%d", (int)pid, fd);
                ssize_t n = readlink(link, target, sizeof target - 1);
                target[n > 0 ? n : 0] = '\0';
                fputs(fd ? "," : "", f);
                json_fputs_escaped(f, target);
        }
        fputc(']', f);
        fclose(f);
        if (file_write_atomic_at(imgfd, DESCRIPTORS_FILE, json, len, 0600, err) < 0)
                return kago_err_wrap(err, "write the image's %s", DESCRIPTORS_FILE);
        return 0;
}

int criu_descriptors_inherit(int imgfd, struct criu_opts *co, char ***owned,
                             struct kago_err *err)
{
        _cleanup_free_ char *raw = NULL;
        char errbuf[256] = "";
        size_t len;

        if (file_read_at(imgfd, DESCRIPTORS_FILE, DESCRIPTORS_MAX, &raw, &len, err) < 0)
                return kago_err_wrap(err, "the image has no readable %s (not a container "
                                          "checkpoint?)", DESCRIPTORS_FILE);
        yajl_val doc = yajl_tree_parse(raw, errbuf, sizeof errbuf);
        if (!doc || !YAJL_IS_ARRAY(doc)) {
                yajl_tree_free(doc);
                return kago_err_set(err, "the image's %s: not a JSON array of strings",
                                    DESCRIPTORS_FILE);
        }
        for (size_t i = 0; i < doc->u.array.len && i < 3; i++) {
                const char *s = YAJL_GET_STRING(doc->u.array.values[i]);
                if (s && str_has_prefix(s, "pipe:"))
                        criu_opts_add_inherit(co, criu_own(owned, xstrdup(s)), (int)i);
        }
        yajl_tree_free(doc);
        return 0;
}
