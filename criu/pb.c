/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The protocol buffers wire format: encoding and a bounds-checked reader. */
#include <string.h>

#include "../base/base.h"
#include "pb.h"

void pb_out_free(struct pb_out *o)
{
        free(o->buf);
        *o = (struct pb_out){ 0 };
}

static void pb_reserve(struct pb_out *o, size_t n)
{
        if (o->len + n <= o->cap)
                return;
        o->cap = (o->len + n) * 2 + 64;
        o->buf = xrealloc(o->buf, o->cap);
}

static void pb_raw_varint(struct pb_out *o, uint64_t v)
{
        pb_reserve(o, 10);
        do {
                uint8_t b = v & 0x7f;
                v >>= 7;
                o->buf[o->len++] = b | (v ? 0x80 : 0);
        } while (v);
}

static void pb_key(struct pb_out *o, unsigned field, enum pb_wire wire)
{
        pb_raw_varint(o, (uint64_t)field << 3 | wire);
}

void pb_put_varint(struct pb_out *o, unsigned field, uint64_t v)
{
        pb_key(o, field, PB_VARINT);
        pb_raw_varint(o, v);
}

void pb_put_int32(struct pb_out *o, unsigned field, int32_t v)
{
        pb_put_varint(o, field, (uint64_t)(int64_t)v);
}

void pb_put_bool(struct pb_out *o, unsigned field, bool v)
{
        pb_put_varint(o, field, v);
}

void pb_put_bytes(struct pb_out *o, unsigned field, const void *p, size_t n)
{
        pb_key(o, field, PB_LEN);
        pb_raw_varint(o, n);
        pb_reserve(o, n);
        if (n)
                memcpy(o->buf + o->len, p, n);
        o->len += n;
}

void pb_put_string(struct pb_out *o, unsigned field, const char *s)
{
        pb_put_bytes(o, field, s, strlen(s));
}

void pb_put_message(struct pb_out *o, unsigned field, struct pb_out *msg)
{
        pb_put_bytes(o, field, msg->buf, msg->len);
        pb_out_free(msg);
}

static int pb_read_varint(struct pb_in *in, uint64_t *v)
{
        *v = 0;
        for (unsigned shift = 0; shift < 64; shift += 7) {
                if (in->p >= in->end)
                        return -1;
                uint8_t b = *in->p++;
                *v |= (uint64_t)(b & 0x7f) << shift;
                if (!(b & 0x80))
                        return 0;
        }
        return -1;
}

static int pb_read_fixed(struct pb_in *in, size_t n, uint64_t *v)
{
        if ((size_t)(in->end - in->p) < n)
                return -1;
        *v = 0;
        for (size_t i = 0; i < n; i++)
                *v |= (uint64_t)in->p[i] << (8 * i);
        in->p += n;
        return 0;
}

int pb_next(struct pb_in *in, struct pb_field *f)
{
        uint64_t key, n;

        if (in->p >= in->end)
                return 0;
        if (pb_read_varint(in, &key) < 0 || (key >> 3) == 0 || (key >> 3) > UINT32_MAX)
                return -1;
        *f = (struct pb_field){ .number = (unsigned)(key >> 3), .wire = key & 7 };
        switch (f->wire) {
        case PB_VARINT: return pb_read_varint(in, &f->varint) < 0 ? -1 : 1;
        case PB_I64: return pb_read_fixed(in, 8, &f->varint) < 0 ? -1 : 1;
        case PB_I32: return pb_read_fixed(in, 4, &f->varint) < 0 ? -1 : 1;
        case PB_LEN:
                if (pb_read_varint(in, &n) < 0 || n > (uint64_t)(in->end - in->p))
                        return -1;
                f->bytes = in->p;
                f->len = (size_t)n;
                in->p += n;
                return 1;
        }
        return -1; /* groups (3, 4) and unknown wire types */
}

char *pb_field_string(const struct pb_field *f)
{
        if (f->wire != PB_LEN)
                return NULL;
        char *s = xmalloc(f->len + 1);
        memcpy(s, f->bytes, f->len);
        s[f->len] = '\0';
        return s;
}
