/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proves microvm/settings.c and the parsers beneath it: a container's
 * microVM settings from config.json (vm.hwConfig first, then the kago.vm.*
 * annotations, then linux.resources.memory.limit), every value out of
 * range refused with an error that names the annotation or JSON path and
 * the value, a bad size unit refused, and what is valid put into a
 * microvm_config.
 */
#include "../../microvm/microvm.h"
#include "specs_test.h"

/* config.json with these top-level members (a JSON fragment after ociVersion). */
static struct oci_spec *spec_with(const char *members)
{
        _cleanup_free_ char *json = xasprintf("{\"ociVersion\": \"1.2.0\"%s%s}",
                                              *members ? ", " : "", members);
        return parse_ok(json);
}

/* The settings of spec_with(members); an error leaves its text in err. */
static int settings_of(const char *members, struct microvm_settings *s, struct kago_err *err)
{
        struct oci_spec *spec = spec_with(members);
        int rc = spec ? microvm_settings_from_spec(spec, s, err) : -1;
        spec_free(spec);
        return rc;
}

UNIT_TEST(defaults_without_settings)
{
        struct microvm_settings s;
        struct kago_err err = { 0 };

        CHECK(settings_of("", &s, &err) == 0);
        CHECK(s.vcpus == 1 && s.memory == MICROVM_MEMORY_DEFAULT);
        CHECK(s.rootfs == MICROVM_ROOTFS_DEFAULT && !s.serial_console && !s.pvh_entry);
        CHECK(s.boot_timeout_ms == 0);
}

UNIT_TEST(annotations_are_parsed_once_into_the_config)
{
        struct microvm_settings s;
        struct microvm_config cfg;
        struct kago_err err = { 0 };

        CHECK(settings_of("\"annotations\": {\"kago.vm.cpus\": \"4\", \"kago.vm.memory\": \"512MiB\", "
                          "\"kago.vm.rootfs\": \"9p\", \"kago.vm.serial\": \"1\", "
                          "\"kago.vm.pvh\": \"true\", \"kago.vm.boot-timeout\": \"8000\"}",
                          &s, &err) == 0);
        CHECK(s.vcpus == 4 && s.memory == 512ull << 20 && s.rootfs == MICROVM_ROOTFS_9P);
        CHECK(s.serial_console && s.pvh_entry && s.boot_timeout_ms == 8000);
        microvm_config_init(&cfg);
        microvm_config_apply(&cfg, &s);
        CHECK(cfg.vcpus == 4 && cfg.memory == 512ull << 20 && cfg.rootfs == MICROVM_ROOTFS_9P);
        CHECK(cfg.serial_console && cfg.pvh_entry && cfg.boot_timeout_ms == 8000);
        CHECK(cfg.kvm_fd == -1 && cfg.kernel_fd == -1); /* the rest stays as init made it */
}

UNIT_TEST(hw_config_comes_before_annotations_and_the_limit)
{
        struct microvm_settings s;
        struct kago_err err = { 0 };

        CHECK(settings_of("\"vm\": {\"kernel\": {\"path\": \"vmlinux\"}, "
                          "\"hwConfig\": {\"vcpus\": 2, \"memory\": 268435456}}, "
                          "\"annotations\": {\"kago.vm.cpus\": \"8\", \"kago.vm.memory\": \"1G\"}",
                          &s, &err) == 0);
        CHECK(s.vcpus == 2 && s.memory == 256ull << 20);
        CHECK(settings_of("\"linux\": {\"resources\": {\"memory\": {\"limit\": 268435456}}}", &s,
                          &err) == 0);
        CHECK(s.memory == (256ull << 20) - MICROVM_OVERHEAD);
        CHECK(settings_of("\"annotations\": {\"kago.vm.memory\": \"64M\"}, "
                          "\"linux\": {\"resources\": {\"memory\": {\"limit\": 268435456}}}",
                          &s, &err) == 0);
        CHECK(s.memory == 64ull << 20);
}

/* Each value out of range or malformed, and the text its error must hold. */
UNIT_TEST(each_bad_value_is_refused_by_name)
{
        static const struct {
                const char *members, *want;
        } bad[] = {
                { "\"annotations\": {\"kago.vm.cpus\": \"0\"}",
                  "annotation kago.vm.cpus '0': expected 1 to 64" },
                { "\"annotations\": {\"kago.vm.cpus\": \"65\"}",
                  "annotation kago.vm.cpus '65': expected 1 to 64" },
                { "\"annotations\": {\"kago.vm.cpus\": \"two\"}",
                  "annotation kago.vm.cpus 'two': expected 1 to 64" },
                { "\"annotations\": {\"kago.vm.memory\": \"1M\"}",
                  "annotation kago.vm.memory '1M': must be 32 MiB to 64 GiB" },
                { "\"annotations\": {\"kago.vm.memory\": \"65G\"}",
                  "annotation kago.vm.memory '65G': must be 32 MiB to 64 GiB" },
                { "\"annotations\": {\"kago.vm.memory\": \"12X\"}",
                  "annotation kago.vm.memory '12X': expected a size like 512M or 1G" },
                { "\"annotations\": {\"kago.vm.memory\": \"256Mx\"}",
                  "annotation kago.vm.memory '256Mx': expected a size like 512M or 1G" },
                { "\"annotations\": {\"kago.vm.memory\": \"-1\"}",
                  "annotation kago.vm.memory '-1': expected a size like 512M or 1G" },
                { "\"annotations\": {\"kago.vm.boot-timeout\": \"0\"}",
                  "annotation kago.vm.boot-timeout '0': expected 1 to 3600000 (ms)" },
                { "\"annotations\": {\"kago.vm.boot-timeout\": \"3600001\"}",
                  "annotation kago.vm.boot-timeout '3600001': expected 1 to 3600000 (ms)" },
                { "\"annotations\": {\"kago.vm.rootfs\": \"nfs\"}",
                  "annotation kago.vm.rootfs 'nfs': expected 9p or virtiofs" },
                { "\"annotations\": {\"kago.vm.serial\": \"yes\"}",
                  "annotation kago.vm.serial 'yes': expected true or false" },
                { "\"annotations\": {\"kago.vm.pvh\": \"2\"}",
                  "annotation kago.vm.pvh '2': expected true or false" },
                { "\"vm\": {\"kernel\": {\"path\": \"k\"}, \"hwConfig\": {\"vcpus\": 0}}",
                  "vm.hwConfig.vcpus 0: expected 1 to 64" },
                { "\"vm\": {\"kernel\": {\"path\": \"k\"}, \"hwConfig\": {\"vcpus\": 65}}",
                  "vm.hwConfig.vcpus 65: expected 1 to 64" },
                { "\"vm\": {\"kernel\": {\"path\": \"k\"}, \"hwConfig\": {\"memory\": 1048576}}",
                  "vm.hwConfig.memory 1048576: must be 32 MiB to 64 GiB" },
                { "\"vm\": {\"kernel\": {\"path\": \"k\"}, \"hwConfig\": {\"memory\": 137438953472}}",
                  "vm.hwConfig.memory 137438953472: must be 32 MiB to 64 GiB" },
                { "\"linux\": {\"resources\": {\"memory\": {\"limit\": 16777216}}}",
                  "linux.resources.memory.limit 16777216 is too small for a VM" },
                { "\"vm\": {\"kernel\": {\"path\": \"k\"}, \"image\": {\"path\": \"d.qcow2\", "
                  "\"format\": \"qcow2\"}}",
                  "vm.image.format 'qcow2': kago boots raw images only; convert it first: "
                  "qemu-img convert -O raw d.qcow2 d.qcow2.raw" },
                { "\"annotations\": {\"kago.vm.disk.4\": \"x\"}",
                  "annotation kago.vm.disk.4: unknown; disks are kago.vm.disk.0 to kago.vm.disk.3" },
                { "\"annotations\": {\"kago.vm.disk.0\": \":ro\"}",
                  "annotation kago.vm.disk.0 ':ro': expected PATH or PATH:ro" },
                { "\"vm\": {\"kernel\": {\"path\": \"k\"}, \"image\": {\"path\": \"r\", "
                  "\"format\": \"raw\"}}, \"annotations\": {\"kago.vm.disk.0\": \"a\", "
                  "\"kago.vm.disk.1\": \"b\", \"kago.vm.disk.2\": \"c\", \"kago.vm.disk.3\": \"d\"}",
                  "annotation kago.vm.disk.3: a microVM has 4 disks at most, vm.image included" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                struct microvm_settings s;
                struct kago_err err = { 0 };
                CHECK(settings_of(bad[i].members, &s, &err) < 0);
                CHECK_CONTAINS(kago_err_text(&err), bad[i].want);
        }
}

UNIT_TEST(value_parsers_share_the_size_grammar)
{
        uint64_t m;
        unsigned n;
        struct kago_err err = { 0 };

        CHECK(microvm_memory_from_limit(0, &m, &err) == 0 && m == MICROVM_MEMORY_DEFAULT);
        CHECK(microvm_memory_from_limit(-1, &m, &err) == 0 && m == MICROVM_MEMORY_DEFAULT);
        CHECK(microvm_parse_memory("256M", &m, &err) == 0 && m == 256ull << 20);
        CHECK(microvm_parse_memory("1g", &m, &err) == 0 && m == 1ull << 30);
        CHECK(microvm_parse_memory("512MiB", &m, &err) == 0 && m == 512ull << 20);
        CHECK(microvm_parse_memory("134217728", &m, &err) == 0 && m == 128ull << 20);
        CHECK(microvm_parse_memory("99999999999999999999G", &m, &err) < 0);
        CHECK(microvm_parse_vcpus("64", &n, &err) == 0 && n == 64);
        CHECK(microvm_parse_vcpus("1.5", &n, &err) < 0);
        CHECK(microvm_check_memory(MICROVM_MEMORY_MIN, &err) == 0);
        CHECK(microvm_check_memory(MICROVM_MEMORY_MAX + 1, &err) < 0);
        CHECK(microvm_check_vcpus(MICROVM_VCPUS_MAX, &err) == 0);
}

UNIT_TEST(image_is_the_root_disk_then_the_annotated_disks)
{
        struct microvm_settings s;
        struct microvm_config cfg;
        struct kago_err err = { 0 };

        /* the paths point into the spec: it stays until the end */
        struct oci_spec *spec = spec_with(
                "\"root\": {\"path\": \"rootfs\", \"readonly\": true}, "
                "\"vm\": {\"kernel\": {\"path\": \"k\"}, \"image\": {\"path\": "
                "\"/img/root.raw\", \"format\": \"raw\"}}, \"annotations\": "
                "{\"kago.vm.disk.1\": \"data:b.img:ro\", \"kago.vm.disk.0\": \"/a.img\"}");
        CHECK(spec && microvm_settings_from_spec(spec, &s, &err) == 0);
        CHECK(s.root_disk && s.n_disks == 3);
        CHECK(s.disks[0].path_len == 13 && strncmp(s.disks[0].path, "/img/root.raw", 13) == 0);
        CHECK(s.disks[0].readonly); /* root.readonly */
        CHECK_STR(s.disks[0].from, "vm.image");
        CHECK(s.disks[1].path_len == 6 && !s.disks[1].readonly);
        CHECK_STR(s.disks[1].from, "kago.vm.disk.0");
        /* ":ro" only at the end; a colon inside the path stays */
        CHECK(s.disks[2].path_len == 10 && strncmp(s.disks[2].path, "data:b.img", 10) == 0);
        CHECK(s.disks[2].readonly);
        microvm_config_init(&cfg);
        microvm_config_apply(&cfg, &s);
        CHECK(cfg.root_disk);
        spec_free(spec);

        CHECK(settings_of("\"annotations\": {\"kago.vm.disk.0\": \"x.img\"}", &s, &err) == 0);
        CHECK(!s.root_disk && s.n_disks == 1 && !s.disks[0].readonly);
        CHECK(microvm_mount_is_disk("/dev/vdb") && !microvm_mount_is_disk("/dev/sda") &&
              !microvm_mount_is_disk(NULL));
}

UNIT_MAIN("microvm_settings", UNIT(defaults_without_settings),
          UNIT(annotations_are_parsed_once_into_the_config),
          UNIT(hw_config_comes_before_annotations_and_the_limit),
          UNIT(each_bad_value_is_refused_by_name), UNIT(value_parsers_share_the_size_grammar),
          UNIT(image_is_the_root_disk_then_the_annotated_disks))
