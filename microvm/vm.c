/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The VM: /dev/kvm, guest RAM, in-kernel irqchip and PIT, the stop path. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#include "vm.h"

#define KVM_TSS_ADDR 0xfffbd000ul
#define KVM_IDENTITY_MAP_ADDR 0xfffbc000ull

uint64_t vm_now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int vm_open_kvm(struct vm *vm, int kvm_fd, struct kago_err *err)
{
        vm->kvm_fd = kvm_fd >= 0 ? fcntl(kvm_fd, F_DUPFD_CLOEXEC, 3)
                                 : open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (vm->kvm_fd < 0)
                return kago_err_errno(err, errno, "open /dev/kvm%s",
                                      errno == ENOENT || errno == ENXIO || errno == ENODEV ? " (this host has no KVM)" : "");
        int version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
        if (version != KVM_API_VERSION)
                return kago_err_set(err, "/dev/kvm: API version %d, kago needs %d", version,
                                    KVM_API_VERSION);
        static const struct { int cap; const char *name; } caps[] = {
                { KVM_CAP_IRQCHIP, "IRQCHIP" },   { KVM_CAP_PIT2, "PIT2" },
                { KVM_CAP_IRQFD, "IRQFD" },       { KVM_CAP_USER_MEMORY, "USER_MEMORY" },
                { KVM_CAP_EXT_CPUID, "EXT_CPUID" }, { KVM_CAP_IMMEDIATE_EXIT, "IMMEDIATE_EXIT" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(caps); i++)
                if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, caps[i].cap) <= 0)
                        return kago_err_set(err, "/dev/kvm: KVM_CAP_%s unsupported", caps[i].name);
        long sz = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
        if (sz < (long)sizeof(struct kvm_run))
                return kago_err_errno(err, errno, "KVM_GET_VCPU_MMAP_SIZE");
        vm->run_size = (size_t)sz;
        return 0;
}

static int vm_add_slot(struct vm *vm, unsigned slot, uint64_t gpa, void *host, uint64_t size,
                       struct kago_err *err)
{
        struct kvm_userspace_memory_region r = {
                .slot = slot, .guest_phys_addr = gpa, .memory_size = size,
                .userspace_addr = (uint64_t)(uintptr_t)host,
        };
        if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
                return kago_err_errno(err, errno, "KVM_SET_USER_MEMORY_REGION slot %u", slot);
        return 0;
}

#define HUGE_2M (2ull << 20)

/* Anonymous memory aligned to 2 MiB and marked for transparent huge pages:
 * KVM then maps guest RAM 2 MiB at a time, and a booting guest takes a
 * few hundred nested page faults instead of thousands. */
static void *map_aligned(uint64_t size)
{
        uint8_t *p = mmap(NULL, size + HUGE_2M, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
                return NULL;
        uint8_t *a = (uint8_t *)(((uintptr_t)p + HUGE_2M - 1) & ~(uintptr_t)(HUGE_2M - 1));
        if (a > p)
                munmap(p, (size_t)(a - p));
        if (a + size < p + size + HUGE_2M)
                munmap(a + size, (size_t)(p + size + HUGE_2M - (a + size)));
        madvise(a, size, MADV_HUGEPAGE);
        return a;
}

static int vm_map_ram(struct vm *vm, uint64_t memory, struct kago_err *err)
{
        void *p = map_aligned(memory);
        if (!p)
                return kago_err_errno(err, errno, "map %" PRIu64 " MiB of guest RAM", memory >> 20);
        vm->mem.host = p;
        vm->mem.size = memory;
        vm->mem.low = memory < GUEST_LOW_RAM_MAX ? memory : GUEST_LOW_RAM_MAX;
        if (vm_add_slot(vm, 0, 0, p, vm->mem.low, err) < 0)
                return -1;
        if (memory > vm->mem.low)
                return vm_add_slot(vm, 1, GUEST_4G, (uint8_t *)p + vm->mem.low,
                                   memory - vm->mem.low, err);
        return 0;
}

static int vm_create_chips(struct vm *vm, struct kago_err *err)
{
        if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR) < 0)
                return kago_err_errno(err, errno, "KVM_SET_TSS_ADDR");
        uint64_t idmap = KVM_IDENTITY_MAP_ADDR;
        if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0)
                return kago_err_errno(err, errno, "KVM_SET_IDENTITY_MAP_ADDR");
        if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
                return kago_err_errno(err, errno, "KVM_CREATE_IRQCHIP");
        struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
        if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
                return kago_err_errno(err, errno, "KVM_CREATE_PIT2");
        return 0;
}

int vm_create(struct vm *vm, int kvm_fd, uint64_t memory, unsigned vcpus, struct kago_err *err)
{
        memset(vm, 0, sizeof *vm);
        vm->kvm_fd = vm->vm_fd = vm->event_efd = -1;
        for (unsigned i = 0; i < MICROVM_VCPUS_MAX; i++)
                vm->vcpus[i].fd = -1;
        pthread_mutex_init(&vm->lock, NULL);
        pthread_cond_init(&vm->park_cond, NULL);
        vm->t0_ns = vm_now_ns();
        if (microvm_check_memory(memory, err) < 0)
                return kago_err_wrap(err, "VM memory %" PRIu64 " bytes", memory);
        if (microvm_check_vcpus(vcpus, err) < 0)
                return kago_err_wrap(err, "VM vCPUs %u", vcpus);
        if (vm_open_kvm(vm, kvm_fd, err) < 0)
                return -1;
        vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
        if (vm->vm_fd < 0)
                return kago_err_errno(err, errno, "KVM_CREATE_VM");
        fcntl(vm->vm_fd, F_SETFD, FD_CLOEXEC);
        vm->event_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (vm->event_efd < 0)
                return kago_err_errno(err, errno, "eventfd");
        if (vm_create_chips(vm, err) < 0 || vm_map_ram(vm, memory, err) < 0)
                return -1;
        vm->n_vcpus = vcpus;
        for (unsigned i = 0; i < vcpus; i++)
                if (vcpu_create(vm, i, err) < 0)
                        return -1;
        return 0;
}

void vm_request_stop(struct vm *vm, enum vm_stop why, int status, const struct kago_err *e)
{
        pthread_mutex_lock(&vm->lock);
        bool first = vm->stop == VM_RUNNING;
        if (first) {
                vm->stop = why;
                vm->status = status;
                if (e)
                        vm->stop_err = *e;
                pthread_cond_broadcast(&vm->park_cond); /* parked vCPUs end too */
        }
        pthread_mutex_unlock(&vm->lock);
        if (first)
                vm_kick_all(vm);
}

void vm_kick_all(struct vm *vm)
{
        for (unsigned i = 0; i < vm->n_vcpus; i++) {
                struct vcpu *v = &vm->vcpus[i];
                if (v->run)
                        __atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
                if (v->started && !pthread_equal(v->thread, pthread_self()))
                        pthread_kill(v->thread, VCPU_KICK_SIGNAL);
        }
        vm_wake_host(vm);
}

void vm_wake_host(struct vm *vm)
{
        uint64_t one = 1;
        if (write(vm->event_efd, &one, sizeof one) < 0)
                return; /* the counter is non-zero already: the loop wakes anyway */
}

void vm_destroy(struct vm *vm)
{
        vcpus_join(vm);
        for (unsigned i = 0; i < vm->n_devs; i++)
                virtio_dev_free(vm->devs[i]);
        for (unsigned i = 0; i < MICROVM_VCPUS_MAX; i++) {
                if (vm->vcpus[i].run)
                        munmap(vm->vcpus[i].run, vm->run_size);
                if (vm->vcpus[i].fd >= 0)
                        close(vm->vcpus[i].fd);
        }
        if (vm->mem.host)
                munmap(vm->mem.host, vm->mem.size);
        if (vm->event_efd >= 0)
                close(vm->event_efd);
        if (vm->vm_fd >= 0)
                close(vm->vm_fd);
        if (vm->kvm_fd >= 0)
                close(vm->kvm_fd);
        pthread_cond_destroy(&vm->park_cond);
        pthread_mutex_destroy(&vm->lock);
        memset(vm, 0, sizeof *vm);
        vm->kvm_fd = vm->vm_fd = vm->event_efd = -1;
}
