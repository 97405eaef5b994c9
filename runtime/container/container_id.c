/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container ids: a safe directory name under --root, as engines generate them. */
#include <stdio.h>
#include <string.h>

#include "container.h"

static bool id_char_ok(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-' || c == '.' || c == '+';
}

/* id as a C string literal body: control and non-ASCII bytes as \xNN,
 * so an error never prints raw bytes to a terminal or log. */
static char *id_printable(const char *id)
{
        size_t n = strlen(id);
        char *out = xmalloc(4 * n + 1), *o = out;

        for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
                if (*p >= 0x20 && *p < 0x7f && *p != '\\' && *p != '"')
                        *o++ = (char)*p;
                else
                        o += sprintf(o, "\\x%02x", *p);
        }
        *o = '\0';
        return out;
}

static int id_invalid(const char *id, const char *why, struct kago_err *err)
{
        _cleanup_free_ char *shown = id_printable(id);
        return kago_err_set(err, "invalid container id \"%s\": %s", shown, why);
}

int container_id_validate(const char *id, struct kago_err *err)
{
        size_t n = strlen(id);

        if (n == 0)
                return kago_err_set(err, "container id is empty");
        if (n > CONTAINER_ID_MAX)
                return kago_err_set(err, "container id is %zu characters long (at most %d)", n,
                                    CONTAINER_ID_MAX);
        if (id[0] == '.' || id[0] == '-')
                return id_invalid(id, "must not start with '.' or '-'", err);
        for (const char *p = id; *p; p++) {
                if (id_char_ok(*p))
                        continue;
                unsigned char c = (unsigned char)*p;
                char why[96];
                snprintf(why, sizeof why, c >= 0x20 && c < 0x7f ? "character '%c' not allowed%s"
                                                                  : "byte \\x%02x not allowed%s",
                         c, " (use letters, digits, '_', '-', '.', '+')");
                return id_invalid(id, why, err);
        }
        return 0;
}
