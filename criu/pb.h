/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The protocol buffers wire format, as much as CRIU's RPC needs: varints,
 * length-delimited strings and nested messages (proto2, no packed fields).
 * Internal to criu/.
 */
#ifndef KAGO_CRIU_PB_H
#define KAGO_CRIU_PB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pb_wire { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_I32 = 5 };

/* A growing output buffer; xrealloc'd, so writes cannot fail. */
struct pb_out {
        uint8_t *buf;
        size_t len, cap;
};

void pb_out_free(struct pb_out *o);
void pb_put_varint(struct pb_out *o, unsigned field, uint64_t v);
void pb_put_int32(struct pb_out *o, unsigned field, int32_t v); /* sign-extended, as protoc does */
void pb_put_bool(struct pb_out *o, unsigned field, bool v);
void pb_put_bytes(struct pb_out *o, unsigned field, const void *p, size_t n);
void pb_put_string(struct pb_out *o, unsigned field, const char *s);
/* Append msg as field (length-delimited) and free it. */
void pb_put_message(struct pb_out *o, unsigned field, struct pb_out *msg);

/* One field read from a message. */
struct pb_field {
        unsigned number;
        enum pb_wire wire;
        uint64_t varint;      /* PB_VARINT, PB_I64, PB_I32 */
        const uint8_t *bytes; /* PB_LEN */
        size_t len;
};

/* A reader over one message's bytes. */
struct pb_in {
        const uint8_t *p, *end;
};

/* The next field: 1, 0 at the end of the message, -1 on malformed input. */
int pb_next(struct pb_in *in, struct pb_field *f);
/* A PB_LEN field as a NUL-terminated malloc'd string (NULL for another type). */
char *pb_field_string(const struct pb_field *f);

#endif
