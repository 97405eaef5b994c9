/* SPDX-License-Identifier: GPL-2.0-or-later */
/* state.json: kago's own record of a container, written with yajl. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "container.h"

#define STATE_MAX (1 << 20)

void container_state_free(struct container_state *st)
{
        free(st->id);
        free(st->bundle);
        free(st->rootfs);
        free(st->created);
        free(st->cgroup_path);
        free(st->cgroup_driver);
        kago_strvfreep(&st->net_devices);
        free(st->net_ovsdb);
        memset(st, 0, sizeof *st);
}

const char *container_status_name(enum container_status s)
{
        static const char *const names[] = { "creating", "created", "running", "paused",
                                             "stopped" };
        return names[s];
}

char *time_now_rfc3339(void)
{
        struct timespec ts;
        struct tm tm;
        char buf[64];

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, sizeof buf - n, ".%09ldZ", ts.tv_nsec);
        return xstrdup(buf);
}

static void gen_str(yajl_gen g, const char *key, const char *val)
{
        yajl_gen_string(g, (const unsigned char *)key, strlen(key));
        if (val)
                yajl_gen_string(g, (const unsigned char *)val, strlen(val));
        else
                yajl_gen_null(g);
}

static void gen_int(yajl_gen g, const char *key, long long val)
{
        yajl_gen_string(g, (const unsigned char *)key, strlen(key));
        yajl_gen_integer(g, val);
}

/* "netDevices": {"host name": "name in the container", ...} */
static void gen_net_devices(yajl_gen g, char *const *pairs)
{
        if (!pairs)
                return;
        yajl_gen_string(g, (const unsigned char *)"netDevices", strlen("netDevices"));
        yajl_gen_map_open(g);
        for (; pairs[0] && pairs[1]; pairs += 2) {
                yajl_gen_string(g, (const unsigned char *)pairs[0], strlen(pairs[0]));
                yajl_gen_string(g, (const unsigned char *)pairs[1], strlen(pairs[1]));
        }
        yajl_gen_map_close(g);
}

static void gen_bool(yajl_gen g, const char *key, bool val)
{
        yajl_gen_string(g, (const unsigned char *)key, strlen(key));
        yajl_gen_bool(g, val);
}

/* Temp file + rename: readers see the old or the new file, never a part.
 * No fsync: the store lives in /run (tmpfs) and means nothing after a
 * reboot, when every container it describes is gone. */
int store_write_file(int dirfd, const char *name, const char *buf, size_t len,
                     struct kago_err *err)
{
        _cleanup_free_ char *tmp = xasprintf(".%s.tmp.%d", name, (int)getpid());
        _cleanup_close_ int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

        if (fd < 0)
                return kago_err_errno(err, errno, "create %s", tmp);
        if (fd_write_all(fd, buf, len) < 0 || renameat(dirfd, tmp, dirfd, name) < 0) {
                int e = errno;
                unlinkat(dirfd, tmp, 0);
                return kago_err_errno(err, e, "write %s", name);
        }
        return 0;
}

int store_write_state(int dirfd, const struct container_state *st, struct kago_err *err)
{
        yajl_gen g = yajl_gen_alloc(NULL);
        const unsigned char *buf;
        size_t len;
        char start[32];

        snprintf(start, sizeof start, "%" PRIu64, st->start_time);
        yajl_gen_map_open(g);
        gen_str(g, "id", st->id);
        gen_int(g, "pid", st->pid);
        gen_str(g, "startTime", start);
        gen_str(g, "bundle", st->bundle);
        gen_str(g, "rootfs", st->rootfs);
        gen_str(g, "created", st->created);
        gen_int(g, "owner", st->owner);
        gen_bool(g, "vm", st->vm);
        gen_str(g, "cgroupPath", st->cgroup_path);
        gen_str(g, "cgroupDriver", st->cgroup_driver);
        gen_bool(g, "ownPidNamespace", st->own_pidns);
        gen_bool(g, "netManaged", st->net_managed);
        gen_str(g, "netOvsdb", st->net_ovsdb);
        gen_bool(g, "creating", st->creating);
        gen_net_devices(g, st->net_devices);
        yajl_gen_map_close(g);
        yajl_gen_get_buf(g, &buf, &len);
        int rc = store_write_file(dirfd, STATE_FILE, (const char *)buf, len, err);
        yajl_gen_free(g);
        return rc < 0 ? kago_err_wrap(err, "container \"%s\": save state", st->id) : 0;
}

static char *tree_str(yajl_val root, const char *key)
{
        const char *path[] = { key, NULL };
        yajl_val v = yajl_tree_get(root, path, yajl_t_string);
        return v ? xstrdup(YAJL_GET_STRING(v)) : NULL;
}

static long long tree_int(yajl_val root, const char *key)
{
        const char *path[] = { key, NULL };
        yajl_val v = yajl_tree_get(root, path, yajl_t_number);
        return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : 0;
}

static bool tree_bool(yajl_val root, const char *key)
{
        const char *path[] = { key, NULL };
        yajl_val v = yajl_tree_get(root, path, yajl_t_any);
        return v && YAJL_IS_TRUE(v);
}

static char **tree_net_devices(yajl_val root)
{
        const char *path[] = { "netDevices", NULL };
        yajl_val v = yajl_tree_get(root, path, yajl_t_object);
        size_t n = 0;

        if (!v)
                return NULL;
        char **pairs = xcalloc(2 * YAJL_GET_OBJECT(v)->len + 1, sizeof *pairs);
        for (size_t i = 0; i < YAJL_GET_OBJECT(v)->len; i++) {
                yajl_val name = YAJL_GET_OBJECT(v)->values[i];
                if (!YAJL_IS_STRING(name))
                        continue;
                pairs[n++] = xstrdup(YAJL_GET_OBJECT(v)->keys[i]);
                pairs[n++] = xstrdup(YAJL_GET_STRING(name));
        }
        return pairs;
}

static void state_from_tree(yajl_val root, struct container_state *st)
{
        _cleanup_free_ char *start = tree_str(root, "startTime");

        st->id = tree_str(root, "id");
        st->pid = (pid_t)tree_int(root, "pid");
        st->start_time = start ? strtoull(start, NULL, 10) : 0;
        st->bundle = tree_str(root, "bundle");
        st->rootfs = tree_str(root, "rootfs");
        st->created = tree_str(root, "created");
        st->owner = (uid_t)tree_int(root, "owner");
        st->vm = tree_bool(root, "vm");
        st->cgroup_path = tree_str(root, "cgroupPath");
        st->cgroup_driver = tree_str(root, "cgroupDriver");
        st->own_pidns = tree_bool(root, "ownPidNamespace");
        st->net_managed = tree_bool(root, "netManaged");
        st->net_ovsdb = tree_str(root, "netOvsdb");
        st->creating = tree_bool(root, "creating");
        st->net_devices = tree_net_devices(root);
}

void store_state_unreadable(int dirfd, const char *id, struct kago_err *err)
{
        struct stat sb;

        if (fstatat(dirfd, STATE_FILE, &sb, 0) < 0 && errno == ENOENT)
                kago_err_set(err, "container \"%s\": no %s (an interrupted create?)", id, STATE_FILE);
}

int store_read_state(int dirfd, const char *id, struct container_state *st, struct kago_err *err)
{
        _cleanup_free_ char *buf = NULL;
        char ebuf[256];

        if (file_read_at(dirfd, STATE_FILE, STATE_MAX, &buf, NULL, err) < 0) {
                if (err->errnum == ENOENT)
                        return kago_err_set(err, "container \"%s\" does not exist", id);
                return kago_err_wrap(err, "container \"%s\"", id);
        }
        yajl_val root = yajl_tree_parse(buf, ebuf, sizeof ebuf);
        if (!root) {
                ebuf[strcspn(ebuf, "\n")] = '\0'; /* yajl adds the text and a marker */
                return kago_err_set(err, "container \"%s\": corrupt %s: %s", id, STATE_FILE, ebuf);
        }
        memset(st, 0, sizeof *st);
        state_from_tree(root, st);
        yajl_tree_free(root);
        if (!st->id || strcmp(st->id, id) != 0) {
                container_state_free(st);
                return kago_err_set(err, "container \"%s\": %s names another id", id, STATE_FILE);
        }
        return 0;
}
