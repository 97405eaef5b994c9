/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proves the parts of a microVM snapshot's checks that need no KVM
 * (microvm/snapshot_shape.c): the VM section round trip and its refusals,
 * the CPUID feature comparison that names each bit the guest saw and a host
 * lacks, the TSC tolerance, and the kernel identity (an ELF build ID, else
 * the image's CRC-32 and size).
 */
#include <elf.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../microvm/snap.h"
#include "../../microvm/vm.h"
#include "unit.h"

static void section_bytes(struct bytes *b, const struct bytes *payload)
{
        snap_begin(b);
        snap_section(b, SNAP_TAG_VM, 1, SNAP_REQUIRED, payload->data, payload->len);
}

static void vm_payload(struct bytes *p, uint32_t n_devs, const char *kernel_id)
{
        snap_put_u32(p, 2);
        snap_put_u64(p, 256ull << 20);
        snap_put_u32(p, n_devs);
        for (uint32_t i = 0; i < n_devs && i < 4; i++)
                snap_put_u32(p, 26 + i);
        snap_put_u32(p, 2100000);
        snap_put_u32(p, (uint32_t)strlen(kernel_id));
        bytes_put(p, kernel_id, strlen(kernel_id));
}

static int parse_shape(const struct bytes *p, struct vm_shape *s, struct kago_err *err)
{
        struct bytes b = { 0 };
        struct snap_file f = { 0 };
        section_bytes(&b, p);
        int rc = snap_parse_known(b.data, b.len, &f, err);
        if (rc == 0)
                rc = vm_shape_parse(&f, s, err);
        snap_file_free(&f);
        bytes_free(&b);
        return rc;
}

UNIT_TEST(vm_section_round_trip_and_refusals)
{
        struct bytes p = { 0 };
        struct vm_shape s;
        struct kago_err err = { 0 };
        vm_payload(&p, 3, "build-id 00ff");
        CHECK(parse_shape(&p, &s, &err) == 0);
        CHECK(s.vcpus == 2 && s.memory == 256ull << 20 && s.n_devs == 3);
        CHECK(s.dev_ids[0] == 26 && s.dev_ids[2] == 28 && s.tsc_khz == 2100000);
        CHECK_STR(s.kernel_id, "build-id 00ff");
        for (size_t cut = 0; cut < p.len; cut++) { /* every shorter payload */
                struct bytes q = { 0 };
                bytes_put(&q, p.data, cut);
                CHECK(parse_shape(&q, &s, &err) < 0);
                CHECK_CONTAINS(err.msg, "VM section");
                bytes_free(&q);
        }
        bytes_free(&p);
        vm_payload(&p, VM_MAX_DEVICES + 1, "");
        CHECK(parse_shape(&p, &s, &err) < 0);
        CHECK_CONTAINS(err.msg, "17 devices");
        bytes_free(&p);
}

static struct kvm_cpuid_entry2 leaf(uint32_t fn, uint32_t index, uint32_t ebx, uint32_t ecx)
{
        return (struct kvm_cpuid_entry2){ .function = fn, .index = index, .ebx = ebx, .ecx = ecx };
}

UNIT_TEST(cpuid_names_each_feature_the_host_lacks)
{
        char list[256];
        struct kvm_cpuid_entry2 saved[] = { leaf(7, 0, (1u << 5) | (1u << 9), 0),
                                            leaf(1, 0, 0xffffffff, 1u << 28) };
        struct kvm_cpuid_entry2 same[] = { saved[0], saved[1] };
        CHECK(cpuid_missing(saved, 2, same, 2, list, sizeof list) == 0);
        CHECK_STR(list, "");
        /* leaf 1's ebx is not a feature register: its APIC id may differ */
        struct kvm_cpuid_entry2 host[] = { leaf(7, 0, 1u << 5, 0), leaf(1, 0, 0, 1u << 28) };
        CHECK(cpuid_missing(saved, 2, host, 2, list, sizeof list) == 1);
        CHECK_STR(list, "leaf 0x7.0 ebx bit 9");
        /* a leaf the host has not at all: each of its bits is missing */
        CHECK(cpuid_missing(saved, 2, host + 1, 1, list, sizeof list) == 2);
        CHECK_STR(list, "leaf 0x7.0 ebx bit 5, leaf 0x7.0 ebx bit 9");
        /* more extra bits on the host are fine */
        struct kvm_cpuid_entry2 more[] = { leaf(7, 0, 0xffffffff, 0xffffffff),
                                           leaf(1, 0, 0, 0xffffffff) };
        CHECK(cpuid_missing(saved, 2, more, 2, list, sizeof list) == 0);
}

UNIT_TEST(tsc_tolerance_is_a_thousandth)
{
        CHECK(vm_tsc_close(2000000, 2000000));
        CHECK(vm_tsc_close(2001000, 2000000));
        CHECK(vm_tsc_close(1999000, 2000000));
        CHECK(!vm_tsc_close(2002100, 2000000));
        CHECK(!vm_tsc_close(1000000, 2000000));
}

static int temp_file(const void *data, size_t len)
{
        char path[] = "/tmp/kago-snapshot-test.XXXXXX";
        int fd = mkstemp(path);
        unlink(path);
        CHECK(fd >= 0 && write(fd, data, len) == (ssize_t)len);
        return fd;
}

/* An ELF64 x86_64 image with one PT_NOTE segment holding a GNU build ID. */
static size_t elf_with_build_id(uint8_t *buf, size_t cap)
{
        memset(buf, 0, cap);
        Elf64_Ehdr *h = (Elf64_Ehdr *)buf;
        memcpy(h->e_ident, ELFMAG, SELFMAG);
        h->e_ident[EI_CLASS] = ELFCLASS64;
        h->e_machine = EM_X86_64;
        h->e_phoff = sizeof *h;
        h->e_phentsize = sizeof(Elf64_Phdr);
        h->e_phnum = 1;
        Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof *h);
        size_t note_off = sizeof *h + sizeof *ph;
        Elf64_Nhdr n = { .n_namesz = 4, .n_descsz = 4, .n_type = 3 };
        memcpy(buf + note_off, &n, sizeof n);
        memcpy(buf + note_off + sizeof n, "GNU", 4);
        memcpy(buf + note_off + sizeof n + 4, "\xca\xfe\x00\x42", 4);
        *ph = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = note_off, .p_filesz = sizeof n + 8 };
        return note_off + sizeof n + 8;
}

UNIT_TEST(kernel_identity_is_the_build_id_else_a_crc)
{
        uint8_t img[512];
        char id[VM_KERNEL_ID_MAX];
        struct kago_err err = { 0 };
        int fd = temp_file(img, elf_with_build_id(img, sizeof img));
        CHECK(microvm_kernel_id(fd, id, sizeof id, &err) == 0);
        CHECK_STR(id, "build-id cafe0042");
        close(fd);
        fd = temp_file("123456789", 9);
        CHECK(microvm_kernel_id(fd, id, sizeof id, &err) == 0);
        CHECK_STR(id, "crc32 cbf43926 of 9 bytes");
        close(fd);
        fd = temp_file("", 0);
        CHECK(microvm_kernel_id(fd, id, sizeof id, &err) < 0);
        close(fd);
}

UNIT_MAIN("microvm_snapshot", UNIT(vm_section_round_trip_and_refusals),
          UNIT(cpuid_names_each_feature_the_host_lacks), UNIT(tsc_tolerance_is_a_thousandth),
          UNIT(kernel_identity_is_the_build_id_else_a_crc))
