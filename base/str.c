/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small string helpers. */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "base.h"

bool str_has_prefix(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

int str_to_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
        char *end = NULL;

        if (!s || !*s)
                return -1;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || *end || v < min || v > max)
                return -1;
        *out = v;
        return 0;
}

/* The shift of a size suffix (k, m, g, t, any case, optionally followed by
 * "b" or "ib"), or -1 for anything else. */
static int size_suffix_shift(const char *s)
{
        static const char units[] = "kmgt";
        const char *u = *s ? strchr(units, *s | 0x20) : NULL;

        if (!u)
                return -1;
        if (s[1] && strcasecmp(s + 1, "b") != 0 && strcasecmp(s + 1, "ib") != 0)
                return -1;
        return 10 * (int)(u - units + 1);
}

int str_to_size(const char *s, int64_t min, int64_t max, int64_t *out)
{
        char *end = NULL;
        int shift = 0;

        if (!s || !(isdigit((unsigned char)s[0]) || (s[0] == '-' && isdigit((unsigned char)s[1]))))
                return -1;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno)
                return -1;
        if (*end && (v < 0 || (shift = size_suffix_shift(end)) < 0))
                return -1; /* a negative size takes no unit */
        if (v > (INT64_MAX >> shift))
                return -1;
        int64_t bytes = (int64_t)v * ((int64_t)1 << shift);
        if (bytes < min || bytes > max)
                return -1;
        *out = bytes;
        return 0;
}

size_t strv_length(char *const *v)
{
        size_t n = 0;

        while (v && v[n])
                n++;
        return n;
}
