/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container's microVM settings from its config.json (see microvm.h): the
 * runtime-spec vm object, which specs/ decodes, and the kago.vm.*
 * annotations that engines able to set annotations only (podman) use.
 * Every value goes through the one parser and range check of config.c.
 */
#include <inttypes.h>
#include <string.h>

#include "../specs/specs.h"
#include "microvm.h"

#define BOOT_TIMEOUT_MS_MAX 3600000

/* Prefix "annotation KEY 'VALUE'" to the reason a parser gave. */
static int bad_annotation(const char *key, const char *v, struct kago_err *err)
{
        return kago_err_wrap(err, "annotation %s '%s'", key, v);
}

static int settings_vcpus(const struct oci_spec *spec, unsigned *vcpus, struct kago_err *err)
{
        const struct oci_vm_hw_config *hw = spec->vm ? spec->vm->hw_config : NULL;
        const char *v = spec_annotation(spec, "kago.vm.cpus");

        if (hw && hw->vcpus.set) {
                if (microvm_check_vcpus(hw->vcpus.value, err) < 0)
                        return kago_err_wrap(err, "vm.hwConfig.vcpus %" PRIu32, hw->vcpus.value);
                *vcpus = hw->vcpus.value;
                return 0;
        }
        *vcpus = 1;
        if (v && microvm_parse_vcpus(v, vcpus, err) < 0)
                return bad_annotation("kago.vm.cpus", v, err);
        return 0;
}

static int settings_memory(const struct oci_spec *spec, uint64_t *memory, struct kago_err *err)
{
        const struct oci_vm_hw_config *hw = spec->vm ? spec->vm->hw_config : NULL;
        const char *v = spec_annotation(spec, "kago.vm.memory");
        const struct oci_linux_resources *r = spec->linux_cfg ? spec->linux_cfg->resources : NULL;
        const struct oci_memory *m = r ? r->memory : NULL;

        if (hw && hw->memory.set) {
                if (microvm_check_memory(hw->memory.value, err) < 0)
                        return kago_err_wrap(err, "vm.hwConfig.memory %" PRIu64, hw->memory.value);
                *memory = hw->memory.value;
                return 0;
        }
        if (v)
                return microvm_parse_memory(v, memory, err) < 0
                               ? bad_annotation("kago.vm.memory", v, err)
                               : 0;
        return microvm_memory_from_limit(m && m->limit.set ? m->limit.value : -1, memory, err);
}

/* A yes/no annotation: true/1, false/0 or absent (false). */
static int settings_bool(const struct oci_spec *spec, const char *key, bool *out,
                         struct kago_err *err)
{
        const char *v = spec_annotation(spec, key);

        *out = v && (!strcmp(v, "1") || !strcmp(v, "true"));
        if (v && !*out && strcmp(v, "0") != 0 && strcmp(v, "false") != 0)
                return kago_err_set(err, "annotation %s '%s': expected true or false", key, v);
        return 0;
}

static int settings_boot_timeout(const struct oci_spec *spec, unsigned *ms, struct kago_err *err)
{
        const char *v = spec_annotation(spec, "kago.vm.boot-timeout");
        int64_t n;

        *ms = 0;
        if (!v)
                return 0;
        if (str_to_i64(v, 1, BOOT_TIMEOUT_MS_MAX, &n) < 0)
                return kago_err_set(err,
                                    "annotation kago.vm.boot-timeout '%s': expected 1 to %d (ms)",
                                    v, BOOT_TIMEOUT_MS_MAX);
        *ms = (unsigned)n;
        return 0;
}

static int settings_rootfs(const struct oci_spec *spec, enum microvm_rootfs *rootfs,
                           struct kago_err *err)
{
        const char *v = spec_annotation(spec, "kago.vm.rootfs");

        *rootfs = MICROVM_ROOTFS_DEFAULT;
        if (v && microvm_parse_rootfs(v, rootfs, err) < 0)
                return bad_annotation("kago.vm.rootfs", v, err);
        return 0;
}

int microvm_settings_from_spec(const struct oci_spec *spec, struct microvm_settings *s,
                               struct kago_err *err)
{
        memset(s, 0, sizeof *s);
        if (settings_vcpus(spec, &s->vcpus, err) < 0 ||
            settings_memory(spec, &s->memory, err) < 0 ||
            settings_rootfs(spec, &s->rootfs, err) < 0 ||
            settings_bool(spec, "kago.vm.serial", &s->serial_console, err) < 0 ||
            settings_bool(spec, "kago.vm.pvh", &s->pvh_entry, err) < 0 ||
            settings_boot_timeout(spec, &s->boot_timeout_ms, err) < 0)
                return -1;
        return 0;
}

void microvm_config_apply(struct microvm_config *cfg, const struct microvm_settings *s)
{
        cfg->vcpus = s->vcpus;
        cfg->memory = s->memory;
        cfg->rootfs = s->rootfs;
        cfg->serial_console = s->serial_console;
        cfg->pvh_entry = s->pvh_entry;
        cfg->boot_timeout_ms = s->boot_timeout_ms;
}
