/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves the microVM boot code without KVM: PVH note parsing and ELF loading,
 * bzImage header checks and zero page, page tables, e820, MP table, cmdline,
 * initrd placement, and guest RAM beyond 3 GiB continuing above 4 GiB in
 * both boot protocols' memory maps. */
#include <elf.h>
#include <string.h>
#include <sys/mman.h>

#include "../../microvm/vm.h"
#include "unit.h"

#define RAM (64u << 20)

static struct guest_mem mem_new(void)
{
        struct guest_mem m = { .host = xcalloc(1, RAM), .size = RAM, .low = RAM };
        return m;
}

/* A minimal x86_64 ELF: one PT_LOAD at 16 MiB and one PT_NOTE with the Xen entry. */
static size_t make_elf(uint8_t *buf, bool with_note, uint64_t paddr, uint64_t memsz)
{
        memset(buf, 0, 4096);
        Elf64_Ehdr *h = (Elf64_Ehdr *)buf;
        memcpy(h->e_ident, ELFMAG, SELFMAG);
        h->e_ident[EI_CLASS] = ELFCLASS64;
        h->e_machine = EM_X86_64;
        h->e_phoff = sizeof *h;
        h->e_phentsize = sizeof(Elf64_Phdr);
        h->e_phnum = 2;
        Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof *h);
        ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = 1024, .p_paddr = paddr,
                              .p_filesz = 16, .p_memsz = memsz };
        memset(buf + 1024, 0xab, 16);
        Elf64_Nhdr n = { .n_namesz = 4, .n_descsz = 4, .n_type = with_note ? 18 : 5 };
        memcpy(buf + 512, &n, sizeof n);
        memcpy(buf + 512 + sizeof n, "Xen", 4);
        uint32_t entry = 0x1000123;
        memcpy(buf + 512 + sizeof n + 4, &entry, 4);
        ph[1] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = 512, .p_filesz = sizeof n + 8 };
        return 2048;
}

UNIT_TEST(pvh_note_and_load)
{
        struct guest_mem m = mem_new();
        static uint8_t img[4096];
        size_t len = make_elf(img, true, 0x1000000, 4096);
        struct kago_err err = { 0 };
        struct boot_info bi;
        CHECK(boot_load_kernel(&m, img, len, &bi, &err) == 0);
        CHECK(bi.pvh && bi.entry == 0x1000123 && bi.kernel_end == 0x1000000 + 4096);
        CHECK(m.host[0x1000000] == 0xab && m.host[0x1000010] == 0);
        free(m.host);
}

/* The same vmlinux entered at its ELF entry (startup_64) with a zero page
 * kago writes from nothing; an entry outside the loaded kernel keeps PVH. */
UNIT_TEST(elf_entry_and_zero_page)
{
        struct guest_mem m = mem_new();
        static uint8_t img[4096];
        size_t len = make_elf(img, true, 0x1000000, 4096);
        struct kago_err err = { 0 };
        struct boot_info bi;
        CHECK(boot_load_kernel(&m, img, len, &bi, &err) == 0);
        boot_elf64_enter(&bi, img, len); /* e_entry is 0: not in the kernel */
        CHECK(bi.pvh && !bi.elf64);
        ((Elf64_Ehdr *)img)->e_entry = 0x1000200;
        boot_elf64_enter(&bi, img, len);
        CHECK(!bi.pvh && bi.elf64 && bi.entry == 0x1000200);
        CHECK(boot_write_cmdline(&m, "quiet", &err) == 0);
        CHECK(boot_elf64_setup(&m, 0x3000000, 8192, &err) == 0);
        uint8_t *zp = m.host + GUEST_ZERO_PAGE;
        uint32_t v;
        CHECK(memcmp(zp + 0x202, "HdrS", 4) == 0 && zp[0x1fe] == 0x55 && zp[0x1ff] == 0xaa);
        CHECK(zp[0x210] == 0xff && (zp[0x211] & 1) && zp[0x1e8] == 3);
        memcpy(&v, zp + 0x228, 4);
        CHECK(v == GUEST_CMDLINE);
        memcpy(&v, zp + 0x218, 4);
        CHECK(v == 0x3000000);
        memcpy(&v, zp + 0x21c, 4);
        CHECK(v == 8192);
        free(m.host);
}

UNIT_TEST(pvh_without_note_is_an_error)
{
        struct guest_mem m = mem_new();
        static uint8_t img[4096];
        size_t len = make_elf(img, false, 0x1000000, 4096);
        struct kago_err err = { 0 };
        struct boot_info bi;
        CHECK(boot_load_kernel(&m, img, len, &bi, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "no PVH entry note");
        free(m.host);
}

UNIT_TEST(kernel_too_big_for_ram)
{
        struct guest_mem m = mem_new();
        static uint8_t img[4096];
        size_t len = make_elf(img, true, 0x1000000, RAM);
        struct kago_err err = { 0 };
        struct boot_info bi;
        CHECK(boot_load_kernel(&m, img, len, &bi, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "does not fit in 64 MiB of guest RAM");
        free(m.host);
}

UNIT_TEST(truncated_elf_and_non_kernel)
{
        struct guest_mem m = mem_new();
        static uint8_t img[4096];
        make_elf(img, true, 0x1000000, 4096);
        struct kago_err err = { 0 };
        struct boot_info bi;
        CHECK(boot_load_kernel(&m, img, 100, &bi, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "program headers out of bounds");
        CHECK(boot_load_kernel(&m, (const uint8_t *)"#!/bin/sh\necho hi\n", 18, &bi, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "not a kernel image");
        free(m.host);
}

static size_t make_bzimage(uint8_t *buf, uint16_t version, uint8_t xlf)
{
        size_t len = 5 * 512 + 8192;
        memset(buf, 0, len);
        buf[0x1f1] = 4; /* setup_sects */
        buf[0x1fe] = 0x55, buf[0x1ff] = 0xaa;
        buf[0x200] = 0xeb, buf[0x201] = 0x6a; /* jump: header ends at 0x26c */
        memcpy(buf + 0x202, "HdrS", 4);
        buf[0x206] = (uint8_t)version, buf[0x207] = (uint8_t)(version >> 8);
        buf[0x236] = xlf;
        uint32_t cmdline_size = 2048, init_size = 1 << 20;
        memcpy(buf + 0x238, &cmdline_size, 4);
        memcpy(buf + 0x260, &init_size, 4);
        uint64_t pref = 0x1000000;
        memcpy(buf + 0x258, &pref, 8);
        buf[5 * 512] = 0xcd;
        return len;
}

UNIT_TEST(bzimage_load_and_zero_page)
{
        struct guest_mem m = mem_new();
        static uint8_t img[16384];
        size_t len = make_bzimage(img, 0x020f, 1);
        struct kago_err err = { 0 };
        struct boot_info bi;
        CHECK(boot_load_kernel(&m, img, len, &bi, &err) == 0);
        CHECK(!bi.pvh && bi.entry == 0x1000200 && bi.kernel_end == 0x1000000 + (1 << 20));
        CHECK(m.host[0x1000000] == 0xcd);
        CHECK(boot_write_cmdline(&m, "console=ttyS0", &err) == 0);
        CHECK(boot_bzimage_setup(&m, img, len, 0x2000000, 4096, &err) == 0);
        uint8_t *zp = m.host + GUEST_ZERO_PAGE;
        uint32_t v;
        memcpy(&v, zp + 0x228, 4);
        CHECK(v == GUEST_CMDLINE);
        memcpy(&v, zp + 0x218, 4);
        CHECK(v == 0x2000000);
        CHECK(zp[0x210] == 0xff && zp[0x1e8] == 3 && memcmp(zp + 0x202, "HdrS", 4) == 0);
        uint64_t pd;
        memcpy(&pd, m.host + GUEST_PD + 8 * 3, 8);
        CHECK(pd == ((3ull << 21) | 0x83));
        memcpy(&pd, m.host + GUEST_PML4, 8);
        CHECK(pd == (GUEST_PDPT | 3));
        free(m.host);
}

UNIT_TEST(bzimage_old_or_32bit_is_an_error)
{
        struct guest_mem m = mem_new();
        static uint8_t img[16384];
        struct kago_err err = { 0 };
        struct boot_info bi;
        size_t len = make_bzimage(img, 0x020a, 1);
        CHECK(boot_load_kernel(&m, img, len, &bi, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "boot protocol 2.10");
        len = make_bzimage(img, 0x020f, 0);
        CHECK(boot_load_kernel(&m, img, len, &bi, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "32-bit-only kernel");
        free(m.host);
}

UNIT_TEST(e820_low_and_high)
{
        struct guest_mem m = { .size = 4ull << 30, .low = GUEST_LOW_RAM_MAX };
        struct e820_entry e[4];
        CHECK(guest_e820(&m, e) == 4);
        CHECK(e[2].addr == GUEST_HIGH_START && e[2].addr + e[2].size == GUEST_LOW_RAM_MAX);
        CHECK(e[3].addr == GUEST_4G && e[3].size == (1ull << 30));
        CHECK(e[1].type == E820_RESERVED && e[0].size == GUEST_BASE_RAM_END);
}

/* 3.5 GiB as the VMM maps it (lazily: only the pages touched are real). */
#define BIG_RAM (3584ull << 20)
static struct guest_mem mem_big(void)
{
        void *p = mmap(NULL, BIG_RAM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                       -1, 0);
        struct guest_mem m = { .host = p == MAP_FAILED ? NULL : p, .size = BIG_RAM,
                               .low = GUEST_LOW_RAM_MAX };
        return m;
}

static bool e820_is_split(const struct e820_entry *e, int n)
{
        return n == 4 && e[2].addr == GUEST_HIGH_START && e[2].addr + e[2].size == GUEST_LOW_RAM_MAX &&
               e[2].type == E820_RAM && e[3].addr == GUEST_4G &&
               e[3].size == BIG_RAM - GUEST_LOW_RAM_MAX && e[3].type == E820_RAM;
}

UNIT_TEST(ram_above_4g_in_both_memory_maps)
{
        struct guest_mem m = mem_big();
        CHECK(m.host != NULL);
        struct kago_err err = { 0 };
        /* the 32-bit hole (MMIO devices, IOAPIC, LAPIC) is not RAM; 4 GiB is the rest */
        CHECK(guest_ptr(&m, GUEST_LOW_RAM_MAX - 8, 8) == m.host + GUEST_LOW_RAM_MAX - 8);
        CHECK(guest_ptr(&m, GUEST_MMIO_BASE, 4) == NULL && guest_ptr(&m, GUEST_IOAPIC, 4) == NULL);
        CHECK(guest_ptr(&m, GUEST_4G, 8) == m.host + GUEST_LOW_RAM_MAX);
        CHECK(guest_ptr(&m, GUEST_4G + BIG_RAM - GUEST_LOW_RAM_MAX - 8, 8) == m.host + BIG_RAM - 8);
        CHECK(guest_ptr(&m, GUEST_4G + BIG_RAM - GUEST_LOW_RAM_MAX, 1) == NULL);
        /* PVH: hvm_start_info's memory map */
        CHECK(boot_pvh_setup(&m, 0, 0, &err) == 0);
        uint32_t n_pvh;
        memcpy(&n_pvh, m.host + GUEST_START_INFO + 0x30, 4); /* memmap_entries */
        struct e820_entry e[4];
        for (int i = 0; i < 4; i++) { /* hvm_memmap_entry: addr, size, type, reserved */
                memcpy(&e[i].addr, m.host + GUEST_MEMMAP + 24 * i, 8);
                memcpy(&e[i].size, m.host + GUEST_MEMMAP + 24 * i + 8, 8);
                memcpy(&e[i].type, m.host + GUEST_MEMMAP + 24 * i + 16, 4);
        }
        CHECK(e820_is_split(e, (int)n_pvh));
        /* bzImage: the zero page's e820 table */
        static uint8_t img[16384];
        size_t len = make_bzimage(img, 0x020f, 1);
        CHECK(boot_write_cmdline(&m, "console=ttyS0", &err) == 0);
        CHECK(boot_bzimage_setup(&m, img, len, 0x2000000, 4096, &err) == 0);
        uint8_t *zp = m.host + GUEST_ZERO_PAGE;
        memcpy(e, zp + 0x2d0, sizeof e);
        CHECK(e820_is_split(e, zp[0x1e8]));
        /* the initrd stays below 2 GiB, where every kernel can reach it */
        uint64_t gpa;
        uint8_t data[64] = { 9 };
        CHECK(boot_place_initrd(&m, 0x2000000, data, sizeof data, &gpa, &err) == 0);
        CHECK(gpa + sizeof data <= 0x80000000ull && m.host[gpa] == 9);
        munmap(m.host, BIG_RAM);
}

UNIT_TEST(guest_ptr_bounds)
{
        uint8_t buf[64];
        struct guest_mem m = { .host = buf, .size = 64, .low = 32 };
        CHECK(guest_ptr(&m, 0, 32) == buf);
        CHECK(guest_ptr(&m, 0, 33) == NULL);
        CHECK(guest_ptr(&m, 32, 1) == NULL);
        CHECK(guest_ptr(&m, GUEST_4G, 32) == buf + 32);
        CHECK(guest_ptr(&m, GUEST_4G + 1, 32) == NULL);
        CHECK(guest_ptr(&m, UINT64_MAX, 2) == NULL);
}

UNIT_TEST(mptable_checksums)
{
        struct guest_mem m = mem_new();
        struct kago_err err = { 0 };
        CHECK(mptable_write(&m, 4, &err) == 0);
        uint8_t *f = m.host + GUEST_MPTABLE, s = 0;
        CHECK(memcmp(f, "_MP_", 4) == 0);
        for (int i = 0; i < 16; i++)
                s += f[i];
        CHECK(s == 0);
        uint8_t *c = f + 16;
        CHECK(memcmp(c, "PCMP", 4) == 0);
        uint16_t len, count;
        memcpy(&len, c + 4, 2);
        memcpy(&count, c + 34, 2);
        s = 0;
        for (int i = 0; i < len; i++)
                s += c[i];
        CHECK(s == 0 && count == 4 + 1 + 1 + 24 + 2);
        CHECK(c[44] == 0 && c[44 + 1] == 0 && c[44 + 3] == 3); /* CPU 0: enabled, BSP */
        CHECK(mptable_write(&m, 0, &err) < 0);
        free(m.host);
}

UNIT_TEST(cmdline_and_initrd)
{
        struct guest_mem m = mem_new();
        struct kago_err err = { 0 };
        char big[GUEST_CMDLINE_MAX + 1];
        memset(big, 'a', sizeof big - 1);
        big[sizeof big - 1] = 0;
        CHECK(boot_write_cmdline(&m, big, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "kernel command line is 4096 bytes");
        uint64_t gpa;
        uint8_t data[100] = { 7 };
        CHECK(boot_place_initrd(&m, 0x2000000, data, sizeof data, &gpa, &err) == 0);
        CHECK(gpa == ((RAM - 100) & ~0xfffull) && m.host[gpa] == 7);
        CHECK(boot_place_initrd(&m, RAM - 10, data, sizeof data, &gpa, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "does not fit");
        free(m.host);
}

UNIT_MAIN("microvm_boot", UNIT(pvh_note_and_load), UNIT(elf_entry_and_zero_page),
          UNIT(pvh_without_note_is_an_error),
          UNIT(kernel_too_big_for_ram), UNIT(truncated_elf_and_non_kernel),
          UNIT(bzimage_load_and_zero_page), UNIT(bzimage_old_or_32bit_is_an_error),
          UNIT(e820_low_and_high), UNIT(ram_above_4g_in_both_memory_maps), UNIT(guest_ptr_bounds), UNIT(mptable_checksums),
          UNIT(cmdline_and_initrd))
