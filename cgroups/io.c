/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.resources.blockIO: weight and weightDevice -> io.bfq.weight when the
 * BFQ scheduler offers it (same 10..1000 scale), else io.weight (converted
 * to 1..10000); the four throttle lists -> io.max, one line per device.
 * leafWeight has no cgroup v2 equivalent: ignored with a warning.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "../specs/specs.h"
#include "internal.h"

#define F "linux.resources.blockIO."

struct io_max_line {
        int64_t major, minor;
        char keys[4][32]; /* rbps, wbps, riops, wiops; "" when not set */
};

static const char *const io_keys[4] = { "rbps", "wbps", "riops", "wiops" };

static bool has_bfq(int dirfd)
{
        return dirfd >= 0 && faccessat(dirfd, "io.bfq.weight", F_OK, 0) == 0;
}

static int check_dev(const char *list, size_t i, int64_t major, int64_t minor, struct kago_err *err)
{
        if (major < 0 || minor < 0 || major > UINT32_MAX || minor > UINT32_MAX)
                return kago_err_set(err, F "%s[%zu]: device %" PRId64 ":%" PRId64 " out of range",
                                    list, i, major, minor);
        return 0;
}

static int plan_weights(struct cg_plan *p, const struct oci_block_io *b, int dirfd, struct kago_err *err)
{
        bool bfq = has_bfq(dirfd);
        const char *file = bfq ? "io.bfq.weight" : "io.weight";

        if (b->weight.set && b->weight.value)
                cg_plan_add(p, F "weight", file, "%" PRIu64,
                            bfq ? b->weight.value : cg_blkio_weight_to_io_weight(b->weight.value));
        for (size_t i = 0; i < b->weight_device_len; i++) {
                const struct oci_blkio_weight_device *d = &b->weight_device[i];
                if (check_dev("weightDevice", i, d->major, d->minor, err) < 0)
                        return -1;
                if (d->leaf_weight.set)
                        log_warning(F "weightDevice[%zu].leafWeight: no cgroup v2 equivalent, ignored", i);
                if (!d->weight.set)
                        continue;
                _cleanup_free_ char *field = xasprintf(F "weightDevice[%zu].weight", i);
                cg_plan_add(p, field, file, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
                            bfq ? d->weight.value : cg_blkio_weight_to_io_weight(d->weight.value));
        }
        return 0;
}

static struct io_max_line *line_for(struct io_max_line **lines, size_t *n, int64_t major, int64_t minor)
{
        for (size_t i = 0; i < *n; i++)
                if ((*lines)[i].major == major && (*lines)[i].minor == minor)
                        return &(*lines)[i];
        *lines = xrealloc(*lines, (*n + 1) * sizeof **lines);
        struct io_max_line *l = &(*lines)[(*n)++];
        memset(l, 0, sizeof *l);
        l->major = major;
        l->minor = minor;
        return l;
}

static int collect(struct io_max_line **lines, size_t *n, const char *list,
                   const struct oci_blkio_throttle_device *d, size_t len, int key, struct kago_err *err)
{
        for (size_t i = 0; i < len; i++) {
                if (check_dev(list, i, d[i].major, d[i].minor, err) < 0)
                        return -1;
                struct io_max_line *l = line_for(lines, n, d[i].major, d[i].minor);
                /* A rate of 0 lifts the limit, as with cgroup v1's blkio. */
                if (d[i].rate)
                        snprintf(l->keys[key], sizeof l->keys[key], "%s=%" PRIu64, io_keys[key], d[i].rate);
                else
                        snprintf(l->keys[key], sizeof l->keys[key], "%s=max", io_keys[key]);
        }
        return 0;
}

/* "MAJ:MIN rbps=N wiops=M" with the keys set for that device. */
char *cg_io_max_line(int64_t major, int64_t minor, char keys[4][32])
{
        char buf[256];
        int len = snprintf(buf, sizeof buf, "%" PRId64 ":%" PRId64, major, minor);

        for (int k = 0; k < 4; k++)
                if (keys[k][0])
                        len += snprintf(buf + len, sizeof buf - (size_t)len, " %s", keys[k]);
        return xstrdup(buf);
}

static int plan_max(struct cg_plan *p, const struct oci_block_io *b, struct kago_err *err)
{
        _cleanup_free_ struct io_max_line *lines = NULL;
        size_t n = 0;

        if (collect(&lines, &n, "throttleReadBpsDevice", b->throttle_read_bps_device,
                    b->throttle_read_bps_device_len, 0, err) < 0 ||
            collect(&lines, &n, "throttleWriteBpsDevice", b->throttle_write_bps_device,
                    b->throttle_write_bps_device_len, 1, err) < 0 ||
            collect(&lines, &n, "throttleReadIOPSDevice", b->throttle_read_iops_device,
                    b->throttle_read_iops_device_len, 2, err) < 0 ||
            collect(&lines, &n, "throttleWriteIOPSDevice", b->throttle_write_iops_device,
                    b->throttle_write_iops_device_len, 3, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *line = cg_io_max_line(lines[i].major, lines[i].minor, lines[i].keys);
                _cleanup_free_ char *field = xasprintf(F "throttle*Device (device %" PRId64 ":%" PRId64 ")",
                                                       lines[i].major, lines[i].minor);
                cg_plan_add(p, field, "io.max", "%s", line);
        }
        return 0;
}

int cg_plan_io(struct cg_plan *p, const struct oci_block_io *b, int dirfd, struct kago_err *err)
{
        if (b->leaf_weight.set)
                log_warning(F "leafWeight: no cgroup v2 equivalent, ignored");
        if (plan_weights(p, b, dirfd, err) < 0)
                return -1;
        return plan_max(p, b, err);
}
