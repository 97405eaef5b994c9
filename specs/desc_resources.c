/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tables for linux.resources (also the document of `kago update --resources`). */
#include <string.h>

#include "desc.h"

static const struct desc_field device_cgroup_fields[] = {
        F_BOOL_REQ(struct oci_device_cgroup, "allow", allow),
        F_STR(struct oci_device_cgroup, "type", type),
        F_OPT_INT_RANGE(struct oci_device_cgroup, "major", major, DN_I64, -1, INT64_MAX),
        F_OPT_INT_RANGE(struct oci_device_cgroup, "minor", minor, DN_I64, -1, INT64_MAX),
        F_STR(struct oci_device_cgroup, "access", access),
};

static int device_cgroup_check(const void *obj, struct json_path *path, struct kago_err *err)
{
        const struct oci_device_cgroup *d = obj;

        if (d->type && strcmp(d->type, "a") != 0 && strcmp(d->type, "b") != 0 &&
            strcmp(d->type, "c") != 0) {
                json_path_push_key(path, "type");
                return json_path_error(err, path, "unknown device type \"%.16s\" (expected a, b or c)",
                                       d->type);
        }
        if (d->access && d->access[strspn(d->access, "rwm")] != '\0') {
                json_path_push_key(path, "access");
                return json_path_error(err, path, "\"%.16s\" is not a combination of r, w and m",
                                       d->access);
        }
        return 0;
}
static DESC_TYPE(desc_device_cgroup, struct oci_device_cgroup, device_cgroup_fields,
                 device_cgroup_check);

/* Byte counts where the spec allows -1 for "unlimited" and nothing else below 0. */
#define F_BYTES(S, J, M) F_OPT_INT_RANGE(S, J, M, DN_I64, -1, INT64_MAX)

static const struct desc_field memory_fields[] = {
        F_BYTES(struct oci_memory, "limit", limit),
        F_BYTES(struct oci_memory, "reservation", reservation),
        F_BYTES(struct oci_memory, "swap", swap),
        F_BYTES(struct oci_memory, "kernel", kernel),
        F_BYTES(struct oci_memory, "kernelTCP", kernel_tcp),
        F_OPT_INT_RANGE(struct oci_memory, "swappiness", swappiness, DN_U64, 0, 100),
        F_OPT_BOOL(struct oci_memory, "disableOOMKiller", disable_oom_killer),
        F_OPT_BOOL(struct oci_memory, "useHierarchy", use_hierarchy),
        F_OPT_BOOL(struct oci_memory, "checkBeforeUpdate", check_before_update),
};
static DESC_TYPE(desc_memory, struct oci_memory, memory_fields, NULL);

static const struct desc_field cpu_fields[] = {
        F_OPT_INT(struct oci_cpu, "shares", shares, DN_U64),
        F_OPT_INT_RANGE(struct oci_cpu, "quota", quota, DN_I64, -1, INT64_MAX),
        F_OPT_INT(struct oci_cpu, "burst", burst, DN_U64),
        F_OPT_INT(struct oci_cpu, "period", period, DN_U64),
        F_OPT_INT_RANGE(struct oci_cpu, "realtimeRuntime", realtime_runtime, DN_I64, -1, INT64_MAX),
        F_OPT_INT(struct oci_cpu, "realtimePeriod", realtime_period, DN_U64),
        F_STR(struct oci_cpu, "cpus", cpus),
        F_STR(struct oci_cpu, "mems", mems),
        F_OPT_INT_RANGE(struct oci_cpu, "idle", idle, DN_I64, 0, 1),
};
static DESC_TYPE(desc_cpu, struct oci_cpu, cpu_fields, NULL);

static const struct desc_field weight_device_fields[] = {
        F_INT(struct oci_blkio_weight_device, "major", major, DN_I64, DF_REQUIRED),
        F_INT(struct oci_blkio_weight_device, "minor", minor, DN_I64, DF_REQUIRED),
        F_OPT_INT(struct oci_blkio_weight_device, "weight", weight, DN_U16),
        F_OPT_INT(struct oci_blkio_weight_device, "leafWeight", leaf_weight, DN_U16),
};
static DESC_TYPE(desc_weight_device, struct oci_blkio_weight_device, weight_device_fields, NULL);

static const struct desc_field throttle_device_fields[] = {
        F_INT(struct oci_blkio_throttle_device, "major", major, DN_I64, DF_REQUIRED),
        F_INT(struct oci_blkio_throttle_device, "minor", minor, DN_I64, DF_REQUIRED),
        F_INT(struct oci_blkio_throttle_device, "rate", rate, DN_U64, 0),
};
static DESC_TYPE(desc_throttle_device, struct oci_blkio_throttle_device, throttle_device_fields,
                 NULL);

static const struct desc_field block_io_fields[] = {
        F_OPT_INT(struct oci_block_io, "weight", weight, DN_U16),
        F_OPT_INT(struct oci_block_io, "leafWeight", leaf_weight, DN_U16),
        F_ARRAY(struct oci_block_io, "weightDevice", weight_device, desc_weight_device, 0),
        F_ARRAY(struct oci_block_io, "throttleReadBpsDevice", throttle_read_bps_device,
                desc_throttle_device, 0),
        F_ARRAY(struct oci_block_io, "throttleWriteBpsDevice", throttle_write_bps_device,
                desc_throttle_device, 0),
        F_ARRAY(struct oci_block_io, "throttleReadIOPSDevice", throttle_read_iops_device,
                desc_throttle_device, 0),
        F_ARRAY(struct oci_block_io, "throttleWriteIOPSDevice", throttle_write_iops_device,
                desc_throttle_device, 0),
};
static DESC_TYPE(desc_block_io, struct oci_block_io, block_io_fields, NULL);

static const struct desc_field hugepage_limit_fields[] = {
        F_STR_REQ(struct oci_hugepage_limit, "pageSize", page_size),
        F_INT(struct oci_hugepage_limit, "limit", limit, DN_U64, DF_REQUIRED),
};

/* "^[1-9][0-9]*[KMG]B$", as the schema says. */
static int hugepage_limit_check(const void *obj, struct json_path *path, struct kago_err *err)
{
        const char *s = ((const struct oci_hugepage_limit *)obj)->page_size;
        size_t digits = strspn(s, "0123456789");

        if (s[0] < '1' || s[0] > '9' || !strchr("KMG", s[digits]) || s[digits] == '\0' ||
            strcmp(s + digits + 1, "B") != 0) {
                json_path_push_key(path, "pageSize");
                return json_path_error(err, path, "\"%.32s\" is not a page size such as \"2MB\"", s);
        }
        return 0;
}
static DESC_TYPE(desc_hugepage_limit, struct oci_hugepage_limit, hugepage_limit_fields,
                 hugepage_limit_check);

static const struct desc_field net_priority_fields[] = {
        F_STR_REQ(struct oci_net_priority, "name", name),
        F_INT(struct oci_net_priority, "priority", priority, DN_U32, DF_REQUIRED),
};
static DESC_TYPE(desc_net_priority, struct oci_net_priority, net_priority_fields, NULL);

static const struct desc_field network_fields[] = {
        F_OPT_INT(struct oci_network, "classID", class_id, DN_U32),
        F_ARRAY(struct oci_network, "priorities", priorities, desc_net_priority, 0),
};
static DESC_TYPE(desc_network, struct oci_network, network_fields, NULL);

static const struct desc_field pids_fields[] = {
        F_INT_RANGE(struct oci_pids, "limit", limit, DN_I64, DF_REQUIRED, -1, INT64_MAX),
};
static DESC_TYPE(desc_pids, struct oci_pids, pids_fields, NULL);

/* The first member, device, is the map key. */
static const struct desc_field rdma_fields[] = {
        F_OPT_INT(struct oci_rdma, "hcaHandles", hca_handles, DN_U32),
        F_OPT_INT(struct oci_rdma, "hcaObjects", hca_objects, DN_U32),
};
static DESC_TYPE(desc_rdma, struct oci_rdma, rdma_fields, NULL);

static const struct desc_field resources_fields[] = {
        F_ARRAY(struct oci_linux_resources, "devices", devices, desc_device_cgroup, 0),
        F_OBJ(struct oci_linux_resources, "memory", memory, desc_memory, 0),
        F_OBJ(struct oci_linux_resources, "cpu", cpu, desc_cpu, 0),
        F_OBJ(struct oci_linux_resources, "blockIO", block_io, desc_block_io, 0),
        F_ARRAY(struct oci_linux_resources, "hugepageLimits", hugepage_limits, desc_hugepage_limit, 0),
        F_OBJ(struct oci_linux_resources, "network", network, desc_network, 0),
        F_OBJ(struct oci_linux_resources, "pids", pids, desc_pids, 0),
        F_MAP(struct oci_linux_resources, "rdma", rdma, desc_rdma),
        F_KV(struct oci_linux_resources, "unified", unified),
};
DESC_TYPE(desc_resources, struct oci_linux_resources, resources_fields, NULL);
