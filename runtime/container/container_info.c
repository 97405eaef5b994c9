/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the commands read about a container: its saved config, its OCI state
 * document, its processes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>

#include "../../cgroups/cgroups.h"
#include "container.h"

int container_load_config(int dirfd, const char *id, struct oci_spec **spec, struct kago_err *err)
{
        _cleanup_free_ char *buf = NULL;
        size_t len;

        if (file_read_at(dirfd, STATE_CONFIG_FILE, SPEC_MAX_FILE_SIZE, &buf, &len, err) < 0 ||
            spec_parse(buf, len, STATE_CONFIG_FILE, spec, err) < 0)
                return kago_err_wrap(err, "container \"%s\": saved config", id);
        return 0;
}

char *container_owner_name(uid_t uid)
{
        struct passwd pw, *res = NULL;
        char buf[1024];

        if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res)
                return xstrdup(pw.pw_name);
        return xasprintf("%u", (unsigned)uid);
}

/* The config's annotations (shared, not copied), and kago's own about what
 * it made: the host end of a kago.net link (kago.net.host-link, which
 * *host_link owns). */
static struct oci_kv *state_annotations(const struct container_state *st,
                                        const struct oci_spec *spec, char **host_link, size_t *n)
{
        size_t have = spec ? spec->annotations_len : 0;
        struct oci_kv *kv = xcalloc(have + 1, sizeof *kv);

        if (have)
                memcpy(kv, spec->annotations, have * sizeof *kv);
        *n = have;
        *host_link = net_managed_host_link(st);
        if (*host_link)
                kv[(*n)++] = (struct oci_kv){ (char *)"kago.net.host-link", *host_link };
        return kv;
}

char *container_state_json(const struct container_state *st, enum container_status status,
                           const struct oci_spec *spec)
{
        _cleanup_free_ char *owner = container_owner_name(st->owner);
        _cleanup_free_ char *host_link = NULL;
        size_t n_annotations;
        _cleanup_free_ struct oci_kv *annotations =
                state_annotations(st, spec, &host_link, &n_annotations);
        struct oci_state s = {
                .oci_version = (char *)SPEC_OCI_VERSION,
                .id = st->id,
                .status = (char *)container_status_name(status),
                .pid = status == STATUS_STOPPED ? 0 : st->pid,
                .bundle = st->bundle,
                .annotations = annotations,
                .annotations_len = n_annotations,
                .rootfs = st->rootfs,
                .created = st->created,
                .owner = owner,
        };
        return state_emit(&s);
}

static bool same_pidns(pid_t pid, const struct stat *ns)
{
        char path[64];
        struct stat sb;

        snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)pid);
        return stat(path, &sb) == 0 && sb.st_ino == ns->st_ino && sb.st_dev == ns->st_dev;
}

/* Without a cgroup: every process in init's pid namespace (when it has one
 * of its own), found through /proc. */
static int pids_by_pidns(const struct container_state *st, pid_t **pids, size_t *n,
                         struct kago_err *err)
{
        char path[64];
        struct stat ns;

        snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)st->pid);
        if (stat(path, &ns) < 0)
                return kago_err_errno(err, errno, "stat %s", path);
        DIR *d = opendir("/proc");
        if (!d)
                return kago_err_errno(err, errno, "open /proc");
        size_t k = 0;
        pid_t *v = NULL;
        struct dirent *de;
        while ((de = readdir(d))) {
                int64_t pid;
                if (str_to_i64(de->d_name, 1, INT32_MAX, &pid) < 0 || !same_pidns((pid_t)pid, &ns))
                        continue;
                v = xrealloc(v, (k + 1) * sizeof *v);
                v[k++] = (pid_t)pid;
        }
        closedir(d);
        *pids = v;
        *n = k;
        return 0;
}

int container_pids(const struct container_state *st, pid_t **pids, size_t *n, struct kago_err *err)
{
        _cleanup_cgroup_ struct cgroup *cg = NULL;

        *pids = NULL;
        *n = 0;
        if (container_cgroup_open(st, &cg, err) < 0)
                return -1;
        if (cg)
                return cgroup_pids(cg, pids, n, err);
        if (!proc_is_alive(st->pid, st->start_time))
                return 0;
        if (st->own_pidns)
                return pids_by_pidns(st, pids, n, err);
        *pids = xmalloc(sizeof **pids);
        (*pids)[0] = st->pid;
        *n = 1;
        return 0;
}
