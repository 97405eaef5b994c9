/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What KVM holds of a VM, as snapshot sections (snap.h): the KVM clock, the
 * in-kernel irqchip (both PICs and the IOAPIC), the PIT, and per vCPU its
 * registers, special registers, XSAVE area, XCRs, debug registers, LAPIC,
 * pending events, MP state and every MSR KVM lists that it can read.
 * Saved with the vCPUs parked and each one's last exit completed; loaded
 * into a VM made as the saved one was (same vCPUs and memory), before its
 * vCPUs run. The order of the loads follows what KVM needs: special
 * registers (the APIC base) before the LAPIC, the LAPIC before the MSRs
 * (the TSC deadline), pending events last.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "snap.h"
#include "vm.h"

#define VCPU_MSRS_MAX 1024

/* The fixed part of a vCPU's section; its MSRs follow (u32 count, entries).
 * The XSAVE area last: the kernel's struct may end in a flexible array. */
struct vcpu_state {
        struct kvm_mp_state mp;
        struct kvm_regs regs;
        struct kvm_sregs sregs;
        struct kvm_xcrs xcrs;
        struct kvm_debugregs dregs;
        struct kvm_lapic_state lapic;
        struct kvm_vcpu_events events;
        struct kvm_xsave xsave;
};

/* The clock and when it was read, on the host's wall clock. */
struct clock_state {
        struct kvm_clock_data clock;
        uint64_t host_realtime_ns;
};

static uint64_t realtime_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- save ------------------------------------------------------------ */

static int kvm_get(int fd, unsigned long req, void *arg, const char *what, unsigned id,
                   struct kago_err *err)
{
        if (ioctl(fd, req, arg) < 0)
                return id == ~0u ? kago_err_errno(err, errno, "%s", what)
                                 : kago_err_errno(err, errno, "vCPU %u: %s", id, what);
        return 0;
}

/* The MSRs KVM lists (KVM_GET_MSR_INDEX_LIST), malloc'd in *out. */
static int msr_index_list(struct vm *vm, struct kvm_msr_list **out, struct kago_err *err)
{
        struct kvm_msr_list probe = { .nmsrs = 0 };
        if (ioctl(vm->kvm_fd, KVM_GET_MSR_INDEX_LIST, &probe) < 0 && errno != E2BIG)
                return kago_err_errno(err, errno, "KVM_GET_MSR_INDEX_LIST");
        if (probe.nmsrs > VCPU_MSRS_MAX)
                probe.nmsrs = VCPU_MSRS_MAX;
        struct kvm_msr_list *l = xcalloc(1, sizeof *l + probe.nmsrs * sizeof(uint32_t));
        l->nmsrs = probe.nmsrs;
        if (ioctl(vm->kvm_fd, KVM_GET_MSR_INDEX_LIST, l) < 0) {
                free(l);
                return kago_err_errno(err, errno, "KVM_GET_MSR_INDEX_LIST");
        }
        *out = l;
        return 0;
}

/* Each listed MSR this vCPU can read (some depend on CPU features the
 * guest lacks), appended to out as count and entries. */
static void vcpu_save_msrs(const struct vcpu *v, const struct kvm_msr_list *l, struct bytes *out)
{
        _cleanup_free_ struct kvm_msrs *one =
                xcalloc(1, sizeof *one + sizeof(struct kvm_msr_entry));
        struct bytes msrs = { 0 };
        uint32_t n = 0;
        for (uint32_t i = 0; i < l->nmsrs; i++) {
                one->nmsrs = 1;
                one->entries[0] = (struct kvm_msr_entry){ .index = l->indices[i] };
                if (ioctl(v->fd, KVM_GET_MSRS, one) != 1)
                        continue;
                bytes_put(&msrs, &one->entries[0], sizeof one->entries[0]);
                n++;
        }
        snap_put_u32(out, n);
        bytes_put(out, msrs.data, msrs.len);
        bytes_free(&msrs);
}

static int vcpu_save(const struct vcpu *v, const struct kvm_msr_list *l, struct bytes *out,
                     struct kago_err *err)
{
        _cleanup_free_ struct vcpu_state *s = xcalloc(1, sizeof *s);
        /* MP state first: reading it settles pending interrupt state. */
        if (kvm_get(v->fd, KVM_GET_MP_STATE, &s->mp, "KVM_GET_MP_STATE", v->id, err) < 0 ||
            kvm_get(v->fd, KVM_GET_REGS, &s->regs, "KVM_GET_REGS", v->id, err) < 0 ||
            kvm_get(v->fd, KVM_GET_SREGS, &s->sregs, "KVM_GET_SREGS", v->id, err) < 0 ||
            kvm_get(v->fd, KVM_GET_XSAVE, &s->xsave, "KVM_GET_XSAVE", v->id, err) < 0 ||
            kvm_get(v->fd, KVM_GET_XCRS, &s->xcrs, "KVM_GET_XCRS", v->id, err) < 0 ||
            kvm_get(v->fd, KVM_GET_DEBUGREGS, &s->dregs, "KVM_GET_DEBUGREGS", v->id, err) < 0 ||
            kvm_get(v->fd, KVM_GET_LAPIC, &s->lapic, "KVM_GET_LAPIC", v->id, err) < 0 ||
            kvm_get(v->fd, KVM_GET_VCPU_EVENTS, &s->events, "KVM_GET_VCPU_EVENTS", v->id, err) < 0)
                return -1;
        bytes_put(out, s, sizeof *s);
        vcpu_save_msrs(v, l, out);
        return 0;
}

static int chips_save(struct vm *vm, struct bytes *out, struct kago_err *err)
{
        struct bytes b = { 0 };
        int rc = 0;
        for (uint32_t chip = KVM_IRQCHIP_PIC_MASTER; chip <= KVM_IRQCHIP_IOAPIC && rc == 0;
             chip++) {
                struct kvm_irqchip c = { .chip_id = chip };
                rc = kvm_get(vm->vm_fd, KVM_GET_IRQCHIP, &c, "KVM_GET_IRQCHIP", ~0u, err);
                bytes_put(&b, &c, sizeof c);
        }
        struct kvm_pit_state2 pit;
        if (rc == 0)
                rc = kvm_get(vm->vm_fd, KVM_GET_PIT2, &pit, "KVM_GET_PIT2", ~0u, err);
        if (rc == 0) {
                bytes_put(&b, &pit, sizeof pit);
                snap_section(out, SNAP_TAG_CHIPS, 1, SNAP_REQUIRED, b.data, b.len);
        }
        bytes_free(&b);
        return rc;
}

static int clock_save(struct vm *vm, struct bytes *out, struct kago_err *err)
{
        struct clock_state c = { 0 };
        if (kvm_get(vm->vm_fd, KVM_GET_CLOCK, &c.clock, "KVM_GET_CLOCK", ~0u, err) < 0)
                return -1;
        c.host_realtime_ns = realtime_ns();
        snap_section(out, SNAP_TAG_CLOCK, 1, SNAP_REQUIRED, &c, sizeof c);
        return 0;
}

int vm_state_save(struct vm *vm, struct bytes *out, struct kago_err *err)
{
        _cleanup_free_ struct kvm_msr_list *l = NULL;
        if (msr_index_list(vm, &l, err) < 0 || clock_save(vm, out, err) < 0 ||
            chips_save(vm, out, err) < 0)
                return -1;
        for (unsigned i = 0; i < vm->n_vcpus; i++) {
                struct bytes b = { 0 };
                int rc = vcpu_save(&vm->vcpus[i], l, &b, err);
                if (rc == 0)
                        snap_section(out, SNAP_TAG_VCPU, 1, SNAP_REQUIRED, b.data, b.len);
                bytes_free(&b);
                if (rc < 0)
                        return -1;
        }
        return 0;
}

/* ---- load ------------------------------------------------------------ */

static int kvm_set(int fd, unsigned long req, const void *arg, const char *what, unsigned id,
                   struct kago_err *err)
{
        return kvm_get(fd, req, (void *)arg, what, id, err);
}

/* Every MSR KVM takes; one it refuses (a feature this host's KVM has no
 * more) is left at its reset value and logged. */
static int vcpu_load_msrs(const struct vcpu *v, const struct kvm_msr_entry *e, uint32_t n,
                          struct kago_err *err)
{
        _cleanup_free_ struct kvm_msrs *m = xcalloc(1, sizeof *m + n * sizeof *e);
        for (uint32_t i = 0; i < n;) {
                m->nmsrs = n - i;
                memcpy(m->entries, e + i, (n - i) * sizeof *e);
                int r = ioctl(v->fd, KVM_SET_MSRS, m);
                if (r < 0)
                        return kago_err_errno(err, errno, "vCPU %u: KVM_SET_MSRS", v->id);
                i += (uint32_t)r;
                if (i < n)
                        log_debug("microvm: vCPU %u: MSR 0x%x not restored (KVM refuses it)", v->id,
                                  e[i++].index);
        }
        return 0;
}

static int vcpu_load(const struct vcpu *v, const struct snap_section *sec, struct kago_err *err)
{
        struct snap_cursor c;
        _cleanup_free_ struct vcpu_state *s = xcalloc(1, sizeof *s);
        snap_cursor_init(&c, sec);
        snap_get(&c, s, sizeof *s);
        uint32_t n = snap_get_u32(&c);
        const struct kvm_msr_entry *msrs =
                n <= VCPU_MSRS_MAX ? snap_take(&c, n * sizeof *msrs) : NULL;
        if (c.short_read || !msrs || c.left)
                return kago_err_set(err, "snapshot: vCPU %u: section of %llu bytes is malformed",
                                    v->id, (unsigned long long)sec->len);
        if (kvm_set(v->fd, KVM_SET_MP_STATE, &s->mp, "KVM_SET_MP_STATE", v->id, err) < 0 ||
            kvm_set(v->fd, KVM_SET_REGS, &s->regs, "KVM_SET_REGS", v->id, err) < 0 ||
            kvm_set(v->fd, KVM_SET_SREGS, &s->sregs, "KVM_SET_SREGS", v->id, err) < 0 ||
            kvm_set(v->fd, KVM_SET_XSAVE, &s->xsave, "KVM_SET_XSAVE", v->id, err) < 0 ||
            kvm_set(v->fd, KVM_SET_XCRS, &s->xcrs, "KVM_SET_XCRS", v->id, err) < 0 ||
            kvm_set(v->fd, KVM_SET_DEBUGREGS, &s->dregs, "KVM_SET_DEBUGREGS", v->id, err) < 0 ||
            kvm_set(v->fd, KVM_SET_LAPIC, &s->lapic, "KVM_SET_LAPIC", v->id, err) < 0 ||
            vcpu_load_msrs(v, msrs, n, err) < 0 ||
            kvm_set(v->fd, KVM_SET_VCPU_EVENTS, &s->events, "KVM_SET_VCPU_EVENTS", v->id, err) < 0)
                return -1;
        return 0;
}

static int chips_load(struct vm *vm, const struct snap_section *sec, struct kago_err *err)
{
        struct snap_cursor c;
        struct kvm_irqchip chips[3];
        struct kvm_pit_state2 pit;
        snap_cursor_init(&c, sec);
        snap_get(&c, chips, sizeof chips);
        snap_get(&c, &pit, sizeof pit);
        if (c.short_read || c.left)
                return kago_err_set(err, "snapshot: interrupt controllers: section malformed");
        for (uint32_t i = 0; i < 3; i++) {
                if (chips[i].chip_id != i)
                        return kago_err_set(err, "snapshot: interrupt controller %u: chip id %u", i,
                                            chips[i].chip_id);
                if (kvm_set(vm->vm_fd, KVM_SET_IRQCHIP, &chips[i], "KVM_SET_IRQCHIP", ~0u, err) < 0)
                        return -1;
        }
        return kvm_set(vm->vm_fd, KVM_SET_PIT2, &pit, "KVM_SET_PIT2", ~0u, err);
}

/* The clock goes on from where it stood, plus the wall-clock time the VM
 * spent saved: the guest's time of day is right again. */
static int clock_load(struct vm *vm, const struct snap_section *sec, struct kago_err *err)
{
        struct snap_cursor c;
        struct clock_state s;
        snap_cursor_init(&c, sec);
        snap_get(&c, &s, sizeof s);
        if (c.short_read || c.left)
                return kago_err_set(err, "snapshot: clock: section malformed");
        uint64_t now = realtime_ns();
        struct kvm_clock_data d = { .clock = s.clock.clock };
        if (now > s.host_realtime_ns)
                d.clock += now - s.host_realtime_ns;
        return kvm_set(vm->vm_fd, KVM_SET_CLOCK, &d, "KVM_SET_CLOCK", ~0u, err);
}

static const struct snap_section *need(const struct snap_file *f, uint32_t tag, unsigned index,
                                       const char *what, struct kago_err *err)
{
        const struct snap_section *s = snap_find(f, tag, index);
        if (!s)
                kago_err_set(err, "snapshot: no %s section", what);
        return s;
}

int vm_state_load(struct vm *vm, const struct snap_file *f, struct kago_err *err)
{
        const struct snap_section *chips = need(f, SNAP_TAG_CHIPS, 0, "interrupt controller", err);
        const struct snap_section *clock = chips ? need(f, SNAP_TAG_CLOCK, 0, "clock", err) : NULL;
        if (!clock || chips_load(vm, chips, err) < 0)
                return -1;
        for (unsigned i = 0; i < vm->n_vcpus; i++) {
                const struct snap_section *s = need(f, SNAP_TAG_VCPU, i, "vCPU", err);
                if (!s || vcpu_load(&vm->vcpus[i], s, err) < 0)
                        return -1;
        }
        if (snap_find(f, SNAP_TAG_VCPU, vm->n_vcpus))
                return kago_err_set(err, "snapshot: more vCPUs saved than the VM has (%u)",
                                    vm->n_vcpus);
        return clock_load(vm, clock, err);
}
