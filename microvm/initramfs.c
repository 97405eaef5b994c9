/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest's initramfs, built in memory (nothing is written to disk): a
 * newc cpio archive with kago-init as /init, its config as /kago.conf, and
 * the directories and /dev/console node the kernel expects. A user's initrd
 * (vm.kernel.initrd) goes first: the kernel unpacks concatenated archives in
 * order, so the user's files are there and kago's /init wins over any /init
 * of theirs.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "guest_proto.h"
#include "vm.h"

static void bytes_pad4(struct bytes *b)
{
        static const uint8_t zero[4];
        bytes_put(b, zero, (4 - b->len % 4) % 4);
}

void initramfs_put_user(struct bytes *out, const void *data, size_t len)
{
        bytes_put(out, data, len);
        bytes_pad4(out); /* the kernel looks for the next archive 4-byte aligned */
}

void cpio_add(struct bytes *b, const char *name, uint32_t mode, uint32_t rdev_major,
              uint32_t rdev_minor, const void *data, size_t len)
{
        uint32_t ino = (uint32_t)b->len + 1; /* unique within one archive */
        char hdr[111];
        size_t namesize = strlen(name) + 1;
        snprintf(hdr, sizeof hdr,
                 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino, mode, 0u, 0u,
                 S_ISDIR(mode) ? 2u : 1u, 0u, (unsigned)len, 0u, 0u, rdev_major, rdev_minor,
                 (unsigned)namesize, 0u);
        bytes_put(b, hdr, 110);
        bytes_put(b, name, namesize);
        bytes_pad4(b);
        bytes_put(b, data, len);
        bytes_pad4(b);
}

void cpio_finish(struct bytes *b)
{
        cpio_add(b, "TRAILER!!!", 0, 0, 0, NULL, 0);
}

int initramfs_build(const struct microvm_config *cfg, uint32_t msize, struct bytes *out,
                    struct kago_err *err)
{
        struct bytes conf = { 0 };
        if (guest_conf_encode(cfg, msize, &conf, err) < 0) {
                bytes_free(&conf);
                return -1;
        }
        cpio_add(out, "dev", S_IFDIR | 0755, 0, 0, NULL, 0);
        cpio_add(out, "dev/console", S_IFCHR | 0600, 5, 1, NULL, 0);
        cpio_add(out, "newroot", S_IFDIR | 0755, 0, 0, NULL, 0);
        cpio_add(out, "init", S_IFREG | 0755, 0, 0, microvm_guest_init,
                 (size_t)((uintptr_t)microvm_guest_init_end - (uintptr_t)microvm_guest_init));
        cpio_add(out, &KAGO_GUEST_CONF[1], S_IFREG | 0600, 0, 0, conf.data, conf.len);
        cpio_finish(out);
        bytes_free(&conf);
        return 0;
}
