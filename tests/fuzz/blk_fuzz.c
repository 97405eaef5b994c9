/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the microVM's virtio-blk requests (blk_serve in
 * microvm/virtio_blk.c), what a guest puts in a descriptor chain: an input
 * is a segment plan (a byte: readable segments 0-7 and writable 0-7, then a
 * byte of length per segment) and the bytes of the readable segments (the
 * header first), served against a 64 KiB disk file. Each segment is its own
 * heap block of exactly its length, so ASan sees any access beyond one; the
 * answer must fit the writable part, and the disk must keep its size.
 * Crashes, leaks and sanitizer reports are findings; each one is kept in
 * tests/fuzz/regressions/blk/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../microvm/vm.h"

#define BLK_FUZZ_DISK (64u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int disk_fd = -1;

static int disk_open(void)
{
        char path[] = "/tmp/kago-blk-fuzz.XXXXXX";
        int fd = mkstemp(path);
        if (fd < 0 || unlink(path) < 0 || ftruncate(fd, BLK_FUZZ_DISK) < 0)
                abort();
        return fd;
}

/* A segment of len bytes, filled from the input where there is some left. */
static void *segment(const uint8_t **in, size_t *left, size_t len)
{
        uint8_t *p = malloc(len ? len : 1);
        size_t k = len < *left ? len : *left;
        memcpy(p, *in, k);
        memset(p + k, 0, len - k);
        *in += k, *left -= k;
        return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 1)
                return 0;
        if (disk_fd < 0)
                disk_fd = disk_open();
        unsigned n_out = data[0] & 7, n_in = (data[0] >> 4) & 7;
        if (size < 1 + n_out + n_in)
                return 0;
        const uint8_t *lens = data + 1, *in = data + 1 + n_out + n_in;
        size_t left = size - 1 - n_out - n_in;
        struct vq_chain c = { 0 };
        /* lengths step by 16 bytes: headers, ranges and whole sectors all reachable */
        for (unsigned i = 0; i < n_out; i++) {
                size_t len = (size_t)lens[i] * 16;
                c.out[c.n_out++] = (struct iovec){ segment(&in, &left, len), len };
                c.out_len += len;
        }
        for (unsigned i = 0; i < n_in; i++) {
                size_t len = lens[n_out + i] ? (size_t)lens[n_out + i] * 16 - (lens[n_out + i] & 1) : 0;
                c.in[c.n_in++] = (struct iovec){ segment(&in, &left, len), len };
                c.in_len += len;
        }
        struct blk_disk d;
        struct kago_err err = { 0 };
        if (blk_disk_init(&d, disk_fd, data[0] & 8, 0, &err) < 0)
                abort();
        uint32_t used = blk_serve(&d, &c);
        if (used > c.in_len)
                __builtin_trap(); /* more answered than the guest gave room for */
        struct stat st;
        if (fstat(disk_fd, &st) < 0 || st.st_size != BLK_FUZZ_DISK)
                __builtin_trap(); /* the disk grew or shrank */
        for (int i = 0; i < c.n_out; i++)
                free(c.out[i].iov_base);
        for (int i = 0; i < c.n_in; i++)
                free(c.in[i].iov_base);
        return 0;
}
