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
#include "guest_proto.h"
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

/* vm.image: a raw image is the guest's root disk; any other format is
 * refused with the conversion that makes it raw. */
static int settings_image(const struct oci_spec *spec, struct microvm_settings *s,
                          struct kago_err *err)
{
        const struct oci_vm_image *img = spec->vm ? spec->vm->image : NULL;

        if (!img)
                return 0;
        if (strcmp(img->format, "raw") != 0)
                return kago_err_set(err, "vm.image.format '%s': kago boots raw images only; "
                                         "convert it first: qemu-img convert -O raw %s %s.raw",
                                    img->format, img->path, img->path);
        s->disks[s->n_disks++] = (struct microvm_disk_setting){
                img->path, strlen(img->path), spec->root && spec->root->readonly, "vm.image"
        };
        s->root_disk = true;
        return 0;
}

/* kago.vm.disk.N = PATH[:ro], N from 0, after vm.image. */
static int settings_disks(const struct oci_spec *spec, struct microvm_settings *s,
                          struct kago_err *err)
{
        static const char *const keys[MICROVM_DISKS_MAX] = {
                "kago.vm.disk.0", "kago.vm.disk.1", "kago.vm.disk.2", "kago.vm.disk.3"
        };
        for (size_t i = 0; i < spec->annotations_len; i++) {
                const char *k = spec->annotations[i].key;
                if (strncmp(k, "kago.vm.disk.", 13) != 0)
                        continue;
                bool known = false;
                for (int n = 0; n < MICROVM_DISKS_MAX; n++)
                        known |= strcmp(k, keys[n]) == 0;
                if (!known)
                        return kago_err_set(err, "annotation %s: unknown; disks are kago.vm.disk.0 "
                                                 "to kago.vm.disk.%d", k, MICROVM_DISKS_MAX - 1);
        }
        for (int n = 0; n < MICROVM_DISKS_MAX; n++) {
                const char *v = spec_annotation(spec, keys[n]);
                if (!v)
                        continue;
                size_t len = strlen(v);
                bool ro = len >= 3 && strcmp(v + len - 3, ":ro") == 0;
                if (ro)
                        len -= 3;
                if (len == 0)
                        return kago_err_set(err, "annotation %s '%s': expected PATH or PATH:ro",
                                            keys[n], v);
                if (s->n_disks == MICROVM_DISKS_MAX)
                        return kago_err_set(err, "annotation %s: a microVM has %d disks at most, "
                                                 "vm.image included", keys[n], MICROVM_DISKS_MAX);
                s->disks[s->n_disks++] = (struct microvm_disk_setting){ v, len, ro, keys[n] };
        }
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
            settings_boot_timeout(spec, &s->boot_timeout_ms, err) < 0 ||
            settings_image(spec, s, err) < 0 || settings_disks(spec, s, err) < 0)
                return -1;
        return 0;
}

bool microvm_mount_is_disk(const char *source)
{
        return kago_is_disk_source(source);
}

void microvm_config_apply(struct microvm_config *cfg, const struct microvm_settings *s)
{
        cfg->vcpus = s->vcpus;
        cfg->memory = s->memory;
        cfg->rootfs = s->rootfs;
        cfg->serial_console = s->serial_console;
        cfg->pvh_entry = s->pvh_entry;
        cfg->boot_timeout_ms = s->boot_timeout_ms;
        cfg->root_disk = s->root_disk;
}
