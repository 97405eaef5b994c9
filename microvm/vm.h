/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The VMM's internal types: guest memory, the VM, vCPUs, devices. Private to microvm/. */
#ifndef KAGO_MICROVM_VM_H
#define KAGO_MICROVM_VM_H

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/uio.h>

#include "guest_proto.h"
#include "microvm.h"

/* ---- guest physical layout ------------------------------------------- */

#define GUEST_GDT 0x500ull
#define GUEST_START_INFO 0x6000ull   /* PVH hvm_start_info + modlist */
#define GUEST_ZERO_PAGE 0x7000ull    /* bzImage boot_params */
#define GUEST_PML4 0x9000ull         /* bzImage identity page tables: PML4, PDPT, 4 PDs */
#define GUEST_PDPT 0xa000ull
#define GUEST_PD 0xb000ull
#define GUEST_MEMMAP 0x10000ull      /* PVH e820 */
#define GUEST_CMDLINE 0x20000ull
#define GUEST_CMDLINE_MAX 4096
#define GUEST_MPTABLE 0x9fc00ull     /* last KiB of base memory, scanned by Linux */
#define GUEST_BASE_RAM_END 0x9fc00ull
#define GUEST_HIGH_START 0x100000ull /* 1 MiB */
#define GUEST_LOW_RAM_MAX 0xc0000000ull  /* RAM beyond 3 GiB continues at 4 GiB */
#define GUEST_4G 0x100000000ull
#define GUEST_MMIO_BASE 0xd0000000ull
#define GUEST_MMIO_STRIDE 0x1000ull
#define GUEST_IOAPIC 0xfec00000ull
#define GUEST_LAPIC 0xfee00000ull
#define GUEST_IRQ_FIRST 5

/* Guest RAM: one host mapping; guest [0, low) and [4G, 4G + size - low). */
struct guest_mem {
        uint8_t *host;
        uint64_t size;
        uint64_t low; /* bytes below GUEST_LOW_RAM_MAX */
};

/* Host pointer for guest [gpa, gpa+len) when all of it is RAM, else NULL. */
void *guest_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len);

struct e820_entry {
        uint64_t addr, size;
        uint32_t type;
} __attribute__((packed));
#define E820_RAM 1
#define E820_RESERVED 2
/* The guest's memory map; returns the number of entries (<= 4). */
int guest_e820(const struct guest_mem *m, struct e820_entry out[4]);

/* ---- boot ------------------------------------------------------------ */

struct boot_info {
        bool pvh;            /* PVH: 32-bit entry, rbx = start_info; else 64-bit, rsi = zero page */
        bool elf64;          /* an ELF vmlinux entered at startup_64: kago writes the whole zero page */
        uint64_t entry;
        uint64_t kernel_end; /* first guest byte after the loaded kernel */
};

/* Identify and load a kernel image (PVH ELF or bzImage). */
int boot_load_kernel(struct guest_mem *m, const uint8_t *img, size_t len, struct boot_info *bi,
                     struct kago_err *err);
int boot_pvh_load(struct guest_mem *m, const uint8_t *img, size_t len, struct boot_info *bi,
                  struct kago_err *err);
/* The note (owner, type) of an ELF image: 1 with its descriptor, 0 none,
 * < 0 malformed (err says how). */
struct elf_note {
        const uint8_t *desc;
        uint32_t len;
};
int elf_find_note(const uint8_t *img, size_t len, const char *owner, uint32_t type,
                  struct elf_note *out, struct kago_err *err);
/* The PVH entry from the ELF notes: 1 found, 0 none, < 0 malformed. */
int boot_pvh_find_entry(const uint8_t *img, size_t len, uint64_t *entry, struct kago_err *err);
int boot_bzimage_load(struct guest_mem *m, const uint8_t *img, size_t len, struct boot_info *bi,
                      struct kago_err *err);
/* Write the PVH start_info (cmdline, initrd module, memory map). */
int boot_pvh_setup(struct guest_mem *m, uint64_t initrd, uint64_t initrd_len, struct kago_err *err);
/* Write the bzImage zero page (header copied from img) and the identity page tables. */
int boot_bzimage_setup(struct guest_mem *m, const uint8_t *img, size_t len, uint64_t initrd,
                       uint64_t initrd_len, struct kago_err *err);
/* Enter an ELF vmlinux loaded for PVH at its 64-bit entry point instead
 * (when the ELF entry lies in the loaded kernel); then boot_elf64_setup. */
void boot_elf64_enter(struct boot_info *bi, const uint8_t *img, size_t len);
/* The zero page for boot_elf64_enter (cmdline, initrd, e820) and the page tables. */
int boot_elf64_setup(struct guest_mem *m, uint64_t initrd, uint64_t initrd_len,
                     struct kago_err *err);
void boot_write_page_tables(struct guest_mem *m);
/* Zero page (struct boot_params) offsets both 64-bit entries write. */
#define ZP_EXT_RAMDISK_IMAGE 0x0c0
#define ZP_EXT_RAMDISK_SIZE 0x0c4
#define ZP_E820_ENTRIES 0x1e8
#define ZP_TYPE_OF_LOADER 0x210
#define ZP_LOADFLAGS 0x211
#define ZP_RAMDISK_IMAGE 0x218
#define ZP_RAMDISK_SIZE 0x21c
#define ZP_CMD_LINE_PTR 0x228
#define ZP_E820_TABLE 0x2d0
#define ZP_LOADED_HIGH 0x01
/* What kago, as the boot loader, tells the kernel in the zero page: loader
 * type (undefined), the cmdline at GUEST_CMDLINE, the initrd, the e820 map. */
void boot_zero_page_fill(const struct guest_mem *m, uint8_t *zp, uint64_t initrd,
                         uint64_t initrd_len);
void boot_write_gdt(struct guest_mem *m, bool lm);
/* Copy cmdline to GUEST_CMDLINE; errors when too long. */
int boot_write_cmdline(struct guest_mem *m, const char *cmdline, struct kago_err *err);
/* Place the initrd at the top of low RAM above kernel_end: its guest address. */
int boot_place_initrd(struct guest_mem *m, uint64_t kernel_end, const uint8_t *data, size_t len,
                      uint64_t *gpa, struct kago_err *err);
/* Write an Intel MP table describing n vCPUs and an IOAPIC. */
int mptable_write(struct guest_mem *m, unsigned ncpus, struct kago_err *err);

/* ---- the VMM's own memory ------------------------------------------- */

/* A read-only mapping of a whole regular file of 1 byte to max bytes. */
struct image_map {
        uint8_t *data;
        size_t len;
};
int image_map(int fd, const char *what, size_t max, struct image_map *out, struct kago_err *err);
void image_unmap(struct image_map *m);
#define _cleanup_image_ __attribute__((cleanup(image_unmap)))
/* Give back what only loading the guest needed (call once it is loaded). */
void vmm_release_boot_memory(void);

/* ---- initramfs and the guest's config ------------------------------- */

struct bytes {
        uint8_t *data;
        size_t len, cap;
};
void bytes_put(struct bytes *b, const void *p, size_t n);
void bytes_free(struct bytes *b);

/* Append a newc cpio entry (name without leading "/"). */
void cpio_add(struct bytes *b, const char *name, uint32_t mode, uint32_t rdev_major,
              uint32_t rdev_minor, const void *data, size_t len);
void cpio_finish(struct bytes *b);
/* The process's part of /kago.conf alone (a kago exec's OPEN frame). */
int guest_conf_encode_process(const struct microvm_process *p, struct bytes *out,
                              struct kago_err *err);
/* The NIC records alone (what a restored guest takes: KAGO_CTL_NET_BYTE). */
void guest_conf_encode_nics(const struct microvm_config *cfg, struct bytes *out);
/* Encode cfg's process and mounts as /kago.conf records. */
int guest_conf_encode(const struct microvm_config *cfg, uint32_t msize, struct bytes *out,
                      struct kago_err *err);
/* A user's initrd (any format the kernel unpacks), then the padding that
 * lets an archive follow it; before initramfs_build. */
void initramfs_put_user(struct bytes *out, const void *data, size_t len);
/* The initramfs: kago-init as /init, /kago.conf, /dev/console. */
int initramfs_build(const struct microvm_config *cfg, uint32_t msize, struct bytes *out,
                    struct kago_err *err);
extern const uint8_t microvm_guest_init[];
extern const uint8_t microvm_guest_init_end[];

/* ---- virtqueues (split ring, VIRTIO 1.x) ---------------------------- */

#define VQ_MAX_SIZE 256
#define VQ_MAX_SEGS 128

struct virtq {
        uint16_t size;
        bool ready;
        bool event_idx;       /* VIRTIO_RING_F_EVENT_IDX negotiated */
        bool signalled_valid; /* signalled_used holds the used index at the last decision */
        uint64_t desc, avail, used;
        uint16_t last_avail;
        uint16_t signalled_used;
};

/* One popped descriptor chain: device-readable segments first, then writable. */
struct vq_chain {
        uint16_t head;
        struct iovec out[VQ_MAX_SEGS], in[VQ_MAX_SEGS];
        int n_out, n_in;
        size_t out_len, in_len;
};

/* 1: a chain popped; 0: none available; < 0: malformed ring (err says how). */
int vq_pop(const struct guest_mem *m, struct virtq *q, struct vq_chain *c, struct kago_err *err);
int vq_push(const struct guest_mem *m, struct virtq *q, uint16_t head, uint32_t len,
            struct kago_err *err);
/* Whether the driver should notify (kick) when it makes buffers available:
 * the used ring's NO_NOTIFY flag, or with the event index (2.7.10) the
 * avail_event the device publishes: vq_pop moves it to the next chain, so
 * the driver kicks only once the device has caught up, and "on" moves it to
 * the driver's latest index. A device that turns notifications back on must
 * look at the ring again afterwards: buffers added before the driver saw
 * the change came without a kick. */
void vq_set_notify(const struct guest_mem *m, struct virtq *q, bool on);
/* Whether the driver wants an interrupt for the buffers used since the last
 * time this was asked: its avail ring's NO_INTERRUPT flag is clear, or with
 * the event index, the used index has passed the driver's used_event. */
bool vq_irq_wanted(const struct guest_mem *m, struct virtq *q);
size_t iov_copy_from(const struct iovec *iov, int n, size_t off, void *buf, size_t len);
size_t iov_copy_to(const struct iovec *iov, int n, size_t off, const void *buf, size_t len);

/* ---- virtio-mmio devices -------------------------------------------- */

#define VIRTIO_STATUS_DRIVER_OK 0x04
#define VIRTIO_STATUS_NEEDS_RESET 0x40

struct virtio_dev;
struct snap_section;
struct snap_file;
struct virtio_ops {
        uint32_t device_id;
        uint64_t features; /* device-specific; VERSION_1 is added */
        unsigned n_queues;
        uint16_t queue_max; /* QueueNumMax, a power of two <= VQ_MAX_SIZE */
        /* Queues (bit n: queue n) whose driver is asked not to notify from the
         * moment they are ready; the device turns notifications on when it needs them. */
        uint32_t quiet_queues;
        /* Read device config at off (bounded by the transport). */
        void (*config_read)(struct virtio_dev *d, uint64_t off, void *data, unsigned len);
        /* The driver made buffers available on queue q (runs on a vCPU thread). */
        int (*notify)(struct virtio_dev *d, unsigned q, struct kago_err *err);
        /* The driver set DRIVER_OK (its features are final); may be NULL. */
        void (*driver_ok)(struct virtio_dev *d);
        /* The driver reset the device (status 0); may be NULL. */
        void (*reset)(struct virtio_dev *d);
        /* Snapshots: how many chains of queue q the device took and has not
         * used (a NIC's receive buffer waiting for a frame); may be NULL. */
        unsigned (*held_chains)(const struct virtio_dev *d, unsigned q);
        /* The device's own state beyond the transport's, and its load (the
         * bytes are untrusted: -1 when malformed); NULL when it has none. */
        void (*save)(struct virtio_dev *d, struct bytes *out);
        int (*load)(struct virtio_dev *d, const struct snap_section *s);
};

struct virtio_dev {
        const struct virtio_ops *ops;
        void *priv;
        void (*priv_free)(void *priv); /* called by virtio_dev_free */
        struct vm *vm;
        uint64_t base;
        unsigned irq;
        int irqfd;
        pthread_mutex_t lock;
        uint32_t status, isr;
        uint32_t dev_feat_sel, drv_feat_sel, queue_sel;
        uint64_t driver_features;
        struct virtq vq[2];
};

int virtio_mmio_add(struct vm *vm, const struct virtio_ops *ops, void *priv,
                    struct virtio_dev **out, struct kago_err *err);
/* MMIO access from a vCPU; false when gpa is not a device. */
bool virtio_mmio_access(struct vm *vm, uint64_t gpa, uint8_t *data, unsigned len, bool write);
/* Tell the guest queue q has used buffers (sets ISR, pulses the irqfd). */
void virtio_irq(struct virtio_dev *d);
/* " virtio_mmio.device=4K@0x...:IRQ" for every device, appended to buf. */
void virtio_mmio_cmdline(struct vm *vm, char *buf, size_t size);
void virtio_dev_free(struct virtio_dev *d);

/* A device's transport state (status, features, queues) and its own, as a
 * snapshot section's payload; and its load into the same device of a VM
 * made from the same config (DRIVER_OK's work is done again). */
void virtio_dev_save(struct virtio_dev *d, struct bytes *out);
int virtio_dev_load(struct virtio_dev *d, const struct snap_section *s, struct kago_err *err);

/* Tell the driver the device's config changed (ISR bit 1, the irqfd). */
void virtio_config_changed(struct virtio_dev *d);

/* Serve every chain on queue q, with the driver's kicks off meanwhile (a
 * chain added while they were off is seen by the last look): serve answers
 * one chain with the bytes it wrote into it. The driver is interrupted when
 * anything was used, unless it asked not to be (VRING_AVAIL_F_NO_INTERRUPT). */
int virtio_queue_serve(struct virtio_dev *d, unsigned q,
                       uint32_t (*serve)(struct virtio_dev *d, const struct vq_chain *c),
                       struct kago_err *err);

/* Let KVM signal efd for the driver's notifications of queue q, without
 * the vCPU leaving the kernel: a host thread serves q then. */
int virtio_queue_eventfd(struct virtio_dev *d, unsigned q, int efd, struct kago_err *err);

/* virtio-balloon (virtio_balloon.c). balloon_set asks the guest to give
 * back what guest RAM has beyond guest_bytes (0: only report) and says
 * where the balloon stands. */
struct balloon;
struct balloon_state {
        uint64_t ram, target, given; /* bytes: guest RAM, to give back, given back */
};
int balloon_add(struct vm *vm, struct balloon **out, struct kago_err *err);
void balloon_set(struct balloon *b, uint64_t guest_bytes, struct balloon_state *now);

/* virtio-console: tx to out_fd; rx fed by console_rx_push. */
struct console;
int console_add(struct vm *vm, int out_fd, struct console **out, struct kago_err *err);
/* Queue host bytes for the guest; returns bytes taken (may be < len when the
 * guest has no buffers: call again once console_space_fd is readable). A
 * device busy on a vCPU takes nothing and sets *busy: its transmission may
 * wait for a pipe the caller drains, so the caller must not wait for it
 * either; it comes back after a short poll. */
size_t console_rx_push(struct console *c, const void *data, size_t len, bool *busy);
/* Consoles belong to their device: freed with the VM. */
/* Readable when the guest added receive buffers (drain it, then push again). */
int console_space_fd(struct console *c);

/* kago exec's way to the guest agent (agent_host.c): the control socket
 * listen_fd and a third console. run.c polls the fds agent_host_poll_fds
 * fills (AGENT_HOST_POLL_FDS of them) and passes them to agent_host_serve;
 * frames go to the guest only once it is ready. */
struct agent_host;
#define AGENT_HOST_POLL_FDS (3 + KAGO_AGENT_SESSIONS)
int agent_host_new(struct vm *vm, int listen_fd, struct agent_host **out, struct kago_err *err);
int agent_host_poll_fds(struct agent_host *h, struct pollfd *p);
void agent_host_serve(struct agent_host *h, const struct pollfd *p, bool guest_ready, bool *busy);
void agent_host_free(struct agent_host *h);
/* Who answers a KAGO_AGENT_CHECKPOINT request (its fds stay the caller's). */
typedef int agent_checkpoint_fn(void *ctx, int state_fd, int mem_fd, uint32_t flags,
                                struct kago_err *err);
void agent_host_on_checkpoint(struct agent_host *h, agent_checkpoint_fn *fn, void *ctx);

/* virtio-blk (virtio_blk.c): a disk the guest sees as /dev/vdX. */
#define BLK_SECTOR 512u
#define BLK_ID_LEN 20 /* GET_ID's answer: the serial, NUL padded */
struct blk_disk {
        int fd; /* the caller's */
        uint64_t sectors;
        bool readonly;
        char id[BLK_ID_LEN + 1]; /* "kago-disk-N" */
};
/* Size a disk from its fd (a regular file or block device): whole sectors. */
int blk_disk_init(struct blk_disk *d, int fd, bool readonly, unsigned index, struct kago_err *err);
/* Answer one request chain: the status byte written, the used length returned. */
uint32_t blk_serve(const struct blk_disk *d, const struct vq_chain *c);
/* Attach disk as the guest's virtio-blk disk number index (0: /dev/vda). */
int virtio_blk_add(struct vm *vm, const struct microvm_disk *disk, unsigned index,
                   struct kago_err *err);

/* virtio-net (virtio_net.c): a tap as the guest's NIC. The host loop polls
 * the NET_POLL_FDS fds net_poll_fds fills and passes them to net_serve. */
#define NET_HDR_LEN 12               /* struct virtio_net_hdr_v1, the tap's vnet header */
#define NET_FRAME_MAX (65536u + 18u) /* a 64 KiB segment with its Ethernet and VLAN headers */
#define NET_POLL_FDS 3
struct net;
struct net_counters {
        uint64_t tx_frames, tx_dropped, rx_frames, rx_dropped;
};
int virtio_net_add(struct vm *vm, const struct microvm_nic *nic, struct net **out,
                   struct kago_err *err);
/* parked: the vCPUs are parked, so the NIC takes in nothing either. */
int net_poll_fds(struct net *n, bool parked, struct pollfd p[NET_POLL_FDS]);
void net_serve(struct net *n, const struct pollfd p[NET_POLL_FDS]);
const struct net_counters *net_counters(const struct net *n);
/* One transmit chain (header and frame, device-readable) written to the tap. */
void net_tx_frame(int tap_fd, const struct vq_chain *c, struct net_counters *count);
/* One frame from the tap into a receive chain: 0 with *len the bytes
 * written; -EAGAIN none waiting; -EINVAL the chain has no room for the
 * header; -EIO the frame was lost (too large for the chain). */
int net_rx_frame(int tap_fd, const struct vq_chain *c, struct net_counters *count, uint32_t *len);

/* 9P2000.L over virtio. */
struct p9_server;
int virtio_9p_add(struct vm *vm, struct p9_server *srv, const char *tag, struct kago_err *err);

/* virtio-fs: FUSE over virtio (fuse_*.c), one request queue. */
struct fuse_server;
int virtio_fs_add(struct vm *vm, struct fuse_server *srv, const char *tag, struct kago_err *err);

/* ---- confinement (confine.c) --------------------------------------- */

/* Install the seccomp allowlist of a VMM thread of this kind on the calling
 * thread (once it is set up); a forbidden call later ends the VMM with a
 * message naming the thread and the call. */
enum vmm_thread { VMM_THREAD_VCPU, VMM_THREAD_HOST };
int vmm_confine(enum vmm_thread kind, struct kago_err *err);

/* ---- serial, ports ---------------------------------------------------- */

struct serial {
        int out_fd;
        uint8_t ier, lcr, mcr, scr, dll, dlm;
};
/* Port I/O to COM1 (0x3f8-0x3ff). */
void serial_io(struct serial *s, uint16_t port, uint8_t *data, bool write);

/* ---- the VM ----------------------------------------------------------- */

enum vm_stop {
        VM_RUNNING,
        VM_STOP_STATUS,       /* the guest init reported the workload's status */
        VM_STOP_INIT_FAILED,  /* the guest init could not start the workload */
        VM_STOP_RESET,        /* i8042 reset (reboot=k): kernel panic or reboot */
        VM_STOP_SHUTDOWN,     /* KVM system event: poweroff */
        VM_STOP_TRIPLE_FAULT,
        VM_STOP_TIMEOUT,      /* no "ready" within the boot timeout */
        VM_STOP_HOST,         /* stopped from the host (a signal before the workload ran) */
        VM_STOP_ERROR,        /* a VMM error on a vCPU thread */
};

struct vcpu {
        struct vm *vm;
        unsigned id;
        int fd;
        struct kvm_run *run;
        pthread_t thread;
        bool started;
};

/* consoles (3), balloon, shared root, MICROVM_DISKS_MAX disks and
 * MICROVM_NICS_MAX NICs: IRQs 5-20 */
#define VM_MAX_DEVICES 16
/* Sent to a vCPU thread to make KVM_RUN return (immediate_exit is set first). */
#define VCPU_KICK_SIGNAL (SIGRTMIN + 2)

struct vm {
        int kvm_fd, vm_fd;
        struct guest_mem mem;
        size_t run_size;
        unsigned n_vcpus;
        struct vcpu vcpus[MICROVM_VCPUS_MAX];
        struct virtio_dev *devs[VM_MAX_DEVICES];
        unsigned n_devs;
        bool serial_on;
        struct serial serial;
        pthread_mutex_t lock;
        enum vm_stop stop;
        int status;
        struct kago_err stop_err;
        int event_efd; /* readable once the guest is ready, when all vCPUs park, when the VM stops */
        atomic_uint_fast64_t exits;
        atomic_bool ready;
        /* Parking (microvm_park): requested, and how many vCPUs wait; both
         * under lock, park_cond signalled when either changes. */
        bool park;
        unsigned parked;
        pthread_cond_t park_cond;
        char unparked_comm[16]; /* the host thread's name while parked */
        bool stop_at_ready;
        uint64_t exits_at_ready, ns_at_ready, t0_ns;
        struct balloon *balloon; /* NULL: none */
        bool mem_from_file;      /* RAM is a snapshot's memory file, mapped copy-on-write */
};

/* ---- snapshots (snap.h: the file format) ------------------------------ */

/* The sections of a microVM snapshot; all but the optional ones are SNAP_REQUIRED. */
#define SNAP_TAG_VM 0x564d4346u     /* "VMCF": vCPUs, memory, the devices' types */
#define SNAP_TAG_CLOCK 0x434c434bu  /* "CLCK": the KVM clock and the host time */
#define SNAP_TAG_CHIPS 0x43484950u  /* "CHIP": PICs, IOAPIC, PIT */
#define SNAP_TAG_VCPU 0x56435055u   /* "VCPU": one per vCPU, in order */
#define SNAP_TAG_CPUID 0x43505549u  /* "CPUI": the CPUID the guest saw (optional) */
#define SNAP_TAG_DEVICE 0x44455643u /* "DEVC": one per virtio device, in order */
#define SNAP_TAG_FS 0x46534654u     /* "FSFT": the virtio-fs server's tables */
#define SNAP_TAG_P9 0x50394654u     /* "P9FT": the 9P server's fids */
#define SNAP_TAG_DISKS 0x444b5346u  /* "DKSF": each disk's size and CRC-32 (optional) */

/* KVM's part of the VM (vm_state.c): clock, irqchip, PIT, the vCPUs.
 * Save with every vCPU parked; load before the vCPUs first run. */
int vm_state_save(struct vm *vm, struct bytes *out, struct kago_err *err);
int vm_state_load(struct vm *vm, const struct snap_file *f, struct kago_err *err);

/* The VM section (snapshot_shape.c): what the snapshot's VM was. */
#define VM_KERNEL_ID_MAX 160
struct vm_shape {
        unsigned vcpus;
        uint64_t memory;
        unsigned n_devs;
        uint32_t dev_ids[VM_MAX_DEVICES];
        uint32_t tsc_khz;                 /* 0: unknown */
        char kernel_id[VM_KERNEL_ID_MAX]; /* microvm_kernel_id's, or "" */
};
int vm_shape_save(const struct vm *vm, int kernel_fd, struct bytes *out, struct kago_err *err);
int vm_shape_parse(const struct snap_file *f, struct vm_shape *s, struct kago_err *err);
/* How many CPUID feature bits (leaves 1, 7, 0xd.1, 0x80000001, 0x80000007,
 * 0x80000008) saved has set that host lacks; the first eight named in list
 * ("leaf 0x7.0 ebx bit 5, ..."). */
struct kvm_cpuid_entry2;
size_t cpuid_missing(const struct kvm_cpuid_entry2 *saved, size_t n_saved,
                     const struct kvm_cpuid_entry2 *host, size_t n_host, char *list, size_t size);
/* A disk's size and the CRC-32 of its content; the disks' section, each
 * flushed first (their state belongs with the guest's memory). */
struct disk_print {
        uint64_t size;
        uint32_t crc;
};
int disk_fingerprint(int fd, struct disk_print *out, struct kago_err *err);
int vm_disks_save(const struct microvm_disk *disks, size_t n, struct bytes *out,
                  struct kago_err *err);
/* Whether two TSC frequencies (kHz) count as the same. */
bool vm_tsc_close(uint32_t a, uint32_t b);
/* A state file's bytes, from its start (at most 256 MiB), and their parse
 * with the sections this kago knows (snapshot.c). */
int vm_state_read(int fd, struct bytes *b, struct kago_err *err);
int snap_parse_known(const uint8_t *data, size_t len, struct snap_file *f, struct kago_err *err);

/* The whole VM (snapshot.c): with every vCPU parked, its state (snap.h's
 * format) to state_fd and its RAM to mem_fd; or, into a VM just made from
 * the same config (devices added, nothing run yet), both back. fs: the
 * shared root's server (one of them, or none for a disk root); kernel_fd:
 * the kernel the guest booted, whose identity the snapshot records;
 * prefault: RAM read in whole at once, not page by page as the guest
 * touches it. */
struct vm_fs {
        struct fuse_server *fuse;
        struct p9_server *p9;
};
struct vm_outside { /* what a snapshot records of the files outside the VM */
        int kernel_fd;
        const struct microvm_disk *disks;
        size_t n_disks;
};
int vm_snapshot_save(struct vm *vm, const struct vm_fs *fs, const struct vm_outside *out,
                     int state_fd, int mem_fd, struct kago_err *err);
int vm_snapshot_load(struct vm *vm, const struct vm_fs *fs, int state_fd, int mem_fd,
                     bool prefault, struct kago_err *err);

/* kvm_fd: an open /dev/kvm to duplicate, or -1. */
int vm_create(struct vm *vm, int kvm_fd, uint64_t memory, unsigned vcpus, struct kago_err *err);
void vm_destroy(struct vm *vm);
/* Record why the VM ends (first reason wins) and kick every vCPU out. */
void vm_request_stop(struct vm *vm, enum vm_stop why, int status, const struct kago_err *e);
/* Set immediate_exit on every vCPU and signal its thread out of KVM_RUN. */
void vm_kick_all(struct vm *vm);
/* Make the host loop wake up (event_efd). */
void vm_wake_host(struct vm *vm);
/* Take every vCPU out of KVM_RUN and hold it (vm_all_parked says when all
 * wait), or release them. */
void vm_park(struct vm *vm);
bool vm_all_parked(struct vm *vm);
void vm_unpark(struct vm *vm);
/* On the host thread: park the vCPUs (unless they are) and wait until all
 * wait, timeout_ms at most; *parked_before says whether they were. */
int vm_park_wait(struct vm *vm, int timeout_ms, bool *parked_before, struct kago_err *err);
/* On a vCPU thread kicked out of KVM_RUN: wait while the VM is parked;
 * false when the VM stops instead. */
bool vcpu_wait_parked(struct vcpu *v);
int vcpu_create(struct vm *vm, unsigned id, struct kago_err *err);
/* The CPUID kago gives vCPU id of n: what KVM supports, with the vCPU's
 * topology and the fixes of vcpu.c (malloc'd *out). */
struct kvm_cpuid2;
int vcpu_cpuid(int kvm_fd, unsigned id, unsigned n, struct kvm_cpuid2 **out, struct kago_err *err);
int vcpu_setup_boot(struct vcpu *v, const struct boot_info *bi, struct kago_err *err);
int vcpus_start(struct vm *vm, struct kago_err *err);
void vcpus_join(struct vm *vm);
/* Handle a port I/O exit (serial, kago ports, i8042). */
void vm_port_io(struct vm *vm, uint16_t port, uint8_t *data, unsigned size, bool write);
uint64_t vm_now_ns(void);
/* Resident KiB of this process less the resident part of guest RAM. */
uint64_t vm_rss_without_guest_kib(const struct vm *vm);

#endif
