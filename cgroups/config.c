/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What cgroup_config.spec supplies: the device nodes linux.devices creates
 * (always allowed) and the org.systemd.property.* annotations. */
#include <string.h>

#include "../specs/specs.h"
#include "internal.h"

#define PROPERTY_PREFIX "org.systemd.property."

/* cfg's own extra devices followed by those of spec's linux.devices. */
static void merge_devices(const struct cgroup_config *cfg, const struct oci_linux *l,
                          struct cgroup_device_rule **out, size_t *n)
{
        struct cgroup_device_rule *spec_rules = NULL;
        size_t n_spec = 0;

        cgroup_device_rules_from_spec(l ? l->devices : NULL, l ? l->devices_len : 0, &spec_rules, &n_spec);
        *n = cfg->n_extra_devices + n_spec;
        *out = xcalloc(*n ? *n : 1, sizeof **out);
        if (cfg->n_extra_devices)
                memcpy(*out, cfg->extra_devices, cfg->n_extra_devices * sizeof **out);
        if (n_spec)
                memcpy(*out + cfg->n_extra_devices, spec_rules, n_spec * sizeof **out);
        free(spec_rules);
}

/* "org.systemd.property.X" annotations as key, value pairs (NULL-terminated). */
static char **systemd_properties(const struct oci_spec *spec)
{
        char **props = xcalloc(2 * spec->annotations_len + 1, sizeof *props);
        size_t k = 0;

        for (size_t i = 0; i < spec->annotations_len; i++) {
                if (!str_has_prefix(spec->annotations[i].key, PROPERTY_PREFIX))
                        continue;
                props[k++] = spec->annotations[i].key;
                props[k++] = spec->annotations[i].value ? spec->annotations[i].value : "";
        }
        return props;
}

void cg_config_from_spec(const struct cgroup_config *cfg, struct cgroup_config *full,
                         struct cg_config_storage *s)
{
        const struct oci_spec *spec = cfg->spec;
        const struct oci_linux *l = spec->linux_cfg;

        *full = *cfg;
        memset(s, 0, sizeof *s);
        if (!full->cgroups_path && l)
                full->cgroups_path = l->cgroups_path;
        if (!full->resources && l)
                full->resources = l->resources;
        merge_devices(cfg, l, &s->devices, &full->n_extra_devices);
        full->extra_devices = s->devices;
        if (!full->systemd_properties) {
                s->props = systemd_properties(spec);
                full->systemd_properties = s->props;
        }
}

void cg_config_storage_free(struct cg_config_storage *s)
{
        free(s->devices);
        free(s->props);
}
