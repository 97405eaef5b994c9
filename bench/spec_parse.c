/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Benchmark of the specs parser.
 *   spec_parse FILE [ITERATIONS]  µs per spec_parse+spec_free of FILE
 *   spec_parse --size BYTES       time to parse a generated config of about
 *                                 BYTES (mounts, env and annotations), to
 *                                 show the parser is linear in input size
 */
#include <fcntl.h>
#include <string.h>
#include <time.h>

#include "../specs/specs.h"

/* CPU time of this thread: on a shared machine, wall time mostly measures
 * the other tenants; CPU time measures the parser. */
static double now_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Best (least disturbed) of `rounds` runs of `iterations` parses, in µs per parse. */
static double time_parse(const char *buf, size_t len, long iterations, int rounds)
{
        double best = 0;

        for (int r = 0; r < rounds; r++) {
                double t0 = now_us();
                for (long i = 0; i < iterations; i++) {
                        struct kago_err err = { 0 };
                        struct oci_spec *s = NULL;
                        if (spec_parse(buf, len, "config.json", &s, &err) < 0) {
                                fprintf(stderr, "%s\n", kago_err_text(&err));
                                exit(1);
                        }
                        spec_free(s);
                }
                double per = (now_us() - t0) / (double)iterations;
                if (r == 0 || per < best)
                        best = per;
        }
        return best;
}

struct buf {
        char *p;
        size_t len, cap;
};

static void put(struct buf *b, const char *s)
{
        size_t n = strlen(s);
        if (b->len + n + 1 > b->cap) {
                b->cap = (b->len + n + 1) * 2;
                b->p = xrealloc(b->p, b->cap);
        }
        memcpy(b->p + b->len, s, n + 1);
        b->len += n;
}

/* A valid config of about size bytes: a third each of mounts, env, annotations. */
static char *generate(size_t size, size_t *len)
{
        struct buf b = { 0 };
        char item[256];

        put(&b, "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"},\n\"mounts\": [");
        for (size_t i = 0; b.len < size / 3; i++) {
                snprintf(item, sizeof item,
                         "%s{\"destination\": \"/data/volume-%zu\", \"type\": \"bind\", "
                         "\"source\": \"/srv/volumes/%zu\", \"options\": [\"rbind\", \"ro\"]}\n",
                         i ? "," : "", i, i);
                put(&b, item);
        }
        put(&b, "],\n\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"env\": [");
        for (size_t i = 0; b.len < 2 * size / 3; i++) {
                snprintf(item, sizeof item, "%s\"VARIABLE_%zu=some value number %zu\"\n", i ? "," : "", i, i);
                put(&b, item);
        }
        put(&b, "]},\n\"annotations\": {");
        for (size_t i = 0; b.len < size - 2; i++) {
                snprintf(item, sizeof item, "%s\"org.example.annotation.%zu\": \"value %zu\"\n",
                         i ? "," : "", i, i);
                put(&b, item);
        }
        put(&b, "}}\n");
        *len = b.len;
        return b.p;
}

int main(int argc, char **argv)
{
        struct kago_err err = { 0 };
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;

        if (argc == 3 && strcmp(argv[1], "--size") == 0) {
                buf = generate(strtoul(argv[2], NULL, 10), &len);
                double us = time_parse(buf, len, 3, 7);
                printf("%zu bytes: %.2f ms CPU per parse, %.1f MB/s\n", len, us / 1000, (double)len / us);
                return 0;
        }
        if (argc < 2 || argc > 3) {
                fprintf(stderr, "usage: spec_parse FILE [ITERATIONS] | spec_parse --size BYTES\n");
                return 2;
        }
        if (file_read_at(AT_FDCWD, argv[1], SPEC_MAX_FILE_SIZE, &buf, &len, &err) < 0) {
                fprintf(stderr, "%s\n", kago_err_text(&err));
                return 1;
        }
        long n = argc == 3 ? strtol(argv[2], NULL, 10) : 20000;
        printf("%s (%zu bytes): %.2f µs CPU per parse (best of 5 x %ld)\n", argv[1], len,
               time_parse(buf, len, n, 5), n);
        return 0;
}
