/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench/vm-fs driver: boots kago's VMM directly (no container setup) on a
 * kernel and a root directory shared over 9P or virtio-fs ($KAGO_VM_ROOTFS:
 * 9p | virtiofs), runs a command in the guest, and prints one JSON line:
 * time and KVM exits (to userspace) until the guest init's boot-timer
 * write, total exits, the workload's status.
 *   driver run KERNEL ROOTDIR CMD...
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../microvm/vm.h"

static char *env[] = { "PATH=/bin:/sbin:/usr/bin:/usr/sbin", "HOME=/", NULL };

static int run(const char *kernel, const char *root, char **args)
{
        struct microvm_config c;
        struct microvm_stats s = { 0 };
        struct kago_err err = { 0 };
        int status = -1;
        microvm_config_init(&c);
        if (getenv("KAGO_VM_DEBUG"))
                kago_log_open(NULL, KAGO_LOG_TEXT, KAGO_LOG_DEBUG, &err);
        c.kernel_fd = open(kernel, O_RDONLY | O_CLOEXEC);
        c.root = root;
        c.stdin_fd = getenv("KAGO_VM_STDIN") ? 0 : -1, c.stdout_fd = 1, c.stderr_fd = 2;
        c.process.args = args;
        c.process.env = env;
        const char *fs = getenv("KAGO_VM_ROOTFS");
        if (fs && microvm_parse_rootfs(fs, &c.rootfs, &err) < 0) {
                fprintf(stderr, "driver: %s\n", kago_err_text(&err));
                return 2;
        }
        c.serial_console = getenv("KAGO_VM_SERIAL") != NULL;
        c.stop_at_ready = getenv("KAGO_VM_STOP_AT_READY") != NULL;
        if (getenv("KAGO_VM_CPUS"))
                c.vcpus = (unsigned)atoi(getenv("KAGO_VM_CPUS"));
        if (getenv("KAGO_VM_BOOT_TIMEOUT_MS"))
                c.boot_timeout_ms = (unsigned)atoi(getenv("KAGO_VM_BOOT_TIMEOUT_MS"));
        if (microvm_run(&c, &status, &s, &err) < 0) {
                fprintf(stderr, "driver: %s\n", kago_err_text(&err));
                return 125;
        }
        fprintf(stderr,
                "{\"rootfs\":\"%s\",\"ms_to_ready\":%.1f,\"exits_to_ready\":%llu,"
                "\"exits_total\":%llu,\"status\":%d,\"vmm_rss_kib\":%llu}\n",
                fs ? fs : "default", s.ns_to_ready / 1e6, (unsigned long long)s.exits_to_ready,
                (unsigned long long)s.exits_total, status, (unsigned long long)s.vmm_rss_kib);
        return status;
}

int main(int argc, char **argv)
{
        if (argc >= 5 && !strcmp(argv[1], "run"))
                return run(argv[2], argv[3], argv + 4);
        fprintf(stderr, "usage: [KAGO_VM_ROOTFS=9p|virtiofs] driver run KERNEL ROOT CMD...\n");
        return 2;
}
