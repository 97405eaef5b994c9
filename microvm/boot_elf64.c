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

#define ZP_HDR_BOOT_FLAG 0x1fe
#define ZP_HDR_MAGIC 0x202
#define ZP_HDR_VERSION 0x206
#define ZP_HDR_KERNEL_ALIGNMENT 0x230
#define ZP_HDR_CMDLINE_SIZE 0x238
#define BOOT_PROTOCOL 0x020c
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
        put32(zp, ZP_HDR_CMDLINE_SIZE, GUEST_CMDLINE_MAX - 1);
        put32(zp, ZP_HDR_KERNEL_ALIGNMENT, KERNEL_ALIGNMENT);
        boot_zero_page_fill(m, zp, initrd, initrd_len);
        boot_write_page_tables(m);
        return 0;
}
