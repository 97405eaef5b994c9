/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON paths for error messages, and the errors that name them. */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "json.h"

static size_t path_append(struct json_path *p, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static size_t path_append(struct json_path *p, const char *fmt, ...)
{
        size_t old = p->len;
        va_list ap;

        if (p->len < sizeof p->buf - 1) {
                va_start(ap, fmt);
                int n = vsnprintf(p->buf + p->len, sizeof p->buf - p->len, fmt, ap);
                va_end(ap);
                if (n > 0)
                        p->len += (size_t)n;
                if (p->len > sizeof p->buf - 1)
                        p->len = sizeof p->buf - 1;
        }
        return old;
}

size_t json_path_push_key(struct json_path *p, const char *key)
{
        return path_append(p, "%s%s", p->len ? "." : "", key);
}

size_t json_path_push_index(struct json_path *p, size_t index)
{
        return path_append(p, "[%zu]", index);
}

size_t json_path_push_map_key(struct json_path *p, const char *key)
{
        return path_append(p, "[\"%.100s%s\"]", key, strlen(key) > 100 ? "..." : "");
}

void json_path_pop(struct json_path *p, size_t len)
{
        p->len = len;
        p->buf[len] = '\0';
}

const char *json_path_str(const struct json_path *p)
{
        return p->len ? p->buf : "(top level)";
}

int json_path_error(struct kago_err *err, const struct json_path *p, const char *fmt, ...)
{
        char what[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        return kago_err_set(err, "%s: %s", json_path_str(p), what);
}

const char *json_type_name(const struct json_node *node)
{
        switch (node->type) {
        case JSON_NULL: return "null";
        case JSON_BOOL: return "boolean";
        case JSON_NUMBER: return strpbrk(node->text, ".eE") ? "number" : "integer";
        case JSON_STRING: return "string";
        case JSON_OBJECT: return "object";
        case JSON_ARRAY: return "array";
        }
        return "value";
}

int json_path_type_error(struct kago_err *err, const struct json_path *p, const char *want,
                         const struct json_node *got)
{
        const char *type = json_type_name(got);

        switch (got->type) {
        case JSON_STRING:
                return json_path_error(err, p, "expected %s, got string \"%.64s%s\"", want,
                                       got->text, got->n > 64 ? "..." : "");
        case JSON_NUMBER:
                return json_path_error(err, p, "expected %s, got %s %.64s", want, type, got->text);
        case JSON_BOOL:
                return json_path_error(err, p, "expected %s, got boolean %s", want,
                                       got->boolean ? "true" : "false");
        default:
                return json_path_error(err, p, "expected %s, got %s", want, type);
        }
}
