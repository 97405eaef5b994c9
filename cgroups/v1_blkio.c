/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.resources.blockIO on a cgroup v1 blkio hierarchy: weight ->
 * blkio.weight, leafWeight -> blkio.leaf_weight, weightDevice ->
 * blkio.weight_device / blkio.leaf_weight_device ("MAJ:MIN W"), and the four
 * throttle lists -> blkio.throttle.{read,write}_{bps,iops}_device ("MAJ:MIN
 * RATE", 0 lifts the limit), one write per device.
 */
#include <inttypes.h>

#include "../specs/specs.h"
#include "internal.h"

#define F "linux.resources.blockIO."

static int check_dev(const char *list, size_t i, int64_t major, int64_t minor, struct kago_err *err)
{
        if (major < 0 || minor < 0 || major > UINT32_MAX || minor > UINT32_MAX)
                return kago_err_set(err, F "%s[%zu]: device %" PRId64 ":%" PRId64 " out of range",
                                    list, i, major, minor);
        return 0;
}

static int plan_weight_devices(struct cg_plan *p, const struct oci_block_io *b, struct kago_err *err)
{
        for (size_t i = 0; i < b->weight_device_len; i++) {
                const struct oci_blkio_weight_device *d = &b->weight_device[i];
                if (check_dev("weightDevice", i, d->major, d->minor, err) < 0)
                        return -1;
                _cleanup_free_ char *field = xasprintf(F "weightDevice[%zu]", i);
                if (d->weight.set)
                        cg_plan_add(p, field, "blkio.weight_device", "%" PRId64 ":%" PRId64 " %u", d->major,
                                    d->minor, (unsigned)d->weight.value);
                if (d->leaf_weight.set)
                        cg_plan_add(p, field, "blkio.leaf_weight_device", "%" PRId64 ":%" PRId64 " %u",
                                    d->major, d->minor, (unsigned)d->leaf_weight.value);
        }
        return 0;
}

static int plan_throttle(struct cg_plan *p, const char *list, const char *file,
                         const struct oci_blkio_throttle_device *d, size_t n, struct kago_err *err)
{
        for (size_t i = 0; i < n; i++) {
                if (check_dev(list, i, d[i].major, d[i].minor, err) < 0)
                        return -1;
                _cleanup_free_ char *field = xasprintf(F "%s[%zu]", list, i);
                cg_plan_add(p, field, file, "%" PRId64 ":%" PRId64 " %" PRIu64, d[i].major, d[i].minor,
                            d[i].rate);
        }
        return 0;
}

int cg_plan_v1_blkio(struct cg_plan *p, const struct oci_block_io *b, struct kago_err *err)
{
        if (b->weight.set && b->weight.value)
                cg_plan_add(p, F "weight", "blkio.weight", "%u", (unsigned)b->weight.value);
        if (b->leaf_weight.set && b->leaf_weight.value)
                cg_plan_add(p, F "leafWeight", "blkio.leaf_weight", "%u", (unsigned)b->leaf_weight.value);
        if (plan_weight_devices(p, b, err) < 0)
                return -1;
        if (plan_throttle(p, "throttleReadBpsDevice", "blkio.throttle.read_bps_device",
                          b->throttle_read_bps_device, b->throttle_read_bps_device_len, err) < 0 ||
            plan_throttle(p, "throttleWriteBpsDevice", "blkio.throttle.write_bps_device",
                          b->throttle_write_bps_device, b->throttle_write_bps_device_len, err) < 0 ||
            plan_throttle(p, "throttleReadIOPSDevice", "blkio.throttle.read_iops_device",
                          b->throttle_read_iops_device, b->throttle_read_iops_device_len, err) < 0 ||
            plan_throttle(p, "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device",
                          b->throttle_write_iops_device, b->throttle_write_iops_device_len, err) < 0)
                return -1;
        return 0;
}
