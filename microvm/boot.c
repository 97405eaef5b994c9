/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the boot protocols share: format detection, cmdline, GDT, page
 * tables, the zero page's loader fields, initrd placement. */
#include <inttypes.h>
#include <string.h>

#include "vm.h"

int boot_load_kernel(struct guest_mem *m, const uint8_t *img, size_t len, struct boot_info *bi,
                     struct kago_err *err)
{
        if (len >= 4 && memcmp(img, "\177ELF", 4) == 0)
                return boot_pvh_load(m, img, len, bi, err);
        if (len >= 0x206 && memcmp(img + 0x202, "HdrS", 4) == 0)
                return boot_bzimage_load(m, img, len, bi, err);
        return kago_err_set(err, "not a kernel image (neither an ELF vmlinux nor a bzImage)");
}

int boot_write_cmdline(struct guest_mem *m, const char *cmdline, struct kago_err *err)
{
        size_t n = strlen(cmdline) + 1;
        if (n > GUEST_CMDLINE_MAX)
                return kago_err_set(err, "kernel command line is %zu bytes, the limit is %d", n - 1,
                                    GUEST_CMDLINE_MAX - 1);
        memcpy(guest_ptr(m, GUEST_CMDLINE, n), cmdline, n);
        return 0;
}

/* Flat segments: 2 = code (64-bit when lm, else 32-bit), 3 = data. */
void boot_write_gdt(struct guest_mem *m, bool lm)
{
        uint64_t gdt[4] = { 0, 0, lm ? 0x00af9b000000ffffull : 0x00cf9b000000ffffull,
                            0x00cf93000000ffffull };
        memcpy(guest_ptr(m, GUEST_GDT, sizeof gdt), gdt, sizeof gdt);
}

/* Identity map of the first 4 GiB with 2 MiB pages. */
void boot_write_page_tables(struct guest_mem *m)
{
        uint64_t *pml4 = guest_ptr(m, GUEST_PML4, 4096);
        uint64_t *pdpt = guest_ptr(m, GUEST_PDPT, 4096);
        uint64_t *pd = guest_ptr(m, GUEST_PD, 4 * 4096);
        memset(pml4, 0, 4096);
        memset(pdpt, 0, 4096);
        pml4[0] = GUEST_PDPT | 3;
        for (uint64_t i = 0; i < 4; i++)
                pdpt[i] = (GUEST_PD + i * 4096) | 3;
        for (uint64_t i = 0; i < 4 * 512; i++)
                pd[i] = (i << 21) | 0x83; /* present, writable, 2 MiB */
}

static void put32(uint8_t *p, uint32_t v)
{
        memcpy(p, &v, 4);
}

void boot_zero_page_fill(const struct guest_mem *m, uint8_t *zp, uint64_t initrd,
                         uint64_t initrd_len)
{
        zp[ZP_TYPE_OF_LOADER] = 0xff;
        zp[ZP_LOADFLAGS] |= ZP_LOADED_HIGH;
        put32(zp + ZP_CMD_LINE_PTR, (uint32_t)GUEST_CMDLINE);
        put32(zp + ZP_RAMDISK_IMAGE, (uint32_t)initrd);
        put32(zp + ZP_RAMDISK_SIZE, (uint32_t)initrd_len);
        put32(zp + ZP_EXT_RAMDISK_IMAGE, (uint32_t)(initrd >> 32));
        put32(zp + ZP_EXT_RAMDISK_SIZE, (uint32_t)(initrd_len >> 32));
        struct e820_entry e[4];
        int n = guest_e820(m, e);
        zp[ZP_E820_ENTRIES] = (uint8_t)n;
        memcpy(zp + ZP_E820_TABLE, e, n * sizeof e[0]);
}

int boot_place_initrd(struct guest_mem *m, uint64_t kernel_end, const uint8_t *data, size_t len,
                      uint64_t *gpa, struct kago_err *err)
{
        uint64_t top = m->low < 0x80000000ull ? m->low : 0x80000000ull;
        if (len > top || ((top - len) & ~0xfffull) < kernel_end)
                return kago_err_set(err, "initramfs (%zu KiB) does not fit in guest RAM above the "
                                    "kernel (%" PRIu64 " MiB): give the VM more memory",
                                    len >> 10, m->size >> 20);
        *gpa = (top - len) & ~0xfffull;
        memcpy(guest_ptr(m, *gpa, len), data, len);
        return 0;
}
