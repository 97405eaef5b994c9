/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves the top level of config.json: ociVersion, root, mounts, hooks,
 * annotations, hostname and the vm object, valid and invalid. */
#include "specs_test.h"

UNIT_TEST(minimal_config_has_nothing_set)
{
        struct oci_spec *s = parse_ok("{\"ociVersion\": \"1.0.0\"}");

        CHECK(s != NULL);
        if (!s)
                return;
        CHECK_STR(s->oci_version, "1.0.0");
        CHECK(!s->root && !s->process && !s->mounts && !s->hooks && !s->annotations);
        CHECK(!s->linux_cfg && !s->vm && !s->hostname && s->mounts_len == 0);
        spec_free(s);
}

UNIT_TEST(oci_versions_1_0_to_1_3_are_accepted)
{
        static const char *const ok[] = { "1.0.0", "1.0.2-dev", "1.1.0-rc.1", "1.2.1",
                                          "1.3.0", "1.3.7+build.5", "1.0.0-rc5" };
        for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
                char *json = xasprintf("{\"ociVersion\": \"%s\"}", ok[i]);
                struct oci_spec *s = parse_ok(json);
                CHECK(s != NULL);
                spec_free(s);
                free(json);
        }
}

UNIT_TEST(other_oci_versions_are_refused_by_name)
{
        static const char *const bad[] = { "0.9.0", "2.0.0", "1.4.0", "1.0", "", "v1.0.0",
                                           " 1.0.0", "1.0.0x", "1..0", "1.0.-1" };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                char *json = xasprintf("{\"ociVersion\": \"%s\"}", bad[i]);
                char *want = xasprintf("config.json: ociVersion: unsupported version \"%s\" "
                                       "(kago supports 1.0.0 through 1.3.x)", bad[i]);
                CHECK_PARSE_ERROR(json, want);
                free(json);
                free(want);
        }
        CHECK_PARSE_ERROR("{}", "config.json: ociVersion: required");
        CHECK_PARSE_ERROR("{\"ociVersion\": 1}",
                          "config.json: ociVersion: expected string, got integer 1");
}

UNIT_TEST(root_path_and_readonly)
{
        struct oci_spec *s = parse_ok(CONFIG("\"root\": {\"path\": \"rootfs\", \"readonly\": true}"));

        CHECK(s && s->root && s->root->readonly);
        CHECK_STR(s ? s->root->path : NULL, "rootfs");
        spec_free(s);
        CHECK_PARSE_ERROR(CONFIG("\"root\": {}"),
                          "config.json: root.path: required when root is present");
        CHECK_PARSE_ERROR(CONFIG("\"root\": {\"path\": \"\"}"), "config.json: root.path: must not be empty");
        CHECK_PARSE_ERROR(CONFIG("\"root\": {\"path\": \"r\", \"readonly\": \"yes\"}"),
                          "config.json: root.readonly: expected boolean, got string \"yes\"");
        CHECK_PARSE_ERROR(CONFIG("\"root\": \"rootfs\""),
                          "config.json: root: expected object, got string \"rootfs\"");
}

UNIT_TEST(mounts_fields_and_errors)
{
        struct oci_spec *s = parse_ok(CONFIG(
                "\"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
                "{\"destination\": \"/data\", \"source\": \"/srv\", \"options\": [\"rbind\", \"ro\"],"
                " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],"
                " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]}]"));

        CHECK(s && s->mounts_len == 2);
        if (s && s->mounts_len == 2) {
                CHECK_STR(s->mounts[0].type, "proc");
                CHECK(s->mounts[0].options == NULL);
                CHECK(s->mounts[1].type == NULL);
                CHECK(s->mounts[1].options_len == 2 && s->mounts[1].options[2] == NULL);
                CHECK_STR(s->mounts[1].options[1], "ro");
                CHECK(s->mounts[1].uid_mappings_len == 1 && s->mounts[1].uid_mappings[0].host_id == 1000);
        }
        spec_free(s);
        CHECK_PARSE_ERROR(CONFIG("\"mounts\": [{\"destination\": \"/a\"}, {\"type\": \"tmpfs\"}]"),
                          "config.json: mounts[1].destination: required");
        CHECK_PARSE_ERROR(CONFIG("\"mounts\": [{\"destination\": \"/a\", \"options\": [\"ro\", 5]}]"),
                          "config.json: mounts[0].options[1]: expected string, got integer 5");
        CHECK_PARSE_ERROR(CONFIG("\"mounts\": {\"destination\": \"/a\"}"),
                          "config.json: mounts: expected array, got object");
        CHECK_PARSE_ERROR(CONFIG("\"mounts\": [{\"destination\": \"/a\", \"uidMappings\": []}]"),
                          "config.json: mounts[0]: uidMappings and gidMappings must be given together");
        CHECK_PARSE_ERROR(CONFIG("\"mounts\": [{\"destination\": \"/a\", \"uidMappings\": [{\"containerID\": 0, \"hostID\": 0}], \"gidMappings\": []}]"),
                          "config.json: mounts[0].uidMappings[0].size: required");
        CHECK_PARSE_ERROR(CONFIG("\"mounts\": [{\"destination\": \"/a\", \"uidMappings\": [{\"containerID\": 0, \"hostID\": 4294967296, \"size\": 1}], \"gidMappings\": []}]"),
                          "config.json: mounts[0].uidMappings[0].hostID: 4294967296 is out of range (0 to 4294967295)");
}

UNIT_TEST(hooks_every_kind)
{
        struct oci_spec *s = parse_ok(CONFIG(
                "\"hooks\": {\"prestart\": [{\"path\": \"/bin/a\", \"args\": [\"a\", \"1\"], \"env\": [\"X=1\"], \"timeout\": 5}],"
                "\"createRuntime\": [{\"path\": \"/bin/b\"}, {\"path\": \"/bin/c\"}],"
                "\"createContainer\": [{\"path\": \"/bin/d\"}], \"startContainer\": [{\"path\": \"/bin/e\"}],"
                "\"poststart\": [{\"path\": \"/bin/f\"}], \"poststop\": []}"));

        CHECK(s && s->hooks);
        if (s && s->hooks) {
                const struct oci_hooks *h = s->hooks;
                CHECK(h->len[OCI_HOOK_PRESTART] == 1 && h->len[OCI_HOOK_CREATE_RUNTIME] == 2);
                CHECK(h->len[OCI_HOOK_CREATE_CONTAINER] == 1 && h->len[OCI_HOOK_START_CONTAINER] == 1);
                CHECK(h->len[OCI_HOOK_POSTSTART] == 1 && h->len[OCI_HOOK_POSTSTOP] == 0);
                CHECK(h->list[OCI_HOOK_POSTSTOP] != NULL);
                const struct oci_hook *p = &h->list[OCI_HOOK_PRESTART][0];
                CHECK_STR(p->path, "/bin/a");
                CHECK(p->args_len == 2 && p->env_len == 1 && p->timeout.set && p->timeout.value == 5);
                CHECK(!h->list[OCI_HOOK_CREATE_RUNTIME][1].timeout.set);
                CHECK_STR(h->list[OCI_HOOK_CREATE_RUNTIME][1].path, "/bin/c");
        }
        spec_free(s);
        CHECK_STR(oci_hook_kind_name(OCI_HOOK_CREATE_CONTAINER), "createContainer");
        CHECK(oci_hook_kind_name(OCI_HOOK__COUNT) == NULL);
        CHECK_PARSE_ERROR(CONFIG("\"hooks\": {\"poststop\": [{\"path\": \"/x\", \"timeout\": 0}]}"),
                          "config.json: hooks.poststop[0].timeout: 0 is out of range (1 to 9223372036854775807)");
        CHECK_PARSE_ERROR(CONFIG("\"hooks\": {\"prestart\": [{\"path\": \"bin/x\"}]}"),
                          "config.json: hooks.prestart[0].path: \"bin/x\" is not an absolute path");
        CHECK_PARSE_ERROR(CONFIG("\"hooks\": {\"prestart\": [{\"args\": []}]}"),
                          "config.json: hooks.prestart[0].path: required");
}

UNIT_TEST(annotations_hostname_domainname)
{
        struct oci_spec *s = parse_ok(CONFIG("\"hostname\": \"web\", \"domainname\": \"example.org\","
                                             "\"annotations\": {\"a.b\": \"1\", \"c\": \"\"}"));

        CHECK(s && s->annotations_len == 2);
        if (s) {
                CHECK_STR(s->hostname, "web");
                CHECK_STR(s->domainname, "example.org");
                CHECK_STR(spec_annotation(s, "a.b"), "1");
                CHECK_STR(spec_annotation(s, "c"), "");
                CHECK(spec_annotation(s, "missing") == NULL);
        }
        spec_free(s);
        CHECK_PARSE_ERROR(CONFIG("\"annotations\": {\"a\": 1}"),
                          "config.json: annotations[\"a\"]: expected string, got integer 1");
        CHECK_PARSE_ERROR(CONFIG("\"annotations\": {\"a\": \"1\", \"b\": \"2\", \"a\": \"3\"}"),
                          "config.json: annotations[\"a\"]: duplicate key");
        CHECK_PARSE_ERROR(CONFIG("\"annotations\": {\"\": \"x\"}"), "config.json: annotations: empty key");
        CHECK_PARSE_ERROR(CONFIG("\"hostname\": [\"a\"]"), "config.json: hostname: expected string, got array");
}

UNIT_TEST(vm_object_with_hw_config)
{
        struct oci_spec *s = parse_ok(CONFIG(
                "\"vm\": {\"hypervisor\": {\"path\": \"/usr/bin/kago\", \"parameters\": [\"--vm\"]},"
                "\"kernel\": {\"path\": \"/boot/vmlinux\", \"parameters\": [\"console=hvc0\"], \"initrd\": \"/boot/initrd\"},"
                "\"image\": {\"path\": \"/img.raw\", \"format\": \"raw\"},"
                "\"hwConfig\": {\"vcpus\": 4, \"memory\": 1073741824, \"deviceTree\": \"/b.dtb\","
                " \"dtdevs\": [\"/x\"], \"iomems\": [{\"firstMFN\": 1, \"nrMFNs\": 2}], \"irqs\": [33, 4294967295]}}"));

        CHECK(s && s->vm && s->vm->kernel && s->vm->hw_config);
        if (s && s->vm && s->vm->hw_config) {
                const struct oci_vm_hw_config *hw = s->vm->hw_config;
                CHECK(hw->vcpus.set && hw->vcpus.value == 4);
                CHECK(hw->memory.set && hw->memory.value == 1073741824ULL);
                CHECK(hw->irqs_len == 2 && hw->irqs[1] == 4294967295U);
                CHECK(hw->iomems_len == 1 && !hw->iomems[0].first_gfn.set && hw->iomems[0].nr_mfns == 2);
                CHECK_STR(s->vm->kernel->initrd, "/boot/initrd");
                CHECK_STR(s->vm->kernel->parameters[0], "console=hvc0");
                CHECK_STR(s->vm->image->format, "raw");
        }
        spec_free(s);
        s = parse_ok(CONFIG("\"vm\": {\"kernel\": {\"path\": \"/k\"}, \"hwConfig\": {}}"));
        CHECK(s && !s->vm->hw_config->vcpus.set && !s->vm->hw_config->memory.set);
        spec_free(s);
        CHECK_PARSE_ERROR(CONFIG("\"vm\": {\"hwConfig\": {\"vcpus\": 2}}"),
                          "config.json: vm.kernel: required when vm is present");
        CHECK_PARSE_ERROR(CONFIG("\"vm\": {\"kernel\": {\"path\": \"/k\"}, \"hwConfig\": {\"vcpus\": -1}}"),
                          "config.json: vm.hwConfig.vcpus: -1 is out of range (0 to 4294967295)");
        CHECK_PARSE_ERROR(CONFIG("\"vm\": {\"kernel\": {\"path\": \"/k\"}, \"image\": {\"path\": \"/i\", \"format\": \"iso\"}}"),
                          "config.json: vm.image.format: unknown value \"iso\" (expected one of: raw, qcow2, vdi, vmdk, vhd)");
        CHECK_PARSE_ERROR(CONFIG("\"vm\": {\"kernel\": {\"path\": \"/k\"}, \"hwConfig\": {\"memory\": \"512M\"}}"),
                          "config.json: vm.hwConfig.memory: expected integer, got string \"512M\"");
}

UNIT_TEST(unknown_members_are_ignored_and_null_is_absent)
{
        struct oci_spec *s = parse_ok(CONFIG("\"future\": {\"deep\": [1, {\"x\": null}]}, \"hostname\": null,"
                                             "\"solaris\": {}, \"linux\": {\"futureKnob\": true, \"namespaces\": null}"));

        CHECK(s && s->hostname == NULL && s->linux_cfg && s->linux_cfg->namespaces == NULL);
        spec_free(s);
        CHECK_PARSE_ERROR(CONFIG("\"hostname\": \"a\", \"hostname\": \"b\""),
                          "config.json: hostname: duplicate key");
}

UNIT_MAIN("specs_top", UNIT(minimal_config_has_nothing_set), UNIT(oci_versions_1_0_to_1_3_are_accepted),
          UNIT(other_oci_versions_are_refused_by_name), UNIT(root_path_and_readonly),
          UNIT(mounts_fields_and_errors), UNIT(hooks_every_kind), UNIT(annotations_hostname_domainname),
          UNIT(vm_object_with_hw_config), UNIT(unknown_members_are_ignored_and_null_is_absent))
