/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The device allow-list on a cgroup v1 devices hierarchy: the same rules as
 * the eBPF program (deny all first, then each rule in order), one line each
 * to devices.deny or devices.allow ("c 10:229 rwm", "*" for any number). */
#include <inttypes.h>

#include "internal.h"

static void number(char *buf, size_t size, int64_t v)
{
        if (v < 0)
                snprintf(buf, size, "*");
        else
                snprintf(buf, size, "%" PRId64, v);
}

void cg_v1_device_line(const struct cgroup_device_rule *r, char *buf, size_t size)
{
        char major[24], minor[24];

        if (r->type == 'a') {
                snprintf(buf, size, "a");
                return;
        }
        number(major, sizeof major, r->major);
        number(minor, sizeof minor, r->minor);
        snprintf(buf, size, "%c %s:%s %s", r->type, major, minor, r->access);
}

int cg_v1_devices_apply(struct cgroup *cg, const struct cgroup_device_rule *rules, size_t n,
                        struct kago_err *err)
{
        char line[80];

        if (!cg_v1_dir_for(cg, "devices"))
                return 0;
        for (size_t i = 0; i < n; i++) {
                cg_v1_device_line(&rules[i], line, sizeof line);
                if (cg_write(cg, rules[i].allow ? "devices.allow" : "devices.deny", line, err) < 0)
                        return -1;
        }
        return 0;
}
