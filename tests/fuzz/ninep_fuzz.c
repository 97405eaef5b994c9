/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the microVM's 9P2000.L server (microvm/p9_*.c), the
 * decoder of what the guest sends: an input is a stream of requests, each as
 * long as its own size field says (or the rest of the input), served in turn
 * against a fresh directory tree (fuzz_tree.h). Every reply must fit the
 * buffer it was given and carry its own length; nothing beyond the served
 * root may change and no fd may leak. Crashes, leaks, hangs and sanitizer
 * reports are findings; each one is kept in tests/fuzz/regressions/ninep/.
 */
#include <stdint.h>

#include "../../microvm/p9.h"
#include "fuzz_tree.h"

#define NINEP_FUZZ_MSIZE 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Serve one request from a heap copy of exactly len bytes, into a reply
 * buffer of exactly cap bytes (so ASan sees any access beyond either). */
static void ninep_fuzz_one(struct p9_server *s, const uint8_t *data, size_t len, size_t cap)
{
        uint8_t *req = malloc(len ? len : 1), *resp = malloc(cap);
        if (!req || !resp)
                abort();
        memcpy(req, data, len);
        size_t n = p9_handle(s, req, len, resp, cap);
        if (n > cap)
                __builtin_trap(); /* the reply overran its buffer */
        if (n >= P9_HDR && ((uint32_t)resp[0] | (uint32_t)resp[1] << 8 |
                            (uint32_t)resp[2] << 16 | (uint32_t)resp[3] << 24) != n)
                __builtin_trap(); /* the reply's size field lies */
        free(req);
        free(resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct kago_err err = { 0 };
        struct p9_server *s = NULL;
        const char *root = fuzz_tree_make();

        if (p9_server_new(root, false, NINEP_FUZZ_MSIZE, &s, &err) < 0)
                fuzz_die(err.msg);
        while (size > 0) {
                size_t n = fuzz_next_len(data, size, P9_HDR);
                ninep_fuzz_one(s, data, n, NINEP_FUZZ_MSIZE);
                data += n;
                size -= n;
        }
        p9_server_free(s);
        fuzz_tree_done();
        return 0;
}
