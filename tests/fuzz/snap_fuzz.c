/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the snapshot file's reader (snap_parse in
 * microvm/snap_file.c): an input is the bytes of an untrusted snapshot
 * file, read by a kago that knows the tags 1 to 4. Invariants: a parse that
 * succeeds yields at most SNAP_SECTIONS_MAX sections, each of a known tag
 * and lying inside the input; written again with snap_begin/snap_section
 * they parse to the same tags, versions, flags and payloads; a cursor over
 * each payload reads it all and no further. A failed parse leaves the file
 * empty and says why. Crashes, leaks and sanitizer reports are findings;
 * each one is kept in tests/fuzz/regressions/snap/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../microvm/snap.h"
#include "../../microvm/vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t snap_fuzz_known[] = {1, 2, 3, 4};

static void snap_fuzz_check_section(const struct snap_section *s, const uint8_t *data, size_t size)
{
        uintptr_t lo = (uintptr_t)data, at = (uintptr_t)s->data;
        if (at < lo || at - lo > size || s->len > size - (at - lo) || s->tag < 1 || s->tag > 4)
                abort();
        struct snap_cursor c;
        snap_cursor_init(&c, s);
        uint64_t words = s->len / 4;
        for (uint64_t i = 0; i < words; i++)
                snap_get_u32(&c);
        if (c.short_read || snap_take(&c, (size_t)(s->len % 4)) == NULL || c.left != 0)
                abort();
        snap_get_u64(&c);
        if (!c.short_read)
                abort();
}

static void snap_fuzz_same(const struct snap_file *a, const struct snap_file *b)
{
        if (a->n != b->n || b->major != SNAP_MAJOR || b->minor != SNAP_MINOR)
                abort();
        for (size_t i = 0; i < a->n; i++) {
                const struct snap_section *x = &a->v[i], *y = &b->v[i];
                if (x->tag != y->tag || x->version != y->version || x->flags != y->flags ||
                    x->len != y->len || memcmp(x->data, y->data, (size_t)x->len) != 0)
                        abort();
        }
}

static void snap_fuzz_rewrite(const struct snap_file *f)
{
        struct bytes b = {0};
        struct snap_file again;
        struct kago_err err = {0};
        snap_begin(&b);
        for (size_t i = 0; i < f->n; i++)
                snap_section(&b, f->v[i].tag, f->v[i].version, f->v[i].flags, f->v[i].data,
                             (size_t)f->v[i].len);
        if (snap_parse(b.data, b.len, snap_fuzz_known, 4, &again, &err) < 0)
                abort();
        snap_fuzz_same(f, &again);
        snap_file_free(&again);
        bytes_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct snap_file f;
        struct kago_err err = {0};

        if (snap_parse(data, size, snap_fuzz_known, 4, &f, &err) < 0) {
                if (f.v || f.n || strncmp(err.msg, "snapshot: ", 10) != 0)
                        abort();
                return 0;
        }
        if (f.major != SNAP_MAJOR || f.n > SNAP_SECTIONS_MAX)
                abort();
        for (size_t i = 0; i < f.n; i++)
                snap_fuzz_check_section(&f.v[i], data, size);
        snap_fuzz_rewrite(&f);
        snap_file_free(&f);
        return 0;
}
