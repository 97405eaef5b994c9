/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bzImage boot through the 64-bit entry (boot protocol >= 2.12 with
 * XLF_KERNEL_64): the protected-mode kernel is loaded at its preferred
 * address and entered at +0x200 in long mode with %rsi = the zero page,
 * which carries the setup header, the e820 map, the cmdline and the initrd.
 * The 16-bit real-mode setup code is skipped.
 */
#include <inttypes.h>
#include <string.h>

#include "vm.h"

#define HDR_SETUP_SECTS 0x1f1
#define HDR_BOOT_FLAG 0x1fe
#define HDR_JUMP 0x200
#define HDR_VERSION 0x206
#define HDR_HEAP_END_PTR 0x224
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE 0x234
#define HDR_XLOADFLAGS 0x236
#define HDR_CMDLINE_SIZE 0x238
#define HDR_PREF_ADDRESS 0x258
#define HDR_INIT_SIZE 0x260
#define XLF_KERNEL_64 1
#define CAN_USE_HEAP 0x80
#define BZ_MIN_VERSION 0x020c
#define BZ_DEFAULT_LOAD 0x1000000ull

static uint32_t rd32(const uint8_t *p)
{
        uint32_t v;
        memcpy(&v, p, 4);
        return v;
}

static int bz_check(const uint8_t *img, size_t len, struct kago_err *err)
{
        if (len < HDR_INIT_SIZE + 4 || img[HDR_BOOT_FLAG] != 0x55 || img[HDR_BOOT_FLAG + 1] != 0xaa)
                return kago_err_set(err, "bzImage: truncated or missing boot sector signature");
        uint16_t version = (uint16_t)(img[HDR_VERSION] | img[HDR_VERSION + 1] << 8);
        if (version < BZ_MIN_VERSION)
                return kago_err_set(err, "bzImage: boot protocol %u.%02u, kago needs 2.12 or later",
                                    version >> 8, version & 0xff);
        if (!(img[HDR_XLOADFLAGS] & XLF_KERNEL_64))
                return kago_err_set(err, "bzImage: no 64-bit entry point (XLF_KERNEL_64): a "
                                    "32-bit-only kernel cannot be booted by kago");
        return 0;
}

static uint64_t bz_setup_size(const uint8_t *img)
{
        unsigned sects = img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4;
        return (sects + 1ull) * 512;
}

static uint64_t bz_load_addr(const uint8_t *img)
{
        uint64_t pref;
        memcpy(&pref, img + HDR_PREF_ADDRESS, 8);
        return pref >= GUEST_HIGH_START ? pref : BZ_DEFAULT_LOAD;
}

int boot_bzimage_load(struct guest_mem *m, const uint8_t *img, size_t len, struct boot_info *bi,
                      struct kago_err *err)
{
        if (bz_check(img, len, err) < 0)
                return -1;
        uint64_t setup = bz_setup_size(img), load = bz_load_addr(img);
        if (setup >= len)
                return kago_err_set(err, "bzImage: setup (%" PRIu64 " bytes) exceeds the file", setup);
        uint64_t size = len - setup, need = rd32(img + HDR_INIT_SIZE);
        if (need < size)
                need = size;
        uint8_t *dst = guest_ptr(m, load, need);
        if (!dst)
                return kago_err_set(err, "bzImage: kernel needs %" PRIu64 " MiB at 0x%" PRIx64
                                    ", more than %" PRIu64 " MiB of guest RAM",
                                    need >> 20, load, m->size >> 20);
        memcpy(dst, img + setup, size);
        *bi = (struct boot_info){ .pvh = false, .entry = load + 0x200, .kernel_end = load + need };
        return 0;
}

int boot_bzimage_setup(struct guest_mem *m, const uint8_t *img, size_t len, uint64_t initrd,
                       uint64_t initrd_len, struct kago_err *err)
{
        if (bz_check(img, len, err) < 0)
                return -1;
        uint8_t *zp = guest_ptr(m, GUEST_ZERO_PAGE, 4096);
        memset(zp, 0, 4096);
        size_t hdr_end = HDR_JUMP + 2 + img[HDR_JUMP + 1];
        if (hdr_end > len || hdr_end > 4096)
                return kago_err_set(err, "bzImage: setup header out of bounds");
        memcpy(zp + HDR_SETUP_SECTS, img + HDR_SETUP_SECTS, hdr_end - HDR_SETUP_SECTS);
        uint32_t cmdline_max = rd32(img + HDR_CMDLINE_SIZE);
        const char *cmdline = guest_ptr(m, GUEST_CMDLINE, 1);
        if (cmdline_max && strnlen(cmdline, GUEST_CMDLINE_MAX) > cmdline_max)
                return kago_err_set(err, "kernel command line exceeds this kernel's %u bytes",
                                    cmdline_max);
        boot_zero_page_fill(m, zp, initrd, initrd_len);
        zp[ZP_LOADFLAGS] |= CAN_USE_HEAP;
        zp[HDR_HEAP_END_PTR] = 0x00, zp[HDR_HEAP_END_PTR + 1] = 0xfe;
        boot_write_page_tables(m);
        return 0;
}
