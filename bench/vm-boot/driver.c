/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench/vm-boot driver: boots kago's VMM directly (no container setup) on a
 * kernel and a root directory, runs a command in the guest, and prints one
 * JSON line: time and KVM exits (to userspace) until the guest init's
 * boot-timer write, total exits, and the VMM's RSS without guest RAM.
 *   driver run KERNEL ROOTDIR CMD...
 *   driver initramfs OUT CMD...   (the same initramfs, for another VMM)
 * KAGO_VM_ROOTFS=9p|virtiofs picks the shared root's protocol for both;
 * KAGO_VM_DISK=FILE gives the guest FILE as its disk /dev/vda (virtio-blk).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../microvm/vm.h"

static char *env[] = { "PATH=/bin:/sbin:/usr/bin:/usr/sbin", "HOME=/", NULL };

/* The shared root's protocol from KAGO_VM_ROOTFS (unset: kago's default). */
static int set_rootfs(struct microvm_config *c, struct kago_err *err)
{
        const char *s = getenv("KAGO_VM_ROOTFS");
        return s ? microvm_parse_rootfs(s, &c->rootfs, err) : 0;
}

static int dump_initramfs(const char *out, char **args)
{
        struct microvm_config c;
        struct kago_err err = { 0 };
        struct bytes b = { 0 };
        microvm_config_init(&c);
        if (set_rootfs(&c, &err) < 0) {
                fprintf(stderr, "driver: KAGO_VM_ROOTFS: %s\n", kago_err_text(&err));
                return 1;
        }
        c.process.args = args;
        c.process.env = env;
        if (initramfs_build(&c, 128u << 10, &b, &err) < 0) {
                fprintf(stderr, "driver: %s\n", kago_err_text(&err));
                return 1;
        }
        FILE *f = fopen(out, "w");
        int ok = f && fwrite(b.data, 1, b.len, f) == b.len;
        if (f)
                fclose(f);
        bytes_free(&b);
        return ok ? 0 : 1;
}

static int run(const char *kernel, const char *root, char **args)
{
        struct microvm_config c;
        struct microvm_stats s = { 0 };
        struct kago_err err = { 0 };
        int status = -1;
        microvm_config_init(&c);
        if (set_rootfs(&c, &err) < 0) {
                fprintf(stderr, "driver: KAGO_VM_ROOTFS: %s\n", kago_err_text(&err));
                return 2;
        }
        if (getenv("KAGO_VM_DEBUG"))
                kago_log_open(NULL, KAGO_LOG_TEXT, KAGO_LOG_DEBUG, &err);
        c.kernel_fd = open(kernel, O_RDONLY | O_CLOEXEC);
        c.root = root;
        c.stdin_fd = getenv("KAGO_VM_STDIN") ? 0 : -1, c.stdout_fd = 1, c.stderr_fd = 2;
        c.process.args = args;
        c.process.env = env;
        struct microvm_disk disk = { -1, false };
        if (getenv("KAGO_VM_DISK")) {
                disk.fd = open(getenv("KAGO_VM_DISK"), O_RDWR | O_CLOEXEC);
                c.disks = &disk;
                c.n_disks = 1;
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
                "{\"vmm\":\"kago\",\"ms_to_ready\":%.1f,\"exits_to_ready\":%llu,"
                "\"exits_total\":%llu,\"status\":%d,\"vmm_rss_kib\":%llu}\n",
                s.ns_to_ready / 1e6, (unsigned long long)s.exits_to_ready,
                (unsigned long long)s.exits_total, status, (unsigned long long)s.vmm_rss_kib);
        return status;
}

int main(int argc, char **argv)
{
        if (argc >= 5 && !strcmp(argv[1], "run"))
                return run(argv[2], argv[3], argv + 4);
        if (argc >= 4 && !strcmp(argv[1], "initramfs"))
                return dump_initramfs(argv[2], argv + 3);
        fprintf(stderr, "usage: driver run KERNEL ROOT CMD... | driver initramfs OUT CMD...\n");
        return 2;
}
