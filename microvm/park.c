/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parking: a pause the guest survives. kago pause sends the VMM
 * MICROVM_PARK_SIGNAL before it freezes the cgroup; the VMM's host loop
 * kicks every vCPU out of KVM_RUN, the vCPU threads wait, and once all
 * wait the host loop names the main thread MICROVM_PARKED_COMM, which
 * kago pause reads in /proc. Frozen there, no vCPU is inside the guest.
 * After the thaw, MICROVM_UNPARK_SIGNAL releases them; each calls
 * KVM_KVMCLOCK_CTRL before it enters the guest again, which sets
 * PVCLOCK_GUEST_STOPPED in the guest's kvmclock page: the guest's soft
 * lockup and RCU stall detectors see the flag and take the time jump for
 * the pause it was. The guest's clock (kvmclock) follows the host's, so its
 * wall clock is right after the pause.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <time.h>

#include "vm.h"

/* ---- in the VMM ------------------------------------------------------- */

void vm_park(struct vm *vm)
{
        pthread_mutex_lock(&vm->lock);
        vm->park = true;
        pthread_mutex_unlock(&vm->lock);
        vm_kick_all(vm);
}

/* On the host loop's thread (its name is the one /proc/PID/comm shows). */
bool vm_all_parked(struct vm *vm)
{
        pthread_mutex_lock(&vm->lock);
        bool all = vm->park && vm->parked == vm->n_vcpus;
        pthread_mutex_unlock(&vm->lock);
        if (all && !vm->unparked_comm[0]) {
                prctl(PR_GET_NAME, vm->unparked_comm);
                prctl(PR_SET_NAME, MICROVM_PARKED_COMM);
        }
        return all;
}

void vm_unpark(struct vm *vm)
{
        if (vm->unparked_comm[0]) {
                prctl(PR_SET_NAME, vm->unparked_comm);
                vm->unparked_comm[0] = 0;
        }
        pthread_mutex_lock(&vm->lock);
        vm->park = false;
        pthread_cond_broadcast(&vm->park_cond);
        pthread_mutex_unlock(&vm->lock);
}

int vm_park_wait(struct vm *vm, int timeout_ms, bool *parked_before, struct kago_err *err)
{
        *parked_before = vm->park; /* only this thread changes it */
        if (!*parked_before)
                vm_park(vm);
        uint64_t deadline = vm_now_ns() + (uint64_t)timeout_ms * 1000000ull;
        while (!vm_all_parked(vm)) {
                if (vm_now_ns() > deadline) {
                        if (!*parked_before)
                                vm_unpark(vm);
                        return kago_err_set(err, "the vCPUs did not stop within %d ms", timeout_ms);
                }
                nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
        }
        return 0;
}

/* EINVAL: the guest uses no kvmclock, so it has nothing to be told. */
static void vcpu_tell_paused(struct vcpu *v)
{
        if (ioctl(v->fd, KVM_KVMCLOCK_CTRL, 0) == 0)
                log_debug("microvm: vCPU %u: the guest was told it was paused (KVM_KVMCLOCK_CTRL)", v->id);
        else
                log_debug("microvm: vCPU %u: KVM_KVMCLOCK_CTRL: %s", v->id, strerror(errno));
}

bool vcpu_wait_parked(struct vcpu *v)
{
        struct vm *vm = v->vm;
        bool waited = false;

        pthread_mutex_lock(&vm->lock);
        if (vm->park && vm->stop == VM_RUNNING) {
                vm->parked++;
                vm_wake_host(vm);
                while (vm->park && vm->stop == VM_RUNNING)
                        pthread_cond_wait(&vm->park_cond, &vm->lock);
                vm->parked--;
                waited = true;
        }
        bool running = vm->stop == VM_RUNNING;
        /* Cleared under the lock: a stop sets vm->stop (under it) first. */
        if (running)
                __atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
        pthread_mutex_unlock(&vm->lock);
        if (running && waited)
                vcpu_tell_paused(v);
        return running;
}

/* ---- in kago pause and resume ---------------------------------------- */

/* Whether the VMM with pid vmm blocks sig, that is, serves the guest and
 * takes sig from its signalfd (sent to any other process it would kill). */
static bool vmm_takes(pid_t vmm, int sig)
{
        char path[64], line[256];
        snprintf(path, sizeof path, "/proc/%d/status", (int)vmm);
        FILE *f = fopen(path, "re");
        bool takes = false;
        if (!f)
                return false;
        while (fgets(line, sizeof line, f)) {
                uint64_t mask;
                if (sscanf(line, "SigBlk: %" SCNx64, &mask) == 1) {
                        takes = mask & (UINT64_C(1) << (sig - 1));
                        break;
                }
        }
        fclose(f);
        return takes;
}

static bool vmm_parked(pid_t vmm)
{
        char path[64], comm[32] = "";
        snprintf(path, sizeof path, "/proc/%d/comm", (int)vmm);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, comm, sizeof comm - 1) : -1;
        if (n <= 0)
                return false;
        comm[strcspn(comm, "\n")] = 0;
        return strcmp(comm, MICROVM_PARKED_COMM) == 0;
}

int microvm_park(pid_t vmm, int timeout_ms, struct kago_err *err)
{
        if (!vmm_takes(vmm, MICROVM_PARK_SIGNAL))
                return 0;
        if (kill(vmm, MICROVM_PARK_SIGNAL) < 0)
                return kago_err_errno(err, errno, "signal the VMM (pid %d) to park its vCPUs", (int)vmm);
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t deadline_ms = now.tv_sec * 1000 + now.tv_nsec / 1000000 + timeout_ms;
        do {
                if (vmm_parked(vmm))
                        return 0;
                nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
                clock_gettime(CLOCK_MONOTONIC, &now);
        } while (now.tv_sec * 1000 + now.tv_nsec / 1000000 < deadline_ms);
        microvm_unpark(vmm, NULL);
        return kago_err_set(err, "the VMM (pid %d) did not park its vCPUs within %d ms", (int)vmm,
                            timeout_ms);
}

int microvm_unpark(pid_t vmm, struct kago_err *err)
{
        if (vmm_takes(vmm, MICROVM_UNPARK_SIGNAL) && kill(vmm, MICROVM_UNPARK_SIGNAL) < 0)
                return err ? kago_err_errno(err, errno, "signal the VMM (pid %d) to release its vCPUs",
                                            (int)vmm)
                           : -1;
        return 0;
}
