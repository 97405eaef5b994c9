/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Link names: the kernel's rules, and kago's deterministic host-side names. */
#include <string.h>

#include "netns.h"

bool netns_ifname_valid(const char *name)
{
        size_t len = strlen(name);

        if (len == 0 || len >= IFNAMSIZ || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                return false;
        for (const char *p = name; *p; p++)
                if (*p == '/' || *p == ':' || *p == ' ' || (*p >= '\t' && *p <= '\r'))
                        return false;
        return true;
}

/* FNV-1a, 64 bits: stable across builds and hosts. */
static uint64_t name_hash(const char *s)
{
        uint64_t h = 0xcbf29ce484222325ULL;

        for (; *s; s++)
                h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
        return h;
}

static int host_name(const char *prefix, const char *id, unsigned idx, char out[IFNAMSIZ],
                     struct kago_err *err)
{
        if (idx > 99)
                return kago_err_set(err, "container \"%s\": link number %u: at most 100 links per "
                                         "container", id, idx);
        snprintf(out, IFNAMSIZ, "%s%010llx-%u", prefix,
                 (unsigned long long)(name_hash(id) & 0xffffffffffULL), idx);
        return 0;
}

int netns_host_ifname(const char *id, unsigned idx, char out[IFNAMSIZ], struct kago_err *err)
{
        return host_name("kg", id, idx, out, err);
}

int netns_host_ifb_name(const char *id, unsigned idx, char out[IFNAMSIZ], struct kago_err *err)
{
        return host_name("kb", id, idx, out, err);
}
