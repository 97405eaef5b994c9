/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading and writing cgroup interface files. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>

#include "internal.h"

#define CG_FILE_MAX (1 << 20)

int cg_read(int dirfd, const char *file, char **out, struct kago_err *err)
{
        return file_read_at(dirfd, file, CG_FILE_MAX, out, NULL, err);
}

static int parse_u64_or_max(const char *s, uint64_t *out)
{
        char *end = NULL;

        if (strncmp(s, "max", 3) == 0 && (s[3] == '\0' || s[3] == '\n' || s[3] == ' ')) {
                *out = UINT64_MAX;
                return 0;
        }
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || end == s || (*end && *end != '\n' && *end != ' '))
                return -1;
        *out = v;
        return 0;
}

int cg_read_u64(int dirfd, const char *file, uint64_t *out, struct kago_err *err)
{
        _cleanup_free_ char *buf = NULL;

        if (cg_read(dirfd, file, &buf, err) < 0)
                return -1;
        if (parse_u64_or_max(buf, out) < 0)
                return kago_err_set(err, "%s: expected a number or \"max\", got \"%.40s\"", file, buf);
        return 0;
}

int cg_read_key(int dirfd, const char *file, const char *key, uint64_t *out, struct kago_err *err)
{
        _cleanup_free_ char *buf = NULL;
        size_t klen = strlen(key);

        if (cg_read(dirfd, file, &buf, err) < 0)
                return -1;
        for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                if (strncmp(line, key, klen) != 0 || line[klen] != ' ')
                        continue;
                if (parse_u64_or_max(line + klen + 1, out) < 0)
                        return kago_err_set(err, "%s: bad value for %s", file, key);
                return 0;
        }
        return kago_err_set(err, "%s: no key \"%s\"", file, key);
}

const struct cg_v1_dir *cg_v1_dir_for(const struct cgroup *cg, const char *controller)
{
        for (size_t i = 0; i < cg->n_v1; i++)
                if (cg_list_has(cg->v1[i].controllers, controller))
                        return &cg->v1[i];
        return NULL;
}

/* The v1 directory that holds file, or NULL for the cgroup2 one. */
static const struct cg_v1_dir *v1_dir_of(const struct cgroup *cg, const char *file)
{
        char ctrl[32];

        return cg->n_v1 ? cg_v1_dir_for(cg, cg_file_controller(file, ctrl, sizeof ctrl)) : NULL;
}

int cg_fd_for(const struct cgroup *cg, const char *file)
{
        const struct cg_v1_dir *d = v1_dir_of(cg, file);

        return d ? d->dirfd : cg->dirfd;
}

int cg_write(struct cgroup *cg, const char *file, const char *value, struct kago_err *err)
{
        size_t len = strlen(value);
        const struct cg_v1_dir *v1 = v1_dir_of(cg, file);
        const char *dir = v1 ? v1->dir : cg->dir;
        /* O_TRUNC as a shell's ">" (cgroup files ignore it; plain files need it). */
        _cleanup_close_ int fd = openat(v1 ? v1->dirfd : cg->dirfd, file, O_WRONLY | O_TRUNC | O_CLOEXEC);

        if (fd < 0)
                return kago_err_errno(err, errno, "open %s/%s", dir, file);
        /* An empty value is written as a newline (cpuset.cpus = "" clears it). */
        ssize_t n = len ? write(fd, value, len) : write(fd, "\n", 1);
        if (n < 0)
                return kago_err_errno(err, errno, "write %s/%s = \"%s\"", dir, file, value);
        return 0;
}

bool cg_list_has(const char *list, const char *word)
{
        size_t len = strlen(word);

        for (const char *p = list; (p = strstr(p, word)); p += len) {
                bool start = p == list || p[-1] == ' ' || p[-1] == '\n';
                bool end = p[len] == '\0' || p[len] == ' ' || p[len] == '\n';
                if (start && end)
                        return true;
        }
        return false;
}

char *cg_strndup(const char *s, size_t n)
{
        size_t len = strnlen(s, n);
        char *out = xmalloc(len + 1);

        memcpy(out, s, len);
        out[len] = '\0';
        return out;
}
