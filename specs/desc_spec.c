/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tables for the top level of config.json: root, mounts, hooks, annotations. */
#include <string.h>

#include "desc.h"

static const struct desc_field id_mapping_fields[] = {
        F_INT(struct oci_id_mapping, "containerID", container_id, DN_U32, DF_REQUIRED),
        F_INT(struct oci_id_mapping, "hostID", host_id, DN_U32, DF_REQUIRED),
        F_INT(struct oci_id_mapping, "size", size, DN_U32, DF_REQUIRED),
};
DESC_TYPE(desc_id_mapping, struct oci_id_mapping, id_mapping_fields, NULL);

static const struct desc_field root_fields[] = {
        F_STR_REQ(struct oci_root, "path", path),
        F_BOOL(struct oci_root, "readonly", readonly),
};

static int root_check(const void *obj, struct json_path *path, struct kago_err *err)
{
        const struct oci_root *root = obj;

        if (root->path[0] == '\0') {
                json_path_push_key(path, "path");
                return json_path_error(err, path, "must not be empty");
        }
        return 0;
}
static DESC_TYPE(desc_root, struct oci_root, root_fields, root_check);

static const struct desc_field mount_fields[] = {
        F_STR_REQ(struct oci_mount, "destination", destination),
        F_STR(struct oci_mount, "type", type),
        F_STR(struct oci_mount, "source", source),
        F_STRV(struct oci_mount, "options", options),
        F_ARRAY(struct oci_mount, "uidMappings", uid_mappings, desc_id_mapping, 0),
        F_ARRAY(struct oci_mount, "gidMappings", gid_mappings, desc_id_mapping, 0),
};

static int mount_check(const void *obj, struct json_path *path, struct kago_err *err)
{
        const struct oci_mount *m = obj;

        if (m->destination[0] == '\0') {
                json_path_push_key(path, "destination");
                return json_path_error(err, path, "must not be empty");
        }
        if (!m->uid_mappings != !m->gid_mappings)
                return json_path_error(err, path, "uidMappings and gidMappings must be given together");
        return 0;
}
DESC_TYPE(desc_mount, struct oci_mount, mount_fields, mount_check);

static const struct desc_field hook_fields[] = {
        F_STR_REQ(struct oci_hook, "path", path),
        F_STRV(struct oci_hook, "args", args),
        F_STRV(struct oci_hook, "env", env),
        F_OPT_INT_RANGE(struct oci_hook, "timeout", timeout, DN_I64, 1, INT64_MAX),
};

static int hook_check(const void *obj, struct json_path *path, struct kago_err *err)
{
        const struct oci_hook *h = obj;

        if (h->path[0] != '/') {
                json_path_push_key(path, "path");
                return json_path_error(err, path, "\"%.64s\" is not an absolute path", h->path);
        }
        return 0;
}
static DESC_TYPE(desc_hook, struct oci_hook, hook_fields, hook_check);

#define HOOK_FIELD(KIND, NAME)                                                                     \
        { .name = NAME, .kind = DK_ARRAY, .off = offsetof(struct oci_hooks, list[KIND]),           \
          .len_off = offsetof(struct oci_hooks, len[KIND]), .sub = &desc_hook }

static const struct desc_field hooks_fields[] = {
        HOOK_FIELD(OCI_HOOK_PRESTART, "prestart"),
        HOOK_FIELD(OCI_HOOK_CREATE_RUNTIME, "createRuntime"),
        HOOK_FIELD(OCI_HOOK_CREATE_CONTAINER, "createContainer"),
        HOOK_FIELD(OCI_HOOK_START_CONTAINER, "startContainer"),
        HOOK_FIELD(OCI_HOOK_POSTSTART, "poststart"),
        HOOK_FIELD(OCI_HOOK_POSTSTOP, "poststop"),
};
DESC_TYPE(desc_hooks, struct oci_hooks, hooks_fields, NULL);

static const struct desc_field spec_fields[] = {
        F_STR_REQ(struct oci_spec, "ociVersion", oci_version),
        F_OBJ(struct oci_spec, "process", process, desc_process, 0),
        F_OBJ(struct oci_spec, "root", root, desc_root, 0),
        F_STR(struct oci_spec, "hostname", hostname),
        F_STR(struct oci_spec, "domainname", domainname),
        F_ARRAY(struct oci_spec, "mounts", mounts, desc_mount, 0),
        F_OBJ(struct oci_spec, "hooks", hooks, desc_hooks, 0),
        F_KV(struct oci_spec, "annotations", annotations),
        F_OBJ(struct oci_spec, "linux", linux_cfg, desc_linux, 0),
        F_OBJ(struct oci_spec, "vm", vm, desc_vm, 0),
};

/* One decimal component of a version; advances *p; -1 when there is none. */
static long version_component(const char **p)
{
        long v = 0;
        const char *s = *p;

        if (*s < '0' || *s > '9')
                return -1;
        while (*s >= '0' && *s <= '9' && v < 100000)
                v = v * 10 + (*s++ - '0');
        *p = s;
        return v;
}

/* 1.0.0 through 1.3.x, with any pre-release or build suffix ("1.0.2-dev"). */
static bool oci_version_supported(const char *v)
{
        long major = version_component(&v);
        if (major != 1 || *v++ != '.')
                return false;
        long minor = version_component(&v);
        if (minor < 0 || minor > 3 || *v++ != '.')
                return false;
        if (version_component(&v) < 0)
                return false;
        return *v == '\0' || *v == '-' || *v == '+';
}

static int spec_check(const void *obj, struct json_path *path, struct kago_err *err)
{
        const struct oci_spec *spec = obj;

        if (!oci_version_supported(spec->oci_version)) {
                json_path_push_key(path, "ociVersion");
                return json_path_error(err, path,
                                       "unsupported version \"%.64s\" (kago supports " SPEC_OCI_VERSION_MIN
                                       " through 1.3.x)",
                                       spec->oci_version);
        }
        return 0;
}
DESC_TYPE(desc_spec, struct oci_spec, spec_fields, spec_check);
