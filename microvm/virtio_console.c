/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-console (device 3), single port: the transmit queue goes to a host
 * fd (the workload's stdout or stderr), the receive queue is fed by the
 * VMM's main loop (stdin, control messages). Transmit is handled on the
 * notifying vCPU, so a guest write() has reached the host fd when it returns.
 * The guest posts receive buffers one kick each; the device asks for those
 * kicks only while it holds bytes the guest has no buffer for. A transmit
 * may block on its fd with the device locked (the agent's pipe is drained by
 * the main loop), so the main loop never waits for that lock: it tries it.
 */
#include <errno.h>
#include <sys/eventfd.h>

#include "vm.h"

#define VIRTIO_ID_CONSOLE 3
#define RXQ 0
#define TXQ 1

struct console {
        struct virtio_dev *dev;
        int out_fd;
        int space_efd; /* written when the guest adds receive buffers */
};

static int console_tx(struct virtio_dev *d, struct console *c, struct kago_err *err)
{
        struct vq_chain ch;
        int rc;
        bool any = false;
        while ((rc = vq_pop(&d->vm->mem, &d->vq[TXQ], &ch, err)) > 0) {
                for (int i = 0; i < ch.n_out && c->out_fd >= 0; i++)
                        if (fd_write_all(c->out_fd, ch.out[i].iov_base, ch.out[i].iov_len) < 0)
                                c->out_fd = -1; /* reader gone: discard like a closed pipe */
                if (vq_push(&d->vm->mem, &d->vq[TXQ], ch.head, 0, err) < 0)
                        return -1;
                any = true;
        }
        if (any)
                virtio_irq(d);
        return rc;
}

static int console_notify(struct virtio_dev *d, unsigned q, struct kago_err *err)
{
        struct console *c = d->priv;
        if (q == TXQ)
                return console_tx(d, c, err);
        vq_set_notify(&d->vm->mem, &d->vq[RXQ], false); /* until the host runs short again */
        uint64_t one = 1;
        if (write(c->space_efd, &one, sizeof one) < 0 && errno != EAGAIN)
                return kago_err_errno(err, errno, "console: wake the input loop");
        return 0;
}

static const struct virtio_ops console_ops = {
        .device_id = VIRTIO_ID_CONSOLE,
        .features = 0,
        .n_queues = 2,
        .queue_max = 16,
        .quiet_queues = 1u << RXQ,
        .config_read = NULL,
        .notify = console_notify,
};

static void console_free(void *priv)
{
        struct console *c = priv;
        if (c->space_efd >= 0)
                close(c->space_efd);
        free(c);
}

int console_add(struct vm *vm, int out_fd, struct console **out, struct kago_err *err)
{
        struct console *c = xcalloc(1, sizeof *c);
        c->out_fd = out_fd;
        c->space_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (c->space_efd < 0) {
                free(c);
                return kago_err_errno(err, errno, "console: eventfd");
        }
        if (virtio_mmio_add(vm, &console_ops, c, &c->dev, err) < 0) {
                console_free(c);
                return -1;
        }
        c->dev->priv_free = console_free;
        *out = c;
        return 0;
}

int console_space_fd(struct console *c)
{
        return c->space_efd;
}

/* Fill the guest's receive buffers from data; bytes taken. */
static size_t console_rx_fill(struct virtio_dev *d, const uint8_t *data, size_t len)
{
        struct kago_err e = { 0 };
        struct vq_chain ch;
        size_t done = 0;
        while (done < len && d->vq[RXQ].ready && vq_pop(&d->vm->mem, &d->vq[RXQ], &ch, &e) > 0) {
                size_t n = iov_copy_to(ch.in, ch.n_in, 0, data + done, len - done);
                vq_push(&d->vm->mem, &d->vq[RXQ], ch.head, (uint32_t)n, &e);
                done += n;
                if (!n)
                        break;
        }
        return done;
}

size_t console_rx_push(struct console *c, const void *data, size_t len, bool *busy)
{
        struct virtio_dev *d = c->dev;
        size_t done;
        if (pthread_mutex_trylock(&d->lock) != 0) {
                *busy = true;
                return 0;
        }
        done = console_rx_fill(d, data, len);
        if (done < len && d->vq[RXQ].ready) {
                /* Short of buffers: ask for a kick, then look once more for
                 * buffers the guest added before it could see that. */
                vq_set_notify(&d->vm->mem, &d->vq[RXQ], true);
                done += console_rx_fill(d, (const uint8_t *)data + done, len - done);
        }
        if (done)
                virtio_irq(d);
        pthread_mutex_unlock(&d->lock);
        return done;
}

