/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves what the emitters write: the default config (rootful and rootless),
 * the state document, the features document, and the mount-option table. */
#include <sys/mount.h>

#include "specs_test.h"

static bool has_ns(const struct oci_spec *s, enum oci_ns_type t)
{
        return spec_namespace(s, t) != NULL;
}

UNIT_TEST(default_config_is_what_runc_writes)
{
        struct oci_spec *s = spec_new_default(false, 1000, 1000);

        CHECK_STR(s->oci_version, SPEC_OCI_VERSION);
        CHECK(s->process->terminal && s->process->no_new_privileges);
        CHECK_STR(s->process->args[0], "sh");
        CHECK(s->process->capabilities->bounding_len == 3 && !s->process->capabilities->ambient);
        CHECK_STR(s->root->path, "rootfs");
        CHECK(s->root->readonly && s->mounts_len == 7);
        CHECK_STR(s->mounts[6].destination, "/sys/fs/cgroup");
        CHECK(has_ns(s, OCI_NS_PID) && has_ns(s, OCI_NS_NETWORK) && has_ns(s, OCI_NS_IPC));
        CHECK(has_ns(s, OCI_NS_UTS) && has_ns(s, OCI_NS_MOUNT) && has_ns(s, OCI_NS_CGROUP));
        CHECK(!has_ns(s, OCI_NS_USER) && !has_ns(s, OCI_NS_TIME));
        CHECK(!s->linux_cfg->uid_mappings);
        CHECK(s->linux_cfg->masked_paths_len == 10 && s->linux_cfg->readonly_paths_len == 5);
        CHECK(s->linux_cfg->resources->devices_len == 1 && !s->linux_cfg->resources->devices[0].allow);
        spec_free(s);
}

UNIT_TEST(rootless_default_maps_the_caller)
{
        struct oci_spec *s = spec_new_default(true, 1234, 567);
        const struct oci_linux *l = s->linux_cfg;

        CHECK(has_ns(s, OCI_NS_USER) && !has_ns(s, OCI_NS_NETWORK) && has_ns(s, OCI_NS_MOUNT));
        CHECK(l->uid_mappings_len == 1 && l->uid_mappings[0].host_id == 1234 &&
              l->uid_mappings[0].container_id == 0 && l->uid_mappings[0].size == 1);
        CHECK(l->gid_mappings_len == 1 && l->gid_mappings[0].host_id == 567);
        CHECK(!l->resources);
        for (size_t i = 0; i < s->mounts_len; i++) {
                CHECK(strcmp(s->mounts[i].destination, "/sys/fs/cgroup") != 0);
                for (size_t j = 0; j < s->mounts[i].options_len; j++)
                        CHECK(strcmp(s->mounts[i].options[j], "gid=5") != 0);
        }
        CHECK_STR(s->mounts[s->mounts_len - 1].options[0], "rbind");
        spec_free(s);
}

UNIT_TEST(state_document_fields)
{
        struct oci_state st = { .oci_version = "1.3.0", .id = "c1", .status = "created", .pid = 77,
                                .bundle = "/b", .created = "2026-11-26T15:00:00Z", .owner = "root" };
        _cleanup_free_ char *json = state_emit(&st);

        CHECK_CONTAINS(json, "\"ociVersion\": \"1.3.0\"");
        CHECK_CONTAINS(json, "\"id\": \"c1\"");
        CHECK_CONTAINS(json, "\"status\": \"created\"");
        CHECK_CONTAINS(json, "\"pid\": 77");
        CHECK_CONTAINS(json, "\"bundle\": \"/b\"");
        CHECK_CONTAINS(json, "\"owner\": \"root\"");
        CHECK(strstr(json, "rootfs") == NULL && strstr(json, "annotations") == NULL);
        st.id = "quote\"and\\slash/";
        _cleanup_free_ char *esc = state_emit(&st);
        CHECK_CONTAINS(esc, "\"id\": \"quote\\\"and\\\\slash/\"");
}

UNIT_TEST(features_claim_only_what_kago_does)
{
        struct oci_features *f = features_new();

        CHECK_STR(f->oci_version_min, "1.0.0");
        CHECK_STR(f->oci_version_max, "1.3.0");
        CHECK(f->hooks_len == 6 && f->mount_options_len == spec_mount_options_len);
        CHECK(f->linux_cfg && f->linux_cfg->namespaces_len == 8);
        CHECK(f->linux_cfg->seccomp_enabled.set && f->linux_cfg->seccomp_enabled.value);
        CHECK(f->linux_cfg->seccomp_actions_len == 9 && f->linux_cfg->capabilities_len == 41);
        CHECK(f->linux_cfg->apparmor_enabled.set && !f->linux_cfg->apparmor_enabled.value);
        CHECK(f->linux_cfg->idmap_enabled.set && f->linux_cfg->idmap_enabled.value);
        CHECK(f->linux_cfg->cgroup_v2.set && f->linux_cfg->cgroup_v2.value);
        CHECK(f->linux_cfg->cgroup_v1.set && f->linux_cfg->cgroup_v1.value);
        CHECK(f->linux_cfg->intel_rdt_enabled.set && !f->linux_cfg->intel_rdt_enabled.value);
        CHECK(f->potentially_unsafe_config_annotations_len == 5);
        features_free(f);
        _cleanup_free_ char *json = features_emit();
        CHECK_CONTAINS(json, "\"mountExtensions\": {\n\t\t\t\"idmap\": {\n\t\t\t\t\"enabled\": true");
        CHECK_CONTAINS(json, "\"kago.version\": \"" KAGO_VERSION "\"");
}

UNIT_TEST(values_outside_an_enum_are_not_emitted)
{
        struct oci_spec *s = spec_new_default(false, 0, 0);

        s->linux_cfg->namespaces[0].type = (enum oci_ns_type)99;
        s->linux_cfg->namespaces[1].type = OCI_NS_NONE;
        _cleanup_free_ char *json = spec_emit(s);
        CHECK(strstr(json, "\"type\": \"pid\"") == NULL && strstr(json, "\"type\": \"network\"") == NULL);
        CHECK_CONTAINS(json, "\"type\": \"ipc\"");
        struct kago_err err = { 0 };
        struct oci_spec *back = NULL;
        CHECK(spec_parse(json, strlen(json), "emitted", &back, &err) < 0);
        CHECK_STR(kago_err_text(&err), "emitted: linux.namespaces[0].type: required");
        spec_free(s);
}

UNIT_TEST(mount_option_table)
{
        const struct spec_mount_option *o = spec_mount_option_lookup("nosuid");

        CHECK(o && o->kind == SPEC_MOPT_FLAG && !o->clear && o->flag == MS_NOSUID);
        o = spec_mount_option_lookup("rw");
        CHECK(o && o->clear && o->flag == MS_RDONLY);
        o = spec_mount_option_lookup("rbind");
        CHECK(o && o->kind == SPEC_MOPT_BIND && o->flag == (MS_BIND | MS_REC));
        o = spec_mount_option_lookup("rslave");
        CHECK(o && o->kind == SPEC_MOPT_PROPAGATION && o->flag == (MS_SLAVE | MS_REC));
        o = spec_mount_option_lookup("rro");
        CHECK(o && o->kind == SPEC_MOPT_RECURSIVE && o->flag == MOUNT_ATTR_RDONLY);
        o = spec_mount_option_lookup("rnostrictatime");
        CHECK(o && o->kind == SPEC_MOPT_ATIME && o->flag == MOUNT_ATTR_RELATIME);
        o = spec_mount_option_lookup("async");
        CHECK(o && o->clear && o->flag == MS_SYNCHRONOUS);
        o = spec_mount_option_lookup("tmpcopyup");
        CHECK(o && o->kind == SPEC_MOPT_EXTENSION);
        o = spec_mount_option_lookup("ridmap");
        CHECK(o && o->kind == SPEC_MOPT_EXTENSION);
        CHECK(spec_mount_option_lookup("mode=755") == NULL);
        CHECK(spec_mount_option_lookup("") == NULL);
        for (size_t i = 1; i < spec_mount_options_len; i++)
                CHECK(strcmp(spec_mount_options[i - 1].name, spec_mount_options[i].name) < 0);
}

UNIT_MAIN("specs_emit", UNIT(default_config_is_what_runc_writes), UNIT(rootless_default_maps_the_caller),
          UNIT(state_document_fields), UNIT(features_claim_only_what_kago_does), UNIT(values_outside_an_enum_are_not_emitted),
          UNIT(mount_option_table))
