/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vCPUs: creation, CPUID and MSRs, boot register state, the KVM_RUN loop. */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "vm.h"

#define MAX_CPUID 256
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_IA32_TSC 0x10
#define APIC_LVT0 0x350
#define APIC_LVT1 0x360
#define APIC_MODE_NMI 4
#define APIC_MODE_EXTINT 7

/* CPUID as KVM supports it, with this vCPU's APIC id and topology, and the
 * TSC-deadline timer KVM emulates but does not list (without it the guest
 * calibrates its APIC timer against the PIT: thousands of exits at boot). */
static void vcpu_fix_cpuid(struct kvm_cpuid2 *c, unsigned id, unsigned n, bool tsc_deadline)
{
        for (unsigned i = 0; i < c->nent; i++) {
                struct kvm_cpuid_entry2 *e = &c->entries[i];
                switch (e->function) {
                case 1:
                        e->ebx = (e->ebx & 0x0000ffff) | (id << 24) | (n << 16);
                        e->ecx |= 1u << 31; /* hypervisor present */
                        if (tsc_deadline)
                                e->ecx |= 1u << 24;
                        if (n > 1)
                                e->edx |= 1u << 28; /* HTT: several logical CPUs */
                        break;
                case 0xb:
                case 0x1f:
                        e->edx = id;
                        break;
                case 6:
                        e->ecx &= ~(1u << 3); /* no energy-perf bias */
                        break;
                }
        }
}

static struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
        for (unsigned i = 0; i < c->nent; i++)
                if (c->entries[i].function == fn && c->entries[i].index == idx)
                        return &c->entries[i];
        return NULL;
}

/* XSAVE components the CPU flags do not back (AVX without CPUID.1:AVX, as a
 * nested or emulated host can report) leave leaf 0xD out of step with what
 * the guest enables, and Linux warns about the XSAVE size: drop them. */
static void cpuid_fix_xsave(struct kvm_cpuid2 *c)
{
        struct kvm_cpuid_entry2 *l1 = cpuid_find(c, 1, 0), *l7 = cpuid_find(c, 7, 0);
        struct kvm_cpuid_entry2 *d = cpuid_find(c, 0xd, 0);
        if (!l1 || !d)
                return;
        if (!(l1->ecx & (1u << 28)))
                d->eax &= ~(1u << 2); /* AVX state */
        if (!l7 || !(l7->ebx & (1u << 16)))
                d->eax &= ~(7u << 5); /* AVX-512 state */
        uint32_t max = 576; /* legacy area + XSAVE header */
        for (uint32_t i = 2; i < 32; i++) {
                struct kvm_cpuid_entry2 *s = cpuid_find(c, 0xd, i);
                if ((d->eax & (1u << i)) && s && s->eax + s->ebx > max)
                        max = s->eax + s->ebx;
        }
        d->ecx = max;
        d->ebx = 576; /* for XCR0 = x87 at reset; KVM updates it as the guest sets XCR0 */
}

int vcpu_cpuid(int kvm_fd, unsigned id, unsigned n, struct kvm_cpuid2 **out, struct kago_err *err)
{
        struct kvm_cpuid2 *c = xcalloc(1, sizeof *c + MAX_CPUID * sizeof(struct kvm_cpuid_entry2));
        c->nent = MAX_CPUID;
        if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
                free(c);
                return kago_err_errno(err, errno, "KVM_GET_SUPPORTED_CPUID");
        }
        bool tsc_deadline = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0;
        vcpu_fix_cpuid(c, id, n, tsc_deadline);
        cpuid_fix_xsave(c);
        *out = c;
        return 0;
}

static int vcpu_set_cpuid(struct vcpu *v, struct kago_err *err)
{
        _cleanup_free_ struct kvm_cpuid2 *c = NULL;
        if (vcpu_cpuid(v->vm->kvm_fd, v->id, v->vm->n_vcpus, &c, err) < 0)
                return -1;
        if (ioctl(v->fd, KVM_SET_CPUID2, c) < 0)
                return kago_err_errno(err, errno, "vCPU %u: KVM_SET_CPUID2", v->id);
        return 0;
}

static int vcpu_set_msrs(struct vcpu *v, struct kago_err *err)
{
        static const struct { uint32_t index; uint64_t value; } init[] = {
                { MSR_IA32_SYSENTER_CS, 0 }, { MSR_IA32_SYSENTER_ESP, 0 },
                { MSR_IA32_SYSENTER_EIP, 0 }, { MSR_STAR, 0 }, { MSR_CSTAR, 0 },
                { MSR_KERNEL_GS_BASE, 0 }, { MSR_SYSCALL_MASK, 0 }, { MSR_LSTAR, 0 },
                { MSR_IA32_TSC, 0 }, { MSR_IA32_MISC_ENABLE, 1 /* fast strings */ },
                { MSR_MTRR_DEF_TYPE, (1u << 11) | 6 /* MTRRs on, write-back */ },
        };
        _cleanup_free_ struct kvm_msrs *m =
                xcalloc(1, sizeof *m + ARRAY_SIZE(init) * sizeof(struct kvm_msr_entry));
        m->nmsrs = ARRAY_SIZE(init);
        for (size_t i = 0; i < ARRAY_SIZE(init); i++)
                m->entries[i] = (struct kvm_msr_entry){ .index = init[i].index, .data = init[i].value };
        int n = ioctl(v->fd, KVM_SET_MSRS, m);
        if (n != (int)ARRAY_SIZE(init))
                return kago_err_errno(err, n < 0 ? errno : 0, "vCPU %u: KVM_SET_MSRS set %d of %zu (MSR 0x%x refused)",
                                      v->id, n, ARRAY_SIZE(init), n >= 0 ? init[n].index : 0);
        return 0;
}

/* LINT0 = ExtINT (the PIC, virtual-wire mode), LINT1 = NMI. */
static int vcpu_set_lint(struct vcpu *v, struct kago_err *err)
{
        struct kvm_lapic_state la;
        if (ioctl(v->fd, KVM_GET_LAPIC, &la) < 0)
                return kago_err_errno(err, errno, "vCPU %u: KVM_GET_LAPIC", v->id);
        uint32_t r;
        memcpy(&r, la.regs + APIC_LVT0, 4);
        r = (r & ~0x700u) | (APIC_MODE_EXTINT << 8);
        memcpy(la.regs + APIC_LVT0, &r, 4);
        memcpy(&r, la.regs + APIC_LVT1, 4);
        r = (r & ~0x700u) | (APIC_MODE_NMI << 8);
        memcpy(la.regs + APIC_LVT1, &r, 4);
        if (ioctl(v->fd, KVM_SET_LAPIC, &la) < 0)
                return kago_err_errno(err, errno, "vCPU %u: KVM_SET_LAPIC", v->id);
        return 0;
}

int vcpu_create(struct vm *vm, unsigned id, struct kago_err *err)
{
        struct vcpu *v = &vm->vcpus[id];
        v->vm = vm;
        v->id = id;
        v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
        if (v->fd < 0)
                return kago_err_errno(err, errno, "KVM_CREATE_VCPU %u", id);
        void *run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
        if (run == MAP_FAILED)
                return kago_err_errno(err, errno, "vCPU %u: mmap kvm_run", id);
        v->run = run;
        if (vcpu_set_cpuid(v, err) < 0 || vcpu_set_msrs(v, err) < 0 || vcpu_set_lint(v, err) < 0)
                return -1;
        return 0;
}

static void seg_flat(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code64)
{
        *s = (struct kvm_segment){ .base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
                                   .present = 1, .dpl = 0, .db = code64 ? 0 : 1, .s = 1,
                                   .l = code64, .g = 1 };
}

/* PVH: 32-bit protected mode, flat segments, paging off. bzImage: long mode
 * with the identity page tables. Only the boot vCPU gets this; the others
 * wait for INIT/SIPI from the kernel. */
int vcpu_setup_boot(struct vcpu *v, const struct boot_info *bi, struct kago_err *err)
{
        struct kvm_sregs s;
        if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
                return kago_err_errno(err, errno, "KVM_GET_SREGS");
        bool lm = !bi->pvh;
        seg_flat(&s.cs, 0x10, 0xb, lm);
        seg_flat(&s.ds, 0x18, 0x3, false);
        s.es = s.fs = s.gs = s.ss = s.ds;
        s.gdt.base = GUEST_GDT;
        s.gdt.limit = 4 * 8 - 1;
        s.cr0 = 0x11; /* PE | ET */
        s.cr4 = 0;
        s.efer = 0;
        if (lm) {
                s.cr3 = GUEST_PML4;
                s.cr4 |= 0x20;         /* PAE */
                s.cr0 |= 0x80000000u;  /* PG */
                s.efer |= 0x500;       /* LME | LMA */
        }
        if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0)
                return kago_err_errno(err, errno, "KVM_SET_SREGS");
        struct kvm_regs r = { .rip = bi->entry, .rflags = 2 };
        if (bi->pvh)
                r.rbx = GUEST_START_INFO;
        else
                r.rsi = GUEST_ZERO_PAGE;
        if (ioctl(v->fd, KVM_SET_REGS, &r) < 0)
                return kago_err_errno(err, errno, "KVM_SET_REGS");
        return 0;
}

static void vcpu_stop_error(struct vcpu *v, const char *fmt, unsigned long long a)
{
        struct kago_err e = { 0 };
        kago_err_set(&e, fmt, v->id, a);
        vm_request_stop(v->vm, VM_STOP_ERROR, 0, &e);
}

static void vcpu_exit_io(struct vcpu *v)
{
        struct kvm_run *r = v->run;
        uint8_t *data = (uint8_t *)r + r->io.data_offset;
        for (uint32_t i = 0; i < r->io.count; i++, data += r->io.size)
                vm_port_io(v->vm, r->io.port, data, r->io.size, r->io.direction == KVM_EXIT_IO_OUT);
}

static void vcpu_exit_mmio(struct vcpu *v)
{
        struct kvm_run *r = v->run;
        if (!virtio_mmio_access(v->vm, r->mmio.phys_addr, r->mmio.data, r->mmio.len,
                                r->mmio.is_write) && !r->mmio.is_write)
                memset(r->mmio.data, 0xff, r->mmio.len);
}

static void vcpu_exit_system_event(struct vcpu *v)
{
        if (v->run->system_event.type == KVM_SYSTEM_EVENT_RESET)
                vm_request_stop(v->vm, VM_STOP_RESET, 0, NULL);
        else
                vm_request_stop(v->vm, VM_STOP_SHUTDOWN, 0, NULL);
}

/* One exit; false when the vCPU must stop. */
static bool vcpu_handle_exit(struct vcpu *v)
{
        struct kvm_run *r = v->run;
        switch (r->exit_reason) {
        case KVM_EXIT_IO: vcpu_exit_io(v); return true;
        case KVM_EXIT_MMIO: vcpu_exit_mmio(v); return true;
        case KVM_EXIT_HLT: return true;
        case KVM_EXIT_INTR: return true;
        case KVM_EXIT_SHUTDOWN: vm_request_stop(v->vm, VM_STOP_TRIPLE_FAULT, 0, NULL); return false;
        case KVM_EXIT_SYSTEM_EVENT: vcpu_exit_system_event(v); return false;
        case KVM_EXIT_FAIL_ENTRY:
                vcpu_stop_error(v, "vCPU %u: KVM entry failed (hardware reason 0x%llx)",
                                r->fail_entry.hardware_entry_failure_reason);
                return false;
        case KVM_EXIT_INTERNAL_ERROR:
                vcpu_stop_error(v, "vCPU %u: KVM internal error %llu", r->internal.suberror);
                return false;
        default:
                vcpu_stop_error(v, "vCPU %u: unexpected KVM exit %llu", r->exit_reason);
                return false;
        }
}

static void *vcpu_thread(void *arg)
{
        struct vcpu *v = arg;
        struct vm *vm = v->vm;
        sigset_t kick;
        sigemptyset(&kick);
        sigaddset(&kick, VCPU_KICK_SIGNAL);
        pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
        struct kago_err e = { 0 };
        if (vmm_confine(VMM_THREAD_VCPU, &e) < 0) {
                vm_request_stop(vm, VM_STOP_ERROR, 0, &e);
                return NULL;
        }
        for (;;) {
                int rc = ioctl(v->fd, KVM_RUN, 0);
                atomic_fetch_add(&vm->exits, 1);
                if (rc < 0 && errno != EINTR && errno != EAGAIN) {
                        vcpu_stop_error(v, "vCPU %u: KVM_RUN failed (errno %llu)", (unsigned)errno);
                        break;
                }
                /* An exit is handled before a kick is obeyed: a parked
                 * vCPU's port or MMIO read has its data when it re-enters. */
                if (rc == 0 && !vcpu_handle_exit(v))
                        break;
                if (!__atomic_load_n(&v->run->immediate_exit, __ATOMIC_SEQ_CST))
                        continue;
                /* Entering with immediate_exit set completes the exit's
                 * instruction (a port read takes its data) and returns at
                 * once: the registers a snapshot saves are then whole. */
                if (rc == 0)
                        ioctl(v->fd, KVM_RUN, 0);
                if (!vcpu_wait_parked(v))
                        break;
        }
        return NULL;
}

static void vcpu_kick_handler(int sig)
{
        (void)sig;
}

int vcpus_start(struct vm *vm, struct kago_err *err)
{
        struct sigaction sa = { .sa_handler = vcpu_kick_handler };
        sigaction(VCPU_KICK_SIGNAL, &sa, NULL);
        sigset_t all, old;
        sigfillset(&all);
        /* vCPU threads start with every signal blocked except the kick. */
        pthread_sigmask(SIG_SETMASK, &all, &old);
        int rc = 0;
        for (unsigned i = 0; i < vm->n_vcpus && rc == 0; i++) {
                struct vcpu *v = &vm->vcpus[i];
                pthread_attr_t a;
                pthread_attr_init(&a);
                pthread_attr_setstacksize(&a, 256 * 1024);
                int e = pthread_create(&v->thread, &a, vcpu_thread, v);
                pthread_attr_destroy(&a);
                if (e) {
                        rc = kago_err_errno(err, e, "start vCPU %u thread", i);
                        break;
                }
                v->started = true;
        }
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return rc;
}

void vcpus_join(struct vm *vm)
{
        for (unsigned i = 0; i < vm->n_vcpus; i++) {
                struct vcpu *v = &vm->vcpus[i];
                if (!v->started)
                        continue;
                pthread_join(v->thread, NULL);
                v->started = false;
        }
}
