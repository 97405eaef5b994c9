/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The default config.json of `kago spec`, the one runc and crun write: sh
 * on a terminal, a small capability set, the usual kernel filesystems,
 * masked and read-only /proc and /sys paths, and every namespace but user
 * and time. --rootless joins the host network (an unprivileged user cannot
 * set one up), adds a user namespace that maps the caller to root, binds
 * /sys instead of mounting it, and leaves cgroups alone.
 */
#include <string.h>

#include "desc.h"

static char **strv_new(const char *const *words, size_t *len)
{
        size_t n = 0;
        while (words[n])
                n++;
        char **v = xcalloc(n + 1, sizeof *v);
        for (size_t i = 0; i < n; i++)
                v[i] = xstrdup(words[i]);
        *len = n;
        return v;
}

#define STRV(dst, ...)                                                                             \
        ((dst) = strv_new((const char *const[]){ __VA_ARGS__, NULL }, &dst##_len))

static struct oci_process *default_process(void)
{
        struct oci_process *p = xcalloc(1, sizeof *p);

        p->terminal = true;
        STRV(p->args, "sh");
        STRV(p->env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
             "TERM=xterm");
        p->cwd = xstrdup("/");
        p->capabilities = xcalloc(1, sizeof *p->capabilities);
        STRV(p->capabilities->bounding, "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
        STRV(p->capabilities->effective, "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
        STRV(p->capabilities->permitted, "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
        p->rlimits = xcalloc(1, sizeof *p->rlimits);
        p->rlimits[0] = (struct oci_rlimit){ xstrdup("RLIMIT_NOFILE"), 1024, 1024 };
        p->rlimits_len = 1;
        p->no_new_privileges = true;
        return p;
}

static void add_mount(struct oci_spec *s, const char *dest, const char *type, const char *src,
                      const char *const *options)
{
        struct oci_mount *m = &s->mounts[s->mounts_len++];

        m->destination = xstrdup(dest);
        m->type = xstrdup(type);
        m->source = xstrdup(src);
        if (options)
                m->options = strv_new(options, &m->options_len);
}

#define OPTS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void default_mounts(struct oci_spec *s, bool rootless)
{
        s->mounts = xcalloc(7, sizeof *s->mounts);
        add_mount(s, "/proc", "proc", "proc", NULL);
        add_mount(s, "/dev", "tmpfs", "tmpfs", OPTS("nosuid", "strictatime", "mode=755", "size=65536k"));
        if (rootless) /* no gid=5: the tty group is not mapped */
                add_mount(s, "/dev/pts", "devpts", "devpts",
                          OPTS("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"));
        else
                add_mount(s, "/dev/pts", "devpts", "devpts",
                          OPTS("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"));
        add_mount(s, "/dev/shm", "tmpfs", "shm", OPTS("nosuid", "noexec", "nodev", "mode=1777", "size=65536k"));
        add_mount(s, "/dev/mqueue", "mqueue", "mqueue", OPTS("nosuid", "noexec", "nodev"));
        if (rootless) {
                add_mount(s, "/sys", "none", "/sys", OPTS("rbind", "nosuid", "noexec", "nodev", "ro"));
        } else {
                add_mount(s, "/sys", "sysfs", "sysfs", OPTS("nosuid", "noexec", "nodev", "ro"));
                add_mount(s, "/sys/fs/cgroup", "cgroup", "cgroup",
                          OPTS("nosuid", "noexec", "nodev", "relatime", "ro"));
        }
}

static void default_namespaces(struct oci_linux *l, bool rootless)
{
        static const enum oci_ns_type rootful[] = { OCI_NS_PID, OCI_NS_NETWORK, OCI_NS_IPC,
                                                    OCI_NS_UTS, OCI_NS_MOUNT, OCI_NS_CGROUP };
        static const enum oci_ns_type unprivileged[] = { OCI_NS_PID, OCI_NS_IPC, OCI_NS_UTS,
                                                         OCI_NS_MOUNT, OCI_NS_CGROUP, OCI_NS_USER };
        const enum oci_ns_type *types = rootless ? unprivileged : rootful;

        l->namespaces = xcalloc(6, sizeof *l->namespaces);
        l->namespaces_len = 6;
        for (size_t i = 0; i < 6; i++)
                l->namespaces[i].type = types[i];
}

static struct oci_id_mapping *single_mapping(uint32_t host_id, size_t *len)
{
        struct oci_id_mapping *m = xcalloc(1, sizeof *m);

        *m = (struct oci_id_mapping){ .container_id = 0, .host_id = host_id, .size = 1 };
        *len = 1;
        return m;
}

static struct oci_linux *default_linux(bool rootless, uid_t uid, gid_t gid)
{
        struct oci_linux *l = xcalloc(1, sizeof *l);

        default_namespaces(l, rootless);
        if (rootless) {
                l->uid_mappings = single_mapping(uid, &l->uid_mappings_len);
                l->gid_mappings = single_mapping(gid, &l->gid_mappings_len);
        } else {
                l->resources = xcalloc(1, sizeof *l->resources);
                l->resources->devices = xcalloc(1, sizeof *l->resources->devices);
                l->resources->devices[0] = (struct oci_device_cgroup){ .allow = false,
                                                                       .access = xstrdup("rwm") };
                l->resources->devices_len = 1;
        }
        STRV(l->masked_paths, "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
             "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
             "/sys/firmware", "/proc/scsi");
        STRV(l->readonly_paths, "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
             "/proc/sysrq-trigger");
        return l;
}

struct oci_spec *spec_new_default(bool rootless, uid_t uid, gid_t gid)
{
        struct oci_spec *s = xcalloc(1, sizeof *s);

        s->oci_version = xstrdup(SPEC_OCI_VERSION);
        s->process = default_process();
        s->root = xcalloc(1, sizeof *s->root);
        s->root->path = xstrdup("rootfs");
        s->root->readonly = true;
        s->hostname = xstrdup("kago");
        default_mounts(s, rootless);
        s->linux_cfg = default_linux(rootless, uid, gid);
        return s;
}

char *spec_emit_default(bool rootless, uid_t uid, gid_t gid)
{
        struct oci_spec *s = spec_new_default(rootless, uid, gid);
        char *out = spec_emit(s);

        spec_free(s);
        return out;
}
