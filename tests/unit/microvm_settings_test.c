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

UNIT_MAIN("microvm_settings", UNIT(defaults_without_settings),
          UNIT(annotations_are_parsed_once_into_the_config),
          UNIT(hw_config_comes_before_annotations_and_the_limit),
          UNIT(each_bad_value_is_refused_by_name), UNIT(value_parsers_share_the_size_grammar))
