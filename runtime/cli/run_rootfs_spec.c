/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The config of kago run --rootfs: `kago spec`'s default (spec_new_default,
 * --rootless when not root) with the tree as root.path, writable unless
 * --read-only, the command or /bin/sh, a terminal when stdin is one, and
 * each option applied to its field. --boot runs the tree's own init as
 * PID 1 with what systemd needs in a container, as systemd-nspawn -b does.
 */
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cli.h"

static char **strv_append(char **v, size_t *len, const char *s)
{
        v = xrealloc(v, (*len + 2) * sizeof *v);
        v[(*len)++] = xstrdup(s);
        v[*len] = NULL;
        return v;
}

static void set_env(struct oci_process *p, const char *kv)
{
        size_t key = (size_t)(strchr(kv, '=') - kv) + 1;

        for (size_t i = 0; i < p->env_len; i++)
                if (strncmp(p->env[i], kv, key) == 0) {
                        free(p->env[i]);
                        p->env[i] = xstrdup(kv);
                        return;
                }
        p->env = strv_append(p->env, &p->env_len, kv);
}

static void set_process(struct oci_process *p, const struct rootfs_run *rr)
{
        kago_strvfreep(&p->args);
        p->args = NULL;
        p->args_len = 0;
        if (rr->boot_init)
                p->args = strv_append(p->args, &p->args_len, rr->boot_init);
        else if (!rr->cmd[0])
                p->args = strv_append(p->args, &p->args_len, "/bin/sh");
        for (char **a = rr->cmd; *a; a++)
                p->args = strv_append(p->args, &p->args_len, *a);
        p->terminal = isatty(0);
        for (size_t i = 0; i < rr->env_len; i++)
                set_env(p, rr->env[i]);
        if (rr->chdir) {
                free(p->cwd);
                p->cwd = xstrdup(rr->chdir);
        }
        if (rr->user_set) {
                p->user.uid = rr->uid;
                p->user.gid = rr->gid;
        }
}

static void add_mount(struct oci_spec *s, const struct rootfs_mount *m)
{
        struct oci_mount *o;

        s->mounts = xrealloc(s->mounts, (s->mounts_len + 1) * sizeof *s->mounts);
        o = memset(&s->mounts[s->mounts_len++], 0, sizeof *o);
        o->destination = xstrdup(m->destination);
        o->type = xstrdup(m->source ? "bind" : "tmpfs");
        o->source = xstrdup(m->source ? m->source : "tmpfs");
        if (m->source)
                o->options = strv_append(o->options, &o->options_len, "rbind");
        else
                o->options = strv_append(strv_append(o->options, &o->options_len, "nosuid"),
                                         &o->options_len, "nodev");
        if (m->readonly)
                o->options = strv_append(o->options, &o->options_len, "ro");
}

static struct oci_linux_resources *resources(struct oci_spec *s)
{
        if (!s->linux_cfg->resources)
                s->linux_cfg->resources = xcalloc(1, sizeof *s->linux_cfg->resources);
        return s->linux_cfg->resources;
}

static void set_resources(struct oci_spec *s, const struct rootfs_run *rr)
{
        if (rr->memory > 0) {
                struct oci_linux_resources *r = resources(s);
                r->memory = xcalloc(1, sizeof *r->memory);
                r->memory->limit = (struct oci_opt_i64){ true, rr->memory };
        }
        if (rr->cpus > 0) {
                struct oci_linux_resources *r = resources(s);
                r->cpu = xcalloc(1, sizeof *r->cpu);
                r->cpu->period = (struct oci_opt_u64){ true, 100000 };
                r->cpu->quota = (struct oci_opt_i64){ true, (int64_t)(rr->cpus * 100000 + 0.5) };
        }
        if (rr->pids > 0) {
                struct oci_linux_resources *r = resources(s);
                r->pids = xcalloc(1, sizeof *r->pids);
                r->pids->limit = rr->pids;
        }
}

/* Add key=value, or replace the value of an annotation already there. */
static void add_annotation(struct oci_spec *s, const char *key, const char *value)
{
        for (size_t i = 0; i < s->annotations_len; i++)
                if (strcmp(s->annotations[i].key, key) == 0) {
                        free(s->annotations[i].value);
                        s->annotations[i].value = xstrdup(value);
                        return;
                }
        s->annotations = xrealloc(s->annotations, (s->annotations_len + 1) * sizeof *s->annotations);
        s->annotations[s->annotations_len++] = (struct oci_kv){ xstrdup(key), xstrdup(value) };
}

/* --vm: run.oci.handler=microvm, the size as kago.vm.* annotations (what an
 * engine can set too), --vm-kernel as the vm object's kernel. */
static void set_vm(struct oci_spec *s, const struct rootfs_run *rr)
{
        if (!rr->vm)
                return;
        add_annotation(s, "run.oci.handler", "microvm");
        if (rr->vm_cpus)
                add_annotation(s, "kago.vm.cpus", rr->vm_cpus);
        if (rr->vm_memory)
                add_annotation(s, "kago.vm.memory", rr->vm_memory);
        if (rr->vm_kernel) {
                s->vm = xcalloc(1, sizeof *s->vm);
                s->vm->kernel = xcalloc(1, sizeof *s->vm->kernel);
                s->vm->kernel->path = xstrdup(rr->vm_kernel);
        }
}

/* The network (kago.net), --register (kago.machined) and --annotation
 * KEY=VALUE, later ones winning. */
static void set_annotations(struct oci_spec *s, const struct rootfs_run *rr)
{
        if (rr->network)
                add_annotation(s, "kago.net", rr->network);
        if (rr->register_machine)
                add_annotation(s, MACHINE_ANNOTATION, "true");
        for (size_t i = 0; i < rr->annotations_len; i++) {
                _cleanup_free_ char *key = xstrdup(rr->annotations[i]);
                char *value = strchr(key, '=');
                *value++ = '\0';
                add_annotation(s, key, value);
        }
}

/* systemd-nspawn's capability set for a booted tree (without
 * CAP_SYS_RESOURCE: systemd copes, and many hosts withhold it), less what
 * kago itself lacks. */
static const char *const boot_caps[] = {
        "CAP_AUDIT_CONTROL", "CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE",
        "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_IPC_OWNER", "CAP_KILL",
        "CAP_LEASE", "CAP_LINUX_IMMUTABLE", "CAP_MKNOD", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_RAW", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
        "CAP_SETUID", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_CHROOT", "CAP_SYS_NICE",
        "CAP_SYS_PTRACE", "CAP_SYS_TTY_CONFIG",
};

static void set_boot_caps(struct oci_capabilities *c)
{
        kago_strvfreep(&c->bounding);
        kago_strvfreep(&c->effective);
        kago_strvfreep(&c->permitted);
        c->bounding = c->effective = c->permitted = NULL;
        c->bounding_len = c->effective_len = c->permitted_len = 0;
        for (size_t i = 0; i < sizeof boot_caps / sizeof *boot_caps; i++) {
                int cap = caps_from_name(boot_caps[i]);
                if (cap < 0 || prctl(PR_CAPBSET_READ, cap) != 1)
                        continue;
                c->bounding = strv_append(c->bounding, &c->bounding_len, boot_caps[i]);
                c->effective = strv_append(c->effective, &c->effective_len, boot_caps[i]);
                c->permitted = strv_append(c->permitted, &c->permitted_len, boot_caps[i]);
        }
}

/* A private /run and /tmp, and a writable cgroup tree (its own, through the
 * cgroup namespace) that systemd manages. */
static void set_boot_mounts(struct oci_spec *s)
{
        static const struct rootfs_mount run = { .destination = "/run" },
                                         tmp = { .destination = "/tmp" };

        for (size_t i = 0; i < s->mounts_len; i++) {
                struct oci_mount *m = &s->mounts[i];
                if (strcmp(m->destination, "/sys/fs/cgroup") != 0)
                        continue;
                for (size_t j = 0; j < m->options_len; j++)
                        if (strcmp(m->options[j], "ro") == 0) {
                                free(m->options[j]);
                                m->options[j] = xstrdup("rw");
                        }
        }
        add_mount(s, &run);
        add_mount(s, &tmp);
}

/* --boot: the init with the arguments after --, container=kago (how
 * systemd-detect-virt knows), no no_new_privs (services may need setuid), and
 * a scope whose stop asks systemd to halt: SIGRTMIN+3, which also ends its
 * services (a scope has no main process, so KillMode=mixed would SIGKILL
 * them all at once, systemd included). */
static void set_boot(struct oci_spec *s, const struct rootfs_run *rr)
{
        if (!rr->boot_init)
                return;
        set_env(s->process, "container=kago");
        s->process->no_new_privileges = false;
        set_boot_caps(s->process->capabilities);
        set_boot_mounts(s);
        _cleanup_free_ char *sig = xasprintf("int32 %d", SIGRTMIN + 3);
        add_annotation(s, "org.systemd.property.KillSignal", sig);
}

struct oci_spec *run_rootfs_spec(const struct rootfs_run *rr, const char *root)
{
        struct oci_spec *s = spec_new_default(geteuid() != 0, geteuid(), getegid());

        free(s->root->path);
        s->root->path = xstrdup(root);
        s->root->readonly = rr->readonly;
        free(s->hostname);
        s->hostname = xstrdup(rr->hostname ? rr->hostname : strlen(rr->id) < 64 ? rr->id : "kago");
        set_process(s->process, rr);
        set_boot(s, rr);
        for (size_t i = 0; i < rr->mounts_len; i++)
                add_mount(s, &rr->mounts[i]);
        set_resources(s, rr);
        set_vm(s, rr);
        set_annotations(s, rr);
        return s;
}
