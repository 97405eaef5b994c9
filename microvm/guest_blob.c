/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guest init binary (build/guest/kago-init, built by the Makefile from
 * microvm/guest/init.c), embedded so the VMM can build the initramfs in memory. */
#include <stdint.h>

__asm__(".section .rodata\n"
        ".balign 16\n"
        ".global microvm_guest_init\n"
        "microvm_guest_init:\n"
        ".incbin \"build/guest/kago-init\"\n"
        ".global microvm_guest_init_end\n"
        "microvm_guest_init_end:\n"
        ".byte 0\n"
        ".previous\n");
