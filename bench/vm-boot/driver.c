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
 * KAGO_VM_TAP=NAME gives the guest one NIC (virtio-net) on the tap NAME in
 * the caller's network namespace (made, or attached to when it persists),
 * with KAGO_VM_NIC_MAC (default 52:54:00:6b:61:01), KAGO_VM_NIC_NAME (eth0),
 * KAGO_VM_NIC_MTU (1500) and KAGO_VM_NIC_ADDR=A.B.C.D/LEN (none); for the
 * initramfs subcommand the same settings go into /kago.conf (no tap is
 * opened), so another VMM's NIC with that MAC is configured alike.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../microvm/vm.h"
#include "../../netns/netns.h"

static char *env[] = { "PATH=/bin:/sbin:/usr/bin:/usr/sbin", "HOME=/", NULL };

/* The shared root's protocol from KAGO_VM_ROOTFS (unset: kago's default). */
static int set_rootfs(struct microvm_config *c, struct kago_err *err)
{
        const char *s = getenv("KAGO_VM_ROOTFS");
        return s ? microvm_parse_rootfs(s, &c->rootfs, err) : 0;
}

/* One NIC from KAGO_VM_TAP and KAGO_VM_NIC_*, if KAGO_VM_TAP is set; the tap
 * is opened only when open_tap (a run, not an initramfs for another VMM). */
static int set_nic(struct microvm_config *c, struct microvm_nic *nic, bool open_tap,
                   struct kago_err *err)
{
        const char *tap = getenv("KAGO_VM_TAP");
        const char *mac = getenv("KAGO_VM_NIC_MAC"), *addr = getenv("KAGO_VM_NIC_ADDR");
        if (!tap)
                return 0;
        *nic = (struct microvm_nic){ .tap_fd = -1, .mtu = 1500 };
        snprintf(nic->name, sizeof nic->name, "%s",
                 getenv("KAGO_VM_NIC_NAME") ? getenv("KAGO_VM_NIC_NAME") : "eth0");
        if (getenv("KAGO_VM_NIC_MTU"))
                nic->mtu = (uint16_t)atoi(getenv("KAGO_VM_NIC_MTU"));
        if (!mac)
                mac = "52:54:00:6b:61:01";
        uint8_t *m = nic->mac;
        char end;
        if (sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx%c", &m[0], &m[1], &m[2], &m[3], &m[4],
                   &m[5], &end) != 6)
                return kago_err_set(err, "KAGO_VM_NIC_MAC=%s: not a MAC address", mac);
        if (addr) {
                char ip[INET_ADDRSTRLEN];
                unsigned len;
                if (sscanf(addr, "%15[0-9.]/%u%c", ip, &len, &end) != 2 || len > 32 ||
                    inet_pton(AF_INET, ip, nic->addrs[0].ip) != 1)
                        return kago_err_set(err, "KAGO_VM_NIC_ADDR=%s: not A.B.C.D/LEN", addr);
                nic->addrs[0].family = AF_INET;
                nic->addrs[0].prefix = (uint8_t)len;
                nic->n_addrs = 1;
        }
        if (open_tap && netns_tap_open(tap, &nic->tap_fd, err) < 0)
                return -1;
        c->nics = nic;
        c->n_nics = 1;
        return 0;
}

static int dump_initramfs(const char *out, char **args)
{
        struct microvm_config c;
        struct microvm_nic nic;
        struct kago_err err = { 0 };
        struct bytes b = { 0 };
        microvm_config_init(&c);
        if (set_rootfs(&c, &err) < 0) {
                fprintf(stderr, "driver: KAGO_VM_ROOTFS: %s\n", kago_err_text(&err));
                return 1;
        }
        if (set_nic(&c, &nic, false, &err) < 0) {
                fprintf(stderr, "driver: %s\n", kago_err_text(&err));
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
        struct microvm_nic nic;
        struct kago_err err = { 0 };
        int status = -1;
        microvm_config_init(&c);
        if (set_rootfs(&c, &err) < 0) {
                fprintf(stderr, "driver: KAGO_VM_ROOTFS: %s\n", kago_err_text(&err));
                return 2;
        }
        if (set_nic(&c, &nic, true, &err) < 0) {
                fprintf(stderr, "driver: %s\n", kago_err_text(&err));
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
