/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 9P wire encoding: little-endian integers, u16-prefixed strings, qids. */
#include <string.h>
#include <sys/stat.h>

#include "p9.h"

static const uint8_t *take(struct p9_in *in, size_t n)
{
        if (in->bad || in->len - in->off < n) {
                in->bad = true;
                return NULL;
        }
        const uint8_t *p = in->p + in->off;
        in->off += n;
        return p;
}

static uint64_t get_le(struct p9_in *in, int n)
{
        const uint8_t *p = take(in, (size_t)n);
        uint64_t v = 0;
        for (int i = 0; p && i < n; i++)
                v |= (uint64_t)p[i] << (8 * i);
        return v;
}

uint8_t p9_get8(struct p9_in *in) { return (uint8_t)get_le(in, 1); }
uint16_t p9_get16(struct p9_in *in) { return (uint16_t)get_le(in, 2); }
uint32_t p9_get32(struct p9_in *in) { return (uint32_t)get_le(in, 4); }
uint64_t p9_get64(struct p9_in *in) { return get_le(in, 8); }

const uint8_t *p9_getbytes(struct p9_in *in, size_t n)
{
        return take(in, n);
}

char *p9_getstr(struct p9_in *in)
{
        uint16_t n = p9_get16(in);
        const uint8_t *p = take(in, n);
        if (!p || memchr(p, 0, n)) {
                in->bad = true;
                return NULL;
        }
        char *s = xmalloc((size_t)n + 1);
        memcpy(s, p, n);
        s[n] = 0;
        return s;
}

uint8_t *p9_reserve(struct p9_out *o, size_t n)
{
        if (o->overflow || o->cap - o->len < n) {
                o->overflow = true;
                return NULL;
        }
        uint8_t *p = o->p + o->len;
        o->len += n;
        return p;
}

static void put_le(struct p9_out *o, uint64_t v, int n)
{
        uint8_t *p = p9_reserve(o, (size_t)n);
        for (int i = 0; p && i < n; i++)
                p[i] = (uint8_t)(v >> (8 * i));
}

void p9_put8(struct p9_out *o, uint8_t v) { put_le(o, v, 1); }
void p9_put16(struct p9_out *o, uint16_t v) { put_le(o, v, 2); }
void p9_put32(struct p9_out *o, uint32_t v) { put_le(o, v, 4); }
void p9_put64(struct p9_out *o, uint64_t v) { put_le(o, v, 8); }

void p9_putstr(struct p9_out *o, const char *s)
{
        size_t n = strlen(s);
        if (n > 0xffff)
                n = 0xffff;
        p9_put16(o, (uint16_t)n);
        uint8_t *p = p9_reserve(o, n);
        if (p)
                memcpy(p, s, n);
}

/* Inode numbers of different host filesystems (mounts inside the root)
 * must not collide: fold the device into the high bits. */
uint64_t p9_qid_path(uint64_t dev, uint64_t ino)
{
        return ino ^ (dev << 48) ^ (dev >> 16 << 56);
}

void p9_put_qid_raw(struct p9_out *o, uint8_t type, uint64_t path)
{
        p9_put8(o, type);
        p9_put32(o, 0);
        p9_put64(o, path);
}

void p9_put_qid(struct p9_out *o, const struct stat *st)
{
        uint8_t type = S_ISDIR(st->st_mode) ? P9_QTDIR : S_ISLNK(st->st_mode) ? P9_QTSYMLINK : 0;
        p9_put_qid_raw(o, type, p9_qid_path(st->st_dev, st->st_ino));
}
