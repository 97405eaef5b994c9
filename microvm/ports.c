/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Port I/O from the guest: COM1, kago's paravirtual status and boot-timer
 * ports, and the i8042 reset line (the kernel's reboot=k path). Every other
 * port reads as all ones and ignores writes, like an empty ISA bus.
 */
#include <string.h>

#include "guest_proto.h"
#include "vm.h"

#define COM1 0x3f8
#define I8042_COMMAND 0x64
#define I8042_RESET 0xfe
#define STATUS_INIT_FAILED 0x100

static void port_status(struct vm *vm, uint32_t v)
{
        if (v & STATUS_INIT_FAILED) {
                struct kago_err e = { 0 };
                kago_err_set(&e, "guest init could not start the workload (its message is on stderr)");
                vm_request_stop(vm, VM_STOP_INIT_FAILED, (int)(v & 0xff), &e);
                return;
        }
        vm_request_stop(vm, VM_STOP_STATUS, (int)(v & 0xff), NULL);
}

static void port_ready(struct vm *vm)
{
        bool was = atomic_exchange(&vm->ready, true);
        if (was)
                return;
        vm->exits_at_ready = atomic_load(&vm->exits);
        vm->ns_at_ready = vm_now_ns() - vm->t0_ns;
        if (vm->stop_at_ready)
                vm_request_stop(vm, VM_STOP_STATUS, 0, NULL);
        vm_wake_host(vm);
}

void vm_port_io(struct vm *vm, uint16_t port, uint8_t *data, unsigned size, bool write)
{
        if (port >= COM1 && port < COM1 + 8 && vm->serial_on && size == 1) {
                serial_io(&vm->serial, port, data, write);
                return;
        }
        if (!write) {
                memset(data, port == I8042_COMMAND ? 0 : 0xff, size);
                return;
        }
        if (port == KAGO_PORT_STATUS && size == 4) {
                uint32_t v;
                memcpy(&v, data, 4);
                port_status(vm, v);
        } else if (port == KAGO_PORT_READY) {
                port_ready(vm);
        } else if (port == I8042_COMMAND && size == 1 && *data == I8042_RESET) {
                vm_request_stop(vm, VM_STOP_RESET, 0, NULL);
        }
}
