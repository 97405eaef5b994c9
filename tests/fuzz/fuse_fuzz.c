/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the microVM's FUSE (virtio-fs) server
 * (microvm/fuse_*.c), the decoder of what the guest sends: an input is a
 * stream of requests, each as long as its header's len says (or the rest of
 * the input), served in turn against a fresh directory tree (fuzz_tree.h).
 * Every reply must fit the buffer it was given and carry its own length;
 * nothing beyond the served root may change and no fd may leak. Crashes,
 * leaks, hangs and sanitizer reports are findings; each one is kept in
 * tests/fuzz/regressions/fuse/.
 */
#include <stdint.h>

#include "../../microvm/fuse.h"
#include "fuzz_tree.h"

#define FUSE_FUZZ_MAX_WRITE 8192
#define FUSE_FUZZ_CAP (FUSE_FUZZ_MAX_WRITE + 4096)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Serve one request from a heap copy of exactly len bytes, into a reply
 * buffer of exactly cap bytes (so ASan sees any access beyond either). */
static void fuse_fuzz_one(struct fuse_server *s, const uint8_t *data, size_t len, size_t cap)
{
        uint8_t *req = malloc(len ? len : 1), *resp = malloc(cap);
        if (!req || !resp)
                abort();
        memcpy(req, data, len);
        size_t n = fuse_handle(s, req, len, resp, cap);
        if (n > cap)
                __builtin_trap(); /* the reply overran its buffer */
        struct fuse_out_header h;
        if (n > 0 && (n < sizeof h || (memcpy(&h, resp, sizeof h), h.len != n)))
                __builtin_trap(); /* the reply's len field lies */
        free(req);
        free(resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct kago_err err = { 0 };
        struct fuse_server *s = NULL;
        const char *root = fuzz_tree_make();

        if (fuse_server_new(root, false, FUSE_FUZZ_MAX_WRITE, &s, &err) < 0)
                fuzz_die(err.msg);
        while (size > 0) {
                size_t n = fuzz_next_len(data, size, sizeof(struct fuse_in_header));
                fuse_fuzz_one(s, data, n, FUSE_FUZZ_CAP);
                data += n;
                size -= n;
        }
        fuse_server_free(s);
        fuzz_tree_done();
        return 0;
}
