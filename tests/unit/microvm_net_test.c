/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proves the virtio-net frame handling (microvm/virtio_net.c) against a
 * packet socket pair standing in for the tap: a transmitted frame spread
 * over several descriptors leaves as one packet, header first; a received
 * frame lands in the chain with num_buffers set; and what a hostile guest
 * can make up (a chain of only a header, a frame over 64 KiB, a receive
 * buffer without room for the header) is dropped and counted, never sent,
 * never written outside the chain.
 */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../microvm/vm.h"
#include "unit.h"

static uint8_t hdr[NET_HDR_LEN], frame[NET_FRAME_MAX + 64], buf[NET_FRAME_MAX + 64];

/* tap[0]: the VMM's end; tap[1]: the host's. */
static void pair(int tap[2])
{
        CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, tap) == 0);
}

static void out_seg(struct vq_chain *c, void *p, size_t len)
{
        c->out[c->n_out++] = (struct iovec){ p, len };
        c->out_len += len;
}

static void in_seg(struct vq_chain *c, void *p, size_t len)
{
        c->in[c->n_in++] = (struct iovec){ p, len };
        c->in_len += len;
}

UNIT_TEST(a_frame_in_pieces_leaves_as_one_packet)
{
        int tap[2];
        struct net_counters n = { 0 };
        struct vq_chain c = { 0 };
        pair(tap);
        memset(hdr, 0, sizeof hdr);
        hdr[0] = 1; /* NEEDS_CSUM: passed through untouched */
        memset(frame, 'f', 100);
        memset(frame + 100, 'g', 1400);
        out_seg(&c, hdr, sizeof hdr);
        out_seg(&c, frame, 100);
        out_seg(&c, frame + 100, 1400);
        net_tx_frame(tap[0], &c, &n);
        CHECK(n.tx_frames == 1 && n.tx_dropped == 0);
        CHECK(read(tap[1], buf, sizeof buf) == NET_HDR_LEN + 1500);
        CHECK(buf[0] == 1 && buf[NET_HDR_LEN] == 'f' && buf[NET_HDR_LEN + 100] == 'g');
        close(tap[0]);
        close(tap[1]);
}

UNIT_TEST(hostile_transmit_chains_are_dropped)
{
        int tap[2];
        struct net_counters n = { 0 };
        pair(tap);
        struct vq_chain only_hdr = { 0 };
        out_seg(&only_hdr, hdr, sizeof hdr);
        net_tx_frame(tap[0], &only_hdr, &n);
        struct vq_chain short_hdr = { 0 };
        out_seg(&short_hdr, hdr, 5);
        net_tx_frame(tap[0], &short_hdr, &n);
        struct vq_chain huge = { 0 };
        out_seg(&huge, hdr, sizeof hdr);
        out_seg(&huge, frame, NET_FRAME_MAX + 1);
        net_tx_frame(tap[0], &huge, &n);
        struct vq_chain none = { 0 }; /* only device-writable segments */
        in_seg(&none, buf, 64);
        net_tx_frame(tap[0], &none, &n);
        CHECK(n.tx_dropped == 4 && n.tx_frames == 0);
        errno = 0;
        CHECK(read(tap[1], buf, sizeof buf) < 0 && errno == EAGAIN); /* nothing left */
        close(tap[0]);
        close(tap[1]);
}

UNIT_TEST(a_received_frame_lands_with_num_buffers)
{
        int tap[2];
        struct net_counters n = { 0 };
        struct vq_chain c = { 0 };
        uint8_t rx_hdr[NET_HDR_LEN], rx_data[2048];
        uint32_t len = 0;
        pair(tap);
        memset(frame, 0, NET_HDR_LEN);
        memset(frame + NET_HDR_LEN, 'r', 1000);
        CHECK(write(tap[1], frame, NET_HDR_LEN + 1000) == NET_HDR_LEN + 1000);
        memset(rx_hdr, 0xee, sizeof rx_hdr);
        in_seg(&c, rx_hdr, sizeof rx_hdr);
        in_seg(&c, rx_data, sizeof rx_data);
        CHECK(net_rx_frame(tap[0], &c, &n, &len) == 0);
        CHECK(len == NET_HDR_LEN + 1000 && n.rx_frames == 1);
        CHECK(rx_hdr[NET_HDR_LEN - 2] == 1 && rx_hdr[NET_HDR_LEN - 1] == 0); /* num_buffers 1 */
        CHECK(rx_data[0] == 'r' && rx_data[999] == 'r');
        CHECK(net_rx_frame(tap[0], &c, &n, &len) == -EAGAIN); /* none waiting */
        close(tap[0]);
        close(tap[1]);
}

UNIT_TEST(hostile_receive_buffers_take_nothing)
{
        int tap[2];
        struct net_counters n = { 0 };
        uint8_t small[NET_HDR_LEN - 1];
        uint32_t len = 7;
        pair(tap);
        CHECK(write(tap[1], frame, NET_HDR_LEN + 10) == NET_HDR_LEN + 10);
        struct vq_chain no_room = { 0 };
        in_seg(&no_room, small, sizeof small);
        CHECK(net_rx_frame(tap[0], &no_room, &n, &len) == -EINVAL);
        struct vq_chain read_only = { 0 }; /* device-readable only: no room at all */
        out_seg(&read_only, buf, 64);
        CHECK(net_rx_frame(tap[0], &read_only, &n, &len) == -EINVAL);
        CHECK(len == 7 && n.rx_frames == 0);
        /* the frame is still there for a buffer that can take it */
        struct vq_chain ok = { 0 };
        in_seg(&ok, buf, 64);
        CHECK(net_rx_frame(tap[0], &ok, &n, &len) == 0 && len == NET_HDR_LEN + 10);
        close(tap[0]);
        close(tap[1]);
}

UNIT_MAIN("microvm_net", UNIT(a_frame_in_pieces_leaves_as_one_packet),
          UNIT(hostile_transmit_chains_are_dropped), UNIT(a_received_frame_lands_with_num_buffers),
          UNIT(hostile_receive_buffers_take_nothing))
