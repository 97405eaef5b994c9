/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Intel MultiProcessor table (spec 1.4): how a kernel without ACPI learns
 * the vCPUs, the IOAPIC and the ISA interrupt routing. Written at the end
 * of base memory, where Linux looks for the floating pointer.
 */
#include <string.h>

#include "vm.h"

#define MP_IOAPIC_PINS 24
#define APIC_VERSION 0x14
#define IOAPIC_VERSION 0x11

struct mpf {
        char sig[4];
        uint32_t physptr;
        uint8_t length, spec_rev, checksum, feature[5];
} __attribute__((packed));

struct mpc {
        char sig[4];
        uint16_t length;
        uint8_t spec_rev, checksum;
        char oem[8], product[12];
        uint32_t oem_ptr;
        uint16_t oem_size, count;
        uint32_t lapic;
        uint16_t ext_length;
        uint8_t ext_checksum, reserved;
} __attribute__((packed));

struct mpc_cpu {
        uint8_t type, apicid, apicver, flags;
        uint32_t signature, features, reserved[2];
} __attribute__((packed));

struct mpc_bus {
        uint8_t type, id;
        char name[6];
} __attribute__((packed));

struct mpc_ioapic {
        uint8_t type, id, version, flags;
        uint32_t addr;
} __attribute__((packed));

struct mpc_intsrc {
        uint8_t type, irqtype;
        uint16_t irqflag;
        uint8_t srcbus, srcbusirq, dstapic, dstirq;
} __attribute__((packed));

enum { MP_CPU, MP_BUS, MP_IOAPIC, MP_INTSRC, MP_LINTSRC };
enum { MP_INT, MP_NMI, MP_SMI, MP_EXTINT };

static uint8_t checksum(const void *p, size_t n)
{
        uint8_t s = 0;
        for (size_t i = 0; i < n; i++)
                s += ((const uint8_t *)p)[i];
        return (uint8_t)-s;
}

static size_t mp_size(unsigned ncpus)
{
        return sizeof(struct mpf) + sizeof(struct mpc) + ncpus * sizeof(struct mpc_cpu) +
               sizeof(struct mpc_bus) + sizeof(struct mpc_ioapic) +
               (MP_IOAPIC_PINS + 2) * sizeof(struct mpc_intsrc);
}

static uint8_t *mp_entries(uint8_t *p, unsigned ncpus, uint16_t *count)
{
        uint8_t ioapic = (uint8_t)ncpus;
        for (unsigned i = 0; i < ncpus; i++, p += sizeof(struct mpc_cpu))
                *(struct mpc_cpu *)p = (struct mpc_cpu){
                        .type = MP_CPU, .apicid = (uint8_t)i, .apicver = APIC_VERSION,
                        .flags = 1 | (i == 0 ? 2 : 0), .signature = 0x600, .features = 0x201 };
        *(struct mpc_bus *)p = (struct mpc_bus){ .type = MP_BUS, .id = 0, .name = "ISA   " };
        p += sizeof(struct mpc_bus);
        *(struct mpc_ioapic *)p = (struct mpc_ioapic){ .type = MP_IOAPIC, .id = ioapic,
                                                       .version = IOAPIC_VERSION, .flags = 1,
                                                       .addr = (uint32_t)GUEST_IOAPIC };
        p += sizeof(struct mpc_ioapic);
        for (uint8_t pin = 0; pin < MP_IOAPIC_PINS; pin++, p += sizeof(struct mpc_intsrc))
                *(struct mpc_intsrc *)p = (struct mpc_intsrc){
                        .type = MP_INTSRC, .irqtype = MP_INT, .srcbusirq = pin,
                        .dstapic = ioapic, .dstirq = pin };
        *(struct mpc_intsrc *)p = (struct mpc_intsrc){ .type = MP_LINTSRC, .irqtype = MP_EXTINT,
                                                       .dstapic = 0xff, .dstirq = 0 };
        p += sizeof(struct mpc_intsrc);
        *(struct mpc_intsrc *)p = (struct mpc_intsrc){ .type = MP_LINTSRC, .irqtype = MP_NMI,
                                                       .dstapic = 0xff, .dstirq = 1 };
        p += sizeof(struct mpc_intsrc);
        *count = (uint16_t)(ncpus + 1 + 1 + MP_IOAPIC_PINS + 2);
        return p;
}

int mptable_write(struct guest_mem *m, unsigned ncpus, struct kago_err *err)
{
        if (ncpus < 1 || ncpus > MICROVM_VCPUS_MAX)
                return kago_err_set(err, "MP table: %u vCPUs out of range", ncpus);
        size_t size = mp_size(ncpus);
        if (GUEST_MPTABLE + size > 0xa0000)
                return kago_err_set(err, "MP table for %u vCPUs does not fit below 640 KiB", ncpus);
        uint8_t *base = guest_ptr(m, GUEST_MPTABLE, size);
        memset(base, 0, size);
        struct mpf *f = (struct mpf *)base;
        struct mpc *c = (struct mpc *)(f + 1);
        uint16_t count;
        uint8_t *end = mp_entries((uint8_t *)(c + 1), ncpus, &count);
        memcpy(c->sig, "PCMP", 4);
        memcpy(c->oem, "KAGO    ", 8);
        memcpy(c->product, "MICROVM     ", 12);
        c->length = (uint16_t)(end - (uint8_t *)c);
        c->spec_rev = 4;
        c->count = count;
        c->lapic = (uint32_t)GUEST_LAPIC;
        c->checksum = checksum(c, c->length);
        memcpy(f->sig, "_MP_", 4);
        f->physptr = (uint32_t)(GUEST_MPTABLE + sizeof *f);
        f->length = 1;
        f->spec_rev = 4;
        f->checksum = checksum(f, sizeof *f);
        return 0;
}
