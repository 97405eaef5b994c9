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
        KAGO_CONF_ROOT_FS,    /* u32: enum microvm_rootfs (0: 9P, 1: virtio-fs) */
        KAGO_CONF_TAG_MAX
};

#define KAGO_CONF_MAX_LEN (1u << 20)

struct kago_conf_rec {
        uint8_t tag;
        uint32_t len;
        const uint8_t *data;
};

static inline uint32_t kago_le32(const uint8_t *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
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
