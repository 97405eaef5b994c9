/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves the split-virtqueue code: chains are popped into iovecs in order,
 * used entries are pushed, and every malformed ring (addresses outside RAM,
 * loops, bad heads, writable-before-readable) is an error, not a host access;
 * the used ring's NO_NOTIFY flag follows vq_set_notify and leaves its index alone;
 * with the event index, avail_event and used_event decide kicks and interrupts. */
#include <string.h>

#include "../../microvm/vm.h"
#include "unit.h"

#define QSZ 8
#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000
#define DATA 0x4000

static uint8_t ram[64 * 1024];
static struct guest_mem mem = { .host = ram, .size = sizeof ram, .low = sizeof ram };

struct desc {
        uint64_t addr;
        uint32_t len;
        uint16_t flags, next;
};

static struct virtq q_new(void)
{
        memset(ram, 0, sizeof ram);
        return (struct virtq){ .size = QSZ, .ready = true, .desc = DESC, .avail = AVAIL, .used = USED };
}

static void set_desc(int i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
        struct desc d = { addr, len, flags, next };
        memcpy(ram + DESC + 16 * i, &d, 16);
}

static void offer(uint16_t head)
{
        uint16_t idx;
        memcpy(&idx, ram + AVAIL + 2, 2);
        memcpy(ram + AVAIL + 4 + 2 * (idx % QSZ), &head, 2);
        idx++;
        memcpy(ram + AVAIL + 2, &idx, 2);
}

UNIT_TEST(pop_chain_and_push_used)
{
        struct virtq q = q_new();
        struct kago_err err = { 0 };
        struct vq_chain c;
        CHECK(vq_pop(&mem, &q, &c, &err) == 0); /* nothing offered */
        memcpy(ram + DATA, "hello ", 6);
        memcpy(ram + DATA + 100, "world", 5);
        set_desc(3, DATA, 6, 1, 5);
        set_desc(5, DATA + 100, 5, 1, 6);
        set_desc(6, DATA + 200, 64, 2, 0);
        offer(3);
        CHECK(vq_pop(&mem, &q, &c, &err) == 1);
        CHECK(c.head == 3 && c.n_out == 2 && c.n_in == 1 && c.out_len == 11 && c.in_len == 64);
        char buf[16] = { 0 };
        CHECK(iov_copy_from(c.out, c.n_out, 0, buf, sizeof buf) == 11);
        CHECK_STR(buf, "hello world");
        CHECK(iov_copy_from(c.out, c.n_out, 4, buf, 4) == 4 && memcmp(buf, "o wo", 4) == 0);
        CHECK(iov_copy_to(c.in, c.n_in, 0, "reply", 5) == 5);
        CHECK(memcmp(ram + DATA + 200, "reply", 5) == 0);
        CHECK(vq_push(&mem, &q, c.head, 5, &err) == 0);
        uint16_t used_idx;
        uint32_t elem[2];
        memcpy(&used_idx, ram + USED + 2, 2);
        memcpy(elem, ram + USED + 4, 8);
        CHECK(used_idx == 1 && elem[0] == 3 && elem[1] == 5);
        CHECK(vq_pop(&mem, &q, &c, &err) == 0);
}

UNIT_TEST(descriptor_outside_ram_is_an_error)
{
        struct virtq q = q_new();
        struct kago_err err = { 0 };
        struct vq_chain c;
        set_desc(0, sizeof ram - 4, 8, 0, 0);
        offer(0);
        CHECK(vq_pop(&mem, &q, &c, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "outside guest RAM");
}

UNIT_TEST(looping_chain_is_an_error)
{
        struct virtq q = q_new();
        struct kago_err err = { 0 };
        struct vq_chain c;
        set_desc(0, DATA, 4, 1, 1);
        set_desc(1, DATA, 4, 1, 0);
        offer(0);
        CHECK(vq_pop(&mem, &q, &c, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "loops");
}

UNIT_TEST(bad_head_next_and_order_are_errors)
{
        struct virtq q = q_new();
        struct kago_err err = { 0 };
        struct vq_chain c;
        offer(QSZ + 1);
        CHECK(vq_pop(&mem, &q, &c, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "head 9 out of range");
        q = q_new();
        set_desc(0, DATA, 4, 1, QSZ);
        offer(0);
        CHECK(vq_pop(&mem, &q, &c, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "next 8 out of range");
        q = q_new();
        set_desc(0, DATA, 4, 2 | 1, 1);
        set_desc(1, DATA, 4, 0, 0);
        offer(0);
        CHECK(vq_pop(&mem, &q, &c, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "readable after writable");
}

UNIT_TEST(rings_outside_ram_or_bad_size)
{
        struct virtq q = q_new();
        struct kago_err err = { 0 };
        struct vq_chain c;
        q.used = sizeof ram - 8;
        CHECK(vq_pop(&mem, &q, &c, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "rings outside guest RAM");
        q = q_new();
        q.size = 6;
        CHECK(vq_pop(&mem, &q, &c, &err) < 0);
        CHECK_CONTAINS(kago_err_text(&err), "bad size 6");
}

UNIT_TEST(notify_flag_in_used_ring)
{
        struct virtq q = q_new();
        struct kago_err err = { 0 };
        uint16_t flags, idx;
        vq_set_notify(&mem, &q, false);
        memcpy(&flags, ram + USED, 2);
        CHECK(flags == 1); /* VRING_USED_F_NO_NOTIFY */
        CHECK(vq_push(&mem, &q, 2, 10, &err) == 0);
        memcpy(&flags, ram + USED, 2);
        memcpy(&idx, ram + USED + 2, 2);
        CHECK(flags == 1 && idx == 1);
        vq_set_notify(&mem, &q, true);
        memcpy(&flags, ram + USED, 2);
        memcpy(&idx, ram + USED + 2, 2);
        CHECK(flags == 0 && idx == 1);
        q.used = sizeof ram; /* a used ring outside RAM is left alone */
        vq_set_notify(&mem, &q, false);
}

static uint16_t ring_u16(uint64_t gpa)
{
        uint16_t v;
        memcpy(&v, ram + gpa, 2);
        return v;
}

/* With the event index, the device publishes avail_event (after the used
 * ring) instead of the NO_NOTIFY flag: each pop moves it to the next chain,
 * turning notifications on moves it to the driver's latest index. */
UNIT_TEST(event_idx_avail_event)
{
        struct virtq q = q_new();
        q.event_idx = true;
        struct kago_err err = { 0 };
        struct vq_chain c;
        const uint64_t avail_event = USED + 4 + 8 * QSZ;
        set_desc(0, DATA, 4, 0, 0);
        set_desc(1, DATA, 4, 0, 0);
        offer(0);
        offer(1);
        vq_set_notify(&mem, &q, false);
        CHECK(ring_u16(USED) == 0 && ring_u16(avail_event) == 0); /* "off" writes nothing */
        CHECK(vq_pop(&mem, &q, &c, &err) == 1);
        CHECK(ring_u16(avail_event) == 1);
        vq_set_notify(&mem, &q, true);
        CHECK(ring_u16(avail_event) == 2); /* the driver's avail index */
        CHECK(ring_u16(USED) == 0);
}

/* With the event index, an interrupt is wanted when the used index passes
 * the driver's used_event (after the avail ring) since the last question;
 * the first question after the queue starts always says yes. */
UNIT_TEST(event_idx_used_event)
{
        struct virtq q = q_new();
        q.event_idx = true;
        struct kago_err err = { 0 };
        const uint64_t used_event = AVAIL + 4 + 2 * QSZ;
        uint16_t ev = 3;
        memcpy(ram + used_event, &ev, 2);
        CHECK(vq_push(&mem, &q, 0, 1, &err) == 0);
        CHECK(vq_irq_wanted(&mem, &q)); /* the first */
        CHECK(vq_push(&mem, &q, 1, 1, &err) == 0); /* used 1 -> 2: before used_event 3 */
        CHECK(!vq_irq_wanted(&mem, &q));
        CHECK(vq_push(&mem, &q, 2, 1, &err) == 0);
        CHECK(vq_push(&mem, &q, 3, 1, &err) == 0); /* 2 -> 4 passes 3 */
        CHECK(vq_irq_wanted(&mem, &q));
        CHECK(!vq_irq_wanted(&mem, &q)); /* nothing new since */
        uint16_t flags = 1; /* NO_INTERRUPT means nothing with the event index */
        memcpy(ram + AVAIL, &flags, 2);
        ev = 4;
        memcpy(ram + used_event, &ev, 2);
        CHECK(vq_push(&mem, &q, 4, 1, &err) == 0);
        CHECK(vq_irq_wanted(&mem, &q));
}

UNIT_MAIN("microvm_virtqueue", UNIT(pop_chain_and_push_used),
          UNIT(descriptor_outside_ram_is_an_error), UNIT(looping_chain_is_an_error),
          UNIT(bad_head_next_and_order_are_errors), UNIT(rings_outside_ram_or_bad_size),
          UNIT(notify_flag_in_used_ring), UNIT(event_idx_avail_event), UNIT(event_idx_used_event))
