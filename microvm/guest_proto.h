/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The contract between kago's VMM and its guest init (microvm/guest/init.c):
 * the paravirtual I/O ports, the console layout, the control messages and
 * the process description the VMM puts in the initramfs as /kago.conf.
 * Private to microvm/ and microvm/guest/; header-only so both sides (and the
 * unit tests) share one definition.
 */
#ifndef KAGO_MICROVM_GUEST_PROTO_H
#define KAGO_MICROVM_GUEST_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* outl(status, PORT_STATUS): the workload's exit status (0-255, 128+signal);
 * the VMM stops the VM when it sees it. */
#define KAGO_PORT_STATUS 0x0510
/* outb(x, PORT_READY): "guest ready", written just before exec (boot timer). */
#define KAGO_PORT_READY 0x0514

/* The guest init finds its config here (a file in the initramfs). */
#define KAGO_GUEST_CONF "/kago.conf"
/* Mount tag of the shared root filesystem (9P or virtio-fs). */
#define KAGO_ROOT_TAG "kagoroot"

/* Consoles, in virtio-mmio order: hvc0 = stdin (rx) + stdout (tx) or the
 * terminal; hvc1 = control (rx) + stderr (tx). */
#define KAGO_HVC_STDIO "/dev/hvc0"
#define KAGO_HVC_CONTROL "/dev/hvc1"

/* Control messages (host to guest on hvc1), two bytes each. */
#define KAGO_CTL_SIGNAL 'S' /* second byte: signal number */
#define KAGO_CTL_EOF 'E'    /* stdin reached end of file; second byte 0 */
#define KAGO_CTL_WINCH 'W'  /* second byte: rows; followed by 'w' cols */
#define KAGO_CTL_WINCH_COLS 'w'
/* After a restore: KAGO_SEED_LEN 'r' messages, each one byte of a fresh
 * seed from the host, then 'R' (second byte 0): the guest mixes the seed
 * into its random pool and reseeds, so no two restores of one snapshot
 * share random state. */
#define KAGO_CTL_SEED 'r'
#define KAGO_CTL_RESTORED 'R'
#define KAGO_SEED_LEN 32
/* After a restore, before 'R': the hostname of the restoring config, one
 * 'h' message per byte (at most KAGO_HOSTNAME_MAX), then 'H' (second byte
 * 0): the guest takes it (a clone gets its own name when asked). */
#define KAGO_CTL_HOSTNAME_BYTE 'h'
#define KAGO_CTL_HOSTNAME 'H'
#define KAGO_HOSTNAME_MAX 64
/* After a restore, before 'R': the restoring config's network — its
 * KAGO_CONF_NIC, _NIC_ADDR and _NIC_ROUTE records, encoded as in /kago.conf
 * — one 'n' message per byte (at most KAGO_NET_CONF_MAX), then 'N' (second
 * byte 0): each NIC, found by its interface name, takes the container
 * interface's MAC, addresses and routes as they now are, and announces
 * itself (gratuitous ARP, unsolicited neighbour advertisement). */
#define KAGO_CTL_NET_BYTE 'n'
#define KAGO_CTL_NET 'N'
#define KAGO_NET_CONF_MAX 4096

/* The guest agent's channel (kago exec), hvc2: frames both ways, each an
 * 8-byte header — type, KAGO_AGENT_VERSION, session (u16), length (u32),
 * little endian — and then length bytes. The VMM's control socket speaks the
 * same frames with kago exec; the VMM numbers the sessions. */
#define KAGO_HVC_AGENT "/dev/hvc2"
#define KAGO_AGENT_VERSION 1
#define KAGO_AGENT_HDR 8
#define KAGO_AGENT_DATA_MAX 65536u /* an OPEN's records included */
#define KAGO_AGENT_SESSIONS 16
/* Flow control: neither end sends a session more than this many bytes of
 * stdin (host) or output (guest) that the other has not acknowledged with
 * ACK frames, so no reader that falls behind can stall the channel. */
#define KAGO_AGENT_WINDOW 65536u

enum kago_agent_msg {
        KAGO_AGENT_OPEN = 1, /* host to guest: the process, as /kago.conf records */
        KAGO_AGENT_STDIN,    /* host to guest: bytes for its stdin; none: end of input */
        KAGO_AGENT_SIGNAL,   /* host to guest: u32 signal number */
        KAGO_AGENT_WINCH,    /* host to guest: u16 rows, u16 columns */
        KAGO_AGENT_STARTED,  /* guest to host: u32 pid in the guest */
        KAGO_AGENT_STDOUT,   /* guest to host: bytes of its stdout (or terminal) */
        KAGO_AGENT_STDERR,   /* guest to host: bytes of its stderr */
        KAGO_AGENT_EXIT,     /* guest to host: u32 status (0-255, 128+signal); the end */
        KAGO_AGENT_ERROR,    /* either way: the session failed before it started; text */
        KAGO_AGENT_PS,       /* host to guest: list the processes (STDOUT lines of
                              * "PID PPID UID COMMAND", then EXIT 0) */
        KAGO_AGENT_STATS,    /* host to guest: its figures (STDOUT "KEY VALUE" lines,
                              * then EXIT 0) */
        KAGO_AGENT_BALLOON,  /* host to VMM: u64 bytes the guest may use (none: ask);
                              * answered STDOUT "RAM TARGET GIVEN" (bytes), EXIT 0 */
        KAGO_AGENT_ACK,      /* either way: u32 bytes of stdin (guest) or output
                              * (host) written where they go */
        KAGO_AGENT_CHECKPOINT, /* host to VMM: u32 flags (KAGO_CHECKPOINT_*), with two
                                * fds (SCM_RIGHTS): the state file and the memory
                                * file to write; answered EXIT 0 once both are
                                * written (the vCPUs stay parked unless asked) */
        KAGO_AGENT_MSG_MAX
};

#define KAGO_CHECKPOINT_LEAVE_RUNNING 1u

struct kago_agent_hdr {
        uint8_t type, version;
        uint16_t session;
        uint32_t len;
};

static inline void kago_agent_hdr_put(uint8_t *p, const struct kago_agent_hdr *h)
{
        p[0] = h->type;
        p[1] = h->version;
        p[2] = (uint8_t)h->session;
        p[3] = (uint8_t)(h->session >> 8);
        for (int i = 0; i < 4; i++)
                p[4 + i] = (uint8_t)(h->len >> (8 * i));
}

#define KAGO_AGENT_FRAME_MAX (KAGO_AGENT_HDR + KAGO_AGENT_DATA_MAX)

/* A whole frame at p (room for KAGO_AGENT_HDR + len bytes): its size. */
static inline size_t kago_agent_frame_put(uint8_t *p, uint8_t type, uint16_t session,
                                          const void *data, uint32_t len)
{
        kago_agent_hdr_put(p, &(struct kago_agent_hdr){ type, KAGO_AGENT_VERSION, session, len });
        if (len)
                memcpy(p + KAGO_AGENT_HDR, data, len);
        return KAGO_AGENT_HDR + (size_t)len;
}

/* 0 with h filled, -1 when the frame is not one this version takes. */
static inline int kago_agent_hdr_get(const uint8_t *p, struct kago_agent_hdr *h)
{
        h->type = p[0];
        h->version = p[1];
        h->session = (uint16_t)(p[2] | p[3] << 8);
        h->len = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
        if (h->version != KAGO_AGENT_VERSION || h->type == 0 || h->type >= KAGO_AGENT_MSG_MAX ||
            h->len > KAGO_AGENT_DATA_MAX)
                return -1;
        return 0;
}

/* The next whole frame of buf[*off..len): 1 with h and *data set and *off
 * past it, 0 when the frame is not all there yet, -1 when it is not one
 * this version takes. */
static inline int kago_agent_next(const uint8_t *buf, size_t len, size_t *off,
                                  struct kago_agent_hdr *h, const uint8_t **data)
{
        if (len - *off < KAGO_AGENT_HDR)
                return 0;
        if (kago_agent_hdr_get(buf + *off, h) < 0)
                return -1;
        if (len - *off - KAGO_AGENT_HDR < h->len)
                return 0;
        *data = buf + *off + KAGO_AGENT_HDR;
        *off += KAGO_AGENT_HDR + h->len;
        return 1;
}

/* /kago.conf: records of tag (1 byte), length (4 bytes, little endian), data. */
enum kago_conf_tag {
        KAGO_CONF_ARG = 1,    /* one argv word */
        KAGO_CONF_ENV,        /* one KEY=VALUE */
        KAGO_CONF_CWD,        /* string */
        KAGO_CONF_UID,        /* u32 */
        KAGO_CONF_GID,        /* u32 */
        KAGO_CONF_GROUP,      /* u32, one additional gid */
        KAGO_CONF_UMASK,      /* u32 */
        KAGO_CONF_RLIMIT,     /* u32 resource, u64 soft, u64 hard */
        KAGO_CONF_HOSTNAME,   /* string */
        KAGO_CONF_TERMINAL,   /* no data */
        KAGO_CONF_MOUNT,      /* dest \0 type \0 source \0 options (NUL separated) */
        KAGO_CONF_ROOT_RO,    /* no data: mount the shared root read-only */
        KAGO_CONF_MSIZE,      /* u32: 9P msize */
        KAGO_CONF_ROOT_FS,    /* u32: enum microvm_rootfs (0: 9P, 1: virtio-fs), or KAGO_ROOT_DISK */
        KAGO_CONF_CAPS,       /* 5 x u64: bounding, effective, permitted, inheritable, ambient */
        KAGO_CONF_NO_NEW_PRIVS, /* no data */
        KAGO_CONF_NIC,        /* mac[6], mtu u16, then the name (no NUL) */
        KAGO_CONF_NIC_ADDR,   /* mac[6], family u8 (4, 6), prefix u8, address[16] */
        KAGO_CONF_NIC_ROUTE,  /* mac[6], family u8, prefix u8, destination[16],
                               * gateway[16] (all 0: on the link); IPv4 in the first 4 bytes */
        KAGO_CONF_TAG_MAX
};

/* KAGO_CONF_ROOT_FS: the root is the first disk, KAGO_ROOT_DEVICE. */
#define KAGO_ROOT_DISK 2
#define KAGO_ROOT_DEVICE "/dev/vda"
/* A mount whose source starts so is one of the VM's disks, mounted by the guest. */
#define KAGO_DISK_PREFIX "/dev/vd"
static inline bool kago_is_disk_source(const char *source)
{
        return source && strncmp(source, KAGO_DISK_PREFIX, sizeof KAGO_DISK_PREFIX - 1) == 0;
}
#define KAGO_CONF_MAX_LEN (1u << 20)
#define KAGO_NIC_REC_LEN 8       /* KAGO_CONF_NIC without the name */
#define KAGO_NIC_ADDR_REC_LEN 24
#define KAGO_NIC_ROUTE_REC_LEN 40

struct kago_conf_rec {
        uint8_t tag;
        uint32_t len;
        const uint8_t *data;
};

static inline uint32_t kago_le32(const uint8_t *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void kago_put_le(uint8_t *p, uint64_t v, int n)
{
        for (int i = 0; i < n; i++)
                p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t kago_le64(const uint8_t *p)
{
        return (uint64_t)kago_le32(p) | (uint64_t)kago_le32(p + 4) << 32;
}

/* Next record of buf[*off..len): 1 with rec filled, 0 at the end, -1 when
 * the record is truncated or has an unknown tag. */
static inline int kago_conf_next(const uint8_t *buf, size_t len, size_t *off,
                                 struct kago_conf_rec *rec)
{
        if (*off == len)
                return 0;
        if (len - *off < 5)
                return -1;
        rec->tag = buf[*off];
        rec->len = kago_le32(buf + *off + 1);
        if (rec->tag == 0 || rec->tag >= KAGO_CONF_TAG_MAX || rec->len > len - *off - 5)
                return -1;
        rec->data = buf + *off + 5;
        *off += 5 + (size_t)rec->len;
        return 1;
}

#endif
