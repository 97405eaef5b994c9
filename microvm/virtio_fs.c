/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-fs (device 26): FUSE requests to the in-VMM server (fuse_*.c).
 * Queue 0 is the high-priority queue (FORGET), queue 1 the one request
 * queue; both are served on the notifying vCPU under the device lock.
 */
#include <string.h>

#include "fuse.h"
#include "vm.h"

#define VIRTIO_ID_FS 26
#define VIRTIO_FS_TAG_MAX 36
#define VIRTIO_FS_SLACK 4096 /* headers and names around a max_write payload */

struct vfs {
        struct fuse_server *srv;
        uint8_t config[VIRTIO_FS_TAG_MAX + 4]; /* tag, num_request_queues (le32) */
        uint8_t *req, *resp;
        size_t size;
};

static void vfs_config(struct virtio_dev *d, uint64_t off, void *data, unsigned len)
{
        const struct vfs *p = d->priv;
        memset(data, 0, len);
        if (off < sizeof p->config)
                memcpy(data, p->config + off,
                       len < sizeof p->config - off ? len : sizeof p->config - off);
}

static int vfs_notify(struct virtio_dev *d, unsigned q, struct kago_err *err)
{
        struct vfs *p = d->priv;
        struct virtq *vq = &d->vq[q];
        struct vq_chain c;
        int rc;
        bool any = false;
        while ((rc = vq_pop(&d->vm->mem, vq, &c, err)) > 0) {
                size_t len = iov_copy_from(c.out, c.n_out, 0, p->req, p->size);
                size_t cap = c.in_len < p->size ? c.in_len : p->size;
                size_t n = fuse_handle(p->srv, p->req, len, p->resp, cap);
                iov_copy_to(c.in, c.n_in, 0, p->resp, n);
                if (vq_push(&d->vm->mem, vq, c.head, (uint32_t)n, err) < 0)
                        return -1;
                any = true;
        }
        if (any)
                virtio_irq(d);
        return rc;
}

static const struct virtio_ops vfs_ops = {
        .device_id = VIRTIO_ID_FS,
        .features = 0,
        .n_queues = 2,
        .queue_max = 128,
        .config_read = vfs_config,
        .notify = vfs_notify,
};

static void vfs_free(void *priv)
{
        struct vfs *p = priv;
        free(p->req);
        free(p->resp);
        free(p);
}

int virtio_fs_add(struct vm *vm, struct fuse_server *srv, const char *tag, struct kago_err *err)
{
        size_t tl = strlen(tag);
        if (tl == 0 || tl > VIRTIO_FS_TAG_MAX)
                return kago_err_set(err, "virtio-fs tag '%s': 1 to %d bytes", tag, VIRTIO_FS_TAG_MAX);
        struct vfs *p = xcalloc(1, sizeof *p);
        p->srv = srv;
        memcpy(p->config, tag, tl);
        p->config[VIRTIO_FS_TAG_MAX] = 1; /* one request queue */
        p->size = fuse_server_max_write(srv) + VIRTIO_FS_SLACK;
        p->req = xmalloc(p->size);
        p->resp = xmalloc(p->size);
        struct virtio_dev *d;
        if (virtio_mmio_add(vm, &vfs_ops, p, &d, err) < 0) {
                vfs_free(p);
                return -1;
        }
        d->priv_free = vfs_free;
        return 0;
}
