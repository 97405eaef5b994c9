/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PVH boot: an uncompressed ELF vmlinux whose Xen note XEN_ELFNOTE_PHYS32_ENTRY
 * gives a 32-bit entry; the kernel finds the command line, the initrd and
 * the memory map through struct hvm_start_info (pointer in %ebx).
 */
#include <elf.h>
#include <inttypes.h>
#include <string.h>

#include "vm.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define HVM_START_MAGIC 0x336ec578

struct hvm_start_info {
        uint32_t magic, version, flags, nr_modules;
        uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
        uint32_t memmap_entries, reserved;
};
struct hvm_modlist_entry {
        uint64_t paddr, size, cmdline_paddr, reserved;
};
struct hvm_memmap_entry {
        uint64_t addr, size;
        uint32_t type, reserved;
};

/* The ELF header of a well-formed x86_64 ELF64 image, or NULL with err set. */
static const Elf64_Ehdr *elf_check(const uint8_t *img, size_t len, struct kago_err *err)
{
        if (len < sizeof(Elf64_Ehdr)) {
                kago_err_set(err, "ELF kernel: truncated header");
                return NULL;
        }
        const Elf64_Ehdr *h = (const Elf64_Ehdr *)img;
        if (h->e_ident[EI_CLASS] != ELFCLASS64 || h->e_machine != EM_X86_64) {
                kago_err_set(err, "ELF kernel: not an x86_64 ELF64 image");
                return NULL;
        }
        if (h->e_phentsize != sizeof(Elf64_Phdr) || h->e_phoff > len ||
            (uint64_t)h->e_phnum * sizeof(Elf64_Phdr) > len - h->e_phoff) {
                kago_err_set(err, "ELF kernel: program headers out of bounds");
                return NULL;
        }
        return h;
}

/* The note (owner, type) in one note segment: 1 with its descriptor, 0 none, -1 malformed. */
static int note_in_segment(const uint8_t *p, uint64_t size, const char *owner, uint32_t type,
                           struct elf_note *out)
{
        uint64_t off = 0, owner_len = strlen(owner) + 1;
        while (size - off >= sizeof(Elf64_Nhdr)) {
                Elf64_Nhdr n;
                memcpy(&n, p + off, sizeof n);
                uint64_t name = off + sizeof n, desc = name + ((n.n_namesz + 3ull) & ~3ull);
                uint64_t next = desc + ((n.n_descsz + 3ull) & ~3ull);
                if (next > size)
                        return -1;
                if (n.n_type == type && n.n_namesz == owner_len &&
                    memcmp(p + name, owner, owner_len) == 0) {
                        *out = (struct elf_note){ p + desc, n.n_descsz };
                        return 1;
                }
                off = next;
        }
        return 0;
}

int elf_find_note(const uint8_t *img, size_t len, const char *owner, uint32_t type,
                  struct elf_note *out, struct kago_err *err)
{
        const Elf64_Ehdr *h = elf_check(img, len, err);
        if (!h)
                return -1;
        const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + h->e_phoff);
        for (unsigned i = 0; i < h->e_phnum; i++) {
                if (ph[i].p_type != PT_NOTE)
                        continue;
                if (ph[i].p_offset > len || ph[i].p_filesz > len - ph[i].p_offset)
                        return kago_err_set(err, "ELF kernel: note segment %u out of bounds", i);
                int rc = note_in_segment(img + ph[i].p_offset, ph[i].p_filesz, owner, type, out);
                if (rc < 0)
                        return kago_err_set(err, "ELF kernel: malformed note in segment %u", i);
                if (rc > 0)
                        return 1;
        }
        return 0;
}

int boot_pvh_find_entry(const uint8_t *img, size_t len, uint64_t *entry, struct kago_err *err)
{
        struct elf_note n;
        int rc = elf_find_note(img, len, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &n, err);
        if (rc <= 0)
                return rc;
        if (n.len == 4) {
                uint32_t e32;
                memcpy(&e32, n.desc, 4);
                *entry = e32;
        } else if (n.len == 8) {
                memcpy(entry, n.desc, 8);
        } else {
                return 0;
        }
        return 1;
}

int boot_pvh_load(struct guest_mem *m, const uint8_t *img, size_t len, struct boot_info *bi,
                  struct kago_err *err)
{
        uint64_t entry;
        int rc = boot_pvh_find_entry(img, len, &entry, err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return kago_err_set(err, "ELF kernel has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): "
                                    "build it with CONFIG_PVH=y or boot its bzImage");
        const Elf64_Ehdr *h = elf_check(img, len, err); /* checked by find_entry */
        if (!h)
                return -1;
        const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + h->e_phoff);
        uint64_t end = 0;
        for (unsigned i = 0; i < h->e_phnum; i++) {
                const Elf64_Phdr *p = &ph[i];
                if (p->p_type != PT_LOAD)
                        continue;
                if (p->p_offset > len || p->p_filesz > len - p->p_offset || p->p_filesz > p->p_memsz)
                        return kago_err_set(err, "ELF kernel: segment %u out of bounds", i);
                uint8_t *dst = guest_ptr(m, p->p_paddr, p->p_memsz);
                if (!dst || p->p_paddr < GUEST_HIGH_START)
                        return kago_err_set(err, "ELF kernel: segment %u (0x%" PRIx64 "+%" PRIu64
                                            " KiB) does not fit in %" PRIu64 " MiB of guest RAM",
                                            i, (uint64_t)p->p_paddr, (uint64_t)p->p_memsz >> 10,
                                            m->size >> 20);
                memcpy(dst, img + p->p_offset, p->p_filesz);
                memset(dst + p->p_filesz, 0, p->p_memsz - p->p_filesz);
                if (p->p_paddr + p->p_memsz > end)
                        end = p->p_paddr + p->p_memsz;
        }
        if (!end)
                return kago_err_set(err, "ELF kernel has no loadable segment");
        *bi = (struct boot_info){ .pvh = true, .entry = entry, .kernel_end = end };
        return 0;
}

int boot_pvh_setup(struct guest_mem *m, uint64_t initrd, uint64_t initrd_len, struct kago_err *err)
{
        (void)err;
        struct e820_entry e[4];
        int n = guest_e820(m, e);
        struct hvm_memmap_entry *mm = guest_ptr(m, GUEST_MEMMAP, n * sizeof *mm);
        for (int i = 0; i < n; i++)
                mm[i] = (struct hvm_memmap_entry){ e[i].addr, e[i].size, e[i].type, 0 };
        struct hvm_start_info *si = guest_ptr(m, GUEST_START_INFO, 0x100);
        struct hvm_modlist_entry *mod = (struct hvm_modlist_entry *)(si + 1);
        *si = (struct hvm_start_info){
                .magic = HVM_START_MAGIC, .version = 1, .cmdline_paddr = GUEST_CMDLINE,
                .memmap_paddr = GUEST_MEMMAP, .memmap_entries = (uint32_t)n,
        };
        if (initrd_len) {
                *mod = (struct hvm_modlist_entry){ .paddr = initrd, .size = initrd_len };
                si->nr_modules = 1;
                si->modlist_paddr = GUEST_START_INFO + sizeof *si;
        }
        return 0;
}
