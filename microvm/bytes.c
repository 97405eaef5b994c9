/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A growable byte buffer (struct bytes): the initramfs and the snapshot
 * file are built in one before they go anywhere. */
#include <string.h>

#include "vm.h"

void bytes_put(struct bytes *b, const void *p, size_t n)
{
        if (b->len + n > b->cap) {
                size_t cap = b->cap ? b->cap : 4096;
                while (cap < b->len + n)
                        cap *= 2;
                b->data = xrealloc(b->data, cap);
                b->cap = cap;
        }
        if (n)
                memcpy(b->data + b->len, p, n);
        b->len += n;
}

void bytes_free(struct bytes *b)
{
        free(b->data);
        *b = (struct bytes){0};
}
