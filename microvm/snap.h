/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The snapshot file: the binary container of a microVM checkpoint (vCPU,
 * device and memory state), private to microvm/. All integers little-endian.
 *
 *   file header (16 bytes): magic "KAGOSNAP", u16 major, u16 minor,
 *                           u32 CRC-32 of the 12 bytes before it
 *   sections, to the end of the file, each:
 *     u32 tag, u16 version, u16 flags, u64 length, u32 CRC-32 of the payload,
 *     u32 reserved (written 0, not read), the payload, zero padding to 8 bytes
 *
 * How it grows: each kind of state is a section of its own tag, and a
 * section carries its own version, so a component changes its layout
 * without touching the others. A minor version adds sections: a reader
 * skips an optional section whose tag it does not know, so an older kago
 * restores what it understands. A section without which the VM cannot be
 * restored faithfully is flagged SNAP_REQUIRED, and a reader that does not
 * know its tag refuses the file rather than restore a VM that is missing
 * it; another major version (a change of this framing) is refused too.
 * Nothing in a file is trusted: every length is checked against what is
 * left, every CRC is verified, and a payload is read through a cursor that
 * never reads past its end.
 */
#ifndef KAGO_MICROVM_SNAP_H
#define KAGO_MICROVM_SNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"

#define SNAP_MAGIC        "KAGOSNAP" /* 8 bytes */
#define SNAP_MAJOR        1
#define SNAP_MINOR        0
#define SNAP_REQUIRED     1u /* flags: a reader that does not know the tag must refuse */
#define SNAP_SECTIONS_MAX 4096

struct bytes; /* vm.h */

/* Writing: the file header, then each section, appended to b. */
void snap_begin(struct bytes *b);
void snap_section(struct bytes *b, uint32_t tag, uint16_t version, uint16_t flags, const void *data,
                  size_t len);

struct snap_section {
        uint32_t tag;
        uint16_t version, flags;
        const uint8_t *data;
        uint64_t len;
};

/* A parsed file: v is malloc'd and points into the caller's buffer. */
struct snap_file {
        uint16_t major, minor;
        struct snap_section *v;
        size_t n;
};

/* Parse data (untrusted: every length bounds-checked, CRCs verified).
 * known: the n_known tags this reader understands; a section of another
 * tag is skipped when optional and refused when SNAP_REQUIRED. Another
 * minor is accepted, another major refused. On error f is empty and err
 * says what is wrong and where (section index, tag, offset). */
int snap_parse(const uint8_t *data, size_t len, const uint32_t *known, size_t n_known,
               struct snap_file *f, struct kago_err *err);
void snap_file_free(struct snap_file *f);
/* The index-th section with tag (0-based), or NULL. */
const struct snap_section *snap_find(const struct snap_file *f, uint32_t tag, unsigned index);

/* Reading a payload field by field: a cursor that never reads past the end.
 * Once a read comes up short, short_read stays set and nothing is left. */
struct snap_cursor {
        const uint8_t *p;
        size_t left;
        bool short_read;
};
/* s may be NULL (snap_find found nothing): an empty payload. */
void snap_cursor_init(struct snap_cursor *c, const struct snap_section *s);
/* Copy n bytes into out (zeros and short_read set when fewer remain). */
void snap_get(struct snap_cursor *c, void *out, size_t n);
uint64_t snap_get_u64(struct snap_cursor *c);
uint32_t snap_get_u32(struct snap_cursor *c);
/* An n-byte (1 to 8) little-endian number appended, or written over bytes
 * already there at off. */
void snap_put_le(struct bytes *b, uint64_t v, size_t n);
void snap_patch_le(struct bytes *b, size_t off, uint64_t v, size_t n);
/* An n-byte (1 to 8) little-endian number into *v; false, reading nothing,
 * when fewer than n bytes remain. */
bool snap_get_le(struct snap_cursor *c, size_t n, uint64_t *v);
/* A pointer to the next n bytes (NULL, short_read set, when fewer remain). */
const void *snap_take(struct snap_cursor *c, size_t n);

/* Writing fields of a payload: appended to b (bytes_put). */
void snap_put_u64(struct bytes *b, uint64_t v);
void snap_put_u32(struct bytes *b, uint32_t v);
/* IEEE 802.3 CRC-32 (zlib's crc32 with a zero start). */
uint32_t snap_crc32(const void *data, size_t len);
/* The CRC-32 of what crc covered followed by data (0 for nothing yet). */
uint32_t snap_crc32_update(uint32_t crc, const void *data, size_t len);

#endif
