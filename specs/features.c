/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The features document (`kago features`): what this kago supports now.
 * It is built from the tables below; when a part of kago lands (seccomp,
 * cgroups, an LSM, idmapped mounts...), switch its line in `kago_supports`
 * on, or add its annotation to `kago_annotations`: nothing else changes.
 */
#include "desc.h"

/* ---- what kago supports ----------------------------------------------- */

static const struct {
        bool namespaces;   /* every namespace type of the spec is parsed */
        bool hooks;        /* every hook kind of the spec is parsed */
        bool mount_options;
        bool capabilities; /* the capability sets are applied */
        bool cgroup_v1, cgroup_v2, cgroup_systemd, cgroup_systemd_user, cgroup_rdma;
        bool seccomp, apparmor, selinux, intel_rdt, idmap, net_devices;
} kago_supports = {
        .namespaces = true,
        .hooks = true,
        .mount_options = true,
        .capabilities = true,   /* runtime/process/capabilities.c */
        .cgroup_v1 = true,      /* cgroups/v1_*.c: v1 and hybrid hosts */
        .cgroup_v2 = true,      /* cgroups/ */
        .cgroup_systemd = true, /* cgroups/systemd.c: a transient scope through systemd */
        .cgroup_rdma = true,    /* cgroups/: rdma.max */
        .seccomp = true,        /* runtime/process/seccomp.c; archs and flags refined by the runtime */
        .idmap = true,          /* runtime/rootfs/userns.c */
        .net_devices = true,    /* runtime/container/net_devices.c, netns/ */
};

/* Annotations kago reads from config.json that change what it does; they
 * are listed as potentiallyUnsafeConfigAnnotations, so engines can filter
 * them from untrusted users. A name ending in '.' stands for every
 * annotation with that prefix. */
static const char *const kago_annotations[] = {
        "run.oci.handler", /* "microvm": run the bundle in kago's microVM */
        "kago.vm.",        /* the microVM's size, boot timeout, serial console... */
        "kago.net",        /* a link of kago's own: veth, bridge:BR, ovs:BR */
        "kago.net.",       /* its addresses, gateways, MAC, MTU, bandwidth, OVS database */
        "kago.machined",   /* "true": register with systemd-machined */
};

/* ---- the document's tables ------------------------------------------- */

static const struct desc_field cgroup_fields[] = {
        F_OPT_BOOL(struct oci_features_linux, "v1", cgroup_v1),
        F_OPT_BOOL(struct oci_features_linux, "v2", cgroup_v2),
        F_OPT_BOOL(struct oci_features_linux, "systemd", cgroup_systemd),
        F_OPT_BOOL(struct oci_features_linux, "systemdUser", cgroup_systemd_user),
        F_OPT_BOOL(struct oci_features_linux, "rdma", cgroup_rdma),
};
static DESC_TYPE(desc_f_cgroup, struct oci_features_linux, cgroup_fields, NULL);

static const struct desc_field seccomp_fields[] = {
        F_OPT_BOOL(struct oci_features_linux, "enabled", seccomp_enabled),
        F_STRV_FL(struct oci_features_linux, "actions", seccomp_actions, oci_seccomp_action_names, 0),
        F_STRV_FL(struct oci_features_linux, "operators", seccomp_operators, oci_seccomp_op_names, 0),
        F_STRV_FL(struct oci_features_linux, "archs", seccomp_archs, oci_seccomp_arch_names, 0),
        F_STRV_FL(struct oci_features_linux, "knownFlags", seccomp_known_flags,
                  oci_seccomp_flag_names, 0),
        F_STRV_FL(struct oci_features_linux, "supportedFlags", seccomp_supported_flags,
                  oci_seccomp_flag_names, 0),
};
static DESC_TYPE(desc_f_seccomp, struct oci_features_linux, seccomp_fields, NULL);

#define ENABLED_TYPE(var, member)                                                                  \
        static const struct desc_field var##_fields[] = {                                          \
                F_OPT_BOOL(struct oci_features_linux, "enabled", member),                          \
        };                                                                                         \
        static DESC_TYPE(var, struct oci_features_linux, var##_fields, NULL)

ENABLED_TYPE(desc_f_apparmor, apparmor_enabled);
ENABLED_TYPE(desc_f_selinux, selinux_enabled);
ENABLED_TYPE(desc_f_intel_rdt, intel_rdt_enabled);
ENABLED_TYPE(desc_f_idmap, idmap_enabled);
ENABLED_TYPE(desc_f_net_devices, net_devices_enabled);

static const struct desc_field mount_extensions_fields[] = {
        F_INLINE("idmap", desc_f_idmap),
};
static DESC_TYPE(desc_f_mount_extensions, struct oci_features_linux, mount_extensions_fields, NULL);

static const struct desc_field features_linux_fields[] = {
        F_STRV_FL(struct oci_features_linux, "namespaces", namespaces, oci_ns_type_names, 0),
        F_STRV(struct oci_features_linux, "capabilities", capabilities),
        F_INLINE("cgroup", desc_f_cgroup),
        F_INLINE("seccomp", desc_f_seccomp),
        F_INLINE("apparmor", desc_f_apparmor),
        F_INLINE("selinux", desc_f_selinux),
        F_INLINE("intelRdt", desc_f_intel_rdt),
        F_INLINE("mountExtensions", desc_f_mount_extensions),
        F_INLINE("netDevices", desc_f_net_devices),
};
static DESC_TYPE(desc_features_linux, struct oci_features_linux, features_linux_fields, NULL);

static const struct desc_field features_fields[] = {
        F_STR_REQ(struct oci_features, "ociVersionMin", oci_version_min),
        F_STR_REQ(struct oci_features, "ociVersionMax", oci_version_max),
        F_STRV(struct oci_features, "hooks", hooks),
        F_STRV(struct oci_features, "mountOptions", mount_options),
        F_KV(struct oci_features, "annotations", annotations),
        F_STRV(struct oci_features, "potentiallyUnsafeConfigAnnotations",
               potentially_unsafe_config_annotations),
        F_OBJ(struct oci_features, "linux", linux_cfg, desc_features_linux, 0),
};
DESC_TYPE(desc_features, struct oci_features, features_fields, NULL);

/* ---- building it ----------------------------------------------------- */

static char **strv_copy(const char *const *names, size_t n, size_t *len)
{
        char **v = xcalloc(n + 1, sizeof *v);

        for (size_t i = 0; i < n; i++)
                v[i] = xstrdup(names[i]);
        *len = n;
        return v;
}

static char **strv_from_names(const char *const *names, size_t *len)
{
        return strv_copy(names, desc_names_count(names), len);
}

static char **strv_from_mount_options(size_t *len)
{
        char **v = xcalloc(spec_mount_options_len + 1, sizeof *v);

        for (size_t i = 0; i < spec_mount_options_len; i++)
                v[i] = xstrdup(spec_mount_options[i].name);
        *len = spec_mount_options_len;
        return v;
}

static void features_fill_seccomp(struct oci_features_linux *l)
{
        l->seccomp_enabled = (struct oci_opt_bool){ true, kago_supports.seccomp };
        if (!kago_supports.seccomp)
                return;
        l->seccomp_actions = strv_from_names(oci_seccomp_action_names, &l->seccomp_actions_len);
        l->seccomp_operators = strv_from_names(oci_seccomp_op_names, &l->seccomp_operators_len);
        l->seccomp_archs = strv_from_names(oci_seccomp_arch_names, &l->seccomp_archs_len);
        l->seccomp_known_flags = strv_from_names(oci_seccomp_flag_names,
                                                 &l->seccomp_known_flags_len);
}

static struct oci_features_linux *features_new_linux(void)
{
        struct oci_features_linux *l = xcalloc(1, sizeof *l);

        if (kago_supports.namespaces)
                l->namespaces = strv_from_names(oci_ns_type_names, &l->namespaces_len);
        if (kago_supports.capabilities)
                l->capabilities = strv_from_names(oci_capability_names, &l->capabilities_len);
        l->cgroup_v1 = (struct oci_opt_bool){ true, kago_supports.cgroup_v1 };
        l->cgroup_v2 = (struct oci_opt_bool){ true, kago_supports.cgroup_v2 };
        l->cgroup_systemd = (struct oci_opt_bool){ true, kago_supports.cgroup_systemd };
        l->cgroup_systemd_user = (struct oci_opt_bool){ true, kago_supports.cgroup_systemd_user };
        l->cgroup_rdma = (struct oci_opt_bool){ true, kago_supports.cgroup_rdma };
        features_fill_seccomp(l);
        l->apparmor_enabled = (struct oci_opt_bool){ true, kago_supports.apparmor };
        l->selinux_enabled = (struct oci_opt_bool){ true, kago_supports.selinux };
        l->intel_rdt_enabled = (struct oci_opt_bool){ true, kago_supports.intel_rdt };
        l->idmap_enabled = (struct oci_opt_bool){ true, kago_supports.idmap };
        l->net_devices_enabled = (struct oci_opt_bool){ true, kago_supports.net_devices };
        return l;
}

static struct oci_kv *features_annotations(size_t *len)
{
        struct oci_kv *kv = xcalloc(2, sizeof *kv);

        kv[0] = (struct oci_kv){ xstrdup("kago.version"), xstrdup(KAGO_VERSION) };
        kv[1] = (struct oci_kv){ xstrdup("kago.commit"), xstrdup(KAGO_COMMIT) };
        *len = 2;
        return kv;
}

void features_add_annotation(struct oci_features *f, const char *key, const char *value)
{
        f->annotations = xrealloc(f->annotations, (f->annotations_len + 1) * sizeof *f->annotations);
        f->annotations[f->annotations_len++] = (struct oci_kv){ xstrdup(key), xstrdup(value) };
}

struct oci_features *features_new(void)
{
        struct oci_features *f = xcalloc(1, sizeof *f);

        f->oci_version_min = xstrdup(SPEC_OCI_VERSION_MIN);
        f->oci_version_max = xstrdup(SPEC_OCI_VERSION_MAX);
        if (kago_supports.hooks)
                f->hooks = strv_from_names(oci_hook_kind_names, &f->hooks_len);
        if (kago_supports.mount_options)
                f->mount_options = strv_from_mount_options(&f->mount_options_len);
        f->annotations = features_annotations(&f->annotations_len);
        f->potentially_unsafe_config_annotations =
                strv_copy(kago_annotations, ARRAY_SIZE(kago_annotations),
                          &f->potentially_unsafe_config_annotations_len);
        f->linux_cfg = features_new_linux();
        return f;
}

char *features_emit_struct(const struct oci_features *features)
{
        return desc_emit(&desc_features, features);
}

char *features_emit(void)
{
        struct oci_features *f = features_new();
        char *out = features_emit_struct(f);

        features_free(f);
        return out;
}

int features_parse(const char *buf, size_t len, const char *filename, struct oci_features **out,
                   struct kago_err *err)
{
        return desc_parse(&desc_features, buf, len, filename, (void **)out, err);
}

void features_free(struct oci_features *features)
{
        desc_free(&desc_features, features);
}

bool features_equal(const struct oci_features *a, const struct oci_features *b)
{
        return desc_equal(&desc_features, a, b);
}
