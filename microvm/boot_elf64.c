/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An ELF vmlinux entered at its 64-bit entry point (startup_64, the ELF
 * entry, a physical address) in long mode with %rsi = a zero page kago
 * writes from scratch: the setup header fields the kernel proper reads
 * (loader type, command line, initrd) and the e820 map. The image is loaded
 * as for PVH; entering it this way skips the PVH entry code, whose probe
 * for a Xen hypervisor costs 256 CPUID exits on every boot.
 */
#include <elf.h>
#include <inttypes.h>
#include <string.h>

#include "vm.h"

#define ZP_E820_ENTRIES 0x1e8
#define ZP_HDR_BOOT_FLAG 0x1fe
#define ZP_HDR_MAGIC 0x202
#define ZP_HDR_VERSION 0x206
#define ZP_HDR_TYPE_OF_LOADER 0x210
#define ZP_HDR_LOADFLAGS 0x211
#define ZP_HDR_RAMDISK_IMAGE 0x218
#define ZP_HDR_RAMDISK_SIZE 0x21c
#define ZP_HDR_CMD_LINE_PTR 0x228
#define ZP_HDR_KERNEL_ALIGNMENT 0x230
#define ZP_HDR_CMDLINE_SIZE 0x238
#define ZP_E820_TABLE 0x2d0
#define ZP_EXT_RAMDISK_IMAGE 0x0c0
#define ZP_EXT_RAMDISK_SIZE 0x0c4
#define BOOT_PROTOCOL 0x020c
#define LOADER_UNDEFINED 0xff
#define LOADED_HIGH 0x01
#define KERNEL_ALIGNMENT 0x200000u

static void put16(uint8_t *zp, unsigned off, uint16_t v)
{
        memcpy(zp + off, &v, 2);
}

static void put32(uint8_t *zp, unsigned off, uint32_t v)
{
        memcpy(zp + off, &v, 4);
}

void boot_elf64_enter(struct boot_info *bi, const uint8_t *img, size_t len)
{
        Elf64_Ehdr h;
        if (!bi->pvh || len < sizeof h)
                return;
        memcpy(&h, img, sizeof h);
        if (h.e_entry < GUEST_HIGH_START || h.e_entry >= bi->kernel_end)
                return; /* not a physical entry inside the loaded kernel: keep PVH */
        bi->pvh = false;
        bi->elf64 = true;
        bi->entry = h.e_entry;
}

int boot_elf64_setup(struct guest_mem *m, uint64_t initrd, uint64_t initrd_len,
                     struct kago_err *err)
{
        uint8_t *zp = guest_ptr(m, GUEST_ZERO_PAGE, 4096);
        const char *cmdline = guest_ptr(m, GUEST_CMDLINE, GUEST_CMDLINE_MAX);
        if (!zp || !cmdline)
                return kago_err_set(err, "zero page: guest RAM too small");
        memset(zp, 0, 4096);
        put16(zp, ZP_HDR_BOOT_FLAG, 0xaa55);
        memcpy(zp + ZP_HDR_MAGIC, "HdrS", 4);
        put16(zp, ZP_HDR_VERSION, BOOT_PROTOCOL);
        zp[ZP_HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
        zp[ZP_HDR_LOADFLAGS] = LOADED_HIGH;
        put32(zp, ZP_HDR_CMD_LINE_PTR, (uint32_t)GUEST_CMDLINE);
        put32(zp, ZP_HDR_CMDLINE_SIZE, GUEST_CMDLINE_MAX - 1);
        put32(zp, ZP_HDR_KERNEL_ALIGNMENT, KERNEL_ALIGNMENT);
        put32(zp, ZP_HDR_RAMDISK_IMAGE, (uint32_t)initrd);
        put32(zp, ZP_HDR_RAMDISK_SIZE, (uint32_t)initrd_len);
        put32(zp, ZP_EXT_RAMDISK_IMAGE, (uint32_t)(initrd >> 32));
        put32(zp, ZP_EXT_RAMDISK_SIZE, (uint32_t)(initrd_len >> 32));
        struct e820_entry e[4];
        int n = guest_e820(m, e);
        zp[ZP_E820_ENTRIES] = (uint8_t)n;
        memcpy(zp + ZP_E820_TABLE, e, n * sizeof e[0]);
        boot_write_page_tables(m);
        return 0;
}
