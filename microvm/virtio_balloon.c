/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-balloon (device 5), for kago update --memory: the VMM sets how
 * many 4 KiB pages the guest should give back (num_pages, then a config
 * interrupt); the guest lists each page it gives up on the inflate queue
 * and the VMM drops it from guest RAM (MADV_DONTNEED), so the VMM's memory,
 * and the container's cgroup, shrink; pages it takes back come through the
 * deflate queue and are faulted in again when the guest touches them. No
 * feature bits: the guest tells before it reuses a page, and without
 * deflate-on-OOM its MemTotal shows the balloon. PFNs are checked against
 * guest RAM like every address a guest gives.
 */
#include <string.h>
#include <sys/mman.h>

#include "snap.h"
#include "vm.h"

#define VIRTIO_ID_BALLOON 5
#define INFLATEQ 0
#define DEFLATEQ 1
#define BALLOON_PAGE 4096u

struct balloon {
        struct virtio_dev *dev;
        uint32_t target;   /* num_pages, under dev->lock */
        uint32_t inflated; /* pages the guest gave and did not take back */
};

static void balloon_config_read(struct virtio_dev *d, uint64_t off, void *data, unsigned len)
{
        struct balloon *b = d->priv;
        uint8_t cfg[8];
        for (int i = 0; i < 4; i++) {
                cfg[i] = (uint8_t)(b->target >> (8 * i));
                cfg[4 + i] = (uint8_t)(b->inflated >> (8 * i));
        }
        memset(data, 0, len);
        if (off < sizeof cfg)
                memcpy(data, cfg + off, len < sizeof cfg - off ? len : sizeof cfg - off);
}

/* One page given (inflate) or taken back. */
static void balloon_page(struct virtio_dev *d, struct balloon *b, uint32_t pfn, bool inflate)
{
        void *p = guest_ptr(&d->vm->mem, (uint64_t)pfn * BALLOON_PAGE, BALLOON_PAGE);
        if (!p)
                return; /* not guest RAM: ignore, as a hostile guest deserves */
        if (inflate) {
                madvise(p, BALLOON_PAGE, MADV_DONTNEED);
                b->inflated++;
        } else if (b->inflated) {
                b->inflated--;
        }
}

static int balloon_notify(struct virtio_dev *d, unsigned q, struct kago_err *err)
{
        struct balloon *b = d->priv;
        struct vq_chain ch;
        int rc;
        bool any = false;
        while ((rc = vq_pop(&d->vm->mem, &d->vq[q], &ch, err)) > 0) {
                for (size_t off = 0; off + 4 <= ch.out_len; off += 4) {
                        uint8_t le[4];
                        iov_copy_from(ch.out, ch.n_out, off, le, 4);
                        balloon_page(d, b, kago_le32(le), q == INFLATEQ);
                }
                if (vq_push(&d->vm->mem, &d->vq[q], ch.head, 0, err) < 0)
                        return -1;
                any = true;
        }
        if (any)
                virtio_irq(d);
        return rc;
}

/* What the guest was asked for and gave: a restored guest keeps its balloon. */
static void balloon_save(struct virtio_dev *d, struct bytes *out)
{
        const struct balloon *b = d->priv;
        snap_put_u32(out, b->target);
        snap_put_u32(out, b->inflated);
}

static int balloon_load(struct virtio_dev *d, const struct snap_section *s)
{
        struct balloon *b = d->priv;
        struct snap_cursor c;
        snap_cursor_init(&c, s);
        b->target = snap_get_u32(&c);
        b->inflated = snap_get_u32(&c);
        return c.short_read || c.left ? -1 : 0;
}

static const struct virtio_ops balloon_ops = {
        .device_id = VIRTIO_ID_BALLOON,
        .features = 0,
        .n_queues = 2,
        .queue_max = 64,
        .config_read = balloon_config_read,
        .notify = balloon_notify,
        .save = balloon_save,
        .load = balloon_load,
};

int balloon_add(struct vm *vm, struct balloon **out, struct kago_err *err)
{
        struct balloon *b = xcalloc(1, sizeof *b);
        if (virtio_mmio_add(vm, &balloon_ops, b, &b->dev, err) < 0) {
                free(b);
                return -1;
        }
        b->dev->priv_free = free;
        *out = b;
        return 0;
}

void balloon_set(struct balloon *b, uint64_t guest_bytes, struct balloon_state *now)
{
        struct virtio_dev *d = b->dev;
        uint64_t ram = d->vm->mem.size;
        uint32_t pages = guest_bytes < ram ? (uint32_t)((ram - guest_bytes) / BALLOON_PAGE) : 0;
        pthread_mutex_lock(&d->lock);
        if (guest_bytes && pages != b->target) {
                b->target = pages;
                virtio_config_changed(d);
        }
        *now = (struct balloon_state){ ram, (uint64_t)b->target * BALLOON_PAGE,
                                       (uint64_t)b->inflated * BALLOON_PAGE };
        pthread_mutex_unlock(&d->lock);
}
