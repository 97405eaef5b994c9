/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kago-init: PID 1 of a kago microVM (a static binary in the initramfs the
 * VMM builds in memory). It mounts the container's root filesystem shared
 * by the VMM over 9P and the essential filesystems, switches into it, runs
 * the workload described in /kago.conf, pumps its stdio to the virtio
 * consoles, forwards signals the VMM sends, reaps zombies, serves kago exec
 * through its agent (agent.c), and reports the workload's exit status
 * through a paravirtual port. The VMM then ends the VM.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <linux/random.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "guest.h"

int errfd = 2;

void say(const char *fmt, ...)
{
        char buf[512];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        if (n > (int)sizeof buf - 2)
                n = sizeof buf - 2;
        buf[n++] = '\n';
        if (write(errfd, buf, n) < 0)
                return;
}

static bool is_disk_mount(const struct mnt *m)
{
        return kago_is_disk_source(m->source);
}

static bool conf_has_disks(const struct conf *c)
{
        bool any = c->root_fs == KAGO_ROOT_DISK;
        for (int i = 0; i < c->nmounts; i++)
                any |= is_disk_mount(&c->mounts[i]);
        return any;
}

/* The disks' filesystems, once mounted (NULL: none to close). */
static const struct conf *mounted_disks;

/* Leave every disk clean, as a shutdown does: what still runs is killed,
 * the disk mounts go, a disk root turns read-only. A journal left to
 * replay would keep a read-only disk from mounting next time. */
static void disks_close(void)
{
        const struct conf *c = mounted_disks;
        if (!c)
                return;
        kill(-1, SIGKILL);
        while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
                ;
        for (int i = c->nmounts - 1; i >= 0; i--)
                if (is_disk_mount(&c->mounts[i]))
                        umount2(c->mounts[i].dest, 0);
        if (c->root_fs == KAGO_ROOT_DISK)
                mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL);
}

__attribute__((noreturn)) static void report(unsigned status)
{
        disks_close();
        sync();
        outl(status, KAGO_PORT_STATUS);
        reboot(RB_POWER_OFF);
        for (;;)
                pause();
}

/* Init could not start the workload: say why on stderr and end the VM. */
__attribute__((noreturn)) static void fail(const char *what)
{
        say("kago-init: %s: %s", what, strerror(errno));
        report(0x100 | 127);
}

static char *dup_str(const struct kago_conf_rec *r)
{
        char *s = malloc(r->len + 1);
        if (!s)
                fail("malloc");
        memcpy(s, r->data, r->len);
        s[r->len] = 0;
        return s;
}

/* Takes s: kept as the mount's fields, or freed when the record is short
 * of its four fields or the table is full. */
static void conf_add_mount(struct conf *c, char *s, uint32_t len)
{
        const char *f[4];
        size_t off = 0;
        for (int i = 0; i < 4; i++) {
                f[i] = s + off;
                off += strnlen(s + off, len - off) + 1;
                if (off > len + 1 || (i < 3 && off > len) || (i == 3 && c->nmounts == MAX_MOUNTS)) {
                        free(s);
                        return;
                }
        }
        c->mounts[c->nmounts++] = (struct mnt){ f[0], f[1], f[2], f[3] };
}

/* A string field given again: the last record wins. */
static void conf_set_str(const char **field, const struct kago_conf_rec *r)
{
        free((char *)*field);
        *field = dup_str(r);
}

static void conf_add_nic(struct conf *c, const struct kago_conf_rec *r)
{
        size_t name_len = r->len - KAGO_NIC_REC_LEN;
        if (r->len <= KAGO_NIC_REC_LEN || name_len >= sizeof c->nics[0].name || c->nnics == MAX_NICS)
                return;
        struct nic *n = &c->nics[c->nnics++];
        memcpy(n->mac, r->data, 6);
        n->mtu = r->data[6] | r->data[7] << 8;
        memcpy(n->name, r->data + KAGO_NIC_REC_LEN, name_len);
        n->name[name_len] = 0;
}

static void conf_apply(struct conf *c, const struct kago_conf_rec *r)
{
        switch (r->tag) {
        case KAGO_CONF_ARG:
                if (c->argc < MAX_ARGS)
                        c->argv[c->argc++] = dup_str(r);
                break;
        case KAGO_CONF_ENV:
                if (c->envc < MAX_ARGS)
                        c->envp[c->envc++] = dup_str(r);
                break;
        case KAGO_CONF_CWD: conf_set_str(&c->cwd, r); break;
        case KAGO_CONF_HOSTNAME: conf_set_str(&c->hostname, r); break;
        case KAGO_CONF_UID: if (r->len == 4) c->uid = kago_le32(r->data); break;
        case KAGO_CONF_GID: if (r->len == 4) c->gid = kago_le32(r->data); break;
        case KAGO_CONF_UMASK: if (r->len == 4) c->umask = (int)kago_le32(r->data); break;
        case KAGO_CONF_MSIZE: if (r->len == 4) c->msize = kago_le32(r->data); break;
        case KAGO_CONF_ROOT_FS: if (r->len == 4) c->root_fs = kago_le32(r->data); break;
        case KAGO_CONF_GROUP:
                if (r->len == 4 && c->ngroups < MAX_GROUPS)
                        c->groups[c->ngroups++] = kago_le32(r->data);
                break;
        case KAGO_CONF_RLIMIT:
                if (r->len == 20 && c->nrlimits < MAX_RLIMITS)
                        c->rlimits[c->nrlimits++] = (struct rlim){
                                (int)kago_le32(r->data),
                                { kago_le64(r->data + 4), kago_le64(r->data + 12) } };
                break;
        case KAGO_CONF_TERMINAL: c->terminal = true; break;
        case KAGO_CONF_NO_NEW_PRIVS: c->no_new_privs = true; break;
        case KAGO_CONF_CAPS:
                if (r->len == 40) {
                        c->caps_set = true;
                        c->caps.bounding = kago_le64(r->data);
                        c->caps.effective = kago_le64(r->data + 8);
                        c->caps.permitted = kago_le64(r->data + 16);
                        c->caps.inheritable = kago_le64(r->data + 24);
                        c->caps.ambient = kago_le64(r->data + 32);
                }
                break;
        case KAGO_CONF_ROOT_RO: c->root_ro = true; break;
        case KAGO_CONF_MOUNT: conf_add_mount(c, dup_str(r), r->len); break;
        case KAGO_CONF_NIC: conf_add_nic(c, r); break;
        case KAGO_CONF_NIC_ADDR:
                if (r->len == KAGO_NIC_ADDR_REC_LEN && c->naddrs < MAX_NIC_ADDRS) {
                        struct nic_addr *a = &c->addrs[c->naddrs++];
                        memcpy(a->mac, r->data, 6);
                        a->family = r->data[6] == 6 ? AF_INET6 : AF_INET;
                        a->prefix = r->data[7];
                        memcpy(a->ip, r->data + 8, 16);
                }
                break;
        case KAGO_CONF_NIC_ROUTE:
                if (r->len == KAGO_NIC_ROUTE_REC_LEN && c->nroutes < MAX_NIC_ROUTES) {
                        struct nic_route *rt = &c->routes[c->nroutes++];
                        memcpy(rt->mac, r->data, 6);
                        rt->family = r->data[6] == 6 ? AF_INET6 : AF_INET;
                        rt->dst_len = r->data[7];
                        memcpy(rt->dst, r->data + 8, 16);
                        memcpy(rt->gw, r->data + 24, 16);
                }
                break;
        }
}

int conf_decode(struct conf *c, const uint8_t *buf, size_t len)
{
        struct kago_conf_rec r;
        size_t off = 0;
        int rc;
        c->umask = -1;
        c->msize = 131072;
        while ((rc = kago_conf_next(buf, len, &off, &r)) > 0)
                conf_apply(c, &r);
        return rc < 0 || c->argc == 0 ? -1 : 0;
}

void conf_free(struct conf *c)
{
        for (int i = 0; i < c->argc; i++)
                free(c->argv[i]);
        for (int i = 0; i < c->envc; i++)
                free(c->envp[i]);
        for (int i = 0; i < c->nmounts; i++)
                free((char *)c->mounts[i].dest); /* the record's one allocation */
        free((char *)c->cwd);
        free((char *)c->hostname);
}

static void conf_load(struct conf *c)
{
        static uint8_t buf[KAGO_CONF_MAX_LEN];
        int fd = open(KAGO_GUEST_CONF, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                fail("open " KAGO_GUEST_CONF);
        ssize_t len = read(fd, buf, sizeof buf);
        if (len < 0)
                fail("read " KAGO_GUEST_CONF);
        close(fd);
        if (conf_decode(c, buf, (size_t)len) < 0) {
                errno = EINVAL;
                fail("bad " KAGO_GUEST_CONF);
        }
}

static int open_console(const char *path)
{
        int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        struct termios t;
        if (tcgetattr(fd, &t) == 0) {
                cfmakeraw(&t);
                tcsetattr(fd, TCSANOW, &t);
        }
        return fd;
}

static void mount_or_fail(const char *src, const char *dst, const char *type, unsigned long fl,
                          const char *data)
{
        mkdir(dst, 0755);
        if (mount(src, dst, type, fl, data) < 0) {
                char what[256];
                snprintf(what, sizeof what, "mount %s %s on %s", type, src, dst);
                fail(what);
        }
}

/* A disk's node: virtio-blk disks are probed before init runs, but give
 * the node a moment should it come late. */
static void wait_for_node(const char *dev)
{
        for (int i = 0; i < 200 && access(dev, F_OK) < 0; i++)
                usleep(10000);
}

static void mount_shared_root(const struct conf *c)
{
        unsigned long fl = c->root_ro ? MS_RDONLY : 0;
        if (c->root_fs == KAGO_ROOT_DISK) {
                wait_for_node(KAGO_ROOT_DEVICE);
                mount_or_fail(KAGO_ROOT_DEVICE, "/newroot", "ext4", fl, NULL);
                return;
        }
        if (c->root_fs == 1) {
                mount_or_fail(KAGO_ROOT_TAG, "/newroot", "virtiofs", fl, NULL);
                return;
        }
        char opts[128];
        snprintf(opts, sizeof opts, "trans=virtio,version=9p2000.L,msize=%u,cache=loose,access=client",
                 c->msize);
        mount_or_fail(KAGO_ROOT_TAG, "/newroot", "9p", fl, opts);
}

static void mount_root(const struct conf *c)
{
        mount_shared_root(c);
        mount_or_fail("proc", "/newroot/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        mount_or_fail("sysfs", "/newroot/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        mount_or_fail("devtmpfs", "/newroot/dev", "devtmpfs", MS_NOSUID, "mode=0755");
        mount_or_fail("devpts", "/newroot/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                      "newinstance,ptmxmode=0666,mode=0620");
        mount_or_fail("shm", "/newroot/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
}

/* The flags of a disk mount's options (comma separated); others are ignored. */
static unsigned long disk_mount_flags(const char *opts)
{
        static const struct {
                const char *name;
                unsigned long flag;
        } known[] = { { "ro", MS_RDONLY }, { "nosuid", MS_NOSUID }, { "nodev", MS_NODEV },
                      { "noexec", MS_NOEXEC }, { "noatime", MS_NOATIME } };
        unsigned long fl = 0;
        for (const char *o = opts; o && *o;) {
                size_t n = strcspn(o, ",");
                for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
                        if (strlen(known[k].name) == n && strncmp(o, known[k].name, n) == 0)
                                fl |= known[k].flag;
                o += n + (o[n] == ',');
        }
        return fl;
}

/* A mount of one of the VM's disks (source /dev/vdX): the workload asked
 * for it, so a failure ends the start. */
static void mount_disk(const struct mnt *m)
{
        char dst[4096];
        snprintf(dst, sizeof dst, "/newroot%s", m->dest);
        wait_for_node(m->source);
        mount_or_fail(m->source, dst, m->type, disk_mount_flags(m->options), NULL);
}

static void mount_config(const struct conf *c)
{
        static const char *const local[] = { "tmpfs", "proc", "sysfs", "devpts", "mqueue" };
        for (int i = 0; i < c->nmounts; i++) {
                const struct mnt *m = &c->mounts[i];
                if (is_disk_mount(m)) {
                        mount_disk(m);
                        continue;
                }
                bool ok = false;
                for (size_t k = 0; k < sizeof local / sizeof local[0]; k++)
                        ok |= strcmp(m->type, local[k]) == 0;
                if (!ok || strcmp(m->dest, "/dev") == 0 || strcmp(m->dest, "/proc") == 0 ||
                    strcmp(m->dest, "/sys") == 0 || strcmp(m->dest, "/dev/pts") == 0)
                        continue; /* bind mounts arrive through the shared root */
                char dst[4096];
                snprintf(dst, sizeof dst, "/newroot%s", m->dest);
                mkdir(dst, 0755);
                if (mount(m->source, dst, m->type, 0, m->options[0] ? m->options : NULL) < 0 &&
                    errno != ENODEV) /* a filesystem this guest kernel lacks: not needed */
                        say("kago-init: mount %s on %s: %s (skipped)", m->type, m->dest,
                            strerror(errno));
        }
}

static void switch_root(void)
{
        if (chdir("/newroot") < 0)
                fail("chdir /newroot");
        if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
                fail("move root");
        if (chroot(".") < 0 || chdir("/") < 0)
                fail("chroot");
}

static const char *env_get(const struct conf *c, const char *key)
{
        size_t n = strlen(key);
        for (int i = 0; i < c->envc; i++)
                if (strncmp(c->envp[i], key, n) == 0 && c->envp[i][n] == '=')
                        return c->envp[i] + n + 1;
        return NULL;
}

_Noreturn void process_exec(const struct conf *c)
{
        const char *file = c->argv[0];
        bool found = false; /* a candidate that exists but would not run */
        if (strchr(file, '/')) {
                execve(file, c->argv, c->envp);
                found = errno != ENOENT && errno != ENOTDIR;
        } else {
                const char *path = env_get(c, "PATH");
                if (!path)
                        path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
                char buf[4096];
                for (const char *p = path; p && *p;) {
                        const char *e = strchr(p, ':');
                        size_t n = e ? (size_t)(e - p) : strlen(p);
                        snprintf(buf, sizeof buf, "%.*s/%s", (int)n, p, file);
                        execve(buf, c->argv, c->envp);
                        found |= errno != ENOENT && errno != ENOTDIR;
                        p = e ? e + 1 : NULL;
                }
                errno = found ? EACCES : ENOENT;
        }
        say("kago-init: exec %s: %s", file, strerror(errno));
        _exit(found ? 126 : 127);
}

const char *process_setup(const struct conf *c, int in, int out, int err)
{
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        setsid();
        if (c->terminal && ioctl(in, TIOCSCTTY, 0) < 0)
                return "TIOCSCTTY";
        if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
                return "dup2 stdio";
        errfd = 2;
        for (int i = 0; i < c->nrlimits; i++)
                if (setrlimit(c->rlimits[i].resource, &c->rlimits[i].lim) < 0)
                        return "setrlimit";
        const char *failed = caps_before_user(c);
        if (failed)
                return failed;
        if (setgroups(c->ngroups, c->groups) < 0)
                return "setgroups";
        if (setgid(c->gid) < 0)
                return "setgid";
        if (setuid(c->uid) < 0)
                return "setuid";
        if (c->umask >= 0)
                umask(c->umask);
        if (chdir(c->cwd ? c->cwd : "/") < 0)
                return "chdir to process.cwd";
        return caps_after_user(c);
}

static void child_setup(const struct conf *c, int in, int out, int err)
{
        const char *failed = process_setup(c, in, out, err);
        if (failed)
                fail(failed);
        outb(1, KAGO_PORT_READY);
        ioperm(KAGO_PORT_STATUS, 8, 0);
        process_exec(c);
}

/* A one-way byte pump from fd `from` to fd `to` with a small buffer. */
struct pump {
        int from, to;
        char buf[4096];
        size_t len, off;
        bool eof;
};

static void pump_read(struct pump *p)
{
        ssize_t n = read(p->from, p->buf, sizeof p->buf);
        if (n > 0) {
                p->len = (size_t)n;
                p->off = 0;
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                p->eof = true;
        }
}

static void pump_write(struct pump *p)
{
        ssize_t n = write(p->to, p->buf + p->off, p->len - p->off);
        if (n > 0)
                p->off += (size_t)n;
        else if (errno != EAGAIN && errno != EINTR)
                p->len = p->off = 0; /* reader gone: drop */
        if (p->off == p->len)
                p->len = p->off = 0;
}

/* Copy whatever is buffered or readable right now (workload has exited). */
static void pump_drain(struct pump *p)
{
        if (p->from < 0)
                return;
        fcntl(p->from, F_SETFL, O_NONBLOCK);
        fcntl(p->to, F_SETFL, 0);
        for (int i = 0; i < 4096 && !p->eof; i++) {
                while (p->len)
                        pump_write(p);
                pump_read(p);
                if (!p->len && !p->eof && errno == EAGAIN)
                        break;
        }
        while (p->len)
                pump_write(p);
}

struct guest {
        struct conf conf;
        struct agent *agent; /* NULL: no agent console */
        int hvc0, hvc1, sfd;
        pid_t pid;
        int status;
        bool exited;
        struct pump in, out, err;
        int stdin_w; /* our end of the workload's stdin (pipe mode) */
        int pty;     /* terminal mode: the pty master */
        char ctl[2];
        int ctl_len;
        unsigned short rows;
        uint8_t seed[KAGO_SEED_LEN]; /* KAGO_CTL_SEED bytes since the last restore */
        unsigned seed_len;
        char host[KAGO_HOSTNAME_MAX]; /* KAGO_CTL_HOSTNAME_BYTE bytes */
        unsigned host_len;
        uint8_t net[KAGO_NET_CONF_MAX]; /* KAGO_CTL_NET_BYTE bytes */
        unsigned net_len;
};

static void rename_host(struct guest *g)
{
        if (sethostname(g->host, g->host_len) < 0)
                say("kago-init: the restored guest's hostname: %s", strerror(errno));
        g->host_len = 0;
}

/* A restored guest mixes the host's fresh seed into its pool and reseeds
 * its generator at once: clones of one snapshot draw different numbers
 * from here on. */
static void reseed(struct guest *g)
{
        struct {
                struct rand_pool_info info;
                uint8_t bytes[KAGO_SEED_LEN];
        } e = { .info = { .entropy_count = (int)g->seed_len * 8, .buf_size = (int)g->seed_len } };
        memcpy(e.bytes, g->seed, g->seed_len);
        int fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC);
        if (fd >= 0 && (ioctl(fd, RNDADDENTROPY, &e) < 0 || ioctl(fd, RNDRESEEDCRNG) < 0))
                say("kago-init: reseed the restored guest's random pool: %s", strerror(errno));
        if (fd >= 0)
                close(fd);
        g->seed_len = 0;
}

/* The restoring config's network ('n' bytes): its NIC records alone. */
static void renew_net(struct guest *g)
{
        static struct conf now; /* in .bss: its tables are large */
        struct kago_conf_rec r;
        size_t off = 0;
        memset(&now, 0, sizeof now);
        while (kago_conf_next(g->net, g->net_len, &off, &r) > 0)
                if (r.tag == KAGO_CONF_NIC || r.tag == KAGO_CONF_NIC_ADDR ||
                    r.tag == KAGO_CONF_NIC_ROUTE)
                        conf_apply(&now, &r);
        const char *failed = net_renew(&g->conf, &now);
        if (failed)
                say("kago-init: the restored guest's network: %s: %s", failed, strerror(errno));
        g->net_len = 0;
}

static void control(struct guest *g, char a, char b)
{
        if (a == KAGO_CTL_SIGNAL && g->pid > 0 && !g->exited) {
                kill(g->pid, (unsigned char)b);
        } else if (a == KAGO_CTL_EOF) {
                g->in.eof = true;
        } else if (a == KAGO_CTL_WINCH) {
                g->rows = (unsigned char)b;
        } else if (a == KAGO_CTL_SEED && g->seed_len < sizeof g->seed) {
                g->seed[g->seed_len++] = (uint8_t)b;
        } else if (a == KAGO_CTL_RESTORED) {
                reseed(g);
        } else if (a == KAGO_CTL_HOSTNAME_BYTE && g->host_len < sizeof g->host) {
                g->host[g->host_len++] = b;
        } else if (a == KAGO_CTL_HOSTNAME) {
                rename_host(g);
        } else if (a == KAGO_CTL_NET_BYTE && g->net_len < sizeof g->net) {
                g->net[g->net_len++] = (uint8_t)b;
        } else if (a == KAGO_CTL_NET) {
                renew_net(g);
        } else if (a == KAGO_CTL_WINCH_COLS && g->pty >= 0) {
                struct winsize ws = { .ws_row = g->rows, .ws_col = (unsigned char)b };
                ioctl(g->pty, TIOCSWINSZ, &ws);
        }
}

static void control_read(struct guest *g)
{
        char buf[64];
        ssize_t n = read(g->hvc1, buf, sizeof buf);
        for (ssize_t i = 0; i < n; i++) {
                g->ctl[g->ctl_len++] = buf[i];
                if (g->ctl_len == 2) {
                        control(g, g->ctl[0], g->ctl[1]);
                        g->ctl_len = 0;
                }
        }
}

static void reap(struct guest *g)
{
        struct signalfd_siginfo si;
        while (read(g->sfd, &si, sizeof si) == sizeof si)
                ;
        int st;
        pid_t p;
        while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
                if (p != g->pid) {
                        if (g->agent)
                                agent_reaped(g->agent, p, st);
                        continue;
                }
                g->exited = true;
                g->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
}

static int pty_open(int *master, int *slave)
{
        *slave = -1;
        *master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (*master < 0)
                return -1;
        char *name = grantpt(*master) == 0 && unlockpt(*master) == 0 ? ptsname(*master) : NULL;
        *slave = name ? open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
        if (*slave >= 0)
                return 0;
        close(*master);
        *master = -1;
        return -1;
}

int stdio_make(bool terminal, int child[3], int ours[3])
{
        if (terminal) {
                if (pty_open(&ours[0], &child[0]) < 0)
                        return -1;
                child[1] = child[2] = child[0];
                ours[1] = ours[0];
                ours[2] = -1;
                return 0;
        }
        int p[3][2];
        for (int i = 0; i < 3; i++) {
                if (pipe2(p[i], O_CLOEXEC) == 0)
                        continue;
                while (i--)
                        close(p[i][0]), close(p[i][1]);
                return -1;
        }
        child[0] = p[0][0], child[1] = p[1][1], child[2] = p[2][1];
        ours[0] = p[0][1], ours[1] = p[1][0], ours[2] = p[2][0];
        fcntl(ours[0], F_SETFL, O_NONBLOCK);
        return 0;
}

static void stdio_setup(struct guest *g, int fds[3])
{
        int ours[3];
        if (stdio_make(g->conf.terminal, fds, ours) < 0)
                fail(g->conf.terminal ? "open a pty" : "pipe");
        if (g->conf.terminal) {
                g->pty = ours[0];
                g->in = (struct pump){ .from = g->hvc0, .to = g->pty };
                g->out = (struct pump){ .from = g->pty, .to = g->hvc0 };
                g->err = (struct pump){ .from = -1, .to = -1, .eof = true };
                g->stdin_w = -1;
                return;
        }
        g->stdin_w = ours[0];
        g->in = (struct pump){ .from = g->hvc0, .to = ours[0] };
        g->out = (struct pump){ .from = ours[1], .to = g->hvc0 };
        g->err = (struct pump){ .from = ours[2], .to = g->hvc1 };
}

static void pumps_poll(struct guest *g)
{
        struct pump *ps[3] = { &g->in, &g->out, &g->err };
        struct pollfd pfd[8 + 4 * KAGO_AGENT_SESSIONS];
        struct pump *owner[8] = { 0 };
        int n = 0;
        pfd[n++] = (struct pollfd){ g->sfd, POLLIN, 0 };
        pfd[n++] = (struct pollfd){ g->hvc1, POLLIN, 0 };
        for (int i = 0; i < 3; i++) {
                struct pump *p = ps[i];
                if (p->from < 0 || (p->eof && !p->len))
                        continue;
                owner[n] = p;
                pfd[n++] = p->len ? (struct pollfd){ p->to, POLLOUT, 0 }
                                  : (struct pollfd){ p->from, POLLIN, 0 };
        }
        int pumps_end = n;
        if (g->agent)
                agent_poll_fds(g->agent, pfd, &n, (int)(sizeof pfd / sizeof pfd[0]));
        if (poll(pfd, n, -1) < 0)
                return;
        if (pfd[0].revents)
                reap(g);
        if (pfd[1].revents & POLLIN)
                control_read(g);
        if (g->agent)
                agent_serve(g->agent, pfd + pumps_end);
        for (int i = 2; i < pumps_end; i++) {
                struct pump *p = owner[i];
                if (!pfd[i].revents || !p)
                        continue;
                if (p->len)
                        pump_write(p);
                else
                        pump_read(p);
        }
        if (g->stdin_w >= 0 && g->in.eof && !g->in.len) {
                close(g->stdin_w);
                g->stdin_w = -1;
                g->in.from = -1;
        }
}

static void run(struct guest *g)
{
        int fds[3];
        stdio_setup(g, fds);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGCHLD);
        sigprocmask(SIG_BLOCK, &set, NULL);
        g->sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        if (g->sfd < 0)
                fail("signalfd");
        g->pid = fork();
        if (g->pid < 0)
                fail("fork");
        if (g->pid == 0)
                child_setup(&g->conf, fds[0], fds[1], fds[2]);
        close(fds[0]);
        if (fds[1] != fds[0])
                close(fds[1]);
        if (fds[2] != fds[1])
                close(fds[2]);
        while (!g->exited)
                pumps_poll(g);
        pump_drain(&g->out);
        pump_drain(&g->err);
}

int main(void)
{
        static struct guest g; /* zeroed in .bss: an initializer would put 32 KB in .data */
        g.pty = g.stdin_w = -1;
        mkdir("/dev", 0755);
        mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
        if (ioperm(KAGO_PORT_STATUS, 8, 1) < 0)
                return 1;
        g.hvc1 = open_console(KAGO_HVC_CONTROL);
        if (g.hvc1 >= 0)
                errfd = g.hvc1;
        g.hvc0 = open_console(KAGO_HVC_STDIO);
        if (g.hvc0 < 0 || g.hvc1 < 0)
                fail("open virtio consoles");
        int hvc2 = open_console(KAGO_HVC_AGENT);
        if (hvc2 >= 0)
                g.agent = agent_new(hvc2);
        conf_load(&g.conf);
        if (g.conf.hostname && sethostname(g.conf.hostname, strlen(g.conf.hostname)) < 0)
                fail("sethostname");
        const char *net = net_setup(&g.conf);
        if (net)
                fail(net);
        mount_root(&g.conf);
        mount_config(&g.conf);
        switch_root();
        if (conf_has_disks(&g.conf))
                mounted_disks = &g.conf;
        run(&g);
        report((unsigned)g.status);
        return 0;
}
