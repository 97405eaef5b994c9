/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What cgroup_config.spec supplies: cgroupsPath, resources and the
 * org.systemd.property.* annotations. The nodes linux.devices creates get no
 * rule of their own: linux.resources.devices applies to them as written, as
 * with runc (engines send an allow rule with each device they add). */
#include <string.h>

#include "../specs/specs.h"
#include "internal.h"

#define PROPERTY_PREFIX "org.systemd.property."

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
        if (!full->systemd_properties) {
                s->props = systemd_properties(spec);
                full->systemd_properties = s->props;
        }
}

void cg_config_storage_free(struct cg_config_storage *s)
{
        free(s->props);
}
