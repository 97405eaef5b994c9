/* SPDX-License-Identifier: GPL-2.0-or-later */
/* VM configuration defaults (memory size, kernel location) and the one
 * parser and range check of each setting. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "microvm.h"

void microvm_config_init(struct microvm_config *cfg)
{
        *cfg = (struct microvm_config){
                .kvm_fd = -1, .kernel_fd = -1, .initrd_fd = -1, .vcpus = 1, .memory = MICROVM_MEMORY_DEFAULT,
                .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1, .console_fd = -1,
                .serial_fd = -1, .control_fd = -1, .process.umask = -1, .rootfs = MICROVM_ROOTFS_DEFAULT,
                .restore_state_fd = -1, .restore_mem_fd = -1,
        };
}

int microvm_memory_from_limit(int64_t limit, uint64_t *memory, struct kago_err *err)
{
        if (limit <= 0) {
                *memory = MICROVM_MEMORY_DEFAULT;
                return 0;
        }
        uint64_t l = (uint64_t)limit;
        if (l < MICROVM_OVERHEAD + MICROVM_MEMORY_MIN)
                return kago_err_set(err, "linux.resources.memory.limit %" PRId64 " is too small for a "
                                    "VM: it must hold %llu MiB of guest RAM plus %llu MiB for the VMM",
                                    limit, MICROVM_MEMORY_MIN >> 20, MICROVM_OVERHEAD >> 20);
        *memory = (l - MICROVM_OVERHEAD) & ~0xfffffull; /* whole MiB */
        if (*memory > MICROVM_MEMORY_MAX)
                *memory = MICROVM_MEMORY_MAX;
        return 0;
}

int microvm_check_memory(uint64_t memory, struct kago_err *err)
{
        if (memory < MICROVM_MEMORY_MIN || memory > MICROVM_MEMORY_MAX)
                return kago_err_set(err, "must be %llu MiB to %llu GiB", MICROVM_MEMORY_MIN >> 20,
                                    MICROVM_MEMORY_MAX >> 30);
        return 0;
}

int microvm_check_vcpus(uint64_t vcpus, struct kago_err *err)
{
        if (vcpus < 1 || vcpus > MICROVM_VCPUS_MAX)
                return kago_err_set(err, "expected 1 to %d", MICROVM_VCPUS_MAX);
        return 0;
}

int microvm_parse_memory(const char *s, uint64_t *memory, struct kago_err *err)
{
        int64_t v;

        if (str_to_size(s, 0, INT64_MAX, &v) < 0)
                return kago_err_set(err, "expected a size like 512M or 1G");
        if (microvm_check_memory((uint64_t)v, err) < 0)
                return -1;
        *memory = (uint64_t)v;
        return 0;
}

int microvm_parse_vcpus(const char *s, unsigned *vcpus, struct kago_err *err)
{
        int64_t v;

        if (str_to_i64(s, 1, MICROVM_VCPUS_MAX, &v) < 0)
                return microvm_check_vcpus(0, err);
        *vcpus = (unsigned)v;
        return 0;
}

int microvm_parse_rootfs(const char *s, enum microvm_rootfs *rootfs, struct kago_err *err)
{
        if (!strcmp(s, "9p"))
                *rootfs = MICROVM_ROOTFS_9P;
        else if (!strcmp(s, "virtiofs"))
                *rootfs = MICROVM_ROOTFS_VIRTIOFS;
        else
                return kago_err_set(err, "expected 9p or virtiofs");
        return 0;
}

const char *microvm_default_kernel(void)
{
        static char buf[4096];
        const char *env = getenv("KAGO_VM_KERNEL");
        if (env && *env)
                return env;
        if (access("/usr/lib/kago/vmlinux", R_OK) == 0)
                return "/usr/lib/kago/vmlinux";
        const char *cache = getenv("KAGO_CACHE");
        snprintf(buf, sizeof buf, "%s/kernel/vmlinux", cache && *cache ? cache : "/var/cache/kago");
        return buf;
}
