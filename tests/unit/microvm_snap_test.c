/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proves the snapshot file's framing (microvm/snap_file.c): sections written
 * with snap_begin/snap_section read back as they were; an optional section
 * of an unknown tag is skipped, a required one refused; a flipped payload or
 * header byte, a file cut at any length and another major version are
 * refused with an error that says where; another minor is read; a payload
 * cursor never reads past its end.
 */
#include "../../microvm/snap.h"
#include "../../microvm/vm.h"
#include "unit.h"

#define TAG_CPU 0x43505530u
#define TAG_DEV 0x44455630u
#define TAG_RAM 0x52414d30u
#define TAG_NEW 0x4e455730u

static const uint32_t known[] = {TAG_CPU, TAG_DEV, TAG_RAM};
static const char cpu0[] = "vcpu zero", cpu1[] = "vcpu one!", dev[] = "dev";

/* A file of four sections: two CPUs, an empty device section, RAM (13 bytes). */
static struct bytes file_new(void)
{
        struct bytes b = {0};
        snap_begin(&b);
        snap_section(&b, TAG_CPU, 1, SNAP_REQUIRED, cpu0, sizeof cpu0);
        snap_section(&b, TAG_CPU, 1, SNAP_REQUIRED, cpu1, sizeof cpu1);
        snap_section(&b, TAG_DEV, 3, 0, NULL, 0);
        snap_section(&b, TAG_RAM, 2, SNAP_REQUIRED, "thirteen byte", 13);
        return b;
}

static int parse(const struct bytes *b, struct snap_file *f, struct kago_err *err)
{
        return snap_parse(b->data, b->len, known, ARRAY_SIZE(known), f, err);
}

/* Rewrite the header's minor/major and its CRC. */
static void set_version(struct bytes *b, uint16_t major, uint16_t minor)
{
        kago_put_le(b->data + 8, major, 2);
        kago_put_le(b->data + 10, minor, 2);
        kago_put_le(b->data + 12, snap_crc32(b->data, 12), 4);
}

UNIT_TEST(crc32_is_the_ieee_one)
{
        CHECK(snap_crc32("123456789", 9) == 0xcbf43926u);
        CHECK(snap_crc32("", 0) == 0);
        CHECK(snap_crc32("The quick brown fox jumps over the lazy dog", 43) == 0x414fa339u);
}

UNIT_TEST(sections_round_trip)
{
        struct bytes b = file_new();
        struct snap_file f;
        struct kago_err err = {0};
        CHECK(b.len == 16 + (24 + 16) * 2 + 24 + 24 + 16);
        CHECK(parse(&b, &f, &err) == 0);
        CHECK(f.major == SNAP_MAJOR && f.minor == SNAP_MINOR && f.n == 4);
        const struct snap_section *s = snap_find(&f, TAG_CPU, 1);
        CHECK(s && s->len == sizeof cpu1 && memcmp(s->data, cpu1, sizeof cpu1) == 0);
        CHECK(s && s->version == 1 && s->flags == SNAP_REQUIRED);
        s = snap_find(&f, TAG_CPU, 0);
        CHECK(s && memcmp(s->data, cpu0, sizeof cpu0) == 0);
        CHECK(snap_find(&f, TAG_CPU, 2) == NULL);
        s = snap_find(&f, TAG_DEV, 0);
        CHECK(s && s->len == 0 && s->version == 3 && s->flags == 0);
        s = snap_find(&f, TAG_RAM, 0);
        CHECK(s && s->len == 13 && memcmp(s->data, "thirteen byte", 13) == 0);
        CHECK(snap_find(&f, TAG_NEW, 0) == NULL);
        snap_file_free(&f);
        CHECK(f.v == NULL && f.n == 0);
        bytes_free(&b);
}

UNIT_TEST(header_only_is_an_empty_snapshot)
{
        struct bytes b = {0};
        struct snap_file f;
        struct kago_err err = {0};
        snap_begin(&b);
        CHECK(b.len == 16 && memcmp(b.data, SNAP_MAGIC, 8) == 0);
        CHECK(parse(&b, &f, &err) == 0 && f.n == 0);
        snap_file_free(&f);
        bytes_free(&b);
}

UNIT_TEST(unknown_optional_section_is_skipped)
{
        struct bytes b = file_new();
        struct snap_file f;
        struct kago_err err = {0};
        snap_section(&b, TAG_NEW, 1, 0, "from a newer kago", 17);
        snap_section(&b, TAG_DEV, 4, 0, dev, sizeof dev);
        CHECK(parse(&b, &f, &err) == 0);
        CHECK(f.n == 5 && snap_find(&f, TAG_NEW, 0) == NULL);
        const struct snap_section *s = snap_find(&f, TAG_DEV, 1);
        CHECK(s && s->version == 4 && memcmp(s->data, dev, sizeof dev) == 0);
        snap_file_free(&f);
        bytes_free(&b);
}

UNIT_TEST(unknown_required_section_is_refused)
{
        struct bytes b = file_new();
        struct snap_file f;
        struct kago_err err = {0};
        snap_section(&b, TAG_NEW, 1, SNAP_REQUIRED, "must be understood", 18);
        CHECK(parse(&b, &f, &err) < 0);
        CHECK_STR(err.msg, "snapshot: section 4 at offset 160: unknown required section tag "
                           "0x4e455730");
        CHECK(f.v == NULL && f.n == 0);
        bytes_free(&b);
}

UNIT_TEST(flipped_payload_byte_is_a_crc_mismatch)
{
        struct bytes b = file_new();
        struct snap_file f;
        struct kago_err err = {0};
        b.data[16 + 40 + 24 + 2] ^= 0x10; /* in the second CPU section's payload */
        CHECK(parse(&b, &f, &err) < 0);
        CHECK_STR(err.msg, "snapshot: section 1 (tag 0x43505530) at offset 56: CRC mismatch");
        bytes_free(&b);
}

UNIT_TEST(flipped_header_byte_is_refused)
{
        struct bytes b = file_new();
        struct snap_file f;
        struct kago_err err = {0};
        for (size_t i = 0; i < 16; i++) {
                for (int bit = 0; bit < 8; bit++) {
                        b.data[i] ^= (uint8_t)(1 << bit);
                        CHECK(parse(&b, &f, &err) < 0);
                        CHECK_CONTAINS(err.msg, i < 8 ? "(magic)" : "header CRC mismatch");
                        b.data[i] ^= (uint8_t)(1 << bit);
                }
        }
        CHECK(parse(&b, &f, &err) == 0);
        snap_file_free(&f);
        bytes_free(&b);
}

UNIT_TEST(not_a_snapshot)
{
        struct snap_file f;
        struct kago_err err = {0};
        const char text[] = "{\"ociVersion\":\"1.2.0\"}";
        CHECK(snap_parse((const uint8_t *)text, sizeof text, known, 3, &f, &err) < 0);
        CHECK_STR(err.msg, "snapshot: not a kago snapshot (magic)");
}

/* Every cut is refused (padding included) except the whole and the ends of sections. */
UNIT_TEST(truncated_file_is_refused_at_every_length)
{
        struct bytes b = file_new();
        struct snap_file f;
        struct kago_err err = {0};
        for (size_t len = 0; len < b.len; len++) {
                /* a heap block of exactly len bytes, so ASan sees any read beyond it */
                uint8_t *cut = xmalloc(len ? len : 1);
                memcpy(cut, b.data, len);
                int r = snap_parse(cut, len, known, 3, &f, &err);
                bool boundary = len == 16 || len == 56 || len == 96 || len == 120;
                CHECK((r == 0) == boundary);
                if (r < 0 && len >= 16)
                        CHECK_CONTAINS(err.msg, "truncated");
                if (r < 0 && len < 16)
                        CHECK_CONTAINS(err.msg, "snapshot: truncated: ");
                snap_file_free(&f);
                free(cut);
        }
        bytes_free(&b);
}

UNIT_TEST(huge_section_length_is_truncated_not_wrapped)
{
        struct bytes b = file_new();
        struct snap_file f;
        struct kago_err err = {0};
        kago_put_le(b.data + 16 + 8, UINT64_MAX - 3, 8);
        CHECK(parse(&b, &f, &err) < 0);
        CHECK_CONTAINS(err.msg, "section 0 (tag 0x43505530) at offset 16: truncated");
        bytes_free(&b);
}

UNIT_TEST(other_major_is_refused_other_minor_read)
{
        struct bytes b = file_new();
        struct snap_file f;
        struct kago_err err = {0};
        set_version(&b, 2, 0);
        CHECK(parse(&b, &f, &err) < 0);
        CHECK_STR(err.msg, "snapshot: format 2.0, this kago reads 1.x");
        set_version(&b, 0, 9);
        CHECK(parse(&b, &f, &err) < 0);
        CHECK_STR(err.msg, "snapshot: format 0.9, this kago reads 1.x");
        set_version(&b, SNAP_MAJOR, 7);
        CHECK(parse(&b, &f, &err) == 0);
        CHECK(f.major == SNAP_MAJOR && f.minor == 7 && f.n == 4);
        snap_file_free(&f);
        bytes_free(&b);
}

UNIT_TEST(too_many_sections_are_refused)
{
        struct bytes b = {0};
        struct snap_file f;
        struct kago_err err = {0};
        snap_begin(&b);
        for (int i = 0; i < SNAP_SECTIONS_MAX; i++)
                snap_section(&b, TAG_DEV, 1, 0, NULL, 0);
        CHECK(parse(&b, &f, &err) == 0 && f.n == SNAP_SECTIONS_MAX);
        snap_file_free(&f);
        snap_section(&b, TAG_NEW, 1, 0, NULL, 0);
        CHECK(parse(&b, &f, &err) < 0);
        CHECK_STR(err.msg, "snapshot: more than 4096 sections");
        bytes_free(&b);
}

UNIT_TEST(cursor_reads_fields_and_stops_at_the_end)
{
        struct bytes p = {0};
        snap_put_u64(&p, 0x0102030405060708ull);
        snap_put_u32(&p, 0xcafef00du);
        bytes_put(&p, "xyz", 3);
        CHECK(p.len == 15 && p.data[0] == 0x08 && p.data[8] == 0x0d);
        struct snap_section s = {.tag = TAG_CPU, .data = p.data, .len = p.len};
        struct snap_cursor c;
        snap_cursor_init(&c, &s);
        CHECK(snap_get_u64(&c) == 0x0102030405060708ull);
        CHECK(snap_get_u32(&c) == 0xcafef00du && !c.short_read && c.left == 3);
        const char *xyz = snap_take(&c, 3);
        CHECK(xyz && memcmp(xyz, "xyz", 3) == 0 && c.left == 0 && !c.short_read);
        CHECK(snap_take(&c, 0) != NULL && !c.short_read);
        CHECK(snap_get_u32(&c) == 0 && c.short_read);

        snap_cursor_init(&c, &s);
        c.left = 11; /* three bytes short of the u32 after the u64 */
        uint8_t out[8];
        snap_get(&c, out, 8);
        CHECK(out[0] == 0x08 && !c.short_read);
        memset(out, 0xff, sizeof out);
        snap_get(&c, out, 4);
        CHECK(c.short_read && c.left == 0 && out[0] == 0 && out[3] == 0);
        CHECK(snap_take(&c, 1) == NULL && c.short_read);

        snap_cursor_init(&c, NULL);
        CHECK(snap_get_u64(&c) == 0 && c.short_read);
        bytes_free(&p);
}

UNIT_MAIN("microvm_snap", UNIT(crc32_is_the_ieee_one), UNIT(sections_round_trip),
          UNIT(header_only_is_an_empty_snapshot), UNIT(unknown_optional_section_is_skipped),
          UNIT(unknown_required_section_is_refused), UNIT(flipped_payload_byte_is_a_crc_mismatch),
          UNIT(flipped_header_byte_is_refused), UNIT(not_a_snapshot),
          UNIT(truncated_file_is_refused_at_every_length),
          UNIT(huge_section_length_is_truncated_not_wrapped),
          UNIT(other_major_is_refused_other_minor_read), UNIT(too_many_sections_are_refused),
          UNIT(cursor_reads_fields_and_stops_at_the_end))
