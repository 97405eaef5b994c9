/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A microVM snapshot: a state file in snap.h's format (the VM's shape, the
 * KVM state of vm_state.c, every virtio device, the shared root's server
 * tables, the CPUID the guest saw) and a memory file, guest RAM byte for
 * byte with holes where it is zero. A restore maps the memory file
 * copy-on-write: pages come in from it as the guest first touches them,
 * and clones of one snapshot share what they do not write.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "fuse.h"
#include "p9.h"
#include "snap.h"
#include "vm.h"

#define PAGE      4096u
#define STATE_MAX (256u << 20)
#define CPUID_MAX 256

static const uint32_t known_tags[] = { SNAP_TAG_VM,   SNAP_TAG_CLOCK, SNAP_TAG_CHIPS,
                                       SNAP_TAG_VCPU, SNAP_TAG_CPUID, SNAP_TAG_DEVICE,
                                       SNAP_TAG_FS,   SNAP_TAG_P9, SNAP_TAG_DISKS };

/* ---- the VM's shape ------------------------------------------------------ */

/* The VM this config made must be the one saved: the guest's kernel knows
 * its CPUs, its RAM and its devices. */
static int shape_check(const struct vm *vm, const struct vm_shape *s, struct kago_err *err)
{
        if (s->vcpus != vm->n_vcpus || s->memory != vm->mem.size)
                return kago_err_set(err,
                                    "the snapshot is of a VM with %u vCPUs and %" PRIu64
                                    " MiB; the config asks for %u vCPUs and %" PRIu64 " MiB",
                                    s->vcpus, s->memory >> 20, vm->n_vcpus, vm->mem.size >> 20);
        if (s->n_devs != vm->n_devs)
                return kago_err_set(err,
                                    "the snapshot's VM has %u devices, this config makes %u "
                                    "(disks, NICs and the root filesystem must be the same)",
                                    s->n_devs, vm->n_devs);
        for (unsigned i = 0; i < s->n_devs; i++)
                if (s->dev_ids[i] != vm->devs[i]->ops->device_id)
                        return kago_err_set(err,
                                            "the snapshot's device %u is virtio type %u, this "
                                            "config makes type %u there",
                                            i, s->dev_ids[i], vm->devs[i]->ops->device_id);
        return 0;
}

/* The guest's TSC runs at the saved frequency: KVM rescales it where this
 * host's differs (TSC scaling), or the restore is refused. */
static int tsc_match(struct vm *vm, uint32_t khz, struct kago_err *err)
{
        int here = ioctl(vm->vcpus[0].fd, KVM_GET_TSC_KHZ, 0);
        if (!khz || here <= 0 || vm_tsc_close(khz, (uint32_t)here))
                return 0;
        for (unsigned i = 0; i < vm->n_vcpus; i++)
                if (ioctl(vm->vcpus[i].fd, KVM_SET_TSC_KHZ, khz) < 0)
                        return kago_err_errno(err, errno,
                                              "the snapshot's TSC runs at %u kHz, "
                                              "this host's at %d kHz, and KVM cannot "
                                              "rescale it",
                                              khz, here);
        return 0;
}

/* ---- devices and file server -------------------------------------------- */

/* The CPUID the guest saw, for the checks of a restore: optional. */
static void cpuid_save(const struct vm *vm, struct bytes *out)
{
        _cleanup_free_ struct kvm_cpuid2 *c =
                xcalloc(1, sizeof *c + CPUID_MAX * sizeof(struct kvm_cpuid_entry2));
        c->nent = CPUID_MAX;
        if (ioctl(vm->vcpus[0].fd, KVM_GET_CPUID2, c) == 0)
                snap_section(out, SNAP_TAG_CPUID, 1, 0, c->entries,
                             c->nent * sizeof(c->entries[0]));
}

static void devices_save(struct vm *vm, struct bytes *out)
{
        for (unsigned i = 0; i < vm->n_devs; i++) {
                struct bytes b = { 0 };
                virtio_dev_save(vm->devs[i], &b);
                snap_section(out, SNAP_TAG_DEVICE, 1, SNAP_REQUIRED, b.data, b.len);
                bytes_free(&b);
        }
}

static int devices_load(struct vm *vm, const struct snap_file *f, struct kago_err *err)
{
        for (unsigned i = 0; i < vm->n_devs; i++) {
                const struct snap_section *s = snap_find(f, SNAP_TAG_DEVICE, i);
                if (!s)
                        return kago_err_set(err, "snapshot: device %u: no section", i);
                if (virtio_dev_load(vm->devs[i], s, err) < 0)
                        return -1;
        }
        return 0;
}

/* The shared root's server tables: what the guest's kernel still refers
 * to (virtio-fs node ids and handles, or 9P fids). */
static int fs_save(const struct vm_fs *fs, struct bytes *out, struct kago_err *err)
{
        uint8_t *data = NULL;
        size_t len = 0;
        int rc = fs->fuse ? fuse_server_save(fs->fuse, &data, &len, err)
                 : fs->p9 ? p9_server_save(fs->p9, &data, &len, err)
                          : 0;
        if (rc == 0 && (fs->fuse || fs->p9))
                snap_section(out, fs->fuse ? SNAP_TAG_FS : SNAP_TAG_P9, 1, SNAP_REQUIRED, data,
                             len);
        free(data);
        return rc;
}

static const char *fs_name(bool fuse, bool p9)
{
        return fuse ? "virtio-fs" : p9 ? "9P" : "no shared";
}

static int fs_load(const struct vm_fs *fs, const struct snap_file *f, struct kago_err *err)
{
        const struct snap_section *fuse = snap_find(f, SNAP_TAG_FS, 0);
        const struct snap_section *p9 = snap_find(f, SNAP_TAG_P9, 0);
        if (!fuse != !fs->fuse || !p9 != !fs->p9)
                return kago_err_set(err,
                                    "the snapshot's VM had a %s root, this config's has a %s "
                                    "root (kago.vm.rootfs and vm.image must be the same)",
                                    fs_name(fuse, p9), fs_name(fs->fuse, fs->p9));
        int rc = fuse ? fuse_server_load(fs->fuse, fuse->data, fuse->len, err)
                 : p9 ? p9_server_load(fs->p9, p9->data, p9->len, err)
                      : 0;
        return rc < 0 ? kago_err_wrap(err, "snapshot: the shared root's open files") : 0;
}

/* ---- memory ------------------------------------------------------------------ */

static int pwrite_all(int fd, const uint8_t *p, size_t len, off_t off)
{
        while (len) {
                ssize_t n = pwrite(fd, p, len, off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return -1;
                p += n, off += n, len -= (size_t)n;
        }
        return 0;
}

static bool page_is_zero(const uint8_t *p)
{
        return p[0] == 0 && memcmp(p, p + 1, PAGE - 1) == 0;
}

/* Whether each page of [p, p + len) is resident; all are when the kernel
 * cannot say (or the RAM is a file's: mincore speaks of its page cache). */
static void resident_pages(const struct vm *vm, uint8_t *p, size_t len, unsigned char *vec)
{
        if (vm->mem_from_file || mincore(p, len, vec) < 0)
                memset(vec, 1, len / PAGE);
}

/* Guest RAM into fd: written runs of non-zero pages, holes elsewhere. */
static int mem_save(const struct vm *vm, int fd, uint64_t *written, struct kago_err *err)
{
        const size_t chunk = 2u << 20;
        static unsigned char vec[(2u << 20) / PAGE];
        const struct guest_mem *m = &vm->mem;
        if (ftruncate(fd, 0) < 0 || ftruncate(fd, (off_t)m->size) < 0)
                return kago_err_errno(err, errno, "memory file: size it to %" PRIu64 " bytes",
                                      m->size);
        *written = 0;
        for (uint64_t off = 0; off < m->size; off += chunk) {
                size_t len = m->size - off < chunk ? m->size - off : chunk;
                resident_pages(vm, m->host + off, len, vec);
                for (size_t i = 0; i < len / PAGE;) {
                        uint8_t *p = m->host + off + i * PAGE;
                        size_t run = 0;
                        while (i + run < len / PAGE && (vec[i + run] & 1) &&
                               !page_is_zero(p + run * PAGE))
                                run++;
                        if (run && pwrite_all(fd, p, run * PAGE, (off_t)(off + i * PAGE)) < 0)
                                return kago_err_errno(err, errno, "memory file: write");
                        *written += run * PAGE;
                        i += run ? run : 1;
                }
        }
        return 0;
}

/* Guest RAM becomes the file, copy-on-write, at the same address (KVM's
 * memory slots keep pointing at it). */
static int mem_map(struct vm *vm, int fd, bool prefault, struct kago_err *err)
{
        struct stat st;
        if (fstat(fd, &st) < 0)
                return kago_err_errno(err, errno, "memory file");
        if ((uint64_t)st.st_size != vm->mem.size)
                return kago_err_set(err,
                                    "memory file: %lld bytes, the VM has %" PRIu64
                                    " (truncated or of another VM)",
                                    (long long)st.st_size, vm->mem.size);
        int flags = MAP_PRIVATE | MAP_FIXED | (prefault ? MAP_POPULATE : 0);
        if (mmap(vm->mem.host, vm->mem.size, PROT_READ | PROT_WRITE, flags, fd, 0) == MAP_FAILED)
                return kago_err_errno(err, errno, "memory file: map it");
        vm->mem_from_file = true;
        return 0;
}

/* ---- the whole ---------------------------------------------------------------- */

int vm_snapshot_save(struct vm *vm, const struct vm_fs *fs, const struct vm_outside *out,
                     int state_fd, int mem_fd, struct kago_err *err)
{
        struct bytes b = { 0 };
        uint64_t t0 = vm_now_ns(), mem_written = 0;
        snap_begin(&b);
        int rc = vm_shape_save(vm, out->kernel_fd, &b, err);
        if (rc == 0)
                rc = vm_state_save(vm, &b, err);
        if (rc == 0) {
                cpuid_save(vm, &b);
                devices_save(vm, &b);
                rc = fs_save(fs, &b, err);
        }
        if (rc == 0)
                rc = vm_disks_save(out->disks, out->n_disks, &b, err);
        if (rc == 0)
                rc = mem_save(vm, mem_fd, &mem_written, err);
        if (rc == 0 && (ftruncate(state_fd, 0) < 0 || pwrite_all(state_fd, b.data, b.len, 0) < 0))
                rc = kago_err_errno(err, errno, "state file: write");
        if (rc == 0)
                log_debug("microvm: snapshot: %zu bytes of state, %" PRIu64 " of %" PRIu64
                          " MiB of RAM written, in %.1f ms",
                          b.len, mem_written >> 20, vm->mem.size >> 20, (vm_now_ns() - t0) / 1e6);
        bytes_free(&b);
        return rc;
}

int snap_parse_known(const uint8_t *data, size_t len, struct snap_file *f, struct kago_err *err)
{
        return snap_parse(data, len, known_tags, ARRAY_SIZE(known_tags), f, err);
}

int vm_state_read(int fd, struct bytes *b, struct kago_err *err)
{
        struct stat st;
        if (fstat(fd, &st) < 0)
                return kago_err_errno(err, errno, "state file");
        if (st.st_size <= 0 || (uint64_t)st.st_size > STATE_MAX)
                return kago_err_set(err, "state file: %lld bytes (1 to %u MiB expected)",
                                    (long long)st.st_size, STATE_MAX >> 20);
        b->data = xmalloc((size_t)st.st_size);
        b->cap = (size_t)st.st_size;
        for (size_t got = 0; got < b->cap;) { /* from its start, wherever the fd stands */
                ssize_t n = pread(fd, b->data + got, b->cap - got, (off_t)got);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return kago_err_errno(err, n < 0 ? errno : EIO, "state file: read");
                got += (size_t)n;
        }
        b->len = b->cap;
        return 0;
}

int vm_snapshot_load(struct vm *vm, const struct vm_fs *fs, int state_fd, int mem_fd,
                     bool prefault, struct kago_err *err)
{
        struct bytes b = { 0 };
        struct snap_file f = { 0 };
        struct vm_shape shape;
        int rc = vm_state_read(state_fd, &b, err);
        if (rc == 0)
                rc = snap_parse_known(b.data, b.len, &f, err);
        if (rc == 0)
                rc = vm_shape_parse(&f, &shape, err);
        if (rc == 0)
                rc = shape_check(vm, &shape, err);
        if (rc == 0)
                rc = tsc_match(vm, shape.tsc_khz, err);
        if (rc == 0)
                rc = mem_map(vm, mem_fd, prefault, err);
        if (rc == 0)
                rc = vm_state_load(vm, &f, err);
        if (rc == 0)
                rc = devices_load(vm, &f, err);
        if (rc == 0)
                rc = fs_load(fs, &f, err);
        snap_file_free(&f);
        bytes_free(&b);
        return rc;
}
