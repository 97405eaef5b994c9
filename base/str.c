/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small string helpers. */
#include <errno.h>
#include <string.h>

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

size_t strv_length(char *const *v)
{
        size_t n = 0;

        while (v && v[n])
                n++;
        return n;
}
