/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Split virtqueues (VIRTIO 1.x, 2.7): pop a descriptor chain from the
 * available ring into host iovecs, push it to the used ring. Every guest
 * address and index is checked: a malformed ring is an error, never a
 * host memory access outside guest RAM.
 */
#include <string.h>

#include "vm.h"

#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_DESC_F_INDIRECT 4
#define VRING_USED_F_NO_NOTIFY 1
#define VRING_AVAIL_F_NO_INTERRUPT 1

struct vring_desc {
        uint64_t addr;
        uint32_t len;
        uint16_t flags, next;
};

static uint16_t avail_idx(const struct guest_mem *m, const struct virtq *q)
{
        uint16_t *p = guest_ptr(m, q->avail + 2, 2);
        return p ? __atomic_load_n(p, __ATOMIC_ACQUIRE) : q->last_avail;
}

/* The event index fields (2.7.10): avail_event after the used ring's
 * entries, used_event after the avail ring's. */
static uint16_t *avail_event(const struct guest_mem *m, const struct virtq *q)
{
        return guest_ptr(m, q->used + 4 + 8ull * q->size, 2);
}

static const uint16_t *used_event(const struct guest_mem *m, const struct virtq *q)
{
        return guest_ptr(m, q->avail + 4 + 2ull * q->size, 2);
}

static int vq_check(const struct guest_mem *m, const struct virtq *q, struct kago_err *err)
{
        if (!q->ready || !q->size || (q->size & (q->size - 1)) || q->size > VQ_MAX_SIZE)
                return kago_err_set(err, "virtqueue not ready or bad size %u", q->size);
        if (!guest_ptr(m, q->desc, 16ull * q->size) || !guest_ptr(m, q->avail, 6 + 2ull * q->size) ||
            !guest_ptr(m, q->used, 6 + 8ull * q->size))
                return kago_err_set(err, "virtqueue rings outside guest RAM");
        return 0;
}

static int vq_add_seg(const struct guest_mem *m, struct vq_chain *c, const struct vring_desc *d,
                      struct kago_err *err)
{
        void *p = guest_ptr(m, d->addr, d->len);
        if (!p && d->len)
                return kago_err_set(err, "virtqueue descriptor 0x%llx+%u outside guest RAM",
                                    (unsigned long long)d->addr, d->len);
        if (d->flags & VRING_DESC_F_WRITE) {
                if (c->n_in == VQ_MAX_SEGS)
                        return kago_err_set(err, "virtqueue chain too long");
                c->in[c->n_in++] = (struct iovec){ p, d->len };
                c->in_len += d->len;
        } else {
                if (c->n_in)
                        return kago_err_set(err, "virtqueue chain: readable after writable");
                if (c->n_out == VQ_MAX_SEGS)
                        return kago_err_set(err, "virtqueue chain too long");
                c->out[c->n_out++] = (struct iovec){ p, d->len };
                c->out_len += d->len;
        }
        return 0;
}

/* No chain left to pop. Under event index the answer follows a full fence:
 * the driver adds a chain, fences, then reads avail_event, so either it sees
 * the avail_event our last pop stored and kicks, or this look sees its
 * chain. A release store alone may pass the later load, and a pop loop would
 * stop while the driver, having read the old avail_event, waits for us: a
 * lost kick. Once per drained queue, not per chain. */
static bool vq_drained(const struct guest_mem *m, const struct virtq *q)
{
        if (avail_idx(m, q) != q->last_avail)
                return false;
        if (!q->event_idx)
                return true;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        return avail_idx(m, q) == q->last_avail;
}

int vq_pop(const struct guest_mem *m, struct virtq *q, struct vq_chain *c, struct kago_err *err)
{
        if (vq_check(m, q, err) < 0)
                return -1;
        if (vq_drained(m, q))
                return 0;
        const uint16_t *ring = guest_ptr(m, q->avail + 4, 2ull * q->size);
        uint16_t head = ring[q->last_avail % q->size];
        if (head >= q->size)
                return kago_err_set(err, "virtqueue head %u out of range", head);
        const struct vring_desc *table = guest_ptr(m, q->desc, 16ull * q->size);
        *c = (struct vq_chain){ .head = head };
        uint16_t i = head;
        for (unsigned n = 0;; n++) {
                struct vring_desc d;
                memcpy(&d, &table[i], sizeof d);
                if (n >= q->size || (d.flags & VRING_DESC_F_INDIRECT))
                        return kago_err_set(err, "virtqueue chain loops or is indirect");
                if (vq_add_seg(m, c, &d, err) < 0)
                        return -1;
                if (!(d.flags & VRING_DESC_F_NEXT))
                        break;
                if (d.next >= q->size)
                        return kago_err_set(err, "virtqueue next %u out of range", d.next);
                i = d.next;
        }
        q->last_avail++;
        if (q->event_idx) /* avail_event: kick once the driver passes this chain */
                __atomic_store_n(avail_event(m, q), q->last_avail, __ATOMIC_RELEASE);
        return 1;
}

int vq_push(const struct guest_mem *m, struct virtq *q, uint16_t head, uint32_t len,
            struct kago_err *err)
{
        if (vq_check(m, q, err) < 0)
                return -1;
        uint8_t *used = guest_ptr(m, q->used, 4 + 8ull * q->size);
        uint16_t idx;
        memcpy(&idx, used + 2, 2);
        uint32_t elem[2] = { head, len };
        memcpy(used + 4 + 8 * (idx % q->size), elem, 8);
        __atomic_store_n((uint16_t *)(used + 2), (uint16_t)(idx + 1), __ATOMIC_RELEASE);
        return 0;
}

void vq_set_notify(const struct guest_mem *m, struct virtq *q, bool on)
{
        if (q->event_idx) {
                uint16_t *event = avail_event(m, q);
                if (!on || !event)
                        return;
                __atomic_store_n(event, avail_idx(m, q), __ATOMIC_RELEASE);
        } else {
                uint16_t *flags = guest_ptr(m, q->used, 2);
                if (!flags)
                        return;
                __atomic_store_n(flags, on ? 0 : VRING_USED_F_NO_NOTIFY, __ATOMIC_RELEASE);
        }
        /* the change before any later look at the available index */
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* 2.7.10: whether the used index, moving from old to new, passed event. */
static bool need_event(uint16_t event, uint16_t new, uint16_t old)
{
        return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

bool vq_irq_wanted(const struct guest_mem *m, struct virtq *q)
{
        __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the used index before the driver's fields */
        if (!q->event_idx) {
                const uint16_t *flags = guest_ptr(m, q->avail, 2);
                return !flags || !(__atomic_load_n(flags, __ATOMIC_ACQUIRE) & VRING_AVAIL_F_NO_INTERRUPT);
        }
        const uint16_t *used_idx = guest_ptr(m, q->used + 2, 2);
        const uint16_t *event = used_event(m, q);
        if (!used_idx || !event)
                return true;
        uint16_t now = __atomic_load_n(used_idx, __ATOMIC_RELAXED);
        uint16_t old = q->signalled_used;
        bool valid = q->signalled_valid;
        q->signalled_used = now;
        q->signalled_valid = true;
        return !valid || need_event(__atomic_load_n(event, __ATOMIC_ACQUIRE), now, old);
}

size_t iov_copy_from(const struct iovec *iov, int n, size_t off, void *buf, size_t len)
{
        size_t done = 0;
        for (int i = 0; i < n && done < len; i++) {
                if (off >= iov[i].iov_len) {
                        off -= iov[i].iov_len;
                        continue;
                }
                size_t k = iov[i].iov_len - off;
                if (k > len - done)
                        k = len - done;
                memcpy((uint8_t *)buf + done, (uint8_t *)iov[i].iov_base + off, k);
                done += k;
                off = 0;
        }
        return done;
}

size_t iov_copy_to(const struct iovec *iov, int n, size_t off, const void *buf, size_t len)
{
        size_t done = 0;
        for (int i = 0; i < n && done < len; i++) {
                if (off >= iov[i].iov_len) {
                        off -= iov[i].iov_len;
                        continue;
                }
                size_t k = iov[i].iov_len - off;
                if (k > len - done)
                        k = len - done;
                memcpy((uint8_t *)iov[i].iov_base + off, (const uint8_t *)buf + done, k);
                done += k;
                off = 0;
        }
        return done;
}
