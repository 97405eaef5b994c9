/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the decoders of microvm/guest_proto.h in the guest
 * init (microvm/guest/init.c): the /kago.conf records (kago_conf_next,
 * conf_apply) and the two-byte control messages read from hvc1
 * (control_read, control). An input is a little-endian 16-bit length L, L
 * bytes of /kago.conf, and the control stream (fed through a pipe, as the
 * console delivers it, in reads of any size). No record may be read past
 * its end and nothing the decoders keep may leak. Crashes, leaks and
 * sanitizer reports are findings; each one is kept in
 * tests/fuzz/regressions/guest/.
 */
#define main kago_guest_main
#include "../../microvm/guest/init.c"
#undef main
#include "../../microvm/guest/agent.c"
#include "../../microvm/guest/caps.c"
#include "../../microvm/guest/proc.c"
#include "../../microvm/guest/net.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decode conf[0..len) from a heap copy of exactly len bytes. */
static void guest_fuzz_conf(const uint8_t *data, size_t len)
{
        static struct conf c;
        uint8_t *buf = malloc(len ? len : 1);
        struct kago_conf_rec r;
        size_t off = 0;

        memcpy(buf, data, len);
        memset(&c, 0, sizeof c);
        while (kago_conf_next(buf, len, &off, &r) > 0) {
                if (off > len || r.data + r.len != buf + off)
                        __builtin_trap(); /* a record beyond the buffer */
                conf_apply(&c, &r);
        }
        conf_free(&c);
        free(buf);
}

/* Feed the control stream through a pipe, in reads of 1..64 bytes. */
static void guest_fuzz_control(const uint8_t *data, size_t len)
{
        static struct guest g;
        int p[2];
        if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
                abort();
        memset(&g, 0, sizeof g);
        g.pid = 0; /* no workload: a signal message must not reach any process */
        g.pty = -1;
        g.hvc1 = p[0];
        for (size_t off = 0; off < len;) {
                size_t n = 1 + data[off] % 64;
                n = n > len - off ? len - off : n;
                if (write(p[1], data + off, n) != (ssize_t)n)
                        abort();
                control_read(&g);
                if (g.ctl_len < 0 || g.ctl_len >= (int)sizeof g.ctl)
                        __builtin_trap(); /* a message beyond its buffer */
                off += n;
        }
        close(p[0]);
        close(p[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 2)
                return 0;
        size_t conf_len = (size_t)data[0] | (size_t)data[1] << 8;
        data += 2;
        size -= 2;
        if (conf_len > size)
                conf_len = size;
        guest_fuzz_conf(data, conf_len);
        guest_fuzz_control(data + conf_len, size - conf_len);
        return 0;
}
