/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm: kago's own KVM virtual machine monitor, the microVM backend.
 *
 * microvm_run() runs in the container's init process after pivot_root, in
 * place of execve: it boots a guest kernel (an ELF vmlinux entered at
 * startup_64 or through its PVH note, or a 64-bit bzImage)
 * with an initramfs it builds in memory, serves the container's root
 * filesystem ("/" of the calling process) to the guest over virtio-fs or 9P
 * (or boots it from a disk), gives it a virtio-net NIC on each tap it is
 * handed, and runs the described process in the guest
 * through kago's guest init, each VMM thread confined to a seccomp allowlist
 * of its own once it is set up (docs/vmm-seccomp.md). It
 * returns when the guest workload has exited (its status in *workload_status)
 * or the VM ended for another reason (an error naming it).
 */
#ifndef KAGO_MICROVM_H
#define KAGO_MICROVM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../base/base.h"

struct oci_spec;

#define MICROVM_MEMORY_DEFAULT (128ull << 20)
#define MICROVM_MEMORY_MIN (32ull << 20)
#define MICROVM_MEMORY_MAX (64ull << 30)
#define MICROVM_VCPUS_MAX 64
/* What the VMM itself needs besides guest RAM (text, heap, stacks, 9P buffers). */
#define MICROVM_OVERHEAD (8ull << 20)
#define MICROVM_BOOT_TIMEOUT_MS_DEFAULT 60000

struct microvm_rlimit {
        int resource; /* RLIMIT_* */
        uint64_t soft, hard;
};

/* A filesystem the guest mounts itself (tmpfs, proc, sysfs, devpts, mqueue);
 * bind mounts need nothing: they are part of the shared root. */
struct microvm_mount {
        const char *destination, *type, *source, *options; /* options: comma separated */
};

struct microvm_process {
        char *const *args; /* NULL terminated, at least one */
        char *const *env;  /* NULL terminated, may be NULL */
        const char *cwd;   /* NULL: "/" */
        uint32_t uid, gid;
        const uint32_t *additional_gids;
        size_t n_additional_gids;
        int umask; /* -1: leave the guest default */
        const struct microvm_rlimit *rlimits;
        size_t n_rlimits;
        const char *hostname; /* NULL: none */
        bool terminal;
        /* process.capabilities as bit masks (bit N: capability N), in the
         * order of enum microvm_cap_set; NULL: root's full sets. */
        const uint64_t *caps;
        bool no_new_privs;
};
enum microvm_cap_set { MICROVM_CAP_BOUNDING, MICROVM_CAP_EFFECTIVE, MICROVM_CAP_PERMITTED,
                       MICROVM_CAP_INHERITABLE, MICROVM_CAP_AMBIENT, MICROVM_CAP_SETS };

/* How the guest mounts the shared root: 9P2000.L or virtio-fs (FUSE), both
 * served by the VMM from cfg->root. Annotation kago.vm.rootfs = 9p | virtiofs.
 * virtio-fs is the default: in bench/vm-fs (nested KVM, medians of 3) it ran
 * a stat of 2000 files 11x faster than 9P (0.79 s against 9.0 s), a 16 MiB
 * write 8x faster, 500 creates and removes 1.2x faster, a 16 MiB read about
 * as fast (0.29 s against 0.25 s), the whole workload 2.6x faster with a
 * third of the VM exits, and boots at the same cost (1338 against 1307 KVM
 * exits to ready). */
enum microvm_rootfs {
        MICROVM_ROOTFS_9P,
        MICROVM_ROOTFS_VIRTIOFS,
};
#define MICROVM_ROOTFS_DEFAULT MICROVM_ROOTFS_VIRTIOFS

/* Disks (virtio-blk), /dev/vda, vdb, ... in the order given. */
#define MICROVM_DISKS_MAX 4
struct microvm_disk {
        int fd; /* a raw image or block device, opened by the caller (O_RDONLY when readonly) */
        bool readonly;
};

/* NICs (virtio-net): each a tap in the container's network namespace that
 * stands for one of its interfaces; the guest's NIC gets the interface's
 * name, MAC, MTU, addresses and routes (IPv4 and IPv6; IPv4 addresses in
 * the first 4 bytes). */
#define MICROVM_NICS_MAX 4
#define MICROVM_NIC_ADDRS_MAX 8
#define MICROVM_NIC_ROUTES_MAX 16
struct microvm_nic_addr {
        int family; /* AF_INET or AF_INET6 */
        uint8_t ip[16];
        uint8_t prefix;
};
struct microvm_nic_route {
        int family;
        uint8_t dst[16], gw[16]; /* gw all zero: on the link */
        uint8_t dst_len;         /* 0: the default route */
};
struct microvm_nic {
        int tap_fd;   /* IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, 12-byte header (netns_tap_open) */
        char name[16];
        uint8_t mac[6];
        uint16_t mtu;
        struct microvm_nic_addr addrs[MICROVM_NIC_ADDRS_MAX];
        unsigned n_addrs;
        struct microvm_nic_route routes[MICROVM_NIC_ROUTES_MAX];
        unsigned n_routes;
};

struct microvm_config {
        int kvm_fd;                 /* /dev/kvm opened early by the caller, or -1: open it here */
        int kernel_fd;              /* ELF vmlinux or bzImage, opened before pivot_root */
        bool pvh_entry;             /* enter an ELF vmlinux through its PVH note, not startup_64 */
        int initrd_fd;              /* -1: none; else prepended to kago's initramfs */
        const char *cmdline_extra;  /* vm.kernel.parameters joined by spaces, or NULL */
        unsigned vcpus;             /* 1..MICROVM_VCPUS_MAX */
        uint64_t memory;            /* guest RAM in bytes */
        struct microvm_process process;
        const struct microvm_mount *mounts;
        size_t n_mounts;
        const char *root;           /* directory served to the guest; NULL: "/" */
        bool root_readonly;
        enum microvm_rootfs rootfs; /* the shared root's protocol */
        int stdin_fd, stdout_fd, stderr_fd; /* host side; -1 for none */
        int console_fd;             /* terminal mode: the pty master to bridge, else -1 */
        unsigned boot_timeout_ms;   /* 0: MICROVM_BOOT_TIMEOUT_MS_DEFAULT */
        bool serial_console;        /* kernel log on ttyS0 to serial_fd */
        int serial_fd;              /* -1: stderr_fd */
        bool stop_at_ready;         /* boot benchmarks: end the VM at the guest's "ready" */
        int control_fd;             /* kago exec's control socket, listening, or -1: none */
        const struct microvm_disk *disks;
        size_t n_disks;             /* <= MICROVM_DISKS_MAX */
        bool root_disk;             /* disks[0] (ext4) is the guest's root: no shared root */
        const struct microvm_nic *nics;
        size_t n_nics;              /* <= MICROVM_NICS_MAX */
        /* A snapshot to resume instead of booting (kago restore): its state
         * file and memory file (mapped copy-on-write), or -1. The config
         * must make the VM the snapshot was taken of (vCPUs, memory, devices). */
        int restore_state_fd, restore_mem_fd;
        bool restore_prefault; /* read the memory file in whole before the vCPUs run */
};

/* Counters of one run, for benchmarks (filled by microvm_run when non-NULL). */
struct microvm_stats {
        uint64_t exits_to_ready;  /* KVM exits until the guest's "ready" port write */
        uint64_t ns_to_ready;     /* from microvm_run's start to that write */
        uint64_t exits_total;
        uint64_t vmm_rss_kib;     /* resident memory of the VMM process, guest RAM excluded */
};

/* Fill cfg with defaults: 1 vCPU, 128 MiB, no devices fds, no serial. */
void microvm_config_init(struct microvm_config *cfg);

/* Guest RAM from a cgroup memory limit (bytes, <= 0: none): the limit less
 * the VMM's overhead, else MICROVM_MEMORY_DEFAULT. Errors when that is below
 * MICROVM_MEMORY_MIN. */
int microvm_memory_from_limit(int64_t limit, uint64_t *memory, struct kago_err *err);

/* The one parser and range check of each setting. The error says only what
 * is expected ("must be 32 MiB to 64 GiB"): the caller names the
 * annotation, JSON path or flag and the value. */
int microvm_check_memory(uint64_t memory, struct kago_err *err);
int microvm_check_vcpus(uint64_t vcpus, struct kago_err *err);
/* A size in kago's grammar (str_to_size: "256M", "1G", "1048576"). */
int microvm_parse_memory(const char *s, uint64_t *memory, struct kago_err *err);
int microvm_parse_vcpus(const char *s, unsigned *vcpus, struct kago_err *err);
/* "9p" or "virtiofs". */
int microvm_parse_rootfs(const char *s, enum microvm_rootfs *rootfs, struct kago_err *err);

/* A container's microVM settings, parsed and range-checked once, from its
 * config.json: the size from vm.hwConfig (vcpus, memory), else the
 * annotations kago.vm.cpus and kago.vm.memory, else (memory) from
 * linux.resources.memory.limit less the VMM's overhead; kago.vm.rootfs,
 * kago.vm.serial, kago.vm.pvh and kago.vm.boot-timeout; the disks from
 * vm.image and kago.vm.disk.N. Errors name the
 * annotation or JSON path and the bad value. */
struct microvm_disk_setting {
        const char *path; /* as given: absolute, or relative to the bundle */
        size_t path_len;
        bool readonly;
        const char *from; /* where it was given: "vm.image", "annotation kago.vm.disk.N" */
};
struct microvm_settings {
        unsigned vcpus;
        uint64_t memory;
        enum microvm_rootfs rootfs;
        bool serial_console;
        bool pvh_entry;
        unsigned boot_timeout_ms; /* 0: MICROVM_BOOT_TIMEOUT_MS_DEFAULT */
        /* vm.image (format raw; root.readonly makes it read-only) first, as
         * the guest's root, then kago.vm.disk.0 .. .3 = PATH[:ro] in order. */
        struct microvm_disk_setting disks[MICROVM_DISKS_MAX];
        unsigned n_disks;
        bool root_disk;
};
int microvm_settings_from_spec(const struct oci_spec *spec, struct microvm_settings *s,
                               struct kago_err *err);
/* Whether a mount's source is one of the VM's disks (/dev/vdX): the guest
 * mounts it, the host does not. */
bool microvm_mount_is_disk(const char *source);

/* Put s into cfg (vcpus, memory, rootfs, serial console, PVH entry, boot
 * timeout, root_disk; the disks' fds are the caller's to open). */
void microvm_config_apply(struct microvm_config *cfg, const struct microvm_settings *s);

/* The kernel kago boots when the config names none: $KAGO_VM_KERNEL, else
 * /usr/lib/kago/vmlinux, else $KAGO_CACHE/kernel/vmlinux (make kernel). */
const char *microvm_default_kernel(void);

/* Boot the VM and run cfg->process in it; see the top of this file.
 * stats may be NULL. Signals SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1 and
 * SIGUSR2 sent to the caller are forwarded to the guest workload;
 * MICROVM_PARK_SIGNAL and MICROVM_UNPARK_SIGNAL park and release the vCPUs
 * (microvm_park, microvm_unpark). */
int microvm_run(const struct microvm_config *cfg, int *workload_status,
                struct microvm_stats *stats, struct kago_err *err);

/* Pausing a microVM so that its guest survives the pause (kago pause and
 * resume, around the cgroup freeze; park.c). microvm_park asks the VMM with
 * pid vmm to take every vCPU out of KVM_RUN and waits (timeout_ms at most)
 * until it has: the VMM then names its main thread MICROVM_PARKED_COMM.
 * A VMM that does not serve the guest yet (no vCPU runs) has nothing to
 * park: 0 at once. microvm_unpark releases the vCPUs; each first tells KVM
 * the guest was stopped (KVM_KVMCLOCK_CTRL), so the guest's watchdogs do not
 * take the pause for a lockup. */
#define MICROVM_PARK_SIGNAL (SIGRTMIN + 3)
#define MICROVM_UNPARK_SIGNAL (SIGRTMIN + 4)
#define MICROVM_PARKED_COMM "kago-vm-parked"
int microvm_park(pid_t vmm, int timeout_ms, struct kago_err *err);
int microvm_unpark(pid_t vmm, struct kago_err *err);

/* kago exec into a microVM (agent_client.c; the VMM's side is agent_host.c,
 * the guest's microvm/guest/agent.c). kago create makes the control socket
 * MICROVM_CONTROL_SOCKET in the container's state directory (dirfd), mode
 * 0600, and the VMM serves it (microvm_config.control_fd). */
#define MICROVM_CONTROL_SOCKET "vmm.sock"
int microvm_control_listen(int dirfd, int *fd, struct kago_err *err);
/* Start p in the guest of container id: *conn is the session's connection
 * once the guest agent says the process runs; an error names what failed
 * or what did not answer within timeout_ms. */
int microvm_exec_start(int dirfd, const char *id, const struct microvm_process *p, int timeout_ms,
                       int *conn, struct kago_err *err);
/* Ask the guest agent; *text (malloc'd) gets its answer, lines of
 * - PS: "PID PPID UID COMMAND" for each process, kernel threads left out;
 * - STATS: "KEY VALUE" with the keys memory_total, memory_free,
 *   memory_available (bytes), cpu_user, cpu_system, cpu_idle (USER_HZ
 *   ticks, 100 a second) and tasks (threads, the kernel's included). */
enum microvm_query { MICROVM_QUERY_PS, MICROVM_QUERY_STATS };
int microvm_query(int dirfd, const char *id, enum microvm_query q, int timeout_ms, char **text,
                  struct kago_err *err);
/* The balloon (virtio-balloon): ask the guest to keep to guest_bytes of its
 * RAM (0: only ask where it stands); *now says, in bytes, its RAM, what it
 * should give back and what it has given back so far. */
struct microvm_balloon {
        uint64_t ram, target, given;
};
int microvm_balloon(int dirfd, const char *id, uint64_t guest_bytes, struct microvm_balloon *now,
                    struct kago_err *err);
/* kago checkpoint of a microVM: the VMM of container id parks its vCPUs
 * and writes its snapshot: the state (snap.h's format) to state_fd, guest
 * RAM to mem_fd (a sparse file: holes where RAM is zero). The vCPUs then
 * stay parked (the container is deleted next), or run on with
 * leave_running. Refused while kago exec sessions run in the guest, or
 * before the guest has started its workload. */
#define MICROVM_SNAPSHOT_STATE "vm-state.img"
#define MICROVM_SNAPSHOT_MEMORY "vm-memory.img"
int microvm_checkpoint(int dirfd, const char *id, int state_fd, int mem_fd, bool leave_running,
                       int timeout_ms, struct kago_err *err);
/* Before a restore, one row each: the state file whole (every CRC), the
 * VM's vCPUs and RAM against the config's (vcpus, memory), the memory
 * file's size, every CPUID feature the guest saw against this host's KVM,
 * the TSC frequency (or KVM's rescaling), the kernel's identity against the
 * one the guest booted, the disks against what they held at the checkpoint
 * (size and CRC-32: the guest's memory holds their state). */
#define MICROVM_CHECKS_MAX 8
struct microvm_check {
        const char *name;
        bool ok;
        char detail[320];
};
/* What the checks read: the image's two files, /dev/kvm, and the config's
 * kernel and disks (in the VM's order). */
struct microvm_snapshot_files {
        int state_fd, mem_fd, kvm_fd, kernel_fd;
        const int *disk_fds;
        size_t n_disks;
};
void microvm_snapshot_checks(const struct microvm_snapshot_files *h, unsigned vcpus,
                             uint64_t memory, struct microvm_check *rows, size_t *n);
/* What a snapshot's state file says of its VM, as a JSON member for the
 * image's manifest ("vm":{format, vcpus, memory, tscKhz, kernel, cpuModel,
 * cpuidLeaves}), malloc'd in *json. */
int microvm_snapshot_describe(int state_fd, char **json, struct kago_err *err);
/* A kernel image's identity: "build-id HEX" (an ELF vmlinux), else "crc32
 * X of N bytes". */
int microvm_kernel_id(int fd, char *out, size_t size, struct kago_err *err);

/* Stand for the guest process until it ends: bytes from in (-1: none) go to
 * its stdin, its stdout to out and its stderr to err_fd (-1: dropped); the
 * signals a process may be sent are passed on, SIGWINCH as tty's window size
 * (tty: the host terminal, or -1). Returns its exit status (0-255, 128+N
 * when signal N ended it; 137 when the VM ended first). */
int microvm_exec_relay(int conn, int in, int out, int err_fd, int tty);

#endif
