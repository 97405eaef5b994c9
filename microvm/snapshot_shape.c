/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a snapshot's VM was, and whether this host and config can make it
 * again: the VM section (vCPUs, RAM, the devices' types, the TSC frequency,
 * the kernel the guest booted) and the checks kago restore runs before it
 * touches anything (microvm_snapshot_checks): the files whole, the same
 * vCPUs and RAM, every CPUID feature the guest saw offered by this host's
 * KVM, a TSC of the same frequency (or one KVM rescales), the same kernel.
 */
#include <errno.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snap.h"
#include "vm.h"

#define KERNEL_MAX           (256u << 20)
#define NT_GNU_BUILD_ID_TYPE 3
/* Within this the TSC counts as the same (calibration differs by a few kHz). */
#define TSC_TOLERANCE_PPM 1000

/* ---- the kernel's identity --------------------------------------------- */

/* An ELF kernel's build ID (the linker's hash of its contents), else the
 * CRC-32 and size of the whole image. */
int microvm_kernel_id(int fd, char *out, size_t size, struct kago_err *err)
{
        _cleanup_image_ struct image_map img = { 0 };
        struct kago_err ignored = { 0 };
        struct elf_note n;
        if (image_map(fd, "kernel", KERNEL_MAX, &img, err) < 0)
                return -1;
        if (elf_find_note(img.data, img.len, "GNU", NT_GNU_BUILD_ID_TYPE, &n, &ignored) > 0 &&
            n.len && n.len <= 64) {
                size_t k = (size_t)snprintf(out, size, "build-id ");
                for (uint32_t i = 0; i < n.len && k + 3 <= size; i++)
                        k += (size_t)snprintf(out + k, size - k, "%02x", n.desc[i]);
                return 0;
        }
        snprintf(out, size, "crc32 %08x of %zu bytes", snap_crc32(img.data, img.len), img.len);
        return 0;
}

/* ---- the disks ------------------------------------------------------------- */

/* A disk's size and the CRC-32 of all of it, read through fd. */
int disk_fingerprint(int fd, struct disk_print *out, struct kago_err *err)
{
        static uint8_t buf[1 << 20];
        uint64_t size = 0;
        uint32_t crc = 0;
        for (;;) {
                ssize_t n = pread(fd, buf, sizeof buf, (off_t)size);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return kago_err_errno(err, errno, "disk: read at %" PRIu64, size);
                if (n == 0)
                        break;
                crc = snap_crc32_update(crc, buf, (size_t)n);
                size += (uint64_t)n;
        }
        *out = (struct disk_print){ size, crc };
        return 0;
}

/* Each disk as it was when the snapshot was taken, flushed first: a restore
 * refuses disks that changed since (the guest's memory holds their state). */
int vm_disks_save(const struct microvm_disk *disks, size_t n, struct bytes *out,
                  struct kago_err *err)
{
        struct bytes b = { 0 };
        snap_put_u32(&b, (uint32_t)n);
        for (size_t i = 0; i < n; i++) {
                struct disk_print p;
                if ((!disks[i].readonly && fdatasync(disks[i].fd) < 0 && errno != EINVAL &&
                     kago_err_errno(err, errno, "flush") < 0) ||
                    disk_fingerprint(disks[i].fd, &p, err) < 0) {
                        bytes_free(&b);
                        return kago_err_wrap(err, "disk %zu", i);
                }
                snap_put_u64(&b, p.size);
                snap_put_u32(&b, p.crc);
        }
        snap_section(out, SNAP_TAG_DISKS, 1, 0, b.data, b.len);
        bytes_free(&b);
        return 0;
}

/* ---- the VM section ------------------------------------------------------ */

static uint32_t vcpu_tsc_khz(const struct vcpu *v)
{
        int khz = ioctl(v->fd, KVM_GET_TSC_KHZ, 0);
        return khz > 0 ? (uint32_t)khz : 0;
}

int vm_shape_save(const struct vm *vm, int kernel_fd, struct bytes *out, struct kago_err *err)
{
        char id[VM_KERNEL_ID_MAX] = "";
        if (kernel_fd >= 0 && microvm_kernel_id(kernel_fd, id, sizeof id, err) < 0)
                return -1;
        struct bytes b = { 0 };
        snap_put_u32(&b, vm->n_vcpus);
        snap_put_u64(&b, vm->mem.size);
        snap_put_u32(&b, vm->n_devs);
        for (unsigned i = 0; i < vm->n_devs; i++)
                snap_put_u32(&b, vm->devs[i]->ops->device_id);
        snap_put_u32(&b, vcpu_tsc_khz(&vm->vcpus[0]));
        snap_put_u32(&b, (uint32_t)strlen(id));
        bytes_put(&b, id, strlen(id));
        snap_section(out, SNAP_TAG_VM, 1, SNAP_REQUIRED, b.data, b.len);
        bytes_free(&b);
        return 0;
}

int vm_shape_parse(const struct snap_file *f, struct vm_shape *s, struct kago_err *err)
{
        struct snap_cursor c;
        snap_cursor_init(&c, snap_find(f, SNAP_TAG_VM, 0));
        *s = (struct vm_shape){ .vcpus = snap_get_u32(&c) };
        s->memory = snap_get_u64(&c);
        s->n_devs = snap_get_u32(&c);
        if (s->n_devs > VM_MAX_DEVICES)
                return kago_err_set(err, "snapshot: VM section: %u devices", s->n_devs);
        for (unsigned i = 0; i < s->n_devs; i++)
                s->dev_ids[i] = snap_get_u32(&c);
        s->tsc_khz = snap_get_u32(&c);
        uint32_t id_len = snap_get_u32(&c);
        const char *id = id_len < sizeof s->kernel_id ? snap_take(&c, id_len) : NULL;
        if (c.short_read || !id || c.left)
                return kago_err_set(err, "snapshot: VM section missing or malformed");
        memcpy(s->kernel_id, id, id_len);
        return 0;
}

/* ---- the checks ---------------------------------------------------------- */

static void row(struct microvm_check *rows, size_t *n, const char *name, bool ok, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));
static void row(struct microvm_check *rows, size_t *n, const char *name, bool ok, const char *fmt,
                ...)
{
        if (*n >= MICROVM_CHECKS_MAX)
                return;
        struct microvm_check *r = &rows[(*n)++];
        va_list ap;
        va_start(ap, fmt);
        r->name = name;
        r->ok = ok;
        vsnprintf(r->detail, sizeof r->detail, fmt, ap);
        va_end(ap);
}

/* The feature registers whose bits a guest acts on. */
static const struct {
        uint32_t fn, index;
        unsigned reg; /* 0 eax, 1 ebx, 2 ecx, 3 edx */
} feature_regs[] = {
        { 1, 0, 2 },          { 1, 0, 3 },          { 7, 0, 1 },          { 7, 0, 2 },
        { 7, 0, 3 },          { 7, 1, 0 },          { 0xd, 1, 0 },        { 0x80000001, 0, 2 },
        { 0x80000001, 0, 3 }, { 0x80000007, 0, 3 }, { 0x80000008, 0, 1 },
};
static const char *const reg_names[] = { "eax", "ebx", "ecx", "edx" };

static uint32_t cpuid_reg(const struct kvm_cpuid_entry2 *e, size_t n, uint32_t fn, uint32_t index,
                          unsigned reg, bool *found)
{
        for (size_t i = 0; i < n; i++) {
                if (e[i].function != fn || e[i].index != index)
                        continue;
                *found = true;
                const uint32_t r[4] = { e[i].eax, e[i].ebx, e[i].ecx, e[i].edx };
                return r[reg];
        }
        *found = false;
        return 0;
}

size_t cpuid_missing(const struct kvm_cpuid_entry2 *saved, size_t n_saved,
                     const struct kvm_cpuid_entry2 *host, size_t n_host, char *list, size_t size)
{
        size_t missing = 0;
        *list = '\0';
        for (size_t i = 0; i < ARRAY_SIZE(feature_regs); i++) {
                bool in_saved, in_host;
                uint32_t fn = feature_regs[i].fn, idx = feature_regs[i].index;
                unsigned reg = feature_regs[i].reg;
                uint32_t want = cpuid_reg(saved, n_saved, fn, idx, reg, &in_saved);
                uint32_t have = cpuid_reg(host, n_host, fn, idx, reg, &in_host);
                for (unsigned bit = 0; in_saved && bit < 32; bit++) {
                        if (!(want & (1u << bit)) || (have & (1u << bit)))
                                continue;
                        size_t k = strlen(list);
                        if (missing++ < 8)
                                snprintf(list + k, size - k, "%sleaf 0x%x.%u %s bit %u",
                                         k ? ", " : "", fn, idx, reg_names[reg], bit);
                }
        }
        return missing;
}

/* Each feature bit the guest saw that this host's vCPUs would lack, named. */
static void check_cpuid(const struct snap_file *f, int kvm_fd, unsigned vcpus,
                        struct microvm_check *rows, size_t *n)
{
        const struct snap_section *s = snap_find(f, SNAP_TAG_CPUID, 0);
        _cleanup_free_ struct kvm_cpuid2 *host = NULL;
        struct kago_err err = { 0 };
        char list[256];
        if (!s || s->len % sizeof(struct kvm_cpuid_entry2))
                return row(rows, n, "cpuid", true, "not recorded in the image: not checked");
        if (vcpu_cpuid(kvm_fd, 0, vcpus, &host, &err) < 0)
                return row(rows, n, "cpuid", false, "%s", kago_err_text(&err));
        size_t missing = cpuid_missing((const void *)s->data, s->len / sizeof(host->entries[0]),
                                       host->entries, host->nent, list, sizeof list);
        if (missing)
                return row(rows, n, "cpuid", false,
                           "%zu feature%s the guest saw this host's KVM "
                           "lacks: %s%s",
                           missing, missing > 1 ? "s" : "", list, missing > 8 ? ", ..." : "");
        row(rows, n, "cpuid", true, "every feature the guest saw is here");
}

bool vm_tsc_close(uint32_t a, uint32_t b)
{
        uint64_t d = a > b ? a - b : b - a;
        return d * 1000000ull <= (uint64_t)b * TSC_TOLERANCE_PPM;
}

/* The host's TSC frequency as KVM gives it to a vCPU (a throwaway VM). */
static uint32_t host_tsc_khz(int kvm_fd)
{
        int vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
        int cpu = vm >= 0 ? ioctl(vm, KVM_CREATE_VCPU, 0) : -1;
        int khz = cpu >= 0 ? ioctl(cpu, KVM_GET_TSC_KHZ, 0) : -1;
        if (cpu >= 0)
                close(cpu);
        if (vm >= 0)
                close(vm);
        return khz > 0 ? (uint32_t)khz : 0;
}

static void check_tsc(const struct vm_shape *s, int kvm_fd, struct microvm_check *rows, size_t *n)
{
        uint32_t here = host_tsc_khz(kvm_fd);
        bool scales = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_CONTROL) > 0;
        if (!s->tsc_khz || !here)
                return row(rows, n, "tsc", true,
                           "not known (image %u kHz, host %u kHz): not "
                           "checked",
                           s->tsc_khz, here);
        if (vm_tsc_close(s->tsc_khz, here))
                return row(rows, n, "tsc", true, "%u kHz, host %u kHz", s->tsc_khz, here);
        row(rows, n, "tsc", scales, "%u kHz, host %u kHz: %s", s->tsc_khz, here,
            scales ? "KVM rescales the guest's TSC" : "this host's KVM cannot rescale it");
}

static void check_kernel(const struct vm_shape *s, int kernel_fd, struct microvm_check *rows,
                         size_t *n)
{
        char id[VM_KERNEL_ID_MAX];
        struct kago_err err = { 0 };
        if (!*s->kernel_id)
                return row(rows, n, "kernel", true, "not recorded in the image: not checked");
        if (microvm_kernel_id(kernel_fd, id, sizeof id, &err) < 0)
                return row(rows, n, "kernel", false, "%s", kago_err_text(&err));
        row(rows, n, "kernel", strcmp(id, s->kernel_id) == 0, "image %s, config %s", s->kernel_id,
            id);
}

static void check_memory_file(int mem_fd, uint64_t memory, struct microvm_check *rows, size_t *n)
{
        struct stat st;
        if (fstat(mem_fd, &st) < 0)
                return row(rows, n, "memory file", false, "%s", strerror(errno));
        row(rows, n, "memory file", (uint64_t)st.st_size == memory,
            "%lld bytes, the VM has %" PRIu64 "%s", (long long)st.st_size, memory,
            (uint64_t)st.st_size == memory ? "" : " (truncated or of another VM)");
}

/* Family, model and stepping from CPUID leaf 1's eax, as Intel's and AMD's
 * manuals combine the base and extended fields. */
static void cpu_model(const struct snap_file *f, char *out, size_t size)
{
        const struct snap_section *s = snap_find(f, SNAP_TAG_CPUID, 0);
        bool found = false;
        uint32_t eax = 0;
        if (s && s->len % sizeof(struct kvm_cpuid_entry2) == 0) {
                const struct kvm_cpuid_entry2 *e = (const void *)s->data;
                size_t n = s->len / sizeof *e;
                for (size_t i = 0; i < n && !found; i++)
                        if (e[i].function == 1 && e[i].index == 0)
                                found = true, eax = e[i].eax;
        }
        if (!found) {
                snprintf(out, size, "unknown");
                return;
        }
        unsigned family = (eax >> 8) & 0xf, model = (eax >> 4) & 0xf;
        if (family == 0xf)
                family += (eax >> 20) & 0xff;
        if (family >= 6)
                model |= ((eax >> 16) & 0xf) << 4;
        snprintf(out, size, "family 0x%x model 0x%x stepping %u", family, model, eax & 0xf);
}

int microvm_snapshot_describe(int state_fd, char **json, struct kago_err *err)
{
        struct bytes b = { 0 };
        struct snap_file f = { 0 };
        struct vm_shape s;
        char model[64];
        int rc = vm_state_read(state_fd, &b, err);
        if (rc == 0)
                rc = snap_parse_known(b.data, b.len, &f, err);
        if (rc == 0)
                rc = vm_shape_parse(&f, &s, err);
        if (rc == 0) {
                const struct snap_section *c = snap_find(&f, SNAP_TAG_CPUID, 0);
                cpu_model(&f, model, sizeof model);
                for (char *p = s.kernel_id; *p; p++) /* ours: hex, digits, words */
                        if (!isalnum((unsigned char)*p) && *p != ' ' && *p != '-')
                                *p = '?';
                *json = xasprintf("\"vm\":{\"format\":\"%u.%u\",\"vcpus\":%u,\"memory\":%" PRIu64
                                  ",\"tscKhz\":%u,\"kernel\":\"%s\",\"cpuModel\":\"%s\","
                                  "\"cpuidLeaves\":%zu}",
                                  f.major, f.minor, s.vcpus, s.memory, s.tsc_khz, s.kernel_id, model,
                                  c ? (size_t)(c->len / sizeof(struct kvm_cpuid_entry2)) : 0);
        }
        snap_file_free(&f);
        bytes_free(&b);
        return rc;
}

static void check_disks(const struct snap_file *f, const int *disk_fds, size_t n_disks,
                        struct microvm_check *rows, size_t *n)
{
        struct snap_cursor c;
        const struct snap_section *s = snap_find(f, SNAP_TAG_DISKS, 0);
        struct kago_err err = { 0 };
        if (!s)
                return row(rows, n, "disks", true, "not recorded in the image: not checked");
        snap_cursor_init(&c, s);
        uint32_t saved = snap_get_u32(&c);
        if (c.short_read || saved != n_disks)
                return row(rows, n, "disks", false, "image %u, config %zu", saved, n_disks);
        for (size_t i = 0; i < n_disks; i++) {
                struct disk_print p, was;
                was.size = snap_get_u64(&c);
                was.crc = snap_get_u32(&c);
                if (c.short_read)
                        return row(rows, n, "disks", false, "the image's disk table is malformed");
                if (disk_fingerprint(disk_fds[i], &p, &err) < 0)
                        return row(rows, n, "disks", false, "disk %zu: %s", i, kago_err_text(&err));
                if (p.size != was.size || p.crc != was.crc)
                        return row(rows, n, "disks", false,
                                   "disk %zu (/dev/vd%c) changed since the checkpoint: %" PRIu64
                                   " bytes, CRC-32 %08x; then %" PRIu64 ", %08x",
                                   i, (char)('a' + i), p.size, p.crc, was.size, was.crc);
        }
        row(rows, n, "disks", true, "%zu as they were at the checkpoint (size, CRC-32)", n_disks);
}

void microvm_snapshot_checks(const struct microvm_snapshot_files *h, unsigned vcpus,
                             uint64_t memory, struct microvm_check *rows, size_t *n)
{
        struct bytes b = { 0 };
        struct snap_file f = { 0 };
        struct vm_shape s;
        struct kago_err err = { 0 };
        *n = 0;
        if (vm_state_read(h->state_fd, &b, &err) < 0 ||
            snap_parse_known(b.data, b.len, &f, &err) < 0 || vm_shape_parse(&f, &s, &err) < 0) {
                row(rows, n, "state file", false, "%s", kago_err_text(&err));
        } else {
                row(rows, n, "state file", true, "%zu sections, each CRC right", f.n);
                row(rows, n, "vm", s.vcpus == vcpus && s.memory == memory,
                    "image %u vCPUs and %" PRIu64 " MiB, config %u vCPUs and %" PRIu64 " MiB",
                    s.vcpus, s.memory >> 20, vcpus, memory >> 20);
                check_memory_file(h->mem_fd, memory, rows, n);
                check_cpuid(&f, h->kvm_fd, vcpus, rows, n);
                check_tsc(&s, h->kvm_fd, rows, n);
                check_kernel(&s, h->kernel_fd, rows, n);
                check_disks(&f, h->disk_fds, h->n_disks, rows, n);
        }
        snap_file_free(&f);
        bytes_free(&b);
}
