/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-9p (device 9): one request queue carrying 9P2000.L messages to the
 * in-VMM server (p9_*.c). Requests are served on the notifying vCPU.
 */
#include <string.h>

#include "p9.h"
#include "vm.h"

#define VIRTIO_ID_9P 9
#define VIRTIO_9P_MOUNT_TAG 1

struct v9p {
        struct p9_server *srv;
        char tag[64];
        uint16_t tag_len;
        uint8_t *req, *resp;
        size_t size;
};

static void v9p_config(struct virtio_dev *d, uint64_t off, void *data, unsigned len)
{
        struct v9p *p = d->priv;
        uint8_t cfg[2 + sizeof p->tag] = { (uint8_t)p->tag_len, (uint8_t)(p->tag_len >> 8) };
        memcpy(cfg + 2, p->tag, p->tag_len);
        memset(data, 0, len);
        if (off < sizeof cfg)
                memcpy(data, cfg + off, len < sizeof cfg - off ? len : sizeof cfg - off);
}

static int v9p_notify(struct virtio_dev *d, unsigned q, struct kago_err *err)
{
        struct v9p *p = d->priv;
        struct vq_chain c;
        int rc;
        bool any = false;
        (void)q;
        while ((rc = vq_pop(&d->vm->mem, &d->vq[0], &c, err)) > 0) {
                size_t len = iov_copy_from(c.out, c.n_out, 0, p->req, p->size);
                size_t cap = c.in_len < p->size ? c.in_len : p->size;
                size_t n = p9_handle(p->srv, p->req, len, p->resp, cap);
                iov_copy_to(c.in, c.n_in, 0, p->resp, n);
                if (vq_push(&d->vm->mem, &d->vq[0], c.head, (uint32_t)n, err) < 0)
                        return -1;
                any = true;
        }
        if (any)
                virtio_irq(d);
        return rc;
}

static const struct virtio_ops v9p_ops = {
        .device_id = VIRTIO_ID_9P,
        .features = VIRTIO_9P_MOUNT_TAG,
        .n_queues = 1,
        .queue_max = 128,
        .config_read = v9p_config,
        .notify = v9p_notify,
};

static void v9p_free(void *priv)
{
        struct v9p *p = priv;
        free(p->req);
        free(p->resp);
        free(p);
}

int virtio_9p_add(struct vm *vm, struct p9_server *srv, const char *tag, struct kago_err *err)
{
        size_t tl = strlen(tag);
        if (tl == 0 || tl > 63)
                return kago_err_set(err, "9P mount tag '%s': 1 to 63 bytes", tag);
        struct v9p *p = xcalloc(1, sizeof *p);
        p->srv = srv;
        memcpy(p->tag, tag, tl);
        p->tag_len = (uint16_t)tl;
        p->size = p9_server_msize(srv) + 64;
        p->req = xmalloc(p->size);
        p->resp = xmalloc(p->size);
        struct virtio_dev *d;
        if (virtio_mmio_add(vm, &v9p_ops, p, &d, err) < 0) {
                v9p_free(p);
                return -1;
        }
        d->priv_free = v9p_free;
        return 0;
}
