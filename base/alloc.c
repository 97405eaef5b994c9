/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Allocation wrappers: out of memory is the one failure kago does not report
 * through kago_err, because reporting would need memory too. */
#include <stdio.h>
#include <string.h>

#include "base.h"

static void *oom_check(void *p)
{
        if (!p) {
                fputs("kago: out of memory\n", stderr);
                abort();
        }
        return p;
}

void *xmalloc(size_t n)
{
        return oom_check(malloc(n ? n : 1));
}

void *xcalloc(size_t n, size_t size)
{
        return oom_check(calloc(n ? n : 1, size ? size : 1));
}

void *xrealloc(void *p, size_t n)
{
        return oom_check(realloc(p, n ? n : 1));
}

char *xstrdup(const char *s)
{
        return oom_check(strdup(s));
}

char *xasprintf(const char *fmt, ...)
{
        char *s = NULL;
        va_list ap;

        va_start(ap, fmt);
        int n = vasprintf(&s, fmt, ap);
        va_end(ap);
        return oom_check(n < 0 ? NULL : s);
}
