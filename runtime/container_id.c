/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container ids: a safe directory name under --root, as engines generate them. */
#include <string.h>

#include "state.h"

static bool id_char_ok(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-' || c == '.' || c == '+';
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
                return kago_err_set(err, "invalid container id \"%s\": must not start with '%c'",
                                    id, id[0]);
        for (const char *p = id; *p; p++)
                if (!id_char_ok(*p))
                        return kago_err_set(err,
                                            "invalid container id \"%s\": character '%c' not "
                                            "allowed (use letters, digits, '_', '-', '.', '+')",
                                            id, *p);
        return 0;
}
