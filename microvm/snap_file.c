/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The snapshot file's framing (snap.h): writing the header and sections,
 * parsing an untrusted file into sections, and reading a payload field by
 * field. */
#include <inttypes.h>
#include <pthread.h>
#include <string.h>

#include "snap.h"
#include "vm.h"

#define SNAP_HEADER_LEN         16
#define SNAP_SECTION_HEADER_LEN 24
#define SNAP_CRC_POLY           0xedb88320u /* IEEE 802.3, bit-reversed */

/* ---- CRC-32 ---------------------------------------------------------- */

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_table_fill(void)
{
        for (uint32_t i = 0; i < 256; i++) {
                uint32_t c = i;
                for (int k = 0; k < 8; k++)
                        c = c & 1 ? SNAP_CRC_POLY ^ (c >> 1) : c >> 1;
                crc_table[i] = c;
        }
}

uint32_t snap_crc32_update(uint32_t crc, const void *data, size_t len)
{
        const uint8_t *p = data;
        uint32_t c = ~crc;

        pthread_once(&crc_once, crc_table_fill);
        for (size_t i = 0; i < len; i++)
                c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
        return ~c;
}

uint32_t snap_crc32(const void *data, size_t len)
{
        return snap_crc32_update(0, data, len);
}

/* ---- writing --------------------------------------------------------- */

static void put_le(struct bytes *b, uint64_t v, int n)
{
        uint8_t buf[8];
        kago_put_le(buf, v, n);
        bytes_put(b, buf, (size_t)n);
}

void snap_put_u64(struct bytes *b, uint64_t v)
{
        put_le(b, v, 8);
}

void snap_put_u32(struct bytes *b, uint32_t v)
{
        put_le(b, v, 4);
}

void snap_begin(struct bytes *b)
{
        uint8_t h[SNAP_HEADER_LEN];
        memcpy(h, SNAP_MAGIC, 8);
        kago_put_le(h + 8, SNAP_MAJOR, 2);
        kago_put_le(h + 10, SNAP_MINOR, 2);
        kago_put_le(h + 12, snap_crc32(h, 12), 4);
        bytes_put(b, h, sizeof h);
}

void snap_section(struct bytes *b, uint32_t tag, uint16_t version, uint16_t flags, const void *data,
                  size_t len)
{
        static const uint8_t zero[8];
        uint8_t h[SNAP_SECTION_HEADER_LEN] = {0};
        kago_put_le(h, tag, 4);
        kago_put_le(h + 4, version, 2);
        kago_put_le(h + 6, flags, 2);
        kago_put_le(h + 8, len, 8);
        kago_put_le(h + 16, snap_crc32(data, len), 4);
        bytes_put(b, h, sizeof h);
        bytes_put(b, data, len);
        bytes_put(b, zero, (8 - len % 8) % 8);
}

/* ---- parsing --------------------------------------------------------- */

static uint16_t le16(const uint8_t *p)
{
        return (uint16_t)(p[0] | p[1] << 8);
}

static int parse_header(const uint8_t *data, size_t len, struct snap_file *f, struct kago_err *err)
{
        if (len < SNAP_HEADER_LEN)
                return kago_err_set(err, "snapshot: truncated: %zu bytes, the header takes %d", len,
                                    SNAP_HEADER_LEN);
        if (memcmp(data, SNAP_MAGIC, 8) != 0)
                return kago_err_set(err, "snapshot: not a kago snapshot (magic)");
        if (kago_le32(data + 12) != snap_crc32(data, 12))
                return kago_err_set(err, "snapshot: header CRC mismatch");
        f->major = le16(data + 8);
        f->minor = le16(data + 10);
        if (f->major != SNAP_MAJOR)
                return kago_err_set(err, "snapshot: format %u.%u, this kago reads %d.x", f->major,
                                    f->minor, SNAP_MAJOR);
        return 0;
}

static bool tag_known(uint32_t tag, const uint32_t *known, size_t n_known)
{
        for (size_t i = 0; i < n_known; i++)
                if (known[i] == tag)
                        return true;
        return false;
}

/* The section at data[*off..len) into s; *off moves past it and its padding. */
static int parse_section(const uint8_t *data, size_t len, size_t *off, size_t index,
                         struct snap_section *s, struct kago_err *err)
{
        size_t at = *off, left = len - at;
        if (left < SNAP_SECTION_HEADER_LEN)
                return kago_err_set(err,
                                    "snapshot: section %zu at offset %zu: truncated (header of "
                                    "%d bytes, %zu left)",
                                    index, at, SNAP_SECTION_HEADER_LEN, left);
        const uint8_t *h = data + at;
        *s = (struct snap_section){.tag = kago_le32(h),
                                   .version = le16(h + 4),
                                   .flags = le16(h + 6),
                                   .len = kago_le64(h + 8)};
        left -= SNAP_SECTION_HEADER_LEN;
        uint64_t pad = (8 - s->len % 8) % 8;
        if (s->len > left || pad > left - s->len)
                return kago_err_set(err,
                                    "snapshot: section %zu (tag 0x%08" PRIx32 ") at offset %zu: "
                                    "truncated (%" PRIu64 " bytes and padding, %zu left)",
                                    index, s->tag, at, s->len, left);
        s->data = h + SNAP_SECTION_HEADER_LEN;
        if (snap_crc32(s->data, (size_t)s->len) != kago_le32(h + 16))
                return kago_err_set(err,
                                    "snapshot: section %zu (tag 0x%08" PRIx32 ") at offset %zu: "
                                    "CRC mismatch",
                                    index, s->tag, at);
        *off = at + SNAP_SECTION_HEADER_LEN + (size_t)(s->len + pad);
        return 0;
}

static void file_add(struct snap_file *f, size_t *cap, const struct snap_section *s)
{
        if (f->n == *cap) {
                *cap = *cap ? *cap * 2 : 16;
                f->v = xrealloc(f->v, *cap * sizeof *f->v);
        }
        f->v[f->n++] = *s;
}

static int parse_sections(const uint8_t *data, size_t len, const uint32_t *known, size_t n_known,
                          struct snap_file *f, struct kago_err *err)
{
        size_t off = SNAP_HEADER_LEN, cap = 0;
        for (size_t index = 0; off < len; index++) {
                struct snap_section s;
                if (index == SNAP_SECTIONS_MAX)
                        return kago_err_set(err, "snapshot: more than %d sections",
                                            SNAP_SECTIONS_MAX);
                size_t at = off;
                if (parse_section(data, len, &off, index, &s, err) < 0)
                        return -1;
                if (tag_known(s.tag, known, n_known))
                        file_add(f, &cap, &s);
                else if (s.flags & SNAP_REQUIRED)
                        return kago_err_set(err,
                                            "snapshot: section %zu at offset %zu: unknown "
                                            "required section tag 0x%08" PRIx32,
                                            index, at, s.tag);
        }
        return 0;
}

int snap_parse(const uint8_t *data, size_t len, const uint32_t *known, size_t n_known,
               struct snap_file *f, struct kago_err *err)
{
        *f = (struct snap_file){0};
        if (parse_header(data, len, f, err) < 0 ||
            parse_sections(data, len, known, n_known, f, err) < 0) {
                snap_file_free(f);
                return -1;
        }
        return 0;
}

void snap_file_free(struct snap_file *f)
{
        free(f->v);
        *f = (struct snap_file){0};
}

const struct snap_section *snap_find(const struct snap_file *f, uint32_t tag, unsigned index)
{
        for (size_t i = 0; i < f->n; i++)
                if (f->v[i].tag == tag && index-- == 0)
                        return &f->v[i];
        return NULL;
}

/* ---- reading a payload ----------------------------------------------- */

void snap_cursor_init(struct snap_cursor *c, const struct snap_section *s)
{
        *c = (struct snap_cursor){.p = s ? s->data : NULL, .left = s ? (size_t)s->len : 0};
}

const void *snap_take(struct snap_cursor *c, size_t n)
{
        if (n > c->left) {
                c->short_read = true;
                c->left = 0;
                return NULL;
        }
        const void *p = c->p;
        c->p += n;
        c->left -= n;
        return p;
}

void snap_get(struct snap_cursor *c, void *out, size_t n)
{
        const void *p = snap_take(c, n);
        if (p)
                memcpy(out, p, n);
        else
                memset(out, 0, n);
}

uint64_t snap_get_u64(struct snap_cursor *c)
{
        uint8_t b[8];
        snap_get(c, b, sizeof b);
        return kago_le64(b);
}

void snap_put_le(struct bytes *b, uint64_t v, size_t n)
{
        uint8_t le[8];
        for (size_t k = 0; k < n && k < sizeof le; k++)
                le[k] = (uint8_t)(v >> (8 * k));
        bytes_put(b, le, n < sizeof le ? n : sizeof le);
}

void snap_patch_le(struct bytes *b, size_t off, uint64_t v, size_t n)
{
        for (size_t k = 0; k < n && off + k < b->len; k++)
                b->data[off + k] = (uint8_t)(v >> (8 * k));
}

bool snap_get_le(struct snap_cursor *c, size_t n, uint64_t *v)
{
        uint8_t b[8] = { 0 };
        *v = 0;
        if (n > sizeof b || c->left < n)
                return false;
        snap_get(c, b, n);
        for (size_t k = 0; k < n; k++)
                *v |= (uint64_t)b[k] << (8 * k);
        return true;
}

uint32_t snap_get_u32(struct snap_cursor *c)
{
        uint8_t b[4];
        snap_get(c, b, sizeof b);
        return kago_le32(b);
}
