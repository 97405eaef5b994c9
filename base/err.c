/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kago error type: errno plus a message with context. */
#include <errno.h>
#include <string.h>

#include "base.h"

static int err_vset(struct kago_err *err, int errnum, const char *fmt, va_list ap)
{
        if (!err)
                return -1;
        err->errnum = errnum;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        return -1;
}

int kago_err_set(struct kago_err *err, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        err_vset(err, 0, fmt, ap);
        va_end(ap);
        return -1;
}

int kago_err_errno(struct kago_err *err, int errnum, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        err_vset(err, errnum, fmt, ap);
        va_end(ap);
        return -1;
}

int kago_err_wrap(struct kago_err *err, const char *fmt, ...)
{
        char prefix[512];
        va_list ap;

        if (!err)
                return -1;
        va_start(ap, fmt);
        int n = vsnprintf(prefix, sizeof prefix - 2, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -1;
        size_t plen = strlen(prefix);
        memcpy(prefix + plen, ": ", 3);
        plen += 2;
        size_t old = strnlen(err->msg, sizeof err->msg - 1);
        if (plen + old >= sizeof err->msg)
                old = sizeof err->msg - 1 - plen;
        memmove(err->msg + plen, err->msg, old);
        memcpy(err->msg, prefix, plen);
        err->msg[plen + old] = '\0';
        return -1;
}

const char *kago_err_text(struct kago_err *err)
{
        size_t n = strnlen(err->msg, sizeof err->msg);

        if (err->errnum && n + 3 < sizeof err->msg) {
                snprintf(err->msg + n, sizeof err->msg - n, ": %s", strerror(err->errnum));
                err->errnum = 0; /* rendered once */
        }
        return err->msg;
}

void kago_err_clear(struct kago_err *err)
{
        err->errnum = 0;
        err->msg[0] = '\0';
}
