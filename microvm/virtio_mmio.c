/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The virtio-mmio transport (VIRTIO 1.x, 4.2, register version 2). Devices
 * sit at GUEST_MMIO_BASE + n * 4 KiB with ISA IRQ 5 + n, are announced to the
 * kernel on its command line, and interrupt through an irqfd.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "snap.h"
#include "vm.h"

#define VIRTIO_MAGIC 0x74726976
#define VIRTIO_VENDOR 0x4f47414b /* "KAGO" */
#define VIRTIO_F_VERSION_1 (1ull << 32)
#define VIRTIO_RING_F_EVENT_IDX (1ull << 29)
#define STATUS_FAILED 0x80

enum {
        R_MAGIC = 0x000, R_VERSION = 0x004, R_DEVICE_ID = 0x008, R_VENDOR_ID = 0x00c,
        R_DEV_FEAT = 0x010, R_DEV_FEAT_SEL = 0x014, R_DRV_FEAT = 0x020, R_DRV_FEAT_SEL = 0x024,
        R_QUEUE_SEL = 0x030, R_QUEUE_NUM_MAX = 0x034, R_QUEUE_NUM = 0x038, R_QUEUE_READY = 0x044,
        R_QUEUE_NOTIFY = 0x050, R_INT_STATUS = 0x060, R_INT_ACK = 0x064, R_STATUS = 0x070,
        R_DESC_LO = 0x080, R_DESC_HI = 0x084, R_AVAIL_LO = 0x090, R_AVAIL_HI = 0x094,
        R_USED_LO = 0x0a0, R_USED_HI = 0x0a4, R_CONFIG_GEN = 0x0fc, R_CONFIG = 0x100,
};

int virtio_mmio_add(struct vm *vm, const struct virtio_ops *ops, void *priv,
                    struct virtio_dev **out, struct kago_err *err)
{
        if (vm->n_devs == VM_MAX_DEVICES)
                return kago_err_set(err, "too many virtio devices");
        struct virtio_dev *d = xcalloc(1, sizeof *d);
        d->ops = ops;
        d->priv = priv;
        d->vm = vm;
        d->base = GUEST_MMIO_BASE + vm->n_devs * GUEST_MMIO_STRIDE;
        d->irq = GUEST_IRQ_FIRST + vm->n_devs;
        pthread_mutex_init(&d->lock, NULL);
        d->irqfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        struct kvm_irqfd irqfd = { .fd = (uint32_t)d->irqfd, .gsi = d->irq };
        if (d->irqfd < 0 || ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0) {
                int e = errno;
                virtio_dev_free(d);
                return kago_err_errno(err, e, "virtio device %u: irqfd", vm->n_devs);
        }
        vm->devs[vm->n_devs++] = d;
        if (out)
                *out = d;
        return 0;
}

int virtio_queue_eventfd(struct virtio_dev *d, unsigned q, int efd, struct kago_err *err)
{
        struct kvm_ioeventfd io = {
                .datamatch = q,
                .addr = d->base + R_QUEUE_NOTIFY,
                .len = 4,
                .fd = efd,
                .flags = KVM_IOEVENTFD_FLAG_DATAMATCH,
        };
        if (ioctl(d->vm->vm_fd, KVM_IOEVENTFD, &io) < 0)
                return kago_err_errno(err, errno, "virtio device at 0x%llx: ioeventfd for queue %u",
                                      (unsigned long long)d->base, q);
        return 0;
}

void virtio_dev_free(struct virtio_dev *d)
{
        if (!d)
                return;
        if (d->irqfd >= 0)
                close(d->irqfd);
        if (d->priv_free)
                d->priv_free(d->priv);
        pthread_mutex_destroy(&d->lock);
        free(d);
}

void virtio_mmio_cmdline(struct vm *vm, char *buf, size_t size)
{
        for (unsigned i = 0; i < vm->n_devs; i++) {
                size_t n = strlen(buf);
                snprintf(buf + n, size - n, " virtio_mmio.device=4K@0x%llx:%u",
                         (unsigned long long)vm->devs[i]->base, vm->devs[i]->irq);
        }
}

void virtio_irq(struct virtio_dev *d)
{
        __atomic_or_fetch(&d->isr, 1, __ATOMIC_SEQ_CST);
        uint64_t one = 1;
        if (write(d->irqfd, &one, sizeof one) < 0)
                return; /* counter saturated: an interrupt is pending anyway */
}

void virtio_config_changed(struct virtio_dev *d)
{
        __atomic_or_fetch(&d->isr, 2, __ATOMIC_SEQ_CST);
        uint64_t one = 1;
        if (write(d->irqfd, &one, sizeof one) < 0)
                return;
}

int virtio_queue_serve(struct virtio_dev *d, unsigned q,
                       uint32_t (*serve)(struct virtio_dev *d, const struct vq_chain *c),
                       struct kago_err *err)
{
        struct virtq *vq = &d->vq[q];
        struct vq_chain ch;
        bool any = false;
        int rc;
        vq_set_notify(&d->vm->mem, vq, false);
        for (int pass = 0; pass < 2; pass++) {
                while ((rc = vq_pop(&d->vm->mem, vq, &ch, err)) > 0) {
                        if (vq_push(&d->vm->mem, vq, ch.head, serve(d, &ch), err) < 0)
                                return -1;
                        any = true;
                }
                if (rc < 0)
                        return -1;
                if (pass == 0)
                        vq_set_notify(&d->vm->mem, vq, true);
        }
        if (any && vq_irq_wanted(&d->vm->mem, vq))
                virtio_irq(d);
        return 0;
}

static struct virtq *cur_queue(struct virtio_dev *d)
{
        return d->queue_sel < d->ops->n_queues ? &d->vq[d->queue_sel] : NULL;
}

static uint64_t dev_features(const struct virtio_dev *d)
{
        return d->ops->features | VIRTIO_F_VERSION_1 | VIRTIO_RING_F_EVENT_IDX;
}

static uint32_t mmio_read(struct virtio_dev *d, uint64_t off)
{
        struct virtq *q = cur_queue(d);
        switch (off) {
        case R_MAGIC: return VIRTIO_MAGIC;
        case R_VERSION: return 2;
        case R_DEVICE_ID: return d->ops->device_id;
        case R_VENDOR_ID: return VIRTIO_VENDOR;
        case R_DEV_FEAT:
                return d->dev_feat_sel < 2 ? (uint32_t)(dev_features(d) >> (32 * d->dev_feat_sel)) : 0;
        case R_QUEUE_NUM_MAX: return q ? d->ops->queue_max : 0;
        case R_QUEUE_READY: return q ? q->ready : 0;
        case R_INT_STATUS: return __atomic_load_n(&d->isr, __ATOMIC_SEQ_CST);
        case R_STATUS: return d->status;
        case R_CONFIG_GEN: return 0;
        }
        return 0;
}

static void set_half(uint64_t *addr, bool high, uint32_t v)
{
        *addr = high ? (*addr & 0xffffffffull) | (uint64_t)v << 32 : (*addr & ~0xffffffffull) | v;
}

static void dev_reset(struct virtio_dev *d)
{
        if (d->ops->reset)
                d->ops->reset(d);
        d->status = 0;
        d->isr = 0;
        d->driver_features = 0;
        d->queue_sel = 0;
        memset(d->vq, 0, sizeof d->vq);
}

static void queue_set_ready(struct virtio_dev *d, struct virtq *q, bool ready)
{
        q->ready = ready;
        q->event_idx = d->driver_features & VIRTIO_RING_F_EVENT_IDX;
        q->signalled_valid = false;
        if (ready && q->used && (d->ops->quiet_queues & (1u << d->queue_sel)))
                vq_set_notify(&d->vm->mem, q, false);
}

static void queue_write(struct virtio_dev *d, struct virtq *q, uint64_t off, uint32_t v)
{
        switch (off) {
        case R_QUEUE_NUM: q->size = (uint16_t)v; break;
        case R_QUEUE_READY: queue_set_ready(d, q, v & 1); break;
        case R_DESC_LO: case R_DESC_HI: set_half(&q->desc, off == R_DESC_HI, v); break;
        case R_AVAIL_LO: case R_AVAIL_HI: set_half(&q->avail, off == R_AVAIL_HI, v); break;
        case R_USED_LO: case R_USED_HI: set_half(&q->used, off == R_USED_HI, v); break;
        }
}

static void queue_notify(struct virtio_dev *d, uint32_t q)
{
        struct kago_err e = { 0 };
        if (q >= d->ops->n_queues || !d->vq[q].ready)
                return;
        if (d->ops->notify(d, q, &e) < 0) {
                /* A broken ring is the guest's fault: mark the device failed
                 * and keep the VMM alive, as the spec asks (DEVICE_NEEDS_RESET). */
                log_debug("virtio device %u: %s", d->ops->device_id, kago_err_text(&e));
                d->status |= VIRTIO_STATUS_NEEDS_RESET;
        }
}

static void mmio_write(struct virtio_dev *d, uint64_t off, uint32_t v)
{
        struct virtq *q = cur_queue(d);
        switch (off) {
        case R_DEV_FEAT_SEL: d->dev_feat_sel = v; return;
        case R_DRV_FEAT_SEL: d->drv_feat_sel = v; return;
        case R_DRV_FEAT:
                if (d->drv_feat_sel < 2)
                        set_half(&d->driver_features, d->drv_feat_sel == 1, v & (uint32_t)(dev_features(d) >> (32 * d->drv_feat_sel)));
                return;
        case R_QUEUE_SEL: d->queue_sel = v; return;
        case R_QUEUE_NOTIFY: queue_notify(d, v); return;
        case R_INT_ACK: __atomic_and_fetch(&d->isr, ~v, __ATOMIC_SEQ_CST); return;
        case R_STATUS:
                if (v == 0) {
                        dev_reset(d);
                        return;
                }
                if ((v & ~d->status & VIRTIO_STATUS_DRIVER_OK) && d->ops->driver_ok)
                        d->ops->driver_ok(d);
                d->status = v;
                return;
        }
        if (q)
                queue_write(d, q, off, v);
}

bool virtio_mmio_access(struct vm *vm, uint64_t gpa, uint8_t *data, unsigned len, bool write)
{
        if (gpa < GUEST_MMIO_BASE)
                return false;
        uint64_t idx = (gpa - GUEST_MMIO_BASE) / GUEST_MMIO_STRIDE;
        if (idx >= vm->n_devs)
                return false;
        struct virtio_dev *d = vm->devs[idx];
        uint64_t off = gpa - d->base;
        pthread_mutex_lock(&d->lock);
        if (off >= R_CONFIG) {
                if (!write && d->ops->config_read)
                        d->ops->config_read(d, off - R_CONFIG, data, len);
                else if (!write)
                        memset(data, 0, len);
        } else if (len == 4 && write) {
                uint32_t v;
                memcpy(&v, data, 4);
                mmio_write(d, off, v);
        } else if (len == 4) {
                uint32_t v = mmio_read(d, off);
                memcpy(data, &v, 4);
        } else if (!write) {
                memset(data, 0, len);
        }
        pthread_mutex_unlock(&d->lock);
        return true;
}

/* ---- snapshots --------------------------------------------------------- */

static void queue_save(const struct virtio_dev *d, unsigned q, struct bytes *out)
{
        const struct virtq *v = &d->vq[q];
        /* A chain the device took and has not used yet is taken again after
         * the restore: its buffers are still the driver's. */
        unsigned held = d->ops->held_chains ? d->ops->held_chains(d, q) : 0;
        snap_put_u32(out, v->size);
        snap_put_u32(out, (uint32_t)v->ready | (uint32_t)v->event_idx << 1 |
                                  (uint32_t)v->signalled_valid << 2);
        snap_put_u64(out, v->desc);
        snap_put_u64(out, v->avail);
        snap_put_u64(out, v->used);
        snap_put_u32(out, (uint16_t)(v->last_avail - held));
        snap_put_u32(out, v->signalled_used);
}

void virtio_dev_save(struct virtio_dev *d, struct bytes *out)
{
        pthread_mutex_lock(&d->lock);
        snap_put_u32(out, d->ops->device_id);
        snap_put_u32(out, d->status);
        snap_put_u32(out, __atomic_load_n(&d->isr, __ATOMIC_SEQ_CST));
        snap_put_u32(out, d->dev_feat_sel);
        snap_put_u32(out, d->drv_feat_sel);
        snap_put_u32(out, d->queue_sel);
        snap_put_u64(out, d->driver_features);
        for (unsigned q = 0; q < ARRAY_SIZE(d->vq); q++)
                queue_save(d, q, out);
        struct bytes own = { 0 };
        if (d->ops->save)
                d->ops->save(d, &own);
        snap_put_u32(out, (uint32_t)own.len);
        bytes_put(out, own.data, own.len);
        bytes_free(&own);
        pthread_mutex_unlock(&d->lock);
}

static void queue_load(struct virtq *v, struct snap_cursor *c)
{
        v->size = (uint16_t)snap_get_u32(c);
        uint32_t flags = snap_get_u32(c);
        v->ready = flags & 1;
        v->event_idx = flags & 2;
        v->signalled_valid = flags & 4;
        v->desc = snap_get_u64(c);
        v->avail = snap_get_u64(c);
        v->used = snap_get_u64(c);
        v->last_avail = (uint16_t)snap_get_u32(c);
        v->signalled_used = (uint16_t)snap_get_u32(c);
}

int virtio_dev_load(struct virtio_dev *d, const struct snap_section *s, struct kago_err *err)
{
        struct snap_cursor c;
        snap_cursor_init(&c, s);
        uint32_t id = snap_get_u32(&c);
        if (!c.short_read && id != d->ops->device_id)
                return kago_err_set(err, "snapshot: virtio device at 0x%llx: saved as device type "
                                         "%u, the VM has type %u there (its config differs)",
                                    (unsigned long long)d->base, id, d->ops->device_id);
        d->status = snap_get_u32(&c);
        d->isr = snap_get_u32(&c);
        d->dev_feat_sel = snap_get_u32(&c);
        d->drv_feat_sel = snap_get_u32(&c);
        d->queue_sel = snap_get_u32(&c);
        d->driver_features = snap_get_u64(&c) & dev_features(d);
        for (unsigned q = 0; q < ARRAY_SIZE(d->vq); q++)
                queue_load(&d->vq[q], &c);
        uint32_t own_len = snap_get_u32(&c);
        struct snap_section own = { .data = snap_take(&c, own_len), .len = own_len };
        if (c.short_read || c.left || (own_len && !d->ops->load) ||
            (d->ops->load && d->ops->load(d, &own) < 0))
                return kago_err_set(err, "snapshot: virtio device at 0x%llx (type %u): section "
                                         "malformed", (unsigned long long)d->base, id);
        /* What the driver's DRIVER_OK started (a NIC's offloads, its
         * receive path) starts again. */
        if ((d->status & VIRTIO_STATUS_DRIVER_OK) && d->ops->driver_ok)
                d->ops->driver_ok(d);
        return 0;
}
