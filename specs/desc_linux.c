/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tables for the linux object (resources and seccomp have their own files). */
#include <string.h>
#include <sys/stat.h>

#include "desc.h"

static const struct desc_field namespace_fields[] = {
        F_ENUM(struct oci_namespace, "type", type, oci_ns_type_names, DF_REQUIRED),
        F_STR(struct oci_namespace, "path", path),
};
static DESC_TYPE(desc_namespace, struct oci_namespace, namespace_fields, NULL);

static const struct desc_field time_offset_fields[] = {
        F_INT(struct oci_time_offset, "secs", secs, DN_I64, 0),
        F_INT_RANGE(struct oci_time_offset, "nanosecs", nanosecs, DN_U32, 0, 0, 999999999),
};
static const struct desc_type desc_time_offset = {
        "struct oci_time_offset", sizeof(struct oci_time_offset), time_offset_fields,
        ARRAY_SIZE(time_offset_fields), offsetof(struct oci_time_offset, set), NULL,
};

static const struct desc_field time_offsets_fields[] = {
        F_EMBED(struct oci_time_offsets, "boottime", boottime, desc_time_offset),
        F_EMBED(struct oci_time_offsets, "monotonic", monotonic, desc_time_offset),
};
static DESC_TYPE(desc_time_offsets, struct oci_time_offsets, time_offsets_fields, NULL);

static const struct desc_field device_fields[] = {
        F_STR_ONE_OF(struct oci_device, "type", type, oci_device_type_names, DF_REQUIRED),
        F_STR_REQ(struct oci_device, "path", path),
        F_OPT_INT(struct oci_device, "major", major, DN_I64),
        F_OPT_INT(struct oci_device, "minor", minor, DN_I64),
        /* Engines (podman, runc's specconv) send the file-type bits too:
         * 8630 = 0o20666 = S_IFCHR | 0666. */
        F_OPT_INT_RANGE(struct oci_device, "fileMode", file_mode, DN_U32, 0, 0177777),
        F_OPT_INT(struct oci_device, "uid", uid, DN_U32),
        F_OPT_INT(struct oci_device, "gid", gid, DN_U32),
};

/* The S_IFMT bits a node of this OCI type has ("u" is a character device). */
static mode_t device_type_bits(const char *type)
{
        switch (type[0]) {
        case 'b': return S_IFBLK;
        case 'p': return S_IFIFO;
        default: return S_IFCHR;
        }
}

static const char *file_type_name(mode_t fmt)
{
        switch (fmt) {
        case S_IFCHR: return "a character device";
        case S_IFBLK: return "a block device";
        case S_IFIFO: return "a FIFO";
        case S_IFDIR: return "a directory";
        case S_IFREG: return "a regular file";
        case S_IFLNK: return "a symbolic link";
        case S_IFSOCK: return "a socket";
        default: return "no file type";
        }
}

/* fileMode: permission bits (07777), optionally with the file-type bits of
 * the device's own type; other type bits contradict "type". */
static int device_mode_check(const struct oci_device *d, struct json_path *path, struct kago_err *err)
{
        mode_t fmt = d->file_mode.value & S_IFMT;

        if (!d->file_mode.set || fmt == 0 || fmt == device_type_bits(d->type))
                return 0;
        json_path_push_key(path, "fileMode");
        return json_path_error(err, path, "%u (0%o) has the file-type bits of %s, but type is \"%s\" "
                                          "(give the permission bits alone, e.g. 0666 = 438)",
                               d->file_mode.value, d->file_mode.value, file_type_name(fmt), d->type);
}

static int device_check(const void *obj, struct json_path *path, struct kago_err *err)
{
        const struct oci_device *d = obj;

        if (d->path[0] != '/') {
                json_path_push_key(path, "path");
                return json_path_error(err, path, "\"%.64s\" is not an absolute path", d->path);
        }
        if (strcmp(d->type, "p") != 0 && (!d->major.set || !d->minor.set))
                return json_path_error(err, path, "major and minor are required for a device of type \"%s\"",
                                       d->type);
        return device_mode_check(d, path, err);
}
static DESC_TYPE(desc_device, struct oci_device, device_fields, device_check);

/* The first member, host_name, is the map key. */
static const struct desc_field net_device_fields[] = {
        F_STR(struct oci_net_device, "name", name),
};
static DESC_TYPE(desc_net_device, struct oci_net_device, net_device_fields, NULL);

static const struct desc_field intel_rdt_fields[] = {
        F_STR(struct oci_intel_rdt, "closID", clos_id),
        F_STRV(struct oci_intel_rdt, "schemata", schemata),
        F_STR(struct oci_intel_rdt, "l3CacheSchema", l3_cache_schema),
        F_STR(struct oci_intel_rdt, "memBwSchema", mem_bw_schema),
        F_OPT_BOOL(struct oci_intel_rdt, "enableMonitoring", enable_monitoring),
};

static int intel_rdt_check(const void *obj, struct json_path *path, struct kago_err *err)
{
        const struct oci_intel_rdt *r = obj;

        if (r->mem_bw_schema && (strncmp(r->mem_bw_schema, "MB:", 3) != 0 ||
                                 strchr(r->mem_bw_schema, '\n'))) {
                json_path_push_key(path, "memBwSchema");
                return json_path_error(err, path, "must be one line starting with \"MB:\"");
        }
        return 0;
}
static DESC_TYPE(desc_intel_rdt, struct oci_intel_rdt, intel_rdt_fields, intel_rdt_check);

static const struct desc_field personality_fields[] = {
        F_STR_ONE_OF(struct oci_personality, "domain", domain, oci_personality_domain_names, 0),
        F_STRV(struct oci_personality, "flags", flags),
};
static DESC_TYPE(desc_personality, struct oci_personality, personality_fields, NULL);

static const struct desc_field memory_policy_fields[] = {
        F_STR_ONE_OF(struct oci_memory_policy, "mode", mode, oci_mpol_mode_names, 0),
        F_STR(struct oci_memory_policy, "nodes", nodes),
        F_STRV_FL(struct oci_memory_policy, "flags", flags, oci_mpol_flag_names, 0),
};
static DESC_TYPE(desc_memory_policy, struct oci_memory_policy, memory_policy_fields, NULL);

static const struct desc_field linux_fields[] = {
        F_ARRAY(struct oci_linux, "namespaces", namespaces, desc_namespace, 0),
        F_ARRAY(struct oci_linux, "uidMappings", uid_mappings, desc_id_mapping, 0),
        F_ARRAY(struct oci_linux, "gidMappings", gid_mappings, desc_id_mapping, 0),
        F_OBJ(struct oci_linux, "timeOffsets", time_offsets, desc_time_offsets, 0),
        F_ARRAY(struct oci_linux, "devices", devices, desc_device, 0),
        F_MAP(struct oci_linux, "netDevices", net_devices, desc_net_device),
        F_STR(struct oci_linux, "cgroupsPath", cgroups_path),
        F_OBJ(struct oci_linux, "resources", resources, desc_resources, 0),
        F_OBJ(struct oci_linux, "intelRdt", intel_rdt, desc_intel_rdt, 0),
        F_KV(struct oci_linux, "sysctl", sysctl),
        F_OBJ(struct oci_linux, "seccomp", seccomp, desc_seccomp, 0),
        F_STR_ONE_OF(struct oci_linux, "rootfsPropagation", rootfs_propagation,
                     oci_rootfs_propagation_names, 0),
        F_STRV(struct oci_linux, "maskedPaths", masked_paths),
        F_STRV(struct oci_linux, "readonlyPaths", readonly_paths),
        F_STR(struct oci_linux, "mountLabel", mount_label),
        F_OBJ(struct oci_linux, "personality", personality, desc_personality, 0),
        F_OBJ(struct oci_linux, "memoryPolicy", memory_policy, desc_memory_policy, 0),
};

/* Each namespace type at most once: two entries would ask for two
 * different namespaces of one kind. */
static int linux_check(const void *obj, struct json_path *path, struct kago_err *err)
{
        const struct oci_linux *l = obj;
        unsigned seen = 0;

        for (size_t i = 0; i < l->namespaces_len; i++) {
                unsigned bit = 1u << l->namespaces[i].type;
                if (seen & bit) {
                        json_path_push_key(path, "namespaces");
                        json_path_push_index(path, i);
                        return json_path_error(err, path, "duplicate namespace type \"%s\"",
                                               oci_ns_type_name(l->namespaces[i].type));
                }
                seen |= bit;
        }
        return 0;
}
DESC_TYPE(desc_linux, struct oci_linux, linux_fields, linux_check);
