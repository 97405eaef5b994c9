/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-net (device 1, VIRTIO 1.x 5.1): a tap device as a guest NIC. The
 * caller opens the tap (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR) in the
 * container's network namespace; its vnet header is the 12-byte
 * virtio_net_hdr_v1, so a frame moves between a ring and the tap with one
 * readv or writev, and checksum and segmentation offloads travel in that
 * header untouched: the guest sends 64 KiB TCP segments, the host's stack
 * cuts them (or not, when they stay on the host).
 *
 * One receive and one transmit queue, both served by the VMM's host
 * thread. The guest's transmit kicks reach it through an ioeventfd, so the
 * vCPU goes on at once (in the kernel) while the host thread writes the
 * frames, with the guest's kicks off while it drains the ring; where KVM has
 * no ioeventfd, the notifying vCPU transmits itself. Receive: the host thread
 * polls the tap while the guest has receive buffers; when it has none, it
 * asks for the guest's kick (the receive queue is otherwise quiet) and stops
 * reading until the kick comes. Interrupts follow the driver's
 * VRING_AVAIL_F_NO_INTERRUPT (Linux sets it while it polls).
 *
 * The guest is not trusted: every chain is bounds-checked by vq_pop, a
 * transmitted frame must hold a header and fit a 64 KiB segment, a receive
 * buffer must hold a header; anything else is dropped and counted, never a
 * host access outside guest RAM.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "vm.h"

#define VIRTIO_ID_NET 1
#define RXQ 0
#define TXQ 1

#define NET_F_CSUM (1ull << 0)
#define NET_F_GUEST_CSUM (1ull << 1)
#define NET_F_MTU (1ull << 3)
#define NET_F_MAC (1ull << 5)
#define NET_F_GUEST_TSO4 (1ull << 7)
#define NET_F_GUEST_TSO6 (1ull << 8)
#define NET_F_GUEST_ECN (1ull << 9)
#define NET_F_HOST_TSO4 (1ull << 11)
#define NET_F_HOST_TSO6 (1ull << 12)
#define NET_F_HOST_ECN (1ull << 13)
#define NET_F_STATUS (1ull << 16)
#define NET_S_LINK_UP 1

/* Frames one pass of the receive path moves before the host loop goes on. */
#define RX_BUDGET 64

struct net {
        struct virtio_dev *dev;
        const struct microvm_nic *nic; /* the config's, for the VM's life */
        int kick_efd;       /* written by a vCPU when the guest adds receive buffers */
        int tx_efd;         /* KVM's ioeventfd for transmit kicks; -1: the vCPU transmits */
        bool rx_starved;    /* no receive buffer: wait for the kick */
        bool rx_pending;    /* rx_chain popped, not filled yet */
        struct vq_chain rx_chain;
        struct net_counters count;
};

void net_tx_frame(int tap_fd, const struct vq_chain *c, struct net_counters *count)
{
        if (c->out_len <= NET_HDR_LEN || c->out_len > NET_HDR_LEN + NET_FRAME_MAX) {
                count->tx_dropped++;
                return;
        }
        ssize_t n;
        do
                n = writev(tap_fd, c->out, c->n_out);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
                count->tx_dropped++; /* a header the tap refuses, or no room: a lost frame */
                return;
        }
        count->tx_frames++;
}

int net_rx_frame(int tap_fd, const struct vq_chain *c, struct net_counters *count, uint32_t *len)
{
        if (c->in_len < NET_HDR_LEN)
                return -EINVAL;
        ssize_t n;
        do
                n = readv(tap_fd, c->in, c->n_in);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == EAGAIN ? -EAGAIN : (count->rx_dropped++, -EIO);
        if (n < NET_HDR_LEN || (size_t)n > c->in_len) { /* a frame the buffer could not hold */
                count->rx_dropped++;
                return -EIO;
        }
        /* num_buffers: the tap leaves the header's last two bytes alone. */
        uint8_t one[2] = { 1, 0 };
        iov_copy_to(c->in, c->n_in, NET_HDR_LEN - 2, one, 2);
        count->rx_frames++;
        *len = (uint32_t)n;
        return 0;
}

/* Config space (5.1.4): mac, status, max_virtqueue_pairs, mtu. */
static void net_config_read(struct virtio_dev *dev, uint64_t off, void *data, unsigned len)
{
        const struct net *n = dev->priv;
        uint8_t cfg[12] = { 0 };
        memcpy(cfg, n->nic->mac, 6);
        kago_put_le(cfg + 6, NET_S_LINK_UP, 2);
        kago_put_le(cfg + 8, 1, 2);
        kago_put_le(cfg + 10, n->nic->mtu, 2);
        memset(data, 0, len);
        if (off < sizeof cfg)
                memcpy(data, cfg + off, len < sizeof cfg - off ? len : sizeof cfg - off);
}

static uint32_t net_tx_chain(struct virtio_dev *dev, const struct vq_chain *c)
{
        struct net *n = dev->priv;
        net_tx_frame(n->nic->tap_fd, c, &n->count);
        return 0;
}

/* The guest added receive buffers: the host thread reads the tap again. */
static int net_rx_kick(struct virtio_dev *dev)
{
        struct net *n = dev->priv;
        uint64_t one = 1;
        vq_set_notify(&dev->vm->mem, &dev->vq[RXQ], false);
        if (write(n->kick_efd, &one, sizeof one) < 0)
                return 0; /* counter saturated: a wake-up is pending anyway */
        return 0;
}

static int net_notify(struct virtio_dev *dev, unsigned q, struct kago_err *err)
{
        return q == TXQ ? virtio_queue_serve(dev, TXQ, net_tx_chain, err) : net_rx_kick(dev);
}

/* What the driver takes of the tap's offloads: the frames the tap may hand
 * over with a partial checksum or as one large segment. */
static void net_driver_ok(struct virtio_dev *dev)
{
        const struct net *n = dev->priv;
        uint64_t f = dev->driver_features;
        unsigned off = 0;
        if (f & NET_F_GUEST_CSUM) {
                off |= TUN_F_CSUM;
                off |= f & NET_F_GUEST_TSO4 ? TUN_F_TSO4 : 0;
                off |= f & NET_F_GUEST_TSO6 ? TUN_F_TSO6 : 0;
                off |= f & NET_F_GUEST_ECN ? TUN_F_TSO_ECN : 0;
        }
        if (ioctl(n->nic->tap_fd, TUNSETOFFLOAD, off) < 0)
                log_debug("virtio-net %s: TUNSETOFFLOAD 0x%x: %s", n->nic->name, off, strerror(errno));
        uint64_t one = 1; /* the host thread fills the receive queue now */
        if (write(n->kick_efd, &one, sizeof one) < 0)
                return;
}

/* A chain popped before the reset belongs to the old rings. */
static void net_reset(struct virtio_dev *dev)
{
        struct net *n = dev->priv;
        n->rx_pending = false;
        n->rx_starved = true;
}

/* The receive chain the host thread took and has not filled yet. */
static unsigned net_held_chains(const struct virtio_dev *dev, unsigned q)
{
        const struct net *n = dev->priv;
        return q == RXQ && n->rx_pending;
}

static const struct virtio_ops net_ops = {
        .device_id = VIRTIO_ID_NET,
        .features = NET_F_CSUM | NET_F_GUEST_CSUM | NET_F_MTU | NET_F_MAC | NET_F_GUEST_TSO4 |
                    NET_F_GUEST_TSO6 | NET_F_GUEST_ECN | NET_F_HOST_TSO4 | NET_F_HOST_TSO6 |
                    NET_F_HOST_ECN | NET_F_STATUS,
        .n_queues = 2,
        .queue_max = VQ_MAX_SIZE,
        .quiet_queues = 1u << RXQ,
        .config_read = net_config_read,
        .notify = net_notify,
        .driver_ok = net_driver_ok,
        .reset = net_reset,
        .held_chains = net_held_chains,
};

/* Fill receive buffers from the tap until it is empty, the guest has no
 * buffer left or the budget is spent; under the device's lock, as the
 * vCPUs' accesses to it are. */
static int net_rx_locked(struct net *n, struct kago_err *err)
{
        struct virtio_dev *dev = n->dev;
        struct virtq *q = &dev->vq[RXQ];
        bool any = false;
        int rc = 0;
        if (!q->ready || !(dev->status & VIRTIO_STATUS_DRIVER_OK)) {
                n->rx_starved = true; /* the driver's kick once it is ready wakes us */
                return 0;
        }
        for (int i = 0; i < RX_BUDGET; i++) {
                if (!n->rx_pending) {
                        rc = vq_pop(&dev->vm->mem, q, &n->rx_chain, err);
                        if (rc == 0) { /* none: ask for a kick, then look once more */
                                vq_set_notify(&dev->vm->mem, q, true);
                                rc = vq_pop(&dev->vm->mem, q, &n->rx_chain, err);
                                n->rx_starved = rc == 0;
                                if (rc > 0)
                                        vq_set_notify(&dev->vm->mem, q, false);
                        }
                        if (rc <= 0)
                                break;
                        n->rx_pending = true;
                }
                uint32_t len = 0;
                int got = net_rx_frame(n->nic->tap_fd, &n->rx_chain, &n->count, &len);
                if (got == -EAGAIN)
                        break;
                if (got == -EINVAL) /* a buffer without room for the header: given back empty */
                        len = 0;
                else if (got < 0)
                        continue; /* the frame is lost; the buffer takes the next */
                n->rx_pending = false;
                rc = vq_push(&dev->vm->mem, q, n->rx_chain.head, len, err);
                if (rc < 0)
                        break;
                any = true;
        }
        if (any && vq_irq_wanted(&dev->vm->mem, q))
                virtio_irq(dev);
        return rc < 0 ? -1 : 0;
}

/* A ring the guest broke: the device wants a reset, the host thread stops
 * reading for it. */
static void net_broken(struct net *n, struct kago_err *e)
{
        log_debug("virtio-net %s: %s", n->nic->name, kago_err_text(e));
        n->dev->status |= VIRTIO_STATUS_NEEDS_RESET;
        n->rx_starved = true;
}

static void net_rx(struct net *n)
{
        struct kago_err e = { 0 };
        pthread_mutex_lock(&n->dev->lock);
        if (net_rx_locked(n, &e) < 0)
                net_broken(n, &e);
        pthread_mutex_unlock(&n->dev->lock);
}

static void net_tx(struct net *n)
{
        struct kago_err e = { 0 };
        struct virtio_dev *dev = n->dev;
        pthread_mutex_lock(&dev->lock);
        if (dev->vq[TXQ].ready && (dev->status & VIRTIO_STATUS_DRIVER_OK) &&
            virtio_queue_serve(dev, TXQ, net_tx_chain, &e) < 0)
                net_broken(n, &e);
        pthread_mutex_unlock(&dev->lock);
}

int net_poll_fds(struct net *n, bool parked, struct pollfd p[NET_POLL_FDS])
{
        p[0] = (struct pollfd){ n->kick_efd, POLLIN, 0 };
        p[1] = (struct pollfd){ parked || n->rx_starved ? -1 : n->nic->tap_fd, POLLIN, 0 };
        p[2] = (struct pollfd){ parked ? -1 : n->tx_efd, POLLIN, 0 };
        return NET_POLL_FDS;
}

void net_serve(struct net *n, const struct pollfd p[NET_POLL_FDS])
{
        uint64_t v;
        if (p[2].revents && read(n->tx_efd, &v, sizeof v) == sizeof v)
                net_tx(n);
        if (p[0].revents && read(n->kick_efd, &v, sizeof v) == sizeof v)
                n->rx_starved = false;
        if ((p[0].revents || p[1].revents) && p[1].fd >= 0 && !n->rx_starved)
                net_rx(n);
}

const struct net_counters *net_counters(const struct net *n)
{
        return &n->count;
}

static void net_free(void *priv)
{
        struct net *n = priv;
        if (n->kick_efd >= 0)
                close(n->kick_efd);
        if (n->tx_efd >= 0)
                close(n->tx_efd);
        free(n);
}

/* Transmit kicks through an ioeventfd where KVM has them. */
static void net_tx_eventfd(struct net *n)
{
        struct kago_err e = { 0 };
        int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (efd >= 0 && virtio_queue_eventfd(n->dev, TXQ, efd, &e) == 0) {
                n->tx_efd = efd;
                return;
        }
        log_debug("virtio-net %s: the vCPUs transmit: %s", n->nic->name,
                  efd < 0 ? strerror(errno) : kago_err_text(&e));
        if (efd >= 0)
                close(efd);
}

int virtio_net_add(struct vm *vm, const struct microvm_nic *nic, struct net **out,
                   struct kago_err *err)
{
        struct net *n = xcalloc(1, sizeof *n);
        n->nic = nic;
        n->rx_starved = true; /* until the driver is ready and kicks */
        n->tx_efd = -1;
        n->kick_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (n->kick_efd < 0) {
                int e = errno;
                net_free(n);
                return kago_err_errno(err, e, "virtio-net %s: eventfd", nic->name);
        }
        int fl = fcntl(nic->tap_fd, F_GETFL);
        if (fl < 0 || fcntl(nic->tap_fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
            ioctl(nic->tap_fd, TUNSETOFFLOAD, 0) < 0) {
                int e = errno;
                net_free(n);
                return kago_err_errno(err, e, "virtio-net %s: tap fd %d", nic->name, nic->tap_fd);
        }
        if (virtio_mmio_add(vm, &net_ops, n, &n->dev, err) < 0) {
                net_free(n);
                return -1;
        }
        n->dev->priv_free = net_free;
        net_tx_eventfd(n);
        *out = n;
        return 0;
}
