/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Guest physical memory: address translation and the e820 map. */
#include "vm.h"

void *guest_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
        if (gpa < m->low) {
                if (len > m->low - gpa)
                        return NULL;
                return m->host + gpa;
        }
        uint64_t high = m->size - m->low;
        if (gpa < GUEST_4G || gpa - GUEST_4G >= high || len > high - (gpa - GUEST_4G))
                return NULL;
        return m->host + m->low + (gpa - GUEST_4G);
}

int guest_e820(const struct guest_mem *m, struct e820_entry out[4])
{
        int n = 0;
        out[n++] = (struct e820_entry){ 0, GUEST_BASE_RAM_END, E820_RAM };
        out[n++] = (struct e820_entry){ GUEST_BASE_RAM_END, 0x100000 - GUEST_BASE_RAM_END,
                                        E820_RESERVED };
        out[n++] = (struct e820_entry){ GUEST_HIGH_START, m->low - GUEST_HIGH_START, E820_RAM };
        if (m->size > m->low)
                out[n++] = (struct e820_entry){ GUEST_4G, m->size - m->low, E820_RAM };
        return n;
}
