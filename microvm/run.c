/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm_run: build the VM (RAM, vCPUs, consoles, 9P root), boot the guest,
 * then serve the host side until the guest init reports the workload's exit:
 * stdin into the guest, signals forwarded as control messages, the boot
 * timeout, and the reason the VM ended.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>

#include "fuse.h"
#include "guest_proto.h"
#include "p9.h"
#include "vm.h"

#define KERNEL_MAX (256u << 20)
#define P9_MSIZE (128u << 10)
#define CONSOLE_RETRY_MS 1 /* how soon a push that found its console busy is tried again */
#define PARK_TIMEOUT_MS 10000

static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

struct run {
        const struct microvm_config *cfg;
        struct vm vm;
        struct console *io, *ctl;
        struct agent_host *agent; /* NULL: no control socket, no kago exec */
        struct p9_server *p9;
        struct fuse_server *fs;
        struct net *nets[MICROVM_NICS_MAX];
        unsigned n_nets;
        int sfd, tfd;
        sigset_t old_mask;
        bool mask_set;
        uint8_t in[4096];
        size_t in_len, in_off;
        bool in_eof;
        /* a restore's messages (seed, hostname, network) fit at once */
        uint8_t ctlq[2 * (KAGO_SEED_LEN + KAGO_HOSTNAME_MAX + KAGO_NET_CONF_MAX) + 64];
        size_t ctl_len;
};

static int read_image(int fd, const char *what, struct image_map *out, struct kago_err *err)
{
        if (fd < 0)
                return kago_err_set(err, "no %s given", what);
        return image_map(fd, what, KERNEL_MAX, out, err);
}

static void build_cmdline(struct run *r, char *buf, size_t size)
{
        const struct microvm_config *c = r->cfg;
        snprintf(buf, size, "reboot=k panic=-1 pci=off nomodule rdinit=/init tsc=reliable "
                            "no_timer_check i8042.noaux i8042.nomux %s",
                 c->serial_console ? "console=ttyS0 earlyprintk=serial" : "quiet 8250.nr_uarts=0");
        virtio_mmio_cmdline(&r->vm, buf, size);
        if (c->cmdline_extra && *c->cmdline_extra) {
                size_t n = strlen(buf);
                snprintf(buf + n, size - n, " %s", c->cmdline_extra);
        }
}

static int build_initrd(struct run *r, struct bytes *out, struct kago_err *err)
{
        if (r->cfg->initrd_fd >= 0) {
                _cleanup_image_ struct image_map user = { 0 };
                if (read_image(r->cfg->initrd_fd, "initrd", &user, err) < 0)
                        return -1;
                initramfs_put_user(out, user.data, user.len);
        }
        return initramfs_build(r->cfg, P9_MSIZE, out, err);
}

static int boot_guest(struct run *r, struct kago_err *err)
{
        _cleanup_image_ struct image_map img = { 0 };
        struct boot_info bi;
        struct bytes initrd = { 0 };
        uint64_t initrd_gpa;
        char cmdline[GUEST_CMDLINE_MAX + 64] = "";
        struct guest_mem *m = &r->vm.mem;
        if (read_image(r->cfg->kernel_fd, "kernel", &img, err) < 0)
                return -1;
        if (boot_load_kernel(m, img.data, img.len, &bi, err) < 0)
                return kago_err_wrap(err, "kernel");
        if (!r->cfg->pvh_entry)
                boot_elf64_enter(&bi, img.data, img.len);
        int rc = build_initrd(r, &initrd, err);
        if (rc == 0)
                rc = boot_place_initrd(m, bi.kernel_end, initrd.data, initrd.len, &initrd_gpa, err);
        if (rc == 0) {
                build_cmdline(r, cmdline, sizeof cmdline);
                rc = boot_write_cmdline(m, cmdline, err);
        }
        if (rc == 0)
                rc = bi.pvh     ? boot_pvh_setup(m, initrd_gpa, initrd.len, err)
                     : bi.elf64 ? boot_elf64_setup(m, initrd_gpa, initrd.len, err)
                                : boot_bzimage_setup(m, img.data, img.len, initrd_gpa, initrd.len, err);
        bytes_free(&initrd);
        if (rc < 0)
                return -1;
        boot_write_gdt(m, !bi.pvh);
        if (mptable_write(m, r->vm.n_vcpus, err) < 0)
                return -1;
        return vcpu_setup_boot(&r->vm.vcpus[0], &bi, err);
}

/* The root directory served to the guest, over 9P or virtio-fs; both move
 * P9_MSIZE bytes of file data per request at most. */
static int add_shared_root(struct run *r, struct kago_err *err)
{
        const struct microvm_config *c = r->cfg;
        const char *root = c->root ? c->root : "/";
        if (c->rootfs == MICROVM_ROOTFS_VIRTIOFS) {
                if (fuse_server_new(root, c->root_readonly, P9_MSIZE, &r->fs, err) < 0)
                        return -1;
                return virtio_fs_add(&r->vm, r->fs, KAGO_ROOT_TAG, err);
        }
        if (p9_server_new(root, c->root_readonly, P9_MSIZE, &r->p9, err) < 0)
                return -1;
        return virtio_9p_add(&r->vm, r->p9, KAGO_ROOT_TAG, err);
}

static int add_disks(struct run *r, struct kago_err *err)
{
        const struct microvm_config *c = r->cfg;
        if (c->n_disks > MICROVM_DISKS_MAX || (c->root_disk && !c->n_disks))
                return kago_err_set(err, "%zu disks: at least one for a root disk, at most %d",
                                    c->n_disks, MICROVM_DISKS_MAX);
        for (size_t i = 0; i < c->n_disks; i++)
                if (virtio_blk_add(&r->vm, &c->disks[i], (unsigned)i, err) < 0)
                        return -1;
        return 0;
}

static int add_nics(struct run *r, struct kago_err *err)
{
        const struct microvm_config *c = r->cfg;
        if (c->n_nics > MICROVM_NICS_MAX)
                return kago_err_set(err, "%zu NICs: at most %d", c->n_nics, MICROVM_NICS_MAX);
        for (size_t i = 0; i < c->n_nics; i++)
                if (virtio_net_add(&r->vm, &c->nics[i], &r->nets[r->n_nets++], err) < 0)
                        return -1;
        return 0;
}

static int add_devices(struct run *r, struct kago_err *err)
{
        const struct microvm_config *c = r->cfg;
        int out = c->console_fd >= 0 ? c->console_fd : c->stdout_fd;
        r->vm.serial_on = c->serial_console;
        r->vm.stop_at_ready = c->stop_at_ready;
        r->vm.serial.out_fd = c->serial_fd >= 0 ? c->serial_fd : c->stderr_fd;
        if (console_add(&r->vm, out, &r->io, err) < 0 || console_add(&r->vm, c->stderr_fd, &r->ctl, err) < 0)
                return -1;
        if (c->control_fd >= 0 && (agent_host_new(&r->vm, c->control_fd, &r->agent, err) < 0 ||
                                   balloon_add(&r->vm, &r->vm.balloon, err) < 0))
                return -1;
        if (add_disks(r, err) < 0 || add_nics(r, err) < 0)
                return -1;
        return c->root_disk ? 0 : add_shared_root(r, err);
}

static void ctl_send(struct run *r, uint8_t a, uint8_t b)
{
        if (r->ctl_len + 2 <= sizeof r->ctlq) {
                r->ctlq[r->ctl_len++] = a;
                r->ctlq[r->ctl_len++] = b;
        }
}

/* kago checkpoint: the snapshot of a guest that runs its workload, taken
 * with the vCPUs parked; they stay parked after it (the container ends)
 * unless asked to run on. */
static int run_checkpoint(void *ctx, int state_fd, int mem_fd, uint32_t flags,
                          struct kago_err *err)
{
        struct run *r = ctx;
        bool parked_before;
        if (!atomic_load(&r->vm.ready))
                return kago_err_set(err, "the guest has not started its workload yet: checkpoint "
                                         "the microVM once it runs");
        if (vm_park_wait(&r->vm, PARK_TIMEOUT_MS, &parked_before, err) < 0)
                return -1;
        struct vm_fs fs = { r->fs, r->p9 };
        struct vm_outside out = { r->cfg->kernel_fd, r->cfg->disks, r->cfg->n_disks };
        int rc = vm_snapshot_save(&r->vm, &fs, &out, state_fd, mem_fd, err);
        if (!parked_before && (rc < 0 || (flags & KAGO_CHECKPOINT_LEAVE_RUNNING)))
                vm_unpark(&r->vm);
        return rc;
}

/* kago restore: the VM comes back from its snapshot instead of booting,
 * its workload running. The guest is told, with a fresh seed for its
 * random pool, the config's hostname and network, and each vCPU that time stood
 * still (KVM_KVMCLOCK_CTRL),
 * so its lockup detectors take the clock's jump for the pause it was. */
static int restore_guest(struct run *r, struct kago_err *err)
{
        const struct microvm_config *c = r->cfg;
        uint8_t seed[KAGO_SEED_LEN];
        struct vm_fs fs = { r->fs, r->p9 };
        if (vm_snapshot_load(&r->vm, &fs, c->restore_state_fd, c->restore_mem_fd,
                             c->restore_prefault, err) < 0)
                return -1;
        if (getrandom(seed, sizeof seed, 0) != (ssize_t)sizeof seed)
                return kago_err_errno(err, errno, "getrandom: a seed for the restored guest");
        for (size_t i = 0; i < sizeof seed; i++)
                ctl_send(r, KAGO_CTL_SEED, seed[i]);
        const char *host = c->process.hostname;
        for (size_t i = 0; host && host[i] && i < KAGO_HOSTNAME_MAX; i++)
                ctl_send(r, KAGO_CTL_HOSTNAME_BYTE, (uint8_t)host[i]);
        if (host && *host)
                ctl_send(r, KAGO_CTL_HOSTNAME, 0);
        if (c->n_nics) {
                struct bytes net = { 0 };
                guest_conf_encode_nics(c, &net);
                for (size_t i = 0; i < net.len && i < KAGO_NET_CONF_MAX; i++)
                        ctl_send(r, KAGO_CTL_NET_BYTE, net.data[i]);
                ctl_send(r, KAGO_CTL_NET, 0);
                bytes_free(&net);
        }
        ctl_send(r, KAGO_CTL_RESTORED, 0);
        for (unsigned i = 0; i < r->vm.n_vcpus; i++)
                ioctl(r->vm.vcpus[i].fd, KVM_KVMCLOCK_CTRL, 0);
        atomic_store(&r->vm.ready, true);
        return 0;
}

static int setup_host_fds(struct run *r, struct kago_err *err)
{
        sigset_t set;
        sigemptyset(&set);
        for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
                sigaddset(&set, forwarded[i]);
        sigaddset(&set, MICROVM_PARK_SIGNAL);
        sigaddset(&set, MICROVM_UNPARK_SIGNAL);
        if (pthread_sigmask(SIG_BLOCK, &set, &r->old_mask) != 0)
                return kago_err_set(err, "block forwarded signals");
        r->mask_set = true;
        r->sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        if (r->sfd < 0)
                return kago_err_errno(err, errno, "signalfd");
        r->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (r->tfd < 0)
                return kago_err_errno(err, errno, "timerfd");
        unsigned ms = r->cfg->boot_timeout_ms ? r->cfg->boot_timeout_ms : MICROVM_BOOT_TIMEOUT_MS_DEFAULT;
        struct itimerspec its = { .it_value = { ms / 1000, (long)(ms % 1000) * 1000000 } };
        if (timerfd_settime(r->tfd, 0, &its, NULL) < 0)
                return kago_err_errno(err, errno, "timerfd_settime");
        if (r->cfg->stdin_fd < 0 && r->cfg->console_fd < 0) {
                r->in_eof = true;
                ctl_send(r, KAGO_CTL_EOF, 0);
        }
        return 0;
}

static void ctl_flush(struct run *r, bool *busy)
{
        size_t n = r->ctl_len ? console_rx_push(r->ctl, r->ctlq, r->ctl_len, busy) : 0;
        memmove(r->ctlq, r->ctlq + n, r->ctl_len - n);
        r->ctl_len -= n;
}

/* A signal before the workload runs ends the VM: nothing in it to signal yet. */
static void stop_by_signal(struct run *r, int signo)
{
        struct kago_err e = { 0 };
        kago_err_set(&e, "stopped by signal %d before the guest started the workload", signo);
        vm_request_stop(&r->vm, VM_STOP_HOST, 128 + signo, &e);
}

static void on_signal(struct run *r)
{
        struct signalfd_siginfo si;
        while (read(r->sfd, &si, sizeof si) == sizeof si) {
                if ((int)si.ssi_signo == MICROVM_PARK_SIGNAL) {
                        vm_park(&r->vm);
                        continue;
                }
                if ((int)si.ssi_signo == MICROVM_UNPARK_SIGNAL) {
                        vm_unpark(&r->vm);
                        continue;
                }
                if (!atomic_load(&r->vm.ready) && si.ssi_signo != SIGWINCH) {
                        stop_by_signal(r, (int)si.ssi_signo);
                        continue;
                }
                if (si.ssi_signo != SIGWINCH) {
                        ctl_send(r, KAGO_CTL_SIGNAL, (uint8_t)si.ssi_signo);
                        continue;
                }
                struct winsize ws;
                if (r->cfg->console_fd >= 0 && ioctl(r->cfg->console_fd, TIOCGWINSZ, &ws) == 0) {
                        ctl_send(r, KAGO_CTL_WINCH, (uint8_t)(ws.ws_row > 255 ? 255 : ws.ws_row));
                        ctl_send(r, KAGO_CTL_WINCH_COLS, (uint8_t)(ws.ws_col > 255 ? 255 : ws.ws_col));
                }
        }
}

static int input_fd(const struct run *r)
{
        return r->cfg->console_fd >= 0 ? r->cfg->console_fd : r->cfg->stdin_fd;
}

static void on_input(struct run *r)
{
        ssize_t n = read(input_fd(r), r->in, sizeof r->in);
        if (n > 0) {
                r->in_len = (size_t)n;
                r->in_off = 0;
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                r->in_eof = true;
                if (r->cfg->console_fd < 0) {
                        ctl_send(r, KAGO_CTL_EOF, 0);
                }
        }
}

static void input_flush(struct run *r, bool *busy)
{
        r->in_off += console_rx_push(r->io, r->in + r->in_off, r->in_len - r->in_off, busy);
        if (r->in_off == r->in_len)
                r->in_len = r->in_off = 0;
}

static void drain_fd(int fd)
{
        uint64_t v;
        if (read(fd, &v, sizeof v) < 0)
                return;
}

static void on_timeout(struct run *r)
{
        drain_fd(r->tfd);
        if (atomic_load(&r->vm.ready))
                return;
        struct kago_err e = { 0 };
        unsigned ms = r->cfg->boot_timeout_ms ? r->cfg->boot_timeout_ms : MICROVM_BOOT_TIMEOUT_MS_DEFAULT;
        kago_err_set(&e, "guest did not start the workload within the %u ms boot timeout", ms);
        vm_request_stop(&r->vm, VM_STOP_TIMEOUT, 0, &e);
}

/* The NICs' fds from p[0], and how many. */
static int nets_poll_fds(struct run *r, struct pollfd *p)
{
        int n = 0;
        bool parked = r->vm.park; /* only this thread changes it */
        for (unsigned i = 0; i < r->n_nets; i++)
                n += net_poll_fds(r->nets[i], parked, p + n);
        return n;
}

static void nets_serve(struct run *r, const struct pollfd *p)
{
        for (unsigned i = 0; i < r->n_nets; i++)
                net_serve(r->nets[i], p + i * NET_POLL_FDS);
}

/* Serve the host side until the VM stops. Input and control messages wait
 * for the guest's "ready": by then its init has the consoles in raw mode. */
static void host_loop(struct run *r)
{
        bool busy = false; /* a console a vCPU held: push to it again soon */
        while (__atomic_load_n(&r->vm.stop, __ATOMIC_SEQ_CST) == VM_RUNNING) {
                bool ready = atomic_load(&r->vm.ready);
                struct pollfd p[6 + AGENT_HOST_POLL_FDS + NET_POLL_FDS * MICROVM_NICS_MAX] = {
                        { r->vm.event_efd, POLLIN, 0 }, { r->sfd, POLLIN, 0 },
                        { r->tfd, POLLIN, 0 },
                        { console_space_fd(r->io), POLLIN, 0 },
                        { console_space_fd(r->ctl), POLLIN, 0 },
                        { !ready || r->in_len || r->in_eof ? -1 : input_fd(r), POLLIN, 0 },
                };
                int n_agent = r->agent ? agent_host_poll_fds(r->agent, p + 6) : 0;
                int n = 6 + n_agent + nets_poll_fds(r, p + 6 + n_agent);
                if (poll(p, (nfds_t)n, busy ? CONSOLE_RETRY_MS : -1) < 0 && errno != EINTR)
                        break;
                busy = false;
                for (int i = 0; i < 5; i++)
                        if (i != 1 && i != 2 && p[i].revents)
                                drain_fd(p[i].fd);
                if (p[1].revents)
                        on_signal(r);
                if (p[2].revents)
                        on_timeout(r);
                if (p[5].revents)
                        on_input(r);
                if (p[0].revents)
                        vm_all_parked(&r->vm); /* names the thread once all vCPUs wait */
                if (r->agent)
                        agent_host_serve(r->agent, p + 6, atomic_load(&r->vm.ready), &busy);
                nets_serve(r, p + 6 + n_agent);
                if (atomic_load(&r->vm.ready)) {
                        ctl_flush(r, &busy);
                        if (r->in_len)
                                input_flush(r, &busy);
                }
        }
}

/* How far the guest got when it ended early: its init reports "ready" just
 * before it starts the workload. */
static const char *run_stage(struct vm *vm)
{
        return atomic_load(&vm->ready) ? "finished" : "started";
}

static int run_result(struct run *r, int *status, struct microvm_stats *stats, struct kago_err *err)
{
        struct vm *vm = &r->vm;
        if (stats) {
                stats->exits_to_ready = vm->exits_at_ready;
                stats->ns_to_ready = vm->ns_at_ready;
                stats->exits_total = atomic_load(&vm->exits);
                stats->vmm_rss_kib = vm_rss_without_guest_kib(vm);
        }
        log_debug("microvm: guest ready after %.1f ms and %" PRIu64 " exits to the VMM; %" PRIu64
                  " exits in all; VMM RSS %" PRIu64 " KiB without guest RAM",
                  vm->ns_at_ready / 1e6, vm->exits_at_ready, (uint64_t)atomic_load(&vm->exits),
                  vm_rss_without_guest_kib(vm));
        switch (vm->stop) {
        case VM_STOP_STATUS:
                *status = vm->status;
                return 0;
        case VM_STOP_HOST: /* as if the workload had died of the signal */
                log_debug("microvm: %s", kago_err_text(&vm->stop_err));
                *status = vm->status;
                return 0;
        case VM_STOP_RESET:
                return kago_err_set(err, "guest kernel reset before the workload %s (kernel panic "
                                    "or reboot; kago.vm.serial=1 shows the kernel log)", run_stage(vm));
        case VM_STOP_SHUTDOWN:
                return kago_err_set(err, "guest powered off before the workload %s", run_stage(vm));
        case VM_STOP_TRIPLE_FAULT:
                return kago_err_set(err, "guest triple fault (CPU reset) before the workload %s",
                                    run_stage(vm));
        case VM_RUNNING:
                return kago_err_set(err, "VMM stopped serving the guest");
        default:
                *err = vm->stop_err;
                return -1;
        }
}

static void log_nets(const struct run *r)
{
        for (unsigned i = 0; i < r->n_nets; i++) {
                const struct net_counters *c = net_counters(r->nets[i]);
                log_debug("microvm: NIC %s: %" PRIu64 " frames sent, %" PRIu64 " dropped; %" PRIu64
                          " received, %" PRIu64 " lost", r->cfg->nics[i].name, c->tx_frames,
                          c->tx_dropped, c->rx_frames, c->rx_dropped);
        }
}

static void run_cleanup(struct run *r)
{
        log_nets(r);
        if (r->vm.n_vcpus && r->vm.stop == VM_RUNNING)
                vm_request_stop(&r->vm, VM_STOP_ERROR, 0, NULL);
        vm_destroy(&r->vm);
        p9_server_free(r->p9);
        fuse_server_free(r->fs);
        agent_host_free(r->agent);
        if (r->sfd >= 0)
                close(r->sfd);
        if (r->tfd >= 0)
                close(r->tfd);
        if (r->mask_set)
                pthread_sigmask(SIG_SETMASK, &r->old_mask, NULL);
}

int microvm_run(const struct microvm_config *cfg, int *workload_status,
                struct microvm_stats *stats, struct kago_err *err)
{
        struct run *r = xcalloc(1, sizeof *r);
        r->cfg = cfg;
        r->sfd = r->tfd = -1;
        int rc = vm_create(&r->vm, cfg->kvm_fd, cfg->memory, cfg->vcpus, err);
        if (rc == 0)
                rc = add_devices(r, err);
        if (rc == 0 && r->agent)
                agent_host_on_checkpoint(r->agent, run_checkpoint, r);
        if (rc == 0)
                rc = cfg->restore_state_fd >= 0 ? restore_guest(r, err) : boot_guest(r, err);
        if (rc == 0) {
                vmm_release_boot_memory();
                rc = setup_host_fds(r, err);
        }
        if (rc == 0)
                rc = vcpus_start(&r->vm, err);
        if (rc == 0 && vmm_confine(VMM_THREAD_HOST, err) < 0) {
                vm_request_stop(&r->vm, VM_STOP_ERROR, 0, err);
                vcpus_join(&r->vm);
                rc = -1;
        }
        if (rc == 0) {
                host_loop(r);
                vcpus_join(&r->vm);
                rc = run_result(r, workload_status, stats, err);
        }
        run_cleanup(r);
        free(r);
        return rc;
}
